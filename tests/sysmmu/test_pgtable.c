/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_pgtable.c - Exynos page tables in SoC RAM: raw entries, page-size
 * choice, overlap refusal, cut refusal, level-2 freeing, the one-page
 * path (its checks, a released table, a second thread), rollback, random
 * sequences against an independent decoder and model, dump, 16 MiB
 * supersections (raw entries, cuts, dump), runs at every position of a
 * level-2 table.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "sysmmu_util.h"

struct fixture {
	struct vcm_soc *soc;
	struct vcm_pgtable *pt;
	vcm_size_t free0;	/* free bytes before the table was made */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_warnings_quiet();
	f->soc = test_soc(RAM_SIZE);
	f->free0 = vcm_soc_free_bytes(f->soc);
	f->pt = vcm_pgtable_create(f->soc);
	assert_false(vcm_is_err_or_null(f->pt));
	*state = f;
	return 0;
}

static void teardown_fixture(struct fixture *f)
{
	vcm_pgtable_destroy(f->pt);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0);
	vcm_soc_destroy(f->soc);
}

static int teardown(void **state)
{
	teardown_fixture(*state);
	free(*state);
	return 0;
}

static struct pt_snap *snap(struct fixture *f)
{
	return snap_take(f->soc, vcm_pgtable_base(f->pt));
}

static void test_create(void **state)
{
	struct fixture *f = *state;
	uint64_t base = vcm_pgtable_base(f->pt);
	struct pt_snap *s;
	unsigned i;

	assert_true(base >= RAM_BASE && base < RAM_BASE + RAM_SIZE);
	assert_int_equal(base & 0x3FFF, 0);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0 - 0x4000);
	s = snap(f);
	for (i = 0; i < 4096; i++)
		assert_int_equal(s->lv1[i], 0);
	snap_free(s);

	assert_int_equal(vcm_ptr_err(vcm_pgtable_create(NULL)), -EINVAL);
	assert_int_equal(vcm_pgtable_base(NULL), 0);
	vcm_pgtable_destroy(NULL);
	vcm_pgtable_destroy(vcm_err_ptr(-ENOMEM));
}

