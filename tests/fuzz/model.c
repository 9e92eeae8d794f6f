/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * model.c - the fuzzer's reference model and the checks that compare the
 * library with it.
 *
 * The model is written from the contract (README.md here, "The contract the
 * model follows", and the public headers), not from the library:
 * which calls succeed and with which errno, how many warnings each raises,
 * which DVA range a reservation may get, which physical pages a phys may
 * have, how a phys is cut into pages at a DVA, which bytes each physical
 * page must hold, and how much of the SoC's RAM must be free.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <vcm/s5p.h>

#include "harness.h"

enum fz_fail fz_fail(struct fz_harness *h, enum fz_fail f, const char *fmt, ...)
{
	va_list ap;

	if (h->failed)
		return h->failed;
	va_start(ap, fmt);
	vsnprintf(h->msg, sizeof(h->msg), fmt, ap);
	va_end(ap);
	h->failed = f;
	return f;
}

/* xorshift32 bytes: the content every write and every new phys gets. */
void fz_fill(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 0x9e3779b9u;
	size_t i;

	if (!x)
		x = 1;
	for (i = 0; i < len; i++) {
		if (!(i & 3)) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
		}
		buf[i] = (uint8_t)(x >> ((i & 3) * 8));
	}
}

uint8_t *fz_scratch(struct fz_harness *h, size_t len, int which)
{
	if (len > h->scratch_size) {
		uint8_t *a = realloc(h->scratch, len), *b;

		if (!a)
			abort();
		h->scratch = a;
		b = realloc(h->scratch2, len);
		if (!b)
			abort();
		h->scratch2 = b;
		h->scratch_size = len;
	}
	return which ? h->scratch2 : h->scratch;
}

/* ---- what the model knows ---- */

bool fz_round(vcm_size_t size, vcm_size_t *out)
{
	if (!size || size > UINT64_MAX - (FZ_PAGE - 1))
		return false;
	*out = (size + FZ_PAGE - 1) & ~(FZ_PAGE - 1);
	return true;
}

vcm_size_t fz_live_bytes(const struct fz_harness *h)
{
	vcm_size_t sum = 0;
	unsigned i;

	for (i = 0; i < FZ_NPHYS; i++)
		if (h->phys[i].live && !h->phys[i].user)
			sum += h->phys[i].size;
	return sum;
}

/* Which pages of the user buffers live phys pin. */
static void pinned_pages(const struct fz_harness *h, bool pinned[FZ_NUBUF][FZ_UBUF_SIZE / FZ_PAGE])
{
	unsigned i, pg;

	memset(pinned, 0, FZ_NUBUF * (FZ_UBUF_SIZE / FZ_PAGE) * sizeof(bool));
	for (i = 0; i < FZ_NPHYS; i++) {
		const struct fz_phys *p = &h->phys[i];

		for (pg = 0; p->live && p->user && pg < p->size / FZ_PAGE; pg++)
			pinned[p->ubuf][p->uoff / FZ_PAGE + pg] = true;
	}
}

/* A contiguous pin just allocated a run of PAs for these pages. */
void fz_pin_block(struct fz_harness *h, int b, vcm_size_t first, unsigned npages,
		  vcm_addr_t pa)
{
	unsigned i, k;

	for (k = 0; k < FZ_NBLOCKS && h->blocks[k].live; k++)
		;
	if (k == FZ_NBLOCKS)
		abort();
	h->blocks[k] = (struct fz_block){ true, pa, npages, npages };
	for (i = 0; i < npages; i++)
		h->ubuf[b].block[first / FZ_PAGE + i] = (int)k;
}

/*
 * SoC bytes that pins hold: one page per pinned page, except that the
 * pages of a contiguous run stay allocated together until the last of them
 * is unpinned (pages that left the run are forgotten here).
 */
vcm_size_t fz_pinned_bytes(struct fz_harness *h)
{
	bool pinned[FZ_NUBUF][FZ_UBUF_SIZE / FZ_PAGE];
	vcm_size_t pages = 0;
	unsigned b, pg, k;

	pinned_pages(h, pinned);
	for (b = 0; b < FZ_NUBUF; b++) {
		for (pg = 0; pg < FZ_UBUF_SIZE / FZ_PAGE; pg++) {
			int *blk = &h->ubuf[b].block[pg];

			if (*blk >= 0 && !pinned[b][pg]) {
				if (!--h->blocks[*blk].pinned)
					h->blocks[*blk].live = false;
				*blk = -1;
			}
			pages += pinned[b][pg] && *blk < 0;
		}
	}
	for (k = 0; k < FZ_NBLOCKS; k++)
		if (h->blocks[k].live)
			pages += h->blocks[k].npages;
	return pages * FZ_PAGE;
}

