/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_sysmmu.c - the System MMU model: bypass, walks, TLB (hits, FIFO,
 * invalidation, stale hits, multi-hits), faults and their registers, the
 * register view against the function view, bad arguments, dump; INT_MASK,
 * TLB_READ/TLB_DATA, the prefetch-buffer registers, the hold after a
 * fault, 16 MiB supersections in the walk and the TLB.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include <vcm/testing.h>

#include "soc-internal.h"
#include "sysmmu_util.h"

struct fixture {
	struct vcm_soc *soc;
	struct vcm_pgtable *pt;
	struct vcm_sysmmu *mmu;
	/* what the fault handler saw */
	struct vcm_fault last;
	unsigned nfaults;
	int ret;		/* what it returns */
	int action;		/* what it does first */
	uint32_t status_seen;	/* STATUS during the last call */
};

enum { ACT_NONE, ACT_MAP, ACT_FLUSH };

static int handler(struct vcm_sysmmu *mmu, const struct vcm_fault *fl, void *priv)
{
	struct fixture *f = priv;

	assert_ptr_equal(mmu, f->mmu);
	f->last = *fl;
	f->nfaults++;
	f->status_seen = vcm_sysmmu_readl(mmu, VCM_SYSMMU_STATUS);
	if (f->action == ACT_MAP)
		assert_int_equal(vcm_pgtable_map(f->pt, fl->dva & ~0xFFFULL, RAM_BASE + 0x7000,
						 0x1000, 0), 0);
	else if (f->action == ACT_FLUSH)
		vcm_sysmmu_writel(mmu, VCM_SYSMMU_FLUSH, 1);
	return f->ret;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_warnings_quiet();
	f->soc = test_soc(RAM_SIZE);
	f->pt = vcm_pgtable_create(f->soc);
	assert_false(vcm_is_err_or_null(f->pt));
	f->mmu = vcm_sysmmu_create(f->soc, "fimc0");
	assert_false(vcm_is_err_or_null(f->mmu));
	vcm_sysmmu_set_fault_handler(f->mmu, handler, f);
	f->ret = -EFAULT;
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

static void on(struct fixture *f)
{
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(f->pt));
	vcm_sysmmu_tlb_invalidate(f->mmu);
	vcm_sysmmu_enable(f->mmu);
}

static struct vcm_sysmmu_stats stats(struct fixture *f)
{
	struct vcm_sysmmu_stats st;

	vcm_sysmmu_get_stats(f->mmu, &st);
	return st;
}

static uint64_t xlate(struct fixture *f, uint64_t dva, unsigned access)
{
	vcm_addr_t pa = 0;

	assert_int_equal(vcm_sysmmu_translate(f->mmu, dva, access, &pa), 0);
	return pa;
}

static void test_defaults_bypass(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu_stats st;
	struct vcm_sysmmu *m;

	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_CTRL), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_STATUS), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PT_BASE_ADDR), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_VERSION), 0x30200000);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_VERSION) >> 28, 3);
	assert_int_equal(vcm_sysmmu_pgtable_base(f->mmu), 0);

	/* Disabled: DVA passes through, even with a table programmed. */
	assert_int_equal(xlate(f, RAM_BASE + 0x1234, VCM_ACCESS_READ), RAM_BASE + 0x1234);
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(f->pt));
	assert_int_equal(xlate(f, RAM_BASE + 0x5678, VCM_ACCESS_WRITE), RAM_BASE + 0x5678);
	st = stats(f);
	assert_int_equal(st.translations, 2);
	assert_int_equal(st.bypassed, 2);
	assert_int_equal(st.walks + st.tlb_hits + st.tlb_misses + st.faults, 0);

	m = vcm_sysmmu_create(f->soc, NULL);
	assert_false(vcm_is_err_or_null(m));
	vcm_sysmmu_destroy(m);
	assert_int_equal(vcm_ptr_err(vcm_sysmmu_create(NULL, "x")), -EINVAL);
	vcm_sysmmu_destroy(NULL);
	vcm_sysmmu_destroy(vcm_err_ptr(-EINVAL));
}

static void test_walk_and_tlb(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu_stats st;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00210000, 0x40350000, 0x10000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00303000, 0x40567000, 0x1000, 0), 0);
	on(f);

	assert_int_equal(xlate(f, 0x00112345, VCM_ACCESS_READ), 0x40112345);
	st = stats(f);
	assert_int_equal(st.tlb_misses, 1);
	assert_int_equal(st.walks, 1);
	assert_int_equal(st.walk_reads, 1);	/* a section is one read */
	assert_int_equal(xlate(f, 0x001FFFFF, VCM_ACCESS_WRITE), 0x401FFFFF);
	st = stats(f);
	assert_int_equal(st.tlb_hits, 1);
	assert_int_equal(st.walks, 1);

	assert_int_equal(xlate(f, 0x0021ABCD, VCM_ACCESS_READ), 0x4035ABCD);
	assert_int_equal(xlate(f, 0x00303FFF, VCM_ACCESS_READ), 0x40567FFF);
	assert_int_equal(xlate(f, 0x00210000, VCM_ACCESS_READ), 0x40350000);
	st = stats(f);
	assert_int_equal(st.walks, 3);
	assert_int_equal(st.walk_reads, 5);	/* level-2 pages are two reads */
	assert_int_equal(st.tlb_hits, 2);
	assert_int_equal(st.translations, 5);
	assert_int_equal(st.stale_hits + st.faults, 0);

	/* Invalidate one entry: only that page walks again. */
	vcm_sysmmu_tlb_invalidate_entry(f->mmu, 0x00100004);
	xlate(f, 0x00100000, VCM_ACCESS_READ);
	xlate(f, 0x00303000, VCM_ACCESS_READ);
	st = stats(f);
	assert_int_equal(st.walks, 4);
	assert_int_equal(st.tlb_entry_flushes, 1);
	/* Invalidate all: everything walks again. */
	vcm_sysmmu_tlb_invalidate(f->mmu);
	xlate(f, 0x00303000, VCM_ACCESS_READ);
	xlate(f, 0x00100000, VCM_ACCESS_READ);
	st = stats(f);
	assert_int_equal(st.walks, 6);
	assert_int_equal(st.tlb_flushes, 2);
	assert_int_equal(st.translations, st.tlb_hits + st.tlb_misses);
}

static void test_tlb_size_fifo(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu_stats st;
	unsigned i;

	assert_int_equal(vcm_pgtable_map(f->pt, 0, RAM_BASE, 0x4000, 0), 0);
	on(f);
	assert_int_equal(vcm_sysmmu_set_tlb_entries(f->mmu, 0), -EINVAL);
	assert_int_equal(vcm_sysmmu_set_tlb_entries(f->mmu, VCM_SYSMMU_TLB_MAX_ENTRIES + 1),
			 -EINVAL);
	assert_int_equal(vcm_sysmmu_set_tlb_entries(NULL, 4), -EINVAL);
	assert_int_equal(vcm_sysmmu_set_tlb_entries(f->mmu, VCM_SYSMMU_TLB_MAX_ENTRIES), 0);

	assert_int_equal(vcm_sysmmu_set_tlb_entries(f->mmu, 2), 0);
	xlate(f, 0x0000, VCM_ACCESS_READ);	/* A: miss */
	xlate(f, 0x1000, VCM_ACCESS_READ);	/* B: miss */
	xlate(f, 0x0000, VCM_ACCESS_READ);	/* A: hit */
	xlate(f, 0x2000, VCM_ACCESS_READ);	/* C: miss, evicts A (first in) */
	xlate(f, 0x1000, VCM_ACCESS_READ);	/* B: hit */
	xlate(f, 0x0000, VCM_ACCESS_READ);	/* A: miss */
	st = stats(f);
	assert_int_equal(st.tlb_misses, 4);
	assert_int_equal(st.tlb_hits, 2);

	/* One entry: alternating pages always miss. */
	assert_int_equal(vcm_sysmmu_set_tlb_entries(f->mmu, 1), 0);
	for (i = 0; i < 10; i++)
		xlate(f, (i & 1) << 12, VCM_ACCESS_READ);
	assert_int_equal(stats(f).tlb_misses, 14);
}