/* Hand-computed raw entries for a section, a large and a small page. */
static void test_raw_entries(void **state)
{
	struct fixture *f = *state;
	uint64_t base = vcm_pgtable_base(f->pt), l2;
	unsigned i;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	assert_int_equal(rd32(f->soc, base + 1 * 4), 0x40100002);

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00210000, 0x40350000, 0x10000,
					 VCM_PROT_READ | VCM_PROT_WRITE), 0);
	l2 = rd32(f->soc, base + 2 * 4);
	assert_int_equal(l2 & 3, 1);
	l2 &= 0xFFFFFC00;
	assert_true(l2 >= RAM_BASE && l2 < RAM_BASE + RAM_SIZE);
	for (i = 0; i < 256; i++)
		assert_int_equal(rd32(f->soc, l2 + i * 4),
				 i >= 0x10 && i < 0x20 ? 0x40350001 : 0);

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00303000, 0x40567000, 0x1000, VCM_PROT_READ),
			 0);
	l2 = rd32(f->soc, base + 3 * 4);
	assert_int_equal(l2 & 3, 1);
	l2 &= 0xFFFFFC00;
	for (i = 0; i < 256; i++)
		assert_int_equal(rd32(f->soc, l2 + i * 4), i == 3 ? 0x40567002 : 0);

	/* A PA that is not RAM is allowed in the table. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x10000000, 0x100000, 0), 0);
	assert_int_equal(rd32(f->soc, base + 4 * 4), 0x10000002);
	/* The top of the 32-bit spaces. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0xFFFFF000, 0xFFFFF000, 0x1000, 0), 0);
	l2 = rd32(f->soc, base + 4095 * 4) & 0xFFFFFC00;
	assert_int_equal(rd32(f->soc, l2 + 255 * 4), 0xFFFFF002);

	assert_int_equal(vcm_pgtable_unmap(f->pt, 0, DVA_LIMIT),
			 0x100000 + 0x10000 + 0x1000 + 0x100000 + 0x1000);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0 - 0x4000);
}

static uint64_t page_at(struct pt_snap *s, uint64_t dva, uint64_t *pa)
{
	return snap_lookup(s, dva, pa);
}

static void expect_page(struct fixture *f, uint64_t dva, uint64_t size, uint64_t pa)
{
	struct pt_snap *s = snap(f);
	uint64_t got_pa = 0, a = 0;

	assert_int_equal(page_at(s, dva, &got_pa), size);
	assert_int_equal(got_pa, pa & ~(size - 1));
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, dva + 0x123, &a), 0);
	assert_int_equal(a, pa + 0x123);
	snap_free(s);
}

/* The largest page that DVA alignment, PA alignment and length allow. */
static void test_page_sizes(void **state)
{
	struct fixture *f = *state;
	uint64_t a;

	/* 64K + 1M + 1M + 2 x 64K + 4K, DVA and PA equally aligned. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x000F0000, 0x400F0000, 0x231000, 0), 0);
	expect_page(f, 0x000F0000, SZ_64K_, 0x400F0000);
	expect_page(f, 0x00100000, SZ_1M_, 0x40100000);
	expect_page(f, 0x00200000, SZ_1M_, 0x40200000);
	expect_page(f, 0x00300000, SZ_64K_, 0x40300000);
	expect_page(f, 0x00310000, SZ_64K_, 0x40310000);
	expect_page(f, 0x00320000, SZ_4K_, 0x40320000);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x00321000, &a), -ENOENT);

	/* DVA 1M-aligned, PA only 64K-aligned: 16 large pages. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x01000000, 0x40810000, 0x100000, 0), 0);
	expect_page(f, 0x01000000, SZ_64K_, 0x40810000);
	expect_page(f, 0x010F0000, SZ_64K_, 0x40900000);

	/* DVA 64K-aligned, PA 4K-aligned: small pages only. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x02000000, 0x40A01000, 0x200000, 0), 0);
	expect_page(f, 0x02000000, SZ_4K_, 0x40A01000);
	expect_page(f, 0x02100000, SZ_4K_, 0x40B01000);
	expect_page(f, 0x021FF000, SZ_4K_, 0x40C00000);

	/* Small head up to 64K alignment, then large, then a small tail. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x0300E000, 0x4100E000, 0x24000, 0), 0);
	expect_page(f, 0x0300E000, SZ_4K_, 0x4100E000);
	expect_page(f, 0x0300F000, SZ_4K_, 0x4100F000);
	expect_page(f, 0x03010000, SZ_64K_, 0x41010000);
	expect_page(f, 0x03020000, SZ_64K_, 0x41020000);
	expect_page(f, 0x03030000, SZ_4K_, 0x41030000);
	expect_page(f, 0x03031000, SZ_4K_, 0x41031000);

	/* Large but shorter than 64K: small pages. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x04000000, 0x42000000, 0xF000, 0), 0);
	expect_page(f, 0x04000000, SZ_4K_, 0x42000000);

	assert_int_equal(vcm_pgtable_unmap(f->pt, 0, DVA_LIMIT),
			 0x231000 + 0x100000 + 0x200000 + 0x24000 + 0xF000);
}

static void test_bad_args(void **state)
{
	struct fixture *f = *state;
	unsigned long w;
	uint64_t pa;

	assert_int_equal(vcm_pgtable_map(NULL, 0, RAM_BASE, 0x1000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x800, RAM_BASE, 0x1000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0, RAM_BASE + 4, 0x1000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0, RAM_BASE, 0x1001, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0, RAM_BASE, 0, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0xFFFFF000, RAM_BASE, 0x2000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, DVA_LIMIT, RAM_BASE, 0x1000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0, 0xFFFFF000, 0x2000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0, 0x100000000ULL, 0x1000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x1000, RAM_BASE, UINT64_MAX & ~0xFFFULL, 0),
			 -EINVAL);

	w = vcm_warn_count();
	assert_int_equal(vcm_pgtable_unmap(NULL, 0, 0x1000), 0);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x800, 0x1000), 0);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0, 0x800), 0);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0, 0), 0);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0xFFFFF000, 0x2000), 0);
	assert_int_equal(vcm_warn_count(), w + 5);

	assert_int_equal(vcm_pgtable_dva_to_phys(NULL, 0, &pa), -EINVAL);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0, NULL), -EINVAL);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, DVA_LIMIT, &pa), -EINVAL);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x1000, &pa), -ENOENT);
	/* Nothing mapped: unmap gives 0 bytes. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0, DVA_LIMIT), 0);
}

static void refuse(struct fixture *f, uint64_t dva, uint64_t pa, uint64_t size)
{
	vcm_size_t free_before = vcm_soc_free_bytes(f->soc);
	struct pt_snap *a = snap(f), *b;

	assert_int_equal(vcm_pgtable_map(f->pt, dva, pa, size, 0), -EADDRINUSE);
	b = snap(f);
	assert_true(snap_equal(a, b));
	assert_int_equal(vcm_soc_free_bytes(f->soc), free_before);
	snap_free(a);
	snap_free(b);
}

/* A map over anything mapped is refused and the table stays byte-identical. */
static void test_overlap(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00210000, 0x40210000, 0x10000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00305000, 0x40305000, 0x1000, 0), 0);

	refuse(f, 0x00100000, 0x50000000, 0x100000);	/* same section */
	refuse(f, 0x00180000, 0x50000000, 0x1000);	/* small inside section */
	refuse(f, 0x00000000, 0x50000000, 0x200000);	/* section + hole before it */
	refuse(f, 0x000FF000, 0x500FF000, 0x2000);	/* crosses into section */
	refuse(f, 0x0021F000, 0x5001F000, 0x1000);	/* inside large page */
	refuse(f, 0x00200000, 0x50200000, 0x100000);	/* slot with a large page */
	refuse(f, 0x00300000, 0x50300000, 0x10000);	/* large over a small page */
	refuse(f, 0x00305000, 0x50000000, 0x1000);	/* the same small page */
	/* New level-2 tables would be needed before the clash: none leaks. */
	refuse(f, 0x00001000, 0x50001000, 0x304000);

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00304000, 0x40304000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00306000, 0x40306000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00100000, 0x200000), 0x110000);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00300000, 0x100000), 0x3000);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0 - 0x4000);
}

static void refuse_unmap(struct fixture *f, uint64_t dva, uint64_t size)
{
	struct pt_snap *a = snap(f), *b;

	assert_int_equal(vcm_pgtable_unmap(f->pt, dva, size), 0);
	b = snap(f);
	assert_true(snap_equal(a, b));
	snap_free(a);
	snap_free(b);
}

