// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_vcm.c - the device-driver API of <vcm/vcm.h> and the
 * struct vcm_driver fallbacks and vcm_init() of <vcm/vcm-drv.h>,
 * on a recording mock driver.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vcm-internal.h"
#include "vcm_test_common.h"

#define WIN_START	0x10000000ULL
#define WIN_SIZE	(256ULL << 20)

enum mock_op {
	OP_CLEANUP, OP_ALLOC, OP_RES, OP_PHYS, OP_UNRESERVE, OP_MAP, OP_BIND,
	OP_UNBIND, OP_ACTIVATE, OP_DEACTIVATE, OP_NUM
};

/* What the mock driver saw; outlives the context. */
struct mock_log {
	unsigned calls[OP_NUM];
	int bind_ret;
	int activate_ret;
	long res_ret;
	long phys_ret;
	unsigned unbind_without_phys;
	struct vcm_phys *bound_phys;
};

struct mock {
	struct vcm vcm;		/* first: a mock without cleanup is free()d */
	struct mock_log *log;
	vcm_addr_t next;	/* bump allocator of reservation addresses */
};

static struct mock *to_mock(struct vcm *vcm)
{
	return (struct mock *)vcm;
}

static struct mock_log *log_of(struct vcm *vcm)
{
	return to_mock(vcm)->log;
}

static struct vcm_res *mock_new_res(struct vcm *vcm, vcm_size_t size)
{
	struct mock *m = to_mock(vcm);
	struct vcm_res *res = calloc(1, sizeof(*res));

	assert_non_null(res);
	res->start = vcm->start + m->next;
	m->next += size;
	return res;
}

static void mock_cleanup(struct vcm *vcm)
{
	log_of(vcm)->calls[OP_CLEANUP]++;
	free(to_mock(vcm));
}

static struct vcm_res *mock_res(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct mock_log *log = log_of(vcm);

	(void)flags;
	log->calls[OP_RES]++;
	if (log->res_ret)
		return vcm_err_ptr(log->res_ret);
	return mock_new_res(vcm, size);
}

static struct vcm_phys *mock_phys(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct mock_log *log = log_of(vcm);

	log->calls[OP_PHYS]++;
	if (log->phys_ret)
		return vcm_err_ptr(log->phys_ret);
	return vcm_phys_alloc(size, flags, NULL);
}

static void mock_unreserve(struct vcm_res *res)
{
	log_of(res->vcm)->calls[OP_UNRESERVE]++;
	free(res);
}

static struct vcm_res *mock_map(struct vcm *vcm, struct vcm_phys *phys, unsigned flags)
{
	(void)flags;
	log_of(vcm)->calls[OP_MAP]++;
	return mock_new_res(vcm, phys->size);
}

static int mock_bind(struct vcm_res *res, struct vcm_phys *phys)
{
	struct mock_log *log = log_of(res->vcm);

	log->calls[OP_BIND]++;
	if (!log->bind_ret)
		log->bound_phys = phys;
	return log->bind_ret;
}

static void mock_unbind(struct vcm_res *res)
{
	struct mock_log *log = log_of(res->vcm);

	log->calls[OP_UNBIND]++;
	if (!res->phys)
		log->unbind_without_phys++;
}

static int mock_alloc(struct vcm *vcm, vcm_size_t size, struct vcm_phys **phys,
		      unsigned alloc_flags, struct vcm_res **res, unsigned res_flags)
{
	(void)res_flags;
	log_of(vcm)->calls[OP_ALLOC]++;
	*phys = vcm_phys_alloc(size, alloc_flags, NULL);
	if (vcm_is_err(*phys))
		return (int)vcm_ptr_err(*phys);
	*res = mock_new_res(vcm, size);
	return 0;
}

static int mock_activate(struct vcm *vcm)
{
	struct mock_log *log = log_of(vcm);

	log->calls[OP_ACTIVATE]++;
	return log->activate_ret;
}

static void mock_deactivate(struct vcm *vcm)
{
	log_of(vcm)->calls[OP_DEACTIVATE]++;
}

static const struct vcm_driver full_ops = {
	.cleanup = mock_cleanup,
	.res = mock_res,
	.phys = mock_phys,
	.unreserve = mock_unreserve,
	.bind = mock_bind,
	.unbind = mock_unbind,
	.activate = mock_activate,
	.deactivate = mock_deactivate,
};

static const struct vcm_driver alloc_ops = {
	.cleanup = mock_cleanup,
	.alloc = mock_alloc,
	.res = mock_res,
	.phys = mock_phys,
	.unreserve = mock_unreserve,
	.bind = mock_bind,
	.unbind = mock_unbind,
};

static const struct vcm_driver map_ops = {
	.cleanup = mock_cleanup,
	.phys = mock_phys,
	.unreserve = mock_unreserve,
	.map = mock_map,
	.unbind = mock_unbind,
};

static const struct vcm_driver res_only_ops = {
	.cleanup = mock_cleanup,
	.res = mock_res,
	.phys = mock_phys,
	.unreserve = mock_unreserve,
};

/* The kernel's vcm_init() requires unreserve: every driver has it. */
static const struct vcm_driver phys_only_ops = {
	.cleanup = mock_cleanup,
	.phys = mock_phys,
	.unreserve = mock_unreserve,
};

