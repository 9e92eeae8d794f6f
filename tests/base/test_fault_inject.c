/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_fault_inject.c - <vcm/fault-inject.h>: each site fails as documented,
 * the kernel-style attributes (probability, interval, times, space,
 * verbose, thread filter, seed), the per-thread fail_nth, the text form and
 * the VCM_FAULT_INJECT environment variable (the program runs a second time
 * from meson with it set, and then checks that instead).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <vcm.h>

#include "vcm_test_common.h"

#define DEV_START 0x10000000ULL
#define DEV_SIZE (16ULL << 20)

static struct vcm_soc *soc;

static int setup(void **state)
{
	(void)state;
	soc = test_soc_current(TEST_RAM_BASE, TEST_RAM_SIZE);
	test_warnings_quiet();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vcm_fail_reset();
	test_soc_release(soc);
	test_warnings_default();
	return 0;
}

static const struct vcm_fail_attr always = { .probability = 100, .times = -1 };

/* ---- one operation per site: 0 or the errno it returned ---- */

static long page_op(void)
{
	vcm_addr_t pa;
	int ret = vcm_soc_alloc_pages(soc, 0, &pa);

	if (!ret)
		vcm_soc_free_pages(soc, pa, 0);
	return ret;
}

static long dva_op(void)
{
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(soc, "dva");
	struct vcm *ctx = vcm_iommu_create(mmu, DEV_START, DEV_SIZE);
	struct vcm_res *res;
	long ret;

	assert_false(vcm_is_err(mmu) || vcm_is_err(ctx));
	res = vcm_reserve(ctx, 4 * PAGE, 0);
	ret = vcm_is_err(res) ? vcm_ptr_err(res) : 0;
	if (!ret)
		vcm_unreserve(res);
	vcm_destroy(ctx);
	vcm_sysmmu_destroy(mmu);
	return ret;
}

static long pgtable_op(void)
{
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);

	if (vcm_is_err(pt))
		return vcm_ptr_err(pt);
	vcm_pgtable_destroy(pt);
	return 0;
}

static long pin_op(void)
{
	static char buf[2 * 4096] __attribute__((aligned(4096)));
	struct vcm_phys *phys = vcm_phys_from_user(soc, buf, PAGE, 0);

	if (vcm_is_err(phys))
		return vcm_ptr_err(phys);
	vcm_free(phys);
	return 0;
}

static long host_op(void)
{
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(soc, "host");

	if (vcm_is_err(mmu))
		return vcm_ptr_err(mmu);
	vcm_sysmmu_destroy(mmu);
	return 0;
}

static long (*const site_op[VCM_FAIL_NR_SITES])(void) = {
	[VCM_FAIL_PAGE_ALLOC] = page_op, [VCM_FAIL_DVA] = dva_op,
	[VCM_FAIL_PGTABLE] = pgtable_op, [VCM_FAIL_PIN] = pin_op, [VCM_FAIL_HOST] = host_op,
};

static const long site_errno[VCM_FAIL_NR_SITES] = {
	[VCM_FAIL_PAGE_ALLOC] = -ENOMEM, [VCM_FAIL_DVA] = -ENOSPC,
	[VCM_FAIL_PGTABLE] = -ENOMEM, [VCM_FAIL_PIN] = -ENOMEM, [VCM_FAIL_HOST] = -ENOMEM,
};

/* Off by default: nothing fails, nothing is counted. */
static void test_off(void **state)
{
	struct vcm_fail_stats st;
	struct vcm_fail_event ev;
	unsigned s;

	(void)state;
	for (s = 0; s < VCM_FAIL_NR_SITES; s++)
		assert_int_equal(site_op[s](), 0);
	for (s = 0; s < VCM_FAIL_NR_SITES; s++) {
		assert_int_equal(vcm_fail_stats(s, &st), 0);
		assert_int_equal(st.calls, 0);
	}
	assert_int_equal(vcm_fail_last(&ev), -ENOENT);
	assert_int_equal(vcm_fail_nth_left(), 0);
}

