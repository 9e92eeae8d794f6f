/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_sysmmu.c - page tables, translation and device DMA, each figure
 * measured beside its plain-C reference of PERFORMANCE.md in the same
 * round; rounds repeat, and the median ratio is the verdict.
 *
 *   build/bench/bench-sysmmu [rounds]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vcm/soc.h>
#include <vcm/sysmmu.h>

#include "bench-report.h"

#define PROG		"bench-sysmmu"
#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(1ULL << 30)
#define MAP_DVA		0x10000000ULL
#define MAP_SIZE	(256ULL << 20)
#define MAP_PA		0x80000000ULL	/* need not be RAM for the table */
#define MAP_PAGES	(MAP_SIZE / SZ_4K)
#define DMA_SIZE	(8ULL << 20)
#define DMA_ORDER	11		/* 8 MiB */
#define SZ_4K		0x1000ULL
#define SZ_1M		0x100000ULL
#define XLATE_SPAN	(64ULL << 20)	/* small pages, then as many sections */
#define XLATE_PAGES	(XLATE_SPAN / SZ_4K)
#define XLATE_N		(1U << 16)	/* translations per timing */
#define HOT_PAGES	32		/* fits the TLB */
#define MAX_ROUNDS	64

static unsigned rounds = 11;

/*
 * The plain loop of PERFORMANCE.md: write then clear @n 32-bit entries, as
 * gcc vectorises it (gcc 12 needs -O3 or the dynamic cost model for this
 * loop; clang vectorises it at -O2).
 */
#if defined(__clang__)
#define VECTORISED
#else
#define VECTORISED __attribute__((optimize("O3")))
#endif

__attribute__((noinline)) VECTORISED static void plain_loop(uint32_t *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		t[i] = i << 12 | 2;
	bench_barrier(t);
	for (unsigned i = 0; i < n; i++)
		t[i] = 0;
	bench_barrier(t);
}

/* Median over the rounds of figure / reference, and of each alone. */
struct ratio {
	double fig[MAX_ROUNDS], ref[MAX_ROUNDS], r[MAX_ROUNDS];
	unsigned n;
};

static void ratio_add(struct ratio *q, double fig, double ref)
{
	q->fig[q->n] = fig;
	q->ref[q->n] = ref;
	q->r[q->n] = fig / ref;
	q->n++;
}

static double med_fig(struct ratio *q)
{
	return bench_median(q->fig, q->n);
}

static double med_ref(struct ratio *q)
{
	return bench_median(q->ref, q->n);
}

static double med_ratio(struct ratio *q)
{
	return bench_median(q->r, q->n);
}

/* ---- page tables ---- */

static double time_plain(uint32_t *t)
{
	double t0 = bench_now_ns();

	plain_loop(t, MAP_PAGES);
	return bench_now_ns() - t0;
}

static double time_map_many(struct vcm_pgtable *pt)
{
	double t0 = bench_now_ns();

	if (vcm_pgtable_map(pt, MAP_DVA, MAP_PA + SZ_4K, MAP_SIZE, 0))	/* 4 KiB pages */
		bench_die(PROG, "map");
	if (vcm_pgtable_unmap(pt, MAP_DVA, MAP_SIZE) != MAP_SIZE)
		bench_die(PROG, "unmap");
	return bench_now_ns() - t0;
}

/* One map call and one unmap call per 4 KiB page (the activate_page path). */
static double time_per_page(struct vcm_pgtable *pt)
{
	double t0 = bench_now_ns();
	uint64_t i;

	for (i = 0; i < MAP_PAGES; i++)
		if (vcm_pgtable_map(pt, MAP_DVA + i * SZ_4K, MAP_PA + i * SZ_4K, SZ_4K, 0))
			bench_die(PROG, "map page");
	for (i = 0; i < MAP_PAGES; i++)
		if (vcm_pgtable_unmap(pt, MAP_DVA + i * SZ_4K, SZ_4K) != SZ_4K)
			bench_die(PROG, "unmap page");
	return bench_now_ns() - t0;
}

