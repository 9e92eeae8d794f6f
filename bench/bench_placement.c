// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bench_placement.c - DVA placement on the allocator workload of
 * PERFORMANCE.md: libvcm's buddy placement (vcm_iommu_create() contexts)
 * against the kernel's first fit (vcm_mmu_init() and S5P contexts), the
 * latter both as libvcm does it (bitmaps per alignment with summary
 * levels, machine/firstfit.c) and as the kernel did (a page bitmap searched
 * from the start), side by side.
 *
 * The trace is bench-trace.h's (the allocator workload of PERFORMANCE.md):
 * 4 KiB / 64 KiB / 1 MiB blocks, 512 MiB live, 1,000,000 timed operations.
 * Every placement asks for the alignment the kernel's wrapper would (the
 * block's own size here).  Rounds are interleaved; each figure is the
 * median of ROUNDS (the page bitmap, slow, runs once); ns per pair =
 * elapsed / 500,000.  Ends with one TARGET line per arena.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-report.h"
#include "bench-trace.h"
#include "buddy.h"
#include "firstfit.h"

#define PROG		"bench-placement"
#define ROUNDS		5
#define MAX_ORDER	12
#define TARGET_RATIO	1.5

/* A placement: an arena of @npages made fresh for each replay. */
struct placement {
	struct allocator ops;
	void *(*create)(uint64_t npages);
	void (*destroy)(void *a);
};

/* ---- the placements ------------------------------------------------------ */

static void *buddy_create(uint64_t npages)
{
	return vcm_buddy_create(npages, MAX_ORDER);
}

static int buddy_alloc(void *a, unsigned cls, uintptr_t *handle)
{
	unsigned order = class_order[cls];
	uint64_t pfn;
	int ret = vcm_buddy_alloc_pages(a, 1ULL << order, order, &pfn);

	*handle = (uintptr_t)pfn;
	return ret;
}

static void buddy_free(void *a, uintptr_t handle, unsigned cls)
{
	if (vcm_buddy_free_pages(a, handle, 1ULL << class_order[cls]))
		bench_die(PROG, "vcm_buddy_free_pages of a live block");
}

static void buddy_destroy(void *a)
{
	vcm_buddy_destroy(a);
}

static const unsigned char placement_orders[] = { 8, 4, 0 };

static void *ff_create(uint64_t npages)
{
	return vcm_firstfit_create(0, npages, placement_orders);
}

/* The kernel's wrapper asks for the alignment of the size's lowest bit:
 * the block's own size here. */
static int ff_alloc(void *a, unsigned cls, uintptr_t *handle)
{
	unsigned order = class_order[cls];
	uint64_t pfn;
	int ret = vcm_firstfit_alloc(a, 1ULL << order, order, &pfn);

	*handle = (uintptr_t)pfn;
	return ret;
}

static void ff_free(void *a, uintptr_t handle, unsigned cls)
{
	if (vcm_firstfit_free(a, handle, 1ULL << class_order[cls]))
		bench_die(PROG, "vcm_firstfit_free of a live block");
}

static void ff_destroy(void *a)
{
	vcm_firstfit_destroy(a);
}

/* The kernel's way: one bit per page, the first aligned zero run. */
struct bitmap {
	uint64_t npages;
	uint64_t words[];
};

static void *bitmap_create(uint64_t npages)
{
	struct bitmap *b = calloc(1, sizeof(*b) + (npages + 63) / 64 * sizeof(uint64_t));

	if (b)
		b->npages = npages;
	return b;
}

static int bit_used(const struct bitmap *b, uint64_t i)
{
	return (int)(b->words[i / 64] >> (i % 64)) & 1;
}

static void bits_set(struct bitmap *b, uint64_t at, uint64_t n, int v)
{
	uint64_t i;

	for (i = at; i < at + n; i++) {
		if (v)
			b->words[i / 64] |= 1ULL << (i % 64);
		else
			b->words[i / 64] &= ~(1ULL << (i % 64));
	}
}

static int bitmap_alloc(void *a, unsigned cls, uintptr_t *handle)
{
	struct bitmap *b = a;
	uint64_t n = 1ULL << class_order[cls], p = 0, i;

	while (p + n <= b->npages) {
		if (b->words[p / 64] == UINT64_MAX && !(p % 64)) {
			p += 64;		/* a full word: as find_next_zero_bit */
			continue;
		}
		for (i = 0; i < n && !bit_used(b, p + i); i++)
			;
		if (i == n) {
			bits_set(b, p, n, 1);
			*handle = (uintptr_t)p;
			return 0;
		}
		p = (p + i + 1 + n - 1) & ~(n - 1);	/* next aligned start past the bit */
	}
	return -ENOSPC;
}

static void bitmap_free(void *a, uintptr_t handle, unsigned cls)
{
	bits_set(a, handle, 1ULL << class_order[cls], 0);
}

static void bitmap_destroy(void *a)
{
	free(a);
}

static const struct placement buddy = {
	{ "buddy (vcm_iommu_create)", buddy_alloc, buddy_free }, buddy_create, buddy_destroy
};
static const struct placement firstfit = {
	{ "kernel first fit, libvcm", ff_alloc, ff_free }, ff_create, ff_destroy
};
static const struct placement bitmap = {
	{ "kernel first fit, page bitmap", bitmap_alloc, bitmap_free }, bitmap_create,
	bitmap_destroy
};

/* One replay on a fresh arena of @bytes; ns per pair. */
static double run(const struct trace *t, const struct placement *p, uint64_t bytes)
{
	void *a = p->create(bytes >> PAGE_SHIFT);
	double ns;

	if (!a)
		bench_die(PROG, "making the arena");
	ns = replay(t, &p->ops, a) / PAIRS;
	p->destroy(a);
	return ns;
}

int main(void)
{
	static const uint64_t arenas[] = { GIB, 4 * GIB };
	static const char *const keys[] = { "placement_1g", "placement_4g" };
	struct trace t;
	unsigned a, r;

	bench_header(PROG, "DVA placement on the allocator workload: buddy vs the kernel's first fit");
	trace_make(&t);
	printf("ns per alloc+free pair, median of %u interleaved rounds (the page bitmap: one)\n",
	       ROUNDS);
	for (a = 0; a < 2; a++) {
		double nb[ROUNDS], nf[ROUNDS], b, f, m = 0;

		for (r = 0; r < ROUNDS; r++) {
			nb[r] = run(&t, &buddy, arenas[a]);
			nf[r] = run(&t, &firstfit, arenas[a]);
			if (!r)
				m = run(&t, &bitmap, arenas[a]);
		}
		b = bench_median(nb, ROUNDS);
		f = bench_median(nf, ROUNDS);
		printf("  %llu GiB arena:\n", (unsigned long long)(arenas[a] / GIB));
		printf("    %-32s %8.1f ns\n", buddy.ops.name, b);
		printf("    %-32s %8.1f ns  %.2fx buddy\n", firstfit.ops.name, f, f / b);
		printf("    %-32s %8.1f ns  %.2fx buddy (what the kernel did)\n", bitmap.ops.name, m,
		       m / b);
		bench_target(keys[a], f / b, 1, TARGET_RATIO,
			     "kernel-compatible first fit vs the buddy path");
	}
	trace_free(&t);
	return 0;
}
