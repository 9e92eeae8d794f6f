/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * harness.c - runs the fuzzer's operations against libvcm: for each one the
 * model says what must happen (return value, warnings, new state), the
 * call is made, and the outcome compared; then model.c checks the whole
 * state.  Also the harness' life cycle and the resolution of raw
 * operations into literal ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness.h"

/* ---- small helpers ---- */

/* Outcome counts per operation, over every harness of the process. */
#define FZ_NERRNO 160
static struct {
	unsigned long runs, errors, warned;
	unsigned long by_errno[FZ_NERRNO];
} stats[FZ_NCODES];
static long last_ret;
static unsigned long last_warns;

void fz_print_stats(FILE *out)
{
	unsigned i;

	unsigned e;

	fprintf(out, "%-16s %8s %8s %8s  errors by errno\n", "operation", "run", "failed",
		"warned");
	for (i = 1; i < FZ_NCODES; i++) {
		if (!stats[i].runs)
			continue;
		fprintf(out, "%-16s %8lu %8lu %8lu ", fz_op_name(i), stats[i].runs,
			stats[i].errors, stats[i].warned);
		for (e = 1; e < FZ_NERRNO; e++)
			if (stats[i].by_errno[e])
				fprintf(out, " %s:%lu", strerrorname_np((int)e), stats[i].by_errno[e]);
		fprintf(out, "\n");
	}
}

enum fz_fail fz_nop(struct fz_op *op)
{
	op->code = FZ_NOP;
	return FZ_OK;
}

enum fz_fail fz_ret_is(struct fz_harness *h, const struct fz_op *op, long got, long want)
{
	char line[200];

	last_ret = got;
	if (got == want)
		return FZ_OK;
	fz_op_format(op, line, sizeof(line));
	return fz_fail(h, FZ_F_ERRNO, "%s: returned %ld, model expects %ld", line, got, want);
}

enum fz_fail fz_warns_are(struct fz_harness *h, const struct fz_op *op, unsigned long w0,
			      unsigned long want)
{
	unsigned long got = vcm_warn_count() - w0;
	char line[200];

	last_warns = got;
	if (got == want)
		return FZ_OK;
	fz_op_format(op, line, sizeof(line));
	return fz_fail(h, FZ_F_WARN, "%s: %lu warning(s), model expects %lu (last: %s)", line, got,
		       want, h->last_warn);
}

long fz_ptr_ret(const void *p)
{
	return vcm_is_err(p) ? vcm_ptr_err(p) : 0;
}

static bool ctx_live(const struct fz_harness *h, unsigned c)
{
	return c < FZ_NCTX && h->ctx[c].live;
}

static bool res_live(const struct fz_harness *h, unsigned r)
{
	return r < FZ_NRES && h->res[r].live;
}

/* A reservation the fuzzer may unbind or give back (not a userptr's). */
static bool res_mine(const struct fz_harness *h, unsigned r)
{
	return res_live(h, r) && h->res[r].up < 0;
}

static bool phys_live(const struct fz_harness *h, unsigned p)
{
	return p < FZ_NPHYS && h->phys[p].live;
}

bool fz_kind_available(enum fz_kind kind)
{
	return kind < FZ_NKINDS;
}

static const struct fz_backend *backend_of(enum fz_kind kind)
{
	switch (kind) {
	case FZ_K_SOFT:
		return &fz_soft_backend;
	case FZ_K_O2O:
		return &fz_o2o_backend;
	case FZ_K_VMM:
		return &fz_vmm_backend;
	case FZ_K_IOMMU:
		return &fz_iommu_backend;
	case FZ_K_S5P:
		return &fz_s5p_backend;
	default:
		return NULL;
	}
}

/* ---- model updates ---- */

void fz_model_bind(struct fz_harness *h, int r, int p)
{
	h->res[r].phys = p;
	h->phys[p].bindings++;
	h->touched_res |= 1u << r;
	h->touched_phys |= 1u << p;
}

int fz_model_unbind(struct fz_harness *h, int r)
{
	int p = h->res[r].phys;

	h->phys[p].bindings--;
	h->res[r].phys = -1;
	h->touched_res |= 1u << r;
	h->touched_phys |= 1u << p;
	return p;
}

void fz_model_drop_res(struct fz_harness *h, int r)
{
	struct fz_res *res = &h->res[r];

	if (res->phys >= 0)
		fz_model_unbind(h, r);
	if (h->ctx[res->ctx].live && h->ngone < FZ_NRES + 2) {
		h->gone[h->ngone].ctx = res->ctx;
		h->gone[h->ngone].start = res->start;
		h->gone[h->ngone++].size = res->size;
	}
	res->live = false;
	h->touched_res &= ~(1u << r);
}

void fz_model_drop_phys(struct fz_harness *h, int p)
{
	struct fz_phys *ph = &h->phys[p];

	free(ph->parts);
	if (ph->own_shadow)
		free(ph->shadow);
	memset(ph, 0, sizeof(*ph));
	h->touched_phys &= ~(1u << p);
}

/* Take a new phys into the model; fresh memory gets a known pattern. */
void fz_model_add_phys(struct fz_harness *h, int slot, struct vcm_phys *phys, int origin)
{
	struct fz_phys *p = &h->phys[slot];

	memset(p, 0, sizeof(*p));
	p->live = true;
	p->phys = phys;
	p->origin = origin;
	p->up = -1;
	p->size = phys->size;
	p->count = phys->count;
	p->parts = malloc(phys->count * sizeof(p->parts[0]));
	if (!p->parts)
		abort();
	memcpy(p->parts, phys->parts, phys->count * sizeof(p->parts[0]));
	h->touched_phys |= 1u << slot;
}

void fz_model_own_shadow(struct fz_harness *h, int slot)
{
	struct fz_phys *p = &h->phys[slot];

	p->own_shadow = true;
	p->shadow = malloc(p->size);
	if (!p->shadow)
		abort();
	fz_fill(p->shadow, p->size, (uint32_t)h->steps ^ 0x5a5a0000u);
	fz_phys_cpu_write(h, p, 0, p->shadow, p->size);
}

void fz_model_add_res(struct fz_harness *h, int slot, struct vcm_res *res, int ctx,
			  vcm_size_t size)
{
	struct fz_res *r = &h->res[slot];

	memset(r, 0, sizeof(*r));
	r->live = true;
	r->res = res;
	r->ctx = ctx;
	r->phys = -1;
	r->up = -1;
	r->start = res->start;
	r->size = size;
	h->touched_res |= 1u << slot;
}

/* Pages the soft MMU would be asked to map for @p at @dva. */
unsigned long fz_pages_at(struct fz_harness *h, int ctx, int p, vcm_addr_t dva)
{
	return fz_cut(&h->phys[p], dva, h->ctx[ctx].be->orders, NULL, NULL);
}

/* Does mapping @pages pages now hit an armed page failure?  Updates the
 * model's countdown as the driver's must go. */
