/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_dma_burst.c - a DMA burst translates every page exactly as one
 * translation of that page would: the same TLB outcome and counters, the
 * same level-2 read, the same TLB fill in the same FIFO slot, the fault at
 * the same page.  Each scenario runs one DMA on a System MMU and the same
 * pages one vcm_sysmmu_translate() at a time, in order, on a twin that
 * shares its page table and its history; the two dumps (registers, every
 * TLB entry with its slot, statistics) must be identical.  Also: exact
 * counts across a burst, a fault in the middle of one, and a planted
 * divergence the comparison must catch.
 */
#include <errno.h>
#include <stdio.h>

#include "sysmmu_util.h"
#include "pgtable.h"
#include "sysmmu-internal.h"
#include "tlb.h"

#define DVA0	0x10000000ULL		/* the scenarios' first MiB */
#define PA0	(RAM_BASE + 0x00401000)	/* not 64K-aligned: 4K pages */
#define SPAN	(3 * SZ_1M_)		/* what a scenario reads */
#define LONG	(20 * SZ_1M_)		/* what the longest one reads */
/*
 * Its entry 0 (the first level-2 table after MiB 0's) maps the PA that
 * DVA0 + 1M maps: what a burst reading on past the end of MiB 0's table
 * would find.
 */
#define DECOY	0x50000000ULL

struct fixture {
	struct vcm_soc *soc;
	struct vcm_pgtable *pt;
	struct vcm_sysmmu *dma;		/* runs the DMA */
	struct vcm_sysmmu *ref;		/* translates the same pages one by one */
	uint8_t *buf;			/* LONG bytes */
	uint64_t span;			/* what the scenario compares (SPAN) */
};

static struct vcm_sysmmu *new_mmu(struct fixture *f, const char *name)
{
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(f->soc, name);

	assert_false(vcm_is_err_or_null(mmu));
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(f->pt));
	vcm_sysmmu_enable(mmu);
	return mmu;
}

