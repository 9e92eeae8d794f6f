// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_mmu.c - the MMU wrapper (struct vcm_mmu, vcm_mmu_init()) on a
 * recording mock struct vcm_mmu_driver, and vcm_phys_walk().
 *
 * The mock "hardware" keeps the list of pages it has mapped, so every test
 * can check that nothing is mapped twice, nothing unmapped that was not
 * mapped, and nothing left behind.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vcm-internal.h"
#include "vcm_test_common.h"

#define MAX_CALLS	2048
#define WIN_START	0x20000000ULL
#define WIN_SIZE	(64ULL << 20)

enum call_kind { MAP_PAGE, UNMAP_PAGE, MAP_RES, UNMAP_RES };

struct call {
	enum call_kind kind;
	vcm_addr_t va, pa;
	unsigned order;
	int ret;
};

/* The mock hardware: what it was asked and what it has mapped. */
struct hw {
	struct call calls[MAX_CALLS];
	unsigned ncalls;
	struct call live[MAX_CALLS];
	unsigned nlive;
	unsigned nmaps, nunmaps;
	unsigned fail_map_at;	/* fail the n-th map call (1-based); 0: never */
	unsigned fail_unmap_at;	/* fail the n-th unmap call; 0: never */
	unsigned errors;	/* misaligned, double or unknown (un)mappings */
	unsigned cleanups;
};

struct mock_mmu {
	struct vcm_mmu mmu;	/* first: vcm_to_mmu() and free() */
	struct hw *hw;
};

static const unsigned char orders_841[] = { 8, 4, 0 };
static const unsigned char orders_40[] = { 4, 0 };
static const unsigned char orders_0[] = { 0 };

static struct hw *hw_of(void *vcm)
{
	return ((struct mock_mmu *)vcm)->hw;
}

static void record(struct hw *hw, enum call_kind kind, vcm_addr_t va, vcm_addr_t pa,
		   unsigned order, int ret)
{
	assert_true(hw->ncalls < MAX_CALLS);
	hw->calls[hw->ncalls++] = (struct call){ kind, va, pa, order, ret };
}

static bool overlaps(const struct call *c, vcm_addr_t va, vcm_size_t len)
{
	vcm_size_t clen = PAGE << c->order;

	return va < c->va + clen && c->va < va + len;
}

static int hw_add(struct hw *hw, vcm_addr_t va, vcm_addr_t pa, unsigned order)
{
	vcm_size_t len = PAGE << order;
	unsigned i;

	if ((va | pa) & (len - 1))
		hw->errors++;
	for (i = 0; i < hw->nlive; i++)
		if (overlaps(&hw->live[i], va, len))
			hw->errors++;
	hw->live[hw->nlive++] = (struct call){ MAP_PAGE, va, pa, order, 0 };
	return 0;
}

static void hw_remove(struct hw *hw, vcm_addr_t va, vcm_addr_t pa, unsigned order)
{
	unsigned i;

	for (i = 0; i < hw->nlive; i++) {
		struct call *c = &hw->live[i];

		if (c->va == va && c->pa == pa && c->order == order) {
			*c = hw->live[--hw->nlive];
			return;
		}
	}
	hw->errors++;
}

static int mock_activate_page(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct hw *hw = hw_of(vcm);
	int ret = ++hw->nmaps == hw->fail_map_at ? -EIO : 0;

	record(hw, MAP_PAGE, va, pa, order, ret);
	if (!ret)
		hw_add(hw, va, pa, order);
	return ret;
}

static int mock_deactivate_page(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct hw *hw = hw_of(vcm);
	int ret = ++hw->nunmaps == hw->fail_unmap_at ? -EIO : 0;

	record(hw, UNMAP_PAGE, va, pa, order, ret);
	if (!ret)
		hw_remove(hw, va, pa, order);
	return ret;
}

/* Reservation-level ops: the whole reservation is one "live" entry. */
static int mock_activate(struct vcm_res *res, struct vcm_phys *phys)
{
	struct hw *hw = hw_of(res->vcm);
	int ret = ++hw->nmaps == hw->fail_map_at ? -EIO : 0;

	record(hw, MAP_RES, res->start, phys->parts[0].start, 0, ret);
	if (!ret)
		hw->live[hw->nlive++] = (struct call){ MAP_RES, res->start,
						       phys->parts[0].start, 0, 0 };
	return ret;
}

static void mock_deactivate(struct vcm_res *res, struct vcm_phys *phys)
{
	struct hw *hw = hw_of(res->vcm);

	hw->nunmaps++;
	record(hw, UNMAP_RES, res->start, phys->parts[0].start, 0, 0);
	hw_remove(hw, res->start, phys->parts[0].start, 0);
}

static void mock_cleanup(struct vcm *vcm)
{
	hw_of(vcm)->cleanups++;
	free(vcm);
}

static const struct vcm_mmu_driver page_driver = {
	.orders = orders_841,
	.cleanup = mock_cleanup,
	.activate_page = mock_activate_page,
	.deactivate_page = mock_deactivate_page,
};

static const struct vcm_mmu_driver small_driver = {
	.orders = orders_0,
	.cleanup = mock_cleanup,
	.activate_page = mock_activate_page,
	.deactivate_page = mock_deactivate_page,
};

static const struct vcm_mmu_driver mid_driver = {
	.orders = orders_40,
	.cleanup = mock_cleanup,
	.activate_page = mock_activate_page,
	.deactivate_page = mock_deactivate_page,
};

static const struct vcm_mmu_driver res_driver = {
	.orders = orders_841,
	.cleanup = mock_cleanup,
	.activate = mock_activate,
	.deactivate = mock_deactivate,
	.activate_page = mock_activate_page,
	.deactivate_page = mock_deactivate_page,
};

static struct vcm *mmu_new_window(const struct vcm_mmu_driver *drv, struct hw *hw,
				  vcm_addr_t start, vcm_size_t size)
{
	struct mock_mmu *m = calloc(1, sizeof(*m));
	struct vcm *vcm;

	assert_non_null(m);
	memset(hw, 0, sizeof(*hw));
	m->hw = hw;
	m->mmu.vcm.start = start;
	m->mmu.vcm.size = size;
	m->mmu.driver = drv;
	vcm = vcm_mmu_init(&m->mmu);
	assert_ptr_equal(vcm, &m->mmu.vcm);
	assert_int_equal(vcm->start, start);
	assert_int_equal(vcm->size, size);
	return vcm;
}

static struct vcm *mmu_new(const struct vcm_mmu_driver *drv, struct hw *hw)
{
	return mmu_new_window(drv, hw, WIN_START, WIN_SIZE);
}

/* Destroy an empty, inactive context: no warning, nothing left mapped. */
static void mmu_destroy(struct vcm *vcm, struct hw *hw)
{
	EXPECT_WARNINGS(0, vcm_destroy(vcm));
	assert_int_equal(hw->cleanups, 1);
	assert_int_equal(hw->nlive, 0);
	assert_int_equal(hw->errors, 0);
}

static unsigned count_kind(const struct hw *hw, enum call_kind kind)
{
	unsigned i, n = 0;

	for (i = 0; i < hw->ncalls; i++)
		n += hw->calls[i].kind == kind;
	return n;
}

static void assert_call(const struct hw *hw, unsigned i, enum call_kind kind, vcm_addr_t va,
			vcm_addr_t pa, unsigned order)
{
	assert_true(i < hw->ncalls);
	assert_int_equal(hw->calls[i].kind, kind);
	assert_int_equal(hw->calls[i].va, va);
	assert_int_equal(hw->calls[i].pa, pa);
	assert_int_equal(hw->calls[i].order, order);
}

