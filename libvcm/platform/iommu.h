/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iommu.h - what the contexts behind a System MMU share (internal):
 * vcm_iommu_create() (iommu.c) and the S5P layer (s5p.c).  Both are MMU
 * wrapper contexts whose reservations go into an Exynos page table and
 * whose unmaps invalidate a System MMU's TLB.
 */
#ifndef LIBVCM_IOMMU_H
#define LIBVCM_IOMMU_H

#include <vcm/sysmmu.h>
#include <vcm/vcm-drv.h>

/* The System MMU translates 32-bit DVAs. */
#define VCM_IOMMU_DVA_LIMIT	(1ULL << 32)

/* Page orders of the System MMU: 1 MiB section, 64 KiB large, 4 KiB small. */
#define VCM_IOMMU_ORDER_SECTION	8
#define VCM_IOMMU_ORDER_LARGE	4
#define VCM_IOMMU_ORDER_SMALL	0
#define VCM_IOMMU_NR_ORDERS	3

/* { 8, 4, 0 }: the orders of struct vcm_mmu_driver, largest first. */
extern const unsigned char vcm_iommu_orders[];

/*
 * vcm_iommu_pt_map() - map every part of @phys into @pt from @dva on, each
 * part with the largest pages its alignment allows.  On failure nothing of
 * @phys stays mapped.  Returns 0 or the error of vcm_pgtable_map().
 */
int vcm_iommu_pt_map(struct vcm_pgtable *pt, vcm_addr_t dva, const struct vcm_phys *phys);

/* vcm_iommu_pt_unmap() - unmap what vcm_iommu_pt_map() mapped (warns if
 * the table did not hold all of it). */
void vcm_iommu_pt_unmap(struct vcm_pgtable *pt, vcm_addr_t dva, const struct vcm_phys *phys);

/*
 * vcm_iommu_tlb_flush() - invalidate @mmu's TLB after @phys was unmapped
 * from @dva: one FLUSH_ENTRY per page of the mapping when it had at most
 * VCM_IOMMU_FLUSH_ENTRY_MAX pages, one whole-TLB FLUSH otherwise.
 */
void vcm_iommu_tlb_flush(struct vcm_sysmmu *mmu, vcm_addr_t dva, const struct vcm_phys *phys);

/*
 * vcm_iommu_count_pages() - how many pages of each size a mapping of @phys
 * at @dva uses: @counts[i] for order vcm_iommu_orders[i].
 */
void vcm_iommu_count_pages(vcm_addr_t dva, const struct vcm_phys *phys,
			   unsigned long counts[VCM_IOMMU_NR_ORDERS]);

/* Program @mmu as a driver turning it on: table base, TLB flush, enable. */
void vcm_iommu_hw_on(struct vcm_sysmmu *mmu, vcm_addr_t base);

/* True if @mmu translates with a table other than @base. */
bool vcm_iommu_hw_taken(struct vcm_sysmmu *mmu, vcm_addr_t base);

/*
 * struct vcm_iommu_view - what vcm_verify() needs of a context on a System
 * MMU.
 * @pt: its page table.
 * @sysmmu: its System MMU.
 * @own_table: the whole table is the context's (else only its window is:
 *             the S5P layer's shared table).
 * @hw_managed: the library programs @sysmmu on activation (else platform
 *              callbacks do).
 * @name: for reports: "iommu fimc0 0x20000000+0x10000000", "s5p mfc 0x...".
 */
struct vcm_iommu_view {
	struct vcm_pgtable *pt;
	struct vcm_sysmmu *sysmmu;
	bool own_table;
	bool hw_managed;
	char name[80];
};

/* True, with *@v filled, if @vcm was made by vcm_iommu_create(). */
bool vcm_iommu_view(struct vcm *vcm, struct vcm_iommu_view *v);

/* True, with *@v filled, if @vcm was made by vcm_create_unified(). */
bool vcm_s5p_view(struct vcm *vcm, struct vcm_iommu_view *v);

#endif /* LIBVCM_IOMMU_H */