static const struct vcm_driver bind_only_ops = {
	.cleanup = mock_cleanup,
	.unreserve = mock_unreserve,
	.bind = mock_bind,
	.unbind = mock_unbind,
};

static const struct vcm_driver no_cleanup_ops = {
	.res = mock_res,
	.phys = mock_phys,
	.unreserve = mock_unreserve,
	.bind = mock_bind,
	.unbind = mock_unbind,
	.activate = mock_activate,
	.deactivate = mock_deactivate,
};

static struct vcm *mock_new_window(const struct vcm_driver *ops, struct mock_log *log,
				   vcm_addr_t start, vcm_size_t size)
{
	struct mock *m = calloc(1, sizeof(*m));
	struct vcm *vcm;

	assert_non_null(m);
	memset(log, 0, sizeof(*log));
	m->log = log;
	m->vcm.start = start;
	m->vcm.size = size;
	m->vcm.driver = ops;
	m->vcm.activations.counter = 7;	/* garbage vcm_init() must reset */
	vcm = vcm_init(&m->vcm);
	assert_ptr_equal(vcm, &m->vcm);
	assert_int_equal(vcm->activations.counter, 0);
	assert_non_null(vcm_core(vcm));	/* registered, with its bookkeeping */
	return vcm;
}

static struct vcm *mock_new(const struct vcm_driver *ops, struct mock_log *log)
{
	return mock_new_window(ops, log, WIN_START, WIN_SIZE);
}

/* vcm_destroy() of an empty, inactive context: no warning, cleanup runs. */
static void mock_destroy(struct vcm *vcm, struct mock_log *log)
{
	unsigned before = log->calls[OP_CLEANUP];

	EXPECT_WARNINGS(0, vcm_destroy(vcm));
	assert_int_equal(log->calls[OP_CLEANUP], before + 1);
}

static vcm_size_t soc_free(void)
{
	return vcm_soc_free_bytes(vcm_soc_current());
}

/* --- vcm_init ------------------------------------------------------------ */

static void check_init_einval(vcm_addr_t start, vcm_size_t size, const struct vcm_driver *drv)
{
	struct vcm vcm = { .start = start, .size = size, .driver = drv };

	assert_ptr_equal(vcm_init(&vcm), vcm_err_ptr(-EINVAL));
	assert_null(vcm_core(&vcm));	/* not registered */
}

static void test_init_errors(void **state)
{
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	assert_ptr_equal(vcm_init(NULL), vcm_err_ptr(-EINVAL));
	assert_ptr_equal(vcm_init(vcm_err_ptr(-ENOMEM)), vcm_err_ptr(-EINVAL));
	check_init_einval(WIN_START, WIN_SIZE, NULL);
	check_init_einval(WIN_START, WIN_SIZE, vcm_err_ptr(-EIO));
	check_init_einval(WIN_START, 0, &full_ops);
	check_init_einval(WIN_START + 1, WIN_SIZE, &full_ops);
	check_init_einval(WIN_START, WIN_SIZE - 1, &full_ops);
	check_init_einval(UINT64_MAX - PAGE + 1, 2 * PAGE, &full_ops);
	/* The kernel's vcm_init() required an unreserve op, with a warning. */
	{
		static const struct vcm_driver no_unreserve = { .res = mock_res };
		unsigned long w0 = vcm_warn_count();

		check_init_einval(WIN_START, WIN_SIZE, &no_unreserve);
		assert_int_equal(vcm_warn_count(), w0 + 1);
	}

	/* A window reaching the very top of the address space is fine. */
	vcm = mock_new_window(&full_ops, &log, UINT64_MAX - PAGE + 1, PAGE);
	assert_int_equal(vcm->start, UINT64_MAX - PAGE + 1);
	mock_destroy(vcm, &log);
}

/* --- page rounding and size 0 ------------------------------------------- */

