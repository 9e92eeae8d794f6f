/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pagesize.c - page-size reports: how many 1 MiB / 64 KiB / 4 KiB pages
 * map a reservation or a context, why a page is smaller than the next size
 * up (DVA misaligned, PA misaligned, physical part too small, the driver's
 * orders), and whether the SoC's free memory still has blocks of each size.
 *
 * The pages are cut as the page-table code cuts them: each part of the
 * bound phys from its DVA on, the largest of the driver's orders that the
 * DVA, the PA and the rest of the part allow.
 */
#include <errno.h>
#include <string.h>

#include <vcm/debug.h>
#include <vcm/vcm-drv.h>

#include "debug-internal.h"
#include "internal.h"
#include "mmu.h"
#include "soc-internal.h"
#include "vcm-internal.h"

/* The System MMU's orders, largest first, indexed by enum vcm_page_size. */
static const unsigned hw_orders[VCM_PS_NR_SIZES] = { 8, 4, 0 };
static const char *const size_names[VCM_PS_NR_SIZES] = { "1M", "64K", "4K" };
static const char *const reason_names[VCM_PS_NR_REASONS] = {
	[VCM_PS_DVA_MISALIGNED] = "DVA misaligned",
	[VCM_PS_PA_MISALIGNED] = "PA misaligned",
	[VCM_PS_PART_TOO_SMALL] = "part too small",
	[VCM_PS_DRIVER_ORDERS] = "driver orders",
};

#define NO_REASON VCM_PS_NR_REASONS

static bool is_mmu_context(const struct vcm *vcm)
{
	return vcm->driver->res == vcm_mmu_vcm_driver.res;
}

static bool driver_has(const unsigned char *orders, unsigned order)
{
	if (order == 0)
		return true;	/* the terminator: 4 KiB pages always */
	for (; *orders; orders++)
		if (*orders == order)
			return true;
	return false;
}

const char *vcm_ps_size_name(unsigned size)
{
	return size_names[size];
}

const char *vcm_ps_reason_name(unsigned reason)
{
	return reason < VCM_PS_NR_REASONS ? reason_names[reason] : "";
}

/* One page as the walk cuts it. */
struct ps_page {
	uint64_t dva, pa;
	unsigned size;		/* enum vcm_page_size */
	unsigned reason;	/* enum vcm_ps_reason, or NO_REASON */
};

struct ps_walk {
	const unsigned char *orders;
	struct vcm_pagesize_counts *c;
	struct vcm_ps_run run;
	vcm_ps_run_fn fn;
	void *priv;
};

/* The largest driver order that @dva, @pa and @left allow, as a size index. */
static unsigned page_for(const unsigned char *orders, uint64_t dva, uint64_t pa, uint64_t left)
{
	unsigned s;

	for (s = 0; s < VCM_PS_NR_SIZES; s++) {
		uint64_t bytes = VCM_ORDER_BYTES(hw_orders[s]);

		if (driver_has(orders, hw_orders[s]) && VCM_IS_ALIGNED(dva | pa, bytes) &&
		    left >= bytes)
			return s;
	}
	return VCM_PS_4K;
}

/* Where the bound bytes of a reservation lie, and the part being cut. */
struct ps_span {
	uint64_t run_start, run_end;	/* DVA of the bound bytes */
	uint64_t part_dva, part_pa, part_end;	/* the part: DVA, PA, DVA end */
};

/*
 * Why the page is not of the next size up, B.  The B-aligned block of DVA
 * holding the page must lie in the bound bytes, else there was no room
 * (NO_REASON: a head or tail).  Then: the driver does not use B; the part
 * does not cover the block (the memory is fragmented); or DVA and PA of
 * the part disagree modulo B: the DVA is blamed when the part's PA is
 * B-aligned, the PA otherwise.
 */
static unsigned why_smaller(const unsigned char *orders, const struct ps_page *p,
			    const struct ps_span *sp)
{
	uint64_t bigger, block;

	if (p->size == VCM_PS_1M)
		return NO_REASON;
	bigger = VCM_ORDER_BYTES(hw_orders[p->size - 1]);
	block = p->dva & ~(bigger - 1);
	if (block < sp->run_start || block + bigger > sp->run_end)
		return NO_REASON;
	if (!driver_has(orders, hw_orders[p->size - 1]))
		return VCM_PS_DRIVER_ORDERS;
	if (block < sp->part_dva || block + bigger > sp->part_end)
		return VCM_PS_PART_TOO_SMALL;
	if (VCM_IS_ALIGNED((p->dva ^ p->pa), bigger))
		return NO_REASON;
	return VCM_IS_ALIGNED(sp->part_pa, bigger) ? VCM_PS_DVA_MISALIGNED : VCM_PS_PA_MISALIGNED;
}

