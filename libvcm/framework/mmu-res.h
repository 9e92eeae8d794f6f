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
#include "pool.h"

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
 */
struct vcm_mmu_state {
	struct vcm_buddy *dva;
	struct vcm_firstfit *ff;
	vcm_addr_t base;
	struct vcm_link bound;
	bool activated;
	struct vcm_hpool res_pool;
	uint64_t guard_pages;
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
 * vcm_mmu_res_take() - a new reservation of @size bytes (whole pages) in
 * @mmu's window: a struct vcm_res from the context's handle pool, so
 * reserving takes no host allocation in the steady state and no registry
 * entry of its own (whether it is bound is its phys: no list link), with
 * its DVA and the guard gap after it.  Only its start is set: the pool
 * gives the bytes of a freed one, and the caller sets every other field
 * (adopt_res() in vcm.c).  An error pointer: -ENOMEM (no chunk, no guard
 * word), -ENOSPC (no DVA).
 */
VCM_HOT_INLINE struct vcm_res *vcm_mmu_res_take(struct vcm_mmu *mmu, vcm_size_t size)
{
	struct vcm_mmu_state *st = mmu->state;
	struct vcm_res *r = vcm_hpool_take(&st->res_pool);
	uint64_t pfn;
	int ret;

	if (!r)
		return vcm_err_ptr(-ENOMEM);
	/* the guard gap is allocated with the reservation, never mapped */
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
 * vcm_mmu_res_give() - give back what vcm_mmu_res_take() made: @res's DVA
 * with its guard gap (the object's extra word), and the object to the
 * pool.  A DVA the placement does not take back is warned about.
 */
VCM_HOT_INLINE void vcm_mmu_res_give(struct vcm_res *res)
{
	struct vcm_mmu_state *st = vcm_to_mmu(res->vcm)->state;
	uint64_t pfn = (res->start - st->base) >> VCM_PAGE_SHIFT;
	uint64_t npages = (res->res_size >> VCM_PAGE_SHIFT) + vcm_hpool_extra(res);
	int ret = vcm_mmu_dva_free(st, pfn, npages);

	if (ret)
		vcm_warn("mmu: reservation %#llx was not the wrapper's to give back (%d)",
			 (unsigned long long)res->start, ret);
	vcm_hpool_free(&st->res_pool, res);
}

#endif /* LIBVCM_MMU_RES_H */
