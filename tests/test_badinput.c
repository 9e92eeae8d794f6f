/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_badinput.c - a table of bad inputs: NULL and error pointers where
 * objects belong, size 0, unaligned sizes and addresses, sizes near 2^64,
 * addresses outside RAM or outside a context's window, double frees and
 * unbinds, freeing or unreserving what is bound, destroying what is active.
 *
 * Each row is one CMocka test on a fresh fixture (a SoC, an MMU context over
 * a recording page-table driver, a one-to-one and a CPU context, and a
 * "canary" buffer mapped in the MMU context and the CPU view).  A row
 * asserts the errno or the warnings its calls must give; the fixture's
 * teardown then asserts nothing was corrupted or lost: the canary still
 * translates and holds its bytes, the SoC's free bytes are where the row
 * started, and everything can be torn down to a SoC with all RAM free.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <vcm.h>

#include "mock-mmu.h"

#define RAM0 0x40000000ULL
#define RAM_SIZE (32ULL << 20)
#define MiB (1ULL << 20)
#define CANARY_SIZE (72 * 1024)

/* ---- the fixture ---- */

struct fx {
	struct vcm_soc *soc;
	struct vcm *mmu, *o2o, *vmm;
	struct mock *mock;
	struct vcm_phys *canary;
	struct vcm_res *canary_res, *canary_view;
	unsigned char pattern[CANARY_SIZE];
	vcm_size_t free_base;
};

static unsigned long warnings;

static void count_warning(const char *msg, void *priv)
{
	(void)msg;
	(void)priv;
	warnings++;
}

/* Run @stmt and assert it raised exactly @n warnings. */
#define WARNS(n, stmt)                                 \
	do {                                           \
		unsigned long w0__ = warnings;         \
		stmt;                                  \
		assert_int_equal(warnings - w0__, (n)); \
	} while (0)

#define ERRNO_PTR(want, ptr_expr)                                         \
	do {                                                              \
		const void *p__ = (ptr_expr);                             \
		assert_true(vcm_is_err(p__));                             \
		assert_int_equal(vcm_ptr_err(p__), (want));               \
	} while (0)

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	unsigned i;

	assert_non_null(f);
	vcm_set_warn_handler(count_warning, NULL);
	f->soc = vcm_soc_create();
	assert_int_equal(vcm_soc_add_ram(f->soc, RAM0, RAM_SIZE), 0);
	vcm_soc_set_current(f->soc);
	f->mmu = mock_create(&f->mock);
	f->o2o = vcm_onetoone_create(f->soc);
	f->vmm = vcm_vmm_create(f->soc);
	assert_false(vcm_is_err(f->o2o) || vcm_is_err(f->vmm));
	f->canary_res = vcm_make_binding(f->mmu, CANARY_SIZE, 0, 0);
	assert_false(vcm_is_err(f->canary_res));
	f->canary = f->canary_res->phys;
	assert_int_equal(vcm_activate(f->mmu), 0);
	f->canary_view = vcm_map(f->vmm, f->canary, 0);
	assert_false(vcm_is_err(f->canary_view));
	for (i = 0; i < CANARY_SIZE; i++)
		f->pattern[i] = (unsigned char)(i * 7 + 3);
	memcpy((void *)(uintptr_t)f->canary_view->start, f->pattern, CANARY_SIZE);
	f->free_base = vcm_soc_free_bytes(f->soc);
	warnings = 0;
	*state = f;
	return 0;
}

/* The canary is still mapped, page by page, at its phys' PAs, with its
 * bytes, seen the same by the CPU view and physical reads. */