bool fz_soft_fails(struct fz_ctx *c, unsigned long pages)
{
	if (c->kind != FZ_K_SOFT || !c->fail_countdown)
		return false;
	if (c->fail_countdown <= pages) {
		c->fail_countdown = 0;
		return true;
	}
	c->fail_countdown -= (unsigned)pages;
	return false;
}

/* Could mapping @bytes into @c now run out of SoC pages for level-2
 * tables?  Then -ENOMEM is a right answer too. */
bool fz_pt_may_fail(struct fz_harness *h, const struct fz_ctx *c, vcm_size_t bytes)
{
	vcm_size_t slack = (bytes / (1ULL << 20) + 2) * FZ_PAGE;

	return c->be->pt_bytes && vcm_soc_free_bytes(h->soc) < slack;
}

/* ---- the operations ---- */

/* Could a new 16 KiB level-1 table fail to find room?  (Only pages the
 * model places are seen by fz_contig_fits(); tables are not, so leave some
 * margin.) */
static bool table_may_fail(struct fz_harness *h)
{
	return vcm_soc_free_bytes(h->soc) < (1ULL << 20) || !fz_contig_fits(h, 16 * 1024);
}

static enum fz_fail op_create(struct fz_harness *h, struct fz_op *op)
{
	struct fz_ctx *c;
	unsigned long w0;
	bool tight;
	int ret;

	if (op->c >= FZ_NCTX || h->ctx[op->c].live || !fz_kind_available(op->kind))
		return fz_nop(op);
	c = &h->ctx[op->c];
	memset(c, 0, sizeof(*c));
	c->kind = op->kind;
	c->be = backend_of(op->kind);
	w0 = vcm_warn_count();
	tight = c->be->pt_bytes && table_may_fail(h);
	ret = c->be->create(h, c);
	if (ret)
		return fz_ret_is(h, op, ret, tight ? -ENOMEM : 0);
	c->live = true;
	if (h->cfg.guard_pages && c->be->has_mmu) {
		c->guard = (vcm_size_t)h->cfg.guard_pages * FZ_PAGE;
		if (fz_ret_is(h, op, vcm_set_guard(c->vcm, c->guard), 0))
			return h->failed;
	}
	return fz_warns_are(h, op, w0, 0);
}

static bool ctx_has_dependants(const struct fz_harness *h, unsigned c)
{
	unsigned i;

	if (h->ctx[c].up_count)
		return true;
	for (i = 0; i < FZ_NPHYS; i++)
		if (h->phys[i].live && h->phys[i].origin == (int)c)
			return true;
	return false;
}

/* vcm_destroy(): warns if active and if reservations are left; takes them
 * down (their phys stay, one binding fewer). */
static enum fz_fail op_destroy(struct fz_harness *h, struct fz_op *op)
{
	struct fz_ctx *c;
	unsigned long w0, want = 0;
	bool any = false;
	unsigned i;

	/* A phys of a one-to-one context must not outlive it; nor a userptr. */
	if (!ctx_live(h, op->c) || ctx_has_dependants(h, op->c))
		return fz_nop(op);
	c = &h->ctx[op->c];
	for (i = 0; i < FZ_NRES; i++)
		any |= h->res[i].live && h->res[i].ctx == op->c;
	want = (c->active > 0) + any;
	w0 = vcm_warn_count();
	vcm_destroy(c->vcm);
	for (i = 0; i < FZ_NRES; i++)
		if (h->res[i].live && h->res[i].ctx == op->c)
			fz_model_drop_res(h, (int)i);
	if (c->be->destroyed)
		c->be->destroyed(h, c);
	c->live = false;
	h->ngone = 0;
	return fz_warns_are(h, op, w0, want);
}

static enum fz_fail op_reserve(struct fz_harness *h, struct fz_op *op)
{
	struct fz_ctx *c;
	struct vcm_res *res;
	vcm_size_t size = 0;
	unsigned long w0;
	long want;
	bool either = false;

	if (op->r >= FZ_NRES || h->res[op->r].live || !ctx_live(h, op->c))
		return fz_nop(op);
	c = &h->ctx[op->c];
	if (!fz_round(op->size, &size))
		want = -EINVAL;
	else if (c->kind == FZ_K_O2O)
		want = -EOPNOTSUPP;
	else if (c->be->has_mmu)
		want = fz_dva_fits(h, op->c, size) ? 0 : -ENOSPC;
	else if (size >= 1ULL << 47)
		want = -ENOSPC;
	else
		want = 0, either = size > 1ULL << 32;
	w0 = vcm_warn_count();
	res = vcm_reserve(c->vcm, op->size, 0);
	if (either && vcm_is_err(res))
		want = fz_ptr_ret(res);
	if (fz_ret_is(h, op, fz_ptr_ret(res), want) || fz_warns_are(h, op, w0, 0))
		return h->failed;
	if (vcm_is_err(res))
		return FZ_OK;
	fz_model_add_res(h, op->r, res, op->c, size);
	return fz_check_new_res(h, &h->res[op->r]);
}

static enum fz_fail op_unreserve(struct fz_harness *h, struct fz_op *op)
{
	unsigned long w0;
	bool bound;

	if (!res_mine(h, op->r))
		return fz_nop(op);
	bound = h->res[op->r].phys >= 0;
	w0 = vcm_warn_count();
	vcm_unreserve(h->res[op->r].res);
	fz_model_drop_res(h, op->r);
	return fz_warns_are(h, op, w0, bound);
}

/* What vcm_alloc() / the phys op must return for @size on @c; *either:
 * success and -ENOMEM are both right (fragmentation the model cannot see). */
static long alloc_expect(struct fz_harness *h, struct fz_ctx *c, vcm_size_t raw, bool *either)
{
	vcm_size_t size, free_now = vcm_soc_free_bytes(h->soc);

	*either = false;
	if (!fz_round(raw, &size))
		return -EINVAL;
	if (c->kind == FZ_K_O2O) {
		if (size > FZ_PAGE << VCM_SOC_MAX_ORDER)
			return -EINVAL;
		if (size > free_now)
			return -ENOMEM;
		if (!fz_knows_all_pages(h)) {
			*either = true;
			return 0;
		}
		return fz_contig_fits(h, size) ? 0 : -ENOMEM;
	}
	return size <= free_now ? 0 : -ENOMEM;
}

static enum fz_fail op_alloc(struct fz_harness *h, struct fz_op *op)
{
	struct vcm_phys *phys;
	struct fz_ctx *c;
	unsigned long w0;
	bool either;
	long want;

	if (op->p >= FZ_NPHYS || h->phys[op->p].live || !ctx_live(h, op->c))
		return fz_nop(op);
	c = &h->ctx[op->c];
	want = alloc_expect(h, c, op->size, &either);
	w0 = vcm_warn_count();
	phys = vcm_alloc(c->vcm, op->size, 0);
	if (either && fz_ptr_ret(phys) == -ENOMEM)
		want = -ENOMEM;
	if (fz_ret_is(h, op, fz_ptr_ret(phys), want) || fz_warns_are(h, op, w0, 0))
		return h->failed;
	if (vcm_is_err(phys))
		return FZ_OK;
	fz_model_add_phys(h, op->p, phys, c->kind == FZ_K_O2O ? op->c : -1);
	if (fz_check_new_phys(h, &h->phys[op->p], c->be->orders, phys->size, 0))
		return h->failed;
	fz_model_own_shadow(h, op->p);
	return FZ_OK;
}

