/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tlb.c - the System MMU model's TLB: FIFO replacement, hash-indexed
 * lookup per page size (see tlb.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fault-inject-internal.h"
#include "internal.h"
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

/*
 * Invalidate every entry at once: empty chains, nothing counted (the FIFO
 * position and the last-used entry are the caller's).
 */
static void evict_all(struct vcm_tlb *t)
{
	unsigned i, buckets = 1U << (32 - t->hash_shift), size = t->size;
	struct vcm_tlb_entry *e = t->e;
	uint32_t *bucket = t->bucket;

	for (i = 0; i < buckets; i++)
		VCM_TLB_SET(bucket[i], VCM_TLB_NONE);
	for (i = 0; i < size; i++)
		VCM_TLB_SET(e[i].valid, false);
	memset(t->count, 0, sizeof(t->count));
	VCM_TLB_SET(t->present, 0);
	t->nvalid = 0;
}

void vcm_tlb_flush(struct vcm_tlb *t)
{
	evict_all(t);
	t->next = 0;
	t->mru = 0;
}

/* Invalidate entry @i: unlink it from its chain, count it out. */
VCM_HOT_INLINE void tlb_remove(struct vcm_tlb *t, uint32_t i)
{
	struct vcm_tlb_entry *e = &t->e[i];
	uint32_t *link;

	if (!e->valid)
		return;
	link = &t->bucket[e->bucket];
	while (*link != i)
		link = &t->e[*link].next;
	VCM_TLB_SET(*link, e->next);
	VCM_TLB_SET(e->valid, false);
	if (!--t->count[e->cls])
		VCM_TLB_SET(t->present, t->present & ~(1U << e->cls));
	t->nvalid--;
}

/* Make the invalid slot @i hold the page of 2^@page_shift bytes at @dva. */
VCM_HOT_INLINE struct vcm_tlb_entry *fill_slot(struct vcm_tlb *t, uint32_t i, uint32_t dva,
					       unsigned page_shift)
{
	struct vcm_tlb_entry *e = &t->e[i];
	unsigned cls = vcm_tlb_class_of(page_shift);
	uint32_t mask = (uint32_t)((1ULL << page_shift) - 1), key = vcm_tlb_key(dva, cls);
	uint32_t *head;

	VCM_TLB_SET(e->cls, (uint8_t)cls);
	VCM_TLB_SET(e->mask, mask);
	VCM_TLB_SET(e->tag, dva & ~mask);
	VCM_TLB_SET(e->key, key);
	e->warned = false;
	VCM_TLB_SET(e->valid, true);
	e->bucket = vcm_tlb_hash(t, key);
	head = &t->bucket[e->bucket];
	VCM_TLB_SET(e->next, *head);
	VCM_TLB_SET(*head, i);
	if (!t->count[cls]++)
		VCM_TLB_SET(t->present, t->present | 1U << cls);
	t->nvalid++;
	t->mru = i;
	return e;
}

static uint32_t next_slot(const struct vcm_tlb *t, uint32_t i)
{
	return i + 1 == t->size ? 0 : i + 1;
}

void vcm_tlb_flush_dva(struct vcm_tlb *t, uint32_t dva)
{
	unsigned cls;

	for (cls = 0; cls < VCM_TLB_NR_CLASSES; cls++) {
		uint32_t i = t->count[cls] ? vcm_tlb_find(t, dva, cls) : VCM_TLB_NONE;

		if (i != VCM_TLB_NONE)
			tlb_remove(t, i);
	}
}

struct vcm_tlb_entry *vcm_tlb_insert(struct vcm_tlb *t, uint32_t dva, unsigned page_shift)
{
	uint32_t i = t->next;

	tlb_remove(t, i);
	t->next = next_slot(t, i);
	return fill_slot(t, i, dva, page_shift);
}

/*
 * Fill by fill, a page's slot is evicted when it is filled, and filled
 * again @t->size fills later; so: evict the slots the run reaches (each
 * once), then fill its last @t->size pages (each stays), in order.
 */
void vcm_tlb_fill_small_run(struct vcm_tlb *t, const struct vcm_tlb_small_run *run)
{
	unsigned n = run->n, keep = n < t->size ? n : t->size, k, tab = 0;
	uint32_t i = t->next;
	struct vcm_tlb_entry *e;

	if (keep == t->size) {
		evict_all(t);	/* every slot: no chain to unlink entry by entry */
	} else {
		for (k = 0; k < keep; k++, i = next_slot(t, i))
			tlb_remove(t, i);
	}
	i = (t->next + (n - keep)) % t->size;
	for (k = n - keep; k < n; k++, i = next_slot(t, i)) {
		const struct vcm_tlb_run_table *tb;
		uint32_t off = k * VCM_TLB_SMALL_SIZE;

		while (tab + 1 < run->ntables && run->table[tab + 1].first <= k)
			tab++;
		tb = &run->table[tab];
		e = fill_slot(t, i, run->dva + off, VCM_TLB_SMALLEST_SHIFT);
		VCM_TLB_SET(e->pa, run->pa + off);
		VCM_TLB_SET(e->pte, run->pte + off);
		VCM_TLB_SET(e->pte_pa, tb->pte_pa + (k - tb->first) * (uint32_t)sizeof(uint32_t));
		VCM_TLB_SET(e->base, run->base);
		VCM_TLB_SET(e->pte_host, tb->pte_host + (k - tb->first));
		VCM_TLB_SET(e->nredirects, run->nredirects);
	}
	t->next = i;
}

bool vcm_tlb_overlap(const struct vcm_tlb_entry *a, const struct vcm_tlb_entry *b)
{
	return ((a->tag ^ b->tag) & ~(a->mask | b->mask)) == 0;
}
