/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * userops.c - the fuzzer's user-memory operations: pinning parts of the
 * harness' two "application buffers" (vcm_phys_from_user) and mapping them
 * for devices (vcm_userptr_get / vcm_userptr_put).
 *
 * The model of a pinned phys: one part per touched page, each page keeping
 * one PA while any pin of it lives, PAs allocated in the SoC (so they count
 * against its free bytes once per distinct page), and its bytes are the
 * application buffer's own (the phys' shadow points into the buffer's
 * shadow).  A range reaching the buffer's guard page is -EFAULT with
 * nothing pinned.
 */
#include <errno.h>
#include <string.h>

#include <vcm/userptr.h>

#include "harness.h"

struct pin_plan {
	vcm_size_t first;	/* first page's offset in the buffer */
	unsigned npages;
	unsigned pinned;	/* of them, already pinned */
	vcm_addr_t pa[FZ_UBUF_SIZE / FZ_PAGE];	/* their PAs (0: not pinned) */
	long want;
	bool either;		/* success and -ENOMEM are both right */
};

/* The PA of page @pg of buffer @b if a live phys pins it. */
static vcm_addr_t pinned_pa(const struct fz_harness *h, int b, vcm_size_t pg)
{
	unsigned i;

	for (i = 0; i < FZ_NPHYS; i++) {
		const struct fz_phys *p = &h->phys[i];

		if (p->live && p->user && p->ubuf == b && pg >= p->uoff &&
		    pg < p->uoff + p->size)
			return p->parts[(pg - p->uoff) / FZ_PAGE].start;
	}
	return 0;
}

static bool plan_contiguous(const struct pin_plan *pl)
{
	unsigned i;

	for (i = 1; i < pl->npages; i++)
		if (pl->pa[i] != pl->pa[0] + i * FZ_PAGE)
			return false;
	return true;
}

/* What vcm_phys_from_user(buffer b + off, size, flags) must do. */
static void plan_pin(struct fz_harness *h, int b, uint64_t off, uint64_t size, unsigned flags,
		     struct pin_plan *pl)
{
	vcm_size_t free_now = vcm_soc_free_bytes(h->soc), need;
	unsigned i;

	memset(pl, 0, sizeof(*pl));
	if (!size) {
		pl->want = -EINVAL;
		return;
	}
	if (off + size > FZ_UBUF_SIZE) {
		pl->want = -EFAULT;	/* the guard page */
		return;
	}
	pl->first = off & ~(FZ_PAGE - 1);
	pl->npages = (unsigned)((off + size - pl->first + FZ_PAGE - 1) / FZ_PAGE);
	for (i = 0; i < pl->npages; i++) {
		pl->pa[i] = pinned_pa(h, b, pl->first + i * FZ_PAGE);
		pl->pinned += pl->pa[i] != 0;
	}
	need = (vcm_size_t)(pl->npages - pl->pinned) * FZ_PAGE;
	if (!(flags & VCM_USERPTR_CONTIG)) {
		pl->want = need <= free_now ? 0 : -ENOMEM;
		return;
	}
	if (pl->pinned)
		pl->want = pl->pinned == pl->npages && plan_contiguous(pl) ? 0 : -EBUSY;
	else if (need > free_now)
		pl->want = -ENOMEM;
	else if (fz_knows_all_pages(h))
		pl->want = fz_contig_fits(h, need) ? 0 : -ENOMEM;
	else
		pl->either = true;
}

/* A phys pinned by the plan: one page per part, the PAs of pages already
 * pinned, contiguous if asked for. */
static enum fz_fail check_pinned(struct fz_harness *h, const struct vcm_phys *phys,
				 const struct pin_plan *pl, unsigned flags, unsigned bindings)
{
	unsigned i;

	if (phys->count != pl->npages || phys->size != pl->npages * FZ_PAGE ||
	    (unsigned)phys->bindings.counter != bindings)
		return fz_fail(h, FZ_F_STATE, "pinned phys: %u parts, size %#llx, %u bindings; "
			       "model %u pages", phys->count, (unsigned long long)phys->size,
			       phys->bindings.counter, pl->npages);
	for (i = 0; i < pl->npages; i++) {
		const struct vcm_phys_part *part = &phys->parts[i];

		if (part->size != FZ_PAGE || (pl->pa[i] && part->start != pl->pa[i]))
			return fz_fail(h, FZ_F_STATE, "pinned page %u: pa %#llx size %#llx, but the "
				       "page is pinned at %#llx", i,
				       (unsigned long long)part->start,
				       (unsigned long long)part->size,
				       (unsigned long long)pl->pa[i]);
		if ((flags & VCM_USERPTR_CONTIG) && part->start != phys->parts[0].start + i * FZ_PAGE)
			return fz_fail(h, FZ_F_STATE, "contiguous pin: page %u at %#llx", i,
				       (unsigned long long)part->start);
	}
	return FZ_OK;
}

/* Take a pinned phys into the model (its bytes: the buffer's); its new
 * PAs must be nobody else's. */