/* A missing TLB invalidation shows as a stale hit; after it, none. */
static void test_stale_hit(void **state)
{
	struct fixture *f = *state;
	unsigned long w;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x40001000, 0x1000, 0), 0);
	on(f);
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40001010);

	/* Remap without invalidation: the TLB still answers, stale. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00400000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x40002000, 0x1000, 0), 0);
	w = vcm_warn_count();
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40001010);
	assert_int_equal(stats(f).stale_hits, 1);
	assert_int_equal(vcm_warn_count(), w + 1);
	/* Counted every time, warned once per fill. */
	assert_int_equal(xlate(f, 0x00400020, VCM_ACCESS_WRITE), 0x40001020);
	assert_int_equal(stats(f).stale_hits, 2);
	assert_int_equal(vcm_warn_count(), w + 1);

	vcm_sysmmu_tlb_invalidate_entry(f->mmu, 0x00400FFF);
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40002010);
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40002010);
	assert_int_equal(stats(f).stale_hits, 2);
	assert_int_equal(vcm_warn_count(), w + 1);

	/* Unmapped without invalidation: still translated, stale. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00400000, 0x1000), 0x1000);
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40002010);
	assert_int_equal(stats(f).stale_hits, 3);
	assert_int_equal(vcm_warn_count(), w + 2);
	vcm_sysmmu_tlb_invalidate(f->mmu);
	f->ret = -EFAULT;
	vcm_addr_t pa;
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00400010, VCM_ACCESS_READ, &pa), -EFAULT);
	assert_int_equal(stats(f).stale_hits, 3);
}

/* Switching tables without a flush: entries of the old table are stale. */
static void test_stale_base(void **state)
{
	struct fixture *f = *state;
	struct vcm_pgtable *pt2 = vcm_pgtable_create(f->soc);
	unsigned long w;

	assert_false(vcm_is_err_or_null(pt2));
	assert_int_equal(vcm_pgtable_map(f->pt, 0, 0x40100000, 0x100000, 0), 0);
	assert_int_equal(vcm_pgtable_map(pt2, 0, 0x40200000, 0x100000, 0), 0);
	on(f);
	assert_int_equal(xlate(f, 0x10, VCM_ACCESS_READ), 0x40100010);
	w = vcm_warn_count();
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_PT_BASE_ADDR, (uint32_t)vcm_pgtable_base(pt2));
	assert_int_equal(vcm_sysmmu_pgtable_base(f->mmu), vcm_pgtable_base(pt2));
	assert_int_equal(xlate(f, 0x10, VCM_ACCESS_READ), 0x40100010);
	assert_int_equal(stats(f).stale_hits, 1);
	assert_int_equal(vcm_warn_count(), w + 1);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_FLUSH, 0);
	assert_int_equal(xlate(f, 0x10, VCM_ACCESS_READ), 0x40200010);
	assert_int_equal(stats(f).stale_hits, 1);
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(f->pt));
	vcm_pgtable_destroy(pt2);
}

/*
 * Make the calling thread the one whose lock-free TLB hits @f's MMU counts
 * in its own counter (the first thread with such a hit): a miss and a hit
 * of @dva, a mapped page.
 */
static void own_hits(struct fixture *f, uint64_t dva)
{
	uint64_t pa = xlate(f, dva, VCM_ACCESS_READ);

	assert_int_equal(xlate(f, dva, VCM_ACCESS_READ), pa);
}

/*
 * The common TLB hit (lock-free, the thread that owns the hit counter, a
 * TLB of one page size, no call out of line) is the same translation as
 * the locked one: a stale entry is still seen, counted every time and
 * warned once, an entry of another page size overlapping it is a
 * multi-hit, and every hit is counted.
 */
static void test_hit_owner_path(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu_stats st;
	unsigned long w;
	vcm_addr_t pa;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00200000, 0x40003000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x40001000, 0x1000, 0), 0);
	on(f);
	own_hits(f, 0x00200010);				/* miss, hit */
	assert_int_equal(xlate(f, 0x00200020, VCM_ACCESS_WRITE), 0x40003020);	/* hit */
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40001010);	/* miss */

	/* Remapped without invalidation: the hit is stale, every time. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00400000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x40002000, 0x1000, 0), 0);
	w = vcm_warn_count();
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40001010);
	assert_int_equal(stats(f).stale_hits, 1);
	assert_int_equal(vcm_warn_count(), w + 1);
	assert_int_equal(xlate(f, 0x00400ff0, VCM_ACCESS_READ), 0x40001ff0);
	assert_int_equal(stats(f).stale_hits, 2);
	assert_int_equal(vcm_warn_count(), w + 1);

	/* Table switched without a flush: stale by its base. */
	w = vcm_warn_count();
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(f->pt) + 0x4000);	/* the next 16K */
	assert_int_equal(xlate(f, 0x00200040, VCM_ACCESS_READ), 0x40003040);
	assert_int_equal(stats(f).stale_hits, 3);
	assert_int_equal(vcm_warn_count(), w + 1);
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(f->pt));

	/* A section cached over a small page of its MiB: two entries hit. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00300000, 0x40004000, 0x1000, 0), 0);
	assert_int_equal(xlate(f, 0x00300000, VCM_ACCESS_READ), 0x40004000);	/* miss */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00300000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00300000, 0x40100000, 0x100000, 0), 0);
	assert_int_equal(xlate(f, 0x00380000, VCM_ACCESS_READ), 0x40180000);	/* miss */
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00300008, VCM_ACCESS_READ, &pa), -EFAULT);
	assert_int_equal(f->last.type, VCM_FAULT_AR_MULTIHIT);
	/* The same with the small page mapped again (the section's entry stale). */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00300000, 0x100000), 0x100000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00300000, 0x40004000, 0x1000, 0), 0);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00300010, VCM_ACCESS_WRITE, &pa), -EFAULT);
	assert_int_equal(f->last.type, VCM_FAULT_AW_MULTIHIT);
	/* The others hit one entry, with two page sizes in the TLB. */
	assert_int_equal(xlate(f, 0x00200030, VCM_ACCESS_READ), 0x40003030);	/* hit */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00300000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00300000, 0x40100000, 0x100000, 0), 0);
	assert_int_equal(xlate(f, 0x00380010, VCM_ACCESS_READ), 0x40180010);	/* hit */
	st = stats(f);
	assert_int_equal(st.tlb_misses, 4);
	assert_int_equal(st.tlb_hits, 2 + 2 + 1 + 2);	/* plain, stale, stale base, plain */
	assert_int_equal(st.multi_hits, 2);
	assert_int_equal(st.translations, st.tlb_hits + st.tlb_misses + st.multi_hits);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0, 0x01000000), 0x1000 + 0x1000 + 0x100000);
}

/*
 * A thread translating @n times the DVAs of @span bytes from 0x00200000 on
 * in turn, mapped to 0x40003000 on (after @go, if set); @err if any was
 * wrong.
 */
struct hit_thread {
	struct fixture *f;
	unsigned n;
	uint32_t span;
	pthread_barrier_t *go;
	int err;
};

static void *hit_thread(void *arg)
{
	struct hit_thread *h = arg;
	vcm_addr_t pa;
	unsigned i;

	if (h->go)
		pthread_barrier_wait(h->go);
	for (i = 0; i < h->n; i++)
		if (vcm_sysmmu_translate(h->f->mmu, 0x00200000 + i % h->span, VCM_ACCESS_READ,
					 &pa) || pa != 0x40003000 + i % h->span)
			h->err = 1;
	return NULL;
}