/* Physical address behind byte @off of @phys. */
static vcm_addr_t phys_pa_at(const struct vcm_phys *phys, vcm_size_t off)
{
	unsigned i;

	for (i = 0; i < phys->count; i++) {
		if (off < phys->parts[i].size)
			return phys->parts[i].start + off;
		off -= phys->parts[i].size;
	}
	fail_msg("offset beyond the phys");
	return 0;
}

/* Bytes of live page mappings inside @res; each must map the right PA. */
static vcm_size_t live_bytes_in(const struct hw *hw, const struct vcm_res *res)
{
	vcm_size_t bytes = 0;
	unsigned i;

	for (i = 0; i < hw->nlive; i++) {
		const struct call *c = &hw->live[i];
		vcm_size_t len = PAGE << c->order, off;

		if (c->va < res->start || c->va >= res->start + res->res_size)
			continue;
		assert_true(c->va + len <= res->start + res->bound_size);
		for (off = 0; off < len; off += PAGE)
			assert_int_equal(c->pa + off,
					 phys_pa_at(res->phys, c->va - res->start + off));
		bytes += len;
	}
	return bytes;
}

static vcm_size_t soc_free(void)
{
	return vcm_soc_free_bytes(vcm_soc_current());
}

/* A hand-made phys of @n single pages PAGE apart from @pa (not contiguous). */
static struct vcm_phys *scattered_phys(unsigned n, vcm_addr_t pa)
{
	vcm_addr_t starts[16];
	vcm_size_t sizes[16];
	unsigned i;

	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		starts[i] = pa + 2 * i * PAGE;
		sizes[i] = PAGE;
	}
	return test_phys_new(n, starts, sizes);
}

/*
 * The wrapper's reservation is the kernel's struct vcm_mmu_res, which a
 * driver may declare and allocate itself (MFC's mfc_mem.h does):
 * {struct vcm_res res; struct list_head bound;}, nothing before or after.
 */
_Static_assert(offsetof(struct vcm_mmu_res, res) == 0, "res first");
_Static_assert(offsetof(struct vcm_mmu_res, bound) == sizeof(struct vcm_res), "bound next");
_Static_assert(sizeof(struct vcm_mmu_res) == sizeof(struct vcm_res) + sizeof(struct vcm_link),
	       "nothing after bound");

/* --- vcm_mmu_init ---------------------------------------------------------- */

static void check_init_einval(const struct vcm_mmu_driver *drv, vcm_addr_t start,
			      vcm_size_t size)
{
	struct vcm_mmu mmu = { .vcm = { .start = start, .size = size }, .driver = drv };

	assert_ptr_equal(vcm_mmu_init(&mmu), vcm_err_ptr(-EINVAL));
	assert_null(vcm_core(&mmu.vcm));
}

static void test_mmu_init_errors(void **state)
{
	static const unsigned char rising[] = { 4, 8, 0 };
	static const unsigned char repeated[] = { 4, 4, 0 };
	static const unsigned char huge[] = { 13, 0 };
	struct vcm_mmu_driver drv = page_driver;

	(void)state;
	assert_ptr_equal(vcm_mmu_init(NULL), vcm_err_ptr(-EINVAL));
	assert_ptr_equal(vcm_mmu_init(vcm_err_ptr(-EIO)), vcm_err_ptr(-EINVAL));
	check_init_einval(NULL, WIN_START, WIN_SIZE);
	check_init_einval(vcm_err_ptr(-EIO), WIN_START, WIN_SIZE);
	check_init_einval(&drv, WIN_START, 0);
	check_init_einval(&drv, WIN_START + 1, WIN_SIZE);
	check_init_einval(&drv, WIN_START, WIN_SIZE + 1);
	check_init_einval(&drv, UINT64_MAX - PAGE + 1, 2 * PAGE);
	/* More than 2^32 pages of window. */
	check_init_einval(&drv, 0, (1ULL << 44) + PAGE);

	drv.orders = NULL;
	check_init_einval(&drv, WIN_START, WIN_SIZE);
	drv.orders = rising;
	check_init_einval(&drv, WIN_START, WIN_SIZE);
	drv.orders = repeated;
	check_init_einval(&drv, WIN_START, WIN_SIZE);
	drv.orders = huge;
	check_init_einval(&drv, WIN_START, WIN_SIZE);

	/* No way to map anything. */
	drv = page_driver;
	drv.activate_page = NULL;
	check_init_einval(&drv, WIN_START, WIN_SIZE);
}

/* --- activation ------------------------------------------------------------ */

static void test_mmu_counted_activation(void **state)
{
	struct vcm_res *res;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&small_driver, &hw);
	res = vcm_make_binding(vcm, 3 * PAGE, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	/* Inactive: the binding has not reached the hardware. */
	assert_int_equal(hw.ncalls, 0);

	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(hw.nmaps, 3);
	assert_int_equal(live_bytes_in(&hw, res), 3 * PAGE);
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(vcm->activations.counter, 3);
	assert_int_equal(hw.ncalls, 3);

	vcm_deactivate(vcm);
	vcm_deactivate(vcm);
	assert_int_equal(hw.ncalls, 3);
	assert_int_equal(hw.nlive, 3);
	EXPECT_WARNINGS(0, vcm_deactivate(vcm));
	assert_int_equal(vcm->activations.counter, 0);
	assert_int_equal(hw.nunmaps, 3);
	assert_int_equal(hw.nlive, 0);
	EXPECT_WARNINGS(1, vcm_deactivate(vcm));
	assert_int_equal(hw.ncalls, 6);

	/* The list survives: the next activation maps it again. */
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(hw.nmaps, 6);
	assert_int_equal(live_bytes_in(&hw, res), 3 * PAGE);
	vcm_deactivate(vcm);
	vcm_destroy_binding(res);
	assert_int_equal(hw.nmaps, 6);
	assert_int_equal(hw.nunmaps, 6);
	mmu_destroy(vcm, &hw);
}

