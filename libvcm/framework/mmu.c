/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mmu.c - the MMU wrapper: a context whose addresses are translated by an
 * MMU.  DVA comes from the window through the buddy allocator (or the
 * kernel's first fit); activation replays the bound reservations into the
 * hardware and the last deactivation takes them out again.  The
 * reservations vcm_reserve() makes are plain struct vcm_res from the
 * context's handle pool, bound while their phys is set (the framework sets
 * it after a successful bind op and clears it after the unbind op), so they
 * carry no list link; a driver-made struct vcm_mmu_res (vcm-drv.h) goes on
 * the context's list of bound ones through its own link, as in the kernel.
 * Each reservation reaches the hardware through the driver's activate op,
 * or page by page through activate_page (with deactivate_page undoing a
 * failure).
 */
#include <errno.h>
#include <stdlib.h>

#include <vcm/testing.h>

#include "buddy-inline.h"
#include "buddy.h"
#include "firstfit.h"
#include "internal.h"
#include "mmu.h"
#include "phys.h"
#include "pool.h"
#include "registry.h"
#include "vcm-internal.h"
#include "trace.h"

/* Most pages a window (and its DVA allocator) may have. */
#define VCM_MMU_MAX_PAGES (1ULL << 32)

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

static inline struct vcm_mmu_res *to_mmu_res(struct vcm_res *res)
{
	return VCM_CONTAINER_OF(res, struct vcm_mmu_res, res);
}

/*
 * True if @res is one of the context's pooled reservations (a live one,
 * which vcm_bind() and vcm_unbind() only see), false for one its driver
 * made (a struct vcm_mmu_res unknown to the registry).
 */
static bool res_pooled(const struct vcm_res *res)
{
	return vcm_reg_live(res, VCM_KIND_RES);
}

/* Largest driver order whose page fits in @npages (0 if none). */
static unsigned align_order_for(const unsigned char *orders, uint64_t npages)
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
static unsigned kernel_align_order(const unsigned char *orders, uint64_t npages)
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
 * the one-block paths of buddy-inline.h do it without the range logic.
 */
static int one_block_order(const struct vcm_buddy *b, uint64_t npages)
{
	unsigned order = (unsigned)__builtin_ctzll(npages);

	return npages >> order == 1 && order <= b->max_order ? (int)order : -1;
}

/*
 * A DVA range of @npages and @guard pages after it: its first page number
 * in the window's arena.  The alignment follows from @npages alone.
 */
static int dva_alloc(struct vcm_mmu *mmu, uint64_t npages, uint64_t guard, uint64_t *pfn)
{
	struct vcm_mmu_state *st = mmu->state;
	int order, ret;

	if (st->ff)
		return vcm_firstfit_alloc(st->ff, npages + guard,
					  kernel_align_order(mmu->driver->orders, npages), pfn);
	order = one_block_order(st->dva, npages + guard);
	if (order >= 0)
		ret = vcm_buddy_alloc_inline(st->dva, (unsigned)order, pfn);
	else
		ret = vcm_buddy_alloc_pages(st->dva, npages + guard,
					    align_order_for(mmu->driver->orders, npages), pfn);
	return ret == -ENOMEM || ret == -EINVAL ? -ENOSPC : ret;
}

/* Give back what dva_alloc() took: @npages (guard included) at @pfn. */
static int dva_free(struct vcm_mmu_state *st, uint64_t pfn, uint64_t npages)
{
	int order;

	if (st->ff)
		return vcm_firstfit_free(st->ff, pfn, npages);
	order = one_block_order(st->dva, npages);
	if (order >= 0)
		return vcm_buddy_free_inline(st->dva, pfn, (unsigned)order);
	return vcm_buddy_free_pages(st->dva, pfn, npages);
}

/*
 * A reservation: a struct vcm_res from the context's handle pool, so
 * reserving takes no host allocation in the steady state and no registry
 * entry of its own; whether it is bound is its phys (no list link).
 */
