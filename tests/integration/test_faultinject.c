/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_faultinject.c - make the N-th allocation fail, for every N, in
 * representative operations, and check the library copes.
 *
 * The injection is the library's own, <vcm/fault-inject.h>: vcm_fail_nth(N)
 * makes the N-th allocation of this thread fail, whatever its site (host
 * memory, simulated pages, DVA, page tables, pins).  For each scenario the
 * operation runs once to count its allocations; then for N = 1..count, on
 * a fresh fixture, the N-th allocation fails.  The operation must either
 * succeed anyway (a fallback, e.g. smaller pages) or fail with one of the
 * scenario's documented errnos, raise no warning, leave the state as it was
 * (SoC free bytes, reservations, mapped pages), and succeed when tried
 * again.  The fixture teardown then proves nothing was lost; valgrind
 * proves no host memory leaked.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>
#include <vcm.h>

#include "vcm-internal.h"

#include "mock-mmu.h"
#include "test_util.h"

#define RAM0 0x40000000ULL
#define RAM_SIZE (32ULL << 20)
#define MiB (1ULL << 20)
#define DEV_START 0x10000000ULL
#define DEV_SIZE (16ULL << 20)

/* ---- the injection: <vcm/fault-inject.h>'s fail_nth ---- */

static struct {
	unsigned long calls;		/* allocations the operation made */
	int failed_site;		/* what the failing one was, -1 */
} inj = { .failed_site = -1 };

/* Count the thread's allocations from here on; the @fail_at-th fails. */
static void arm(unsigned long fail_at)
{
	vcm_fail_nth(fail_at ? fail_at : ULONG_MAX);
}

static void disarm(void)
{
	struct vcm_fail_event ev;

	inj.calls = vcm_fail_thread_calls();
	inj.failed_site = vcm_fail_last(&ev) ? -1 : (int)ev.site;
	vcm_fail_nth(0);
}

/* ---- the fixture ---- */

struct fx {
	struct vcm_soc *soc;
	struct vcm *mmu, *o2o, *vmm, *iommu;
	struct vcm_sysmmu *smmu;
	struct mock *mock;
	struct vcm_phys *phys;		/* prepared by a scenario */
	struct vcm_res *res;		/* made by the operation */
	struct vcm_phys *made;		/* made by the operation */
	struct vcm *ctx;		/* made by the operation */
	struct vcm_soc *made_soc;	/* made by the operation */
	struct vcm_sysmmu *made_mmu;	/* made by the operation */
	struct vcm_pgtable *pt;		/* prepared by a scenario */
	struct vcm_userptr *up;		/* made by the operation */
	unsigned char *ubuf;		/* prepared by a scenario */
};

/* What must not change when an operation fails. */
struct snap {
	vcm_size_t free;
	unsigned long warns, nres[4];
	long mapped, dev_mapped;
};

/* Pages of the IOMMU context's window its System MMU translates. */
static long dev_mapped(const struct fx *f)
{
	vcm_addr_t dva, pa;
	long n = 0;

	for (dva = DEV_START; dva < DEV_START + DEV_SIZE; dva += PAGE)
		n += !vcm_sysmmu_translate(f->smmu, dva, VCM_ACCESS_READ, &pa);
	return n;
}

static void snapshot(const struct fx *f, struct snap *s)
{
	s->free = vcm_soc_free_bytes(f->soc);
	s->warns = vcm_warn_count();
	s->nres[0] = vcm_core_nres(vcm_core(f->mmu));
	s->nres[1] = vcm_core_nres(vcm_core(f->o2o));
	s->nres[2] = vcm_core_nres(vcm_core(f->vmm));
	s->nres[3] = vcm_core_nres(vcm_core(f->iommu));
	s->mapped = f->mock->mapped;
	s->dev_mapped = dev_mapped(f);
}

static void fx_setup(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->soc = test_soc_current(RAM0, RAM_SIZE);
	f->mmu = mock_create(&f->mock);
	f->o2o = vcm_onetoone_create(f->soc);
	f->vmm = vcm_vmm_create(f->soc);
	assert_false(vcm_is_err(f->o2o) || vcm_is_err(f->vmm));
	assert_int_equal(vcm_activate(f->mmu), 0);
	f->smmu = vcm_sysmmu_create(f->soc, "faultinject");
	vcm_sysmmu_set_fault_reports(f->smmu, false);	/* snapshot() probes unmapped pages */
	f->iommu = vcm_iommu_create(f->smmu, DEV_START, DEV_SIZE);
	assert_false(vcm_is_err(f->iommu));
	assert_int_equal(vcm_activate(f->iommu), 0);
}

