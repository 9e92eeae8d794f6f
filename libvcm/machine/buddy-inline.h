/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * buddy-inline.h - the buddy allocator's representation and its one-block
 * paths (internal).  buddy.c describes the data structure and has the rest;
 * buddy.c's vcm_buddy_alloc() and vcm_buddy_free() are
 * vcm_buddy_alloc_inline() and vcm_buddy_free_inline() (the DVA buddy of
 * mmu.c inlines those), and the SoC's page allocator inlines their common
 * case, vcm_buddy_alloc_fast() and vcm_buddy_free_fast(): the page
 * allocation path then makes no call in its common case.  Only buddy.c,
 * soc.c, mmu.c and the buddy's test include it.  What is rare (splitting,
 * merging, a bitmap's first bit or its search bound changing) stays out
 * of line in buddy.c.
 */
#ifndef LIBVCM_BUDDY_INLINE_H
#define LIBVCM_BUDDY_INLINE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "buddy.h"
#include "internal.h"

#define WORD_SHIFT	6
#define WORD_BITS	(1U << WORD_SHIFT)
#define WORD_MASK	(WORD_BITS - 1)

/* Arenas are at most 2^32 pages: 16 TiB of 4 KiB pages (a 4 GiB DVA
 * window is 2^20 pages). */
#define BUDDY_MAX_PAGES		(1ULL << 32)
/*
 * Levels of a hierarchical bitmap of up to BUDDY_MAX_PAGES bits: 2^26,
 * 2^20, 2^14, 256, 4 and 1 words.
 */
#define BUDDY_MAX_LEVELS	6

struct buddy_bitmap {
	uint64_t *level[BUDDY_MAX_LEVELS];	/* level[0]: one bit per block */
	unsigned int nlevels;			/* level[nlevels - 1] is 1 word */
	uint64_t end;				/* every set bit is below it */
	unsigned int top;			/* the level whose word 0 covers end */
};

struct buddy_order {
	struct buddy_bitmap free;	/* free blocks of exactly this order */
	uint64_t *alloc;		/* allocated blocks of exactly this order */
	uint64_t nblocks;		/* block positions: npages >> order */
	uint64_t nfree;			/* bits set in free.level[0] */
};

struct vcm_buddy {
	uint64_t npages;
	uint64_t free_pages;		/* sum of nfree[o] << o */
	uint64_t nonempty;		/* bit o set: nfree[o] != 0 */
	unsigned int max_order;
	size_t nwords;			/* size of @words */
	uint64_t *words;		/* every bitmap, one allocation */
	struct buddy_order order[];	/* 0..max_order */
};

/* --- bit helpers --------------------------------------------------------- */

static inline uint64_t word_bit(uint64_t idx)
{
	return 1ULL << (idx & WORD_MASK);
}

static inline int bit_test(const uint64_t *map, uint64_t idx)
{
	return (map[idx >> WORD_SHIFT] & word_bit(idx)) != 0;
}

static inline void bit_set(uint64_t *map, uint64_t idx)
{
	map[idx >> WORD_SHIFT] |= word_bit(idx);
}

static inline void bit_clear(uint64_t *map, uint64_t idx)
{
	map[idx >> WORD_SHIFT] &= ~word_bit(idx);
}

static inline uint64_t order_pages(unsigned int order)
{
	return 1ULL << order;
}

/* --- the rare paths (buddy.c) -------------------------------------------- */

/* Set bit @idx at or above h->end: the search bound grows. */
void vcm_buddy_hbm_grow(struct buddy_bitmap *h, uint64_t idx);
/* Clear bit @idx of level @l and the summary bits of the words it empties. */
void vcm_buddy_hbm_clear_from(struct buddy_bitmap *h, unsigned int l, uint64_t idx);
/* Split free block @idx of order @cur down to @order; the index kept. */
uint64_t vcm_buddy_split(struct vcm_buddy *b, unsigned int cur, unsigned int order, uint64_t idx);
/* Free block @idx of @order whose buddy is free: merge while they are. */
void vcm_buddy_merge(struct vcm_buddy *b, unsigned int order, uint64_t idx);