/* Unmap that would cut a section or large page returns 0 and changes nothing. */
static void test_unmap_cut(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x100000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00230000, 0x40230000, 0x20000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00300000, 0x40300000, 0x3000, 0), 0);

	refuse_unmap(f, 0x00180000, 0x1000);
	refuse_unmap(f, 0x00080000, 0x100000);
	refuse_unmap(f, 0x00100000, 0x80000);
	refuse_unmap(f, 0x00000000, 0x101000);
	refuse_unmap(f, 0x00231000, 0x1000);
	refuse_unmap(f, 0x00230000, 0x18000);
	refuse_unmap(f, 0x00238000, 0x10000);
	refuse_unmap(f, 0x00238000, 0x100000);	/* also ends inside nothing */

	/* Small pages may be unmapped one by one; the table goes when empty. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00301000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00300000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00302000, 0x1000), 0x1000);
	assert_int_equal(rd32(f->soc, vcm_pgtable_base(f->pt) + 3 * 4), 0);

	/* Whole pages (holes included) unmap. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00240000, 0x10000), 0x10000);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00000000, 0x240000), 0x110000);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0 - 0x4000);
}

/*
 * One page per call where the fast path applies (a live table, an existing
 * level-2 table, the lock's owner) checks all that the general path
 * checks.  Planted: a fast path without the range check maps an unaligned
 * DVA or PA, or a PA above 4 GiB, into the table that is there.
 */
static void test_one_page_path(void **state)
{
	struct fixture *f = *state;
	struct pt_snap *a, *b;
	unsigned long w;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x40400000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00410000, 0x40410000, 0x10000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00401000, 0x40401000, 0x1000, 0), 0);
	expect_page(f, 0x00401000, SZ_4K_, 0x40401000);

	a = snap(f);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00402800, 0x40402000, 0x1000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00402000, 0x40402004, 0x1000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00402000, 0x140402000ULL, 0x1000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00401000, 0x40501000, 0x1000, 0), -EADDRINUSE);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00411000, 0x40501000, 0x1000, 0), -EADDRINUSE);
	w = vcm_warn_count();
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00400800, 0x1000), 0);
	assert_int_equal(vcm_warn_count(), w + 1);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00411000, 0x1000), 0);	/* a 64K page's */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00402000, 0x1000), 0);	/* nothing there */
	b = snap(f);
	assert_true(snap_equal(a, b));
	snap_free(a);
	snap_free(b);

	/* The table's last page takes its table with it. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00401000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00410000, 0x10000), 0x10000);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00400000, 0x1000), 0x1000);
	assert_int_equal(rd32(f->soc, vcm_pgtable_base(f->pt) + 4 * 4), 0);
}

static void *map_one(void *pt)
{
	return (void *)(intptr_t)vcm_pgtable_map(pt, 0x00402000, 0x40402000, 0x1000, 0);
}

/*
 * A page table released after this thread mapped pages one per call is
 * refused on that path too, with the warning, and nothing of it is
 * touched (valgrind); one another thread used too goes on working.
 */
static void test_one_page_path_owners(void **state)
{
	struct fixture *f = *state;
	struct vcm_pgtable *pt = vcm_pgtable_create(f->soc);
	unsigned long w;
	pthread_t t;
	void *ret;

	assert_int_equal(vcm_pgtable_map(pt, 0x00400000, 0x40400000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_map(pt, 0x00401000, 0x40401000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_unmap(pt, 0x00401000, 0x1000), 0x1000);
	vcm_pgtable_destroy(pt);
	w = vcm_warn_count();
	assert_int_equal(vcm_pgtable_map(pt, 0x00401000, 0x40401000, 0x1000, 0), -EINVAL);
	assert_int_equal(vcm_pgtable_unmap(pt, 0x00400000, 0x1000), 0);
	assert_int_equal(vcm_warn_count(), w + 2);

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x40400000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00401000, 0x40401000, 0x1000, 0), 0);
	assert_int_equal(pthread_create(&t, NULL, map_one, f->pt), 0);
	pthread_join(t, &ret);
	assert_null(ret);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00403000, 0x40403000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00402000, 0x40402000, 0x1000, 0), -EADDRINUSE);
	expect_page(f, 0x00402000, SZ_4K_, 0x40402000);
	expect_page(f, 0x00403000, SZ_4K_, 0x40403000);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00402000, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00400000, 0x4000), 0x3000);
}

/*
 * Two threads mapping and unmapping pages of one level-2 table one per
 * call: this thread owns the table's lock and remembers the table (its
 * fast path), the other revokes that bias while this one runs.  Every
 * call must still hold the lock alone: a page count of the level-2 table
 * changed by both at once loses updates, and then the table would be
 * freed under a live page or kept when empty (entries and free bytes
 * checked at the end).
 */
#define RACE_ROUNDS	20000

struct race {
	struct vcm_pgtable *pt;
	uint64_t dva;		/* the thread's own page */
	atomic_int *started;
	int err;
};

static void *race_pages(void *arg)
{
	struct race *r = arg;
	unsigned i;

	atomic_fetch_add(r->started, 1);
	while (atomic_load(r->started) < 2)
		;
	for (i = 0; i < RACE_ROUNDS && !r->err; i++) {
		if (vcm_pgtable_map(r->pt, r->dva, RAM_BASE + 0x1000, 0x1000, 0) ||
		    vcm_pgtable_unmap(r->pt, r->dva, 0x1000) != 0x1000)
			r->err = 1;
	}
	return NULL;
}

static void test_one_page_path_revoked(void **state)
{
	struct fixture *f = *state;
	vcm_size_t free1;
	atomic_int started = 0;
	struct race mine = { f->pt, 0x00401000, &started, 0 };
	struct race other = { f->pt, 0x00402000, &started, 0 };
	pthread_t t;

	/* a page that keeps the table, mapped by this thread: it owns the lock */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x40400000, 0x1000, 0), 0);
	free1 = vcm_soc_free_bytes(f->soc);
	assert_int_equal(pthread_create(&t, NULL, race_pages, &other), 0);
	race_pages(&mine);
	pthread_join(t, NULL);
	assert_int_equal(mine.err, 0);
	assert_int_equal(other.err, 0);
	expect_page(f, 0x00400000, SZ_4K_, 0x40400000);
	assert_int_equal(vcm_soc_free_bytes(f->soc), free1);
	/* the last page takes the table: its count is right */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00400000, 0x1000), 0x1000);
	assert_int_equal(rd32(f->soc, vcm_pgtable_base(f->pt) + 4 * 4), 0);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0 - 0x4000);
}

