/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_firstfit.c - the first-fit allocator against the algorithm the
 * kernel used: a page bitmap searched from the start for the first free run
 * whose absolute page number is aligned.  Random sequences must give the
 * very same answers; double frees and frees outside the arena change
 * nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "firstfit.h"

#define NPAGES 4096U

/* The kernel's way: bitmap_find_next_zero_area with an absolute offset. */
struct bitmap_ref {
	unsigned char used[NPAGES];
	uint64_t origin;
};

static int ref_alloc(struct bitmap_ref *b, uint64_t n, unsigned align, uint64_t *pfn)
{
	uint64_t mask = (1ULL << align) - 1, p, i;

	for (p = 0; p + n <= NPAGES; p++) {
		if ((b->origin + p) & mask)
			continue;
		for (i = 0; i < n && !b->used[p + i]; i++)
			;
		if (i == n) {
			memset(b->used + p, 1, n);
			*pfn = p;
			return 0;
		}
	}
	return -ENOSPC;
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

struct blk {
	uint64_t pfn, n;
};

static void run_against_bitmap(uint64_t origin, uint32_t seed, const unsigned char *orders)
{
	struct vcm_firstfit *e = vcm_firstfit_create(origin, NPAGES, orders);
	static struct bitmap_ref ref;
	struct blk live[1024];
	unsigned nlive = 0, i;

	assert_non_null(e);
	memset(&ref, 0, sizeof(ref));
	ref.origin = origin;
	for (i = 0; i < 20000; i++) {
		if (nlive < 1024 && (rnd(&seed) % 3 || !nlive)) {
			static const unsigned sizes[] = { 1, 1, 1, 2, 3, 16, 17, 256, 300 };
			uint64_t n = sizes[rnd(&seed) % 9], a = 0, b = 0;
			unsigned align = rnd(&seed) % 9;
			int want = ref_alloc(&ref, n, align, &b);
			int got = vcm_firstfit_alloc(e, n, align, &a);

			assert_int_equal(got, want);
			if (!got) {
				assert_int_equal(a, b);
				live[nlive++] = (struct blk){ a, n };
			}
		} else {
			unsigned k = rnd(&seed) % nlive;

			assert_int_equal(vcm_firstfit_free(e, live[k].pfn, live[k].n), 0);
			memset(ref.used + live[k].pfn, 0, live[k].n);
			live[k] = live[--nlive];
		}
		if (i % 997 == 0)
			assert_int_equal(vcm_firstfit_check(e), 0);
	}
	while (nlive) {
		nlive--;
		assert_int_equal(vcm_firstfit_free(e, live[nlive].pfn, live[nlive].n), 0);
	}
	assert_int_equal(vcm_firstfit_free_count(e), NPAGES);
	assert_int_equal(vcm_firstfit_check(e), 0);
	vcm_firstfit_destroy(e);
}

static void test_matches_kernel_bitmap(void **state)
{
	static const unsigned char orders[] = { 8, 4, 2, 0 };

	(void)state;
	run_against_bitmap(0, 1, orders);
	run_against_bitmap(3, 2, orders);	/* window not aligned: absolute alignment */
	run_against_bitmap(0x10000, 3, orders);
}

/* Orders in any order, repeated, or far apart (a coarse map's blocks span
 * several words of the next finer map): the same answers. */
static void test_orders_as_given(void **state)
{
	static const unsigned char unsorted[] = { 2, 8, 4, 0 };
	static const unsigned char repeated[] = { 4, 4, 2, 0 };
	static const unsigned char far[] = { 8, 0 };

	(void)state;
	run_against_bitmap(5, 4, unsorted);
	run_against_bitmap(0, 5, repeated);
	run_against_bitmap(7, 6, far);
}

/*
 * An arena with four summary levels (2^19 pages: 8192 words, 128, 2, 1),
 * filled to the last page and emptied again: every level's "word is full"
 * bit is set and cleared, and vcm_firstfit_check() agrees throughout.
 */
static void test_deep_summaries(void **state)
{
	static const unsigned char orders[] = { 12, 6, 0 };
	const uint64_t npages = 1ULL << 19, block = 1ULL << 12;
	struct vcm_firstfit *e = vcm_firstfit_create(0, npages, orders);
	uint64_t p, pfn;

	(void)state;
	assert_non_null(e);
	for (p = 0; p < npages; p += block) {
		assert_int_equal(vcm_firstfit_alloc(e, block, 12, &pfn), 0);
		assert_int_equal(pfn, p);
	}
	assert_int_equal(vcm_firstfit_check(e), 0);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 0, &pfn), -ENOSPC);
	assert_int_equal(vcm_firstfit_free(e, 77 * block, block), 0);
	assert_int_equal(vcm_firstfit_check(e), 0);
	assert_int_equal(vcm_firstfit_alloc(e, 64, 6, &pfn), 0);
	assert_int_equal(pfn, 77 * block);
	assert_int_equal(vcm_firstfit_alloc(e, block, 12, &pfn), -ENOSPC);
	assert_int_equal(vcm_firstfit_free(e, 77 * block, 64), 0);
	for (p = 0; p < npages; p += block)
		if (p != 77 * block)
			assert_int_equal(vcm_firstfit_free(e, p, block), 0);
	assert_int_equal(vcm_firstfit_free_count(e), npages);
	assert_int_equal(vcm_firstfit_check(e), 0);
	assert_int_equal(vcm_firstfit_alloc(e, npages, 0, &pfn), 0);
	assert_int_equal(pfn, 0);
	vcm_firstfit_destroy(e);
}

