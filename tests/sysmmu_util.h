/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysmmu_util.h - helpers shared by the page-table, System MMU and DMA
 * tests: a SoC per test, an independent decoder of the raw Exynos tables
 * read from SoC RAM, and warning counting (test_util.h).
 *
 * The decoder deliberately uses the literal numbers of the format (as a
 * reader of the SoC manual would), not the library's macros.
 */
#ifndef TESTS_SYSMMU_UTIL_H
#define TESTS_SYSMMU_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vcm/soc.h>
#include <vcm/sysmmu.h>

#include "test_util.h"

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(256ULL << 20)
#define SZ_4K_		0x1000ULL
#define SZ_64K_		0x10000ULL
#define SZ_1M_		0x100000ULL
#define DVA_LIMIT	0x100000000ULL

static inline struct vcm_soc *test_soc(vcm_size_t ram)
{
	return test_soc_ram(RAM_BASE, ram);
}

static inline int under_valgrind(void)
{
	return getenv("VCM_UNDER_VALGRIND") != NULL;
}

static inline uint32_t rd32(struct vcm_soc *soc, uint64_t pa)
{
	uint32_t v;

	assert_int_equal(vcm_soc_phys_read(soc, pa, &v, sizeof(v)), 0);
	return v;
}

/* A raw copy of a whole page table: level 1 and every linked level 2. */
struct pt_snap {
	uint32_t lv1[4096];
	uint64_t lv2_pa[4096];
	uint32_t *lv2[4096];
};

static inline struct pt_snap *snap_take(struct vcm_soc *soc, uint64_t base)
{
	struct pt_snap *s = calloc(1, sizeof(*s));
	unsigned i;

	assert_non_null(s);
	assert_int_equal(vcm_soc_phys_read(soc, base, s->lv1, sizeof(s->lv1)), 0);
	for (i = 0; i < 4096; i++) {
		if ((s->lv1[i] & 3) != 1)
			continue;
		s->lv2_pa[i] = s->lv1[i] & 0xFFFFFC00U;
		s->lv2[i] = malloc(1024);
		assert_non_null(s->lv2[i]);
		assert_int_equal(vcm_soc_phys_read(soc, s->lv2_pa[i], s->lv2[i], 1024), 0);
	}
	return s;
}

static inline void snap_free(struct pt_snap *s)
{
	unsigned i;

	for (i = 0; i < 4096; i++)
		free(s->lv2[i]);
	free(s);
}

static inline int snap_equal(const struct pt_snap *a, const struct pt_snap *b)
{
	unsigned i;

	if (memcmp(a->lv1, b->lv1, sizeof(a->lv1)))
		return 0;
	for (i = 0; i < 4096; i++) {
		if (a->lv2_pa[i] != b->lv2_pa[i])
			return 0;
		if (a->lv2[i] && memcmp(a->lv2[i], b->lv2[i], 1024))
			return 0;
	}
	return 1;
}

static inline unsigned snap_nr_lv2(const struct pt_snap *s)
{
	unsigned i, n = 0;

	for (i = 0; i < 4096; i++)
		n += s->lv2[i] != NULL;
	return n;
}

/*
 * Decode @dva from a snapshot: returns the page size (0x1000, 0x10000,
 * 0x100000) and *pa of the page base, or 0 if unmapped.  Checks that a
 * large page is 16 identical entries at a 64 KiB-aligned DVA.
 */
static inline uint64_t snap_lookup(const struct pt_snap *s, uint64_t dva, uint64_t *pa)
{
	uint32_t e = s->lv1[dva >> 20];
	unsigned i, first;

	switch (e & 3) {
	case 2:
		*pa = e & 0xFFF00000U;
		return SZ_1M_;
	case 1:
		break;
	default:
		return 0;
	}
	e = s->lv2[dva >> 20][(dva >> 12) & 0xFF];
	if (e & 2) {
		*pa = e & 0xFFFFF000U;
		return SZ_4K_;
	}
	if ((e & 3) == 1) {
		first = (unsigned)((dva >> 12) & 0xF0);
		for (i = 0; i < 16; i++)
			assert_int_equal(s->lv2[dva >> 20][first + i], e);
		*pa = e & 0xFFFF0000U;
		return SZ_64K_;
	}
	return 0;
}

#endif /* TESTS_SYSMMU_UTIL_H */