static enum fz_fail op_free(struct fz_harness *h, struct fz_op *op)
{
	unsigned long w0;
	bool bound;

	if (!phys_live(h, op->p) || h->phys[op->p].up >= 0)
		return fz_nop(op);
	bound = h->phys[op->p].bindings > 0;
	w0 = vcm_warn_count();
	vcm_free(h->phys[op->p].phys);
	if (!bound)
		fz_model_drop_phys(h, op->p);
	return fz_warns_are(h, op, w0, bound);
}

/* The driver-level answer of binding @p behind @r (the core's checks
 * passed). */
static long bind_expect(struct fz_harness *h, int r, int p)
{
	struct fz_res *res = &h->res[r];
	struct fz_ctx *c = &h->ctx[res->ctx];
	struct fz_phys *ph = &h->phys[p];

	switch (c->kind) {
	case FZ_K_O2O:
		return fz_phys_contiguous(ph) && ph->parts[0].start == res->start ? 0 : -EINVAL;
	case FZ_K_VMM:
		return ph->user ? -EOPNOTSUPP : 0;
	default:
		if (c->active && fz_soft_fails(c, fz_pages_at(h, res->ctx, p, res->start)))
			return -EIO;
		return 0;
	}
}

static enum fz_fail op_bind(struct fz_harness *h, struct fz_op *op)
{
	struct fz_res *r;
	unsigned long w0;
	bool tight;
	long want;
	int ret;

	if (!res_live(h, op->r) || !phys_live(h, op->p))
		return fz_nop(op);
	r = &h->res[op->r];
	if (r->phys == op->p)
		want = -EALREADY;
	else if (r->phys >= 0)
		want = -EADDRINUSE;
	else if (h->phys[op->p].size > r->size)
		want = -ENOSPC;
	else
		want = bind_expect(h, op->r, op->p);
	tight = !want && h->ctx[r->ctx].active &&
		fz_pt_may_fail(h, &h->ctx[r->ctx], h->phys[op->p].size);
	w0 = vcm_warn_count();
	ret = vcm_bind(r->res, h->phys[op->p].phys);
	if (tight && ret == -ENOMEM)
		want = ret;
	if (fz_ret_is(h, op, ret, want) || fz_warns_are(h, op, w0, 0))
		return h->failed;
	if (!ret)
		fz_model_bind(h, op->r, op->p);
	h->touched_res |= 1u << op->r;
	return FZ_OK;
}

static enum fz_fail op_unbind(struct fz_harness *h, struct fz_op *op)
{
	struct vcm_phys *got, *want = NULL;
	unsigned long w0;
	struct fz_res *r;

	if (!res_mine(h, op->r))
		return fz_nop(op);
	r = &h->res[op->r];
	if (r->phys >= 0)
		want = h->phys[r->phys].phys;
	w0 = vcm_warn_count();
	got = vcm_unbind(r->res);
	if (got != want) {
		char line[200];

		fz_op_format(op, line, sizeof(line));
		return fz_fail(h, FZ_F_ERRNO, "%s: returned phys %p, model %p", line, (void *)got,
			       (void *)want);
	}
	if (want)
		fz_model_unbind(h, op->r);
	return fz_warns_are(h, op, w0, !want);
}

/*
 * vcm_map() of @p on @c: what it must return.  *either: success and the
 * returned error are both right (a soft page failure armed while the DVA,
 * which decides the page count, is not known yet).
 */
static long map_expect(struct fz_harness *h, int ctx, int p, bool *either)
{
	struct fz_ctx *c = &h->ctx[ctx];
	struct fz_phys *ph = &h->phys[p];

	*either = false;
	switch (c->kind) {
	case FZ_K_O2O:
		return fz_phys_contiguous(ph) ? 0 : -EINVAL;
	case FZ_K_VMM:
		return ph->user ? -EOPNOTSUPP : 0;
	default:
		if (!fz_dva_fits(h, ctx, ph->size))
			return -ENOSPC;
		*either = c->active && ((c->kind == FZ_K_SOFT && c->fail_countdown) ||
					fz_pt_may_fail(h, c, ph->size));
		return 0;
	}
}

/* After a map or make that the model could not decide: the countdown. */
enum fz_fail fz_settle_countdown(struct fz_harness *h, struct fz_ctx *c, long ret, int r)
{
	if (c->kind != FZ_K_SOFT || !c->active || !c->fail_countdown)
		return FZ_OK;
	if (ret == -EIO) {
		c->fail_countdown = 0;
		return FZ_OK;
	}
	if (ret)
		return FZ_OK;
	if (fz_soft_fails(c, fz_pages_at(h, h->res[r].ctx, h->res[r].phys, h->res[r].start)))
		return fz_fail(h, FZ_F_DRIVER, "r%d: mapped although a page failure was armed", r);
	return FZ_OK;
}

static enum fz_fail op_map(struct fz_harness *h, struct fz_op *op)
{
	struct vcm_res *res;
	struct fz_ctx *c;
	unsigned long w0;
	bool either;
	long want;

	if (op->r >= FZ_NRES || h->res[op->r].live || !ctx_live(h, op->c) ||
	    !phys_live(h, op->p))
		return fz_nop(op);
	c = &h->ctx[op->c];
	want = map_expect(h, op->c, op->p, &either);
	w0 = vcm_warn_count();
	res = vcm_map(c->vcm, h->phys[op->p].phys, 0);
	if (either && (fz_ptr_ret(res) == -EIO || fz_ptr_ret(res) == -ENOMEM))
		want = fz_ptr_ret(res);
	if (fz_ret_is(h, op, fz_ptr_ret(res), want) || fz_warns_are(h, op, w0, 0))
		return h->failed;
	if (vcm_is_err(res))
		return fz_settle_countdown(h, c, fz_ptr_ret(res), -1);
	fz_model_add_res(h, op->r, res, op->c, h->phys[op->p].size);
	fz_model_bind(h, op->r, op->p);
	if (fz_check_new_res(h, &h->res[op->r]))
		return h->failed;
	if (either)
		return fz_settle_countdown(h, c, 0, op->r);
	return FZ_OK;
}

static enum fz_fail op_unmap(struct fz_harness *h, struct fz_op *op)
{
	unsigned long w0;

	if (!res_mine(h, op->r))
		return fz_nop(op);
	w0 = vcm_warn_count();
	vcm_unmap(h->res[op->r].res);
	fz_model_drop_res(h, op->r);
	return fz_warns_are(h, op, w0, 0);
}