/*
 * A thread remembers the last few tables it used one page per call: six
 * tables in turn (more than it remembers), one of them then taken by
 * another thread (its bias revoked, every memory void) and one destroyed,
 * map and unmap right in every one that is left.
 */
#define NTABLES	6

static void *map_in_other_thread(void *pt)
{
	return (void *)(intptr_t)vcm_pgtable_map(pt, 0x00500000, 0x40500000, 0x1000, 0);
}

static void test_one_page_path_many_tables(void **state)
{
	struct fixture *f = *state;
	struct vcm_pgtable *pt[NTABLES];
	unsigned i, k, round;
	pthread_t t;
	void *ret;

	for (k = 0; k < NTABLES; k++) {
		pt[k] = vcm_pgtable_create(f->soc);
		assert_false(vcm_is_err_or_null(pt[k]));
		/* a page that keeps the level-2 table */
		assert_int_equal(vcm_pgtable_map(pt[k], 0x00400000, 0x40400000, 0x1000, 0), 0);
	}
	for (round = 0; round < 3; round++) {
		if (round == 1) {	/* another thread takes table 0 */
			assert_int_equal(pthread_create(&t, NULL, map_in_other_thread, pt[0]), 0);
			pthread_join(t, &ret);
			assert_null(ret);
		}
		if (round == 2) {	/* a table leaves: refused, nothing of it touched */
			vcm_pgtable_destroy(pt[3]);
			assert_int_equal(vcm_pgtable_map(pt[3], 0x00401000, 0x40401000, 0x1000, 0),
					 -EINVAL);
		}
		for (i = 1; i < 8; i++)
			for (k = 0; k < NTABLES; k++)
				if (round < 2 || k != 3)
					assert_int_equal(vcm_pgtable_map(pt[k], 0x00400000 + i * 0x1000,
									 0x40000000 + k * 0x100000 + i * 0x1000, 0x1000, 0), 0);
		for (k = 0; k < NTABLES; k++) {
			uint64_t pa;

			if (round == 2 && k == 3)
				continue;
			assert_int_equal(vcm_pgtable_dva_to_phys(pt[k], 0x00405123, &pa), 0);
			assert_int_equal(pa, 0x40000000 + k * 0x100000 + 0x5123);
			for (i = 1; i < 8; i++)
				assert_int_equal(vcm_pgtable_unmap(pt[k], 0x00400000 + i * 0x1000, 0x1000),
						 0x1000);
			assert_int_equal(vcm_pgtable_dva_to_phys(pt[k], 0x00405123, &pa), -ENOENT);
		}
	}
	assert_int_equal(vcm_pgtable_unmap(pt[0], 0x00500000, 0x1000), 0x1000);
	for (k = 0; k < NTABLES; k++)
		if (k != 3)
			vcm_pgtable_destroy(pt[k]);
}

/* Level-2 tables are 1 KiB, four to a page; pages go back when empty. */
static void test_lv2_sharing(void **state)
{
	struct fixture *f = *state;
	vcm_size_t free1 = vcm_soc_free_bytes(f->soc);
	uint64_t l2[8];
	unsigned i;

	for (i = 0; i < 8; i++) {
		assert_int_equal(vcm_pgtable_map(f->pt, (uint64_t)i << 20, RAM_BASE, 0x1000, 0),
				 0);
		l2[i] = rd32(f->soc, vcm_pgtable_base(f->pt) + i * 4) & 0xFFFFFC00;
		assert_int_equal(l2[i] & 0x3FF, 0);
	}
	assert_int_equal(vcm_soc_free_bytes(f->soc), free1 - 2 * 0x1000);
	for (i = 1; i < 4; i++)
		assert_int_equal(l2[i] & ~0xFFFULL, l2[0] & ~0xFFFULL);
	/* Freeing three tables of a page keeps it; the fourth frees it. */
	for (i = 0; i < 3; i++)
		assert_int_equal(vcm_pgtable_unmap(f->pt, (uint64_t)i << 20, 0x1000), 0x1000);
	assert_int_equal(vcm_soc_free_bytes(f->soc), free1 - 2 * 0x1000);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 3ULL << 20, 0x1000), 0x1000);
	assert_int_equal(vcm_soc_free_bytes(f->soc), free1 - 0x1000);
	/* A freed slot of a partly used page is reused. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 5ULL << 20, 0x1000), 0x1000);
	assert_int_equal(vcm_pgtable_map(f->pt, 9ULL << 20, RAM_BASE, 0x1000, 0), 0);
	assert_int_equal(rd32(f->soc, vcm_pgtable_base(f->pt) + 9 * 4) & 0xFFFFFC00, l2[5]);
	assert_int_equal(vcm_soc_free_bytes(f->soc), free1 - 0x1000);
	/* Destroying with mappings left frees everything (checked in teardown). */
}

/*
 * A map of many level-2 tables takes them in blocks of up to 16 pages,
 * never more pages than one per four tables; tables freed inside a block
 * serve later maps; a block goes back with its last table.
 */