/* --- hierarchical bitmap ------------------------------------------------- */

/*
 * Set bit @idx, below h->end: the bitmap is not empty and word 0 of level
 * h->top is set, so the summaries to update end there.  The summary bits
 * on the way are set whether or not they were (setting a set bit changes
 * nothing): a branch on "was this word empty" would go either way at
 * random on a sparse map, and cost more than the stores.  (The loops on
 * the levels run over a constant bound so that the compiler unrolls them.)
 */
static inline void hbm_set_below_end(struct buddy_bitmap *h, uint64_t idx)
{
	unsigned int top = h->top, l;

#pragma GCC unroll 6
	for (l = 0; l < BUDDY_MAX_LEVELS && l <= top; l++, idx >>= WORD_SHIFT)
		h->level[l][idx >> WORD_SHIFT] |= word_bit(idx);
}

/* Set bit @idx. */
static inline void hbm_set(struct buddy_bitmap *h, uint64_t idx)
{
	if (idx >= h->end)
		vcm_buddy_hbm_grow(h, idx);
	else
		hbm_set_below_end(h, idx);
}

/* The lowest set bit (the bitmap must not be empty): a ctz per level from h->top down. */
static inline uint64_t hbm_first(const struct buddy_bitmap *h)
{
	unsigned int top = h->top, l;
	uint64_t idx = 0;

#pragma GCC unroll 6
	for (l = BUDDY_MAX_LEVELS; l-- > 0;)
		if (l <= top)
			idx = (idx << WORD_SHIFT) | __builtin_ctzll(h->level[l][idx]);
	return idx;
}

/*
 * Clear bit @idx, the lowest set bit (hbm_first()), and from level 1 up to
 * h->top the summary bit of each word on its path that turned zero.  The
 * lowest bit of each word on that path is the path's own, so "clear it if
 * the word below is now zero" is *w &= *w - emptied, with no branch to
 * mispredict.  Returns true if that was the last bit: the caller then
 * clears the bits above h->top (hbm_take_first()).
 */
static inline bool hbm_clear_first(struct buddy_bitmap *h, uint64_t idx)
{
	unsigned int top = h->top, l;
	uint64_t emptied = 1;

#pragma GCC unroll 6
	for (l = 0; l < BUDDY_MAX_LEVELS && l <= top; l++, idx >>= WORD_SHIFT) {
		uint64_t *w = &h->level[l][idx >> WORD_SHIFT];

		*w &= *w - emptied;
		emptied = *w == 0;
	}
	return emptied;
}

/* Take the lowest set bit (the bitmap must not be empty). */
static inline uint64_t hbm_take_first(struct buddy_bitmap *h)
{
	uint64_t idx = hbm_first(h);

	if (hbm_clear_first(h, idx))	/* the last bit: bit 0 above top */
		vcm_buddy_hbm_clear_from(h, h->top + 1, 0);
	return idx;
}

/* --- free and allocated blocks ------------------------------------------ */

VCM_HOT_INLINE void free_block_add(struct vcm_buddy *b, unsigned int order,
				  uint64_t idx)
{
	struct buddy_order *o = &b->order[order];

	hbm_set(&o->free, idx);
	if (o->nfree++ == 0)
		b->nonempty |= 1ULL << order;
}

/*
 * Take the lowest free block of the smallest order >= @order, split it down
 * to @order (the upper halves become free) and return its pfn.  The caller
 * records the allocation; b->free_pages is not touched.
 */
VCM_HOT_INLINE int block_take(struct vcm_buddy *b, unsigned int order, uint64_t *pfn)
{
	uint64_t avail = b->nonempty >> order;
	struct buddy_order *o;
	unsigned int cur;
	uint64_t idx;

	if (!avail)
		return -ENOMEM;
	cur = order + __builtin_ctzll(avail);
	o = &b->order[cur];
	idx = hbm_take_first(&o->free);
	if (--o->nfree == 0)
		b->nonempty &= ~(1ULL << cur);
	if (cur > order)
		idx = vcm_buddy_split(b, cur, order, idx);
	*pfn = idx << order;
	return 0;
}

