/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mmu-res.h - the MMU wrapper's reservations (internal): its bookkeeping,
 * DVA placement and the making and giving back of one reservation, inline
 * so that the wrapper's ops (mmu.c) and the context core's lean path of
 * vcm_reserve()/vcm_unreserve() (vcm.c) run the one same code.  Only mmu.c
 * and vcm.c include it.
 */
#ifndef LIBVCM_MMU_RES_H
#define LIBVCM_MMU_RES_H

#include <errno.h>

#include "buddy-inline.h"
#include "buddy.h"
#include "firstfit.h"
#include "internal.h"
#include "mmu.h"
#include "pgtable.h"
#include "pool.h"

/*
 * The DVA cache of the buddy placement, as the per-size caches in front of
 * Linux's IOVA allocator: a reservation given back whose DVA is one buddy
 * block of at most a section (1 MiB, the largest page the System MMU maps),
 * with no guard gap, keeps its block; its object (released: the registry
 * has marked it so) goes on its order's list instead of to the pool, and
 * the next reservation of that size takes both back without touching the
 * buddy.  Each list holds at most VCM_DVA_CACHE_DEPTH; beyond that, and
 * for every other size, the block goes back to the buddy.  Nothing is
 * lost to the cache: before a reservation fails for lack of DVA, the cache
 * is emptied into the buddy (which merges) and the placement tried again.
 * A cached object keeps its start; its list link is held in its phys
 * field (set again when it is handed out).
 */
#define VCM_DVA_CACHE_ORDERS	(VCM_LV1_SHIFT - VCM_PAGE_SHIFT + 1)	/* up to 1 MiB */
#define VCM_DVA_CACHE_DEPTH	32

struct vcm_dva_cache {
	struct vcm_res *head;
	unsigned n;
};

/*
 * struct vcm_mmu_state - the wrapper's bookkeeping.
 * @dva: the buddy placement (vcm_mmu_init_buddy()): the window's pages (and
 *       those between @base and the window start, kept allocated); NULL
 *       with the kernel's placement.
 * @ff: the kernel's placement (vcm_mmu_init()): first fit over the
 *      window's pages, aligned in absolute DVA; NULL with the buddy one.
 * @base: DVA of the allocator's page 0: the window start rounded down to
 *        the largest driver page that fits in the window, so that blocks
 *        aligned in the allocator are aligned in DVA.
 * @bound: the bound reservations its driver made itself (struct
 *         vcm_mmu_res, through their @bound link), in binding order.
 * @activated: the bindings are in the hardware (the last activation
 *             succeeded and no deactivation followed).
 * @res_pool: the struct vcm_res of every reservation vcm_reserve() makes
 *            (the context's handle pool: see vcm_set_res_pool()), with its
 *            guard gap in pages as the object's extra word
 *            (vcm_hpool_extra(): no memory while no reservation of a chunk
 *            has a guard).
 * @guard_pages: unmapped pages left after each new reservation
 *               (vcm_set_guard()); 0 by default.
 * @cache: with the buddy placement, given-back reservations kept with
 *         their DVA, one list per block order (see struct vcm_dva_cache).
 */
struct vcm_mmu_state {
	struct vcm_buddy *dva;
	struct vcm_firstfit *ff;
	vcm_addr_t base;
	struct vcm_link bound;
	bool activated;
	struct vcm_hpool res_pool;
	uint64_t guard_pages;
	struct vcm_dva_cache cache[VCM_DVA_CACHE_ORDERS];
};

/* Largest driver order whose page fits in @npages (0 if none). */
static inline unsigned align_order_for(const unsigned char *orders, uint64_t npages)
{
	for (; *orders; orders++)
		if ((1ULL << *orders) <= npages)
			return *orders;
	return 0;
}

/*
 * The kernel's alignment: the largest driver order not above the lowest
 * set bit of the size (a 1 MiB + 64 KiB reservation is 64 KiB-aligned).
 */
static inline unsigned kernel_align_order(const unsigned char *orders, uint64_t npages)
{
	unsigned low = (unsigned)__builtin_ctzll(npages);

	while (*orders > low)
		orders++;
	return *orders;
}