static void test_lv2_blocks(void **state)
{
	struct fixture *f = *state;
	vcm_size_t free1 = vcm_soc_free_bytes(f->soc);
	uint64_t i;

	/* 100 slots of small pages: 100 tables in 25 pages (16 + 8 + 1) */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x10000000, 0x80001000, 100 << 20, 0), 0);
	assert_int_equal(vcm_soc_free_bytes(f->soc), free1 - 25 * SZ_4K_);
	expect_page(f, 0x10000000 + (99 << 20) + 0x5000, SZ_4K_, 0x80001000 + (99 << 20) + 0x5000);
	/* every other table freed: each block still has tables in use */
	for (i = 0; i < 100; i += 2)
		assert_int_equal(vcm_pgtable_unmap(f->pt, 0x10000000 + (i << 20), SZ_1M_), SZ_1M_);
	assert_int_equal(vcm_soc_free_bytes(f->soc), free1 - 25 * SZ_4K_);
	/* 50 new tables are the freed ones */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x40000000, 0x80001000, 50 << 20, 0), 0);
	assert_int_equal(vcm_soc_free_bytes(f->soc), free1 - 25 * SZ_4K_);
	expect_page(f, 0x40000000 + (49 << 20), SZ_4K_, 0x80001000 + (49 << 20));
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x10000000, 100 << 20), 50 << 20);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x40000000, 50 << 20), 50 << 20);
	assert_int_equal(vcm_soc_free_bytes(f->soc), free1);
}

/* A SoC with only single free pages still gives a map of many tables its pages. */
static void test_lv2_blocks_fragmented(void **state)
{
	struct vcm_soc *soc = test_soc(0x100000);	/* 256 pages */
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);
	vcm_addr_t pa[256];
	vcm_size_t free0;
	unsigned n = 0, i;

	(void)state;
	assert_false(vcm_is_err_or_null(pt));
	while (!vcm_soc_alloc_pages(soc, 0, &pa[n]))
		n++;
	for (i = 0; i < n; i += 2)		/* every other page free: no pair */
		vcm_soc_free_pages(soc, pa[i], 0);
	free0 = vcm_soc_free_bytes(soc);
	assert_int_equal(vcm_pgtable_map(pt, 0x10000000, 0x80001000, 16 << 20, 0), 0);
	assert_int_equal(vcm_soc_free_bytes(soc), free0 - 4 * SZ_4K_);
	assert_int_equal(vcm_pgtable_unmap(pt, 0x10000000, 16 << 20), 16 << 20);
	assert_int_equal(vcm_soc_free_bytes(soc), free0);
	for (i = 1; i < n; i += 2)
		vcm_soc_free_pages(soc, pa[i], 0);
	vcm_pgtable_destroy(pt);
	vcm_soc_destroy(soc);
}

/* Out of SoC memory half-way: everything written is rolled back. */
static void test_enomem_rollback(void **state)
{
	struct vcm_soc *soc = test_soc(0x10000);	/* 16 pages */
	struct vcm_pgtable *pt;
	struct pt_snap *a, *b;
	vcm_size_t free0;

	(void)state;
	pt = vcm_pgtable_create(soc);
	assert_false(vcm_is_err_or_null(pt));
	assert_int_equal(vcm_pgtable_map(pt, 0x00005000, 0x10005000, 0x1000, 0), 0);
	free0 = vcm_soc_free_bytes(soc);
	a = snap_take(soc, vcm_pgtable_base(pt));
	/* 64 slots of small pages need 16 pages of level-2 tables: too many. */
	assert_int_equal(vcm_pgtable_map(pt, 0x00001000, 0x20002000, 64 << 20, 0), -EADDRINUSE);
	assert_int_equal(vcm_pgtable_map(pt, 0x00101000, 0x20002000, 64 << 20, 0), -ENOMEM);
	b = snap_take(soc, vcm_pgtable_base(pt));
	assert_true(snap_equal(a, b));
	assert_int_equal(vcm_soc_free_bytes(soc), free0);
	snap_free(a);
	snap_free(b);
	vcm_pgtable_destroy(pt);
	vcm_soc_destroy(soc);
}

/* No 16 KiB block for level 1 in the SoC (or none below 4 GiB). */
static void test_create_enomem(void **state)
{
	struct vcm_soc *soc = test_soc(0x2000);

	(void)state;
	assert_int_equal(vcm_ptr_err(vcm_pgtable_create(soc)), -ENOMEM);
	assert_int_equal(vcm_soc_free_bytes(soc), 0x2000);
	vcm_soc_destroy(soc);

	soc = vcm_soc_create();
	assert_int_equal(vcm_soc_add_ram(soc, 0x100000000ULL, 0x100000), 0);
	assert_int_equal(vcm_ptr_err(vcm_pgtable_create(soc)), -ENOMEM);
	assert_int_equal(vcm_soc_free_bytes(soc), 0x100000);
	vcm_soc_destroy(soc);
}

/* ---- random sequences against a model ---- */

#define WIN_SHIFT	25			/* 32 MiB DVA window */
#define WIN_PAGES	(1U << (WIN_SHIFT - 12))
#define WIN_BASE	0x7E000000ULL		/* crosses no special boundary */

struct model {
	uint32_t pa[WIN_PAGES];		/* PA of each 4 KiB page (0: unmapped) */
	uint32_t size[WIN_PAGES];	/* size of the page covering it */
};

static uint64_t rnd_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* The page-size rule, written independently of the library. */
static void model_map(struct model *m, uint64_t dva, uint64_t pa, uint64_t size)
{
	while (size) {
		uint64_t ps = SZ_4K_, i;

		if (!(dva & 0xFFFFF) && !(pa & 0xFFFFF) && size >= SZ_1M_)
			ps = SZ_1M_;
		else if (!(dva & 0xFFFF) && !(pa & 0xFFFF) && size >= SZ_64K_)
			ps = SZ_64K_;
		for (i = 0; i < ps; i += SZ_4K_) {
			unsigned p = (unsigned)((dva + i - WIN_BASE) >> 12);

			m->pa[p] = (uint32_t)(pa + i);
			m->size[p] = (uint32_t)ps;
		}
		dva += ps;
		pa += ps;
		size -= ps;
	}
}

