/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_dead_soc.c - what was made on a SoC outlives vcm_soc_destroy():
 * pinned user pages, phys, page tables, System MMU models and the
 * contexts on them stay releasable and keep working without touching freed
 * memory, and a new SoC (even one malloc() would put where the old one
 * was) never sees the old one's pins, pages or models, nor the S5P
 * layer's state made on it.  The rule
 * (<vcm/soc.h>, vcm_soc_destroy()): the destroyed handle is dead at once;
 * its memory stays until its last page and holder are gone.  Run under
 * valgrind and ASan by the suite.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pin.h"
#include "soc-internal.h"
#include "test_util.h"

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(16ULL << 20)
#define PAGE		((size_t)VCM_PAGE_SIZE)
#define BUF_PAGES	4
#define DEV_START	0x20000000ULL
#define DEV_SIZE	(1ULL << 20)

#define WARNS(n, stmt)						\
	do {							\
		unsigned long w0_ = vcm_warn_count();		\
		stmt;						\
		assert_int_equal(vcm_warn_count() - w0_, (n));	\
	} while (0)

static int setup(void **state)
{
	(void)state;
	test_warnings_quiet();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(vcm_soc_dead_count(), 0);	/* nothing of a dead SoC left */
	test_warnings_default();
	return 0;
}

/*
 * Destroy a SoC with live pins, then make a new one the way that would
 * land at the old address (same size, right after the free) and pin the
 * same buffer there: a fresh pin at a PA of the new SoC, its own
 * allocator, and the old pins still releasable, freeing nothing of the new
 * SoC.
 */
static void pins_outlive_their_soc(void **state)
{
	unsigned char *buf = aligned_alloc(PAGE, BUF_PAGES * PAGE);
	struct vcm_soc *old = test_soc_ram(RAM_BASE, RAM_SIZE), *soc;
	struct vcm_phys *scattered, *contig, *fresh;
	unsigned char byte = 0;
	unsigned long count;
	vcm_size_t free0;
	vcm_addr_t pa;

	(void)state;
	assert_non_null(buf);
	memset(buf, 0x5a, BUF_PAGES * PAGE);
	scattered = vcm_phys_from_user(old, buf, 2 * PAGE, 0);
	contig = vcm_phys_from_user(old, buf + 2 * PAGE, 2 * PAGE, VCM_USERPTR_CONTIG);
	assert_false(vcm_is_err(scattered) || vcm_is_err(contig));
	assert_int_equal(vcm_pin_pages(old), BUF_PAGES);

	WARNS(1, vcm_soc_destroy(old));		/* pages still allocated */
	soc = test_soc_ram(RAM_BASE, RAM_SIZE);
	free0 = vcm_soc_free_bytes(soc);
	assert_int_equal(free0, RAM_SIZE);
	/* the old handle is dead, and its pins are nobody's */
	WARNS(1, assert_int_equal(vcm_soc_alloc_pages(old, 0, &pa), -EINVAL));
	assert_int_equal(vcm_pin_pages(soc), 0);
	assert_int_equal(vcm_pin_pages(NULL), BUF_PAGES);
	assert_int_equal(vcm_pin_lookup(soc, buf, &pa, &count), -ENOENT);

	fresh = vcm_phys_from_user(soc, buf, BUF_PAGES * PAGE, 0);
	assert_false(vcm_is_err(fresh));
	assert_int_equal(vcm_pin_pages(soc), BUF_PAGES);
	assert_int_equal(vcm_soc_free_bytes(soc), free0 - BUF_PAGES * PAGE);
	assert_int_equal(vcm_pin_lookup(soc, buf, &pa, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(pa, fresh->parts[0].start);
	assert_int_equal(vcm_soc_phys_read(soc, pa, &byte, 1), 0);
	assert_int_equal(byte, 0x5a);

	/* the old pins go with their phys, without a warning, and take
	 * nothing of the new SoC with them */
	WARNS(0, vcm_free(scattered));
	WARNS(0, vcm_free(contig));
	assert_int_equal(vcm_soc_dead_count(), 0);
	assert_int_equal(vcm_pin_pages(NULL), BUF_PAGES);
	assert_int_equal(vcm_soc_free_bytes(soc), free0 - BUF_PAGES * PAGE);
	assert_int_equal(vcm_pin_lookup(soc, buf + 3 * PAGE, &pa, &count), 0);
	assert_int_equal(count, 1);
	buf[0] = 0x77;
	assert_int_equal(vcm_soc_phys_read(soc, fresh->parts[0].start, &byte, 1), 0);
	assert_int_equal(byte, 0x77);

	WARNS(0, vcm_free(fresh));
	assert_int_equal(vcm_soc_free_bytes(soc), free0);
	assert_int_equal(vcm_pin_pages(NULL), 0);
	test_soc_release(soc);
	free(buf);
}

/* A phys of a destroyed SoC goes back to it, never into a new SoC. */
static void phys_outlives_its_soc(void **state)
{
	static const unsigned char orders[] = { 0 };
	struct vcm_soc *old = test_soc_ram(RAM_BASE, RAM_SIZE), *soc;
	struct vcm_phys *phys = vcm_phys_alloc_soc(old, 8 * PAGE, 0, orders);
	vcm_addr_t pa[8];
	unsigned i;

	(void)state;
	assert_false(vcm_is_err(phys));
	WARNS(1, vcm_soc_destroy(old));
	assert_int_equal(vcm_soc_dead_count(), 1);
	soc = test_soc_ram(RAM_BASE, RAM_SIZE);
	for (i = 0; i < 8; i++)		/* the same PAs, now the new SoC's */
		assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa[i]), 0);
	WARNS(0, vcm_free(phys));
	assert_int_equal(vcm_soc_dead_count(), 0);
	assert_int_equal(vcm_soc_free_bytes(soc), RAM_SIZE - 8 * PAGE);
	for (i = 0; i < 8; i++)
		WARNS(0, vcm_soc_free_pages(soc, pa[i], 0));
	test_soc_release(soc);
}

