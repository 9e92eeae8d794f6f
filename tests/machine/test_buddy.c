// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_buddy.c - unit tests of the buddy allocator (libvcm/machine/buddy.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buddy-inline.h"

#define ORDER_16M	12			/* 16 MiB of 4 KiB pages */
#define PAGES_16M	(1ULL << ORDER_16M)
#define PAGES_1G	(1ULL << 18)
#define PAGES_4G	(1ULL << 20)
#define ORDER_4G	20
#define ODD_EXTRA	17			/* pages past a power of two */
#define KIB		1024ULL
#define GIB		(1ULL << 30)
#define PAGE_BYTES	4096ULL
#define META_PER_GIB	(131 * KIB)		/* bench/PERFORMANCE.md target */
#define SEED		0x5eed1234abcdULL
#define RANDOM_OPS	20000
#define MAX_LIVE	512

/* --- helpers ------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static struct vcm_buddy *buddy_new(uint64_t npages, unsigned max_order)
{
	struct vcm_buddy *b = vcm_buddy_create(npages, max_order);

	assert_non_null(b);
	assert_int_equal(vcm_buddy_check(b), 0);
	return b;
}

/* Per-order free counts of @b into @counts[0..max_order]. */
static void snapshot(const struct vcm_buddy *b, uint64_t *counts)
{
	unsigned o;

	for (o = 0; o <= vcm_buddy_max_order(b); o++)
		counts[o] = vcm_buddy_free_blocks(b, o);
}

static void assert_unchanged(const struct vcm_buddy *b, uint64_t free_before,
			     const uint64_t *counts)
{
	unsigned o;

	assert_int_equal(vcm_buddy_free_count(b), free_before);
	for (o = 0; o <= vcm_buddy_max_order(b); o++)
		assert_int_equal(vcm_buddy_free_blocks(b, o), counts[o]);
	assert_int_equal(vcm_buddy_check(b), 0);
}

/* Only order @order has free blocks, exactly @n of them. */
static void assert_only_order(const struct vcm_buddy *b, unsigned order, uint64_t n)
{
	unsigned o;

	for (o = 0; o <= vcm_buddy_max_order(b); o++)
		assert_int_equal(vcm_buddy_free_blocks(b, o), o == order ? n : 0);
}

/* A bitmap of pages the test believes allocated. */
struct shadow {
	uint8_t *used;
	uint64_t npages;
};

static void shadow_init(struct shadow *s, uint64_t npages)
{
	s->used = calloc(npages, 1);
	assert_non_null(s->used);
	s->npages = npages;
}

static void shadow_take(struct shadow *s, uint64_t pfn, uint64_t n)
{
	uint64_t i;

	assert_true(pfn + n <= s->npages);
	for (i = pfn; i < pfn + n; i++) {
		assert_int_equal(s->used[i], 0);	/* no overlap */
		s->used[i] = 1;
	}
}

static void shadow_put(struct shadow *s, uint64_t pfn, uint64_t n)
{
	uint64_t i;

	for (i = pfn; i < pfn + n; i++) {
		assert_int_equal(s->used[i], 1);
		s->used[i] = 0;
	}
}

/* vcm_buddy_is_allocated() agrees with the shadow on every page. */
static void shadow_compare(const struct shadow *s, const struct vcm_buddy *b)
{
	uint64_t i;

	for (i = 0; i < s->npages; i++)
		assert_int_equal(!!vcm_buddy_is_allocated(b, i), s->used[i]);
}

/* --- creation ------------------------------------------------------------ */

static void test_create_bad_args(void **state)
{
	(void)state;
	assert_null(vcm_buddy_create(0, ORDER_16M));
	assert_null(vcm_buddy_create((1ULL << 32) + 1, ORDER_16M));
	assert_null(vcm_buddy_create(PAGES_16M, VCM_BUDDY_ORDER_LIMIT + 1));
	vcm_buddy_destroy(NULL);
}

static void test_create_cover(void **state)
{
	struct vcm_buddy *b;

	(void)state;
	b = buddy_new(PAGES_16M, ORDER_16M);
	assert_int_equal(vcm_buddy_npages(b), PAGES_16M);
	assert_int_equal(vcm_buddy_max_order(b), ORDER_16M);
	assert_int_equal(vcm_buddy_free_count(b), PAGES_16M);
	assert_only_order(b, ORDER_16M, 1);
	assert_int_equal(vcm_buddy_free_blocks(b, ORDER_16M + 1), 0);
	vcm_buddy_destroy(b);

	/* 4096 + 17 = order 12 + order 4 + order 0 */
	b = buddy_new(PAGES_16M + ODD_EXTRA, ORDER_16M);
	assert_int_equal(vcm_buddy_free_count(b), PAGES_16M + ODD_EXTRA);
	assert_int_equal(vcm_buddy_free_blocks(b, 12), 1);
	assert_int_equal(vcm_buddy_free_blocks(b, 4), 1);
	assert_int_equal(vcm_buddy_free_blocks(b, 0), 1);
	assert_int_equal(vcm_buddy_free_blocks(b, 1), 0);
	vcm_buddy_destroy(b);

	/* max_order capped: 4 * 2^10 pages are 4 blocks of order 10 */
	b = buddy_new(PAGES_16M, 10);
	assert_only_order(b, 10, 4);
	vcm_buddy_destroy(b);

	/* max_order larger than the arena: 100 = 64 + 32 + 4 */
	b = buddy_new(100, ORDER_4G);
	assert_int_equal(vcm_buddy_free_blocks(b, 6), 1);
	assert_int_equal(vcm_buddy_free_blocks(b, 5), 1);
	assert_int_equal(vcm_buddy_free_blocks(b, 2), 1);
	assert_int_equal(vcm_buddy_free_count(b), 100);
	vcm_buddy_destroy(b);

	/* a single page, max_order 0 */
	b = buddy_new(1, 0);
	assert_only_order(b, 0, 1);
	vcm_buddy_destroy(b);
}

