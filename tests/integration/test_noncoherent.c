// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_noncoherent.c - drivers on a coherent and on a non-coherent SoC:
 * a camera-style driver that forgets the invalidate after the device wrote
 * the frame, one that forgets the clean before the device reads, a correct
 * driver, an unaligned USERPTR buffer sharing its last cache line with a
 * live variable, a page-table write without a clean, one page mapped per
 * call into a libvcm page table, and the kernel's
 * names (<vcm/kernel.h>) and libvcm's sync calls on res, phys and userptr.
 * Each scenario runs twice: coherent (the bug does not show) and
 * non-coherent (it shows, and is reported).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vcm.h>
#include <vcm/kernel.h>

#include "cache_util.h"
#include "pgtable.h"

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define WINDOW		0x20000000ULL
#define WINDOW_SIZE	(16ULL << 20)
#define FRAME		(2 * (size_t)VCM_PAGE_SIZE)
#define LINE		VCM_CACHE_LINE_DEFAULT

struct ctx {
	bool nc;
	struct vcm_soc *soc;
	struct vcm_sysmmu *mmu;
	struct vcm *vcm;
	uint8_t *area;			/* page-aligned, 3 pages */
	vcm_size_t free0;
};

static const bool coherent = false, noncoherent = true;

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->nc = *(const bool *)*state;
	c->soc = cache_soc(RAM_BASE, RAM_SIZE, c->nc);
	vcm_soc_set_current(c->soc);
	c->mmu = vcm_sysmmu_create(c->soc, "fimc0");
	assert_false(vcm_is_err(c->mmu));
	c->vcm = vcm_iommu_create(c->mmu, WINDOW, WINDOW_SIZE);
	assert_false(vcm_is_err(c->vcm));
	assert_int_equal(vcm_activate(c->vcm), 0);
	c->area = aligned_alloc(VCM_PAGE_SIZE, 3 * VCM_PAGE_SIZE);
	assert_non_null(c->area);
	memset(c->area, 0, 3 * VCM_PAGE_SIZE);
	c->free0 = vcm_soc_free_bytes(c->soc);
	cache_warnings_reset();
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(vcm_soc_free_bytes(c->soc), c->free0);
	vcm_deactivate(c->vcm);
	vcm_destroy(c->vcm);
	vcm_sysmmu_destroy(c->mmu);
	test_soc_release(c->soc);
	test_warnings_default();
	free(c->area);
	free(c);
	return 0;
}

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

static struct vcm_userptr *get(struct ctx *c, void *buf, size_t size)
{
	struct vcm_userptr *up = vcm_userptr_get(c->vcm, buf, size, 0);

	assert_false(vcm_is_err_or_null(up));
	return up;
}

static vcm_addr_t pa_of(struct ctx *c, vcm_addr_t dva)
{
	vcm_addr_t pa;

	assert_int_equal(vcm_sysmmu_translate(c->mmu, dva, VCM_ACCESS_READ, &pa), 0);
	return pa;
}

/* The camera writes a frame; the driver forgets vcm_userptr_sync_for_cpu(). */
static void test_camera_forgets_invalidate(void **state)
{
	struct ctx *c = *state;
	uint8_t frame[FRAME], got[64];
	struct vcm_userptr *up;
	char line[48];
	vcm_addr_t pa;

	pattern(frame, FRAME, 1);
	up = get(c, c->area, FRAME);
	assert_int_equal(vcm_userptr_sync_for_device(up, VCM_DMA_FROM_DEVICE), 0);	/* QBUF */
	assert_int_equal(vcm_dma_write(c->mmu, up->dva, frame, FRAME), 0);
	/* DQBUF without the finish: the application reads its buffer */
	pa = pa_of(c, up->dva);
	if (!c->nc) {
		assert_memory_equal(c->area, frame, FRAME);
		assert_int_equal(vcm_soc_phys_read(c->soc, pa, got, sizeof(got)), 0);
		assert_int_equal(cache_warnings, 0);
		vcm_userptr_put(up);
		assert_int_equal(cache_warnings, 0);
		return;
	}
	assert_int_equal(c->area[0], 0);		/* the old bytes */
	assert_int_equal(c->area[FRAME - 1], 0);
	assert_int_equal(vcm_soc_phys_read(c->soc, pa, got, sizeof(got)), 0);
	assert_int_equal(got[0], 0);
	assert_int_equal(cache_warnings, 1);
	snprintf(line, sizeof(line), "line %#llx", (unsigned long long)pa);
	assert_true(cache_warned(line));
	assert_true(cache_warned("written by fimc0"));
	assert_true(cache_warned("clean+invalidate"));	/* the last maintenance */
	vcm_userptr_put(up);				/* reported once per page */
	assert_int_equal(cache_warnings, 1 + FRAME / VCM_PAGE_SIZE);
	assert_true(cache_warned("never saw"));
}