/* vcm_make_binding(): the allocation's answer, then the mapping's (where
 * DVA room and the armed page failure are decided on the allocated phys,
 * which the model only sees afterwards). */
static enum fz_fail op_make(struct fz_harness *h, struct fz_op *op)
{
	struct vcm_res *res;
	struct fz_ctx *c;
	vcm_size_t size = 0;
	unsigned long w0;
	bool either;
	long want, got;

	if (op->r >= FZ_NRES || h->res[op->r].live || op->p >= FZ_NPHYS ||
	    h->phys[op->p].live || !ctx_live(h, op->c))
		return fz_nop(op);
	c = &h->ctx[op->c];
	/* As the kernel: a size that is not whole pages is refused, warned. */
	if (op->size % FZ_PAGE) {
		w0 = vcm_warn_count();
		got = fz_ptr_ret(vcm_make_binding(c->vcm, op->size, 0, 0));
		if (fz_ret_is(h, op, got, -EINVAL) || fz_warns_are(h, op, w0, 1))
			return h->failed;
		return FZ_OK;
	}
	want = alloc_expect(h, c, op->size, &either);
	if (!want && c->be->has_mmu) {
		fz_round(op->size, &size);
		if (!fz_dva_fits(h, op->c, size))
			want = -ENOSPC;
		else
			either |= c->active && ((c->kind == FZ_K_SOFT && c->fail_countdown) ||
						fz_pt_may_fail(h, c, 2 * size));
	}
	w0 = vcm_warn_count();
	res = vcm_make_binding(c->vcm, op->size, 0, 0);
	got = fz_ptr_ret(res);
	if (either && (got == -ENOMEM || got == -EIO))
		want = got;
	if (fz_ret_is(h, op, got, want) || fz_warns_are(h, op, w0, 0))
		return h->failed;
	if (vcm_is_err(res))
		return fz_settle_countdown(h, c, got, -1);
	fz_model_add_phys(h, op->p, res->phys, c->kind == FZ_K_O2O ? op->c : -1);
	if (fz_check_new_phys(h, &h->phys[op->p], c->be->orders, res->phys->size, 1))
		return h->failed;
	fz_model_own_shadow(h, op->p);
	fz_model_add_res(h, op->r, res, op->c, res->phys->size);
	fz_model_bind(h, op->r, op->p);
	if (fz_check_new_res(h, &h->res[op->r]))
		return h->failed;
	return fz_settle_countdown(h, c, 0, op->r);
}

/* vcm_destroy_binding(): unbind, unreserve, free the phys unless it is
 * bound elsewhere (then the free's warning); nothing bound: a warning. */
static enum fz_fail op_destroy_binding(struct fz_harness *h, struct fz_op *op)
{
	unsigned long w0, want;
	int p;

	if (!res_mine(h, op->r))
		return fz_nop(op);
	p = h->res[op->r].phys;
	want = p < 0 || h->phys[p].bindings > 1;
	w0 = vcm_warn_count();
	vcm_destroy_binding(h->res[op->r].res);
	fz_model_drop_res(h, op->r);
	if (p >= 0 && !h->phys[p].bindings)
		fz_model_drop_phys(h, p);
	return fz_warns_are(h, op, w0, want);
}

static enum fz_fail op_activate(struct fz_harness *h, struct fz_op *op)
{
	struct fz_ctx *c;
	unsigned long w0, pages = 0;
	vcm_size_t bytes = 0;
	bool tight = false;
	long want = 0;
	unsigned i;
	int ret;

	if (!ctx_live(h, op->c))
		return fz_nop(op);
	c = &h->ctx[op->c];
	if (!c->active) {
		for (i = 0; i < FZ_NRES; i++) {
			if (!h->res[i].live || h->res[i].ctx != op->c || h->res[i].phys < 0)
				continue;
			bytes += h->phys[h->res[i].phys].size;
			if (c->kind == FZ_K_SOFT)
				pages += fz_pages_at(h, op->c, h->res[i].phys, h->res[i].start);
		}
		if (fz_soft_fails(c, pages))
			want = -EIO;
		tight = fz_pt_may_fail(h, c, bytes);
	}
	w0 = vcm_warn_count();
	ret = vcm_activate(c->vcm);
	if (tight && ret == -ENOMEM)
		want = ret;
	if (fz_ret_is(h, op, ret, want) || fz_warns_are(h, op, w0, 0))
		return h->failed;
	if (ret) {
		/* As the kernel, the failed activation is counted: the caller
		 * owes the deactivation, which leaves the context as before. */
		if (c->vcm->activations.counter != 1)
			return fz_fail(h, FZ_F_STATE, "c%u: %d activations after a failed first",
				       op->c, c->vcm->activations.counter);
		vcm_deactivate(c->vcm);
		if (fz_warns_are(h, op, w0, 0))
			return h->failed;
	} else {
		c->active++;
	}
	for (i = 0; i < FZ_NRES; i++)
		if (h->res[i].live && h->res[i].ctx == op->c)
			h->touched_res |= 1u << i;
	return FZ_OK;
}

static enum fz_fail op_deactivate(struct fz_harness *h, struct fz_op *op)
{
	struct fz_ctx *c;
	unsigned long w0;
	unsigned i;

	if (!ctx_live(h, op->c))
		return fz_nop(op);
	c = &h->ctx[op->c];
	w0 = vcm_warn_count();
	vcm_deactivate(c->vcm);
	if (fz_warns_are(h, op, w0, !c->active))
		return h->failed;
	if (c->active)
		c->active--;
	for (i = 0; i < FZ_NRES; i++)
		if (h->res[i].live && h->res[i].ctx == op->c)
			h->touched_res |= 1u << i;
	return FZ_OK;
}

/* May a device access [off, off+len) of @r be made at all?  Without an MMU
 * only the bound part exists (anything else is someone else's memory, or
 * for the CPU view not mapped at all). */
static bool access_ok(const struct fz_harness *h, const struct fz_res *r, uint64_t off,
		      uint64_t len)
{
	if (!len || off >= r->size || len > r->size - off)
		return false;
	if (h->ctx[r->ctx].be->has_mmu)
		return true;
	return r->phys >= 0 && off + len <= h->phys[r->phys].size;
}

/* Offset (from @off) where a device access of @len bytes must stop. */
static vcm_size_t reach_from(const struct fz_harness *h, const struct fz_res *r, vcm_size_t off,
			     vcm_size_t len)
{
	vcm_size_t reach = fz_reach(h, r);

	if (off >= reach)
		return 0;
	return reach - off < len ? reach - off : len;
}

/* After a faulting write: the reachable prefix [off, off+k) of the phys
 * holds either all the new bytes or all the old ones. */
