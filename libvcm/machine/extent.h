/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * extent.h - exact first-fit placement, as the kernel's genalloc placed
 * (internal).
 *
 * It manages the page numbers [0, npages) of one arena whose page 0 lies
 * at page @origin of an absolute address space (a window's start in DVA
 * pages).  An allocation of n pages aligned to 2^k pages takes the lowest
 * page p with [p, p+n) free and (origin + p) a multiple of 2^k: exactly the
 * answer of the kernel's page-granular first-fit bitmap (gen_pool with
 * alignment), which the kernel-compatible contexts must reproduce.
 *
 * The free space is kept as an ordered tree of free extents (a treap keyed
 * by start).  Each node summarises its subtree: for each tracked alignment
 * (order 0 and up to VCM_EXTENT_TRACKED - 1 orders given at creation, the
 * driver's page orders), the most pages any extent holds from its first
 * aligned page on.  First fit for a tracked alignment then descends one
 * path to the leftmost extent that fits, in O(log n) expected time, instead
 * of scanning a bitmap; other alignments are still exact, only the bound
 * is looser.  Nodes come from one array
 * that grows by doubling and is recycled through a free list: no host
 * allocation per operation in the steady state.
 *
 * Not thread-safe: callers serialise.
 */
#ifndef LIBVCM_EXTENT_H
#define LIBVCM_EXTENT_H

#include <stddef.h>
#include <stdint.h>

/* Alignments summarised per node, order 0 included. */
#define VCM_EXTENT_TRACKED 4

struct vcm_extent;

/*
 * vcm_extent_create() - an arena of @npages pages (>= 1), all free, whose
 * page 0 is absolute page @origin, with fast first fit for the alignments
 * of @orders (zero-terminated, as a driver's; NULL: order 0 only).  NULL
 * when memory is short.
 */
struct vcm_extent *vcm_extent_create(uint64_t origin, uint64_t npages,
				     const unsigned char *orders);
void vcm_extent_destroy(struct vcm_extent *e);

/*
 * vcm_extent_alloc() - the first fit of @npages pages aligned to 2^@align
 * absolute pages.  Returns 0 and *pfn (arena page), -EINVAL for npages 0,
 * -ENOSPC when nothing fits, -ENOMEM when a node cannot be had.
 */
int vcm_extent_alloc(struct vcm_extent *e, uint64_t npages, unsigned align, uint64_t *pfn);

/*
 * vcm_extent_free() - give [@pfn, @pfn + @npages) back.  Returns 0, -EINVAL
 * (and changes nothing) if any page of it is free already or lies outside
 * the arena, -ENOMEM when a node cannot be had.
 */
int vcm_extent_free(struct vcm_extent *e, uint64_t pfn, uint64_t npages);

/* Free pages in the arena (a counter). */
uint64_t vcm_extent_free_count(const struct vcm_extent *e);

/* Bytes of host memory the tree uses. */
size_t vcm_extent_metadata_bytes(const struct vcm_extent *e);

/*
 * vcm_extent_check() - verify the invariants (extents ordered, disjoint,
 * not adjacent, inside the arena; subtree maxima; heap order; the free
 * counter).  O(n), for tests.  Returns 0 or -EUCLEAN.
 */
int vcm_extent_check(const struct vcm_extent *e);

#endif /* LIBVCM_EXTENT_H */