static enum fz_fail add_user_phys(struct fz_harness *h, int slot, struct vcm_phys *phys, int b,
				  const struct pin_plan *pl)
{
	struct fz_phys *p = &h->phys[slot];

	fz_model_add_phys(h, slot, phys, -1);
	p->user = true;
	p->ubuf = b;
	p->uoff = pl->first;
	p->shadow = h->ubuf[b].shadow + pl->first;
	return fz_check_parts_disjoint(h, p);
}

enum fz_fail fz_op_pin(struct fz_harness *h, struct fz_op *op)
{
	unsigned flags = op->n & 1 ? VCM_USERPTR_CONTIG : 0;
	struct vcm_phys *phys;
	struct pin_plan pl;
	unsigned long w0;
	long want;

	if (op->p >= FZ_NPHYS || h->phys[op->p].live || op->b >= FZ_NUBUF ||
	    op->off > FZ_UBUF_SIZE || op->size > FZ_UBUF_SIZE + FZ_PAGE - op->off)
		return fz_nop(op);
	plan_pin(h, op->b, op->off, op->size, flags, &pl);
	w0 = vcm_warn_count();
	phys = vcm_phys_from_user(h->soc, h->ubuf[op->b].mem + op->off, op->size, flags);
	want = pl.either && fz_ptr_ret(phys) == -ENOMEM ? -ENOMEM : pl.want;
	if (fz_ret_is(h, op, fz_ptr_ret(phys), want) || fz_warns_are(h, op, w0, 0))
		return h->failed;
	if (vcm_is_err(phys))
		return FZ_OK;
	if (check_pinned(h, phys, &pl, flags, 0))
		return h->failed;
	if ((flags & VCM_USERPTR_CONTIG) && !pl.pinned)
		fz_pin_block(h, op->b, pl.first, pl.npages, phys->parts[0].start);
	return add_user_phys(h, op->p, phys, op->b, &pl);
}

/* vcm_map() of the pinned pages on @c: what it must return (the pages'
 * PAs are known only if all were pinned already). */
static long up_map_expect(struct fz_harness *h, int ctx, const struct pin_plan *pl,
			  unsigned flags, bool *either)
{
	struct fz_ctx *c = &h->ctx[ctx];
	vcm_size_t size = (vcm_size_t)pl->npages * FZ_PAGE;

	*either = false;
	switch (c->kind) {
	case FZ_K_VMM:
		return -EOPNOTSUPP;
	case FZ_K_O2O:
		if (flags & VCM_USERPTR_CONTIG)
			return 0;
		if (pl->pinned == pl->npages)
			return plan_contiguous(pl) ? 0 : -EINVAL;
		*either = true;
		return -EINVAL;
	default:
		if (!fz_dva_fits(h, ctx, size))
			return -ENOSPC;
		*either = c->active && ((c->kind == FZ_K_SOFT && c->fail_countdown) ||
					fz_pt_may_fail(h, c, size));
		return 0;
	}
}

static enum fz_fail check_userptr(struct fz_harness *h, const struct fz_op *op,
				  const struct vcm_userptr *up)
{
	size_t offset = (uintptr_t)(h->ubuf[op->b].mem + op->off) & (FZ_PAGE - 1);

	if (up->size != op->size || up->offset != offset || up->dva != up->res->start + offset ||
	    vcm_is_err_or_null(up->res) || up->res->vcm != h->ctx[op->c].vcm)
		return fz_fail(h, FZ_F_STATE, "userptr: dva %#llx size %#zx offset %#zx res start "
			       "%#llx; model size %#llx offset %#zx",
			       (unsigned long long)up->dva, up->size, up->offset,
			       (unsigned long long)up->res->start, (unsigned long long)op->size,
			       offset);
	return FZ_OK;
}

enum fz_fail fz_op_up_get(struct fz_harness *h, struct fz_op *op)
{
	unsigned flags = op->n & 1 ? VCM_USERPTR_CONTIG : 0;
	struct vcm_userptr *up;
	struct fz_up *u;
	struct pin_plan pl;
	unsigned long w0;
	bool either = false;
	long want, got;

