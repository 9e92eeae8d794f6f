/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * warn.c - the warning channel: where the kernel would WARN_ON, libvcm
 * counts the event and hands one line of text to a handler.
 *
 * The handler is user code: it runs with no library lock held.  A warning
 * raised while the thread holds a library lock (or a context's ownership,
 * see internal.h) is counted at once and queued in the thread; the queue is
 * delivered, in order, when the thread releases its last lock.  Warnings
 * raised inside the handler are delivered at once (nested), up to a depth
 * where they go to stderr instead, so a handler that warns cannot recurse
 * without end.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Warnings a thread keeps while it holds locks; more are counted only. */
#define WARN_QUEUE_LEN		8
#define WARN_MSG_MAX		VCM_WARN_MSG_MAX
/* Handler calls nested deeper than this print to stderr. */
#define WARN_NEST_MAX		4

static atomic_ulong warn_count;
static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static vcm_warn_fn handler;
static void *handler_priv;

__thread unsigned vcm_locks_held;
__thread unsigned vcm_warns_queued;

static __thread char queue[WARN_QUEUE_LEN][WARN_MSG_MAX];
static __thread unsigned dropped;
static __thread unsigned nesting;

VCM_EXPORT void vcm_set_warn_handler(vcm_warn_fn fn, void *priv)
{
	pthread_mutex_lock(&handler_lock);
	handler = fn;
	handler_priv = priv;
	pthread_mutex_unlock(&handler_lock);
}

VCM_EXPORT unsigned long vcm_warn_count(void)
{
	return atomic_load(&warn_count);
}

/* Hand @msg to the handler (no library lock held). */
static void deliver(const char *msg)
{
	vcm_warn_fn fn;
	void *priv;

	pthread_mutex_lock(&handler_lock);
	fn = handler;
	priv = handler_priv;
	pthread_mutex_unlock(&handler_lock);
	if (fn && nesting < WARN_NEST_MAX) {
		nesting++;
		fn(msg, priv);
		nesting--;
	} else {
		fprintf(stderr, "libvcm: WARNING: %s\n", msg);
	}
}

void vcm_warn_flush(void)
{
	char msgs[WARN_QUEUE_LEN][WARN_MSG_MAX];
	unsigned i, n = vcm_warns_queued, lost = dropped;

	if (vcm_locks_held)
		return;
	/* Take the queue first: the handler may call in and queue anew. */
	memcpy(msgs, queue, n * sizeof(msgs[0]));
	vcm_warns_queued = 0;
	dropped = 0;
	for (i = 0; i < n; i++)
		deliver(msgs[i]);
	if (lost) {
		snprintf(msgs[0], sizeof(msgs[0]), "%u more warning(s) raised under a lock were "
			 "counted but not kept", lost);
		deliver(msgs[0]);
	}
}

void vcm_warn(const char *fmt, ...)
{
	char msg[WARN_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	atomic_fetch_add(&warn_count, 1);
	if (!vcm_locks_held) {
		deliver(msg);
		return;
	}
	if (vcm_warns_queued < WARN_QUEUE_LEN)
		memcpy(queue[vcm_warns_queued++], msg, sizeof(msg));
	else
		dropped++;
}

VCM_EXPORT void vcm_raise_warning(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vcm_warn("%s", msg);
}