static void check_canary(struct fx *f)
{
	unsigned char buf[CANARY_SIZE];
	vcm_size_t off = 0;
	unsigned i;

	assert_ptr_equal(f->canary_res->phys, f->canary);
	assert_int_equal(__atomic_load_n(&f->canary->bindings, __ATOMIC_ACQUIRE), 2);
	for (i = 0; i < f->canary->count; i++) {
		const struct vcm_phys_part *part = &f->canary->parts[i];
		vcm_size_t o;

		for (o = 0; o < part->size; o += PAGE) {
			uint64_t idx = (f->canary_res->start - WIN_START + off + o) / PAGE;

			assert_int_equal(f->mock->pte[idx], part->start + o);
		}
		assert_int_equal(vcm_soc_phys_read(f->soc, part->start, buf + off, part->size), 0);
		off += part->size;
	}
	assert_memory_equal(buf, f->pattern, CANARY_SIZE);
	assert_memory_equal((void *)(uintptr_t)f->canary_view->start, f->pattern, CANARY_SIZE);
	assert_false(f->mock->bad);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	check_canary(f);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free_base);
	assert_int_equal(f->mock->mapped, (long)(CANARY_SIZE / PAGE));
	WARNS(0, {
		vcm_unmap(f->canary_view);
		vcm_deactivate(f->mmu);
		vcm_destroy_binding(f->canary_res);
		vcm_destroy(f->mmu);
		vcm_destroy(f->o2o);
		vcm_destroy(f->vmm);
	});
	assert_int_equal(vcm_soc_free_bytes(f->soc), RAM_SIZE);
	vcm_soc_set_current(NULL);
	WARNS(0, vcm_soc_destroy(f->soc));
	vcm_set_warn_handler(NULL, NULL);
	free(f);
	return 0;
}

/* A phys made by hand (not by an allocator), @n pages in @n parts. */
static struct vcm_phys *fake_phys(unsigned n)
{
	struct vcm_phys *p = calloc(1, sizeof(*p) + n * sizeof(p->parts[0]));

	assert_non_null(p);
	p->count = n;
	p->size = n * PAGE;
	return p;
}

/* ---- rows: NULL and error pointers ---- */

static void null_contexts(void **state)
{
	struct vcm *bad[] = { NULL, vcm_err_ptr(-EINVAL), vcm_err_ptr(-ENOMEM) };
	struct fx *f = *state;
	unsigned i;

	for (i = 0; i < 3; i++) {
		WARNS(0, {
			ERRNO_PTR(-EINVAL, vcm_reserve(bad[i], PAGE, 0));
			ERRNO_PTR(-EINVAL, vcm_alloc(bad[i], PAGE, 0));
			ERRNO_PTR(-EINVAL, vcm_make_binding(bad[i], PAGE, 0, 0));
			ERRNO_PTR(-EINVAL, vcm_map(bad[i], f->canary, 0));
			assert_int_equal(vcm_activate(bad[i]), -EINVAL);
		});
		WARNS(1, vcm_deactivate(bad[i]));
		WARNS(1, vcm_destroy(bad[i]));
	}
}

/* A struct vcm that never went through vcm_init() is not a context. */
static void uninitialised_context(void **state)
{
	struct vcm raw = { .start = WIN_START, .size = WIN_SIZE, .driver = NULL };

	(void)state;
	WARNS(0, ERRNO_PTR(-EINVAL, vcm_reserve(&raw, PAGE, 0)));
	WARNS(0, assert_int_equal(vcm_activate(&raw), -EINVAL));
	WARNS(1, vcm_deactivate(&raw));
}

static void null_reservations(void **state)
{
	struct vcm_res *bad[] = { NULL, vcm_err_ptr(-ENOSPC) };
	struct fx *f = *state;
	unsigned i;

	for (i = 0; i < 2; i++) {
		WARNS(0, assert_int_equal(vcm_bind(bad[i], f->canary), -EINVAL));
		WARNS(1, assert_null(vcm_unbind(bad[i])));
		WARNS(1, vcm_unreserve(bad[i]));
		WARNS(1, vcm_unmap(bad[i]));
		WARNS(1, vcm_destroy_binding(bad[i]));
	}
}

static void null_phys(void **state)
{
	struct vcm_phys *bad[] = { NULL, vcm_err_ptr(-ENOMEM) };
	struct fx *f = *state;
	struct vcm_res *res = vcm_reserve(f->mmu, PAGE, 0);
	unsigned i;

	assert_false(vcm_is_err(res));
	for (i = 0; i < 2; i++) {
		WARNS(0, assert_int_equal(vcm_bind(res, bad[i]), -EINVAL));
		WARNS(0, ERRNO_PTR(-EINVAL, vcm_map(f->mmu, bad[i], 0)));
		WARNS(1, vcm_free(bad[i]));
		WARNS(0, assert_int_equal(vcm_phys_walk(WIN_START, bad[i], NULL, mock_map, NULL,
							f->mmu), -EINVAL));
	}
	assert_null(res->phys);
	WARNS(0, vcm_unreserve(res));
}