/* Every byte of the RAM the scenarios reach tells where it is. */
static void pattern_ram(struct fixture *f)
{
	const size_t len = 0x2000000;
	uint32_t *p = malloc(len);
	size_t i;

	for (i = 0; i < len / 4; i++)
		p[i] = (uint32_t)(RAM_BASE + 4 * i);
	assert_int_equal(vcm_soc_phys_write(f->soc, RAM_BASE + 0x400000, p, len), 0);
	free(p);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_warnings_quiet();
	f->soc = test_soc(RAM_SIZE);
	f->pt = vcm_pgtable_create(f->soc);
	assert_false(vcm_is_err_or_null(f->pt));
	f->dma = new_mmu(f, "mmu");
	f->ref = new_mmu(f, "mmu");
	f->buf = malloc(LONG);
	f->span = SPAN;
	pattern_ram(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vcm_sysmmu_destroy(f->dma);
	vcm_sysmmu_destroy(f->ref);
	vcm_pgtable_destroy(f->pt);
	vcm_soc_destroy(f->soc);
	free(f->buf);
	free(f);
	return 0;
}

static void map(struct fixture *f, uint64_t dva, uint64_t pa, uint64_t size)
{
	assert_int_equal(vcm_pgtable_map(f->pt, dva, pa, size, 0), 0);
}

/* Both MMUs translate @dva (the same history before the burst). */
static void warm(struct fixture *f, uint64_t dva)
{
	vcm_addr_t pa;

	assert_int_equal(vcm_sysmmu_translate(f->dma, dva, VCM_ACCESS_READ, &pa),
			 vcm_sysmmu_translate(f->ref, dva, VCM_ACCESS_READ, &pa));
}

/* The TLB slot holding @dva (a copy in *@e), or -1. */
static int slot_of(struct vcm_sysmmu *mmu, uint64_t dva, struct vcm_tlb_entry *e)
{
	uint32_t base, ctrl;
	bool stale;

	return vcm_sysmmu_tlb_line(mmu, dva, e, &stale, &base, &ctrl);
}

/*
 * The reference: translate the pages of [@dva, @dva + @len) in order, one
 * call each, stepping by the size of the page the TLB then holds, up to
 * and including the first that fails.  With @buf (what a DMA read of that
 * range gave), each page translated before the failure must have landed
 * there from its PA.  Returns 0 or that error.
 */
static int translate_each(struct fixture *f, struct vcm_sysmmu *mmu, uint64_t dva,
			  uint64_t len, const uint8_t *buf)
{
	uint64_t start = dva, end = dva + len, n;
	struct vcm_tlb_entry e;
	uint8_t *ram;
	vcm_addr_t pa;
	int err;

	while (dva < end) {
		err = vcm_sysmmu_translate(mmu, dva, VCM_ACCESS_READ, &pa);
		if (err)
			return err;
		assert_true(slot_of(mmu, dva, &e) >= 0);
		n = ((dva | e.mask) + 1 < end ? (dva | e.mask) + 1 : end) - dva;
		if (buf) {
			ram = malloc(n);
			assert_int_equal(vcm_soc_phys_read(f->soc, pa, ram, n), 0);
			assert_memory_equal(buf + (dva - start), ram, n);
			free(ram);
		}
		dva += n;
	}
	return 0;
}

/* Both MMUs hold the same entry for every page of the span (or none). */
static void assert_same_entries(struct fixture *f)
{
	struct vcm_tlb_entry a, b;
	uint64_t dva;

	for (dva = DVA0; dva < DVA0 + f->span; dva += SZ_4K_) {
		assert_int_equal(slot_of(f->dma, dva, &a), slot_of(f->ref, dva, &b));
		if (slot_of(f->dma, dva, &a) < 0)
			continue;
		assert_int_equal(a.key, b.key);
		assert_int_equal(a.tag, b.tag);
		assert_int_equal(a.mask, b.mask);
		assert_int_equal(a.pa, b.pa);
		assert_int_equal(a.pte, b.pte);
		assert_int_equal(a.pte_pa, b.pte_pa);
		assert_int_equal(a.base, b.base);
		assert_ptr_equal(a.pte_host, b.pte_host);
		assert_ptr_equal(a.nredirects, b.nredirects);
		assert_int_equal(a.bucket, b.bucket);
		assert_int_equal(a.next, b.next);
		assert_int_equal(a.cls, b.cls);
		assert_int_equal(a.warned, b.warned);
	}
}

/* The dump of @mmu without its first line (its name). */
static char *dump(struct vcm_sysmmu *mmu)
{
	struct test_capture c;
	char *text, *body;

	vcm_sysmmu_dump(mmu, test_capture_open(&c));
	text = test_capture_text(&c);
	body = strdup(strchr(text, '\n') + 1);
	free(text);
	return body;
}

/* True if both MMUs are in the same state: registers, TLB, statistics. */
static bool same_state(struct fixture *f, bool show)
{
	char *a = dump(f->dma), *b = dump(f->ref);
	bool same = !strcmp(a, b);

	if (!same && show)
		fprintf(stderr, "burst:\n%s\none by one:\n%s", a, b);
	free(a);
	free(b);
	return same;
}

static void assert_same(struct fixture *f)
{
	assert_true(same_state(f, true));
	assert_same_entries(f);
}

/* A DMA read of f->span bytes from DVA0 on one, the pages one by one on the other. */
static void burst_vs_each(struct fixture *f, int expect)
{
	memset(f->buf, 0, f->span);
	assert_int_equal(vcm_dma_read(f->dma, DVA0, f->buf, f->span), expect);
	assert_int_equal(translate_each(f, f->ref, DVA0, f->span, f->buf), expect);
	assert_same(f);
}

static void tlb_entries(struct fixture *f, unsigned n)
{
	assert_int_equal(vcm_sysmmu_set_tlb_entries(f->dma, n), 0);
	assert_int_equal(vcm_sysmmu_set_tlb_entries(f->ref, n), 0);
}

/*
 * The 3 MiB of small pages, contiguous in PA, that most scenarios read,
 * but for a 64K large page at DVA0 + 256K and a page that maps elsewhere
 * at DVA0 + 1M + 148K (each ends a run: the next access starts there),
 * and the page at @hole (0: none) left unmapped; and the DECOY page.
 */
static void map_span(struct fixture *f, uint64_t hole)
{
	uint64_t dva;

	for (dva = DVA0; dva < DVA0 + SPAN; dva += SZ_4K_) {
		if (dva == DVA0 + SZ_1M_)	/* a level-2 table between MiB 0's and 1's */
			map(f, DECOY, PA0 + SZ_1M_, SZ_4K_);
		if (dva == hole || (dva >= DVA0 + 0x40000 && dva < DVA0 + 0x50000))
			continue;
		if (dva == DVA0 + SZ_1M_ + 0x25000)
			map(f, dva, RAM_BASE + 0x0800000, SZ_4K_);
		else
			map(f, dva, PA0 + (dva - DVA0), SZ_4K_);
	}
	map(f, DVA0 + 0x40000, RAM_BASE + 0x0C00000, SZ_64K_);
}

/*
 * Hit every 4K page the TLB holds, on both, after the CPU rewrote the
 * level-2 entry of one (no invalidation): the hits (the lock-free path
 * reads each entry where the fill said it lives) and the one stale hit.
 */
static void hit_filled(struct fixture *f)
{
	struct vcm_sysmmu_stats st;
	struct vcm_tlb_entry e;
	uint32_t *pte = NULL, old = 0;
	uint64_t dva;
	vcm_addr_t pa;
	int slot;

	for (dva = DVA0; dva < DVA0 + SPAN; dva += SZ_4K_) {
		slot = slot_of(f->dma, dva, &e);
		if (slot < 0 || e.mask != SZ_4K_ - 1)
			continue;
		if (!pte) {
			pte = vcm_soc_phys_to_host(f->soc, e.pte_pa);
			old = *pte;
			*pte = vcm_mk_small(RAM_BASE + 0x0F00000);
		}
		assert_int_equal(vcm_sysmmu_translate(f->dma, dva, VCM_ACCESS_READ, &pa), 0);
		assert_int_equal(pa, e.pa);
		assert_int_equal(vcm_sysmmu_translate(f->ref, dva, VCM_ACCESS_READ, &pa), 0);
	}
	assert_non_null(pte);
	vcm_sysmmu_get_stats(f->dma, &st);
	assert_true(st.stale_hits >= 1);
	assert_same(f);
	*pte = old;
	test_warnings_quiet();
}

/*
 * Hits in the middle of bursts, entries of every other page size present,
 * a large entry left over a range now mapped as small pages (stale hits),
 * and a TLB small enough that a burst evicts its own fills.
 */
static void scenario_mixed(struct fixture *f, unsigned entries)
{
	unsigned i;

	tlb_entries(f, entries);
	map_span(f, 0);
	/* a section, a 64K page and a 16M supersection elsewhere */
	map(f, 0x20000000, RAM_BASE + 0x0A00000, SZ_1M_);
	map(f, 0x30010000, RAM_BASE + 0x0B00000, SZ_64K_);
	map(f, 0x41000000, RAM_BASE + 0x1000000, 16 * SZ_1M_);
	warm(f, 0x20000000);
	warm(f, 0x30010000);
	warm(f, 0x41000000);
	/* pages of the span already in the TLB */
	for (i = 0; i < 6; i++)
		warm(f, DVA0 + (i * 37 + 3) * SZ_4K_);
	warm(f, DVA0 + 2 * SZ_1M_ + 0x1000);
	/* a 64K entry left over 4K pages of the first burst (no invalidation) */
	for (i = 0; i < 16; i++)
		assert_int_equal(vcm_pgtable_unmap(f->pt, DVA0 + SZ_64K_ + i * SZ_4K_, SZ_4K_),
				 SZ_4K_);
	map(f, DVA0 + SZ_64K_, RAM_BASE + 0x0900000, SZ_64K_);
	warm(f, DVA0 + SZ_64K_);
	assert_int_equal(vcm_pgtable_unmap(f->pt, DVA0 + SZ_64K_, SZ_64K_), SZ_64K_);
	for (i = 0; i < 16; i++)
		map(f, DVA0 + SZ_64K_ + i * SZ_4K_, PA0 + SZ_64K_ + i * SZ_4K_, SZ_4K_);
	assert_same(f);
	burst_vs_each(f, 0);
	hit_filled(f);
	/* again: now the TLB holds what the first pass left */
	burst_vs_each(f, 0);
	hit_filled(f);
}

static void test_mixed_64(void **state)
{
	scenario_mixed(*state, 64);
}

static void test_mixed_8(void **state)
{
	scenario_mixed(*state, 8);
}

static void test_mixed_1(void **state)
{
	scenario_mixed(*state, 1);
}

/* A hole in the middle of a burst: the same fault, at the same page. */
static void test_fault_mid_burst(void **state)
{
	struct fixture *f = *state;
	const uint64_t hole = DVA0 + SZ_1M_ + 0x9000;
	struct vcm_sysmmu_stats st;
	struct vcm_tlb_entry e;
	vcm_addr_t pa;

	map_span(f, hole);
	burst_vs_each(f, -EFAULT);
	assert_int_equal(vcm_sysmmu_readl(f->dma, VCM_SYSMMU_PAGE_FAULT_ADDR), (uint32_t)hole);
	vcm_sysmmu_get_stats(f->dma, &st);
	assert_int_equal(st.faults, 1);
	assert_int_equal(st.fault_counts[VCM_FAULT_PAGE], 1);
	/* 256 pages of the first MiB (16 of them one 64K page), 9 before the hole, the hole */
	assert_int_equal(st.walks, 256 - 15 + 9 + 1);
	assert_int_equal(st.walk_reads, 2 * st.walks);
	assert_int_equal(st.translations, st.walks);
	/* nothing past the hole was translated */
	assert_int_equal(slot_of(f->dma, hole + SZ_4K_, &e), -1);
	assert_int_equal(vcm_sysmmu_translate(f->dma, hole - SZ_4K_, VCM_ACCESS_READ, &pa), 0);
	vcm_sysmmu_get_stats(f->dma, &st);
	assert_int_equal(st.tlb_hits, 1);
}

/*
 * A page of a run held by an entry from before the run: evicted by the
 * run's own fills before the run gets there (a miss), or still there (a
 * hit), at the boundary.  TLB of 8 entries; the burst starts at DVA0, the
 * page looked at is DVA0 + (@j + 1) * 4K, filled in the TLB after @before
 * pages of OTHER (and DVA0 if @dva0_held) and before @after more.
 */
#define OTHER	0x20000000ULL

static void evicted_in_run(struct fixture *f, unsigned j, unsigned before, bool dva0_held,
			   unsigned after)
{
	struct vcm_sysmmu_stats st;
	uint64_t hits;
	unsigned i;

	tlb_entries(f, 8);
	for (i = 0; i < before; i++)
		warm(f, OTHER + i * SZ_4K_);
	if (dva0_held)
		warm(f, DVA0);
	warm(f, DVA0 + (j + 1) * SZ_4K_);
	for (i = 0; i < after; i++)
		warm(f, OTHER + (before + i) * SZ_4K_);
	assert_same(f);
	vcm_sysmmu_get_stats(f->dma, &st);
	hits = st.tlb_hits;
	burst_vs_each(f, 0);
	vcm_sysmmu_get_stats(f->dma, &st);
	/* DVA0's own hit, and the page's if it was still there */
	assert_int_equal(st.tlb_hits - hits, dva0_held + (j < 8 && (dva0_held || j <= 4)));
}

static void test_evicted_in_run(void **state)
{
	struct fixture *f = *state;

	map_span(f, 0);
	map(f, OTHER, PA0, 16 * SZ_4K_);
	/*
	 * The page in slot 0, 2 more; DVA0 is walked into slot 3, the run of
	 * the pages after it fills from slot 4: slot 0 is the run's fifth
	 * fill (page 5's own), so page 5 still finds it there, page 6 not.
	 */
	evicted_in_run(f, 3, 0, false, 2);	/* page 4: a hit */
	evicted_in_run(f, 4, 0, false, 2);	/* page 5: a hit (the last one) */
	evicted_in_run(f, 5, 0, false, 2);	/* page 6: evicted */
	/*
	 * DVA0 a hit in slot 6 (no walk: page 1 is walked by itself, into
	 * slot 0), the page in slot 7: the run from page 2 fills from slot 1.
	 */
	evicted_in_run(f, 7, 6, true, 0);	/* page 8: a hit */
	evicted_in_run(f, 8, 6, true, 0);	/* page 9: evicted */
}

/*
 * A burst into the next MiB reads that MiB's level-2 table: entry 0 of the
 * table before maps the very PA the next page needs (a decoy).
 */
static void test_mib_change(void **state)
{
	struct fixture *f = *state;
	const uint64_t dva = DVA0 + SZ_1M_ - SZ_4K_, len = 4 * SZ_4K_;

	map(f, dva, PA0, len);
	map(f, DVA0, PA0 + SZ_4K_, SZ_4K_);
	memset(f->buf, 0, len);
	assert_int_equal(vcm_dma_read(f->dma, dva, f->buf, len), 0);
	assert_int_equal(translate_each(f, f->ref, dva, len, f->buf), 0);
	assert_same(f);
}

/*
 * Exact counts across bursts: every page of a 1 MiB read misses, walks
 * (two reads) and is filled in FIFO order; read again, each one is a hit.
 */
static void test_counts(void **state)
{
	struct fixture *f = *state;
	const unsigned pages = 256;
	struct vcm_sysmmu_stats st;
	struct vcm_tlb_entry e;
	unsigned i;

	tlb_entries(f, pages);
	map(f, DVA0, PA0, pages * SZ_4K_);	/* PA0: 4K pages only */
	assert_int_equal(vcm_dma_read(f->dma, DVA0, f->buf, pages * SZ_4K_), 0);
	vcm_sysmmu_get_stats(f->dma, &st);
	assert_int_equal(st.translations, pages);
	assert_int_equal(st.tlb_misses, pages);
	assert_int_equal(st.walks, pages);
	assert_int_equal(st.walk_reads, 2 * pages);
	assert_int_equal(st.tlb_hits, 0);
	for (i = 0; i < pages; i++) {
		assert_int_equal(slot_of(f->dma, DVA0 + i * SZ_4K_, &e), (int)i);
		assert_int_equal(e.pa, (uint32_t)(PA0 + i * SZ_4K_));
		assert_int_equal(e.mask, SZ_4K_ - 1);
	}
	assert_int_equal(vcm_dma_read(f->dma, DVA0, f->buf, pages * SZ_4K_), 0);
	vcm_sysmmu_get_stats(f->dma, &st);
	assert_int_equal(st.translations, 2 * pages);
	assert_int_equal(st.tlb_hits, pages);
	assert_int_equal(st.walks, pages);
	assert_int_equal(translate_each(f, f->ref, DVA0, pages * SZ_4K_, NULL), 0);
	assert_int_equal(translate_each(f, f->ref, DVA0, pages * SZ_4K_, NULL), 0);
	assert_same(f);
}

/*
 * The planted divergence: the comparison must catch one translation less
 * (neither counted nor filled), and the same counts with another page
 * filled.
 */
static void test_planted_divergence(void **state)
{
	struct fixture *f = *state;
	vcm_addr_t pa;

	map_span(f, 0);
	assert_int_equal(vcm_dma_read(f->dma, DVA0, f->buf, SPAN), 0);
	assert_int_equal(translate_each(f, f->ref, DVA0, SPAN - SZ_4K_, NULL), 0);
	assert_false(same_state(f, false));	/* the last page neither counted nor filled */
	assert_int_equal(vcm_sysmmu_translate(f->ref, DVA0 + SPAN - SZ_4K_, VCM_ACCESS_READ, &pa), 0);
	assert_same(f);
	/* the same counts and slots, another page filled in one of them */
	vcm_sysmmu_tlb_invalidate_entry(f->ref, DVA0 + SPAN - SZ_4K_);
	vcm_sysmmu_tlb_invalidate_entry(f->dma, DVA0 + SPAN - SZ_4K_);
	assert_same(f);
	assert_int_equal(vcm_sysmmu_translate(f->ref, DVA0 + SPAN - SZ_4K_, VCM_ACCESS_READ, &pa), 0);
	assert_int_equal(vcm_sysmmu_translate(f->dma, DVA0, VCM_ACCESS_READ, &pa), 0);
	assert_false(same_state(f, false));
}

/*
 * Runs that go on from one level-2 table into the next: 6 MiB of 4 KiB
 * pages, with pages in later MiBs already in the TLB (a run stops there,
 * the next begins after it), read twice.  With 1024 entries the fills
 * that stay come from five tables (each must say which one it was read
 * from); with 64 a run evicts every slot.
 */
static void scenario_long(struct fixture *f, unsigned entries)
{
	f->span = 6 * SZ_1M_;
	tlb_entries(f, entries);
	map(f, DVA0, PA0, f->span);
	warm(f, DVA0 + 2 * SZ_1M_ + 0x7000);
	warm(f, DVA0 + 4 * SZ_1M_);
	warm(f, DVA0 + 5 * SZ_1M_ - SZ_4K_);
	burst_vs_each(f, 0);
	burst_vs_each(f, 0);
}

static void test_long_1024(void **state)
{
	scenario_long(*state, 1024);
}

static void test_long_64(void **state)
{
	scenario_long(*state, 64);
}

/*
 * One access of many 4 KiB pages crosses level-2 tables (8 MiB and more
 * in one hold of the lock) but stops within its bound (less than 20 MiB);
 * the DMA of all 20 MiB is still exactly the pages one by one.
 */
static void test_run_bound(void **state)
{
	struct fixture *f = *state;
	struct vcm_dma_prefetch pf = { .valid = false };
	struct vcm_sysmmu *mmu;
	struct vcm_sysmmu_stats st;
	uint8_t *host;
	size_t run;
	uint64_t pa;

	map(f, DVA0, PA0, LONG);
	mmu = new_mmu(f, "bound");
	assert_int_equal(vcm_sysmmu_access(mmu, DVA0, VCM_ACCESS_READ, LONG, &pf, &host, &run, &pa),
			 0);
	assert_true(run >= 8 * SZ_1M_);
	assert_true(run < LONG);
	assert_int_equal(run % SZ_4K_, 0);
	assert_int_equal(pa, PA0);
	assert_ptr_equal(host, vcm_soc_phys_to_host(f->soc, PA0));
	vcm_sysmmu_get_stats(mmu, &st);
	assert_int_equal(st.translations, run / SZ_4K_);
	assert_int_equal(st.walks, run / SZ_4K_);
	assert_int_equal(st.walk_reads, 2 * st.walks);
	vcm_sysmmu_destroy(mmu);
	f->span = LONG;
	burst_vs_each(f, 0);
}

/*
 * The boundary of test_evicted_in_run() in a later MiB's table: a page of
 * MiB 1, page 271 of the run from DVA0 + 4K, held by an entry that the
 * run's own fill of that page evicts (a hit), or the fill before it (a
 * miss).  TLB of 512 entries: the page is filled, then @after pages of
 * OTHER, then DVA0 (by itself); the run fills from the slot after.
 */
static void evicted_later_table(struct fixture *f, unsigned after, unsigned hit)
{
	struct vcm_sysmmu_stats st;
	uint64_t hits;
	unsigned i;

	tlb_entries(f, 512);
	warm(f, DVA0 + SZ_1M_ + 0x10000);
	for (i = 0; i < after; i++)
		warm(f, OTHER + i * SZ_4K_);
	vcm_sysmmu_get_stats(f->dma, &st);
	hits = st.tlb_hits;
	burst_vs_each(f, 0);
	vcm_sysmmu_get_stats(f->dma, &st);
	assert_int_equal(st.tlb_hits - hits, hit);
}

static void test_evicted_later_table(void **state)
{
	struct fixture *f = *state;

	f->span = 2 * SZ_1M_;
	map(f, DVA0, PA0, f->span);
	map(f, OTHER, PA0, SZ_1M_);
	evicted_later_table(f, 239, 1);	/* FIFO distance 512 - 2 - 239 = 271 */
	evicted_later_table(f, 240, 0);
}

/* Map [@dva, @dva + @len) to @pa page by page: 4 KiB pages, whatever the alignment. */
static void map_small(struct fixture *f, uint64_t dva, uint64_t pa, uint64_t len)
{
	uint64_t off;

	for (off = 0; off < len; off += SZ_4K_)
		map(f, dva + off, pa + off, SZ_4K_);
}

/* The host address of @dva's level-2 entry (asked of a third MMU: the twins' TLBs stay). */
static uint32_t *entry_of(struct fixture *f, uint64_t dva)
{
	struct vcm_sysmmu *probe = new_mmu(f, "probe");
	struct vcm_tlb_entry e;
	uint32_t *p;
	vcm_addr_t pa;

	assert_int_equal(vcm_sysmmu_translate(probe, dva, VCM_ACCESS_READ, &pa), 0);
	assert_int_equal(slot_of(probe, dva, &e), 0);
	p = vcm_soc_phys_to_host(f->soc, e.pte_pa);
	vcm_sysmmu_destroy(probe);
	return p;
}

/*
 * What ends a run where it would go on into the next MiB, all at the next
 * PA: a section (the burst goes on with it), then 4 KiB pages whose next
 * MiB starts with a small page with another attribute bit (its own entry,
 * not the run's), and a MiB with no level-1 entry (the fault).  The same
 * translations, fills and fault as one by one.
 */
static void test_run_ends(void **state)
{
	struct fixture *f = *state;
	const uint64_t pa = RAM_BASE + 0x500000;	/* pa + 1M: section-aligned */
	uint32_t *e;

	f->span = 5 * SZ_1M_;
	tlb_entries(f, 1024);	/* keeps every page's fill to compare */
	map_small(f, DVA0, pa, SZ_1M_);
	map(f, DVA0 + SZ_1M_, pa + SZ_1M_, SZ_1M_);
	map_small(f, DVA0 + 2 * SZ_1M_, pa + 2 * SZ_1M_, 2 * SZ_1M_);
	e = entry_of(f, DVA0 + 3 * SZ_1M_);
	assert_true(vcm_lv2_is_small(*e) && !(*e & 1));
	*e |= 1;
	burst_vs_each(f, -EFAULT);
	assert_int_equal(vcm_sysmmu_readl(f->dma, VCM_SYSMMU_PAGE_FAULT_ADDR),
			 (uint32_t)(DVA0 + 4 * SZ_1M_));
}

/*
 * A DMA of 4 KiB pages into a MiB whose level-2 table is in a RAM page
 * redirected to user memory (the page's own backing holds decoys: the
 * pages after the run's own): each walk reads the user's memory.  (While
 * a page of the bank is redirected its host runs are single pages, so no
 * run of pages is tried: the run's own checks of the window matter only
 * for a redirect made while a burst runs.)
 */
static void test_run_redirected_table(void **state)
{
	struct fixture *f = *state;
	uint32_t *user = aligned_alloc(0x1000, 0x1000), link, decoy;
	const uint64_t lv1 = vcm_pgtable_base(f->pt) + vcm_lv1_index(DVA0 + SZ_1M_) * 4;
	vcm_addr_t tpa;
	unsigned i;

	assert_non_null(user);
	memset(user, 0, 0x1000);
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &tpa), 0);
	for (i = 0; i < 256; i++) {
		user[i] = vcm_mk_small(PA0 + SZ_1M_ + i * SZ_4K_);
		decoy = vcm_mk_small(PA0 + 2 * SZ_1M_ + i * SZ_4K_);
		assert_int_equal(vcm_soc_phys_write(f->soc, tpa + i * 4, &decoy, 4), 0);
	}
	assert_int_equal(vcm_soc_redirect_page(f->soc, tpa, user), 0);
	link = (uint32_t)tpa | 1;
	assert_int_equal(vcm_soc_phys_write(f->soc, lv1, &link, 4), 0);
	map(f, DVA0, PA0, SZ_1M_);

	tlb_entries(f, 512);	/* keeps every page's fill to compare */
	f->span = 2 * SZ_1M_;
	burst_vs_each(f, 0);
	assert_int_equal(memcmp(f->buf + SZ_1M_, vcm_soc_phys_to_host(f->soc, PA0 + SZ_1M_),
				SZ_1M_), 0);

	link = 0;
	assert_int_equal(vcm_soc_phys_write(f->soc, lv1, &link, 4), 0);
	vcm_soc_unredirect_page(f->soc, tpa);
	vcm_soc_free_pages(f->soc, tpa, 0);
	free(user);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_mixed_64),
		T(test_mixed_8),
		T(test_mixed_1),
		T(test_fault_mid_burst),
		T(test_evicted_in_run),
		T(test_mib_change),
		T(test_counts),
		T(test_planted_divergence),
		T(test_long_1024),
		T(test_long_64),
		T(test_run_bound),
		T(test_run_ends),
		T(test_evicted_later_table),
		T(test_run_redirected_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
