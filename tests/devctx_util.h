/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * devctx_util.h - helpers of the device-context tests (test_iommu.c,
 * test_s5p.c): a SoC made current for the test, warning counting, CPU
 * access to a phys, and System MMU statistics.
 */
#ifndef TESTS_DEVCTX_UTIL_H
#define TESTS_DEVCTX_UTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vcm.h>

#include "test_util.h"

#define T_RAM_BASE	0x40000000ULL
#define T_RAM_SIZE	(256ULL << 20)
#define T_4K		0x1000ULL
#define T_64K		0x10000ULL
#define T_1M		0x100000ULL
#define T_4G		0x100000000ULL

/* A fresh SoC, made current, and warnings counted quietly. */
static inline struct vcm_soc *t_soc_current(void)
{
	struct vcm_soc *soc = test_soc_current(T_RAM_BASE, T_RAM_SIZE);

	test_warnings_quiet();
	return soc;
}

/* CPU access to the bytes of a phys, @off bytes in, within one part. */
static inline vcm_addr_t t_phys_pa(const struct vcm_phys *phys, vcm_size_t off)
{
	unsigned i;

	for (i = 0; i < phys->count; i++) {
		if (off < phys->parts[i].size)
			return phys->parts[i].start + off;
		off -= phys->parts[i].size;
	}
	fail_msg("offset past the phys");
	return 0;
}

static inline void t_cpu_write(const struct vcm_phys *phys, vcm_size_t off, const void *src,
			       size_t len)
{
	assert_int_equal(vcm_soc_phys_write(vcm_soc_current(), t_phys_pa(phys, off), src, len), 0);
}

static inline void t_cpu_read(const struct vcm_phys *phys, vcm_size_t off, void *dst, size_t len)
{
	assert_int_equal(vcm_soc_phys_read(vcm_soc_current(), t_phys_pa(phys, off), dst, len), 0);
}

static inline struct vcm_sysmmu_stats t_stats(const struct vcm_sysmmu *mmu)
{
	struct vcm_sysmmu_stats st;

	vcm_sysmmu_get_stats(mmu, &st);
	return st;
}

static inline uint32_t t_ctrl(struct vcm_sysmmu *mmu)
{
	return vcm_sysmmu_readl(mmu, VCM_SYSMMU_CTRL);
}

static inline uint32_t t_base(struct vcm_sysmmu *mmu)
{
	return vcm_sysmmu_readl(mmu, VCM_SYSMMU_PT_BASE_ADDR);
}

/* Every free page of a SoC, taken so that the next allocation fails. */
struct t_hog {
	struct vcm_soc *soc;
	unsigned n;
	vcm_addr_t pa[4096];
	unsigned char order[4096];
};

static inline struct t_hog *t_hog_all(struct vcm_soc *soc)
{
	struct t_hog *h = calloc(1, sizeof(*h));
	int order;

	assert_non_null(h);
	h->soc = soc;
	for (order = VCM_SOC_MAX_ORDER; order >= 0; order--)
		while (h->n < 4096 && !vcm_soc_alloc_pages(soc, (unsigned)order, &h->pa[h->n]))
			h->order[h->n++] = (unsigned char)order;
	assert_int_equal(vcm_soc_free_bytes(soc), 0);
	return h;
}

static inline void t_hog_free(struct t_hog *h)
{
	while (h->n--)
		vcm_soc_free_pages(h->soc, h->pa[h->n], h->order[h->n]);
	free(h);
}

static inline void t_fill(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

#endif /* TESTS_DEVCTX_UTIL_H */