/* Lock-free hits of the thread that owns the counter and of others all count. */
static void test_hit_counts_threads(void **state)
{
	struct fixture *f = *state;
	struct hit_thread h[2] = { { .f = f, .n = 1000, .span = 0x1000 },
				   { .f = f, .n = 3000, .span = 0x1000 } };
	struct vcm_sysmmu_stats st;
	pthread_t th;
	unsigned i;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00200000, 0x40003000, 0x1000, 0), 0);
	on(f);
	own_hits(f, 0x00200010);
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_create(&th, NULL, hit_thread, &h[i]), 0);
		assert_int_equal(pthread_join(th, NULL), 0);
		assert_int_equal(h[i].err, 0);
	}
	assert_int_equal(xlate(f, 0x00200010, VCM_ACCESS_READ), 0x40003010);
	st = stats(f);
	assert_int_equal(st.tlb_misses, 1);
	assert_int_equal(st.tlb_hits, 1 + 1000 + 3000 + 1);
	assert_int_equal(st.translations, st.tlb_hits + st.tlb_misses);
}

/*
 * A level-2 table in a RAM page redirected to user memory (as pinning
 * does; here behind a raw link entry): every walk reads the user's memory,
 * not the page's own backing, which holds a decoy entry:
 * vcm_pgtable_dva_to_phys(), the MMU's walk on a miss, and the stale
 * check of the MMU's hits.
 */
static void test_redirected_lv2_table(void **state)
{
	struct fixture *f = *state;
	uint32_t *user = aligned_alloc(0x1000, 0x1000);
	uint32_t link, decoy = 0x40007000 | 2;
	vcm_addr_t tpa, pa;
	unsigned long w;

	assert_non_null(user);
	memset(user, 0, 0x1000);
	user[5] = 0x40006000 | 2;			/* DVA 0x00A05000 */
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &tpa), 0);
	assert_int_equal(vcm_soc_phys_write(f->soc, tpa + 5 * 4, &decoy, 4), 0);
	assert_int_equal(vcm_soc_redirect_page(f->soc, tpa, user), 0);
	link = (uint32_t)tpa | 1;
	assert_int_equal(vcm_soc_phys_write(f->soc, vcm_pgtable_base(f->pt) + 0xA * 4, &link, 4),
			 0);

	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x00A05010, &pa), 0);
	assert_int_equal(pa, 0x40006010);
	on(f);
	own_hits(f, 0x00A05010);			/* miss, hit */
	assert_int_equal(xlate(f, 0x00A05020, VCM_ACCESS_READ), 0x40006020);
	/* The user's memory changes: the hit is stale, the walk sees it. */
	w = vcm_warn_count();
	user[5] = 0x40008000 | 2;
	assert_int_equal(xlate(f, 0x00A05030, VCM_ACCESS_READ), 0x40006030);
	assert_int_equal(stats(f).stale_hits, 1);
	assert_int_equal(vcm_warn_count(), w + 1);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x00A05010, &pa), 0);
	assert_int_equal(pa, 0x40008010);
	vcm_sysmmu_tlb_invalidate(f->mmu);
	assert_int_equal(xlate(f, 0x00A05040, VCM_ACCESS_READ), 0x40008040);

	link = 0;
	assert_int_equal(vcm_soc_phys_write(f->soc, vcm_pgtable_base(f->pt) + 0xA * 4, &link, 4),
			 0);
	vcm_soc_unredirect_page(f->soc, tpa);
	vcm_soc_free_pages(f->soc, tpa, 0);
	free(user);
}

/*
 * The owner's cache of the pages it hit (sysmmu.c, struct hit_line):
 * pages whose lines are shared (64 pages apart) each translate to their
 * own PA, a DVA beyond 32 bits whose low bits are a cached page is
 * refused, pages of a section keep their offset, and every hit counts.
 * The checks run several translations in a row without reading the
 * statistics in between: a read takes the lock, after which the cache
 * tells nothing until hits fill it again.
 */
static void test_owner_cache(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu_stats st;
	vcm_addr_t pa;
	unsigned i;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00200000, 0x40003000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00240000, 0x40005000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00300000, 0x40100000, 0x100000, 0), 0);
	on(f);
	own_hits(f, 0x00200010);				/* miss, hit */
	for (i = 0; i < 4; i++) {				/* 1 miss, 7 hits */
		assert_int_equal(xlate(f, 0x00200000 + i, VCM_ACCESS_READ), 0x40003000 + i);
		assert_int_equal(xlate(f, 0x00240000 + i, VCM_ACCESS_READ), 0x40005000 + i);
	}
	assert_int_equal(xlate(f, 0x00200010, VCM_ACCESS_READ), 0x40003010);
	assert_int_equal(xlate(f, 0x00200010, VCM_ACCESS_READ), 0x40003010);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x100200010ULL, VCM_ACCESS_READ, &pa),
			 -EINVAL);
	for (i = 0; i < 3; i++) {				/* 1 miss, 5 hits */
		assert_int_equal(xlate(f, 0x00305123, VCM_ACCESS_READ), 0x40105123);
		assert_int_equal(xlate(f, 0x00306ff0, VCM_ACCESS_WRITE), 0x40106ff0);
	}
	st = stats(f);
	assert_int_equal(st.tlb_misses, 3);
	assert_int_equal(st.tlb_hits, 1 + 7 + 2 + 5);
	assert_int_equal(st.translations, st.tlb_hits + st.tlb_misses);
	assert_int_equal(st.stale_hits, 0);
}

/*
 * The owner's cached pages of two banks' level-2 tables (raw link
 * entries; two lines of the cache), then the first page of one bank
 * redirected to user memory with another entry: a lock-free hit in the
 * other bank comes first (no hold of the lock, the count stands), yet the
 * redirected bank's page is no longer answered from the cache: its hit
 * reads the user's entry and is stale.
 */
static void test_owner_cache_redirect_two_banks(void **state)
{
	struct fixture *f = *state;
	uint32_t *user = aligned_alloc(0x1000, 0x1000);
	const vcm_addr_t tb = 0x80000000;	/* the second bank's first page */
	uint32_t link, e;
	vcm_addr_t ta;
	unsigned long w;

	assert_non_null(user);
	assert_int_equal(vcm_soc_add_ram(f->soc, tb, 0x100000), 0);
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &ta), 0);
	assert_true(ta >= RAM_BASE && ta < RAM_BASE + RAM_SIZE);
	e = 0x40006000 | 2;
	assert_int_equal(vcm_soc_phys_write(f->soc, ta + 5 * 4, &e, 4), 0);
	e = 0x40007000 | 2;
	assert_int_equal(vcm_soc_phys_write(f->soc, tb + 6 * 4, &e, 4), 0);
	link = (uint32_t)ta | 1;
	assert_int_equal(vcm_soc_phys_write(f->soc, vcm_pgtable_base(f->pt) + 0xA * 4, &link, 4),
			 0);
	link = (uint32_t)tb | 1;
	assert_int_equal(vcm_soc_phys_write(f->soc, vcm_pgtable_base(f->pt) + 0xB * 4, &link, 4),
			 0);
	on(f);
	own_hits(f, 0x00A05010);
	own_hits(f, 0x00B06010);
	assert_int_equal(stats(f).tlb_misses, 2);	/* a hold of the lock */
	assert_int_equal(vcm_soc_phys_read(f->soc, ta, user, 0x1000), 0);
	user[5] = 0x40008000 | 2;
	/* both cached again, under the count that stands from here on */
	assert_int_equal(xlate(f, 0x00A05010, VCM_ACCESS_READ), 0x40006010);
	assert_int_equal(xlate(f, 0x00B06010, VCM_ACCESS_READ), 0x40007010);
	assert_int_equal(xlate(f, 0x00A05010, VCM_ACCESS_READ), 0x40006010);
	assert_int_equal(vcm_soc_redirect_page(f->soc, ta, user), 0);
	w = vcm_warn_count();
	assert_int_equal(xlate(f, 0x00B06020, VCM_ACCESS_READ), 0x40007020);
	assert_int_equal(xlate(f, 0x00A05020, VCM_ACCESS_READ), 0x40006020);	/* stale hit */
	assert_int_equal(stats(f).stale_hits, 1);
	assert_int_equal(vcm_warn_count(), w + 1);

	vcm_soc_unredirect_page(f->soc, ta);
	link = 0;
	assert_int_equal(vcm_soc_phys_write(f->soc, vcm_pgtable_base(f->pt) + 0xA * 4, &link, 4),
			 0);
	assert_int_equal(vcm_soc_phys_write(f->soc, vcm_pgtable_base(f->pt) + 0xB * 4, &link, 4),
			 0);
	vcm_soc_free_pages(f->soc, ta, 0);
	free(user);
}