static enum fz_fail settle_prefix(struct fz_harness *h, const struct fz_op *op, int p,
				  vcm_size_t off, const uint8_t *src, vcm_size_t k)
{
	struct fz_phys *ph = &h->phys[p];
	uint8_t *now = fz_scratch(h, k ? k : 1, 1);

	if (!k)
		return FZ_OK;
	fz_phys_cpu_read(h, ph, off, now, k);
	if (!memcmp(now, src, k)) {
		memcpy(ph->shadow + off, src, k);
		return FZ_OK;
	}
	if (!memcmp(now, ph->shadow + off, k))
		return FZ_OK;
	{
		char line[200];

		fz_op_format(op, line, sizeof(line));
		return fz_fail(h, FZ_F_BYTES, "%s: the %#llx bytes it could reach are neither all "
			       "old nor all new", line, (unsigned long long)k);
	}
}

static enum fz_fail op_write(struct fz_harness *h, struct fz_op *op)
{
	struct fz_res *r;
	struct fz_ctx *c;
	vcm_addr_t fault = 0;
	vcm_size_t k;
	uint8_t *buf;
	int ret;

	if (!res_live(h, op->r) || !access_ok(h, &h->res[op->r], op->off, op->len))
		return fz_nop(op);
	r = &h->res[op->r];
	c = &h->ctx[r->ctx];
	k = reach_from(h, r, op->off, op->len);
	buf = fz_scratch(h, op->len, 0);
	fz_fill(buf, op->len, op->seed);
	h->faulted = false;
	ret = c->be->access(h, c, r->start + op->off, buf, op->len, true, &fault);
	if (fz_ret_is(h, op, ret, k == op->len ? 0 : -EFAULT))
		return h->failed;
	if (ret && fault != r->start + op->off + k)
		return fz_fail(h, FZ_F_MAP, "write r%u: fault reported at %#llx, model %#llx", op->r,
			       (unsigned long long)fault,
			       (unsigned long long)(r->start + op->off + k));
	if (r->phys >= 0)
		h->touched_phys |= 1u << r->phys;
	if (!ret) {
		memcpy(h->phys[r->phys].shadow + op->off, buf, op->len);
		return FZ_OK;
	}
	return r->phys >= 0 ? settle_prefix(h, op, r->phys, op->off, buf, k) : FZ_OK;
}

static enum fz_fail op_read(struct fz_harness *h, struct fz_op *op)
{
	struct fz_res *r;
	struct fz_ctx *c;
	vcm_addr_t fault = 0;
	vcm_size_t k, i;
	uint8_t *buf, *want;
	int ret;

	if (!res_live(h, op->r) || !access_ok(h, &h->res[op->r], op->off, op->len))
		return fz_nop(op);
	r = &h->res[op->r];
	c = &h->ctx[r->ctx];
	k = reach_from(h, r, op->off, op->len);
	buf = fz_scratch(h, op->len, 0);
	ret = c->be->access(h, c, r->start + op->off, buf, op->len, false, &fault);
	if (fz_ret_is(h, op, ret, k == op->len ? 0 : -EFAULT))
		return h->failed;
	if (ret && fault != r->start + op->off + k)
		return fz_fail(h, FZ_F_MAP, "read r%u: fault reported at %#llx, model %#llx", op->r,
			       (unsigned long long)fault,
			       (unsigned long long)(r->start + op->off + k));
	if (ret)
		return FZ_OK;
	want = h->phys[r->phys].shadow + op->off;
	if (!memcmp(buf, want, op->len))
		return FZ_OK;
	for (i = 0; buf[i] == want[i]; i++)
		;
	return fz_fail(h, FZ_F_BYTES, "read r%u: %#x at dva %#llx, model %#x", op->r, buf[i],
		       (unsigned long long)(r->start + op->off + i), want[i]);
}

static bool dma_kind(enum fz_kind k)
{
	return k == FZ_K_IOMMU || k == FZ_K_S5P;
}

/* Device copy: a real vcm_dma_copy() between two System MMU contexts,
 * otherwise a read of the source and a write of the destination. */
static int do_copy(struct fz_harness *h, struct fz_res *dst, vcm_size_t doff, struct fz_res *src,
		   vcm_size_t soff, vcm_size_t len)
{
	struct fz_ctx *dc = &h->ctx[dst->ctx], *sc = &h->ctx[src->ctx];
	vcm_addr_t fault;
	uint8_t *tmp;
	int ret;

	if (dma_kind(dc->kind) && dma_kind(sc->kind))
		return fz_dma_copy(h, dc, dst->start + doff, sc, src->start + soff, len);
	tmp = fz_scratch(h, len, 1);
	ret = sc->be->access(h, sc, src->start + soff, tmp, len, false, &fault);
	if (!ret)
		ret = dc->be->access(h, dc, dst->start + doff, tmp, len, true, &fault);
	return ret;
}

/* Do [a+aoff, +len) and [b+boff, +len) share memory?  Only one phys with
 * itself, or two pins of one application buffer, can. */
static bool bytes_alias(const struct fz_harness *h, int a, vcm_size_t aoff, int b,
			vcm_size_t boff, vcm_size_t len)
{
	const struct fz_phys *pa = &h->phys[a], *pb = &h->phys[b];

	if (a != b) {
		if (!pa->user || !pb->user || pa->ubuf != pb->ubuf)
			return false;
		aoff += pa->uoff;
		boff += pb->uoff;
	}
	return aoff < boff + len && boff < aoff + len;
}

static enum fz_fail op_copy(struct fz_harness *h, struct fz_op *op)
{
	struct fz_res *dst, *src;
	vcm_size_t k, ks;
	uint8_t *want;
	int ret;

	if (!res_live(h, op->r) || !res_live(h, op->r2) ||
	    !access_ok(h, &h->res[op->r], op->off, op->len) ||
	    !access_ok(h, &h->res[op->r2], op->off2, op->len))
		return fz_nop(op);
	dst = &h->res[op->r];
	src = &h->res[op->r2];
	/* Overlapping copies have no defined result. */
	if (dst->phys >= 0 && src->phys >= 0 &&
	    bytes_alias(h, dst->phys, op->off, src->phys, op->off2, op->len))
		return fz_nop(op);
	k = reach_from(h, dst, op->off, op->len);
	ks = reach_from(h, src, op->off2, op->len);
	if (ks < k)
		k = ks;
	want = malloc(op->len);
	if (!want)
		abort();
	if (src->phys >= 0)
		memcpy(want, h->phys[src->phys].shadow + op->off2, k);
	ret = do_copy(h, dst, op->off, src, op->off2, op->len);
	if (!fz_ret_is(h, op, ret, k == op->len ? 0 : -EFAULT) && dst->phys >= 0) {
		h->touched_phys |= 1u << dst->phys;
		settle_prefix(h, op, dst->phys, op->off, want, k);
	}
	free(want);
	return h->failed;
}

static enum fz_fail op_cpu_write(struct fz_harness *h, struct fz_op *op)
{
	struct fz_phys *p;
	uint8_t *buf;

