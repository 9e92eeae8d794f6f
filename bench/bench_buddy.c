// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bench_buddy.c - the allocator workload of PERFORMANCE.md.
 *
 * A fixed-seed trace is generated before any timing: block sizes 4 KiB /
 * 64 KiB / 1 MiB with probabilities 70 / 20 / 10 %, an untimed prefill
 * until 512 MiB is live, then 1,000,000 timed operations, each a coin flip
 * between allocating a new block and freeing a uniformly random live block,
 * forced back when the live volume leaves 512 MiB +- 32 MiB.  The same trace
 * is replayed on vcm_buddy (1 GiB and 4 GiB arenas) and on glibc
 * malloc/free; ns per alloc+free pair = elapsed / 500,000.  Each figure is
 * the best of RUNS replays.  The same through the SoC page allocator
 * (vcm_soc_alloc_pages/vcm_soc_free_pages: argument checks, the SoC lock,
 * the bank lookup) is printed beside it.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vcm/soc.h>

#include "buddy.h"

#define SEED		0x766d6275646479ULL	/* "vmbuddy" */
#define TIMED_OPS	1000000U
#define PAIRS		(TIMED_OPS / 2)
#define RUNS		3
#define MIB		(1ULL << 20)
#define GIB		(1ULL << 30)
#define PAGE_SHIFT	12
#define LIVE_TARGET	(512 * MIB)
#define LIVE_SLACK	(32 * MIB)
#define SOC_MAX_ORDER	12
#define SOC_RAM_BASE	0x40000000ULL	/* Exynos4210 DRAM */
#define NS_PER_S	1000000000.0
#define PERCENT		100

/* Reference figures from PERFORMANCE.md. */
#define REF_GLIBC_NS	66
#define REF_PUBLIC_NS	375
#define REF_FIRSTFIT_NS	430
#define TARGET_NS	115
#define TARGET_RATIO	1.1
#define HARD_RATIO	1.3
#define TARGET_META	(131 * 1024)
/* glibc's largest mmap threshold on 64-bit (HEAP_MAX_SIZE / 2). */
#define MMAP_THRESHOLD_MAX	(32 * MIB)

/* Block sizes: 4 KiB, 64 KiB, 1 MiB as page orders, and their odds. */
enum { CLASS_4K, CLASS_64K, CLASS_1M, NCLASSES };
static const unsigned class_order[NCLASSES] = { 0, 4, 8 };
static const unsigned class_percent[NCLASSES] = { 70, 20, 10 };

static uint64_t class_bytes(unsigned cls)
{
	return 1ULL << (class_order[cls] + PAGE_SHIFT);
}

/*
 * One trace step.  Allocation: @arg is the size class, the new block goes
 * to the end of the live array.  Free: @arg is the index of the live block
 * freed; the last live block moves into its place.
 */
#define OP_ALLOC	0x80000000U
#define OP_ARG_MASK	(~OP_ALLOC)

struct trace {
	uint32_t *prefill;	/* size classes */
	uint32_t nprefill;
	uint32_t *ops;		/* TIMED_OPS steps */
	uint32_t max_live;	/* largest live count reached */
};

struct live {
	uintptr_t handle;	/* pfn or pointer */
	uint32_t cls;
};

/* An allocator under test: alloc returns 0 and a handle, or an errno. */
struct allocator {
	const char *name;
	int (*alloc)(void *ctx, unsigned cls, uintptr_t *handle);
	void (*free)(void *ctx, uintptr_t handle, unsigned cls);
};

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned pick_class(uint64_t *s)
{
	unsigned r = rng_next(s) % PERCENT, cls;

	for (cls = 0; cls < NCLASSES - 1; cls++) {
		if (r < class_percent[cls])
			break;
		r -= class_percent[cls];
	}
	return cls;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		perror("bench-buddy");
		exit(1);
	}
	return p;
}

/* --- trace generation ---------------------------------------------------- */

