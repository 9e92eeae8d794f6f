/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * warn.c - the warning channel: where the kernel would WARN_ON, libvcm
 * counts the event and hands one line of text to a handler.
 *
 * The handler is user code: it runs with no library lock held.  A warning
 * raised while the thread holds a library lock (or a context's ownership,
 * see internal.h) is counted at once and queued in the thread; the queue is
 * delivered, in order, when the thread releases its last lock.  The queue
 * lives on the heap only while it holds warnings, so that the library's
 * thread-local storage stays small (dlopen() lends a library little).  Warnings
 * raised inside the handler are delivered at once (nested), up to a depth
 * where they go to stderr instead, so a handler that warns cannot recurse
 * without end.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "trace.h"

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

typedef char warn_msg_t[WARN_MSG_MAX];

/* The thread's queue: WARN_QUEUE_LEN messages, made by the first one queued. */
static __thread warn_msg_t *queue;
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
	warn_msg_t *msgs = queue, lost_msg;
	unsigned i, n = vcm_warns_queued, kept = !msgs ? 0 : n < WARN_QUEUE_LEN ? n : WARN_QUEUE_LEN;

	if (vcm_locks_held)
		return;
	/* Take the queue first: the handler may call in and queue anew. */
	queue = NULL;
	vcm_warns_queued = 0;
	for (i = 0; i < kept; i++)
		deliver(msgs[i]);
	free(msgs);
	if (n > kept) {
		snprintf(lost_msg, sizeof(lost_msg), "%u more warning(s) raised under a lock were "
			 "counted but not kept", n - kept);
		deliver(lost_msg);
	}
}

/*
 * Queue @msg (a lock is held).  The first one makes the queue (plain
 * malloc(): the warning channel is not a host allocation that fault
 * injection models); without memory, or beyond WARN_QUEUE_LEN, a warning
 * is counted only.
 */
static void enqueue(const char *msg)
{
	unsigned n = vcm_warns_queued++;

	if (!n)
		queue = malloc(sizeof(*queue) * WARN_QUEUE_LEN);
	if (queue && n < WARN_QUEUE_LEN)
		memcpy(queue[n], msg, sizeof(*queue));
}

void vcm_warn(const char *fmt, ...)
{
	char msg[WARN_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	atomic_fetch_add(&warn_count, 1);
	if (__builtin_expect(vcm_trace_on, 0))
		vcm_trace_warned(msg);
	if (!vcm_locks_held) {
		deliver(msg);
		return;
	}
	enqueue(msg);
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