/* A phys with no bytes cannot be mapped. */
static void empty_phys(void **state)
{
	struct vcm_phys empty = { .count = 0, .size = 0 };
	struct fx *f = *state;

	WARNS(0, ERRNO_PTR(-EINVAL, vcm_map(f->mmu, &empty, 0)));
	WARNS(0, ERRNO_PTR(-EINVAL, vcm_map(f->o2o, &empty, 0)));
	WARNS(0, ERRNO_PTR(-EINVAL, vcm_map(f->vmm, &empty, 0)));
}

/* ---- rows: sizes ---- */

static void size_zero(void **state)
{
	struct fx *f = *state;
	struct vcm *ctx[] = { f->mmu, f->o2o, f->vmm };
	unsigned i;

	for (i = 0; i < 3; i++) {
		WARNS(0, {
			ERRNO_PTR(-EINVAL, vcm_reserve(ctx[i], 0, 0));
			ERRNO_PTR(-EINVAL, vcm_alloc(ctx[i], 0, 0));
			ERRNO_PTR(-EINVAL, vcm_make_binding(ctx[i], 0, 0, 0));
		});
	}
	WARNS(0, ERRNO_PTR(-EINVAL, vcm_phys_alloc(0, 0, NULL)));
	WARNS(0, ERRNO_PTR(-EINVAL, vcm_phys_alloc_soc(f->soc, 0, 0, mock_orders)));
}

/* Unaligned sizes are rounded up to pages, never down. */
static void size_unaligned(void **state)
{
	struct fx *f = *state;
	struct vcm_res *r1 = vcm_reserve(f->mmu, 1, 0), *r2 = vcm_reserve(f->mmu, PAGE + 1, 0);
	struct vcm_phys *p = vcm_alloc(f->mmu, 2 * PAGE - 1, 0);

	assert_false(vcm_is_err(r1) || vcm_is_err(r2) || vcm_is_err(p));
	assert_int_equal(r1->res_size, PAGE);
	assert_int_equal(r2->res_size, 2 * PAGE);
	assert_int_equal(p->size, 2 * PAGE);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free_base - 2 * PAGE);
	WARNS(0, assert_int_equal(vcm_bind(r1, p), -ENOSPC));
	WARNS(0, assert_int_equal(vcm_bind(r2, p), 0));
	assert_int_equal(r2->bound_size, 2 * PAGE);
	WARNS(0, {
		vcm_unmap(r2);
		vcm_unreserve(r1);
		vcm_free(p);
	});
}

/* Sizes near 2^64 must not wrap into small ones. */
static void size_near_2_64(void **state)
{
	static const vcm_size_t huge[] = { UINT64_MAX, UINT64_MAX - PAGE + 2 };
	struct fx *f = *state;
	unsigned i;

	for (i = 0; i < 2; i++) {
		WARNS(0, {
			ERRNO_PTR(-EINVAL, vcm_reserve(f->mmu, huge[i], 0));
			ERRNO_PTR(-EINVAL, vcm_alloc(f->mmu, huge[i], 0));
			ERRNO_PTR(-EINVAL, vcm_alloc(f->o2o, huge[i], 0));
			ERRNO_PTR(-EINVAL, vcm_make_binding(f->vmm, huge[i], 0, 0));
			ERRNO_PTR(-EINVAL, vcm_phys_alloc(huge[i], 0, NULL));
		});
	}
	/* page-aligned but far too big: out of space or memory, nothing kept */
	WARNS(0, {
		ERRNO_PTR(-ENOSPC, vcm_reserve(f->mmu, UINT64_MAX - PAGE + 1, 0));
		ERRNO_PTR(-ENOSPC, vcm_reserve(f->mmu, WIN_SIZE + PAGE, 0));
		ERRNO_PTR(-ENOSPC, vcm_reserve(f->vmm, 1ULL << 63, 0));
		ERRNO_PTR(-ENOMEM, vcm_alloc(f->mmu, 1ULL << 63, 0));
		ERRNO_PTR(-ENOMEM, vcm_alloc(f->mmu, RAM_SIZE + PAGE, 0));
		ERRNO_PTR(-EINVAL, vcm_alloc(f->o2o, 1ULL << 40, 0));
		ERRNO_PTR(-ENOMEM, vcm_make_binding(f->mmu, RAM_SIZE, 0, 0));
		ERRNO_PTR(-ENOMEM, vcm_phys_alloc_soc(f->soc, 1ULL << 62, 0, mock_orders));
	});
}

