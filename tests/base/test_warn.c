/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_warn.c - the warning channel (base/warn.c): a warning raised with
 * no library lock held goes to the handler at once; one raised under a
 * lock is counted at once and delivered, in order, when the thread lets
 * go of its last lock; beyond the queue's room warnings are counted and
 * summed up in one line; a handler that warns under a lock of its own
 * gets a queue of its own; each thread has its own queue, which lives
 * only while it holds warnings (valgrind checks that none is left).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <vcm/vcm.h>

#include "internal.h"

#define MAX_SEEN	32
/* The queue's room (warn.c's WARN_QUEUE_LEN). */
#define QUEUE_LEN	8

static char seen[MAX_SEEN][128];
static unsigned nseen;
static int warn_in_handler;	/* the handler raises one warning under a lock */

static void handler(const char *msg, void *priv)
{
	(void)priv;
	if (nseen < MAX_SEEN)
		snprintf(seen[nseen], sizeof(seen[0]), "%s", msg);
	nseen++;
	if (warn_in_handler) {
		warn_in_handler = 0;
		vcm_lock_enter();
		vcm_warn("from the handler");
		assert_int_equal(nseen, 1);	/* held: the handler holds a lock */
		vcm_lock_leave();
	}
}

static int setup(void **state)
{
	(void)state;
	nseen = 0;
	warn_in_handler = 0;
	vcm_set_warn_handler(handler, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vcm_set_warn_handler(NULL, NULL);
	return 0;
}

static void test_no_lock_at_once(void **state)
{
	unsigned long count = vcm_warn_count();

	(void)state;
	vcm_warn("plain %d", 1);
	assert_int_equal(nseen, 1);
	assert_string_equal(seen[0], "plain 1");
	assert_int_equal(vcm_warn_count(), count + 1);
}

static void test_under_lock_held_in_order(void **state)
{
	unsigned long count = vcm_warn_count();

	(void)state;
	vcm_lock_enter();
	vcm_lock_enter();
	vcm_warn("first");
	vcm_warn("second %s", "of two");
	assert_int_equal(nseen, 0);
	assert_int_equal(vcm_warn_count(), count + 2);	/* counted at once */
	vcm_lock_leave();
	assert_int_equal(nseen, 0);	/* a lock is still held */
	vcm_lock_leave();
	assert_int_equal(nseen, 2);
	assert_string_equal(seen[0], "first");
	assert_string_equal(seen[1], "second of two");
	assert_int_equal(vcm_warns_queued, 0);
}

static void test_beyond_room_summed_up(void **state)
{
	char want[64];
	unsigned i;

	(void)state;
	vcm_lock_enter();
	for (i = 0; i < QUEUE_LEN + 3; i++)
		vcm_warn("w%u", i);
	vcm_lock_leave();
	assert_int_equal(nseen, QUEUE_LEN + 1);
	for (i = 0; i < QUEUE_LEN; i++) {
		snprintf(want, sizeof(want), "w%u", i);
		assert_string_equal(seen[i], want);
	}
	assert_string_equal(seen[QUEUE_LEN],
			    "3 more warning(s) raised under a lock were counted but not kept");
	/* the next batch starts afresh */
	nseen = 0;
	vcm_lock_enter();
	vcm_warn("again");
	vcm_lock_leave();
	assert_int_equal(nseen, 1);
	assert_string_equal(seen[0], "again");
}

static void test_handler_warns_under_lock(void **state)
{
	(void)state;
	warn_in_handler = 1;
	vcm_lock_enter();
	vcm_warn("outer one");
	vcm_warn("outer two");
	vcm_lock_leave();
	/* the handler's own lock let go delivered its warning, nested */
	assert_int_equal(nseen, 3);
	assert_string_equal(seen[0], "outer one");
	assert_string_equal(seen[1], "from the handler");
	assert_string_equal(seen[2], "outer two");
}

static void *thread_warns(void *arg)
{
	unsigned *delivered = arg, before = nseen;

	vcm_lock_enter();
	vcm_warn("thread");
	*delivered = nseen - before;	/* 0: held in this thread's queue */
	vcm_lock_leave();
	return NULL;
}

static void test_thread_own_queue(void **state)
{
	unsigned delivered = 1;
	pthread_t t;

	(void)state;
	vcm_lock_enter();
	vcm_warn("main");
	assert_int_equal(pthread_create(&t, NULL, thread_warns, &delivered), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	/* the thread's warning came out when it let go; main's is still held */
	assert_int_equal(delivered, 0);
	assert_int_equal(nseen, 1);
	assert_string_equal(seen[0], "thread");
	vcm_lock_leave();
	assert_int_equal(nseen, 2);
	assert_string_equal(seen[1], "main");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_lock_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_under_lock_held_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_beyond_room_summed_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handler_warns_under_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_own_queue, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