	if (!phys_live(h, op->p) || !op->len || op->off >= h->phys[op->p].size ||
	    op->len > h->phys[op->p].size - op->off)
		return fz_nop(op);
	p = &h->phys[op->p];
	buf = fz_scratch(h, op->len, 0);
	fz_fill(buf, op->len, op->seed);
	if (fz_ret_is(h, op, fz_phys_cpu_write(h, p, op->off, buf, op->len), 0))
		return h->failed;
	memcpy(p->shadow + op->off, buf, op->len);
	h->touched_phys |= 1u << op->p;
	return FZ_OK;
}

static enum fz_fail op_fail_page(struct fz_harness *h, struct fz_op *op)
{
	struct fz_ctx *c;

	if (!ctx_live(h, op->c) || h->ctx[op->c].kind != FZ_K_SOFT)
		return fz_nop(op);
	c = &h->ctx[op->c];
	c->fail_countdown = op->n;
	fz_soft_fail_after(c, op->n);
	return FZ_OK;
}

/* NULL and error pointers where objects belong: -EINVAL or a warning. */
static enum fz_fail op_badarg(struct fz_harness *h, struct fz_op *op)
{
	void *err = vcm_err_ptr(-ENOMEM);
	unsigned long w0 = vcm_warn_count();
	long ret = 0, want = 0;
	unsigned long warns = 0;

	switch (op->n % 14) {
	case 0: ret = vcm_unbind(NULL) != NULL; warns = 1; break;
	case 1: vcm_free(NULL); warns = 1; break;
	case 2: ret = vcm_bind(NULL, NULL); want = -EINVAL; break;
	case 3: vcm_deactivate(NULL); warns = 1; break;
	case 4: vcm_unreserve(err); warns = 1; break;
	case 5: ret = vcm_activate(err); want = -EINVAL; break;
	case 6: ret = fz_ptr_ret(vcm_reserve(NULL, FZ_PAGE, 0)); want = -EINVAL; break;
	case 7: ret = fz_ptr_ret(vcm_map(err, NULL, 0)); want = -EINVAL; break;
	case 8: vcm_unmap(NULL); warns = 1; break;
	case 9: vcm_destroy_binding(err); warns = 1; break;
	case 10: vcm_destroy(NULL); warns = 1; break;
	case 11: ret = fz_ptr_ret(vcm_alloc(NULL, FZ_PAGE, 0)); want = -EINVAL; break;
	case 12: ret = fz_ptr_ret(vcm_make_binding(err, FZ_PAGE, 0, 0)); want = -EINVAL; break;
	default: vcm_free(err); warns = 1; break;
	}
	if (fz_ret_is(h, op, ret, want))
		return h->failed;
	return fz_warns_are(h, op, w0, warns);
}

static enum fz_fail op_user_write(struct fz_harness *h, struct fz_op *op)
{
	struct fz_ubuf *u;

	if (op->b >= FZ_NUBUF || !h->ubuf[op->b].mem || !op->len || op->off >= FZ_UBUF_SIZE ||
	    op->len > FZ_UBUF_SIZE - op->off)
		return fz_nop(op);
	u = &h->ubuf[op->b];
	fz_fill(u->shadow + op->off, op->len, op->seed);
	memcpy(u->mem + op->off, u->shadow + op->off, op->len);
	return FZ_OK;
}

typedef enum fz_fail (*op_fn)(struct fz_harness *h, struct fz_op *op);

static const op_fn op_table[FZ_NCODES] = {
	[FZ_CREATE] = op_create,
	[FZ_DESTROY] = op_destroy,
	[FZ_RESERVE] = op_reserve,
	[FZ_UNRESERVE] = op_unreserve,
	[FZ_ALLOC] = op_alloc,
	[FZ_FREE] = op_free,
	[FZ_BIND] = op_bind,
	[FZ_UNBIND] = op_unbind,
	[FZ_MAP] = op_map,
	[FZ_UNMAP] = op_unmap,
	[FZ_MAKE] = op_make,
	[FZ_DESTROY_BINDING] = op_destroy_binding,
	[FZ_ACTIVATE] = op_activate,
	[FZ_DEACTIVATE] = op_deactivate,
	[FZ_WRITE] = op_write,
	[FZ_READ] = op_read,
	[FZ_COPY] = op_copy,
	[FZ_CPU_WRITE] = op_cpu_write,
	[FZ_FAIL_PAGE] = op_fail_page,
	[FZ_BADARG] = op_badarg,
	[FZ_USER_WRITE] = op_user_write,
	[FZ_UP_GET] = fz_op_up_get,
	[FZ_UP_PUT] = fz_op_up_put,
	[FZ_PIN] = fz_op_pin,
};

/* ---- resolving raw operations ---- */

/* The first slot from @raw on (cyclically) that is live (or free). */
static int pick(const bool *live, size_t stride, unsigned n, unsigned raw, bool want_live,
		bool (*ok)(const struct fz_harness *, unsigned), const struct fz_harness *h)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		unsigned s = (raw + i) % n;
		bool l = *(const bool *)((const char *)live + s * stride);

		if (l == want_live && (!ok || ok(h, s)))
			return (int)s;
	}
	return -1;
}

#define PICK(arr, raw, want_live, ok) \
	pick(&(arr)[0].live, sizeof((arr)[0]), VCM_ARRAY_LEN(arr), (raw), (want_live), (ok), h)
#define VCM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool ctx_destroyable(const struct fz_harness *h, unsigned c)
{
	return !ctx_has_dependants(h, c);
}

static bool ctx_reserves(const struct fz_harness *h, unsigned c)
{
	return h->ctx[c].kind != FZ_K_O2O;
}

/* A live phys no larger than reservation @r. */
static int pick_fitting_phys(const struct fz_harness *h, unsigned raw, int r)
{
	unsigned i;

	for (i = 0; i < FZ_NPHYS; i++) {
		unsigned s = (raw + i) % FZ_NPHYS;

		if (h->phys[s].live && h->phys[s].size <= h->res[r].size)
			return (int)s;
	}
	return -1;
}

static bool res_unbound(const struct fz_harness *h, unsigned r)
{
	return h->res[r].phys < 0;
}

static bool res_mine_ok(const struct fz_harness *h, unsigned r)
{
	return h->res[r].up < 0;
}

static bool phys_mine_ok(const struct fz_harness *h, unsigned p)
{
	return h->phys[p].up < 0;
}

/* A size: mostly a few pages, sometimes 64 KiB / 1 MiB multiples, large,
 * unaligned, zero or absurd. */
static uint64_t resolve_size(uint64_t raw)
{
	static const uint64_t absurd[] = { ~0ULL, ~0ULL - FZ_PAGE + 1, 1ULL << 48, 1ULL << 52 };
	unsigned cls = raw & 0xff;
	uint64_t v = raw >> 8;

	if (cls < 3)
		return 0;
	if (cls < 6)
		return absurd[v % 4];
	if (cls < 9)
		return (16ULL << 20) + (v % 6144) * FZ_PAGE;
	if (cls < 24)
		return (1 + v % 16) * FZ_PAGE - (1 + v % (FZ_PAGE - 1));
	if (cls < 180)
		return (1 + v % 16) * FZ_PAGE;
	if (cls < 235)
		return (v & 1 ? (1 + v % 18) * 16 : 17 + v % 284) * FZ_PAGE;
	return (v & 1 ? (1 + v % 2) * 256 : 256 + v % 345) * FZ_PAGE;
}

