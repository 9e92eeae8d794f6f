/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vcm_test_common.h - helpers shared by the VCM API tests: a quiet,
 * counting warning handler and a private SoC per test.
 *
 * Include after <cmocka.h>.
 */
#ifndef VCM_TEST_COMMON_H
#define VCM_TEST_COMMON_H

#include <stdlib.h>
#include <string.h>

#include <vcm.h>

#include "test_util.h"

#define TEST_RAM_BASE	0x40000000ULL
#define TEST_RAM_SIZE	(64ULL << 20)
#define KIB		1024ULL
#define MIB		(1024ULL * 1024ULL)
#define PAGE		VCM_PAGE_SIZE

/* Group setup/teardown: keep the output quiet, restore the default after. */
static inline int quiet_warnings(void **state)
{
	(void)state;
	test_warnings_quiet();
	return 0;
}

static inline int default_warnings(void **state)
{
	(void)state;
	test_warnings_default();
	return 0;
}

/*
 * EXPECT_WARNINGS() - run @stmt and assert it raised exactly @n warnings,
 * both in vcm_warn_count() and through the installed handler.
 */
#define EXPECT_WARNINGS(n, stmt)						\
	do {									\
		unsigned long w0_ = vcm_warn_count();				\
		unsigned long h0_ = atomic_load(&test_warnings);		\
		stmt;								\
		assert_int_equal(vcm_warn_count() - w0_, (n));			\
		assert_int_equal(atomic_load(&test_warnings) - h0_, (n));	\
	} while (0)

/* A private SoC with @size bytes of RAM at TEST_RAM_BASE, made current. */
static inline struct vcm_soc *test_soc_new(vcm_size_t size)
{
	return test_soc_current(TEST_RAM_BASE, size);
}

/* Every page must be back: then drop the SoC, without a warning. */
static inline void test_soc_done(struct vcm_soc *soc)
{
	EXPECT_WARNINGS(0, test_soc_release(soc));
}

/* Test setup/teardown making *state a fresh current SoC of TEST_RAM_SIZE. */
static inline int soc_setup(void **state)
{
	*state = test_soc_new(TEST_RAM_SIZE);
	return 0;
}

static inline int soc_teardown(void **state)
{
	test_soc_done(*state);
	return 0;
}

static inline void test_phys_free(struct vcm_phys *phys)
{
	free(phys);
}

/* A hand-made phys of @count parts (its free releases the struct only). */
static inline struct vcm_phys *test_phys_new(unsigned count, const vcm_addr_t *starts,
					     const vcm_size_t *sizes)
{
	struct vcm_phys *phys = calloc(1, sizeof(*phys) + count * sizeof(phys->parts[0]));
	unsigned i;

	assert_non_null(phys);
	phys->count = count;
	for (i = 0; i < count; i++) {
		phys->parts[i].start = starts[i];
		phys->parts[i].size = sizes[i];
		phys->size += sizes[i];
	}
	phys->free = test_phys_free;
	return phys;
}

static inline unsigned bindings_of(const struct vcm_phys *phys)
{
	return (unsigned)__atomic_load_n(&phys->bindings.counter, __ATOMIC_ACQUIRE);
}

#endif /* VCM_TEST_COMMON_H */
