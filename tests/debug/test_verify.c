/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_verify.c - vcm_verify() and vcm_sysmmu_verify(): consistent contexts
 * verify clean, and each kind of inconsistency, planted behind the
 * library's back (a raw page-table write, a missing TLB flush, a disabled
 * System MMU, corrupted bookkeeping), is reported; guard pages turn a
 * device's overrun into a fault.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <vcm.h>

#include "iommu.h"
#include "pgtable.h"

#include "devctx_util.h"
#include "mock-mmu.h"

#define DEV_START 0x20000000ULL
#define DEV_SIZE (64ULL << 20)

struct fx {
	struct vcm_soc *soc;
	struct vcm_sysmmu *mmu;
	struct vcm *ctx;
	struct vcm_iommu_view iv;
	struct vcm_res *res[3];
};

static int setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	f.soc = t_soc_current();
	f.mmu = vcm_sysmmu_create(f.soc, "verify");
	f.ctx = vcm_iommu_create(f.mmu, DEV_START, DEV_SIZE);
	assert_false(vcm_is_err(f.mmu) || vcm_is_err(f.ctx));
	assert_true(vcm_iommu_view(f.ctx, &f.iv));
	assert_int_equal(vcm_activate(f.ctx), 0);
	/* a section, large pages and small pages */
	f.res[0] = vcm_make_binding(f.ctx, T_1M + 3 * T_64K + 5 * T_4K, 0, 0);
	f.res[1] = vcm_make_binding(f.ctx, 7 * T_4K, 0, 0);
	f.res[2] = vcm_reserve(f.ctx, 4 * T_4K, 0);		/* not bound */
	assert_false(vcm_is_err(f.res[0]) || vcm_is_err(f.res[1]) || vcm_is_err(f.res[2]));
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vcm_destroy_binding(f->res[0]);
	vcm_destroy_binding(f->res[1]);
	vcm_unreserve(f->res[2]);
	vcm_deactivate(f->ctx);
	vcm_destroy(f->ctx);
	vcm_sysmmu_destroy(f->mmu);
	test_soc_release(f->soc);
	test_warnings_default();
	return 0;
}

/* Verify, expecting exactly @n mismatches, the first of @kind. */
static void expect(struct vcm *ctx, int n, enum vcm_mismatch_kind kind, vcm_addr_t dva)
{
	struct vcm_mismatch m[8];
	int got = vcm_verify(ctx, m, 8), i;

	for (i = 0; i < got && i < 8; i++)
		printf("    mismatch: %s\n", m[i].what);
	assert_int_equal(got, n);
	if (n) {
		assert_int_equal(m[0].kind, kind);
		assert_int_equal(m[0].dva, dva);
	}
}

static void test_clean(void **state)
{
	struct fx *f = *state;
	struct vcm_mismatch m;

	expect(f->ctx, 0, 0, 0);
	assert_int_equal(vcm_sysmmu_verify(f->mmu, &m, 1), 0);
	vcm_deactivate(f->ctx);
	expect(f->ctx, 0, 0, 0);	/* inactive: nothing mapped, MMU off */
	assert_int_equal(vcm_activate(f->ctx), 0);
	expect(f->ctx, 0, 0, 0);
}

static void test_extra(void **state)
{
	struct fx *f = *state;
	vcm_addr_t dva = f->res[2]->start;	/* reserved, not bound */

	assert_int_equal(vcm_pgtable_map(f->iv.pt, dva, T_RAM_BASE, T_4K, 0), 0);
	expect(f->ctx, 1, VCM_MISMATCH_EXTRA, dva);
	assert_int_equal(vcm_pgtable_unmap(f->iv.pt, dva, T_4K), T_4K);
	/* outside the window too, in a table of its own */
	assert_int_equal(vcm_pgtable_map(f->iv.pt, 0x1000, T_RAM_BASE, T_4K, 0), 0);
	expect(f->ctx, 1, VCM_MISMATCH_EXTRA, 0x1000);
	assert_int_equal(vcm_pgtable_unmap(f->iv.pt, 0x1000, T_4K), T_4K);
	expect(f->ctx, 0, 0, 0);
}

static void test_missing_wrong_pa_size(void **state)
{
	struct fx *f = *state;
	vcm_addr_t dva = f->res[1]->start + 2 * T_4K, pa;
	vcm_addr_t sec = f->res[0]->start;

	assert_int_equal(vcm_pgtable_dva_to_phys(f->iv.pt, dva, &pa), 0);
	assert_int_equal(vcm_pgtable_unmap(f->iv.pt, dva, T_4K), T_4K);
	expect(f->ctx, 1, VCM_MISMATCH_MISSING, dva);
	assert_int_equal(vcm_pgtable_map(f->iv.pt, dva, pa + T_4K, T_4K, 0), 0);
	expect(f->ctx, 1, VCM_MISMATCH_WRONG_PA, dva);
	assert_int_equal(vcm_pgtable_unmap(f->iv.pt, dva, T_4K), T_4K);
	assert_int_equal(vcm_pgtable_map(f->iv.pt, dva, pa, T_4K, 0), 0);
	expect(f->ctx, 0, 0, 0);
	/* the section mapped as small pages instead */
	assert_int_equal(vcm_pgtable_dva_to_phys(f->iv.pt, sec, &pa), 0);
	assert_int_equal(vcm_pgtable_unmap(f->iv.pt, sec, T_1M), T_1M);
	assert_int_equal(vcm_pgtable_map(f->iv.pt, sec, pa, T_4K, 0), 0);
	expect(f->ctx, 1, VCM_MISMATCH_PAGE_SIZE, sec);
	assert_int_equal(vcm_pgtable_unmap(f->iv.pt, sec, T_4K), T_4K);
	assert_int_equal(vcm_pgtable_map(f->iv.pt, sec, pa, T_1M, 0), 0);
	expect(f->ctx, 0, 0, 0);
}

