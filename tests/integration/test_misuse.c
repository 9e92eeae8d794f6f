/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_misuse.c - what a hostile (or careless) user does with handles:
 * release twice, use after release, tear down in the wrong order, and
 * call into libvcm from a warning handler.  Each gets a counted warning
 * and nothing else: no crash, nothing freed twice, nothing leaked (run
 * under valgrind and ASan by the suite).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <vcm/cache.h>
#include <vcm/fault-inject.h>

#include "pin.h"
#include "test_util.h"

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define PAGE		VCM_PAGE_SIZE
#define DEV_START	0x20000000ULL
#define DEV_SIZE	(16ULL << 20)

/* The warnings @stmt raises. */
#define WARNS(n, stmt)						\
	do {							\
		unsigned long w0_ = vcm_warn_count();		\
		stmt;						\
		assert_int_equal(vcm_warn_count() - w0_, (n));	\
	} while (0)

struct fx {
	struct vcm_soc *soc;
	struct vcm_sysmmu *mmu;
	struct vcm *ctx;
	vcm_size_t free0;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	test_warnings_quiet();
	f->soc = test_soc_current(RAM_BASE, RAM_SIZE);
	f->mmu = vcm_sysmmu_create(f->soc, "misuse");
	f->ctx = vcm_iommu_create(f->mmu, DEV_START, DEV_SIZE);
	assert_false(vcm_is_err(f->mmu) || vcm_is_err(f->ctx));
	f->free0 = vcm_soc_free_bytes(f->soc);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->ctx)
		vcm_destroy(f->ctx);
	vcm_sysmmu_destroy(f->mmu);
	test_soc_release(f->soc);
	test_warnings_default();
	free(f);
	return 0;
}

static void double_free(void **state)
{
	struct fx *f = *state;
	struct vcm_phys *phys = vcm_alloc(f->ctx, 4 * PAGE, 0);

	assert_false(vcm_is_err(phys));
	WARNS(0, vcm_free(phys));
	WARNS(1, vcm_free(phys));
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0);
}

static void double_unreserve_and_unmap(void **state)
{
	struct fx *f = *state;
	struct vcm_res *res = vcm_reserve(f->ctx, 4 * PAGE, 0);
	struct vcm_phys *phys = vcm_alloc(f->ctx, PAGE, 0);

	WARNS(0, vcm_unreserve(res));
	WARNS(1, vcm_unreserve(res));
	WARNS(1, vcm_unmap(res));
	WARNS(1, vcm_destroy_binding(res));
	WARNS(1, assert_null(vcm_unbind(res)));
	WARNS(1, assert_int_equal(vcm_bind(res, phys), -EINVAL));
	assert_int_equal(phys->bindings.counter, 0);
	res = vcm_make_binding(f->ctx, PAGE, 0, 0);
	WARNS(0, vcm_destroy_binding(res));
	WARNS(1, vcm_destroy_binding(res));
	vcm_free(phys);
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0);
}

static void double_destroy(void **state)
{
	struct fx *f = *state;
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(f->soc, "twice");
	struct vcm_pgtable *pt = vcm_pgtable_create(f->soc);
	struct vcm *ctx = vcm_onetoone_create(f->soc);
	struct vcm_soc *soc = vcm_soc_create();

	WARNS(0, vcm_destroy(ctx));
	WARNS(1, vcm_destroy(ctx));
	WARNS(1, assert_int_equal(vcm_activate(ctx), -EINVAL));
	WARNS(1, vcm_deactivate(ctx));
	WARNS(1, assert_ptr_equal(vcm_reserve(ctx, PAGE, 0), vcm_err_ptr(-EINVAL)));
	WARNS(0, vcm_pgtable_destroy(pt));
	WARNS(1, vcm_pgtable_destroy(pt));
	WARNS(1, assert_int_equal(vcm_pgtable_map(pt, 0, RAM_BASE, PAGE, 0), -EINVAL));
	WARNS(0, vcm_sysmmu_destroy(mmu));
	WARNS(1, vcm_sysmmu_destroy(mmu));
	WARNS(1, vcm_sysmmu_enable(mmu));
	WARNS(1, assert_int_equal(vcm_dma_write(mmu, 0, "x", 1), -EINVAL));
	WARNS(0, vcm_soc_destroy(soc));
	WARNS(1, vcm_soc_destroy(soc));
	WARNS(1, assert_int_equal(vcm_soc_add_ram(soc, RAM_BASE, PAGE), -EINVAL));
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0);
}

