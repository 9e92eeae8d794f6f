/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_misuse.c - what a hostile (or careless) user does with handles:
 * release twice, use after release, tear down in the wrong order, and
 * call into libvcm from a warning handler.  Each gets a counted warning
 * and nothing else: no crash, nothing freed twice, nothing leaked (run
 * under valgrind and ASan by the suite).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pin.h"
#include "test_util.h"

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define PAGE		VCM_PAGE_SIZE
#define DEV_START	0x20000000ULL
#define DEV_SIZE	(16ULL << 20)

/* The warnings @stmt raises. */
#define WARNS(n, stmt)						\
	do {							\
		unsigned long w0_ = vcm_warn_count();		\
		stmt;						\
		assert_int_equal(vcm_warn_count() - w0_, (n));	\
	} while (0)

struct fx {
	struct vcm_soc *soc;
	struct vcm_sysmmu *mmu;
	struct vcm *ctx;
	vcm_size_t free0;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	test_warnings_quiet();
	f->soc = test_soc_current(RAM_BASE, RAM_SIZE);
	f->mmu = vcm_sysmmu_create(f->soc, "misuse");
	f->ctx = vcm_iommu_create(f->mmu, DEV_START, DEV_SIZE);
	assert_false(vcm_is_err(f->mmu) || vcm_is_err(f->ctx));
	f->free0 = vcm_soc_free_bytes(f->soc);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->ctx)
		vcm_destroy(f->ctx);
	vcm_sysmmu_destroy(f->mmu);
	test_soc_release(f->soc);
	test_warnings_default();
	free(f);
	return 0;
}

static void double_free(void **state)
{
	struct fx *f = *state;
	struct vcm_phys *phys = vcm_alloc(f->ctx, 4 * PAGE, 0);

	assert_false(vcm_is_err(phys));
	WARNS(0, vcm_free(phys));
	WARNS(1, vcm_free(phys));
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0);
}

static void double_unreserve_and_unmap(void **state)
{
	struct fx *f = *state;
	struct vcm_res *res = vcm_reserve(f->ctx, 4 * PAGE, 0);
	struct vcm_phys *phys = vcm_alloc(f->ctx, PAGE, 0);

	WARNS(0, vcm_unreserve(res));
	WARNS(1, vcm_unreserve(res));
	WARNS(1, vcm_unmap(res));
	WARNS(1, vcm_destroy_binding(res));
	WARNS(1, assert_null(vcm_unbind(res)));
	WARNS(1, assert_int_equal(vcm_bind(res, phys), -EINVAL));
	assert_int_equal(phys->bindings, 0);
	res = vcm_make_binding(f->ctx, PAGE, 0, 0);
	WARNS(0, vcm_destroy_binding(res));
	WARNS(1, vcm_destroy_binding(res));
	vcm_free(phys);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0);
}

static void double_destroy(void **state)
{
	struct fx *f = *state;
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(f->soc, "twice");
	struct vcm_pgtable *pt = vcm_pgtable_create(f->soc);
	struct vcm *ctx = vcm_onetoone_create(f->soc);
	struct vcm_soc *soc = vcm_soc_create();

	WARNS(0, vcm_destroy(ctx));
	WARNS(1, vcm_destroy(ctx));
	WARNS(1, assert_int_equal(vcm_activate(ctx), -EINVAL));
	WARNS(1, vcm_deactivate(ctx));
	WARNS(1, assert_ptr_equal(vcm_reserve(ctx, PAGE, 0), vcm_err_ptr(-EINVAL)));
	WARNS(0, vcm_pgtable_destroy(pt));
	WARNS(1, vcm_pgtable_destroy(pt));
	WARNS(1, assert_int_equal(vcm_pgtable_map(pt, 0, RAM_BASE, PAGE, 0), -EINVAL));
	WARNS(0, vcm_sysmmu_destroy(mmu));
	WARNS(1, vcm_sysmmu_destroy(mmu));
	WARNS(1, vcm_sysmmu_enable(mmu));
	WARNS(1, assert_int_equal(vcm_dma_write(mmu, 0, "x", 1), -EINVAL));
	WARNS(0, vcm_soc_destroy(soc));
	WARNS(1, vcm_soc_destroy(soc));
	WARNS(1, assert_int_equal(vcm_soc_add_ram(soc, RAM_BASE, PAGE), -EINVAL));
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0);
}