static void fx_teardown(struct fx *f)
{
	unsigned long w0 = vcm_warn_count();

	vcm_deactivate(f->mmu);
	assert_int_equal(f->mock->mapped, 0);
	assert_false(f->mock->bad);
	assert_int_equal(dev_mapped(f), 0);
	vcm_deactivate(f->iommu);
	vcm_destroy(f->iommu);
	vcm_sysmmu_destroy(f->smmu);
	vcm_destroy(f->mmu);
	vcm_destroy(f->o2o);
	vcm_destroy(f->vmm);
	assert_int_equal(vcm_soc_free_bytes(f->soc), RAM_SIZE);
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(f->soc);
	assert_int_equal(vcm_warn_count(), w0);
}

/*
 * struct scenario - one operation under injection.
 * @prepare: state the operation needs (not counted), may be NULL.
 * @op: the operation: 0 or a negative errno.
 * @undo: release what a successful @op made (checking it first).
 * @unprepare: release what @prepare made, may be NULL.
 * @errnos: the errors a failed allocation may give, 0-terminated.
 */
struct scenario {
	const char *name;
	void (*prepare)(struct fx *f);
	long (*op)(struct fx *f);
	void (*undo)(struct fx *f);
	void (*unprepare)(struct fx *f);
	long errnos[4];
};

static long ptr_ret(const void *p)
{
	return vcm_is_err(p) ? vcm_ptr_err(p) : 0;
}


static bool allowed(const struct scenario *s, long ret)
{
	unsigned i;

	for (i = 0; s->errnos[i]; i++)
		if (ret == s->errnos[i])
			return true;
	return false;
}

static void run_once(const struct scenario *s, unsigned long fail_at, unsigned long *calls,
		     unsigned long *by_errno, unsigned long *fallbacks)
{
	struct snap before, after;
	struct fx f;
	long ret;

	fx_setup(&f);
	if (s->prepare)
		s->prepare(&f);
	snapshot(&f, &before);
	arm(fail_at);
	ret = s->op(&f);
	disarm();
	if (calls)
		*calls = inj.calls;
	if (!fail_at || inj.failed_site < 0 || !ret) {
		/* no failure injected, or the library fell back: it worked */
		if (fail_at && inj.failed_site >= 0)
			(*fallbacks)++;
		assert_int_equal(ret, 0);
	} else {
		if (!allowed(s, ret))
			fail_msg("%s: failing allocation %lu (%s) gave %ld", s->name, fail_at,
				 vcm_fail_site_name(inj.failed_site), ret);
		/* -ENOSPC is for an address range that is not free, never for a
		 * failed host allocation (the CPU view's mmap(): #11 item 8) */
		if (inj.failed_site == VCM_FAIL_HOST && ret == -ENOSPC)
			fail_msg("%s: failing host allocation %lu gave -ENOSPC", s->name, fail_at);
		snapshot(&f, &after);
		if (after.free != before.free || after.warns != before.warns ||
		    memcmp(after.nres, before.nres, sizeof(after.nres)) ||
		    after.mapped != before.mapped || after.dev_mapped != before.dev_mapped)
			fail_msg("%s: failing allocation %lu (%s) gave %ld but changed the state: "
				 "free %#llx -> %#llx, warnings +%lu, mapped %ld -> %ld, device "
				 "pages %ld -> %ld", s->name, fail_at, vcm_fail_site_name(inj.failed_site),
				 ret, (unsigned long long)before.free,
				 (unsigned long long)after.free, after.warns - before.warns,
				 before.mapped, after.mapped, before.dev_mapped, after.dev_mapped);
		by_errno[-ret]++;
		/* the same operation works afterwards */
		assert_int_equal(s->op(&f), 0);
	}
	s->undo(&f);
	if (s->unprepare)
		s->unprepare(&f);
	fx_teardown(&f);
}

static void walk(const struct scenario *s)
{
	unsigned long calls, n, fallbacks = 0, by_errno[256] = { 0 };
	unsigned e;

	run_once(s, 0, &calls, by_errno, &fallbacks);
	assert_true(calls > 0);
	for (n = 1; n <= calls; n++)
		run_once(s, n, NULL, by_errno, &fallbacks);
	printf("  %-28s %3lu allocations:", s->name, calls);
	for (e = 1; e < 256; e++)
		if (by_errno[e])
			printf(" %lu x %s", by_errno[e], strerrorname_np((int)e));
	if (fallbacks)
		printf(" %lu x succeeded (fallback)", fallbacks);
	printf("\n");
}

