/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * verify.c - vcm_verify() and vcm_sysmmu_verify(): the bindings of a
 * context against its page table, read raw from simulated RAM as the
 * System MMU reads it; the TLB against the table; the hardware against the
 * context's activation.
 *
 * The pages the bindings promise are collected first (vcm_phys_walk() with
 * the context's page orders: the same cut the mapping used), sorted by DVA;
 * then the table is walked once over the context's part of the DVA space,
 * each mapped page looked up among them and marked; promised pages left
 * unmarked are missing.  Its own memory is taken from the C library
 * directly: checking is not a fault-injection site.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <vcm/verify.h>

#include "internal.h"
#include "iommu.h"
#include "mmu.h"
#include "pgtable.h"
#include "phys.h"
#include "sysmmu-internal.h"
#include "vcm-internal.h"

/* A page the bindings promise. */
struct promise {
	vcm_addr_t dva, pa;
	unsigned shift;
	bool seen;
};

struct verify {
	struct vcm_mismatch *out;
	unsigned max, n;
	struct promise *p;
	size_t np, cap;
	int err;
};

static void VCM_PRINTF(6, 7) mismatch(struct verify *v, enum vcm_mismatch_kind kind,
				      vcm_addr_t dva, vcm_addr_t expected, vcm_addr_t found,
				      const char *fmt, ...)
{
	struct vcm_mismatch *m;
	va_list ap;

	if (v->n++ >= v->max)
		return;
	m = &v->out[v->n - 1];
	m->kind = kind;
	m->dva = dva;
	m->expected = expected;
	m->found = found;
	va_start(ap, fmt);
	vsnprintf(m->what, sizeof(m->what), fmt, ap);
	va_end(ap);
}

/* ---- the context's bookkeeping ---- */

static void check_res(struct verify *v, struct vcm *vcm)
{
	unsigned long n = 0, counted;
	struct vcm_res_iter it;
	struct vcm_res *res;

	vcm_core_for_each_res(res, it, vcm_core(vcm)) {
		n++;
		if (res->vcm != vcm)
			mismatch(v, VCM_MISMATCH_RES, res->start, 0, 0,
				 "reservation %#llx is listed in another context",
				 (unsigned long long)res->start);
		if (res->start < vcm->start || res->res_size > vcm->size ||
		    res->start - vcm->start > vcm->size - res->res_size)
			mismatch(v, VCM_MISMATCH_RES, res->start, vcm->start, res->start,
				 "reservation %#llx+%#llx is outside the window %#llx+%#llx",
				 (unsigned long long)res->start, (unsigned long long)res->res_size,
				 (unsigned long long)vcm->start, (unsigned long long)vcm->size);
		if (res->bound_size != (res->phys ? res->phys->size : 0) ||
		    (res->phys && !vcm_phys_bindings(res->phys)))
			mismatch(v, VCM_MISMATCH_RES, res->start, res->phys ? res->phys->size : 0,
				 res->bound_size, "reservation %#llx: bound size %#llx, phys %#llx",
				 (unsigned long long)res->start,
				 (unsigned long long)res->bound_size,
				 (unsigned long long)(res->phys ? res->phys->size : 0));
	}
	counted = vcm_core_nres(vcm_core(vcm));
	if (n != counted)
		mismatch(v, VCM_MISMATCH_RES, 0, counted, n,
			 "%lu reservations listed, %lu counted", n, counted);
}

/* ---- guard gaps: no reservation starts inside another's ---- */

struct span {
	vcm_addr_t start, end, guard_end;
};

static int by_start(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

static void check_guards(struct verify *v, struct vcm *vcm)
{
	unsigned long n = 0, i, nres = vcm_core_nres(vcm_core(vcm));
	struct vcm_res_iter it;
	struct vcm_res *res;
	struct span *s;

	if (!nres)
		return;
	s = calloc(nres, sizeof(*s));
	if (!s) {
		v->err = -ENOMEM;
		return;
	}
	vcm_core_for_each_res(res, it, vcm_core(vcm)) {
		if (n == nres)
			break;
		s[n].start = res->start;
		s[n].end = res->start + res->res_size;
		s[n].guard_end = s[n].end + vcm_mmu_guard_of(res);
		n++;
	}
	qsort(s, n, sizeof(*s), by_start);
	for (i = 1; i < n; i++) {
		if (s[i].start < s[i - 1].end)
			mismatch(v, VCM_MISMATCH_RES, s[i].start, s[i - 1].end, s[i].start,
				 "reservations %#llx and %#llx overlap",
				 (unsigned long long)s[i - 1].start, (unsigned long long)s[i].start);
		else if (s[i].start < s[i - 1].guard_end)
			mismatch(v, VCM_MISMATCH_GUARD, s[i].start, s[i - 1].guard_end, s[i].start,
				 "reservation %#llx starts in the guard gap of %#llx",
				 (unsigned long long)s[i].start, (unsigned long long)s[i - 1].start);
	}
	free(s);
}

/* ---- what the bindings promise ---- */

static int promise_add(vcm_addr_t dva, vcm_addr_t pa, unsigned order, void *priv)
{
	struct verify *v = priv;

	if (v->np == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 256;
		struct promise *p = realloc(v->p, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		v->p = p;
		v->cap = cap;
	}
	v->p[v->np++] = (struct promise){ dva, pa, order + VCM_PAGE_SHIFT, false };
	return 0;
}

static int by_dva(const void *a, const void *b)
{
	const struct promise *x = a, *y = b;

	return (x->dva > y->dva) - (x->dva < y->dva);
}

static int collect_promises(struct verify *v, struct vcm *vcm)
{
	struct vcm_res_iter it;
	struct vcm_res *res;
	int ret;

	vcm_core_for_each_res(res, it, vcm_core(vcm)) {
		if (!res->phys)
			continue;
		ret = vcm_phys_walk(res->start, res->phys, vcm_iommu_orders, promise_add, NULL, v);
		if (ret)
			return ret;
	}
	if (v->np)	/* no promise: v->p is NULL, which qsort() may not take */
		qsort(v->p, v->np, sizeof(*v->p), by_dva);
	return 0;
}

/* The promised page containing @dva, or NULL. */
static struct promise *promise_at(struct verify *v, vcm_addr_t dva)
{
	size_t lo = 0, hi = v->np;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->p[mid].dva <= dva)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	if (dva - v->p[lo - 1].dva >= (1ULL << v->p[lo - 1].shift))
		return NULL;
	return &v->p[lo - 1];
}

/* ---- the table ---- */

/* One page the table maps: is it promised, there, that size? */
static void check_page(struct verify *v, vcm_addr_t dva, vcm_addr_t pa, unsigned shift)
{
	struct promise *p = promise_at(v, dva);

	if (!p) {
		mismatch(v, VCM_MISMATCH_EXTRA, dva, 0, pa,
			 "dva %#llx is mapped (%s page -> pa %#llx) but no binding covers it",
			 (unsigned long long)dva, vcm_page_size_name(shift),
			 (unsigned long long)pa);
		return;
	}
	if (p->seen)
		return;
	p->seen = true;
	if (p->dva != dva || p->shift != shift)
		mismatch(v, VCM_MISMATCH_PAGE_SIZE, dva, 1ULL << p->shift, 1ULL << shift,
			 "dva %#llx is mapped with a %s page; the binding gives a %s page at %#llx",
			 (unsigned long long)dva, vcm_page_size_name(shift),
			 vcm_page_size_name(p->shift), (unsigned long long)p->dva);
	else if (p->pa != pa)
		mismatch(v, VCM_MISMATCH_WRONG_PA, dva, p->pa, pa,
			 "dva %#llx translates to pa %#llx; the binding says %#llx",
			 (unsigned long long)dva, (unsigned long long)pa,
			 (unsigned long long)p->pa);
}

static void check_lv2(struct verify *v, struct vcm_soc *soc, vcm_addr_t slot_dva, uint32_t link)
{
	uint32_t e[VCM_LV2_ENTRIES];
	unsigned j, valid = 0;

	if (vcm_soc_phys_read(soc, vcm_lv1_link_pa(link), e, sizeof(e))) {
		mismatch(v, VCM_MISMATCH_ORPHAN_LV2, slot_dva, 0, vcm_lv1_link_pa(link),
			 "dva %#llx: level-1 entry %#x links outside RAM",
			 (unsigned long long)slot_dva, link);
		return;
	}
	for (j = 0; j < VCM_LV2_ENTRIES; j++) {
		vcm_addr_t dva = slot_dva + ((vcm_addr_t)j << VCM_SMALL_SHIFT);

		if (vcm_lv2_is_fault(e[j]))
			continue;
		valid++;
		if (vcm_lv2_is_small(e[j]))
			check_page(v, dva, vcm_small_pa(e[j]), VCM_SMALL_SHIFT);
		else if (j % VCM_LARGE_ENTRIES == 0)
			check_page(v, dva, vcm_large_pa(e[j]), VCM_LARGE_SHIFT);
	}
	if (!valid)
		mismatch(v, VCM_MISMATCH_ORPHAN_LV2, slot_dva, 0, vcm_lv1_link_pa(link),
			 "dva %#llx: level-1 entry links an empty level-2 table at pa %#llx",
			 (unsigned long long)slot_dva, (unsigned long long)vcm_lv1_link_pa(link));
}

/*
 * The (super)section entry @e at @dva: its page, once (a supersection's
 * from its first slot, or from @lo if the range starts inside it).
 */
static void check_section(struct verify *v, vcm_addr_t dva, vcm_addr_t lo, uint32_t e)
{
	uint64_t pa;
	unsigned shift = vcm_lv1_section_page(e, &pa);
	vcm_addr_t page = dva & ~((1ULL << shift) - 1);

	if (page == dva || dva == lo)
		check_page(v, page, pa, shift);
}

/* Walk level 1 over [lo, end) (1 MiB-aligned). */
static void check_table(struct verify *v, struct vcm_soc *soc, vcm_addr_t base, vcm_addr_t lo,
			vcm_addr_t end)
{
	vcm_addr_t dva;

	for (dva = lo; dva < end; dva += VCM_LV1_SIZE) {
		uint32_t e;

		if (vcm_soc_phys_read(soc, base + vcm_lv1_index(dva) * sizeof(e), &e, sizeof(e)))
			return;
		if (vcm_lv1_is_section(e))
			check_section(v, dva, lo, e);
		else if (vcm_lv1_is_link(e))
			check_lv2(v, soc, dva, e);
	}
	for (size_t i = 0; i < v->np; i++)
		if (!v->p[i].seen)
			mismatch(v, VCM_MISMATCH_MISSING, v->p[i].dva, v->p[i].pa, 0,
				 "dva %#llx (%s page -> pa %#llx) is bound but not mapped",
				 (unsigned long long)v->p[i].dva, vcm_page_size_name(v->p[i].shift),
				 (unsigned long long)v->p[i].pa);
}

/* ---- the hardware ---- */

static bool translates_with(struct vcm_sysmmu *mmu, vcm_addr_t base)
{
	return (vcm_sysmmu_readl(mmu, VCM_SYSMMU_CTRL) & VCM_SYSMMU_CTRL_MMU_EN) &&
	       vcm_sysmmu_pgtable_base(mmu) == base;
}

static void check_stale(struct verify *v, struct vcm_sysmmu *mmu, vcm_addr_t lo, vcm_addr_t end)
{
	struct vcm_tlb_stale s[64];
	unsigned i, n = vcm_sysmmu_stale_entries(mmu, s, 64);

	for (i = 0; i < n && i < 64; i++)
		if (s[i].dva >= lo && s[i].dva < end)
			mismatch(v, VCM_MISMATCH_STALE_TLB, s[i].dva, s[i].pte, s[i].now,
				 "stale TLB entry: dva %#x -> pa %#x from entry %#x, the table now "
				 "holds %#x", s[i].dva, s[i].pa, s[i].pte, s[i].now);
}

static void check_hw(struct verify *v, struct vcm *vcm, const struct vcm_iommu_view *iv)
{
	vcm_addr_t base = vcm_pgtable_base(iv->pt);
	bool on = translates_with(iv->sysmmu, base);

	if (iv->hw_managed && on != (vcm->activations.counter > 0))
		mismatch(v, VCM_MISMATCH_ACTIVATION, 0, vcm->activations.counter > 0, on,
			 "the context is %s but its System MMU %s with its table",
			 vcm->activations.counter > 0 ? "active" : "inactive",
			 on ? "translates" : "does not translate");
	if (on)
		check_stale(v, iv->sysmmu, iv->own_table ? 0 : vcm->start,
			    iv->own_table ? VCM_IOMMU_DVA_LIMIT : vcm->start + vcm->size);
}

static void check_device_context(struct verify *v, struct vcm *vcm,
				 const struct vcm_iommu_view *iv)
{
	vcm_addr_t lo = 0, end = VCM_IOMMU_DVA_LIMIT;

	if (vcm->activations.counter > 0) {
		v->err = collect_promises(v, vcm);
		if (v->err)
			return;
	}
	if (!iv->own_table) {
		lo = vcm->start & ~(vcm_addr_t)VCM_LV1_OFFSET_MASK;
		end = VCM_ALIGN_UP(vcm->start + vcm->size, (vcm_addr_t)VCM_LV1_SIZE);
	}
	check_table(v, vcm_context_soc(vcm), vcm_pgtable_base(iv->pt), lo, end);
	check_hw(v, vcm, iv);
}

static int finish(struct verify *v)
{
	free(v->p);
	return v->err ? v->err : (int)v->n;
}

VCM_EXPORT int vcm_verify(struct vcm *vcm, struct vcm_mismatch *out, unsigned max)
{
	struct verify v = { .out = out, .max = max };
	struct vcm_iommu_view iv;

	int ret;

	if (!vcm_ctx_ok(vcm, __func__) || (!out && max))
		return -EINVAL;
	ret = vcm_ctx_enter(vcm, __func__);
	if (ret)
		return ret;
	check_res(&v, vcm);
	check_guards(&v, vcm);
	if (vcm_iommu_view(vcm, &iv) || vcm_s5p_view(vcm, &iv))
		check_device_context(&v, vcm, &iv);
	vcm_ctx_leave(vcm);
	return finish(&v);
}

VCM_EXPORT int vcm_sysmmu_verify(struct vcm_sysmmu *mmu, struct vcm_mismatch *out, unsigned max)
{
	struct verify v = { .out = out, .max = max };
	vcm_addr_t base;

	if (!vcm_sysmmu_ok(mmu, __func__) || (!out && max))
		return -EINVAL;
	if (!(vcm_sysmmu_readl(mmu, VCM_SYSMMU_CTRL) & VCM_SYSMMU_CTRL_MMU_EN))
		return 0;
	base = vcm_sysmmu_pgtable_base(mmu);
	if (!VCM_IS_ALIGNED(base, VCM_LV1_TABLE_ALIGN) ||
	    !vcm_soc_phys_to_host(vcm_sysmmu_soc(mmu), base))
		mismatch(&v, VCM_MISMATCH_ACTIVATION, 0, 0, base,
			 "enabled with table base %#llx, not 16 KiB-aligned RAM",
			 (unsigned long long)base);
	check_stale(&v, mmu, 0, VCM_IOMMU_DVA_LIMIT);
	return finish(&v);
}
