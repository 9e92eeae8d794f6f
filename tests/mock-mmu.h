/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mock-mmu.h - a recording MMU driver for tests: the MMU wrapper over a
 * page table of one entry per 4 KiB page of a 16 MiB window, which notes
 * any map over a mapping or unmap of something not mapped like that.
 * Include after <cmocka.h> and <vcm.h>.
 */
#ifndef VCM_TESTS_MOCK_MMU_H
#define VCM_TESTS_MOCK_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define WIN_START 0x20000000ULL
#define WIN_SIZE (16ULL << 20)
#define PAGE 4096ULL

static const unsigned char mock_orders[] = { 8, 4, 0 };

struct mock {
	struct vcm_mmu mmu;
	vcm_addr_t pte[WIN_SIZE / PAGE];
	long mapped;		/* pages */
	bool bad;		/* a map over a mapping, or an unmap of nothing */
};

static inline struct mock *to_mock(void *vcm)
{
	return (struct mock *)((char *)vcm - offsetof(struct mock, mmu.vcm));
}

static inline int mock_map(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct mock *m = to_mock(vcm);
	uint64_t i, first = (va - WIN_START) / PAGE;

	for (i = 0; i < (1ULL << order); i++) {
		m->bad |= m->pte[first + i] != 0;
		m->pte[first + i] = pa + i * PAGE;
	}
	m->mapped += 1L << order;
	return 0;
}

static inline int mock_unmap(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct mock *m = to_mock(vcm);
	uint64_t i, first = (va - WIN_START) / PAGE;

	for (i = 0; i < (1ULL << order); i++) {
		m->bad |= m->pte[first + i] != pa + i * PAGE;
		m->pte[first + i] = 0;
	}
	m->mapped -= 1L << order;
	return 0;
}

static const struct vcm_mmu_driver mock_driver = {
	.orders = mock_orders,
	.activate_page = mock_map,
	.deactivate_page = mock_unmap,
};

static inline struct vcm *mock_create(struct mock **out)
{
	struct mock *m = calloc(1, sizeof(*m));
	struct vcm *vcm;

	assert_non_null(m);
	m->mmu.vcm.start = WIN_START;
	m->mmu.vcm.size = WIN_SIZE;
	m->mmu.driver = &mock_driver;
	vcm = vcm_mmu_init(&m->mmu);
	assert_false(vcm_is_err(vcm));
	*out = m;
	return vcm;
}

#endif /* VCM_TESTS_MOCK_MMU_H */