/* The (lo, hi) bounds of page-table memory of every live context. */
static void pt_bounds(struct fz_harness *h, vcm_size_t *lo, vcm_size_t *hi)
{
	unsigned i;

	*lo = *hi = 0;
	for (i = 0; i < FZ_NCTX; i++) {
		struct fz_ctx *c = &h->ctx[i];
		vcm_size_t l, u;

		if (!c->live || !c->be->pt_bytes)
			continue;
		c->be->pt_bytes(h, c, &l, &u);
		*lo += l;
		*hi += u;
	}
}

bool fz_knows_all_pages(const struct fz_harness *h)
{
	unsigned i;

	for (i = 0; i < FZ_NCTX; i++)
		if (h->ctx[i].live && h->ctx[i].be->pt_bytes)
			return false;
	return true;
}

/* Page order of the largest page of @orders that @va, @pa and @left allow. */
static unsigned cut_order(const unsigned char *orders, vcm_addr_t va, vcm_addr_t pa,
			  vcm_size_t left)
{
	for (; *orders; orders++) {
		vcm_size_t bytes = FZ_PAGE << *orders;

		if (bytes <= left && !((va | pa) & (bytes - 1)))
			return *orders;
	}
	return 0;
}

unsigned long fz_cut(const struct fz_phys *p, vcm_addr_t va, const unsigned char *orders,
		     fz_cut_fn fn, void *arg)
{
	unsigned long pages = 0;
	unsigned i;

	for (i = 0; i < p->count; i++) {
		vcm_addr_t pa = p->parts[i].start;
		vcm_size_t left = p->parts[i].size;

		while (left) {
			unsigned order = cut_order(orders, va, pa, left);
			vcm_size_t bytes = FZ_PAGE << order;

			if (fn && fn(arg, va, pa, order))
				return pages;
			pages++;
			va += bytes;
			pa += bytes;
			left -= bytes;
		}
	}
	return pages;
}

/* Offset @off of a phys: its physical address. */
vcm_addr_t fz_phys_pa(const struct fz_phys *p, vcm_size_t off)
{
	unsigned i;

	for (i = 0; i < p->count; i++) {
		if (off < p->parts[i].size)
			return p->parts[i].start + off;
		off -= p->parts[i].size;
	}
	return ~0ULL;
}

bool fz_phys_contiguous(const struct fz_phys *p)
{
	unsigned i;

	for (i = 1; i < p->count; i++)
		if (p->parts[i].start != p->parts[i - 1].start + p->parts[i - 1].size)
			return false;
	return p->count > 0;
}

struct span {
	vcm_addr_t start, end;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Is there a free, @align-aligned (relative to @base) block of @bytes in
 * [@lo, @hi) that none of @used (sorted) overlaps? */
static bool aligned_gap(const struct span *used, size_t n, vcm_addr_t lo, vcm_addr_t hi,
			vcm_addr_t base, vcm_size_t bytes)
{
	vcm_addr_t at = lo;
	size_t i;

	for (i = 0; i <= n; i++) {
		vcm_addr_t gap_end = i < n ? used[i].start : hi;
		vcm_addr_t a = base + ((at - base + bytes - 1) & ~(bytes - 1));

		if (gap_end > hi)
			gap_end = hi;
		if (a >= at && a + bytes <= gap_end && a + bytes > a)
			return true;
		if (i < n && used[i].end > at)
			at = used[i].end;
		if (at >= hi)
			break;
	}
	return false;
}

static vcm_size_t pow2_pages(vcm_size_t npages)
{
	vcm_size_t b = 1;

	while (b < npages)
		b <<= 1;
	return b;
}

/* The context's reservations but @skip (NULL: none), each with its guard
 * gap, sorted; their count. */
static size_t ctx_spans(const struct fz_harness *h, int ctx, const struct fz_res *skip,
			struct span *used)
{
	vcm_size_t guard = h->ctx[ctx].guard;
	size_t n = 0;
	unsigned i;

