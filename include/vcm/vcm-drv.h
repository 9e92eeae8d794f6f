/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/vcm-drv.h> - the VCM driver API (the kernel's include/linux/vcm-drv.h,
 * RFC v5): what a context's implementation provides, the MMU and
 * one-to-one wrappers that do most of that work, the physical memory
 * helpers, and the ready-made contexts.
 *
 * A driver fills vcm.start, vcm.size and the driver pointer in its own
 * structure (which embeds struct vcm, struct vcm_mmu or struct vcm_o2o),
 * then calls the matching init function, which returns &...->vcm or an error
 * pointer.  With no cleanup op, vcm_destroy() releases the structure with
 * free(): embed the struct vcm (or vcm_mmu / vcm_o2o) at the start of a
 * malloc()ed structure, or give a cleanup op.
 *
 * Thread safety: as <vcm/vcm.h>.  Driver ops are called with the context's
 * lock held; vcm_phys_alloc() and vcm_phys_walk() may be called from any
 * thread.
 */
#ifndef VCM_VCM_DRV_H
#define VCM_VCM_DRV_H

#include <vcm/soc.h>
#include <vcm/vcm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct page;

/**
 * struct vcm_phys_part - one physically contiguous piece of a phys.
 * @start: physical address, page-aligned.
 * @page: the kernel's struct page of the first page; libvcm has none and
 *        leaves it NULL (kept for the kernel's layout).
 * @size: bytes, a multiple of VCM_PAGE_SIZE.
 */
struct vcm_phys_part {
	vcm_addr_t start;
	struct page *page;
	vcm_size_t size;
};

/**
 * struct vcm_phys - physical memory: a list of parts.
 * @count: number of parts.
 * @size: total bytes (the sum of the parts' sizes).
 * @free: releases the phys, the structure included (called by vcm_free()
 *        once it is unbound).
 * @bindings: how many reservations bind it; updated atomically by the
 *            library, read it with __atomic_load_n() if other threads bind.
 * @parts: the parts, in the order they appear in a reservation.
 *
 * The kernel's layout, field for field.  A driver may make its own (as
 * the S5P drivers did for contiguous memory: allocate it with malloc(),
 * fill count, size, free and the parts, bindings 0).
 */
struct vcm_phys {
	unsigned count;
	vcm_size_t size;
	void (*free)(struct vcm_phys *phys);
	vcm_atomic_t bindings;
	struct vcm_phys_part parts[];
};
/**
 * struct vcm_driver - the operations behind a context.
 * @cleanup: release the context (after vcm_destroy() emptied it); NULL:
 *           free() the struct vcm.
 * @alloc: allocate a phys and a reservation and bind them, as
 *         vcm_make_binding(); NULL: @phys then @map (or @res + @bind).
 * @res: reserve @size bytes (page-rounded) of addresses: fill res->start;
 *       return an error pointer on failure.  The library sets the other
 *       fields.
 * @phys: allocate @size bytes (page-rounded) of physical memory.
 * @unreserve: release a reservation made by @res or @map (it is unbound).
 * @map: reserve and bind in one step; NULL: @res + @bind.
 * @bind: make the binding of @phys behind @res (the library has checked it
 *        and updates res->phys and the counts when this returns 0).
 * @unbind: undo @bind (res->phys is still set when it is called).
 * @activate: make the context live in the hardware (first activation).
 * @deactivate: take it out (last deactivation).
 *
 * Every op may be NULL; a needed op that is missing is -EOPNOTSUPP.
 */
struct vcm_driver {
	void (*cleanup)(struct vcm *vcm);
	int (*alloc)(struct vcm *vcm, vcm_size_t size, struct vcm_phys **phys,
		     unsigned alloc_flags, struct vcm_res **res, unsigned res_flags);
	struct vcm_res *(*res)(struct vcm *vcm, vcm_size_t size, unsigned flags);
	struct vcm_phys *(*phys)(struct vcm *vcm, vcm_size_t size, unsigned flags);
	void (*unreserve)(struct vcm_res *res);
	struct vcm_res *(*map)(struct vcm *vcm, struct vcm_phys *phys, unsigned flags);
	int (*bind)(struct vcm_res *res, struct vcm_phys *phys);
	void (*unbind)(struct vcm_res *res);
	int (*activate)(struct vcm *vcm);
	void (*deactivate)(struct vcm *vcm);
};