/* True when the buddy of block @idx of @order is a free block of @order. */
static inline bool buddy_is_free(const struct vcm_buddy *b, unsigned int order, uint64_t idx)
{
	return order < b->max_order && bit_test(b->order[order].free.level[0], idx ^ 1);
}

/*
 * Give a block back as free, merging with its free buddies up to
 * max_order.  The block must not be free or allocated in the bitmaps.
 */
VCM_HOT_INLINE void block_release(struct vcm_buddy *b, unsigned int order, uint64_t idx)
{
	if (buddy_is_free(b, order, idx))
		vcm_buddy_merge(b, order, idx);
	else
		free_block_add(b, order, idx);
}

/* True when a block of exactly @order is allocated at @pfn. */
static inline int block_is_allocated(const struct vcm_buddy *b,
				     unsigned int order, uint64_t pfn)
{
	const struct buddy_order *o = &b->order[order];
	uint64_t idx = pfn >> order;

	if (pfn & (order_pages(order) - 1) || idx >= o->nblocks)
		return 0;
	return bit_test(o->alloc, idx);
}

/* --- single blocks ------------------------------------------------------- */

/* vcm_buddy_alloc(), for callers whose hot path it is. */
VCM_HOT_INLINE int vcm_buddy_alloc_inline(struct vcm_buddy *b, unsigned int order, uint64_t *pfn)
{
	uint64_t start;
	int ret;

	if (order > b->max_order)
		return -EINVAL;
	ret = block_take(b, order, &start);
	if (ret)
		return ret;
	bit_set(b->order[order].alloc, start >> order);
	b->free_pages -= order_pages(order);
	*pfn = start;
	return 0;
}

/* vcm_buddy_free(), for callers whose hot path it is. */
VCM_HOT_INLINE int vcm_buddy_free_inline(struct vcm_buddy *b, uint64_t pfn, unsigned int order)
{
	if (order > b->max_order || !block_is_allocated(b, order, pfn))
		return -EINVAL;
	bit_clear(b->order[order].alloc, pfn >> order);
	block_release(b, order, pfn >> order);
	b->free_pages += order_pages(order);
	return 0;
}

/*
 * vcm_buddy_alloc_fast() - vcm_buddy_alloc() when it needs nothing rare: a
 * free block of exactly @order that is not its map's last (no split, no
 * map emptying, so no call).  True with *@pfn set, as vcm_buddy_alloc()
 * would have set it; false with nothing changed (call vcm_buddy_alloc()).
 */
VCM_HOT_INLINE bool vcm_buddy_alloc_fast(struct vcm_buddy *b, unsigned int order, uint64_t *pfn)
{
	struct buddy_order *o;
	uint64_t idx;

	if (order > b->max_order || b->order[order].nfree < 2)
		return false;
	o = &b->order[order];
	idx = hbm_first(&o->free);
	*pfn = idx << order;
	bit_set(o->alloc, idx);
	o->nfree--;
	b->free_pages -= order_pages(order);
	hbm_clear_first(&o->free, idx);		/* not the last: nfree was >= 2 */
	return true;
}

/*
 * vcm_buddy_free_fast() - vcm_buddy_free() of an allocated block whose
 * buddy is not free (no merge) and that lies below its free map's search
 * bound (no call).  True when freed; false with nothing changed, whether
 * the free is an error or only needs the rare work (call vcm_buddy_free()).
 */
VCM_HOT_INLINE bool vcm_buddy_free_fast(struct vcm_buddy *b, uint64_t pfn, unsigned int order)
{
	struct buddy_order *o;
	uint64_t idx;

	if (order > b->max_order || !block_is_allocated(b, order, pfn))
		return false;
	o = &b->order[order];
	idx = pfn >> order;
	if (buddy_is_free(b, order, idx) || idx >= o->free.end)
		return false;
	bit_clear(o->alloc, idx);
	o->nfree++;		/* not the first: below the bound the map is not empty */
	b->free_pages += order_pages(order);
	hbm_set_below_end(&o->free, idx);
	return true;
}

#endif /* LIBVCM_BUDDY_INLINE_H */