	for (i = 0; i < FZ_NRES; i++) {
		if (h->res[i].live && h->res[i].ctx == ctx && &h->res[i] != skip) {
			used[n].start = h->res[i].start;
			used[n++].end = h->res[i].start + h->res[i].size + guard;
		}
	}
	qsort(used, n, sizeof(used[0]), span_cmp);
	return n;
}

/* Contexts on vcm_mmu_init() place as the kernel did; vcm_iommu_create()'s
 * use libvcm's buddy placement. */
static bool kernel_placement(const struct fz_ctx *c)
{
	return c->kind == FZ_K_SOFT || c->kind == FZ_K_S5P;
}

/* The kernel's alignment: the largest order not above the size's lowest bit. */
static vcm_size_t kernel_align(const unsigned char *orders, vcm_size_t npages)
{
	unsigned low = (unsigned)__builtin_ctzll(npages);

	while (*orders > low)
		orders++;
	return FZ_PAGE << *orders;
}

/*
 * Where the kernel's page-granular first fit puts @size bytes (and the
 * context's guard gap after them) in context @ctx (the reservation @skip
 * not counted): true and *@at, or false.
 */
static bool kernel_first_fit(const struct fz_harness *h, int ctx, const struct fz_res *skip,
			     vcm_size_t size, vcm_addr_t *at)
{
	const struct fz_ctx *c = &h->ctx[ctx];
	vcm_size_t align = kernel_align(c->be->orders, size / FZ_PAGE);
	vcm_addr_t lo = c->win_start, end = c->win_start + c->win_size;
	struct span used[FZ_NRES];
	size_t n = ctx_spans(h, ctx, skip, used), i;

	for (i = 0; i <= n; i++) {
		vcm_addr_t gap_end = i < n ? used[i].start : end;
		vcm_addr_t a = (lo + align - 1) & ~(align - 1);

		if (a >= lo && a <= gap_end && gap_end - a >= size + c->guard) {
			*at = a;
			return true;
		}
		if (i < n && used[i].end > lo)
			lo = used[i].end;
	}
	return false;
}

/* Would the context's DVA allocator find room for @size bytes? */
bool fz_dva_fits(const struct fz_harness *h, int ctx, vcm_size_t size)
{
	const struct fz_ctx *c = &h->ctx[ctx];
	struct span used[FZ_NRES];
	vcm_addr_t at;
	vcm_size_t bytes;
	size_t n;

	/* a reservation takes its guard gap too (vcm_set_guard()) */
	if (size > c->win_size || c->guard > c->win_size - size)
		return false;
	if (kernel_placement(c))
		return kernel_first_fit(h, ctx, NULL, size, &at);
	bytes = pow2_pages((size + c->guard) / FZ_PAGE) * FZ_PAGE;
	if (bytes > c->win_size)
		return false;
	n = ctx_spans(h, ctx, NULL, used);
	return aligned_gap(used, n, c->win_start, c->win_start + c->win_size, c->win_start, bytes);
}

/* Every physical range the model knows to be allocated, sorted. */
static struct span *used_ram(const struct fz_harness *h, size_t *n)
{
	size_t cap = 0, k = 0;
	struct span *s;
	unsigned i, j;

	for (i = 0; i < FZ_NPHYS; i++)
		if (h->phys[i].live)
			cap += h->phys[i].count;
	s = malloc((cap + FZ_NBLOCKS + 1) * sizeof(*s));
	if (!s)
		abort();
	for (i = 0; i < FZ_NBLOCKS; i++) {
		if (h->blocks[i].live) {
			s[k].start = h->blocks[i].pa;
			s[k++].end = h->blocks[i].pa + h->blocks[i].npages * FZ_PAGE;
		}
	}
	for (i = 0; i < FZ_NPHYS; i++) {
		const struct fz_phys *p = &h->phys[i];

		for (j = 0; p->live && j < p->count; j++) {
			s[k].start = p->parts[j].start;
			s[k++].end = p->parts[j].start + p->parts[j].size;
		}
	}
	qsort(s, k, sizeof(*s), span_cmp);
	*n = k;
	return s;
}

/* Would vcm_soc_alloc_contig() find @size bytes (only meaningful when the
 * model knows every allocated page)? */
bool fz_contig_fits(const struct fz_harness *h, vcm_size_t size)
{
	static const vcm_addr_t base[] = { FZ_RAM0_BASE, FZ_RAM1_BASE };
	static const vcm_size_t len[] = { FZ_RAM0_SIZE, FZ_RAM1_SIZE };
	vcm_size_t bytes = pow2_pages(size / FZ_PAGE) * FZ_PAGE;
	bool fits = false;
	struct span *used;
	size_t n;
	unsigned b;

	used = used_ram(h, &n);
	for (b = 0; b < 2 && !fits; b++)
		fits = bytes <= len[b] &&
		       aligned_gap(used, n, base[b], base[b] + len[b], base[b], bytes);
	free(used);
	return fits;
}

static bool in_ram(vcm_addr_t pa, vcm_size_t size)
{
	return (pa >= FZ_RAM0_BASE && pa + size <= FZ_RAM0_BASE + FZ_RAM0_SIZE) ||
	       (pa >= FZ_RAM1_BASE && pa + size <= FZ_RAM1_BASE + FZ_RAM1_SIZE);
}

/* ---- checks of new objects ---- */

static bool order_allowed(const unsigned char *orders, vcm_size_t bytes)
{
	for (;; orders++) {
		if ((FZ_PAGE << *orders) == bytes)
			return true;
		if (!*orders)
			return false;
	}
}

/* A user page pinned twice has one PA: overlap is allowed only there. */
static bool same_user_page(const struct fz_harness *h, const struct fz_phys *a, vcm_size_t aoff,
			   const struct fz_phys *b, vcm_addr_t pa)
{
	unsigned j;
	vcm_size_t boff = 0;

	if (!a->user || !b->user || a->ubuf != b->ubuf)
		return false;
	(void)h;
	for (j = 0; j < b->count; j++) {
		if (pa >= b->parts[j].start && pa < b->parts[j].start + b->parts[j].size)
			return b->uoff + boff + (pa - b->parts[j].start) == a->uoff + aoff;
		boff += b->parts[j].size;
	}
	return false;
}

/* The parts of @p against RAM, each other and every other live phys. */
enum fz_fail fz_check_parts_disjoint(struct fz_harness *h, const struct fz_phys *p)
{
	vcm_size_t off = 0;
	unsigned i, j, k;

