// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_cache.c - the non-coherent cache model of a SoC: switching it on,
 * clean/invalidate/flush at line granularity, the stale-data checks of
 * device and CPU reads, the lost bytes of shared lines, random eviction,
 * and the errors.  The device is a System MMU in bypass (DVA == PA).
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

#include "cache_util.h"

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(16ULL << 20)
#define LINE		VCM_CACHE_LINE_DEFAULT

struct fix {
	struct vcm_soc *soc;
	struct vcm_sysmmu *dev;		/* bypass: a device that sees PAs */
	vcm_addr_t pa;			/* one allocated page */
	uint8_t *cpu;			/* the CPU's view of it */
};

static int fix_setup_cfg(void **state, const struct vcm_cache_config *cfg)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->soc = test_soc_ram(RAM_BASE, RAM_SIZE);
	assert_int_equal(vcm_soc_set_noncoherent(f->soc, cfg), 0);
	f->dev = vcm_sysmmu_create(f->soc, "dev0");
	assert_false(vcm_is_err(f->dev));
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &f->pa), 0);
	f->cpu = vcm_soc_phys_to_host(f->soc, f->pa);
	assert_non_null(f->cpu);
	cache_warnings_reset();
	*state = f;
	return 0;
}

static int fix_setup(void **state)
{
	return fix_setup_cfg(state, NULL);
}

static int fix_setup_evict(void **state)
{
	struct vcm_cache_config cfg = { .evict_permille = VCM_CACHE_EVICT_MAX, .seed = 7 };

	return fix_setup_cfg(state, &cfg);
}

static int fix_teardown(void **state)
{
	struct fix *f = *state;

	vcm_soc_free_pages(f->soc, f->pa, 0);
	vcm_sysmmu_destroy(f->dev);
	test_soc_release(f->soc);
	test_warnings_default();
	free(f);
	return 0;
}

static struct vcm_cache_stats stats(struct vcm_soc *soc)
{
	struct vcm_cache_stats st;

	vcm_soc_get_cache_stats(soc, &st);
	return st;
}

/* ---- switching the model on ---- */

static void test_set_noncoherent(void **state)
{
	struct vcm_cache_config bad_line = { .line_size = 24 };
	struct vcm_cache_config small = { .line_size = 8 };
	struct vcm_cache_config big = { .line_size = 512 };
	struct vcm_cache_config bad_evict = { .evict_permille = 1001 };
	struct vcm_cache_config line64 = { .line_size = 64 };
	struct vcm_soc *soc = test_soc_ram(RAM_BASE, RAM_SIZE);
	struct vcm_cache_stats st;
	vcm_addr_t pa;

	(void)state;
	assert_int_equal(vcm_soc_cache_line(soc), 0);
	assert_int_equal(vcm_soc_cache_line(NULL), 0);
	assert_int_equal(vcm_soc_set_noncoherent(NULL, NULL), -EINVAL);
	assert_int_equal(vcm_soc_set_noncoherent(vcm_err_ptr(-ENOMEM), NULL), -EINVAL);
	assert_int_equal(vcm_soc_set_noncoherent(soc, &bad_line), -EINVAL);
	assert_int_equal(vcm_soc_set_noncoherent(soc, &small), -EINVAL);
	assert_int_equal(vcm_soc_set_noncoherent(soc, &big), -EINVAL);
	assert_int_equal(vcm_soc_set_noncoherent(soc, &bad_evict), -EINVAL);

	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa), 0);
	assert_int_equal(vcm_soc_set_noncoherent(soc, NULL), -EBUSY);
	vcm_soc_free_pages(soc, pa, 0);
	assert_int_equal(vcm_soc_cache_line(soc), 0);

	assert_int_equal(vcm_soc_set_noncoherent(soc, &line64), 0);
	assert_int_equal(vcm_soc_cache_line(soc), 64);
	assert_int_equal(vcm_soc_set_noncoherent(soc, NULL), -EALREADY);
	/* a bank added later is non-coherent too */
	assert_int_equal(vcm_soc_add_ram(soc, RAM_BASE + RAM_SIZE, RAM_SIZE), 0);
	assert_int_equal(vcm_cache_maint(soc, RAM_BASE + RAM_SIZE, 64, VCM_CACHE_FLUSH), 0);

	vcm_soc_get_cache_stats(soc, NULL);
	vcm_soc_get_cache_stats(NULL, &st);
	assert_int_equal(st.cleans + st.invalidates, 0);
	test_soc_release(soc);
}