/* An access range inside a res: usually inside what is bound, sometimes
 * anywhere in the reservation (to fault). */
static void resolve_range(uint64_t size, uint64_t bound, uint64_t raw_off, uint64_t raw_len,
			  uint64_t *off, uint64_t *len)
{
	unsigned mode = (unsigned)(raw_off >> 20);
	uint64_t span = bound && mode < 13 ? bound : size, max;

	*off = (raw_off & 0xfffff) % span;
	max = span - *off;
	if (mode > 2 && max > 16 * FZ_PAGE)
		max = 16 * FZ_PAGE;
	*len = 1 + raw_len % max;
}

static bool resolve_res_range(struct fz_harness *h, int r, uint64_t raw_off, uint64_t raw_len,
			      uint64_t *off, uint64_t *len)
{
	struct fz_res *res = &h->res[r];
	uint64_t bound = res->phys >= 0 ? h->phys[res->phys].size : 0;

	if (!h->ctx[res->ctx].be->has_mmu) {
		if (!bound)
			return false;
		resolve_range(bound, bound, raw_off, raw_len, off, len);
	} else {
		resolve_range(res->size, bound, raw_off, raw_len, off, len);
	}
	return true;
}

static bool resolve_slots(struct fz_harness *h, struct fz_op *op)
{
	int c = 0, r = 0, r2 = 0, p = 0;

	switch (op->code) {
	case FZ_CREATE:
		c = PICK(h->ctx, op->c, false, NULL);
		break;
	case FZ_DESTROY:
		c = PICK(h->ctx, op->c, true, ctx_destroyable);
		break;
	case FZ_ACTIVATE:
	case FZ_DEACTIVATE:
	case FZ_FAIL_PAGE:
		c = PICK(h->ctx, op->c, true, NULL);
		break;
	case FZ_RESERVE:
		r = PICK(h->res, op->r, false, NULL);
		c = op->c & 0xc0 ? PICK(h->ctx, op->c, true, ctx_reserves) : -1;
		if (c < 0)
			c = PICK(h->ctx, op->c, true, NULL);
		break;
	case FZ_ALLOC:
		p = PICK(h->phys, op->p, false, NULL);
		c = PICK(h->ctx, op->c, true, NULL);
		break;
	case FZ_FREE:
		p = PICK(h->phys, op->p, true, phys_mine_ok);
		break;
	case FZ_BIND:
		/* mostly an unbound reservation, sometimes any (-EADDRINUSE...) */
		r = op->r & 0xc0 ? PICK(h->res, op->r, true, res_unbound) : -1;
		if (r < 0)
			r = PICK(h->res, op->r, true, NULL);
		p = r >= 0 && op->p & 0xc0 ? pick_fitting_phys(h, op->p, r) : -1;
		if (p < 0)
			p = PICK(h->phys, op->p, true, NULL);
		break;
	case FZ_UNBIND:
	case FZ_UNRESERVE:
	case FZ_UNMAP:
	case FZ_DESTROY_BINDING:
		r = PICK(h->res, op->r, true, res_mine_ok);
		break;
	case FZ_MAP:
		r = PICK(h->res, op->r, false, NULL);
		c = PICK(h->ctx, op->c, true, NULL);
		p = PICK(h->phys, op->p, true, NULL);
		break;
	case FZ_MAKE:
		r = PICK(h->res, op->r, false, NULL);
		p = PICK(h->phys, op->p, false, NULL);
		c = PICK(h->ctx, op->c, true, NULL);
		break;
	case FZ_WRITE:
	case FZ_READ:
		r = PICK(h->res, op->r, true, NULL);
		break;
	case FZ_COPY:
		r = PICK(h->res, op->r, true, NULL);
		r2 = PICK(h->res, op->r2, true, NULL);
		break;
	case FZ_CPU_WRITE:
		p = PICK(h->phys, op->p, true, NULL);
		break;
	default:
		break;
	}
	if (c < 0 || r < 0 || r2 < 0 || p < 0)
		return false;
	op->c = (uint8_t)c;
	op->r = (uint8_t)r;
	op->r2 = (uint8_t)r2;
	op->p = (uint8_t)p;
	return true;
}

/* A kind of context; one that no live context has, if there is one. */
static void resolve_kind(const struct fz_harness *h, struct fz_op *op)
{
	unsigned avail[FZ_NKINDS], n = 0, k, i, j;
	bool present[FZ_NKINDS] = { false };

	for (i = 0; i < FZ_NCTX; i++)
		if (h->ctx[i].live)
			present[h->ctx[i].kind] = true;
	for (k = 0; k < FZ_NKINDS; k++)
		if (fz_kind_available(k))
			avail[n++] = k;
	j = op->kind % n;
	for (i = 0; i < n && present[avail[j]]; i++)
		j = (j + 1) % n;
	op->kind = (uint8_t)avail[j];
}

/* Turn the raw values of @op into literal ones; false: nothing to act on. */
static bool resolve(struct fz_harness *h, struct fz_op *op)
{
	uint64_t off = 0, len = 0;

	if (!resolve_slots(h, op))
		return false;
	switch (op->code) {
	case FZ_CREATE:
		resolve_kind(h, op);
		break;
	case FZ_RESERVE:
	case FZ_ALLOC:
	case FZ_MAKE:
		op->size = resolve_size(op->size);
		break;
	case FZ_WRITE:
	case FZ_READ:
		if (!resolve_res_range(h, op->r, op->off, op->len, &off, &len))
			return false;
		op->off = off;
		op->len = len;
		break;
	case FZ_COPY:
		if (!resolve_res_range(h, op->r, op->off, op->len, &off, &len) ||
		    !resolve_res_range(h, op->r2, op->off2, op->len, &op->off2, &op->len))
			return false;
		op->off = off;
		if (len < op->len)
			op->len = len;
		if (op->len > h->res[op->r].size - op->off)
			op->len = h->res[op->r].size - op->off;
		break;
	case FZ_CPU_WRITE:
		resolve_range(h->phys[op->p].size, h->phys[op->p].size, op->off, op->len, &off,
			      &len);
		op->off = off;
		op->len = len;
		break;
	case FZ_FAIL_PAGE:
		op->n = 1 + op->n % 40;
		break;
	case FZ_USER_WRITE:
		op->b %= FZ_NUBUF;
		resolve_range(FZ_UBUF_SIZE, FZ_UBUF_SIZE, op->off, op->len, &off, &len);
		op->off = off;
		op->len = len;
		break;
	default:
		break;
	}
	if (!fz_resolve_user(h, op))
		return false;
	op->raw = false;
	return true;
}

/* ---- life cycle ---- */