/**
 * vcm_init() - initialise a context whose start, size and driver are set.
 * @vcm: the context.
 *
 * As the kernel's, it requires a driver with an unreserve op.
 *
 * A context in static storage (a global or static variable of the
 * program or of a shared object) whose fields vcm_init() would take needs
 * no call: `static struct vcm my = { .start = ..., .size = ...,
 * .driver = &my_ops };` is set up by the first libvcm call that uses it,
 * keeping the activation count it was given (as the kernel's vcm_vmm).
 * vcm_destroy() of such a context empties it and runs the cleanup op, but
 * never free()s it; its next use sets it up again.  A context elsewhere
 * (heap, stack) that never went through vcm_init() is refused, with a
 * warning, by every call.
 * Return: @vcm; vcm_err_ptr(-EINVAL) for NULL, and with a warning for no
 * driver, a driver without unreserve, size 0, an unaligned window or one
 * that wraps past 2^64; -ENOMEM.
 */
VCM_EXPORT struct vcm *vcm_init(struct vcm *vcm);

/**
 * vcm_phys_alloc() - allocate physical memory from the current SoC.
 * @size: bytes, a whole number of pages (as the kernel, which refused
 *        others).
 * @flags: 0.
 * @orders: zero-terminated, largest-first page orders ({ 8, 4, 0 } = 1 MiB,
 *          64 KiB, 4 KiB); as in the kernel API the terminating 0 is itself
 *          order 0, so 4 KiB pages are always available; NULL means { 0 }.
 *
 * Takes the largest pages it can and falls back to smaller ones under
 * fragmentation; each part is one page of one of @orders.  All or nothing.
 * The phys' free function gives the pages back to the SoC.
 * Return: the phys; vcm_err_ptr(-EINVAL) for size 0, orders not strictly
 * decreasing or an order above VCM_SOC_MAX_ORDER, and with a warning for a
 * size that is not a whole number of pages; -ENOMEM (nothing is left
 * allocated).
 */
VCM_EXPORT struct vcm_phys *vcm_phys_alloc(vcm_size_t size, unsigned flags,
					   const unsigned char *orders);

/**
 * vcm_phys_alloc_soc() - vcm_phys_alloc() from a given SoC.
 * @soc: the machine.
 * @size: as vcm_phys_alloc().
 * @flags: as vcm_phys_alloc().
 * @orders: as vcm_phys_alloc().
 *
 * Return: as vcm_phys_alloc(); -EINVAL also for a NULL @soc.
 */
VCM_EXPORT struct vcm_phys *vcm_phys_alloc_soc(struct vcm_soc *soc, vcm_size_t size,
					       unsigned flags, const unsigned char *orders);

/**
 * __vcm_phys_alloc() - the kernel's name for vcm_phys_alloc() with GFP flags.
 * @size: bytes, a whole number of pages.
 * @flags: 0.
 * @orders: as vcm_phys_alloc().
 * @gfp: the kernel's allocation flags; ignored (all simulated RAM is alike).
 *
 * Return: as vcm_phys_alloc().
 */
static inline struct vcm_phys *__vcm_phys_alloc(vcm_size_t size, unsigned flags,
						const unsigned char *orders, unsigned gfp)
{
	(void)gfp;
	return vcm_phys_alloc(size, flags, orders);
}

/**
 * __vcm_phys_alloc_coherent() - __vcm_phys_alloc(), for memory the kernel
 * also invalidated in the CPU caches.
 * @size: bytes, a whole number of pages.
 * @flags: 0.
 * @orders: as vcm_phys_alloc().
 * @gfp: ignored.
 *
 * libvcm's RAM is coherent unless a cache model says otherwise, so this is
 * __vcm_phys_alloc().  Return: as vcm_phys_alloc().
 */
static inline struct vcm_phys *__vcm_phys_alloc_coherent(vcm_size_t size, unsigned flags,
							 const unsigned char *orders,
							 unsigned gfp)
{
	return __vcm_phys_alloc(size, flags, orders, gfp);
}

/**
 * vcm_phys_alloc_raw() - the kernel's allocation without cache maintenance.
 * @size: bytes, a whole number of pages.
 * @flags: 0.
 * @orders: as vcm_phys_alloc().
 *
 * Return: as vcm_phys_alloc().
 */
static inline struct vcm_phys *vcm_phys_alloc_raw(vcm_size_t size, unsigned flags,
						  const unsigned char *orders)
{
	return vcm_phys_alloc(size, flags, orders);
}

/**
 * typedef vcm_page_fn - a per-page callback of vcm_phys_walk().
 * @vaddr: the page's virtual address.
 * @paddr: its physical address.
 * @order: its order (size = VCM_PAGE_SIZE << order).
 * @priv: the walk's private pointer.
 * Return: 0 to go on, a negative errno to stop.
 */
