/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_sysmmu.c - page tables, translation and device DMA, side by side
 * with the plain-C baselines of PERFORMANCE.md (best of several runs).
 *
 *   build/bench/bench-sysmmu [runs]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vcm/soc.h>
#include <vcm/sysmmu.h>

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(1ULL << 30)
#define MAP_DVA		0x10000000ULL
#define MAP_SIZE	(256ULL << 20)
#define MAP_PA		0x80000000ULL	/* need not be RAM for the table */
#define DMA_SIZE	(8ULL << 20)
#define DMA_ORDER	11		/* 8 MiB */
#define SZ_4K		0x1000ULL
#define SZ_64K		0x10000ULL
#define SZ_1M		0x100000ULL

static unsigned runs = 7;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void barrier(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void die(const char *what)
{
	fprintf(stderr, "bench-sysmmu: %s failed\n", what);
	exit(1);
}

/*
 * The plain loop of PERFORMANCE.md: write then clear @n 32-bit entries, as
 * gcc vectorises it (gcc 12 needs -O3 or the dynamic cost model for this
 * loop; clang vectorises it at -O2), and the same loop kept scalar.
 */
#if defined(__clang__)
#define VECTORISED
#define SCALAR __attribute__((noinline))
#define SCALAR_LOOP _Pragma("clang loop vectorize(disable) interleave(disable)")
#else
#define VECTORISED __attribute__((optimize("O3")))
#define SCALAR __attribute__((noinline, optimize("no-tree-vectorize", \
						     "no-tree-loop-distribute-patterns")))
#define SCALAR_LOOP
#endif

__attribute__((noinline)) VECTORISED static void plain_loop(uint32_t *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		t[i] = i << 12 | 2;
	barrier(t);
	for (unsigned i = 0; i < n; i++)
		t[i] = 0;
	barrier(t);
}

SCALAR static void plain_loop_scalar(uint32_t *t, unsigned n)
{
	SCALAR_LOOP
	for (unsigned i = 0; i < n; i++)
		t[i] = i << 12 | 2;
	barrier(t);
	SCALAR_LOOP
	for (unsigned i = 0; i < n; i++)
		t[i] = 0;
	barrier(t);
}

static double best_plain_fn(void (*fn)(uint32_t *, unsigned), unsigned n)
{
	uint32_t *t = calloc(n, sizeof(*t));
	double best = 1e30;
	unsigned r, k, reps = 64;

	if (!t)
		die("calloc");
	for (r = 0; r < runs; r++) {
		double t0 = now_ns(), dt;

		for (k = 0; k < reps; k++)
			fn(t, n);
		dt = (now_ns() - t0) / reps;
		if (dt < best)
			best = dt;
	}
	free(t);
	return best;
}

static double best_plain(unsigned n)
{
	return best_plain_fn(plain_loop, n);
}

