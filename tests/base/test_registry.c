/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_registry.c - the registry of live handles (libvcm/base/registry.c):
 * entries, ids, the memory of released handles, the reports, growth and
 * backward-shift deletion, iteration, and lock-free readers racing writers.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "registry.h"
#include "test_util.h"

#define MANY		5000
#define READERS		2
#define CHURN_ROUNDS	20000

static char objs[MANY];	/* distinct addresses, never freed */

static void test_add_get_del(void **state)
{
	void *priv = NULL;
	uint64_t id1, id2;

	(void)state;
	assert_false(vcm_reg_live(&objs[0], VCM_KIND_RES));
	assert_int_equal(vcm_reg_add(&objs[0], VCM_KIND_RES, &objs[1], "maker"), 0);
	assert_int_equal(vcm_reg_add(&objs[1], VCM_KIND_PHYS, NULL, "maker"), 0);
	assert_true(vcm_reg_get(&objs[0], VCM_KIND_RES, &priv));
	assert_ptr_equal(priv, &objs[1]);
	/* The kind is part of the question. */
	assert_false(vcm_reg_live(&objs[0], VCM_KIND_PHYS));
	id1 = vcm_reg_id(&objs[0], VCM_KIND_RES);
	id2 = vcm_reg_id(&objs[1], VCM_KIND_PHYS);
	assert_true(id1 > 0 && id2 > id1);
	assert_int_equal(vcm_reg_set_priv(&objs[0], VCM_KIND_RES, NULL), 0);
	assert_true(vcm_reg_get(&objs[0], VCM_KIND_RES, &priv));
	assert_null(priv);

	assert_int_equal(vcm_reg_del(&objs[0], VCM_KIND_PHYS), -ENOENT);
	assert_int_equal(vcm_reg_del(&objs[0], VCM_KIND_RES), 0);
	assert_int_equal(vcm_reg_del(&objs[0], VCM_KIND_RES), -ENOENT);
	assert_false(vcm_reg_live(&objs[0], VCM_KIND_RES));
	assert_true(vcm_reg_was_released(&objs[0]));
	assert_int_equal(vcm_reg_id(&objs[0], VCM_KIND_RES), 0);
	/* Made again: live, with a new id. */
	assert_int_equal(vcm_reg_add(&objs[0], VCM_KIND_RES, NULL, "maker"), 0);
	assert_true(vcm_reg_id(&objs[0], VCM_KIND_RES) > id2);
	assert_false(vcm_reg_was_released(&objs[0]));
	assert_int_equal(vcm_reg_del(&objs[0], VCM_KIND_RES), 0);
	assert_int_equal(vcm_reg_del(&objs[1], VCM_KIND_PHYS), 0);
	/* A release can be forgotten (the memory is in use again). */
	vcm_reg_forget(&objs[1]);
	assert_false(vcm_reg_was_released(&objs[1]));
	assert_int_equal(vcm_reg_add(NULL, VCM_KIND_RES, NULL, "maker"), -EINVAL);
}

/* Each report names what went wrong, counted as a warning. */
static void test_reports(void **state)
{
	unsigned long w;

	(void)state;
	test_warnings_quiet();
	w = vcm_warn_count();
	assert_int_equal(vcm_reg_add(&objs[2], VCM_KIND_SOC, NULL, "maker"), 0);
	assert_true(vcm_handle_ok(&objs[2], VCM_KIND_SOC, "fn"));
	assert_int_equal(vcm_warn_count(), w);
	assert_false(vcm_handle_ok(&objs[2], VCM_KIND_CONTEXT, "fn"));	/* other kind */
	assert_false(vcm_handle_ok(&objs[3], VCM_KIND_CONTEXT, "fn"));	/* foreign */
	assert_int_equal(vcm_reg_del(&objs[2], VCM_KIND_SOC), 0);
	assert_false(vcm_handle_ok(&objs[2], VCM_KIND_SOC, "fn"));	/* released */
	assert_int_equal(vcm_warn_count(), w + 3);
	/* NULL and error pointers are the caller's to report. */
	assert_false(vcm_handle_ok(NULL, VCM_KIND_SOC, "fn"));
	assert_false(vcm_handle_ok(vcm_err_ptr(-ENOMEM), VCM_KIND_SOC, "fn"));
	assert_int_equal(vcm_warn_count(), w + 3);
	/* A live handle made anew: its memory was freed behind our back. */
	assert_int_equal(vcm_reg_add(&objs[2], VCM_KIND_SOC, NULL, "maker"), 0);
	assert_int_equal(vcm_reg_add(&objs[2], VCM_KIND_PHYS, NULL, "maker"), 0);
	assert_int_equal(vcm_warn_count(), w + 4);
	assert_true(vcm_reg_live(&objs[2], VCM_KIND_PHYS));
	assert_int_equal(vcm_reg_del(&objs[2], VCM_KIND_PHYS), 0);
	test_warnings_default();
}