static void warn_handler(const char *msg, void *priv)
{
	struct fz_harness *h = priv;

	snprintf(h->last_warn, sizeof(h->last_warn), "%s", msg);
	if (h->cfg.verbose)
		fprintf(stderr, "    warning: %s\n", msg);
}

static int ubufs_create(struct fz_harness *h)
{
	unsigned b;

	for (b = 0; b < FZ_NUBUF; b++) {
		struct fz_ubuf *u = &h->ubuf[b];
		/* a guard page on each side: a device never reaches past it */
		uint8_t *m = mmap(NULL, FZ_UBUF_SIZE + 2 * FZ_PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			return -ENOMEM;
		mprotect(m, FZ_PAGE, PROT_NONE);
		mprotect(m + FZ_PAGE + FZ_UBUF_SIZE, FZ_PAGE, PROT_NONE);
		u->mem = m + FZ_PAGE;
		u->shadow = malloc(FZ_UBUF_SIZE);
		if (!u->shadow)
			return -ENOMEM;
		fz_fill(u->shadow, FZ_UBUF_SIZE, 0xb0f0 + b);
		memset(u->block, -1, sizeof(u->block));
		memcpy(u->mem, u->shadow, FZ_UBUF_SIZE);
	}
	return 0;
}

static void ubufs_destroy(struct fz_harness *h)
{
	unsigned b;

	for (b = 0; b < FZ_NUBUF; b++) {
		if (h->ubuf[b].mem)
			munmap(h->ubuf[b].mem - FZ_PAGE, FZ_UBUF_SIZE + 2 * FZ_PAGE);
		free(h->ubuf[b].shadow);
	}
}

struct fz_harness *fz_create(const struct fz_config *cfg)
{
	static const struct fz_op initial[] = {
		{ .code = FZ_CREATE, .c = 0, .kind = FZ_K_SOFT },
		{ .code = FZ_CREATE, .c = 1, .kind = FZ_K_O2O },
		{ .code = FZ_CREATE, .c = 2, .kind = FZ_K_IOMMU },
		{ .code = FZ_CREATE, .c = 3, .kind = FZ_K_S5P },
	};
	struct fz_harness *h = calloc(1, sizeof(*h));
	unsigned i;

	if (!h)
		return NULL;
	h->cfg = *cfg;
	h->rng = 0x2545F4914F6CDD1DULL;
	h->soc = vcm_soc_create();
	if (vcm_is_err(h->soc) || vcm_soc_add_ram(h->soc, FZ_RAM0_BASE, FZ_RAM0_SIZE) ||
	    vcm_soc_add_ram(h->soc, FZ_RAM1_BASE, FZ_RAM1_SIZE) || ubufs_create(h)) {
		fz_destroy(h);
		return NULL;
	}
	vcm_soc_set_current(h->soc);
	vcm_set_warn_handler(warn_handler, h);
	h->free0 = vcm_soc_free_bytes(h->soc);
	for (i = 0; i < VCM_ARRAY_LEN(initial); i++) {
		struct fz_op op = initial[i];

		if (op_create(h, &op)) {
			fz_destroy(h);
			return NULL;
		}
	}
	return h;
}

enum fz_fail fz_step(struct fz_harness *h, struct fz_op *op)
{
	op_fn fn = op->code < FZ_NCODES ? op_table[op->code] : NULL;
	enum fz_fail f;

	if (h->failed)
		return h->failed;
	if (!fn || (op->raw && !resolve(h, op)))
		return fz_nop(op);
	if (h->cfg.trace) {
		char line[256];

		fz_op_format(op, line, sizeof(line));
		fprintf(h->cfg.trace, "%s\n", line);
		fflush(h->cfg.trace);
	}
	if (h->cfg.verbose) {
		char line[256];

		fz_op_format(op, line, sizeof(line));
		fprintf(stderr, "%6lu %s\n", h->steps, line);
	}
	h->steps++;
	last_ret = 0;
	last_warns = 0;
	f = fn(h, op);
	if (f || op->code == FZ_NOP)
		return f;
	stats[op->code].runs++;
	stats[op->code].errors += last_ret != 0;
	if (last_ret < 0 && -last_ret < FZ_NERRNO)
		stats[op->code].by_errno[-last_ret]++;
	stats[op->code].warned += last_warns != 0;
	return fz_check(h, h->cfg.sweep && h->steps % h->cfg.sweep == 0);
}

/* Give everything back, as a careful program would. */
static void teardown(struct fz_harness *h)
{
	unsigned i;

	/* first what may bind a userptr's phys, then the userptrs */
	for (i = 0; i < FZ_NRES; i++)
		if (h->res[i].live && h->res[i].up < 0) {
			vcm_unmap(h->res[i].res);
			fz_model_drop_res(h, (int)i);
		}
	fz_userptr_teardown(h);
	for (i = 0; i < FZ_NRES; i++)
		if (h->res[i].live) {
			vcm_unmap(h->res[i].res);
			fz_model_drop_res(h, (int)i);
		}
	for (i = 0; i < FZ_NPHYS; i++)
		if (h->phys[i].live) {
			vcm_free(h->phys[i].phys);
			fz_model_drop_phys(h, (int)i);
		}
	for (i = 0; i < FZ_NCTX; i++) {
		struct fz_ctx *c = &h->ctx[i];

		if (!c->live)
			continue;
		for (; c->active; c->active--)
			vcm_deactivate(c->vcm);
		vcm_destroy(c->vcm);
		if (c->be->destroyed)
			c->be->destroyed(h, c);
		c->live = false;
	}
	h->ngone = 0;
}

enum fz_fail fz_finish(struct fz_harness *h)
{
	unsigned long w0;
	vcm_size_t free_now;

	if (h->failed || fz_check(h, true))
		return h->failed;
	w0 = vcm_warn_count();
	teardown(h);
	free_now = vcm_soc_free_bytes(h->soc);
	if (free_now != h->free0)
		return fz_fail(h, FZ_F_LEAK, "after teardown the SoC has %#llx bytes free, %#llx "
			       "at the start", (unsigned long long)free_now,
			       (unsigned long long)h->free0);
	if (vcm_warn_count() != w0)
		return fz_fail(h, FZ_F_WARN, "teardown raised %lu warning(s): %s",
			       vcm_warn_count() - w0, h->last_warn);
	if (h->driver_err[0])
		return fz_fail(h, FZ_F_DRIVER, "%s", h->driver_err);
	return FZ_OK;
}

void fz_destroy(struct fz_harness *h)
{
	if (!h)
		return;
	if (!vcm_is_err_or_null(h->soc)) {
		teardown(h);
		vcm_set_warn_handler(NULL, NULL);
		vcm_soc_set_current(NULL);
		vcm_soc_destroy(h->soc);
	}
	ubufs_destroy(h);
	free(h->scratch);
	free(h->scratch2);
	free(h);
}

const char *fz_message(const struct fz_harness *h)
{
	return h->msg;
}

unsigned long fz_steps(const struct fz_harness *h)
{
	return h->steps;
}
