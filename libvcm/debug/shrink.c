/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shrink.c - delta debugging over a sequence of items (see shrink.h): try
 * the sequence without one chunk at a time (halves, then quarters, ...);
 * keep the first candidate that still fails the same way, cut what comes
 * after its failing item, and go on with coarser chunks again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shrink.h"

int vcm_shrink_run_isolated(const size_t *idx, size_t n, vcm_shrink_fn fn, void *priv)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		size_t at = n;

		_exit(fn(idx, n, &at, priv) & 0xff);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFSIGNALED(status))
		return 100 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int run_class(const size_t *idx, size_t n, bool isolate, size_t *at, vcm_shrink_fn fn,
		     void *priv)
{
	*at = n;
	if (isolate)
		return vcm_shrink_run_isolated(idx, n, fn, priv);
	return fn(idx, n, at, priv);
}

/* @idx without [from, from+len) into @out. */
static size_t without(const size_t *idx, size_t n, size_t from, size_t len, size_t *out)
{
	memcpy(out, idx, from * sizeof(*idx));
	memcpy(out + from, idx + from + len, (n - from - len) * sizeof(*idx));
	return n - len;
}

unsigned long vcm_shrink(size_t *idx, size_t *n, int want, bool isolate, vcm_shrink_fn fn,
			 void *priv)
{
	size_t *cand = malloc((*n + 1) * sizeof(*cand));
	unsigned long runs = 0;
	size_t parts = 2, at;

	if (!cand)
		return 0;
	while (*n >= 1) {
		size_t chunk = (*n + parts - 1) / parts, from;
		bool reduced = false;

		for (from = 0; from < *n; from += chunk) {
			size_t len = chunk < *n - from ? chunk : *n - from;
			size_t m = without(idx, *n, from, len, cand);

			runs++;
			if (run_class(cand, m, isolate, &at, fn, priv) != want)
				continue;
			/* keep it, cut after the failing item too */
			memcpy(idx, cand, m * sizeof(*idx));
			*n = at < m ? at + 1 : m;
			parts = parts > 2 ? parts - 1 : 2;
			reduced = true;
			break;
		}
		if (!reduced) {
			if (parts >= *n)
				break;
			parts = parts * 2 < *n ? parts * 2 : *n;
		}
	}
	free(cand);
	return runs;
}
