/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * explain.c - who owns an address: a context's DVA (reservation, bound
 * phys, part, PA, pinned user address, page-table entries, TLB line, the
 * last unbind that covered it), a System MMU's DVA (through the context
 * that registered its describer), a SoC's PA (every live context mapping
 * it); and a dump of any kind of context.
 *
 * Lock order: the list of contexts, then a context, then the pin table and
 * the System MMU (each taken briefly).  Nothing here calls user code.
 */
#include <errno.h>
#include <string.h>

#include <vcm/debug.h>

#include "fault-report.h"
#include "internal.h"
#include "debug-internal.h"
#include "iommu.h"
#include "mmu.h"
#include "pgtable.h"
#include "pin.h"
#include "soc-internal.h"
#include "sysmmu-internal.h"
#include "vcm-internal.h"

static const char *const owner_words[] = {
	[VCM_DVA_UNKNOWN] = "no context knows it",
	[VCM_DVA_OUTSIDE_WINDOW] = "outside the context's window",
	[VCM_DVA_UNRESERVED] = "outside every reservation",
	[VCM_DVA_UNBOUND] = "in a reservation that is not bound",
	[VCM_DVA_BOUND] = "in a bound reservation",
};

/* ---- the context ---- */

/* Its name, and whether it sits behind a System MMU (then @info). */
bool vcm_debug_context_name(struct vcm *vcm, char *name, size_t len,
			    struct vcm_iommu_view *v)
{
	if (vcm_iommu_view(vcm, v) || vcm_s5p_view(vcm, v)) {
		snprintf(name, len, "%s", v->name);
		return true;
	}
	if (vcm->driver->res == vcm_mmu_vcm_driver.res)
		snprintf(name, len, "mmu 0x%llx+0x%llx", (unsigned long long)vcm->start,
			 (unsigned long long)vcm->size);
	else if (vcm_is_o2o(vcm))
		snprintf(name, len, "one-to-one");
	else if (vcm_is_vmm(vcm))
		snprintf(name, len, "cpu (vmm)");
	else
		snprintf(name, len, "context 0x%llx+0x%llx", (unsigned long long)vcm->start,
			 (unsigned long long)vcm->size);
	return false;
}

/* The part of @phys holding byte @off, its index and the PA of the byte. */
static void find_part(const struct vcm_phys *phys, vcm_size_t off, struct vcm_explain *e)
{
	vcm_size_t at = 0;
	unsigned i;

	for (i = 0; i < phys->count; i++) {
		const struct vcm_phys_part *p = &phys->parts[i];

		if (off - at < p->size) {
			e->part = (int)i;
			e->part_start = p->start;
			e->part_size = p->size;
			e->has_pa = true;
			e->pa = p->start + (off - at);
			return;
		}
		at += p->size;
	}
}

/* The latest unbind of the context that covered @dva. */
static void find_unmap_locked(struct vcm *vcm, vcm_addr_t dva, struct vcm_explain *e)
{
	const struct vcm_unmap_record *r = vcm_history_latest(vcm, dva);

	if (r) {
		e->unmapped = true;
		e->unmap = *r;
	}
}

/* What the context's books say of @dva (its lock held). */
static void books_locked(struct vcm *vcm, vcm_addr_t dva, struct vcm_explain *e)
{
	struct vcm_res_iter it;
	struct vcm_res *res;

	e->active = vcm->activations.counter > 0;
	e->owner = VCM_DVA_UNRESERVED;
	if (dva < vcm->start || dva - vcm->start >= vcm->size)
		e->owner = VCM_DVA_OUTSIDE_WINDOW;
	vcm_core_for_each_res(res, it, vcm_core(vcm)) {
		if (dva < res->start || dva - res->start >= res->res_size)
			continue;
		e->res_start = res->start;
		e->res_size = res->res_size;
		e->owner = res->phys ? VCM_DVA_BOUND : VCM_DVA_UNBOUND;
		if (res->phys) {
			e->phys_parts = res->phys->count;
			find_part(res->phys, dva - res->start, e);
		}
		break;
	}
	if (e->owner != VCM_DVA_BOUND)
		find_unmap_locked(vcm, dva, e);
}

/* The table entries and the TLB line (a context behind a System MMU). */
static void hardware(struct vcm_sysmmu *mmu, vcm_addr_t pgtable_base, vcm_addr_t dva,
		     struct vcm_explain *e)
{
	struct vcm_fault_entries fe;
	struct vcm_tlb_entry te;
	uint32_t base, ctrl;
	bool stale = false;
	int line;