/*
 * Creators are kept in a table of VCM_REG_CREATORS - 1 names: each entry
 * names its own, released ones too; past the table's room an entry still
 * works and is said to be made by "a function" (planted: more creators
 * than the table holds).
 */
static void test_creators(void **state)
{
	static char names[VCM_REG_CREATORS + 8][16];
	struct vcm_handle_info info;
	unsigned i;

	(void)state;
	for (i = 0; i < VCM_REG_CREATORS + 8; i++) {
		snprintf(names[i], sizeof(names[i]), "maker%u", i);
		assert_int_equal(vcm_reg_add(&objs[100 + i], VCM_KIND_PHYS, NULL, names[i]), 0);
	}
	/* The tests before made entries too: some creators were taken already. */
	for (i = 0; i < VCM_REG_CREATORS / 2; i++) {
		assert_int_equal(vcm_reg_info(&objs[100 + i], &info), 0);
		assert_string_equal(info.creator, names[i]);
	}
	assert_int_equal(vcm_reg_info(&objs[100 + VCM_REG_CREATORS + 7], &info), 0);
	assert_non_null(strstr(info.creator, "a function"));
	assert_true(vcm_reg_id(&objs[100 + VCM_REG_CREATORS + 7], VCM_KIND_PHYS) >
		    vcm_reg_id(&objs[100], VCM_KIND_PHYS));
	/* The same creator again: the same name. */
	assert_int_equal(vcm_reg_del(&objs[100], VCM_KIND_PHYS), 0);
	assert_int_equal(vcm_reg_add(&objs[100], VCM_KIND_PHYS, NULL, names[0]), 0);
	assert_int_equal(vcm_reg_info(&objs[100], &info), 0);
	assert_string_equal(info.creator, names[0]);
	for (i = 0; i < VCM_REG_CREATORS + 8; i++)
		assert_int_equal(vcm_reg_del(&objs[100 + i], VCM_KIND_PHYS), 0);
}

struct collect {
	uint64_t last_id;
	unsigned n;
};

static int collect_one(const struct vcm_handle_info *info, void *arg)
{
	struct collect *c = arg;

	assert_true(info->id > c->last_id);	/* oldest first */
	c->last_id = info->id;
	if ((const char *)info->handle >= objs && (const char *)info->handle < objs + MANY) {
		assert_string_equal(info->creator, "many");
		assert_int_equal(info->kind, VCM_KIND_PGTABLE);
		c->n++;
	}
	return 0;
}

static int stop_at_first(const struct vcm_handle_info *info, void *arg)
{
	(void)info;
	(void)arg;
	return 7;
}

/*
 * Thousands of entries (the table grows several times), every other one
 * released (backward shifts everywhere): each answers right, the
 * iteration sees exactly the live ones, oldest first.
 */
static void test_many(void **state)
{
	struct vcm_handle_info info;
	struct collect c = { 0, 0 };
	unsigned long before = vcm_reg_count(VCM_KIND_PGTABLE);
	unsigned i;

	(void)state;
	for (i = 0; i < MANY; i++)
		assert_int_equal(vcm_reg_add(&objs[i], VCM_KIND_PGTABLE, NULL, "many"), 0);
	assert_int_equal(vcm_reg_count(VCM_KIND_PGTABLE), before + MANY);
	for (i = 0; i < MANY; i += 2)
		assert_int_equal(vcm_reg_del(&objs[i], VCM_KIND_PGTABLE), 0);
	for (i = 0; i < MANY; i++)
		assert_int_equal(vcm_reg_live(&objs[i], VCM_KIND_PGTABLE), i % 2);
	assert_int_equal(vcm_reg_info(&objs[1], &info), 0);
	assert_ptr_equal(info.handle, &objs[1]);
	assert_int_equal(info.kind, VCM_KIND_PGTABLE);
	assert_int_equal(vcm_reg_info(&objs[0], &info), -ENOENT);
	assert_int_equal(vcm_reg_for_each(collect_one, &c), 0);
	assert_int_equal(c.n, MANY / 2);
	assert_int_equal(vcm_reg_for_each(stop_at_first, NULL), 7);
	for (i = 1; i < MANY; i += 2)
		assert_int_equal(vcm_reg_del(&objs[i], VCM_KIND_PGTABLE), 0);
	assert_int_equal(vcm_reg_count(VCM_KIND_PGTABLE), before);
	/* Only the last releases are remembered. */
	assert_false(vcm_reg_was_released(&objs[0]));
	assert_true(vcm_reg_was_released(&objs[MANY - 1]));
	assert_string_equal(vcm_kind_name(VCM_KIND_USERPTR), "userptr");
}

