/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/userptr.h> - user memory for devices: pinning an application's own
 * buffer so that devices read and write it in place (V4L2 USERPTR, zero
 * copy), and the videobuf2-style helper that pins, reserves and binds in
 * one call.
 *
 * Pinning gives each host page of the buffer a physical address (PA) in a
 * simulated SoC: the RAM page at that PA is redirected to the application's
 * page, so a device that reads or writes the PA (through any context, any
 * System MMU, or vcm_soc_phys_read()/vcm_soc_phys_write()) reads or writes
 * the application's bytes.  A pinned PA is allocated in the SoC's page
 * allocator, so it is never handed to anyone else while pinned.
 *
 * Pins are counted per host page and per SoC: a page pinned several times
 * (by several buffers, several devices, several threads) keeps the one PA it
 * got first, until its last pin goes.  Then the PA goes back to the page
 * allocator and may come back later for other memory.
 *
 * Lifetime rule (the kernel's rule for USERPTR buffers): the application
 * must keep its buffer mapped until every pin of it is gone, that is until
 * the driver has stopped the device and called vcm_userptr_put() (or
 * vcm_unmap() and vcm_free()).  In the kernel a pinned page outlives an
 * munmap() and the device writes into memory nobody sees any more; here the
 * PA leads to the application's own host page, so a device access after the
 * application unmapped it touches unmapped host memory: the process gets
 * SIGSEGV (valgrind reports an invalid read or write), exactly like a
 * use-after-free in any program.  free() of a malloc()ed buffer usually
 * leaves the memory mapped, and a device write then corrupts the heap
 * silently, again like a use-after-free.  Unpinning a page that is no longer
 * mapped is detected and reported with a warning (see vcm_set_warn_handler()).
 * Order: stop the device, put the buffer, then free it.
 *
 * Caches: vcm_userptr_get() and vcm_userptr_put() do no cache maintenance.
 * On a non-coherent SoC (<vcm/cache.h>) the driver must do what videobuf2
 * does around each use of the buffer: vcm_userptr_sync_for_device() before
 * the device touches it (videobuf2's prepare, at VIDIOC_QBUF) and
 * vcm_userptr_sync_for_cpu() after the device is done (finish, at
 * VIDIOC_DQBUF).  Both sync exactly the buffer's bytes, in whole cache
 * lines: a buffer whose first or last line is shared with other data gets
 * that data cleaned or invalidated too (see vcm_cache_sync_for_cpu()).
 *
 * Thread safety: every function may be called from any thread.  The table of
 * pinned pages is process-wide and protected by one lock, so concurrent pins
 * of one page agree on its PA.  A given vcm_userptr or pinned phys must not
 * be released by one thread while another still uses it.  A SoC must outlive
 * the pins made in it: release them before vcm_soc_destroy().
 */
#ifndef VCM_USERPTR_H
#define VCM_USERPTR_H

#include <stddef.h>
#include <vcm/cache.h>
#include <vcm/soc.h>
#include <vcm/vcm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vcm_phys;

/**
 * VCM_USERPTR_CONTIG - pin the buffer at physically contiguous PAs.
 *
 * For devices without an MMU (one-to-one contexts), which can only use
 * physically contiguous memory.  It models a buffer that really is
 * physically contiguous, such as one a driver allocated from a contiguous
 * pool and the application mmap()ed: a malloc()ed buffer never is on real
 * hardware, and a driver for such a device must refuse it (without this
 * flag, vcm_map() on a one-to-one context fails with -EINVAL unless the
 * pages happen to get adjacent PAs).  At most 1 << VCM_SOC_MAX_ORDER pages.
 */
#define VCM_USERPTR_CONTIG	(1U << 0)

/**
 * vcm_phys_from_user() - pin user memory and give it physical addresses.
 * @soc: the SoC whose PAs the pages get; NULL: vcm_soc_current().
 * @uaddr: first byte of the buffer; need not be page-aligned.
 * @size: bytes in the buffer; the buffer need not end on a page boundary.
 * @flags: 0, or VCM_USERPTR_CONTIG; other bits are ignored.
 *
 * Pins every host page that [@uaddr, @uaddr + @size) touches.  The phys has
 * one part per page, one page each, in address order (parts[i] is the page
 * at (@uaddr rounded down to a page) + i * VCM_PAGE_SIZE), so the buffer
 * starts at byte (@uaddr & (VCM_PAGE_SIZE - 1)) of the first part; its size
 * is the pages' total.  Bind it into as many contexts as wanted; vcm_free()
 * unpins (each page's PA is freed once its last pin is gone; pages pinned
 * with VCM_USERPTR_CONTIG share one contiguous run of PAs, which goes back
 * to the SoC as a whole once none of its pages is pinned any more).
 *
 * A page already pinned in @soc keeps its PA and its pin count goes up.
 * Pages need not have been touched: a device write lands in them like a CPU
 * write.  Every page must be mapped readable and writable (a device may
 * write), as the kernel's get_user_pages() with FOLL_WRITE requires.
 *
 * Return: the phys.  Error pointers, with nothing left pinned:
 * -EINVAL for a size of 0, a range that wraps past the end of the address
 * space, or an error-pointer @soc;
 * -EFAULT for a NULL @uaddr or a range any page of which is not mapped in
 * the process, or not both readable and writable;
 * -EBUSY with VCM_USERPTR_CONTIG when some pages are already pinned at PAs
 * that are not one contiguous run covering the whole buffer;
 * -ENOMEM when the SoC has no free page left for a PA (or, with
 * VCM_USERPTR_CONTIG, no contiguous run that large) or host memory is short.
 */
VCM_EXPORT struct vcm_phys *vcm_phys_from_user(struct vcm_soc *soc, void *uaddr,
					       size_t size, unsigned flags);

/**
 * struct vcm_userptr - an application buffer mapped for a device.
 * @dva: the device address of the buffer's first byte: res->start + offset.
 *       Program this into the device.
 * @size: the buffer's size in bytes, as given.
 * @offset: where the buffer starts inside its first page (the low bits of
 *          the user address).
 * @res: the reservation in the device's context; res->phys is the pinned
 *       memory.  Leave both to vcm_userptr_put().
 */
struct vcm_userptr {
	vcm_addr_t dva;
	size_t size;
	size_t offset;
	struct vcm_res *res;
};

/**
 * vcm_userptr_get() - pin a user buffer and map it into a device's context.
 * @vcm: the device's context (vcm_iommu_create(), vcm_create_unified(), any
 *       context built on the MMU wrapper, or a one-to-one context).
 * @uaddr: the buffer, as the application gave it.
 * @size: its size in bytes.
 * @flags: as vcm_phys_from_user() (VCM_USERPTR_CONTIG for a one-to-one
 *         context).
 *
 * What a videobuf2 get_userptr op does: vcm_phys_from_user(), then
 * vcm_map() (reserve a DVA range of the pinned pages' size and bind them).
 * The pages get PAs in the SoC the context allocates from: the SoC the
 * ready-made contexts were created on (vcm_iommu_create(), S5P contexts,
 * vcm_onetoone_create(), vcm_vmm_create()); vcm_soc_current() for contexts
 * a driver built itself with vcm_init(), vcm_mmu_init() or vcm_o2o_init().
 * If the context is active the mapping is live in the hardware when this
 * returns, otherwise it gets there at activation.
 *
 * Return: the mapping (free it with vcm_userptr_put()).  Error pointers,
 * with nothing left pinned or reserved: -EINVAL for a NULL, error-pointer or
 * uninitialised @vcm and the -EINVAL cases of vcm_phys_from_user(); its
 * -EFAULT, -EBUSY and -ENOMEM; the errors of vcm_map(): -ENOSPC when the
 * context has no free DVA range that large, -EINVAL from a one-to-one
 * context for pages that are not physically contiguous, -EOPNOTSUPP from a
 * context that cannot map user memory (the CPU context of vcm_vmm_create():
 * the application already has its own view).
 */
VCM_EXPORT struct vcm_userptr *vcm_userptr_get(struct vcm *vcm, void *uaddr, size_t size,
					       unsigned flags);

/**
 * vcm_userptr_put() - undo vcm_userptr_get().
 * @up: the mapping (NULL or an error pointer: warning, nothing done).
 *
 * Unbinds (the mapping leaves the hardware of an active context before this
 * returns), unreserves, unpins and frees @up.  Stop the device's accesses to
 * the buffer first.  If the application already unmapped part of the buffer
 * a warning says so (that was a use-after-free window; see above).
 */
VCM_EXPORT void vcm_userptr_put(struct vcm_userptr *up);

/**
 * vcm_userptr_sync_for_device() - videobuf2's prepare: make the buffer
 * ready for the device.
 * @up: the buffer, from vcm_userptr_get().
 * @dir: VCM_DMA_TO_DEVICE (the device reads it: clean),
 *	VCM_DMA_FROM_DEVICE or VCM_DMA_BIDIRECTIONAL (clean and invalidate).
 *
 * Does nothing on a coherent SoC.  The driver must call it before it
 * starts the device on the buffer: the helper never does it by itself.
 * Return: 0; -EINVAL for a bad @up or @dir (a released or foreign @up, or
 * one whose context was destroyed, is warned about and nothing is done).
 */
VCM_EXPORT int vcm_userptr_sync_for_device(struct vcm_userptr *up, enum vcm_dma_dir dir);

/**
 * vcm_userptr_sync_for_cpu() - videobuf2's finish: make what the device
 * wrote visible to the application.
 * @up: the buffer.
 * @dir: VCM_DMA_FROM_DEVICE or VCM_DMA_BIDIRECTIONAL (invalidate);
 *	VCM_DMA_TO_DEVICE does nothing.
 *
 * Does nothing on a coherent SoC.  The driver must call it after the
 * device stopped writing the buffer and before the application reads it.
 * The invalidate works on whole lines: bytes the CPU wrote next to an
 * unaligned buffer, in its first or last line, are lost (with a warning).
 * Return: 0; -EINVAL for a bad @up or @dir.
 */
VCM_EXPORT int vcm_userptr_sync_for_cpu(struct vcm_userptr *up, enum vcm_dma_dir dir);

#ifdef __cplusplus
}
#endif

#endif /* VCM_USERPTR_H */