	if (dva >= VCM_PT_ADDR_LIMIT)
		return;
	e->has_table = true;
	e->pgtable_base = pgtable_base;
	vcm_fault_read_entries(vcm_sysmmu_soc(mmu), pgtable_base, dva, &fe);
	e->lv1 = fe.lv1;
	e->has_lv2 = fe.has_lv2 && fe.lv2_ram;
	e->lv2 = fe.lv2;
	line = vcm_sysmmu_tlb_line(mmu, dva, &te, &stale, &base, &ctrl);
	if (line < 0 || base != pgtable_base || !(ctrl & VCM_SYSMMU_CTRL_MMU_EN))
		return;
	e->tlb_line = line;
	e->tlb_dva = te.tag;
	e->tlb_pa = te.pa;
	e->tlb_stale = stale;
}

static void explain_init(struct vcm_explain *e, vcm_addr_t dva)
{
	memset(e, 0, sizeof(*e));
	e->dva = dva;
	e->part = -1;
	e->tlb_line = -1;
}

/* Fill @e for @dva of @vcm (takes the context's lock). */
static void explain_context(struct vcm *vcm, vcm_addr_t dva, struct vcm_explain *e)
{
	struct vcm_iommu_view v;
	bool behind_mmu;

	e->vcm = vcm;
	behind_mmu = vcm_debug_context_name(vcm, e->context, sizeof(e->context), &v);
	vcm_lock(vcm);
	books_locked(vcm, dva, e);
	vcm_unlock(vcm);
	if (e->has_pa && vcm_pin_find_pa(vcm_context_soc(vcm), e->pa, &e->uaddr,
					 &e->pin_count))
		e->uaddr = NULL;
	if (behind_mmu)
		hardware(v.sysmmu, vcm_pgtable_base(v.pt), dva, e);
}

/* ---- printing ---- */

