/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/vcm.h> - the device-driver API of the Virtual Contiguous Memory
 * framework, with the names, arguments and meaning of the kernel's
 * include/linux/vcm.h (RFC v5, 2010).
 *
 * A context (struct vcm) is an address space: a device's DVA space behind an
 * MMU, physical addresses for a device without one, or the CPU's view.  A
 * reservation (struct vcm_res) is a range of addresses in one context; a
 * physical allocation (struct vcm_phys) is a list of physical parts; binding
 * puts a phys behind a reservation.  One phys may be bound into any number of
 * reservations in any number of contexts: that is how devices share memory.
 *
 * Sizes are rounded up to whole pages (VCM_PAGE_SIZE); a size of 0 is
 * -EINVAL.  Every flags argument accepts 0, meaning the defaults; no flag
 * bits are defined yet, and unknown bits are ignored.
 *
 * Thread safety: every function may be called from several threads.  Each
 * context has a lock that serialises the operations on it (and the driver
 * callbacks they make).  It is biased towards the first thread that uses
 * the context, which takes it without an atomic read-modify-write; the
 * first call from another thread withdraws that bias for good, after which
 * every thread takes it the shared way (so a context that two threads
 * share costs a little more per call).  A phys' binding count is atomic,
 * so one phys may be bound and unbound concurrently in several contexts.
 * A given reservation or phys must not be destroyed by one thread while
 * another still uses it (as in the kernel).  Driver callbacks run with the
 * context's lock held and must not call back into the VCM API on the same
 * context.
 */
#ifndef VCM_VCM_H
#define VCM_VCM_H

#include <vcm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vcm_driver;
struct vcm_phys;

/**
 * struct vcm - a virtual contiguous memory context (an address space).
 * @start: first address of the context's window.
 * @size: bytes in the window.
 * @activations: how many times vcm_activate() was called without a
 *               matching vcm_deactivate(); read-only for users.
 * @driver: the operations behind the context (see <vcm/vcm-drv.h>).
 *
 * Exactly the kernel's fields, in the kernel's order and with its types.
 * The library's bookkeeping of a context (its lock, its reservations) is
 * kept apart, found through the handle registry, so a context may be
 * embedded, allocated or statically initialised by a driver as in the
 * kernel.
 */
struct vcm {
	vcm_addr_t start;
	vcm_size_t size;
	vcm_atomic_t activations;
	const struct vcm_driver *driver;
};

/**
 * struct vcm_link - a link in a doubly linked list (the kernel's struct
 * list_head, see <vcm/kernel.h>; struct vcm_mmu_res.bound is one).
 * @next: next link.
 * @prev: previous link.
 */
struct vcm_link {
	struct vcm_link *next, *prev;
};

/**
 * struct vcm_res - a reservation of addresses in one context.
 * @start: first address (a DVA; a host pointer for the CPU context).
 * @bound_size: bytes of the bound phys (0 when nothing is bound).
 * @res_size: bytes reserved (page-rounded).
 * @refcnt: owners of the reservation (the kernel's CONFIG_VCM_RES_REFCNT):
 *          1 from vcm_reserve()/vcm_map()/vcm_make_binding(), one more per
 *          vcm_ref_reserve(); internal.
 * @vcm: the context it belongs to.
 * @phys: the bound phys, or NULL.
 *
 * Exactly the kernel's fields (with CONFIG_VCM_RES_REFCNT), in its order and
 * with its types; the library's bookkeeping of a reservation (its place on
 * the context's list) is kept apart.
 */
struct vcm_res {
	vcm_addr_t start;
	vcm_size_t bound_size;
	vcm_size_t res_size;
	vcm_atomic_t refcnt;
	struct vcm *vcm;
	struct vcm_phys *phys;
};

/**
 * vcm_destroy() - destroy a context.
 * @vcm: the context (NULL or an error pointer: warning, nothing done).
 *
 * An active context is first deactivated, with a warning.  Reservations
 * still in it are unbound and unreserved, with one warning (their phys are
 * not freed: they belong to the caller).  Then the driver's cleanup op runs,
 * or, without one, the structure is released with free().
 */
VCM_EXPORT void vcm_destroy(struct vcm *vcm);

