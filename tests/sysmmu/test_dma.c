/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_dma.c - device DMA through System MMU models: data lands where the
 * tables say, sections and large pages are translated once, faults stop
 * the transfer without touching unmapped memory (guard bytes in RAM and in
 * the host buffer), bus errors, demand paging through the handler, bypass,
 * bad arguments, concurrent DMA while other threads map and unmap, and
 * DMA through 16 MiB supersections.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "sysmmu_util.h"
#include "cache_util.h"
#include "pgtable.h"
#include "soc-internal.h"

#define GUARD	0xA5

struct fixture {
	struct vcm_soc *soc;
	struct vcm_pgtable *pt;
	struct vcm_sysmmu *mmu;
	struct vcm_fault last;
	unsigned nfaults;
	int map_on_fault;
};

static int handler(struct vcm_sysmmu *mmu, const struct vcm_fault *fl, void *priv)
{
	struct fixture *f = priv;

	(void)mmu;
	f->last = *fl;
	f->nfaults++;
	if (!f->map_on_fault)
		return -EFAULT;
	/* Demand paging: back the faulting page with RAM 1 MiB further up. */
	return vcm_pgtable_map(f->pt, fl->dva & ~0xFFFULL,
			       RAM_BASE + 0x01000000 + (fl->dva & 0xFFFFF000ULL), 0x1000, 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_warnings_quiet();
	f->soc = test_soc(RAM_SIZE);
	f->pt = vcm_pgtable_create(f->soc);
	assert_false(vcm_is_err_or_null(f->pt));
	f->mmu = vcm_sysmmu_create(f->soc, "mfc");
	assert_false(vcm_is_err_or_null(f->mmu));
	vcm_sysmmu_set_fault_handler(f->mmu, handler, f);
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(f->pt));
	vcm_sysmmu_enable(f->mmu);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vcm_sysmmu_destroy(f->mmu);
	vcm_pgtable_destroy(f->pt);
	vcm_soc_destroy(f->soc);
	free(f);
	return 0;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + seed + (i >> 12));
}

static void guard_ram(struct fixture *f, uint64_t pa, size_t n)
{
	uint8_t *g = malloc(n);

	memset(g, GUARD, n);
	assert_int_equal(vcm_soc_phys_write(f->soc, pa, g, n), 0);
	free(g);
}

static void assert_ram_guard(struct fixture *f, uint64_t pa, size_t n)
{
	uint8_t *g = malloc(n);
	size_t i;

	assert_int_equal(vcm_soc_phys_read(f->soc, pa, g, n), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(g[i], GUARD);
	free(g);
}

static struct vcm_sysmmu_stats stats(struct vcm_sysmmu *mmu)
{
	struct vcm_sysmmu_stats st;

	vcm_sysmmu_get_stats(mmu, &st);
	return st;
}

/* Small pages mapped in reverse PA order: each byte lands where the table says. */
static void test_scattered_pages(void **state)
{
	struct fixture *f = *state;
	const unsigned n = 16;
	size_t len = n * 0x1000 - 0x345;
	uint8_t *src = malloc(len), *dst = malloc(len), *ram = malloc(0x1000);
	unsigned i;

	for (i = 0; i < n; i++)
		assert_int_equal(vcm_pgtable_map(f->pt, 0x10000000 + i * 0x1000,
						 RAM_BASE + 0x200000 - (i + 1) * 0x2000, 0x1000, 0),
				 0);
	fill(src, len, 7);
	assert_int_equal(vcm_dma_write(f->mmu, 0x10000123, src, len), 0);
	/* Each page translated exactly once, though none continues the last. */
	assert_int_equal(stats(f->mmu).translations, n);
	assert_int_equal(stats(f->mmu).walks, n);
	/* Check through the CPU's view of each PA. */
	for (i = 0; i < n; i++) {
		uint64_t pa = RAM_BASE + 0x200000 - (i + 1) * 0x2000;
		size_t off = i ? 0 : 0x123, start = i ? i * 0x1000 - 0x123 : 0;
		size_t m = 0x1000 - off;

		if (start + m > len)
			m = len - start;
		assert_int_equal(vcm_soc_phys_read(f->soc, pa + off, ram, m), 0);
		assert_memory_equal(ram, src + start, m);
	}
	memset(dst, 0, len);
	assert_int_equal(vcm_dma_read(f->mmu, 0x10000123, dst, len), 0);
	assert_memory_equal(dst, src, len);
	assert_int_equal(stats(f->mmu).faults, 0);
	assert_int_equal(stats(f->mmu).translations, 2 * n);
	assert_int_equal(stats(f->mmu).tlb_hits, n);
	free(src);
	free(dst);
	free(ram);
}

/* A section or a large page is translated once, not per 4 KiB. */
static void test_translate_once_per_page(void **state)
{
	struct fixture *f = *state;
	size_t len = 0x100000;
	uint8_t *buf = malloc(len);
	uint64_t t0;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, RAM_BASE + 0x100000, len, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00200000, RAM_BASE + 0x210000, len, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00300000, RAM_BASE + 0x401000, len, 0), 0);
	fill(buf, len, 1);

	t0 = stats(f->mmu).translations;
	assert_int_equal(vcm_dma_write(f->mmu, 0x00100000, buf, len), 0);
	assert_int_equal(stats(f->mmu).translations - t0, 1);
	t0 = stats(f->mmu).translations;
	assert_int_equal(vcm_dma_read(f->mmu, 0x00200000, buf, len), 0);
	assert_int_equal(stats(f->mmu).translations - t0, 16);
	t0 = stats(f->mmu).translations;
	assert_int_equal(vcm_dma_read(f->mmu, 0x00300000, buf, len), 0);
	assert_int_equal(stats(f->mmu).translations - t0, 256);
	/* Section to large pages: one step per large page. */
	t0 = stats(f->mmu).translations;
	assert_int_equal(vcm_dma_copy(f->mmu, 0x00200000, f->mmu, 0x00100000, len), 0);
	assert_int_equal(stats(f->mmu).translations - t0, 17);
	free(buf);
}