/*
 * A table this thread already translated through (it remembers it, its
 * window open) whose level-2 table's page is then redirected to user
 * memory holding another entry: vcm_pgtable_dva_to_phys() reads the
 * user's memory from then on, and the page's own again once it is back.
 */
static void test_redirect_after_translation(void **state)
{
	struct fixture *f = *state;
	uint32_t *user = aligned_alloc(0x1000, 0x1000);
	vcm_addr_t lv2, pa;
	uint32_t lv1;

	assert_non_null(user);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00300000, 0x40003000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x00300010, &pa), 0);
	assert_int_equal(pa, 0x40003010);
	assert_int_equal(vcm_soc_phys_read(f->soc, vcm_pgtable_base(f->pt) + 3 * 4, &lv1, 4), 0);
	lv2 = lv1 & ~0x3FFU;
	assert_int_equal(vcm_soc_phys_read(f->soc, lv2 & ~0xFFFULL, user, 0x1000), 0);
	user[(lv2 & 0xFFF) / 4] = 0x40009000 | 2;
	assert_int_equal(vcm_soc_redirect_page(f->soc, lv2 & ~0xFFFULL, user), 0);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x00300010, &pa), 0);
	assert_int_equal(pa, 0x40009010);
	vcm_soc_unredirect_page(f->soc, lv2 & ~0xFFFULL);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x00300010, &pa), 0);
	assert_int_equal(pa, 0x40003010);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00300000, 0x1000), 0x1000);
	free(user);
}

/*
 * A page in the owner's cache is still checked on every hit: a stale entry
 * is counted every time (warned once), also when its level-2 table moves
 * to user memory (a page of its bank redirected, with another entry there),
 * and a flush is seen at once.
 */
static void test_owner_cache_stale(void **state)
{
	struct fixture *f = *state;
	uint32_t *user = aligned_alloc(0x1000, 0x1000);
	vcm_addr_t lv2;
	unsigned long w;
	uint32_t lv1;

	assert_non_null(user);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00200000, 0x40003000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x40001000, 0x1000, 0), 0);
	on(f);
	own_hits(f, 0x00200010);				/* miss, hit */
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40001010);	/* miss */
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40001010);
	assert_int_equal(stats(f).stale_hits, 0);
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40001010);
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40001010);	/* cached */

	/* Remapped without invalidation: stale, every time. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00400000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x40002000, 0x1000, 0), 0);
	w = vcm_warn_count();
	assert_int_equal(xlate(f, 0x00400020, VCM_ACCESS_READ), 0x40001020);
	assert_int_equal(xlate(f, 0x00400030, VCM_ACCESS_READ), 0x40001030);
	assert_int_equal(stats(f).stale_hits, 2);
	assert_int_equal(vcm_warn_count(), w + 1);

	/* A flush: the next translation walks, with no stale hit. */
	assert_int_equal(xlate(f, 0x00200010, VCM_ACCESS_READ), 0x40003010);
	assert_int_equal(xlate(f, 0x00200010, VCM_ACCESS_READ), 0x40003010);	/* cached */
	vcm_sysmmu_tlb_invalidate(f->mmu);
	assert_int_equal(xlate(f, 0x00400010, VCM_ACCESS_READ), 0x40002010);
	assert_int_equal(stats(f).tlb_misses, 3);

	/* The level-2 table of 0x00200000 read from user memory, changed. */
	assert_int_equal(xlate(f, 0x00200010, VCM_ACCESS_READ), 0x40003010);	/* miss */
	assert_int_equal(xlate(f, 0x00200010, VCM_ACCESS_READ), 0x40003010);
	assert_int_equal(xlate(f, 0x00200010, VCM_ACCESS_READ), 0x40003010);	/* cached */
	assert_int_equal(vcm_soc_phys_read(f->soc, vcm_pgtable_base(f->pt) + 2 * 4, &lv1, 4), 0);
	assert_int_equal(lv1 & 3, 1);
	lv2 = lv1 & ~0x3FFU;
	assert_int_equal(vcm_soc_phys_read(f->soc, lv2 & ~0xFFFULL, user, 0x1000), 0);
	user[(lv2 & 0xFFF) / 4] = 0x40009000 | 2;
	assert_int_equal(vcm_soc_redirect_page(f->soc, lv2 & ~0xFFFULL, user), 0);
	w = vcm_warn_count();
	assert_int_equal(xlate(f, 0x00200020, VCM_ACCESS_READ), 0x40003020);
	vcm_soc_unredirect_page(f->soc, lv2 & ~0xFFFULL);
	assert_int_equal(stats(f).stale_hits, 3);
	assert_int_equal(vcm_warn_count(), w + 1);
	free(user);
}

/*
 * The owner hits from its cache while another thread hits the same pages
 * at the same time: each translation right, each hit counted once (only
 * the owner takes its cache and counter).
 */
static void test_owner_cache_threads(void **state)
{
	struct fixture *f = *state;
	pthread_barrier_t go;
	struct hit_thread c[2] = { { .f = f, .n = 1000000, .span = 0x4000, .go = &go },
				   { .f = f, .n = 1000000, .span = 0x4000, .go = &go } };
	struct vcm_sysmmu_stats st;
	pthread_t th;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00200000, 0x40003000, 0x4000, 0), 0);
	on(f);
	own_hits(f, 0x00200010);				/* miss, hit */
	assert_int_equal(xlate(f, 0x00201000, VCM_ACCESS_READ), 0x40004000);
	assert_int_equal(xlate(f, 0x00202000, VCM_ACCESS_READ), 0x40005000);
	assert_int_equal(xlate(f, 0x00203000, VCM_ACCESS_READ), 0x40006000);
	assert_int_equal(pthread_barrier_init(&go, NULL, 2), 0);
	assert_int_equal(pthread_create(&th, NULL, hit_thread, &c[1]), 0);
	hit_thread(&c[0]);
	assert_int_equal(pthread_join(th, NULL), 0);
	pthread_barrier_destroy(&go);
	assert_int_equal(c[0].err, 0);
	assert_int_equal(c[1].err, 0);
	st = stats(f);
	assert_int_equal(st.tlb_misses, 4);
	assert_int_equal(st.tlb_hits, 1 + 2000000);
	assert_int_equal(st.translations, st.tlb_hits + st.tlb_misses);
}

/* The owner's one-check memory of its MMU forgets it when it is destroyed. */
static void test_owner_cache_destroyed(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu *old = f->mmu;
	unsigned long w;
	vcm_addr_t pa;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00200000, 0x40003000, 0x1000, 0), 0);
	on(f);
	own_hits(f, 0x00200010);
	assert_int_equal(xlate(f, 0x00200010, VCM_ACCESS_READ), 0x40003010);	/* cached */
	f->mmu = vcm_sysmmu_create(f->soc, "fimc1");	/* made first: not at old's address */
	assert_false(vcm_is_err_or_null(f->mmu));
	vcm_sysmmu_destroy(old);
	w = vcm_warn_count();
	assert_int_equal(vcm_sysmmu_translate(old, 0x00200010, VCM_ACCESS_READ, &pa), -EINVAL);
	assert_int_equal(vcm_warn_count(), w + 1);
}