static void test_coherent_does_nothing(void **state)
{
	struct vcm_soc *soc = test_soc_ram(RAM_BASE, RAM_SIZE);
	struct vcm_cache_stats st;

	(void)state;
	assert_int_equal(vcm_cache_maint(soc, RAM_BASE, 100, VCM_CACHE_CLEAN), 0);
	assert_int_equal(vcm_cache_maint(soc, 0, 100, VCM_CACHE_INV), 0);	/* not even checked */
	assert_int_equal(vcm_cache_sync_for_device(soc, RAM_BASE, 100, VCM_DMA_TO_DEVICE), 0);
	assert_int_equal(vcm_cache_sync_for_cpu(soc, RAM_BASE, 100, VCM_DMA_FROM_DEVICE), 0);
	vcm_soc_get_cache_stats(soc, &st);
	assert_int_equal(st.cleans + st.invalidates + st.stale_device_reads, 0);
	test_soc_release(soc);
}

static void test_maint_errors(void **state)
{
	struct fix *f = *state;

	assert_int_equal(vcm_cache_maint(NULL, f->pa, 1, VCM_CACHE_CLEAN), -EINVAL);
	assert_int_equal(vcm_cache_maint(f->soc, f->pa, 1, 0), -EINVAL);
	assert_int_equal(vcm_cache_maint(f->soc, f->pa, 1, 7), -EINVAL);
	assert_int_equal(vcm_cache_maint(f->soc, UINT64_MAX - 4, 10, VCM_CACHE_CLEAN), -EINVAL);
	assert_int_equal(vcm_cache_maint(f->soc, 0x1000, 10, VCM_CACHE_CLEAN), -EFAULT);
	assert_int_equal(vcm_cache_maint(f->soc, RAM_BASE + RAM_SIZE - 4, 8, VCM_CACHE_CLEAN),
			 -EFAULT);
	assert_int_equal(vcm_cache_sync_for_device(f->soc, f->pa, 1, VCM_DMA_NONE), -EINVAL);
	assert_int_equal(vcm_cache_sync_for_device(f->soc, f->pa, 1, 9), -EINVAL);
	assert_int_equal(vcm_cache_sync_for_cpu(f->soc, f->pa, 1, VCM_DMA_NONE), -EINVAL);
	assert_int_equal(vcm_cache_sync_for_cpu(NULL, f->pa, 1, VCM_DMA_TO_DEVICE), -EINVAL);
	assert_int_equal(vcm_cache_maint(f->soc, f->pa, 0, VCM_CACHE_FLUSH), 0);
	assert_int_equal(cache_warnings, 0);
}

/* ---- the two copies ---- */

static void test_fresh_page_is_coherent(void **state)
{
	struct fix *f = *state;
	uint8_t buf[64];

	assert_int_equal(vcm_dma_read(f->dev, f->pa, buf, sizeof(buf)), 0);
	assert_int_equal(vcm_soc_phys_read(f->soc, f->pa, buf, sizeof(buf)), 0);
	assert_int_equal(cache_warnings, 0);
}

/*
 * A page written by the CPU, freed without a clean and allocated again is
 * fresh: all copies agree.  The pages are freed and taken again where the
 * page allocator takes its fast path (two free pages of the order, no
 * buddy free), which must tell the model too.
 */
