/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_iommu.c - vcm_iommu_create(): bad arguments, the System MMU
 * programmed on (counted) activation and turned off on the last
 * deactivation, DMA reaching bound memory, isolation of two contexts on two
 * System MMUs with the same window, unmap followed by DMA faulting with no
 * stale TLB hit (per-entry and whole-TLB invalidation), -EBUSY for a
 * System MMU owned by another context, rollback of a failed mapping,
 * destroying an active context, and the checks of the reservations as
 * pooled handles.
 */
#include <pthread.h>
#include <stdatomic.h>

#include <vcm/debug.h>
#include <vcm/testing.h>

#include "devctx_util.h"
#include "mmu-res.h"
#include "registry.h"

#define WIN_START	0x10000000ULL
#define WIN_SIZE	(16 * T_1M)

struct fixture {
	struct vcm_soc *soc;
	struct vcm_sysmmu *mmu[2];
	struct vcm *vcm[2];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	unsigned i;

	f->soc = t_soc_current();
	for (i = 0; i < 2; i++) {
		f->mmu[i] = vcm_sysmmu_create(f->soc, i ? "fimc1" : "fimc0");
		assert_false(vcm_is_err_or_null(f->mmu[i]));
		f->vcm[i] = vcm_iommu_create(f->mmu[i], WIN_START, WIN_SIZE);
		assert_false(vcm_is_err_or_null(f->vcm[i]));
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unsigned i;

	for (i = 0; i < 2; i++) {
		vcm_destroy(f->vcm[i]);
		vcm_sysmmu_destroy(f->mmu[i]);
	}
	test_soc_release(f->soc);
	free(f);
	return 0;
}

static void test_bad_args(void **state)
{
	struct fixture *f = *state;
	struct vcm *vcm;

	assert_int_equal(vcm_ptr_err(vcm_iommu_create(NULL, 0, T_1M)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_iommu_create(vcm_err_ptr(-ENOMEM), 0, T_1M)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_iommu_create(f->mmu[0], 0, 0)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_iommu_create(f->mmu[0], 0x800, T_1M)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_iommu_create(f->mmu[0], 0, T_1M + 1)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_iommu_create(f->mmu[0], T_4G - T_4K, 2 * T_4K)),
			 -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_iommu_create(f->mmu[0], T_4G, T_4K)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_iommu_create(f->mmu[0], 0, T_4G + T_4K)), -EINVAL);

	/* The whole 4 GiB, and a window ending exactly at 4 GiB, are fine. */
	vcm = vcm_iommu_create(f->mmu[0], 0, T_4G);
	assert_false(vcm_is_err_or_null(vcm));
	assert_int_equal(vcm->start, 0);
	assert_int_equal(vcm->size, T_4G);
	vcm_destroy(vcm);
	vcm = vcm_iommu_create(f->mmu[0], T_4G - T_1M, T_1M);
	assert_false(vcm_is_err_or_null(vcm));
	vcm_destroy(vcm);
}

/* No RAM left for the page table. */
static void test_no_memory(void **state)
{
	struct fixture *f = *state;
	struct t_hog *hog = t_hog_all(f->soc);

	assert_int_equal(vcm_ptr_err(vcm_iommu_create(f->mmu[0], 0, T_1M)), -ENOMEM);
	assert_int_equal(vcm_ptr_err(vcm_make_binding(f->vcm[0], T_4K, 0, 0)), -ENOMEM);
	t_hog_free(hog);
}

static void test_activation_programs_mmu(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu_stats before = t_stats(f->mmu[0]);
	uint32_t base;

	assert_int_equal(f->vcm[0]->start, WIN_START);
	assert_int_equal(f->vcm[0]->size, WIN_SIZE);
	assert_int_equal(t_ctrl(f->mmu[0]), VCM_SYSMMU_CTRL_DISABLE);
	assert_int_equal(t_base(f->mmu[0]), 0);

	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	base = t_base(f->mmu[0]);
	assert_int_equal(t_ctrl(f->mmu[0]), VCM_SYSMMU_CTRL_ENABLE);
	assert_int_not_equal(base, 0);
	assert_int_equal(base % (16 * 1024), 0);
	assert_true(base >= T_RAM_BASE && base < T_RAM_BASE + T_RAM_SIZE);
	assert_int_equal(t_stats(f->mmu[0]).tlb_flushes, before.tlb_flushes + 1);
	/* The other context has its own table. */
	assert_int_equal(vcm_activate(f->vcm[1]), 0);
	assert_int_not_equal(t_base(f->mmu[1]), base);

	/* Counted: the second activation does not reprogram anything. */
	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	assert_int_equal(t_stats(f->mmu[0]).tlb_flushes, before.tlb_flushes + 1);
	vcm_deactivate(f->vcm[0]);
	assert_int_equal(t_ctrl(f->mmu[0]), VCM_SYSMMU_CTRL_ENABLE);
	vcm_deactivate(f->vcm[0]);
	assert_int_equal(t_ctrl(f->mmu[0]), VCM_SYSMMU_CTRL_DISABLE);
	vcm_deactivate(f->vcm[1]);
	assert_int_equal(t_ctrl(f->mmu[1]), VCM_SYSMMU_CTRL_DISABLE);
}

