/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iommu.c - vcm_iommu_create(): a device context with its own Exynos page
 * table, programmed into the device's System MMU on activation; and the
 * page-table and TLB helpers it shares with the S5P layer.
 *
 * The MMU wrapper does the bookkeeping (DVA, bound reservations, replay on
 * activation).  Its per-reservation activate/deactivate ops land here: map
 * the phys' parts into the table, or unmap them and invalidate the TLB.  The
 * context's struct vcm_driver is the wrapper's with activate/deactivate
 * wrapped, to turn the System MMU on after the replay and off after the
 * last deactivation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "iommu.h"
#include "mmu.h"
#include "sysmmu-internal.h"
#include "vcm-internal.h"
#include "trace.h"

const unsigned char vcm_iommu_orders[] = {
	VCM_IOMMU_ORDER_SECTION, VCM_IOMMU_ORDER_LARGE, VCM_IOMMU_ORDER_SMALL,
};

/* ---- helpers shared with s5p.c --------------------------------------- */

int vcm_iommu_pt_map(struct vcm_pgtable *pt, vcm_addr_t dva, const struct vcm_phys *phys)
{
	vcm_addr_t next = dva;
	unsigned i;
	int ret;

	for (i = 0; i < phys->count; i++) {
		const struct vcm_phys_part *part = &phys->parts[i];

		ret = vcm_pgtable_map(pt, next, part->start, part->size, 0);
		if (ret)
			goto unwind;
		next += part->size;
	}
	return 0;

unwind:
	if (next != dva)
		vcm_pgtable_unmap(pt, dva, next - dva);
	return ret;
}

void vcm_iommu_pt_unmap(struct vcm_pgtable *pt, vcm_addr_t dva, const struct vcm_phys *phys)
{
	vcm_size_t done = vcm_pgtable_unmap(pt, dva, phys->size);

	if (done != phys->size)
		vcm_warn("iommu: unmapped %#llx of %#llx bytes at dva %#llx",
			 (unsigned long long)done, (unsigned long long)phys->size,
			 (unsigned long long)dva);
}

/* The DVAs of the first pages of a mapping, to invalidate one by one. */
struct flush_list {
	vcm_addr_t dva[VCM_IOMMU_FLUSH_ENTRY_MAX];
	unsigned n;
};

static int flush_collect(vcm_addr_t vaddr, vcm_addr_t paddr, unsigned order, void *priv)
{
	struct flush_list *fl = priv;

	(void)paddr;
	(void)order;
	if (fl->n == VCM_IOMMU_FLUSH_ENTRY_MAX)
		return -E2BIG;
	fl->dva[fl->n++] = vaddr;
	return 0;
}

void vcm_iommu_tlb_flush(struct vcm_sysmmu *mmu, vcm_addr_t dva, const struct vcm_phys *phys)
{
	struct flush_list fl = { .n = 0 };
	unsigned i;

	if (vcm_phys_walk(dva, phys, vcm_iommu_orders, flush_collect, NULL, &fl)) {
		vcm_sysmmu_tlb_invalidate(mmu);
		return;
	}
	for (i = 0; i < fl.n; i++)
		vcm_sysmmu_tlb_invalidate_entry(mmu, fl.dva[i]);
}

static int count_page(vcm_addr_t vaddr, vcm_addr_t paddr, unsigned order, void *priv)
{
	unsigned long *counts = priv;
	unsigned i;

	(void)vaddr;
	(void)paddr;
	for (i = 0; i < VCM_IOMMU_NR_ORDERS; i++)
		if (vcm_iommu_orders[i] == order)
			counts[i]++;
	return 0;
}

void vcm_iommu_count_pages(vcm_addr_t dva, const struct vcm_phys *phys,
			   unsigned long counts[VCM_IOMMU_NR_ORDERS])
{
	unsigned i;

	for (i = 0; i < VCM_IOMMU_NR_ORDERS; i++)
		counts[i] = 0;
	vcm_phys_walk(dva, phys, vcm_iommu_orders, count_page, NULL, counts);
}