	for (i = 0; i < p->count; i++) {
		const struct vcm_phys_part *a = &p->parts[i];

		if (!in_ram(a->start, a->size) || (a->start | a->size) & (FZ_PAGE - 1) || !a->size)
			return fz_fail(h, FZ_F_STATE, "part %#llx+%#llx is not page-aligned RAM",
				       (unsigned long long)a->start, (unsigned long long)a->size);
		for (k = 0; k < FZ_NPHYS; k++) {
			const struct fz_phys *q = &h->phys[k];

			if (!q->live || q == p)
				continue;
			for (j = 0; j < q->count; j++) {
				const struct vcm_phys_part *b = &q->parts[j];
				vcm_addr_t lo = a->start > b->start ? a->start : b->start;

				if (lo >= a->start + a->size || lo >= b->start + b->size)
					continue;
				if (a->size == FZ_PAGE && same_user_page(h, p, off, q, a->start))
					continue;
				return fz_fail(h, FZ_F_STATE,
					       "part %#llx+%#llx overlaps p%u's %#llx+%#llx",
					       (unsigned long long)a->start,
					       (unsigned long long)a->size, k,
					       (unsigned long long)b->start,
					       (unsigned long long)b->size);
			}
		}
		off += a->size;
	}
	return FZ_OK;
}

/* A phys from a context's allocator: sizes, orders, alignment, no overlap. */
enum fz_fail fz_check_new_phys(struct fz_harness *h, const struct fz_phys *p,
			       const unsigned char *orders, vcm_size_t size, unsigned bindings)
{
	vcm_size_t sum = 0, prev = ~0ULL;
	unsigned i;

	if (p->phys->size != size || !p->count || (unsigned)p->phys->bindings.counter != bindings)
		return fz_fail(h, FZ_F_STATE, "new phys: size %#llx (want %#llx), %u parts, %u bindings",
			       (unsigned long long)p->phys->size, (unsigned long long)size,
			       p->count, p->phys->bindings.counter);
	for (i = 0; i < p->count; i++) {
		const struct vcm_phys_part *a = &p->parts[i];

		sum += a->size;
		if (orders && (!order_allowed(orders, a->size) || a->size > prev ||
			       (a->start & (a->size - 1))))
			return fz_fail(h, FZ_F_STATE, "new phys: part %u %#llx+%#llx breaks the orders",
				       i, (unsigned long long)a->start, (unsigned long long)a->size);
		prev = a->size;
	}
	if (!orders) {
		vcm_size_t align = pow2_pages(size / FZ_PAGE) * FZ_PAGE;
		vcm_addr_t base = p->parts[0].start >= FZ_RAM1_BASE ? FZ_RAM1_BASE : FZ_RAM0_BASE;

		if (p->count != 1 || ((p->parts[0].start - base) & (align - 1)))
			return fz_fail(h, FZ_F_STATE, "new contiguous phys: %u parts at %#llx",
				       p->count, (unsigned long long)p->parts[0].start);
	}
	if (sum != size)
		return fz_fail(h, FZ_F_STATE, "new phys: parts add up to %#llx, not %#llx",
			       (unsigned long long)sum, (unsigned long long)size);
	return fz_check_parts_disjoint(h, p);
}

/* A reservation just made in @ctx: inside the window, aligned, no overlap. */
enum fz_fail fz_check_new_res(struct fz_harness *h, const struct fz_res *r)
{
	const struct fz_ctx *c = &h->ctx[r->ctx];
	vcm_size_t npages = r->size / FZ_PAGE, align = 1;
	const unsigned char *o;
	unsigned i;