static void bench_pgtable(struct vcm_soc *soc)
{
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);
	vcm_size_t free0 = vcm_soc_free_bytes(soc);
	uint32_t *t = calloc(MAP_PAGES, sizeof(*t));
	struct ratio many = { .n = 0 }, per_page = { .n = 0 };
	unsigned r;

	if (vcm_is_err(pt) || !t)
		bench_die(PROG, "setup");
	time_per_page(pt);	/* warm: level-2 pages, caches */
	for (r = 0; r < rounds; r++) {
		double plain = time_plain(t);

		ratio_add(&many, time_map_many(pt), plain);
		ratio_add(&per_page, time_per_page(pt), time_plain(t));
	}
	printf("Page tables: 65536 pages of 4 KiB (256 MiB), map then unmap; median of %u rounds\n",
	       rounds);
	printf("  plain loop (write + clear 65536 entries, vectorised): %.3f ns/entry  "
	       "[PERFORMANCE.md: ~0.15-0.19]\n", med_ref(&many) / MAP_PAGES);
	printf("  one call for all pages (map + unmap):  %7.3f ns/page  %6.2fx the plain loop\n",
	       med_fig(&many) / MAP_PAGES, med_ratio(&many));
	printf("  one page per call (map + unmap):       %7.3f ns/page  %6.2fx the plain loop  "
	       "[Linux v7s: ~100x]\n", med_fig(&per_page) / MAP_PAGES, med_ratio(&per_page));
	bench_target("pgtable-many-4K", med_ratio(&many), 1, 1.2,
		     "one vcm_pgtable_map + unmap of 65536 4K pages / plain loop");
	bench_target("pgtable-per-page-4K", med_ratio(&per_page), 1, 50,
		     "vcm_pgtable_map + unmap, one 4K page per call / plain loop");
	if (vcm_soc_free_bytes(soc) != free0)
		bench_die(PROG, "free bytes after unmap");
	free(t);
	vcm_pgtable_destroy(pt);
}

/* ---- translation ---- */

/*
 * The plain two-level lookup of the same entries: the table's own memory,
 * read through host pointers found once beforehand (no checks, no bank
 * lookup).
 */
struct plain_table {
	const uint32_t *lv1;
	const uint32_t *lv2[4096];
};

static void plain_table_init(struct plain_table *p, struct vcm_soc *soc, vcm_addr_t base)
{
	unsigned i;

	p->lv1 = vcm_soc_phys_to_host(soc, base);
	for (i = 0; i < 4096; i++)
		p->lv2[i] = (p->lv1[i] & 3) == 1 ?
			    vcm_soc_phys_to_host(soc, p->lv1[i] & 0xFFFFFC00U) : NULL;
}

__attribute__((noinline)) static uint64_t plain_lookup(const struct plain_table *p,
						       const uint32_t *dva, unsigned n)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		uint32_t d = dva[i], e = p->lv1[d >> 20];

		if ((e & 3) == 2) {
			sum += (e & 0xFFF00000U) | (d & 0xFFFFF);
		} else {
			e = p->lv2[d >> 20][(d >> 12) & 0xFF];
			sum += (e & 0xFFFFF000U) | (d & 0xFFF);
		}
	}
	return sum;
}

static double time_plain_lookup(const struct plain_table *p, const uint32_t *dva, unsigned n)
{
	double t0 = bench_now_ns();
	volatile uint64_t sink = plain_lookup(p, dva, n);

	(void)sink;
	return bench_now_ns() - t0;
}

static double time_dva_to_phys(struct vcm_pgtable *pt, const uint32_t *dva, unsigned n)
{
	double t0 = bench_now_ns();
	uint64_t sum = 0;
	vcm_addr_t pa;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (vcm_pgtable_dva_to_phys(pt, dva[i], &pa))
			bench_die(PROG, "dva_to_phys");
		sum += pa;
	}
	bench_barrier(&sum);
	return bench_now_ns() - t0;
}

static double time_translate(struct vcm_sysmmu *mmu, const uint32_t *dva, unsigned n)
{
	double t0 = bench_now_ns();
	uint64_t sum = 0;
	vcm_addr_t pa;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (vcm_sysmmu_translate(mmu, dva[i], VCM_ACCESS_READ, &pa))
			bench_die(PROG, "translate");
		sum += pa;
	}
	bench_barrier(&sum);
	return bench_now_ns() - t0;
}