/*
 * A System MMU model, its page table and an iommu context made on a SoC
 * that is then destroyed: DMA still reads what was mapped (the memory is
 * kept), allocating through them fails with a warning, and each is
 * released the usual way, the last release taking the SoC's memory.
 */
static void models_outlive_their_soc(void **state)
{
	struct vcm_soc *old = test_soc_ram(RAM_BASE, RAM_SIZE), *soc;
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(old, "dead");
	struct vcm_pgtable *pt = vcm_pgtable_create(old);
	unsigned char byte = 0;
	vcm_addr_t pa;

	(void)state;
	assert_false(vcm_is_err(mmu) || vcm_is_err(pt));
	assert_int_equal(vcm_soc_alloc_pages(old, 0, &pa), 0);
	assert_int_equal(vcm_soc_phys_write(old, pa, "Z", 1), 0);
	assert_int_equal(vcm_pgtable_map(pt, DEV_START, pa, PAGE, 0), 0);
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_enable(mmu);

	WARNS(1, vcm_soc_destroy(old));
	soc = test_soc_ram(RAM_BASE, RAM_SIZE);
	assert_int_equal(vcm_dma_read(mmu, DEV_START, &byte, 1), 0);
	assert_int_equal(byte, 'Z');
	/* nothing new is made on the dead SoC */
	WARNS(1, assert_true(vcm_is_err(vcm_sysmmu_create(old, "late"))));
	WARNS(1, assert_true(vcm_is_err(vcm_pgtable_create(old))));

	WARNS(0, vcm_soc_free_pages(old, pa, 0));	/* allowed: see <vcm/soc.h> */
	assert_int_equal(vcm_pgtable_unmap(pt, DEV_START, PAGE), PAGE);
	WARNS(0, vcm_pgtable_destroy(pt));
	assert_int_equal(vcm_soc_dead_count(), 1);	/* the model still holds it */
	WARNS(0, vcm_sysmmu_destroy(mmu));
	assert_int_equal(vcm_soc_dead_count(), 0);
	WARNS(2, vcm_soc_free_pages(old, pa, 0));	/* now long gone */
	assert_int_equal(vcm_soc_free_bytes(soc), RAM_SIZE);
	test_soc_release(soc);
}

/* userptrs on an iommu context of a destroyed SoC: put still unpins. */
static void userptr_outlives_its_soc(void **state)
{
	unsigned char *buf = aligned_alloc(PAGE, 2 * PAGE);
	struct vcm_soc *old = test_soc_current(RAM_BASE, RAM_SIZE);
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(old, "dead-userptr");
	struct vcm *ctx = vcm_iommu_create(mmu, DEV_START, DEV_SIZE);
	struct vcm_userptr *up;

	(void)state;
	assert_false(vcm_is_err(mmu) || vcm_is_err(ctx));
	up = vcm_userptr_get(ctx, buf, 2 * PAGE, 0);
	assert_false(vcm_is_err(up));
	vcm_soc_set_current(NULL);
	WARNS(1, vcm_soc_destroy(old));
	assert_int_equal(vcm_pin_pages(NULL), 2);
	WARNS(0, vcm_userptr_put(up));
	assert_int_equal(vcm_pin_pages(NULL), 0);
	vcm_destroy(ctx);
	WARNS(0, vcm_sysmmu_destroy(mmu));
	free(buf);
}