/* A pointer libvcm never made is refused with a warning. */
static void foreign_handles(void **state)
{
	struct fx *f = *state;
	uint64_t junk[64] = { 0 };
	unsigned char buf[4];

	(void)f;
	WARNS(1, vcm_soc_destroy((struct vcm_soc *)junk));
	WARNS(1, vcm_sysmmu_destroy((struct vcm_sysmmu *)junk));
	WARNS(1, assert_int_equal(vcm_dma_read((struct vcm_sysmmu *)junk, 0, buf, 4), -EINVAL));
	WARNS(1, vcm_pgtable_destroy((struct vcm_pgtable *)junk));
	WARNS(1, vcm_userptr_put((struct vcm_userptr *)junk));
	WARNS(1, vcm_unreserve((struct vcm_res *)junk));
	/* A handle of another kind is not this kind. */
	WARNS(1, vcm_sysmmu_destroy((struct vcm_sysmmu *)f->soc));
	WARNS(1, vcm_unreserve((struct vcm_res *)f->ctx));
}

static void double_userptr_put(void **state)
{
	struct fx *f = *state;
	char *buf = aligned_alloc(PAGE, 2 * PAGE);
	struct vcm_userptr *up = vcm_userptr_get(f->ctx, buf, 2 * PAGE, 0);

	assert_false(vcm_is_err(up));
	WARNS(0, vcm_userptr_put(up));
	WARNS(1, vcm_userptr_put(up));
	assert_int_equal(vcm_pin_pages(f->soc), 0);
	free(buf);
}

/*
 * The rule for a context destroyed under live userptrs: the destroy
 * unmaps them (warned: reservations left), the pages stay pinned, and each
 * userptr stays releasable: its put unpins, without a further warning.
 */
static void userptr_after_destroy(void **state)
{
	struct fx *f = *state;
	char *buf = aligned_alloc(PAGE, 3 * PAGE);
	struct vcm_userptr *a = vcm_userptr_get(f->ctx, buf, PAGE, 0);
	struct vcm_userptr *b = vcm_userptr_get(f->ctx, buf + PAGE, 2 * PAGE, 0);

	assert_false(vcm_is_err(a) || vcm_is_err(b));
	assert_int_equal(vcm_pin_pages(f->soc), 3);
	WARNS(1, vcm_destroy(f->ctx));
	f->ctx = NULL;
	assert_int_equal(vcm_pin_pages(f->soc), 3);
	WARNS(0, vcm_userptr_put(a));
	assert_int_equal(vcm_pin_pages(f->soc), 2);
	/* a reservation made where the old one was is not taken down */
	f->ctx = vcm_iommu_create(f->mmu, DEV_START, DEV_SIZE);
	WARNS(0, vcm_userptr_put(b));
	assert_int_equal(vcm_pin_pages(f->soc), 0);
	WARNS(1, vcm_userptr_put(b));
	free(buf);
}

static int count_page(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *priv)
{
	(void)va;
	(void)pa;
	(void)order;
	(*(unsigned *)priv)++;
	return 0;
}

/* Orders past the page allocator's, or not decreasing: -EINVAL, no walk
 * (order 60 used to loop for ever, 64 was an out-of-range shift). */
static void phys_walk_bad_orders(void **state)
{
	static const unsigned char o60[] = { 60, 0 }, o64[] = { 64, 0 }, o200[] = { 200, 8, 0 },
				   up[] = { 4, 8, 0 };
	const unsigned char *bad[] = { o60, o64, o200, up };
	struct fx *f = *state;
	struct vcm_phys *phys = vcm_alloc(f->ctx, 4 * PAGE, 0);
	unsigned i, n = 0;

	for (i = 0; i < 4; i++)
		assert_int_equal(vcm_phys_walk(0, phys, bad[i], count_page, count_page, &n),
				 -EINVAL);
	assert_int_equal(n, 0);
	assert_int_equal(vcm_phys_walk(0, phys, NULL, count_page, NULL, &n), 0);
	assert_int_equal(n, 4);
	vcm_free(phys);
}