/*
 * The order of the one buddy block that is exactly @npages pages, or -1 if
 * @npages is not a power of two or above the arena's largest block.  A
 * reservation of such a size is that block: its alignment (the largest
 * driver page that fits in it) never exceeds it, so vcm_buddy_alloc_pages()
 * and vcm_buddy_free_pages() would take and give back exactly that block;
 * the one-block paths of buddy-inline.h do it without the range logic
 * (the fast one first, as the SoC's page allocator: no split, no merge).
 */
static inline int one_block_order(const struct vcm_buddy *b, uint64_t npages)
{
	unsigned order = (unsigned)__builtin_ctzll(npages);

	return npages >> order == 1 && order <= b->max_order ? (int)order : -1;
}

/*
 * A DVA range of @npages and @guard pages after it: its first page number
 * in the window's arena.  The alignment follows from @npages alone.
 */
VCM_HOT_INLINE int vcm_mmu_dva_alloc(struct vcm_mmu *mmu, uint64_t npages, uint64_t guard,
				     uint64_t *pfn)
{
	struct vcm_mmu_state *st = mmu->state;
	int order, ret;

	if (st->ff)
		return vcm_firstfit_alloc(st->ff, npages + guard,
					  kernel_align_order(mmu->driver->orders, npages), pfn);
	order = one_block_order(st->dva, npages + guard);
	if (order >= 0)
		ret = vcm_buddy_alloc_fast(st->dva, (unsigned)order, pfn) ?
			      0 : vcm_buddy_alloc_inline(st->dva, (unsigned)order, pfn);
	else
		ret = vcm_buddy_alloc_pages(st->dva, npages + guard,
					    align_order_for(mmu->driver->orders, npages), pfn);
	return ret == -ENOMEM || ret == -EINVAL ? -ENOSPC : ret;
}

/* Give back what dva_alloc() took: @npages (guard included) at @pfn. */
VCM_HOT_INLINE int vcm_mmu_dva_free(struct vcm_mmu_state *st, uint64_t pfn, uint64_t npages)
{
	int order;

	if (st->ff)
		return vcm_firstfit_free(st->ff, pfn, npages);
	order = one_block_order(st->dva, npages);
	if (order >= 0)
		return vcm_buddy_free_fast(st->dva, pfn, (unsigned)order) ?
			       0 : vcm_buddy_free_inline(st->dva, pfn, (unsigned)order);
	return vcm_buddy_free_pages(st->dva, pfn, npages);
}

/*
 * The cache list of a reservation of @npages (no guard), or NULL if none:
 * a power of two from 1 up to a section, and the buddy placement.  (No
 * check of the arena's largest block: no block above it is ever given
 * back, so the list of a larger one stays empty.)
 */
static inline struct vcm_dva_cache *dva_cache_of(struct vcm_mmu_state *st, uint64_t npages)
{
	if (npages - 1 >= 1ULL << (VCM_DVA_CACHE_ORDERS - 1) || (npages & (npages - 1)) ||
	    !st->dva)
		return NULL;	/* the kernel's placement has no cache */
	return &st->cache[__builtin_ctzll(npages)];
}

/* The first reservation of list @c, taken off it (the count aside); NULL if none. */
static inline struct vcm_res *dva_cache_pop(struct vcm_dva_cache *c)
{
	struct vcm_res *r = c->head;

	if (r)
		memcpy(&c->head, &r->phys, sizeof(c->head));
	return r;
}

/* A cached reservation of @npages pages, its start set; NULL if none. */
VCM_HOT_INLINE struct vcm_res *dva_cache_take(struct vcm_mmu_state *st, uint64_t npages)
{
	struct vcm_dva_cache *c = st->guard_pages ? NULL : dva_cache_of(st, npages);
	struct vcm_res *r = c ? dva_cache_pop(c) : NULL;

	if (r)
		c->n--;
	return r;
}

/* Keep given-back @res with its DVA if its list has room: false if not. */
VCM_HOT_INLINE bool dva_cache_give(struct vcm_mmu_state *st, struct vcm_res *res)
{
	struct vcm_dva_cache *c = dva_cache_of(st, res->res_size >> VCM_PAGE_SHIFT);

	if (!c || c->n == VCM_DVA_CACHE_DEPTH || vcm_hpool_extra_in(&st->res_pool, res))
		return false;
	memcpy(&res->phys, &c->head, sizeof(c->head));
	c->head = res;
	c->n++;
	return true;
}