	if (op->u >= FZ_NUP || h->up[op->u].live || op->r >= FZ_NRES || h->res[op->r].live ||
	    op->p >= FZ_NPHYS || h->phys[op->p].live || op->c >= FZ_NCTX ||
	    !h->ctx[op->c].live || op->b >= FZ_NUBUF || op->off > FZ_UBUF_SIZE ||
	    op->size > FZ_UBUF_SIZE + FZ_PAGE - op->off)
		return fz_nop(op);
	plan_pin(h, op->b, op->off, op->size, flags, &pl);
	want = pl.want;
	if (!want)
		want = up_map_expect(h, op->c, &pl, flags, &either);
	either |= pl.either;
	w0 = vcm_warn_count();
	up = vcm_userptr_get(h->ctx[op->c].vcm, h->ubuf[op->b].mem + op->off, op->size, flags);
	got = fz_ptr_ret(up);
	if (either && got)
		want = got == -ENOMEM || got == -EIO || got == -EINVAL ? got : want;
	else if (either)
		want = 0;
	if (fz_ret_is(h, op, got, want) || fz_warns_are(h, op, w0, 0))
		return h->failed;
	if (vcm_is_err(up))
		return fz_settle_countdown(h, &h->ctx[op->c], got, -1);
	if (check_userptr(h, op, up) || check_pinned(h, up->res->phys, &pl, flags, 1))
		return h->failed;
	if ((flags & VCM_USERPTR_CONTIG) && !pl.pinned)
		fz_pin_block(h, op->b, pl.first, pl.npages, up->res->phys->parts[0].start);
	if (add_user_phys(h, op->p, up->res->phys, op->b, &pl))
		return h->failed;
	h->phys[op->p].up = op->u;
	fz_model_add_res(h, op->r, up->res, op->c, up->res->res_size);
	h->res[op->r].up = op->u;
	fz_model_bind(h, op->r, op->p);
	u = &h->up[op->u];
	*u = (struct fz_up){ true, up, op->r, op->p, op->c, op->b, op->off, op->size };
	h->ctx[op->c].up_count++;
	if (fz_check_new_res(h, &h->res[op->r]))
		return h->failed;
	return fz_settle_countdown(h, &h->ctx[op->c], 0, op->r);
}

/* vcm_userptr_put(): unmap, unreserve, unpin; a phys still bound elsewhere
 * is not freed (the free's warning) and becomes an ordinary pinned phys. */
static void up_put(struct fz_harness *h, int slot, unsigned long *warns)
{
	struct fz_up *u = &h->up[slot];
	struct fz_phys *p = &h->phys[u->phys];

	*warns = p->bindings > 1;
	vcm_userptr_put(u->up);
	fz_model_drop_res(h, u->res);
	if (p->bindings)
		p->up = -1;
	else
		fz_model_drop_phys(h, u->phys);
	h->ctx[u->ctx].up_count--;
	u->live = false;
}

enum fz_fail fz_op_up_put(struct fz_harness *h, struct fz_op *op)
{
	unsigned long w0, want;

	if (op->u >= FZ_NUP || !h->up[op->u].live)
		return fz_nop(op);
	w0 = vcm_warn_count();
	up_put(h, op->u, &want);
	return fz_warns_are(h, op, w0, want);
}

void fz_userptr_teardown(struct fz_harness *h)
{
	unsigned long warns;
	unsigned i;

	for (i = 0; i < FZ_NUP; i++)
		if (h->up[i].live)
			up_put(h, (int)i, &warns);
}

static int pick_free(const struct fz_harness *h, unsigned raw, int kind)
{
	unsigned i, n = kind == 0 ? FZ_NUP : kind == 1 ? FZ_NRES : FZ_NPHYS;

	for (i = 0; i < n; i++) {
		unsigned s = (raw + i) % n;
		bool live = kind == 0 ? h->up[s].live : kind == 1 ? h->res[s].live : h->phys[s].live;

		if (!live)
			return (int)s;
	}
	return -1;
}

/* A buffer range: mostly inside, sometimes empty or into the guard page. */
static void resolve_urange(struct fz_op *op)
{
	unsigned mode = (unsigned)(op->size & 0xf);
	uint64_t off = op->off % FZ_UBUF_SIZE, max = FZ_UBUF_SIZE - off;

	if (max > 24 * FZ_PAGE)
		max = 24 * FZ_PAGE;
	op->off = off;
	if (mode == 0)
		op->size = 0;
	else if (mode == 1)
		op->size = FZ_UBUF_SIZE - off + 1 + (op->size >> 4) % FZ_PAGE;
	else
		op->size = 1 + (op->size >> 4) % max;
	op->n = op->n % 5 == 0;
}

bool fz_resolve_user(struct fz_harness *h, struct fz_op *op)
{
	int u, r, p;
	unsigned i;

	switch (op->code) {
	case FZ_PIN:
		p = pick_free(h, op->p, 2);
		if (p < 0)
			return false;
		op->p = (uint8_t)p;
		op->b %= FZ_NUBUF;
		resolve_urange(op);
		return true;
	case FZ_UP_GET:
		u = pick_free(h, op->u, 0);
		r = pick_free(h, op->r, 1);
		p = pick_free(h, op->p, 2);
		for (i = 0; i < FZ_NCTX && !h->ctx[(op->c + i) % FZ_NCTX].live; i++)
			;
		if (u < 0 || r < 0 || p < 0 || i == FZ_NCTX)
			return false;
		op->u = (uint8_t)u;
		op->r = (uint8_t)r;
		op->p = (uint8_t)p;
		op->c = (uint8_t)((op->c + i) % FZ_NCTX);
		op->b %= FZ_NUBUF;
		resolve_urange(op);
		return true;
	case FZ_UP_PUT:
		for (i = 0; i < FZ_NUP && !h->up[(op->u + i) % FZ_NUP].live; i++)
			;
		op->u = (uint8_t)((op->u + i) % FZ_NUP);
		return i < FZ_NUP;
	default:
		return true;
	}
}
