/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_reentrancy.c - user code that calls back into libvcm, from every
 * kind of callback, in several threads at once (also run under TSan):
 * the warning handler, the fault handler, the four S5P platform
 * callbacks and the MMU driver ops.  Each callback calls public functions
 * that take the library's locks (s5p_vcm_dump(), vcm_find_vcm(),
 * s5p_sysmmu_get(), the SoC allocator, the System MMU) and checks that it
 * runs with no library lock held (a context's ownership aside: see
 * internal.h); a call into the very context a driver op serves is refused
 * with -EDEADLK instead of deadlocking.  The test passes if it ends.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "test_util.h"

#define NTHREADS	3
#define ROUNDS		40
#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(128ULL << 20)
#define MMU_WIN_START	0x10000000ULL
#define MMU_WIN_SIZE	(16ULL << 20)
#define UNMAPPED_DVA	0xF0000000ULL
#define PAGE		VCM_PAGE_SIZE

static atomic_ulong errors;		/* checks failed in threads */
static atomic_ulong calls[8];		/* callbacks seen, by kind */
static FILE *devnull;

enum { CB_WARN, CB_FAULT, CB_TLB, CB_PGD, CB_ALLOC, CB_FREE, CB_MMU_MAP, CB_MMU_UNMAP };

static void check(int ok)
{
	if (!ok)
		atomic_fetch_add(&errors, 1);
}

/* What every callback does: calls that take each library lock. */
static void call_around(enum vcm_dev_id id)
{
	struct vcm_sysmmu *mmu = s5p_sysmmu_get(id);

	check(!vcm_is_err(mmu));
	s5p_vcm_dump(devnull);
	vcm_find_vcm(id);
	vcm_sysmmu_readl(mmu, VCM_SYSMMU_INT_STATUS);
	vcm_soc_free_bytes(vcm_soc_current());
	vcm_warn_count();
}

/* ---- the warning and fault handlers: no lock at all ---- */

static void warn_handler(const char *msg, void *priv)
{
	(void)msg;
	(void)priv;
	atomic_fetch_add(&calls[CB_WARN], 1);
	check(vcm_locks_held == 0);
	call_around(VCM_DEV_MDMA);
}

static int fault_handler(struct vcm_sysmmu *mmu, const struct vcm_fault *f, void *priv)
{
	struct vcm *vcm = priv;

	atomic_fetch_add(&calls[CB_FAULT], 1);
	check(vcm_locks_held == 0);
	check(f->dva == UNMAPPED_DVA);
	call_around(VCM_DEV_MDMA);
	vcm_sysmmu_writel(mmu, VCM_SYSMMU_INT_CLEAR, ~0U);
	vcm_deactivate(vcm);	/* not active: a warning inside the handler */
	return -EFAULT;
}

/* ---- the S5P callbacks: only the context's ownership ---- */

static void tlb_invalidator(enum vcm_dev_id id)
{
	atomic_fetch_add(&calls[CB_TLB], 1);
	check(vcm_locks_held <= 1);
	call_around(id);
	vcm_sysmmu_tlb_invalidate(s5p_sysmmu_get(id));
}

static void pgd_base_specifier(enum vcm_dev_id id, unsigned long base)
{
	struct vcm_sysmmu *mmu = s5p_sysmmu_get(id);

	atomic_fetch_add(&calls[CB_PGD], 1);
	check(vcm_locks_held <= 1);
	call_around(id);
	vcm_sysmmu_set_pgtable_base(mmu, base);
	vcm_sysmmu_enable(mmu);
}

static vcm_addr_t phys_alloc(vcm_size_t size, unsigned flags)
{
	vcm_addr_t pa;

	(void)flags;
	atomic_fetch_add(&calls[CB_ALLOC], 1);
	check(vcm_locks_held <= 1);
	call_around(VCM_DEV_MDMA);
	check(size == 16 * PAGE);
	return vcm_soc_alloc_pages(vcm_soc_current(), 4, &pa) ? 0 : pa;
}

static void phys_free(struct vcm_phys *phys)
{
	atomic_fetch_add(&calls[CB_FREE], 1);
	check(vcm_locks_held <= 1);
	call_around(VCM_DEV_MDMA);
	vcm_soc_free_pages(vcm_soc_current(), phys->parts[0].start, 4);
	free(phys);	/* as the shipped layer: phys_free owns the structure */
}

static const struct s5p_vcm_driver s5p_cbs = {
	.tlb_invalidator = tlb_invalidator,
	.pgd_base_specifier = pgd_base_specifier,
	.phys_alloc = phys_alloc,
	.phys_free = phys_free,
};