/* A thread that asks about nothing before: NULL is no live handle. */
static void *ask_null(void *arg)
{
	unsigned kind;

	(void)arg;
	for (kind = 0; kind < VCM_KIND_NR; kind++)
		if (vcm_reg_live(NULL, (enum vcm_kind)kind))
			return (void *)1;
	return NULL;
}

static void *release_pgtable(void *h)
{
	return (void *)(intptr_t)vcm_reg_del(h, VCM_KIND_PGTABLE);
}

/*
 * The thread's memory of the last live handle of each kind answers only
 * while no handle of that kind left the table: released by this thread or
 * by another, taken, or replaced by an object of another kind at its
 * address.  Planted: a release that did not move the count would leave
 * the released handle live to the thread that saw it last.
 */
static void test_seen(void **state)
{
	enum vcm_kind k = VCM_KIND_PGTABLE;
	void *h = &objs[10], *res;
	pthread_t t;
	uint64_t count;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, ask_null, NULL), 0);
	pthread_join(t, &res);
	assert_null(res);

	/* Released by another thread. */
	assert_int_equal(vcm_reg_add(h, k, NULL, "seen"), 0);
	assert_true(vcm_reg_live(h, k));
	assert_true(vcm_reg_live(h, k));	/* from the memory */
	assert_int_equal(pthread_create(&t, NULL, release_pgtable, h), 0);
	pthread_join(t, &res);
	assert_null(res);
	assert_false(vcm_reg_live(h, k));
	/* Made again, taken. */
	assert_int_equal(vcm_reg_add(h, k, NULL, "seen"), 0);
	assert_true(vcm_reg_live(h, k));
	assert_int_equal(vcm_reg_take(h, k, NULL), 0);
	assert_false(vcm_reg_live(h, k));
	/* Replaced by an object of another kind (a warning). */
	test_warnings_quiet();
	assert_int_equal(vcm_reg_add(h, k, NULL, "seen"), 0);
	assert_true(vcm_reg_live(h, k));
	assert_int_equal(vcm_reg_add(h, VCM_KIND_PHYS, NULL, "seen"), 0);
	assert_false(vcm_reg_live(h, k));
	assert_true(vcm_reg_live(h, VCM_KIND_PHYS));
	assert_int_equal(vcm_reg_del(h, VCM_KIND_PHYS), 0);
	assert_false(vcm_reg_live(h, VCM_KIND_PHYS));
	test_warnings_default();

	/* Planted: the count left where it was before a release. */
	assert_int_equal(vcm_reg_add(h, k, NULL, "seen"), 0);
	assert_true(vcm_reg_live(h, k));
	count = atomic_load(&vcm_reg_releases[k]);
	assert_int_equal(vcm_reg_del(h, k), 0);
	assert_false(vcm_reg_live(h, k));
	atomic_store(&vcm_reg_releases[k], count);
	assert_true(vcm_reg_live(h, k));	/* the stale answer the count prevents */
	atomic_store(&vcm_reg_releases[k], count + 1);
	assert_false(vcm_reg_live(h, k));
}

/*
 * The thread's memory gives the private pointer too (vcm_reg_get_live()):
 * right after the handle is made again with another one, and after
 * vcm_reg_set_priv(), which voids the memory of the kind.
 */
