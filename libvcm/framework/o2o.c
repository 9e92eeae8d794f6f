/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * o2o.c - the one-to-one wrapper (devices without an MMU: a device address
 * is the physical address) and vcm_onetoone_create(), its ready-made
 * context allocating contiguous memory from a SoC.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "phys.h"
#include "soc-internal.h"
#include "vcm-internal.h"
#include "trace.h"

static inline struct vcm_o2o *to_o2o(struct vcm *vcm)
{
	return VCM_CONTAINER_OF(vcm, struct vcm_o2o, vcm);
}

static void o2o_phys_free(struct vcm_phys *phys)
{
	struct vcm_o2o *o2o = *vcm_phys_priv(phys);

	if (o2o->driver->free)
		o2o->driver->free(&o2o->vcm, &phys->parts[0]);
	free(phys);
}

/*
 * The kernel's op: the driver makes the phys.  What it gives must be as the
 * kernel's wrapper checked (a free op, a first part of whole pages covering
 * @size); anything else goes back to its free op, with a warning.
 */
static struct vcm_phys *o2o_driver_phys(struct vcm_o2o *o2o, vcm_size_t size, unsigned flags)
{
	struct vcm_phys *phys = o2o->driver->phys(&o2o->vcm, size, flags);

	if (vcm_is_err_or_null(phys))
		return phys ? phys : vcm_err_ptr(-ENOMEM);
	if (phys->free && phys->count && phys->parts[0].size >= size &&
	    VCM_IS_ALIGNED(phys->parts[0].start | phys->parts[0].size, VCM_PAGE_SIZE))
		return phys;
	vcm_warn("o2o: the driver's phys op gave %p, not %#llx bytes of whole pages with a free "
		 "op; handed back", (void *)phys, (unsigned long long)size);
	if (phys->free)
		phys->free(phys);
	return vcm_err_ptr(-EINVAL);
}

static struct vcm_phys *o2o_phys(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct vcm_o2o *o2o = to_o2o(vcm);
	struct vcm_phys *phys;
	int ret;

	if (o2o->driver->phys)
		return o2o_driver_phys(o2o, size, flags);
	phys = vcm_phys_new(1);
	if (!phys)
		return vcm_err_ptr(-ENOMEM);
	phys->parts[0].size = size;
	ret = o2o->driver->alloc(vcm, &phys->parts[0], flags);
	if (ret) {
		free(phys);
		return vcm_err_ptr(ret);
	}
	phys->size = size;
	phys->free = o2o_phys_free;
	*vcm_phys_priv(phys) = o2o;
	return phys;
}

/* 0 if @phys is one contiguous physical range inside the window. */
static int phys_is_o2o(const struct vcm *vcm, const struct vcm_phys *phys)
{
	vcm_addr_t next = phys->parts[0].start;
	unsigned i;

	for (i = 0; i < phys->count; i++) {
		if (phys->parts[i].start != next)
			return -EINVAL;
		next += phys->parts[i].size;
	}
	if (phys->parts[0].start < vcm->start || next - vcm->start > vcm->size)
		return -ERANGE;
	return 0;
}

static struct vcm_res *o2o_map(struct vcm *vcm, struct vcm_phys *phys, unsigned flags)
{
	struct vcm_res *res;
	int ret;

	(void)flags;
	ret = phys->count ? phys_is_o2o(vcm, phys) : -EINVAL;
	if (ret)
		return vcm_err_ptr(ret);
	res = vcm_calloc(1, sizeof(*res));
	if (!res)
		return vcm_err_ptr(-ENOMEM);
	res->start = phys->parts[0].start;
	return res;
}

/* Rebinding an unbound reservation works only with memory at its address. */
static int o2o_bind(struct vcm_res *res, struct vcm_phys *phys)
{
	if (!phys->count || phys_is_o2o(res->vcm, phys) || phys->parts[0].start != res->start)
		return -EINVAL;
	return 0;
}

static void o2o_unreserve(struct vcm_res *res)
{
	free(res);
}

static void o2o_cleanup(struct vcm *vcm)
{
	struct vcm_o2o *o2o = to_o2o(vcm);

	if (o2o->driver->cleanup)
		o2o->driver->cleanup(vcm);
	else
		free(o2o);
}

static const struct vcm_driver o2o_vcm_driver = {
	.cleanup = o2o_cleanup,
	.phys = o2o_phys,
	.map = o2o_map,
	.bind = o2o_bind,
	.unreserve = o2o_unreserve,
};

VCM_TRACE_BODY struct vcm *do_o2o_init(struct vcm_o2o *o2o)
{
	if (vcm_is_err_or_null(o2o) || vcm_is_err_or_null(o2o->driver))
		return vcm_err_ptr(-EINVAL);
	if (!o2o->driver->phys && !o2o->driver->alloc) {
		vcm_warn("vcm_o2o_init: context %p: the driver has no phys op (nor alloc)",
			 (void *)o2o);
		return vcm_err_ptr(-EINVAL);
	}
	o2o->vcm.driver = &o2o_vcm_driver;
	return vcm_init(&o2o->vcm);
}

VCM_TRACED_FN(struct vcm *, vcm_o2o_init, (struct vcm_o2o *o2o), do_o2o_init, (o2o),
	      O2O_INIT, (uint64_t)(vcm_is_err_or_null(o2o) ? 0 : o2o->vcm.start),
	      (uint64_t)(vcm_is_err_or_null(o2o) ? 0 : o2o->vcm.size),
	      (int)(!vcm_is_err_or_null(o2o) && o2o->driver), ret)

/* The ready-made one-to-one context over a SoC (the context's SoC). */
static int onetoone_alloc(struct vcm *vcm, struct vcm_phys_part *part, unsigned flags)
{
	(void)flags;
	return vcm_soc_alloc_contig(vcm_context_soc(vcm), part->size, &part->start);
}

static void onetoone_free(struct vcm *vcm, struct vcm_phys_part *part)
{
	vcm_soc_free_contig(vcm_context_soc(vcm), part->start, part->size);
}

static const struct vcm_o2o_driver onetoone_driver = {
	.alloc = onetoone_alloc,
	.free = onetoone_free,
};

VCM_TRACE_BODY struct vcm *do_onetoone_create(struct vcm_soc *soc)
{
	struct vcm_o2o *o2o;
	vcm_addr_t lo, end;
	struct vcm *vcm;

	if (!soc)
		soc = vcm_soc_current();
	if (!vcm_soc_ok(soc, "vcm_onetoone_create") || vcm_soc_ram_span(soc, &lo, &end))
		return vcm_err_ptr(-EINVAL);
	o2o = vcm_calloc(1, sizeof(*o2o));
	if (!o2o)
		return vcm_err_ptr(-ENOMEM);
	o2o->vcm.start = lo;
	o2o->vcm.size = end - lo;
	o2o->driver = &onetoone_driver;
	vcm = vcm_o2o_init(o2o);
	if (vcm_is_err(vcm))
		free(o2o);
	else
		vcm_set_soc(vcm, soc);
	return vcm;
}

VCM_TRACED_FN(struct vcm *, vcm_onetoone_create, (struct vcm_soc *soc), do_onetoone_create, (soc),
	      ONETOONE_CREATE, soc, ret)

bool vcm_is_o2o(const struct vcm *vcm)
{
	return vcm->driver == &o2o_vcm_driver;
}
