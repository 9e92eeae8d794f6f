/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/debug.h> - debugging aids: why a mapping costs the TLB entries it
 * does (page-size reports), the SoC's free memory in blocks, who owns an
 * address (explain), a dump of any context, SVG pictures of a context's
 * DVA space and of a SoC's physical memory.
 *
 * Thread safety: every function here may be called from any thread; each
 * takes the locks of what it reads (a context's lock, the SoC's lock) for
 * the time it reads it, so the figures are a consistent snapshot of one
 * context or one SoC.  They print to @out while holding the context's lock:
 * @out must not be a stream whose writes call back into libvcm.
 */
#ifndef VCM_DEBUG_H
#define VCM_DEBUG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <vcm/soc.h>
#include <vcm/types.h>
#include <vcm/vcm.h>

#ifdef __cplusplus
extern "C" {
#endif

/** VCM_UNMAP_HISTORY - unbinds each context remembers for vcm_explain_dva(). */
#define VCM_UNMAP_HISTORY 16

/**
 * struct vcm_unmap_record - one unbind a context remembers.
 * @start: DVA of the reservation.
 * @size: bytes that were bound.
 * @call: the public call that unbound it ("vcm_unmap", "vcm_unbind",
 *	"vcm_destroy_binding", "vcm_unreserve", "vcm_destroy").
 * @seq: its number among all unbinds of the process (from 1).
 * @when: CLOCK_MONOTONIC time of it.
 */
struct vcm_unmap_record {
	vcm_addr_t start;
	vcm_size_t size;
	const char *call;
	uint64_t seq;
	struct timespec when;
};

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

/* ---- explain: who owns an address ------------------------------------ */

/**
 * struct vcm_explain - everything the library knows of one address.
 * @dva: the DVA explained (vcm_explain_pa(): of the first mapping found).
 * @has_pa: @pa is valid.
 * @pa: the PA behind @dva (through the bound phys, not the hardware).
 * @vcm: the context (NULL: none known).
 * @context: its short name ("iommu fimc0 0x20000000+0x10000000", "mmu
 *	0x...", "one-to-one", "cpu (vmm)").
 * @active: the context is activated.
 * @owner: where @dva falls in the context (enum vcm_dva_owner).
 * @res_start: the reservation holding @dva (VCM_DVA_UNBOUND, _BOUND).
 * @res_size: its size.
 * @phys_parts: parts of the bound phys (0: none bound).
 * @part: the part holding @dva (-1: none).
 * @part_start: its PA.
 * @part_size: its size.
 * @uaddr: the user address behind @pa when it is pinned user memory (else NULL).
 * @pin_count: pins holding that page.
 * @has_table: the context has an Exynos page table (@pgtable_base ...).
 * @pgtable_base: PA of its level-1 table.
 * @lv1: the level-1 entry of @dva, read raw.
 * @has_lv2: @lv1 links to a level-2 table; @lv2 is its entry for @dva.
 * @lv2: the level-2 entry.
 * @tlb_line: index of the System MMU's TLB entry holding @dva (-1: none).
 * @tlb_dva: that entry's page DVA.
 * @tlb_pa: its page PA.
 * @tlb_stale: it no longer matches the table.
 * @unmapped: @dva was in a reservation the context unbound recently; @unmap
 *	is the latest such unbind.
 * @unmap: the record.
 * @mappings: vcm_explain_pa(): how many bound reservations, in every live
 *	context of the SoC, map @pa.
 * @pa_ram: vcm_explain_pa(): @pa is RAM of the SoC.
 * @pa_allocated: vcm_explain_pa(): its page is allocated.
 */
struct vcm_explain {
	vcm_addr_t dva;
	bool has_pa;
	vcm_addr_t pa;
	struct vcm *vcm;
	char context[80];
	bool active;
	int owner;
	vcm_addr_t res_start;
	vcm_size_t res_size;
	unsigned phys_parts;
	int part;
	vcm_addr_t part_start;
	vcm_size_t part_size;
	void *uaddr;
	unsigned long pin_count;
	bool has_table;
	vcm_addr_t pgtable_base;
	uint32_t lv1;
	bool has_lv2;
	uint32_t lv2;
	int tlb_line;
	uint32_t tlb_dva;
	uint32_t tlb_pa;
	bool tlb_stale;
	bool unmapped;
	struct vcm_unmap_record unmap;
	unsigned mappings;
	bool pa_ram;
	bool pa_allocated;
};

struct vcm_sysmmu;

/**
 * vcm_explain_dva() - explain a DVA of a context.
 * @vcm: the context (any kind).
 * @dva: the address.
 * @e: receives the explanation (may be NULL).
 * @out: where to print it (may be NULL), a few lines.
 *
 * Says which reservation holds @dva, whether it is bound, the phys part
 * and PA behind it, the pinned user address behind that, the page-table
 * entries (contexts with an Exynos table), the TLB line of the context's
 * System MMU that holds it, and, for a DVA no longer mapped, the last
 * unbind of a reservation that covered it (when, and by which call).
 *
 * Return: 0; -EINVAL for a NULL or error-pointer @vcm.
 */
VCM_EXPORT int vcm_explain_dva(struct vcm *vcm, vcm_addr_t dva, struct vcm_explain *e,
			       FILE *out);

/**
 * vcm_explain_sysmmu() - explain a DVA as a System MMU sees it.
 * @mmu: the System MMU.
 * @dva: the address.
 * @e: receives the explanation (may be NULL).
 * @out: where to print it (may be NULL).
 *
 * As vcm_explain_dva() for the context that owns @mmu (the one that
 * registered a describer: vcm_iommu_create(), the S5P layer); with none,
 * only the table entries and the TLB line.
 *
 * Return: 0; -EINVAL for a NULL or error-pointer @mmu.
 */
VCM_EXPORT int vcm_explain_sysmmu(struct vcm_sysmmu *mmu, vcm_addr_t dva,
				  struct vcm_explain *e, FILE *out);

/**
 * vcm_explain_pa() - explain a physical address of a SoC.
 * @soc: the machine.
 * @pa: the address.
 * @e: receives the explanation (may be NULL): @pa_ram, @pa_allocated,
 *	@uaddr, @mappings, and the first mapping found as vcm_explain_dva()
 *	fills it.
 * @out: where to print it (may be NULL): one line per mapping.
 *
 * Looks at every live context whose memory comes from @soc.
 *
 * Return: 0; -EINVAL for a NULL or error-pointer @soc.
 */
VCM_EXPORT int vcm_explain_pa(struct vcm_soc *soc, vcm_addr_t pa, struct vcm_explain *e,
			      FILE *out);

/* ---- pictures ----------------------------------------------------------- */

/**
 * vcm_svg_context() - draw a context's DVA space as SVG.
 * @vcm: the context (any kind).
 * @out: where to write the picture (a whole, self-contained SVG document).
 *
 * The window with every reservation in it, then one row per reservation
 * (up to 256): bound or not, its guard gap (vcm_set_guard()), and for a
 * page-mapped context the pages that map it, coloured by size (1 MiB,
 * 64 KiB, 4 KiB) and outlined in red where they are smaller than the
 * buffer allows (the reason in the tooltip).  Every shape carries
 * data-kind ("window", "overview", "reservation", "guard", "pages"),
 * data-start and data-size, and the pages data-page, data-count and
 * data-reason, so programs can read the picture back.
 *
 * Return: 0; -EINVAL for a NULL or error-pointer @vcm or a NULL @out;
 * -EIO if writing failed.
 */
VCM_EXPORT int vcm_svg_context(struct vcm *vcm, FILE *out);

/**
 * vcm_svg_soc() - draw a SoC's physical memory as SVG.
 * @soc: the machine.
 * @out: where to write the picture.
 *
 * One row per 16 MiB of each bank (more per row for banks above 4 GiB;
 * banks above 64 GiB are not drawn page by page): the free blocks the
 * page allocator holds, coloured by order (data-kind "free", data-order,
 * data-count), the memory bound in a live context of the SoC, named by
 * that context (data-kind "owned", data-owner), and other allocations
 * (page tables, pins, drivers' own; data-kind "allocated").
 *
 * Return: 0; -EINVAL for a NULL or error-pointer @soc or a NULL @out;
 * -ENOMEM; -EIO if writing failed.
 */
VCM_EXPORT int vcm_svg_soc(struct vcm_soc *soc, FILE *out);

/**
 * vcm_context_dump() - print a context of any kind.
 * @vcm: the context (NULL or an error pointer: "(none)").
 * @out: where to print (NULL: nothing).
 *
 * Kind and window, activation count, each reservation with its bound phys'
 * parts, the page-size summary (page-mapped contexts), the System MMU and
 * table (contexts behind one) and the recent unbinds.
 */
VCM_EXPORT void vcm_context_dump(struct vcm *vcm, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* VCM_DEBUG_H */