static void test_page_rounding(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);

	res = vcm_reserve(vcm, 1, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(res->res_size, PAGE);
	assert_int_equal(res->bound_size, 0);
	assert_null(res->phys);
	assert_ptr_equal(res->vcm, vcm);
	vcm_unreserve(res);

	res = vcm_reserve(vcm, PAGE + 1, 0);
	assert_int_equal(res->res_size, 2 * PAGE);
	vcm_unreserve(res);

	res = vcm_reserve(vcm, 3 * PAGE, 0);
	assert_int_equal(res->res_size, 3 * PAGE);
	vcm_unreserve(res);

	phys = vcm_alloc(vcm, 1, 0);
	assert_false(vcm_is_err_or_null(phys));
	assert_int_equal(phys->size, PAGE);
	assert_int_equal(phys->bindings.counter, 0);
	assert_int_equal(soc_free(), free0 - PAGE);
	vcm_free(phys);
	assert_int_equal(soc_free(), free0);

	/* The kernel refused what it did not round: vcm_make_binding() of a
	 * size that is not a whole number of pages is -EINVAL and a warning. */
	{
		unsigned long w0 = vcm_warn_count();

		assert_ptr_equal(vcm_make_binding(vcm, 5000, 0, 0), vcm_err_ptr(-EINVAL));
		assert_int_equal(vcm_warn_count(), w0 + 1);
		assert_int_equal(soc_free(), free0);
	}
	res = vcm_make_binding(vcm, 2 * PAGE, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(res->res_size, 2 * PAGE);
	assert_int_equal(res->bound_size, 2 * PAGE);
	assert_int_equal(res->phys->size, 2 * PAGE);
	assert_int_equal(soc_free(), free0 - 2 * PAGE);
	vcm_destroy_binding(res);
	assert_int_equal(soc_free(), free0);

	/* A size that overflows when rounded cannot be honoured. */
	assert_ptr_equal(vcm_reserve(vcm, UINT64_MAX, 0), vcm_err_ptr(-EINVAL));
	assert_ptr_equal(vcm_alloc(vcm, UINT64_MAX - 1, 0), vcm_err_ptr(-EINVAL));
	assert_ptr_equal(vcm_make_binding(vcm, UINT64_MAX, 0, 0), vcm_err_ptr(-EINVAL));
	assert_int_equal(log.calls[OP_RES], 4);
	assert_int_equal(log.calls[OP_PHYS], 2);
	mock_destroy(vcm, &log);
}

static void test_size_zero(void **state)
{
	vcm_size_t free0 = soc_free();
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&alloc_ops, &log);
	EXPECT_WARNINGS(0, {
		assert_ptr_equal(vcm_reserve(vcm, 0, 0), vcm_err_ptr(-EINVAL));
		assert_ptr_equal(vcm_alloc(vcm, 0, 0), vcm_err_ptr(-EINVAL));
		assert_ptr_equal(vcm_make_binding(vcm, 0, 0, 0), vcm_err_ptr(-EINVAL));
	});
	assert_int_equal(log.calls[OP_RES] + log.calls[OP_PHYS] + log.calls[OP_ALLOC], 0);
	assert_int_equal(soc_free(), free0);
	mock_destroy(vcm, &log);
}

/* --- NULL and error pointers -------------------------------------------- */

static void test_bad_pointers(void **state)
{
	void *bad[] = { NULL, vcm_err_ptr(-ENOMEM), vcm_err_ptr(-1),
			vcm_err_ptr(-VCM_MAX_ERRNO) };
	struct vcm uninit = { .start = WIN_START, .size = WIN_SIZE, .driver = &full_ops };
	struct vcm_res orphan = { .start = WIN_START, .res_size = PAGE, .vcm = NULL };
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;
	unsigned i;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	res = vcm_reserve(vcm, PAGE, 0);
	phys = vcm_alloc(vcm, PAGE, 0);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *p = bad[i];

		/* Functions returning an error report it, without a warning. */
		EXPECT_WARNINGS(0, {
			assert_ptr_equal(vcm_make_binding(p, PAGE, 0, 0), vcm_err_ptr(-EINVAL));
			assert_ptr_equal(vcm_alloc(p, PAGE, 0), vcm_err_ptr(-EINVAL));
			assert_ptr_equal(vcm_reserve(p, PAGE, 0), vcm_err_ptr(-EINVAL));
			assert_int_equal(vcm_bind(p, phys), -EINVAL);
			assert_int_equal(vcm_bind(res, p), -EINVAL);
			assert_ptr_equal(vcm_map(p, phys, 0), vcm_err_ptr(-EINVAL));
			assert_ptr_equal(vcm_map(vcm, p, 0), vcm_err_ptr(-EINVAL));
			assert_int_equal(vcm_activate(p), -EINVAL);
		});
		/* Void functions (and vcm_unbind) warn and do nothing. */
		EXPECT_WARNINGS(1, vcm_destroy(p));
		EXPECT_WARNINGS(1, vcm_destroy_binding(p));
		EXPECT_WARNINGS(1, vcm_free(p));
		EXPECT_WARNINGS(1, vcm_unreserve(p));
		EXPECT_WARNINGS(1, assert_null(vcm_unbind(p)));
		EXPECT_WARNINGS(1, vcm_unmap(p));
		EXPECT_WARNINGS(1, vcm_deactivate(p));
	}

	/*
	 * A context that never went through vcm_init() is not a context: a
	 * foreign handle, warned about once per call (registry.h).
	 */
	EXPECT_WARNINGS(6, {
		assert_ptr_equal(vcm_reserve(&uninit, PAGE, 0), vcm_err_ptr(-EINVAL));
		assert_ptr_equal(vcm_alloc(&uninit, PAGE, 0), vcm_err_ptr(-EINVAL));
		assert_ptr_equal(vcm_make_binding(&uninit, PAGE, 0, 0), vcm_err_ptr(-EINVAL));
		assert_ptr_equal(vcm_map(&uninit, phys, 0), vcm_err_ptr(-EINVAL));
		assert_int_equal(vcm_activate(&uninit), -EINVAL);
		/* Nor is a reservation without one. */
		assert_int_equal(vcm_bind(&orphan, phys), -EINVAL);
	});
	EXPECT_WARNINGS(1, vcm_deactivate(&uninit));
	EXPECT_WARNINGS(1, vcm_destroy(&uninit));
	EXPECT_WARNINGS(1, assert_null(vcm_unbind(&orphan)));
	EXPECT_WARNINGS(1, vcm_unreserve(&orphan));

	/* Nothing reached the driver, nothing changed. */
	assert_int_equal(log.calls[OP_RES], 1);
	assert_int_equal(log.calls[OP_PHYS], 1);
	assert_int_equal(log.calls[OP_BIND] + log.calls[OP_UNBIND] + log.calls[OP_UNRESERVE] +
			 log.calls[OP_ACTIVATE] + log.calls[OP_DEACTIVATE], 0);
	assert_null(res->phys);
	assert_int_equal(phys->bindings.counter, 0);
	assert_int_equal(vcm->activations.counter, 0);
	vcm_free(phys);
	vcm_unreserve(res);
	mock_destroy(vcm, &log);
}

