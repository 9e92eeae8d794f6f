/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_pool.c - the fixed-size object pool (base/pool.c): objects are
 * zeroed, distinct and aligned; a freed object is handed out again before
 * any new host memory; chunks grow as needed and all go back on release
 * (valgrind checks that nothing leaks).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pool.h"

struct obj {
	uint64_t a;
	void *b;
	char c[13];
};

static void test_alloc_zeroed_distinct_aligned(void **state)
{
	struct obj *o[3 * VCM_POOL_CHUNK_OBJS];
	struct vcm_pool pool;
	unsigned i, j;

	(void)state;
	vcm_pool_init(&pool, sizeof(struct obj));
	for (i = 0; i < 3 * VCM_POOL_CHUNK_OBJS; i++) {
		o[i] = vcm_pool_alloc(&pool);
		assert_non_null(o[i]);
		assert_int_equal((uintptr_t)o[i] % sizeof(uint64_t), 0);
		assert_int_equal(o[i]->a, 0);
		assert_null(o[i]->b);
		memset(o[i], 0xA5, sizeof(*o[i]));	/* the whole object is ours */
	}
	for (i = 0; i < 3 * VCM_POOL_CHUNK_OBJS; i++)
		for (j = i + 1; j < 3 * VCM_POOL_CHUNK_OBJS; j++)
			assert_true((char *)o[i] + sizeof(struct obj) <= (char *)o[j] ||
				    (char *)o[j] + sizeof(struct obj) <= (char *)o[i]);
	vcm_pool_release(&pool);
}

static void test_free_reuses_before_growing(void **state)
{
	struct vcm_pool pool;
	struct obj *a, *b;

	(void)state;
	vcm_pool_init(&pool, sizeof(struct obj));
	a = vcm_pool_alloc(&pool);
	b = vcm_pool_alloc(&pool);
	memset(a, 0x5A, sizeof(*a));
	vcm_pool_free(&pool, a);
	assert_ptr_equal(vcm_pool_alloc(&pool), a);	/* last freed first */
	assert_int_equal(a->a, 0);			/* zeroed again */
	vcm_pool_free(&pool, b);
	vcm_pool_free(&pool, a);
	assert_ptr_equal(vcm_pool_alloc(&pool), a);
	assert_ptr_equal(vcm_pool_alloc(&pool), b);
	vcm_pool_release(&pool);
	/* A released pool is empty and usable again. */
	assert_null(pool.chunks);
	assert_non_null(vcm_pool_alloc(&pool));
	vcm_pool_release(&pool);
}

static void test_tiny_objects_hold_the_link(void **state)
{
	struct vcm_pool pool;
	char *a, *b;

	(void)state;
	vcm_pool_init(&pool, 1);	/* rounded up to hold the free-list link */
	a = vcm_pool_alloc(&pool);
	b = vcm_pool_alloc(&pool);
	assert_true(b + sizeof(void *) <= a || a + sizeof(void *) <= b);
	vcm_pool_free(&pool, a);
	vcm_pool_free(&pool, b);
	assert_ptr_equal(vcm_pool_alloc(&pool), b);
	assert_ptr_equal(vcm_pool_alloc(&pool), a);
	vcm_pool_release(&pool);
}

/* vcm_pool_take(): the last freed object first, as it was left (not cleared). */
static void test_take_not_cleared(void **state)
{
	struct vcm_pool pool;
	struct obj *a, *b;

	(void)state;
	vcm_pool_init(&pool, sizeof(struct obj));
	a = vcm_pool_take(&pool);
	b = vcm_pool_take(&pool);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	memset(a, 0x5A, sizeof(*a));
	vcm_pool_free(&pool, b);
	vcm_pool_free(&pool, a);
	assert_ptr_equal(vcm_pool_take(&pool), a);
	assert_int_equal(a->c[12], 0x5A);	/* past the link: as it was */
	assert_ptr_equal(vcm_pool_take(&pool), b);
	vcm_pool_free(&pool, b);
	assert_ptr_equal(vcm_pool_alloc(&pool), b);	/* vcm_pool_alloc() clears */
	assert_int_equal(b->a, 0);
	assert_null(b->b);
	vcm_pool_release(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_zeroed_distinct_aligned),
		cmocka_unit_test(test_free_reuses_before_growing),
		cmocka_unit_test(test_tiny_objects_hold_the_link),
		cmocka_unit_test(test_take_not_cleared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