/* A page fault stops the write: no byte past the mapped part is written. */
static void test_fault_write_guard(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = RAM_BASE + 0x300000;
	size_t len = 0x3000;
	uint8_t *src = malloc(len), *ram = malloc(len);

	/* Two pages mapped, the third DVA page unmapped; RAM after them guarded. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x20000000, pa, 0x2000, 0), 0);
	guard_ram(f, pa, 0x4000);
	fill(src, len, 3);
	assert_int_equal(vcm_dma_write(f->mmu, 0x20000000, src, len), -EFAULT);
	assert_int_equal(f->nfaults, 1);
	assert_int_equal(f->last.type, VCM_FAULT_PAGE);
	assert_int_equal(f->last.access, VCM_ACCESS_WRITE);
	assert_int_equal(f->last.dva, 0x20002000);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PAGE_FAULT_ADDR), 0x20002000);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 1);
	assert_int_equal(vcm_soc_phys_read(f->soc, pa, ram, 0x2000), 0);
	assert_memory_equal(ram, src, 0x2000);	/* the mapped part is written */
	assert_ram_guard(f, pa + 0x2000, 0x2000);

	/* Unaligned start and a fault in the middle of the range. */
	assert_int_equal(vcm_dma_write(f->mmu, 0x1FFFF800, src, 0x1000), -EFAULT);
	assert_int_equal(f->last.dva, 0x1FFFF800);
	assert_ram_guard(f, pa + 0x2000, 0x2000);
	free(src);
	free(ram);
}

/* A page fault stops the read: dst past the mapped part is untouched. */
static void test_fault_read_guard(void **state)
{
	struct fixture *f = *state;
	size_t len = 0x3000;
	uint8_t *dst = malloc(len + 64), *ram = malloc(0x2000);
	size_t i;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x20000000, RAM_BASE + 0x300000, 0x2000, 0), 0);
	fill(ram, 0x2000, 9);
	assert_int_equal(vcm_soc_phys_write(f->soc, RAM_BASE + 0x300000, ram, 0x2000), 0);
	memset(dst, GUARD, len + 64);
	assert_int_equal(vcm_dma_read(f->mmu, 0x20000800, dst, len), -EFAULT);
	assert_int_equal(f->last.dva, 0x20002000);
	assert_int_equal(f->last.access, VCM_ACCESS_READ);
	assert_memory_equal(dst, ram + 0x800, 0x1800);	/* may be copied: it is */
	for (i = 0x1800; i < len + 64; i++)
		assert_int_equal(dst[i], GUARD);
	free(dst);
	free(ram);
}

