/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_badinput.c - a table of bad inputs: NULL and error pointers where
 * objects belong, size 0, unaligned sizes and addresses, sizes near 2^64,
 * addresses outside RAM or outside a context's window, double frees and
 * unbinds, freeing or unreserving what is bound, destroying what is active.
 *
 * Each row is one CMocka test on a fresh fixture (a SoC, an MMU context over
 * a recording page-table driver, a one-to-one and a CPU context, an IOMMU
 * context on a System MMU model, and a "canary" buffer mapped in the MMU
 * context, the IOMMU context and the CPU view).  A row
 * asserts the errno or the warnings its calls must give; the fixture's
 * teardown then asserts nothing was corrupted or lost: the canary still
 * translates, a device still reads its bytes, the SoC's free bytes are where
 * the row started, and everything can be torn down to a SoC with all RAM
 * free.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>
#include <vcm.h>

#include "mock-mmu.h"
#include "test_util.h"

#define RAM0 0x40000000ULL
#define RAM_SIZE (32ULL << 20)
#define MiB (1ULL << 20)
#define CANARY_SIZE (72 * 1024)
#define DEV_START 0x10000000ULL
#define DEV_SIZE (16ULL << 20)
#define GiB4 (1ULL << 32)

/* ---- the fixture ---- */

struct fx {
	struct vcm_soc *soc;
	struct vcm *mmu, *o2o, *vmm;
	struct mock *mock;
	struct vcm_phys *canary;
	struct vcm_res *canary_res, *canary_view, *canary_dev;
	struct vcm_sysmmu *smmu;
	struct vcm *iommu;
	unsigned char pattern[CANARY_SIZE];
	vcm_size_t free_base;
};