static struct vcm_res *mmu_res(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct vcm_mmu *mmu = vcm_to_mmu(vcm);
	struct vcm_mmu_state *st = mmu->state;
	struct vcm_res *r = vcm_hpool_take(&st->res_pool);
	uint64_t pfn;
	int ret;

	(void)flags;
	if (!r)
		return vcm_err_ptr(-ENOMEM);
	/* the guard gap is allocated with the reservation, never mapped */
	ret = dva_alloc(mmu, size >> VCM_PAGE_SHIFT, st->guard_pages, &pfn);
	if (!ret && vcm_hpool_set_extra(r, st->guard_pages)) {
		dva_free(st, pfn, (size >> VCM_PAGE_SHIFT) + st->guard_pages);
		ret = -ENOMEM;
	}
	if (ret) {
		vcm_hpool_free(&st->res_pool, r);
		return vcm_err_ptr(ret);
	}
	/* every field: the pool gives the bytes of a freed one */
	*r = (struct vcm_res){ .start = st->base + (pfn << VCM_PAGE_SHIFT) };
	return r;
}

/* The guard gap after pooled @res, in pages (its pool object's extra word). */
static uint64_t guard_pages_of(struct vcm_res *res)
{
	return vcm_hpool_extra(res);
}

static void mmu_unreserve(struct vcm_res *res)
{
	struct vcm_mmu_state *st = vcm_to_mmu(res->vcm)->state;
	uint64_t pfn = (res->start - st->base) >> VCM_PAGE_SHIFT;
	uint64_t npages = (res->res_size >> VCM_PAGE_SHIFT) + guard_pages_of(res);
	int ret;

	ret = dva_free(st, pfn, npages);
	if (ret)
		vcm_warn("mmu: reservation %#llx was not the wrapper's to give back (%d)",
			 (unsigned long long)res->start, ret);
	vcm_hpool_free(&st->res_pool, res);
}

static struct vcm_phys *mmu_phys(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct vcm_mmu *mmu = vcm_to_mmu(vcm);

	return vcm_phys_alloc_soc(vcm_context_soc(vcm), size, flags, mmu->driver->orders);
}

static int hw_map(struct vcm_mmu *mmu, struct vcm_res *res, struct vcm_phys *phys)
{
	const struct vcm_mmu_driver *drv = mmu->driver;

	if (drv->activate)
		return drv->activate(res, phys);
	return vcm_phys_walk(res->start, phys, drv->orders, drv->activate_page,
			     drv->deactivate_page, &mmu->vcm);
}

static void hw_unmap(struct vcm_mmu *mmu, struct vcm_res *res, struct vcm_phys *phys)
{
	const struct vcm_mmu_driver *drv = mmu->driver;
	int ret;

	if (drv->deactivate) {
		drv->deactivate(res, phys);
		return;
	}
	if (!drv->deactivate_page)
		return;
	ret = vcm_phys_walk_all(res->start, phys, drv->orders, drv->deactivate_page, &mmu->vcm);
	if (ret)
		vcm_warn("mmu: deactivate_page failed (%d) unmapping %#llx", ret,
			 (unsigned long long)res->start);
}

/*
 * Bind: into the hardware if the context is active.  A pooled reservation
 * is bound once the framework sets its phys (after this returns); one its
 * driver made goes on the list, as in the kernel.
 */
static int mmu_bind(struct vcm_res *res, struct vcm_phys *phys)
{
	struct vcm_mmu *mmu = vcm_to_mmu(res->vcm);

	if (mmu->state->activated) {
		int ret = hw_map(mmu, res, phys);

		if (ret < 0)
			return ret;
	}
	if (!res_pooled(res))
		vcm_list_add_tail(&mmu->state->bound, &to_mmu_res(res)->bound);
	return 0;
}

static void mmu_unbind(struct vcm_res *res)
{
	struct vcm_mmu *mmu = vcm_to_mmu(res->vcm);

	if (mmu->state->activated)
		hw_unmap(mmu, res, res->phys);
	if (!res_pooled(res))
		vcm_list_del(&to_mmu_res(res)->bound);
}

/*
 * A walk over a context's bound reservations (owned): the pooled ones
 * whose phys is set, in the pool's order (chunk by chunk, not the order of
 * binding), then those its driver made, in binding order.  Start zeroed.
 */
struct bound_iter {
	struct vcm_hpool_iter pos;	/* in the pool */
	struct vcm_link *next;		/* in the list; NULL while in the pool */
};

static struct vcm_res *next_bound(struct vcm_mmu_state *st, struct bound_iter *it)
{
	struct vcm_res *res;

