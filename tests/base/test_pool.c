/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_pool.c - the fixed-size object pool (base/pool.c): objects are
 * zeroed, distinct and aligned; a freed object is handed out again before
 * any new host memory; chunks grow as needed and all go back on release
 * (valgrind checks that nothing leaks).  Handle pools: aligned chunks
 * found by masking, object boundaries, the state words the registry
 * writes, the walk over live objects, the extra words, and the chunks'
 * registry entries (live, then remembered as released) and slots.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pool.h"
#include "registry.h"

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

/* A kernel-sized object: 64 bytes, as struct vcm_mmu_res. */
struct res64 {
	uint64_t w[8];
};

#define HOBJS	(3 * 56)

static void test_hpool_chunks_by_address(void **state)
{
	size_t bytes0 = vcm_hpool_bytes();
	struct vcm_hpool pool;
	struct res64 *o[HOBJS];
	unsigned i, j;

	(void)state;
	vcm_hpool_init(&pool, sizeof(struct res64), VCM_KIND_RES);
	for (i = 0; i < HOBJS; i++) {
		struct vcm_hpool_chunk *c;
		int idx;

		o[i] = vcm_hpool_take(&pool);
		assert_non_null(o[i]);
		c = vcm_hpool_chunk_of(o[i]);
		assert_int_equal((uintptr_t)c % VCM_HPOOL_CHUNK_BYTES, 0);
		assert_int_equal((uintptr_t)o[i] % sizeof(uint64_t), 0);
		/* its state word: the 8 bytes before it, after the header */
		assert_true((uintptr_t)vcm_hpool_state_word(o[i]) >=
			    (uintptr_t)c + sizeof(struct vcm_hpool_chunk));
		assert_ptr_equal(c->pool, &pool);
		assert_int_equal(vcm_reg_count(VCM_KIND_CHUNK) > 0, 1);
		idx = vcm_hpool_index(c, o[i]);
		assert_true(idx >= 0);
		assert_ptr_equal(vcm_hpool_obj(c, (unsigned)idx), o[i]);
		/* inside an object, or the header: no object starts there */
		assert_int_equal(vcm_hpool_index(c, (char *)o[i] + 8), -1);
		assert_int_equal(vcm_hpool_index(c, (char *)o[i] + 63), -1);
		assert_int_equal(vcm_hpool_index(c, c), -1);
		assert_int_equal(vcm_hpool_state(c, (unsigned)idx), 0);	/* never a handle */
		memset(o[i], 0xA5, sizeof(*o[i]));	/* the whole object is ours */
	}
	/* no object overlaps another or another's state word */
	for (i = 0; i < HOBJS; i++)
		for (j = i + 1; j < HOBJS; j++)
			assert_true((char *)o[i] + sizeof(struct res64) <= (char *)o[j] - 8 ||
				    (char *)o[j] + sizeof(struct res64) <= (char *)o[i] - 8);
	/* 4 KiB chunks of 56 objects: the host memory pool.h promises */
	assert_int_equal(vcm_hpool_chunk_of(o[0])->nobjs, 56);
	assert_int_equal(vcm_hpool_bytes() - bytes0, 3 * VCM_HPOOL_CHUNK_BYTES);
	vcm_hpool_free(&pool, o[5]);
	assert_ptr_equal(vcm_hpool_take(&pool), o[5]);	/* last freed first */
	vcm_hpool_release(&pool);
	assert_int_equal(vcm_hpool_bytes(), bytes0);
}

/* Count the walk's objects, checking each is one of @live. */
static unsigned walk(const struct vcm_hpool *pool, struct res64 **live, unsigned n)
{
	struct vcm_hpool_iter it = { 0 };
	unsigned seen = 0, i;
	void *obj;

	while ((obj = vcm_hpool_next_live(pool, &it))) {
		for (i = 0; i < n && live[i] != obj; i++)
			;
		assert_true(i < n);
		seen++;
	}
	return seen;
}

static void test_hpool_handles(void **state)
{
	unsigned long count0 = vcm_reg_count(VCM_KIND_RES);
	struct vcm_hpool pool;
	struct res64 *o[HOBJS], *live[HOBJS];
	struct vcm_handle_info info;
	unsigned i, n = 0;
	uint64_t id = 0;

	(void)state;
	vcm_hpool_init(&pool, sizeof(struct res64), VCM_KIND_RES);
	for (i = 0; i < HOBJS; i++)
		o[i] = vcm_hpool_take(&pool);
	assert_int_equal(walk(&pool, NULL, 0), 0);
	for (i = 0; i < HOBJS; i += 3) {
		assert_false(vcm_reg_live(o[i], VCM_KIND_RES));
		assert_int_equal(vcm_reg_add(o[i], VCM_KIND_RES, NULL, "maker"), 0);
		assert_true(vcm_reg_live(o[i], VCM_KIND_RES));
		assert_false(vcm_reg_live(o[i], VCM_KIND_PHYS));
		assert_true(vcm_reg_id(o[i], VCM_KIND_RES) > id);	/* in creation order */
		id = vcm_reg_id(o[i], VCM_KIND_RES);
		live[n++] = o[i];
	}
	/* a pointer into a chunk where no object starts is no handle */
	assert_int_equal(vcm_reg_add((char *)o[1] + 8, VCM_KIND_RES, NULL, "maker"), -EINVAL);
	assert_false(vcm_reg_live((char *)o[0] + 8, VCM_KIND_RES));
	assert_int_equal(walk(&pool, live, n), n);
	assert_int_equal(vcm_reg_count(VCM_KIND_RES), count0 + n);
	assert_int_equal(vcm_reg_info(o[0], &info), 0);
	assert_int_equal(info.kind, VCM_KIND_RES);
	assert_string_equal(info.creator, "maker");
	assert_null(info.priv);

	/* released: not live, told from never made, its id kept for reports */
	id = vcm_reg_id(o[3], VCM_KIND_RES);
	assert_int_equal(vcm_reg_del(o[3], VCM_KIND_RES), 0);
	assert_int_equal(vcm_reg_del(o[3], VCM_KIND_RES), -ENOENT);
	assert_false(vcm_reg_live(o[3], VCM_KIND_RES));
	assert_true(vcm_reg_was_released(o[3]));
	assert_false(vcm_reg_was_released(o[4]));	/* never made */
	assert_int_equal(vcm_reg_id(o[3], VCM_KIND_RES), 0);
	assert_int_equal(vcm_reg_id_any(o[3]), id);
	assert_int_equal(vcm_reg_info(o[3], &info), -ENOENT);
	assert_int_equal(walk(&pool, live, n), n - 1);
	assert_int_equal(vcm_reg_count(VCM_KIND_RES), count0 + n - 1);

	/* the pool goes: its handles are remembered as released, with it */
	vcm_hpool_release(&pool);
	assert_false(vcm_reg_live(o[0], VCM_KIND_RES));
	assert_true(vcm_reg_was_released(o[0]));
	assert_int_equal(vcm_reg_count(VCM_KIND_RES), count0);
}