typedef int (*vcm_page_fn)(vcm_addr_t vaddr, vcm_addr_t paddr, unsigned order, void *priv);

/**
 * vcm_phys_walk() - cut a phys into pages and call @callback for each.
 * @vaddr: virtual address where the phys starts.
 * @phys: the phys.
 * @orders: zero-terminated, largest-first page orders (NULL: { 0 }).
 * @callback: called for each page, in address order.
 * @recovery: called, on a failure of @callback, for every page on which
 *            @callback already succeeded (in address order); may be NULL.
 * @priv: passed to both.
 *
 * Each page is the largest of @orders that the virtual and the physical
 * address are both aligned to and that fits in what is left of the part.
 * Return: 0; the error @callback returned (a positive return counts as
 * -EINVAL), after @recovery has undone the pages already done; -EINVAL for
 * a NULL or error @phys, a NULL @callback or an unaligned @vaddr.
 */
VCM_EXPORT int vcm_phys_walk(vcm_addr_t vaddr, const struct vcm_phys *phys,
			     const unsigned char *orders, vcm_page_fn callback,
			     vcm_page_fn recovery, void *priv);

/**
 * struct vcm_mmu_driver - what an MMU driver provides to the MMU wrapper.
 * @orders: zero-terminated, largest-first page orders the MMU supports
 *          (strictly decreasing, at most VCM_SOC_MAX_ORDER, as
 *          vcm_phys_alloc() takes them).
 * @cleanup: release the structure after the wrapper's own cleanup; NULL:
 *           free() it (the struct vcm_mmu must then be at its start).
 * @activate: map one bound reservation into the hardware; NULL: call
 *            @activate_page for each page (vcm_phys_walk(), with
 *            @deactivate_page as recovery).
 * @deactivate: unmap one reservation; NULL: @deactivate_page per page.
 * @activate_page: map one page; @vcm is the struct vcm *.
 * @deactivate_page: unmap one page.  A page that fails is reported with a
 *                   warning; the reservation's other pages are still
 *                   unmapped.
 */
struct vcm_mmu_driver {
	const unsigned char *orders;
	void (*cleanup)(struct vcm *vcm);
	int (*activate)(struct vcm_res *res, struct vcm_phys *phys);
	void (*deactivate)(struct vcm_res *res, struct vcm_phys *phys);
	int (*activate_page)(vcm_addr_t vaddr, vcm_addr_t paddr, unsigned order, void *vcm);
	int (*deactivate_page)(vcm_addr_t vaddr, vcm_addr_t paddr, unsigned order, void *vcm);
};

#ifndef VCM_KERNEL_HEADERS
/**
 * struct vcm_mmu_res - a reservation of the MMU wrapper that its driver
 * makes itself, laid out exactly as the kernel's.
 * @res: the reservation.
 * @bound: on the context's list of bound reservations while bound.
 *
 * As in the kernel, a driver may make one itself (allocate it, fill
 * res.start, res.res_size and res.vcm inside a range it reserved,
 * initialise @bound as an empty list) and vcm_bind() a phys to it; it then
 * vcm_unbind()s and frees it itself, never vcm_unreserve()s it.
 *
 * The reservations vcm_reserve(), vcm_map() and vcm_make_binding() make on a
 * vcm_mmu_init() context are not one of these (in the kernel they were:
 * the struct was private to mm/vcm.c): they are plain struct vcm_res, bound
 * while their phys is set, with no list link.  So vcm_activate() replays
 * the context's bound reservations in this order: those libvcm made, in the
 * order of the context's reservations (not the order of binding, as the
 * kernel did), then those their driver made, in the order they were bound;
 * a failed activation unmaps exactly those it mapped before the failure.
 * The last vcm_deactivate() unmaps them in the same order.
 *
 * With the kernel's headers (<linux/vcm-drv.h> and the others of the
 * vcm-kernel pkg-config module, which define VCM_KERNEL_HEADERS) it is not
 * declared: in the kernel it was private to mm/vcm.c, and a driver that
 * makes one declares it itself, with this very layout (as the MFC driver's
 * mfc_mem.h does).
 */
struct vcm_mmu_res {
	struct vcm_res res;
	struct vcm_link bound;
};
#endif

struct vcm_mmu_state;