/* --- vcm_bind / vcm_unbind ---------------------------------------------- */

static void test_bind_errors(void **state)
{
	struct vcm_phys *a, *b, *big;
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	res = vcm_reserve(vcm, 2 * PAGE, 0);
	a = vcm_alloc(vcm, PAGE, 0);
	b = vcm_alloc(vcm, 2 * PAGE, 0);
	big = vcm_alloc(vcm, 3 * PAGE, 0);

	EXPECT_WARNINGS(0, {
		assert_int_equal(vcm_bind(res, a), 0);
		assert_ptr_equal(res->phys, a);
		assert_int_equal(res->bound_size, PAGE);
		assert_int_equal(a->bindings.counter, 1);
		assert_ptr_equal(log.bound_phys, a);

		assert_int_equal(vcm_bind(res, a), -EALREADY);
		assert_int_equal(a->bindings.counter, 1);
		assert_int_equal(vcm_bind(res, b), -EADDRINUSE);
		assert_int_equal(b->bindings.counter, 0);
		assert_ptr_equal(res->phys, a);
		assert_int_equal(res->bound_size, PAGE);

		assert_ptr_equal(vcm_unbind(res), a);
		assert_int_equal(a->bindings.counter, 0);
		assert_null(res->phys);
		assert_int_equal(res->bound_size, 0);

		assert_int_equal(vcm_bind(res, big), -ENOSPC);
		assert_int_equal(big->bindings.counter, 0);
		assert_null(res->phys);

		/* Exactly the reservation's size fits. */
		assert_int_equal(vcm_bind(res, b), 0);
		assert_int_equal(res->bound_size, 2 * PAGE);
		assert_ptr_equal(vcm_unbind(res), b);
	});
	/* Only the two successful binds reached the driver. */
	assert_int_equal(log.calls[OP_BIND], 2);
	assert_int_equal(log.calls[OP_UNBIND], 2);
	assert_int_equal(log.unbind_without_phys, 0);

	/* A failing driver bind leaves nothing bound. */
	log.bind_ret = -EIO;
	assert_int_equal(vcm_bind(res, a), -EIO);
	assert_null(res->phys);
	assert_int_equal(res->bound_size, 0);
	assert_int_equal(a->bindings.counter, 0);
	log.bind_ret = 0;

	vcm_free(a);
	vcm_free(b);
	vcm_free(big);
	vcm_unreserve(res);
	mock_destroy(vcm, &log);
}

static void test_bind_empty_phys(void **state)
{
	struct vcm_phys *empty = test_phys_new(0, NULL, NULL);
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	res = vcm_reserve(vcm, PAGE, 0);
	/* Nothing to bind: as for vcm_map(), -EINVAL. */
	EXPECT_WARNINGS(0, {
		assert_int_equal(vcm_bind(res, empty), -EINVAL);
		assert_ptr_equal(vcm_map(vcm, empty, 0), vcm_err_ptr(-EINVAL));
	});
	assert_null(res->phys);
	assert_int_equal(empty->bindings.counter, 0);
	assert_int_equal(log.calls[OP_BIND], 0);
	assert_int_equal(log.calls[OP_RES], 1);
	vcm_free(empty);
	vcm_unreserve(res);
	mock_destroy(vcm, &log);
}

static void test_bind_unsupported(void **state)
{
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&res_only_ops, &log);
	res = vcm_reserve(vcm, PAGE, 0);
	phys = vcm_alloc(vcm, PAGE, 0);
	assert_int_equal(vcm_bind(res, phys), -EOPNOTSUPP);
	assert_null(res->phys);
	assert_int_equal(phys->bindings.counter, 0);
	vcm_free(phys);
	vcm_unreserve(res);
	mock_destroy(vcm, &log);
}

static void test_unbind_nothing(void **state)
{
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	res = vcm_reserve(vcm, PAGE, 0);
	EXPECT_WARNINGS(1, assert_null(vcm_unbind(res)));
	assert_int_equal(log.calls[OP_UNBIND], 0);

	/* After a real unbind, a second one finds nothing again. */
	phys = vcm_alloc(vcm, PAGE, 0);
	assert_int_equal(vcm_bind(res, phys), 0);
	EXPECT_WARNINGS(0, assert_ptr_equal(vcm_unbind(res), phys));
	EXPECT_WARNINGS(1, assert_null(vcm_unbind(res)));
	assert_int_equal(log.calls[OP_UNBIND], 1);
	assert_int_equal(phys->bindings.counter, 0);

	vcm_free(phys);
	EXPECT_WARNINGS(0, vcm_unreserve(res));
	mock_destroy(vcm, &log);
}

/* --- vcm_free / vcm_unreserve of bound objects --------------------------- */

