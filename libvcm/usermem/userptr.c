/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * userptr.c - the videobuf2-style helper: pin an application's buffer,
 * reserve device addresses for it and bind, in one call; undo it in one.
 */
#include <errno.h>
#include <stdlib.h>

#include <vcm/userptr.h>

#include "internal.h"
#include "vcm-internal.h"

/*
 * struct userptr - what vcm_userptr_get() allocates.
 * @up: the public part.
 * @phys: the pinned memory (kept here too: it must be freed even if a
 *        caller unbound the reservation behind our back).
 */
struct userptr {
	struct vcm_userptr up;
	struct vcm_phys *phys;
};

VCM_EXPORT struct vcm_userptr *vcm_userptr_get(struct vcm *vcm, void *uaddr, size_t size,
					       unsigned flags)
{
	struct vcm_phys *phys;
	struct userptr *u;
	struct vcm_res *res;

	if (!vcm_valid(vcm))
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
	if (!u) {
		vcm_unmap(res);
		vcm_free(phys);
		return vcm_err_ptr(-ENOMEM);
	}
	u->phys = phys;
	u->up.offset = (uintptr_t)uaddr & (VCM_PAGE_SIZE - 1);
	u->up.dva = res->start + u->up.offset;
	u->up.size = size;
	u->up.res = res;
	return &u->up;
}

VCM_EXPORT void vcm_userptr_put(struct vcm_userptr *up)
{
	struct userptr *u;

	if (vcm_is_err_or_null(up)) {
		vcm_warn("vcm_userptr_put: no buffer (%p)", (void *)up);
		return;
	}
	u = VCM_CONTAINER_OF(up, struct userptr, up);
	vcm_unmap(up->res);
	vcm_free(u->phys);
	free(u);
}
