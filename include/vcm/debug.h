/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/debug.h> - debugging aids: why a mapping costs the TLB entries it
 * does (page-size reports), the SoC's free memory in blocks.
 *
 * Thread safety: every function here may be called from any thread; each
 * takes the locks of what it reads (a context's lock, the SoC's lock) for
 * the time it reads it, so the figures are a consistent snapshot of one
 * context or one SoC.  They print to @out while holding the context's lock:
 * @out must not be a stream whose writes call back into libvcm.
 */
#ifndef VCM_DEBUG_H
#define VCM_DEBUG_H

#include <stdio.h>
#include <vcm/soc.h>
#include <vcm/types.h>
#include <vcm/vcm.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum vcm_page_size - the System MMU's page sizes, largest first.
 * @VCM_PS_1M: 1 MiB section.
 * @VCM_PS_64K: 64 KiB large page.
 * @VCM_PS_4K: 4 KiB small page.
 * @VCM_PS_NR_SIZES: how many.
 */
enum vcm_page_size {
	VCM_PS_1M,
	VCM_PS_64K,
	VCM_PS_4K,
	VCM_PS_NR_SIZES,
};

/**
 * enum vcm_ps_reason - why a page is smaller than the next size up.
 * @VCM_PS_DVA_MISALIGNED: its DVA is not aligned to the larger size.
 * @VCM_PS_PA_MISALIGNED: its PA is not aligned to the larger size.
 * @VCM_PS_PART_TOO_SMALL: the physical part holding it is smaller than the
 *	larger size from there on, though the reservation is not (the memory
 *	is fragmented).
 * @VCM_PS_DRIVER_ORDERS: the context's driver does not use the larger size
 *	(struct vcm_mmu_driver.orders).
 * @VCM_PS_NR_REASONS: how many.
 */
enum vcm_ps_reason {
	VCM_PS_DVA_MISALIGNED,
	VCM_PS_PA_MISALIGNED,
	VCM_PS_PART_TOO_SMALL,
	VCM_PS_DRIVER_ORDERS,
	VCM_PS_NR_REASONS,
};

/**
 * struct vcm_pagesize_counts - the pages that map a reservation or context.
 * @pages: pages of each size (enum vcm_page_size): TLB entries needed.
 * @smaller: pages that are smaller than the next size up although the
 *	reservation had room for it, by reason (enum vcm_ps_reason).
 * @best: the fewest pages the bound bytes could take (perfect alignment,
 *	one physical part, every size used).
 * @unbound: reservations with nothing bound (no pages).
 */
struct vcm_pagesize_counts {
	unsigned long pages[VCM_PS_NR_SIZES];
	unsigned long smaller[VCM_PS_NR_REASONS];
	unsigned long best;
	unsigned long unbound;
};

/**
 * vcm_res_pagesize() - the pages mapping one reservation, and why small ones are small.
 * @res: a reservation of a context built on the MMU wrapper (vcm_iommu_create(),
 *	the S5P layer, vcm_mmu_init()).
 * @c: receives the counts (may be NULL).
 * @out: where to print the report (may be NULL): one line with the counts,
 *	then one line per run of pages of one size smaller for one reason.
 *
 * Works from the bound phys' parts and the DVA, as the page-table code cuts
 * them (the context need not be active).
 *
 * Return: 0; -EINVAL for a NULL or error-pointer @res; -EOPNOTSUPP for a
 * context that is not page-mapped (one-to-one, the CPU context).
 */
VCM_EXPORT int vcm_res_pagesize(struct vcm_res *res, struct vcm_pagesize_counts *c, FILE *out);

/**
 * vcm_pagesize_report() - the page-size report of every reservation of a context.
 * @vcm: the context (MMU wrapper based).
 * @c: receives the totals (may be NULL).
 * @out: where to print (may be NULL): a summary line, then each reservation
 *	as vcm_res_pagesize() prints it.
 *
 * Return: 0; -EINVAL for a NULL or error-pointer @vcm; -EOPNOTSUPP for a
 * context that is not page-mapped.
 */
VCM_EXPORT int vcm_pagesize_report(struct vcm *vcm, struct vcm_pagesize_counts *c, FILE *out);

/**
 * vcm_soc_free_report() - the SoC's free memory as blocks.
 * @soc: the machine.
 * @out: where to print (may be NULL): free bytes, free blocks per order,
 *	and for each page size of the System MMU whether a block of it can be
 *	had ("a 1 MiB block cannot be had: largest free order 7 (512 KiB)").
 *
 * Return: the largest order with a free block; -ENOMEM if no page is
 * free; -EINVAL for a NULL or error-pointer @soc.
 */
VCM_EXPORT int vcm_soc_free_report(struct vcm_soc *soc, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* VCM_DEBUG_H */