/* ---- rows: addresses ---- */

static void soc_unaligned_and_outside(void **state)
{
	struct fx *f = *state;
	unsigned char buf[16] = { 0 }, zero[16] = { 0 };
	vcm_addr_t pa;

	WARNS(0, {
		assert_int_equal(vcm_soc_add_ram(f->soc, 0x1001, MiB), -EINVAL);
		assert_int_equal(vcm_soc_add_ram(f->soc, 0x10000000, MiB + 1), -EINVAL);
		assert_int_equal(vcm_soc_add_ram(f->soc, 0x10000000, 0), -EINVAL);
		assert_int_equal(vcm_soc_add_ram(f->soc, RAM0 + MiB, MiB), -EINVAL);
		assert_int_equal(vcm_soc_add_ram(f->soc, UINT64_MAX - PAGE + 1, 2 * PAGE), -EINVAL);
		assert_int_equal(vcm_soc_add_ram(NULL, 0x10000000, MiB), -EINVAL);
		assert_int_equal(vcm_soc_phys_read(f->soc, 0x1000, buf, 1), -EFAULT);
		assert_int_equal(vcm_soc_phys_read(f->soc, RAM0 + RAM_SIZE - 8, buf, 16), -EFAULT);
		assert_int_equal(vcm_soc_phys_read(f->soc, UINT64_MAX - 7, buf, 16), -EFAULT);
		assert_int_equal(vcm_soc_phys_read(f->soc, RAM0, NULL, 16), -EINVAL);
		assert_int_equal(vcm_soc_phys_read(NULL, RAM0, buf, 16), -EINVAL);
		assert_null(vcm_soc_phys_to_host(f->soc, 0));
		assert_null(vcm_soc_phys_to_host(f->soc, RAM0 + RAM_SIZE));
		assert_null(vcm_soc_phys_to_host(NULL, RAM0));
		assert_int_equal(vcm_soc_alloc_pages(f->soc, VCM_SOC_MAX_ORDER + 1, &pa), -EINVAL);
		assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, NULL), -EINVAL);
		assert_int_equal(vcm_soc_alloc_pages(NULL, 0, &pa), -EINVAL);
	});
	/* a write running off the end of RAM writes nothing */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(vcm_soc_phys_write(f->soc, RAM0 + RAM_SIZE - 8, buf, 16), -EFAULT);
	assert_int_equal(vcm_soc_phys_read(f->soc, RAM0 + RAM_SIZE - 8, zero, 8), 0);
	assert_int_not_equal(memcmp(zero, buf, 8), 0);
	WARNS(1, vcm_soc_free_pages(f->soc, 0x1000, 0));
	WARNS(1, vcm_soc_free_pages(f->soc, RAM0 + 0x800, 0));
	WARNS(1, vcm_soc_free_pages(f->soc, RAM0, VCM_SOC_MAX_ORDER + 1));
	WARNS(1, vcm_soc_free_pages(NULL, RAM0, 0));
	assert_int_equal(vcm_soc_free_bytes(NULL), 0);
	WARNS(0, vcm_soc_destroy(NULL));
}

static void walk_unaligned(void **state)
{
	struct fx *f = *state;

	WARNS(0, {
		assert_int_equal(vcm_phys_walk(WIN_START + 0x800, f->canary, mock_orders, mock_map,
					       NULL, f->mmu), -EINVAL);
		assert_int_equal(vcm_phys_walk(WIN_START, f->canary, mock_orders, NULL, NULL,
					       f->mmu), -EINVAL);
	});
}

static void bad_orders(void **state)
{
	static const unsigned char rising[] = { 4, 8, 0 }, twice[] = { 8, 8, 0 },
				   too_big[] = { VCM_SOC_MAX_ORDER + 1, 0 };
	struct fx *f = *state;

	WARNS(0, {
		ERRNO_PTR(-EINVAL, vcm_phys_alloc_soc(f->soc, MiB, 0, rising));
		ERRNO_PTR(-EINVAL, vcm_phys_alloc_soc(f->soc, MiB, 0, twice));
		ERRNO_PTR(-EINVAL, vcm_phys_alloc_soc(f->soc, MiB, 0, too_big));
		ERRNO_PTR(-EINVAL, vcm_phys_alloc_soc(NULL, MiB, 0, NULL));
	});
}