/* A huge range that is mostly unmapped is -EFAULT (as the header says),
 * not -ENOMEM from sizing it first. */
static void pin_huge_unmapped(void **state)
{
	struct fx *f = *state;
	char *buf = aligned_alloc(PAGE, PAGE);

	assert_ptr_equal(vcm_phys_from_user(f->soc, buf, 1ULL << 46, 0), vcm_err_ptr(-EFAULT));
	assert_int_equal(vcm_pin_pages(f->soc), 0);
	free(buf);
}

/*
 * With no file descriptor left, /proc/self/maps cannot be read: the
 * permission check cannot be made, so the pin fails (it used to pass and
 * pin a read-only page, which a device write then crashed on).
 */
static void pin_without_descriptors(void **state)
{
	struct fx *f = *state;
	char *buf = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct rlimit old, low;
	int fds[256], n = 0;
	struct vcm_phys *phys;

	assert_true(buf != MAP_FAILED);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 64;
	if (setrlimit(RLIMIT_NOFILE, &low)) {
		munmap(buf, PAGE);
		skip();
	}
	while (n < 256 && (fds[n] = dup(0)) >= 0)
		n++;
	phys = vcm_phys_from_user(f->soc, buf, PAGE, 0);
	while (n)
		close(fds[--n]);
	setrlimit(RLIMIT_NOFILE, &old);
	assert_ptr_equal(phys, vcm_err_ptr(-ENOMEM));
	assert_int_equal(vcm_pin_pages(f->soc), 0);
	/* With descriptors, the same read-only page is refused as such. */
	assert_ptr_equal(vcm_phys_from_user(f->soc, buf, PAGE, 0), vcm_err_ptr(-EFAULT));
	munmap(buf, PAGE);
}

/*
 * The CPU context: when the host cannot put the reservation's hole back
 * over an unbound binding, the binding still goes (its RAM alias is
 * unmapped), with no warning (it used to warn spuriously) and nothing
 * left mapped or leaked.
 */
static void vmm_unbind_host_failure(void **state)
{
	struct fx *f = *state;
	struct vcm *vmm = vcm_vmm_create(f->soc);
	struct vcm_phys *phys = vcm_alloc(vmm, 2 * PAGE, 0);
	struct vcm_res *res = vcm_map(vmm, phys, 0);

	assert_false(vcm_is_err(phys) || vcm_is_err(res));
	assert_int_equal(vcm_fail_nth(1), 0);	/* the hole's mmap() */
	WARNS(0, vcm_unmap(res));
	assert_int_equal(vcm_fail_nth_left(), 0);
	vcm_fail_nth(0);
	WARNS(0, vcm_free(phys));
	WARNS(0, vcm_destroy(vmm));
	assert_int_equal(vcm_soc_free_bytes(f->soc), f->free0);
}

/*
 * A level-2 table that lies in a pinned user page: after the unpin and
 * munmap() the TLB still holds the translation, and its next hit must not
 * touch the gone page (the entry holds the table entry's PA, as hardware
 * does, not a host pointer): a stale hit, warned, no crash.
 */
static void tlb_entry_from_gone_user_page(void **state)
{
	const vcm_addr_t dva = 0x30000000;
	struct fx *f = *state;
	struct vcm_pgtable *pt = vcm_pgtable_create(f->soc);
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(f->soc, "user-table");
	uint32_t *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
	struct vcm_phys *pinned = vcm_phys_from_user(f->soc, page, PAGE, 0);
	vcm_addr_t target, got, l1e = vcm_pgtable_base(pt) + (dva >> 20) * sizeof(uint32_t);
	uint32_t link, zero = 0;

	assert_false(vcm_is_err(pt) || vcm_is_err(mmu) || vcm_is_err(pinned));
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &target), 0);
	page[0] = (uint32_t)target | 2;				/* a 4 KiB page */
	link = (uint32_t)pinned->parts[0].start | 1;		/* level-2 table there */
	assert_int_equal(vcm_soc_phys_write(f->soc, l1e, &link, sizeof(link)), 0);
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_enable(mmu);
	assert_int_equal(vcm_sysmmu_translate(mmu, dva, VCM_ACCESS_READ, &got), 0);
	assert_int_equal(got, target);
	vcm_free(pinned);
	munmap(page, PAGE);
	WARNS(1, assert_int_equal(vcm_sysmmu_translate(mmu, dva, VCM_ACCESS_READ, &got), 0));
	assert_int_equal(got, target);
	assert_int_equal(vcm_soc_phys_write(f->soc, l1e, &zero, sizeof(zero)), 0);
	vcm_sysmmu_destroy(mmu);
	vcm_pgtable_destroy(pt);
	vcm_soc_free_pages(f->soc, target, 0);
}

