/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vcm-internal.h - the context core's bookkeeping (internal).
 */
#ifndef LIBVCM_VCM_INTERNAL_H
#define LIBVCM_VCM_INTERNAL_H

#include <pthread.h>
#include <vcm/vcm-drv.h>

/*
 * struct vcm_core - what vcm_init() adds to a context.
 * @lock: serialises every operation on the context and its driver ops.
 * @res_head: first reservation of the context (a list through res_next).
 * @nres: reservations in the list.
 */
struct vcm_core {
	pthread_mutex_t lock;
	struct vcm_res *res_head;
	unsigned long nres;
};

/* True if @vcm passed vcm_init() (and is not NULL or an error pointer). */
static inline bool vcm_valid(const struct vcm *vcm)
{
	return !vcm_is_err_or_null(vcm) && vcm->core && vcm->driver;
}

static inline bool vcm_res_valid(const struct vcm_res *res)
{
	return !vcm_is_err_or_null(res) && vcm_valid(res->vcm);
}

static inline void vcm_lock(struct vcm *vcm)
{
	pthread_mutex_lock(&vcm->core->lock);
}

static inline void vcm_unlock(struct vcm *vcm)
{
	pthread_mutex_unlock(&vcm->core->lock);
}

/* True if @res is in @vcm's list of reservations (call with the lock). */
bool vcm_owns_res(const struct vcm *vcm, const struct vcm_res *res);

#endif /* LIBVCM_VCM_INTERNAL_H */