/* Bad context structures handed to the init functions. */
static void bad_init(void **state)
{
	static const unsigned char no_orders[] = { 0 };
	struct vcm_mmu_driver no_activate = { .orders = mock_orders };
	struct vcm_mmu_driver nothing = { .orders = NULL, .activate_page = mock_map };
	struct vcm_driver drv = { 0 };
	struct vcm v = { .start = WIN_START, .size = WIN_SIZE, .driver = &drv };
	struct vcm_mmu m = { .vcm = { .start = WIN_START, .size = WIN_SIZE },
			     .driver = &mock_driver };
	struct vcm_o2o o = { .vcm = { .start = RAM0, .size = RAM_SIZE } };
	struct vcm_soc *empty = vcm_soc_create();

	(void)state;
	(void)no_orders;
	WARNS(0, {
		ERRNO_PTR(-EINVAL, vcm_init(NULL));
		v.size = 0;
		ERRNO_PTR(-EINVAL, vcm_init(&v));
		v.size = WIN_SIZE;
		v.start = WIN_START + 1;
		ERRNO_PTR(-EINVAL, vcm_init(&v));
		v.start = UINT64_MAX - PAGE + 1;
		v.size = 2 * PAGE;
		ERRNO_PTR(-EINVAL, vcm_init(&v));
		v.driver = NULL;
		ERRNO_PTR(-EINVAL, vcm_init(&v));

		ERRNO_PTR(-EINVAL, vcm_mmu_init(NULL));
		m.driver = NULL;
		ERRNO_PTR(-EINVAL, vcm_mmu_init(&m));
		m.driver = &no_activate;
		ERRNO_PTR(-EINVAL, vcm_mmu_init(&m));
		m.driver = &nothing;
		ERRNO_PTR(-EINVAL, vcm_mmu_init(&m));
		m.driver = &mock_driver;
		m.vcm.start = WIN_START + 0x10;
		ERRNO_PTR(-EINVAL, vcm_mmu_init(&m));
		m.vcm.start = WIN_START;
		m.vcm.size = 0;
		ERRNO_PTR(-EINVAL, vcm_mmu_init(&m));
		m.vcm.size = 1ULL << 48;
		ERRNO_PTR(-EINVAL, vcm_mmu_init(&m));

		ERRNO_PTR(-EINVAL, vcm_o2o_init(NULL));
		ERRNO_PTR(-EINVAL, vcm_o2o_init(&o));
		ERRNO_PTR(-EINVAL, vcm_onetoone_create(empty));
		ERRNO_PTR(-EINVAL, vcm_onetoone_create(vcm_err_ptr(-ENOMEM)));
		ERRNO_PTR(-EINVAL, vcm_vmm_create(vcm_err_ptr(-ENOMEM)));
	});
	vcm_soc_destroy(empty);
}

/* A one-to-one context cannot reserve, nor map what is scattered or lies
 * outside its window (RAM of another SoC), nor bind memory at another
 * address than the reservation's. */
static void o2o_window(void **state)
{
	struct fx *f = *state;
	struct vcm_soc *other = vcm_soc_create();
	struct vcm_phys *far, *p1, *p2, *scattered = fake_phys(2);
	struct vcm_res *r1;
	vcm_addr_t a, b;

	assert_int_equal(vcm_soc_add_ram(other, 0x80000000ULL, MiB), 0);
	far = vcm_phys_alloc_soc(other, PAGE, 0, NULL);
	assert_false(vcm_is_err(far));
	/* two RAM pages, in the wrong order for one contiguous range */
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &a), 0);
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &b), 0);
	scattered->parts[0] = (struct vcm_phys_part){ a > b ? a : b, PAGE };
	scattered->parts[1] = (struct vcm_phys_part){ a > b ? b : a, PAGE };
	WARNS(0, {
		ERRNO_PTR(-EOPNOTSUPP, vcm_reserve(f->o2o, PAGE, 0));
		ERRNO_PTR(-ERANGE, vcm_map(f->o2o, far, 0));
		ERRNO_PTR(-EINVAL, vcm_map(f->o2o, scattered, 0));
	});
	assert_int_equal(scattered->bindings, 0);
	free(scattered);
	p1 = vcm_alloc(f->o2o, PAGE, 0);
	p2 = vcm_alloc(f->o2o, PAGE, 0);
	r1 = vcm_map(f->o2o, p1, 0);
	assert_false(vcm_is_err(r1));
	assert_int_equal(r1->start, p1->parts[0].start);
	assert_ptr_equal(vcm_unbind(r1), p1);
	WARNS(0, assert_int_equal(vcm_bind(r1, p2), -EINVAL));
	WARNS(0, assert_int_equal(vcm_bind(r1, p1), 0));
	WARNS(0, {
		vcm_unmap(r1);
		vcm_free(p1);
		vcm_free(p2);
		vcm_free(far);
		vcm_soc_free_pages(f->soc, a, 0);
		vcm_soc_free_pages(f->soc, b, 0);
	});
	WARNS(0, vcm_soc_destroy(other));
}

