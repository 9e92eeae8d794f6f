/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_util.h - the scaffolding every test program shares: a quiet,
 * counting warning handler and a SoC with RAM for a test.
 *
 * The more specific helper headers (vcm_test_common.h, devctx_util.h,
 * sysmmu_util.h) build on this one.  Include after <cmocka.h>.
 */
#ifndef TESTS_TEST_UTIL_H
#define TESTS_TEST_UTIL_H

#include <stdatomic.h>
#include <stdio.h>

#include <vcm.h>

/*
 * Warnings seen by test_warn_handler() (besides vcm_warn_count()).
 * Atomic, so threads may warn too; plain reads and stores are fine.
 */
static atomic_ulong test_warnings;

static inline void test_warn_handler(const char *msg, void *priv)
{
	(void)msg;
	(void)priv;
	atomic_fetch_add(&test_warnings, 1);
}

/* Warnings counted quietly, or printed again by the default handler. */
static inline void test_warnings_quiet(void)
{
	vcm_set_warn_handler(test_warn_handler, NULL);
}

static inline void test_warnings_default(void)
{
	vcm_set_warn_handler(NULL, NULL);
}

/* A new SoC with @size bytes of RAM at @base. */
static inline struct vcm_soc *test_soc_ram(vcm_addr_t base, vcm_size_t size)
{
	struct vcm_soc *soc = vcm_soc_create();

	assert_false(vcm_is_err_or_null(soc));
	assert_int_equal(vcm_soc_add_ram(soc, base, size), 0);
	return soc;
}

/* The same, made the current SoC. */
static inline struct vcm_soc *test_soc_current(vcm_addr_t base, vcm_size_t size)
{
	struct vcm_soc *soc = test_soc_ram(base, size);

	vcm_soc_set_current(soc);
	return soc;
}

/* Every page must be back: then the SoC is no longer current and goes. */
static inline void test_soc_release(struct vcm_soc *soc)
{
	assert_int_equal(vcm_soc_free_bytes(soc), vcm_soc_total_bytes(soc));
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(soc);
}

/* A current SoC, one System MMU and an iommu context on it. */
struct test_dev {
	struct vcm_soc *soc;
	struct vcm_sysmmu *mmu;
	struct vcm *ctx;
};

/*
 * Make @t: @ram bytes of RAM at @base, a System MMU named @name and a
 * vcm_iommu_create() context of @win_size bytes at @win.
 */
static inline void test_dev_setup(struct test_dev *t, vcm_addr_t base, vcm_size_t ram,
				  const char *name, vcm_addr_t win, vcm_size_t win_size)
{
	t->soc = test_soc_current(base, ram);
	t->mmu = vcm_sysmmu_create(t->soc, name);
	assert_false(vcm_is_err_or_null(t->mmu));
	t->ctx = vcm_iommu_create(t->mmu, win, win_size);
	assert_false(vcm_is_err_or_null(t->ctx));
}

/* Undo test_dev_setup(); a test that destroyed the context sets ->ctx NULL. */
static inline void test_dev_teardown(struct test_dev *t)
{
	if (t->ctx)
		vcm_destroy(t->ctx);
	vcm_sysmmu_destroy(t->mmu);
	test_soc_release(t->soc);
}

/*
 * struct test_capture - what a dump function writes, kept in memory:
 * test_capture_open() gives the stream to pass it, test_capture_text()
 * closes the stream and gives the text (to be freed).
 */
struct test_capture {
	char *text;
	size_t len;
	FILE *out;
};

static inline FILE *test_capture_open(struct test_capture *c)
{
	*c = (struct test_capture){ .text = NULL };
	c->out = open_memstream(&c->text, &c->len);
	assert_non_null(c->out);
	return c->out;
}

static inline char *test_capture_text(struct test_capture *c)
{
	fclose(c->out);
	return c->text;
}

#endif /* TESTS_TEST_UTIL_H */