static void test_mmu_replay(void **state)
{
	static const vcm_size_t sizes[] = { PAGE, 20 * PAGE, MIB + 5 * PAGE, 64 * KIB };
	struct vcm_res *res[4], *unbound;
	struct vcm_phys *phys3;
	struct hw hw;
	struct vcm *vcm;
	unsigned i;

	(void)state;
	vcm = mmu_new(&page_driver, &hw);
	unbound = vcm_reserve(vcm, MIB, 0);
	for (i = 0; i < 4; i++) {
		res[i] = vcm_make_binding(vcm, sizes[i], 0, 0);
		assert_false(vcm_is_err_or_null(res[i]));
	}
	/* One unbound again before activation: it must not be replayed. */
	phys3 = res[3]->phys;
	assert_ptr_equal(vcm_unbind(res[3]), phys3);
	assert_int_equal(hw.ncalls, 0);

	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(hw.errors, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(live_bytes_in(&hw, res[i]), sizes[i]);
	assert_int_equal(live_bytes_in(&hw, res[3]), 0);
	assert_int_equal(live_bytes_in(&hw, unbound), 0);
	assert_int_equal(count_kind(&hw, UNMAP_PAGE), 0);

	vcm_deactivate(vcm);
	assert_int_equal(hw.nlive, 0);
	assert_int_equal(hw.errors, 0);
	for (i = 0; i < 3; i++)
		vcm_destroy_binding(res[i]);
	vcm_unreserve(res[3]);
	vcm_free(phys3);
	vcm_unreserve(unbound);
	mmu_destroy(vcm, &hw);
}

static void test_mmu_bind_while_active(void **state)
{
	struct vcm_phys *phys;
	struct vcm_res *res, *map;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&page_driver, &hw);
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(hw.ncalls, 0);

	phys = vcm_alloc(vcm, 64 * KIB + 2 * PAGE, 0);
	res = vcm_reserve(vcm, 64 * KIB + 2 * PAGE, 0);
	assert_int_equal(vcm_bind(res, phys), 0);
	assert_int_equal(live_bytes_in(&hw, res), 64 * KIB + 2 * PAGE);
	assert_int_equal(hw.nmaps, 3);

	map = vcm_map(vcm, phys, 0);
	assert_false(vcm_is_err_or_null(map));
	assert_int_equal(live_bytes_in(&hw, map), 64 * KIB + 2 * PAGE);
	assert_int_equal(phys->bindings.counter, 2);

	assert_ptr_equal(vcm_unbind(res), phys);
	assert_int_equal(hw.nunmaps, 3);
	assert_int_equal(live_bytes_in(&hw, res), 0);
	assert_int_equal(live_bytes_in(&hw, map), 64 * KIB + 2 * PAGE);

	vcm_unmap(map);
	assert_int_equal(hw.nlive, 0);

	/* Unreserving a bound reservation takes it out of the hardware too. */
	assert_int_equal(vcm_bind(res, phys), 0);
	assert_int_equal(hw.nlive, 3);
	EXPECT_WARNINGS(1, vcm_unreserve(res));
	assert_int_equal(hw.nlive, 0);
	assert_int_equal(phys->bindings.counter, 0);

	vcm_deactivate(vcm);
	assert_int_equal(hw.errors, 0);
	vcm_free(phys);
	mmu_destroy(vcm, &hw);
}

/* --- pages, orders and alignment ------------------------------------------- */

static void test_mmu_page_orders(void **state)
{
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&page_driver, &hw);
	/* A fresh SoC: the largest pages, one of each order. */
	phys = vcm_alloc(vcm, MIB + 64 * KIB + PAGE, 0);
	assert_false(vcm_is_err_or_null(phys));
	assert_int_equal(phys->count, 3);
	assert_int_equal(phys->parts[0].size, MIB);
	assert_int_equal(phys->parts[1].size, 64 * KIB);
	assert_int_equal(phys->parts[2].size, PAGE);

	res = vcm_map(vcm, phys, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(res->start % MIB, 0);
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(hw.ncalls, 3);
	assert_call(&hw, 0, MAP_PAGE, res->start, phys->parts[0].start, 8);
	assert_call(&hw, 1, MAP_PAGE, res->start + MIB, phys->parts[1].start, 4);
	assert_call(&hw, 2, MAP_PAGE, res->start + MIB + 64 * KIB, phys->parts[2].start, 0);

	vcm_deactivate(vcm);
	assert_int_equal(hw.ncalls, 6);
	assert_call(&hw, 3, UNMAP_PAGE, res->start, phys->parts[0].start, 8);
	assert_call(&hw, 4, UNMAP_PAGE, res->start + MIB, phys->parts[1].start, 4);
	assert_call(&hw, 5, UNMAP_PAGE, res->start + MIB + 64 * KIB, phys->parts[2].start, 0);
	vcm_unmap(res);
	vcm_free(phys);
	mmu_destroy(vcm, &hw);
}

/* Pages limited by the physical alignment of a hand-made phys. */
static void test_mmu_pa_alignment(void **state)
{
	const vcm_addr_t pa64k = 0x40010000, pa4k = 0x40001000;
	const vcm_size_t size = 2 * MIB;
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct hw hw;
	struct vcm *vcm;
	unsigned i;

	(void)state;
	vcm = mmu_new(&page_driver, &hw);
	assert_int_equal(vcm_activate(vcm), 0);

	phys = test_phys_new(1, &pa64k, &size);
	res = vcm_map(vcm, phys, 0);
	assert_int_equal(res->start % MIB, 0);
	assert_int_equal(hw.ncalls, 32);
	for (i = 0; i < 32; i++)
		assert_call(&hw, i, MAP_PAGE, res->start + i * 64 * KIB, pa64k + i * 64 * KIB, 4);
	vcm_unmap(res);
	vcm_free(phys);

	hw.ncalls = 0;
	phys = test_phys_new(1, &pa4k, &size);
	res = vcm_map(vcm, phys, 0);
	assert_int_equal(hw.ncalls, 512);
	for (i = 0; i < 512; i++)
		assert_call(&hw, i, MAP_PAGE, res->start + i * PAGE, pa4k + i * PAGE, 0);
	vcm_unmap(res);
	vcm_free(phys);

	vcm_deactivate(vcm);
	mmu_destroy(vcm, &hw);
}

/* Largest page of orders_841 that fits in @npages pages. */
/*
 * The kernel's alignment: the largest driver page (1 MiB, 64 KiB, 4 KiB)
 * not above the lowest set bit of the size.
 */
static vcm_size_t big_page_for(uint64_t npages)
{
	return npages % 256 == 0 ? MIB : npages % 16 == 0 ? 64 * KIB : PAGE;
}

/* Each reservation's DVA is aligned as the kernel aligned it. */
static void check_alignment(vcm_addr_t start)
{
	static const uint64_t npages[] = { 1, 15, 16, 17, 31, 255, 256, 257, 300, 1000 };
	struct vcm_res *res[10];
	struct hw hw;
	struct vcm *vcm;
	unsigned i, j;

	vcm = mmu_new_window(&page_driver, &hw, start, WIN_SIZE);
	for (i = 0; i < 10; i++) {
		vcm_size_t align = big_page_for(npages[i]);

		res[i] = vcm_reserve(vcm, npages[i] * PAGE, 0);
		assert_false(vcm_is_err_or_null(res[i]));
		assert_int_equal(res[i]->res_size, npages[i] * PAGE);
		assert_int_equal(res[i]->start % align, 0);
		assert_true(res[i]->start >= start);
		assert_true(res[i]->start + res[i]->res_size <= start + WIN_SIZE);
		for (j = 0; j < i; j++)
			assert_true(res[i]->start >= res[j]->start + res[j]->res_size ||
				    res[j]->start >= res[i]->start + res[i]->res_size);
	}
	for (i = 0; i < 10; i++)
		vcm_unreserve(res[i]);
	mmu_destroy(vcm, &hw);
}

static void test_mmu_dva_alignment(void **state)
{
	(void)state;
	check_alignment(WIN_START);
	/* A window that starts off a big-page boundary still aligns DVAs. */
	check_alignment(WIN_START + 3 * PAGE);
	check_alignment(WIN_START + 17 * 64 * KIB);
}

/*
 * The kernel's placement, exactly: the lowest free range, aligned to the
 * largest driver page not above the size's lowest set bit (in absolute
 * DVA), from a page-granular pool.
 */
