/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vcm-internal.h - the context core's bookkeeping (internal).
 */
#ifndef LIBVCM_VCM_INTERNAL_H
#define LIBVCM_VCM_INTERNAL_H

#include <pthread.h>
#include <vcm/vcm-drv.h>

#include "list.h"
#include "registry.h"

/*
 * struct vcm_core - what vcm_init() adds to a context.
 * @lock: the bookkeeping mutex: guards @busy/@owner, @res_list, @nres,
 *        vcm->activations and each reservation's phys/bound_size (so that
 *        a reader such as s5p_vcm_dump() sees them whole).  Held briefly,
 *        never across a call out.
 * @idle: signalled when the context's ownership is given back.
 * @busy: an operation owns the context (see vcm_ctx_enter()).
 * @owner: the thread that owns it.
 * @res_list: the context's reservations (through vcm_res.link).
 * @nres: reservations in the list.
 * @soc: the SoC the context's memory comes from; NULL: the current SoC.
 * @release: called by vcm_destroy(), with the context owned and empty,
 *           before the core goes (a layer above drops its references).
 */
struct vcm_core {
	pthread_mutex_t lock;
	pthread_cond_t idle;
	bool busy;
	pthread_t owner;
	struct vcm_link res_list;
	unsigned long nres;
	struct vcm_soc *soc;
	void (*release)(struct vcm *vcm);
};

/*
 * True if @vcm is a live context (passed vcm_init(), not destroyed).  A
 * handle that is not, and not NULL or an error pointer, is warned about
 * as made by @fn.
 */
static inline bool vcm_ctx_ok(const struct vcm *vcm, const char *fn)
{
	return vcm_handle_ok(vcm, VCM_KIND_CONTEXT, fn);
}

static inline bool vcm_res_ok(const struct vcm_res *res, const char *fn)
{
	return vcm_handle_ok(res, VCM_KIND_RES, fn);
}

/*
 * vcm_ctx_enter() - own @vcm for one operation: waits while another thread
 * owns it.  The owner runs the driver ops and callbacks with no mutex held;
 * if it calls back into the same context, that call gets -EDEADLK and a
 * warning naming @fn (the kernel would deadlock there).
 */
int vcm_ctx_enter(struct vcm *vcm, const char *fn);
void vcm_ctx_leave(struct vcm *vcm);

/* The bookkeeping mutex, for changes an owner makes and for readers. */
static inline void vcm_book_lock(const struct vcm *vcm)
{
	vcm_mutex_lock(&vcm->core->lock);
}

static inline void vcm_book_unlock(const struct vcm *vcm)
{
	vcm_mutex_unlock(&vcm->core->lock);
}

/* See struct vcm_core.release. */
static inline void vcm_set_release_hook(struct vcm *vcm, void (*fn)(struct vcm *vcm))
{
	vcm->core->release = fn;
}

/*
 * The SoC a context allocates from (its physical memory, its page tables,
 * the PAs of user pages pinned for it): set by the context's constructor
 * after vcm_init(); NULL, the default, means the current SoC.
 */
static inline void vcm_set_soc(struct vcm *vcm, struct vcm_soc *soc)
{
	vcm->core->soc = soc;
}

static inline struct vcm_soc *vcm_context_soc(const struct vcm *vcm)
{
	return vcm->core->soc ? vcm->core->soc : vcm_soc_current();
}

#endif /* LIBVCM_VCM_INTERNAL_H */
