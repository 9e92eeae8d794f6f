/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vcm.c - the context core: the device-driver API of <vcm/vcm.h> on top of
 * a context's driver ops, with the framework's checks, fallbacks, warnings
 * and counted activation.  Each context has one lock; the functions named
 * locked_*() expect it held.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "phys.h"
#include "vcm-internal.h"

static void phys_get(struct vcm_phys *phys)
{
	__atomic_add_fetch(&phys->bindings.counter, 1, __ATOMIC_ACQ_REL);
}

static void phys_put(struct vcm_phys *phys)
{
	__atomic_sub_fetch(&phys->bindings.counter, 1, __ATOMIC_ACQ_REL);
}

/* Drop one owner of @res; true if that was the last (the caller acts). */
static bool res_put(struct vcm_res *res)
{
	return __atomic_sub_fetch(&res->refcnt.counter, 1, __ATOMIC_ACQ_REL) == 0;
}

/* As the kernel's vcm_unmap(): more than one owner, drop one, do nothing. */
static bool res_put_shared(struct vcm_res *res)
{
	int c = __atomic_load_n(&res->refcnt.counter, __ATOMIC_ACQUIRE);

	while (c > 1)
		if (__atomic_compare_exchange_n(&res->refcnt.counter, &c, c - 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

static void res_link(struct vcm *vcm, struct vcm_res *res)
{
	vcm_list_add(&vcm->core->res_list, &res->link);
	vcm->core->nres++;
}

static void res_unlink(struct vcm *vcm, struct vcm_res *res)
{
	vcm_list_del(&res->link);
	vcm->core->nres--;
}

/* What the kernel's vcm_init() required, with its warning. */
static bool init_args_valid(const struct vcm *vcm)
{
	if (vcm_is_err_or_null(vcm))
		return false;
	if (vcm_is_err_or_null(vcm->driver) || !vcm->driver->unreserve || !vcm->size ||
	    !VCM_IS_ALIGNED(vcm->start | vcm->size, VCM_PAGE_SIZE) ||
	    vcm->start + vcm->size - 1 < vcm->start) {
		vcm_warn("vcm_init: context %p needs a page-aligned window and a driver "
			 "with an unreserve op", (const void *)vcm);
		return false;
	}
	return true;
}

VCM_EXPORT struct vcm *vcm_init(struct vcm *vcm)
{
	struct vcm_core *core;

	if (!init_args_valid(vcm))
		return vcm_err_ptr(-EINVAL);
	core = vcm_calloc(1, sizeof(*core));
	if (!core)
		return vcm_err_ptr(-ENOMEM);
	pthread_mutex_init(&core->lock, NULL);
	vcm_list_init(&core->res_list);
	vcm->core = core;
	core->owner = vcm;
	vcm->activations.counter = 0;
	vcm_contexts_add(vcm);
	return vcm;
}

/* Page-round a size; 0 or overflow is -EINVAL. */
static int round_size(vcm_size_t size, vcm_size_t *out)
{
	if (!size || vcm_page_round(size, out))
		return -EINVAL;
	return 0;
}

/*
 * Take in a reservation a driver op made: fill the fields the library owns,
 * count the binding if @phys is already bound to it, and list it.
 */
static struct vcm_res *adopt_res(struct vcm *vcm, struct vcm_res *res, vcm_size_t size,
				 struct vcm_phys *phys)
{
	if (vcm_is_err_or_null(res))
		return res ? res : vcm_err_ptr(-ENOMEM);
	res->vcm = vcm;
	res->res_size = size;
	res->refcnt.counter = 1;
	res->phys = phys;
	res->bound_size = phys ? phys->size : 0;
	if (phys)
		phys_get(phys);
	res_link(vcm, res);
	return res;
}

/* The DVA fault-injection site: a failure looks like a full address space. */
static bool dva_fails(vcm_size_t size)
{
	return vcm_should_fail(VCM_FAIL_DVA, size);
}

static struct vcm_res *locked_reserve(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	if (!vcm->driver->res)
		return vcm_err_ptr(-EOPNOTSUPP);
	if (dva_fails(size))
		return vcm_err_ptr(-ENOSPC);
	return adopt_res(vcm, vcm->driver->res(vcm, size, flags), size, NULL);
}

static void locked_unreserve(struct vcm_res *res)
{
	struct vcm *vcm = res->vcm;

	res_unlink(vcm, res);
	if (vcm->driver->unreserve)
		vcm->driver->unreserve(res);
}

static int locked_bind(struct vcm_res *res, struct vcm_phys *phys)
{
	int ret;

	if (res->phys == phys)
		return -EALREADY;
	if (res->phys)
		return -EADDRINUSE;
	if (phys->size > res->res_size)
		return -ENOSPC;
	if (!res->vcm->driver->bind)
		return -EOPNOTSUPP;
	ret = res->vcm->driver->bind(res, phys);
	if (ret < 0)
		return ret;
	res->phys = phys;
	res->bound_size = phys->size;
	phys_get(phys);
	return ret;
}

/* Unbind; @call is the public call doing it, for the unmap history. */
static struct vcm_phys *locked_unbind(struct vcm_res *res, const char *call)
{
	struct vcm_phys *phys = res->phys;

	vcm_history_add(res->vcm, res->start, res->bound_size, call);
	if (res->vcm->driver->unbind)
		res->vcm->driver->unbind(res);
	res->phys = NULL;
	res->bound_size = 0;
	phys_put(phys);
	return phys;
}

/* True if the driver can reserve and bind in some way (vcm_map()). */
static bool can_map(const struct vcm_driver *drv)
{
	return drv->map || (drv->res && drv->bind);
}

static struct vcm_res *locked_map(struct vcm *vcm, struct vcm_phys *phys, unsigned flags)
{
	struct vcm_res *res;
	int ret;

	if (vcm->driver->map && dva_fails(phys->size))
		return vcm_err_ptr(-ENOSPC);
	if (vcm->driver->map)
		return adopt_res(vcm, vcm->driver->map(vcm, phys, flags), phys->size, phys);
	if (!can_map(vcm->driver))
		return vcm_err_ptr(-EOPNOTSUPP);
	res = locked_reserve(vcm, phys->size, flags);
	if (vcm_is_err(res))
		return res;
	ret = locked_bind(res, phys);
	if (ret < 0) {
		locked_unreserve(res);
		return vcm_err_ptr(ret);
	}
	return res;
}

static void free_phys(struct vcm_phys *phys)
{
	if (vcm_phys_bindings(phys)) {
		vcm_warn("vcm_free: phys %p is still bound %u time(s); not freed", (void *)phys,
			 vcm_phys_bindings(phys));
		return;
	}
	if (phys->free)
		phys->free(phys);
}

VCM_EXPORT struct vcm_phys *vcm_alloc(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct vcm_phys *phys;

	if (!vcm_valid(vcm) || round_size(size, &size))
		return vcm_err_ptr(-EINVAL);
	if (!vcm->driver->phys)
		return vcm_err_ptr(-EOPNOTSUPP);
	vcm_lock(vcm);
	phys = vcm->driver->phys(vcm, size, flags);
	vcm_unlock(vcm);
	return phys ? phys : vcm_err_ptr(-ENOMEM);
}

VCM_EXPORT void vcm_free(struct vcm_phys *phys)
{
	if (vcm_is_err_or_null(phys)) {
		vcm_warn("vcm_free: no phys (%p)", (void *)phys);
		return;
	}
	free_phys(phys);
}

VCM_EXPORT struct vcm_res *vcm_reserve(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct vcm_res *res;

	if (!vcm_valid(vcm) || round_size(size, &size))
		return vcm_err_ptr(-EINVAL);
	vcm_lock(vcm);
	res = locked_reserve(vcm, size, flags);
	vcm_unlock(vcm);
	return res;
}

VCM_EXPORT void vcm_unreserve(struct vcm_res *res)
{
	struct vcm *vcm;

	if (!vcm_res_valid(res)) {
		vcm_warn("vcm_unreserve: no reservation (%p)", (void *)res);
		return;
	}
	if (!res_put(res))
		return;
	vcm = res->vcm;
	vcm_lock(vcm);
	if (res->phys) {
		vcm_warn("vcm_unreserve: reservation %#llx is still bound; unbinding",
			 (unsigned long long)res->start);
		locked_unbind(res, "vcm_unreserve");
	}
	locked_unreserve(res);
	vcm_unlock(vcm);
}

VCM_EXPORT int vcm_ref_reserve(struct vcm_res *res)
{
	if (vcm_is_err_or_null(res)) {
		vcm_warn("vcm_ref_reserve: no reservation (%p)", (void *)res);
		return -EINVAL;
	}
	if (__atomic_add_fetch(&res->refcnt.counter, 1, __ATOMIC_ACQ_REL) < 2)
		return -EINVAL;
	return 0;
}

VCM_EXPORT int vcm_bind(struct vcm_res *res, struct vcm_phys *phys)
{
	int ret;

	if (!vcm_res_valid(res) || vcm_is_err_or_null(phys) || !phys->size || !phys->count)
		return -EINVAL;
	vcm_lock(res->vcm);
	ret = locked_bind(res, phys);
	vcm_unlock(res->vcm);
	return ret;
}

VCM_EXPORT struct vcm_phys *vcm_unbind(struct vcm_res *res)
{
	struct vcm_phys *phys = NULL;

	if (!vcm_res_valid(res)) {
		vcm_warn("vcm_unbind: no reservation (%p)", (void *)res);
		return NULL;
	}
	vcm_lock(res->vcm);
	if (res->phys)
		phys = locked_unbind(res, "vcm_unbind");
	vcm_unlock(res->vcm);
	if (!phys)
		vcm_warn("vcm_unbind: nothing bound to reservation %#llx",
			 (unsigned long long)res->start);
	return phys;
}

VCM_EXPORT struct vcm_res *vcm_map(struct vcm *vcm, struct vcm_phys *phys, unsigned flags)
{
	struct vcm_res *res;

	if (!vcm_valid(vcm) || vcm_is_err_or_null(phys) || !phys->size || !phys->count)
		return vcm_err_ptr(-EINVAL);
	vcm_lock(vcm);
	res = locked_map(vcm, phys, flags);
	vcm_unlock(vcm);
	return res;
}

VCM_EXPORT void vcm_unmap(struct vcm_res *res)
{
	struct vcm *vcm;

	if (!vcm_res_valid(res)) {
		vcm_warn("vcm_unmap: no reservation (%p)", (void *)res);
		return;
	}
	if (res_put_shared(res))
		return;
	res->refcnt.counter = 0;
	vcm = res->vcm;
	vcm_lock(vcm);
	if (res->phys)
		locked_unbind(res, "vcm_unmap");
	locked_unreserve(res);
	vcm_unlock(vcm);
}

static struct vcm_res *locked_make_binding(struct vcm *vcm, vcm_size_t size,
					   unsigned alloc_flags, unsigned res_flags)
{
	struct vcm_phys *phys;
	struct vcm_res *res;

	if (vcm->driver->alloc) {
		int ret = vcm->driver->alloc(vcm, size, &phys, alloc_flags, &res, res_flags);

		if (ret)
			return vcm_err_ptr(ret);
		return adopt_res(vcm, res, size, phys);
	}
	/* Check every op first: allocate nothing for a binding that cannot be. */
	if (!vcm->driver->phys || !can_map(vcm->driver))
		return vcm_err_ptr(-EOPNOTSUPP);
	phys = vcm->driver->phys(vcm, size, alloc_flags);
	if (vcm_is_err_or_null(phys))
		return phys ? (struct vcm_res *)phys : vcm_err_ptr(-ENOMEM);
	res = locked_map(vcm, phys, res_flags);
	if (vcm_is_err(res))
		free_phys(phys);
	return res;
}

VCM_EXPORT struct vcm_res *vcm_make_binding(struct vcm *vcm, vcm_size_t size,
					    unsigned alloc_flags, unsigned res_flags)
{
	struct vcm_res *res;

	if (!vcm_valid(vcm) || !size)
		return vcm_err_ptr(-EINVAL);
	if (!VCM_IS_ALIGNED(size, VCM_PAGE_SIZE)) {
		vcm_warn("vcm_make_binding: size %#llx is not a whole number of pages",
			 (unsigned long long)size);
		return vcm_err_ptr(-EINVAL);
	}
	vcm_lock(vcm);
	res = locked_make_binding(vcm, size, alloc_flags, res_flags);
	vcm_unlock(vcm);
	return res;
}

VCM_EXPORT void vcm_destroy_binding(struct vcm_res *res)
{
	struct vcm_phys *phys = NULL;
	struct vcm *vcm;

	if (!vcm_res_valid(res)) {
		vcm_warn("vcm_destroy_binding: no reservation (%p)", (void *)res);
		return;
	}
	if (res_put_shared(res))
		return;
	res->refcnt.counter = 0;
	vcm = res->vcm;
	vcm_lock(vcm);
	if (res->phys)
		phys = locked_unbind(res, "vcm_destroy_binding");
	locked_unreserve(res);
	vcm_unlock(vcm);
	if (phys)
		free_phys(phys);
	else
		vcm_warn("vcm_destroy_binding: nothing was bound");
}

VCM_EXPORT int vcm_activate(struct vcm *vcm)
{
	int ret = 0;

	if (!vcm_valid(vcm))
		return -EINVAL;
	vcm_lock(vcm);
	if (++vcm->activations.counter == 1 && vcm->driver->activate)
		ret = vcm->driver->activate(vcm);
	vcm_unlock(vcm);
	return ret;
}

static void locked_deactivate_all(struct vcm *vcm)
{
	if (vcm->driver->deactivate)
		vcm->driver->deactivate(vcm);
	vcm->activations.counter = 0;
}

VCM_EXPORT void vcm_deactivate(struct vcm *vcm)
{
	if (!vcm_valid(vcm)) {
		vcm_warn("vcm_deactivate: no context (%p)", (void *)vcm);
		return;
	}
	vcm_lock(vcm);
	if (vcm->activations.counter <= 0)
		vcm_warn("vcm_deactivate: context %p is not active", (void *)vcm);
	else if (vcm->activations.counter == 1)
		locked_deactivate_all(vcm);
	else
		vcm->activations.counter--;
	vcm_unlock(vcm);
}

VCM_EXPORT void vcm_destroy(struct vcm *vcm)
{
	struct vcm_core *core;

	if (!vcm_valid(vcm)) {
		vcm_warn("vcm_destroy: no context (%p)", (void *)vcm);
		return;
	}
	if (vcm == vcm_vmm) {
		vcm_warn("vcm_destroy: vcm_vmm is static and is never destroyed");
		return;
	}
	core = vcm->core;
	vcm_lock(vcm);
	if (vcm->activations.counter) {
		vcm_warn("vcm_destroy: context %p is still active; deactivating", (void *)vcm);
		locked_deactivate_all(vcm);
	}
	if (core->nres)
		vcm_warn("vcm_destroy: %lu reservation(s) left; unmapping them", core->nres);
	while (!vcm_list_empty(&core->res_list)) {
		struct vcm_res *res = vcm_list_first(&core->res_list, struct vcm_res, link);

		if (res->phys)
			locked_unbind(res, "vcm_destroy");
		locked_unreserve(res);
	}
	vcm_unlock(vcm);
	vcm_contexts_del(vcm);
	pthread_mutex_destroy(&core->lock);
	free(core);
	vcm->core = NULL;
	if (vcm->driver->cleanup)
		vcm->driver->cleanup(vcm);
	else
		free(vcm);
}

/* ---- describing a DVA (fault reports, explain) ---- */

void vcm_describe_dva(struct vcm *vcm, vcm_addr_t dva, struct vcm_dva_desc *d)
{
	struct vcm_res *res;

	if (!vcm_valid(vcm))
		return;
	vcm_lock(vcm);
	d->active = vcm->activations.counter > 0;
	if (dva < vcm->start || dva - vcm->start >= vcm->size) {
		d->owner = VCM_DVA_OUTSIDE_WINDOW;
		goto out;
	}
	d->owner = VCM_DVA_UNRESERVED;
	vcm_list_for_each(res, &vcm->core->res_list, link) {
		if (dva >= res->start && dva - res->start < res->res_size) {
			d->owner = res->phys ? VCM_DVA_BOUND : VCM_DVA_UNBOUND;
			d->res_start = res->start;
			d->res_size = res->res_size;
			break;
		}
	}
out:
	if (d->owner != VCM_DVA_BOUND)
		vcm_history_find(vcm, dva, d);
	vcm_unlock(vcm);
}