/* A section and a small page cached for one DVA: multi-hit. */
static void test_multihit(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu_stats st;
	vcm_addr_t pa;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40001000, 0x1000, 0), 0);
	on(f);
	assert_int_equal(xlate(f, 0x00100000, VCM_ACCESS_READ), 0x40001000);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00100000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	/* Another DVA of the MiB misses and caches the section. */
	assert_int_equal(xlate(f, 0x00180000, VCM_ACCESS_READ), 0x40180000);

	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00100008, VCM_ACCESS_READ, &pa), -EFAULT);
	assert_int_equal(f->last.type, VCM_FAULT_AR_MULTIHIT);
	assert_int_equal(f->last.dva, 0x00100008);
	assert_int_equal(f->last.access, VCM_ACCESS_READ);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 1U << 1);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AR_FAULT_ADDR), 0x00100008);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00100010, VCM_ACCESS_WRITE, &pa), -EFAULT);
	assert_int_equal(f->last.type, VCM_FAULT_AW_MULTIHIT);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 3U << 1);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AW_FAULT_ADDR), 0x00100010);
	/* The rest of the section hits one entry only. */
	assert_int_equal(xlate(f, 0x00101000, VCM_ACCESS_READ), 0x40101000);
	st = stats(f);
	assert_int_equal(st.multi_hits, 2);
	assert_int_equal(st.fault_counts[VCM_FAULT_AR_MULTIHIT], 1);
	assert_int_equal(st.fault_counts[VCM_FAULT_AW_MULTIHIT], 1);

	/* A handler that flushes the TLB and asks for a retry resolves it. */
	f->action = ACT_FLUSH;
	f->ret = 0;
	assert_int_equal(xlate(f, 0x00100008, VCM_ACCESS_READ), 0x40100008);
	assert_int_equal(f->nfaults, 3);

	/* A DMA running into the multi-hit page stops there with the fault. */
	f->action = ACT_NONE;
	f->ret = -EFAULT;
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00100000, 0x100000), 0x100000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x000FF000, 0x40002000, 0x2000, 0), 0);
	vcm_sysmmu_tlb_invalidate(f->mmu);
	xlate(f, 0x00100000, VCM_ACCESS_READ);		/* small page cached */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00100000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	xlate(f, 0x00180000, VCM_ACCESS_READ);		/* section cached too */
	{
		uint8_t buf[0x2000];

		assert_int_equal(vcm_dma_read(f->mmu, 0x000FF000, buf, sizeof(buf)), -EFAULT);
		assert_int_equal(f->last.type, VCM_FAULT_AR_MULTIHIT);
		assert_int_equal(f->last.dva, 0x00100000);
		assert_int_equal(f->nfaults, 4);
	}
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x000FF000, 0x1000), 0x1000);

	/* Invalidating the overlapping entry alone also resolves it. */
	f->action = ACT_NONE;
	f->ret = -EFAULT;
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00100000, 0x100000), 0x100000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40001000, 0x1000, 0), 0);
	vcm_sysmmu_tlb_invalidate(f->mmu);
	xlate(f, 0x00100000, VCM_ACCESS_READ);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00100000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	xlate(f, 0x00180000, VCM_ACCESS_READ);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_FLUSH_ENTRY, 0x00100000);
	assert_int_equal(xlate(f, 0x00100000, VCM_ACCESS_READ), 0x40100000);
	assert_int_equal(f->nfaults, 4);
}

static void test_page_fault(void **state)
{
	struct fixture *f = *state;
	vcm_addr_t pa;

	on(f);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x12345678, VCM_ACCESS_WRITE, &pa), -EFAULT);
	assert_int_equal(f->nfaults, 1);
	assert_int_equal(f->last.dva, 0x12345678);
	assert_int_equal(f->last.access, VCM_ACCESS_WRITE);
	assert_int_equal(f->last.type, VCM_FAULT_PAGE);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 1);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PAGE_FAULT_ADDR), 0x12345678);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AW_FAULT_ADDR), 0);
	assert_int_equal(stats(f).faults, 1);
	assert_int_equal(stats(f).fault_counts[VCM_FAULT_PAGE], 1);

	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_INT_CLEAR, 1);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PAGE_FAULT_ADDR), 0);

	/* Handler returning 0 without fixing: retried once, faults twice. */
	f->ret = 0;
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00001000, VCM_ACCESS_READ, &pa), -EFAULT);
	assert_int_equal(f->nfaults, 3);

	/* Handler mapping the page: the retry succeeds (demand paging). */
	f->action = ACT_MAP;
	assert_int_equal(xlate(f, 0x00002abc, VCM_ACCESS_READ), RAM_BASE + 0x7abc);
	assert_int_equal(f->nfaults, 4);

	/* No handler: the fault fails the access. */
	vcm_sysmmu_set_fault_handler(f->mmu, NULL, NULL);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00003000, VCM_ACCESS_READ, &pa), -EFAULT);
	assert_int_equal(f->nfaults, 4);
	assert_int_equal(stats(f).faults, 5);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PAGE_FAULT_ADDR), 0x00003000);
}

static void test_bus_error(void **state)
{
	struct fixture *f = *state;
	uint8_t byte = 0;
	vcm_addr_t pa;

	/* Translating to a PA that is not RAM is fine; accessing it is not. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x10000000, 0x100000, 0), 0);
	on(f);
	assert_int_equal(xlate(f, 0x00100040, VCM_ACCESS_READ), 0x10000040);
	assert_int_equal(f->nfaults, 0);
	assert_int_equal(vcm_dma_read(f->mmu, 0x00100040, &byte, 1), -EFAULT);
	assert_int_equal(f->last.type, VCM_FAULT_BUS_ERROR);
	assert_int_equal(f->last.access, VCM_ACCESS_READ);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 1U << 3);
	/* A bus error's address is in DEFAULT_SLAVE_ADDR (where exynos-iommu reads it). */
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_DEFAULT_SLAVE_ADDR), 0x00100040);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AR_FAULT_ADDR), 0);
	assert_int_equal(vcm_dma_write(f->mmu, 0x00100080, &byte, 1), -EFAULT);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_DEFAULT_SLAVE_ADDR), 0x00100080);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AW_FAULT_ADDR), 0);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_INT_CLEAR, 1U << 3);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_DEFAULT_SLAVE_ADDR), 0);

	/* A table that is not RAM: the walk itself bus-errors. */
	vcm_sysmmu_set_pgtable_base(f->mmu, 0x20000000);
	vcm_sysmmu_tlb_invalidate(f->mmu);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00100040, VCM_ACCESS_READ, &pa), -EFAULT);
	assert_int_equal(f->last.type, VCM_FAULT_BUS_ERROR);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_DEFAULT_SLAVE_ADDR), 0x00100040);

	/* A level-1 link to a level-2 table that is not RAM. */
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(f->pt));
	{
		uint32_t link = 0x20000000 | 1;

		assert_int_equal(vcm_soc_phys_write(f->soc, vcm_pgtable_base(f->pt) + 0x300 * 4,
						    &link, sizeof(link)), 0);
	}
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x30000000, VCM_ACCESS_WRITE, &pa), -EFAULT);
	assert_int_equal(f->last.type, VCM_FAULT_BUS_ERROR);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x30000000, &pa), -ENOENT);
	{
		uint32_t fault = 0;

		assert_int_equal(vcm_soc_phys_write(f->soc, vcm_pgtable_base(f->pt) + 0x300 * 4,
						    &fault, sizeof(fault)), 0);
	}

	/* Bypass to a PA that is not RAM. */
	vcm_sysmmu_disable(f->mmu);
	assert_int_equal(xlate(f, 0x00100040, VCM_ACCESS_WRITE), 0x00100040);
	assert_int_equal(vcm_dma_write(f->mmu, 0x00100040, &byte, 1), -EFAULT);
	assert_int_equal(f->last.type, VCM_FAULT_BUS_ERROR);
	assert_int_equal(stats(f).fault_counts[VCM_FAULT_BUS_ERROR], 5);
}