/* --- single blocks ------------------------------------------------------- */

static void test_exhaust_order0(void **state)
{
	struct vcm_buddy *b;
	uint64_t pfn, i;

	(void)state;
	b = buddy_new(PAGES_16M, ORDER_16M);
	for (i = 0; i < PAGES_16M; i++) {
		assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
		assert_int_equal(pfn, i);		/* lowest address first */
		assert_int_equal(vcm_buddy_free_count(b), PAGES_16M - i - 1);
	}
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), -ENOMEM);
	assert_int_equal(vcm_buddy_alloc(b, ORDER_16M, &pfn), -ENOMEM);
	assert_only_order(b, 0, 0);
	assert_int_equal(vcm_buddy_check(b), 0);

	/* free in a scrambled order: odd pages first, then even ones */
	for (i = 1; i < PAGES_16M; i += 2)
		assert_int_equal(vcm_buddy_free(b, i, 0), 0);
	assert_only_order(b, 0, PAGES_16M / 2);
	assert_int_equal(vcm_buddy_check(b), 0);
	for (i = 0; i < PAGES_16M; i += 2)
		assert_int_equal(vcm_buddy_free(b, i, 0), 0);

	assert_int_equal(vcm_buddy_free_count(b), PAGES_16M);
	assert_only_order(b, ORDER_16M, 1);
	assert_int_equal(vcm_buddy_check(b), 0);
	assert_int_equal(vcm_buddy_alloc(b, ORDER_16M, &pfn), 0);
	assert_int_equal(pfn, 0);
	assert_int_equal(vcm_buddy_free_count(b), 0);
	assert_int_equal(vcm_buddy_free(b, 0, ORDER_16M), 0);
	vcm_buddy_destroy(b);
}

static void test_lowest_first_and_split(void **state)
{
	struct vcm_buddy *b;
	uint64_t a, c, d;

	(void)state;
	b = buddy_new(PAGES_16M, ORDER_16M);
	assert_int_equal(vcm_buddy_alloc(b, 0, &a), 0);
	assert_int_equal(a, 0);
	/* splitting order 12 for one page leaves one free block of 0..11 */
	for (unsigned o = 0; o < ORDER_16M; o++)
		assert_int_equal(vcm_buddy_free_blocks(b, o), 1);
	assert_int_equal(vcm_buddy_free_blocks(b, ORDER_16M), 0);

	/* smallest sufficient order first, even if it lies higher */
	assert_int_equal(vcm_buddy_alloc(b, 4, &c), 0);
	assert_int_equal(c, 16);
	assert_int_equal(vcm_buddy_alloc(b, 0, &d), 0);
	assert_int_equal(d, 1);
	assert_int_equal(vcm_buddy_alloc(b, 11, &d), 0);
	assert_int_equal(d, 2048);
	assert_int_equal(vcm_buddy_alloc(b, 11, &d), -ENOMEM);
	assert_int_equal(vcm_buddy_alloc(b, ORDER_16M + 1, &d), -EINVAL);

	assert_true(vcm_buddy_is_allocated(b, 0));
	assert_true(vcm_buddy_is_allocated(b, 31));
	assert_false(vcm_buddy_is_allocated(b, 32));
	assert_true(vcm_buddy_is_allocated(b, PAGES_16M - 1));
	assert_false(vcm_buddy_is_allocated(b, PAGES_16M));
	assert_int_equal(vcm_buddy_check(b), 0);

	assert_int_equal(vcm_buddy_free(b, 2048, 11), 0);
	assert_int_equal(vcm_buddy_free(b, 16, 4), 0);
	assert_int_equal(vcm_buddy_free(b, 1, 0), 0);
	assert_int_equal(vcm_buddy_free(b, 0, 0), 0);
	assert_only_order(b, ORDER_16M, 1);
	vcm_buddy_destroy(b);
}