static double seconds_ago(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static const char *lv1_word(uint32_t v)
{
	if (vcm_lv1_is_supersection(v))
		return "16 MiB supersection";
	if (vcm_lv1_is_section(v))
		return "1 MiB section";
	return vcm_lv1_is_link(v) ? "link" : "fault";
}

static const char *lv2_word(uint32_t v)
{
	if (vcm_lv2_is_small(v))
		return "4 KiB page";
	return vcm_lv2_is_large(v) ? "64 KiB page" : "fault";
}

static void print_books(FILE *out, const struct vcm_explain *e)
{
	if (e->owner == VCM_DVA_UNBOUND || e->owner == VCM_DVA_BOUND)
		fprintf(out, "  reservation 0x%llx+0x%llx, %s\n", (unsigned long long)e->res_start,
			(unsigned long long)e->res_size,
			e->owner == VCM_DVA_BOUND ? "bound" : "not bound");
	else
		fprintf(out, "  %s\n", owner_words[e->owner]);
	if (e->part >= 0)
		fprintf(out, "  phys part %d of %u: PA 0x%llx+0x%llx -> PA 0x%llx\n", e->part,
			e->phys_parts, (unsigned long long)e->part_start,
			(unsigned long long)e->part_size, (unsigned long long)e->pa);
	if (e->uaddr)
		fprintf(out, "  user memory: UVA %p (page pinned %lux)\n", e->uaddr, e->pin_count);
	if (e->unmapped)
		fprintf(out, "  recently unmapped: 0x%llx+0x%llx by %s (unbind #%llu), %.3f s ago\n",
			(unsigned long long)e->unmap.start, (unsigned long long)e->unmap.size,
			e->unmap.call, (unsigned long long)e->unmap.seq,
			seconds_ago(&e->unmap.when));
}

static void print_hardware(FILE *out, const struct vcm_explain *e)
{
	if (!e->has_table)
		return;
	fprintf(out, "  table 0x%llx: L1[0x%03x] = 0x%08x (%s)", (unsigned long long)e->pgtable_base,
		vcm_lv1_index(e->dva), e->lv1, lv1_word(e->lv1));
	if (e->has_lv2)
		fprintf(out, ", L2[0x%02x] = 0x%08x (%s)", vcm_lv2_index(e->dva), e->lv2,
			lv2_word(e->lv2));
	fprintf(out, "\n");
	if (e->tlb_line >= 0)
		fprintf(out, "  TLB line %d: dva 0x%08x -> pa 0x%08x%s\n", e->tlb_line, e->tlb_dva,
			e->tlb_pa, e->tlb_stale ? " STALE" : "");
	else
		fprintf(out, "  TLB: no line holds it\n");
}

static void print_dva(FILE *out, const struct vcm_explain *e)
{
	fprintf(out, "DVA 0x%llx: %s (%s)\n", (unsigned long long)e->dva, e->context,
		e->active ? "active" : "inactive");
	print_books(out, e);
	print_hardware(out, e);
}

/* ---- the public calls ---- */

VCM_EXPORT int vcm_explain_dva(struct vcm *vcm, vcm_addr_t dva, struct vcm_explain *e,
			       FILE *out)
{
	struct vcm_explain local;

	if (!vcm_valid(vcm))
		return -EINVAL;
	if (!e)
		e = &local;
	explain_init(e, dva);
	explain_context(vcm, dva, e);
	if (out)
		print_dva(out, e);
	return 0;
}

VCM_EXPORT int vcm_explain_sysmmu(struct vcm_sysmmu *mmu, vcm_addr_t dva,
				  struct vcm_explain *e, FILE *out)
{
	struct vcm_explain local;
	struct vcm_dva_desc d;

	if (vcm_is_err_or_null(mmu))
		return -EINVAL;
	if (!e)
		e = &local;
	vcm_sysmmu_describe(mmu, dva, &d);
	if (d.vcm)
		return vcm_explain_dva(d.vcm, dva, e, out);
	explain_init(e, dva);
	snprintf(e->context, sizeof(e->context), "System MMU %s, no context",
		 vcm_sysmmu_name(mmu));
	hardware(mmu, vcm_sysmmu_pgtable_base(mmu), dva, e);
	if (out) {
		fprintf(out, "DVA 0x%llx: %s\n", (unsigned long long)dva, e->context);
		print_hardware(out, e);
	}
	return 0;
}

struct pa_search {
	struct vcm_soc *soc;
	vcm_addr_t pa;
	struct vcm_explain *e;
	FILE *out;
};

/* The DVAs of @res mapping @pa: each printed, the first explained in full. */
static void res_maps_pa(struct pa_search *s, struct vcm *vcm, const char *name,
			const struct vcm_res *res, vcm_addr_t *first)
{
	vcm_size_t at = 0;
	unsigned i;

	for (i = 0; i < res->phys->count; i++) {
		const struct vcm_phys_part *p = &res->phys->parts[i];

		if (s->pa >= p->start && s->pa - p->start < p->size) {
			vcm_addr_t dva = res->start + at + (s->pa - p->start);

			if (!s->e->mappings++) {
				s->e->vcm = vcm;
				*first = dva;
			}
			if (s->out)
				fprintf(s->out, "  mapped at DVA 0x%llx in %s (reservation 0x%llx+0x%llx, "
					"part %u)\n", (unsigned long long)dva, name,
					(unsigned long long)res->start,
					(unsigned long long)res->res_size, i);
		}
		at += p->size;
	}
}

static int context_maps_pa(struct vcm *vcm, void *priv)
{
	struct vcm_res_iter it;
	struct pa_search *s = priv;
	struct vcm_iommu_view info;
	vcm_addr_t first = 0;
	struct vcm_res *res;
	char name[80];
	bool was_first = s->e->mappings == 0;

	if (vcm_context_soc(vcm) != s->soc)
		return 0;
	vcm_debug_context_name(vcm, name, sizeof(name), &info);
	vcm_lock(vcm);
	vcm_core_for_each_res(res, it, vcm_core(vcm))
		if (res->phys)
			res_maps_pa(s, vcm, name, res, &first);
	vcm_unlock(vcm);
	if (was_first && s->e->mappings) {	/* the first mapping, in full */
		struct vcm_explain pa_facts = *s->e;

		explain_init(s->e, first);
		explain_context(vcm, first, s->e);
		s->e->mappings = pa_facts.mappings;
		s->e->pa_ram = pa_facts.pa_ram;
		s->e->pa_allocated = pa_facts.pa_allocated;
	}
	return 0;
}

VCM_EXPORT int vcm_explain_pa(struct vcm_soc *soc, vcm_addr_t pa, struct vcm_explain *e,
			      FILE *out)
{
	struct pa_search s = { .soc = soc, .pa = pa, .out = out };
	struct vcm_explain local;
	void *uaddr = NULL;
	unsigned long pins = 0;

	if (vcm_is_err_or_null(soc))
		return -EINVAL;
	s.e = e ? e : &local;
	explain_init(s.e, 0);
	s.e->pa_ram = vcm_soc_phys_to_host(soc, pa) != NULL;
	s.e->pa_allocated = s.e->pa_ram && vcm_soc_page_is_allocated(soc, pa);
	if (vcm_pin_find_pa(soc, pa, &uaddr, &pins))
		uaddr = NULL;
	if (out) {
		fprintf(out, "PA 0x%llx: %s", (unsigned long long)pa,
			!s.e->pa_ram ? "not RAM" : s.e->pa_allocated ? "RAM, allocated" : "RAM, free");
		if (uaddr)
			fprintf(out, ", pinned user memory at UVA %p (pinned %lux)", uaddr, pins);
		fprintf(out, "\n");
	}
	vcm_for_each_context(context_maps_pa, &s);
	s.e->has_pa = true;
	s.e->pa = pa;
	s.e->uaddr = uaddr;
	s.e->pin_count = pins;
	if (out && !s.e->mappings)
		fprintf(out, "  mapped by no reservation of any live context\n");
	return 0;
}

/* ---- a context of any kind ---- */

static void dump_res(FILE *out, const struct vcm_res *res)
{
	unsigned i;

	fprintf(out, "  res 0x%llx+0x%llx", (unsigned long long)res->start,
		(unsigned long long)res->res_size);
	if (!res->phys) {
		fprintf(out, " not bound\n");
		return;
	}
	fprintf(out, " bound 0x%llx in %u part(s):", (unsigned long long)res->bound_size,
		res->phys->count);
	for (i = 0; i < res->phys->count && i < 8; i++)
		fprintf(out, " 0x%llx+0x%llx", (unsigned long long)res->phys->parts[i].start,
			(unsigned long long)res->phys->parts[i].size);
	fprintf(out, "%s\n", res->phys->count > 8 ? " ..." : "");
}

static void dump_history_locked(FILE *out, const struct vcm_core *core)
{
	unsigned long n = core->nhist < VCM_UNMAP_HISTORY ? core->nhist : VCM_UNMAP_HISTORY;
	unsigned long k;

	if (!n)
		return;
	fprintf(out, "  recent unbinds (latest first):\n");
	for (k = 1; k <= n; k++) {
		const struct vcm_unmap_record *r = &core->hist[(core->nhist - k) % VCM_UNMAP_HISTORY];

		fprintf(out, "    #%llu %s 0x%llx+0x%llx, %.3f s ago\n", (unsigned long long)r->seq,
			r->call, (unsigned long long)r->start, (unsigned long long)r->size,
			seconds_ago(&r->when));
	}
}

static void dump_hardware(FILE *out, const struct vcm_iommu_view *v)
{
	uint32_t ctrl = vcm_sysmmu_readl(v->sysmmu, VCM_SYSMMU_CTRL);
	vcm_addr_t base = vcm_sysmmu_pgtable_base(v->sysmmu);
	vcm_addr_t own = vcm_pgtable_base(v->pt);

	fprintf(out, "  System MMU %s: %s, PT_BASE_ADDR 0x%llx (%s), context table 0x%llx\n",
		vcm_sysmmu_name(v->sysmmu), (ctrl & VCM_SYSMMU_CTRL_MMU_EN) ? "enabled" : "disabled",
		(unsigned long long)base, base == own ? "this context's" : "another",
		(unsigned long long)own);
}

VCM_EXPORT void vcm_context_dump(struct vcm *vcm, FILE *out)
{
	struct vcm_res_iter it;
	struct vcm_pagesize_counts c;
	struct vcm_iommu_view info;
	struct vcm_res *res;
	bool behind_mmu;
	char name[80];

	if (!out)
		return;
	if (!vcm_valid(vcm)) {
		fprintf(out, "context: (none)\n");
		return;
	}
	behind_mmu = vcm_debug_context_name(vcm, name, sizeof(name), &info);
	vcm_lock(vcm);
	fprintf(out, "context %s: window 0x%llx+0x%llx, activations %d, %lu reservation(s)\n",
		name, (unsigned long long)vcm->start, (unsigned long long)vcm->size,
		vcm->activations.counter, vcm_core_nres(vcm_core(vcm)));
	vcm_core_for_each_res(res, it, vcm_core(vcm))
		dump_res(out, res);
	dump_history_locked(out, vcm_core(vcm));
	vcm_unlock(vcm);
	if (vcm_pagesize_report(vcm, &c, NULL) == 0)
		fprintf(out, "  pages: 1M x%lu, 64K x%lu, 4K x%lu (best %lu)\n",
			c.pages[VCM_PS_1M], c.pages[VCM_PS_64K], c.pages[VCM_PS_4K], c.best);
	if (behind_mmu)
		dump_hardware(out, &info);
}