static void test_free_bound_phys(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	res = vcm_reserve(vcm, 4 * PAGE, 0);
	phys = vcm_alloc(vcm, 4 * PAGE, 0);
	assert_int_equal(vcm_bind(res, phys), 0);

	EXPECT_WARNINGS(1, vcm_free(phys));
	assert_int_equal(soc_free(), free0 - 4 * PAGE);
	/* The phys is intact and still bound. */
	assert_int_equal(phys->bindings.counter, 1);
	assert_int_equal(phys->size, 4 * PAGE);
	assert_ptr_equal(res->phys, phys);

	assert_ptr_equal(vcm_unbind(res), phys);
	EXPECT_WARNINGS(0, vcm_free(phys));
	assert_int_equal(soc_free(), free0);
	vcm_unreserve(res);
	mock_destroy(vcm, &log);
}

static void test_unreserve_bound(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	res = vcm_reserve(vcm, PAGE, 0);
	phys = vcm_alloc(vcm, PAGE, 0);
	assert_int_equal(vcm_bind(res, phys), 0);

	EXPECT_WARNINGS(1, vcm_unreserve(res));
	assert_int_equal(log.calls[OP_UNBIND], 1);
	assert_int_equal(log.unbind_without_phys, 0);
	assert_int_equal(log.calls[OP_UNRESERVE], 1);
	assert_int_equal(phys->bindings.counter, 0);
	/* The phys is the caller's: still allocated, now freeable. */
	assert_int_equal(soc_free(), free0 - PAGE);
	EXPECT_WARNINGS(0, vcm_free(phys));
	assert_int_equal(soc_free(), free0);
	mock_destroy(vcm, &log);
}

/* --- activation ----------------------------------------------------------- */

static void test_activation_counted(void **state)
{
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	EXPECT_WARNINGS(0, {
		assert_int_equal(vcm_activate(vcm), 0);
		assert_int_equal(vcm_activate(vcm), 0);
		assert_int_equal(vcm_activate(vcm), 0);
	});
	assert_int_equal(vcm->activations.counter, 3);
	assert_int_equal(log.calls[OP_ACTIVATE], 1);

	vcm_deactivate(vcm);
	vcm_deactivate(vcm);
	assert_int_equal(vcm->activations.counter, 1);
	assert_int_equal(log.calls[OP_DEACTIVATE], 0);
	EXPECT_WARNINGS(0, vcm_deactivate(vcm));
	assert_int_equal(vcm->activations.counter, 0);
	assert_int_equal(log.calls[OP_DEACTIVATE], 1);

	/* A new first activation reaches the driver again. */
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(log.calls[OP_ACTIVATE], 2);
	vcm_deactivate(vcm);
	assert_int_equal(log.calls[OP_DEACTIVATE], 2);
	mock_destroy(vcm, &log);
}

static void test_activate_failure(void **state)
{
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	log.activate_ret = -EIO;
	assert_int_equal(vcm_activate(vcm), -EIO);
	/* As the kernel: the failed first activation is counted all the same,
	 * and the caller still owes its vcm_deactivate(), which reaches the
	 * driver. */
	assert_int_equal(vcm->activations.counter, 1);
	EXPECT_WARNINGS(0, vcm_deactivate(vcm));
	assert_int_equal(log.calls[OP_DEACTIVATE], 1);
	assert_int_equal(vcm->activations.counter, 0);

	log.activate_ret = 0;
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(log.calls[OP_ACTIVATE], 2);
	assert_int_equal(vcm->activations.counter, 1);
	vcm_deactivate(vcm);
	mock_destroy(vcm, &log);
}

static void test_deactivate_inactive(void **state)
{
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	EXPECT_WARNINGS(1, vcm_deactivate(vcm));
	assert_int_equal(vcm->activations.counter, 0);
	assert_int_equal(log.calls[OP_DEACTIVATE], 0);

	/* One too many after a balanced pair. */
	assert_int_equal(vcm_activate(vcm), 0);
	EXPECT_WARNINGS(0, vcm_deactivate(vcm));
	EXPECT_WARNINGS(1, vcm_deactivate(vcm));
	assert_int_equal(vcm->activations.counter, 0);
	assert_int_equal(log.calls[OP_DEACTIVATE], 1);
	/* And the count did not go negative: one activate is one again. */
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(vcm->activations.counter, 1);
	assert_int_equal(log.calls[OP_ACTIVATE], 2);
	vcm_deactivate(vcm);
	mock_destroy(vcm, &log);
}

/* --- vcm_destroy --------------------------------------------------------- */

static void test_destroy_active(void **state)
{
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(vcm_activate(vcm), 0);
	EXPECT_WARNINGS(1, vcm_destroy(vcm));
	assert_int_equal(log.calls[OP_DEACTIVATE], 1);
	assert_int_equal(log.calls[OP_CLEANUP], 1);
}