static void test_bad_free(void **state)
{
	uint64_t counts[ORDER_16M + 1];
	struct vcm_buddy *b;
	uint64_t p0, p4, p8, before;

	(void)state;
	b = buddy_new(PAGES_16M, ORDER_16M);
	assert_int_equal(vcm_buddy_alloc(b, 0, &p0), 0);
	assert_int_equal(vcm_buddy_alloc(b, 4, &p4), 0);
	assert_int_equal(vcm_buddy_alloc(b, 8, &p8), 0);
	assert_int_equal(vcm_buddy_free(b, p0, 0), 0);
	before = vcm_buddy_free_count(b);
	snapshot(b, counts);

	/* double free */
	assert_int_equal(vcm_buddy_free(b, p0, 0), -EINVAL);
	assert_unchanged(b, before, counts);
	/* wrong order, both ways */
	assert_int_equal(vcm_buddy_free(b, p4, 3), -EINVAL);
	assert_int_equal(vcm_buddy_free(b, p4, 5), -EINVAL);
	assert_int_equal(vcm_buddy_free(b, p8, 0), -EINVAL);
	assert_unchanged(b, before, counts);
	/* inside a block, misaligned, out of range, order too large */
	assert_int_equal(vcm_buddy_free(b, p4 + 1, 0), -EINVAL);
	assert_int_equal(vcm_buddy_free(b, p8 + 16, 4), -EINVAL);
	assert_int_equal(vcm_buddy_free(b, p8 + 1, 8), -EINVAL);
	assert_int_equal(vcm_buddy_free(b, PAGES_16M, 0), -EINVAL);
	assert_int_equal(vcm_buddy_free(b, UINT64_MAX, 0), -EINVAL);
	assert_int_equal(vcm_buddy_free(b, 0, ORDER_16M + 1), -EINVAL);
	assert_int_equal(vcm_buddy_free(b, 0, VCM_BUDDY_ORDER_LIMIT + 5), -EINVAL);
	/* a free block that was never allocated */
	assert_int_equal(vcm_buddy_free(b, 2048, 11), -EINVAL);
	assert_unchanged(b, before, counts);

	assert_int_equal(vcm_buddy_free(b, p4, 4), 0);
	assert_int_equal(vcm_buddy_free(b, p4, 4), -EINVAL);
	assert_int_equal(vcm_buddy_free(b, p8, 8), 0);
	assert_only_order(b, ORDER_16M, 1);
	vcm_buddy_destroy(b);
}

/*
 * The search starts at the level whose word 0 covers the highest free block
 * (the bound kept per order): a block freed far above the others must raise
 * it, an emptied order must reset it, and the lowest block is still taken
 * first.  16384 order-0 pages: three levels of summary.
 */
static void test_search_bound(void **state)
{
	const uint64_t npages = 1ULL << 14, far = npages - 2, farther = npages - 4;
	struct vcm_buddy *b;
	uint64_t pfn, i;

	(void)state;
	b = buddy_new(npages, 4);
	for (i = 0; i < npages; i++) {
		assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
		assert_int_equal(pfn, i);
	}
	assert_int_equal(vcm_buddy_check(b), 0);

	/* near first, then far: the bound grows from word 0 to the far end */
	assert_int_equal(vcm_buddy_free(b, 5, 0), 0);
	assert_int_equal(vcm_buddy_free(b, far, 0), 0);
	assert_int_equal(vcm_buddy_check(b), 0);
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
	assert_int_equal(pfn, 5);
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
	assert_int_equal(pfn, far);
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), -ENOMEM);
	assert_int_equal(vcm_buddy_check(b), 0);	/* emptied: bound reset */

	/* far first, then near ones in another word and level-1 word */
	assert_int_equal(vcm_buddy_free(b, farther, 0), 0);
	assert_int_equal(vcm_buddy_free(b, 4100, 0), 0);
	assert_int_equal(vcm_buddy_free(b, 70, 0), 0);
	assert_int_equal(vcm_buddy_check(b), 0);
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
	assert_int_equal(pfn, 70);
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
	assert_int_equal(pfn, 4100);
	assert_int_equal(vcm_buddy_free(b, 3, 0), 0);
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
	assert_int_equal(pfn, 3);
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
	assert_int_equal(pfn, farther);
	assert_int_equal(vcm_buddy_check(b), 0);

	/* a merge empties an order from the middle: the bound resets too */
	assert_int_equal(vcm_buddy_free(b, far, 0), 0);
	assert_int_equal(vcm_buddy_free(b, far + 1, 0), 0);	/* merges to order 1 */
	assert_int_equal(vcm_buddy_free_blocks(b, 0), 0);
	assert_int_equal(vcm_buddy_free_blocks(b, 1), 1);
	assert_int_equal(vcm_buddy_check(b), 0);
	assert_int_equal(vcm_buddy_free(b, 9, 0), 0);
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
	assert_int_equal(pfn, 9);

	for (i = 0; i < npages; i++)
		if (i != far && i != far + 1)
			assert_int_equal(vcm_buddy_free(b, i, 0), 0);
	assert_only_order(b, 4, npages >> 4);
	vcm_buddy_destroy(b);
}

struct live_block {
	uint64_t pfn;
	unsigned order;
};

