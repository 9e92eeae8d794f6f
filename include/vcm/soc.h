/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/soc.h> - the simulated machine: RAM banks, the page allocator and CPU
 * access to physical memory.
 *
 * RAM is backed by host memory reserved lazily (a memfd mapped with
 * MAP_NORESERVE): a 4 GiB bank costs no resident memory until its pages are
 * touched.  Each bank has its own buddy allocator (blocks of 2^order pages,
 * naturally aligned to the block size relative to the bank base, coalescing
 * on free), orders 0..VCM_SOC_MAX_ORDER.
 *
 * Thread safety: after its banks are added, a SoC may be used from any
 * number of threads: page allocation and freeing are serialised by a lock in
 * the SoC, and physical reads/writes do not take it.  That lock is biased
 * towards the first thread that allocates or frees: while only that thread
 * does, it takes the lock with plain stores (no atomic read-modify-write);
 * the first call from another thread ends that for good, at the cost of
 * one membarrier(2) (as a page table's lock, <vcm/sysmmu.h>).
 * vcm_soc_add_ram() and
 * vcm_soc_destroy() must not race with other calls on the same SoC.
 */
#ifndef VCM_SOC_H
#define VCM_SOC_H

#include <stdio.h>
#include <vcm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** VCM_SOC_MAX_ORDER - largest block the page allocator hands out (16 MiB). */
#define VCM_SOC_MAX_ORDER 12
/** VCM_SOC_MAX_BANKS - how many RAM banks one SoC can have. */
#define VCM_SOC_MAX_BANKS 8
/** VCM_SOC_DEFAULT_RAM_BASE - RAM base of the default SoC (vcm_soc_current()). */
#define VCM_SOC_DEFAULT_RAM_BASE 0x40000000ULL
/** VCM_SOC_DEFAULT_RAM_SIZE - RAM size of the default SoC (1 GiB). */
#define VCM_SOC_DEFAULT_RAM_SIZE 0x40000000ULL

struct vcm_soc;

/**
 * vcm_soc_create() - make an empty simulated machine.
 *
 * The SoC has no RAM until vcm_soc_add_ram() is called.
 * Return: the SoC, or vcm_err_ptr(-ENOMEM).
 */
VCM_EXPORT struct vcm_soc *vcm_soc_create(void);

/**
 * vcm_soc_add_ram() - add a RAM bank.
 * @soc: the machine.
 * @base: physical address of the bank, page-aligned.
 * @size: size in bytes, page-aligned and non-zero; @base + @size must not
 *        pass 2^64.
 *
 * The bank's pages all start free.  Return: 0; -EINVAL for a NULL @soc, an
 * unaligned or zero size or base, or a bank overlapping an existing one;
 * -ENOSPC when the SoC already has VCM_SOC_MAX_BANKS banks; -ENOMEM if the
 * host cannot reserve the backing memory.
 */
VCM_EXPORT int vcm_soc_add_ram(struct vcm_soc *soc, vcm_addr_t base, vcm_size_t size);

/**
 * vcm_soc_destroy() - free a machine and all its RAM.
 * @soc: the machine (NULL or an error pointer is ignored).
 *
 * If @soc is the current SoC, there is no current SoC afterwards (the next
 * vcm_soc_current() makes a new default one).  Pages still allocated are
 * reported with one warning.
 *
 * The handle is dead at once: every function given @soc afterwards warns
 * and does nothing, except vcm_soc_free_pages() of a block allocated
 * before.  What was made on @soc stays releasable in the usual way
 * (vcm_free() of its phys and pinned user memory, vcm_userptr_put(),
 * vcm_pgtable_destroy(), vcm_sysmmu_destroy(), vcm_destroy()): the SoC's
 * memory, RAM included, stays until the last page is given back and the
 * last System MMU model or context made on it is destroyed, then goes.
 * Until then no new SoC can take its place: a new SoC never sees the old
 * one's pins, pages or models.  Allocating from a destroyed SoC through
 * those objects fails (warned).
 */
VCM_EXPORT void vcm_soc_destroy(struct vcm_soc *soc);

/**
 * vcm_soc_current() - the SoC used by calls that take no SoC argument.
 *
 * Made on first use, with VCM_SOC_DEFAULT_RAM_SIZE of RAM at
 * VCM_SOC_DEFAULT_RAM_BASE, and destroyed when the process exits.
 * Return: the SoC (never an error: failing to make it aborts).
 */
VCM_EXPORT struct vcm_soc *vcm_soc_current(void);

/**
 * vcm_soc_set_current() - choose the SoC used by calls with no SoC argument.
 * @soc: the machine; NULL goes back to the default machine.
 */
VCM_EXPORT void vcm_soc_set_current(struct vcm_soc *soc);

/**
 * vcm_soc_alloc_pages() - allocate 2^@order physically contiguous pages.
 * @soc: the machine.
 * @order: 0..VCM_SOC_MAX_ORDER.
 * @pa: receives the physical address, aligned to the block size.
 *
 * Banks are tried in the order they were added.
 * Return: 0; -EINVAL for a NULL argument or an order out of range; -ENOMEM
 * when no bank has a free block that large.
 */
VCM_EXPORT int vcm_soc_alloc_pages(struct vcm_soc *soc, unsigned order, vcm_addr_t *pa);

/**
 * vcm_soc_free_pages() - free a block from vcm_soc_alloc_pages().
 * @soc: the machine.
 * @pa: the address vcm_soc_alloc_pages() gave.
 * @order: the order it was allocated with.
 *
 * Freeing a block that is not allocated (or not with that order), or twice,
 * raises a warning and changes nothing.  A block of a SoC destroyed since
 * it was allocated may still be given back here (see vcm_soc_destroy()).
 */
VCM_EXPORT void vcm_soc_free_pages(struct vcm_soc *soc, vcm_addr_t pa, unsigned order);

/**
 * vcm_soc_free_bytes() - bytes of RAM currently free in all banks.
 * @soc: the machine (NULL gives 0).
 */
VCM_EXPORT vcm_size_t vcm_soc_free_bytes(const struct vcm_soc *soc);

/**
 * vcm_soc_total_bytes() - bytes of RAM in all banks.
 * @soc: the machine (NULL gives 0).
 */
VCM_EXPORT vcm_size_t vcm_soc_total_bytes(const struct vcm_soc *soc);

/**
 * vcm_soc_phys_to_host() - host pointer to a byte of simulated RAM.
 * @soc: the machine.
 * @pa: a physical address.
 *
 * The pointer is valid up to the end of @pa's page (and through the end of
 * the bank for ordinary RAM pages).  For a page pinned from user memory (see
 * <vcm/userptr.h>) it points into the application's own page.
 * Return: the pointer, or NULL if @pa is not RAM.
 */
VCM_EXPORT void *vcm_soc_phys_to_host(struct vcm_soc *soc, vcm_addr_t pa);

/**
 * vcm_soc_phys_read() - CPU read of physical memory.
 * @soc: the machine.
 * @pa: first physical address.
 * @dst: destination buffer.
 * @len: bytes; the range may cross page and bank boundaries.
 *
 * Return: 0; -EFAULT if any byte of the range is not RAM (then nothing is
 * copied); -EINVAL for NULL arguments.
 */
VCM_EXPORT int vcm_soc_phys_read(struct vcm_soc *soc, vcm_addr_t pa, void *dst, size_t len);

/**
 * vcm_soc_phys_write() - CPU write of physical memory.
 * @soc: the machine.
 * @pa: first physical address.
 * @src: source buffer.
 * @len: bytes; the range may cross page and bank boundaries.
 *
 * Return: 0; -EFAULT if any byte of the range is not RAM (then nothing is
 * written); -EINVAL for NULL arguments.
 */
VCM_EXPORT int vcm_soc_phys_write(struct vcm_soc *soc, vcm_addr_t pa, const void *src, size_t len);

/**
 * vcm_soc_dump_buddyinfo() - print free blocks per order, per bank.
 * @soc: the machine.
 * @out: the stream.
 *
 * One line per bank in the style of /proc/buddyinfo:
 * "bank 0 @0x40000000-0x7fffffff  order 0..12: n0 n1 ... n12".
 */
VCM_EXPORT void vcm_soc_dump_buddyinfo(const struct vcm_soc *soc, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* VCM_SOC_H */