static void run_flush(struct ps_walk *w)
{
	if (w->run.n && w->fn)
		w->fn(&w->run, w->priv);
}

static void page_add(struct ps_walk *w, const struct ps_page *p)
{
	struct vcm_ps_run *r = &w->run;
	uint64_t bytes = VCM_ORDER_BYTES(hw_orders[p->size]);

	w->c->pages[p->size]++;
	if (p->reason != NO_REASON)
		w->c->smaller[p->reason]++;
	if (r->n && r->size == p->size && r->reason == p->reason && r->dva + r->bytes == p->dva) {
		r->n++;
		r->bytes += bytes;
		return;
	}
	run_flush(w);
	r->dva = p->dva;
	r->pa = p->pa;
	r->size = p->size;
	r->reason = p->reason;
	r->n = 1;
	r->bytes = bytes;
}

/* The fewest pages @bytes can take. */
static unsigned long best_pages(uint64_t bytes)
{
	unsigned long n = 0;
	unsigned s;

	for (s = 0; s < VCM_PS_NR_SIZES; s++) {
		uint64_t size = VCM_ORDER_BYTES(hw_orders[s]);

		n += (unsigned long)(bytes / size);
		bytes %= size;
	}
	return n + (bytes != 0);
}

static void walk_phys(struct ps_walk *w, uint64_t dva, const struct vcm_phys *phys)
{
	w->run.n = 0;
	struct ps_span sp = { .run_start = dva, .run_end = dva + phys->size };
	unsigned i;

	for (i = 0; i < phys->count; i++) {
		uint64_t pa = phys->parts[i].start, left = phys->parts[i].size;

		sp.part_dva = dva;
		sp.part_pa = pa;
		sp.part_end = dva + left;
		while (left) {
			struct ps_page p = { .dva = dva, .pa = pa };
			uint64_t bytes;

			p.size = page_for(w->orders, dva, pa, left);
			p.reason = why_smaller(w->orders, &p, &sp);
			page_add(w, &p);
			bytes = VCM_ORDER_BYTES(hw_orders[p.size]);
			dva += bytes;
			pa += bytes;
			left -= bytes;
		}
	}
	run_flush(w);
}

static unsigned long total_pages(const struct vcm_pagesize_counts *c)
{
	return c->pages[VCM_PS_1M] + c->pages[VCM_PS_64K] + c->pages[VCM_PS_4K];
}

static void print_counts(FILE *out, const struct vcm_pagesize_counts *c)
{
	fprintf(out, "1M x%lu, 64K x%lu, 4K x%lu = %lu TLB entries (best %lu)",
		c->pages[VCM_PS_1M], c->pages[VCM_PS_64K], c->pages[VCM_PS_4K],
		total_pages(c), c->best);
}

/* A report line for each run of pages smaller than the buffer allows. */
static void print_run(const struct vcm_ps_run *r, void *priv)
{
	if (r->reason == NO_REASON)
		return;
	fprintf(priv, "    dva 0x%08llx-0x%08llx pa 0x%08llx: %lu x %s, %s\n",
		(unsigned long long)r->dva, (unsigned long long)(r->dva + r->bytes - 1),
		(unsigned long long)r->pa, r->n, size_names[r->size], reason_names[r->reason]);
}

void vcm_ps_walk(struct vcm *vcm, struct vcm_res *res, struct vcm_pagesize_counts *c,
		 vcm_ps_run_fn fn, void *priv)
{
	struct vcm_pagesize_counts local;
	struct ps_walk w = { .c = c ? c : &local, .fn = fn, .priv = priv };

	memset(w.c, 0, sizeof(*w.c));
	w.orders = vcm_to_mmu(vcm)->driver->orders;
	if (!res->phys) {
		w.c->unbound = 1;
		return;
	}
	w.c->best = best_pages(res->phys->size);
	walk_phys(&w, res->start, res->phys);
}

/* One reservation, the context's lock held. */
static void res_locked(struct vcm_res *res, struct vcm_pagesize_counts *c, FILE *out)
{
	vcm_ps_walk(res->vcm, res, c, NULL, NULL);
	if (!out)
		return;
	fprintf(out, "  res 0x%08llx+0x%llx: ", (unsigned long long)res->start,
		(unsigned long long)res->res_size);
	if (!res->phys) {
		fprintf(out, "not bound, no pages\n");
		return;
	}
	print_counts(out, c);
	fprintf(out, "\n");
	vcm_ps_walk(res->vcm, res, NULL, print_run, out);
}

