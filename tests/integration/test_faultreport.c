/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_faultreport.c - the report of a fault no handler resolved: its
 * lines (device, access, type, DVA, table base, raw entries, TLB, context)
 * and the "likely cause" line for each kind of fault, each built on
 * purpose; the rate limit, silencing per System MMU, the describer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define MiB		(1ULL << 20)
#define KiB64		(64ULL << 10)
#define PAGE		4096ULL
#define WIN		0x20000000ULL	/* not RAM: a bypassed DVA is a bus error */
#define WIN_SIZE	(256ULL << 20)

static char last[2048];
static unsigned long reports;

static void capture(const char *msg, void *priv)
{
	(void)priv;
	snprintf(last, sizeof(last), "%s", msg);
	reports++;
}

static int setup(void **state)
{
	static struct test_dev f;

	test_dev_setup(&f, RAM_BASE, RAM_SIZE, "fimc0", WIN, WIN_SIZE);
	vcm_set_warn_handler(capture, NULL);
	reports = 0;
	last[0] = '\0';
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct test_dev *f = *state;

	test_warnings_default();
	test_dev_teardown(f);
	return 0;
}

/* One faulting read at @dva: exactly one report, whose cause has @cause. */
static void fault_says(struct vcm_sysmmu *mmu, vcm_addr_t dva, const char *cause)
{
	unsigned long r0 = reports;
	uint32_t word;

	assert_int_equal(vcm_dma_read(mmu, dva, &word, sizeof(word)), -EFAULT);
	assert_int_equal(reports - r0, 1);
	if (!strstr(last, "likely cause: ") || !strstr(strstr(last, "likely cause: "), cause))
		fail_msg("cause %s not in the report:\n%s", cause, last);
}

static struct vcm_phys *alloc_bind(struct test_dev *f, vcm_size_t size, struct vcm_res **res)
{
	struct vcm_phys *phys = vcm_alloc(f->ctx, size, 0);

	assert_false(vcm_is_err(phys));
	*res = vcm_reserve(f->ctx, size, 0);
	assert_false(vcm_is_err(*res));
	assert_int_equal(vcm_bind(*res, phys), 0);
	return phys;
}

static void unbind_free(struct vcm_res *res, struct vcm_phys *phys)
{
	assert_ptr_equal(vcm_unbind(res), phys);
	vcm_unreserve(res);
	vcm_free(phys);
}

/* The lines: device, access, type, DVA, CTRL/base, raw L1 and L2, TLB, context. */
static void report_lines(void **state)
{
	struct test_dev *f = *state;
	struct vcm_phys *phys;
	struct vcm_res *res;
	char line[128];
	uint32_t word = 0;

	phys = alloc_bind(f, PAGE, &res);
	assert_int_equal(vcm_activate(f->ctx), 0);
	assert_int_equal(vcm_dma_write(f->mmu, res->start + PAGE, &word, 4), -EFAULT);
	assert_int_equal(reports, 1);
	snprintf(line, sizeof(line), "fimc0: unhandled page fault: write at DVA 0x%08llx",
		 (unsigned long long)(res->start + PAGE));
	assert_non_null(strstr(last, line));
	snprintf(line, sizeof(line), "CTRL 0x00000005 (enabled), PT_BASE_ADDR 0x%08llx",
		 (unsigned long long)vcm_sysmmu_pgtable_base(f->mmu));
	assert_non_null(strstr(last, line));
	snprintf(line, sizeof(line), "L1[0x%03llx] @PA 0x%08llx = 0x",
		 (unsigned long long)(res->start >> 20),
		 (unsigned long long)(vcm_sysmmu_pgtable_base(f->mmu) + (res->start >> 20) * 4));
	assert_non_null(strstr(last, line));
	assert_non_null(strstr(last, "link to a level-2 table"));
	assert_non_null(strstr(last, "L2[0x01]"));
	assert_non_null(strstr(last, "= 0x00000000  fault"));
	assert_non_null(strstr(last, "TLB: no entry holds the DVA"));
	assert_non_null(strstr(last, "context: iommu fimc0 0x20000000+0x10000000 (active): "
				     "DVA outside every reservation"));
	vcm_deactivate(f->ctx);
	unbind_free(res, phys);
}

/* A context never activated: the MMU bypasses, the DVA is no RAM. */
static void cause_never_activated(void **state)
{
	struct test_dev *f = *state;
	struct vcm_phys *phys;
	struct vcm_res *res;

	phys = alloc_bind(f, PAGE, &res);
	fault_says(f->mmu, res->start, "MMU disabled (bypass)");
	assert_non_null(strstr(last, "unhandled bus error"));
	assert_non_null(strstr(last, "the MMU is disabled: no table walk"));
	assert_non_null(strstr(last, "(inactive): DVA in a bound reservation"));
	unbind_free(res, phys);
}