/* Each site on its own: its operation fails with its errno, then works. */
static void test_each_site(void **state)
{
	struct vcm_fail_attr once = always;
	struct vcm_fail_stats st;
	struct vcm_fail_event ev;
	vcm_size_t free0 = vcm_soc_free_bytes(soc);
	unsigned s;

	(void)state;
	once.times = 1;
	for (s = 0; s < VCM_FAIL_NR_SITES; s++) {
		vcm_fail_nth(0);
		assert_int_equal(vcm_fail_attr_set(s, &once), 0);
		assert_int_equal(site_op[s](), site_errno[s]);
		assert_int_equal(vcm_fail_last(&ev), 0);
		assert_int_equal(ev.site, s);
		assert_true(ev.size > 0);
		assert_int_equal(vcm_fail_stats(s, &st), 0);
		assert_int_equal(st.failures, 1);
		assert_true(st.calls >= 1);
		assert_int_equal(site_op[s](), 0);	/* times is used up */
		assert_int_equal(vcm_fail_attr_set(s, NULL), 0);
		assert_int_equal(vcm_soc_free_bytes(soc), free0);
	}
	assert_string_equal(vcm_fail_site_name(VCM_FAIL_PGTABLE), "pgtable");
	assert_string_equal(vcm_fail_site_name(VCM_FAIL_NR_SITES), "?");
}

/* fail_nth: the N-th allocation of this thread, whatever the site. */
static void test_fail_nth(void **state)
{
	struct vcm_fail_event ev;
	vcm_addr_t pa[3];

	(void)state;
	assert_int_equal(vcm_fail_nth(3), 0);
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa[0]), 0);
	assert_int_equal(vcm_soc_alloc_pages(soc, 1, &pa[1]), 0);
	assert_int_equal(vcm_fail_nth_left(), 1);
	assert_int_equal(vcm_soc_alloc_pages(soc, 2, &pa[2]), -ENOMEM);
	assert_int_equal(vcm_fail_nth_left(), 0);
	assert_int_equal(vcm_fail_last(&ev), 0);
	assert_int_equal(ev.site, VCM_FAIL_PAGE_ALLOC);
	assert_int_equal(ev.size, 4 * PAGE);
	assert_int_equal(ev.call, 3);
	assert_int_equal(vcm_fail_thread_calls(), 3);
	/* once delivered, nothing more fails */
	assert_int_equal(vcm_soc_alloc_pages(soc, 2, &pa[2]), 0);
	vcm_soc_free_pages(soc, pa[0], 0);
	vcm_soc_free_pages(soc, pa[1], 1);
	vcm_soc_free_pages(soc, pa[2], 2);
	/* cancelled before it fires */
	vcm_fail_nth(2);
	assert_int_equal(page_op(), 0);
	vcm_fail_nth(0);
	assert_int_equal(page_op(), 0);
	assert_int_equal(page_op(), 0);
	assert_int_equal(vcm_fail_last(&ev), -ENOENT);
	assert_int_equal(vcm_fail_last(NULL), -EINVAL);
}

static void *other_thread_allocates(void *arg)
{
	long *ret = arg;

	ret[0] = page_op();
	ret[1] = page_op();
	return NULL;
}

/* fail_nth belongs to the thread that set it. */
static void test_fail_nth_per_thread(void **state)
{
	long ret[2];
	pthread_t t;

	(void)state;
	vcm_fail_nth(1);
	assert_int_equal(pthread_create(&t, NULL, other_thread_allocates, ret), 0);
	pthread_join(t, NULL);
	assert_int_equal(ret[0], 0);
	assert_int_equal(ret[1], 0);
	assert_int_equal(vcm_fail_nth_left(), 1);
	assert_int_equal(page_op(), -ENOMEM);
}

static unsigned fail_pattern(const struct vcm_fail_attr *a, unsigned n, char *out)
{
	unsigned i, fails = 0;

	vcm_fail_attr_set(VCM_FAIL_PAGE_ALLOC, a);
	for (i = 0; i < n; i++) {
		out[i] = page_op() ? 'x' : '.';
		fails += out[i] == 'x';
	}
	out[n] = '\0';
	vcm_fail_attr_set(VCM_FAIL_PAGE_ALLOC, NULL);
	return fails;
}