/* Copy: a fault on either side stops it, the destination past it untouched. */
static void test_copy_faults(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu *m2 = vcm_sysmmu_create(f->soc, "g2d");
	struct vcm_pgtable *pt2 = vcm_pgtable_create(f->soc);
	uint8_t *buf = malloc(0x3000), *out = malloc(0x3000);

	assert_false(vcm_is_err_or_null(m2));
	assert_false(vcm_is_err_or_null(pt2));
	vcm_sysmmu_set_pgtable_base(m2, vcm_pgtable_base(pt2));
	vcm_sysmmu_enable(m2);
	/* Source: 3 pages in f->mmu; destination: 2 pages in m2. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x30000000, RAM_BASE + 0x500000, 0x3000, 0), 0);
	assert_int_equal(vcm_pgtable_map(pt2, 0x40000000, RAM_BASE + 0x600000, 0x2000, 0), 0);
	guard_ram(f, RAM_BASE + 0x600000, 0x3000);
	fill(buf, 0x3000, 5);
	assert_int_equal(vcm_soc_phys_write(f->soc, RAM_BASE + 0x500000, buf, 0x3000), 0);

	assert_int_equal(vcm_dma_copy(m2, 0x40000000, f->mmu, 0x30000000, 0x3000), -EFAULT);
	assert_int_equal(stats(m2).fault_counts[VCM_FAULT_PAGE], 1);
	assert_int_equal(vcm_sysmmu_readl(m2, VCM_SYSMMU_PAGE_FAULT_ADDR), 0x40002000);
	assert_int_equal(vcm_soc_phys_read(f->soc, RAM_BASE + 0x600000, out, 0x2000), 0);
	assert_memory_equal(out, buf, 0x2000);
	assert_ram_guard(f, RAM_BASE + 0x602000, 0x1000);

	/* Source fault: the destination page past it stays untouched. */
	guard_ram(f, RAM_BASE + 0x600000, 0x3000);
	assert_int_equal(vcm_dma_copy(m2, 0x40000000, f->mmu, 0x2FFFF000, 0x2000), -EFAULT);
	assert_int_equal(f->last.dva, 0x2FFFF000);
	assert_ram_guard(f, RAM_BASE + 0x600000, 0x3000);

	/* Same MMU both sides, overlapping: memmove semantics per run. */
	assert_int_equal(vcm_dma_copy(f->mmu, 0x30000010, f->mmu, 0x30000000, 0x100), 0);
	assert_int_equal(vcm_soc_phys_read(f->soc, RAM_BASE + 0x500010, out, 0x100), 0);
	assert_memory_equal(out, buf, 0x100);

	vcm_sysmmu_destroy(m2);
	vcm_pgtable_destroy(pt2);
	free(buf);
	free(out);
}