static void test_destroy_with_reservations(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_res *r1, *r2, *r3;
	struct vcm_phys *phys;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	r1 = vcm_reserve(vcm, 4 * PAGE, 0);
	r2 = vcm_reserve(vcm, 2 * PAGE, 0);
	r3 = vcm_make_binding(vcm, 3 * PAGE, 0, 0);
	assert_false(vcm_is_err_or_null(r1) || vcm_is_err_or_null(r2) ||
		     vcm_is_err_or_null(r3));
	phys = r3->phys;
	assert_int_equal(vcm_bind(r1, phys), 0);
	assert_int_equal(phys->bindings.counter, 2);
	assert_int_equal(vcm_activate(vcm), 0);

	/* One warning for the activation, one for the reservations. */
	EXPECT_WARNINGS(2, vcm_destroy(vcm));
	assert_int_equal(log.calls[OP_DEACTIVATE], 1);
	assert_int_equal(log.calls[OP_UNBIND], 2);
	assert_int_equal(log.unbind_without_phys, 0);
	assert_int_equal(log.calls[OP_UNRESERVE], 3);
	assert_int_equal(log.calls[OP_CLEANUP], 1);
	/* The phys belongs to the caller: unbound but not freed. */
	assert_int_equal(phys->bindings.counter, 0);
	assert_int_equal(soc_free(), free0 - 3 * PAGE);
	EXPECT_WARNINGS(0, vcm_free(phys));
	assert_int_equal(soc_free(), free0);
}

static void test_destroy_without_cleanup(void **state)
{
	struct mock_log log;
	struct vcm_res *res;
	struct vcm *vcm;

	(void)state;
	/* No cleanup op: vcm_destroy() free()s the structure (valgrind checks). */
	vcm = mock_new(&no_cleanup_ops, &log);
	res = vcm_reserve(vcm, PAGE, 0);
	assert_false(vcm_is_err_or_null(res));
	EXPECT_WARNINGS(1, vcm_destroy(vcm));
	assert_int_equal(log.calls[OP_UNRESERVE], 1);
	assert_int_equal(log.calls[OP_CLEANUP], 0);
}

/* --- make_binding / destroy_binding, map / unmap ------------------------- */

static void test_make_destroy_binding(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	EXPECT_WARNINGS(0, res = vcm_make_binding(vcm, 8 * PAGE, 0, 0));
	assert_false(vcm_is_err_or_null(res));
	assert_ptr_equal(res->vcm, vcm);
	assert_non_null(res->phys);
	assert_int_equal(res->phys->bindings.counter, 1);
	assert_int_equal(res->res_size, 8 * PAGE);
	assert_int_equal(res->bound_size, 8 * PAGE);
	assert_true(res->start >= vcm->start && res->start < vcm->start + vcm->size);
	assert_int_equal(soc_free(), free0 - 8 * PAGE);
	/* No alloc op: phys, then res + bind. */
	assert_int_equal(log.calls[OP_PHYS], 1);
	assert_int_equal(log.calls[OP_RES], 1);
	assert_int_equal(log.calls[OP_BIND], 1);

	EXPECT_WARNINGS(0, vcm_destroy_binding(res));
	assert_int_equal(soc_free(), free0);
	assert_int_equal(log.calls[OP_UNBIND], 1);
	assert_int_equal(log.calls[OP_UNRESERVE], 1);
	mock_destroy(vcm, &log);
}

static void test_destroy_binding_unbound(void **state)
{
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	res = vcm_reserve(vcm, PAGE, 0);
	/* Nothing to unbind or free: the warning of vcm_unbind(), then unreserve. */
	EXPECT_WARNINGS(1, vcm_destroy_binding(res));
	assert_int_equal(log.calls[OP_UNBIND], 0);
	assert_int_equal(log.calls[OP_UNRESERVE], 1);
	mock_destroy(vcm, &log);
}

static void test_destroy_binding_shared(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_res *res, *other;
	struct vcm_phys *phys;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	res = vcm_make_binding(vcm, 2 * PAGE, 0, 0);
	phys = res->phys;
	other = vcm_map(vcm, phys, 0);
	assert_false(vcm_is_err_or_null(other));
	assert_int_equal(phys->bindings.counter, 2);

	/* Still bound elsewhere: unbound and unreserved, but not freed. */
	EXPECT_WARNINGS(1, vcm_destroy_binding(res));
	assert_int_equal(phys->bindings.counter, 1);
	assert_int_equal(log.calls[OP_UNRESERVE], 1);
	assert_int_equal(soc_free(), free0 - 2 * PAGE);

	EXPECT_WARNINGS(0, vcm_unmap(other));
	EXPECT_WARNINGS(0, vcm_free(phys));
	assert_int_equal(soc_free(), free0);
	mock_destroy(vcm, &log);
}

static void test_map_unmap(void **state)
{
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	phys = vcm_alloc(vcm, 3 * PAGE, 0);
	EXPECT_WARNINGS(0, res = vcm_map(vcm, phys, 0));
	assert_false(vcm_is_err_or_null(res));
	assert_ptr_equal(res->phys, phys);
	assert_ptr_equal(res->vcm, vcm);
	assert_int_equal(res->res_size, 3 * PAGE);
	assert_int_equal(res->bound_size, 3 * PAGE);
	assert_int_equal(phys->bindings.counter, 1);
	/* A mapped reservation is a bound one: binding again is -EALREADY. */
	assert_int_equal(vcm_bind(res, phys), -EALREADY);

	EXPECT_WARNINGS(0, vcm_unmap(res));
	assert_int_equal(phys->bindings.counter, 0);
	assert_int_equal(log.calls[OP_UNBIND], 1);
	assert_int_equal(log.calls[OP_UNRESERVE], 1);

	/* Unmapping a reservation that was never bound: no warning either. */
	res = vcm_reserve(vcm, PAGE, 0);
	EXPECT_WARNINGS(0, vcm_unmap(res));
	assert_int_equal(log.calls[OP_UNBIND], 1);
	assert_int_equal(log.calls[OP_UNRESERVE], 2);

	vcm_free(phys);
	mock_destroy(vcm, &log);
}