	if (!it->next) {
		while ((res = vcm_hpool_next_live(&st->res_pool, &it->pos)))
			if (res->phys)
				return res;
		it->next = st->bound.next;
	}
	if (it->next == &st->bound)
		return NULL;
	res = &vcm_list_entry(it->next, struct vcm_mmu_res, bound)->res;
	it->next = it->next->next;
	return res;
}

/* Map every bound reservation; on failure unmap those already mapped. */
static int mmu_activate(struct vcm *vcm)
{
	struct vcm_mmu *mmu = vcm_to_mmu(vcm);
	struct bound_iter it = { 0 }, undo = { 0 };
	struct vcm_res *res, *done;
	int ret;

	while ((res = next_bound(mmu->state, &it))) {
		ret = hw_map(mmu, res, res->phys);
		if (ret < 0)
			goto unwind;
	}
	mmu->state->activated = true;
	return 0;

unwind:
	while ((done = next_bound(mmu->state, &undo)) != res)
		hw_unmap(mmu, done, done->phys);
	return ret;
}

static void mmu_deactivate(struct vcm *vcm)
{
	struct vcm_mmu *mmu = vcm_to_mmu(vcm);
	struct bound_iter it = { 0 };
	struct vcm_res *res;

	if (!mmu->state->activated)
		return;
	mmu->state->activated = false;
	while ((res = next_bound(mmu->state, &it)))
		hw_unmap(mmu, res, res->phys);
}

static void mmu_cleanup(struct vcm *vcm)
{
	struct vcm_mmu *mmu = vcm_to_mmu(vcm);

	vcm_buddy_destroy(mmu->state->dva);
	vcm_firstfit_destroy(mmu->state->ff);
	vcm_hpool_release(&mmu->state->res_pool);
	free(mmu->state);
	mmu->state = NULL;
	if (mmu->driver->cleanup)
		mmu->driver->cleanup(vcm);
	else
		free(mmu);
}

const struct vcm_driver vcm_mmu_vcm_driver = {
	.cleanup = mmu_cleanup,
	.res = mmu_res,
	.phys = mmu_phys,
	.unreserve = mmu_unreserve,
	.bind = mmu_bind,
	.unbind = mmu_unbind,
	.activate = mmu_activate,
	.deactivate = mmu_deactivate,
};

static bool mmu_driver_valid(const struct vcm_mmu_driver *drv)
{
	return !vcm_is_err_or_null(drv) && drv->orders && vcm_orders_valid(drv->orders) &&
	       (drv->activate || drv->activate_page);
}

/* Largest order the DVA allocator needs: the whole window, capped. */
static unsigned window_max_order(uint64_t npages)
{
	unsigned order = 63 - (unsigned)__builtin_clzll(npages);

	return order > VCM_BUDDY_ORDER_LIMIT ? VCM_BUDDY_ORDER_LIMIT : order;
}

/*
 * Where the DVA allocator starts: the window start aligned down to the
 * largest driver page that fits in the window (the window start itself if
 * the pages before it would make the arena too large).
 */
static vcm_addr_t dva_base(const struct vcm_mmu *mmu)
{
	uint64_t npages = mmu->vcm.size >> VCM_PAGE_SHIFT;
	vcm_size_t align = VCM_ORDER_BYTES(align_order_for(mmu->driver->orders, npages));
	vcm_addr_t base = mmu->vcm.start & ~(align - 1);

	if (npages + ((mmu->vcm.start - base) >> VCM_PAGE_SHIFT) > VCM_MMU_MAX_PAGES)
		return mmu->vcm.start;
	return base;
}

/*
 * The DVA allocator of [base, start + size), with [base, start) allocated
 * for good.  In a fresh arena the block at page 0 is the lowest of the
 * largest order, so asking for the head with that alignment lands there.
 */
static struct vcm_buddy *dva_create(const struct vcm_mmu *mmu, vcm_addr_t base)
{
	uint64_t head = (mmu->vcm.start - base) >> VCM_PAGE_SHIFT;
	uint64_t npages = head + (mmu->vcm.size >> VCM_PAGE_SHIFT);
	unsigned max_order = window_max_order(npages);
	struct vcm_buddy *dva = vcm_buddy_create(npages, max_order);
	uint64_t pfn;

	if (!dva || !head)
		return dva;
	if (vcm_buddy_alloc_pages(dva, head, max_order, &pfn) || pfn) {
		vcm_buddy_destroy(dva);
		return NULL;
	}
	return dva;
}