	if (r->res->vcm != c->vcm || r->res->res_size != r->size)
		return fz_fail(h, FZ_F_STATE, "new res: vcm %p (want %p), size %#llx (want %#llx)",
			       (void *)r->res->vcm, (void *)c->vcm,
			       (unsigned long long)r->res->res_size, (unsigned long long)r->size);
	if (r->start & (FZ_PAGE - 1))
		return fz_fail(h, FZ_F_STATE, "new res: start %#llx not page-aligned",
			       (unsigned long long)r->start);
	if (!c->be->has_mmu)
		return FZ_OK;
	if (kernel_placement(c)) {
		vcm_addr_t at = 0;

		/* The model predicts the very address the kernel would pick. */
		if (!kernel_first_fit(h, r->ctx, r, r->size, &at) || at != r->start)
			return fz_fail(h, FZ_F_STATE, "new res %#llx+%#llx: the kernel's first fit "
				       "is %#llx", (unsigned long long)r->start,
				       (unsigned long long)r->size, (unsigned long long)at);
		return FZ_OK;
	}
	for (o = c->be->orders; *o; o++) {
		if ((1ULL << *o) <= npages) {
			align = 1ULL << *o;
			break;
		}
	}
	if (r->start < c->win_start || r->start + r->size > c->win_start + c->win_size ||
	    ((r->start - c->win_start) / FZ_PAGE) & (align - 1))
		return fz_fail(h, FZ_F_STATE, "new res %#llx+%#llx: outside the window or not "
			       "aligned to %llu pages", (unsigned long long)r->start,
			       (unsigned long long)r->size, (unsigned long long)align);
	for (i = 0; i < FZ_NRES; i++) {
		const struct fz_res *q = &h->res[i];

		if (q->live && q != r && q->ctx == r->ctx && q->start < r->start + r->size &&
		    r->start < q->start + q->size)
			return fz_fail(h, FZ_F_STATE, "new res %#llx+%#llx overlaps r%u",
				       (unsigned long long)r->start, (unsigned long long)r->size, i);
	}
	return FZ_OK;
}

/* ---- checks of the whole state ---- */

static enum fz_fail check_ctx_fields(struct fz_harness *h)
{
	unsigned i;

	for (i = 0; i < FZ_NCTX; i++) {
		struct fz_ctx *c = &h->ctx[i];
		const char *err;

		if (!c->live)
			continue;
		if (c->vcm->activations.counter != c->active)
			return fz_fail(h, FZ_F_STATE, "c%u: %d activations, model %d", i,
				       c->vcm->activations.counter, c->active);
		if (c->kind == FZ_K_SOFT && (err = fz_soft_error(c)))
			return fz_fail(h, FZ_F_DRIVER, "c%u: %s", i, err);
		if (c->kind == FZ_K_SOFT && fz_soft_countdown(c) != c->fail_countdown)
			return fz_fail(h, FZ_F_DRIVER, "c%u: %u page mappings to the failure, "
				       "model %u", i, fz_soft_countdown(c), c->fail_countdown);
		if (c->be->check_hw && c->be->check_hw(h, c))
			return h->failed;
	}
	if (h->driver_err[0])
		return fz_fail(h, FZ_F_DRIVER, "%s", h->driver_err);
	return FZ_OK;
}

static enum fz_fail check_res_fields(struct fz_harness *h)
{
	unsigned i;

	for (i = 0; i < FZ_NRES; i++) {
		const struct fz_res *r = &h->res[i];
		const struct vcm_res *res = r->res;
		const struct fz_phys *p = r->phys >= 0 ? &h->phys[r->phys] : NULL;

		if (!r->live)
			continue;
		if (res->start != r->start || res->res_size != r->size ||
		    res->vcm != h->ctx[r->ctx].vcm || res->phys != (p ? p->phys : NULL) ||
		    res->bound_size != (p ? p->size : 0))
			return fz_fail(h, FZ_F_STATE,
				       "r%u: start %#llx size %#llx phys %p bound %#llx; model "
				       "%#llx %#llx %p %#llx", i, (unsigned long long)res->start,
				       (unsigned long long)res->res_size, (void *)res->phys,
				       (unsigned long long)res->bound_size,
				       (unsigned long long)r->start, (unsigned long long)r->size,
				       p ? (void *)p->phys : NULL,
				       (unsigned long long)(p ? p->size : 0));
	}
	return FZ_OK;
}

static enum fz_fail check_phys_fields(struct fz_harness *h)
{
	unsigned i;

