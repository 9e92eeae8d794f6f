/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * debug-internal.h - what the debugging aids (debug/) share among
 * themselves (internal).
 */
#ifndef LIBVCM_DEBUG_INTERNAL_H
#define LIBVCM_DEBUG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vcm/debug.h>

#include "iommu.h"

/*
 * vcm_debug_context_name() - a context's short name for reports; true (and
 * *@v filled) if it is a context behind a System MMU (iommu, S5P).
 */
bool vcm_debug_context_name(struct vcm *vcm, char *name, size_t len,
			    struct vcm_iommu_view *v);

/*
 * struct vcm_ps_run - a run of pages of one size, contiguous in DVA, that
 * are smaller than the buffer allows for one reason (or for none).
 * @dva, @pa: of the first page.  @bytes: of the run.  @n: pages.
 * @size: enum vcm_page_size.  @reason: enum vcm_ps_reason, or
 * VCM_PS_NR_REASONS for pages as large as the buffer allows.
 */
struct vcm_ps_run {
	uint64_t dva, pa, bytes;
	unsigned long n;
	unsigned size;
	unsigned reason;
};

typedef void (*vcm_ps_run_fn)(const struct vcm_ps_run *run, void *priv);

/*
 * vcm_ps_walk() - cut the bound phys of @res (of MMU-wrapper context @vcm,
 * whose lock is held) into pages as the page-table code does: the counts
 * into @c (may be NULL), each run to @fn (may be NULL).
 */
void vcm_ps_walk(struct vcm *vcm, struct vcm_res *res, struct vcm_pagesize_counts *c,
		 vcm_ps_run_fn fn, void *priv);

/* "1M", "64K", "4K"; "DVA misaligned", ... ("" for none). */
const char *vcm_ps_size_name(unsigned size);
const char *vcm_ps_reason_name(unsigned reason);

#endif /* LIBVCM_DEBUG_INTERNAL_H */