/* The MMU switched on by hand with no table. */
static void cause_no_table(void **state)
{
	struct test_dev *f = *state;

	vcm_sysmmu_enable(f->mmu);
	fault_says(f->mmu, WIN, "the page-table base is not RAM");
	assert_non_null(strstr(last, "L1[0x200] @PA 0x00000800: not RAM"));
	vcm_sysmmu_disable(f->mmu);
}

static void cause_outside_reservations(void **state)
{
	struct test_dev *f = *state;

	assert_int_equal(vcm_activate(f->ctx), 0);
	fault_says(f->mmu, WIN + 5 * MiB, "DVA outside every reservation");
	fault_says(f->mmu, WIN + WIN_SIZE + PAGE, "outside the context's window");
	vcm_deactivate(f->ctx);
}

static void cause_unmapped_already(void **state)
{
	struct test_dev *f = *state;
	struct vcm_res *res = vcm_make_binding(f->ctx, 2 * PAGE, 0, 0);
	vcm_addr_t dva = res->start;
	char want[160];

	assert_int_equal(vcm_activate(f->ctx), 0);
	vcm_destroy_binding(res);
	snprintf(want, sizeof(want), "DVA unmapped already: vcm_destroy_binding() took "
		 "0x%llx+0x2000 away", (unsigned long long)dva);
	fault_says(f->mmu, dva + PAGE, want);
	assert_non_null(strstr(last, "recently unbound by vcm_destroy_binding()"));
	vcm_deactivate(f->ctx);
}

static void cause_unbound(void **state)
{
	struct test_dev *f = *state;
	struct vcm_res *res = vcm_reserve(f->ctx, 2 * PAGE, 0);
	char want[128];

	assert_false(vcm_is_err(res));
	assert_int_equal(vcm_activate(f->ctx), 0);
	snprintf(want, sizeof(want), "DVA inside reservation 0x%llx+0x2000, which is not bound",
		 (unsigned long long)res->start);
	fault_says(f->mmu, res->start + PAGE, want);
	vcm_deactivate(f->ctx);
	vcm_unreserve(res);
}

/* The MMU walks another table than the context's. */
static void cause_other_table(void **state)
{
	struct test_dev *f = *state;
	struct vcm_pgtable *other = vcm_pgtable_create(f->soc);
	struct vcm_phys *phys;
	struct vcm_res *res;

	assert_false(vcm_is_err(other));
	phys = alloc_bind(f, PAGE, &res);
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(other));
	vcm_sysmmu_enable(f->mmu);
	fault_says(f->mmu, res->start, "not the context's table");
	vcm_sysmmu_disable(f->mmu);
	unbind_free(res, phys);
	vcm_pgtable_destroy(other);
}

/* Bound, active, and the entry wiped behind the context's back. */
static void cause_table_changed(void **state)
{
	struct test_dev *f = *state;
	struct vcm_phys *phys;
	struct vcm_res *res;
	uint32_t zero = 0;

	phys = alloc_bind(f, MiB, &res);
	assert_int_equal(vcm_activate(f->ctx), 0);
	assert_int_equal(vcm_soc_phys_write(f->soc, vcm_sysmmu_pgtable_base(f->mmu) +
					    (res->start >> 20) * 4, &zero, 4), 0);
	vcm_sysmmu_tlb_invalidate(f->mmu);
	fault_says(f->mmu, res->start, "changed behind the context's back");
	vcm_deactivate(f->ctx);
	unbind_free(res, phys);
}

/* Raw tables on the System MMU (no context: detach it first). */
static struct vcm_pgtable *raw_table(struct test_dev *f)
{
	struct vcm_pgtable *pt = vcm_pgtable_create(f->soc);