/* A pointer libvcm never made is refused with a warning. */
static void foreign_handles(void **state)
{
	struct fx *f = *state;
	uint64_t junk[64] = { 0 };
	unsigned char buf[4];

	(void)f;
	WARNS(1, vcm_soc_destroy((struct vcm_soc *)junk));
	WARNS(1, vcm_sysmmu_destroy((struct vcm_sysmmu *)junk));
	WARNS(1, assert_int_equal(vcm_dma_read((struct vcm_sysmmu *)junk, 0, buf, 4), -EINVAL));
	WARNS(1, vcm_pgtable_destroy((struct vcm_pgtable *)junk));
	WARNS(1, vcm_userptr_put((struct vcm_userptr *)junk));
	WARNS(1, vcm_unreserve((struct vcm_res *)junk));
	/* A handle of another kind is not this kind. */
	WARNS(1, vcm_sysmmu_destroy((struct vcm_sysmmu *)f->soc));
	WARNS(1, vcm_unreserve((struct vcm_res *)f->ctx));
}

static void double_userptr_put(void **state)
{
	struct fx *f = *state;
	char *buf = aligned_alloc(PAGE, 2 * PAGE);
	struct vcm_userptr *up = vcm_userptr_get(f->ctx, buf, 2 * PAGE, 0);

	assert_false(vcm_is_err(up));
	WARNS(0, vcm_userptr_put(up));
	WARNS(1, vcm_userptr_put(up));
	assert_int_equal(vcm_pin_pages(f->soc), 0);
	free(buf);
}

/*
 * The rule for a context destroyed under live userptrs: the destroy
 * unmaps them (warned: reservations left), the pages stay pinned, and each
 * userptr stays releasable: its put unpins, without a further warning.
 */
static void userptr_after_destroy(void **state)
{
	struct fx *f = *state;
	char *buf = aligned_alloc(PAGE, 3 * PAGE);
	struct vcm_userptr *a = vcm_userptr_get(f->ctx, buf, PAGE, 0);
	struct vcm_userptr *b = vcm_userptr_get(f->ctx, buf + PAGE, 2 * PAGE, 0);

	assert_false(vcm_is_err(a) || vcm_is_err(b));
	assert_int_equal(vcm_pin_pages(f->soc), 3);
	WARNS(1, vcm_destroy(f->ctx));
	f->ctx = NULL;
	assert_int_equal(vcm_pin_pages(f->soc), 3);
	WARNS(0, vcm_userptr_put(a));
	assert_int_equal(vcm_pin_pages(f->soc), 2);
	/* a reservation made where the old one was is not taken down */
	f->ctx = vcm_iommu_create(f->mmu, DEV_START, DEV_SIZE);
	WARNS(0, vcm_userptr_put(b));
	assert_int_equal(vcm_pin_pages(f->soc), 0);
	WARNS(1, vcm_userptr_put(b));
	free(buf);
}

/* ---- a warning handler that calls into libvcm ---- */

static struct vcm *handler_ctx;
static unsigned handler_calls;

static void reentrant_handler(const char *msg, void *priv)
{
	(void)msg;
	(void)priv;
	if (handler_calls++ < 3)
		vcm_deactivate(handler_ctx);	/* warns again: nested */
	assert_int_equal(vcm_activate(handler_ctx), 0);
	vcm_deactivate(handler_ctx);
	vcm_soc_free_bytes(vcm_soc_current());
}

static void handler_calls_back(void **state)
{
	struct fx *f = *state;

	handler_ctx = f->ctx;
	handler_calls = 0;
	vcm_set_warn_handler(reentrant_handler, NULL);
	WARNS(4, vcm_deactivate(f->ctx));	/* used to deadlock */
	assert_int_equal(handler_calls, 4);
	test_warnings_quiet();
	assert_int_equal(f->ctx->activations, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(double_free, setup, teardown),
		cmocka_unit_test_setup_teardown(double_unreserve_and_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(double_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(double_userptr_put, setup, teardown),
		cmocka_unit_test_setup_teardown(userptr_after_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(handler_calls_back, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