/* Run @stmt and assert it raised exactly @n warnings. */
#define WARNS(n, stmt)                                       \
	do {                                                 \
		unsigned long w0__ = test_warnings;          \
		stmt;                                        \
		assert_int_equal(test_warnings - w0__, (n)); \
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
	test_warnings_quiet();
	f->soc = test_soc_current(RAM0, RAM_SIZE);
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
	f->smmu = vcm_sysmmu_create(f->soc, "badinput");
	assert_false(vcm_is_err(f->smmu));
	f->iommu = vcm_iommu_create(f->smmu, DEV_START, DEV_SIZE);
	assert_false(vcm_is_err(f->iommu));
	f->canary_dev = vcm_map(f->iommu, f->canary, 0);
	assert_false(vcm_is_err(f->canary_dev));
	assert_int_equal(vcm_activate(f->iommu), 0);
	f->free_base = vcm_soc_free_bytes(f->soc);
	test_warnings = 0;
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
	assert_int_equal(__atomic_load_n(&f->canary->bindings.counter, __ATOMIC_ACQUIRE), 3);
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
	memset(buf, 0, sizeof(buf));
	assert_int_equal(vcm_dma_read(f->smmu, f->canary_dev->start, buf, CANARY_SIZE), 0);
	assert_memory_equal(buf, f->pattern, CANARY_SIZE);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	check_canary(f);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free_base);
	assert_int_equal(f->mock->mapped, (long)(CANARY_SIZE / PAGE));
	WARNS(0, {
		vcm_unmap(f->canary_dev);
		vcm_deactivate(f->iommu);
		vcm_destroy(f->iommu);
		vcm_sysmmu_destroy(f->smmu);
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
	test_warnings_default();
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

/* A struct vcm that never went through vcm_init() is not a context: a
 * foreign handle, warned about (and refused) by every call. */
static void uninitialised_context(void **state)
{
	struct vcm raw = { .start = WIN_START, .size = WIN_SIZE, .driver = NULL };

	(void)state;
	WARNS(1, ERRNO_PTR(-EINVAL, vcm_reserve(&raw, PAGE, 0)));
	WARNS(1, assert_int_equal(vcm_activate(&raw), -EINVAL));
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

	/* vcm_make_binding() and vcm_phys_alloc() warn as the kernel did: the
	 * sizes are not whole pages. */
	for (i = 0; i < 2; i++) {
		WARNS(2, {
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
	WARNS(0, ERRNO_PTR(-EINVAL, vcm_init(NULL)));
	/* The kernel's vcm_init() warned about a bad window or driver. */
	WARNS(5, {
		ERRNO_PTR(-EINVAL, vcm_init(&v));	/* no unreserve op */
		drv.unreserve = (void (*)(struct vcm_res *))free;
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
	});
	WARNS(0, {
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
	scattered->parts[0] = (struct vcm_phys_part){ .start = a > b ? a : b, .size = PAGE };
	scattered->parts[1] = (struct vcm_phys_part){ .start = a > b ? b : a, .size = PAGE };
	WARNS(0, {
		ERRNO_PTR(-EOPNOTSUPP, vcm_reserve(f->o2o, PAGE, 0));
		ERRNO_PTR(-ERANGE, vcm_map(f->o2o, far, 0));
		ERRNO_PTR(-EINVAL, vcm_map(f->o2o, scattered, 0));
	});
	assert_int_equal(scattered->bindings.counter, 0);
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
	fake->parts[0] = (struct vcm_phys_part){ .start = 0x1000, .size = PAGE };
	WARNS(0, assert_int_equal(vcm_bind(res, fake), -EFAULT));
	assert_null(res->phys);
	assert_int_equal(fake->bindings.counter, 0);
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
	assert_int_equal(small->bindings.counter, 1);
	assert_int_equal(big->bindings.counter, 0);
	assert_int_equal(f->canary->bindings.counter, 3);
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
	assert_int_equal(f->canary->bindings.counter, 4);
	WARNS(1, vcm_unreserve(res));
	assert_int_equal(f->canary->bindings.counter, 3);
	assert_int_equal(f->mock->mapped, mapped - (long)(CANARY_SIZE / PAGE));
}

static void deactivate_twice(void **state)
{
	struct fx *f = *state;

	WARNS(0, assert_int_equal(vcm_activate(f->vmm), 0));
	WARNS(0, vcm_deactivate(f->vmm));
	WARNS(1, vcm_deactivate(f->vmm));
	assert_int_equal(f->vmm->activations.counter, 0);
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
	assert_int_equal(f->canary->bindings.counter, 4);
	WARNS(2, vcm_destroy(ctx));
	assert_int_equal(f->canary->bindings.counter, 3);
	assert_int_equal(own->bindings.counter, 0);
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
	assert_int_equal(f->canary->bindings.counter, 3);
}


/* ---- rows: page tables, System MMUs, device DMA ---- */

static void pgtable_bad_args(void **state)
{
	struct fx *f = *state;
	struct vcm_pgtable *pt = vcm_pgtable_create(f->soc);
	vcm_size_t with_table;
	vcm_addr_t pa;

	assert_false(vcm_is_err(pt));
	with_table = vcm_soc_free_bytes(f->soc);
	WARNS(0, {
		ERRNO_PTR(-EINVAL, vcm_pgtable_create(NULL));
		assert_int_equal(vcm_pgtable_map(NULL, MiB, RAM0, PAGE, 0), -EINVAL);
		assert_int_equal(vcm_pgtable_map(pt, MiB + 0x800, RAM0, PAGE, 0), -EINVAL);
		assert_int_equal(vcm_pgtable_map(pt, MiB, RAM0 + 0x800, PAGE, 0), -EINVAL);
		assert_int_equal(vcm_pgtable_map(pt, MiB, RAM0, 0x800, 0), -EINVAL);
		assert_int_equal(vcm_pgtable_map(pt, MiB, RAM0, 0, 0), -EINVAL);
		assert_int_equal(vcm_pgtable_map(pt, GiB4 - PAGE, RAM0, 2 * PAGE, 0), -EINVAL);
		assert_int_equal(vcm_pgtable_map(pt, MiB, GiB4 - PAGE, 2 * PAGE, 0), -EINVAL);
		assert_int_equal(vcm_pgtable_map(pt, MiB, RAM0, UINT64_MAX - PAGE + 1, 0), -EINVAL);
		assert_int_equal(vcm_pgtable_map(pt, UINT64_MAX - PAGE + 1, RAM0, 2 * PAGE, 0),
				 -EINVAL);
		assert_int_equal(vcm_pgtable_map(pt, MiB, UINT64_MAX - PAGE + 1, 2 * PAGE, 0),
				 -EINVAL);
	});
	assert_int_equal(vcm_soc_free_bytes(f->soc), with_table);
	/* a section, then a map overlapping its last page: refused, no trace */
	assert_int_equal(vcm_pgtable_map(pt, 2 * MiB, RAM0, MiB, 0), 0);
	WARNS(0, assert_int_equal(vcm_pgtable_map(pt, 3 * MiB - PAGE, RAM0, 2 * PAGE, 0),
				  -EADDRINUSE));
	assert_int_equal(vcm_pgtable_dva_to_phys(pt, 3 * MiB, &pa), -ENOENT);
	assert_int_equal(vcm_pgtable_dva_to_phys(pt, 3 * MiB - PAGE, &pa), 0);
	assert_int_equal(pa, RAM0 + MiB - PAGE);
	assert_int_equal(vcm_soc_free_bytes(f->soc), with_table);
	/* cutting the section in two changes nothing */
	WARNS(0, assert_int_equal(vcm_pgtable_unmap(pt, 2 * MiB, PAGE), 0));
	assert_int_equal(vcm_pgtable_dva_to_phys(pt, 2 * MiB, &pa), 0);
	WARNS(0, assert_int_equal(vcm_pgtable_unmap(pt, 5 * MiB, PAGE), 0));
	WARNS(1, assert_int_equal(vcm_pgtable_unmap(pt, 2 * MiB + 0x800, PAGE), 0));
	WARNS(1, assert_int_equal(vcm_pgtable_unmap(NULL, 2 * MiB, PAGE), 0));
	WARNS(1, assert_int_equal(vcm_pgtable_unmap(pt, GiB4 - PAGE, 2 * PAGE), 0));
	WARNS(1, assert_int_equal(vcm_pgtable_unmap(pt, 2 * MiB, 0), 0));
	WARNS(0, {
		assert_int_equal(vcm_pgtable_dva_to_phys(NULL, 2 * MiB, &pa), -EINVAL);
		assert_int_equal(vcm_pgtable_dva_to_phys(pt, GiB4, &pa), -EINVAL);
		assert_int_equal(vcm_pgtable_dva_to_phys(pt, 2 * MiB, NULL), -EINVAL);
		assert_int_equal(vcm_pgtable_base(NULL), 0);
		vcm_pgtable_destroy(NULL);
		vcm_pgtable_destroy(vcm_err_ptr(-ENOMEM));
	});
	assert_int_equal(vcm_pgtable_unmap(pt, 2 * MiB, MiB), MiB);
	vcm_pgtable_destroy(pt);
}

static void sysmmu_bad_args(void **state)
{
	struct fx *f = *state;
	struct vcm_sysmmu_stats st;
	struct vcm_sysmmu *mmu;
	unsigned char buf[16];
	vcm_addr_t pa;

	WARNS(0, ERRNO_PTR(-EINVAL, vcm_sysmmu_create(NULL, "x")));
	WARNS(1, vcm_sysmmu_enable(NULL));
	WARNS(1, vcm_sysmmu_disable(NULL));
	WARNS(1, vcm_sysmmu_set_pgtable_base(NULL, 0));
	WARNS(1, vcm_sysmmu_tlb_invalidate(NULL));
	WARNS(1, vcm_sysmmu_tlb_invalidate_entry(NULL, 0));
	WARNS(1, assert_int_equal(vcm_sysmmu_readl(NULL, VCM_SYSMMU_CTRL), 0));
	WARNS(1, vcm_sysmmu_writel(NULL, VCM_SYSMMU_CTRL, VCM_SYSMMU_CTRL_ENABLE));
	mmu = vcm_sysmmu_create(f->soc, NULL);
	assert_false(vcm_is_err(mmu));
	/* bases the register cannot hold are truncated, with a warning */
	WARNS(1, vcm_sysmmu_set_pgtable_base(mmu, 0x12345));
	assert_int_equal(vcm_sysmmu_pgtable_base(mmu), 0x10000);
	WARNS(1, vcm_sysmmu_set_pgtable_base(mmu, GiB4 + 0x4000));
	WARNS(0, {
		assert_int_equal(vcm_sysmmu_translate(NULL, 0, VCM_ACCESS_READ, &pa), -EINVAL);
		assert_int_equal(vcm_sysmmu_translate(mmu, 0, 0, &pa), -EINVAL);
		assert_int_equal(vcm_sysmmu_translate(mmu, 0, 0x80, &pa), -EINVAL);
		assert_int_equal(vcm_sysmmu_translate(mmu, GiB4, VCM_ACCESS_READ, &pa), -EINVAL);
		assert_int_equal(vcm_sysmmu_translate(mmu, 0, VCM_ACCESS_READ, NULL), -EINVAL);
		assert_int_equal(vcm_sysmmu_set_tlb_entries(mmu, 0), -EINVAL);
		assert_int_equal(vcm_sysmmu_set_tlb_entries(mmu, VCM_SYSMMU_TLB_MAX_ENTRIES + 1),
				 -EINVAL);
		assert_int_equal(vcm_sysmmu_set_tlb_entries(NULL, 8), -EINVAL);
		assert_int_equal(vcm_dma_read(NULL, 0, buf, 4), -EINVAL);
		assert_int_equal(vcm_dma_read(mmu, 0, NULL, 4), -EINVAL);
		assert_int_equal(vcm_dma_read(mmu, GiB4 - 2, buf, 4), -EINVAL);
		assert_int_equal(vcm_dma_read(mmu, UINT64_MAX - 1, buf, 4), -EINVAL);
		assert_int_equal(vcm_dma_read(mmu, RAM0, buf, 0), 0);
		assert_int_equal(vcm_dma_write(NULL, 0, buf, 4), -EINVAL);
		assert_int_equal(vcm_dma_write(mmu, 0, NULL, 4), -EINVAL);
		assert_int_equal(vcm_dma_copy(NULL, 0, mmu, 0, 4), -EINVAL);
		assert_int_equal(vcm_dma_copy(mmu, 0, NULL, 0, 4), -EINVAL);
		assert_int_equal(vcm_dma_copy(mmu, GiB4 - 2, mmu, 0, 4), -EINVAL);
		assert_int_equal(vcm_dma_copy(mmu, 0, mmu, GiB4 - 2, 4), -EINVAL);
		vcm_sysmmu_get_stats(NULL, &st);
		vcm_sysmmu_destroy(NULL);
		vcm_sysmmu_destroy(vcm_err_ptr(-EINVAL));
	});
	WARNS(1, assert_int_equal(vcm_sysmmu_readl(mmu, 0x44), 0));	/* a hole */
	WARNS(1, assert_int_equal(vcm_sysmmu_readl(mmu, VCM_SYSMMU_CFG + 2), 0));
	WARNS(1, vcm_sysmmu_writel(mmu, VCM_SYSMMU_VERSION, 0));
	WARNS(1, vcm_sysmmu_writel(mmu, 0x1000, 0));
	assert_int_equal(vcm_sysmmu_readl(mmu, VCM_SYSMMU_VERSION), VCM_SYSMMU_VERSION_VALUE);
	vcm_sysmmu_destroy(mmu);
}

/* A device access running off the end of a mapping faults and touches no
 * byte outside the mapped page, in memory or in the destination buffer. */
static void dma_past_mapping(void **state)
{
	struct fx *f = *state;
	struct vcm_phys *one = fake_phys(1);
	unsigned char buf[2 * PAGE], page[PAGE], dst[16];
	struct vcm_res *res;
	vcm_addr_t pa, dva;
	unsigned i;

	/* two physically adjacent pages; only the first is mapped */
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 1, &pa), 0);
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(vcm_soc_phys_write(f->soc, pa, buf, sizeof(buf)), 0);
	one->parts[0] = (struct vcm_phys_part){ .start = pa, .size = PAGE };
	res = vcm_map(f->iommu, one, 0);
	assert_false(vcm_is_err(res));
	memset(buf, 0xee, sizeof(buf));
	/* each access that faults is reported once (one warning) */
	WARNS(1, assert_int_equal(vcm_dma_write(f->smmu, res->start, buf, sizeof(buf)), -EFAULT));
	assert_int_equal(vcm_soc_phys_read(f->soc, pa + PAGE, page, PAGE), 0);
	for (i = 0; i < PAGE; i++)
		assert_int_equal(page[i], 0x11);
	memset(dst, 0x77, sizeof(dst));
	WARNS(1, assert_int_equal(vcm_dma_read(f->smmu, res->start + PAGE - 8, dst, 16), -EFAULT));
	for (i = 8; i < 16; i++)
		assert_int_equal(dst[i], 0x77);
	/* gone at once when unmapped: no stale translation */
	dva = res->start;
	WARNS(0, vcm_unmap(res));
	WARNS(1, assert_int_equal(vcm_dma_read(f->smmu, dva, dst, 4), -EFAULT));
	free(one);
	vcm_soc_free_pages(f->soc, pa, 1);
}

static void iommu_bad_window(void **state)
{
	struct fx *f = *state;

	WARNS(0, {
		ERRNO_PTR(-EINVAL, vcm_iommu_create(NULL, DEV_START, MiB));
		ERRNO_PTR(-EINVAL, vcm_iommu_create(vcm_err_ptr(-ENOMEM), DEV_START, MiB));
		ERRNO_PTR(-EINVAL, vcm_iommu_create(f->smmu, DEV_START, 0));
		ERRNO_PTR(-EINVAL, vcm_iommu_create(f->smmu, DEV_START + 0x800, MiB));
		ERRNO_PTR(-EINVAL, vcm_iommu_create(f->smmu, DEV_START, MiB + 1));
		ERRNO_PTR(-EINVAL, vcm_iommu_create(f->smmu, GiB4 - MiB, 2 * MiB));
		ERRNO_PTR(-EINVAL, vcm_iommu_create(f->smmu, 0, UINT64_MAX - PAGE + 1));
		ERRNO_PTR(-EINVAL, vcm_iommu_create(f->smmu, GiB4, MiB));
	});
}

static int bus_errors;

static int count_bus_errors(struct vcm_sysmmu *mmu, const struct vcm_fault *fault, void *priv)
{
	(void)mmu;
	(void)priv;
	bus_errors += fault->type == VCM_FAULT_BUS_ERROR;
	return -1;
}

/* Physical addresses a device cannot reach: not RAM (a bus error when
 * used), or past the 32-bit PA space (refused when mapped, also when that
 * is at activation). */
static void iommu_pa_outside(void **state)
{
	struct fx *f = *state;
	struct vcm_phys *io = fake_phys(1), *high = fake_phys(1);
	struct vcm_sysmmu *mmu2 = vcm_sysmmu_create(f->soc, "late");
	struct vcm *ctx2 = vcm_iommu_create(mmu2, DEV_START, DEV_SIZE);
	vcm_size_t base = vcm_soc_free_bytes(f->soc);
	struct vcm_res *res;
	unsigned char buf[8];

	assert_false(vcm_is_err(ctx2));
	io->parts[0] = (struct vcm_phys_part){ .start = 0x1000, .size = PAGE };
	high->parts[0] = (struct vcm_phys_part){ .start = GiB4, .size = PAGE };
	res = vcm_map(f->iommu, io, 0);
	assert_false(vcm_is_err(res));
	vcm_sysmmu_set_fault_handler(f->smmu, count_bus_errors, NULL);
	bus_errors = 0;
	assert_int_equal(vcm_dma_read(f->smmu, res->start, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(bus_errors, 1);
	vcm_sysmmu_set_fault_handler(f->smmu, NULL, NULL);
	vcm_unmap(res);
	WARNS(0, ERRNO_PTR(-EINVAL, vcm_map(f->iommu, high, 0)));
	assert_int_equal(high->bindings.counter, 0);
	/* inactive: bound now, refused when activation maps it */
	res = vcm_map(ctx2, high, 0);
	assert_false(vcm_is_err(res));
	WARNS(0, assert_int_equal(vcm_activate(ctx2), -EINVAL));
	/* counted all the same, as in the kernel: the deactivation is owed */
	assert_int_equal(ctx2->activations.counter, 1);
	assert_int_equal(vcm_sysmmu_readl(mmu2, VCM_SYSMMU_CTRL) & VCM_SYSMMU_CTRL_MMU_EN, 0);
	WARNS(0, vcm_deactivate(ctx2));
	assert_int_equal(vcm_soc_free_bytes(f->soc), base);
	vcm_unmap(res);
	vcm_destroy(ctx2);
	vcm_sysmmu_destroy(mmu2);
	free(io);
	free(high);
}

/* Two contexts on one System MMU: only one may be active. */
static void iommu_busy(void **state)
{
	struct fx *f = *state;
	struct vcm *ctx2 = vcm_iommu_create(f->smmu, DEV_START, DEV_SIZE);

	assert_false(vcm_is_err(ctx2));
	WARNS(0, assert_int_equal(vcm_activate(ctx2), -EBUSY));
	assert_int_equal(ctx2->activations.counter, 1);	/* as the kernel */
	WARNS(0, vcm_deactivate(ctx2));
	WARNS(0, vcm_destroy(ctx2));
}

/* Destroying an active IOMMU context turns its System MMU off. */
static void iommu_destroy_active(void **state)
{
	struct fx *f = *state;
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(f->soc, "short-lived");
	struct vcm *ctx = vcm_iommu_create(mmu, DEV_START, DEV_SIZE);
	unsigned char buf[8];

	assert_false(vcm_is_err(ctx));
	assert_false(vcm_is_err(vcm_map(ctx, f->canary, 0)));
	assert_int_equal(vcm_activate(ctx), 0);
	assert_int_equal(vcm_dma_read(mmu, DEV_START, buf, sizeof(buf)), 0);
	WARNS(2, vcm_destroy(ctx));
	assert_int_equal(vcm_sysmmu_readl(mmu, VCM_SYSMMU_CTRL) & VCM_SYSMMU_CTRL_MMU_EN, 0);
	assert_int_equal(f->canary->bindings.counter, 3);
	vcm_sysmmu_destroy(mmu);
}

/* ---- rows: the S5P platform layer ---- */

static void s5p_bad(void **state)
{
	struct fx *f = *state;
	struct vcm *a, *b;
	struct vcm_res *ra, *rb, *rm;

	WARNS(0, {
		ERRNO_PTR(-EINVAL, vcm_create_unified(0, VCM_DEV_FIMC0, NULL));
		ERRNO_PTR(-EINVAL, vcm_create_unified(MiB, VCM_DEV_NONE, NULL));
		ERRNO_PTR(-EINVAL, vcm_create_unified(MiB, VCM_DEV_NUM, NULL));
		ERRNO_PTR(-EINVAL, vcm_create_unified(MiB, (enum vcm_dev_id)1000, NULL));
		ERRNO_PTR(-EINVAL, vcm_create_unified(GiB4 + 1, VCM_DEV_FIMC0, NULL));
		ERRNO_PTR(-EINVAL, vcm_create_unified(UINT64_MAX, VCM_DEV_FIMC0, NULL));
		assert_null(vcm_find_vcm(VCM_DEV_NONE));
		assert_null(vcm_find_vcm(VCM_DEV_FIMC0));
		ERRNO_PTR(-EINVAL, s5p_sysmmu_get(VCM_DEV_NUM));
	});
	a = vcm_create_unified(3 * MiB - PAGE, VCM_DEV_FIMC0, NULL);
	assert_false(vcm_is_err(a));
	assert_int_equal(a->size, 3 * MiB);
	WARNS(0, {
		ERRNO_PTR(-EEXIST, vcm_create_unified(MiB, VCM_DEV_FIMC0, NULL));
		ERRNO_PTR(-ENOSPC, vcm_create_unified(S5P_VCM_DVA_END - S5P_VCM_DVA_START,
						      VCM_DEV_FIMC1, NULL));
	});
	b = vcm_create_unified(MiB, VCM_DEV_FIMC1, NULL);
	assert_false(vcm_is_err(b));
	assert_ptr_equal(vcm_find_vcm(VCM_DEV_FIMC0), a);
	ra = vcm_reserve(a, PAGE, 0);
	rb = vcm_reserve(b, PAGE, 0);
	rm = vcm_reserve(f->mmu, PAGE, 0);
	WARNS(0, {
		assert_int_equal(vcm_reservation_in_vcm(a, ra), S5PVCM_RES_IN_VCM);
		assert_int_equal(vcm_reservation_in_vcm(a, rb), S5PVCM_RES_IN_ADDRSPACE);
		assert_int_equal(vcm_reservation_in_vcm(a, rm), S5PVCM_RES_NOT_IN_VCM);
		assert_int_equal(vcm_reservation_in_vcm(f->mmu, ra), S5PVCM_RES_NOT_IN_VCM);
		assert_int_equal(vcm_reservation_in_vcm(f->mmu, rm), S5PVCM_RES_IN_VCM);
		vcm_set_pgtable_base(VCM_DEV_FIMC0);
	});
	/* As the shipped layer, a NULL (or error pointer) argument warns. */
	WARNS(4, {
		assert_int_equal(vcm_reservation_in_vcm(NULL, ra), S5PVCM_RES_NOT_IN_VCM);
		assert_int_equal(vcm_reservation_in_vcm(a, NULL), S5PVCM_RES_NOT_IN_VCM);
		assert_int_equal(vcm_reservation_in_vcm(vcm_err_ptr(-EINVAL), ra),
				 S5PVCM_RES_NOT_IN_VCM);
		assert_int_equal(vcm_reservation_in_vcm(a, vcm_err_ptr(-EINVAL)),
				 S5PVCM_RES_NOT_IN_VCM);
	});
	WARNS(1, vcm_set_pgtable_base(VCM_DEV_NONE));
	WARNS(1, vcm_set_pgtable_base(VCM_DEV_MFC));
	WARNS(1, s5p_vcm_turn_on(NULL));
	WARNS(1, s5p_vcm_turn_off(NULL));
	WARNS(1, s5p_vcm_turn_off(a));
	WARNS(0, {
		vcm_unreserve(ra);
		vcm_unreserve(rb);
		vcm_unreserve(rm);
		vcm_destroy(a);
		vcm_destroy(b);
	});
	assert_null(vcm_find_vcm(VCM_DEV_FIMC0));
}

/* ---- rows: user memory ---- */

static void userptr_bad(void **state)
{
	struct fx *f = *state;
	unsigned char *buf = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *gone = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vcm_phys *p0;

	assert_true(buf != MAP_FAILED && gone != MAP_FAILED);
	munmap(gone, PAGE);
	munmap(buf + 3 * PAGE, PAGE);
	mprotect(buf + 2 * PAGE, PAGE, PROT_READ);
	WARNS(0, {
		ERRNO_PTR(-EINVAL, vcm_phys_from_user(f->soc, buf, 0, 0));
		ERRNO_PTR(-EFAULT, vcm_phys_from_user(f->soc, NULL, PAGE, 0));
		ERRNO_PTR(-EINVAL, vcm_phys_from_user(f->soc, (void *)(uintptr_t)-PAGE, 2 * PAGE, 0));
		ERRNO_PTR(-EINVAL, vcm_phys_from_user(f->soc, buf, SIZE_MAX, 0));
		ERRNO_PTR(-EINVAL, vcm_phys_from_user(vcm_err_ptr(-EINVAL), buf, PAGE, 0));
		ERRNO_PTR(-EFAULT, vcm_phys_from_user(f->soc, gone, PAGE, 0));
		/* the last page is gone, the one before is read-only */
		ERRNO_PTR(-EFAULT, vcm_phys_from_user(f->soc, buf + 100, 4 * PAGE - 200, 0));
		ERRNO_PTR(-EFAULT, vcm_phys_from_user(f->soc, buf + PAGE, 2 * PAGE, 0));
		ERRNO_PTR(-EINVAL, vcm_userptr_get(NULL, buf, PAGE, 0));
		ERRNO_PTR(-EINVAL, vcm_userptr_get(vcm_err_ptr(-ENOMEM), buf, PAGE, 0));
		ERRNO_PTR(-EINVAL, vcm_userptr_get(f->iommu, buf, 0, 0));
		ERRNO_PTR(-EFAULT, vcm_userptr_get(f->iommu, gone, PAGE, 0));
		ERRNO_PTR(-EOPNOTSUPP, vcm_userptr_get(f->vmm, buf, PAGE, 0));
	});
	/* nothing of all that stayed pinned */
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free_base);
	/* a contiguous pin over a page already pinned alone */
	p0 = vcm_phys_from_user(f->soc, buf, PAGE, 0);
	assert_false(vcm_is_err(p0));
	WARNS(0, ERRNO_PTR(-EBUSY, vcm_phys_from_user(f->soc, buf, 2 * PAGE, VCM_USERPTR_CONTIG)));
	WARNS(0, vcm_free(p0));
	WARNS(1, vcm_userptr_put(NULL));
	WARNS(1, vcm_userptr_put(vcm_err_ptr(-EINVAL)));
	munmap(buf, 3 * PAGE);
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
	ROW(pgtable_bad_args),
	ROW(sysmmu_bad_args),
	ROW(dma_past_mapping),
	ROW(iommu_bad_window),
	ROW(iommu_pa_outside),
	ROW(iommu_busy),
	ROW(iommu_destroy_active),
	ROW(s5p_bad),
	ROW(userptr_bad),
#undef ROW
};

int main(void)
{
	return cmocka_run_group_tests(rows, NULL, NULL);
}
