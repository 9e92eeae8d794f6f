/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fault-report.c - the text of a fault report: what exynos-iommu printed
 * (device, access, fault type, DVA, table base, the entries read raw) and
 * the likely cause in words, from the System MMU's state at the fault, the
 * table in RAM and what the context behind the System MMU says of the DVA.
 *
 * Runs without any System MMU lock; the describer may take context locks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fault-report.h"
#include "pgtable.h"

static const char *const type_names[VCM_FAULT_NR_TYPES] = {
	[VCM_FAULT_PAGE] = "page fault",
	[VCM_FAULT_AR_MULTIHIT] = "AR multi-hit",
	[VCM_FAULT_AW_MULTIHIT] = "AW multi-hit",
	[VCM_FAULT_BUS_ERROR] = "bus error",
	[VCM_FAULT_AR_SECURITY] = "AR security",
	[VCM_FAULT_AR_PROTECTION] = "AR protection",
	[VCM_FAULT_AW_SECURITY] = "AW security",
	[VCM_FAULT_AW_PROTECTION] = "AW protection",
};

const char *vcm_fault_type_name(enum vcm_fault_type t)
{
	return (unsigned)t < VCM_FAULT_NR_TYPES ? type_names[t] : "unknown fault";
}

/* ---- reading the table ---- */

/*
 * One entry, read as the walker reads it: a single atomic 32-bit load, since
 * another thread may be changing the table while a fault is reported.
 */
static bool read_entry(struct vcm_soc *soc, uint64_t pa, uint32_t *v)
{
	const uint32_t *p;

	if (!VCM_IS_ALIGNED(pa, sizeof(uint32_t)))
		return false;
	p = vcm_soc_phys_to_host(soc, pa);
	if (!p)
		return false;
	*v = vcm_pte_read(p);
	return true;
}

void vcm_fault_read_entries(struct vcm_soc *soc, uint64_t base, uint64_t dva,
			    struct vcm_fault_entries *e)
{
	memset(e, 0, sizeof(*e));
	e->lv1_pa = base + vcm_lv1_index(dva) * sizeof(uint32_t);
	e->lv1_ram = read_entry(soc, e->lv1_pa, &e->lv1);
	if (!e->lv1_ram || !vcm_lv1_is_link(e->lv1))
		return;
	e->has_lv2 = true;
	e->lv2_pa = vcm_lv1_link_pa(e->lv1) + vcm_lv2_index(dva) * sizeof(uint32_t);
	e->lv2_ram = read_entry(soc, e->lv2_pa, &e->lv2);
}

/*
 * A page written as one entry in @n slots (a large page, a supersection):
 * true if the @n slots from @slot0 disagree, some holding such an entry
 * (@is_kind), others not that same entry: the page was cut by writing
 * part of it.
 */
static bool group_cut(struct vcm_soc *soc, uint64_t slot0, unsigned n, bool (*is_kind)(uint32_t))
{
	uint32_t v, page = 0;
	bool differ = false;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (!read_entry(soc, slot0 + i * sizeof(uint32_t), &v))
			return false;
		if (is_kind(v) && !page)
			page = v;
		else if (v != page)
			differ = true;
	}
	return page && differ;
}

/* A 64 KiB large page is one entry in 16 level-2 slots: was @dva's cut? */
static bool large_page_cut(struct vcm_soc *soc, const struct vcm_fault_entries *e, uint64_t dva)
{
	return group_cut(soc,
			 e->lv2_pa - (vcm_lv2_index(dva) % VCM_LARGE_ENTRIES) * sizeof(uint32_t),
			 VCM_LARGE_ENTRIES, vcm_lv2_is_large);
}

/* A 16 MiB supersection is one entry in 16 level-1 slots: was @dva's cut? */
static bool supersection_cut(struct vcm_soc *soc, const struct vcm_fault_entries *e,
			     uint64_t dva)
{
	return group_cut(soc,
			 e->lv1_pa - (vcm_lv1_index(dva) % VCM_SUPERSECTION_ENTRIES) *
					     sizeof(uint32_t),
			 VCM_SUPERSECTION_ENTRIES, vcm_lv1_is_supersection);
}

/*
 * A section mapping cut: the 1 MiB slots on both sides of @dva hold
 * sections that continue each other across it (the middle one was
 * unmapped or overwritten on its own).
 */
static bool section_cut(struct vcm_soc *soc, const struct vcm_fault_entries *e)
{
	uint32_t lo, hi;

	if (e->lv1_pa < sizeof(uint32_t) ||
	    !read_entry(soc, e->lv1_pa - sizeof(uint32_t), &lo) ||
	    !read_entry(soc, e->lv1_pa + sizeof(uint32_t), &hi))
		return false;
	return vcm_lv1_is_section(lo) && vcm_lv1_is_section(hi) &&
	       vcm_section_pa(hi) == vcm_section_pa(lo) + 2 * (uint64_t)VCM_LV1_SIZE;
}

