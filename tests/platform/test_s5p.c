/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_s5p.c - the S5P platform layer: windows (placement, rounding,
 * -EEXIST, bad ids and sizes, exhaustion, reuse), vcm_find_vcm(), DMA of
 * two devices in the shared table, vcm_reservation_in_vcm() in all three
 * cases, given callbacks called with the right id and base at activation
 * and on unmap, NULL callbacks programming the model (registers),
 * vcm_set_pgtable_base(), phys_alloc/phys_free, s5p_sysmmu_get(), the
 * dump, one phys shared with a vcm_iommu_create() context, threads, and a
 * context left alive at exit.
 */
#include <pthread.h>

#include "devctx_util.h"

/* ---- fixture ----------------------------------------------------------- */

static int setup(void **state)
{
	*state = t_soc_current();
	return 0;
}

/* Every context a test left goes; the shared state goes with the last. */
static int teardown(void **state)
{
	int id;

	for (id = 0; id < VCM_DEV_NUM; id++) {
		struct vcm *vcm = vcm_find_vcm(id);

		if (!vcm_is_err(vcm))
			vcm_destroy(vcm);
	}
	test_soc_release(*state);
	return 0;
}

static struct vcm *unified(vcm_size_t size, enum vcm_dev_id id,
			   const struct s5p_vcm_driver *drv)
{
	struct vcm *vcm = vcm_create_unified(size, id, drv);

	assert_false(vcm_is_err_or_null(vcm));
	return vcm;
}

/* ---- recorded callbacks ------------------------------------------------ */

enum call_kind { CALL_TLB, CALL_PGD, CALL_ALLOC, CALL_FREE };

struct call {
	enum call_kind kind;
	enum vcm_dev_id id;
	unsigned long base;
};

#define MAX_CALLS 64
static struct call calls[MAX_CALLS];
static unsigned ncalls;

static void record(enum call_kind kind, enum vcm_dev_id id, unsigned long base)
{
	assert_true(ncalls < MAX_CALLS);
	calls[ncalls++] = (struct call){ kind, id, base };
}

static void rec_tlb(enum vcm_dev_id id)
{
	record(CALL_TLB, id, 0);
}

static void rec_pgd(enum vcm_dev_id id, unsigned long base)
{
	record(CALL_PGD, id, base);
}

static const struct s5p_vcm_driver rec_driver = {
	.tlb_invalidator = rec_tlb,
	.pgd_base_specifier = rec_pgd,
};

static void expect_call(unsigned i, enum call_kind kind, enum vcm_dev_id id)
{
	assert_true(i < ncalls);
	assert_int_equal(calls[i].kind, kind);
	assert_int_equal(calls[i].id, id);
}

/* ---- windows ----------------------------------------------------------- */

static void test_windows(void **state)
{
	struct vcm *a, *b, *c;

	(void)state;
	a = unified(5 * T_1M / 2, VCM_DEV_FIMC0, NULL);
	b = unified(T_4K, VCM_DEV_MFC, NULL);
	c = unified(T_1M, VCM_DEV_FIMD0, NULL);
	/* First fit from 1 MiB up; sizes rounded to whole MiB. */
	assert_int_equal(a->start, T_1M);
	assert_int_equal(a->size, 3 * T_1M);
	assert_int_equal(b->start, 4 * T_1M);
	assert_int_equal(b->size, T_1M);
	assert_int_equal(c->start, 5 * T_1M);
	assert_ptr_equal(vcm_find_vcm(VCM_DEV_FIMC0), a);
	assert_ptr_equal(vcm_find_vcm(VCM_DEV_MFC), b);
	assert_null(vcm_find_vcm(VCM_DEV_G2D));

	/* A freed window is reused by the first request that fits. */
	vcm_destroy(a);
	assert_null(vcm_find_vcm(VCM_DEV_FIMC0));
	a = unified(4 * T_1M, VCM_DEV_FIMC0, NULL);	/* too big for the hole */
	assert_int_equal(a->start, 6 * T_1M);
	b = unified(2 * T_1M, VCM_DEV_JPEG, NULL);	/* fits the hole */
	assert_int_equal(b->start, T_1M);
	c = unified(T_1M, VCM_DEV_TV, NULL);
	assert_int_equal(c->start, 3 * T_1M);
}