	assert_false(vcm_is_err(pt));
	vcm_destroy(f->ctx);
	f->ctx = NULL;
	vcm_sysmmu_set_pgtable_base(f->mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_enable(f->mmu);
	return pt;
}

static void cause_stale_tlb(void **state)
{
	struct test_dev *f = *state;
	struct vcm_pgtable *pt = raw_table(f);
	vcm_addr_t pa, pa_sec, out;

	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &pa), 0);
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 8, &pa_sec), 0);
	assert_int_equal(vcm_pgtable_map(pt, WIN, pa, PAGE, 0), 0);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, WIN, VCM_ACCESS_READ, &out), 0);
	/* the table changes without a TLB invalidation: a section over the page */
	assert_int_equal(vcm_pgtable_unmap(pt, WIN, PAGE), PAGE);
	assert_int_equal(vcm_pgtable_map(pt, WIN, pa_sec, MiB, 0), 0);
	assert_int_equal(vcm_sysmmu_translate(f->mmu, WIN + PAGE, VCM_ACCESS_READ, &out), 0);
	reports = 0;
	fault_says(f->mmu, WIN, "stale TLB entry");
	assert_non_null(strstr(last, "unhandled AR multi-hit"));
	assert_non_null(strstr(last, "TLB: 2 entries hold the DVA"));
	assert_int_equal(vcm_pgtable_unmap(pt, WIN, MiB), MiB);
	vcm_sysmmu_disable(f->mmu);
	vcm_pgtable_destroy(pt);
	vcm_soc_free_pages(f->soc, pa, 0);
	vcm_soc_free_pages(f->soc, pa_sec, 8);
}

static void cause_large_page_cut(void **state)
{
	struct test_dev *f = *state;
	struct vcm_pgtable *pt = raw_table(f);
	uint32_t lv1, zero = 0;
	vcm_addr_t pa;

	assert_int_equal(vcm_soc_alloc_pages(f->soc, 4, &pa), 0);
	assert_int_equal(vcm_pgtable_map(pt, WIN, pa, KiB64, 0), 0);
	assert_int_equal(vcm_soc_phys_read(f->soc, vcm_pgtable_base(pt) + (WIN >> 20) * 4,
					   &lv1, 4), 0);
	/* slot 3 of the 16 copies wiped alone */
	assert_int_equal(vcm_soc_phys_write(f->soc, (lv1 & 0xFFFFFC00U) + 3 * 4, &zero, 4), 0);
	fault_says(f->mmu, WIN + 3 * PAGE, "a 64 KiB large page cut");
	assert_non_null(strstr(last, "64 KiB large page"));
	assert_int_equal(vcm_soc_phys_write(f->soc, (lv1 & 0xFFFFFC00U) + 3 * 4,
					    &(uint32_t){ (uint32_t)pa | 1 }, 4), 0);
	assert_int_equal(vcm_pgtable_unmap(pt, WIN, KiB64), KiB64);
	vcm_sysmmu_disable(f->mmu);
	vcm_pgtable_destroy(pt);
	vcm_soc_free_pages(f->soc, pa, 4);
}

static void cause_section_cut(void **state)
{
	struct test_dev *f = *state;
	struct vcm_pgtable *pt = raw_table(f);
	uint32_t zero = 0, saved;
	vcm_addr_t pa, l1 = vcm_pgtable_base(pt) + ((WIN + MiB) >> 20) * 4;

	assert_int_equal(vcm_soc_alloc_pages(f->soc, 10, &pa), 0);	/* 4 MiB */
	assert_int_equal(vcm_pgtable_map(pt, WIN, pa, 3 * MiB, 0), 0);
	assert_int_equal(vcm_soc_phys_read(f->soc, l1, &saved, 4), 0);
	assert_int_equal(vcm_soc_phys_write(f->soc, l1, &zero, 4), 0);
	fault_says(f->mmu, WIN + MiB + 8, "a section mapping cut");
	assert_int_equal(vcm_soc_phys_write(f->soc, l1, &saved, 4), 0);
	assert_int_equal(vcm_pgtable_unmap(pt, WIN, 3 * MiB), 3 * MiB);
	vcm_sysmmu_disable(f->mmu);
	vcm_pgtable_destroy(pt);
	vcm_soc_free_pages(f->soc, pa, 10);
}

/* No context described it: the report still names the missing entry. */
static void cause_no_context(void **state)
{
	struct test_dev *f = *state;
	struct vcm_pgtable *pt = raw_table(f);

	fault_says(f->mmu, WIN, "no context describes this System MMU");
	assert_null(strstr(last, "context:"));
	vcm_sysmmu_disable(f->mmu);
	vcm_pgtable_destroy(pt);
}

static int resolve(struct vcm_sysmmu *mmu, const struct vcm_fault *fl, void *priv)
{
	(void)mmu;
	(void)fl;
	return *(int *)priv;
}