static void trace_make(struct trace *t)
{
	uint32_t cap = LIVE_TARGET / class_bytes(CLASS_4K) + 1;
	uint32_t *classes = xmalloc(cap * 2 * sizeof(*classes));
	uint64_t seed = SEED, live = 0;
	uint32_t n = 0, i;

	t->prefill = xmalloc(cap * sizeof(*t->prefill));
	t->ops = xmalloc(TIMED_OPS * sizeof(*t->ops));
	t->nprefill = 0;
	while (live < LIVE_TARGET) {
		unsigned cls = pick_class(&seed);

		t->prefill[t->nprefill++] = cls;
		classes[n++] = cls;
		live += class_bytes(cls);
	}
	t->max_live = n;

	for (i = 0; i < TIMED_OPS; i++) {
		int do_alloc;

		if (live > LIVE_TARGET + LIVE_SLACK)
			do_alloc = 0;
		else if (live < LIVE_TARGET - LIVE_SLACK)
			do_alloc = 1;
		else
			do_alloc = rng_next(&seed) & 1;

		if (do_alloc) {
			unsigned cls = pick_class(&seed);

			t->ops[i] = OP_ALLOC | cls;
			classes[n++] = cls;
			live += class_bytes(cls);
			if (n > t->max_live)
				t->max_live = n;
		} else {
			uint32_t k = rng_next(&seed) % n;

			t->ops[i] = k;
			live -= class_bytes(classes[k]);
			classes[k] = classes[--n];
		}
	}
	free(classes);
}

static void trace_free(struct trace *t)
{
	free(t->prefill);
	free(t->ops);
}

/* --- replay -------------------------------------------------------------- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void alloc_or_die(const struct allocator *a, void *ctx,
			 struct live *l, unsigned cls)
{
	int ret = a->alloc(ctx, cls, &l->handle);

	if (ret) {
		fprintf(stderr, "bench-buddy: %s: allocation failed: %s\n",
			a->name, strerror(-ret));
		exit(1);
	}
	l->cls = cls;
}

/* Replay @t once on @a; returns the ns of the timed part. */
static double replay(const struct trace *t, const struct allocator *a, void *ctx)
{
	struct live *live = xmalloc((t->max_live + 1) * sizeof(*live));
	uint32_t n = 0, i;
	double start, elapsed;

	for (i = 0; i < t->nprefill; i++)
		alloc_or_die(a, ctx, &live[n++], t->prefill[i]);

	start = now_ns();
	for (i = 0; i < TIMED_OPS; i++) {
		uint32_t op = t->ops[i];

		if (op & OP_ALLOC) {
			alloc_or_die(a, ctx, &live[n++], op & OP_ARG_MASK);
		} else {
			struct live *victim = &live[op];

			a->free(ctx, victim->handle, victim->cls);
			*victim = live[--n];
		}
	}
	elapsed = now_ns() - start;

	while (n) {
		n--;
		a->free(ctx, live[n].handle, live[n].cls);
	}
	free(live);
	return elapsed;
}

/* --- allocators ---------------------------------------------------------- */

static int buddy_alloc(void *ctx, unsigned cls, uintptr_t *handle)
{
	uint64_t pfn;
	int ret = vcm_buddy_alloc(ctx, class_order[cls], &pfn);

	*handle = pfn;
	return ret;
}

static void buddy_free(void *ctx, uintptr_t handle, unsigned cls)
{
	if (vcm_buddy_free(ctx, handle, class_order[cls])) {
		fprintf(stderr, "bench-buddy: vcm_buddy_free refused a live block\n");
		exit(1);
	}
}

static int glibc_alloc(void *ctx, unsigned cls, uintptr_t *handle)
{
	void *p = malloc(class_bytes(cls));

	(void)ctx;
	*handle = (uintptr_t)p;
	return p ? 0 : -ENOMEM;
}

static void glibc_free(void *ctx, uintptr_t handle, unsigned cls)
{
	(void)ctx;
	(void)cls;
	free((void *)handle);
}