/* Mixed orders at random, checked against a shadow bitmap. */
static void random_blocks(uint64_t npages, unsigned max_order, unsigned top)
{
	struct live_block live[MAX_LIVE];
	struct vcm_buddy *b;
	struct shadow sh;
	uint64_t seed = SEED, expect_free = npages;
	unsigned nlive = 0, i, failures = 0;

	b = buddy_new(npages, max_order);
	shadow_init(&sh, npages);
	for (i = 0; i < RANDOM_OPS; i++) {
		uint64_t r = rng_next(&seed);

		if (nlive < MAX_LIVE && (nlive == 0 || (r & 7) < 5)) {
			unsigned order = (r >> 8) % (top + 1);
			uint64_t pfn;
			int ret = vcm_buddy_alloc(b, order, &pfn);

			if (ret) {
				assert_int_equal(ret, -ENOMEM);
				failures++;
				continue;
			}
			assert_int_equal(pfn & ((1ULL << order) - 1), 0);
			shadow_take(&sh, pfn, 1ULL << order);
			expect_free -= 1ULL << order;
			live[nlive].pfn = pfn;
			live[nlive++].order = order;
		} else {
			unsigned k = (r >> 8) % nlive;

			assert_int_equal(vcm_buddy_free(b, live[k].pfn, live[k].order), 0);
			shadow_put(&sh, live[k].pfn, 1ULL << live[k].order);
			expect_free += 1ULL << live[k].order;
			live[k] = live[--nlive];
		}
		assert_int_equal(vcm_buddy_free_count(b), expect_free);
		if (i % 1000 == 0) {
			assert_int_equal(vcm_buddy_check(b), 0);
			shadow_compare(&sh, b);
		}
	}
	assert_int_equal(vcm_buddy_check(b), 0);
	shadow_compare(&sh, b);
	while (nlive) {
		nlive--;
		assert_int_equal(vcm_buddy_free(b, live[nlive].pfn, live[nlive].order), 0);
	}
	assert_int_equal(vcm_buddy_free_count(b), npages);
	assert_int_equal(vcm_buddy_check(b), 0);
	print_message("  %" PRIu64 " pages: %u allocation failures\n", npages, failures);
	free(sh.used);
	vcm_buddy_destroy(b);
}

static void test_random_mixed(void **state)
{
	(void)state;
	random_blocks(PAGES_16M, ORDER_16M, 8);
	/* non-power-of-two arena and a tight one that fails often */
	random_blocks(PAGES_16M + ODD_EXTRA, ORDER_16M, 8);
	random_blocks(PAGES_16M / 4 + 3, ORDER_16M, 6);
}

/* --- the one-block fast paths (buddy-inline.h) --------------------------- */

#define FAST_OPS	20000
#define FAST_LIVE	600

/* Every word of every bitmap and every counter of @a and @b are the same. */
static void assert_same_buddy(const struct vcm_buddy *a, const struct vcm_buddy *b)
{
	unsigned o;

	assert_int_equal(a->nwords, b->nwords);
	assert_memory_equal(a->words, b->words, a->nwords * sizeof(uint64_t));
	assert_int_equal(a->free_pages, b->free_pages);
	assert_int_equal(a->nonempty, b->nonempty);
	for (o = 0; o <= a->max_order; o++) {
		assert_int_equal(a->order[o].nfree, b->order[o].nfree);
		assert_int_equal(a->order[o].free.end, b->order[o].free.end);
		assert_int_equal(a->order[o].free.top, b->order[o].free.top);
	}
}

struct fast_stats {
	unsigned alloc_fast, alloc_general, free_fast, free_general, refused;
};

/*
 * The fast path on @b (identical to @ref) or, when it declines having
 * changed nothing, vcm_buddy_alloc() on @b; vcm_buddy_alloc() on @ref.
 */
static int twin_alloc(struct vcm_buddy *b, struct vcm_buddy *ref, unsigned order,
		      uint64_t *pfn, struct fast_stats *st)
{
	uint64_t want;
	int ret;

	if (vcm_buddy_alloc_fast(b, order, pfn)) {
		st->alloc_fast++;
		assert_int_equal(vcm_buddy_alloc(ref, order, &want), 0);
		assert_int_equal(*pfn, want);
		return 0;
	}
	assert_same_buddy(b, ref);
	st->alloc_general++;
	ret = vcm_buddy_alloc(ref, order, &want);
	assert_int_equal(vcm_buddy_alloc(b, order, pfn), ret);
	if (!ret)
		assert_int_equal(*pfn, want);
	return ret;
}

/* The same for frees: vcm_buddy_free_fast(), else vcm_buddy_free(). */
static int twin_free(struct vcm_buddy *b, struct vcm_buddy *ref, uint64_t pfn,
		     unsigned order, struct fast_stats *st)
{
	int ret;

	if (vcm_buddy_free_fast(b, pfn, order)) {
		st->free_fast++;
		assert_int_equal(vcm_buddy_free(ref, pfn, order), 0);
		return 0;
	}
	assert_same_buddy(b, ref);
	st->free_general++;
	ret = vcm_buddy_free(ref, pfn, order);
	assert_int_equal(vcm_buddy_free(b, pfn, order), ret);
	return ret;
}

