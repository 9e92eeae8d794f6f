/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * firstfit.h - exact first-fit placement, as the kernel's genalloc placed
 * (internal).
 *
 * It manages the page numbers [0, npages) of one arena whose page 0 lies
 * at page @origin of an absolute address space (a window's start in DVA
 * pages).  An allocation of n pages aligned to 2^k pages takes the lowest
 * page p with [p, p+n) free and (origin + p) a multiple of 2^k: exactly the
 * answer of the kernel's page-granular first-fit bitmap (gen_pool with
 * alignment), which the kernel-compatible contexts must reproduce.
 *
 * The kernel scanned one page bitmap from the start.  Here there is one
 * bitmap per tracked alignment (order 0 and the driver's page orders, given
 * at creation): bit b says whether aligned block b is in use (wholly free:
 * 0), and each bitmap has 64-ary summary levels ("this word is full"), so
 * the first free aligned block is found in a few word operations, and an
 * allocation of whole blocks checks its run word by word.  A request whose
 * alignment is not tracked is still exact, from the nearest smaller tracked
 * alignment.  Zeroed memory is "all free", so a large arena costs nothing
 * until used.
 *
 * Not thread-safe: callers serialise.
 */
#ifndef LIBVCM_FIRSTFIT_H
#define LIBVCM_FIRSTFIT_H

#include <stddef.h>
#include <stdint.h>

/* Alignments tracked per arena, order 0 included. */
#define VCM_FIRSTFIT_TRACKED 4

struct vcm_firstfit;

/*
 * vcm_firstfit_create() - an arena of @npages pages (1..2^32), all free,
 * whose page 0 is absolute page @origin, with bitmaps for the alignments
 * of @orders (zero-terminated, largest first, as a driver's; NULL: order 0
 * only).  NULL on bad arguments or when memory is short.
 */
struct vcm_firstfit *vcm_firstfit_create(uint64_t origin, uint64_t npages,
					 const unsigned char *orders);
void vcm_firstfit_destroy(struct vcm_firstfit *f);

/*
 * vcm_firstfit_alloc() - the first fit of @npages pages aligned to 2^@align
 * absolute pages.  Returns 0 and *pfn (arena page), -EINVAL for npages 0,
 * -ENOSPC when nothing fits.
 */
int vcm_firstfit_alloc(struct vcm_firstfit *f, uint64_t npages, unsigned align, uint64_t *pfn);

/*
 * vcm_firstfit_free() - give [@pfn, @pfn + @npages) back.  Returns 0, or
 * -EINVAL (and changes nothing) if any page of it is free already or lies
 * outside the arena.
 */
int vcm_firstfit_free(struct vcm_firstfit *f, uint64_t pfn, uint64_t npages);

/* Free pages in the arena (a counter). */
uint64_t vcm_firstfit_free_count(const struct vcm_firstfit *f);

/* Bytes of host memory the bitmaps reserve. */
size_t vcm_firstfit_metadata_bytes(const struct vcm_firstfit *f);

/*
 * vcm_firstfit_check() - verify the invariants (each aligned block's bit
 * agrees with its pages, the summaries with their words, the free
 * counter).  O(npages), for tests.  Returns 0 or -EUCLEAN.
 */
int vcm_firstfit_check(const struct vcm_firstfit *f);

#endif /* LIBVCM_FIRSTFIT_H */