/*
 * A range whose order-2 blocks span two words (blocks 0..64), the second
 * word's one block held already by a neighbour: the blocks of the first
 * word change, and the order-4 map must follow, on allocation and on free.
 */
static void test_range_across_words(void **state)
{
	static const unsigned char orders[] = { 4, 2, 0 };
	struct vcm_firstfit *e = vcm_firstfit_create(0, 1024, orders);
	uint64_t a;

	(void)state;
	assert_non_null(e);
	assert_int_equal(vcm_firstfit_alloc(e, 2, 0, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(vcm_firstfit_alloc(e, 256, 0, &a), 0);
	assert_int_equal(a, 2);
	assert_int_equal(vcm_firstfit_alloc(e, 2, 0, &a), 0);
	assert_int_equal(a, 258);
	assert_int_equal(vcm_firstfit_free(e, 2, 256), 0);
	assert_int_equal(vcm_firstfit_check(e), 0);
	assert_int_equal(vcm_firstfit_alloc(e, 256, 0, &a), 0);
	assert_int_equal(a, 2);
	assert_int_equal(vcm_firstfit_check(e), 0);
	assert_int_equal(vcm_firstfit_alloc(e, 16, 4, &a), 0);
	assert_int_equal(a, 272);
	assert_int_equal(vcm_firstfit_free(e, 2, 256), 0);
	assert_int_equal(vcm_firstfit_check(e), 0);
	assert_int_equal(vcm_firstfit_alloc(e, 16, 4, &a), 0);
	assert_int_equal(a, 16);
	vcm_firstfit_destroy(e);
}

/*
 * An arena smaller than one block of a tracked order, not aligned to it:
 * that block reaches out on both sides and is never free.
 */
static void test_arena_inside_one_block(void **state)
{
	static const unsigned char orders[] = { 4, 0 };
	struct vcm_firstfit *e = vcm_firstfit_create(3, 4, orders);
	uint64_t a;

	(void)state;
	assert_non_null(e);
	assert_int_equal(vcm_firstfit_check(e), 0);
	assert_int_equal(vcm_firstfit_alloc(e, 16, 4, &a), -ENOSPC);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 0, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(vcm_firstfit_free(e, 0, 1), 0);
	assert_int_equal(vcm_firstfit_check(e), 0);
	assert_int_equal(vcm_firstfit_alloc(e, 4, 0, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(vcm_firstfit_free(e, 0, 4), 0);
	assert_int_equal(vcm_firstfit_check(e), 0);
	vcm_firstfit_destroy(e);
}

/*
 * Alignments of 2^63 pages and more: only absolute page 0 qualifies, and an
 * arena near the top of the space finds no aligned page (no wrap-around).
 */
static void test_huge_alignments(void **state)
{
	struct vcm_firstfit *e = vcm_firstfit_create(0, 64, NULL);
	uint64_t a;

	(void)state;
	assert_non_null(e);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 64, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 63, &a), -ENOSPC);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 64, &a), -ENOSPC);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 200, &a), -ENOSPC);
	assert_int_equal(vcm_firstfit_free(e, 0, 1), 0);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 200, &a), 0);
	assert_int_equal(a, 0);
	vcm_firstfit_destroy(e);

	e = vcm_firstfit_create(UINT64_MAX - 100, 64, NULL);
	assert_non_null(e);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 63, &a), -ENOSPC);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 64, &a), -ENOSPC);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 2, &a), 0);
	assert_int_equal(a, 1);		/* page UINT64_MAX - 99: a multiple of 4 */
	assert_int_equal(vcm_firstfit_check(e), 0);
	vcm_firstfit_destroy(e);
}

