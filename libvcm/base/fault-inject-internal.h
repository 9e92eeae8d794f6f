/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fault-inject-internal.h - the hooks the library's allocation sites call
 * (see <vcm/fault-inject.h>), and the host-memory allocators every file of
 * the library uses instead of calling the C library's directly, so that
 * host memory is one fault-injection site.
 *
 * When nothing is armed a hook is one relaxed atomic load and a branch
 * predicted not taken; everything else is out of line in fault-inject.c.
 */
#ifndef LIBVCM_FAULT_INJECT_INTERNAL_H
#define LIBVCM_FAULT_INJECT_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <vcm/fault-inject.h>

/* Non-zero while any site is on or any thread has a fail_nth pending. */
extern atomic_uint vcm_fail_armed;

bool vcm_fail_slow(enum vcm_fail_site site, size_t size);

/* True while nothing is armed: no allocation site can fail (no call). */
static inline bool vcm_fail_unarmed(void)
{
	return __builtin_expect(atomic_load_explicit(&vcm_fail_armed, memory_order_relaxed) == 0, 1);
}

/* True if this allocation of @size bytes at @site must fail. */
static inline bool vcm_should_fail(enum vcm_fail_site site, size_t size)
{
	if (vcm_fail_unarmed())
		return false;
	return vcm_fail_slow(site, size);
}

/* ---- host memory, through the VCM_FAIL_HOST site ---- */

static inline void *vcm_malloc(size_t size)
{
	return vcm_should_fail(VCM_FAIL_HOST, size) ? NULL : malloc(size);
}

static inline void *vcm_calloc(size_t n, size_t size)
{
	return vcm_should_fail(VCM_FAIL_HOST, n * size) ? NULL : calloc(n, size);
}

static inline void *vcm_realloc(void *p, size_t size)
{
	return vcm_should_fail(VCM_FAIL_HOST, size) ? NULL : realloc(p, size);
}

static inline char *vcm_strdup(const char *s)
{
	return vcm_should_fail(VCM_FAIL_HOST, strlen(s) + 1) ? NULL : strdup(s);
}

/*
 * fopen() through the host site: the C library allocates on libvcm's
 * behalf (the FILE, its buffer) and needs a descriptor; an injected
 * failure looks like the C library's own (NULL, errno ENOMEM).
 */
#include <errno.h>
#include <stdio.h>
static inline FILE *vcm_fopen(const char *path, const char *mode)
{
	if (vcm_should_fail(VCM_FAIL_HOST, BUFSIZ)) {
		errno = ENOMEM;
		return NULL;
	}
	return fopen(path, mode);
}

/* mmap() that fails as a shortage of address space does (errno ENOMEM). */
void *vcm_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

#endif /* LIBVCM_FAULT_INJECT_INTERNAL_H */