static void test_reused_page_is_fresh(void **state)
{
	enum { NPAGES = 8 };
	struct fix *f = *state;
	vcm_addr_t pa[NPAGES], again;
	uint8_t buf[LINE];
	unsigned i;

	for (i = 0; i < NPAGES; i++)
		assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &pa[i]), 0);
	for (i = 2; i <= 4; i += 2) {		/* their buddies stay allocated */
		memset(vcm_soc_phys_to_host(f->soc, pa[i]), 0x77, LINE);
		vcm_soc_free_pages(f->soc, pa[i], 0);
	}
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &again), 0);
	assert_true(again == pa[2] || again == pa[4]);
	assert_int_equal(vcm_dma_read(f->dev, again, buf, LINE), 0);
	assert_int_equal(buf[0], 0x77);
	assert_int_equal(cache_warnings, 0);
	vcm_soc_free_pages(f->soc, again, 0);
	for (i = 0; i < NPAGES; i++)
		if (i != 2 && i != 4)		/* free already */
			vcm_soc_free_pages(f->soc, pa[i], 0);
	assert_int_equal(test_warnings, 0);
}

static void test_clean_before_device_read(void **state)
{
	struct fix *f = *state;
	struct vcm_sysmmu_stats mst;
	uint8_t buf[LINE];
	char pa[32];

	memset(f->cpu + 2 * LINE, 0x5a, LINE);		/* the CPU writes line 2 */
	assert_int_equal(vcm_dma_read(f->dev, f->pa + 2 * LINE, buf, LINE), 0);
	assert_int_equal(buf[0], 0);			/* RAM's old bytes */
	assert_int_equal(cache_warnings, 1);
	snprintf(pa, sizeof(pa), "line %#llx", (unsigned long long)(f->pa + 2 * LINE));
	assert_true(cache_warned("dev0"));
	assert_true(cache_warned(pa));
	assert_true(cache_warned("none since the page was allocated"));
	assert_int_equal(stats(f->soc).stale_device_reads, 1);
	vcm_sysmmu_get_stats(f->dev, &mst);
	assert_int_equal(mst.stale_dma_reads, 1);

	/* a clean of one byte writes the whole line back */
	assert_int_equal(vcm_cache_maint(f->soc, f->pa + 2 * LINE + 5, 1, VCM_CACHE_CLEAN), 0);
	assert_int_equal(vcm_dma_read(f->dev, f->pa + 2 * LINE, buf, LINE), 0);
	assert_int_equal(buf[0], 0x5a);
	assert_int_equal(buf[LINE - 1], 0x5a);
	assert_int_equal(cache_warnings, 1);
	assert_int_equal(stats(f->soc).cleans, 1);

	/* again dirty: the report names the clean */
	f->cpu[2 * LINE] = 0x11;
	assert_int_equal(vcm_dma_read(f->dev, f->pa + 2 * LINE, buf, 1), 0);
	assert_int_equal(buf[0], 0x5a);
	assert_true(cache_warned("last maintenance: clean"));
}

/*
 * A DMA over clean pages is checked in large pieces (compare, then copy):
 * one dirty byte anywhere in them, written through the CPU's raw pointer
 * (which the model sees only by content), must still be found, reported on
 * its own line and read as RAM holds it.
 */
#define BLOCK_ORDER	2
#define BLOCK_SIZE	(VCM_PAGE_SIZE << BLOCK_ORDER)
#define BLOCK_SKIP	3		/* the transfer starts unaligned */

static void expect_one_stale_line(struct vcm_soc *soc, vcm_addr_t lpa, uint64_t reads)
{
	char line[32];

	snprintf(line, sizeof(line), "line %#llx:", (unsigned long long)lpa);
	assert_int_equal(cache_warnings, 1);
	assert_true(cache_warned(line));
	assert_int_equal(stats(soc).stale_device_reads, reads);
	cache_warnings_reset();
}