/*
 * The fast paths do what vcm_buddy_alloc()/free() do, bit for bit, or
 * nothing: a buddy driven through them (falling back to the general
 * functions when they decline) stays identical to a twin driven through
 * the general functions alone.  Refused frees (double, wrong order,
 * unaligned, out of the arena) are declined and change nothing.
 */
static void twin_run(uint64_t npages, unsigned max_order, unsigned top, uint64_t seed)
{
	struct vcm_buddy *b = buddy_new(npages, max_order), *ref = buddy_new(npages, max_order);
	struct live_block *live = calloc(FAST_LIVE, sizeof(*live));
	struct fast_stats st = { 0 };
	unsigned nlive = 0, i;

	assert_non_null(live);
	for (i = 0; i < FAST_OPS; i++) {
		uint64_t r = rng_next(&seed);

		if (nlive < FAST_LIVE && (nlive == 0 || (r & 7) < 4 + (i / 4096) % 2)) {
			unsigned order = (r >> 8) % (top + 1);
			uint64_t pfn;

			if (!twin_alloc(b, ref, order, &pfn, &st)) {
				live[nlive].pfn = pfn;
				live[nlive++].order = order;
			}
		} else {
			unsigned k = (r >> 8) % nlive;
			struct live_block bad = live[k];

			switch ((r >> 40) % 8) {	/* a refused free now and then */
			case 0:
				bad.order = (bad.order + 1) % (max_order + 1);
				break;
			case 1:		/* inside the block (none when it is one page) */
				bad.pfn += bad.order ? 1 : 0;
				bad.order = bad.order ? bad.order : ~0U;
				break;
			case 2:
				bad.pfn = npages + (bad.pfn & 63);
				break;
			case 3:
				bad.order = max_order + 1 + (r >> 50) % 60;
				break;
			default:
				bad.order = ~0U;	/* none */
			}
			if (bad.order != ~0U) {
				assert_int_equal(twin_free(b, ref, bad.pfn, bad.order, &st),
						 -EINVAL);
				st.refused++;
			}
			assert_int_equal(twin_free(b, ref, live[k].pfn, live[k].order, &st), 0);
			assert_int_equal(twin_free(b, ref, live[k].pfn, live[k].order, &st),
					 -EINVAL);	/* double */
			st.refused++;
			live[k] = live[--nlive];
		}
		assert_same_buddy(b, ref);
		if (i % 2048 == 0)
			assert_int_equal(vcm_buddy_check(b), 0);
	}
	while (nlive--)
		assert_int_equal(twin_free(b, ref, live[nlive].pfn, live[nlive].order, &st), 0);
	assert_same_buddy(b, ref);
	assert_int_equal(vcm_buddy_check(b), 0);
	assert_int_equal(vcm_buddy_free_count(b), npages);
	print_message("  %" PRIu64 " pages: fast %u+%u, general %u+%u, refused %u\n", npages,
		      st.alloc_fast, st.free_fast, st.alloc_general, st.free_general, st.refused);
	/* both paths were taken, each way */
	assert_true(st.alloc_fast > FAST_OPS / 8 && st.free_fast > FAST_OPS / 8);
	assert_true(st.alloc_general > 100 && st.free_general > 100);
	free(live);
	vcm_buddy_destroy(b);
	vcm_buddy_destroy(ref);
}

static void test_fast_paths(void **state)
{
	(void)state;
	twin_run(PAGES_16M, ORDER_16M, 8, SEED);
	twin_run(4 * PAGES_16M, ORDER_16M, 8, SEED + 1);	/* three summary levels */
	twin_run(PAGES_16M + ODD_EXTRA, ORDER_16M, 6, SEED + 2);
	twin_run(PAGES_16M / 8 + 3, 4, 4, SEED + 3);		/* tight: fails often */
}

/* --- page ranges --------------------------------------------------------- */