/* A handler that resolves the fault silences it; one that refuses does not. */
static void handler_decides(void **state)
{
	struct test_dev *f = *state;
	uint32_t word;
	int verdict = 0;

	vcm_sysmmu_set_fault_handler(f->mmu, resolve, &verdict);
	/* "resolved" but still unmapped: the retry faults too and is reported */
	fault_says(f->mmu, WIN, "MMU disabled");
	verdict = -EFAULT;
	fault_says(f->mmu, WIN, "MMU disabled");
	vcm_sysmmu_set_fault_handler(f->mmu, NULL, NULL);
	/* injected faults go to the handler only */
	assert_int_equal(vcm_sysmmu_inject_fault(f->mmu, &(struct vcm_fault){
		.dva = WIN, .access = VCM_ACCESS_READ, .type = VCM_FAULT_AR_PROTECTION }), -EFAULT);
	assert_int_equal(vcm_dma_read(f->mmu, RAM_BASE, &word, 4), 0);	/* bypass to RAM */
	assert_int_equal(reports, 2);
}

static void silenced_and_rate_limited(void **state)
{
	struct test_dev *f = *state;
	uint32_t word;
	unsigned i;

	vcm_sysmmu_set_fault_reports(f->mmu, false);
	assert_int_equal(vcm_dma_read(f->mmu, WIN, &word, 4), -EFAULT);
	assert_int_equal(reports, 0);
	vcm_sysmmu_set_fault_reports(f->mmu, true);
	for (i = 0; i < VCM_FAULT_REPORT_BURST + 5; i++)
		assert_int_equal(vcm_dma_read(f->mmu, WIN, &word, 4), -EFAULT);
	/* this test does not wait VCM_FAULT_REPORT_INTERVAL_S: at most a burst,
	 * and a second burst only if a window boundary fell inside the loop */
	assert_true(reports >= VCM_FAULT_REPORT_BURST && reports <= 2 * VCM_FAULT_REPORT_BURST);
	assert_true(reports < VCM_FAULT_REPORT_BURST + 5 || strstr(last, "suppressed"));
	/* the warning count counts the reports */
	assert_true(vcm_warn_count() >= reports);
}

/* A describer of one's own: called without the model's lock (it may use it). */
static void my_describe(vcm_addr_t dva, struct vcm_dva_desc *d, void *priv)
{
	struct test_dev *f = priv;

	d->owner = VCM_DVA_UNBOUND;
	d->res_start = dva & ~(MiB - 1);
	d->res_size = MiB;
	d->active = vcm_sysmmu_readl(f->mmu, VCM_SYSMMU_CTRL) != 0;
	snprintf(d->context, sizeof(d->context), "mine");
}

static void own_describer(void **state)
{
	struct test_dev *f = *state;
	struct vcm_pgtable *pt = raw_table(f);

	vcm_sysmmu_set_describer(f->mmu, my_describe, f);
	fault_says(f->mmu, WIN + 0x1234, "DVA inside reservation 0x20000000+0x100000");
	assert_non_null(strstr(last, "context: mine (active)"));
	vcm_sysmmu_set_describer(f->mmu, NULL, NULL);
	fault_says(f->mmu, WIN, "no context describes");
	vcm_sysmmu_disable(f->mmu);
	vcm_pgtable_destroy(pt);
}

static void bad_args(void **state)
{
	(void)state;
	reports = 0;
	vcm_sysmmu_set_describer(NULL, my_describe, NULL);
	vcm_sysmmu_set_fault_reports(NULL, false);
	vcm_sysmmu_set_fault_reports(vcm_err_ptr(-ENOMEM), true);
	assert_int_equal(reports, 3);
}

/* The S5P layer describes its windows too. */
static void s5p_context(void **state)
{
	struct vcm *ctx = vcm_create_unified(MiB, VCM_DEV_FIMC1, NULL);
	struct vcm_sysmmu *mmu = s5p_sysmmu_get(VCM_DEV_FIMC1);

	(void)state;
	assert_false(vcm_is_err(ctx));
	assert_int_equal(vcm_activate(ctx), 0);
	fault_says(mmu, ctx->start + PAGE, "DVA outside every reservation");
	assert_non_null(strstr(last, "s5p-sysmmu-fimc1: unhandled page fault"));
	assert_non_null(strstr(last, "context: s5p fimc1 0x"));
	vcm_deactivate(ctx);
	vcm_destroy(ctx);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(report_lines),
		T(cause_never_activated),
		T(cause_no_table),
		T(cause_outside_reservations),
		T(cause_unbound),
		T(cause_unmapped_already),
		T(cause_other_table),
		T(cause_table_changed),
		T(cause_stale_tlb),
		T(cause_large_page_cut),
		T(cause_section_cut),
		T(cause_no_context),
		T(handler_decides),
		T(silenced_and_rate_limited),
		T(own_describer),
		T(bad_args),
		T(s5p_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