/* Bound before activation: reaches the device at activation. */
static void test_dma_bound_before_and_after(void **state)
{
	struct fixture *f = *state;
	uint8_t in[8192], out[8192];
	struct vcm_res *early, *late;

	t_fill(in, sizeof(in), 1);
	early = vcm_make_binding(f->vcm[0], T_64K, 0, 0);
	assert_false(vcm_is_err_or_null(early));
	assert_true(early->start >= WIN_START && early->start + T_64K <= WIN_START + WIN_SIZE);
	t_cpu_write(early->phys, 0x1000, in, sizeof(in));

	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	assert_int_equal(vcm_dma_read(f->mmu[0], early->start + 0x1000, out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));

	/* Bound while active: reaches the device at once. */
	late = vcm_make_binding(f->vcm[0], 3 * T_4K, 0, 0);
	assert_false(vcm_is_err_or_null(late));
	t_fill(in, sizeof(in), 2);
	assert_int_equal(vcm_dma_write(f->mmu[0], late->start + 0x800, in, sizeof(in)), 0);
	t_cpu_read(late->phys, 0x800, out, T_4K - 0x800);
	assert_memory_equal(in, out, T_4K - 0x800);

	vcm_destroy_binding(late);
	vcm_destroy_binding(early);
	vcm_deactivate(f->vcm[0]);
}