void vcm_iommu_hw_on(struct vcm_sysmmu *mmu, vcm_addr_t base)
{
	vcm_sysmmu_set_pgtable_base(mmu, base);
	vcm_sysmmu_tlb_invalidate(mmu);
	vcm_sysmmu_enable(mmu);
}

bool vcm_iommu_hw_taken(struct vcm_sysmmu *mmu, vcm_addr_t base)
{
	uint32_t ctrl = vcm_sysmmu_readl(mmu, VCM_SYSMMU_CTRL);

	return (ctrl & VCM_SYSMMU_CTRL_MMU_EN) && vcm_sysmmu_pgtable_base(mmu) != base;
}

/* ---- vcm_iommu_create() ---------------------------------------------- */

/*
 * struct vcm_iommu - a context with its own page table.
 * @mmu: the MMU wrapper's part (must stay first: the wrapper's cleanup
 *       path hands us &mmu.vcm).
 * @ops: the wrapper's struct vcm_driver with activate/deactivate wrapped.
 * @sysmmu: the device's System MMU.
 * @pt: the context's page table.
 */
struct vcm_iommu {
	struct vcm_mmu mmu;
	struct vcm_driver ops;
	struct vcm_sysmmu *sysmmu;
	struct vcm_pgtable *pt;
	bool on;	/* this context turned the System MMU on */
};

static inline struct vcm_iommu *to_iommu(struct vcm *vcm)
{
	return VCM_CONTAINER_OF(vcm_to_mmu(vcm), struct vcm_iommu, mmu);
}

/* MMU driver op: put one bound reservation into the table. */
static int iommu_map(struct vcm_res *res, struct vcm_phys *phys)
{
	return vcm_iommu_pt_map(to_iommu(res->vcm)->pt, res->start, phys);
}

/* MMU driver op: take one reservation out; the TLB forgets it at once. */
static void iommu_unmap(struct vcm_res *res, struct vcm_phys *phys)
{
	struct vcm_iommu *io = to_iommu(res->vcm);

	vcm_iommu_pt_unmap(io->pt, res->start, phys);
	vcm_iommu_tlb_flush(io->sysmmu, res->start, phys);
}

static void iommu_cleanup(struct vcm *vcm)
{
	struct vcm_iommu *io = to_iommu(vcm);

	vcm_sysmmu_drop_describer(io->sysmmu, io);
	vcm_pgtable_destroy(io->pt);
	free(io);
}

static const struct vcm_mmu_driver iommu_mmu_driver = {
	.orders = vcm_iommu_orders,
	.cleanup = iommu_cleanup,
	.activate = iommu_map,
	.deactivate = iommu_unmap,
};

static int iommu_activate(struct vcm *vcm);

/* Fault reports: what this context knows of @dva. */
static void iommu_describe(vcm_addr_t dva, struct vcm_dva_desc *d, void *priv)
{
	struct vcm_iommu *io = priv;
	struct vcm_iommu_view v;

	if (!vcm_valid(&io->mmu.vcm) || !vcm_iommu_view(&io->mmu.vcm, &v))
		return;
	snprintf(d->context, sizeof(d->context), "%s", v.name);
	d->pgtable_base = vcm_pgtable_base(v.pt);
	d->vcm = &io->mmu.vcm;
	vcm_describe_dva(d->vcm, dva, d);
}

/* First activation: the wrapper fills the table, then the hardware goes on. */
static int iommu_activate(struct vcm *vcm)
{
	struct vcm_iommu *io = to_iommu(vcm);
	vcm_addr_t base = vcm_pgtable_base(io->pt);
	int ret;

	if (vcm_sysmmu_claim(io->sysmmu, io))
		return -EBUSY;		/* another context's, active */
	if (vcm_iommu_hw_taken(io->sysmmu, base)) {
		vcm_sysmmu_unclaim(io->sysmmu, io);
		return -EBUSY;		/* programmed by hand for another table */
	}
	ret = vcm_mmu_vcm_driver.activate(vcm);
	if (ret) {
		vcm_sysmmu_unclaim(io->sysmmu, io);
		return ret;
	}
	vcm_iommu_hw_on(io->sysmmu, base);
	vcm_sysmmu_set_describer(io->sysmmu, iommu_describe, io);	/* the owner now */
	io->on = true;
	return 0;
}

