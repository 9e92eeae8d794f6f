/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shrink.h - delta debugging (internal), shared by vcm-fuzz (operation
 * traces) and vcm-replay (call traces): drop chunks of a failing sequence
 * while it still fails the same way.
 */
#ifndef LIBVCM_SHRINK_H
#define LIBVCM_SHRINK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * vcm_shrink_fn - run the candidate made of items @idx[0..@n) (indices into
 * the caller's sequence, increasing) and return its failure class (0: it
 * passes).  *@at may be set to the position in @idx of the item that
 * failed, so the shrinker can cut what follows; leave it at @n if unknown.
 */
typedef int (*vcm_shrink_fn)(const size_t *idx, size_t n, size_t *at, void *priv);

/*
 * vcm_shrink() - shrink @idx[0..*@n) (initially the whole sequence) to a
 * shorter list that still fails with class @want.  With @isolate each
 * candidate runs in a child process (fork), so a crash counts too (as
 * class 100 + the signal) and the library's global state starts fresh;
 * the child's class must fit an exit status.  Returns the candidates run.
 */
unsigned long vcm_shrink(size_t *idx, size_t *n, int want, bool isolate, vcm_shrink_fn fn,
			 void *priv);

/* Run @fn on @idx[0..@n) in a child: its class, or 100 + the signal; -1. */
int vcm_shrink_run_isolated(const size_t *idx, size_t n, vcm_shrink_fn fn, void *priv);

#endif /* LIBVCM_SHRINK_H */