static void test_bad_args_and_eexist(void **state)
{
	struct vcm *a;

	(void)state;
	assert_int_equal(vcm_ptr_err(vcm_create_unified(T_1M, VCM_DEV_NONE, NULL)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(T_1M, VCM_DEV_NUM, NULL)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(T_1M, (enum vcm_dev_id)100, NULL)),
			 -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(0, VCM_DEV_FIMC0, NULL)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(T_4G + 1, VCM_DEV_FIMC0, NULL)),
			 -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(~0ULL, VCM_DEV_FIMC0, NULL)), -EINVAL);
	/* As the shipped layer: a size that is not whole pages is refused. */
	{
		unsigned long w0 = vcm_warn_count();

		assert_int_equal(vcm_ptr_err(vcm_create_unified(T_1M + 1, VCM_DEV_FIMC0, NULL)),
				 -EINVAL);
		assert_int_equal(vcm_warn_count(), w0 + 1);
	}
	/* As the shipped layer: NULL for a bad id or a device without one. */
	assert_null(vcm_find_vcm(VCM_DEV_NONE));
	assert_null(vcm_find_vcm(VCM_DEV_NUM));
	assert_null(vcm_find_vcm(VCM_DEV_FIMC0));

	a = unified(T_1M, VCM_DEV_FIMC0, NULL);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(T_1M, VCM_DEV_FIMC0, NULL)), -EEXIST);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(T_1M, VCM_DEV_FIMC0, &rec_driver)),
			 -EEXIST);
	assert_ptr_equal(vcm_find_vcm(VCM_DEV_FIMC0), a);
	/* The id is free again after destroy. */
	vcm_destroy(a);
	a = unified(T_1M, VCM_DEV_FIMC0, NULL);
	assert_int_equal(a->start, T_1M);
}

/* No RAM for the shared table on first use. */
static void test_no_memory(void **state)
{
	struct t_hog *hog = t_hog_all(*state);

	assert_int_equal(vcm_ptr_err(vcm_create_unified(T_1M, VCM_DEV_FIMC0, NULL)), -ENOMEM);
	t_hog_free(hog);
	assert_false(vcm_is_err_or_null(unified(T_1M, VCM_DEV_FIMC0, NULL)));
}

static void test_exhaustion(void **state)
{
	struct vcm *all, *small;

	(void)state;
	/* As the shipped layer, windows come from [1 MiB, 0xFFF00000): the
	 * first and the last MiB are never handed out. */
	assert_int_equal(S5P_VCM_DVA_END, 0xFFF00000ULL);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(T_4G - T_1M + T_4K, VCM_DEV_MDMA, NULL)),
			 -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(S5P_VCM_DVA_END, VCM_DEV_MDMA, NULL)),
			 -ENOSPC);
	all = unified(T_4G - 2 * T_1M, VCM_DEV_MDMA, NULL);
	assert_int_equal(all->start, T_1M);
	assert_int_equal(all->size, T_4G - 2 * T_1M);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(T_4K, VCM_DEV_SSS, NULL)), -ENOSPC);
	vcm_destroy(all);

	all = unified(T_4G - 3 * T_1M, VCM_DEV_MDMA, NULL);
	small = unified(T_1M, VCM_DEV_SSS, NULL);
	assert_int_equal(small->start, T_4G - 2 * T_1M);
	assert_int_equal(vcm_ptr_err(vcm_create_unified(T_1M, VCM_DEV_MDMA2, NULL)), -ENOSPC);
	vcm_destroy(small);
	small = unified(T_1M, VCM_DEV_MDMA2, NULL);
	assert_int_equal(small->start, T_4G - 2 * T_1M);
}

/* ---- DMA and where reservations lie ------------------------------------ */