/* ---- scenarios ---- */

static void undo_res(struct fx *f)
{
	vcm_destroy_binding(f->res);
}

static void unmap_res(struct fx *f)
{
	vcm_unmap(f->res);
}

static void free_phys(struct fx *f)
{
	vcm_free(f->phys);
}

/* vcm_make_binding of mixed page sizes on an active MMU context */
static long make_binding_mmu(struct fx *f)
{
	f->res = vcm_make_binding(f->mmu, 2 * MiB + 68 * 1024, 0, 0);
	if (!vcm_is_err(f->res))
		assert_int_equal(f->mock->mapped, (long)((2 * MiB + 68 * 1024) / PAGE));
	return ptr_ret(f->res);
}

static void prepare_phys_mmu(struct fx *f)
{
	f->phys = vcm_alloc(f->mmu, 300 * PAGE, 0);
	assert_false(vcm_is_err(f->phys));
}

static long map_mmu(struct fx *f)
{
	f->res = vcm_map(f->mmu, f->phys, 0);
	if (!vcm_is_err(f->res))
		assert_int_equal(f->mock->mapped, 300);
	return ptr_ret(f->res);
}

static long map_vmm(struct fx *f)
{
	f->res = vcm_map(f->vmm, f->phys, 0);
	if (vcm_is_err(f->res))
		return ptr_ret(f->res);
	/* the view works: bytes written through it are at the PA */
	memset((void *)(uintptr_t)f->res->start, 0x5a, PAGE);
	assert_int_equal(*(unsigned char *)vcm_soc_phys_to_host(f->soc, f->phys->parts[0].start),
			 0x5a);
	return 0;
}

static long make_binding_o2o(struct fx *f)
{
	f->res = vcm_make_binding(f->o2o, 40 * PAGE, 0, 0);
	return ptr_ret(f->res);
}

static long alloc_many_parts(struct fx *f)
{
	f->made = vcm_phys_alloc(40 * PAGE, 0, NULL);
	if (!vcm_is_err(f->made))
		assert_int_equal(f->made->count, 40);
	return ptr_ret(f->made);
}

static void free_made(struct fx *f)
{
	vcm_free(f->made);
}

static long reserve_bind_mmu(struct fx *f)
{
	int ret;

	f->res = vcm_reserve(f->mmu, 400 * PAGE, 0);
	if (vcm_is_err(f->res))
		return ptr_ret(f->res);
	ret = vcm_bind(f->res, f->phys);
	if (ret)
		vcm_unreserve(f->res);
	return ret;
}

static long create_mmu_ctx(struct fx *f)
{
	struct mock *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->mmu.vcm.start = WIN_START;
	m->mmu.vcm.size = WIN_SIZE;
	m->mmu.driver = &mock_driver;
	f->ctx = vcm_mmu_init(&m->mmu);
	if (vcm_is_err(f->ctx))
		free(m);
	return ptr_ret(f->ctx);
}

static long create_o2o_ctx(struct fx *f)
{
	f->ctx = vcm_onetoone_create(f->soc);
	return ptr_ret(f->ctx);
}

static long create_vmm_ctx(struct fx *f)
{
	f->ctx = vcm_vmm_create(f->soc);
	return ptr_ret(f->ctx);
}

static void destroy_ctx(struct fx *f)
{
	vcm_destroy(f->ctx);
}

static long create_soc(struct fx *f)
{
	int ret;

	f->made_soc = vcm_soc_create();
	if (vcm_is_err(f->made_soc))
		return ptr_ret(f->made_soc);
	ret = vcm_soc_add_ram(f->made_soc, 0x80000000ULL, 64 * MiB);
	if (ret)
		vcm_soc_destroy(f->made_soc);
	return ret;
}

static void destroy_soc(struct fx *f)
{
	vcm_soc_destroy(f->made_soc);
}


/* Device contexts: page-table growth under an active IOMMU context. */
static void prepare_phys_dev(struct fx *f)
{
	/* 1 MiB + 64 KiB + 12 KiB: a section, a large page, small pages */
	f->phys = vcm_alloc(f->iommu, MiB + 76 * 1024, 0);
	assert_false(vcm_is_err(f->phys));
}