/* A 1 MiB binding is one section: one TLB entry after any number of reads. */
static void test_sections(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu_stats st;
	struct vcm_res *res;
	uint32_t word = 0x5a5aa5a5, back = 0;
	vcm_addr_t dva;

	res = vcm_make_binding(f->vcm[0], T_1M, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(res->start % T_1M, 0);
	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	assert_int_equal(vcm_dma_write(f->mmu[0], res->start + T_1M - 4, &word, 4), 0);
	st = t_stats(f->mmu[0]);
	assert_int_equal(vcm_dma_read(f->mmu[0], res->start, &back, 4), 0);
	assert_int_equal(t_stats(f->mmu[0]).tlb_hits, st.tlb_hits + 1);
	t_cpu_read(res->phys, T_1M - 4, &back, 4);
	assert_int_equal(back, word);

	dva = res->start;
	st = t_stats(f->mmu[0]);
	vcm_destroy_binding(res);
	assert_int_equal(t_stats(f->mmu[0]).tlb_entry_flushes, st.tlb_entry_flushes + 1);
	assert_int_equal(vcm_dma_read(f->mmu[0], dva, &back, 4), -EFAULT);
	assert_int_equal(t_stats(f->mmu[0]).stale_hits, 0);
	vcm_deactivate(f->vcm[0]);
}

/* Same window on two System MMUs: same DVAs, different memory. */
static void test_isolation(void **state)
{
	struct fixture *f = *state;
	struct vcm_res *res[2], *only;
	uint8_t in[2][4096], out[4096];
	unsigned i;

	for (i = 0; i < 2; i++) {
		res[i] = vcm_make_binding(f->vcm[i], T_64K, 0, 0);
		assert_false(vcm_is_err_or_null(res[i]));
		assert_int_equal(vcm_activate(f->vcm[i]), 0);
	}
	assert_int_equal(res[0]->start, res[1]->start);
	for (i = 0; i < 2; i++) {
		t_fill(in[i], sizeof(in[i]), 10 + i);
		assert_int_equal(vcm_dma_write(f->mmu[i], res[i]->start, in[i], 4096), 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(vcm_dma_read(f->mmu[i], res[i]->start, out, 4096), 0);
		assert_memory_equal(out, in[i], 4096);
		t_cpu_read(res[i]->phys, 0, out, 4096);
		assert_memory_equal(out, in[i], 4096);
	}

	/* A buffer of device 0 is not reachable by device 1 at its DVA. */
	only = vcm_make_binding(f->vcm[0], T_4K, 0, 0);
	assert_false(vcm_is_err_or_null(only));
	assert_int_equal(vcm_dma_read(f->mmu[0], only->start, out, 16), 0);
	assert_int_equal(vcm_dma_read(f->mmu[1], only->start, out, 16), -EFAULT);
	assert_int_equal(t_stats(f->mmu[1]).fault_counts[VCM_FAULT_PAGE], 1);

	vcm_destroy_binding(only);
	for (i = 0; i < 2; i++) {
		vcm_destroy_binding(res[i]);
		vcm_deactivate(f->vcm[i]);
	}
}

/* Unmap of a small mapping: per-entry flush; the next DMA faults. */
static void test_unmap_small_flushes_entries(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu_stats st;
	struct vcm_res *res;
	uint8_t buf[64];
	vcm_addr_t dva;

	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	res = vcm_make_binding(f->vcm[0], T_64K + T_4K, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(vcm_dma_read(f->mmu[0], res->start, buf, sizeof(buf)), 0);
	assert_int_equal(vcm_dma_read(f->mmu[0], res->start + T_64K, buf, sizeof(buf)), 0);
	st = t_stats(f->mmu[0]);
	assert_int_equal(vcm_dma_read(f->mmu[0], res->start, buf, sizeof(buf)), 0);
	assert_int_equal(t_stats(f->mmu[0]).tlb_hits, st.tlb_hits + 1);

	dva = res->start;
	st = t_stats(f->mmu[0]);
	vcm_destroy_binding(res);
	/* One 64 KiB large page and one 4 KiB page: two entries, no full flush. */
	assert_int_equal(t_stats(f->mmu[0]).tlb_entry_flushes, st.tlb_entry_flushes + 2);
	assert_int_equal(t_stats(f->mmu[0]).tlb_flushes, st.tlb_flushes);
	assert_int_equal(vcm_dma_read(f->mmu[0], dva, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(vcm_dma_read(f->mmu[0], dva + T_64K, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(t_stats(f->mmu[0]).stale_hits, 0);
	assert_int_equal(t_stats(f->mmu[0]).faults, st.faults + 2);
	vcm_deactivate(f->vcm[0]);
}

/* More pages than VCM_IOMMU_FLUSH_ENTRY_MAX: one whole-TLB flush. */
static void test_unmap_large_flushes_all(void **state)
{
	struct fixture *f = *state;
	const unsigned npages = VCM_IOMMU_FLUSH_ENTRY_MAX + 4;
	struct vcm_sysmmu_stats st;
	struct vcm_phys *phys;
	struct vcm_res *res;
	uint8_t buf[16];
	vcm_addr_t dva;
	unsigned i;

	phys = vcm_phys_alloc(npages * T_4K, 0, NULL);	/* 4 KiB parts */
	assert_false(vcm_is_err_or_null(phys));
	assert_int_equal(phys->count, npages);
	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	res = vcm_map(f->vcm[0], phys, 0);
	assert_false(vcm_is_err_or_null(res));
	for (i = 0; i < npages; i++)
		assert_int_equal(vcm_dma_read(f->mmu[0], res->start + i * T_4K, buf, 16), 0);

	dva = res->start;
	st = t_stats(f->mmu[0]);
	vcm_unmap(res);
	assert_int_equal(t_stats(f->mmu[0]).tlb_flushes, st.tlb_flushes + 1);
	assert_int_equal(t_stats(f->mmu[0]).tlb_entry_flushes, st.tlb_entry_flushes);
	for (i = 0; i < npages; i++)
		assert_int_equal(vcm_dma_read(f->mmu[0], dva + i * T_4K, buf, 16),
				 -EFAULT);
	assert_int_equal(t_stats(f->mmu[0]).stale_hits, 0);
	vcm_free(phys);
	vcm_deactivate(f->vcm[0]);
}

/* Unbind (not unmap) also leaves the device before it returns. */
static void test_unbind_then_rebind(void **state)
{
	struct fixture *f = *state;
	struct vcm_phys *a, *b, *got;
	struct vcm_res *res;
	uint8_t in[32], out[32];

	a = vcm_alloc(f->vcm[0], T_4K, 0);
	b = vcm_alloc(f->vcm[0], T_4K, 0);
	assert_false(vcm_is_err_or_null(a));
	assert_false(vcm_is_err_or_null(b));
	res = vcm_reserve(f->vcm[0], T_4K, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	assert_int_equal(vcm_bind(res, a), 0);
	assert_int_equal(vcm_dma_read(f->mmu[0], res->start, out, sizeof(out)), 0);
	got = vcm_unbind(res);
	assert_ptr_equal(got, a);
	assert_int_equal(vcm_dma_read(f->mmu[0], res->start, out, sizeof(out)), -EFAULT);

	t_fill(in, sizeof(in), 3);
	t_cpu_write(b, 0, in, sizeof(in));
	assert_int_equal(vcm_bind(res, b), 0);
	assert_int_equal(vcm_dma_read(f->mmu[0], res->start, out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(t_stats(f->mmu[0]).stale_hits, 0);

	assert_ptr_equal(vcm_unbind(res), b);
	vcm_unreserve(res);
	vcm_free(a);
	vcm_free(b);
	vcm_deactivate(f->vcm[0]);
}

/* Two contexts on one System MMU: one active at a time. */
static void test_busy(void **state)
{
	struct fixture *f = *state;
	struct vcm *other = vcm_iommu_create(f->mmu[0], 0, WIN_SIZE);
	uint32_t base;

	assert_false(vcm_is_err_or_null(other));
	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	base = t_base(f->mmu[0]);
	assert_int_equal(vcm_activate(other), -EBUSY);
	/* Counted all the same, as in the kernel: the caller owes a deactivate. */
	assert_int_equal(other->activations.counter, 1);
	vcm_deactivate(other);
	assert_int_equal(t_base(f->mmu[0]), base);
	vcm_deactivate(f->vcm[0]);
	assert_int_equal(vcm_activate(other), 0);
	assert_int_not_equal(t_base(f->mmu[0]), base);
	vcm_deactivate(other);
	vcm_destroy(other);
}

/* A part the table cannot hold: the bind fails and nothing stays mapped. */
static void test_map_failure_rolls_back(void **state)
{
	struct fixture *f = *state;
	struct vcm_phys *good = vcm_alloc(f->vcm[0], T_4K, 0);
	struct vcm_phys *bad = calloc(1, sizeof(*bad) + 2 * sizeof(bad->parts[0]));
	struct vcm_res *res;
	uint8_t buf[16];

	assert_false(vcm_is_err_or_null(good));
	bad->count = 2;
	bad->parts[0] = good->parts[0];
	bad->parts[1].start = T_4G;	/* beyond the 32-bit PA of the format */
	bad->parts[1].size = T_4K;
	bad->size = 2 * T_4K;
	res = vcm_reserve(f->vcm[0], 2 * T_4K, 0);
	assert_false(vcm_is_err_or_null(res));

	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	assert_int_equal(vcm_bind(res, bad), -EINVAL);
	assert_null(res->phys);
	assert_int_equal(vcm_dma_read(f->mmu[0], res->start, buf, sizeof(buf)), -EFAULT);
	vcm_deactivate(f->vcm[0]);

	/* Bound while inactive, the failure shows at activation. */
	assert_int_equal(vcm_bind(res, bad), 0);
	assert_int_equal(vcm_activate(f->vcm[0]), -EINVAL);
	assert_int_equal(f->vcm[0]->activations.counter, 1);
	assert_int_equal(t_ctrl(f->mmu[0]), VCM_SYSMMU_CTRL_DISABLE);
	vcm_deactivate(f->vcm[0]);
	assert_ptr_equal(vcm_unbind(res), bad);

	/* And a good binding still works afterwards. */
	assert_int_equal(vcm_bind(res, good), 0);
	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	assert_int_equal(vcm_dma_read(f->mmu[0], res->start, buf, sizeof(buf)), 0);
	assert_int_equal(vcm_dma_read(f->mmu[0], res->start + T_4K, buf, sizeof(buf)),
			 -EFAULT);
	vcm_deactivate(f->vcm[0]);
	assert_ptr_equal(vcm_unbind(res), good);
	vcm_unreserve(res);
	vcm_free(good);
	free(bad);
}

/* Destroying an active context: warning, the System MMU turned off. */
static void test_destroy_active(void **state)
{
	struct fixture *f = *state;
	unsigned long warnings = test_warnings;
	struct vcm_res *res = vcm_reserve(f->vcm[0], T_1M, 0);

	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(vcm_activate(f->vcm[0]), 0);
	assert_int_equal(t_ctrl(f->mmu[0]), VCM_SYSMMU_CTRL_ENABLE);
	vcm_destroy(f->vcm[0]);
	f->vcm[0] = vcm_iommu_create(f->mmu[0], WIN_START, WIN_SIZE);	/* for teardown */
	assert_true(test_warnings >= warnings + 2);	/* active; reservation left */
	assert_int_equal(t_ctrl(f->mmu[0]), VCM_SYSMMU_CTRL_DISABLE);
}

/*
 * A System MMU on a SoC that is not the current one: the context's table,
 * its memory and its DMA all live in the System MMU's SoC.
 */
static void test_other_soc(void **state)
{
	struct fixture *f = *state;
	struct vcm_soc *other = vcm_soc_create();
	vcm_size_t cur_free = vcm_soc_free_bytes(f->soc), other_free;
	struct vcm_sysmmu *mmu;
	struct vcm_res *res;
	struct vcm *vcm;
	char out[] = "other soc", in[sizeof(out)];

	assert_int_equal(vcm_soc_add_ram(other, 0x80000000ULL, 16 * T_1M), 0);
	other_free = vcm_soc_free_bytes(other);
	mmu = vcm_sysmmu_create(other, "mfc");
	vcm = vcm_iommu_create(mmu, WIN_START, WIN_SIZE);
	assert_false(vcm_is_err_or_null(vcm));
	res = vcm_make_binding(vcm, 2 * T_4K, 0, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_true(res->phys->parts[0].start >= 0x80000000ULL);
	assert_int_equal(vcm_activate(vcm), 0);
	assert_true(vcm_sysmmu_readl(mmu, VCM_SYSMMU_PT_BASE_ADDR) >= 0x80000000U);
	assert_int_equal(vcm_dma_write(mmu, res->start + 10, out, sizeof(out)), 0);
	assert_int_equal(vcm_soc_phys_read(other, res->phys->parts[0].start + 10, in, sizeof(in)),
			 0);
	assert_memory_equal(in, out, sizeof(out));
	assert_int_equal(vcm_soc_free_bytes(f->soc), cur_free);
	vcm_deactivate(vcm);
	vcm_destroy_binding(res);
	vcm_destroy(vcm);
	vcm_sysmmu_destroy(mmu);
	assert_int_equal(vcm_soc_free_bytes(other), other_free);
	vcm_soc_destroy(other);
}

/* ---- DVA placement: the one-block path, reuse of a reservation's memory ---- */

/* The reservations of test_placement: size and guard before it, in pages. */
static const struct { unsigned pages, guard; } place_seq[] = {
	{ 1, 0 }, { 16, 0 }, { 256, 0 }, { 3, 0 }, { 2, 0 }, { 15, 1 },	/* 16: one block */
	{ 1, 1 }, { 2, 1 }, { 256, 0 }, { 16, 0 }, { 5, 3 }, { 1, 0 },
};
#define NPLACE (sizeof(place_seq) / sizeof(place_seq[0]))

/* Reserve the sequence; each start aligned to the largest page that fits. */
static void place_all(struct vcm *vcm, struct vcm_res **res, vcm_addr_t *start)
{
	unsigned i, j;

	for (i = 0; i < NPLACE; i++) {
		vcm_size_t size = place_seq[i].pages * T_4K;
		vcm_size_t align = size >= T_1M ? T_1M : size >= 16 * T_4K ? 16 * T_4K : T_4K;

		assert_int_equal(vcm_set_guard(vcm, place_seq[i].guard * T_4K), 0);
		res[i] = vcm_reserve(vcm, size, 0);
		assert_false(vcm_is_err_or_null(res[i]));
		start[i] = res[i]->start;
		assert_int_equal(res[i]->res_size, size);
		assert_int_equal(start[i] % align, 0);
		assert_true(start[i] >= WIN_START && start[i] + size <= WIN_START + WIN_SIZE);
		/* no overlap with another, guard gaps included */
		for (j = 0; j < i; j++)
			assert_true(start[i] >= start[j] + res[j]->res_size +
					    place_seq[j].guard * T_4K ||
				    start[j] >= start[i] + size + place_seq[i].guard * T_4K);
	}
	assert_int_equal(vcm_set_guard(vcm, 0), 0);
}

/*
 * Power-of-two reservations (a guard gap included) take and give back one
 * buddy block by the inlined path, the others the range path: both mixed,
 * given back in another order, leave the whole window free (no warning,
 * nothing lost), and the same sequence places the same again.
 */
static void test_placement(void **state)
{
	struct fixture *f = *state;
	struct vcm_res *res[NPLACE], *whole;
	vcm_addr_t start[NPLACE], again[NPLACE];
	unsigned long warns = vcm_warn_count();
	unsigned i;

	place_all(f->vcm[0], res, start);
	for (i = 0; i < NPLACE; i++)
		vcm_unreserve(res[(i * 5) % NPLACE]);
	whole = vcm_reserve(f->vcm[0], WIN_SIZE, 0);
	assert_false(vcm_is_err_or_null(whole));
	assert_int_equal(whole->start, WIN_START);
	vcm_unreserve(whole);
	place_all(f->vcm[0], res, again);
	assert_memory_equal(start, again, sizeof(start));
	for (i = NPLACE; i--;)
		vcm_unreserve(res[i]);
	assert_int_equal(vcm_warn_count(), warns);
}

/*
 * A reservation's memory comes back to the next reservation as it was left
 * (the pool does not clear it): every field must be set again.  The test
 * scribbles over a released one (all but the pool's link in its first
 * bytes) and checks the next reservation, which gets that memory.
 */
static void test_reuse_sets_every_field(void **state)
{
	struct fixture *f = *state;
	unsigned long warns = vcm_warn_count();
	struct vcm_hpool_chunk *chunk;
	struct vcm_res *res, *again;

	assert_int_equal(vcm_set_guard(f->vcm[0], 2 * T_4K), 0);
	res = vcm_reserve(f->vcm[0], 16 * T_4K, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(vcm_set_guard(f->vcm[0], 0), 0);
	vcm_unreserve(res);
	/*
	 * the wrapper's memory: struct vcm_res (a pooled object), and its
	 * guard word, the extra word its chunk keeps for it
	 */
	memset((char *)res + sizeof(void *), 0xA5, sizeof(struct vcm_res) - sizeof(void *));
	chunk = vcm_hpool_chunk_of(res);
	atomic_load(&chunk->extra)[vcm_hpool_index(chunk, res)] = 0xA5A5A5A5A5A5A5A5ULL;
	again = vcm_reserve(f->vcm[0], 16 * T_4K, 0);
	assert_ptr_equal(again, res);
	assert_int_equal(again->start, WIN_START);
	assert_int_equal(again->res_size, 16 * T_4K);
	assert_int_equal(again->bound_size, 0);
	assert_int_equal(again->refcnt.counter, 1);
	assert_ptr_equal(again->vcm, f->vcm[0]);
	assert_null(again->phys);
	vcm_unreserve(again);	/* its guard (none) given back right */
	again = vcm_reserve(f->vcm[0], WIN_SIZE, 0);
	assert_false(vcm_is_err_or_null(again));
	vcm_unreserve(again);
	assert_int_equal(vcm_warn_count(), warns);
}

/*
 * A reader in another thread (vcm_explain_dva(), which walks the context's
 * reservations under its bookkeeping lock) while the driving thread
 * reserves and gives back: the lock, biased to the driving thread, is
 * revoked by the reader's first take and the reader always finds the
 * reservation it watches.
 */
struct reader_arg {
	struct vcm *vcm;
	vcm_addr_t dva, start;
	atomic_int stop;
	unsigned long reads, wrong;
};

static void *explain_reader(void *p)
{
	struct reader_arg *a = p;

	while (!atomic_load(&a->stop) || a->reads < 200) {
		struct vcm_explain e;

		if (vcm_explain_dva(a->vcm, a->dva, &e, NULL) ||
		    e.owner != VCM_DVA_UNBOUND || e.res_start != a->start)
			a->wrong++;
		a->reads++;
	}
	return NULL;
}

static void test_reader_thread(void **state)
{
	struct fixture *f = *state;
	struct reader_arg a = { .vcm = f->vcm[0] };
	struct vcm_res *watched, *r[8];
	pthread_t t;
	unsigned i, j;

	vcm_context_dump(f->vcm[0], NULL);	/* the bookkeeping lock taken here first */
	watched = vcm_reserve(f->vcm[0], 16 * T_4K, 0);
	assert_false(vcm_is_err_or_null(watched));
	a.start = watched->start;
	a.dva = watched->start + 5 * T_4K;
	assert_int_equal(pthread_create(&t, NULL, explain_reader, &a), 0);
	for (i = 0; i < 2000; i++) {
		for (j = 0; j < 8; j++) {
			r[j] = vcm_reserve(f->vcm[0], (1 + j % 3) * T_4K, 0);
			assert_false(vcm_is_err_or_null(r[j]));
		}
		for (j = 0; j < 8; j++)
			vcm_unreserve(r[(j * 3) % 8]);
	}
	atomic_store(&a.stop, 1);
	pthread_join(t, NULL);
	assert_int_equal(a.wrong, 0);
	vcm_unreserve(watched);
}

/* The last warning, for the wording of the handle checks. */
static char last_warning[512];

static void keep_warning(const char *msg, void *priv)
{
	(void)priv;
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

/* @call raises one warning containing @text. */
#define WARNS_WITH(text, call)							\
	do {									\
		unsigned long w0_ = vcm_warn_count();				\
		last_warning[0] = 0;						\
		call;								\
		assert_int_equal(vcm_warn_count() - w0_, 1);			\
		if (!strstr(last_warning, (text)))				\
			fail_msg("warning \"%s\" lacks \"%s\"", last_warning, (text));	\
	} while (0)

/*
 * The wrapper's reservations are pooled handles (no registry entry each):
 * checked all the same.  Ids in creation order, listed and counted by the
 * registry; released told from never made, also after their context (and
 * its chunks) went; a pointer inside a reservation is no handle.
 */
static void test_pooled_handle_checks(void **state)
{
	struct fixture *f = *state;
	unsigned long n0 = vcm_reg_count(VCM_KIND_RES);
	struct vcm_res *a = vcm_reserve(f->vcm[0], T_1M, 0);
	struct vcm_res *b = vcm_reserve(f->vcm[0], T_1M, 0);
	struct vcm_handle_info info;

	assert_false(vcm_is_err_or_null(a) || vcm_is_err_or_null(b));
	assert_true(vcm_reg_id(a, VCM_KIND_RES) > 0);
	assert_true(vcm_reg_id(b, VCM_KIND_RES) > vcm_reg_id(a, VCM_KIND_RES));
	assert_int_equal(vcm_reg_count(VCM_KIND_RES), n0 + 2);
	assert_int_equal(vcm_reg_info(b, &info), 0);
	assert_string_equal(info.creator, "vcm_reserve");
	vcm_set_warn_handler(keep_warning, NULL);
	WARNS_WITH("not a reservation made by libvcm",
		   vcm_unreserve((struct vcm_res *)((char *)a + 8)));
	vcm_unreserve(a);
	WARNS_WITH("was released already", vcm_unreserve(a));
	WARNS_WITH("made by vcm_reserve", assert_int_equal(vcm_ref_reserve(a), -EINVAL));
	assert_int_equal(vcm_reg_count(VCM_KIND_RES), n0 + 1);
	/* the context goes with b in it: b is released with it, not unknown */
	WARNS_WITH("reservation(s) left", vcm_destroy(f->vcm[0]));
	f->vcm[0] = vcm_iommu_create(f->mmu[0], WIN_START, WIN_SIZE);	/* for teardown */
	WARNS_WITH("released already", vcm_unreserve(b));
	assert_true(vcm_reg_was_released(b));
	assert_int_equal(vcm_reg_count(VCM_KIND_RES), n0);
	test_warnings_quiet();
}

/* ---- the DVA cache of the buddy placement (mmu-res.h) ---- */

/* Reservations of 2^@order pages kept with their DVA in @vcm's cache. */
static unsigned cached(struct vcm *vcm, unsigned order)
{
	return vcm_to_mmu(vcm)->state->cache[order].n;
}

/*
 * A given-back power-of-two reservation keeps its block: the next of its
 * size takes the most recently kept one (a new handle: the old one stays
 * released), one bound when given back is not replayed on activation, and
 * other sizes do not take it.
 */
static void test_dva_cache_reuse(void **state)
{
	struct fixture *f = *state;
	struct vcm *vcm = f->vcm[0];
	unsigned long warns = vcm_warn_count();
	struct vcm_res *a = vcm_reserve(vcm, T_4K, 0);
	struct vcm_res *b = vcm_make_binding(vcm, T_4K, 0, 0);
	struct vcm_res *c, *d, *big;
	struct vcm_phys *phys;
	vcm_addr_t sa, sb;
	uint8_t out[16];

	assert_false(vcm_is_err_or_null(a) || vcm_is_err_or_null(b));
	sa = a->start;
	sb = b->start;
	phys = b->phys;
	vcm_unreserve(a);
	vcm_set_warn_handler(keep_warning, NULL);
	WARNS_WITH("still bound", vcm_unreserve(b));
	WARNS_WITH("released already", vcm_unreserve(b));
	assert_int_equal(cached(vcm, 0), 2);
	/* neither is live: nothing to replay, the DVA faults */
	assert_int_equal(vcm_activate(vcm), 0);
	WARNS_WITH("unhandled page fault",
		   assert_int_equal(vcm_dma_read(f->mmu[0], sb, out, sizeof(out)), -EFAULT));
	vcm_deactivate(vcm);
	big = vcm_reserve(vcm, 2 * T_4K, 0);	/* another size: from the buddy */
	assert_false(vcm_is_err_or_null(big));
	assert_true(big->start != sa && big->start != sb);
	assert_int_equal(cached(vcm, 0), 2);
	c = vcm_reserve(vcm, T_4K, 0);
	d = vcm_reserve(vcm, T_4K, 0);
	assert_false(vcm_is_err_or_null(c) || vcm_is_err_or_null(d));
	assert_int_equal(c->start, sb);
	assert_int_equal(d->start, sa);
	assert_int_equal(cached(vcm, 0), 0);
	assert_true(vcm_reg_id(c, VCM_KIND_RES) > vcm_reg_id(big, VCM_KIND_RES));
	assert_null(c->phys);
	assert_int_equal(c->res_size, T_4K);
	vcm_unreserve(c);
	vcm_unreserve(d);
	vcm_unreserve(big);
	vcm_free(phys);
	test_warnings_quiet();
	assert_int_equal(vcm_warn_count(), warns + 3);
}

/*
 * Up to VCM_DVA_CACHE_DEPTH kept per size, powers of two up to a section
 * only; the rest goes back to the buddy, which merges it: the window is
 * whole again once the cache is emptied.
 */
static void test_dva_cache_limits(void **state)
{
	static const vcm_size_t other[] = { 3 * T_4K, 2 * T_1M, T_1M + T_4K };
	struct fixture *f = *state;
	struct vcm *vcm = f->vcm[0];
	struct vcm_res *res[VCM_DVA_CACHE_DEPTH + 8], *o[3], *sec;
	unsigned i;

	for (i = 0; i < VCM_DVA_CACHE_DEPTH + 8; i++) {
		res[i] = vcm_reserve(vcm, T_4K, 0);
		assert_false(vcm_is_err_or_null(res[i]));
	}
	for (i = 0; i < 3; i++) {
		o[i] = vcm_reserve(vcm, other[i], 0);
		assert_false(vcm_is_err_or_null(o[i]));
	}
	sec = vcm_reserve(vcm, T_1M, 0);
	assert_false(vcm_is_err_or_null(sec));
	for (i = 0; i < VCM_DVA_CACHE_DEPTH + 8; i++)
		vcm_unreserve(res[i]);
	for (i = 0; i < 3; i++)
		vcm_unreserve(o[i]);
	vcm_unreserve(sec);
	assert_int_equal(cached(vcm, 0), VCM_DVA_CACHE_DEPTH);
	assert_int_equal(cached(vcm, 8), 1);	/* 1 MiB: 2^8 pages */
	for (i = 1; i < VCM_DVA_CACHE_ORDERS; i++)
		if (i != 8)
			assert_int_equal(cached(vcm, i), 0);
	sec = vcm_reserve(vcm, WIN_SIZE, 0);	/* empties the cache first */
	assert_false(vcm_is_err_or_null(sec));
	assert_int_equal(sec->start, WIN_START);
	assert_int_equal(cached(vcm, 0) + cached(vcm, 8), 0);
	vcm_unreserve(sec);
}

/*
 * The cache never makes a reservation fail: a full window given back in
 * pages, then a reservation of the whole window; a cached section given
 * back for a page when nothing else is free.
 */
static void test_dva_cache_drained_before_enospc(void **state)
{
	struct fixture *f = *state;
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(f->soc, "cache");
	struct vcm *vcm = vcm_iommu_create(mmu, WIN_START, T_1M);
	struct vcm_res *res[T_1M / T_4K], *whole, *page;
	unsigned i, n = T_1M / T_4K;

	assert_false(vcm_is_err_or_null(vcm));
	for (i = 0; i < n; i++) {
		res[i] = vcm_reserve(vcm, T_4K, 0);
		assert_false(vcm_is_err_or_null(res[i]));
	}
	assert_ptr_equal(vcm_reserve(vcm, T_4K, 0), vcm_err_ptr(-ENOSPC));
	for (i = 0; i < n; i++)
		vcm_unreserve(res[(i * 7) % n]);
	assert_int_equal(cached(vcm, 0), VCM_DVA_CACHE_DEPTH);
	whole = vcm_reserve(vcm, T_1M, 0);
	assert_false(vcm_is_err_or_null(whole));
	assert_int_equal(whole->start, WIN_START);
	assert_int_equal(cached(vcm, 0), 0);
	/* full, nothing cached: -ENOSPC, nothing changed */
	assert_ptr_equal(vcm_reserve(vcm, T_4K, 0), vcm_err_ptr(-ENOSPC));
	vcm_unreserve(whole);
	assert_int_equal(cached(vcm, 8), 1);
	page = vcm_reserve(vcm, T_4K, 0);	/* the section goes back, split */
	assert_false(vcm_is_err_or_null(page));
	assert_int_equal(page->start, WIN_START);
	assert_int_equal(cached(vcm, 8), 0);
	vcm_unreserve(page);
	vcm_destroy(vcm);
	vcm_sysmmu_destroy(mmu);
}

/*
 * With a guard set, a reservation gets its gap (never a cached block
 * without one), and one with a gap is not kept.
 */
static void test_dva_cache_guard(void **state)
{
	struct fixture *f = *state;
	struct vcm *vcm = f->vcm[0];
	struct vcm_res *res = vcm_reserve(vcm, T_4K, 0);
	vcm_addr_t kept;

	assert_false(vcm_is_err_or_null(res));
	kept = res->start;
	vcm_unreserve(res);
	assert_int_equal(cached(vcm, 0), 1);
	assert_int_equal(vcm_set_guard(vcm, T_4K), 0);
	res = vcm_reserve(vcm, T_4K, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_true(res->start != kept);
	assert_int_equal(vcm_mmu_guard_of(res), T_4K);
	assert_int_equal(cached(vcm, 0), 1);
	vcm_unreserve(res);
	assert_int_equal(cached(vcm, 0), 1);
	assert_int_equal(vcm_set_guard(vcm, 0), 0);
	res = vcm_reserve(vcm, T_4K, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(res->start, kept);
	assert_int_equal(vcm_mmu_guard_of(res), 0);
	vcm_unreserve(res);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bad_args),
		T(test_no_memory),
		T(test_activation_programs_mmu),
		T(test_dma_bound_before_and_after),
		T(test_sections),
		T(test_isolation),
		T(test_unmap_small_flushes_entries),
		T(test_unmap_large_flushes_all),
		T(test_unbind_then_rebind),
		T(test_busy),
		T(test_map_failure_rolls_back),
		T(test_destroy_active),
		T(test_other_soc),
		T(test_placement),
		T(test_reuse_sets_every_field),
		T(test_reader_thread),
		T(test_pooled_handle_checks),
		T(test_dva_cache_reuse),
		T(test_dva_cache_limits),
		T(test_dva_cache_drained_before_enospc),
		T(test_dva_cache_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