static void test_bus_error(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[64];

	/* A section whose PA is not RAM. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x10000000, 0x100000, 0), 0);
	assert_int_equal(vcm_dma_read(f->mmu, 0x00100000, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(f->last.type, VCM_FAULT_BUS_ERROR);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_DEFAULT_SLAVE_ADDR), 0x00100000);
	/* A page of RAM followed by a page that is not: stops between them. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00200000, RAM_BASE + RAM_SIZE - 0x1000,
					 0x2000, 0), 0);
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(vcm_dma_write(f->mmu, 0x00200FE0, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(f->last.type, VCM_FAULT_BUS_ERROR);
	assert_int_equal(f->last.dva, 0x00201000);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_DEFAULT_SLAVE_ADDR), 0x00201000);
	assert_int_equal(stats(f->mmu).fault_counts[VCM_FAULT_BUS_ERROR], 2);
}

/* The handler maps the page and returns 0: the DMA goes on. */
static void test_demand_paging(void **state)
{
	struct fixture *f = *state;
	size_t len = 0x4000;
	uint8_t *src = malloc(len), *dst = malloc(len);

	f->map_on_fault = 1;
	fill(src, len, 11);
	assert_int_equal(vcm_dma_write(f->mmu, 0x00050000, src, len), 0);
	assert_int_equal(f->nfaults, 4);
	assert_int_equal(vcm_dma_read(f->mmu, 0x00050000, dst, len), 0);
	assert_memory_equal(dst, src, len);
	assert_int_equal(f->nfaults, 4);
	assert_int_equal(vcm_soc_phys_read(f->soc, RAM_BASE + 0x01050000, dst, len), 0);
	assert_memory_equal(dst, src, len);
	free(src);
	free(dst);
}

static void test_bypass_and_block(void **state)
{
	struct fixture *f = *state;
	uint8_t in[100], out[100];

	vcm_sysmmu_disable(f->mmu);
	fill(in, sizeof(in), 2);
	assert_int_equal(vcm_dma_write(f->mmu, RAM_BASE + 0x7FF0, in, sizeof(in)), 0);
	assert_int_equal(vcm_soc_phys_read(f->soc, RAM_BASE + 0x7FF0, out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(vcm_dma_copy(f->mmu, RAM_BASE + 0x9000, f->mmu, RAM_BASE + 0x7FF0, 100),
			 0);
	assert_int_equal(vcm_soc_phys_read(f->soc, RAM_BASE + 0x9000, out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	/* Bypass off the end of RAM: bus error at the first byte that is not RAM. */
	assert_int_equal(vcm_dma_read(f->mmu, RAM_BASE + RAM_SIZE - 10, out, 20), -EFAULT);
	assert_int_equal(f->last.dva, RAM_BASE + RAM_SIZE);
	assert_int_equal(f->last.type, VCM_FAULT_BUS_ERROR);

	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CTRL, VCM_SYSMMU_CTRL_BLOCK_VALUE);
	memset(out, 0x5A, sizeof(out));
	assert_int_equal(vcm_dma_read(f->mmu, RAM_BASE, out, sizeof(out)), -EBUSY);
	assert_int_equal(out[0], 0x5A);
	assert_int_equal(vcm_dma_write(f->mmu, RAM_BASE, in, sizeof(in)), -EBUSY);
	assert_int_equal(vcm_dma_copy(f->mmu, RAM_BASE, f->mmu, RAM_BASE, 1), -EBUSY);
}

static void test_bad_args(void **state)
{
	struct fixture *f = *state;
	uint8_t b[16];

	assert_int_equal(vcm_dma_read(NULL, 0, b, 1), -EINVAL);
	assert_int_equal(vcm_dma_write(NULL, 0, b, 1), -EINVAL);
	assert_int_equal(vcm_dma_copy(NULL, 0, f->mmu, 0, 1), -EINVAL);
	assert_int_equal(vcm_dma_copy(f->mmu, 0, NULL, 0, 1), -EINVAL);
	assert_int_equal(vcm_dma_read(NULL, 0, b, 0), -EINVAL);
	assert_int_equal(vcm_dma_read(f->mmu, 0, b, 0), 0);
	assert_int_equal(vcm_dma_write(f->mmu, 0, b, 0), 0);
	assert_int_equal(vcm_dma_copy(f->mmu, 0, f->mmu, 0, 0), 0);
	assert_int_equal(vcm_dma_read(f->mmu, 0, NULL, 1), -EINVAL);
	assert_int_equal(vcm_dma_write(f->mmu, 0, NULL, 1), -EINVAL);
	assert_int_equal(vcm_dma_read(f->mmu, 0xFFFFFFF8, b, 16), -EINVAL);
	assert_int_equal(vcm_dma_write(f->mmu, DVA_LIMIT, b, 1), -EINVAL);
	assert_int_equal(vcm_dma_copy(f->mmu, 0xFFFFFFF8, f->mmu, 0, 16), -EINVAL);
	assert_int_equal(vcm_dma_copy(f->mmu, 0, f->mmu, 0xFFFFFFF8, 16), -EINVAL);
	assert_int_equal(stats(f->mmu).translations, 0);
	/* The very last bytes of the DVA space are fine. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0xFFFFF000, RAM_BASE, 0x1000, 0), 0);
	assert_int_equal(vcm_dma_read(f->mmu, 0xFFFFFFF0, b, 16), 0);
}

/*
 * A pinned user page in the middle of a section: the DMA must reach the
 * user's page, not the RAM page's own backing (host runs stop there).
 */
static void test_pinned_page_in_section(void **state)
{
	struct fixture *f = *state;
	const size_t len = 0x100000, pin_off = 5 * 0x1000;
	uint8_t *src = malloc(len), *back = malloc(len);
	uint8_t *user = aligned_alloc(0x1000, 0x1000);
	vcm_addr_t pa;

	assert_int_equal(vcm_soc_alloc_pages(f->soc, 8, &pa), 0);
	memset(user, 0, 0x1000);
	assert_int_equal(vcm_soc_redirect_page(f->soc, pa + pin_off, user), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00700000, pa, len, 0), 0);
	fill(src, len, 13);

	assert_int_equal(vcm_dma_write(f->mmu, 0x00700000, src, len), 0);
	assert_memory_equal(user, src + pin_off, 0x1000);
	assert_int_equal(vcm_soc_phys_read(f->soc, pa, back, len), 0);
	assert_memory_equal(back, src, len);
	memset(back, 0, len);
	assert_int_equal(vcm_dma_read(f->mmu, 0x00700000, back, len), 0);
	assert_memory_equal(back, src, len);
	/* A copy whose destination runs through the pinned page. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00800000, RAM_BASE + 0x00300000, len, 0), 0);
	assert_int_equal(vcm_dma_write(f->mmu, 0x00800000, src + 1, len - 1), 0);
	assert_int_equal(vcm_dma_copy(f->mmu, 0x00700000, f->mmu, 0x00800000, len), 0);
	assert_memory_equal(user, src + 1 + pin_off, 0x1000);

	vcm_soc_unredirect_page(f->soc, pa + pin_off);
	vcm_soc_free_pages(f->soc, pa, 8);
	free(user);
	free(src);
	free(back);
}

/* ---- concurrency: DMA threads while others map and unmap ---- */

#define NTHREADS	2
#define SHARED_DVA	0x60010000ULL	/* same level-2 table as the mappers */
#define PRIVATE_DVA	0x60000000ULL

struct worker {
	struct fixture *f;
	unsigned id;
	unsigned iters;
	int err;
};

/* Maps and unmaps its own range (sharing level-2 tables with the other). */
static void *mapper(void *arg)
{
	struct worker *w = arg;
	uint64_t dva = PRIVATE_DVA + w->id * 0x8000;
	unsigned i;

	for (i = 0; i < w->iters && !w->err; i++) {
		if (vcm_pgtable_map(w->f->pt, dva, RAM_BASE + 0x800000 + w->id * 0x8000,
				    0x8000, 0))
			w->err = 1;
		if (vcm_pgtable_unmap(w->f->pt, dva, 0x8000) != 0x8000)
			w->err = 2;
	}
	return NULL;
}

/* DMA over a range that stays mapped. */
static void *dmaer(void *arg)
{
	struct worker *w = arg;
	uint8_t buf[0x3000];
	unsigned i;

	for (i = 0; i < w->iters && !w->err; i++) {
		memset(buf, (int)(w->id + i), sizeof(buf));
		if (vcm_dma_write(w->f->mmu, SHARED_DVA + w->id * 0x4000 + 0x100, buf,
				  sizeof(buf)))
			w->err = 3;
		if (vcm_dma_read(w->f->mmu, SHARED_DVA + w->id * 0x4000 + 0x100, buf,
				 sizeof(buf)) || buf[0x2FFF] != (uint8_t)(w->id + i))
			w->err = 4;
		if (i % 64 == 0)
			vcm_sysmmu_tlb_invalidate(w->f->mmu);
	}
	return NULL;
}

/*
 * Walks the very entries the mappers are changing, through its own System
 * MMU (no handler): each translation sees an entry whole, old or new.
 */
static void *prober(void *arg)
{
	struct worker *w = arg;
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(w->f->soc, "prober");
	unsigned i;

	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(w->f->pt));
	vcm_sysmmu_enable(mmu);
	for (i = 0; i < w->iters * 4; i++) {
		uint64_t dva = PRIVATE_DVA + (i % 16) * 0x1000;
		vcm_addr_t pa = 0;

		vcm_sysmmu_tlb_invalidate(mmu);
		if (!vcm_sysmmu_translate(mmu, dva, VCM_ACCESS_READ, &pa) &&
		    pa != RAM_BASE + 0x800000 + (dva - PRIVATE_DVA))
			w->err = 5;
	}
	vcm_sysmmu_destroy(mmu);
	return NULL;
}

static void test_concurrent(void **state)
{
	struct fixture *f = *state;
	struct worker w[2 * NTHREADS + 1];
	pthread_t th[2 * NTHREADS + 1];
	unsigned i, iters = under_valgrind() ? 50 : 2000;

	assert_int_equal(vcm_pgtable_map(f->pt, SHARED_DVA, RAM_BASE + 0x700000, 0x8000, 0), 0);
	for (i = 0; i < 2 * NTHREADS + 1; i++) {
		w[i] = (struct worker){ f, i % NTHREADS, iters, 0 };
		assert_int_equal(pthread_create(&th[i], NULL,
						i < NTHREADS ? mapper :
						i < 2 * NTHREADS ? dmaer : prober, &w[i]), 0);
	}
	for (i = 0; i < 2 * NTHREADS + 1; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].err, 0);
	}
	assert_int_equal(stats(f->mmu).faults, 0);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0, DVA_LIMIT), 0x8000);
}