/* The replay alone: hands out a counter, frees nothing. */
static int null_alloc(void *ctx, unsigned cls, uintptr_t *handle)
{
	uintptr_t *next = ctx;

	(void)cls;
	*handle = (*next)++;
	return 0;
}

static void null_free(void *ctx, uintptr_t handle, unsigned cls)
{
	(void)ctx;
	(void)handle;
	(void)cls;
}

static int soc_alloc(void *ctx, unsigned cls, uintptr_t *handle)
{
	vcm_addr_t pa;
	int ret = vcm_soc_alloc_pages(ctx, class_order[cls], &pa);

	*handle = pa;
	return ret;
}

static void soc_free(void *ctx, uintptr_t handle, unsigned cls)
{
	vcm_soc_free_pages(ctx, handle, class_order[cls]);
}

static const struct allocator soc_ops = { "vcm_soc", soc_alloc, soc_free };
static const struct allocator buddy_ops = { "vcm_buddy", buddy_alloc, buddy_free };
static const struct allocator glibc_ops = { "glibc", glibc_alloc, glibc_free };
static const struct allocator null_ops = { "no-op", null_alloc, null_free };

/* One replay on a fresh arena of @bytes; ns of the timed part. */
static double buddy_run(const struct trace *t, uint64_t bytes, size_t *meta)
{
	uint64_t npages = bytes >> PAGE_SHIFT;
	struct vcm_buddy *b = vcm_buddy_create(npages, SOC_MAX_ORDER);
	double ns;

	if (!b) {
		fprintf(stderr, "bench-buddy: vcm_buddy_create failed\n");
		exit(1);
	}
	ns = replay(t, &buddy_ops, b);
	if (vcm_buddy_free_count(b) != npages) {
		fprintf(stderr, "bench-buddy: pages lost after the replay\n");
		exit(1);
	}
	*meta = vcm_buddy_metadata_bytes(b);
	vcm_buddy_destroy(b);
	return ns;
}

static void keep_best(double *best, double ns, unsigned run)
{
	if (run == 0 || ns < *best)
		*best = ns;
}

/*
 * Best of RUNS replays for the 1 GiB and the 4 GiB arena, interleaved so
 * that drift on a shared machine hits both alike; ns per pair.
 */
static void bench_buddy(const struct trace *t, double *ns_1g, double *ns_4g,
			size_t *meta_1g, size_t *meta_4g)
{
	unsigned run;

	for (run = 0; run < RUNS; run++) {
		keep_best(ns_1g, buddy_run(t, GIB, meta_1g), run);
		keep_best(ns_4g, buddy_run(t, 4 * GIB, meta_4g), run);
	}
	*ns_1g /= PAIRS;
	*ns_4g /= PAIRS;
}

/* One replay through a SoC with one RAM bank of @bytes at @base. */
static double soc_run(const struct trace *t, vcm_addr_t base, uint64_t bytes)
{
	struct vcm_soc *soc = vcm_soc_create();
	double ns;

	if (vcm_is_err(soc) || vcm_soc_add_ram(soc, base, bytes)) {
		fprintf(stderr, "bench-buddy: cannot make a SoC with %" PRIu64 " MiB\n",
			(uint64_t)(bytes / MIB));
		exit(1);
	}
	ns = replay(t, &soc_ops, soc);
	if (vcm_soc_free_bytes(soc) != bytes) {
		fprintf(stderr, "bench-buddy: SoC pages lost after the replay\n");
		exit(1);
	}
	vcm_soc_destroy(soc);
	return ns;
}

/* The SoC figures, interleaved like bench_buddy(); ns per pair. */
static void bench_soc(const struct trace *t, double *ns_1g, double *ns_4g)
{
	unsigned run;

	for (run = 0; run < RUNS; run++) {
		keep_best(ns_1g, soc_run(t, SOC_RAM_BASE, GIB), run);
		keep_best(ns_4g, soc_run(t, 0, 4 * GIB), run);
	}
	*ns_1g /= PAIRS;
	*ns_4g /= PAIRS;
}