/**
 * struct vcm_mmu - a context behind an MMU, managed by the MMU wrapper.
 * @vcm: the context; fill start and size.
 * @driver: the MMU operations; fill it.
 * @state: internal (DVA allocator, bound reservations).
 *
 * @vcm and @driver are the kernel's first fields; the kernel's private
 * ones after them (pool, bound_res, lock, activated) are libvcm's @state
 * here, so a driver embeds the structure and fills @vcm and @driver as in
 * the kernel, but its size is not the kernel's.
 *
 * A context made by vcm_mmu_init() places DVA as the kernel did: each
 * reservation aligned (in absolute DVA) to the largest of the driver's
 * orders not above the lowest set bit of its page count, at the lowest
 * such address of the window [start, start+size) that is free (first fit).
 * vcm_iommu_create() contexts use libvcm's own placement instead, the
 * buddy allocator: each reservation aligned to the largest of the driver's
 * orders that fits in its size, the unused tail of the power-of-two block
 * given back (so in a window that is not a power of two in size, or whose
 * start is not aligned to the largest page that fits in it, a reservation
 * as large as the whole window may be -ENOSPC).  As the per-size caches
 * in front of Linux's IOVA allocator, such a context keeps the block of a
 * reservation given back whose size is a power of two up to 1 MiB (and
 * that has no guard gap, vcm_set_guard()), up to 32 per size, and hands
 * the most recently kept one to the next reservation of that size, so
 * reserving and giving back in the steady state rarely touch the
 * allocator; before a reservation would fail with -ENOSPC, the kept
 * blocks are given back (merging) and it is tried again, so they never
 * make one fail.
 * Bindings made while the context is active are mapped at once; the list of
 * bound reservations is replayed on activation (a failure unwinds what was
 * mapped and the activation fails) and taken down on the last deactivation.
 * Physical memory comes from vcm_phys_alloc() (the current SoC) with the
 * driver's orders.
 */
struct vcm_mmu {
	struct vcm vcm;
	const struct vcm_mmu_driver *driver;
	struct vcm_mmu_state *state;
};

/**
 * vcm_mmu_init() - initialise an MMU context.
 * @mmu: start, size and driver filled in; the window must be page-aligned.
 *
 * Return: &mmu->vcm; vcm_err_ptr(-EINVAL) for bad fields (no driver, no
 * orders or invalid ones, no way to activate, an empty or unaligned window,
 * one of more than 2^32 pages); -ENOMEM.
 */
VCM_EXPORT struct vcm *vcm_mmu_init(struct vcm_mmu *mmu);

/**
 * struct vcm_o2o_driver - what a one-to-one (no MMU) driver provides.
 * @cleanup: release the structure; NULL: free() it.
 * @phys: the kernel's op: make a phys of at least @size bytes of
 *        physically contiguous memory, its first part whole pages, with its
 *        free op set (which gives the memory back and frees the structure);
 *        return it or an error pointer.  A phys that is not so is handed
 *        back to its free op, with a warning, and vcm_alloc() fails with
 *        -EINVAL (as the kernel's WARN_ON).
 * @alloc: libvcm's simpler op, used only when @phys is NULL: fill
 *         part->start with the address of part->size physically contiguous
 *         bytes; return 0 or a negative errno.  libvcm makes the phys.
 * @free: release a part from @alloc.
 *
 * @cleanup and @phys are the kernel's fields, in its order; @alloc and
 * @free are libvcm's, after them, so a kernel driver's initialiser
 * (`{ .cleanup = ..., .phys = ... }`) compiles and means what it meant.
 */
struct vcm_o2o_driver {
	void (*cleanup)(struct vcm *vcm);
	struct vcm_phys *(*phys)(struct vcm *vcm, vcm_size_t size, unsigned flags);
	int (*alloc)(struct vcm *vcm, struct vcm_phys_part *part, unsigned flags);
	void (*free)(struct vcm *vcm, struct vcm_phys_part *part);
};

/**
 * struct vcm_o2o - a context where device addresses are physical addresses.
 * @vcm: the context; fill start and size (the physical range devices see).
 * @driver: the allocation operations.
 *
 * vcm_alloc() gives one contiguous part (from the driver's phys op, or its
 * alloc op); vcm_map() of a phys whose parts
 * are contiguous gives a reservation at its physical address; vcm_reserve()
 * and binding a phys whose address differs from the reservation's are
 * -EOPNOTSUPP and -EINVAL: without an MMU there is nothing to remap.
 * vcm_map() of a phys that is not one contiguous range is -EINVAL, of one
 * outside the window -ERANGE.  A phys from vcm_alloc() (or
 * vcm_make_binding()) on the context through the alloc op is given back
 * through the driver's free op, so free it before destroying the context.
 */