/* The CPU view cannot alias memory that is not RAM of its SoC. */
static void vmm_outside_ram(void **state)
{
	struct fx *f = *state;
	struct vcm_phys *fake = fake_phys(1);
	struct vcm_res *res = vcm_reserve(f->vmm, PAGE, 0);

	assert_false(vcm_is_err(res));
	fake->parts[0] = (struct vcm_phys_part){ 0x1000, PAGE };
	WARNS(0, assert_int_equal(vcm_bind(res, fake), -EFAULT));
	assert_null(res->phys);
	assert_int_equal(fake->bindings, 0);
	WARNS(0, ERRNO_PTR(-EFAULT, vcm_map(f->vmm, fake, 0)));
	WARNS(0, vcm_unreserve(res));
	free(fake);
}

/* ---- rows: double operations and misuse of bound objects ---- */

static void bind_errors(void **state)
{
	struct fx *f = *state;
	struct vcm_res *res = vcm_reserve(f->mmu, 2 * PAGE, 0);
	struct vcm_phys *small = vcm_alloc(f->mmu, PAGE, 0), *big = vcm_alloc(f->mmu, 3 * PAGE, 0);

	assert_false(vcm_is_err(res) || vcm_is_err(small) || vcm_is_err(big));
	WARNS(0, {
		assert_int_equal(vcm_bind(res, big), -ENOSPC);
		assert_int_equal(vcm_bind(res, small), 0);
		assert_int_equal(vcm_bind(res, small), -EALREADY);
		assert_int_equal(vcm_bind(res, f->canary), -EADDRINUSE);
	});
	assert_int_equal(small->bindings, 1);
	assert_int_equal(big->bindings, 0);
	assert_int_equal(f->canary->bindings, 2);
	WARNS(0, {
		vcm_unmap(res);
		vcm_free(small);
		vcm_free(big);
	});
}

static void double_unbind(void **state)
{
	struct fx *f = *state;
	struct vcm_res *res = vcm_map(f->mmu, f->canary, 0);
	long mapped = f->mock->mapped;

	assert_false(vcm_is_err(res));
	WARNS(0, assert_ptr_equal(vcm_unbind(res), f->canary));
	assert_int_equal(f->mock->mapped, mapped - (long)(CANARY_SIZE / PAGE));
	WARNS(1, assert_null(vcm_unbind(res)));
	assert_int_equal(f->mock->mapped, mapped - (long)(CANARY_SIZE / PAGE));
	WARNS(0, vcm_unreserve(res));
}

static void double_free_pages(void **state)
{
	struct fx *f = *state;
	vcm_addr_t pa;

	assert_int_equal(vcm_soc_alloc_pages(f->soc, 4, &pa), 0);
	WARNS(0, vcm_soc_free_pages(f->soc, pa, 4));
	WARNS(1, vcm_soc_free_pages(f->soc, pa, 4));
	/* freeing with the wrong order is refused too */
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 4, &pa), 0);
	WARNS(1, vcm_soc_free_pages(f->soc, pa, 3));
	WARNS(1, vcm_soc_free_pages(f->soc, pa + PAGE, 0));
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free_base - 16 * PAGE);
	WARNS(0, vcm_soc_free_pages(f->soc, pa, 4));
}

static void free_while_bound(void **state)
{
	struct fx *f = *state;

	WARNS(1, vcm_free(f->canary));
	/* nothing freed: the teardown's check_canary() proves it */
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free_base);
}

