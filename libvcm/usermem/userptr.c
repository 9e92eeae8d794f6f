/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * userptr.c - the videobuf2-style helper: pin an application's buffer,
 * reserve device addresses for it and bind, in one call; undo it in one.
 */
#include <errno.h>
#include <stdlib.h>

#include <vcm/userptr.h>

#include "internal.h"
#include "sync.h"
#include "registry.h"
#include "vcm-internal.h"
#include "trace.h"

/*
 * struct userptr - what vcm_userptr_get() allocates.
 * @up: the public part.
 * @phys: the pinned memory (kept here too: it must be freed even if a
 *        caller unbound the reservation behind our back).
 * @res_id, @phys_id: registry ids of up.res and @phys: the put releases
 *        only what is still the same live object (the context's destroy
 *        may have taken the reservation down, and malloc() may have given
 *        its address to another).
 */
struct userptr {
	struct vcm_userptr up;
	struct vcm_phys *phys;
	uint64_t res_id;
	uint64_t phys_id;
};

VCM_TRACE_BODY struct vcm_userptr *do_userptr_get(struct vcm *vcm, void *uaddr, size_t size,
					       unsigned flags)
{
	struct vcm_phys *phys;
	struct userptr *u;
	struct vcm_res *res;

	if (!vcm_ctx_ok(vcm, "vcm_userptr_get"))
		return vcm_err_ptr(-EINVAL);
	phys = vcm_phys_from_user(vcm_context_soc(vcm), uaddr, size, flags);
	if (vcm_is_err(phys))
		return (void *)phys;
	res = vcm_map(vcm, phys, 0);
	if (vcm_is_err(res)) {
		vcm_free(phys);
		return (void *)res;
	}
	u = vcm_calloc(1, sizeof(*u));
	if (!u || vcm_reg_add(u, VCM_KIND_USERPTR, NULL, "vcm_userptr_get")) {
		free(u);
		vcm_unmap(res);
		vcm_free(phys);
		return vcm_err_ptr(-ENOMEM);
	}
	u->phys = phys;
	u->res_id = vcm_reg_id(res, VCM_KIND_RES);
	u->phys_id = vcm_reg_id(phys, VCM_KIND_PHYS);
	u->up.offset = (uintptr_t)uaddr & (VCM_PAGE_SIZE - 1);
	u->up.dva = res->start + u->up.offset;
	u->up.size = size;
	u->up.res = res;
	return &u->up;
}

VCM_TRACED_FN(struct vcm_userptr *, vcm_userptr_get,
	      (struct vcm *vcm, void *uaddr, size_t size, unsigned flags),
	      do_userptr_get, (vcm, uaddr, size, flags),
	      USERPTR_GET, vcm, uaddr, (uint64_t)size, flags, ret)

VCM_TRACE_BODY void do_userptr_put(struct vcm_userptr *up)
{
	struct userptr *u;

	if (!vcm_handle_ok(up, VCM_KIND_USERPTR, "vcm_userptr_put")) {
		if (vcm_is_err_or_null(up))
			vcm_warn("vcm_userptr_put: no buffer (%p)", (void *)up);
		return;
	}
	u = VCM_CONTAINER_OF(up, struct userptr, up);
	vcm_reg_del(u, VCM_KIND_USERPTR);
	/* Gone with a destroyed context: nothing to unmap, the pages to unpin. */
	if (vcm_reg_id(up->res, VCM_KIND_RES) == u->res_id)
		vcm_unmap(up->res);
	if (vcm_reg_id(u->phys, VCM_KIND_PHYS) == u->phys_id)
		vcm_free(u->phys);
	free(u);
}

VCM_TRACED_VOID(vcm_userptr_put, (struct vcm_userptr *up), do_userptr_put, (up),
		USERPTR_PUT, up)

static int userptr_sync(struct vcm_userptr *up, enum vcm_dma_dir dir, bool for_device,
			const char *fn)
{
	struct userptr *u;

	if (!vcm_handle_ok(up, VCM_KIND_USERPTR, fn))
		return -EINVAL;
	u = VCM_CONTAINER_OF(up, struct userptr, up);
	if (vcm_reg_id(up->res, VCM_KIND_RES) != u->res_id) {
		vcm_warn("%s: the buffer's reservation is gone (its context was destroyed); "
			 "nothing synced", fn);
		return -EINVAL;
	}
	return vcm_phys_sync_range(vcm_context_soc(up->res->vcm), u->phys, up->offset, up->size,
				   dir, for_device);
}

VCM_TRACE_BODY int do_userptr_sync_for_device(struct vcm_userptr *up, enum vcm_dma_dir dir)
{
	return userptr_sync(up, dir, true, "vcm_userptr_sync_for_device");
}

VCM_TRACED_FN(int, vcm_userptr_sync_for_device, (struct vcm_userptr *up, enum vcm_dma_dir dir),
	      do_userptr_sync_for_device, (up, dir),
	      USERPTR_SYNC_FOR_DEVICE, up, (int)dir, ret)

VCM_TRACE_BODY int do_userptr_sync_for_cpu(struct vcm_userptr *up, enum vcm_dma_dir dir)
{
	return userptr_sync(up, dir, false, "vcm_userptr_sync_for_cpu");
}

VCM_TRACED_FN(int, vcm_userptr_sync_for_cpu, (struct vcm_userptr *up, enum vcm_dma_dir dir),
	      do_userptr_sync_for_cpu, (up, dir),
	      USERPTR_SYNC_FOR_CPU, up, (int)dir, ret)