static void test_two_devices_dma(void **state)
{
	struct vcm *v[2];
	struct vcm_sysmmu *mmu[2];
	struct vcm_res *res[2], *spare;
	uint8_t in[2][8192], out[8192];
	const enum vcm_dev_id ids[2] = { VCM_DEV_FIMC0, VCM_DEV_MFC };
	unsigned i;

	(void)state;
	for (i = 0; i < 2; i++) {
		v[i] = unified(4 * T_1M, ids[i], NULL);
		mmu[i] = s5p_sysmmu_get(ids[i]);
		assert_false(vcm_is_err_or_null(mmu[i]));
		res[i] = vcm_make_binding(v[i], sizeof(in[i]), 0, 0);
		assert_false(vcm_is_err_or_null(res[i]));
		assert_true(res[i]->start >= v[i]->start &&
			    res[i]->start + res[i]->res_size <= v[i]->start + v[i]->size);
		s5p_vcm_turn_on(v[i]);
	}
	assert_true(v[0]->start + v[0]->size <= v[1]->start);
	assert_int_equal(t_base(mmu[0]), t_base(mmu[1]));	/* one shared table */

	for (i = 0; i < 2; i++) {
		t_fill(in[i], sizeof(in[i]), 20 + i);
		assert_int_equal(vcm_dma_write(mmu[i], res[i]->start, in[i], sizeof(in[i])), 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(vcm_dma_read(mmu[i], res[i]->start, out, sizeof(out)), 0);
		assert_memory_equal(out, in[i], sizeof(out));
		t_cpu_read(res[i]->phys, 0, out, sizeof(out));
		assert_memory_equal(out, in[i], sizeof(out));
	}
	/* The rest of a device's window is not mapped: the device faults there. */
	assert_int_equal(vcm_dma_read(mmu[0], res[0]->start + 2 * T_1M, out, 16), -EFAULT);
	spare = vcm_reserve(v[0], T_4K, 0);
	assert_false(vcm_is_err_or_null(spare));
	assert_int_equal(vcm_dma_read(mmu[0], spare->start, out, 16), -EFAULT);
	/* DVA 0 is never mapped. */
	assert_int_equal(vcm_dma_read(mmu[0], 0, out, 16), -EFAULT);
	vcm_unreserve(spare);

	for (i = 0; i < 2; i++) {
		vcm_addr_t dva = res[i]->start;

		vcm_destroy_binding(res[i]);
		assert_int_equal(vcm_dma_read(mmu[i], dva, out, 16), -EFAULT);
		assert_int_equal(t_stats(mmu[i]).stale_hits, 0);
		s5p_vcm_turn_off(v[i]);
		assert_int_equal(t_ctrl(mmu[i]), VCM_SYSMMU_CTRL_DISABLE);
	}
}

static void test_reservation_in_vcm(void **state)
{
	struct vcm_sysmmu *other_mmu;
	struct vcm *a, *b, *io;
	struct vcm_res *ra, *rb, *rio;

	a = unified(T_1M, VCM_DEV_FIMC0, NULL);
	b = unified(T_1M, VCM_DEV_FIMC1, NULL);
	other_mmu = vcm_sysmmu_create(*state, "private");
	io = vcm_iommu_create(other_mmu, T_1M, T_1M);
	assert_false(vcm_is_err_or_null(io));
	ra = vcm_reserve(a, T_4K, 0);
	rb = vcm_reserve(b, T_4K, 0);
	rio = vcm_reserve(io, T_4K, 0);
	assert_false(vcm_is_err_or_null(ra));
	assert_false(vcm_is_err_or_null(rb));
	assert_false(vcm_is_err_or_null(rio));

	assert_int_equal(vcm_reservation_in_vcm(a, ra), S5PVCM_RES_IN_VCM);
	assert_int_equal(vcm_reservation_in_vcm(b, rb), S5PVCM_RES_IN_VCM);
	assert_int_equal(vcm_reservation_in_vcm(a, rb), S5PVCM_RES_IN_ADDRSPACE);
	assert_int_equal(vcm_reservation_in_vcm(b, ra), S5PVCM_RES_IN_ADDRSPACE);
	/* Same DVA as a's window, but another address space. */
	assert_int_equal(rio->start, ra->start);
	assert_int_equal(vcm_reservation_in_vcm(a, rio), S5PVCM_RES_NOT_IN_VCM);
	assert_int_equal(vcm_reservation_in_vcm(io, ra), S5PVCM_RES_NOT_IN_VCM);
	assert_int_equal(vcm_reservation_in_vcm(io, rio), S5PVCM_RES_IN_VCM);
	assert_int_equal(vcm_reservation_in_vcm(NULL, ra), S5PVCM_RES_NOT_IN_VCM);
	assert_int_equal(vcm_reservation_in_vcm(a, NULL), S5PVCM_RES_NOT_IN_VCM);
	assert_int_equal(vcm_reservation_in_vcm(vcm_err_ptr(-EINVAL), ra),
			 S5PVCM_RES_NOT_IN_VCM);
	assert_int_equal(vcm_reservation_in_vcm(a, vcm_err_ptr(-EINVAL)),
			 S5PVCM_RES_NOT_IN_VCM);

	vcm_unreserve(ra);
	vcm_unreserve(rb);
	vcm_unreserve(rio);
	vcm_destroy(io);
	vcm_sysmmu_destroy(other_mmu);
}

/* ---- callbacks and the model ------------------------------------------- */

static void test_given_callbacks(void **state)
{
	struct vcm *cb_vcm, *model_vcm;
	struct vcm_sysmmu *cb_mmu, *model_mmu;
	struct vcm_res *r1, *r2;

	(void)state;
	ncalls = 0;
	cb_vcm = unified(2 * T_1M, VCM_DEV_G2D, &rec_driver);
	model_vcm = unified(T_1M, VCM_DEV_ROTATOR, NULL);
	cb_mmu = s5p_sysmmu_get(VCM_DEV_G2D);
	model_mmu = s5p_sysmmu_get(VCM_DEV_ROTATOR);
	r1 = vcm_make_binding(cb_vcm, T_64K, 0, 0);
	assert_false(vcm_is_err_or_null(r1));
	assert_int_equal(ncalls, 0);		/* inactive: nothing to tell */

	/* Activation: pgd_base_specifier(id, base), then tlb_invalidator(id). */
	s5p_vcm_turn_on(cb_vcm);
	assert_int_equal(ncalls, 2);
	expect_call(0, CALL_PGD, VCM_DEV_G2D);
	expect_call(1, CALL_TLB, VCM_DEV_G2D);
	s5p_vcm_turn_on(model_vcm);
	assert_int_equal(calls[0].base, t_base(model_mmu));
	assert_int_equal(calls[0].base % (16 * 1024), 0);
	/* The library left the callback device's model alone. */
	assert_int_equal(t_ctrl(cb_mmu), VCM_SYSMMU_CTRL_DISABLE);
	assert_int_equal(t_base(cb_mmu), 0);
	/* Counted activation: the second turn_on calls nothing. */
	s5p_vcm_turn_on(cb_vcm);
	assert_int_equal(ncalls, 2);

	/* A binding made while active tells nothing; its unmap invalidates. */
	r2 = vcm_make_binding(cb_vcm, T_4K, 0, 0);
	assert_false(vcm_is_err_or_null(r2));
	assert_int_equal(ncalls, 2);
	vcm_destroy_binding(r2);
	assert_int_equal(ncalls, 3);
	expect_call(2, CALL_TLB, VCM_DEV_G2D);

	/* vcm_set_pgtable_base() calls the specifier with the same base. */
	vcm_set_pgtable_base(VCM_DEV_G2D);
	assert_int_equal(ncalls, 4);
	expect_call(3, CALL_PGD, VCM_DEV_G2D);
	assert_int_equal(calls[3].base, calls[0].base);

	/* The last deactivation unmaps r1: one more invalidation. */
	s5p_vcm_turn_off(cb_vcm);
	assert_int_equal(ncalls, 4);
	s5p_vcm_turn_off(cb_vcm);
	assert_int_equal(ncalls, 5);
	expect_call(4, CALL_TLB, VCM_DEV_G2D);
	/* Inactive: an unmap has nothing to invalidate. */
	vcm_destroy_binding(r1);
	assert_int_equal(ncalls, 5);
	s5p_vcm_turn_off(model_vcm);
}

/* Only one of the callbacks: the library does the other part. */
static void test_tlb_callback_only(void **state)
{
	const struct s5p_vcm_driver drv = { .tlb_invalidator = rec_tlb };
	struct vcm_sysmmu *mmu;
	struct vcm *vcm;

	(void)state;
	ncalls = 0;
	vcm = unified(T_1M, VCM_DEV_FIMD1, &drv);
	mmu = s5p_sysmmu_get(VCM_DEV_FIMD1);
	s5p_vcm_turn_on(vcm);
	assert_int_equal(ncalls, 1);
	expect_call(0, CALL_TLB, VCM_DEV_FIMD1);
	assert_int_equal(t_ctrl(mmu), VCM_SYSMMU_CTRL_ENABLE);
	assert_int_not_equal(t_base(mmu), 0);
	s5p_vcm_turn_off(vcm);
	assert_int_equal(t_ctrl(mmu), VCM_SYSMMU_CTRL_DISABLE);
}

static void test_null_callbacks_program_model(void **state)
{
	struct vcm_sysmmu_stats st;
	struct vcm_sysmmu *mmu;
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct vcm *vcm;
	uint32_t base;
	uint8_t buf[16];

	(void)state;
	vcm = unified(8 * T_1M, VCM_DEV_JPEG, NULL);
	mmu = s5p_sysmmu_get(VCM_DEV_JPEG);
	assert_int_equal(t_ctrl(mmu), VCM_SYSMMU_CTRL_DISABLE);
	st = t_stats(mmu);
	s5p_vcm_turn_on(vcm);
	base = t_base(mmu);
	assert_int_not_equal(base, 0);
	assert_int_equal(t_ctrl(mmu), VCM_SYSMMU_CTRL_ENABLE);
	assert_int_equal(t_stats(mmu).tlb_flushes, st.tlb_flushes + 1);

	/* Small unmap: per-entry invalidation; large: whole TLB. */
	res = vcm_make_binding(vcm, T_64K, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(vcm_dma_read(mmu, res->start, buf, sizeof(buf)), 0);
	st = t_stats(mmu);
	vcm_destroy_binding(res);
	assert_int_equal(t_stats(mmu).tlb_entry_flushes, st.tlb_entry_flushes + 1);
	assert_int_equal(t_stats(mmu).tlb_flushes, st.tlb_flushes);

	phys = vcm_phys_alloc((VCM_IOMMU_FLUSH_ENTRY_MAX + 1) * T_4K, 0, NULL);
	assert_false(vcm_is_err_or_null(phys));
	res = vcm_map(vcm, phys, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(vcm_dma_read(mmu, res->start, buf, sizeof(buf)), 0);
	st = t_stats(mmu);
	vcm_unmap(res);
	assert_int_equal(t_stats(mmu).tlb_flushes, st.tlb_flushes + 1);
	assert_int_equal(t_stats(mmu).stale_hits, 0);
	vcm_free(phys);

	/* The model lost its state: vcm_set_pgtable_base() restores it. */
	vcm_sysmmu_writel(mmu, VCM_SYSMMU_PT_BASE_ADDR, 0);
	vcm_set_pgtable_base(VCM_DEV_JPEG);
	assert_int_equal(t_base(mmu), base);

	s5p_vcm_turn_off(vcm);
	assert_int_equal(t_ctrl(mmu), VCM_SYSMMU_CTRL_DISABLE);
}

static void test_set_pgtable_base_errors(void **state)
{
	unsigned long warnings = test_warnings;

	(void)state;
	vcm_set_pgtable_base(VCM_DEV_NONE);
	vcm_set_pgtable_base(VCM_DEV_NUM);
	vcm_set_pgtable_base(VCM_DEV_MFC);	/* no context */
	assert_int_equal(test_warnings, warnings + 3);
}

static void test_turn_on_off_errors(void **state)
{
	unsigned long warnings = test_warnings;
	struct vcm *vcm;

	(void)state;
	s5p_vcm_turn_on(NULL);
	assert_int_equal(test_warnings, warnings + 1);
	vcm = unified(T_1M, VCM_DEV_PCIe, NULL);
	s5p_vcm_turn_off(vcm);		/* not active */
	assert_int_equal(test_warnings, warnings + 2);
	s5p_vcm_turn_on(vcm);
	assert_int_equal(vcm->activations.counter, 1);
	s5p_vcm_turn_off(vcm);
	assert_int_equal(vcm->activations.counter, 0);
	assert_int_equal(test_warnings, warnings + 2);
}

/* Destroying an active context: warning, model off, window free. */
static void test_destroy_active(void **state)
{
	unsigned long warnings = test_warnings;
	struct vcm_sysmmu *mmu;
	struct vcm *vcm, *again;

	(void)state;
	vcm = unified(T_1M, VCM_DEV_SSS, NULL);
	mmu = s5p_sysmmu_get(VCM_DEV_SSS);
	s5p_vcm_turn_on(vcm);
	vcm = unified(T_1M, VCM_DEV_MDMA, NULL);	/* keeps the state alive */
	vcm_destroy(vcm_find_vcm(VCM_DEV_SSS));
	assert_int_equal(test_warnings, warnings + 1);
	assert_int_equal(t_ctrl(mmu), VCM_SYSMMU_CTRL_DISABLE);
	again = unified(T_1M, VCM_DEV_SSS, NULL);
	assert_int_equal(again->start, T_1M);
	assert_ptr_equal(s5p_sysmmu_get(VCM_DEV_SSS), mmu);
}

/* ---- physical memory callbacks ----------------------------------------- */

static int alloc_mode;		/* 0: ok, 1: no memory, 2: unaligned */
static vcm_addr_t alloc_pa;

static unsigned order_of(vcm_size_t size)
{
	unsigned order = 0;

	while ((T_4K << order) < size)
		order++;
	return order;
}

static vcm_addr_t rec_phys_alloc(vcm_size_t size, unsigned flags)
{
	vcm_addr_t pa;

	(void)flags;
	record(CALL_ALLOC, VCM_DEV_NONE, (unsigned long)size);
	if (alloc_mode == 1)	/* as the shipped layer: an IS_ERR_VALUE address */
		return (vcm_addr_t)(long)-ENOMEM;
	assert_int_equal(vcm_soc_alloc_pages(vcm_soc_current(), order_of(size), &pa), 0);
	alloc_pa = pa;
	return alloc_mode == 2 ? pa + 0x800 : pa;
}

static void rec_phys_free(struct vcm_phys *phys)
{
	record(CALL_FREE, VCM_DEV_NONE, (unsigned long)phys->parts[0].start);
	assert_int_equal(phys->count, 1);
	vcm_soc_free_pages(vcm_soc_current(), phys->parts[0].start & ~(T_4K - 1),
			   order_of(phys->parts[0].size));
	free(phys);	/* as the shipped layer: phys_free owns the struct */
}

static void test_phys_callbacks(void **state)
{
	const struct s5p_vcm_driver drv = {
		.phys_alloc = rec_phys_alloc,
		.phys_free = rec_phys_free,
	};
	unsigned long warnings = test_warnings;
	struct vcm_sysmmu *mmu;
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct vcm *vcm;
	uint32_t word = 0xfeedf00d, back = 0;

	(void)state;
	ncalls = 0;
	alloc_mode = 0;
	vcm = unified(T_1M, VCM_DEV_TV, &drv);
	mmu = s5p_sysmmu_get(VCM_DEV_TV);
	phys = vcm_alloc(vcm, 3 * T_4K + 1, 0);
	assert_false(vcm_is_err_or_null(phys));
	assert_int_equal(ncalls, 1);
	assert_int_equal(calls[0].kind, CALL_ALLOC);
	assert_int_equal(calls[0].base, 4 * T_4K);	/* page-rounded size */
	assert_int_equal(phys->count, 1);
	assert_int_equal(phys->parts[0].start, alloc_pa);
	assert_int_equal(phys->size, 4 * T_4K);

	/* The memory is usable by the device. */
	s5p_vcm_turn_on(vcm);
	res = vcm_map(vcm, phys, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(vcm_dma_write(mmu, res->start + 3 * T_4K, &word, 4), 0);
	t_cpu_read(phys, 3 * T_4K, &back, 4);
	assert_int_equal(back, word);
	vcm_unmap(res);
	s5p_vcm_turn_off(vcm);

	vcm_free(phys);
	assert_int_equal(ncalls, 2);
	expect_call(1, CALL_FREE, VCM_DEV_NONE);
	assert_int_equal(calls[1].base, alloc_pa);

	/* vcm_make_binding() uses them too; destroy_binding frees. */
	res = vcm_make_binding(vcm, T_4K, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(res->phys->parts[0].start, alloc_pa);
	vcm_destroy_binding(res);
	assert_int_equal(ncalls, 4);
	expect_call(3, CALL_FREE, VCM_DEV_NONE);

	/* No memory. */
	alloc_mode = 1;
	assert_int_equal(vcm_ptr_err(vcm_alloc(vcm, T_4K, 0)), -ENOMEM);
	assert_int_equal(vcm_ptr_err(vcm_make_binding(vcm, T_4K, 0, 0)), -ENOMEM);
	/* Unaligned: refused with a warning, handed back. */
	alloc_mode = 2;
	ncalls = 0;
	assert_int_equal(vcm_ptr_err(vcm_alloc(vcm, T_4K, 0)), -EINVAL);
	assert_int_equal(ncalls, 2);
	expect_call(1, CALL_FREE, VCM_DEV_NONE);
	assert_int_equal(test_warnings, warnings + 1);
	alloc_mode = 0;
}

/* phys_alloc without phys_free: the struct is freed, the memory is not. */
static void test_phys_alloc_without_free(void **state)
{
	const struct s5p_vcm_driver drv = { .phys_alloc = rec_phys_alloc };
	struct vcm_phys *phys;
	struct vcm *vcm;
	vcm_addr_t pa;

	(void)state;
	ncalls = 0;
	alloc_mode = 0;
	vcm = unified(T_1M, VCM_DEV_MFC, &drv);
	phys = vcm_alloc(vcm, T_4K, 0);
	assert_false(vcm_is_err_or_null(phys));
	pa = phys->parts[0].start;
	vcm_free(phys);
	assert_int_equal(ncalls, 1);
	vcm_soc_free_pages(vcm_soc_current(), pa, 0);
}

/* ---- the models -------------------------------------------------------- */

static void test_sysmmu_get(void **state)
{
	struct vcm_sysmmu *mmu;
	struct test_capture c;
	char *text;

	(void)state;
	assert_int_equal(vcm_ptr_err(s5p_sysmmu_get(VCM_DEV_NONE)), -EINVAL);
	assert_int_equal(vcm_ptr_err(s5p_sysmmu_get(VCM_DEV_NUM)), -EINVAL);
	/* Without any context: made on the current SoC, same one each time. */
	mmu = s5p_sysmmu_get(VCM_DEV_FIMC2);
	assert_false(vcm_is_err_or_null(mmu));
	assert_ptr_equal(s5p_sysmmu_get(VCM_DEV_FIMC2), mmu);
	assert_ptr_not_equal(s5p_sysmmu_get(VCM_DEV_FIMC3), mmu);
	vcm_sysmmu_dump(mmu, test_capture_open(&c));
	text = test_capture_text(&c);
	assert_non_null(strstr(text, "s5p-sysmmu-fimc2"));
	free(text);
	/* Disabled model: DMA bypasses to PA; RAM is reachable. */
	assert_int_equal(t_ctrl(mmu), VCM_SYSMMU_CTRL_DISABLE);
}

/* Models made for a SoC that is no longer current are dropped. */
static void test_state_follows_soc(void **state)
{
	struct vcm_soc *other;
	struct vcm_sysmmu *mmu;
	struct vcm *vcm;

	(void)state;
	mmu = s5p_sysmmu_get(VCM_DEV_MDMA);
	vcm_sysmmu_writel(mmu, VCM_SYSMMU_CFG, 0x1234);
	other = t_soc_current();
	vcm = unified(T_1M, VCM_DEV_MDMA, NULL);
	mmu = s5p_sysmmu_get(VCM_DEV_MDMA);
	assert_int_equal(vcm_sysmmu_readl(mmu, VCM_SYSMMU_CFG), 0);	/* a new model */
	s5p_vcm_turn_on(vcm);
	assert_true(t_base(mmu) >= T_RAM_BASE);
	vcm_destroy(vcm);	/* the last context: state released */
	test_soc_release(other);
	vcm_soc_set_current(*state);
}

/* ---- the dump ---------------------------------------------------------- */

static void test_dump(void **state)
{
	struct vcm *a, *b;
	struct vcm_res *r1, *r2, *r3;
	struct test_capture c;
	char *text;

	(void)state;
	a = unified(4 * T_1M, VCM_DEV_FIMC0, NULL);
	b = unified(T_1M, VCM_DEV_MFC, &rec_driver);
	r1 = vcm_make_binding(a, T_1M + T_64K + T_4K, 0, 0);
	r2 = vcm_reserve(b, 2 * T_4K, 0);
	r3 = vcm_make_binding(b, T_64K, 0, 0);
	assert_false(vcm_is_err_or_null(r1));
	assert_false(vcm_is_err_or_null(r2));
	assert_false(vcm_is_err_or_null(r3));
	s5p_vcm_turn_on(a);

	s5p_vcm_dump(test_capture_open(&c));
	text = test_capture_text(&c);
	assert_non_null(strstr(text, "2 device context(s)"));
	assert_non_null(strstr(text, "fimc0    window 0x00100000-0x004fffff (4 MiB), active"));
	assert_non_null(strstr(text, "s5p-sysmmu-fimc0 enabled"));
	assert_non_null(strstr(text, "mfc      window 0x00500000-0x005fffff (1 MiB), inactive"));
	assert_non_null(strstr(text, "programmed by callback"));
	assert_non_null(strstr(text, "pages 1M x1 64K x1 4K x1"));
	assert_non_null(strstr(text, "unbound"));
	assert_non_null(strstr(text, "pages on activation 1M x0 64K x1 4K x0"));
	free(text);
	s5p_vcm_dump(NULL);	/* ignored */

	s5p_vcm_turn_off(a);
	vcm_destroy_binding(r1);
	vcm_unreserve(r2);
	vcm_destroy_binding(r3);
}

/* ---- sharing with a vcm_iommu_create() context ------------------------- */

static void test_shared_with_iommu_context(void **state)
{
	struct vcm_sysmmu *s5p_mmu, *io_mmu;
	struct vcm_res *s5p_res, *io_res;
	struct vcm_phys *phys;
	struct vcm *s5p, *io;
	uint8_t in[3 * 4096], out[3 * 4096];

	s5p = unified(2 * T_1M, VCM_DEV_FIMC3, NULL);
	s5p_mmu = s5p_sysmmu_get(VCM_DEV_FIMC3);
	io_mmu = vcm_sysmmu_create(*state, "g2d-private");
	io = vcm_iommu_create(io_mmu, 0x20000000, 16 * T_1M);
	assert_false(vcm_is_err_or_null(io));

	phys = vcm_alloc(s5p, sizeof(in), 0);
	assert_false(vcm_is_err_or_null(phys));
	s5p_res = vcm_map(s5p, phys, 0);
	io_res = vcm_map(io, phys, 0);
	assert_false(vcm_is_err_or_null(s5p_res));
	assert_false(vcm_is_err_or_null(io_res));
	assert_int_equal(phys->bindings.counter, 2);
	assert_int_not_equal(s5p_res->start, io_res->start);
	s5p_vcm_turn_on(s5p);
	assert_int_equal(vcm_activate(io), 0);

	t_fill(in, sizeof(in), 40);
	assert_int_equal(vcm_dma_write(s5p_mmu, s5p_res->start, in, sizeof(in)), 0);
	assert_int_equal(vcm_dma_read(io_mmu, io_res->start, out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	t_fill(in, sizeof(in), 41);
	assert_int_equal(vcm_dma_write(io_mmu, io_res->start + 100, in, 1000), 0);
	assert_int_equal(vcm_dma_read(s5p_mmu, s5p_res->start + 100, out, 1000), 0);
	assert_memory_equal(in, out, 1000);

	/* One side unmaps; the other still sees the buffer. */
	vcm_unmap(io_res);
	assert_int_equal(vcm_dma_read(s5p_mmu, s5p_res->start + 100, out, 1000), 0);
	assert_memory_equal(in, out, 1000);
	vcm_unmap(s5p_res);
	vcm_free(phys);
	vcm_deactivate(io);
	s5p_vcm_turn_off(s5p);
	vcm_destroy(io);
	vcm_sysmmu_destroy(io_mmu);
}

/* ---- threads ----------------------------------------------------------- */

#define NTHREADS 4

struct worker {
	enum vcm_dev_id id;
	unsigned iters;
	int err;
};

static int worker_round(struct worker *w, unsigned i)
{
	struct vcm *vcm = vcm_create_unified((i % 3 + 1) * T_1M, w->id, NULL);
	struct vcm_res *res;
	uint32_t word = (uint32_t)(w->id * 1000 + i), back = 0;
	int err = 0;

	if (vcm_is_err(vcm))
		return 1;
	if (vcm_find_vcm(w->id) != vcm)
		err = 2;
	res = vcm_make_binding(vcm, T_64K, 0, 0);
	if (vcm_is_err(res)) {
		vcm_destroy(vcm);
		return 3;
	}
	s5p_vcm_turn_on(vcm);
	if (vcm_dma_write(s5p_sysmmu_get(w->id), res->start + 8, &word, 4) ||
	    vcm_dma_read(s5p_sysmmu_get(w->id), res->start + 8, &back, 4) || back != word)
		err = 4;
	vcm_destroy_binding(res);
	s5p_vcm_turn_off(vcm);
	vcm_destroy(vcm);
	return err;
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned i;

	for (i = 0; i < w->iters && !w->err; i++)
		w->err = worker_round(w, i);
	return NULL;
}

static void test_threads(void **state)
{
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	unsigned i, iters = getenv("VCM_UNDER_VALGRIND") ? 20 : 300;
	struct vcm *keep;

	(void)state;
	keep = unified(T_1M, VCM_DEV_MDMA2, NULL);	/* the state stays */
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ (enum vcm_dev_id)(VCM_DEV_FIMC0 + i), iters, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, worker_fn, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].err, 0);
	}
	assert_ptr_equal(vcm_find_vcm(VCM_DEV_MDMA2), keep);
	assert_null(vcm_find_vcm(VCM_DEV_FIMC0));
}

/*
 * Last: a context left alive on the default SoC at exit is destroyed by the
 * library before the default SoC goes (valgrind checks it).
 */
static void test_left_at_exit(void **state)
{
	struct vcm *vcm;

	(void)state;
	vcm_soc_set_current(NULL);
	vcm = unified(T_1M, VCM_DEV_ROTATOR, NULL);
	assert_false(vcm_is_err_or_null(vcm_reserve(vcm, T_4K, 0)));
	s5p_vcm_turn_on(vcm);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_windows),
		T(test_bad_args_and_eexist),
		T(test_exhaustion),
		T(test_no_memory),
		T(test_two_devices_dma),
		T(test_reservation_in_vcm),
		T(test_given_callbacks),
		T(test_tlb_callback_only),
		T(test_null_callbacks_program_model),
		T(test_set_pgtable_base_errors),
		T(test_turn_on_off_errors),
		T(test_destroy_active),
		T(test_phys_callbacks),
		T(test_phys_alloc_without_free),
		T(test_sysmmu_get),
		T(test_state_follows_soc),
		T(test_dump),
		T(test_shared_with_iommu_context),
		T(test_threads),
		cmocka_unit_test(test_left_at_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