static void test_mmu_kernel_first_fit(void **state)
{
	struct vcm_res *a, *b, *c, *d, *e;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new_window(&page_driver, &hw, WIN_START + PAGE, WIN_SIZE - PAGE);
	a = vcm_reserve(vcm, PAGE, 0);
	assert_int_equal(a->start, WIN_START + PAGE);
	b = vcm_reserve(vcm, 16 * PAGE, 0);		/* 64 KiB-aligned */
	assert_int_equal(b->start, WIN_START + 64 * KIB);
	c = vcm_reserve(vcm, 2 * PAGE, 0);		/* first fit: the hole */
	assert_int_equal(c->start, WIN_START + 2 * PAGE);
	d = vcm_reserve(vcm, (256 + 16) * PAGE, 0);	/* lowest bit 64 KiB */
	assert_int_equal(d->start, WIN_START + 128 * KIB);
	e = vcm_reserve(vcm, 256 * PAGE, 0);		/* 1 MiB-aligned */
	assert_int_equal(e->start, WIN_START + 2 * MIB);
	vcm_unreserve(b);
	b = vcm_reserve(vcm, 13 * PAGE, 0);		/* the freed hole again */
	assert_int_equal(b->start, WIN_START + 4 * PAGE);
	/* given back, a page's DVA is not kept for the next page: lowest first */
	vcm_unreserve(a);
	vcm_unreserve(c);
	a = vcm_reserve(vcm, PAGE, 0);
	assert_int_equal(a->start, WIN_START + PAGE);
	c = vcm_reserve(vcm, 2 * PAGE, 0);
	assert_int_equal(c->start, WIN_START + 2 * PAGE);
	vcm_unreserve(a);
	vcm_unreserve(b);
	vcm_unreserve(c);
	vcm_unreserve(d);
	vcm_unreserve(e);
	mmu_destroy(vcm, &hw);
}

/*
 * Reserve @n sizes adding up to the window exactly: each fits, aligned, none
 * overlaps another; then the window is full.  Unreserves them all.
 */
static void fill_window(struct vcm *vcm, const uint64_t *npages, unsigned n)
{
	struct vcm_res *res[16];
	uint64_t total = 0;
	unsigned i, j;

	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		res[i] = vcm_reserve(vcm, npages[i] * PAGE, 0);
		assert_false(vcm_is_err_or_null(res[i]));
		assert_int_equal(res[i]->start % big_page_for(npages[i]), 0);
		assert_true(res[i]->start >= vcm->start);
		assert_true(res[i]->start + res[i]->res_size <= vcm->start + vcm->size);
		for (j = 0; j < i; j++)
			assert_true(res[i]->start >= res[j]->start + res[j]->res_size ||
				    res[j]->start >= res[i]->start + res[i]->res_size);
		total += npages[i];
	}
	assert_int_equal(total * PAGE, vcm->size);
	/* Not one page was wasted: the window is full. */
	assert_ptr_equal(vcm_reserve(vcm, PAGE, 0), vcm_err_ptr(-ENOSPC));
	for (i = 0; i < n; i++)
		vcm_unreserve(res[i]);
}

static void test_mmu_fill_window(void **state)
{
	/* Odd sizes adding up to exactly the 64-page window. */
	static const uint64_t aligned[] = { 33, 15, 7, 3, 1, 1, 1, 1, 2 };
	static const uint64_t unaligned[] = { 31, 15, 7, 3, 1, 1, 1, 1, 1, 1, 2 };
	struct vcm_res *all;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new_window(&page_driver, &hw, WIN_START, 64 * PAGE);
	fill_window(vcm, aligned, sizeof(aligned) / sizeof(aligned[0]));
	/* Everything coalesced back: the whole window in one piece. */
	all = vcm_reserve(vcm, 64 * PAGE, 0);
	assert_false(vcm_is_err_or_null(all));
	assert_int_equal(all->start, WIN_START);
	vcm_unreserve(all);
	/* And again, the same way. */
	fill_window(vcm, aligned, sizeof(aligned) / sizeof(aligned[0]));
	mmu_destroy(vcm, &hw);

	/* A window 3 pages off a 64 KiB boundary fills exactly too. */
	vcm = mmu_new_window(&page_driver, &hw, WIN_START + 3 * PAGE, 64 * PAGE);
	fill_window(vcm, unaligned, sizeof(unaligned) / sizeof(unaligned[0]));
	fill_window(vcm, unaligned, sizeof(unaligned) / sizeof(unaligned[0]));
	mmu_destroy(vcm, &hw);
}

static void test_mmu_enospc(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new_window(&page_driver, &hw, WIN_START, 16 * PAGE);
	assert_ptr_equal(vcm_reserve(vcm, 17 * PAGE, 0), vcm_err_ptr(-ENOSPC));
	assert_ptr_equal(vcm_reserve(vcm, 1ULL << 40, 0), vcm_err_ptr(-ENOSPC));
	res = vcm_reserve(vcm, 16 * PAGE, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_ptr_equal(vcm_reserve(vcm, PAGE, 0), vcm_err_ptr(-ENOSPC));

	/* Nothing is left allocated by the bindings that could not be made. */
	assert_ptr_equal(vcm_make_binding(vcm, PAGE, 0, 0), vcm_err_ptr(-ENOSPC));
	assert_int_equal(soc_free(), free0);
	phys = vcm_alloc(vcm, PAGE, 0);
	assert_ptr_equal(vcm_map(vcm, phys, 0), vcm_err_ptr(-ENOSPC));
	assert_int_equal(phys->bindings.counter, 0);
	vcm_free(phys);

	vcm_unreserve(res);
	res = vcm_make_binding(vcm, 16 * PAGE, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	vcm_destroy_binding(res);
	assert_int_equal(soc_free(), free0);
	mmu_destroy(vcm, &hw);
}

static void test_mmu_alloc_orders(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	struct hw hw;
	struct vcm *vcm;
	unsigned i;

	(void)state;
	/* Physical memory comes in the driver's page sizes. */
	vcm = mmu_new(&mid_driver, &hw);
	phys = vcm_alloc(vcm, MIB + PAGE, 0);
	assert_false(vcm_is_err_or_null(phys));
	assert_int_equal(phys->size, MIB + PAGE);
	assert_int_equal(phys->count, 17);
	for (i = 0; i < 16; i++) {
		assert_int_equal(phys->parts[i].size, 64 * KIB);
		assert_int_equal(phys->parts[i].start % (64 * KIB), 0);
	}
	assert_int_equal(phys->parts[16].size, PAGE);
	assert_int_equal(soc_free(), free0 - MIB - PAGE);
	vcm_free(phys);
	assert_int_equal(soc_free(), free0);
	mmu_destroy(vcm, &hw);
}

/* Under fragmentation vcm_alloc() falls back to smaller driver pages. */
static void test_mmu_alloc_fragmented(void **state)
{
	vcm_addr_t pages[512], pinned[2];
	struct vcm_soc *soc;
	struct vcm_phys *phys;
	struct hw hw;
	struct vcm *vcm;
	unsigned i, n = 0;

	(void)state;
	/* 2 MiB, the first page of each 1 MiB kept: no 1 MiB block is left. */
	soc = test_soc_new(2 * MIB);
	for (i = 0; i < 512; i++)
		assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pages[i]), 0);
	for (i = 0; i < 512; i++) {
		if (pages[i] % MIB == 0)
			pinned[n++] = pages[i];
		else
			vcm_soc_free_pages(soc, pages[i], 0);
	}
	assert_int_equal(n, 2);

	vcm = mmu_new(&page_driver, &hw);
	phys = vcm_alloc(vcm, MIB + PAGE, 0);
	assert_false(vcm_is_err_or_null(phys));
	assert_int_equal(phys->count, 17);
	for (i = 0; i < 16; i++)
		assert_int_equal(phys->parts[i].size, 64 * KIB);
	assert_int_equal(phys->parts[16].size, PAGE);
	/* More than is free: nothing at all is taken. */
	{
		vcm_size_t free0 = vcm_soc_free_bytes(soc);

		assert_ptr_equal(vcm_alloc(vcm, free0 + PAGE, 0), vcm_err_ptr(-ENOMEM));
		assert_ptr_equal(vcm_make_binding(vcm, free0 + PAGE, 0, 0),
				 vcm_err_ptr(-ENOMEM));
		assert_int_equal(vcm_soc_free_bytes(soc), free0);
	}
	vcm_free(phys);
	mmu_destroy(vcm, &hw);
	vcm_soc_free_pages(soc, pinned[0], 0);
	vcm_soc_free_pages(soc, pinned[1], 0);
	test_soc_done(soc);
}