static void fill_dvas(uint32_t *rand_dva, uint32_t *hot_dva)
{
	uint64_t s = 0x5eed;
	unsigned i;

	for (i = 0; i < XLATE_N; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		rand_dva[i] = (uint32_t)(MAP_DVA + ((s >> 33) % XLATE_PAGES) * SZ_4K + (i & 0xFFF));
		hot_dva[i] = (uint32_t)(MAP_DVA + (i % HOT_PAGES) * SZ_4K + 8);
	}
}

static void bench_translate(struct vcm_soc *soc)
{
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(soc, "bench");
	uint32_t *rand_dva = malloc(XLATE_N * sizeof(*rand_dva));
	uint32_t *hot_dva = malloc(XLATE_N * sizeof(*hot_dva));
	struct plain_table *plain = malloc(sizeof(*plain));
	struct ratio walk = { .n = 0 }, miss = { .n = 0 }, hit = { .n = 0 };
	unsigned r;

	if (vcm_is_err(pt) || vcm_is_err(mmu) || !rand_dva || !hot_dva || !plain)
		bench_die(PROG, "setup");
	/* 64 MiB of small pages and 64 MiB of sections, all backed by RAM. */
	if (vcm_pgtable_map(pt, MAP_DVA, RAM_BASE + SZ_4K, XLATE_SPAN, 0) ||
	    vcm_pgtable_map(pt, MAP_DVA + XLATE_SPAN, RAM_BASE, XLATE_SPAN, 0))
		bench_die(PROG, "map");
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_enable(mmu);
	plain_table_init(plain, soc, vcm_pgtable_base(pt));
	fill_dvas(rand_dva, hot_dva);

	for (r = 0; r < rounds; r++) {
		ratio_add(&walk, time_dva_to_phys(pt, rand_dva, XLATE_N),
			  time_plain_lookup(plain, rand_dva, XLATE_N));
		ratio_add(&miss, time_translate(mmu, rand_dva, XLATE_N),
			  time_plain_lookup(plain, rand_dva, XLATE_N));
		ratio_add(&hit, time_translate(mmu, hot_dva, XLATE_N),
			  time_plain_lookup(plain, hot_dva, XLATE_N));
	}
	printf("\nTranslation: 65536 DVAs (small pages), median of %u rounds, "
	       "TLB of %u entries\n", rounds, VCM_SYSMMU_TLB_DEFAULT_ENTRIES);
	printf("  plain two-level lookup, random pages of 64 MiB: %6.2f ns  "
	       "[PERFORMANCE.md: ~0.9]\n", med_ref(&walk) / XLATE_N);
	printf("  vcm_pgtable_dva_to_phys, same DVAs:             %6.2f ns  %5.2fx  "
	       "[Linux v7s iova_to_phys: ~4.5x]\n", med_fig(&walk) / XLATE_N, med_ratio(&walk));
	printf("  vcm_sysmmu_translate, same DVAs (TLB misses):   %6.2f ns  %5.2fx  (the whole "
	       "miss: lock, TLB lookup, the walk above, FIFO fill)\n",
	       med_fig(&miss) / XLATE_N, med_ratio(&miss));
	printf("  plain lookup, %u hot pages in turn:             %6.2f ns\n", HOT_PAGES,
	       med_ref(&hit) / XLATE_N);
	printf("  vcm_sysmmu_translate, same DVAs (TLB hits):     %6.2f ns  %5.2fx\n",
	       med_fig(&hit) / XLATE_N, med_ratio(&hit));
	/* A TLB miss walks with the same inline vcm_pgtable_walk() (pgtable.h). */
	bench_target("dva-to-phys-walk", med_ratio(&walk), 1, 3,
		     "vcm_pgtable_dva_to_phys (the walk of a TLB miss) / plain lookup");
	bench_target("tlb-hit", med_ratio(&hit), 1, 2,
		     "vcm_sysmmu_translate, TLB hit / plain lookup of the same entries");
	free(plain);
	free(rand_dva);
	free(hot_dva);
	vcm_sysmmu_destroy(mmu);
	vcm_pgtable_destroy(pt);
}

/* ---- DMA ---- */

static double time_memcpy(void *dst, const void *src)
{
	double t0 = bench_now_ns();

	memcpy(dst, src, DMA_SIZE);
	bench_barrier(dst);
	return bench_now_ns() - t0;
}

