/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_cache.c - the non-coherent cache model (<vcm/cache.h>) at work:
 * device DMA through 4 KiB pages and the maintenance of a range that is
 * already clean, each against a memcpy of the same bytes, in turn (median
 * of the rounds).  The coherent figures (the model off) are bench-sysmmu's:
 * bench/compare.sh prints them before and after side by side.
 *
 * Every timed operation starts with cold caches (a scratch buffer larger
 * than the last-level cache is written before it).  The DMA must read two
 * copies of its source (RAM, and the CPU's copy it is checked against)
 * where memcpy reads one, and its copies are not the memcpy's: run back to
 * back, the memcpy finds its bytes still in the cache (the clean before it
 * read them) and the DMA does not, and the ratio measures the cache's size
 * rather than the model.  A device's buffer is not in the CPU's cache when
 * the device reads it, so cold is also the case that matters.
 *
 *   build/bench/bench-cache [rounds]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vcm/cache.h>
#include <vcm/soc.h>
#include <vcm/sysmmu.h>

#include "bench-report.h"

#define PROG		"bench-cache"
#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(1ULL << 30)
#define DMA_SIZE	(8ULL << 20)
#define DMA_ORDER	11		/* 8 MiB */
#define SRC_DVA		0x30001000ULL	/* 4 KiB pages: one page off */
#define DST_DVA		0x40001000ULL
#define MAX_ROUNDS	64

#define SCRATCH_SIZE	(128ULL << 20)	/* more than any last-level cache here */

static unsigned rounds = 11;
static unsigned char *scratch;

/* Push the buffers out of the CPU's caches (not timed). */
static void cold_caches(void)
{
	memset(scratch, (unsigned char)(scratch[0] + 1), SCRATCH_SIZE);
	bench_barrier(scratch);
}

static double time_memcpy(void *dst, const void *src)
{
	double t0 = bench_now_ns();

	memcpy(dst, src, DMA_SIZE);
	bench_barrier(dst);
	return bench_now_ns() - t0;
}

static double time_dma(struct vcm_sysmmu *mmu)
{
	double t0 = bench_now_ns();

	if (vcm_dma_copy(mmu, DST_DVA, mmu, SRC_DVA, DMA_SIZE))
		bench_die(PROG, "vcm_dma_copy");
	return bench_now_ns() - t0;
}

static double time_clean(struct vcm_soc *soc, vcm_addr_t pa)
{
	double t0 = bench_now_ns();

	if (vcm_cache_maint(soc, pa, DMA_SIZE, VCM_CACHE_CLEAN))
		bench_die(PROG, "vcm_cache_maint");
	return bench_now_ns() - t0;
}

int main(int argc, char **argv)
{
	double dma[MAX_ROUNDS], clean[MAX_ROUNDS], cp_dma[MAX_ROUNDS], cp_clean[MAX_ROUNDS];
	double r_dma[MAX_ROUNDS], r_clean[MAX_ROUNDS];
	struct vcm_soc *soc = vcm_soc_create();
	struct vcm_pgtable *pt;
	struct vcm_sysmmu *mmu;
	vcm_addr_t src_pa = 0, dst_pa = 0;
	void *src, *dst;
	unsigned r;

	if (argc > 1 && atoi(argv[1]) > 0)
		rounds = (unsigned)atoi(argv[1]);
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	if (vcm_is_err(soc) || vcm_soc_add_ram(soc, RAM_BASE, RAM_SIZE) ||
	    vcm_soc_set_noncoherent(soc, NULL))
		bench_die(PROG, "non-coherent SoC");
	pt = vcm_pgtable_create(soc);
	mmu = vcm_sysmmu_create(soc, "bench");
	if (vcm_is_err(pt) || vcm_is_err(mmu))
		bench_die(PROG, "create");
	if (vcm_soc_alloc_pages(soc, DMA_ORDER, &src_pa) ||
	    vcm_soc_alloc_pages(soc, DMA_ORDER, &dst_pa))
		bench_die(PROG, "alloc");
	if (vcm_pgtable_map(pt, SRC_DVA, src_pa, DMA_SIZE, 0) ||
	    vcm_pgtable_map(pt, DST_DVA, dst_pa, DMA_SIZE, 0))
		bench_die(PROG, "map");
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_enable(mmu);
	/* The CPU fills both buffers and cleans them: the DMA reads nothing stale. */
	src = vcm_soc_phys_to_host(soc, src_pa);
	dst = vcm_soc_phys_to_host(soc, dst_pa);
	memset(src, 1, DMA_SIZE);
	memset(dst, 2, DMA_SIZE);
	if (vcm_cache_maint(soc, src_pa, DMA_SIZE, VCM_CACHE_FLUSH) ||
	    vcm_cache_maint(soc, dst_pa, DMA_SIZE, VCM_CACHE_FLUSH))
		bench_die(PROG, "vcm_cache_maint");
	time_dma(mmu);					/* warm */
	scratch = calloc(1, SCRATCH_SIZE);
	if (!scratch)
		bench_die(PROG, "scratch");

	bench_header(PROG, "the non-coherent cache model (1 GiB SoC RAM)");
	for (r = 0; r < rounds; r++) {
		/* Ratios of speed: reference time / our time. */
		cold_caches();
		cp_dma[r] = time_memcpy(dst, src);
		cold_caches();
		dma[r] = time_dma(mmu);
		r_dma[r] = cp_dma[r] / dma[r];
		cold_caches();
		cp_clean[r] = time_memcpy(dst, src);
		cold_caches();
		clean[r] = time_clean(soc, src_pa);
		r_clean[r] = cp_clean[r] / clean[r];
	}
	printf("\nNon-coherent SoC, 8 MiB, cold caches, median of %u\n", rounds);
	printf("  memcpy (SoC RAM host pages):           %6.2f GB/s\n",
	       DMA_SIZE / bench_median(cp_dma, rounds));
	printf("  vcm_dma_copy through 4K pages:         %6.2f GB/s  %5.2fx memcpy\n",
	       DMA_SIZE / bench_median(dma, rounds), bench_median(r_dma, rounds));
	printf("  vcm_cache_maint(CLEAN) of a clean range: %6.2f GB/s  %5.2fx memcpy\n",
	       DMA_SIZE / bench_median(clean, rounds), bench_median(r_clean, rounds));
	bench_target("nc-dma-4K", bench_median(r_dma, rounds), 0, 0.5,
		     "non-coherent vcm_dma_copy through 4K pages / memcpy (speed)");
	bench_target("nc-clean", bench_median(r_clean, rounds), 0, 0.5,
		     "non-coherent clean of a clean range / memcpy (speed)");
	vcm_sysmmu_destroy(mmu);
	vcm_pgtable_destroy(pt);
	vcm_soc_free_pages(soc, src_pa, DMA_ORDER);
	vcm_soc_free_pages(soc, dst_pa, DMA_ORDER);
	vcm_soc_destroy(soc);
	free(scratch);
	return 0;
}