static void test_first_fit_and_alignment(void **state)
{
	struct vcm_firstfit *e = vcm_firstfit_create(1, 64, NULL);
	uint64_t a, b, c;

	(void)state;
	assert_non_null(e);
	/* absolute alignment: page 1 of the space is arena page 0 */
	assert_int_equal(vcm_firstfit_alloc(e, 4, 2, &a), 0);
	assert_int_equal(a, 3);
	assert_int_equal(vcm_firstfit_alloc(e, 1, 0, &b), 0);
	assert_int_equal(b, 0);		/* the lowest hole first */
	assert_int_equal(vcm_firstfit_alloc(e, 2, 0, &c), 0);
	assert_int_equal(c, 1);
	assert_int_equal(vcm_firstfit_alloc(e, 64, 0, &c), -ENOSPC);
	assert_int_equal(vcm_firstfit_alloc(e, 0, 0, &c), -EINVAL);
	assert_int_equal(vcm_firstfit_free_count(e), 64 - 7);
	assert_true(vcm_firstfit_metadata_bytes(e) > 0);
	vcm_firstfit_destroy(e);
	vcm_firstfit_destroy(NULL);
	assert_null(vcm_firstfit_create(0, 0, NULL));
}

static void test_bad_frees_change_nothing(void **state)
{
	struct vcm_firstfit *e = vcm_firstfit_create(0, 64, NULL);
	uint64_t a;

	(void)state;
	assert_int_equal(vcm_firstfit_alloc(e, 8, 0, &a), 0);
	assert_int_equal(vcm_firstfit_free(e, 8, 1), -EINVAL);	/* free already */
	assert_int_equal(vcm_firstfit_free(e, 4, 8), -EINVAL);	/* half free */
	assert_int_equal(vcm_firstfit_free(e, 60, 8), -EINVAL);	/* outside */
	assert_int_equal(vcm_firstfit_free(e, 0, 0), -EINVAL);
	assert_int_equal(vcm_firstfit_free_count(e), 56);
	assert_int_equal(vcm_firstfit_free(e, 2, 2), 0);		/* a middle piece */
	assert_int_equal(vcm_firstfit_free(e, 2, 2), -EINVAL);
	assert_int_equal(vcm_firstfit_free(e, 0, 2), 0);
	assert_int_equal(vcm_firstfit_free(e, 4, 4), 0);
	assert_int_equal(vcm_firstfit_free_count(e), 64);
	assert_int_equal(vcm_firstfit_check(e), 0);
	vcm_firstfit_destroy(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_kernel_bitmap),
		cmocka_unit_test(test_orders_as_given),
		cmocka_unit_test(test_deep_summaries),
		cmocka_unit_test(test_range_across_words),
		cmocka_unit_test(test_arena_inside_one_block),
		cmocka_unit_test(test_huge_alignments),
		cmocka_unit_test(test_first_fit_and_alignment),
		cmocka_unit_test(test_bad_frees_change_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