static void test_interval_times_space(void **state)
{
	struct vcm_fail_attr a = always, got;
	char pat[64];

	(void)state;
	a.interval = 3;
	fail_pattern(&a, 9, pat);
	assert_string_equal(pat, "..x..x..x");
	a.times = 2;
	fail_pattern(&a, 9, pat);
	assert_string_equal(pat, "..x..x...");
	a.interval = 0;
	a.times = -1;
	a.space = 3 * PAGE;	/* as the kernel: a call passes while space > size */
	fail_pattern(&a, 5, pat);
	assert_string_equal(pat, "..xxx");
	/* get reads the counters as they are */
	a.space = 0;
	a.times = 5;
	vcm_fail_attr_set(VCM_FAIL_PAGE_ALLOC, &a);
	assert_int_equal(page_op(), -ENOMEM);
	assert_int_equal(vcm_fail_attr_get(VCM_FAIL_PAGE_ALLOC, &got), 0);
	assert_int_equal(got.times, 4);
	assert_int_equal(got.probability, 100);
	vcm_fail_attr_set(VCM_FAIL_PAGE_ALLOC, NULL);
}

static void test_probability_seed(void **state)
{
	struct vcm_fail_attr a = always;
	char p1[65], p2[65], p3[65];
	unsigned f1;

	(void)state;
	a.probability = 30;
	a.seed = 42;
	f1 = fail_pattern(&a, 64, p1);
	fail_pattern(&a, 64, p2);
	assert_string_equal(p1, p2);		/* same seed, same failures */
	assert_true(f1 > 5 && f1 < 40);
	a.seed = 43;
	fail_pattern(&a, 64, p3);
	assert_string_not_equal(p1, p3);
	a.probability = 0;
	assert_int_equal(fail_pattern(&a, 64, p3), 0);
}

static void *filtered_thread(void *arg)
{
	long *ret = arg;

	ret[0] = page_op();
	vcm_fail_thread_enable(true);
	ret[1] = page_op();
	return NULL;
}

/* thread_filter: only threads that opted in fail. */
static void test_thread_filter(void **state)
{
	struct vcm_fail_attr a = always;
	long ret[2];
	pthread_t t;

	(void)state;
	a.thread_filter = true;
	vcm_fail_attr_set(VCM_FAIL_PAGE_ALLOC, &a);
	assert_int_equal(page_op(), 0);
	assert_int_equal(pthread_create(&t, NULL, filtered_thread, ret), 0);
	pthread_join(t, NULL);
	assert_int_equal(ret[0], 0);
	assert_int_equal(ret[1], -ENOMEM);
	vcm_fail_thread_enable(true);
	assert_int_equal(page_op(), -ENOMEM);
	vcm_fail_thread_enable(false);
	assert_int_equal(page_op(), 0);
	vcm_fail_attr_set(VCM_FAIL_PAGE_ALLOC, NULL);
}

/* Run @fn with stderr going to a file; return what it printed. */
static char *capture_stderr(long (*fn)(void), long *ret)
{
	static char text[8192];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), 2);
	*ret = fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static void test_verbose(void **state)
{
	struct vcm_fail_attr a = always;
	long ret;
	char *out;

	(void)state;
	a.verbose = 1;
	vcm_fail_attr_set(VCM_FAIL_PGTABLE, &a);
	out = capture_stderr(pgtable_op, &ret);
	assert_int_equal(ret, -ENOMEM);
	assert_non_null(strstr(out, "FAULT_INJECTION: failing pgtable allocation of 16384 bytes"));
	a.verbose = 2;		/* the line and a backtrace */
	vcm_fail_attr_set(VCM_FAIL_PGTABLE, &a);
	out = capture_stderr(pgtable_op, &ret);
	assert_int_equal(ret, -ENOMEM);
	assert_true(strchr(strchr(out, '\n') + 1, '\n') != NULL);
	a.verbose = 0;
	vcm_fail_attr_set(VCM_FAIL_PGTABLE, &a);
	out = capture_stderr(pgtable_op, &ret);
	assert_int_equal(ret, -ENOMEM);
	assert_string_equal(out, "");
	vcm_fail_attr_set(VCM_FAIL_PGTABLE, NULL);
}