/* ---- the cause ---- */

static const char *owner_cause(const struct vcm_dva_desc *d, char *buf, size_t len)
{
	switch (d->owner) {
	case VCM_DVA_OUTSIDE_WINDOW:
		return "DVA outside the context's window (a wrong address, or another device's)";
	case VCM_DVA_UNRESERVED:
		if (d->unmap_call) {
			snprintf(buf, len, "DVA unmapped already: %s() took 0x%llx+0x%llx away "
				 "(a device still using a buffer after it was put)", d->unmap_call,
				 (unsigned long long)d->unmap_start,
				 (unsigned long long)d->unmap_size);
			return buf;
		}
		return "DVA outside every reservation (past the end of a buffer?)";
	case VCM_DVA_UNBOUND:
		snprintf(buf, len, "DVA inside reservation 0x%llx+0x%llx, which is not bound "
			 "(vcm_bind() missing, or vcm_unbind() done)",
			 (unsigned long long)d->res_start, (unsigned long long)d->res_size);
		return buf;
	case VCM_DVA_BOUND:
		if (!d->active)
			return "MMU never activated for this context: its bindings reach the "
			       "table at vcm_activate()";
		return "DVA bound and the context active, yet the table has no entry "
		       "(the table was changed behind the context's back)";
	default:
		return "no entry for the DVA in the table (no context describes this System MMU)";
	}
}

static const char *bus_error_cause(const struct vcm_fault_scene *s,
				   const struct vcm_fault_entries *e)
{
	if (!(s->ctrl & VCM_SYSMMU_CTRL_MMU_EN))
		return "MMU disabled (bypass): the DVA went out as a PA, which is not RAM; "
		       "the context was never activated (vcm_activate()) or was deactivated";
	if (!e->lv1_ram)
		return "the page-table base is not RAM: the MMU is enabled but was never "
		       "given a table (never activated?)";
	if (e->has_lv2 && !e->lv2_ram)
		return "the level-1 entry links to a level-2 table that is not RAM (a corrupt table)";
	if (s->tlb_hits && s->tlb_stale)
		return "stale TLB entry: it maps the DVA to a PA that is not RAM "
		       "(the table changed without a TLB invalidation)";
	return "the entry maps the DVA to a PA that is not RAM";
}

const char *vcm_fault_cause(struct vcm_soc *soc, const struct vcm_fault *f,
			    const struct vcm_fault_scene *s, const struct vcm_fault_entries *e,
			    const struct vcm_dva_desc *d, char *buf, size_t len)
{
	switch (f->type) {
	case VCM_FAULT_BUS_ERROR:
		return bus_error_cause(s, e);
	case VCM_FAULT_AR_MULTIHIT:
	case VCM_FAULT_AW_MULTIHIT:
		return "stale TLB entry: several TLB entries hold the DVA (the table changed "
		       "without a TLB invalidation)";
	case VCM_FAULT_PAGE:
		break;
	default:
		return "a protection or security fault (raised by vcm_sysmmu_inject_fault())";
	}
	if (d->pgtable_base && d->pgtable_base != s->pt_base) {
		snprintf(buf, len, "the System MMU walks the table at 0x%x, not the context's "
			 "table at 0x%llx: the context was never activated, or another one was",
			 s->pt_base, (unsigned long long)d->pgtable_base);
		return buf;
	}
	if (e->has_lv2 && e->lv2_ram && vcm_lv2_is_fault(e->lv2) && large_page_cut(soc, e, f->dva))
		return "a 64 KiB large page cut: its 16 level-2 slots disagree (part of it "
		       "was unmapped or overwritten alone)";
	if (e->lv1_ram && vcm_lv1_is_fault(e->lv1) && supersection_cut(soc, e, f->dva))
		return "a supersection cut: its 16 level-1 slots disagree (part of the 16 MiB "
		       "was unmapped or overwritten alone)";
	if (e->lv1_ram && vcm_lv1_is_fault(e->lv1) && section_cut(soc, e))
		return "a section mapping cut: the 1 MiB sections on both sides continue "
		       "each other, this one is gone";
	return owner_cause(d, buf, len);
}

/* ---- the report ---- */

struct text {
	char *buf;
	size_t len, used;
};

static void VCM_PRINTF(2, 3) put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->used >= t->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used += (size_t)n;
}

static const char *lv1_kind(uint32_t v)
{
	if (vcm_lv1_is_supersection(v))
		return "16 MiB supersection";
	if (vcm_lv1_is_section(v))
		return "1 MiB section";
	return vcm_lv1_is_link(v) ? "link to a level-2 table" : "fault";
}

