/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cache-model.h - the non-coherent cache model behind <vcm/cache.h>
 * (internal).
 *
 * Three copies of every byte of a non-coherent SoC: the CPU's view (the
 * host memory behind RAM, or a pinned user page), RAM (what devices and
 * the page-table walker see) and the reference (what the CPU's line held
 * at its last maintenance).  For each byte:
 *
 *   cpu == ram                    coherent
 *   cpu != ram, cpu != ref        the CPU wrote it and did not clean:
 *                                 a device reading it gets RAM's stale byte
 *   cpu != ram, cpu == ref        a device wrote it and the CPU did not
 *                                 invalidate: the CPU reading it is stale
 *
 * Clean copies a line whose cpu differs from ref to RAM (whole line);
 * invalidate copies RAM to cpu and ref (whole line).  Every function here
 * does nothing unless vcm_soc_cache(soc) is set; callers test that first,
 * so a coherent SoC pays one branch.
 */
#ifndef LIBVCM_CACHE_MODEL_H
#define LIBVCM_CACHE_MODEL_H

#include <stdint.h>

#include <vcm/cache.h>

#include "soc-internal.h"

/*
 * What the model remembers besides the copies (struct vcm_views): per line
 * the last maintenance (enum vcm_line_maint) and who last wrote it (an
 * index into the model's device names; 0: none), and per page the DVA of
 * the page at its last device write (a line's DVA is that plus the line's
 * offset in the page: System MMU pages are at least 4 KiB).
 */
enum vcm_line_maint {
	VCM_MAINT_NONE_ALLOC,	/* none since the page was allocated */
	VCM_MAINT_NONE_PIN,	/* none since the page was pinned */
	VCM_MAINT_CLEAN,
	VCM_MAINT_INV,
	VCM_MAINT_FLUSH,
	VCM_MAINT_EVICTED,
};

/* Make and free the model of a SoC (vcm_soc_set_noncoherent()). */
struct vcm_cache *vcm_cache_create(const struct vcm_cache_config *cfg, int *err);
void vcm_cache_destroy(struct vcm_cache *c);
unsigned vcm_cache_line_shift(const struct vcm_cache *c);
void vcm_cache_stats(struct vcm_cache *c, struct vcm_cache_stats *st);

/* Pages enter the model: allocated (all three copies agree) or pinned
 * (every byte counts as written by the CPU and not cleaned). */
void vcm_cache_page_fresh(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size);
void vcm_cache_page_pinned(struct vcm_soc *soc, vcm_addr_t pa);
/* A pinned page goes back: report device writes the CPU never saw. */
void vcm_cache_page_unpinning(struct vcm_soc *soc, vcm_addr_t pa);

/* Maintenance of [pa, pa + size), whole lines; the range is RAM. */
void vcm_cache_maint_range(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size,
			   enum vcm_cache_op op);

/*
 * Accesses.  @dev names the device (a System MMU's name).  Each returns
 * the number of stale lines it found (0 with a coherent SoC) and warns
 * about the first one.
 */
unsigned vcm_cache_dev_read(struct vcm_soc *soc, const char *dev, uint64_t dva,
			    vcm_addr_t pa, size_t n);
/*
 * vcm_cache_dev_read_copy() - vcm_cache_dev_read() and the copy of what the
 * device reads (@n bytes of RAM at @ram, the PA @pa) to @dst, as memmove():
 * one pass when nothing is stale.
 */
unsigned vcm_cache_dev_read_copy(struct vcm_soc *soc, const char *dev, uint64_t dva,
				 vcm_addr_t pa, void *dst, const void *ram, size_t n);
void vcm_cache_dev_write(struct vcm_soc *soc, const char *dev, uint64_t dva,
			 vcm_addr_t pa, size_t n);
unsigned vcm_cache_cpu_read(struct vcm_soc *soc, vcm_addr_t pa, size_t n);

/*
 * vcm_cache_pte_stale() - true if the 32-bit page-table entry at @pa
 * (read by the walker from RAM) has bytes the CPU wrote and did not clean;
 * *@cpu_val gets the CPU's value and *@maint the line's last maintenance.
 * Takes no lock and warns nothing (the walker runs under the System MMU's
 * lock); the caller reports through vcm_cache_report_walk().
 */
bool vcm_cache_pte_stale(struct vcm_soc *soc, vcm_addr_t pa, uint32_t *cpu_val,
			 unsigned *maint);
void vcm_cache_report_walk(struct vcm_soc *soc, const char *dev, uint64_t dva, vcm_addr_t pa,
			   uint32_t ram_val, uint32_t cpu_val, unsigned maint);

#endif /* LIBVCM_CACHE_MODEL_H */