/*
 * Empty the DVA cache: each block back to the buddy, each object to the
 * pool.  True if it held anything.
 */
static inline bool dva_cache_drain(struct vcm_mmu_state *st)
{
	bool any = false;
	unsigned order;

	if (!st->dva)
		return false;	/* the kernel's placement has no cache */
	for (order = 0; order < VCM_DVA_CACHE_ORDERS; order++) {
		struct vcm_dva_cache *c = &st->cache[order];
		struct vcm_res *r;

		while ((r = dva_cache_pop(c))) {
			vcm_mmu_dva_free(st, (r->start - st->base) >> VCM_PAGE_SHIFT, 1ULL << order);
			vcm_hpool_free(&st->res_pool, r);
			any = true;
		}
		c->n = 0;
	}
	return any;
}

/*
 * vcm_mmu_res_take() - a new reservation of @size bytes (whole pages) in
 * @mmu's window: a cached one of that size (struct vcm_dva_cache), else a
 * struct vcm_res from the context's handle pool, so
 * reserving takes no host allocation in the steady state and no registry
 * entry of its own (whether it is bound is its phys: no list link), with
 * its DVA and the guard gap after it.  Only its start is set: the pool
 * gives the bytes of a freed one, and the caller sets every other field
 * (adopt_res() in vcm.c).  An error pointer: -ENOMEM (no chunk, no guard
 * word), -ENOSPC (no DVA, even with the cache emptied).
 */
VCM_HOT_INLINE struct vcm_res *vcm_mmu_res_take(struct vcm_mmu *mmu, vcm_size_t size)
{
	struct vcm_mmu_state *st = mmu->state;
	struct vcm_res *r = dva_cache_take(st, size >> VCM_PAGE_SHIFT);
	uint64_t pfn;
	int ret;

	if (r)
		return r;
	r = vcm_hpool_take(&st->res_pool);
	if (!r)
		return vcm_err_ptr(-ENOMEM);
	/* the guard gap is allocated with the reservation, never mapped */
	ret = vcm_mmu_dva_alloc(mmu, size >> VCM_PAGE_SHIFT, st->guard_pages, &pfn);
	if (ret == -ENOSPC && dva_cache_drain(st))
		ret = vcm_mmu_dva_alloc(mmu, size >> VCM_PAGE_SHIFT, st->guard_pages, &pfn);
	if (!ret && vcm_hpool_set_extra(r, st->guard_pages)) {
		vcm_mmu_dva_free(st, pfn, (size >> VCM_PAGE_SHIFT) + st->guard_pages);
		ret = -ENOMEM;
	}
	if (ret) {
		vcm_hpool_free(&st->res_pool, r);
		return vcm_err_ptr(ret);
	}
	r->start = st->base + (pfn << VCM_PAGE_SHIFT);	/* the caller sets the rest */
	return r;
}

/*
 * vcm_mmu_res_give() - give back what vcm_mmu_res_take() made: into the
 * DVA cache if it takes it, else @res's DVA with its guard gap (the
 * object's extra word) to the placement and the object to the pool.  A
 * DVA the placement does not take back is warned about.
 */
VCM_HOT_INLINE void vcm_mmu_res_give(struct vcm_res *res)
{
	struct vcm_mmu_state *st = vcm_to_mmu(res->vcm)->state;
	uint64_t npages;
	int ret;

	if (dva_cache_give(st, res))
		return;
	npages = (res->res_size >> VCM_PAGE_SHIFT) + vcm_hpool_extra_in(&st->res_pool, res);
	ret = vcm_mmu_dva_free(st, (res->start - st->base) >> VCM_PAGE_SHIFT, npages);
	if (ret)
		vcm_warn("mmu: reservation %#llx was not the wrapper's to give back (%d)",
			 (unsigned long long)res->start, ret);
	vcm_hpool_free(&st->res_pool, res);
}

#endif /* LIBVCM_MMU_RES_H */
