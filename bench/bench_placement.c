// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bench_placement.c - DVA placement on the allocator workload of
 * PERFORMANCE.md: libvcm's buddy placement (vcm_iommu_create() contexts)
 * against the kernel's first fit (vcm_mmu_init() and S5P contexts), the
 * latter both as libvcm does it (bitmaps per alignment with summary levels,
 * machine/firstfit.c) and
 * as the kernel did (a page bitmap searched from the start), side by side.
 *
 * The trace: fixed seed, generated before timing; block sizes 4 KiB /
 * 64 KiB / 1 MiB with odds 70 / 20 / 10 %; untimed prefill to 512 MiB live;
 * then 1,000,000 timed operations, each a coin flip between allocating and
 * freeing a uniformly random live block, forced back when the live volume
 * leaves 512 MiB +- 32 MiB.  Every allocator asks for the alignment the
 * kernel's wrapper would (the block's own size here).  Rounds are
 * interleaved; each figure is the median of ROUNDS; ns per pair = the
 * thread's CPU time over the timed part / 500,000 (CPU time, not wall
 * time: on a shared machine wall time mostly measures the wait for a
 * core).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buddy.h"
#include "firstfit.h"

#define SEED		0x706c6163656dULL	/* "placem" */
#define TIMED_OPS	1000000U
#define PAIRS		(TIMED_OPS / 2)
#define ROUNDS		5
#define BITMAP_ROUNDS	1	/* the bitmap is slow: one round is plenty */
#define MIB		(1ULL << 20)
#define GIB		(1ULL << 30)
#define PAGE_SHIFT	12
#define LIVE_TARGET	(512 * MIB)
#define LIVE_SLACK	(32 * MIB)
#define MAX_ORDER	12
#define NS_PER_S	1000000000.0
#define PERCENT		100
#define TARGET_RATIO	1.5
#define OP_ALLOC	0x80000000U
#define OP_ARG_MASK	(~OP_ALLOC)

enum { CLASS_4K, CLASS_64K, CLASS_1M, NCLASSES };
static const unsigned class_order[NCLASSES] = { 0, 4, 8 };
static const unsigned class_percent[NCLASSES] = { 70, 20, 10 };

struct trace {
	uint32_t *prefill, nprefill;
	uint32_t *ops;
	uint32_t max_live;
};

struct live {
	uint64_t pfn;
	uint32_t cls;
};

struct placement {
	const char *name;
	void *(*create)(uint64_t npages);
	int (*alloc)(void *a, unsigned order, uint64_t *pfn);
	void (*free)(void *a, uint64_t pfn, unsigned order);
	void (*destroy)(void *a);
};

static void die(const char *what)
{
	fprintf(stderr, "bench-placement: %s\n", what);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		die("out of memory");
	return p;
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);	/* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned pick_class(uint64_t *s)
{
	unsigned r = rng_next(s) % PERCENT, cls;

	for (cls = 0; cls < NCLASSES - 1 && r >= class_percent[cls]; cls++)
		r -= class_percent[cls];
	return cls;
}

static uint64_t class_bytes(unsigned cls)
{
	return 1ULL << (class_order[cls] + PAGE_SHIFT);
}

static void trace_make(struct trace *t)
{
	uint32_t cap = LIVE_TARGET / class_bytes(CLASS_4K) * 2;
	uint32_t *classes = xmalloc(cap * sizeof(*classes)), n = 0, i;
	uint64_t seed = SEED, live = 0;

	t->prefill = xmalloc(cap * sizeof(*t->prefill));
	t->ops = xmalloc(TIMED_OPS * sizeof(*t->ops));
	t->nprefill = 0;
	while (live < LIVE_TARGET) {
		unsigned cls = pick_class(&seed);

		t->prefill[t->nprefill++] = classes[n++] = cls;
		live += class_bytes(cls);
	}
	t->max_live = n;
	for (i = 0; i < TIMED_OPS; i++) {
		int do_alloc = live > LIVE_TARGET + LIVE_SLACK   ? 0
			       : live < LIVE_TARGET - LIVE_SLACK ? 1
								 : (int)(rng_next(&seed) & 1);

		if (do_alloc) {
			unsigned cls = pick_class(&seed);

			t->ops[i] = OP_ALLOC | cls;
			classes[n++] = cls;
			live += class_bytes(cls);
			if (n > t->max_live)
				t->max_live = n;
		} else {
			uint32_t k = (uint32_t)(rng_next(&seed) % n);

			t->ops[i] = k;
			live -= class_bytes(classes[k]);
			classes[k] = classes[--n];
		}
	}
	free(classes);
}

static double now_ns(void)
{
	struct timespec ts;

	/* CPU time of this thread: on a machine shared by many jobs, wall
	 * time mostly measures the wait for a core. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void take(const struct placement *p, void *a, struct live *l, unsigned cls)
{
	if (p->alloc(a, class_order[cls], &l->pfn))
		die("an allocation failed");
	l->cls = cls;
}

/* One replay on a fresh arena of @bytes; ns of the timed part. */
static double replay(const struct trace *t, const struct placement *p, uint64_t bytes)
{
	struct live *live = xmalloc((t->max_live + 1) * sizeof(*live));
	void *a = p->create(bytes >> PAGE_SHIFT);
	uint32_t n = 0, i;
	double start, elapsed;

	if (!a)
		die("cannot make the arena");
	for (i = 0; i < t->nprefill; i++)
		take(p, a, &live[n++], t->prefill[i]);
	start = now_ns();
	for (i = 0; i < TIMED_OPS; i++) {
		uint32_t op = t->ops[i];

		if (op & OP_ALLOC) {
			take(p, a, &live[n++], op & OP_ARG_MASK);
		} else {
			p->free(a, live[op].pfn, class_order[live[op].cls]);
			live[op] = live[--n];
		}
	}
	elapsed = now_ns() - start;
	while (n--)
		p->free(a, live[n].pfn, class_order[live[n].cls]);
	p->destroy(a);
	free(live);
	return elapsed;
}