/* Flags: 0 is the default, and no bits are defined, so any value works. */
static void test_mmu_flags(void **state)
{
	struct vcm_phys *phys;
	struct vcm_res *res, *made, *mapped;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&page_driver, &hw);
	phys = vcm_alloc(vcm, 2 * PAGE, ~0u);
	res = vcm_reserve(vcm, 2 * PAGE, ~0u);
	made = vcm_make_binding(vcm, PAGE, ~0u, ~0u);
	assert_false(vcm_is_err_or_null(phys) || vcm_is_err_or_null(res) ||
		     vcm_is_err_or_null(made));
	assert_int_equal(vcm_bind(res, phys), 0);
	assert_ptr_equal(vcm_unbind(res), phys);
	mapped = vcm_map(vcm, phys, ~0u);
	assert_false(vcm_is_err_or_null(mapped));
	vcm_unmap(mapped);
	vcm_unreserve(res);
	vcm_destroy_binding(made);
	vcm_free(phys);
	mmu_destroy(vcm, &hw);
}

/* --- failures and recovery ------------------------------------------------- */

static void test_mmu_bind_failure_recovery(void **state)
{
	const vcm_addr_t pa = 0x40100000;
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct hw hw;
	struct vcm *vcm;
	unsigned i;

	(void)state;
	vcm = mmu_new(&page_driver, &hw);
	assert_int_equal(vcm_activate(vcm), 0);
	phys = scattered_phys(5, pa);
	res = vcm_reserve(vcm, 5 * PAGE, 0);

	hw.fail_map_at = 3;
	assert_int_equal(vcm_bind(res, phys), -EIO);
	/* Pages 1 and 2 were mapped, 3 failed; exactly 1 and 2 are undone. */
	assert_int_equal(hw.ncalls, 5);
	for (i = 0; i < 3; i++)
		assert_call(&hw, i, MAP_PAGE, res->start + i * PAGE, pa + 2 * i * PAGE, 0);
	assert_call(&hw, 3, UNMAP_PAGE, res->start, pa, 0);
	assert_call(&hw, 4, UNMAP_PAGE, res->start + PAGE, pa + 2 * PAGE, 0);
	assert_int_equal(hw.nlive, 0);
	assert_null(res->phys);
	assert_int_equal(res->bound_size, 0);
	assert_int_equal(phys->bindings.counter, 0);

	/* Nothing is left bound: deactivation touches nothing. */
	vcm_deactivate(vcm);
	assert_int_equal(hw.ncalls, 5);

	/* A failure on the first page undoes nothing. */
	assert_int_equal(vcm_activate(vcm), 0);
	hw.nmaps = 0;
	hw.fail_map_at = 1;
	assert_int_equal(vcm_bind(res, phys), -EIO);
	assert_int_equal(hw.ncalls, 6);
	assert_int_equal(count_kind(&hw, UNMAP_PAGE), 2);

	/* And the same reservation binds fine afterwards. */
	hw.fail_map_at = 0;
	assert_int_equal(vcm_bind(res, phys), 0);
	assert_int_equal(live_bytes_in(&hw, res), 5 * PAGE);
	vcm_deactivate(vcm);
	vcm_unmap(res);
	vcm_free(phys);
	mmu_destroy(vcm, &hw);
}

static void test_mmu_big_page_recovery(void **state)
{
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&page_driver, &hw);
	phys = vcm_alloc(vcm, MIB + 64 * KIB + PAGE, 0);
	res = vcm_reserve(vcm, MIB + 64 * KIB + PAGE, 0);
	assert_int_equal(vcm_activate(vcm), 0);
	hw.fail_map_at = 3;
	assert_int_equal(vcm_bind(res, phys), -EIO);
	assert_int_equal(hw.ncalls, 5);
	assert_call(&hw, 3, UNMAP_PAGE, res->start, phys->parts[0].start, 8);
	assert_call(&hw, 4, UNMAP_PAGE, res->start + MIB, phys->parts[1].start, 4);
	assert_int_equal(hw.nlive, 0);
	assert_int_equal(hw.errors, 0);
	assert_int_equal(phys->bindings.counter, 0);
	vcm_deactivate(vcm);
	vcm_unreserve(res);
	vcm_free(phys);
	mmu_destroy(vcm, &hw);
}

static void test_mmu_activate_failure(void **state)
{
	struct vcm_res *a, *b;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&small_driver, &hw);
	a = vcm_make_binding(vcm, 2 * PAGE, 0, 0);
	b = vcm_make_binding(vcm, 2 * PAGE, 0, 0);
	assert_int_equal(hw.ncalls, 0);

	/* The 4th page fails: the other 3 are taken out again. */
	hw.fail_map_at = 4;
	assert_int_equal(vcm_activate(vcm), -EIO);
	/* Counted all the same, as in the kernel; the deactivation owed finds
	 * nothing in the hardware to take out. */
	assert_int_equal(vcm->activations.counter, 1);
	assert_int_equal(hw.nmaps, 4);
	assert_int_equal(hw.nunmaps, 3);
	assert_int_equal(hw.nlive, 0);
	assert_int_equal(hw.errors, 0);
	EXPECT_WARNINGS(0, vcm_deactivate(vcm));
	assert_int_equal(vcm->activations.counter, 0);
	assert_int_equal(hw.nunmaps, 3);
	/* The bindings themselves are kept. */
	assert_int_equal(a->phys->bindings.counter, 1);
	assert_int_equal(b->phys->bindings.counter, 1);

	hw.fail_map_at = 0;
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(vcm->activations.counter, 1);
	assert_int_equal(live_bytes_in(&hw, a), 2 * PAGE);
	assert_int_equal(live_bytes_in(&hw, b), 2 * PAGE);
	vcm_deactivate(vcm);
	assert_int_equal(hw.nlive, 0);
	vcm_destroy_binding(a);
	vcm_destroy_binding(b);
	mmu_destroy(vcm, &hw);
}

static void test_mmu_unmap_failure(void **state)
{
	const vcm_addr_t pa = 0x40200000;
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&small_driver, &hw);
	assert_int_equal(vcm_activate(vcm), 0);
	phys = scattered_phys(4, pa);
	res = vcm_map(vcm, phys, 0);
	assert_int_equal(hw.nlive, 4);

	/* The 2nd page refuses to go: a warning, and the others still go. */
	hw.fail_unmap_at = 2;
	EXPECT_WARNINGS(1, assert_ptr_equal(vcm_unbind(res), phys));
	assert_int_equal(hw.nunmaps, 4);
	assert_int_equal(hw.nlive, 1);
	assert_int_equal(hw.live[0].va, res->start + PAGE);
	assert_int_equal(phys->bindings.counter, 0);
	hw.nlive = 0;

	vcm_deactivate(vcm);
	vcm_unreserve(res);
	vcm_free(phys);
	mmu_destroy(vcm, &hw);
}