static const char *lv2_kind(uint32_t v)
{
	if (vcm_lv2_is_small(v))
		return "4 KiB page";
	return vcm_lv2_is_large(v) ? "64 KiB large page" : "fault";
}

static void put_entries(struct text *t, const struct vcm_fault_scene *s,
			const struct vcm_fault_entries *e, uint64_t dva)
{
	if (!(s->ctrl & VCM_SYSMMU_CTRL_MMU_EN)) {
		put(t, "\n  the MMU is disabled: no table walk (PT_BASE_ADDR 0x%08x)", s->pt_base);
		return;
	}
	if (!e->lv1_ram) {
		put(t, "\n  L1[0x%03x] @PA 0x%08llx: not RAM", vcm_lv1_index(dva),
		    (unsigned long long)e->lv1_pa);
		return;
	}
	put(t, "\n  L1[0x%03x] @PA 0x%08llx = 0x%08x  %s", vcm_lv1_index(dva),
	    (unsigned long long)e->lv1_pa, e->lv1, lv1_kind(e->lv1));
	if (!e->has_lv2)
		return;
	if (!e->lv2_ram)
		put(t, "\n  L2[0x%02x]  @PA 0x%08llx: not RAM", vcm_lv2_index(dva),
		    (unsigned long long)e->lv2_pa);
	else
		put(t, "\n  L2[0x%02x]  @PA 0x%08llx = 0x%08x  %s", vcm_lv2_index(dva),
		    (unsigned long long)e->lv2_pa, e->lv2, lv2_kind(e->lv2));
}

static void put_tlb(struct text *t, const struct vcm_fault_scene *s)
{
	const struct vcm_tlb_entry *x = &s->tlb;

	if (!s->tlb_hits) {
		put(t, "\n  TLB: no entry holds the DVA");
		return;
	}
	put(t, "\n  TLB: %u entr%s hold%s the DVA; dva 0x%08x -> pa 0x%08x %s pte 0x%08x%s",
	    s->tlb_hits, s->tlb_hits == 1 ? "y" : "ies", s->tlb_hits == 1 ? "s" : "",
	    x->tag, x->pa, vcm_page_size_name((unsigned)__builtin_ctz(x->mask + 1)), x->pte,
	    s->tlb_stale ? " STALE" : "");
}

static const char *const owner_names[] = {
	[VCM_DVA_UNKNOWN] = "unknown",
	[VCM_DVA_OUTSIDE_WINDOW] = "outside the window",
	[VCM_DVA_UNRESERVED] = "outside every reservation",
	[VCM_DVA_UNBOUND] = "in an unbound reservation",
	[VCM_DVA_BOUND] = "in a bound reservation",
};

static void put_context(struct text *t, const struct vcm_dva_desc *d)
{
	if (d->owner == VCM_DVA_UNKNOWN)
		return;
	put(t, "\n  context: %s (%s): DVA %s", d->context, d->active ? "active" : "inactive",
	    owner_names[d->owner]);
	if (d->owner == VCM_DVA_UNBOUND || d->owner == VCM_DVA_BOUND)
		put(t, " 0x%llx+0x%llx", (unsigned long long)d->res_start,
		    (unsigned long long)d->res_size);
	if (d->unmap_call)
		put(t, "; recently unbound by %s() (0x%llx+0x%llx)", d->unmap_call,
		    (unsigned long long)d->unmap_start, (unsigned long long)d->unmap_size);
}

void vcm_fault_report_format(struct vcm_soc *soc, const struct vcm_fault *f,
			     const struct vcm_fault_scene *s, char *buf, size_t len)
{
	struct text t = { .buf = buf, .len = len, .used = 0 };
	struct vcm_fault_entries e;
	struct vcm_dva_desc d;
	char cause[256];

	memset(&d, 0, sizeof(d));
	if (s->describe)
		s->describe(f->dva, &d, s->describe_priv);
	vcm_fault_read_entries(soc, s->pt_base, f->dva, &e);
	buf[0] = '\0';
	put(&t, "%s: unhandled %s: %s at DVA 0x%08llx", s->name, vcm_fault_type_name(f->type),
	    f->access == VCM_ACCESS_WRITE ? "write" : "read", (unsigned long long)f->dva);
	if (s->suppressed)
		put(&t, " (%lu earlier reports suppressed)", s->suppressed);
	put(&t, "\n  CTRL 0x%08x (%s), PT_BASE_ADDR 0x%08x", s->ctrl,
	    (s->ctrl & VCM_SYSMMU_CTRL_MMU_EN) ? "enabled" : "disabled", s->pt_base);
	put_entries(&t, s, &e, f->dva);
	put_tlb(&t, s);
	put_context(&t, &d);
	put(&t, "\n  likely cause: %s",
	    vcm_fault_cause(soc, f, s, &e, &d, cause, sizeof(cause)));
}