/*
 * One active owner per System MMU across the layers: an S5P device context
 * cannot activate on the System MMU an iommu context is using (it used to,
 * and its deactivation then turned translation off under the other), nor
 * the other way round, and vcm_set_pgtable_base() leaves it alone.
 */
static void one_owner_per_sysmmu(void **state)
{
	struct vcm_sysmmu *mmu = s5p_sysmmu_get(VCM_DEV_FIMC1);
	struct vcm *io = vcm_iommu_create(mmu, DEV_START, DEV_SIZE);
	struct vcm *uni = vcm_create_unified(S5P_VCM_WINDOW_SIZE, VCM_DEV_FIMC1, NULL);
	vcm_addr_t base;

	(void)state;
	assert_false(vcm_is_err(mmu) || vcm_is_err(io) || vcm_is_err(uni));
	assert_int_equal(vcm_activate(io), 0);
	base = vcm_sysmmu_pgtable_base(mmu);
	assert_int_equal(vcm_activate(uni), -EBUSY);
	/* As in the kernel, the failed first activation still counts: its
	 * caller owes a deactivation, which must leave the other's alone. */
	WARNS(0, vcm_deactivate(uni));
	WARNS(1, vcm_set_pgtable_base(VCM_DEV_FIMC1));
	WARNS(1, s5p_vcm_turn_on(uni));
	WARNS(0, s5p_vcm_turn_off(uni));
	assert_int_equal(vcm_sysmmu_pgtable_base(mmu), base);
	assert_true(vcm_sysmmu_readl(mmu, VCM_SYSMMU_CTRL) & VCM_SYSMMU_CTRL_MMU_EN);
	vcm_deactivate(io);
	assert_int_equal(vcm_activate(uni), 0);
	assert_int_equal(vcm_activate(io), -EBUSY);
	WARNS(0, vcm_deactivate(io));
	assert_true(vcm_sysmmu_readl(mmu, VCM_SYSMMU_CTRL) & VCM_SYSMMU_CTRL_MMU_EN);
	vcm_deactivate(uni);
	assert_int_equal(vcm_activate(io), 0);
	vcm_deactivate(io);
	vcm_destroy(io);
	vcm_destroy(uni);
}

/* ---- a warning handler that calls into libvcm ---- */

static struct vcm *handler_ctx;
static unsigned handler_calls;

static void reentrant_handler(const char *msg, void *priv)
{
	(void)msg;
	(void)priv;
	if (handler_calls++ < 3)
		vcm_deactivate(handler_ctx);	/* warns again: nested */
	assert_int_equal(vcm_activate(handler_ctx), 0);
	vcm_deactivate(handler_ctx);
	vcm_soc_free_bytes(vcm_soc_current());
}

static void handler_calls_back(void **state)
{
	struct fx *f = *state;

	handler_ctx = f->ctx;
	handler_calls = 0;
	vcm_set_warn_handler(reentrant_handler, NULL);
	WARNS(4, vcm_deactivate(f->ctx));	/* used to deadlock */
	assert_int_equal(handler_calls, 4);
	test_warnings_quiet();
	assert_int_equal(f->ctx->activations.counter, 0);
}

/*
 * The cache maintenance calls on objects check their handles like every
 * other entry point: released or foreign ones are warned about and
 * nothing is done (a userptr whose context is gone too).
 */
