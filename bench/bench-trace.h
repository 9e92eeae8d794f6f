/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-trace.h - the allocator workload of PERFORMANCE.md, shared by the
 * benchmarks that replay it (bench-buddy: page allocators and glibc;
 * bench-vcm: DVA reservations).
 *
 * A fixed-seed trace is generated before any timing: block sizes 4 KiB /
 * 64 KiB / 1 MiB with probabilities 70 / 20 / 10 %, an untimed prefill
 * until 512 MiB is live, then 1,000,000 timed operations, each a coin flip
 * between allocating a new block and freeing a uniformly random live block,
 * forced back when the live volume leaves 512 MiB +- 32 MiB.  ns per
 * alloc+free pair = elapsed / 500,000.
 */
#ifndef BENCH_TRACE_H
#define BENCH_TRACE_H

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-report.h"

#define SEED		0x766d6275646479ULL	/* "vmbuddy" */
#define TIMED_OPS	1000000U
#define PAIRS		(TIMED_OPS / 2)
#define RUNS		3
#define MIB		(1ULL << 20)
#define GIB		(1ULL << 30)
#define PAGE_SHIFT	12
#define LIVE_TARGET	(512 * MIB)
#define LIVE_SLACK	(32 * MIB)
#define NS_PER_S	1000000000.0
#define PERCENT		100

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

#include <sys/resource.h>

/* Page faults (minor + major) of this process so far. */
static long page_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

/* Page faults during the timed part of the last replay(). */
static long replay_faults;

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

	replay_faults = page_faults();
	start = bench_now_ns();
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
	elapsed = bench_now_ns() - start;
	replay_faults = page_faults() - replay_faults;

	while (n) {
		n--;
		a->free(ctx, live[n].handle, live[n].cls);
	}
	free(live);
	return elapsed;
}

#endif /* BENCH_TRACE_H */