static void test_mmu_driver_res_ops(void **state)
{
	struct vcm_res *a, *b;
	struct vcm_phys *phys;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&res_driver, &hw);
	a = vcm_make_binding(vcm, MIB, 0, 0);
	b = vcm_make_binding(vcm, 3 * PAGE, 0, 0);
	assert_int_equal(hw.ncalls, 0);

	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(hw.ncalls, 2);
	assert_int_equal(count_kind(&hw, MAP_RES), 2);
	assert_int_equal(hw.nlive, 2);

	/* Bound while active: at once, one call. */
	phys = vcm_alloc(vcm, PAGE, 0);
	hw.fail_map_at = 3;
	assert_ptr_equal(vcm_map(vcm, phys, 0), vcm_err_ptr(-EIO));
	assert_int_equal(phys->bindings.counter, 0);
	hw.fail_map_at = 0;
	assert_int_equal(hw.nlive, 2);

	vcm_deactivate(vcm);
	assert_int_equal(count_kind(&hw, UNMAP_RES), 2);
	assert_int_equal(count_kind(&hw, MAP_PAGE) + count_kind(&hw, UNMAP_PAGE), 0);
	assert_int_equal(hw.nlive, 0);
	assert_int_equal(hw.errors, 0);

	/* A replay failure unwinds the reservation already mapped. */
	hw.nmaps = 0;
	hw.fail_map_at = 2;
	assert_int_equal(vcm_activate(vcm), -EIO);
	assert_int_equal(vcm->activations.counter, 1);
	assert_int_equal(hw.nlive, 0);
	assert_int_equal(count_kind(&hw, UNMAP_RES), 3);
	vcm_deactivate(vcm);
	assert_int_equal(count_kind(&hw, UNMAP_RES), 3);

	vcm_free(phys);
	vcm_destroy_binding(a);
	vcm_destroy_binding(b);
	mmu_destroy(vcm, &hw);
}

/*
 * A struct vcm_mmu_res its driver made itself (as the MFC driver does), at
 * @start, bound to a phys of @size from the context: on the context's list
 * of bound ones through its own link.  In memory that was never a handle
 * (heap memory may have been one, which libvcm then remembers as released).
 */
static struct vcm_mmu_res *driver_made_bind(struct vcm *vcm, vcm_addr_t start, vcm_size_t size)
{
	static struct vcm_mmu_res made[2];
	struct vcm_mmu_res *m = &made[made[0].res.vcm != NULL];
	struct vcm_phys *phys = vcm_alloc(vcm, size, 0);

	assert_null(m->res.vcm);
	assert_false(vcm_is_err_or_null(phys));
	m->res.start = start;
	m->res.res_size = size;
	m->res.vcm = vcm;
	vcm_list_init(&m->bound);
	assert_int_equal(vcm_bind(&m->res, phys), 0);
	return m;
}

static void driver_made_unbind(struct vcm_mmu_res *m)
{
	struct vcm_phys *phys = vcm_unbind(&m->res);

	assert_non_null(phys);
	vcm_free(phys);
	memset(m, 0, sizeof(*m));
}

/* The reservation-level calls of @kind since call @from, as their DVAs. */
static unsigned res_calls(const struct hw *hw, unsigned from, enum call_kind kind,
			  vcm_addr_t *va, unsigned max)
{
	unsigned i, n = 0;

	for (i = from; i < hw->ncalls; i++)
		if (hw->calls[i].kind == kind && n < max)
			va[n++] = hw->calls[i].va;
	return n;
}

/*
 * Activation replays the pooled reservations whose phys is set (in the
 * pool's order), then the bound ones the driver made (in binding order),
 * and nothing that is unbound; deactivation takes out the same ones.
 */
static void test_mmu_bound_pooled_and_driver_made(void **state)
{
	const vcm_addr_t far = WIN_START + WIN_SIZE / 2;
	struct vcm_mmu_res *m1, *m2;
	struct vcm_res *a, *b, *u;
	vcm_addr_t va[8];
	unsigned from;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&res_driver, &hw);
	a = vcm_make_binding(vcm, 2 * PAGE, 0, 0);
	u = vcm_reserve(vcm, 2 * PAGE, 0);
	b = vcm_make_binding(vcm, 4 * PAGE, 0, 0);
	m1 = driver_made_bind(vcm, far, 8 * PAGE);
	m2 = driver_made_bind(vcm, far + MIB, PAGE);
	assert_int_equal(hw.ncalls, 0);

	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(hw.nlive, 4);
	assert_int_equal(res_calls(&hw, 0, MAP_RES, va, 8), 4);
	/* the pool's order: the newest chunk hands out from its end */
	assert_int_equal(va[0], b->start);
	assert_int_equal(va[1], a->start);
	assert_int_equal(va[2], far);
	assert_int_equal(va[3], far + MIB);
	from = hw.ncalls;
	vcm_deactivate(vcm);
	assert_int_equal(hw.nlive, 0);
	assert_int_equal(res_calls(&hw, from, UNMAP_RES, va, 8), 4);
	assert_int_equal(va[0], b->start);
	assert_int_equal(va[3], far + MIB);

	/* unbound, and unbound by vcm_unreserve(): no longer replayed */
	vcm_destroy_binding(b);
	assert_int_equal(vcm_bind(u, a->phys), 0);
	EXPECT_WARNINGS(1, vcm_unreserve(u));
	u = vcm_reserve(vcm, PAGE, 0);	/* the same memory, unbound */
	from = hw.ncalls;
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(res_calls(&hw, from, MAP_RES, va, 8), 3);
	assert_int_equal(va[0], a->start);
	assert_int_equal(va[1], far);
	assert_int_equal(va[2], far + MIB);
	vcm_deactivate(vcm);
	assert_int_equal(hw.nlive, 0);
	assert_int_equal(hw.errors, 0);

	driver_made_unbind(m1);
	driver_made_unbind(m2);
	vcm_unreserve(u);
	vcm_destroy_binding(a);
	mmu_destroy(vcm, &hw);
}

/*
 * A failed activation unmaps exactly the reservations it mapped before the
 * one that failed: pooled ones when a driver-made one fails, the earlier
 * driver-made ones too; nothing when the first fails.
 */