/* Two faults set two bits; clearing one keeps the other's address. */
static void test_int_clear_partial(void **state)
{
	struct fixture *f = *state;
	struct vcm_fault fl = { 0x5000, VCM_ACCESS_READ, VCM_FAULT_BUS_ERROR };

	assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, &fl), -EFAULT);
	fl.dva = 0x6000;
	fl.type = VCM_FAULT_AR_PROTECTION;
	assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, &fl), -EFAULT);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), (1U << 3) | (1U << 5));
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AR_FAULT_ADDR), 0x6000);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_DEFAULT_SLAVE_ADDR), 0x5000);
	fl.dva = 0x7000;
	assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, &fl), -EFAULT);	/* AR protection */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_INT_CLEAR, 1U << 3);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 1U << 5);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_DEFAULT_SLAVE_ADDR), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AR_FAULT_ADDR), 0x7000);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_INT_CLEAR, 0xFF);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AR_FAULT_ADDR), 0);
}

static void test_inject_all_kinds(void **state)
{
	struct fixture *f = *state;
	unsigned t;

	f->ret = 0;
	for (t = 0; t < VCM_FAULT_NR_TYPES; t++) {
		unsigned acc = (t == VCM_FAULT_AW_MULTIHIT || t == VCM_FAULT_AW_SECURITY ||
				t == VCM_FAULT_AW_PROTECTION) ? VCM_ACCESS_WRITE : VCM_ACCESS_READ;
		struct vcm_fault fl = { 0x1000 * (t + 1), acc, (enum vcm_fault_type)t };

		assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, &fl), 0);
		assert_int_equal(f->last.type, t);
		assert_int_equal(f->last.dva, 0x1000 * (t + 1));
		assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS),
				 (2U << t) - 1);
		assert_int_equal(stats(f).fault_counts[t], 1);
	}
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 0xFF);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PAGE_FAULT_ADDR), 0x1000);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AR_FAULT_ADDR), 0x6000);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AW_FAULT_ADDR), 0x8000);
	assert_int_equal(stats(f).faults, VCM_FAULT_NR_TYPES);

	struct vcm_fault bad = { 0, VCM_ACCESS_READ, (enum vcm_fault_type)VCM_FAULT_NR_TYPES };
	assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, &bad), -EINVAL);
	bad.type = VCM_FAULT_PAGE;
	bad.access = 0;
	assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, &bad), -EINVAL);
	bad.access = VCM_ACCESS_READ;
	assert_int_equal(vcm_sysmmu_inject_fault(NULL, &bad), -EINVAL);
	assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, NULL), -EINVAL);
}

/* What vcm_sysmmu_dump() prints for @mmu (to be freed). */
static char *dump_to_string(struct vcm_sysmmu *mmu)
{
	struct test_capture c;

	vcm_sysmmu_dump(mmu, test_capture_open(&c));
	return test_capture_text(&c);
}

/* The register view and the function view are one state. */
static void test_registers(void **state)
{
	struct fixture *f = *state;
	uint32_t base = (uint32_t)vcm_pgtable_base(f->pt);
	unsigned long w;
	vcm_addr_t pa;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);

	vcm_sysmmu_enable(f->mmu);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_CTRL), 0x5);
	vcm_sysmmu_disable(f->mmu);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_CTRL), 0x0);

	vcm_sysmmu_set_pgtable_base(f->mmu, base);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PT_BASE_ADDR), base);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_PT_BASE_ADDR, 0x12345678);
	assert_int_equal(vcm_sysmmu_pgtable_base(f->mmu), 0x12344000);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_PT_BASE_ADDR, base);
	assert_int_equal(vcm_sysmmu_pgtable_base(f->mmu), base);

	/* Enable by register: translation uses the table. */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CTRL, VCM_SYSMMU_CTRL_ENABLE);
	assert_int_equal(xlate(f, 0x00100010, VCM_ACCESS_READ), 0x40100010);
	assert_int_equal(stats(f).walks, 1);
	/* FLUSH by register empties the TLB; the function view counts it. */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_FLUSH, 1);
	assert_int_equal(stats(f).tlb_flushes, 1);
	xlate(f, 0x00100010, VCM_ACCESS_READ);
	assert_int_equal(stats(f).walks, 2);
	xlate(f, 0x00100010, VCM_ACCESS_READ);
	assert_int_equal(stats(f).walks, 2);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_FLUSH_ENTRY, 0x001FFFFF);
	assert_int_equal(stats(f).tlb_entry_flushes, 1);
	xlate(f, 0x00100010, VCM_ACCESS_READ);
	assert_int_equal(stats(f).walks, 3);
	/* FLUSH_ENTRY of another DVA keeps it. */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_FLUSH_ENTRY, 0x00200000);
	xlate(f, 0x00100010, VCM_ACCESS_READ);
	assert_int_equal(stats(f).walks, 3);

	/* Block: STATUS says so, translations wait (-EBUSY), no fault. */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CTRL, VCM_SYSMMU_CTRL_BLOCK_VALUE);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_CTRL), 0x7);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_STATUS), VCM_SYSMMU_STATUS_BLOCKED);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00100010, VCM_ACCESS_READ, &pa), -EBUSY);
	assert_int_equal(stats(f).blocked, 1);
	assert_int_equal(stats(f).faults, 0);
	{
		char *buf = dump_to_string(f->mmu);

		assert_non_null(strstr(buf, "CTRL            0x00000007  blocked"));
		assert_non_null(strstr(buf, "STATUS          0x00000001"));
		free(buf);
	}
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CTRL, VCM_SYSMMU_CTRL_ENABLE);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_STATUS), 0);
	assert_int_equal(xlate(f, 0x00100010, VCM_ACCESS_READ), 0x40100010);
	/* Disable by register: bypass. */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CTRL, VCM_SYSMMU_CTRL_DISABLE);
	assert_int_equal(xlate(f, RAM_BASE + 0x10, VCM_ACCESS_READ), RAM_BASE + 0x10);

	/* Stored registers. */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CFG, 0x80);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_CFG), 0x80);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_DEFAULT_SLAVE_ADDR, 0x40000000);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_DEFAULT_SLAVE_ADDR), 0x40000000);

	/* Write-only registers read 0; read-only ones ignore writes (warning). */
	w = vcm_warn_count();
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_FLUSH), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_FLUSH_ENTRY), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_CLEAR), 0);
	assert_int_equal(vcm_warn_count(), w);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_VERSION, 0);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_STATUS, 1);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_INT_STATUS, 1);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_PAGE_FAULT_ADDR, 1);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_AR_FAULT_ADDR, 1);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_AW_FAULT_ADDR, 1);
	assert_int_equal(vcm_warn_count(), w + 6);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_VERSION), VCM_SYSMMU_VERSION_VALUE);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 0);
	/* Unknown and unaligned offsets: read 0, write ignored, warnings. */
	assert_int_equal(vcm_sysmmu_readl(f->mmu, 0x040), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, 0x05C), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, 0x1000), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, 0x002), 0);
	vcm_sysmmu_writel(f->mmu, 0x048, 1);
	vcm_sysmmu_writel(f->mmu, 0x015, 1);
	assert_int_equal(vcm_warn_count(), w + 12);
	assert_int_equal(vcm_sysmmu_pgtable_base(f->mmu), base);
}