/* ---- concurrency: lock-free TLB hits while the table and the TLB change ---- */

#define HOT_DVA		0x70000000ULL
#define HOT_PAGES	8
#define HOT_PA(set, k)	(RAM_BASE + 0x900000 + (set) * 0x10000 + (k) * 0x1000ULL)

struct hitter {
	struct fixture *f;
	unsigned iters;
	uint64_t calls;		/* translations asked for */
	int err;
};

/* Translates the hot pages: each answer is one of the two PAs of its page, or a fault. */
static void *hit_reader(void *arg)
{
	struct hitter *h = arg;
	unsigned i;

	for (i = 0; i < h->iters && !h->err; i++) {
		unsigned k = i % HOT_PAGES;
		vcm_addr_t pa = 0;
		int ret = vcm_sysmmu_translate(h->f->mmu, HOT_DVA + k * 0x1000 + 8,
					       VCM_ACCESS_READ, &pa);

		h->calls++;
		if (ret == -EFAULT)
			continue;	/* caught between unmap and map */
		if (ret || (pa != HOT_PA(0, k) + 8 && pa != HOT_PA(1, k) + 8))
			h->err = 1;
	}
	return NULL;
}

/* Moves the hot pages between two PAs, invalidating as a driver does; reads stats. */
static void *hit_mutator(void *arg)
{
	struct hitter *h = arg;
	struct vcm_sysmmu_stats st;
	unsigned i;

	for (i = 0; i < h->iters / 16 && !h->err; i++) {
		unsigned k = i % HOT_PAGES, set = (i / HOT_PAGES + 1) % 2;
		uint64_t dva = HOT_DVA + k * 0x1000;

		if (vcm_pgtable_unmap(h->f->pt, dva, 0x1000) != 0x1000 ||
		    vcm_pgtable_map(h->f->pt, dva, HOT_PA(set, k), 0x1000, 0))
			h->err = 2;
		if (i % 3)
			vcm_sysmmu_tlb_invalidate_entry(h->f->mmu, dva);
		else
			vcm_sysmmu_writel(h->f->mmu, VCM_SYSMMU_FLUSH, 1);
		vcm_sysmmu_get_stats(h->f->mmu, &st);
		if (st.translations != st.bypassed + st.blocked + st.tlb_hits + st.tlb_misses +
				       st.multi_hits)
			h->err = 3;
	}
	return NULL;
}

