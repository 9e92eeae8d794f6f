/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * buddy.h - the one buddy allocator of libvcm (internal).
 *
 * It manages the page frame numbers [0, npages) of one arena: the physical
 * pages of a RAM bank (soc.c) and the DVA pages of a context's window
 * (mmu.c) alike.  Blocks are 2^order pages, naturally aligned to their size
 * (relative to pfn 0), and coalesce with their buddy on free.
 *
 * Metadata lives outside the managed memory (the memory may be lazily
 * backed, or not exist at all for DVA space): one "free" and one
 * "allocated" bit per block per order, with summary levels for O(log n)
 * search, about 0.5 byte per page in total.
 *
 * Not thread-safe: callers serialise (soc.c and mmu.c hold their locks).
 */
#ifndef LIBVCM_BUDDY_H
#define LIBVCM_BUDDY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Orders above this are refused by vcm_buddy_create(). */
#define VCM_BUDDY_ORDER_LIMIT 31

struct vcm_buddy;

/*
 * vcm_buddy_create() - an arena of @npages pages, all free.
 * @npages: 1..2^32.
 * @max_order: largest block order, 0..VCM_BUDDY_ORDER_LIMIT.
 *
 * The free pages start as the greedy cover of [0, npages) by the largest
 * aligned blocks of order <= max_order.
 * Returns NULL on bad arguments or when memory is short.
 */
struct vcm_buddy *vcm_buddy_create(uint64_t npages, unsigned max_order);
void vcm_buddy_destroy(struct vcm_buddy *b);

/*
 * vcm_buddy_alloc() - allocate one block of 2^@order pages.
 * Lowest-address free block of the smallest sufficient order is split.
 * Returns 0 and *pfn, -EINVAL for order > max_order, -ENOMEM.
 */
int vcm_buddy_alloc(struct vcm_buddy *b, unsigned order, uint64_t *pfn);

/*
 * vcm_buddy_free() - free a block allocated with vcm_buddy_alloc() with the
 * same order.  Returns 0, or -EINVAL (and changes nothing) when that block is
 * not allocated with that order (double free, wrong order, out of range).
 */
int vcm_buddy_free(struct vcm_buddy *b, uint64_t pfn, unsigned order);

/*
 * vcm_buddy_alloc_pages() - allocate @npages (not necessarily a power of two)
 * contiguous pages, aligned to the block of 2^@align_order pages at least
 * (the block actually used is the smallest power of two >= @npages and
 * >= 2^@align_order).  The unused tail of that block goes back at once, so at
 * most nothing but the rounding to whole pages is wasted.
 * Returns 0 and *pfn, -EINVAL for npages 0 or too large, -ENOMEM.
 */
int vcm_buddy_alloc_pages(struct vcm_buddy *b, uint64_t npages, unsigned align_order,
			  uint64_t *pfn);

/*
 * vcm_buddy_free_pages() - free a range from vcm_buddy_alloc_pages() (same
 * pfn, same npages).  Returns 0, or -EINVAL with no change if any part of
 * the range is not allocated as vcm_buddy_alloc_pages() left it.
 */
int vcm_buddy_free_pages(struct vcm_buddy *b, uint64_t pfn, uint64_t npages);

/* vcm_buddy_is_allocated() - true if @pfn lies inside an allocated block. */
int vcm_buddy_is_allocated(const struct vcm_buddy *b, uint64_t pfn);

uint64_t vcm_buddy_npages(const struct vcm_buddy *b);
unsigned vcm_buddy_max_order(const struct vcm_buddy *b);
/* Free pages in the arena (kept as a counter: O(1)). */
uint64_t vcm_buddy_free_count(const struct vcm_buddy *b);
/* Number of free blocks of order @order (O(1): counters per order). */
uint64_t vcm_buddy_free_blocks(const struct vcm_buddy *b, unsigned order);
/* Bytes of host memory the allocator's metadata uses. */
size_t vcm_buddy_metadata_bytes(const struct vcm_buddy *b);

/* vcm_buddy_dump() - one line per order with its free block count. */
void vcm_buddy_dump(const struct vcm_buddy *b, FILE *out);

/*
 * vcm_buddy_check() - verify every invariant of the metadata (slow: O(npages),
 * for tests and debugging): summary levels match their bitmaps, counters
 * match the bits, free blocks are fully coalesced, free and allocated blocks
 * cover every page exactly once.  Returns 0, -EUCLEAN on an inconsistency,
 * -ENOMEM.
 */
int vcm_buddy_check(const struct vcm_buddy *b);

#endif /* LIBVCM_BUDDY_H */
