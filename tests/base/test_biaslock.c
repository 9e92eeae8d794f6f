/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_biaslock.c - the biased lock (base/biaslock.h): the first hold
 * biases it to its thread, whose holds then leave the spinlock alone; the
 * first hold by another thread revokes the bias for good, while the owner
 * keeps taking it; mutual exclusion holds throughout (two threads count
 * in one plain variable under the lock and no increment is lost), also
 * for an owner that takes it from a memory of its bias, which a
 * revocation voids.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <cmocka.h>

#include "biaslock.h"

#define ROUNDS	200000

static void test_first_hold_biases(void **state)
{
	struct vcm_biaslock l = { 0 };

	(void)state;
	vcm_bias_lock(&l);
	assert_ptr_equal(l.owner, vcm_bias_self());
	assert_int_equal(l.owner_in, 1);
	assert_int_equal(l.lock, 0);		/* the owner holds it without the spinlock */
	vcm_bias_unlock(&l);
	assert_int_equal(l.owner_in, 0);
	assert_true(vcm_bias_lock_fast(&l));	/* and takes it again by plain stores */
	vcm_bias_unlock(&l);
	assert_int_equal(l.lock, 0);
}

struct shared {
	struct vcm_biaslock l;
	unsigned long count;			/* plain: only ever changed under l */
	int started;
};

static void count_rounds(struct shared *s)
{
	unsigned i;

	for (i = 0; i < ROUNDS; i++) {
		vcm_bias_lock(&s->l);
		s->count = s->count + 1;
		vcm_bias_unlock(&s->l);
	}
}

static void *other_thread(void *arg)
{
	struct shared *s = arg;

	while (!__atomic_load_n(&s->started, __ATOMIC_ACQUIRE))
		;
	count_rounds(s);
	return NULL;
}

static void test_revoked_by_another_thread(void **state)
{
	struct shared s = { .count = 0 };
	pthread_t t;

	(void)state;
	vcm_bias_lock(&s.l);			/* biased to this thread */
	vcm_bias_unlock(&s.l);
	assert_int_equal(pthread_create(&t, NULL, other_thread, &s), 0);
	__atomic_store_n(&s.started, 1, __ATOMIC_RELEASE);
	count_rounds(&s);			/* the owner's holds race the revocation */
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(s.count, 2UL * ROUNDS);
	assert_ptr_equal(s.l.owner, VCM_BIAS_SHARED);	/* for good */
	assert_false(vcm_bias_lock_fast(&s.l));
	vcm_bias_lock(&s.l);			/* the spinlock now, for the old owner too */
	assert_int_equal(s.l.lock, 1);
	vcm_bias_unlock(&s.l);
	assert_int_equal(s.l.lock, 0);
	assert_int_equal(s.l.owner_in, 0);
}

static void *hold_once(void *arg)
{
	struct vcm_biaslock *l = arg;

	vcm_bias_lock(l);
	vcm_bias_unlock(l);
	return NULL;
}

static void test_owner_is_first_thread(void **state)
{
	struct vcm_biaslock l = { 0 };
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, hold_once, &l), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(l.owner != vcm_bias_self() && l.owner != NULL);
	assert_false(vcm_bias_lock_fast(&l));	/* not ours */
	vcm_bias_lock(&l);			/* revokes the exited thread's bias */
	assert_ptr_equal(l.owner, VCM_BIAS_SHARED);
	vcm_bias_unlock(&l);
}

/*
 * The owner's path from a memory of its bias (vcm_bias_lock_known()): it
 * holds the lock while the revocation count stands, and backs off with
 * nothing changed once a revoker moved it.
 */
static _Atomic uint64_t revocations = 1;

static void test_known_owner(void **state)
{
	struct vcm_biaslock l = { .revocations = &revocations };
	uint64_t n = atomic_load(&revocations);
	pthread_t t;

	(void)state;
	vcm_bias_lock(&l);			/* biased to this thread */
	vcm_bias_unlock(&l);
	assert_true(vcm_bias_lock_known(&l, &revocations, n));
	assert_int_equal(l.owner_in, 1);
	assert_int_equal(l.lock, 0);
	vcm_bias_unlock_fast(&l);
	assert_int_equal(pthread_create(&t, NULL, hold_once, &l), 0);
	assert_int_equal(pthread_join(t, NULL), 0);	/* revoked: the count moved */
	assert_int_equal(atomic_load(&revocations), n + 1);
	assert_false(vcm_bias_lock_known(&l, &revocations, n));
	assert_int_equal(l.owner_in, 0);
	assert_int_equal(l.lock, 0);
}

struct known {
	struct shared s;
	uint64_t n;			/* the owner's memory of its bias */
};

static void *other_known(void *arg)
{
	return other_thread(&((struct known *)arg)->s);
}

/*
 * Mutual exclusion with the owner on the known path: it counts under the
 * lock taken from its memory (the general way once that fails), while
 * another thread revokes the bias and counts too; no increment is lost.
 */
static void test_known_owner_revoked(void **state)
{
	struct known k = { .s = { .l = { .revocations = &revocations }, .count = 0 } };
	unsigned i;
	pthread_t t;

	(void)state;
	k.n = atomic_load(&revocations);
	vcm_bias_lock(&k.s.l);
	vcm_bias_unlock(&k.s.l);
	assert_int_equal(pthread_create(&t, NULL, other_known, &k), 0);
	__atomic_store_n(&k.s.started, 1, __ATOMIC_RELEASE);
	for (i = 0; i < ROUNDS; i++) {
		if (vcm_bias_lock_known(&k.s.l, &revocations, k.n)) {
			k.s.count = k.s.count + 1;
			vcm_bias_unlock_fast(&k.s.l);
		} else {
			vcm_bias_lock(&k.s.l);
			k.s.count = k.s.count + 1;
			vcm_bias_unlock(&k.s.l);
		}
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(k.s.count, 2UL * ROUNDS);
	assert_true(atomic_load(&revocations) > k.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_hold_biases),
		cmocka_unit_test(test_revoked_by_another_thread),
		cmocka_unit_test(test_owner_is_first_thread),
		cmocka_unit_test(test_known_owner),
		cmocka_unit_test(test_known_owner_revoked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