static void test_bad_args(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu_stats st;
	unsigned long w = vcm_warn_count();
	vcm_addr_t pa;

	assert_int_equal(vcm_sysmmu_translate(NULL, 0, VCM_ACCESS_READ, &pa), -EINVAL);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0, VCM_ACCESS_READ, NULL), -EINVAL);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0, 0, &pa), -EINVAL);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0, 3, &pa), -EINVAL);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, DVA_LIMIT, VCM_ACCESS_READ, &pa), -EINVAL);
	assert_int_equal(vcm_warn_count(), w);

	vcm_sysmmu_enable(NULL);
	vcm_sysmmu_disable(NULL);
	vcm_sysmmu_set_pgtable_base(NULL, 0);
	vcm_sysmmu_tlb_invalidate(NULL);
	vcm_sysmmu_tlb_invalidate_entry(NULL, 0);
	vcm_sysmmu_set_fault_handler(NULL, NULL, NULL);
	assert_int_equal(vcm_sysmmu_readl(NULL, VCM_SYSMMU_CTRL), 0);
	vcm_sysmmu_writel(NULL, VCM_SYSMMU_CTRL, 5);
	assert_int_equal(vcm_warn_count(), w + 8);
	assert_int_equal(vcm_sysmmu_pgtable_base(NULL), 0);

	/* Bases the register cannot hold are truncated, with a warning. */
	vcm_sysmmu_set_pgtable_base(f->mmu, 0x40001000);
	assert_int_equal(vcm_sysmmu_pgtable_base(f->mmu), 0x40000000);
	vcm_sysmmu_set_pgtable_base(f->mmu, 0x140004000ULL);
	assert_int_equal(vcm_sysmmu_pgtable_base(f->mmu), 0x40004000);
	assert_int_equal(vcm_warn_count(), w + 10);

	memset(&st, 0xAA, sizeof(st));
	vcm_sysmmu_get_stats(NULL, &st);
	assert_int_equal(st.translations, 0);
	vcm_sysmmu_get_stats(f->mmu, NULL);
}

static void test_dump(void **state)
{
	struct fixture *f = *state;
	struct vcm_fault fl = { 0x00300000, VCM_ACCESS_READ, VCM_FAULT_PAGE };
	char *d;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00200000, 0x40300000, 0x1000, 0), 0);
	on(f);
	xlate(f, 0x00100000, VCM_ACCESS_READ);
	xlate(f, 0x00200000, VCM_ACCESS_READ);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00200000, 0x1000), 0x1000);
	vcm_sysmmu_inject_fault(f->mmu, &fl);
	d = dump_to_string(f->mmu);
	printf("%s", d);
	assert_non_null(strstr(d, "sysmmu fimc0:"));
	assert_non_null(strstr(d, "CTRL            0x00000005  enabled"));
	assert_non_null(strstr(d, "INT_STATUS      0x00000001  [page fault]"));
	assert_non_null(strstr(d, "PAGE_FAULT_ADDR 0x00300000"));
	assert_non_null(strstr(d, "VERSION         0x30200000  (v3.1)"));
	assert_non_null(strstr(d, "TLB: 2 of 64 entries valid"));
	assert_non_null(strstr(d, "dva 0x00100000-0x001fffff -> pa 0x40100000  1M  pte 0x40100002\n"));
	assert_non_null(strstr(d, "dva 0x00200000-0x00200fff -> pa 0x40300000  4K  pte 0x40300002  STALE\n"));
	assert_non_null(strstr(d, "translations 2  tlb hits 0  misses 2  walks 2 (3 reads)"));
	assert_non_null(strstr(d, "page fault     1"));
	free(d);
	d = dump_to_string(NULL);
	assert_string_equal(d, "sysmmu: (none)\n");
	free(d);
	vcm_sysmmu_dump(f->mmu, NULL);
}

/* A masked fault type is recorded (status, address, stats) but no handler runs. */
static void test_int_mask(void **state)
{
	struct fixture *f = *state;
	struct vcm_fault fl = { 0x9000, VCM_ACCESS_WRITE, VCM_FAULT_AW_PROTECTION };
	vcm_addr_t pa;

	on(f);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_MASK), 0);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_INT_MASK, VCM_SYSMMU_INT_BIT(VCM_FAULT_PAGE));
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00300010, VCM_ACCESS_READ, &pa), -EFAULT);
	assert_int_equal(f->nfaults, 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_STATUS), 1U << VCM_FAULT_PAGE);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PAGE_FAULT_ADDR), 0x00300010);
	assert_int_equal(stats(f).faults, 1);
	assert_int_equal(stats(f).fault_counts[VCM_FAULT_PAGE], 1);
	/* Other types still interrupt. */
	assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, &fl), -EFAULT);
	assert_int_equal(f->nfaults, 1);
	/* Masked, inject returns -EFAULT without calling the handler. */
	f->ret = 0;
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_INT_MASK, 0xFFFFFFFF);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_INT_MASK), 0xFF);
	assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, &fl), -EFAULT);
	assert_int_equal(f->nfaults, 1);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_AW_FAULT_ADDR), 0x9000);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_INT_MASK, 0);
	assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, &fl), 0);
	assert_int_equal(f->nfaults, 2);
}

/* TLB_READ selects an entry and a word; TLB_DATA reads it. */
static void test_tlb_read(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00210000, 0x40350000, 0x10000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00302000, 0x40777000, 0x1000, 0), 0);
	on(f);
	xlate(f, 0x00100010, VCM_ACCESS_READ);
	xlate(f, 0x00218000, VCM_ACCESS_READ);
	xlate(f, 0x00302FFF, VCM_ACCESS_WRITE);

	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA), 0x00100000 | 2 << 1 | 1);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, 0 | VCM_SYSMMU_TLB_READ_PA);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA), 0x40100000);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, 1);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA), 0x00210000 | 1 << 1 | 1);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, 1 | VCM_SYSMMU_TLB_READ_PA);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA), 0x40350000);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, 2);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA),
			 0x00302000 | VCM_SYSMMU_TLB_SIZE_4K << 1 | VCM_SYSMMU_TLB_TAG_VALID);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, 2 | VCM_SYSMMU_TLB_READ_PA);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA), 0x40777000);
	/* An invalid entry, an index past the TLB: 0. */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, 3);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA), 0);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, 0xFFFFFFFF);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_READ), 0x80000FFF);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA), 0);
	/* An invalidated entry reads invalid. */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_FLUSH, 1);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA), 0);
	/* TLB_DATA is read-only. */
	{
		unsigned long w = vcm_warn_count();

		vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_DATA, 1);
		assert_int_equal(vcm_warn_count(), w + 1);
	}
}

/* What exynos-iommu programs when VERSION reads 3: stored and read back. */
static void test_prefetch_buffers(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(f->pt));
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_VERSION) >> 28, 3);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CFG, (1U << 12) | (2U << 28));
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_PB0_SADDR, 0);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_PB0_EADDR, 0xFFFFFFFE);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_PB1_SADDR, 0x00100000);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_PB1_EADDR, 0x001FFFFF);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CTRL, VCM_SYSMMU_CTRL_ENABLE);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_CFG), (1U << 12) | (2U << 28));
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PB0_SADDR), 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PB0_EADDR), 0xFFFFFFFE);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PB1_SADDR), 0x00100000);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_PB1_EADDR), 0x001FFFFF);
	/* They change no translation. */
	assert_int_equal(xlate(f, 0x00100010, VCM_ACCESS_READ), 0x40100010);
	{
		char *buf = dump_to_string(f->mmu);

		assert_non_null(strstr(buf, "PB0             0x00000000-0xfffffffe  PB1 "
					    "0x00100000-0x001fffff"));
		free(buf);
	}
}