static void test_alloc_pages_tail(void **state)
{
	struct vcm_buddy *b;
	uint64_t pfn, p2, i;

	(void)state;
	b = buddy_new(PAGES_16M, ORDER_16M);
	assert_int_equal(vcm_buddy_alloc_pages(b, 5, 0, &pfn), 0);
	assert_int_equal(pfn, 0);
	assert_int_equal(vcm_buddy_free_count(b), PAGES_16M - 5);
	for (i = 0; i < 8; i++)
		assert_int_equal(!!vcm_buddy_is_allocated(b, pfn + i), i < 5);
	/* the tail of 3 is free: 1 page at 5, 2 pages at 6 */
	assert_int_equal(vcm_buddy_free_blocks(b, 0), 1);
	assert_int_equal(vcm_buddy_free_blocks(b, 1), 1);
	assert_int_equal(vcm_buddy_free_blocks(b, 2), 0);
	assert_int_equal(vcm_buddy_check(b), 0);
	assert_int_equal(vcm_buddy_alloc(b, 0, &p2), 0);
	assert_int_equal(p2, 5);
	assert_int_equal(vcm_buddy_free(b, p2, 0), 0);

	assert_int_equal(vcm_buddy_free_pages(b, pfn, 5), 0);
	assert_int_equal(vcm_buddy_free_count(b), PAGES_16M);
	assert_only_order(b, ORDER_16M, 1);

	/* exact powers of two and a whole-arena range */
	assert_int_equal(vcm_buddy_alloc_pages(b, 64, 0, &pfn), 0);
	assert_int_equal(vcm_buddy_free_blocks(b, 6), 1);
	assert_int_equal(vcm_buddy_free_pages(b, pfn, 64), 0);
	assert_int_equal(vcm_buddy_alloc_pages(b, PAGES_16M, 0, &pfn), 0);
	assert_int_equal(vcm_buddy_free_count(b), 0);
	assert_int_equal(vcm_buddy_free_pages(b, pfn, PAGES_16M), 0);
	assert_int_equal(vcm_buddy_alloc_pages(b, PAGES_16M - 1, 0, &pfn), 0);
	assert_int_equal(vcm_buddy_free_count(b), 1);
	assert_int_equal(vcm_buddy_alloc(b, 0, &p2), 0);
	assert_int_equal(p2, PAGES_16M - 1);
	assert_int_equal(vcm_buddy_free(b, p2, 0), 0);
	assert_int_equal(vcm_buddy_free_pages(b, pfn, PAGES_16M - 1), 0);
	assert_only_order(b, ORDER_16M, 1);
	vcm_buddy_destroy(b);
}

static void test_alloc_pages_align(void **state)
{
	struct vcm_buddy *b;
	uint64_t p1, p2, p3;

	(void)state;
	b = buddy_new(PAGES_16M, ORDER_16M);
	assert_int_equal(vcm_buddy_alloc(b, 0, &p1), 0);	/* page 0 taken */
	assert_int_equal(vcm_buddy_alloc_pages(b, 3, 6, &p2), 0);
	assert_int_equal(p2 & 63, 0);
	assert_int_equal(p2, 64);
	/* 3 pages used, 61 of the 64-page block given back */
	assert_int_equal(vcm_buddy_free_count(b), PAGES_16M - 1 - 3);
	assert_int_equal(vcm_buddy_alloc_pages(b, 1, 10, &p3), 0);
	assert_int_equal(p3 & 1023, 0);
	assert_int_equal(p3, 1024);
	assert_int_equal(vcm_buddy_check(b), 0);

	assert_int_equal(vcm_buddy_free_pages(b, p3, 1), 0);
	assert_int_equal(vcm_buddy_free_pages(b, p2, 3), 0);
	assert_int_equal(vcm_buddy_free(b, p1, 0), 0);
	assert_only_order(b, ORDER_16M, 1);
	vcm_buddy_destroy(b);
}

static void test_alloc_pages_errors(void **state)
{
	struct vcm_buddy *b;
	uint64_t pfn, p;

	(void)state;
	b = buddy_new(PAGES_16M + ODD_EXTRA, ORDER_16M);
	assert_int_equal(vcm_buddy_alloc_pages(b, 0, 0, &pfn), -EINVAL);
	assert_int_equal(vcm_buddy_alloc_pages(b, PAGES_16M + 1, 0, &pfn), -EINVAL);
	assert_int_equal(vcm_buddy_alloc_pages(b, UINT64_MAX, 0, &pfn), -EINVAL);
	assert_int_equal(vcm_buddy_alloc_pages(b, 1, ORDER_16M + 1, &pfn), -EINVAL);
	assert_int_equal(vcm_buddy_free_count(b), PAGES_16M + ODD_EXTRA);

	assert_int_equal(vcm_buddy_alloc_pages(b, PAGES_16M, 0, &pfn), 0);
	assert_int_equal(vcm_buddy_alloc_pages(b, 17, 0, &p), -ENOMEM);
	assert_int_equal(vcm_buddy_alloc_pages(b, 16, 0, &p), 0);
	assert_int_equal(p, PAGES_16M);
	assert_int_equal(vcm_buddy_free_pages(b, p, 16), 0);

	assert_int_equal(vcm_buddy_free_pages(b, pfn, 0), -EINVAL);
	assert_int_equal(vcm_buddy_free_pages(b, PAGES_16M + ODD_EXTRA, 1), -EINVAL);
	assert_int_equal(vcm_buddy_free_pages(b, pfn, PAGES_16M + ODD_EXTRA + 1), -EINVAL);
	assert_int_equal(vcm_buddy_free_pages(b, 1, UINT64_MAX), -EINVAL);
	assert_int_equal(vcm_buddy_free_pages(b, UINT64_MAX, 2), -EINVAL);
	assert_int_equal(vcm_buddy_free_pages(b, pfn, PAGES_16M), 0);
	assert_int_equal(vcm_buddy_free_count(b), PAGES_16M + ODD_EXTRA);
	assert_int_equal(vcm_buddy_free_blocks(b, ORDER_16M), 1);
	assert_int_equal(vcm_buddy_check(b), 0);
	vcm_buddy_destroy(b);
}

