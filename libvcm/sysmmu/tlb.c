/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tlb.c - the System MMU model's TLB: FIFO replacement, hash-indexed
 * lookup per page size (see tlb.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fault-inject-internal.h"
#include "tlb.h"

int vcm_tlb_init(struct vcm_tlb *t, unsigned entries)
{
	unsigned bits = 1;

	while ((1U << bits) < 2 * entries)	/* load factor <= 1/2 */
		bits++;
	memset(t, 0, sizeof(*t));
	t->e = vcm_calloc(entries, sizeof(*t->e));
	t->bucket = vcm_malloc(sizeof(*t->bucket) << bits);
	if (!t->e || !t->bucket) {
		vcm_tlb_release(t);
		return -ENOMEM;
	}
	t->size = entries;
	t->hash_shift = 32 - bits;
	vcm_tlb_flush(t);
	return 0;
}

void vcm_tlb_release(struct vcm_tlb *t)
{
	free(t->e);
	free(t->bucket);
	t->e = NULL;
	t->bucket = NULL;
	t->size = 0;
}

void vcm_tlb_flush(struct vcm_tlb *t)
{
	unsigned i;

	for (i = 0; i < 1U << (32 - t->hash_shift); i++)
		VCM_TLB_SET(t->bucket[i], VCM_TLB_NONE);
	for (i = 0; i < t->size; i++)
		VCM_TLB_SET(t->e[i].valid, false);
	memset(t->count, 0, sizeof(t->count));
	VCM_TLB_SET(t->present, 0);
	t->nvalid = 0;
	t->next = 0;
	t->mru = 0;
}

void vcm_tlb_flush_dva(struct vcm_tlb *t, uint32_t dva)
{
	unsigned cls;

	for (cls = 0; cls < VCM_TLB_NR_CLASSES; cls++) {
		uint32_t i = t->count[cls] ? vcm_tlb_find(t, dva, cls) : VCM_TLB_NONE;

		if (i != VCM_TLB_NONE)
			vcm_tlb_remove(t, i);
	}
}

struct vcm_tlb_entry *vcm_tlb_insert(struct vcm_tlb *t, uint32_t dva, unsigned page_shift)
{
	unsigned cls = vcm_tlb_class_of(page_shift);

	return vcm_tlb_fill(t, dva, cls, vcm_tlb_hash(t, vcm_tlb_key(dva, cls)));
}

bool vcm_tlb_overlap(const struct vcm_tlb_entry *a, const struct vcm_tlb_entry *b)
{
	return ((a->tag ^ b->tag) & ~(a->mask | b->mask)) == 0;
}