static void sync_checks_handles(void **state)
{
	struct fx *f = *state;
	char *buf = aligned_alloc(PAGE, 2 * PAGE);
	struct vcm_phys *phys = vcm_alloc(f->ctx, PAGE, 0);
	struct vcm_res *res = vcm_map(f->ctx, phys, 0);
	struct vcm_userptr *up = vcm_userptr_get(f->ctx, buf, PAGE, 0);
	struct vcm_soc *soc = vcm_soc_create();
	struct vcm_cache_stats st;
	uint64_t junk[16] = { 0 };
	const enum vcm_dma_dir to = VCM_DMA_TO_DEVICE, from = VCM_DMA_FROM_DEVICE;

	assert_false(vcm_is_err(res) || vcm_is_err(up) || vcm_is_err(soc));
	WARNS(0, assert_int_equal(vcm_res_sync_for_device(res, to), 0));
	WARNS(0, assert_int_equal(vcm_phys_sync_for_cpu(f->soc, phys, from), 0));
	WARNS(0, assert_int_equal(vcm_userptr_sync_for_device(up, to), 0));

	vcm_userptr_put(up);
	WARNS(1, assert_int_equal(vcm_userptr_sync_for_device(up, to), -EINVAL));
	WARNS(1, assert_int_equal(vcm_userptr_sync_for_cpu(up, from), -EINVAL));
	vcm_unmap(res);
	WARNS(1, assert_int_equal(vcm_res_sync_for_device(res, to), -EINVAL));
	WARNS(1, assert_int_equal(vcm_res_sync_for_cpu(res, from), -EINVAL));
	vcm_free(phys);
	WARNS(1, assert_int_equal(vcm_phys_sync_for_device(f->soc, phys, to), -EINVAL));
	WARNS(1, assert_int_equal(vcm_phys_sync_for_cpu(NULL, phys, from), -EINVAL));

	vcm_soc_destroy(soc);
	phys = vcm_alloc(f->ctx, PAGE, 0);
	WARNS(1, assert_int_equal(vcm_phys_sync_for_device(soc, phys, to), -EINVAL));
	WARNS(1, assert_int_equal(vcm_cache_maint(soc, RAM_BASE, 1, VCM_CACHE_CLEAN), -EINVAL));
	WARNS(1, assert_int_equal(vcm_cache_sync_for_device(soc, RAM_BASE, 1, to), -EINVAL));
	WARNS(1, assert_int_equal(vcm_cache_sync_for_cpu(soc, RAM_BASE, 1, from), -EINVAL));
	WARNS(1, assert_int_equal(vcm_cache_maint_host(soc, buf, 1, VCM_CACHE_CLEAN), -EINVAL));
	WARNS(1, assert_int_equal(vcm_soc_cache_line(soc), 0));
	st.cleans = 1;
	WARNS(1, vcm_soc_get_cache_stats(soc, &st));
	assert_int_equal(st.cleans, 0);
	vcm_free(phys);

	WARNS(1, assert_int_equal(vcm_res_sync_for_device((struct vcm_res *)junk, to), -EINVAL));
	WARNS(1, assert_int_equal(vcm_userptr_sync_for_cpu((struct vcm_userptr *)junk, from),
				  -EINVAL));
	WARNS(1, assert_int_equal(vcm_cache_maint((struct vcm_soc *)junk, RAM_BASE, 1,
						  VCM_CACHE_FLUSH), -EINVAL));

	/* a userptr outliving its context: releasable, not syncable */
	up = vcm_userptr_get(f->ctx, buf + PAGE, PAGE, 0);
	assert_false(vcm_is_err(up));
	WARNS(1, vcm_destroy(f->ctx));
	f->ctx = NULL;
	WARNS(1, assert_int_equal(vcm_userptr_sync_for_device(up, to), -EINVAL));
	WARNS(0, vcm_userptr_put(up));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(double_free, setup, teardown),
		cmocka_unit_test_setup_teardown(double_unreserve_and_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(double_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(double_userptr_put, setup, teardown),
		cmocka_unit_test_setup_teardown(userptr_after_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(handler_calls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(phys_walk_bad_orders, setup, teardown),
		cmocka_unit_test_setup_teardown(one_owner_per_sysmmu, setup, teardown),
		cmocka_unit_test_setup_teardown(tlb_entry_from_gone_user_page, setup, teardown),
		cmocka_unit_test_setup_teardown(pin_huge_unmapped, setup, teardown),
		cmocka_unit_test_setup_teardown(pin_without_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(vmm_unbind_host_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(sync_checks_handles, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