static void test_parse(void **state)
{
	struct vcm_fail_attr got;
	unsigned s;

	(void)state;
	assert_int_equal(vcm_fail_parse("pin:probability=50,interval=2,times=7,space=4096,"
					"verbose=1,seed=0x10,thread_filter=1"), 0);
	assert_int_equal(vcm_fail_attr_get(VCM_FAIL_PIN, &got), 0);
	assert_int_equal(got.probability, 50);
	assert_int_equal(got.interval, 2);
	assert_int_equal(got.times, 7);
	assert_int_equal(got.space, 4096);
	assert_int_equal(got.verbose, 1);
	assert_int_equal(got.seed, 16);
	assert_true(got.thread_filter);
	/* defaults: every call, no limit */
	assert_int_equal(vcm_fail_parse("all:;nth=0"), 0);
	for (s = 0; s < VCM_FAIL_NR_SITES; s++) {
		assert_int_equal(vcm_fail_attr_get(s, &got), 0);
		assert_int_equal(got.probability, 100);
		assert_int_equal(got.times, -1);
	}
	assert_int_equal(page_op(), -ENOMEM);
	vcm_fail_reset();
	assert_int_equal(page_op(), 0);
	assert_int_equal(vcm_fail_parse("nth=1"), 0);
	assert_int_equal(page_op(), -ENOMEM);
	assert_int_equal(vcm_fail_parse(""), 0);
	/* bad items: -EINVAL and a warning each */
	EXPECT_WARNINGS(1, assert_int_equal(vcm_fail_parse("heap:times=1"), -EINVAL));
	EXPECT_WARNINGS(1, assert_int_equal(vcm_fail_parse("page:probability=101"), -EINVAL));
	EXPECT_WARNINGS(1, assert_int_equal(vcm_fail_parse("page:colour=3"), -EINVAL));
	EXPECT_WARNINGS(1, assert_int_equal(vcm_fail_parse("page:times"), -EINVAL));
	EXPECT_WARNINGS(1, assert_int_equal(vcm_fail_parse("page"), -EINVAL));
	EXPECT_WARNINGS(1, assert_int_equal(vcm_fail_parse("nth=-2"), -EINVAL));
	EXPECT_WARNINGS(1, assert_int_equal(vcm_fail_parse("page:times=12x"), -EINVAL));
	EXPECT_WARNINGS(0, assert_int_equal(vcm_fail_parse(NULL), -EINVAL));
	vcm_fail_reset();
}

static void test_bad_args(void **state)
{
	struct vcm_fail_attr a = always;
	struct vcm_fail_stats st;

	(void)state;
	assert_int_equal(vcm_fail_attr_set(VCM_FAIL_NR_SITES, &a), -EINVAL);
	assert_int_equal(vcm_fail_attr_set((enum vcm_fail_site)-1, &a), -EINVAL);
	a.probability = 101;
	assert_int_equal(vcm_fail_attr_set(VCM_FAIL_HOST, &a), -EINVAL);
	a.probability = 100;
	a.verbose = 3;
	assert_int_equal(vcm_fail_attr_set(VCM_FAIL_HOST, &a), -EINVAL);
	assert_int_equal(vcm_fail_attr_get(VCM_FAIL_HOST, NULL), -EINVAL);
	assert_int_equal(vcm_fail_attr_get(VCM_FAIL_NR_SITES, &a), -EINVAL);
	assert_int_equal(vcm_fail_stats(VCM_FAIL_HOST, NULL), -EINVAL);
	assert_int_equal(vcm_fail_stats(VCM_FAIL_NR_SITES, &st), -EINVAL);
	assert_int_equal(host_op(), 0);	/* nothing was set */
}

/* Run with VCM_FAULT_INJECT='page:times=2,interval=2;nth=...' by meson. */
static void test_environment(void **state)
{
	struct vcm_fail_attr got;

	(void)state;
	assert_int_equal(vcm_fail_attr_get(VCM_FAIL_PAGE_ALLOC, &got), 0);
	assert_int_equal(got.interval, 2);
	assert_int_equal(page_op(), 0);
	assert_int_equal(page_op(), -ENOMEM);
	assert_int_equal(page_op(), 0);
	assert_int_equal(page_op(), -ENOMEM);
	assert_int_equal(page_op(), 0);
	assert_int_equal(page_op(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_each_site),
		cmocka_unit_test(test_fail_nth),
		cmocka_unit_test(test_fail_nth_per_thread),
		cmocka_unit_test(test_interval_times_space),
		cmocka_unit_test(test_probability_seed),
		cmocka_unit_test(test_thread_filter),
		cmocka_unit_test(test_verbose),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_bad_args),
	};
	const struct CMUnitTest env_tests[] = {
		cmocka_unit_test(test_environment),
	};

	if (getenv("VCM_FAULT_INJECT"))
		return cmocka_run_group_tests(env_tests, setup, teardown);
	return cmocka_run_group_tests(tests, setup, teardown);
}
