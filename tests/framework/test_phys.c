/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_phys.c - vcm_phys_alloc() (largest pages first, fallback, all or
 * nothing) and vcm_phys_walk() (page cutting, recovery).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <vcm/vcm-drv.h>

#include "test_util.h"

#define RAM0 0x40000000ULL
#define KiB (1ULL << 10)
#define MiB (1ULL << 20)

static const unsigned char orders_841[] = { 8, 4, 0 };

static int setup(void **state)
{
	*state = test_soc_current(RAM0, 16 * MiB);
	return 0;
}

static int teardown(void **state)
{
	struct vcm_soc *soc = *state;

	assert_int_equal(vcm_soc_free_bytes(soc), 16 * MiB);
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(soc);
	return 0;
}

static void test_largest_first(void **state)
{
	struct vcm_phys *phys = vcm_phys_alloc(2 * MiB + 68 * KiB, 0, orders_841);
	const vcm_size_t want[] = { MiB, MiB, 64 * KiB, 4 * KiB };
	unsigned i;

	(void)state;
	assert_false(vcm_is_err(phys));
	assert_int_equal(phys->count, 4);
	assert_int_equal(phys->size, 2 * MiB + 68 * KiB);
	assert_int_equal(phys->bindings.counter, 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(phys->parts[i].size, want[i]);
		assert_int_equal(phys->parts[i].start & (want[i] - 1), 0);
	}
	vcm_free(phys);
}

static void test_rounding_and_default_orders(void **state)
{
	unsigned long w0 = vcm_warn_count();
	struct vcm_phys *phys;

	(void)state;
	/* As the kernel: a size that is not a whole number of pages is refused
	 * with a warning, not rounded. */
	assert_ptr_equal(vcm_phys_alloc(5000, 0, NULL), vcm_err_ptr(-EINVAL));
	assert_int_equal(vcm_warn_count(), w0 + 1);
	phys = vcm_phys_alloc(8 * KiB, 0, NULL);
	assert_false(vcm_is_err(phys));
	assert_int_equal(phys->size, 8 * KiB);
	assert_int_equal(phys->count, 2);
	assert_int_equal(phys->parts[0].size, 4 * KiB);
	vcm_free(phys);
}

/* Take every 64 KiB block, give back every other one: no 1 MiB block left. */
static void fragment(struct vcm_soc *soc, vcm_addr_t *held, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		assert_int_equal(vcm_soc_alloc_pages(soc, 4, &held[i]), 0);
	for (i = 0; i < n; i += 2)
		vcm_soc_free_pages(soc, held[i], 4);
}

static void test_fallback_under_fragmentation(void **state)
{
	struct vcm_soc *soc = *state;
	enum { BLOCKS = 16 * MiB / (64 * KiB) };
	vcm_addr_t held[BLOCKS];
	struct vcm_phys *phys;
	unsigned i;

	fragment(soc, held, BLOCKS);
	phys = vcm_phys_alloc(MiB + 4 * KiB, 0, orders_841);
	assert_false(vcm_is_err(phys));
	assert_int_equal(phys->count, 17);
	for (i = 0; i < 16; i++)
		assert_int_equal(phys->parts[i].size, 64 * KiB);
	assert_int_equal(phys->parts[16].size, 4 * KiB);
	vcm_free(phys);
	for (i = 1; i < BLOCKS; i += 2)
		vcm_soc_free_pages(soc, held[i], 4);
}

static void test_all_or_nothing(void **state)
{
	struct vcm_soc *soc = *state;
	struct vcm_phys *phys;
	vcm_addr_t pa;

	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa), 0);
	phys = vcm_phys_alloc(16 * MiB, 0, orders_841);
	assert_true(vcm_is_err(phys));
	assert_int_equal(vcm_ptr_err(phys), -ENOMEM);
	assert_int_equal(vcm_soc_free_bytes(soc), 16 * MiB - 4 * KiB);
	vcm_soc_free_pages(soc, pa, 0);
	phys = vcm_phys_alloc(16 * MiB, 0, orders_841);
	assert_false(vcm_is_err(phys));
	assert_int_equal(vcm_soc_free_bytes(soc), 0);
	vcm_free(phys);
}

