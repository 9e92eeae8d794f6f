// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * buddy.c - the buddy allocator of libvcm.
 *
 * Data structure
 * --------------
 * The arena is the page frame numbers [0, npages).  A block of order o is
 * 2^o pages starting at a multiple of 2^o; its index at order o is
 * pfn >> o.  Order o has nblocks = npages >> o possible block positions
 * (the blocks that fit entirely in the arena).
 *
 * For every order o in 0..max_order:
 *
 *   free[o]   a hierarchical bitmap.  Level 0 has one bit per block index
 *             (see "The buddy of the last block" below); bit i set = a free block of
 *             exactly order o starts at pfn i << o.  Level l+1 has one bit
 *             per 64-bit word of level l, set when that word is non-zero.
 *             The top level is a single word, so the lowest free block is
 *             found from the top with one ctz per level (at most
 *             BUDDY_MAX_LEVELS loads), and a set/clear touches the levels
 *             above only when a word turns non-zero/zero.  Each map keeps
 *             a search bound, @end: every set bit lies below it, so every
 *             set bit lies under word 0 of level @top (the lowest level
 *             whose word 0 covers [0, end)), and above @top each level's
 *             only set bit is bit 0 of word 0.  A search starts at @top,
 *             and a set stops there at the latest: an arena of which only
 *             the low part is used (lowest-first keeps it so) costs what a
 *             small one does.  @end grows when a bit at or above it is set
 *             and drops to 0 when the map empties.
 *   alloc[o]  a flat bitmap, one bit per block index; bit i set = a block
 *             of exactly order o is allocated at pfn i << o.  Frees are
 *             checked against it, so a double free or a free with the wrong
 *             order is refused without changing anything.
 *   nfree[o]  the number of free blocks of order o; bit o of @nonempty
 *             mirrors nfree[o] != 0 so that the smallest order with a free
 *             block is one ctz away.
 *
 * Every page of the arena lies in exactly one free block or one allocated
 * block.  Free blocks are fully coalesced: below max_order no free block has
 * a free buddy of the same order.
 *
 * The buddy of the last block (index nblocks - 1, when it is even) has
 * index nblocks, which does not fit in the arena.  nblocks is odd then, so
 * that bit lies in the last word of level 0 beside the last block's: it
 * exists, is never set, and coalescing tests buddies without a bound check.
 * (An arena of a power of two pages needs no word beyond its blocks', so
 * its summaries have no extra level for such a bit.)
 *
 * All bitmaps live in one zeroed allocation outside the managed memory.
 * Each order costs about 2 bits per block, 2 * 2 bits per page over all
 * orders, i.e. about 0.5 byte per page (128 KiB per GiB of 4 KiB pages)
 * plus ~1% for the summary levels.
 *
 * buddy-inline.h holds the representation and the one-block alloc/free
 * paths (inlined into the SoC's page allocator); what is rare there
 * (splitting, merging, a map's bound growing or emptying) is here.
 *
 * vcm_buddy_alloc_pages() allocates the smallest sufficient block, records
 * the used part [pfn, pfn + npages) as its decomposition into maximal
 * aligned blocks (each marked in alloc[] at its own order) and frees the
 * tail at once.  vcm_buddy_free_pages() decomposes the range the same way
 * and checks every piece before freeing any.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>

#include "buddy-inline.h"
#include "fault-inject-internal.h"

/* --- bit helpers --------------------------------------------------------- */

static inline uint64_t words_for_bits(uint64_t nbits)
{
	return (nbits + WORD_MASK) >> WORD_SHIFT;
}

/* Set bits [0, nbits) of @map. */
static void bits_set_prefix(uint64_t *map, uint64_t nbits)
{
	uint64_t full = nbits >> WORD_SHIFT;
	uint64_t i;

	for (i = 0; i < full; i++)
		map[i] = ~0ULL;
	if (nbits & WORD_MASK)
		map[full] |= word_bit(nbits) - 1;
}

static inline unsigned int floor_log2(uint64_t x)
{
	return 63 - __builtin_clzll(x);
}

/* Smallest order whose block holds @n pages (n >= 1). */
static inline unsigned int order_for_pages(uint64_t n)
{
	return n == 1 ? 0 : floor_log2(n - 1) + 1;
}

/*
 * Order of the largest block that starts at @pfn (natural alignment), fits
 * in @len pages (len >= 1) and is at most @max_order: the pieces of the
 * maximal aligned decomposition of a range.
 */
static inline unsigned int piece_order(uint64_t pfn, uint64_t len,
				       unsigned int max_order)
{
	unsigned int order = floor_log2(len);

	if (pfn && (unsigned int)__builtin_ctzll(pfn) < order)
		order = __builtin_ctzll(pfn);
	return order < max_order ? order : max_order;
}

/* --- hierarchical bitmap ------------------------------------------------- */

/*
 * Lay out a hierarchical bitmap of @nbits bits from @base (or only count
 * its words when @base is NULL).  Returns the number of words, or 0 when
 * it needs more than BUDDY_MAX_LEVELS levels.
 */
static size_t hbm_layout(struct buddy_bitmap *h, uint64_t nbits, uint64_t *base)
{
	uint64_t words = words_for_bits(nbits);
	size_t total = 0;
	unsigned int l = 0;

	for (;;) {
		if (l == BUDDY_MAX_LEVELS)
			return 0;
		if (base)
			h->level[l] = base + total;
		total += words;
		l++;
		if (words == 1)
			break;
		words = words_for_bits(words);
	}
	h->nlevels = l;
	return total;
}

/* Set the search bound (see "free[o]" above) and the level it gives. */
static inline void hbm_set_end(struct buddy_bitmap *h, uint64_t end)
{
	h->end = end;
	h->top = end > WORD_BITS ? floor_log2(end - 1) / WORD_SHIFT : 0;
}

/* Set bit @idx of level @l and the summary bits of the words it fills. */
static void hbm_set_from(struct buddy_bitmap *h, unsigned int l, uint64_t idx)
{
	for (; l < h->nlevels; l++) {
		uint64_t *w = &h->level[l][idx >> WORD_SHIFT];
		uint64_t old = *w;

		*w = old | word_bit(idx);
		if (old)
			break;
		idx >>= WORD_SHIFT;
	}
}

/* Clear bit @idx of level @l and the summary bits of the words it empties. */
void vcm_buddy_hbm_clear_from(struct buddy_bitmap *h, unsigned int l, uint64_t idx)
{
	for (; l < h->nlevels; l++) {
		uint64_t *w = &h->level[l][idx >> WORD_SHIFT];

		*w &= ~word_bit(idx);
		if (*w)
			return;
		idx >>= WORD_SHIFT;
	}
	hbm_set_end(h, 0);	/* the top word is zero: the bitmap is empty */
}

void vcm_buddy_hbm_grow(struct buddy_bitmap *h, uint64_t idx)
{
	hbm_set_end(h, idx + 1);
	hbm_set_from(h, 0, idx);
}

static inline void hbm_clear(struct buddy_bitmap *h, uint64_t idx)
{
	vcm_buddy_hbm_clear_from(h, 0, idx);
}

/* Set bits [0, nbits) at level 0 and the matching summary bits. */
static void hbm_set_prefix(struct buddy_bitmap *h, uint64_t nbits)
{
	unsigned int l;

	hbm_set_end(h, nbits);
	for (l = 0; l < h->nlevels && nbits; l++) {
		bits_set_prefix(h->level[l], nbits);
		nbits = words_for_bits(nbits);
	}
}

/* --- free and allocated blocks ------------------------------------------ */

static inline void free_block_del(struct vcm_buddy *b, unsigned int order,
				  uint64_t idx)
{
	struct buddy_order *o = &b->order[order];

	hbm_clear(&o->free, idx);
	if (--o->nfree == 0)
		b->nonempty &= ~(1ULL << order);
}

/* Split the free block @idx of order @cur down to @order: its upper halves
 * become free.  Returns the index at @order of the lower part kept. */
uint64_t vcm_buddy_split(struct vcm_buddy *b, unsigned int cur, unsigned int order, uint64_t idx)
{
	while (cur > order) {
		cur--;
		idx <<= 1;
		free_block_add(b, cur, idx | 1);
	}
	return idx;
}

/* block_release() when the block's buddy is free: merge while they are. */
void vcm_buddy_merge(struct vcm_buddy *b, unsigned int order, uint64_t idx)
{
	do {
		free_block_del(b, order, idx ^ 1);
		idx >>= 1;
		order++;
	} while (buddy_is_free(b, order, idx));
	free_block_add(b, order, idx);
}

/* --- creation ------------------------------------------------------------ */

/* Bits of an order's free map: one per block position (one at least). */
static uint64_t map_bits(const struct buddy_order *o)
{
	return o->nblocks ? o->nblocks : 1;
}

/* Lay out every bitmap from @base (NULL: count only); 0 when too big. */
static size_t buddy_layout(struct vcm_buddy *b, uint64_t *base)
{
	size_t total = 0;
	unsigned int order;

	for (order = 0; order <= b->max_order; order++) {
		struct buddy_order *o = &b->order[order];
		size_t words;

		/* See "The buddy of the last block" above. */
		words = hbm_layout(&o->free, map_bits(o),
				   base ? base + total : NULL);
		if (!words)
			return 0;
		total += words;
		if (base)
			o->alloc = base + total;
		total += words_for_bits(o->nblocks);
	}
	return total;
}

/*
 * Free the greedy cover of [0, npages): a run of max_order blocks from pfn
 * 0, then one block for each set bit of the remainder, largest first.  No
 * two of them are buddies below max_order, so no merging is needed.
 */
static void buddy_fill(struct vcm_buddy *b)
{
	unsigned int top = b->max_order;
	uint64_t nbig = b->npages >> top;
	uint64_t pfn = nbig << top;
	unsigned int order;

	hbm_set_prefix(&b->order[top].free, nbig);
	b->order[top].nfree = nbig;
	if (nbig)
		b->nonempty |= 1ULL << top;

	for (order = top; order-- > 0;) {
		if (!(b->npages & order_pages(order)))
			continue;
		free_block_add(b, order, pfn >> order);
		pfn += order_pages(order);
	}
	b->free_pages = b->npages;
}

struct vcm_buddy *vcm_buddy_create(uint64_t npages, unsigned max_order)
{
	struct vcm_buddy *b;
	unsigned int order;
	size_t nwords;

	if (!npages || npages > BUDDY_MAX_PAGES ||
	    max_order > VCM_BUDDY_ORDER_LIMIT)
		return NULL;

	b = vcm_calloc(1, sizeof(*b) + (max_order + 1) * sizeof(b->order[0]));
	if (!b)
		return NULL;
	b->npages = npages;
	b->max_order = max_order;
	for (order = 0; order <= max_order; order++)
		b->order[order].nblocks = npages >> order;

	nwords = buddy_layout(b, NULL);
	if (nwords)
		b->words = vcm_calloc(nwords, sizeof(uint64_t));
	if (!b->words) {
		free(b);
		return NULL;
	}
	b->nwords = nwords;
	buddy_layout(b, b->words);
	buddy_fill(b);
	return b;
}

void vcm_buddy_destroy(struct vcm_buddy *b)
{
	if (!b)
		return;
	free(b->words);
	free(b);
}

/* --- single blocks ------------------------------------------------------- */

int vcm_buddy_alloc(struct vcm_buddy *b, unsigned order, uint64_t *pfn)
{
	return vcm_buddy_alloc_inline(b, order, pfn);
}

int vcm_buddy_free(struct vcm_buddy *b, uint64_t pfn, unsigned order)
{
	return vcm_buddy_free_inline(b, pfn, order);
}

/* --- page ranges --------------------------------------------------------- */

/* Mark the maximal aligned pieces of [pfn, end) allocated. */
static void range_mark_allocated(struct vcm_buddy *b, uint64_t pfn,
				 uint64_t end)
{
	while (pfn < end) {
		unsigned int order = piece_order(pfn, end - pfn, b->max_order);

		bit_set(b->order[order].alloc, pfn >> order);
		pfn += order_pages(order);
	}
}

/*
 * Free the maximal aligned pieces of [pfn, end), the unused tail of a
 * block just taken whose head is allocated.  Each piece's buddy lies to its
 * left and is not a free block of its order, so none merges.
 */
static void range_release_tail(struct vcm_buddy *b, uint64_t pfn,
			       uint64_t end)
{
	while (pfn < end) {
		unsigned int order = piece_order(pfn, end - pfn, b->max_order);

		free_block_add(b, order, pfn >> order);
		pfn += order_pages(order);
	}
}

int vcm_buddy_alloc_pages(struct vcm_buddy *b, uint64_t npages, unsigned align_order,
			  uint64_t *pfn)
{
	unsigned int order;
	uint64_t start;
	int ret;

	if (!npages || npages > order_pages(b->max_order) ||
	    align_order > b->max_order)
		return -EINVAL;
	order = order_for_pages(npages);
	if (order < align_order)
		order = align_order;

	ret = block_take(b, order, &start);
	if (ret)
		return ret;
	if (npages == order_pages(order)) {	/* the block itself: nothing to give back */
		bit_set(b->order[order].alloc, start >> order);
	} else {
		range_mark_allocated(b, start, start + npages);
		range_release_tail(b, start + npages, start + order_pages(order));
	}
	b->free_pages -= npages;
	*pfn = start;
	return 0;
}

/* True when every maximal aligned piece of [pfn, end) is allocated. */
static int range_is_allocated(const struct vcm_buddy *b, uint64_t pfn,
			      uint64_t end)
{
	while (pfn < end) {
		unsigned int order = piece_order(pfn, end - pfn, b->max_order);

		if (!bit_test(b->order[order].alloc, pfn >> order))
			return 0;
		pfn += order_pages(order);
	}
	return 1;
}

int vcm_buddy_free_pages(struct vcm_buddy *b, uint64_t pfn, uint64_t npages)
{
	uint64_t end = pfn + npages;

	if (!npages || pfn >= b->npages || npages > b->npages - pfn)
		return -EINVAL;
	/* One aligned block (its only piece): the single-block free. */
	if (!(npages & (npages - 1)) && !(pfn & (npages - 1)) &&
	    npages <= order_pages(b->max_order))
		return vcm_buddy_free(b, pfn, floor_log2(npages));
	if (!range_is_allocated(b, pfn, end))
		return -EINVAL;

	while (pfn < end) {
		unsigned int order = piece_order(pfn, end - pfn, b->max_order);

		bit_clear(b->order[order].alloc, pfn >> order);
		block_release(b, order, pfn >> order);
		pfn += order_pages(order);
	}
	b->free_pages += npages;
	return 0;
}

/* --- queries ------------------------------------------------------------- */

int vcm_buddy_is_allocated(const struct vcm_buddy *b, uint64_t pfn)
{
	unsigned int order;

	if (pfn >= b->npages)
		return 0;
	for (order = 0; order <= b->max_order; order++) {
		const struct buddy_order *o = &b->order[order];
		uint64_t idx = pfn >> order;

		if (idx < o->nblocks && bit_test(o->alloc, idx))
			return 1;
	}
	return 0;
}

uint64_t vcm_buddy_npages(const struct vcm_buddy *b)
{
	return b->npages;
}

unsigned vcm_buddy_max_order(const struct vcm_buddy *b)
{
	return b->max_order;
}

uint64_t vcm_buddy_free_count(const struct vcm_buddy *b)
{
	return b->free_pages;
}

uint64_t vcm_buddy_free_blocks(const struct vcm_buddy *b, unsigned order)
{
	if (order > b->max_order)
		return 0;
	return b->order[order].nfree;
}

size_t vcm_buddy_metadata_bytes(const struct vcm_buddy *b)
{
	return sizeof(*b) + (b->max_order + 1) * sizeof(b->order[0]) +
	       b->nwords * sizeof(uint64_t);
}

void vcm_buddy_dump(const struct vcm_buddy *b, FILE *out)
{
	unsigned int order;

	fprintf(out, "buddy: %" PRIu64 " pages, %" PRIu64 " free, max order %u, %zu bytes of metadata\n",
		b->npages, b->free_pages, b->max_order,
		vcm_buddy_metadata_bytes(b));
	for (order = 0; order <= b->max_order; order++)
		fprintf(out, "  order %2u: %" PRIu64 " free blocks\n", order,
			b->order[order].nfree);
}

/* --- self-check ---------------------------------------------------------- */

/* Every summary bit says exactly whether its word below is non-zero. */
static int check_summaries(const struct buddy_bitmap *h, uint64_t nbits)
{
	unsigned int l;

	for (l = 1; l < h->nlevels; l++) {
		uint64_t below = words_for_bits(nbits);
		uint64_t w;

		for (w = 0; w < below; w++)
			if ((h->level[l - 1][w] != 0) != bit_test(h->level[l], w))
				return -1;
		for (; w < words_for_bits(below) << WORD_SHIFT; w++)
			if (bit_test(h->level[l], w))
				return -1;
		nbits = below;
	}
	return 0;
}

/* No bit at or above @nbits is set in the words of a @nbits-bit map. */
static int check_tail_clear(const uint64_t *map, uint64_t nbits)
{
	uint64_t w = nbits >> WORD_SHIFT;

	if (!(nbits & WORD_MASK))
		return 0;
	return (map[w] & ~(word_bit(nbits) - 1)) ? -1 : 0;
}

/* Mark the pages of a block in @seen; -1 if one was already there. */
static int check_cover(uint64_t *seen, uint64_t pfn, unsigned int order)
{
	uint64_t end = pfn + order_pages(order);

	for (; pfn < end; pfn++) {
		if (bit_test(seen, pfn))
			return -1;
		bit_set(seen, pfn);
	}
	return 0;
}

/*
 * The search bound of a free map: every set bit below h->end, h->end 0
 * exactly when the map is empty, h->top the level whose word 0 covers it.
 */
static int check_end(const struct buddy_bitmap *h, uint64_t nbits, uint64_t nfree)
{
	struct buddy_bitmap expect = *h;
	uint64_t idx;

	hbm_set_end(&expect, h->end);
	if (expect.top != h->top || !nfree != !h->end || h->end > nbits)
		return -1;
	for (idx = h->end; idx < nbits; idx++)
		if (bit_test(h->level[0], idx))
			return -1;
	return 0;
}

/* Walk the blocks of one order: counters, coalescing, overlap. */
static int check_order(const struct vcm_buddy *b, unsigned int order,
		       uint64_t *seen, uint64_t *covered)
{
	const struct buddy_order *o = &b->order[order];
	const uint64_t *fmap = o->free.level[0];
	uint64_t nfree = 0, idx;

	if (check_summaries(&o->free, map_bits(o)) ||
	    check_tail_clear(fmap, o->nblocks) ||
	    check_tail_clear(o->alloc, o->nblocks))
		return -1;
	for (idx = 0; idx < o->nblocks; idx++) {
		int is_free = bit_test(fmap, idx);
		int is_alloc = bit_test(o->alloc, idx);

		if (!is_free && !is_alloc)
			continue;
		if (is_free && is_alloc)
			return -1;
		if (is_free && order < b->max_order && bit_test(fmap, idx ^ 1))
			return -1;	/* not coalesced */
		if (check_cover(seen, idx << order, order))
			return -1;	/* overlap */
		*covered += order_pages(order);
		nfree += is_free;
	}
	if (nfree != o->nfree || !nfree != !(b->nonempty & (1ULL << order)))
		return -1;
	return check_end(&o->free, o->nblocks, nfree);
}

int vcm_buddy_check(const struct vcm_buddy *b)
{
	uint64_t covered = 0, free_pages = 0;
	unsigned int order;
	uint64_t *seen;
	int ret = 0;

	seen = vcm_calloc(words_for_bits(b->npages), sizeof(uint64_t));
	if (!seen)
		return -ENOMEM;
	for (order = 0; order <= b->max_order && !ret; order++) {
		if (check_order(b, order, seen, &covered))
			ret = -EUCLEAN;
		free_pages += b->order[order].nfree << order;
	}
	if (b->nonempty >> (b->max_order + 1) || free_pages != b->free_pages ||
	    covered != b->npages)
		ret = -EUCLEAN;
	free(seen);
	return ret;
}
