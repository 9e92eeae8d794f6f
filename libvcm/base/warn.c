/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * warn.c - the warning channel: where the kernel would WARN_ON, libvcm
 * counts the event and hands one line of text to a handler.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "internal.h"

static atomic_ulong warn_count;
static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static vcm_warn_fn handler;
static void *handler_priv;

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

void vcm_warn(const char *fmt, ...)
{
	char msg[VCM_WARN_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	atomic_fetch_add(&warn_count, 1);
	pthread_mutex_lock(&handler_lock);
	if (handler)
		handler(msg, handler_priv);
	else
		fprintf(stderr, "libvcm: WARNING: %s\n", msg);
	pthread_mutex_unlock(&handler_lock);
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