/*
 * The chunks' slots (registry.h): a chunk holds its slot while it lives;
 * one that does not (its slot held by another) is found in the table, and
 * takes its slot once the slot is free; a chunk that goes gives it up.
 */
static void test_hpool_chunk_slots(void **state)
{
	struct vcm_hpool pool;
	struct vcm_reg_chunk_slot *slot;
	const struct vcm_hpool_chunk *c;
	struct res64 *o;
	uintptr_t other;

	(void)state;
	vcm_hpool_init(&pool, sizeof(struct res64), VCM_KIND_RES);
	o = vcm_hpool_take(&pool);
	assert_int_equal(vcm_reg_add(o, VCM_KIND_RES, NULL, "maker"), 0);
	c = vcm_hpool_chunk_of(o);
	slot = vcm_reg_chunk_slot_of(c);
	assert_ptr_equal(atomic_load(&slot->chunk), c);
	assert_ptr_equal(atomic_load(&slot->pool), &pool);
	assert_ptr_equal(vcm_reg_pooled_chunk(o, VCM_KIND_RES), c);

	/* another chunk in the slot: the table answers, the slot stays the other's */
	other = (uintptr_t)c + VCM_REG_CHUNK_SLOTS * VCM_HPOOL_CHUNK_BYTES;
	atomic_store(&slot->chunk, (const struct vcm_hpool_chunk *)other);
	assert_null(vcm_reg_pooled_chunk(o, VCM_KIND_RES));
	assert_true(vcm_reg_live(o, VCM_KIND_RES));
	assert_true(vcm_reg_id(o, VCM_KIND_RES) > 0);
	assert_int_equal((uintptr_t)atomic_load(&slot->chunk), other);

	/* the slot free again: the next lookup puts the chunk back in it */
	atomic_store(&slot->chunk, NULL);
	assert_true(vcm_reg_live(o, VCM_KIND_RES));
	assert_ptr_equal(atomic_load(&slot->chunk), c);
	assert_ptr_equal(vcm_reg_pooled_chunk(o, VCM_KIND_RES), c);

	/* the pool goes: the slot is free, the handle released */
	vcm_hpool_release(&pool);
	assert_null(atomic_load(&slot->chunk));
	assert_null(vcm_reg_pooled_chunk(o, VCM_KIND_RES));
	assert_false(vcm_reg_live(o, VCM_KIND_RES));
	assert_true(vcm_reg_was_released(o));
}

static void test_hpool_extra_words(void **state)
{
	size_t bytes0 = vcm_hpool_bytes();
	struct vcm_hpool pool;
	struct res64 *a, *b;

	(void)state;
	vcm_hpool_init(&pool, sizeof(struct res64), VCM_KIND_RES);
	a = vcm_hpool_take(&pool);
	b = vcm_hpool_take(&pool);
	assert_int_equal(vcm_hpool_set_extra(a, 0), 0);
	assert_null(atomic_load(&vcm_hpool_chunk_of(a)->extra));	/* 0 costs nothing */
	assert_int_equal(vcm_hpool_bytes() - bytes0, VCM_HPOOL_CHUNK_BYTES);
	assert_int_equal(vcm_hpool_set_extra(b, 7), 0);
	assert_int_equal(vcm_hpool_extra(b), 7);
	assert_int_equal(vcm_hpool_extra(a), 0);
	assert_int_equal(vcm_hpool_set_extra(a, 1ULL << 40), 0);
	assert_int_equal(vcm_hpool_extra(a), 1ULL << 40);
	assert_int_equal(vcm_hpool_bytes() - bytes0,
			 VCM_HPOOL_CHUNK_BYTES + 56 * sizeof(uint64_t));
	vcm_hpool_release(&pool);
	assert_int_equal(vcm_hpool_bytes(), bytes0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_zeroed_distinct_aligned),
		cmocka_unit_test(test_free_reuses_before_growing),
		cmocka_unit_test(test_tiny_objects_hold_the_link),
		cmocka_unit_test(test_take_not_cleared),
		cmocka_unit_test(test_hpool_chunks_by_address),
		cmocka_unit_test(test_hpool_handles),
		cmocka_unit_test(test_hpool_chunk_slots),
		cmocka_unit_test(test_hpool_extra_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