/*
 * TLB hits take no lock: several threads translate the same hot pages
 * while another remaps them and invalidates.  Every answer is a PA the
 * page had, and the statistics add up to exactly the calls made.
 */
static void test_concurrent_hits(void **state)
{
	struct fixture *f = *state;
	struct hitter h[3];
	pthread_t th[3];
	struct vcm_sysmmu_stats st;
	uint64_t calls = 0;
	unsigned i, iters = under_valgrind() ? 2000 : 200000;

	vcm_sysmmu_set_fault_handler(f->mmu, NULL, NULL);
	vcm_sysmmu_set_fault_reports(f->mmu, false);
	for (i = 0; i < HOT_PAGES; i++)
		assert_int_equal(vcm_pgtable_map(f->pt, HOT_DVA + i * 0x1000, HOT_PA(0, i), 0x1000,
						 0), 0);
	for (i = 0; i < 3; i++) {
		h[i] = (struct hitter){ .f = f, .iters = iters };
		assert_int_equal(pthread_create(&th[i], NULL, i < 2 ? hit_reader : hit_mutator,
						&h[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(h[i].err, 0);
		calls += h[i].calls;
	}
	vcm_sysmmu_get_stats(f->mmu, &st);
	assert_int_equal(st.translations, calls);
	assert_int_equal(st.translations, st.tlb_hits + st.tlb_misses);
	assert_true(st.tlb_hits > 0);
	assert_int_equal(vcm_pgtable_unmap(f->pt, HOT_DVA, HOT_PAGES * 0x1000), HOT_PAGES * 0x1000);
}

/* DMA through 16 MiB supersections: one walk per supersection, bytes where the table says. */
static void test_supersection(void **state)
{
	struct fixture *f = *state;
	size_t len = 0x1400000;		/* 20 MiB: across the boundary of two supersections */
	uint8_t *src = malloc(len), *dst = malloc(len);
	vcm_addr_t pa0, pa1;

	assert_non_null(src);
	assert_non_null(dst);
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 12, &pa1), 0);	/* 16 MiB blocks */
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 12, &pa0), 0);
	/* Two supersections, the second before the first in PA. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x10000000, pa0, 0x1000000, VCM_MAP_SUPERSECTION),
			 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x11000000, pa1, 0x1000000, VCM_MAP_SUPERSECTION),
			 0);
	assert_int_equal(rd32(f->soc, vcm_pgtable_base(f->pt) + 0x11F * 4),
			 (uint32_t)pa1 | 1U << 18 | 2);
	fill(src, len, 7);
	assert_int_equal(vcm_dma_write(f->mmu, 0x10800000, src, len), 0);
	assert_int_equal(stats(f->mmu).walks, 2);
	assert_int_equal(vcm_soc_phys_read(f->soc, pa0 + 0x800000, dst, 0x800000), 0);
	assert_memory_equal(dst, src, 0x800000);
	assert_int_equal(vcm_soc_phys_read(f->soc, pa1, dst, len - 0x800000), 0);
	assert_memory_equal(dst, src + 0x800000, len - 0x800000);
	memset(dst, 0, len);
	assert_int_equal(vcm_dma_read(f->mmu, 0x10800000, dst, len), 0);
	assert_memory_equal(dst, src, len);
	assert_int_equal(stats(f->mmu).walks, 2);
	assert_int_equal(stats(f->mmu).faults, 0);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x10000000, 0x2000000), 0x2000000);
	vcm_soc_free_pages(f->soc, pa0, 12);
	vcm_soc_free_pages(f->soc, pa1, 12);
	free(src);
	free(dst);
}

/*
 * A burst walks each later page from the level-2 table of the page before
 * (level 1 read once per MiB): across a level-2 table boundary, through a
 * 64K large page, up to an invalid entry, it counts and fills exactly as a
 * walk per page does, and faults where the table says.
 */