bool vcm_is_mmu_context(const struct vcm *vcm)
{
	return !vcm_is_err_or_null(vcm->driver) && vcm->driver->res == mmu_res;
}

VCM_TRACE_BODY int do_set_guard(struct vcm *vcm, vcm_size_t size)
{
	int ret;

	if (!vcm_ctx_ok(vcm, "vcm_set_guard") || !VCM_IS_ALIGNED(size, VCM_PAGE_SIZE) ||
	    size > vcm->size)
		return -EINVAL;
	if (!vcm_is_mmu_context(vcm))
		return -EOPNOTSUPP;
	ret = vcm_ctx_enter(vcm, "vcm_set_guard");
	if (ret)
		return ret;
	vcm_to_mmu(vcm)->state->guard_pages = size >> VCM_PAGE_SHIFT;
	vcm_ctx_leave(vcm);
	return 0;
}

VCM_TRACED_FN(int, vcm_set_guard, (struct vcm *vcm, vcm_size_t size), do_set_guard, (vcm, size),
	      SET_GUARD, vcm, (uint64_t)size, ret)

vcm_size_t vcm_mmu_guard_of(struct vcm_res *res)
{
	if (!vcm_is_mmu_context(res->vcm))
		return 0;
	return guard_pages_of(res) << VCM_PAGE_SHIFT;
}

/* The DVA placement: the kernel's first fit, or the buddy allocator. */
static int dva_create_state(struct vcm_mmu *mmu, struct vcm_mmu_state *st, bool buddy)
{
	if (!buddy) {
		st->base = mmu->vcm.start;
		st->ff = vcm_firstfit_create(mmu->vcm.start >> VCM_PAGE_SHIFT,
					   mmu->vcm.size >> VCM_PAGE_SHIFT, mmu->driver->orders);
		return st->ff ? 0 : -ENOMEM;
	}
	st->base = dva_base(mmu);
	st->dva = dva_create(mmu, st->base);
	return st->dva ? 0 : -ENOMEM;
}

static struct vcm *mmu_init(struct vcm_mmu *mmu, bool buddy)
{
	struct vcm_mmu_state *st;
	struct vcm *vcm;

	if (vcm_is_err_or_null(mmu) || !mmu_driver_valid(mmu->driver) || !mmu->vcm.size ||
	    !VCM_IS_ALIGNED(mmu->vcm.start | mmu->vcm.size, VCM_PAGE_SIZE) ||
	    (mmu->vcm.size >> VCM_PAGE_SHIFT) > VCM_MMU_MAX_PAGES)
		return vcm_err_ptr(-EINVAL);
	st = vcm_calloc(1, sizeof(*st));
	if (!st)
		return vcm_err_ptr(-ENOMEM);
	vcm_list_init(&st->bound);
	vcm_hpool_init(&st->res_pool, sizeof(struct vcm_res), VCM_KIND_RES);
	if (dva_create_state(mmu, st, buddy)) {
		free(st);
		return vcm_err_ptr(-ENOMEM);
	}
	mmu->state = st;
	mmu->vcm.driver = &vcm_mmu_vcm_driver;
	vcm = vcm_init(&mmu->vcm);
	if (vcm_is_err(vcm)) {
		vcm_buddy_destroy(st->dva);
		vcm_firstfit_destroy(st->ff);
		free(st);
		mmu->state = NULL;
		return vcm;
	}
	vcm_set_res_pool(vcm, &st->res_pool);
	return vcm;
}

VCM_TRACE_BODY struct vcm *do_mmu_init(struct vcm_mmu *mmu)
{
	return mmu_init(mmu, false);
}

VCM_TRACED_FN(struct vcm *, vcm_mmu_init, (struct vcm_mmu *mmu), do_mmu_init, (mmu),
	      MMU_INIT, (uint64_t)(vcm_is_err_or_null(mmu) ? 0 : mmu->vcm.start),
	      (uint64_t)(vcm_is_err_or_null(mmu) ? 0 : mmu->vcm.size),
	      vcm_is_err_or_null(mmu) ? NULL : mmu->driver ? mmu->driver->orders : NULL,
	      (int)(!vcm_is_err_or_null(mmu) && mmu->driver), ret)

struct vcm *vcm_mmu_init_buddy(struct vcm_mmu *mmu)
{
	return mmu_init(mmu, true);
}