static void test_map_failure(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	phys = vcm_alloc(vcm, PAGE, 0);

	/* The bind fails: the reservation made for it goes back. */
	log.bind_ret = -EIO;
	assert_ptr_equal(vcm_map(vcm, phys, 0), vcm_err_ptr(-EIO));
	assert_int_equal(log.calls[OP_RES], 1);
	assert_int_equal(log.calls[OP_UNRESERVE], 1);
	assert_int_equal(phys->bindings.counter, 0);

	/* The same through vcm_make_binding(): the phys goes back too. */
	assert_ptr_equal(vcm_make_binding(vcm, 4 * PAGE, 0, 0), vcm_err_ptr(-EIO));
	assert_int_equal(log.calls[OP_UNRESERVE], 2);
	assert_int_equal(soc_free(), free0 - PAGE);
	log.bind_ret = 0;

	/* The reservation fails. */
	log.res_ret = -ENOSPC;
	assert_ptr_equal(vcm_map(vcm, phys, 0), vcm_err_ptr(-ENOSPC));
	assert_ptr_equal(vcm_reserve(vcm, PAGE, 0), vcm_err_ptr(-ENOSPC));
	assert_ptr_equal(vcm_make_binding(vcm, PAGE, 0, 0), vcm_err_ptr(-ENOSPC));
	assert_int_equal(soc_free(), free0 - PAGE);
	log.res_ret = 0;

	/* The allocation fails. */
	log.phys_ret = -ENOMEM;
	assert_ptr_equal(vcm_alloc(vcm, PAGE, 0), vcm_err_ptr(-ENOMEM));
	assert_ptr_equal(vcm_make_binding(vcm, PAGE, 0, 0), vcm_err_ptr(-ENOMEM));
	log.phys_ret = 0;

	assert_int_equal(log.calls[OP_UNRESERVE], 2);
	assert_int_equal(phys->bindings.counter, 0);
	vcm_free(phys);
	assert_int_equal(soc_free(), free0);
	mock_destroy(vcm, &log);
}

/* One phys bound into many reservations of many contexts. */
#define SHARE_CTX	4
#define SHARE_RES	5

static void test_share_many(void **state)
{
	struct vcm_res *res[SHARE_CTX][SHARE_RES];
	struct mock_log log[SHARE_CTX];
	struct vcm *vcm[SHARE_CTX];
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	unsigned c, r, n;

	(void)state;
	for (c = 0; c < SHARE_CTX; c++)
		vcm[c] = mock_new(&full_ops, &log[c]);
	phys = vcm_alloc(vcm[0], 2 * PAGE, 0);

	n = 0;
	for (c = 0; c < SHARE_CTX; c++) {
		for (r = 0; r < SHARE_RES; r++) {
			if (r % 2) {
				res[c][r] = vcm_map(vcm[c], phys, 0);
				assert_false(vcm_is_err_or_null(res[c][r]));
			} else {
				res[c][r] = vcm_reserve(vcm[c], 2 * PAGE + r * PAGE, 0);
				assert_int_equal(vcm_bind(res[c][r], phys), 0);
			}
			assert_ptr_equal(res[c][r]->phys, phys);
			assert_int_equal(phys->bindings.counter, ++n);
		}
		assert_int_equal(vcm_activate(vcm[c]), 0);
	}
	EXPECT_WARNINGS(1, vcm_free(phys));
	assert_int_equal(soc_free(), free0 - 2 * PAGE);

	for (c = 0; c < SHARE_CTX; c++) {
		vcm_deactivate(vcm[c]);
		for (r = 0; r < SHARE_RES; r++) {
			if (r % 2)
				vcm_unmap(res[c][r]);
			else
				assert_ptr_equal(vcm_unbind(res[c][r]), phys);
			assert_int_equal(phys->bindings.counter, --n);
		}
		assert_int_equal(log[c].calls[OP_BIND], SHARE_RES);
		assert_int_equal(log[c].calls[OP_UNBIND], SHARE_RES);
	}
	assert_int_equal(phys->bindings.counter, 0);
	EXPECT_WARNINGS(0, vcm_free(phys));
	assert_int_equal(soc_free(), free0);
	for (c = 0; c < SHARE_CTX; c++) {
		for (r = 0; r < SHARE_RES; r += 2)
			vcm_unreserve(res[c][r]);
		mock_destroy(vcm[c], &log[c]);
	}
}

/* --- struct vcm_driver fallbacks ----------------------------------------- */