/*
 * The S5P layer's state (its shared table and System MMU models) belongs
 * to one SoC.  Destroyed under live unified contexts, nothing new is made
 * or found through it (warned) until they go; then the layer follows the
 * current SoC, and its models are that SoC's, never the old ones.
 */
static void s5p_state_outlives_its_soc(void **state)
{
	struct vcm_soc *old = test_soc_current(RAM_BASE, RAM_SIZE), *soc;
	struct vcm *ctx = vcm_create_unified(DEV_SIZE, VCM_DEV_FIMC0, NULL);
	struct vcm_sysmmu *mmu = s5p_sysmmu_get(VCM_DEV_FIMC0);
	unsigned char byte = 0;
	vcm_addr_t pa;

	(void)state;
	assert_false(vcm_is_err(ctx) || vcm_is_err(mmu));
	vcm_soc_set_current(NULL);
	WARNS(1, vcm_soc_destroy(old));		/* the shared table's pages */
	soc = test_soc_current(RAM_BASE, RAM_SIZE);
	WARNS(1, assert_ptr_equal(vcm_create_unified(DEV_SIZE, VCM_DEV_FIMC1, NULL),
				  vcm_err_ptr(-ENODEV)));
	WARNS(1, assert_ptr_equal(s5p_sysmmu_get(VCM_DEV_FIMC1), vcm_err_ptr(-ENODEV)));
	assert_ptr_equal(vcm_find_vcm(VCM_DEV_FIMC0), ctx);
	WARNS(0, vcm_destroy(ctx));

	/* now the layer is the new SoC's: its model reads the new RAM */
	mmu = s5p_sysmmu_get(VCM_DEV_FIMC0);
	assert_false(vcm_is_err(mmu));
	assert_int_equal(vcm_soc_dead_count(), 0);
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa), 0);
	assert_int_equal(vcm_soc_phys_write(soc, pa, "N", 1), 0);
	assert_int_equal(vcm_dma_read(mmu, pa, &byte, 1), 0);	/* disabled: DVA is PA */
	assert_int_equal(byte, 'N');
	vcm_soc_free_pages(soc, pa, 0);

	/* the models hold the SoC; the layer lets go when it next looks */
	WARNS(0, test_soc_release(soc));
	assert_int_equal(vcm_soc_dead_count(), 1);
	assert_false(vcm_is_err(s5p_sysmmu_get(VCM_DEV_FIMC0)));	/* the default SoC's */
}

/* Contexts made on a SoC keep it; allocating through them fails, warned. */
static void contexts_outlive_their_soc(void **state)
{
	struct vcm_soc *old = test_soc_ram(RAM_BASE, RAM_SIZE);
	struct vcm *o2o = vcm_onetoone_create(old), *vmm = vcm_vmm_create(old);
	struct vcm_phys *phys;

	(void)state;
	assert_false(vcm_is_err(o2o) || vcm_is_err(vmm));
	WARNS(0, vcm_soc_destroy(old));
	assert_int_equal(vcm_soc_dead_count(), 1);
	WARNS(1, phys = vcm_alloc(o2o, PAGE, 0));
	assert_true(vcm_is_err(phys));
	phys = vcm_alloc(vmm, PAGE, 0);
	assert_true(vcm_is_err(phys));
	WARNS(0, vcm_destroy(o2o));
	assert_int_equal(vcm_soc_dead_count(), 1);
	WARNS(0, vcm_destroy(vmm));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(pins_outlive_their_soc, setup, teardown),
		cmocka_unit_test_setup_teardown(phys_outlives_its_soc, setup, teardown),
		cmocka_unit_test_setup_teardown(models_outlive_their_soc, setup, teardown),
		cmocka_unit_test_setup_teardown(userptr_outlives_its_soc, setup, teardown),
		cmocka_unit_test_setup_teardown(s5p_state_outlives_its_soc, setup, teardown),
		cmocka_unit_test_setup_teardown(contexts_outlive_their_soc, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