static long map_iommu(struct fx *f)
{
	unsigned char buf[8] = { 0 };

	f->res = vcm_map(f->iommu, f->phys, 0);
	if (vcm_is_err(f->res))
		return ptr_ret(f->res);
	assert_int_equal(vcm_dma_write(f->smmu, f->res->start + MiB + 70 * 1024, buf, 8), 0);
	return 0;
}

static long make_binding_iommu(struct fx *f)
{
	f->res = vcm_make_binding(f->iommu, 3 * MiB + 20 * 1024, 0, 0);
	return ptr_ret(f->res);
}

/* Activation replays three reservations into a fresh table. */
static void prepare_inactive(struct fx *f)
{
	unsigned i;

	f->made_mmu = vcm_sysmmu_create(f->soc, "replay");
	f->ctx = vcm_iommu_create(f->made_mmu, DEV_START, DEV_SIZE);
	assert_false(vcm_is_err(f->ctx));
	for (i = 0; i < 3; i++)
		assert_false(vcm_is_err(vcm_make_binding(f->ctx, (i + 1) * 100 * PAGE, 0, 0)));
}

static long activate_replay(struct fx *f)
{
	int ret = vcm_activate(f->ctx);

	if (ret) {
		/* Counted all the same, as in the kernel: the caller owes the
		 * deactivation, which leaves the System MMU off. */
		assert_int_equal(f->ctx->activations.counter, 1);
		vcm_deactivate(f->ctx);
		assert_int_equal(f->ctx->activations.counter, 0);
		assert_int_equal(vcm_sysmmu_readl(f->made_mmu, VCM_SYSMMU_CTRL) &
				 VCM_SYSMMU_CTRL_MMU_EN, 0);
	}
	return ret;
}

static void deactivate_ctx(struct fx *f)
{
	vcm_deactivate(f->ctx);
}

static void destroy_inactive(struct fx *f)
{
	unsigned long w0 = vcm_warn_count();
	struct vcm_res_iter it;
	struct vcm_res *res;

	/* its reservations go with it (one warning); free their phys first */
	vcm_core_for_each_res(res, it, vcm_core(f->ctx))
		vcm_destroy_binding(res);
	vcm_destroy(f->ctx);
	vcm_sysmmu_destroy(f->made_mmu);
	assert_int_equal(vcm_warn_count(), w0);
}

static void prepare_pt(struct fx *f)
{
	f->pt = vcm_pgtable_create(f->soc);
	assert_false(vcm_is_err(f->pt));
}

static long pgtable_map(struct fx *f)
{
	vcm_addr_t pa;
	int ret = vcm_pgtable_map(f->pt, 3 * MiB - 64 * 1024 - 2 * PAGE, RAM0 + MiB - 64 * 1024 -
				  2 * PAGE, 2 * MiB + 68 * 1024, 0);

	if (ret)
		assert_int_equal(vcm_pgtable_dva_to_phys(f->pt, 3 * MiB, &pa), -ENOENT);
	return ret;
}

static void pgtable_unmap(struct fx *f)
{
	assert_int_equal(vcm_pgtable_unmap(f->pt, 3 * MiB - 64 * 1024 - 2 * PAGE,
					   2 * MiB + 68 * 1024), 2 * MiB + 68 * 1024);
}

static void destroy_pt(struct fx *f)
{
	vcm_pgtable_destroy(f->pt);
}

static long create_pgtable(struct fx *f)
{
	f->pt = vcm_pgtable_create(f->soc);
	return ptr_ret(f->pt);
}

static long create_sysmmu(struct fx *f)
{
	f->made_mmu = vcm_sysmmu_create(f->soc, "made");
	return ptr_ret(f->made_mmu);
}

static void destroy_sysmmu(struct fx *f)
{
	vcm_sysmmu_destroy(f->made_mmu);
}

static void prepare_sysmmu(struct fx *f)
{
	f->made_mmu = vcm_sysmmu_create(f->soc, "for-iommu");
	assert_false(vcm_is_err(f->made_mmu));
}

static long create_iommu(struct fx *f)
{
	f->ctx = vcm_iommu_create(f->made_mmu, DEV_START, DEV_SIZE);
	return ptr_ret(f->ctx);
}