static void test_fallback_map_op(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&map_ops, &log);
	phys = vcm_alloc(vcm, 2 * PAGE, 0);
	res = vcm_map(vcm, phys, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(log.calls[OP_MAP], 1);
	assert_int_equal(log.calls[OP_RES] + log.calls[OP_BIND], 0);
	assert_ptr_equal(res->phys, phys);
	assert_int_equal(res->res_size, 2 * PAGE);
	assert_int_equal(res->bound_size, 2 * PAGE);
	assert_int_equal(phys->bindings.counter, 1);
	vcm_unmap(res);
	assert_int_equal(phys->bindings.counter, 0);
	assert_int_equal(log.calls[OP_UNBIND], 1);
	assert_int_equal(log.calls[OP_UNRESERVE], 1);
	vcm_free(phys);

	/* vcm_make_binding(): phys, then map. */
	res = vcm_make_binding(vcm, 3 * PAGE, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(log.calls[OP_PHYS], 2);
	assert_int_equal(log.calls[OP_MAP], 2);
	assert_int_equal(res->phys->bindings.counter, 1);
	assert_int_equal(soc_free(), free0 - 3 * PAGE);
	vcm_destroy_binding(res);
	assert_int_equal(soc_free(), free0);

	/* No res op: no vcm_reserve(). */
	assert_ptr_equal(vcm_reserve(vcm, PAGE, 0), vcm_err_ptr(-EOPNOTSUPP));
	mock_destroy(vcm, &log);
}

static void test_fallback_res_bind(void **state)
{
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&full_ops, &log);
	phys = vcm_alloc(vcm, 2 * PAGE, 0);
	res = vcm_map(vcm, phys, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(log.calls[OP_RES], 1);
	assert_int_equal(log.calls[OP_BIND], 1);
	assert_ptr_equal(log.bound_phys, phys);
	assert_int_equal(phys->bindings.counter, 1);
	vcm_unmap(res);
	vcm_free(phys);
	mock_destroy(vcm, &log);
}

static void test_fallback_alloc_op(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_res *res;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	vcm = mock_new(&alloc_ops, &log);
	res = vcm_make_binding(vcm, 5 * PAGE, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(log.calls[OP_ALLOC], 1);
	assert_int_equal(log.calls[OP_PHYS] + log.calls[OP_RES] + log.calls[OP_BIND], 0);
	assert_ptr_equal(res->vcm, vcm);
	assert_int_equal(res->res_size, 5 * PAGE);
	assert_int_equal(res->bound_size, 5 * PAGE);
	assert_int_equal(res->phys->bindings.counter, 1);
	assert_int_equal(soc_free(), free0 - 5 * PAGE);
	EXPECT_WARNINGS(0, vcm_destroy_binding(res));
	assert_int_equal(soc_free(), free0);
	assert_int_equal(log.calls[OP_UNBIND], 1);
	assert_int_equal(log.calls[OP_UNRESERVE], 1);
	mock_destroy(vcm, &log);
}

static void test_fallback_missing_ops(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	struct mock_log log;
	struct vcm *vcm;

	(void)state;
	phys = vcm_phys_alloc(PAGE, 0, NULL);

	/* Only phys: nothing to reserve or bind with. */
	vcm = mock_new(&phys_only_ops, &log);
	assert_ptr_equal(vcm_reserve(vcm, PAGE, 0), vcm_err_ptr(-EOPNOTSUPP));
	assert_ptr_equal(vcm_map(vcm, phys, 0), vcm_err_ptr(-EOPNOTSUPP));
	assert_ptr_equal(vcm_make_binding(vcm, PAGE, 0, 0), vcm_err_ptr(-EOPNOTSUPP));
	/* Nothing was allocated for the binding that could not be made. */
	assert_int_equal(log.calls[OP_PHYS], 0);
	assert_int_equal(soc_free(), free0 - PAGE);
	assert_int_equal(phys->bindings.counter, 0);
	mock_destroy(vcm, &log);

	/* res but no bind: no vcm_map() either. */
	vcm = mock_new(&res_only_ops, &log);
	assert_ptr_equal(vcm_map(vcm, phys, 0), vcm_err_ptr(-EOPNOTSUPP));
	assert_ptr_equal(vcm_make_binding(vcm, PAGE, 0, 0), vcm_err_ptr(-EOPNOTSUPP));
	assert_int_equal(log.calls[OP_RES] + log.calls[OP_PHYS] + log.calls[OP_UNRESERVE], 0);
	mock_destroy(vcm, &log);

	/* No phys, no alloc: no allocation. */
	vcm = mock_new(&bind_only_ops, &log);
	assert_ptr_equal(vcm_alloc(vcm, PAGE, 0), vcm_err_ptr(-EOPNOTSUPP));
	assert_ptr_equal(vcm_make_binding(vcm, PAGE, 0, 0), vcm_err_ptr(-EOPNOTSUPP));
	assert_ptr_equal(vcm_reserve(vcm, PAGE, 0), vcm_err_ptr(-EOPNOTSUPP));
	/* No activate op: activation only counts. */
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(vcm->activations.counter, 1);
	EXPECT_WARNINGS(0, vcm_deactivate(vcm));
	assert_int_equal(vcm->activations.counter, 0);
	mock_destroy(vcm, &log);

	assert_int_equal(soc_free(), free0 - PAGE);
	vcm_free(phys);
	assert_int_equal(soc_free(), free0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_errors, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_page_rounding, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_size_zero, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_bad_pointers, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_bind_errors, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_bind_empty_phys, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_bind_unsupported, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_unbind_nothing, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_free_bound_phys, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_unreserve_bound, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_activation_counted, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_activate_failure, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_deactivate_inactive, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_active, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_with_reservations, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_without_cleanup, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_make_destroy_binding, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_binding_unbound, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_binding_shared, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_map_unmap, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_map_failure, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_share_many, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_map_op, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_res_bind, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_alloc_op, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_missing_ops, soc_setup,
						soc_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_warnings, default_warnings);
}