/* ---- an MMU wrapper context whose driver ops call back ---- */

struct cb_mmu {
	struct vcm_mmu mmu;
	enum vcm_dev_id id;
	unsigned long live;
};

static const unsigned char small_orders[] = { 0, 0 };

static int mmu_page(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *priv, int kind)
{
	struct vcm *vcm = priv;
	struct cb_mmu *m = (struct cb_mmu *)((char *)vcm - offsetof(struct cb_mmu, mmu.vcm));

	(void)va;
	(void)pa;
	(void)order;
	atomic_fetch_add(&calls[kind], 1);
	check(vcm_locks_held <= 1);
	call_around(m->id);
	/* The context this op serves: refused, not a deadlock. */
	check(vcm_ptr_err(vcm_reserve(vcm, PAGE, 0)) == -EDEADLK);
	m->live += kind == CB_MMU_MAP ? 1 : -1UL;
	return 0;
}

static int mmu_map_page(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *priv)
{
	return mmu_page(va, pa, order, priv, CB_MMU_MAP);
}

static int mmu_unmap_page(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *priv)
{
	return mmu_page(va, pa, order, priv, CB_MMU_UNMAP);
}

static const struct vcm_mmu_driver cb_mmu_driver = {
	.orders = small_orders,
	.activate_page = mmu_map_page,
	.deactivate_page = mmu_unmap_page,
};

/* ---- one thread: a device of its own on each layer ---- */

static void s5p_round(struct vcm *d, enum vcm_dev_id id)
{
	struct vcm_sysmmu *mmu = s5p_sysmmu_get(id);
	struct vcm_res *res = vcm_make_binding(d, 16 * PAGE, 0, 0);
	unsigned char byte = 0;

	check(!vcm_is_err(res));
	s5p_vcm_turn_on(d);
	check(vcm_dma_write(mmu, res->start, &byte, 1) == 0);
	check(vcm_dma_read(mmu, UNMAPPED_DVA, &byte, 1) == -EFAULT);
	vcm_destroy_binding(res);	/* active: unmap, TLB callback */
	s5p_vcm_turn_off(d);
	vcm_deactivate(d);		/* inactive: a warning */
}

static void mmu_round(struct vcm *vcm)
{
	struct vcm_phys *phys = vcm_alloc(vcm, 4 * PAGE, 0);
	struct vcm_res *res = vcm_reserve(vcm, 4 * PAGE, 0);

	check(vcm_activate(vcm) == 0);
	check(vcm_bind(res, phys) == 0);
	check(vcm_unbind(res) == phys);
	vcm_unreserve(res);
	vcm_free(phys);
	vcm_deactivate(vcm);
}

static void *worker(void *arg)
{
	enum vcm_dev_id id = (enum vcm_dev_id)(VCM_DEV_FIMC0 + (intptr_t)arg);
	struct vcm *d = vcm_create_unified(S5P_VCM_WINDOW_SIZE, id, &s5p_cbs);
	struct cb_mmu *m = calloc(1, sizeof(*m));
	struct vcm *vcm;
	unsigned i;

	check(!vcm_is_err(d));
	m->id = id;
	m->mmu.vcm.start = MMU_WIN_START;
	m->mmu.vcm.size = MMU_WIN_SIZE;
	m->mmu.driver = &cb_mmu_driver;
	vcm = vcm_mmu_init(&m->mmu);
	check(!vcm_is_err(vcm));
	vcm_sysmmu_set_fault_handler(s5p_sysmmu_get(id), fault_handler, d);
	for (i = 0; i < ROUNDS; i++) {
		s5p_round(d, id);
		mmu_round(vcm);
	}
	check(m->live == 0);
	vcm_sysmmu_set_fault_handler(s5p_sysmmu_get(id), NULL, NULL);
	vcm_destroy(vcm);
	vcm_destroy(d);
	return NULL;
}

static void callbacks_call_back(void **state)
{
	struct vcm_soc *soc = test_soc_current(RAM_BASE, RAM_SIZE);
	pthread_t t[NTHREADS];
	intptr_t i;

	(void)state;
	devnull = fopen("/dev/null", "w");
	assert_non_null(devnull);
	vcm_set_warn_handler(warn_handler, NULL);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	test_warnings_quiet();
	fclose(devnull);
	assert_int_equal(atomic_load(&errors), 0);
	for (i = 0; i < 8; i++)
		assert_true(atomic_load(&calls[i]) > 0);
	/* The S5P state went with the last context; the SoC is whole. */
	test_soc_release(soc);
	test_warnings_default();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(callbacks_call_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