static long create_unified(struct fx *f)
{
	f->ctx = vcm_create_unified(5 * MiB, VCM_DEV_FIMC1, NULL);
	if (vcm_is_err(f->ctx))
		assert_null(vcm_find_vcm(VCM_DEV_FIMC1));
	return ptr_ret(f->ctx);
}

/* User memory: a buffer of five pages, the last one not page-aligned. */
static void prepare_ubuf(struct fx *f)
{
	f->ubuf = mmap(NULL, 6 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f->ubuf != MAP_FAILED);
}

static void unmap_ubuf(struct fx *f)
{
	munmap(f->ubuf, 6 * PAGE);
}

static long pin_user(struct fx *f)
{
	f->made = vcm_phys_from_user(f->soc, f->ubuf + 100, 4 * PAGE, 0);
	return ptr_ret(f->made);
}

static long userptr_get_iommu(struct fx *f)
{
	unsigned char pattern[16];

	f->up = vcm_userptr_get(f->iommu, f->ubuf + 100, 4 * PAGE, 0);
	if (vcm_is_err(f->up))
		return ptr_ret(f->up);
	memset(pattern, 0x3c, sizeof(pattern));
	assert_int_equal(vcm_dma_write(f->smmu, f->up->dva, pattern, sizeof(pattern)), 0);
	assert_memory_equal(f->ubuf + 100, pattern, sizeof(pattern));
	return 0;
}

static long userptr_get_contig(struct fx *f)
{
	f->up = vcm_userptr_get(f->o2o, f->ubuf + 100, 4 * PAGE, VCM_USERPTR_CONTIG);
	return ptr_ret(f->up);
}

static void put_userptr(struct fx *f)
{
	vcm_userptr_put(f->up);
}

static const struct scenario scenarios[] = {
	{ "make_binding (MMU, active)", NULL, make_binding_mmu, undo_res, NULL,
	  { -ENOMEM, -ENOSPC } },
	{ "map (MMU, active)", prepare_phys_mmu, map_mmu, unmap_res, free_phys,
	  { -ENOMEM, -ENOSPC } },
	{ "reserve + bind (MMU, active)", prepare_phys_mmu, reserve_bind_mmu, unmap_res,
	  free_phys, { -ENOMEM, -ENOSPC } },
	{ "map (CPU view)", prepare_phys_mmu, map_vmm, unmap_res, free_phys,
	  { -ENOMEM, -ENOSPC } },
	{ "make_binding (one-to-one)", NULL, make_binding_o2o, undo_res, NULL,
	  { -ENOMEM, -ENOSPC } },
	{ "phys_alloc (40 parts)", NULL, alloc_many_parts, free_made, NULL, { -ENOMEM } },
	{ "mmu_init", NULL, create_mmu_ctx, destroy_ctx, NULL, { -ENOMEM } },
	{ "onetoone_create", NULL, create_o2o_ctx, destroy_ctx, NULL, { -ENOMEM } },
	{ "vmm_create", NULL, create_vmm_ctx, destroy_ctx, NULL, { -ENOMEM } },
	{ "soc_create + add_ram", NULL, create_soc, destroy_soc, NULL, { -ENOMEM } },
	{ "map (IOMMU, active)", prepare_phys_dev, map_iommu, unmap_res, free_phys,
	  { -ENOMEM, -ENOSPC } },
	{ "make_binding (IOMMU, active)", NULL, make_binding_iommu, undo_res, NULL,
	  { -ENOMEM, -ENOSPC } },
	{ "activate (IOMMU, 3 bindings)", prepare_inactive, activate_replay, deactivate_ctx,
	  destroy_inactive, { -ENOMEM } },
	{ "pgtable_map (mixed pages)", prepare_pt, pgtable_map, pgtable_unmap, destroy_pt,
	  { -ENOMEM } },
	{ "pgtable_create", NULL, create_pgtable, destroy_pt, NULL, { -ENOMEM } },
	{ "sysmmu_create", NULL, create_sysmmu, destroy_sysmmu, NULL, { -ENOMEM } },
	{ "iommu_create", prepare_sysmmu, create_iommu, destroy_ctx, destroy_sysmmu,
	  { -ENOMEM } },
	{ "create_unified (S5P)", NULL, create_unified, destroy_ctx, NULL, { -ENOMEM } },
	{ "phys_from_user", prepare_ubuf, pin_user, free_made, unmap_ubuf, { -ENOMEM } },
	{ "userptr_get (IOMMU)", prepare_ubuf, userptr_get_iommu, put_userptr, unmap_ubuf,
	  { -ENOMEM, -ENOSPC } },
	{ "userptr_get (contiguous)", prepare_ubuf, userptr_get_contig, put_userptr, unmap_ubuf,
	  { -ENOMEM, -ENOSPC } },
};

