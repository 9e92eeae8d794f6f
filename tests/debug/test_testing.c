/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_testing.c - <vcm/testing.h>'s helpers themselves: the fixture and
 * its leftover report (each kind of leftover named), the mark, warning
 * capture (counts, matching, the limit), fault capture (device, DVA,
 * type), and the error paths.  The example suite (examples/testing/) shows
 * them at work on a driver.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>
#include <vcm.h>

#define PAGE 4096ULL

static const char *report(struct vcm_test *t, long *n)
{
	static char text[8192];
	FILE *out;

	memset(text, 0, sizeof(text));
	out = fmemopen(text, sizeof(text) - 1, "w");
	assert_non_null(out);
	*n = vcm_test_leftovers(t, out);
	fclose(out);
	return text;
}

static void test_fixture(void **state)
{
	struct vcm_test *t = vcm_test_begin(0x80000000ULL, 16 << 20);
	struct vcm_soc *soc = vcm_test_soc(t);
	vcm_addr_t pa;
	long n;

	(void)state;
	assert_false(vcm_is_err(t));
	assert_ptr_equal(vcm_soc_current(), soc);
	assert_int_equal(vcm_soc_total_bytes(soc), 16 << 20);
	assert_int_equal(vcm_test_leftovers(t, NULL), 0);
	assert_int_equal(vcm_soc_alloc_pages(soc, 1, &pa), 0);
	assert_non_null(strstr(report(t, &n), "0x2000 bytes of the SoC's RAM"));
	assert_int_equal(n, 1);
	assert_int_equal(vcm_test_mark(t), 0);		/* now that page is the test's */
	assert_int_equal(vcm_test_leftovers(t, NULL), 0);
	vcm_soc_free_pages(soc, pa, 1);
	assert_int_equal(vcm_test_end(t, stderr), 0);
	/* defaults */
	t = vcm_test_begin(0, 0);
	assert_int_equal(vcm_soc_total_bytes(vcm_test_soc(t)), 64 << 20);
	assert_int_equal(vcm_test_end(t, NULL), 0);
}

static void test_leftover_kinds(void **state)
{
	struct vcm_test *t = vcm_test_begin(0, 0);
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(vcm_test_soc(t), "dev");
	struct vcm *ctx = vcm_iommu_create(mmu, 0x10000000, 16 << 20);
	unsigned char *buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vcm_phys *phys;
	struct vcm_res *res, *unbound;
	const char *text;
	long n;

	(void)state;
	assert_int_equal(vcm_test_watch(t, ctx), 0);
	assert_int_equal(vcm_activate(ctx), 0);
	phys = vcm_phys_from_user(NULL, buf, 2 * PAGE, 0);
	res = vcm_map(ctx, phys, 0);
	unbound = vcm_reserve(ctx, PAGE, 0);
	assert_false(vcm_is_err(phys) || vcm_is_err(res) || vcm_is_err(unbound));
	text = report(t, &n);
	assert_non_null(strstr(text, "still active (1 activation)"));
	assert_non_null(strstr(text, "not bound"));
	assert_non_null(strstr(text, "bound to phys"));
	assert_non_null(strstr(text, "still pinned (1 pin)"));
	assert_non_null(strstr(text, "bytes of the SoC's RAM"));
	/* the objects made since the mark, each with what made it */
	assert_non_null(strstr(text, "made by vcm_phys_from_user() was not released"));
	assert_non_null(strstr(text, "made by vcm_reserve() was not released"));
	assert_non_null(strstr(text, "context #"));
	/* active, 2 reservations, 2 pins, RAM; and 6 objects: System MMU, page
	 * table, context, phys, 2 reservations */
	fputs(text, stdout);
	assert_int_equal(n, 12);
	vcm_unreserve(unbound);
	vcm_unmap(res);
	vcm_free(phys);
	vcm_deactivate(ctx);
	assert_int_equal(vcm_test_unwatch(t, ctx), 0);
	assert_int_equal(vcm_test_unwatch(t, ctx), -ENOENT);
	vcm_destroy(ctx);
	vcm_sysmmu_destroy(mmu);
	munmap(buf, 2 * PAGE);
	assert_int_equal(vcm_test_end(t, stderr), 0);
}

static void test_fixture_errors(void **state)
{
	struct vcm_test *t;
	struct vcm *ctx[VCM_TEST_MAX_WATCH + 1];
	unsigned i;

	(void)state;
	t = vcm_test_begin(0x100, 4096);		/* not page-aligned */
	assert_true(vcm_is_err(t));
	assert_int_equal(vcm_ptr_err(t), -EINVAL);
	assert_null(vcm_test_soc(NULL));
	assert_int_equal(vcm_test_watch(NULL, NULL), -EINVAL);
	assert_int_equal(vcm_test_unwatch(NULL, NULL), -EINVAL);
	assert_int_equal(vcm_test_mark(NULL), -EINVAL);
	assert_int_equal(vcm_test_leftovers(NULL, NULL), -EINVAL);
	assert_int_equal(vcm_test_end(vcm_err_ptr(-ENOMEM), NULL), -EINVAL);
	t = vcm_test_begin(0, 0);
	assert_int_equal(vcm_test_watch(t, NULL), -EINVAL);
	for (i = 0; i <= VCM_TEST_MAX_WATCH; i++) {
		ctx[i] = vcm_onetoone_create(vcm_test_soc(t));
		assert_int_equal(vcm_test_watch(t, ctx[i]), i < VCM_TEST_MAX_WATCH ? 0 : -ENOSPC);
	}
	for (i = 0; i <= VCM_TEST_MAX_WATCH; i++) {
		assert_int_equal(vcm_test_unwatch(t, ctx[i]), i < VCM_TEST_MAX_WATCH ? 0 : -ENOENT);
		vcm_destroy(ctx[i]);
	}
	assert_int_equal(vcm_test_end(t, NULL), 0);
}

