// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bench_buddy.c - the allocator workload of PERFORMANCE.md (bench-trace.h)
 * replayed on vcm_buddy (1 GiB, 4 GiB and 16 TiB arenas), on the SoC page
 * allocator (vcm_soc_alloc_pages/vcm_soc_free_pages: argument checks, the
 * SoC lock, the bank lookup) and on glibc malloc/free.  Each figure is the
 * best of RUNS replays, arenas interleaved; each competitor's page faults
 * during its timed replays are printed, so that no figure hides kernel time.
 *
 * glibc is measured in a named configuration: the heap is never trimmed
 * (M_TRIM_THRESHOLD), 1 MiB blocks stay off mmap (M_MMAP_THRESHOLD) and
 * the heap is warmed by one untimed replay, so the timed replays take no
 * page fault.  Its default state (trimmed and regrown: mostly kernel time)
 * is printed for information only.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vcm/soc.h>

#include "buddy.h"
#include "bench-trace.h"

#define PROG		"bench-buddy"
#define SOC_MAX_ORDER	12
#define SOC_RAM_BASE	0x40000000ULL	/* Exynos4210 DRAM */
#define TIB		(1ULL << 40)
/* Reference figures from PERFORMANCE.md. */
#define REF_PUBLIC_NS	375
#define REF_FIRSTFIT_NS	430
#define TARGET_RATIO	1.1
#define TARGET_GLIBC	0.5
#define TARGET_META	133	/* KiB per GiB */
/* glibc's largest mmap threshold on 64-bit (HEAP_MAX_SIZE / 2). */
#define MMAP_THRESHOLD_MAX	(32 * MIB)

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

/* Best replay and the page faults of all timed replays. */
struct figure {
	double ns;		/* per pair */
	long faults;
};

static void keep_best(struct figure *f, double ns, unsigned run)
{
	if (run == 0 || ns / PAIRS < f->ns)
		f->ns = ns / PAIRS;
	f->faults += replay_faults;
}

/* The 1 GiB, 4 GiB and 16 TiB arenas, interleaved against drift. */
static void bench_buddy(const struct trace *t, struct figure f[3], size_t *meta_1g)
{
	static const uint64_t bytes[3] = { GIB, 4 * GIB, 16 * TIB };
	size_t meta;
	unsigned run, i;

	for (run = 0; run < RUNS; run++)
		for (i = 0; i < 3; i++) {
			keep_best(&f[i], buddy_run(t, bytes[i], &meta), run);
			if (i == 0)
				*meta_1g = meta;
		}
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

static void bench_soc(const struct trace *t, struct figure *f_1g, struct figure *f_4g)
{
	unsigned run;

	for (run = 0; run < RUNS; run++) {
		keep_best(f_1g, soc_run(t, SOC_RAM_BASE, GIB), run);
		keep_best(f_4g, soc_run(t, 0, 4 * GIB), run);
	}
}

/* Best of RUNS replays on @a (no arena to set up). */
static void bench_plain(const struct trace *t, const struct allocator *a, void *ctx,
			struct figure *f)
{
	unsigned run;

	for (run = 0; run < RUNS; run++)
		keep_best(f, replay(t, a, ctx), run);
}

static void print_figure(const char *name, const struct figure *f, const char *note)
{
	printf("  %-44s %8.1f %8ld   %s\n", name, f->ns, f->faults, note);
}

int main(void)
{
	struct figure buddy[3] = { { 0, 0 } }, soc_1g = { 0, 0 }, soc_4g = { 0, 0 };
	struct figure glibc_default = { 0, 0 }, glibc = { 0, 0 }, null = { 0, 0 };
	size_t meta_1g = 0;
	uintptr_t counter = 0;
	struct trace t;

	bench_header(PROG, "page allocators on the allocator workload of PERFORMANCE.md");
	trace_make(&t);
	bench_plain(&t, &null_ops, &counter, &null);
	bench_buddy(&t, buddy, &meta_1g);
	bench_soc(&t, &soc_1g, &soc_4g);
	/* glibc as it starts (information only), then configured and warmed. */
	bench_plain(&t, &glibc_ops, NULL, &glibc_default);
	mallopt(M_TRIM_THRESHOLD, INT32_MAX);
	mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX);
	replay(&t, &glibc_ops, NULL);		/* warm: the heap grows once */
	bench_plain(&t, &glibc_ops, NULL, &glibc);

	printf("trace: seed %#" PRIx64 ", prefill %u blocks (512 MiB live), %u timed ops, "
	       "max order %u, best of %u runs\n",
	       (uint64_t)SEED, t.nprefill, TIMED_OPS, SOC_MAX_ORDER, RUNS);
	printf("glibc configuration \"no-trim warm\": mallopt(M_TRIM_THRESHOLD, INT32_MAX), "
	       "mallopt(M_MMAP_THRESHOLD, 32 MiB), heap warmed by one untimed replay\n\n");
	printf("  %-44s %8s %8s   %s\n", "allocator", "ns/pair", "faults",
	       "(faults: all timed replays; reference: PERFORMANCE.md)");
	print_figure("vcm_buddy, 1 GiB arena", &buddy[0], "");
	print_figure("vcm_buddy, 4 GiB arena", &buddy[1], "");
	print_figure("vcm_buddy, 16 TiB arena", &buddy[2], "");
	print_figure("vcm_soc_alloc/free_pages, 1 GiB bank", &soc_1g, "(buddy + SoC lock, bank)");
	print_figure("vcm_soc_alloc/free_pages, 4 GiB bank", &soc_4g, "");
	print_figure("glibc malloc/free, no-trim warm", &glibc, "~74-139");
	print_figure("glibc malloc/free, default (trims)", &glibc_default,
		     "~270-875, mostly kernel time: not a fair comparison");
	printf("  %-44s %8s %8s   ~%d-590\n", "public single-header buddy", "-", "-", REF_PUBLIC_NS);
	printf("  %-44s %8s %8s   ~%d-520\n", "first-fit bitmap (original S5P)", "-", "-",
	       REF_FIRSTFIT_NS);
	print_figure("replay harness alone (no-op)", &null, "(included in every figure)");
	printf("  metadata bytes per GiB (1 GiB arena): %zu\n\n", meta_1g);

	bench_target("buddy-4G/1G", buddy[1].ns / buddy[0].ns, 1, TARGET_RATIO,
		     "vcm_buddy, 4 GiB arena / 1 GiB arena");
	bench_target("buddy-16T/1G", buddy[2].ns / buddy[0].ns, 1, TARGET_RATIO,
		     "vcm_buddy, 16 TiB arena / 1 GiB arena");
	bench_target("soc-pages/glibc", soc_1g.ns / glibc.ns, 1, TARGET_GLIBC,
		     "vcm_soc_alloc/free_pages / glibc no-trim warm");
	bench_target("metadata-KiB/GiB", meta_1g / 1024.0, 1, TARGET_META,
		     "page allocator metadata, KiB per GiB (absolute)");

	trace_free(&t);
	return 0;
}