/* Last deactivation: empty the table (flushing as it goes), then turn off. */
static void iommu_deactivate(struct vcm *vcm)
{
	struct vcm_iommu *io = to_iommu(vcm);

	vcm_mmu_vcm_driver.deactivate(vcm);
	/* After a failed activation (still counted, as in the kernel) the
	 * System MMU is neither on nor claimed: not ours to turn off. */
	if (io->on) {
		vcm_sysmmu_disable(io->sysmmu);
		vcm_sysmmu_unclaim(io->sysmmu, io);
	}
	io->on = false;
}

bool vcm_iommu_view(struct vcm *vcm, struct vcm_iommu_view *v)
{
	struct vcm_iommu *io;

	if (vcm->driver->activate != iommu_activate)
		return false;
	io = to_iommu(vcm);
	v->pt = io->pt;
	v->sysmmu = io->sysmmu;
	v->own_table = true;
	v->hw_managed = true;
	snprintf(v->name, sizeof(v->name), "iommu %s 0x%llx+0x%llx", vcm_sysmmu_name(io->sysmmu),
		 (unsigned long long)vcm->start, (unsigned long long)vcm->size);
	return true;
}

static bool iommu_window_valid(vcm_addr_t start, vcm_size_t size)
{
	return size && VCM_IS_ALIGNED(start | size, VCM_PAGE_SIZE) &&
	       start < VCM_IOMMU_DVA_LIMIT && size <= VCM_IOMMU_DVA_LIMIT - start;
}

VCM_TRACE_BODY struct vcm *do_iommu_create(struct vcm_sysmmu *mmu, vcm_addr_t start,
					vcm_size_t size)
{
	struct vcm_iommu *io;
	struct vcm_soc *soc;
	struct vcm *vcm;

	if (!vcm_sysmmu_ok(mmu, "vcm_iommu_create") || !iommu_window_valid(start, size))
		return vcm_err_ptr(-EINVAL);
	soc = vcm_sysmmu_soc(mmu);
	io = vcm_calloc(1, sizeof(*io));
	if (!io)
		return vcm_err_ptr(-ENOMEM);
	io->sysmmu = mmu;
	io->pt = vcm_pgtable_create(soc);
	if (vcm_is_err(io->pt)) {
		vcm = (struct vcm *)io->pt;
		free(io);
		return vcm;
	}
	io->mmu.vcm.start = start;
	io->mmu.vcm.size = size;
	io->mmu.driver = &iommu_mmu_driver;
	vcm = vcm_mmu_init_buddy(&io->mmu);
	if (vcm_is_err(vcm)) {
		vcm_pgtable_destroy(io->pt);
		free(io);
		return vcm;
	}
	vcm_set_soc(vcm, soc);
	io->ops = vcm_mmu_vcm_driver;
	io->ops.activate = iommu_activate;
	io->ops.deactivate = iommu_deactivate;
	vcm->driver = &io->ops;
	if (!vcm_iommu_hw_taken(mmu, vcm_pgtable_base(io->pt)))	/* else at activation */
		vcm_sysmmu_set_describer(mmu, iommu_describe, io);
	return vcm;
}

VCM_TRACED_FN(struct vcm *, vcm_iommu_create,
	      (struct vcm_sysmmu *mmu, vcm_addr_t start, vcm_size_t size),
	      do_iommu_create, (mmu, start, size),
	      IOMMU_CREATE, mmu, (uint64_t)start, (uint64_t)size, ret)