/* The application fills a buffer; the driver forgets the sync for device. */
static void test_encoder_forgets_clean(void **state)
{
	struct ctx *c = *state;
	uint8_t got[FRAME];
	struct vcm_sysmmu_stats st;
	struct vcm_userptr *up;
	char dva[48];

	pattern(c->area, FRAME, 2);
	up = get(c, c->area, FRAME);
	assert_int_equal(vcm_dma_read(c->mmu, up->dva, got, FRAME), 0);
	vcm_sysmmu_get_stats(c->mmu, &st);
	if (!c->nc) {
		assert_memory_equal(got, c->area, FRAME);
		assert_int_equal(cache_warnings, 0);
		assert_int_equal(st.stale_dma_reads, 0);
	} else {
		assert_memory_not_equal(got, c->area, LINE);	/* RAM's stale bytes */
		assert_true(cache_warnings >= 1);	/* one per contiguous step */
		snprintf(dva, sizeof(dva), "DVA %#llx,", (unsigned long long)up->dva);
		assert_true(cache_warned("fimc0: stale DMA read"));
		assert_true(cache_warned(dva));
		assert_true(cache_warned("none since the page was pinned"));
		assert_int_equal(st.stale_dma_reads, FRAME / LINE);
	}
	vcm_userptr_put(up);
}

/* The right calls at QBUF and DQBUF, both ways: no warning, right bytes. */
static void test_correct_driver(void **state)
{
	struct ctx *c = *state;
	uint8_t frame[FRAME], got[FRAME];
	struct vcm_cache_stats st;
	struct vcm_userptr *up;

	/* capture: the device writes */
	pattern(frame, FRAME, 3);
	up = get(c, c->area, FRAME);
	assert_int_equal(vcm_userptr_sync_for_device(up, VCM_DMA_FROM_DEVICE), 0);
	assert_int_equal(vcm_dma_write(c->mmu, up->dva, frame, FRAME), 0);
	assert_int_equal(vcm_userptr_sync_for_cpu(up, VCM_DMA_FROM_DEVICE), 0);
	assert_memory_equal(c->area, frame, FRAME);

	/* output: the application writes, the device reads */
	pattern(c->area, FRAME, 4);
	assert_int_equal(vcm_userptr_sync_for_device(up, VCM_DMA_TO_DEVICE), 0);
	assert_int_equal(vcm_dma_read(c->mmu, up->dva, got, FRAME), 0);
	assert_memory_equal(got, c->area, FRAME);
	assert_int_equal(vcm_userptr_sync_for_cpu(up, VCM_DMA_TO_DEVICE), 0);
	vcm_userptr_put(up);
	assert_int_equal(cache_warnings, 0);
	vcm_soc_get_cache_stats(c->soc, &st);
	assert_int_equal(st.stale_device_reads + st.stale_cpu_reads + st.stale_walks, 0);
	if (c->nc)
		assert_true(st.cleans > 0 && st.invalidates > 0);
}

/*
 * An unaligned buffer whose last cache line also holds a live variable the
 * application writes while the device fills the buffer: the invalidate at
 * DQBUF takes the variable back to what RAM holds.
 */