	for (i = 0; i < FZ_NPHYS; i++) {
		const struct fz_phys *p = &h->phys[i];
		unsigned bindings;

		if (!p->live)
			continue;
		bindings = __atomic_load_n(&p->phys->bindings.counter, __ATOMIC_ACQUIRE);
		if (p->phys->size != p->size || p->phys->count != p->count ||
		    bindings != p->bindings ||
		    memcmp(p->phys->parts, p->parts, p->count * sizeof(p->parts[0])))
			return fz_fail(h, FZ_F_STATE,
				       "p%u: size %#llx count %u bindings %u; model %#llx %u %u (or "
				       "its parts changed)", i, (unsigned long long)p->phys->size,
				       p->phys->count, bindings, (unsigned long long)p->size,
				       p->count, p->bindings);
	}
	return FZ_OK;
}

static enum fz_fail check_free(struct fz_harness *h)
{
	vcm_size_t data = fz_live_bytes(h) + fz_pinned_bytes(h), lo, hi;
	vcm_size_t got = vcm_soc_free_bytes(h->soc);

	pt_bounds(h, &lo, &hi);
	/* the upper bound of the tables may not all fit: clamp at 0 */
	if (data + hi > h->free0)
		hi = h->free0 - data;
	if (data + lo > h->free0 || got > h->free0 - data - lo || got < h->free0 - data - hi)
		return fz_fail(h, FZ_F_FREE,
			       "SoC free bytes %#llx; model: %#llx at start - %#llx live data - "
			       "[%#llx, %#llx] page tables", (unsigned long long)got,
			       (unsigned long long)h->free0, (unsigned long long)data,
			       (unsigned long long)lo, (unsigned long long)hi);
	return FZ_OK;
}

/* Bytes of the mapping a device reaches from the reservation's start. */
vcm_size_t fz_reach(const struct fz_harness *h, const struct fz_res *r)
{
	const struct fz_ctx *c = &h->ctx[r->ctx];

	if (r->phys < 0 || (c->be->has_mmu && !c->active))
		return 0;
	return h->phys[r->phys].size;
}

static enum fz_fail check_mapped_count(struct fz_harness *h)
{
	unsigned i, k;

	for (i = 0; i < FZ_NCTX; i++) {
		struct fz_ctx *c = &h->ctx[i];
		long want = 0, got;

		if (!c->live || !c->be->mapped_pages)
			continue;
		for (k = 0; k < FZ_NRES; k++)
			if (h->res[k].live && h->res[k].ctx == (int)i)
				want += (long)(fz_reach(h, &h->res[k]) / FZ_PAGE);
		got = c->be->mapped_pages(c);
		if (got != want)
			return fz_fail(h, FZ_F_MAP, "c%u (%s): %ld pages mapped, model %ld", i,
				       c->be->name, got, want);
	}
	return FZ_OK;
}

struct xlate_walk {
	struct fz_harness *h;
	struct fz_ctx *c;
	unsigned slot;
	bool bad;
};

static bool check_page(void *arg, vcm_addr_t va, vcm_addr_t pa, unsigned order)
{
	struct xlate_walk *w = arg;
	vcm_size_t i, n = 1ULL << order;

	for (i = 0; i < n; i++) {
		vcm_addr_t got;
		int got_order;

		if (w->c->be->xlate(w->h, w->c, va + i * FZ_PAGE, &got, &got_order) ||
		    got != pa + i * FZ_PAGE || (got_order >= 0 && (unsigned)got_order != order)) {
			fz_fail(w->h, FZ_F_MAP, "r%u: dva %#llx should map pa %#llx (order %u)",
				w->slot, (unsigned long long)(va + i * FZ_PAGE),
				(unsigned long long)(pa + i * FZ_PAGE), order);
			w->bad = true;
			return true;
		}
	}
	return false;
}

/* Every page of the reservation translates as the model says, or faults. */
enum fz_fail fz_check_res_map(struct fz_harness *h, unsigned slot)
{
	struct fz_res *r = &h->res[slot];
	struct fz_ctx *c = &h->ctx[r->ctx];
	struct xlate_walk w = { h, c, slot, false };
	vcm_size_t reach = fz_reach(h, r);

