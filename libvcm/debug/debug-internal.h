/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * debug-internal.h - what the debugging aids (debug/) share among
 * themselves (internal).
 */
#ifndef LIBVCM_DEBUG_INTERNAL_H
#define LIBVCM_DEBUG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <vcm/debug.h>

#include "iommu.h"

/*
 * vcm_debug_context_name() - a context's short name for reports; true (and
 * *@v filled) if it is a context behind a System MMU (iommu, S5P).
 */
bool vcm_debug_context_name(struct vcm *vcm, char *name, size_t len,
			    struct vcm_iommu_view *v);

#endif /* LIBVCM_DEBUG_INTERNAL_H */