static void test_free_pages_all_or_nothing(void **state)
{
	uint64_t counts[ORDER_16M + 1];
	struct vcm_buddy *b;
	uint64_t pfn, q, before;

	(void)state;
	b = buddy_new(PAGES_16M, ORDER_16M);
	/* 13 pages = pieces of 8 + 4 + 1 */
	assert_int_equal(vcm_buddy_alloc_pages(b, 13, 0, &pfn), 0);
	assert_int_equal(pfn, 0);
	before = vcm_buddy_free_count(b);
	snapshot(b, counts);

	/* more than was allocated: the extra page (13) is free */
	assert_int_equal(vcm_buddy_free_pages(b, pfn, 14), -EINVAL);
	assert_unchanged(b, before, counts);
	/* less than allocated, cut differently: pieces 8 + 2 do not match */
	assert_int_equal(vcm_buddy_free_pages(b, pfn, 10), -EINVAL);
	/* shifted start: pieces 1 + 2 + 8 from pfn 1 */
	assert_int_equal(vcm_buddy_free_pages(b, pfn + 1, 12), -EINVAL);
	assert_unchanged(b, before, counts);
	assert_int_equal(vcm_buddy_is_allocated(b, 0), 1);

	/* free the last piece alone, then the whole range is partly free */
	assert_int_equal(vcm_buddy_free(b, 12, 0), 0);
	before = vcm_buddy_free_count(b);
	snapshot(b, counts);
	assert_int_equal(vcm_buddy_free_pages(b, pfn, 13), -EINVAL);
	assert_unchanged(b, before, counts);
	for (q = 0; q < 12; q++)
		assert_true(vcm_buddy_is_allocated(b, q));

	/* a block from vcm_buddy_alloc is one piece; a wrong length is not */
	assert_int_equal(vcm_buddy_alloc(b, 4, &q), 0);
	assert_int_equal(vcm_buddy_free_pages(b, q, 15), -EINVAL);
	assert_int_equal(vcm_buddy_free_pages(b, q, 16), 0);

	/* the remaining 12 pages are exactly pieces 8 + 4 */
	assert_int_equal(vcm_buddy_free_pages(b, pfn, 12), 0);
	assert_int_equal(vcm_buddy_free_pages(b, pfn, 12), -EINVAL);
	assert_only_order(b, ORDER_16M, 1);
	vcm_buddy_destroy(b);
}

struct live_range {
	uint64_t pfn;
	uint64_t npages;
};

static void test_random_pages(void **state)
{
	const uint64_t npages = PAGES_16M + ODD_EXTRA;
	struct live_range live[MAX_LIVE];
	struct vcm_buddy *b;
	struct shadow sh;
	uint64_t seed = SEED + 1, expect_free = npages;
	unsigned nlive = 0, i;

	(void)state;
	b = buddy_new(npages, ORDER_16M);
	shadow_init(&sh, npages);
	for (i = 0; i < RANDOM_OPS; i++) {
		uint64_t r = rng_next(&seed);

		if (nlive < MAX_LIVE && (nlive == 0 || (r & 7) < 5)) {
			uint64_t n = 1 + ((r >> 8) % 40);
			unsigned align = (r >> 20) % 4 ? 0 : (r >> 24) % 8;
			uint64_t pfn;
			int ret = vcm_buddy_alloc_pages(b, n, align, &pfn);

			if (ret) {
				assert_int_equal(ret, -ENOMEM);
				continue;
			}
			assert_int_equal(pfn & ((1ULL << align) - 1), 0);
			shadow_take(&sh, pfn, n);
			expect_free -= n;
			live[nlive].pfn = pfn;
			live[nlive++].npages = n;
		} else {
			unsigned k = (r >> 8) % nlive;

			assert_int_equal(vcm_buddy_free_pages(b, live[k].pfn, live[k].npages), 0);
			shadow_put(&sh, live[k].pfn, live[k].npages);
			expect_free += live[k].npages;
			live[k] = live[--nlive];
		}
		assert_int_equal(vcm_buddy_free_count(b), expect_free);
		if (i % 1000 == 0) {
			assert_int_equal(vcm_buddy_check(b), 0);
			shadow_compare(&sh, b);
		}
	}
	while (nlive) {
		nlive--;
		assert_int_equal(vcm_buddy_free_pages(b, live[nlive].pfn, live[nlive].npages), 0);
	}
	assert_int_equal(vcm_buddy_free_count(b), npages);
	assert_int_equal(vcm_buddy_free_blocks(b, ORDER_16M), 1);
	assert_int_equal(vcm_buddy_check(b), 0);
	free(sh.used);
	vcm_buddy_destroy(b);
}

/* --- large arenas and metadata ------------------------------------------- */