static void test_unaligned_buffer_live_neighbour(void **state)
{
	struct ctx *c = *state;
	uint8_t *buf = c->area + LINE;
	size_t size = VCM_PAGE_SIZE - LINE - 8;		/* ends 8 bytes before a line end */
	int32_t *live = (int32_t *)(buf + size);	/* in the buffer's last line */
	uint8_t frame[VCM_PAGE_SIZE];
	struct vcm_cache_stats st;
	struct vcm_userptr *up;

	*live = 1;
	pattern(frame, size, 5);
	up = get(c, buf, size);
	assert_int_equal(vcm_userptr_sync_for_device(up, VCM_DMA_FROM_DEVICE), 0);
	assert_int_equal(vcm_dma_write(c->mmu, up->dva, frame, size), 0);
	*live = 2;					/* meanwhile, on the CPU */
	assert_int_equal(vcm_userptr_sync_for_cpu(up, VCM_DMA_FROM_DEVICE), 0);
	assert_memory_equal(buf, frame, size);
	vcm_soc_get_cache_stats(c->soc, &st);
	if (!c->nc) {
		assert_int_equal(*live, 2);
		assert_int_equal(cache_warnings, 0);
	} else {
		assert_int_equal(*live, 1);		/* lost, as on the hardware */
		assert_int_equal(cache_warnings, 1);
		assert_true(cache_warned("outside the range"));
		assert_true(cache_warned("align USERPTR buffers to 32"));
		assert_int_equal(st.lost_cpu_writes, 1);
	}
	vcm_userptr_put(up);
}

/*
 * A driver with its own page-table code writes a section entry and forgets
 * to clean it: the walker reads RAM, finds no entry and faults; the stale
 * entry is reported.  After the clean the device reaches the memory.
 */
static void test_pgtable_write_without_clean(void **state)
{
	struct ctx *c = *state;
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(c->soc, "g2d");
	struct vcm_sysmmu_stats st;
	struct vcm_cache_stats cst;
	const unsigned idx = 0x123;
	vcm_addr_t lv1, sect;
	uint32_t *table;
	uint8_t b = 0;
	char line[48];

	assert_int_equal(vcm_soc_alloc_pages(c->soc, VCM_LV1_TABLE_ORDER, &lv1), 0);
	assert_int_equal(vcm_soc_alloc_pages(c->soc, VCM_LV1_SHIFT - VCM_PAGE_SHIFT, &sect), 0);
	table = vcm_soc_phys_to_host(c->soc, lv1);
	memset(table, 0, VCM_LV1_TABLE_BYTES);
	dmac_flush_range(table, table + VCM_LV1_ENTRIES);	/* the empty table is clean */
	vcm_sysmmu_set_pgtable_base(mmu, lv1);
	vcm_sysmmu_set_fault_reports(mmu, false);	/* only the cache model speaks */
	vcm_sysmmu_enable(mmu);

	table[idx] = vcm_mk_section(sect);			/* no clean */
	if (!c->nc) {
		assert_int_equal(vcm_dma_read(mmu, (vcm_addr_t)idx << VCM_LV1_SHIFT, &b, 1), 0);
		assert_int_equal(cache_warnings, 0);
	} else {
		assert_int_equal(vcm_dma_read(mmu, (vcm_addr_t)idx << VCM_LV1_SHIFT, &b, 1),
				 -EFAULT);
		assert_int_equal(cache_warnings, 1);
		snprintf(line, sizeof(line), "PA %#llx,",
			 (unsigned long long)(lv1 + idx * sizeof(uint32_t)));
		assert_true(cache_warned("g2d: walk for DVA 0x12300000"));
		assert_true(cache_warned(line));
		vcm_sysmmu_get_stats(mmu, &st);
		assert_int_equal(st.stale_walks, 1);
		assert_int_equal(st.faults, 1);
		vcm_soc_get_cache_stats(c->soc, &cst);
		assert_int_equal(cst.stale_walks, 1);

		/* the clean s5p-vcm.c did after each write */
		outer_clean_range(lv1 + idx * sizeof(uint32_t), lv1 + (idx + 1) * sizeof(uint32_t));
		assert_int_equal(vcm_dma_read(mmu, (vcm_addr_t)idx << VCM_LV1_SHIFT, &b, 1), 0);
		assert_int_equal(cache_warnings, 1);
	}
	vcm_sysmmu_destroy(mmu);
	vcm_soc_free_pages(c->soc, sect, VCM_LV1_SHIFT - VCM_PAGE_SHIFT);
	vcm_soc_free_pages(c->soc, lv1, VCM_LV1_TABLE_ORDER);
}