static void test_warn_capture(void **state)
{
	struct vcm_warn_capture *c = vcm_warn_capture_start();
	char text[2048] = { 0 };
	FILE *out;
	unsigned i;

	(void)state;
	assert_false(vcm_is_err(c));
	vcm_free(NULL);				/* "vcm_free: no phys" */
	vcm_deactivate(NULL);
	assert_int_equal(vcm_warn_captured(c, NULL), 2);
	assert_int_equal(vcm_warn_captured(c, "vcm_free"), 1);
	assert_string_equal(vcm_warn_capture_message(c, 0), "vcm_free: no phys ((nil))");
	assert_null(vcm_warn_capture_message(c, 2));
	assert_int_equal(vcm_warn_expect(c, 2, NULL, NULL), 0);
	assert_int_equal(vcm_warn_expect(c, 0, NULL, NULL), 0);	/* since the last */
	vcm_free(NULL);
	out = fmemopen(text, sizeof(text) - 1, "w");
	assert_int_equal(vcm_warn_expect(c, 1, "vcm_unbind", out), -1);	/* wrong text */
	fclose(out);
	assert_non_null(strstr(text, "expected 1 warning containing \"vcm_unbind\", got 1"));
	assert_non_null(strstr(text, "warning: vcm_free: no phys"));
	vcm_free(NULL);
	assert_int_equal(vcm_warn_expect(c, 2, NULL, NULL), -1);		/* wrong count */
	/* past the limit: counted, texts not kept */
	for (i = 0; i < VCM_WARN_CAPTURE_MAX + 10; i++)
		vcm_free(NULL);
	assert_int_equal(vcm_warn_captured(c, NULL), VCM_WARN_CAPTURE_MAX + 14);
	assert_null(vcm_warn_capture_message(c, VCM_WARN_CAPTURE_MAX));
	assert_int_equal(vcm_warn_expect(c, VCM_WARN_CAPTURE_MAX + 10, NULL, NULL), 0);
	vcm_warn_capture_stop(c);
	/* bad captures */
	assert_int_equal(vcm_warn_captured(NULL, NULL), 0);
	assert_null(vcm_warn_capture_message(NULL, 0));
	assert_int_equal(vcm_warn_expect(NULL, 0, NULL, NULL), -EINVAL);
	vcm_warn_capture_stop(NULL);
}

static void test_fault_capture(void **state)
{
	struct vcm_test *t = vcm_test_begin(0, 0);
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(vcm_test_soc(t), "fimc0");
	struct vcm *ctx = vcm_iommu_create(mmu, 0x10000000, 16 << 20);
	struct vcm_fault_capture *c = vcm_fault_capture_start(mmu);
	struct vcm_captured_fault f;
	char byte = 0;

	(void)state;
	assert_false(vcm_is_err(c));
	assert_int_equal(vcm_activate(ctx), 0);
	assert_int_equal(vcm_dma_write(mmu, 0x10000010, &byte, 1), -EFAULT);
	assert_int_equal(vcm_dma_read(mmu, 0x10002000, &byte, 1), -EFAULT);
	assert_int_equal(vcm_fault_captured(c, 0, 0, -1), 2);
	assert_int_equal(vcm_fault_captured(c, 0x10000000, PAGE, -1), 1);
	assert_int_equal(vcm_fault_captured(c, 0x10002000, 1, VCM_FAULT_PAGE), 1);
	assert_int_equal(vcm_fault_captured(c, 0, 0, VCM_FAULT_BUS_ERROR), 0);
	assert_int_equal(vcm_fault_capture_get(c, 0, &f), 0);
	assert_string_equal(f.device, "fimc0");
	assert_ptr_equal(f.mmu, mmu);
	assert_int_equal(f.fault.dva, 0x10000010);
	assert_int_equal(f.fault.access, VCM_ACCESS_WRITE);
	assert_int_equal(f.fault.type, VCM_FAULT_PAGE);
	assert_int_equal(vcm_fault_capture_get(c, 2, &f), -ENOENT);
	assert_int_equal(vcm_fault_capture_get(c, 0, NULL), -EINVAL);
	assert_int_equal(vcm_fault_capture_get(NULL, 0, &f), -EINVAL);
	assert_int_equal(vcm_fault_captured(NULL, 0, 0, -1), 0);
	assert_true(vcm_is_err(vcm_fault_capture_start(NULL)));
	vcm_fault_capture_stop(c);
	vcm_fault_capture_stop(NULL);
	vcm_deactivate(ctx);
	vcm_destroy(ctx);
	vcm_sysmmu_destroy(mmu);
	assert_int_equal(vcm_test_end(t, stderr), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_leftover_kinds),
		cmocka_unit_test(test_fixture_errors),
		cmocka_unit_test(test_warn_capture),
		cmocka_unit_test(test_fault_capture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