static int model_busy(const struct model *m, uint64_t dva, uint64_t size)
{
	uint64_t i;

	for (i = 0; i < size; i += SZ_4K_)
		if (m->size[(dva + i - WIN_BASE) >> 12])
			return 1;
	return 0;
}

static int model_cuts(const struct model *m, uint64_t b)
{
	unsigned p;

	if (b >= WIN_BASE + ((uint64_t)WIN_PAGES << 12))
		return 0;
	p = (unsigned)((b - WIN_BASE) >> 12);
	return m->size[p] && (b & (m->size[p] - 1));
}

static uint64_t model_unmap(struct model *m, uint64_t dva, uint64_t size)
{
	uint64_t i, bytes = 0;

	if (model_cuts(m, dva) || model_cuts(m, dva + size))
		return 0;
	for (i = 0; i < size; i += SZ_4K_) {
		unsigned p = (unsigned)((dva + i - WIN_BASE) >> 12);

		bytes += m->size[p] ? SZ_4K_ : 0;
		m->pa[p] = 0;
		m->size[p] = 0;
	}
	return bytes;
}

static void model_check(struct fixture *f, const struct model *m)
{
	struct pt_snap *s = snap(f);
	unsigned p, slots = 0, slot_used;
	uint64_t pa;

	for (p = 0; p < WIN_PAGES; p++) {
		uint64_t dva = WIN_BASE + ((uint64_t)p << 12);
		uint64_t sz = snap_lookup(s, dva, &pa);

		assert_int_equal(sz, m->size[p]);
		if (sz)
			assert_int_equal(pa + (dva & (sz - 1)), m->pa[p]);
	}
	/* A level-2 table exists exactly for slots with small or large pages. */
	for (p = 0; p < WIN_PAGES; p += 256) {
		unsigned i;

		slot_used = 0;
		for (i = 0; i < 256; i++)
			slot_used |= m->size[p + i] && m->size[p + i] < SZ_1M_;
		assert_int_equal(s->lv2[(WIN_BASE >> 20) + p / 256] != NULL, slot_used);
		slots += slot_used;
	}
	assert_int_equal(snap_nr_lv2(s), slots);
	snap_free(s);
}

static uint64_t rnd_size(void)
{
	switch (rnd() % 4) {
	case 0:
		return (1 + rnd() % 4) << 12;
	case 1:
		return (1 + rnd() % 64) << 12;
	case 2:
		return (1 + rnd() % 8) << 16;
	default:
		return (1 + rnd() % 3) << 20;
	}
}

static void test_random(void **state)
{
	struct fixture *f = *state;
	unsigned iters = under_valgrind() ? 300 : 3000, i;
	struct model *m = calloc(1, sizeof(*m));
	uint64_t win = (uint64_t)WIN_PAGES << 12;

	assert_non_null(m);
	for (i = 0; i < iters; i++) {
		uint64_t size = rnd_size();
		uint64_t dva = WIN_BASE + ((rnd() % (win >> 12)) << 12);
		uint64_t pa, want;

		if (rnd() % 3)		/* often as aligned as the size allows */
			dva &= ~(size >= SZ_1M_ ? SZ_1M_ - 1 : size >= SZ_64K_ ? SZ_64K_ - 1 : 0);
		if (dva + size > WIN_BASE + win)
			continue;
		if (rnd() % 2) {
			pa = (rnd() % 2 ? dva & 0xFFFFF : (rnd() % 256) << 12) +
			     ((rnd() % 0x800) << 20);
			if (model_busy(m, dva, size)) {
				assert_int_equal(vcm_pgtable_map(f->pt, dva, pa, size, 0),
						 -EADDRINUSE);
			} else {
				assert_int_equal(vcm_pgtable_map(f->pt, dva, pa, size, 0), 0);
				model_map(m, dva, pa, size);
			}
		} else {
			want = model_unmap(m, dva, size);
			assert_int_equal(vcm_pgtable_unmap(f->pt, dva, size), want);
		}
		if (i % 16 == 0 || !under_valgrind())
			model_check(f, m);
	}
	model_check(f, m);
	assert_int_equal(vcm_pgtable_unmap(f->pt, WIN_BASE, win), model_unmap(m, WIN_BASE, win));
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0 - 0x4000);
	free(m);
}

/* Map-then-unmap of big ranges in every page size returns all memory. */
static void test_big_map_unmap(void **state)
{
	struct fixture *f = *state;
	static const uint64_t pa_offs[] = { 0, 0x10000, 0x1000 };
	unsigned k;

	for (k = 0; k < 3; k++) {
		uint64_t pa = 0x80000000ULL + pa_offs[k];

		assert_int_equal(vcm_pgtable_map(f->pt, 0x10000000, pa, 64 << 20, 0), 0);
		expect_page(f, 0x12345000, k == 0 ? SZ_1M_ : k == 1 ? SZ_64K_ : SZ_4K_,
			    pa + 0x2345000);
		assert_int_equal(vcm_pgtable_unmap(f->pt, 0x10000000, 64 << 20), 64 << 20);
		assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0 - 0x4000);
	}
}

static char *dump_to_string(struct vcm_pgtable *pt)
{
	struct test_capture c;

	vcm_pgtable_dump(pt, test_capture_open(&c));
	return test_capture_text(&c);
}