static void test_large_arena(void **state)
{
	struct vcm_buddy *b;
	uint64_t pfn, p2;
	unsigned o;

	(void)state;
	/* a 4 GiB DVA window: 2^20 pages, one order-20 block */
	b = buddy_new(PAGES_4G, ORDER_4G);
	assert_only_order(b, ORDER_4G, 1);
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
	assert_int_equal(pfn, 0);
	for (o = 0; o < ORDER_4G; o++)
		assert_int_equal(vcm_buddy_free_blocks(b, o), 1);
	assert_int_equal(vcm_buddy_alloc(b, 19, &p2), 0);
	assert_int_equal(p2, 1ULL << 19);
	assert_int_equal(vcm_buddy_alloc(b, 19, &p2), -ENOMEM);
	assert_int_equal(vcm_buddy_check(b), 0);
	assert_int_equal(vcm_buddy_free(b, 1ULL << 19, 19), 0);
	assert_int_equal(vcm_buddy_free(b, pfn, 0), 0);
	assert_only_order(b, ORDER_4G, 1);
	assert_int_equal(vcm_buddy_alloc(b, ORDER_4G, &pfn), 0);
	assert_int_equal(vcm_buddy_free_count(b), 0);
	assert_int_equal(vcm_buddy_free(b, pfn, ORDER_4G), 0);

	/* almost all of it as one range, and what is left */
	assert_int_equal(vcm_buddy_alloc_pages(b, PAGES_4G - 3, 0, &pfn), 0);
	assert_int_equal(vcm_buddy_free_count(b), 3);
	assert_int_equal(vcm_buddy_check(b), 0);
	assert_int_equal(vcm_buddy_free_pages(b, pfn, PAGES_4G - 3), 0);
	assert_only_order(b, ORDER_4G, 1);
	vcm_buddy_destroy(b);

	/* beyond 2^20 pages and order 20: 2^21 + 17 pages, max order 21 */
	b = buddy_new((1ULL << 21) + ODD_EXTRA, 21);
	assert_int_equal(vcm_buddy_free_blocks(b, 21), 1);
	assert_int_equal(vcm_buddy_alloc(b, 21, &pfn), 0);
	assert_int_equal(vcm_buddy_alloc(b, 4, &p2), 0);
	assert_int_equal(p2, 1ULL << 21);
	assert_int_equal(vcm_buddy_free_count(b), 1);
	assert_int_equal(vcm_buddy_free(b, p2, 4), 0);
	assert_int_equal(vcm_buddy_free(b, pfn, 21), 0);
	assert_int_equal(vcm_buddy_check(b), 0);
	vcm_buddy_destroy(b);
}

static void test_metadata(void **state)
{
	struct vcm_buddy *b;
	size_t bytes;

	(void)state;
	b = buddy_new(PAGES_1G, ORDER_16M);
	bytes = vcm_buddy_metadata_bytes(b);
	print_message("  1 GiB arena, max order 12: %zu bytes of metadata\n", bytes);
	assert_true(bytes < META_PER_GIB);
	assert_true(bytes < GIB / 1000);
	vcm_buddy_destroy(b);

	b = buddy_new(PAGES_4G, ORDER_16M);
	bytes = vcm_buddy_metadata_bytes(b);
	print_message("  4 GiB arena, max order 12: %zu bytes of metadata\n", bytes);
	assert_true(bytes < 4 * META_PER_GIB);
	vcm_buddy_destroy(b);

	b = buddy_new(PAGES_4G, ORDER_4G);
	assert_true(vcm_buddy_metadata_bytes(b) < 4 * META_PER_GIB);
	vcm_buddy_destroy(b);

	/* a small arena costs little */
	b = buddy_new(PAGES_16M, ORDER_16M);
	assert_true(vcm_buddy_metadata_bytes(b) < PAGES_16M * PAGE_BYTES / 1000);
	vcm_buddy_destroy(b);
}

static void test_dump(void **state)
{
	struct vcm_buddy *b;
	char *text = NULL;
	size_t len = 0;
	uint64_t pfn;
	FILE *out;

	(void)state;
	b = buddy_new(PAGES_16M + ODD_EXTRA, ORDER_16M);
	assert_int_equal(vcm_buddy_alloc(b, 0, &pfn), 0);
	assert_int_equal(pfn, PAGES_16M + ODD_EXTRA - 1);	/* the lone page */
	out = open_memstream(&text, &len);
	assert_non_null(out);
	vcm_buddy_dump(b, out);
	fclose(out);
	assert_non_null(strstr(text, "4113 pages, 4112 free, max order 12"));
	assert_non_null(strstr(text, "order  0: 0 free blocks"));
	assert_non_null(strstr(text, "order  4: 1 free blocks"));
	assert_non_null(strstr(text, "order 12: 1 free blocks"));
	free(text);
	vcm_buddy_destroy(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_bad_args),
		cmocka_unit_test(test_create_cover),
		cmocka_unit_test(test_exhaust_order0),
		cmocka_unit_test(test_lowest_first_and_split),
		cmocka_unit_test(test_bad_free),
		cmocka_unit_test(test_search_bound),
		cmocka_unit_test(test_random_mixed),
		cmocka_unit_test(test_fast_paths),
		cmocka_unit_test(test_alloc_pages_tail),
		cmocka_unit_test(test_alloc_pages_align),
		cmocka_unit_test(test_alloc_pages_errors),
		cmocka_unit_test(test_free_pages_all_or_nothing),
		cmocka_unit_test(test_random_pages),
		cmocka_unit_test(test_large_arena),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