static double time_dma(struct vcm_sysmmu *mmu, uint64_t dst, uint64_t src)
{
	double t0 = bench_now_ns();

	if (vcm_dma_copy(mmu, dst, mmu, src, DMA_SIZE))
		bench_die(PROG, "vcm_dma_copy");
	return bench_now_ns() - t0;
}

static void bench_dma(struct vcm_soc *soc)
{
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(soc, "bench");
	struct ratio d4k = { .n = 0 }, d1m = { .n = 0 };
	vcm_addr_t src_pa = 0, dst_pa = 0;
	void *src, *dst;
	unsigned r;

	if (vcm_is_err(pt) || vcm_is_err(mmu))
		bench_die(PROG, "create");
	if (vcm_soc_alloc_pages(soc, DMA_ORDER, &src_pa) ||
	    vcm_soc_alloc_pages(soc, DMA_ORDER, &dst_pa))
		bench_die(PROG, "alloc");
	/* 1 MiB sections at 0x10000000 / 0x20000000; 4 KiB pages one page off. */
	if (vcm_pgtable_map(pt, 0x10000000, src_pa, DMA_SIZE, 0) ||
	    vcm_pgtable_map(pt, 0x20000000, dst_pa, DMA_SIZE, 0) ||
	    vcm_pgtable_map(pt, 0x30001000, src_pa, DMA_SIZE, 0) ||
	    vcm_pgtable_map(pt, 0x40001000, dst_pa, DMA_SIZE, 0))
		bench_die(PROG, "map");
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_enable(mmu);
	/* The reference: memcpy of the same bytes (the SoC RAM's host pages). */
	src = vcm_soc_phys_to_host(soc, src_pa);
	dst = vcm_soc_phys_to_host(soc, dst_pa);
	memset(src, 1, DMA_SIZE);
	memset(dst, 2, DMA_SIZE);
	time_dma(mmu, 0x40001000, 0x30001000);		/* warm */

	for (r = 0; r < rounds * 2; r++) {
		/* Ratios of speed: reference time / our time. */
		double t = time_memcpy(dst, src);

		ratio_add(&d4k, t, time_dma(mmu, 0x40001000, 0x30001000));
		t = time_memcpy(dst, src);
		ratio_add(&d1m, t, time_dma(mmu, 0x20000000, 0x10000000));
	}
	printf("\nDevice DMA: vcm_dma_copy of 8 MiB vs memcpy of the same bytes, median of %u\n",
	       rounds * 2);
	printf("  memcpy (SoC RAM host pages):       %6.2f GB/s\n", DMA_SIZE / med_fig(&d4k));
	printf("  vcm_dma_copy through 4K pages:     %6.2f GB/s  %5.2fx memcpy\n",
	       DMA_SIZE / med_ref(&d4k), med_ratio(&d4k));
	printf("  vcm_dma_copy through 1M sections:  %6.2f GB/s  %5.2fx memcpy\n",
	       DMA_SIZE / med_ref(&d1m), med_ratio(&d1m));
	bench_target("dma-4K", med_ratio(&d4k), 0, 0.95,
		     "vcm_dma_copy through 4K pages / memcpy (speed)");
	bench_target("dma-1M", med_ratio(&d1m), 0, 1.0,
		     "vcm_dma_copy through 1M sections / memcpy (speed)");
	vcm_sysmmu_destroy(mmu);
	vcm_pgtable_destroy(pt);
	vcm_soc_free_pages(soc, src_pa, DMA_ORDER);
	vcm_soc_free_pages(soc, dst_pa, DMA_ORDER);
}

int main(int argc, char **argv)
{
	struct vcm_soc *soc = vcm_soc_create();

	if (argc > 1 && atoi(argv[1]) > 0)
		rounds = (unsigned)atoi(argv[1]);
	if (rounds * 2 > MAX_ROUNDS)
		rounds = MAX_ROUNDS / 2;
	if (vcm_is_err(soc) || vcm_soc_add_ram(soc, RAM_BASE, RAM_SIZE))
		bench_die(PROG, "SoC");
	bench_header(PROG, "page tables, translation, device DMA (1 GiB SoC RAM)");
	bench_pgtable(soc);
	bench_translate(soc);
	bench_dma(soc);
	vcm_soc_destroy(soc);
	return 0;
}