struct vcm_o2o {
	struct vcm vcm;
	const struct vcm_o2o_driver *driver;
};

/**
 * vcm_o2o_init() - initialise a one-to-one context.
 * @o2o: start, size and driver filled in.
 *
 * As the kernel's, it requires a phys op (or libvcm's alloc op instead).
 * Return: &o2o->vcm; vcm_err_ptr(-EINVAL) for bad fields, and with a
 * warning for a driver with neither op; -ENOMEM.
 */
VCM_EXPORT struct vcm *vcm_o2o_init(struct vcm_o2o *o2o);

/**
 * vcm_onetoone_create() - a one-to-one context allocating from a SoC.
 * @soc: the machine (NULL: the current SoC).
 *
 * Its window covers the SoC's RAM; allocations are physically contiguous
 * (at most VCM_SOC_MAX_ORDER pages' worth: 16 MiB; a larger size is
 * -EINVAL, a size the fragmented RAM cannot hold in one piece -ENOMEM).
 * Return: the context; vcm_err_ptr(-EINVAL) for a SoC without RAM; -ENOMEM.
 */
VCM_EXPORT struct vcm *vcm_onetoone_create(struct vcm_soc *soc);

/**
 * vcm_vmm_create() - the CPU's context over a SoC's RAM.
 * @soc: the machine (NULL: the current SoC).
 *
 * vcm_map(vmm, phys, 0) returns a reservation whose start is a host pointer
 * (uintptr_t) giving a contiguous view of the phys even when its parts are
 * scattered: the RAM's host pages are aliased side by side, so writes
 * through the view are at the physical addresses and the other way round.
 * vcm_alloc() on it allocates from @soc.  Binding a phys pinned from user
 * memory is -EOPNOTSUPP (the application already has its own view).
 * vcm_reserve() on it is -ENOSPC for a size larger than the window, and
 * -ENOMEM if the host does not give the address space (mmap() fails), as
 * for any failed host allocation.
 * Return: the context; -ENOMEM.
 */
VCM_EXPORT struct vcm *vcm_vmm_create(struct vcm_soc *soc);

struct vcm_sysmmu;

/**
 * VCM_IOMMU_FLUSH_ENTRY_MAX - largest unmap (in System MMU pages: sections,
 * large or small pages) that vcm_iommu_create() contexts and the S5P layer
 * invalidate entry by entry; a larger unmap invalidates the whole TLB.
 */
#define VCM_IOMMU_FLUSH_ENTRY_MAX 16

/**
 * vcm_iommu_create() - a device context with its own page table.
 * @mmu: the device's System MMU (see <vcm/sysmmu.h>); it must outlive the
 *       context.
 * @start: first DVA of the context's window, page-aligned.
 * @size: bytes in the window, page-aligned and non-zero; the window must
 *        end at or below 4 GiB (the System MMU's 32-bit DVA space).
 *
 * An MMU-wrapper context (see struct vcm_mmu) using the System MMU's page
 * sizes: 1 MiB sections, 64 KiB large pages and 4 KiB small pages.  Its
 * Exynos page table, the physical memory of vcm_alloc() and
 * vcm_make_binding(), and the PAs of user memory pinned for it come from the
 * SoC @mmu was made on.
 *
 * The first vcm_activate() maps the bound reservations into the table,
 * then programs @mmu: page-table base, whole-TLB invalidation, enable.  The
 * last vcm_deactivate() unmaps them and disables @mmu.  While active, every
 * unbind or unmap invalidates @mmu's TLB before it returns (entry by entry
 * for up to VCM_IOMMU_FLUSH_ENTRY_MAX pages, the whole TLB beyond), so the
 * device never reaches a buffer after its unmap returned.  Contexts on
 * different System MMUs are isolated even when their windows coincide.
 * Several contexts may use one @mmu, one active at a time: vcm_activate()
 * is -EBUSY while @mmu is enabled with another page table.
 *
 * Thread safety: as any context (see <vcm/vcm.h>).
 * Return: the context (vcm_destroy() frees it and its page table);
 * vcm_err_ptr(-EINVAL) for a NULL or error @mmu, a zero or unaligned window
 * or one that passes 4 GiB; -ENOMEM.
 */
VCM_EXPORT struct vcm *vcm_iommu_create(struct vcm_sysmmu *mmu, vcm_addr_t start,
					vcm_size_t size);

#ifdef __cplusplus
}
#endif

#endif /* VCM_VCM_DRV_H */