static void test_dma_finds_one_dirty_byte(void **state)
{
	static const size_t dirty[] = {
		BLOCK_SKIP,				/* first byte read */
		VCM_PAGE_SIZE - 1,			/* end of a page */
		2 * VCM_PAGE_SIZE + VCM_PAGE_SIZE / 2 + 7,	/* mid-page */
		BLOCK_SIZE - 1,				/* last byte read */
	};
	struct fix *f = *state;
	vcm_addr_t pa, dst;
	uint64_t reads = 0;
	uint8_t *cpu, *buf = malloc(BLOCK_SIZE);
	size_t i, n = BLOCK_SIZE - BLOCK_SKIP;

	assert_non_null(buf);
	assert_int_equal(vcm_soc_alloc_pages(f->soc, BLOCK_ORDER, &pa), 0);
	assert_int_equal(vcm_soc_alloc_pages(f->soc, BLOCK_ORDER, &dst), 0);
	cpu = vcm_soc_phys_to_host(f->soc, pa);
	memset(cpu, 0x33, BLOCK_SIZE);
	assert_int_equal(vcm_cache_maint(f->soc, pa, BLOCK_SIZE, VCM_CACHE_CLEAN), 0);
	for (i = 0; i < sizeof(dirty) / sizeof(dirty[0]); i++) {
		size_t at = dirty[i];

		cpu[at] = 0x44;				/* no libvcm call sees this */
		assert_int_equal(vcm_dma_read(f->dev, pa + BLOCK_SKIP, buf, n), 0);
		assert_int_equal(buf[at - BLOCK_SKIP], 0x33);	/* RAM's byte */
		assert_int_equal(buf[n - 1 - (at == BLOCK_SIZE - 1)], 0x33);
		expect_one_stale_line(f->soc, (pa + at) & ~(vcm_addr_t)(LINE - 1), ++reads);

		/* device to device: the stale byte is what lands in dst's RAM */
		assert_int_equal(vcm_dma_copy(f->dev, dst, f->dev, pa + BLOCK_SKIP, n), 0);
		expect_one_stale_line(f->soc, (pa + at) & ~(vcm_addr_t)(LINE - 1), ++reads);
		assert_int_equal(vcm_dma_read(f->dev, dst + at - BLOCK_SKIP, buf, 1), 0);
		assert_int_equal(buf[0], 0x33);
		assert_int_equal(cache_warnings, 0);

		cpu[at] = 0x33;				/* back to what RAM holds */
		assert_int_equal(vcm_dma_read(f->dev, pa + BLOCK_SKIP, buf, n), 0);
		assert_int_equal(cache_warnings, 0);	/* by content: nothing stale */
	}
	assert_int_equal(stats(f->soc).stale_device_reads, reads);
	vcm_soc_free_pages(f->soc, pa, BLOCK_ORDER);
	vcm_soc_free_pages(f->soc, dst, BLOCK_ORDER);
	free(buf);
}

static void test_device_read_checks_only_bytes_read(void **state)
{
	struct fix *f = *state;
	uint8_t buf[8];

	f->cpu[0] = 1;					/* dirty byte 0 of line 0 */
	assert_int_equal(vcm_dma_read(f->dev, f->pa + 8, buf, sizeof(buf)), 0);
	assert_int_equal(cache_warnings, 0);		/* bytes 8..15 are right */
	assert_int_equal(vcm_dma_read(f->dev, f->pa, buf, 1), 0);
	assert_int_equal(cache_warnings, 1);
}

static void test_invalidate_after_device_write(void **state)
{
	struct fix *f = *state;
	uint8_t frame[2 * LINE], got[2 * LINE];
	char dva[48];

	memset(frame, 0xc3, sizeof(frame));
	assert_int_equal(vcm_dma_write(f->dev, f->pa + LINE, frame, sizeof(frame)), 0);
	assert_int_equal(f->cpu[LINE], 0);		/* the CPU still sees its copy */
	assert_int_equal(vcm_soc_phys_read(f->soc, f->pa + LINE, got, sizeof(got)), 0);
	assert_int_equal(got[0], 0);
	assert_int_equal(cache_warnings, 1);
	snprintf(dva, sizeof(dva), "written by dev0 at DVA %#llx", (unsigned long long)(f->pa + LINE));
	assert_true(cache_warned(dva));
	assert_true(cache_warned("CPU: stale read"));
	assert_int_equal(stats(f->soc).stale_cpu_reads, 2);

	assert_int_equal(vcm_cache_sync_for_cpu(f->soc, f->pa + LINE, sizeof(frame),
						VCM_DMA_FROM_DEVICE), 0);
	assert_int_equal(vcm_soc_phys_read(f->soc, f->pa + LINE, got, sizeof(got)), 0);
	assert_memory_equal(got, frame, sizeof(frame));
	assert_int_equal(f->cpu[LINE], 0xc3);
	assert_int_equal(cache_warnings, 1);
	assert_int_equal(stats(f->soc).invalidates, 2);
}

