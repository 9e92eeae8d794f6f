/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cache_util.h - helpers for the tests of the non-coherent cache model: a
 * warning handler that keeps every message, and a non-coherent SoC.
 * Include after <cmocka.h>.
 */
#ifndef TESTS_CACHE_UTIL_H
#define TESTS_CACHE_UTIL_H

#include <stdio.h>
#include <string.h>

#include "test_util.h"

static char cache_last_warning[8192];
static unsigned cache_warnings;

static inline void cache_warn_handler(const char *msg, void *priv)
{
	size_t used = strlen(cache_last_warning);

	(void)priv;
	/* every warning since the reset, one per line */
	snprintf(cache_last_warning + used, sizeof(cache_last_warning) - used, "%s\n", msg);
	cache_warnings++;
}

/* Count warnings from now on, keeping the last one's text. */
static inline void cache_warnings_reset(void)
{
	cache_warnings = 0;
	cache_last_warning[0] = '\0';
	vcm_set_warn_handler(cache_warn_handler, NULL);
}

/* True if a warning since the reset contains @s. */
static inline bool cache_warned(const char *s)
{
	return strstr(cache_last_warning, s) != NULL;
}

/* A SoC with @size bytes of RAM at @base, non-coherent if @nc. */
static inline struct vcm_soc *cache_soc(vcm_addr_t base, vcm_size_t size, bool nc)
{
	struct vcm_soc *soc = test_soc_ram(base, size);

	if (nc)
		assert_int_equal(vcm_soc_set_noncoherent(soc, NULL), 0);
	return soc;
}

#endif /* TESTS_CACHE_UTIL_H */