static void test_dump(void **state)
{
	struct fixture *f = *state;
	char *d;

	assert_int_equal(vcm_pgtable_map(f->pt, 0x00100000, 0x40100000, 0x200000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00300000, 0x40500000, 0x30000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00330000, 0x40530000, 0x2000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00400000, 0x40700000, 0x1000, 0), 0);
	assert_int_equal(vcm_pgtable_map(f->pt, 0x00401000, 0x40900000, 0x1000, 0), 0);
	d = dump_to_string(f->pt);
	printf("%s", d);
	assert_non_null(strstr(d, "dva 0x00100000-0x002fffff -> pa 0x40100000-0x402fffff  1M x 2\n"));
	assert_non_null(strstr(d, "dva 0x00300000-0x0032ffff -> pa 0x40500000-0x4052ffff  64K x 3\n"));
	assert_non_null(strstr(d, "dva 0x00330000-0x00331fff -> pa 0x40530000-0x40531fff  4K x 2\n"));
	assert_non_null(strstr(d, "dva 0x00400000-0x00400fff -> pa 0x40700000-0x40700fff  4K x 1\n"));
	assert_non_null(strstr(d, "dva 0x00401000-0x00401fff -> pa 0x40900000-0x40900fff  4K x 1\n"));
	assert_non_null(strstr(d, "2 sections, 3 large pages, 4 small pages, 2 level-2 tables"));
	free(d);

	d = dump_to_string(NULL);
	assert_string_equal(d, "pgtable: (none)\n");
	free(d);
	vcm_pgtable_dump(f->pt, NULL);
}

/* The @n level-1 slots from @dva hold @e, @e + @step, ... */
static void assert_slots(struct fixture *f, uint64_t dva, unsigned n, uint32_t e, uint32_t step)
{
	uint64_t base = vcm_pgtable_base(f->pt);
	unsigned i;

	for (i = 0; i < n; i++)
		assert_int_equal(rd32(f->soc, base + ((dva >> 20) + i) * 4), e + i * step);
}

/*
 * Supersections: only with VCM_MAP_SUPERSECTION, only where DVA, PA and
 * length allow 16 MiB; raw entries bit-exact (PA[31:24] | bit 18 | 2, in
 * 16 consecutive slots); never cut by unmap; dumped as one page.
 */
static void test_supersection(void **state)
{
	struct fixture *f = *state;
	vcm_addr_t pa;
	char *d;

	/* Two supersections: 16 slots of 0x41040002, then 16 of 0x42040002. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x01000000, 0x41000000, 0x2000000,
					 VCM_PROT_READ | VCM_MAP_SUPERSECTION), 0);
	assert_slots(f, 0x01000000, 16, 0x41040002, 0);
	assert_slots(f, 0x02000000, 16, 0x42040002, 0);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x01234567, &pa), 0);
	assert_int_equal(pa, 0x41234567);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x02FFFFFF, &pa), 0);
	assert_int_equal(pa, 0x42FFFFFF);

	/* Without the flag: sections, the v1-v3 format's largest page. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x04000000, 0x44000000, 0x1000000, 0), 0);
	assert_slots(f, 0x04000000, 16, 0x44000002, 0x100000);
	/* PA not 16 MiB-aligned, or less than 16 MiB left: sections. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x05000000, 0x45100000, 0x1000000,
					 VCM_MAP_SUPERSECTION), 0);
	assert_slots(f, 0x05000000, 16, 0x45100002, 0x100000);
	/* 15 MiB of sections up to the boundary, then a supersection. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x06100000, 0x46100000, 0x1F00000,
					 VCM_MAP_SUPERSECTION), 0);
	assert_slots(f, 0x06100000, 15, 0x46100002, 0x100000);
	assert_slots(f, 0x07000000, 16, 0x47040002, 0);

	/* Nothing may be mapped over it; no unmap may cut it. */
	assert_int_equal(vcm_pgtable_map(f->pt, 0x01800000, 0x40000000, 0x1000, 0), -EADDRINUSE);
	refuse_unmap(f, 0x01100000, 0x100000);
	refuse_unmap(f, 0x01000000, 0x800000);
	refuse_unmap(f, 0x00800000, 0x1000000);
	refuse_unmap(f, 0x01FFF000, 0x2000);

	d = dump_to_string(f->pt);
	assert_non_null(strstr(d, "dva 0x01000000-0x02ffffff -> pa 0x41000000-0x42ffffff  16M x 2\n"));
	assert_non_null(strstr(d, "dva 0x07000000-0x07ffffff -> pa 0x47000000-0x47ffffff  16M x 1\n"));
	assert_non_null(strstr(d, "  3 supersections\n"));
	assert_non_null(strstr(d, "47 sections, 0 large pages"));
	free(d);

	/* Whole supersections unmap: 16 MiB each, all 16 slots cleared. */
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x01000000, 0x1000000), 0x1000000);
	assert_slots(f, 0x01000000, 16, 0, 0);
	assert_slots(f, 0x02000000, 16, 0x42040002, 0);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 0x01234567, &pa), -ENOENT);
	assert_int_equal(vcm_pgtable_unmap(f->pt, 0x00000000, 0x08000000), 0x4F00000);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0 - 0x4000);
}

/* ---- runs inside one level-2 table: the fill and clear loops ---- */

#define RUN_SLOT	0x00500000ULL	/* the level-2 table of slot 5 */
#define RUN_PA		0x80000000ULL
#define DECOY_PA	0x90000000ULL
#define LV2_N		256

static void read_run_table(struct fixture *f, uint32_t t[LV2_N])
{
	uint32_t l1 = rd32(f->soc, vcm_pgtable_base(f->pt) + (RUN_SLOT >> 20) * 4);

	assert_int_equal(l1 & 3, 1);
	assert_int_equal(vcm_soc_phys_read(f->soc, l1 & 0xFFFFFC00, t, LV2_N * 4), 0);
}