static void test_to_device_sync_for_cpu_does_nothing(void **state)
{
	struct fix *f = *state;
	uint8_t b = 9;

	assert_int_equal(vcm_dma_write(f->dev, f->pa, &b, 1), 0);
	assert_int_equal(vcm_cache_sync_for_cpu(f->soc, f->pa, 1, VCM_DMA_TO_DEVICE), 0);
	assert_int_equal(f->cpu[0], 0);
	assert_int_equal(vcm_cache_sync_for_cpu(f->soc, f->pa, 1, VCM_DMA_BIDIRECTIONAL), 0);
	assert_int_equal(f->cpu[0], 9);
}

static void test_invalidate_loses_neighbour(void **state)
{
	struct fix *f = *state;
	uint8_t frame[LINE - 8];
	char line[32];

	memset(frame, 0x77, sizeof(frame));
	/* prepare: the buffer is bytes 8.. of line 3; flush it */
	assert_int_equal(vcm_cache_sync_for_device(f->soc, f->pa + 3 * LINE + 8, sizeof(frame),
						   VCM_DMA_FROM_DEVICE), 0);
	assert_int_equal(vcm_dma_write(f->dev, f->pa + 3 * LINE + 8, frame, sizeof(frame)), 0);
	f->cpu[3 * LINE + 2] = 0x42;			/* a live neighbour in the line */
	assert_int_equal(vcm_cache_sync_for_cpu(f->soc, f->pa + 3 * LINE + 8, sizeof(frame),
						VCM_DMA_FROM_DEVICE), 0);
	assert_int_equal(f->cpu[3 * LINE + 2], 0);	/* lost, as on the hardware */
	assert_int_equal(f->cpu[3 * LINE + 8], 0x77);
	assert_int_equal(cache_warnings, 1);
	snprintf(line, sizeof(line), "line %#llx", (unsigned long long)(f->pa + 3 * LINE));
	assert_true(cache_warned(line));
	assert_true(cache_warned("outside the range"));
	assert_int_equal(stats(f->soc).lost_cpu_writes, 1);
}

static void test_clean_over_device_data(void **state)
{
	struct fix *f = *state;
	uint8_t frame[16];

	memset(frame, 0x99, sizeof(frame));
	assert_int_equal(vcm_dma_write(f->dev, f->pa, frame, sizeof(frame)), 0);
	f->cpu[20] = 1;					/* the CPU dirties the line */
	assert_int_equal(vcm_cache_maint(f->soc, f->pa + 20, 1, VCM_CACHE_CLEAN), 0);
	assert_int_equal(vcm_dma_read(f->dev, f->pa, frame, sizeof(frame)), 0);
	assert_int_equal(frame[0], 0);			/* the device's bytes are gone */
	assert_int_equal(cache_warnings, 1);
	assert_true(cache_warned("writes the whole line back"));
	assert_true(cache_warned("dev0"));
	assert_int_equal(stats(f->soc).lost_device_writes, 1);
}

static void test_clean_of_clean_line_keeps_device_data(void **state)
{
	struct fix *f = *state;
	uint8_t b = 0x31, got;

	assert_int_equal(vcm_dma_write(f->dev, f->pa, &b, 1), 0);
	assert_int_equal(vcm_cache_maint(f->soc, f->pa, VCM_PAGE_SIZE, VCM_CACHE_CLEAN), 0);
	assert_int_equal(vcm_dma_read(f->dev, f->pa, &got, 1), 0);
	assert_int_equal(got, 0x31);
	assert_int_equal(cache_warnings, 0);
	assert_int_equal(vcm_cache_maint(f->soc, f->pa, 1, VCM_CACHE_FLUSH), 0);
	assert_int_equal(f->cpu[0], 0x31);
}