static void test_mmu_bound_activate_unwind(void **state)
{
	const vcm_addr_t far = WIN_START + WIN_SIZE / 2;
	struct vcm_mmu_res *m1, *m2;
	struct vcm_phys *pa, *pb;
	struct vcm_res *a, *b;
	unsigned fail, from;
	vcm_addr_t va[8];
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&res_driver, &hw);
	a = vcm_make_binding(vcm, 2 * PAGE, 0, 0);
	b = vcm_make_binding(vcm, PAGE, 0, 0);
	m1 = driver_made_bind(vcm, far, PAGE);
	m2 = driver_made_bind(vcm, far + MIB, PAGE);
	for (fail = 1; fail <= 4; fail++) {
		unsigned nmapped;

		hw.nmaps = 0;
		hw.nunmaps = 0;
		hw.fail_map_at = fail;
		from = hw.ncalls;
		assert_int_equal(vcm_activate(vcm), -EIO);
		assert_int_equal(hw.nlive, 0);
		nmapped = res_calls(&hw, from, MAP_RES, va, 8);
		assert_int_equal(nmapped, fail);
		assert_int_equal(res_calls(&hw, from, UNMAP_RES, va + 4, 4), fail - 1);
		/* undone: the first fail - 1, in the order they were mapped */
		for (unsigned i = 0; i + 1 < fail; i++)
			assert_int_equal(va[4 + i], va[i]);
		EXPECT_WARNINGS(0, vcm_deactivate(vcm));
		assert_int_equal(hw.nunmaps, fail - 1);	/* the deactivation owed: none */
		assert_int_equal(hw.errors, 0);
	}
	hw.fail_map_at = 0;
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(hw.nlive, 4);

	/* Destroyed active: the pooled ones are deactivated with the rest. */
	driver_made_unbind(m1);
	driver_made_unbind(m2);
	assert_int_equal(hw.nlive, 2);
	pa = a->phys;
	pb = b->phys;
	EXPECT_WARNINGS(2, vcm_destroy(vcm));
	assert_int_equal(hw.nlive, 0);
	assert_int_equal(hw.errors, 0);
	assert_int_equal(hw.cleanups, 1);
	vcm_free(pa);	/* the caller's */
	vcm_free(pb);
}

/* An activate op that takes one more ownership of what it activates. */
static int ref_activate(struct vcm_res *res, struct vcm_phys *phys)
{
	int ret = vcm_ref_reserve(res);	/* its context is owned: counts at once */

	return ret ? ret : mock_activate(res, phys);
}

static const struct vcm_mmu_driver ref_driver = {
	.orders = orders_841,
	.cleanup = mock_cleanup,
	.activate = ref_activate,
	.deactivate = mock_deactivate,
};

/*
 * vcm_ref_reserve() from a driver op of the reservation's own context:
 * the op runs with the context owned, so the count goes up at once (no
 * -EDEADLK, no warning), and the reservation then has two owners.
 */
static void test_mmu_ref_reserve_from_op(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_res *res;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&ref_driver, &hw);
	res = vcm_make_binding(vcm, 64 * KIB, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	EXPECT_WARNINGS(0, assert_int_equal(vcm_activate(vcm), 0));
	assert_int_equal(res->refcnt.counter, 2);
	assert_int_equal(hw.nlive, 1);
	vcm_deactivate(vcm);
	vcm_destroy_binding(res);	/* one owner left: nothing happens */
	assert_int_equal(res->refcnt.counter, 1);
	assert_true(soc_free() < free0);
	vcm_destroy_binding(res);
	assert_int_equal(soc_free(), free0);
	mmu_destroy(vcm, &hw);
}

static void test_mmu_destroy_active(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_res *res;
	struct vcm_phys *phys;
	struct hw hw;
	struct vcm *vcm;

	(void)state;
	vcm = mmu_new(&page_driver, &hw);
	res = vcm_make_binding(vcm, 64 * KIB + PAGE, 0, 0);
	phys = res->phys;
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(hw.nlive, 2);

	EXPECT_WARNINGS(2, vcm_destroy(vcm));
	assert_int_equal(hw.nlive, 0);
	assert_int_equal(hw.nunmaps, 2);
	assert_int_equal(hw.errors, 0);
	assert_int_equal(hw.cleanups, 1);
	assert_int_equal(phys->bindings.counter, 0);
	vcm_free(phys);
	assert_int_equal(soc_free(), free0);
}

/* --- vcm_phys_walk ---------------------------------------------------------- */

struct walk {
	struct call calls[MAX_CALLS];
	unsigned n, fail_at;
	int fail_ret;
};

static int walk_cb(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *priv)
{
	struct walk *w = priv;

	assert_true(w->n < MAX_CALLS);
	w->calls[w->n++] = (struct call){ MAP_PAGE, va, pa, order, 0 };
	return w->n == w->fail_at ? w->fail_ret : 0;
}

static int walk_recovery(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *priv)
{
	struct walk *w = priv;

	assert_true(w->n < MAX_CALLS);
	w->calls[w->n++] = (struct call){ UNMAP_PAGE, va, pa, order, 0 };
	return -EIO;	/* ignored: every done page is still undone */
}

static void assert_walk(const struct walk *w, unsigned i, enum call_kind kind, vcm_addr_t va,
			vcm_addr_t pa, unsigned order)
{
	assert_true(i < w->n);
	assert_int_equal(w->calls[i].kind, kind);
	assert_int_equal(w->calls[i].va, va);
	assert_int_equal(w->calls[i].pa, pa);
	assert_int_equal(w->calls[i].order, order);
}

static void test_phys_walk(void **state)
{
	const vcm_addr_t starts[] = { 0x40100000, 0x40210000, 0x40301000, 0x40400000 };
	const vcm_size_t sizes[] = { MIB, 64 * KIB, PAGE, MIB + 64 * KIB + PAGE };
	const vcm_addr_t va = 0x10000000;
	struct vcm_phys *phys = test_phys_new(4, starts, sizes);
	struct walk w = { .n = 0 };
	unsigned i;

	(void)state;
	assert_int_equal(vcm_phys_walk(va, phys, orders_841, walk_cb, walk_recovery, &w), 0);
	assert_int_equal(w.n, 3 + 273);
	assert_walk(&w, 0, MAP_PAGE, va, starts[0], 8);
	assert_walk(&w, 1, MAP_PAGE, va + MIB, starts[1], 4);
	assert_walk(&w, 2, MAP_PAGE, va + MIB + 64 * KIB, starts[2], 0);
	/* The last part is 1 MiB-aligned, but its DVA only 4 KiB-aligned. */
	for (i = 0; i < 273; i++)
		assert_walk(&w, 3 + i, MAP_PAGE, va + MIB + 68 * KIB + i * PAGE,
			    starts[3] + i * PAGE, 0);

	/* Only 4 KiB orders: every page alone. */
	memset(&w, 0, sizeof(w));
	assert_int_equal(vcm_phys_walk(va, phys, orders_0, walk_cb, NULL, &w), 0);
	assert_int_equal(w.n, phys->size / PAGE);
	memset(&w, 0, sizeof(w));
	assert_int_equal(vcm_phys_walk(va, phys, NULL, walk_cb, NULL, &w), 0);
	assert_int_equal(w.n, phys->size / PAGE);
	assert_walk(&w, 300, MAP_PAGE, va + 300 * PAGE, starts[3] + (300 - 273) * PAGE, 0);
	vcm_free(phys);
}

static void test_phys_walk_big_then_small(void **state)
{
	const vcm_addr_t start = 0x40100000;
	const vcm_size_t size = MIB + 64 * KIB + 2 * PAGE;
	struct vcm_phys *phys = test_phys_new(1, &start, &size);
	struct walk w = { .n = 0 };

	(void)state;
	/* One part, aligned at both ends: 1 MiB, 64 KiB, 4 KiB, 4 KiB. */
	assert_int_equal(vcm_phys_walk(0x30000000, phys, orders_841, walk_cb, NULL, &w), 0);
	assert_int_equal(w.n, 4);
	assert_walk(&w, 0, MAP_PAGE, 0x30000000, start, 8);
	assert_walk(&w, 1, MAP_PAGE, 0x30100000, start + MIB, 4);
	assert_walk(&w, 2, MAP_PAGE, 0x30110000, start + MIB + 64 * KIB, 0);
	assert_walk(&w, 3, MAP_PAGE, 0x30111000, start + MIB + 68 * KIB, 0);

	/* DVA 64 KiB-aligned only: no 1 MiB page even though the PA allows it. */
	memset(&w, 0, sizeof(w));
	assert_int_equal(vcm_phys_walk(0x30010000, phys, orders_841, walk_cb, NULL, &w), 0);
	assert_int_equal(w.n, 17 + 2);
	assert_walk(&w, 0, MAP_PAGE, 0x30010000, start, 4);
	assert_walk(&w, 16, MAP_PAGE, 0x30110000, start + MIB, 4);
	vcm_free(phys);
}