static void test_seen_priv(void **state)
{
	enum vcm_kind k = VCM_KIND_CONTEXT;
	void *h = &objs[11], *priv = NULL;
	uint64_t count;

	(void)state;
	assert_int_equal(vcm_reg_add(h, k, &objs[1], "seen_priv"), 0);
	assert_true(vcm_reg_get_live(h, k, &priv));
	assert_ptr_equal(priv, &objs[1]);
	assert_true(vcm_reg_live(h, k));
	assert_true(vcm_reg_get_live(h, k, &priv));	/* from the memory */
	assert_ptr_equal(priv, &objs[1]);
	assert_int_equal(vcm_reg_del(h, k), 0);
	assert_false(vcm_reg_get_live(h, k, &priv));
	assert_int_equal(vcm_reg_add(h, k, &objs[2], "seen_priv"), 0);
	assert_true(vcm_reg_get_live(h, k, &priv));
	assert_ptr_equal(priv, &objs[2]);
	assert_int_equal(vcm_reg_set_priv(h, k, &objs[3]), 0);
	assert_true(vcm_reg_get_live(h, k, &priv));
	assert_ptr_equal(priv, &objs[3]);

	/* Planted: a vcm_reg_set_priv() that leaves the count where it was. */
	count = atomic_load(&vcm_reg_releases[k]);
	assert_int_equal(vcm_reg_set_priv(h, k, &objs[4]), 0);
	atomic_store(&vcm_reg_releases[k], count);
	assert_true(vcm_reg_get_live(h, k, &priv));
	assert_ptr_equal(priv, &objs[3]);	/* the stale answer the count prevents */
	atomic_store(&vcm_reg_releases[k], count + 1);
	assert_true(vcm_reg_get_live(h, k, &priv));
	assert_ptr_equal(priv, &objs[4]);
	assert_int_equal(vcm_reg_del(h, k), 0);
}

/*
 * A memory kept by the caller (vcm_reg_seen_in(), vcm_reg_remember_in()):
 * empty it matches nothing; it remembers only a live handle; any handle of
 * the kind leaving voids it, this one or another; other kinds do not.
 */
static void test_seen_in(void **state)
{
	enum vcm_kind k = VCM_KIND_SYSMMU;
	void *h = &objs[12], *other = &objs[13];
	struct vcm_reg_seen seen = { 0 };

	(void)state;
	assert_false(vcm_reg_seen_in(&seen, NULL, k));
	assert_false(vcm_reg_remember_in(&seen, h, k));		/* not live */
	assert_false(vcm_reg_seen_in(&seen, h, k));
	assert_int_equal(vcm_reg_add(h, k, NULL, "seen_in"), 0);
	assert_int_equal(vcm_reg_add(other, k, NULL, "seen_in"), 0);
	assert_false(vcm_reg_seen_in(&seen, h, k));		/* not remembered */
	assert_true(vcm_reg_remember_in(&seen, h, k));
	assert_true(vcm_reg_seen_in(&seen, h, k));
	assert_false(vcm_reg_seen_in(&seen, other, k));
	assert_int_equal(vcm_reg_add(&objs[14], VCM_KIND_PHYS, NULL, "seen_in"), 0);
	assert_int_equal(vcm_reg_del(&objs[14], VCM_KIND_PHYS), 0);
	assert_true(vcm_reg_seen_in(&seen, h, k));		/* another kind left */
	assert_int_equal(vcm_reg_del(other, k), 0);
	assert_false(vcm_reg_seen_in(&seen, h, k));		/* one of its kind left */
	assert_true(vcm_reg_remember_in(&seen, h, k));
	assert_int_equal(vcm_reg_del(h, k), 0);
	assert_false(vcm_reg_seen_in(&seen, h, k));		/* itself */
	assert_false(vcm_reg_remember_in(&seen, h, k));
}

/* Readers of stable entries, never wrong, while writers churn others. */
static atomic_int stop;

static void *reader(void *arg)
{
	unsigned long wrong = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		unsigned i;

		for (i = 0; i < 64; i++)
			wrong += !vcm_reg_live(&objs[i], VCM_KIND_USERPTR);
		wrong += vcm_reg_live(&objs[100], VCM_KIND_USERPTR);
	}
	return (void *)wrong;
}

static void test_readers_and_writers(void **state)
{
	pthread_t t[READERS];
	unsigned i;

	(void)state;
	for (i = 0; i < 64; i++)
		assert_int_equal(vcm_reg_add(&objs[i], VCM_KIND_USERPTR, NULL, "stable"), 0);
	atomic_store(&stop, 0);
	for (i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader, NULL), 0);
	for (i = 0; i < CHURN_ROUNDS; i++) {
		char *p = &objs[200 + i % 3000];

		assert_int_equal(vcm_reg_add(p, VCM_KIND_RES, NULL, "churn"), 0);
		assert_int_equal(vcm_reg_del(p, VCM_KIND_RES), 0);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < READERS; i++) {
		void *wrong;

		pthread_join(t[i], &wrong);
		assert_null(wrong);
	}
	for (i = 0; i < 64; i++)
		assert_int_equal(vcm_reg_del(&objs[i], VCM_KIND_USERPTR), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_get_del),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_creators),
		cmocka_unit_test(test_seen),
		cmocka_unit_test(test_seen_priv),
		cmocka_unit_test(test_seen_in),
		cmocka_unit_test(test_readers_and_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