/* Best of RUNS replays on @a (no arena to set up); ns per pair. */
static double bench_plain(const struct trace *t, const struct allocator *a,
			  void *ctx)
{
	double best = 0;
	unsigned run;

	for (run = 0; run < RUNS; run++)
		keep_best(&best, replay(t, a, ctx), run);
	return best / PAIRS;
}

int main(void)
{
	double ns_1g = 0, ns_4g = 0, ns_glibc, ns_tuned, ns_null;
	double soc_1g = 0, soc_4g = 0;
	size_t meta_1g = 0, meta_4g = 0;
	uintptr_t counter = 0;
	struct trace t;

	trace_make(&t);
	ns_null = bench_plain(&t, &null_ops, &counter);
	bench_buddy(&t, &ns_1g, &ns_4g, &meta_1g, &meta_4g);
	bench_soc(&t, &soc_1g, &soc_4g);
	ns_glibc = bench_plain(&t, &glibc_ops, NULL);
	/*
	 * The same with the heap never trimmed and 1 MiB blocks kept off
	 * mmap: glibc without the page faults and system calls that its
	 * defaults cost on this trace.  Last, as mallopt() is for good.
	 */
	mallopt(M_TRIM_THRESHOLD, INT32_MAX);
	mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX);
	ns_tuned = bench_plain(&t, &glibc_ops, NULL);

	printf("libvcm buddy allocator, PERFORMANCE.md workload\n");
	printf("trace: seed %#" PRIx64 ", prefill %u blocks (512 MiB live), %u timed ops, "
	       "max order %u, best of %u runs\n\n",
	       (uint64_t)SEED, t.nprefill, TIMED_OPS, SOC_MAX_ORDER, RUNS);
	printf("%-36s %10s   %s\n", "allocator", "ns/pair", "reference (PERFORMANCE.md)");
	printf("%-36s %10.1f   target <= %d\n", "vcm_buddy, 1 GiB arena", ns_1g, TARGET_NS);
	printf("%-36s %10.1f   target <= %d\n", "vcm_buddy, 4 GiB arena", ns_4g, TARGET_NS);
	printf("%-36s %10.1f   (vcm_buddy + SoC lock and bank lookup)\n",
	       "vcm_soc_alloc/free_pages, 1 GiB bank", soc_1g);
	printf("%-36s %10.1f\n", "vcm_soc_alloc/free_pages, 4 GiB bank", soc_4g);
	printf("%-36s %10.1f   ~%d\n", "glibc malloc/free, same trace", ns_glibc, REF_GLIBC_NS);
	printf("%-36s %10.1f   (not in PERFORMANCE.md)\n", "glibc, no trim, no mmap (mallopt)", ns_tuned);
	printf("%-36s %10s   ~%d\n", "public single-header buddy", "-", REF_PUBLIC_NS);
	printf("%-36s %10s   ~%d\n", "first-fit bitmap (original S5P)", "-", REF_FIRSTFIT_NS);
	printf("%-36s %10.1f   (included in every figure above)\n",
	       "replay harness alone (no-op)", ns_null);
	printf("\n");
	printf("%-36s %10.2f   target <= %.1f (hard minimum %.1f)\n",
	       "4 GiB / 1 GiB", ns_4g / ns_1g, TARGET_RATIO, HARD_RATIO);
	printf("%-36s %10.2f   target <= 2 (\"within 2x of glibc\")\n",
	       "vcm_buddy 1 GiB / glibc", ns_1g / ns_glibc);
	printf("%-36s %10zu   target <= %d (131 KB)\n",
	       "metadata bytes per GiB (1 GiB arena)", meta_1g, TARGET_META);
	printf("%-36s %10zu\n", "metadata bytes per GiB (4 GiB arena)", meta_4g / 4);

	trace_free(&t);
	return 0;
}