/**
 * vcm_make_binding() - allocate physical memory, reserve addresses and bind.
 * @vcm: the context.
 * @size: bytes, a whole number of pages (the kernel refused others).
 * @alloc_flags: flags for the allocation (0).
 * @res_flags: flags for the reservation (0).
 *
 * Uses the driver's alloc op, or else its phys op followed by map (or
 * res + bind).  The reservation's phys is res->phys.
 * Return: the bound reservation; vcm_err_ptr(-EINVAL) for a bad context or a
 * size of 0; -EINVAL with a warning for a size that is not a whole number
 * of pages; -EOPNOTSUPP if the driver lacks a needed op; -ENOMEM or
 * -ENOSPC when memory or addresses run out (then nothing is left allocated).
 */
VCM_EXPORT struct vcm_res *vcm_make_binding(struct vcm *vcm, vcm_size_t size,
					    unsigned alloc_flags, unsigned res_flags);

/**
 * vcm_destroy_binding() - undo vcm_make_binding(): unbind, free, unreserve.
 * @res: the reservation (NULL or an error pointer: warning, nothing done).
 *
 * The phys is freed only if no other reservation still binds it (otherwise
 * the warning of vcm_free() is raised and the phys stays).  With more than
 * one owner (vcm_ref_reserve()) this only drops one.
 */
VCM_EXPORT void vcm_destroy_binding(struct vcm_res *res);

/**
 * vcm_alloc() - allocate physical memory suitable for a context.
 * @vcm: the context whose driver allocates.
 * @size: bytes (rounded up to pages).
 * @flags: 0.
 *
 * Return: the phys (binding count 0); vcm_err_ptr(-EINVAL) for a bad
 * context or size 0; -EOPNOTSUPP if the driver cannot allocate; -ENOMEM.
 */
VCM_EXPORT struct vcm_phys *vcm_alloc(struct vcm *vcm, vcm_size_t size, unsigned flags);

/**
 * vcm_free() - free a phys.
 * @phys: the phys (NULL or an error pointer: warning, nothing done).
 *
 * A phys still bound to a reservation is not freed: warning, nothing done.
 * Otherwise the phys' own free function releases it (for memory pinned from
 * user space, that unpins).
 */
VCM_EXPORT void vcm_free(struct vcm_phys *phys);

/**
 * vcm_reserve() - reserve a range of addresses in a context.
 * @vcm: the context.
 * @size: bytes (rounded up to pages).
 * @flags: 0.
 *
 * Return: the reservation, nothing bound; vcm_err_ptr(-EINVAL) for a bad
 * context or size 0; -ENOSPC when the context has no free range that large;
 * -EOPNOTSUPP when the context cannot reserve (one-to-one contexts, whose
 * addresses are the physical ones: use vcm_map()); -ENOMEM.
 */
VCM_EXPORT struct vcm_res *vcm_reserve(struct vcm *vcm, vcm_size_t size, unsigned flags);

/**
 * vcm_ref_reserve() - take one more ownership of a reservation.
 * @res: a live reservation.
 *
 * As the kernel's CONFIG_VCM_RES_REFCNT: each owner later drops its
 * ownership with vcm_unreserve(), vcm_unmap() or vcm_destroy_binding(),
 * and only the call that drops the last one acts.  Thread-safe: it takes
 * its turn with the context's other calls, as those that drop an ownership
 * do (called from one of the context's own driver ops or callbacks, which
 * has the context already, it counts at once).
 * Return: 0; -EINVAL (with a warning for NULL or an error pointer) for a
 * reservation that has no owner left (the count was 0: the count then
 * stays as the kernel leaves it, one higher, and nothing else changes).
 */
VCM_EXPORT int vcm_ref_reserve(struct vcm_res *res);

/**
 * vcm_unreserve() - give a reservation back.
 * @res: the reservation (NULL or an error pointer: warning, nothing done).
 *
 * Drops one ownership (see vcm_ref_reserve()); only when none is left is
 * the reservation given back.  A bound reservation is unbound first, with a
 * warning.
 */
VCM_EXPORT void vcm_unreserve(struct vcm_res *res);

