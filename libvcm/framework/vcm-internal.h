/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vcm-internal.h - the context core's bookkeeping (internal).
 */
#ifndef LIBVCM_VCM_INTERNAL_H
#define LIBVCM_VCM_INTERNAL_H

#include <pthread.h>
#include <vcm/debug.h>
#include <vcm/sysmmu.h>
#include <vcm/vcm-drv.h>

#include "list.h"

/*
 * struct vcm_core - what vcm_init() adds to a context.
 * @lock: serialises every operation on the context and its driver ops.
 * @res_list: the context's reservations (through vcm_res.link).
 * @nres: reservations in the list.
 * @soc: the SoC the context's memory comes from; NULL: the current SoC.
 * @owner: the context this is the core of.
 * @all: the link in the list of every live context (history.c).
 * @hist: the last VCM_UNMAP_HISTORY unbinds, a ring (history.c).
 * @nhist: unbinds recorded in all; the next goes to @hist[nhist % size].
 */
struct vcm_core {
	pthread_mutex_t lock;
	struct vcm_link res_list;
	unsigned long nres;
	struct vcm_soc *soc;
	struct vcm *owner;
	struct vcm_link all;
	struct vcm_unmap_record hist[VCM_UNMAP_HISTORY];
	unsigned long nhist;
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

/*
 * vcm_describe_dva() - fill @d's owner, reservation and active flag for
 * @dva in @vcm (takes the context's lock; nothing for an invalid context).
 */
void vcm_describe_dva(struct vcm *vcm, vcm_addr_t dva, struct vcm_dva_desc *d);

/*
 * The debugging bookkeeping of contexts (history.c): every live context on
 * one list, and each context's recent unbinds.
 * vcm_history_add() - record that @call unbound [@start, @start + @size)
 * (context lock held).
 * vcm_for_each_context() - call @fn on every live context, under the list's
 * lock (@fn may take the context's lock; it must not create or destroy a
 * context); stops at the first non-zero return and returns it.
 */
void vcm_history_add(struct vcm *vcm, vcm_addr_t start, vcm_size_t size, const char *call);
/* The latest recorded unbind covering @dva, or NULL (context lock held). */
const struct vcm_unmap_record *vcm_history_latest(const struct vcm *vcm, vcm_addr_t dva);
/* The same, into @d's unmap fields. */
void vcm_history_find(const struct vcm *vcm, vcm_addr_t dva, struct vcm_dva_desc *d);
void vcm_contexts_add(struct vcm *vcm);
void vcm_contexts_del(struct vcm *vcm);
int vcm_for_each_context(int (*fn)(struct vcm *vcm, void *priv), void *priv);

/* The kind of a context made by the framework's wrappers (o2o.c, vmm.c). */
bool vcm_is_o2o(const struct vcm *vcm);
bool vcm_is_vmm(const struct vcm *vcm);

#endif /* LIBVCM_VCM_INTERNAL_H */