static void test_burst_lv2_run(void **state)
{
	struct fixture *f = *state;
	const uint64_t dva0 = 0x100FC000, pa0 = RAM_BASE + 0x1FC000;
	const uint64_t hole = 0x10122000;	/* not mapped */
	struct vcm_sysmmu_stats st;
	uint8_t *buf = malloc(0x30000);
	vcm_addr_t pa;
	uint64_t dva;

	/* 4 small pages at the end of one level-2 table, 16 at the start of the next */
	for (dva = dva0; dva < 0x10110000; dva += 0x1000)
		assert_int_equal(vcm_pgtable_map(f->pt, dva, pa0 + (dva - dva0), 0x1000, 0), 0);
	/* the first page of the earlier MiB's table: what a stale level-1 link would give */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x10000000, RAM_BASE + 0x400000, 0x1000, 0), 0);
	/* one 64K large page, two small pages, the hole, one more small page */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x10110000, pa0 + 0x14000, 0x10000, 0), 0);
	assert_true(vcm_lv2_is_large(rd32(f->soc, vcm_lv1_link_pa(rd32(f->soc,
			vcm_pgtable_base(f->pt) + vcm_lv1_index(0x10110000) * 4)) +
			vcm_lv2_index(0x10110000) * 4)));
	assert_int_equal(vcm_pgtable_map(f->pt, 0x10120000, pa0 + 0x24000, 0x2000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, hole + 0x1000, pa0 + 0x27000, 0x1000, 0), 0);

	assert_int_equal(vcm_dma_read(f->mmu, dva0, buf, 0x28000), -EFAULT);
	assert_int_equal(f->nfaults, 1);
	assert_int_equal(f->last.dva, hole);
	assert_int_equal(f->last.type, VCM_FAULT_PAGE);
	st = stats(f->mmu);
	/* 4 + 16 small, 1 large, 2 small, and the hole's own walk when it faults */
	assert_int_equal(st.translations, 24);
	assert_int_equal(st.tlb_misses, 24);
	assert_int_equal(st.walks, 24);
	assert_int_equal(st.walk_reads, 48);
	assert_int_equal(st.tlb_hits, 0);
	assert_int_equal(st.faults, 1);

	/* every page the burst walked is in the TLB, with its PA */
	for (dva = dva0; dva < hole; dva += 0x1000) {
		assert_int_equal(vcm_sysmmu_translate(f->mmu, dva, VCM_ACCESS_READ, &pa), 0);
		assert_int_equal(pa, pa0 + (dva - dva0));
	}
	st = stats(f->mmu);
	assert_int_equal(st.walks, 24);
	assert_int_equal(st.tlb_hits, (hole - dva0) / 0x1000);
	free(buf);
}