/* ---- the placements ------------------------------------------------------ */

static void *buddy_create(uint64_t npages)
{
	return vcm_buddy_create(npages, MAX_ORDER);
}

static int buddy_alloc(void *a, unsigned order, uint64_t *pfn)
{
	return vcm_buddy_alloc_pages(a, 1ULL << order, order, pfn);
}

static void buddy_free(void *a, uint64_t pfn, unsigned order)
{
	if (vcm_buddy_free_pages(a, pfn, 1ULL << order))
		die("vcm_buddy_free_pages refused a live block");
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

static int ff_alloc(void *a, unsigned order, uint64_t *pfn)
{
	return vcm_firstfit_alloc(a, 1ULL << order, order, pfn);
}

static void ff_free(void *a, uint64_t pfn, unsigned order)
{
	if (vcm_firstfit_free(a, pfn, 1ULL << order))
		die("vcm_firstfit_free refused a live block");
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

static int bitmap_alloc(void *a, unsigned order, uint64_t *pfn)
{
	struct bitmap *b = a;
	uint64_t n = 1ULL << order, p = 0, i;

	while (p + n <= b->npages) {
		if (b->words[p / 64] == UINT64_MAX && !(p % 64)) {
			p += 64;		/* a full word: as find_next_zero_bit */
			continue;
		}
		for (i = 0; i < n && !bit_used(b, p + i); i++)
			;
		if (i == n) {
			bits_set(b, p, n, 1);
			*pfn = p;
			return 0;
		}
		p = (p + i + 1 + n - 1) & ~(n - 1);	/* next aligned start past the bit */
	}
	return -ENOSPC;
}

static void bitmap_free(void *a, uint64_t pfn, unsigned order)
{
	bits_set(a, pfn, 1ULL << order, 0);
}

static void bitmap_destroy(void *a)
{
	free(a);
}

static const struct placement buddy = { "buddy (vcm_iommu_create)", buddy_create, buddy_alloc,
					buddy_free, buddy_destroy };
static const struct placement firstfit = { "kernel first fit, libvcm", ff_create,
					 ff_alloc, ff_free, ff_destroy };
static const struct placement bitmap = { "kernel first fit, page bitmap", bitmap_create,
					 bitmap_alloc, bitmap_free, bitmap_destroy };

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(void)
{
	static const uint64_t arenas[] = { GIB, 4 * GIB };
	struct trace t;
	unsigned a, r;

	trace_make(&t);
	printf("DVA placement, allocator workload of PERFORMANCE.md (%u timed operations, "
	       "median of %u interleaved rounds), ns per alloc+free pair\n",
	       TIMED_OPS, ROUNDS);
	for (a = 0; a < 2; a++) {
		double nb[ROUNDS], ne[ROUNDS], nm[BITMAP_ROUNDS], b, e, m;

		for (r = 0; r < ROUNDS; r++) {
			nb[r] = replay(&t, &buddy, arenas[a]) / PAIRS;
			ne[r] = replay(&t, &firstfit, arenas[a]) / PAIRS;
			if (r < BITMAP_ROUNDS)
				nm[r] = replay(&t, &bitmap, arenas[a]) / PAIRS;
		}
		b = median(nb, ROUNDS);
		e = median(ne, ROUNDS);
		m = median(nm, BITMAP_ROUNDS);
		printf("  %llu GiB arena:\n", (unsigned long long)(arenas[a] / GIB));
		printf("    %-34s %8.1f ns\n", buddy.name, b);
		printf("    %-34s %8.1f ns  %.2fx buddy (target <= %.1fx)\n", firstfit.name, e, e / b,
		       TARGET_RATIO);
		printf("    %-34s %8.1f ns  %.2fx buddy (reference: what the kernel did)\n",
		       bitmap.name, m, m / b);
	}
	free(t.prefill);
	free(t.ops);
	return 0;
}