static void test_random_eviction_hides(void **state)
{
	struct fix *f = *state;
	uint8_t buf[LINE];

	memset(f->cpu, 0x66, LINE);
	assert_int_equal(vcm_dma_read(f->dev, f->pa, buf, LINE), 0);
	assert_int_equal(buf[0], 0x66);			/* evicted just before */
	assert_int_equal(cache_warnings, 0);
	assert_int_equal(stats(f->soc).evictions, 1);
	assert_int_equal(stats(f->soc).stale_device_reads, 0);
}

static void test_maint_host(void **state)
{
	struct fix *f = *state;
	uint8_t b;
	int x;

	f->cpu[100] = 0x12;
	assert_int_equal(vcm_cache_maint_host(f->soc, f->cpu + 100, 1, VCM_CACHE_CLEAN), 0);
	assert_int_equal(vcm_dma_read(f->dev, f->pa + 100, &b, 1), 0);
	assert_int_equal(b, 0x12);
	assert_int_equal(cache_warnings, 0);
	assert_int_equal(vcm_cache_maint_host(f->soc, &x, sizeof(x), VCM_CACHE_CLEAN), -EFAULT);
	assert_int_equal(cache_warnings, 1);
	assert_int_equal(vcm_cache_maint_host(f->soc, f->cpu, 1, 0), -EINVAL);
	assert_int_equal(vcm_cache_maint_host(vcm_err_ptr(-EINVAL), f->cpu, 1, VCM_CACHE_CLEAN),
			 -EINVAL);
	assert_int_equal(vcm_cache_maint_host(f->soc, (void *)UINTPTR_MAX, 2, VCM_CACHE_CLEAN),
			 -EINVAL);
}

static void test_line_size_parameter(void **state)
{
	struct vcm_cache_config cfg = { .line_size = 64 };
	struct vcm_soc *soc = test_soc_ram(RAM_BASE, RAM_SIZE);
	struct vcm_sysmmu *dev;
	vcm_addr_t pa;
	uint8_t *cpu, buf[64];

	(void)state;
	assert_int_equal(vcm_soc_set_noncoherent(soc, &cfg), 0);
	cache_warnings_reset();
	dev = vcm_sysmmu_create(soc, "dev64");
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa), 0);
	cpu = vcm_soc_phys_to_host(soc, pa);
	memset(cpu, 0x21, 128);
	assert_int_equal(vcm_cache_maint(soc, pa, 1, VCM_CACHE_CLEAN), 0);
	assert_int_equal(vcm_dma_read(dev, pa + 63, buf, 1), 0);	/* same 64-byte line */
	assert_int_equal(buf[0], 0x21);
	assert_int_equal(vcm_dma_read(dev, pa + 64, buf, 1), 0);	/* the next one */
	assert_int_equal(buf[0], 0);
	assert_int_equal(cache_warnings, 1);
	vcm_soc_free_pages(soc, pa, 0);
	vcm_sysmmu_destroy(dev);
	test_warnings_default();
	test_soc_release(soc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_noncoherent),
		cmocka_unit_test(test_coherent_does_nothing),
		cmocka_unit_test(test_line_size_parameter),
		cmocka_unit_test_setup_teardown(test_maint_errors, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_fresh_page_is_coherent, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_reused_page_is_fresh, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_clean_before_device_read, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_device_read_checks_only_bytes_read, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_dma_finds_one_dirty_byte, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_invalidate_after_device_write, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_to_device_sync_for_cpu_does_nothing,
						fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_invalidate_loses_neighbour, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_clean_over_device_data, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_clean_of_clean_line_keeps_device_data,
						fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_random_eviction_hides, fix_setup_evict,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_maint_host, fix_setup, fix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