static void test_bad_arguments(void **state)
{
	static const unsigned char rising[] = { 4, 8, 0 };
	static const unsigned char too_big[] = { VCM_SOC_MAX_ORDER + 1, 0 };

	(void)state;
	assert_int_equal(vcm_ptr_err(vcm_phys_alloc(0, 0, orders_841)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_phys_alloc(UINT64_MAX - 10, 0, orders_841)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_phys_alloc(4096, 0, rising)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_phys_alloc(4096, 0, too_big)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_phys_alloc_soc(NULL, 4096, 0, NULL)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_phys_alloc(17 * MiB, 0, orders_841)), -ENOMEM);
}

struct walk_log {
	unsigned calls, fail_at;
	vcm_addr_t va[64], pa[64];
	unsigned order[64];
	unsigned recovered;
	vcm_addr_t rec_va[64];
};

static int log_page(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *priv)
{
	struct walk_log *log = priv;

	if (log->calls == log->fail_at)
		return -EIO;
	log->va[log->calls] = va;
	log->pa[log->calls] = pa;
	log->order[log->calls] = order;
	log->calls++;
	return 0;
}

static int recover_page(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *priv)
{
	struct walk_log *log = priv;

	assert_int_equal(pa, log->pa[log->recovered]);
	assert_int_equal(order, log->order[log->recovered]);
	log->rec_va[log->recovered++] = va;
	return 0;
}

static void test_walk_orders_and_alignment(void **state)
{
	struct vcm_phys *phys = vcm_phys_alloc(2 * MiB + 68 * KiB, 0, orders_841);
	struct walk_log log = { .fail_at = ~0u };

	(void)state;
	/* Aligned: the parts themselves. */
	assert_int_equal(vcm_phys_walk(0x10000000, phys, orders_841, log_page, NULL, &log), 0);
	assert_int_equal(log.calls, 4);
	assert_int_equal(log.order[0], 8);
	assert_int_equal(log.order[1], 8);
	assert_int_equal(log.order[2], 4);
	assert_int_equal(log.order[3], 0);
	assert_int_equal(log.va[1], 0x10100000);
	assert_int_equal(log.va[3], 0x10210000);
	/* DVA only 64 KiB aligned: the 1 MiB parts become 64 KiB pages. */
	memset(&log, 0, sizeof(log));
	log.fail_at = ~0u;
	assert_int_equal(vcm_phys_walk(0x10010000, phys, orders_841, log_page, NULL, &log), 0);
	assert_int_equal(log.calls, 32 + 1 + 1);
	assert_int_equal(log.order[0], 4);
	assert_int_equal(log.pa[1], phys->parts[0].start + 64 * KiB);
	vcm_free(phys);
}

static void test_walk_recovery(void **state)
{
	struct vcm_phys *phys = vcm_phys_alloc(2 * MiB + 68 * KiB, 0, orders_841);
	struct walk_log log = { .fail_at = 3 };
	unsigned i;

	(void)state;
	assert_int_equal(vcm_phys_walk(0x10000000, phys, orders_841, log_page, recover_page, &log),
			 -EIO);
	assert_int_equal(log.calls, 3);
	assert_int_equal(log.recovered, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(log.rec_va[i], log.va[i]);
	/* Failing on the first page: recovery is not called at all. */
	memset(&log, 0, sizeof(log));
	assert_int_equal(vcm_phys_walk(0x10000000, phys, orders_841, log_page, recover_page, &log),
			 -EIO);
	assert_int_equal(log.recovered, 0);
	/* Failing inside a part cut into 64 KiB pages: exactly the 5 done go. */
	memset(&log, 0, sizeof(log));
	log.fail_at = 5;
	assert_int_equal(vcm_phys_walk(0x10010000, phys, orders_841, log_page, recover_page, &log),
			 -EIO);
	assert_int_equal(log.recovered, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(log.rec_va[i], 0x10010000 + i * 64 * KiB);
	/* Bad arguments */
	assert_int_equal(vcm_phys_walk(0x10000800, phys, orders_841, log_page, NULL, &log), -EINVAL);
	assert_int_equal(vcm_phys_walk(0x10000000, NULL, orders_841, log_page, NULL, &log), -EINVAL);
	assert_int_equal(vcm_phys_walk(0x10000000, phys, orders_841, NULL, NULL, &log), -EINVAL);
	vcm_free(phys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_largest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rounding_and_default_orders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback_under_fragmentation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_orders_and_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_recovery, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