/*
 * On a non-coherent SoC each level-2 entry a burst reads is checked as a
 * walk checks it: one stale entry in the middle of the run is counted and
 * warned about for exactly its page.
 */
static void test_burst_stale_lv2_entry(void **state)
{
	const uint64_t dva0 = 0x10000000, pa0 = RAM_BASE + 0x200000;
	const unsigned npages = 8, bad = 5;
	struct vcm_soc *soc = cache_soc(RAM_BASE, RAM_SIZE, true);
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(soc, "fimd");
	struct vcm_sysmmu_stats st;
	uint8_t *buf = malloc(npages * 0x1000);
	uint64_t link, entry;
	uint32_t *cpu;
	char text[64];

	(void)state;
	assert_false(vcm_is_err_or_null(pt));
	assert_false(vcm_is_err_or_null(mmu));
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_enable(mmu);
	assert_int_equal(vcm_pgtable_map(pt, dva0, pa0, npages * 0x1000, 0), 0);
	link = vcm_lv1_link_pa(rd32(soc, vcm_pgtable_base(pt) + vcm_lv1_index(dva0) * 4));
	entry = link + (vcm_lv2_index(dva0) + bad) * 4;
	/* The CPU rewrites one entry and does not clean it: devices see the old one. */
	cpu = vcm_soc_phys_to_host(soc, entry);
	*cpu = vcm_mk_small(RAM_BASE + 0x300000);
	cache_warnings_reset();

	assert_int_equal(vcm_dma_read(mmu, dva0, buf, npages * 0x1000), 0);
	vcm_sysmmu_get_stats(mmu, &st);
	assert_int_equal(st.walks, npages);
	assert_int_equal(st.stale_walks, 1);
	assert_int_equal(cache_warnings, 1);
	snprintf(text, sizeof(text), "fimd: walk for DVA %#llx read a stale",
		 (unsigned long long)(dva0 + bad * 0x1000));
	assert_true(cache_warned(text));
	snprintf(text, sizeof(text), "at PA %#llx,", (unsigned long long)entry);
	assert_true(cache_warned(text));

	*cpu = vcm_mk_small(pa0 + bad * 0x1000);	/* what RAM holds: no longer stale */
	test_warnings_quiet();
	vcm_sysmmu_destroy(mmu);
	assert_int_equal(vcm_pgtable_unmap(pt, dva0, npages * 0x1000), npages * 0x1000);
	vcm_pgtable_destroy(pt);
	test_soc_release(soc);
	free(buf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_scattered_pages),
		T(test_translate_once_per_page),
		T(test_fault_write_guard),
		T(test_fault_read_guard),
		T(test_copy_faults),
		T(test_bus_error),
		T(test_demand_paging),
		T(test_bypass_and_block),
		T(test_bad_args),
		T(test_pinned_page_in_section),
		T(test_concurrent),
		T(test_concurrent_hits),
		T(test_supersection),
		T(test_burst_lv2_run),
		cmocka_unit_test(test_burst_stale_lv2_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