static void test_phys_walk_recovery(void **state)
{
	const vcm_addr_t starts[] = { 0x40100000, 0x40210000, 0x40301000 };
	const vcm_size_t sizes[] = { MIB, 64 * KIB, 2 * PAGE };
	const vcm_addr_t va = 0x10000000;
	struct vcm_phys *phys = test_phys_new(3, starts, sizes);
	struct walk w = { .fail_at = 3, .fail_ret = -EFAULT };

	(void)state;
	assert_int_equal(vcm_phys_walk(va, phys, orders_841, walk_cb, walk_recovery, &w),
			 -EFAULT);
	assert_int_equal(w.n, 5);
	assert_walk(&w, 2, MAP_PAGE, va + MIB + 64 * KIB, starts[2], 0);
	assert_walk(&w, 3, UNMAP_PAGE, va, starts[0], 8);
	assert_walk(&w, 4, UNMAP_PAGE, va + MIB, starts[1], 4);

	/* As in the kernel, a positive return is success: the walk goes on. */
	memset(&w, 0, sizeof(w));
	w.fail_at = 2;
	w.fail_ret = 1;
	assert_int_equal(vcm_phys_walk(va, phys, orders_841, walk_cb, walk_recovery, &w), 0);
	assert_int_equal(w.n, 4);
	assert_walk(&w, 2, MAP_PAGE, va + MIB + 64 * KIB, starts[2], 0);

	/* A failure on the first page: nothing to recover. */
	memset(&w, 0, sizeof(w));
	w.fail_at = 1;
	w.fail_ret = -ENOMEM;
	assert_int_equal(vcm_phys_walk(va, phys, orders_841, walk_cb, walk_recovery, &w),
			 -ENOMEM);
	assert_int_equal(w.n, 1);

	/* No recovery: just the error. */
	memset(&w, 0, sizeof(w));
	w.fail_at = 4;
	w.fail_ret = -EIO;
	assert_int_equal(vcm_phys_walk(va, phys, orders_841, walk_cb, NULL, &w), -EIO);
	assert_int_equal(w.n, 4);
	vcm_free(phys);
}

/*
 * A phys of one-page parts (as vcm_phys_alloc() with 4 KiB pages makes
 * it): a failure on the third page undoes exactly the two before it, in
 * order; without one, every page once.
 */
static void test_phys_walk_page_parts(void **state)
{
	const vcm_addr_t starts[] = { 0x40101000, 0x40205000, 0x40300000, 0x40402000 };
	const vcm_size_t sizes[] = { PAGE, PAGE, PAGE, PAGE };
	const vcm_addr_t va = 0x10000000;
	struct vcm_phys *phys = test_phys_new(4, starts, sizes);
	struct walk w = { .fail_at = 3, .fail_ret = -EFAULT };
	unsigned i;

	(void)state;
	assert_int_equal(vcm_phys_walk(va, phys, orders_0, walk_cb, walk_recovery, &w), -EFAULT);
	assert_int_equal(w.n, 5);
	for (i = 0; i < 3; i++)
		assert_walk(&w, i, MAP_PAGE, va + i * PAGE, starts[i], 0);
	assert_walk(&w, 3, UNMAP_PAGE, va, starts[0], 0);
	assert_walk(&w, 4, UNMAP_PAGE, va + PAGE, starts[1], 0);

	memset(&w, 0, sizeof(w));
	assert_int_equal(vcm_phys_walk(va, phys, orders_0, walk_cb, NULL, &w), 0);
	assert_int_equal(w.n, 4);
	assert_walk(&w, 3, MAP_PAGE, va + 3 * PAGE, starts[3], 0);
	vcm_free(phys);
}

static void test_phys_walk_errors(void **state)
{
	const vcm_addr_t start = 0x40100000;
	const vcm_size_t size = PAGE;
	struct vcm_phys *phys = test_phys_new(1, &start, &size);
	struct walk w = { .n = 0 };

	(void)state;
	assert_int_equal(vcm_phys_walk(0, NULL, orders_841, walk_cb, NULL, &w), -EINVAL);
	assert_int_equal(vcm_phys_walk(0, vcm_err_ptr(-ENOMEM), orders_841, walk_cb, NULL, &w),
			 -EINVAL);
	assert_int_equal(vcm_phys_walk(0, phys, orders_841, NULL, walk_recovery, &w), -EINVAL);
	assert_int_equal(vcm_phys_walk(0x1001, phys, orders_841, walk_cb, NULL, &w), -EINVAL);
	assert_int_equal(w.n, 0);
	vcm_free(phys);
}

/* A phys whose parts are not whole pages cannot be walked past that part. */
static void test_phys_walk_bad_parts(void **state)
{
	const vcm_addr_t starts[] = { 0x40100000, 0x40200000 };
	const vcm_size_t sizes[] = { PAGE + 100, PAGE };
	const vcm_addr_t odd_start[] = { 0x40100800 };
	const vcm_size_t one[] = { PAGE };
	struct vcm_phys *phys = test_phys_new(2, starts, sizes);
	struct walk w = { .n = 0 };

	(void)state;
	assert_int_equal(vcm_phys_walk(0, phys, orders_841, walk_cb, walk_recovery, &w), -EINVAL);
	assert_int_equal(w.n, 2);
	assert_walk(&w, 0, MAP_PAGE, 0, starts[0], 0);
	assert_walk(&w, 1, UNMAP_PAGE, 0, starts[0], 0);
	vcm_free(phys);

	memset(&w, 0, sizeof(w));
	phys = test_phys_new(1, odd_start, one);
	assert_int_equal(vcm_phys_walk(0, phys, orders_841, walk_cb, walk_recovery, &w), -EINVAL);
	assert_int_equal(w.n, 0);
	vcm_free(phys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mmu_init_errors, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_counted_activation, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_replay, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_bind_while_active, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_page_orders, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_pa_alignment, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_dva_alignment, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_kernel_first_fit, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_fill_window, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_enospc, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_alloc_orders, soc_setup, soc_teardown),
		cmocka_unit_test(test_mmu_alloc_fragmented),
		cmocka_unit_test_setup_teardown(test_mmu_flags, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_bind_failure_recovery, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_big_page_recovery, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_activate_failure, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_unmap_failure, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_driver_res_ops, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_destroy_active, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_ref_reserve_from_op, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_bound_pooled_and_driver_made, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_mmu_bound_activate_unwind, soc_setup,
						soc_teardown),
		cmocka_unit_test(test_phys_walk),
		cmocka_unit_test(test_phys_walk_big_then_small),
		cmocka_unit_test(test_phys_walk_recovery),
		cmocka_unit_test(test_phys_walk_page_parts),
		cmocka_unit_test(test_phys_walk_errors),
		cmocka_unit_test(test_phys_walk_bad_parts),
	};

	return cmocka_run_group_tests(tests, quiet_warnings, default_warnings);
}