/*
 * A driver that maps one page per call (activate_page) into a libvcm page
 * table: every entry written or cleared is cleaned, so the walker (RAM)
 * sees each page mapped and each page unmapped.  Planted: one-page calls
 * that skipped the clean would leave the walker RAM's old entries (faults
 * on mapped pages, stale walks reported).
 */
static void test_one_page_per_call_cleaned(void **state)
{
	struct ctx *c = *state;
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(c->soc, "g2d");
	struct vcm_pgtable *pt = vcm_pgtable_create(c->soc);
	const vcm_size_t page = VCM_PAGE_SIZE;
	struct vcm_sysmmu_stats st;
	vcm_addr_t pa;
	unsigned i;
	uint8_t b;

	assert_int_equal(vcm_soc_alloc_pages(c->soc, 2, &pa), 0);
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_set_fault_reports(mmu, false);
	vcm_sysmmu_enable(mmu);
	for (i = 0; i < 4; i++)
		assert_int_equal(vcm_pgtable_map(pt, WINDOW + i * page, pa + i * page, page, 0), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(vcm_dma_read(mmu, WINDOW + i * page, &b, 1), 0);
	for (i = 1; i < 4; i++)
		assert_int_equal(vcm_pgtable_unmap(pt, WINDOW + i * page, page), page);
	vcm_sysmmu_tlb_invalidate(mmu);
	for (i = 1; i < 4; i++)
		assert_int_equal(vcm_dma_read(mmu, WINDOW + i * page, &b, 1), -EFAULT);
	assert_int_equal(vcm_dma_read(mmu, WINDOW, &b, 1), 0);
	vcm_sysmmu_get_stats(mmu, &st);
	assert_int_equal(st.stale_walks, 0);
	assert_int_equal(cache_warnings, 0);
	assert_int_equal(vcm_pgtable_unmap(pt, WINDOW, page), page);
	vcm_sysmmu_destroy(mmu);
	vcm_pgtable_destroy(pt);
	vcm_soc_free_pages(c->soc, pa, 2);
}

/* libvcm's own page tables need no clean from the driver: map, unmap, map. */
static void test_library_pgtables_are_cleaned(void **state)
{
	struct ctx *c = *state;
	uint8_t got[64];
	int round;

	for (round = 0; round < 3; round++) {
		struct vcm_res *res = vcm_make_binding(c->vcm, 3 * (VCM_PAGE_SIZE << 4), 0, 0);

		assert_false(vcm_is_err(res));
		assert_int_equal(vcm_dma_read(c->mmu, res->start + 0x10000, got, sizeof(got)), 0);
		vcm_destroy_binding(res);
		vcm_sysmmu_tlb_invalidate(c->mmu);
	}
	assert_int_equal(cache_warnings, 0);
}

/* The kernel's names, on the current SoC. */
static void test_kernel_names(void **state)
{
	struct ctx *c = *state;
	struct vcm_sysmmu *dev = vcm_sysmmu_create(c->soc, "mdma");	/* bypass */
	struct scatterlist sg[2];
	vcm_addr_t pa;
	uint8_t *cpu, b, v = 0xab;

	assert_int_equal(vcm_soc_alloc_pages(c->soc, 1, &pa), 0);
	cpu = vcm_soc_phys_to_host(c->soc, pa);

	cpu[0] = 1;
	dma_sync_single_for_device(NULL, pa, 1, DMA_TO_DEVICE);
	assert_int_equal(vcm_dma_read(dev, pa, &b, 1), 0);	
	assert_int_equal(b, 1);
	assert_int_equal(vcm_dma_write(dev, pa + 1, &v, 1), 0);
	dma_sync_single_for_cpu(NULL, pa + 1, 1, DMA_FROM_DEVICE);
	assert_int_equal(cpu[1], 0xab);

	memset(sg, 0, sizeof(sg));
	sg_dma_address(&sg[0]) = pa + 64;
	sg_dma_len(&sg[0]) = 32;
	sg_dma_address(&sg[1]) = pa + VCM_PAGE_SIZE;
	sg_dma_len(&sg[1]) = 32;
	cpu[64] = 2;
	cpu[VCM_PAGE_SIZE] = 3;
	dma_sync_sg_for_device(NULL, sg, 2, DMA_BIDIRECTIONAL);
	assert_int_equal(vcm_dma_read(dev, pa + VCM_PAGE_SIZE, &b, 1), 0);
	assert_int_equal(b, 3);
	assert_int_equal(vcm_dma_write(dev, pa + 64, &v, 1), 0);
	dma_sync_sg_for_cpu(NULL, sg, 2, DMA_FROM_DEVICE);
	assert_int_equal(cpu[64], 0xab);

	cpu[128] = 4;
	dmac_map_area(cpu + 128, 1, DMA_TO_DEVICE);
	assert_int_equal(vcm_dma_read(dev, pa + 128, &b, 1), 0);
	assert_int_equal(b, 4);
	assert_int_equal(vcm_dma_write(dev, pa + 160, &v, 1), 0);
	dmac_unmap_area(cpu + 160, 1, DMA_TO_DEVICE);		/* nothing to do */
	assert_int_equal(cpu[160], c->nc ? 0 : 0xab);
	dmac_unmap_area(cpu + 160, 1, DMA_FROM_DEVICE);
	assert_int_equal(cpu[160], 0xab);

	assert_int_equal(vcm_dma_write(dev, pa + 192, &v, 1), 0);
	outer_inv_range(pa + 192, pa + 193);
	assert_int_equal(cpu[192], 0xab);
	cpu[224] = 5;
	outer_flush_range(pa + 224, pa + 225);
	dmac_map_area(cpu + 256, 1, DMA_FROM_DEVICE);
	assert_int_equal(vcm_dma_read(dev, pa + 224, &b, 1), 0);
	assert_int_equal(b, 5);
	outer_clean_range(pa, pa);				/* empty: nothing */
	dmac_flush_range(cpu, cpu);
	assert_int_equal(cache_warnings, 0);
	vcm_soc_free_pages(c->soc, pa, 1);
	vcm_sysmmu_destroy(dev);
}

/* flush_cache_all()/outer_flush_all(): every line of every bank, both ways. */
static void test_flush_all(void **state)
{
	struct ctx *c = *state;
	struct vcm_sysmmu *dev = vcm_sysmmu_create(c->soc, "mdma");	/* bypass */
	vcm_addr_t pa[2];
	uint8_t *cpu[2], b, v = 0xcd;

	assert_int_equal(vcm_soc_alloc_pages(c->soc, 0, &pa[0]), 0);
	assert_int_equal(vcm_soc_alloc_pages(c->soc, 4, &pa[1]), 0);
	cpu[0] = vcm_soc_phys_to_host(c->soc, pa[0]);
	cpu[1] = vcm_soc_phys_to_host(c->soc, pa[1]);

	cpu[0][100] = 1;
	cpu[1][5000] = 2;
	assert_int_equal(vcm_dma_read(dev, pa[0] + 100, &b, 1), 0);
	assert_int_equal(b, c->nc ? 0 : 1);	/* not cleaned yet */
	cache_warnings_reset();
	flush_cache_all();
	assert_int_equal(vcm_dma_read(dev, pa[0] + 100, &b, 1), 0);
	assert_int_equal(b, 1);
	assert_int_equal(vcm_dma_read(dev, pa[1] + 5000, &b, 1), 0);
	assert_int_equal(b, 2);

	assert_int_equal(vcm_dma_write(dev, pa[1] + 6000, &v, 1), 0);
	outer_flush_all();
	assert_int_equal(cpu[1][6000], 0xcd);
	assert_int_equal(cache_warnings, 0);

	assert_int_equal(vcm_cache_flush_all(NULL), -EINVAL);
	vcm_soc_free_pages(c->soc, pa[0], 0);
	vcm_soc_free_pages(c->soc, pa[1], 4);
	vcm_sysmmu_destroy(dev);
}

/* vcm_res_sync_*(), vcm_phys_sync_*() and the errors of the sync calls. */
static void test_res_phys_sync(void **state)
{
	struct ctx *c = *state;
	struct vcm_res *res = vcm_make_binding(c->vcm, VCM_PAGE_SIZE, 0, 0);
	struct vcm_res *unbound = vcm_reserve(c->vcm, VCM_PAGE_SIZE, 0);
	struct vcm_userptr *up;
	uint8_t *cpu, b;

	assert_false(vcm_is_err(res));
	assert_false(vcm_is_err(unbound));
	cpu = vcm_soc_phys_to_host(c->soc, res->phys->parts[0].start);
	cpu[0] = 7;
	assert_int_equal(vcm_res_sync_for_device(res, VCM_DMA_TO_DEVICE), 0);
	assert_int_equal(vcm_dma_read(c->mmu, res->start, &b, 1), 0);
	assert_int_equal(b, 7);
	b = 8;
	assert_int_equal(vcm_dma_write(c->mmu, res->start, &b, 1), 0);
	assert_int_equal(vcm_res_sync_for_cpu(res, VCM_DMA_FROM_DEVICE), 0);
	assert_int_equal(cpu[0], 8);
	cpu[1] = 9;
	assert_int_equal(vcm_phys_sync_for_device(c->soc, res->phys, VCM_DMA_BIDIRECTIONAL), 0);
	assert_int_equal(vcm_dma_read(c->mmu, res->start + 1, &b, 1), 0);
	assert_int_equal(b, 9);
	assert_int_equal(vcm_phys_sync_for_cpu(NULL, res->phys, VCM_DMA_FROM_DEVICE), 0);
	assert_int_equal(cache_warnings, 0);

	assert_int_equal(vcm_res_sync_for_device(NULL, VCM_DMA_TO_DEVICE), -EINVAL);
	assert_int_equal(vcm_res_sync_for_cpu(vcm_err_ptr(-EINVAL), VCM_DMA_TO_DEVICE), -EINVAL);
	assert_int_equal(vcm_res_sync_for_device(res, VCM_DMA_NONE), -EINVAL);
	assert_int_equal(vcm_res_sync_for_device(unbound, VCM_DMA_TO_DEVICE), -ENOENT);
	assert_int_equal(vcm_phys_sync_for_device(c->soc, NULL, VCM_DMA_TO_DEVICE), -EINVAL);
	assert_int_equal(vcm_phys_sync_for_cpu(c->soc, vcm_err_ptr(-ENOMEM), VCM_DMA_TO_DEVICE),
			 -EINVAL);
	assert_int_equal(vcm_phys_sync_for_cpu(c->soc, res->phys, 42), -EINVAL);
	up = get(c, c->area, 100);
	assert_int_equal(vcm_userptr_sync_for_device(up, VCM_DMA_NONE), -EINVAL);
	assert_int_equal(vcm_userptr_sync_for_cpu(NULL, VCM_DMA_FROM_DEVICE), -EINVAL);
	assert_int_equal(vcm_userptr_sync_for_device(vcm_err_ptr(-EINVAL), VCM_DMA_TO_DEVICE),
			 -EINVAL);
	/* by host address: the pinned page of the application */
	c->area[50] = 0x3c;
	assert_int_equal(vcm_cache_maint_host(NULL, c->area + 50, 1, VCM_CACHE_CLEAN), 0);
	assert_int_equal(vcm_dma_read(c->mmu, up->dva + 50, &b, 1), 0);
	assert_int_equal(b, 0x3c);
	assert_int_equal(cache_warnings, 0);
	vcm_userptr_put(up);
	vcm_unreserve(unbound);
	vcm_destroy_binding(res);
}

#define BOTH(fn)                                                                          \
	cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&coherent), \
	cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&noncoherent)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_camera_forgets_invalidate),
		BOTH(test_encoder_forgets_clean),
		BOTH(test_correct_driver),
		BOTH(test_unaligned_buffer_live_neighbour),
		BOTH(test_pgtable_write_without_clean),
		BOTH(test_library_pgtables_are_cleaned),
		BOTH(test_one_page_per_call_cleaned),
		BOTH(test_kernel_names),
		BOTH(test_res_phys_sync),
		BOTH(test_flush_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
