/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * history.c - what the debugging aids need to know of contexts that the
 * API itself does not keep: the list of every live context (to find who
 * maps a PA) and, per context, a ring of its last unbinds (to say when and
 * by which call a DVA was unmapped).  An unbind costs a clock read and a
 * few stores; nothing here is on a translation or DMA path.
 */
#include <stdatomic.h>

#include "internal.h"
#include "vcm-internal.h"

static pthread_mutex_t contexts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vcm_link contexts = { &contexts, &contexts };
static atomic_uint_fast64_t unbind_seq;

void vcm_history_add(struct vcm *vcm, vcm_addr_t start, vcm_size_t size, const char *call)
{
	struct vcm_core *core = vcm_core(vcm);
	struct vcm_unmap_record *r = &core->hist[core->nhist++ % VCM_UNMAP_HISTORY];

	r->start = start;
	r->size = size;
	r->call = call;
	r->seq = atomic_fetch_add(&unbind_seq, 1) + 1;
	clock_gettime(CLOCK_MONOTONIC, &r->when);
}

void vcm_contexts_add(struct vcm_core *core)
{
	vcm_mutex_lock(&contexts_lock);
	vcm_list_add(&contexts, &core->all);
	vcm_mutex_unlock(&contexts_lock);
}

void vcm_contexts_del(struct vcm_core *core)
{
	vcm_mutex_lock(&contexts_lock);
	vcm_list_del(&core->all);
	vcm_mutex_unlock(&contexts_lock);
}

int vcm_for_each_context(int (*fn)(struct vcm *vcm, void *priv), void *priv)
{
	struct vcm_link *l;
	int ret = 0;

	vcm_mutex_lock(&contexts_lock);
	for (l = contexts.next; l != &contexts && !ret; l = l->next) {
		struct vcm_core *core = vcm_list_entry(l, struct vcm_core, all);

		ret = fn(core->owner, priv);
	}
	vcm_mutex_unlock(&contexts_lock);
	return ret;
}

const struct vcm_unmap_record *vcm_history_latest(const struct vcm *vcm, vcm_addr_t dva)
{
	const struct vcm_core *core = vcm_core(vcm);
	unsigned long n = core->nhist < VCM_UNMAP_HISTORY ? core->nhist : VCM_UNMAP_HISTORY;
	unsigned long k;

	for (k = 1; k <= n; k++) {
		const struct vcm_unmap_record *r = &core->hist[(core->nhist - k) % VCM_UNMAP_HISTORY];

		if (dva >= r->start && dva - r->start < r->size)
			return r;
	}
	return NULL;
}

void vcm_history_find(const struct vcm *vcm, vcm_addr_t dva, struct vcm_dva_desc *d)
{
	const struct vcm_unmap_record *r = vcm_history_latest(vcm, dva);

	if (r) {
		d->unmap_call = r->call;
		d->unmap_start = r->start;
		d->unmap_size = r->size;
	}
}
