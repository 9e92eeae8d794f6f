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

#include "internal.h"
#include "mmu-res.h"
#include "mmu.h"
#include "phys.h"
#include "registry.h"
#include "vcm-internal.h"
#include "trace.h"

/* Most pages a window (and its DVA allocator) may have. */
#define VCM_MMU_MAX_PAGES (1ULL << 32)

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

/*
 * The wrapper's reservation ops: vcm_mmu_res_take() and _give() (mmu-res.h,
 * which the context core's lean path calls directly).
 */
static struct vcm_res *mmu_res(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	(void)flags;
	return vcm_mmu_res_take(vcm_to_mmu(vcm), size);
}

static void mmu_unreserve(struct vcm_res *res)
{
	vcm_mmu_res_give(res);
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
	return vcm_hpool_extra(res) << VCM_PAGE_SHIFT;
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