/* One map + one unmap of MAP_SIZE with pages of @page bytes; ns. */
static double best_map_unmap(struct vcm_pgtable *pt, uint64_t page)
{
	uint64_t pa = MAP_PA + (page == SZ_1M ? 0 : page);	/* forces that size */
	double best = 1e30;
	unsigned r;

	for (r = 0; r < runs; r++) {
		double t0 = now_ns(), dt;

		if (vcm_pgtable_map(pt, MAP_DVA, pa, MAP_SIZE, 0))
			die("map");
		if (vcm_pgtable_unmap(pt, MAP_DVA, MAP_SIZE) != MAP_SIZE)
			die("unmap");
		dt = now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return best;
}

/* One map call and one unmap call per 4 KiB page (the activate_page path). */
static double best_per_page(struct vcm_pgtable *pt)
{
	uint64_t n = MAP_SIZE / SZ_4K, i;
	double best = 1e30;
	unsigned r;

	for (r = 0; r < runs; r++) {
		double t0 = now_ns(), dt;

		for (i = 0; i < n; i++)
			if (vcm_pgtable_map(pt, MAP_DVA + i * SZ_4K, MAP_PA + i * SZ_4K, SZ_4K, 0))
				die("map page");
		for (i = 0; i < n; i++)
			if (vcm_pgtable_unmap(pt, MAP_DVA + i * SZ_4K, SZ_4K) != SZ_4K)
				die("unmap page");
		dt = now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return best;
}

static void bench_pgtable(struct vcm_soc *soc)
{
	static const uint64_t pages[] = { SZ_4K, SZ_64K, SZ_1M };
	static const char *const names[] = { "4K", "64K", "1M" };
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);
	vcm_size_t free0 = vcm_soc_free_bytes(soc);
	double plain_4k = best_plain(MAP_SIZE / SZ_4K);
	unsigned i;

	if (vcm_is_err(pt))
		die("vcm_pgtable_create");
	printf("Page tables: one vcm_pgtable_map + vcm_pgtable_unmap of 256 MiB\n");
	printf("  %-5s %10s %12s %14s %16s %8s\n", "page", "pages", "ns/page", "entries",
	       "plain ns/page", "ratio");
	for (i = 0; i < 3; i++) {
		uint64_t npages = MAP_SIZE / pages[i];
		/* Entries the format writes: 1 per small page or section, 16 per large. */
		unsigned entries = (unsigned)(pages[i] == SZ_1M ? npages : MAP_SIZE / SZ_4K);
		double ours = best_map_unmap(pt, pages[i]) / npages;
		double plain = best_plain(entries) / npages;

		printf("  %-5s %10llu %12.3f %14u %16.3f %7.2fx\n", names[i],
		       (unsigned long long)npages, ours, entries, plain, ours / plain);
	}
	printf("  plain loop (write + clear 65536 entries): %.3f ns/entry vectorised, %.3f scalar  "
	       "[PERFORMANCE.md: ~0.15 vectorised, ~0.5 scalar]\n", plain_4k / (MAP_SIZE / SZ_4K),
	       best_plain_fn(plain_loop_scalar, MAP_SIZE / SZ_4K) / (MAP_SIZE / SZ_4K));
	printf("  target: 4K map+unmap <= 4x the plain loop\n");
	printf("  per-page calls (map 1 page per call, then unmap 1 per call), 4K: %.2f ns/page "
	       "(%.1fx the plain loop)\n", best_per_page(pt) / (MAP_SIZE / SZ_4K),
	       best_per_page(pt) / plain_4k);
	if (vcm_soc_free_bytes(soc) != free0)
		die("free bytes after unmap");
	vcm_pgtable_destroy(pt);
}

static double best_translate(struct vcm_sysmmu *mmu, uint64_t dva0, uint64_t stride,
			     unsigned span, unsigned n)
{
	double best = 1e30;
	vcm_addr_t pa;
	unsigned r, i;

	for (r = 0; r < runs; r++) {
		double t0 = now_ns(), dt;

		for (i = 0; i < n; i++)
			if (vcm_sysmmu_translate(mmu, dva0 + (i % span) * stride, VCM_ACCESS_READ,
						 &pa))
				die("translate");
		dt = (now_ns() - t0) / n;
		if (dt < best)
			best = dt;
	}
	return best;
}

static void bench_translate(struct vcm_soc *soc)
{
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(soc, "bench");
	const unsigned n = 1U << 20;

	if (vcm_is_err(pt) || vcm_is_err(mmu))
		die("create");
	/* 64 MiB of small pages and 64 MiB of sections, all backed by RAM. */
	if (vcm_pgtable_map(pt, MAP_DVA, RAM_BASE + SZ_4K, 64ULL << 20, 0) ||
	    vcm_pgtable_map(pt, MAP_DVA + (64ULL << 20), RAM_BASE, 64ULL << 20, 0))
		die("map");
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_enable(mmu);

	printf("\nTranslation (vcm_sysmmu_translate, TLB of %u entries)\n",
	       VCM_SYSMMU_TLB_DEFAULT_ENTRIES);
	printf("  TLB hit, same page:           %6.1f ns\n",
	       best_translate(mmu, MAP_DVA, 0, 1, n));
	printf("  TLB hit, 32 pages in turn:    %6.1f ns\n",
	       best_translate(mmu, MAP_DVA, SZ_4K, 32, n));
	printf("  TLB miss, small page (2 reads): %4.1f ns\n",
	       best_translate(mmu, MAP_DVA, SZ_4K, 16384, n));
	printf("  TLB miss, section (1 read):   %6.1f ns\n",
	       best_translate(mmu, MAP_DVA + (64ULL << 20), SZ_1M, 64, n));
	printf("  target: a hit in a few ns; a miss is one walk of at most two reads\n");
	vcm_sysmmu_destroy(mmu);
	vcm_pgtable_destroy(pt);
}

struct dma_job {
	void *dst, *src;		/* memcpy */
	struct vcm_sysmmu *mmu;		/* vcm_dma_copy */
	uint64_t dst_dva, src_dva;
};

static void job_memcpy(void *arg)
{
	struct dma_job *j = arg;

	memcpy(j->dst, j->src, DMA_SIZE);
	barrier(j->dst);
}

static void job_dma(void *arg)
{
	struct dma_job *j = arg;

	if (vcm_dma_copy(j->mmu, j->dst_dva, j->mmu, j->src_dva, DMA_SIZE))
		die("vcm_dma_copy");
}

static double gbps(double ns)
{
	return DMA_SIZE / ns;
}

/* Time @fn right after a warm-up call, so every job runs as warm. */
static double time_job(void (*fn)(void *), void *arg)
{
	double t0;

	fn(arg);
	t0 = now_ns();
	fn(arg);
	return now_ns() - t0;
}

static void keep_min(double *best, double t)
{
	if (t < *best)
		*best = t;
}

static void bench_dma(struct vcm_soc *soc)
{
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(soc, "bench");
	struct dma_job heap = { 0 }, ram = { 0 }, dma4k = { 0 }, dma1m = { 0 };
	double t_memcpy = 1e30, t_ram = 1e30, t_4k = 1e30, t_1m = 1e30;
	vcm_addr_t src_pa = 0, dst_pa = 0;
	unsigned r;

	if (vcm_is_err(pt) || vcm_is_err(mmu))
		die("create");
	if (vcm_soc_alloc_pages(soc, DMA_ORDER, &src_pa) ||
	    vcm_soc_alloc_pages(soc, DMA_ORDER, &dst_pa))
		die("alloc");
	/* 1 MiB sections at 0x10000000 / 0x20000000; 4 KiB pages one page off. */
	if (vcm_pgtable_map(pt, 0x10000000, src_pa, DMA_SIZE, 0) ||
	    vcm_pgtable_map(pt, 0x20000000, dst_pa, DMA_SIZE, 0) ||
	    vcm_pgtable_map(pt, 0x30001000, src_pa, DMA_SIZE, 0) ||
	    vcm_pgtable_map(pt, 0x40001000, dst_pa, DMA_SIZE, 0))
		die("map");
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_enable(mmu);

	heap.src = malloc(DMA_SIZE);
	heap.dst = malloc(DMA_SIZE);
	if (!heap.src || !heap.dst)
		die("malloc");
	memset(heap.src, 1, DMA_SIZE);
	memset(heap.dst, 2, DMA_SIZE);
	/* The same memcpy between the simulated RAM's host pages. */
	ram.src = vcm_soc_phys_to_host(soc, src_pa);
	ram.dst = vcm_soc_phys_to_host(soc, dst_pa);
	memset(ram.src, 1, DMA_SIZE);
	memset(ram.dst, 2, DMA_SIZE);
	dma4k = (struct dma_job){ .mmu = mmu, .src_dva = 0x30001000, .dst_dva = 0x40001000 };
	dma1m = (struct dma_job){ .mmu = mmu, .src_dva = 0x10000000, .dst_dva = 0x20000000 };

	/* Interleaved, so that each figure sees the same machine load. */
	for (r = 0; r < runs * 4; r++) {
		keep_min(&t_memcpy, time_job(job_memcpy, &heap));
		keep_min(&t_ram, time_job(job_memcpy, &ram));
		keep_min(&t_4k, time_job(job_dma, &dma4k));
		keep_min(&t_1m, time_job(job_dma, &dma1m));
	}

	printf("\nDevice DMA: vcm_dma_copy of 8 MiB vs memcpy of the same bytes\n");
	printf("  memcpy, two touched malloc buffers: %6.2f GB/s  [PERFORMANCE.md: ~14.5]\n",
	       gbps(t_memcpy));
	printf("  memcpy, the SoC RAM pages used:     %6.2f GB/s  (%.2fx)\n", gbps(t_ram),
	       t_memcpy / t_ram);
	printf("  vcm_dma_copy through 4K pages:      %6.2f GB/s  (%.2fx memcpy, %.2fx RAM memcpy; "
	       "target >= 0.75x)\n", gbps(t_4k), t_memcpy / t_4k, t_ram / t_4k);
	printf("  vcm_dma_copy through 1M sections:   %6.2f GB/s  (%.2fx memcpy, %.2fx RAM memcpy; "
	       "target >= 0.9x)\n", gbps(t_1m), t_memcpy / t_1m, t_ram / t_1m);

	free(heap.src);
	free(heap.dst);
	vcm_sysmmu_destroy(mmu);
	vcm_pgtable_destroy(pt);
	vcm_soc_free_pages(soc, src_pa, DMA_ORDER);
	vcm_soc_free_pages(soc, dst_pa, DMA_ORDER);
}

int main(int argc, char **argv)
{
	struct vcm_soc *soc = vcm_soc_create();

	if (argc > 1)
		runs = (unsigned)atoi(argv[1]) ? (unsigned)atoi(argv[1]) : runs;
	if (vcm_is_err(soc) || vcm_soc_add_ram(soc, RAM_BASE, RAM_SIZE))
		die("SoC");
	printf("bench-sysmmu: best of %u runs, 1 GiB SoC RAM\n\n", runs);
	bench_pgtable(soc);
	bench_translate(soc);
	bench_dma(soc);
	vcm_soc_destroy(soc);
	return 0;
}
