/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h - helpers shared by the library's sources (not installed).
 */
#ifndef LIBVCM_INTERNAL_H
#define LIBVCM_INTERNAL_H

#include <vcm/types.h>

#include "fault-inject-internal.h"

#define VCM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VCM_ALIGN_UP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define VCM_IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define VCM_BIT(n) (1ULL << (n))
#define VCM_ORDER_BYTES(order) (VCM_PAGE_SIZE << (order))

#define VCM_CONTAINER_OF(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/*
 * vcm_warn() - report a WARN_ON-class misuse: counts it and hands the text to
 * the warning handler.  Thread-safe.
 */
void vcm_warn(const char *fmt, ...) VCM_PRINTF(1, 2);

/* The longest warning (longer ones are cut): a fault report fits. */
#define VCM_WARN_MSG_MAX	1024

/* True when @size rounded up to pages would overflow; else stores it. */
static inline int vcm_page_round(vcm_size_t size, vcm_size_t *out)
{
	if (size > UINT64_MAX - (VCM_PAGE_SIZE - 1))
		return -1;
	*out = VCM_ALIGN_UP(size, VCM_PAGE_SIZE);
	return 0;
}

#endif /* LIBVCM_INTERNAL_H */