/* With the fault hold on, a fault blocks the MMU until CTRL is written. */
static void test_fault_hold(void **state)
{
	struct fixture *f = *state;
	vcm_addr_t pa;
	uint8_t byte;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	on(f);
	/* Off (the default): the next access after a fault proceeds. */
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00500000, VCM_ACCESS_READ, &pa), -EFAULT);
	assert_int_equal(f->status_seen, 0);
	assert_int_equal(xlate(f, 0x00100010, VCM_ACCESS_READ), 0x40100010);

	/* On, the handler fails the access: held during and after the call. */
	vcm_sysmmu_set_fault_hold(f->mmu, true);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00500000, VCM_ACCESS_READ, &pa), -EFAULT);
	assert_int_equal(f->status_seen, VCM_SYSMMU_STATUS_BLOCKED);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_STATUS), VCM_SYSMMU_STATUS_BLOCKED);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_CTRL), VCM_SYSMMU_CTRL_ENABLE);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00100010, VCM_ACCESS_READ, &pa), -EBUSY);
	assert_int_equal(vcm_dma_read(f->mmu, 0x00100010, &byte, 1), -EBUSY);
	assert_int_equal(stats(f).blocked, 2);
	assert_int_equal(f->nfaults, 2);
	/* exynos-iommu's unblock: a write of CTRL. */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CTRL, VCM_SYSMMU_CTRL_ENABLE);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_STATUS), 0);
	assert_int_equal(xlate(f, 0x00100010, VCM_ACCESS_READ), 0x40100010);

	/* Samsung 2011's sysmmu_tlb_invalidate(): CTRL | BLOCK, FLUSH, CTRL & ~BLOCK. */
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00500000, VCM_ACCESS_READ, &pa), -EFAULT);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CTRL,
			  vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_CTRL) | VCM_SYSMMU_CTRL_BLOCK);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_FLUSH, 1);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_CTRL,
			  vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_CTRL) & ~VCM_SYSMMU_CTRL_BLOCK);
	assert_int_equal(xlate(f, 0x00100010, VCM_ACCESS_READ), 0x40100010);

	/* A handler that resolves the fault and returns 0: retried, not held. */
	f->action = ACT_MAP;
	f->ret = 0;
	assert_int_equal(xlate(f, 0x00500010, VCM_ACCESS_WRITE), RAM_BASE + 0x7010);
	assert_int_equal(f->status_seen, VCM_SYSMMU_STATUS_BLOCKED);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_STATUS), 0);

	/* No handler: held until vcm_sysmmu_enable() (a CTRL write). */
	vcm_sysmmu_set_fault_handler(f->mmu, NULL, NULL);
	assert_int_equal(vcm_dma_read(f->mmu, 0x00600000, &byte, 1), -EFAULT);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00100010, VCM_ACCESS_READ, &pa), -EBUSY);
	vcm_sysmmu_enable(f->mmu);
	assert_int_equal(xlate(f, 0x00100010, VCM_ACCESS_READ), 0x40100010);

	/* A masked fault holds nothing. */
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_INT_MASK, VCM_SYSMMU_INT_BIT(VCM_FAULT_PAGE));
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00600000, VCM_ACCESS_READ, &pa), -EFAULT);
	assert_int_equal(xlate(f, 0x00100010, VCM_ACCESS_READ), 0x40100010);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_INT_MASK, 0);

	/* Turning the hold off lets go. */
	assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x00600000, VCM_ACCESS_READ, &pa), -EFAULT);
	{
		char *buf = dump_to_string(f->mmu);

		assert_non_null(strstr(buf, "CTRL            0x00000005  held after a fault"));
		free(buf);
	}
	vcm_sysmmu_set_fault_hold(f->mmu, false);
	assert_int_equal(xlate(f, 0x00100010, VCM_ACCESS_READ), 0x40100010);
	{
		unsigned long w = vcm_warn_count();

		vcm_sysmmu_set_fault_hold(NULL, true);
		assert_int_equal(vcm_warn_count(), w + 1);
	}
}

/* A 16 MiB supersection translates through one TLB entry. */
static void test_supersection(void **state)
{
	struct fixture *f = *state;
	uint64_t base = vcm_pgtable_base(f->pt);
	uint32_t e = 0x43040002, zero = 0;
	unsigned i;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x01000000, 0x42000000, 0x1000000,
					 VCM_MAP_SUPERSECTION), 0);
	on(f);
	assert_int_equal(xlate(f, 0x01000010, VCM_ACCESS_READ), 0x42000010);
	assert_int_equal(xlate(f, 0x01FFFFF0, VCM_ACCESS_WRITE), 0x42FFFFF0);
	assert_int_equal(xlate(f, 0x01876543, VCM_ACCESS_READ), 0x42876543);
	assert_int_equal(stats(f).walks, 1);
	assert_int_equal(stats(f).tlb_hits, 2);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, 0);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA),
			 0x01000000 | VCM_SYSMMU_TLB_SIZE_16M << 1 | VCM_SYSMMU_TLB_TAG_VALID);
	vcm_sysmmu_writel(f->mmu, VCM_SYSMMU_TLB_READ, VCM_SYSMMU_TLB_READ_PA);
	assert_int_equal(vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_TLB_DATA), 0x42000000);
	/* FLUSH_ENTRY of any DVA inside drops it. */
	vcm_sysmmu_tlb_invalidate_entry(f->mmu, 0x01ABC000);
	xlate(f, 0x01000010, VCM_ACCESS_READ);
	assert_int_equal(stats(f).walks, 2);
	/* Unmapped without invalidation: a stale hit. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x01000000, 0x1000000), 0x1000000);
	assert_int_equal(xlate(f, 0x01100000, VCM_ACCESS_READ), 0x42100000);
	assert_int_equal(stats(f).stale_hits, 1);

	/* Entries written by hand (as another driver would): bit 18 in 16 slots. */
	for (i = 0; i < 16; i++)
		assert_int_equal(vcm_soc_phys_write(f->soc, base + (0x30 + i) * 4, &e, 4), 0);
	vcm_sysmmu_tlb_invalidate(f->mmu);
	assert_int_equal(xlate(f, 0x03ABCDEF, VCM_ACCESS_READ), 0x43ABCDEF);
	assert_int_equal(xlate(f, 0x03000000, VCM_ACCESS_READ), 0x43000000);
	assert_int_equal(stats(f).walks, 3);

	/* One slot of it cleared alone: the fault report names the cut. */
	assert_int_equal(vcm_soc_phys_write(f->soc, base + 0x35 * 4, &zero, 4), 0);
	vcm_sysmmu_tlb_invalidate(f->mmu);
	{
		struct vcm_warn_capture *c = vcm_warn_capture_start();
		vcm_addr_t pa;

		assert_int_equal(vcm_sysmmu_translate(f->mmu, 0x03500000, VCM_ACCESS_READ, &pa),
				 -EFAULT);
		assert_int_equal(vcm_warn_captured(c, "likely cause: a supersection cut"), 1);
		assert_int_equal(vcm_warn_captured(c, "16 MiB supersection"), 0);	/* lv1 is a fault */
		vcm_warn_capture_stop(c);
		test_warnings_quiet();
	}
	for (i = 0; i < 16; i++)
		assert_int_equal(vcm_soc_phys_write(f->soc, base + (0x30 + i) * 4, &zero, 4), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults_bypass),
		T(test_walk_and_tlb),
		T(test_tlb_size_fifo),
		T(test_stale_hit),
		T(test_stale_base),
		T(test_multihit),
		T(test_hit_owner_path),
		T(test_hit_counts_threads),
		T(test_redirected_lv2_table),
		T(test_redirect_after_translation),
		T(test_owner_cache_redirect_two_banks),
		T(test_owner_cache),
		T(test_owner_cache_stale),
		T(test_owner_cache_threads),
		T(test_owner_cache_destroyed),
		T(test_page_fault),
		T(test_bus_error),
		T(test_int_clear_partial),
		T(test_inject_all_kinds),
		T(test_registers),
		T(test_bad_args),
		T(test_dump),
		T(test_int_mask),
		T(test_tlb_read),
		T(test_prefetch_buffers),
		T(test_fault_hold),
		T(test_supersection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