static void unreserve_while_bound(void **state)
{
	struct fx *f = *state;
	struct vcm_res *res = vcm_map(f->mmu, f->canary, 0);
	long mapped = f->mock->mapped;

	assert_false(vcm_is_err(res));
	assert_int_equal(f->canary->bindings, 3);
	WARNS(1, vcm_unreserve(res));
	assert_int_equal(f->canary->bindings, 2);
	assert_int_equal(f->mock->mapped, mapped - (long)(CANARY_SIZE / PAGE));
}

static void deactivate_twice(void **state)
{
	struct fx *f = *state;

	WARNS(0, assert_int_equal(vcm_activate(f->vmm), 0));
	WARNS(0, vcm_deactivate(f->vmm));
	WARNS(1, vcm_deactivate(f->vmm));
	assert_int_equal(f->vmm->activations, 0);
	WARNS(1, vcm_deactivate(f->o2o));
}

/* A destroyed active context is deactivated first: its driver unmaps. */
static void destroy_while_active(void **state)
{
	struct fx *f = *state;
	struct mock *m;
	struct vcm *ctx = mock_create(&m);
	struct vcm_res *res = vcm_map(ctx, f->canary, 0);

	assert_false(vcm_is_err(res));
	assert_int_equal(vcm_activate(ctx), 0);
	assert_int_equal(vcm_activate(ctx), 0);
	assert_int_equal(m->mapped, (long)(CANARY_SIZE / PAGE));
	assert_int_equal(vcm_unbind(res), f->canary);
	assert_int_equal(m->mapped, 0);
	WARNS(0, vcm_unreserve(res));
	assert_false(m->bad);
	WARNS(1, vcm_destroy(ctx));
}

/* Reservations left in a destroyed context are taken down; their phys
 * stay the caller's, unbound. */
static void destroy_with_reservations(void **state)
{
	struct fx *f = *state;
	struct mock *m;
	struct vcm *ctx = mock_create(&m);
	struct vcm_phys *own = vcm_alloc(ctx, 5 * PAGE, 0);

	assert_false(vcm_is_err(own));
	assert_false(vcm_is_err(vcm_map(ctx, f->canary, 0)));
	assert_false(vcm_is_err(vcm_map(ctx, own, 0)));
	assert_false(vcm_is_err(vcm_reserve(ctx, PAGE, 0)));
	assert_int_equal(vcm_activate(ctx), 0);
	assert_int_equal(f->canary->bindings, 3);
	WARNS(2, vcm_destroy(ctx));
	assert_int_equal(f->canary->bindings, 2);
	assert_int_equal(own->bindings, 0);
	WARNS(0, vcm_free(own));
}

static void destroy_binding_misuse(void **state)
{
	struct fx *f = *state;
	struct vcm_res *empty = vcm_reserve(f->mmu, PAGE, 0);
	struct vcm_res *shared = vcm_map(f->mmu, f->canary, 0);

	assert_false(vcm_is_err(empty) || vcm_is_err(shared));
	/* nothing bound: a warning, the reservation is gone anyway */
	WARNS(1, vcm_destroy_binding(empty));
	/* phys bound elsewhere: unbound here, not freed (the free's warning) */
	WARNS(1, vcm_destroy_binding(shared));
	assert_int_equal(f->canary->bindings, 2);
}

static const struct CMUnitTest rows[] = {
#define ROW(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	ROW(null_contexts),
	ROW(uninitialised_context),
	ROW(null_reservations),
	ROW(null_phys),
	ROW(empty_phys),
	ROW(size_zero),
	ROW(size_unaligned),
	ROW(size_near_2_64),
	ROW(soc_unaligned_and_outside),
	ROW(walk_unaligned),
	ROW(bad_orders),
	ROW(bad_init),
	ROW(o2o_window),
	ROW(vmm_outside_ram),
	ROW(bind_errors),
	ROW(double_unbind),
	ROW(double_free_pages),
	ROW(free_while_bound),
	ROW(unreserve_while_bound),
	ROW(deactivate_twice),
	ROW(destroy_while_active),
	ROW(destroy_with_reservations),
	ROW(destroy_binding_misuse),
#undef ROW
};

int main(void)
{
	return cmocka_run_group_tests(rows, NULL, NULL);
}