static void test_orphan_lv2(void **state)
{
	struct fx *f = *state;
	vcm_addr_t lv2, dva = 0x30000000ULL;
	uint32_t link, zero[VCM_LV2_ENTRIES] = { 0 };
	vcm_addr_t slot = vcm_pgtable_base(f->iv.pt) + vcm_lv1_index(dva) * sizeof(link);

	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &lv2), 0);
	assert_int_equal(vcm_soc_phys_write(f->soc, lv2, zero, sizeof(zero)), 0);
	link = vcm_mk_lv1_link(lv2);
	assert_int_equal(vcm_soc_phys_write(f->soc, slot, &link, sizeof(link)), 0);
	expect(f->ctx, 1, VCM_MISMATCH_ORPHAN_LV2, dva);
	link = 0;
	assert_int_equal(vcm_soc_phys_write(f->soc, slot, &link, sizeof(link)), 0);
	vcm_soc_free_pages(f->soc, lv2, 0);
	expect(f->ctx, 0, 0, 0);
}

static void test_stale_tlb(void **state)
{
	struct fx *f = *state;
	vcm_addr_t dva = f->res[1]->start, pa;
	struct vcm_mismatch m[4];
	char byte;

	/* the device reads the page: its translation is in the TLB */
	assert_int_equal(vcm_dma_read(f->mmu, dva, &byte, 1), 0);
	assert_int_equal(vcm_pgtable_dva_to_phys(f->iv.pt, dva, &pa), 0);
	/* a driver that unmaps without flushing the TLB */
	assert_int_equal(vcm_pgtable_unmap(f->iv.pt, dva, T_4K), T_4K);
	assert_int_equal(vcm_verify(f->ctx, m, 4), 2);
	assert_int_equal(m[0].kind, VCM_MISMATCH_MISSING);
	assert_int_equal(m[1].kind, VCM_MISMATCH_STALE_TLB);
	assert_int_equal(m[1].dva, dva);
	assert_int_equal(vcm_sysmmu_verify(f->mmu, m, 4), 1);
	assert_int_equal(m[0].kind, VCM_MISMATCH_STALE_TLB);
	assert_int_equal(vcm_pgtable_map(f->iv.pt, dva, pa, T_4K, 0), 0);
	vcm_sysmmu_tlb_invalidate(f->mmu);
	expect(f->ctx, 0, 0, 0);
	assert_int_equal(vcm_sysmmu_verify(f->mmu, m, 4), 0);
}

static void test_activation(void **state)
{
	struct fx *f = *state;
	struct vcm_mismatch m;

	vcm_sysmmu_disable(f->mmu);
	expect(f->ctx, 1, VCM_MISMATCH_ACTIVATION, 0);
	vcm_sysmmu_enable(f->mmu);
	expect(f->ctx, 0, 0, 0);
	/* a table base that is not RAM */
	vcm_sysmmu_set_pgtable_base(f->mmu, 0x10000000);
	assert_int_equal(vcm_sysmmu_verify(f->mmu, &m, 1), 1);
	assert_int_equal(m.kind, VCM_MISMATCH_ACTIVATION);
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(f->iv.pt));
	assert_int_equal(vcm_sysmmu_verify(f->mmu, &m, 1), 0);
	expect(f->ctx, 0, 0, 0);
}

static void test_bookkeeping(void **state)
{
	struct fx *f = *state;
	vcm_size_t saved = f->res[1]->bound_size;

	f->res[1]->bound_size = T_4K;
	expect(f->ctx, 1, VCM_MISMATCH_RES, f->res[1]->start);
	f->res[1]->bound_size = saved;
	expect(f->ctx, 0, 0, 0);
}

static void test_bad_args(void **state)
{
	struct fx *f = *state;
	struct vcm_mismatch m;

	assert_int_equal(vcm_verify(NULL, &m, 1), -EINVAL);
	assert_int_equal(vcm_verify(vcm_err_ptr(-ENOMEM), &m, 1), -EINVAL);
	assert_int_equal(vcm_verify(f->ctx, NULL, 1), -EINVAL);
	assert_int_equal(vcm_verify(f->ctx, NULL, 0), 0);
	assert_int_equal(vcm_sysmmu_verify(NULL, &m, 1), -EINVAL);
	assert_int_equal(vcm_sysmmu_verify(f->mmu, NULL, 1), -EINVAL);
	/* more mismatches than room: the count is still right */
	assert_int_equal(vcm_pgtable_unmap(f->iv.pt, f->res[1]->start, 7 * T_4K), 7 * T_4K);
	assert_int_equal(vcm_verify(f->ctx, &m, 1), 7);
	assert_int_equal(vcm_verify(f->ctx, NULL, 0), 7);
	vcm_deactivate(f->ctx);		/* warns about the missing pages */
	assert_int_equal(vcm_activate(f->ctx), 0);
	expect(f->ctx, 0, 0, 0);
}