static void test_scenarios(void **state)
{
	unsigned i;

	(void)state;
	test_warnings_quiet();
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		walk(&scenarios[i]);
	test_warnings_default();
}

/*
 * Site by site, through the attributes (not fail_nth): the N-th call at
 * one site fails (interval N, times 1) for every N the operation reaches;
 * the failure is delivered, the operation fails cleanly, vcm_verify()
 * finds the context consistent and vcm_test_leftovers() nothing held.
 */
struct site_fx {
	struct vcm_test *t;
	struct vcm_sysmmu *mmu;
	struct vcm *ctx;
	unsigned char *ubuf;
	struct vcm_userptr *up;
	struct vcm_res *res;
};

/* Pin, reserve, bind a user buffer; allocate and bind mixed pages. */
static long site_op(struct site_fx *f)
{
	f->up = vcm_userptr_get(f->ctx, f->ubuf + 100, 3 * PAGE, 0);
	if (vcm_is_err(f->up))
		return vcm_ptr_err(f->up);
	f->res = vcm_make_binding(f->ctx, MiB + 68 * 1024, 0, 0);
	if (vcm_is_err(f->res)) {
		vcm_userptr_put(f->up);
		return vcm_ptr_err(f->res);
	}
	return 0;
}

static void site_undo(struct site_fx *f)
{
	vcm_destroy_binding(f->res);
	vcm_userptr_put(f->up);
}

static void assert_clean(struct site_fx *f)
{
	struct vcm_mismatch m;

	assert_int_equal(vcm_verify(f->ctx, &m, 1), 0);
	assert_int_equal(vcm_sysmmu_verify(f->mmu, &m, 1), 0);
	assert_int_equal(vcm_test_leftovers(f->t, stderr), 0);
}

static void test_each_site(void **state)
{
	struct vcm_fail_attr a = { .probability = 100, .times = 0 };
	struct vcm_fail_stats st;
	struct site_fx f;
	unsigned s;
	unsigned long n, calls;
	long ret;

	(void)state;
	f.t = vcm_test_begin(RAM0, RAM_SIZE);
	f.mmu = vcm_sysmmu_create(vcm_test_soc(f.t), "sites");
	f.ctx = vcm_iommu_create(f.mmu, DEV_START, DEV_SIZE);
	f.ubuf = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_false(vcm_is_err(f.ctx) || f.ubuf == MAP_FAILED);
	assert_int_equal(vcm_activate(f.ctx), 0);
	assert_int_equal(vcm_test_watch(f.t, f.ctx), 0);
	assert_int_equal(vcm_test_mark(f.t), 0);
	for (s = 0; s < VCM_FAIL_NR_SITES; s++) {
		/* count the site's calls: on, but never failing (times 0) */
		a.times = 0;
		a.interval = 0;
		vcm_fail_attr_set(s, &a);
		assert_int_equal(site_op(&f), 0);
		vcm_fail_stats(s, &st);
		calls = st.calls;
		site_undo(&f);
		assert_true(calls > 0);
		for (n = 1; n <= calls; n++) {
			a.times = 1;
			a.interval = n;
			vcm_fail_attr_set(s, &a);
			ret = site_op(&f);
			vcm_fail_stats(s, &st);
			assert_int_equal(st.failures, 1);	/* delivered */
			vcm_fail_attr_set(s, NULL);
			if (!ret) {				/* a fallback */
				site_undo(&f);
				continue;
			}
			assert_true(ret == -ENOMEM || ret == -ENOSPC);
			assert_clean(&f);
			assert_int_equal(site_op(&f), 0);
			site_undo(&f);
		}
		printf("  site %-8s %3lu calls, each failed in turn\n", vcm_fail_site_name(s), calls);
		assert_clean(&f);
	}
	vcm_test_unwatch(f.t, f.ctx);
	vcm_deactivate(f.ctx);
	vcm_destroy(f.ctx);
	vcm_sysmmu_destroy(f.mmu);
	munmap(f.ubuf, 4 * PAGE);
	assert_int_equal(vcm_test_end(f.t, stderr), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_each_site),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