	if (!c->be->xlate)
		return FZ_OK;
	if (!c->be->has_mmu) {
		if (r->phys >= 0 && h->phys[r->phys].parts[0].start != r->start)
			return fz_fail(h, FZ_F_MAP, "r%u: one-to-one start %#llx is not its PA %#llx",
				       slot, (unsigned long long)r->start,
				       (unsigned long long)h->phys[r->phys].parts[0].start);
		return FZ_OK;
	}
	if (reach)
		fz_cut(&h->phys[r->phys], r->start, c->be->orders, check_page, &w);
	if (w.bad)
		return h->failed;
	return fz_check_unmapped(h, r->ctx, r->start + reach, r->size - reach);
}

enum fz_fail fz_check_unmapped(struct fz_harness *h, int ctx, vcm_addr_t dva, vcm_size_t size)
{
	struct fz_ctx *c = &h->ctx[ctx];
	vcm_size_t off;

	if (!c->be->has_mmu || !c->be->xlate)
		return FZ_OK;
	for (off = 0; off < size; off += FZ_PAGE) {
		vcm_addr_t pa;
		int order;

		if (!c->be->xlate(h, c, dva + off, &pa, &order))
			return fz_fail(h, FZ_F_MAP, "c%d: dva %#llx should fault but maps pa %#llx",
				       ctx, (unsigned long long)(dva + off), (unsigned long long)pa);
	}
	return FZ_OK;
}

/* CPU access to @len bytes at offset @off of a phys, part by part. */
static int phys_cpu_access(struct fz_harness *h, const struct fz_phys *p, vcm_size_t off,
			   uint8_t *buf, vcm_size_t len, bool write)
{
	unsigned i;

	for (i = 0; i < p->count && len; i++) {
		const struct vcm_phys_part *a = &p->parts[i];
		vcm_size_t n;
		int ret;

		if (off >= a->size) {
			off -= a->size;
			continue;
		}
		n = a->size - off < len ? a->size - off : len;
		ret = write ? vcm_soc_phys_write(h->soc, a->start + off, buf, n)
			    : vcm_soc_phys_read(h->soc, a->start + off, buf, n);
		if (ret)
			return ret;
		buf += n;
		len -= n;
		off = 0;
	}
	return 0;
}

/* Read @len bytes at offset @off of a phys through the CPU. */
int fz_phys_cpu_read(struct fz_harness *h, const struct fz_phys *p, vcm_size_t off, uint8_t *buf,
		     vcm_size_t len)
{
	return phys_cpu_access(h, p, off, buf, len, false);
}

int fz_phys_cpu_write(struct fz_harness *h, const struct fz_phys *p, vcm_size_t off,
		      const uint8_t *buf, vcm_size_t len)
{
	return phys_cpu_access(h, p, off, (uint8_t *)buf, len, true);
}

enum fz_fail fz_check_phys_bytes(struct fz_harness *h, unsigned slot)
{
	struct fz_phys *p = &h->phys[slot];
	uint8_t *buf = fz_scratch(h, p->size, 0);
	vcm_size_t i;

	if (fz_phys_cpu_read(h, p, 0, buf, p->size))
		return fz_fail(h, FZ_F_BYTES, "p%u: CPU cannot read its memory", slot);
	if (!memcmp(buf, p->shadow, p->size))
		return FZ_OK;
	for (i = 0; buf[i] == p->shadow[i]; i++)
		;
	return fz_fail(h, FZ_F_BYTES, "p%u: byte %#llx (pa %#llx) is %#x, model %#x", slot,
		       (unsigned long long)i, (unsigned long long)fz_phys_pa(p, i), buf[i],
		       p->shadow[i]);
}

/* What the reservation's device sees is the model's bytes. */
enum fz_fail fz_check_res_bytes(struct fz_harness *h, unsigned slot)
{
	struct fz_res *r = &h->res[slot];
	struct fz_ctx *c = &h->ctx[r->ctx];
	vcm_size_t reach = fz_reach(h, r), i;
	uint8_t *buf, *want;
	vcm_addr_t fault = 0;

	if (!reach)
		return FZ_OK;
	buf = fz_scratch(h, reach, 0);
	want = h->phys[r->phys].shadow;
	if (c->be->access(h, c, r->start, buf, reach, false, &fault))
		return fz_fail(h, FZ_F_MAP, "r%u: device read of %#llx+%#llx faults at %#llx",
			       slot, (unsigned long long)r->start, (unsigned long long)reach,
			       (unsigned long long)fault);
	if (!memcmp(buf, want, reach))
		return FZ_OK;
	for (i = 0; buf[i] == want[i]; i++)
		;
	return fz_fail(h, FZ_F_BYTES, "r%u: device reads %#x at dva %#llx, model %#x", slot, buf[i],
		       (unsigned long long)(r->start + i), want[i]);
}

static enum fz_fail check_ubufs(struct fz_harness *h)
{
	unsigned b;