/* The S5P layer's shared table: each context checks its own window. */
static void test_s5p(void **state)
{
	struct vcm *a = vcm_create_unified(4 * T_1M, VCM_DEV_FIMC0, NULL);
	struct vcm *b = vcm_create_unified(4 * T_1M, VCM_DEV_MFC, NULL);
	struct vcm_res *ra, *rb;

	(void)state;
	assert_false(vcm_is_err(a) || vcm_is_err(b));
	assert_int_equal(vcm_activate(a), 0);
	ra = vcm_make_binding(a, T_64K + T_4K, 0, 0);
	rb = vcm_make_binding(b, T_4K, 0, 0);
	assert_false(vcm_is_err(ra) || vcm_is_err(rb));
	expect(a, 0, 0, 0);
	expect(b, 0, 0, 0);
	assert_int_equal(vcm_activate(b), 0);
	expect(a, 0, 0, 0);
	expect(b, 0, 0, 0);
	vcm_destroy_binding(ra);
	vcm_destroy_binding(rb);
	vcm_deactivate(a);
	vcm_deactivate(b);
	vcm_destroy(a);
	vcm_destroy(b);
}

/* A driver's own MMU context: the bookkeeping is checked. */
static void test_driver_context(void **state)
{
	struct mock *mock;
	struct vcm *ctx = mock_create(&mock);
	struct vcm_res *res = vcm_make_binding(ctx, 3 * T_4K, 0, 0);

	(void)state;
	assert_false(vcm_is_err(res));
	expect(ctx, 0, 0, 0);
	vcm_destroy_binding(res);
	vcm_destroy(ctx);
}

/* Guard pages: an overrun from one buffer into the next faults. */
static void test_guard(void **state)
{
	struct fx *f = *state;
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(f->soc, "guard");
	struct vcm *ctx = vcm_iommu_create(mmu, DEV_START, DEV_SIZE), *o2o;
	unsigned char buf[2 * 4096] = { 0 };
	struct vcm_iommu_view iv;
	struct vcm_res *a, *b;

	assert_true(vcm_iommu_view(ctx, &iv));
	assert_int_equal(vcm_activate(ctx), 0);
	/* packed (the default): the overrun lands in the neighbour */
	a = vcm_make_binding(ctx, T_4K, 0, 0);
	b = vcm_make_binding(ctx, T_4K, 0, 0);
	assert_false(vcm_is_err(a) || vcm_is_err(b));
	assert_int_equal(b->start, a->start + T_4K);
	assert_int_equal(vcm_dma_write(mmu, a->start, buf, sizeof(buf)), 0);
	vcm_destroy_binding(a);
	vcm_destroy_binding(b);
	/* with a guard page it faults */
	assert_int_equal(vcm_set_guard(ctx, T_4K), 0);
	a = vcm_make_binding(ctx, T_4K, 0, 0);
	b = vcm_make_binding(ctx, T_4K, 0, 0);
	assert_false(vcm_is_err(a) || vcm_is_err(b));
	assert_true(b->start >= a->start + 2 * T_4K);
	assert_int_equal(a->res_size, T_4K);
	assert_int_equal(vcm_dma_write(mmu, a->start, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(vcm_dma_write(mmu, b->start, buf, sizeof(buf)), -EFAULT);
	expect(ctx, 0, 0, 0);
	/* something mapped in a gap is found */
	assert_int_equal(vcm_pgtable_map(iv.pt, a->start + T_4K, T_RAM_BASE, T_4K, 0), 0);
	expect(ctx, 1, VCM_MISMATCH_EXTRA, a->start + T_4K);
	assert_int_equal(vcm_pgtable_unmap(iv.pt, a->start + T_4K, T_4K), T_4K);
	vcm_destroy_binding(a);
	vcm_destroy_binding(b);
	assert_int_equal(vcm_set_guard(ctx, 0), 0);
	/* errors */
	assert_int_equal(vcm_set_guard(ctx, 100), -EINVAL);
	assert_int_equal(vcm_set_guard(ctx, DEV_SIZE + T_4K), -EINVAL);
	assert_int_equal(vcm_set_guard(NULL, T_4K), -EINVAL);
	o2o = vcm_onetoone_create(f->soc);
	assert_int_equal(vcm_set_guard(o2o, T_4K), -EOPNOTSUPP);
	vcm_destroy(o2o);
	vcm_deactivate(ctx);
	vcm_destroy(ctx);
	vcm_sysmmu_destroy(mmu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extra, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_wrong_pa_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_lv2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_tlb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bookkeeping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s5p, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guard, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