static int check_context(const struct vcm *vcm)
{
	if (!vcm_valid(vcm))
		return -EINVAL;
	return is_mmu_context(vcm) ? 0 : -EOPNOTSUPP;
}

VCM_EXPORT int vcm_res_pagesize(struct vcm_res *res, struct vcm_pagesize_counts *c, FILE *out)
{
	struct vcm_pagesize_counts local;
	int ret;

	if (!vcm_res_valid(res))
		return -EINVAL;
	ret = check_context(res->vcm);
	if (ret)
		return ret;
	vcm_lock(res->vcm);
	res_locked(res, c ? c : &local, out);
	vcm_unlock(res->vcm);
	return 0;
}

static void counts_add(struct vcm_pagesize_counts *sum, const struct vcm_pagesize_counts *c)
{
	unsigned i;

	for (i = 0; i < VCM_PS_NR_SIZES; i++)
		sum->pages[i] += c->pages[i];
	for (i = 0; i < VCM_PS_NR_REASONS; i++)
		sum->smaller[i] += c->smaller[i];
	sum->best += c->best;
	sum->unbound += c->unbound;
}

static void print_context(FILE *out, const struct vcm *vcm, const struct vcm_pagesize_counts *c)
{
	unsigned i;

	fprintf(out, "context 0x%llx+0x%llx, %lu reservation(s), %lu unbound: ",
		(unsigned long long)vcm->start, (unsigned long long)vcm->size,
		vcm_core_nres(vcm_core(vcm)), c->unbound);
	print_counts(out, c);
	fprintf(out, "\n  smaller pages than the buffers allow:");
	for (i = 0; i < VCM_PS_NR_REASONS; i++)
		fprintf(out, " %s %lu%s", reason_names[i], c->smaller[i],
			i + 1 < VCM_PS_NR_REASONS ? "," : "\n");
}

VCM_EXPORT int vcm_pagesize_report(struct vcm *vcm, struct vcm_pagesize_counts *c, FILE *out)
{
	struct vcm_res_iter it;
	struct vcm_pagesize_counts sum, one;
	struct vcm_res *res;
	int ret = check_context(vcm);

	if (ret)
		return ret;
	memset(&sum, 0, sizeof(sum));
	vcm_lock(vcm);
	vcm_core_for_each_res(res, it, vcm_core(vcm)) {
		res_locked(res, &one, NULL);
		counts_add(&sum, &one);
	}
	if (out) {
		print_context(out, vcm, &sum);
		vcm_core_for_each_res(res, it, vcm_core(vcm))
			res_locked(res, &one, out);
	}
	vcm_unlock(vcm);
	if (c)
		*c = sum;
	return 0;
}

/* ---- the SoC's free memory ---- */

static void print_free(FILE *out, struct vcm_soc *soc, const uint64_t *blocks, int largest)
{
	unsigned order, s;

	fprintf(out, "SoC free memory: %llu of %llu KiB; free blocks by order (0..%u):",
		(unsigned long long)(vcm_soc_free_bytes(soc) >> 10),
		(unsigned long long)(vcm_soc_total_bytes(soc) >> 10), VCM_SOC_MAX_ORDER);
	for (order = 0; order <= VCM_SOC_MAX_ORDER; order++)
		fprintf(out, " %llu", (unsigned long long)blocks[order]);
	fprintf(out, "\n");
	for (s = 0; s < VCM_PS_NR_SIZES; s++) {
		if (largest >= (int)hw_orders[s])
			fprintf(out, "  a %s block can be had\n", size_names[s]);
		else if (largest >= 0)
			fprintf(out, "  a %s block cannot be had: largest free order %d (%llu KiB)\n",
				size_names[s], largest,
				(unsigned long long)(VCM_ORDER_BYTES((unsigned)largest) >> 10));
		else
			fprintf(out, "  a %s block cannot be had: no free page\n", size_names[s]);
	}
}

VCM_EXPORT int vcm_soc_free_report(struct vcm_soc *soc, FILE *out)
{
	uint64_t blocks[VCM_SOC_MAX_ORDER + 1];
	int order, largest = -1;

	if (vcm_is_err_or_null(soc))
		return -EINVAL;
	vcm_soc_free_orders(soc, blocks);
	for (order = VCM_SOC_MAX_ORDER; order >= 0 && largest < 0; order--)
		if (blocks[order])
			largest = order;
	if (out)
		print_free(out, soc, blocks, largest);
	return largest >= 0 ? largest : -ENOMEM;
}