/**
 * vcm_bind() - put a phys behind a reservation.
 * @res: the reservation.
 * @phys: the physical memory.
 *
 * If the context is active the mapping reaches the hardware before this
 * returns; otherwise at the next activation.
 *
 * @res may also be a struct vcm_mmu_res that a driver allocated and filled
 * itself (start, res_size, vcm, an empty bound list), as Samsung's MFC
 * driver does: it is taken when libvcm has no record of the pointer and
 * its vcm is a live context of the MMU wrapper (vcm_mmu_init(), the S5P
 * layer), and its range is whole pages inside that context's window
 * (-EINVAL and a warning otherwise).  Only vcm_bind() and vcm_unbind()
 * take such a reservation; it is not on its context's list.
 * Return: 0, or the driver's positive value, which is success too (the
 * phys' binding count goes up); -EINVAL for NULL or error
 * pointers or an empty phys (no parts or size 0); -EALREADY if @phys is already bound to @res; -EADDRINUSE if
 * another phys is; -ENOSPC if @phys is larger than the reservation; an
 * error of the driver (then nothing changed).
 */
VCM_EXPORT int vcm_bind(struct vcm_res *res, struct vcm_phys *phys);

/**
 * vcm_unbind() - take the phys out from behind a reservation.
 * @res: the reservation.
 *
 * If the context is active the mapping leaves the hardware before this
 * returns.  @res may be a driver-made struct vcm_mmu_res (see vcm_bind()).
 * Return: the phys that was bound (its binding count goes down),
 * or NULL with a warning if none was (or @res is NULL or an error pointer).
 */
VCM_EXPORT struct vcm_phys *vcm_unbind(struct vcm_res *res);

/**
 * vcm_map() - reserve addresses for a phys and bind it.
 * @vcm: the context.
 * @phys: the physical memory.
 * @flags: 0.
 *
 * Uses the driver's map op, or else res + bind.
 * Return: the bound reservation; vcm_err_ptr(-EINVAL) for bad arguments
 * (NULL or error pointers, an empty phys);
 * -EOPNOTSUPP if the driver lacks a needed op; the errors of vcm_reserve()
 * and vcm_bind() (then nothing is left reserved).
 */
VCM_EXPORT struct vcm_res *vcm_map(struct vcm *vcm, struct vcm_phys *phys, unsigned flags);

/**
 * vcm_unmap() - undo vcm_map(): unbind (no warning) and unreserve.
 * @res: the reservation (NULL or an error pointer: warning, nothing done).
 *
 * With more than one owner (vcm_ref_reserve()) this only drops one.
 */
VCM_EXPORT void vcm_unmap(struct vcm_res *res);

/**
 * vcm_activate() - make a context's bindings live in the hardware.
 * @vcm: the context.
 *
 * Counted: only the first call reaches the driver; later ones only count.
 * As in the kernel, the call is counted even when the driver fails (the
 * count is then 1 and the caller still owes a vcm_deactivate()), and a
 * positive return of the driver is success (and is returned).
 * Return: 0 or the driver's positive value; -EINVAL for a bad context; the
 * driver's error.
 */
VCM_EXPORT int vcm_activate(struct vcm *vcm);

/**
 * vcm_deactivate() - undo one vcm_activate().
 * @vcm: the context.
 *
 * Only the call that matches the first activation reaches the driver.  On
 * an inactive context: warning, nothing done.
 */
VCM_EXPORT void vcm_deactivate(struct vcm *vcm);

/**
 * vcm_vmm - the CPU's context, as the kernel's global of that name.
 *
 * A statically initialised context over the current SoC (see
 * vcm_soc_current()): vcm_map(vcm_vmm, phys, 0) gives a reservation whose
 * start is a host pointer to the bound memory, contiguous even when the
 * phys is not.  Always active (its activation count starts at 1, so
 * vcm_activate()/vcm_deactivate() only count); vcm_destroy() on it warns
 * and does nothing.  No init call is needed: libvcm sets it up on its first
 * use.  vcm_vmm_create() makes further CPU contexts, on any SoC.
 */
VCM_EXPORT extern struct vcm vcm_vmm[1];

#ifdef __cplusplus
}
#endif

#endif /* VCM_VCM_H */