	for (b = 0; b < FZ_NUBUF; b++) {
		struct fz_ubuf *u = &h->ubuf[b];
		vcm_size_t i;

		if (!u->mem || !memcmp(u->mem, u->shadow, FZ_UBUF_SIZE))
			continue;
		for (i = 0; u->mem[i] == u->shadow[i]; i++)
			;
		return fz_fail(h, FZ_F_BYTES, "user buffer %u: byte %#llx is %#x, model %#x", b,
			       (unsigned long long)i, u->mem[i], u->shadow[i]);
	}
	return FZ_OK;
}

/* vcm_reservation_in_vcm() of every reservation seen from @c. */
static enum fz_fail check_rescheck(struct fz_harness *h, unsigned c)
{
	unsigned i;

	for (i = 0; i < FZ_NRES; i++) {
		const struct fz_res *r = &h->res[i];
		enum S5PVCM_RESCHECK want = S5PVCM_RES_NOT_IN_VCM, got;

		if (!r->live)
			continue;
		if (r->ctx == (int)c)
			want = S5PVCM_RES_IN_VCM;
		else if (h->ctx[c].kind == FZ_K_S5P && h->ctx[r->ctx].kind == FZ_K_S5P)
			want = S5PVCM_RES_IN_ADDRSPACE;
		got = vcm_reservation_in_vcm(h->ctx[c].vcm, r->res);
		if (got != want)
			return fz_fail(h, FZ_F_STATE, "vcm_reservation_in_vcm(c%u, r%u) = %d, model %d",
				       c, i, got, want);
	}
	return FZ_OK;
}

static uint64_t next_rand(struct fz_harness *h)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return h->rng;
}

/* A DVA anywhere in @c's window translates as the model says. */
static enum fz_fail probe(struct fz_harness *h, unsigned ci)
{
	struct fz_ctx *c = &h->ctx[ci];
	vcm_addr_t dva = c->win_start + next_rand(h) % (c->win_size / FZ_PAGE) * FZ_PAGE, pa;
	unsigned i;
	int order;

	for (i = 0; i < FZ_NRES; i++) {
		const struct fz_res *r = &h->res[i];
		vcm_addr_t want;

		if (!r->live || r->ctx != (int)ci || dva < r->start || dva - r->start >= r->size)
			continue;
		if (dva - r->start >= fz_reach(h, r))
			break;
		want = fz_phys_pa(&h->phys[r->phys], dva - r->start);
		if (c->be->xlate(h, c, dva, &pa, &order) || pa != want)
			return fz_fail(h, FZ_F_MAP, "c%u: dva %#llx (r%u) should map pa %#llx", ci,
				       (unsigned long long)dva, i, (unsigned long long)want);
		return FZ_OK;
	}
	return fz_check_unmapped(h, (int)ci, dva, FZ_PAGE);
}

/* After each step: cheap checks of everything, thorough ones of what the
 * step touched; with @sweep, thorough checks of everything. */
enum fz_fail fz_check(struct fz_harness *h, bool sweep)
{
	unsigned long w0 = vcm_warn_count();
	enum fz_fail f;
	unsigned i;

	if ((f = check_ctx_fields(h)) || (f = check_res_fields(h)) || (f = check_phys_fields(h)) ||
	    (f = check_free(h)) || (f = check_mapped_count(h)))
		return f;
	for (i = 0; i < FZ_NCTX; i++) {
		struct fz_ctx *c = &h->ctx[i];

		if (!c->live)
			continue;
		if ((sweep || c->kind == FZ_K_S5P) && (f = check_rescheck(h, i)))
			return f;
		if (c->be->has_mmu && c->be->xlate && ((f = probe(h, i)) || (f = probe(h, i))))
			return f;
	}
	for (i = 0; i < FZ_NRES; i++) {
		if (!h->res[i].live || !(sweep || (h->touched_res & (1u << i))))
			continue;
		if ((f = fz_check_res_map(h, i)) || (f = fz_check_res_bytes(h, i)))
			return f;
	}
	for (i = 0; i < FZ_NPHYS; i++) {
		if (!h->phys[i].live || !(sweep || (h->touched_phys & (1u << i))))
			continue;
		if ((f = fz_check_phys_bytes(h, i)))
			return f;
	}
	if (sweep && (f = check_ubufs(h)))
		return f;
	for (i = 0; i < h->ngone; i++)
		if ((f = fz_check_unmapped(h, h->gone[i].ctx, h->gone[i].start, h->gone[i].size)))
			return f;
	h->ngone = 0;
	h->touched_res = h->touched_phys = 0;
	if (vcm_warn_count() != w0)
		return fz_fail(h, FZ_F_WARN, "checking raised %lu warning(s): %s",
			       vcm_warn_count() - w0, h->last_warn);
	return FZ_OK;
}