/*
 * What the table must hold: the single-page decoys on both sides of
 * [first, first + n), with @mapped the run mapping @pa on (64 KiB pages
 * where DVA and PA allow, decided independently of the library), zero
 * elsewhere.
 */
static void expect_run(uint32_t want[LV2_N], unsigned first, unsigned n, uint64_t pa,
		       bool mapped)
{
	unsigned i = first;

	memset(want, 0, LV2_N * 4);
	if (first)
		want[first - 1] = (uint32_t)(DECOY_PA + (first - 1) * SZ_4K_) | 2;
	if (first + n < LV2_N)
		want[first + n] = (uint32_t)(DECOY_PA + (first + n) * SZ_4K_) | 2;
	while (mapped && i < first + n) {
		uint64_t a = pa + (i - first) * SZ_4K_;
		unsigned k;

		if (!((RUN_SLOT + i * SZ_4K_) & 0xFFFF) && !(a & 0xFFFF) && first + n - i >= 16) {
			for (k = 0; k < 16; k++)
				want[i + k] = (uint32_t)a | 1;
			i += 16;
		} else {
			want[i++] = (uint32_t)a | 2;
		}
	}
}

static void map_decoy(struct fixture *f, unsigned i)
{
	if (i < LV2_N)
		assert_int_equal(vcm_pgtable_map(f->pt, RUN_SLOT + i * SZ_4K_,
						 DECOY_PA + i * SZ_4K_, SZ_4K_, 0), 0);
}

/*
 * Fill every free page of the SoC with valid-looking entries: a new
 * level-2 table must clear all that its mapping does not write.
 */
static void dirty_free_ram(struct vcm_soc *soc)
{
	static uint8_t junk[SZ_4K_];
	vcm_addr_t pa[64];
	unsigned n = 0;

	memset(junk, 0xFF, sizeof(junk));
	while (n < 64 && !vcm_soc_alloc_pages(soc, 0, &pa[n])) {
		assert_int_equal(vcm_soc_phys_write(soc, pa[n], junk, sizeof(junk)), 0);
		n++;
	}
	assert_int_not_equal(n, 64);
	while (n--)
		vcm_soc_free_pages(soc, pa[n], 0);
}

static void one_run(struct fixture *f, unsigned first, unsigned n, bool large)
{
	uint64_t dva = RUN_SLOT + first * SZ_4K_;
	uint64_t pa = RUN_PA + first * SZ_4K_ + (large ? 0 : SZ_4K_);
	unsigned decoys = (first > 0) + (first + n < LV2_N);
	uint32_t t[LV2_N], want[LV2_N];

	dirty_free_ram(f->soc);
	if (first)
		map_decoy(f, first - 1);
	map_decoy(f, first + n);
	assert_int_equal(vcm_pgtable_map(f->pt, dva, pa, n * SZ_4K_, 0), 0);
	read_run_table(f, t);
	expect_run(want, first, n, pa, true);
	assert_memory_equal(t, want, sizeof(t));

	if ((first + n) % 2) {		/* decoys and run in one call */
		assert_int_equal(vcm_pgtable_unmap(f->pt, dva - (first ? SZ_4K_ : 0),
						   (n + decoys) * SZ_4K_), (n + decoys) * SZ_4K_);
	} else {			/* the run, then what is left */
		assert_int_equal(vcm_pgtable_unmap(f->pt, dva, n * SZ_4K_), n * SZ_4K_);
		read_run_table(f, t);
		expect_run(want, first, n, pa, false);
		assert_memory_equal(t, want, sizeof(t));
		assert_int_equal(vcm_pgtable_unmap(f->pt, RUN_SLOT, SZ_1M_), decoys * SZ_4K_);
	}
	/* the count of valid entries reached zero: the table is gone */
	assert_int_equal(rd32(f->soc, vcm_pgtable_base(f->pt) + (RUN_SLOT >> 20) * 4), 0);
}

/*
 * Runs of 1 to 40 pages starting at each of the first 18 entries of a
 * level-2 table and ending at its last entry, in small and in 64 KiB
 * pages, beside single pages on both sides: map writes exactly the run
 * (the head, vector body and tail of each loop) and unmap clears exactly
 * it and counts it right (the table goes when its last entry does).
 */
static void test_runs_in_table(void **state)
{
	struct fixture f = { .soc = test_soc(0x40000) };	/* 64 pages */
	unsigned first, n, large;

	(void)state;
	f.free0 = vcm_soc_free_bytes(f.soc);
	f.pt = vcm_pgtable_create(f.soc);
	assert_false(vcm_is_err_or_null(f.pt));
	for (large = 0; large < 2; large++)
		for (n = 1; n <= 40; n++) {
			for (first = 0; first < 18; first++)
				one_run(&f, first, n, large);
			one_run(&f, LV2_N - n, n, large);
		}
	teardown_fixture(&f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create),
		T(test_raw_entries),
		T(test_page_sizes),
		T(test_bad_args),
		T(test_overlap),
		T(test_unmap_cut),
		T(test_lv2_sharing),
		T(test_one_page_path),
		T(test_one_page_path_owners),
		T(test_one_page_path_revoked),
		T(test_one_page_path_many_tables),
		T(test_lv2_blocks),
		cmocka_unit_test(test_lv2_blocks_fragmented),
		cmocka_unit_test(test_enomem_rollback),
		cmocka_unit_test(test_create_enomem),
		T(test_random),
		T(test_big_map_unmap),
		T(test_dump),
		T(test_supersection),
		cmocka_unit_test(test_runs_in_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
