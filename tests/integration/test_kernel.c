/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_kernel.c - kernel code on libvcm: this program includes the kernel's
 * headers (<linux/vcm.h>, <linux/vcm-drv.h>, <plat/s5p-vcm.h>,
 * <plat/sysmmu.h>) from the vcm-kernel include directory and uses the API
 * exactly the way Samsung's 2011 drivers did:
 *
 * - the codec's memory manager (MFC): two 256 MiB ports in one unified
 *   context, a hole reserved and given back, a struct vcm_mmu_res it
 *   allocates itself and binds, the CPU's view through vcm_vmm, its
 *   platform callbacks on SYSMMU_MFC_L and SYSMMU_MFC_R;
 * - the videobuf2 allocator (SDVMM): vcm_alloc + vcm_map, the kernel
 *   mapping with vcm_map(vcm_vmm, ...), a buffer of another device found
 *   with vcm_reservation_in_vcm() and mapped again;
 * - a platform layer built like the S5P one: its own structure around a
 *   struct vcm_mmu, vcm_mmu_init(), then a copy of the driver ops with phys
 *   and activate replaced (the original activate called from the new one);
 * - the kernel basics of <vcm/kernel.h>, reservation reference counts and
 *   <plat/sysmmu.h>;
 * - the structures laid out as shipped, a driver's statically initialised
 *   context.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <linux/vcm-drv.h>
#include <linux/vcm.h>
#include <plat/s5p-vcm.h>
#include <plat/sysmmu.h>
#include <vcm/soc.h>
#include <vcm/sysmmu.h>

#include "vcm-internal.h"
#include "test_util.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (512ULL << 20)

static int setup(void **state)
{
	*state = test_soc_current(RAM_BASE, RAM_SIZE);
	test_warnings_quiet();
	return 0;
}

static int teardown(void **state)
{
	test_warnings_default();
	test_soc_release(*state);
	return 0;
}

/* ---- the layouts as shipped ---------------------------------------------- */

/*
 * The structures as the GT-P6210 kernel's include/linux/vcm.h and
 * vcm-drv.h declare them (CONFIG_VCM_RES_REFCNT on), field for field, with
 * the kernel's types from the shim.  libvcm's must be the same: same size,
 * every field at the same offset with the same size, nothing more.
 */
struct shipped_vcm {
	dma_addr_t start;
	resource_size_t size;
	atomic_t activations;
	const struct vcm_driver *driver;
};

struct shipped_vcm_res {
	dma_addr_t start;
	resource_size_t bound_size;
	resource_size_t res_size;
	atomic_t refcnt;
	struct vcm *vcm;
	struct vcm_phys *phys;
};

/* mm/vcm.c's (and the MFC driver's own copy in mfc_mem.h) */
struct shipped_vcm_mmu_res {
	struct shipped_vcm_res res;
	struct list_head bound;
};

/*
 * The kernel's headers do not declare struct vcm_mmu_res (it was private to
 * mm/vcm.c): a driver that makes one declares it, as mfc_mem.h does.  The
 * MMU wrapper's own is checked to be this layout in test_mmu.c.
 */
struct vcm_mmu_res {
	struct vcm_res res;
	struct list_head bound;
};

struct shipped_vcm_phys_part {
	phys_addr_t start;
	struct page *page;
	resource_size_t size;
};

struct shipped_vcm_phys {
	unsigned count;
	resource_size_t size;
	void (*free)(struct vcm_phys *phys);
	atomic_t bindings;
	struct shipped_vcm_phys_part parts[];
};

#define SAME_SIZE(ours, shipped)                                          \
	_Static_assert(sizeof(struct ours) == sizeof(struct shipped),     \
		       "struct " #ours " is not the size the kernel shipped")
#define SAME_FIELD(ours, shipped, f)                                             \
	_Static_assert(offsetof(struct ours, f) == offsetof(struct shipped, f) && \
			       sizeof(((struct ours *)0)->f) ==                     \
				       sizeof(((struct shipped *)0)->f),            \
		       "struct " #ours "." #f " is not where the kernel had it")

SAME_SIZE(vcm, shipped_vcm);
SAME_FIELD(vcm, shipped_vcm, start);
SAME_FIELD(vcm, shipped_vcm, size);
SAME_FIELD(vcm, shipped_vcm, activations);
SAME_FIELD(vcm, shipped_vcm, driver);

SAME_SIZE(vcm_res, shipped_vcm_res);
SAME_FIELD(vcm_res, shipped_vcm_res, start);
SAME_FIELD(vcm_res, shipped_vcm_res, bound_size);
SAME_FIELD(vcm_res, shipped_vcm_res, res_size);
SAME_FIELD(vcm_res, shipped_vcm_res, refcnt);
SAME_FIELD(vcm_res, shipped_vcm_res, vcm);
SAME_FIELD(vcm_res, shipped_vcm_res, phys);

SAME_SIZE(vcm_mmu_res, shipped_vcm_mmu_res);
SAME_FIELD(vcm_mmu_res, shipped_vcm_mmu_res, res);
SAME_FIELD(vcm_mmu_res, shipped_vcm_mmu_res, bound);

SAME_SIZE(vcm_phys_part, shipped_vcm_phys_part);
SAME_FIELD(vcm_phys_part, shipped_vcm_phys_part, start);
SAME_FIELD(vcm_phys_part, shipped_vcm_phys_part, page);
SAME_FIELD(vcm_phys_part, shipped_vcm_phys_part, size);

SAME_SIZE(vcm_phys, shipped_vcm_phys);
SAME_FIELD(vcm_phys, shipped_vcm_phys, count);
SAME_FIELD(vcm_phys, shipped_vcm_phys, size);
SAME_FIELD(vcm_phys, shipped_vcm_phys, free);
SAME_FIELD(vcm_phys, shipped_vcm_phys, bindings);
_Static_assert(offsetof(struct vcm_phys, parts) == offsetof(struct shipped_vcm_phys, parts),
	       "struct vcm_phys.parts is not where the kernel had it");

/* The same at run time, with the figures (64-bit host: 32, 48, 64 bytes). */
static void test_layouts(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct vcm), sizeof(struct shipped_vcm));
	assert_int_equal(sizeof(struct vcm_res), sizeof(struct shipped_vcm_res));
	assert_int_equal(sizeof(struct vcm_mmu_res), sizeof(struct shipped_vcm_mmu_res));
	if (sizeof(void *) == 8) {
		assert_int_equal(sizeof(struct vcm), 32);
		assert_int_equal(sizeof(struct vcm_res), 48);
		assert_int_equal(sizeof(struct vcm_mmu_res), 64);
	}
}

/* ---- the shim ----------------------------------------------------------- */

struct item {
	int v;
	struct list_head node;
};

static void test_shim_basics(void **state)
{
	atomic_t a = ATOMIC_INIT(1);
	LIST_HEAD(list);
	struct item items[3], *it, *n;
	unsigned long w0 = vcm_warn_count();
	DEFINE_SPINLOCK(lock);
	struct mutex m;
	unsigned long flags;
	u32 *p;
	int i, sum = 0;

	(void)state;
	assert_true(IS_ERR_VALUE((unsigned long)-ENOMEM));
	assert_false(IS_ERR_VALUE(0x40000000UL));
	assert_int_equal(ALIGN(0x1001UL, SZ_4K), 0x2000);
	assert_int_equal(ALIGN(0x2000UL, SZ_4K), 0x2000);
	assert_int_equal(sizeof(u8) + sizeof(u16) + sizeof(u32) + sizeof(u64), 15);

	atomic_inc(&a);
	assert_int_equal(atomic_read(&a), 2);
	assert_int_equal(atomic_inc_return(&a), 3);
	assert_false(atomic_dec_and_test(&a));
	atomic_set(&a, 1);
	assert_true(atomic_dec_and_test(&a));
	assert_false(atomic_add_unless(&a, -1, 0));
	assert_int_equal(atomic_read(&a), 0);

	for (i = 0; i < 3; i++) {
		items[i].v = i + 1;
		list_add_tail(&items[i].node, &list);
	}
	list_for_each_entry(it, &list, node)
		sum = sum * 10 + it->v;
	assert_int_equal(sum, 123);
	list_for_each_entry_safe(it, n, &list, node)
		list_del_init(&it->node);
	assert_true(list_empty(&list));

	/* WARN_ON() is a counted libvcm warning and yields its condition. */
	assert_false(WARN_ON(1 + 1 == 3));
	assert_true(WARN_ON(1 + 1 == 2));
	assert_int_equal(vcm_warn_count(), w0 + 1);

	p = kzalloc(4 * sizeof(*p), GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(p[3], 0);
	kfree(p);

	spin_lock_irqsave(&lock, flags);
	spin_unlock_irqrestore(&lock, flags);
	mutex_init(&m);
	mutex_lock(&m);
	mutex_unlock(&m);
	mutex_destroy(&m);
	assert_int_equal(DMA_FROM_DEVICE, 2);
}

/* ---- the MFC memory manager --------------------------------------------- */

#define MFC_PORT_A (SZ_64M)
#define MFC_PORT_B (SZ_64M)
#define MFC_FW_SIZE (SZ_1M)

static unsigned mfc_invalidations, mfc_base_sets;

static void mfc_tlb_invalidate(enum vcm_dev_id id)
{
	assert_int_equal(id, VCM_DEV_MFC);
	mfc_invalidations++;
	sysmmu_tlb_invalidate(SYSMMU_MFC_L);
	sysmmu_tlb_invalidate(SYSMMU_MFC_R);
}

static void mfc_set_pagetable(enum vcm_dev_id id, unsigned long base)
{
	assert_int_equal(id, VCM_DEV_MFC);
	mfc_base_sets++;
	sysmmu_set_tablebase_pgd(SYSMMU_MFC_L, base);
	sysmmu_set_tablebase_pgd(SYSMMU_MFC_R, base);
}

static const struct s5p_vcm_driver mfc_vcm_driver = {
	.tlb_invalidator = &mfc_tlb_invalidate,
	.pgd_base_specifier = &mfc_set_pagetable,
	.phys_alloc = NULL,
	.phys_free = NULL,
};

/* As mfc_vcm_bind(): the codec makes the reservation structure itself. */
static struct vcm_mmu_res *mfc_vcm_bind(struct vcm *vcm, unsigned int addr, unsigned int size)
{
	struct vcm_mmu_res *s_res;
	struct vcm_phys *phys;
	int ret;

	s_res = kzalloc(sizeof(struct vcm_mmu_res), GFP_KERNEL);
	if (s_res == NULL)
		return ERR_PTR(-ENOMEM);
	s_res->res.start = addr;
	s_res->res.res_size = size;
	s_res->res.vcm = vcm;
	INIT_LIST_HEAD(&s_res->bound);

	phys = vcm_alloc(vcm, size, 0);
	if (IS_ERR(phys)) {
		kfree(s_res);
		return ERR_PTR(PTR_ERR(phys));
	}
	ret = vcm_bind(&s_res->res, phys);
	if (ret < 0) {
		vcm_free(phys);
		kfree(s_res);
		return ERR_PTR(ret);
	}
	return s_res;
}

static void mfc_vcm_unbind(struct vcm_mmu_res *s_res)
{
	struct vcm_phys *phys = vcm_unbind(&s_res->res);

	vcm_free(phys);
	kfree(s_res);
}

static void test_mfc(void **state)
{
	struct vcm_res *port_a, *port_b, *hole, *fw_k;
	struct vcm_mmu_res *fw;
	struct vcm *vcm;
	uint32_t word = 0x5a5aa5a5, back = 0;
	unsigned int base;

	(void)state;
	mfc_invalidations = mfc_base_sets = 0;
	vcm = vcm_create_unified(SZ_256M * 2, VCM_DEV_MFC, &mfc_vcm_driver);
	assert_false(IS_ERR_OR_NULL(vcm));
	assert_ptr_equal(vcm_find_vcm(VCM_DEV_MFC), vcm);

	port_a = vcm_reserve(vcm, MFC_PORT_A, 0);
	assert_false(IS_ERR(port_a));
	hole = vcm_reserve(vcm, SZ_256M - MFC_PORT_A, 0);
	assert_false(IS_ERR(hole));
	port_b = vcm_reserve(vcm, MFC_PORT_B, 0);
	assert_false(IS_ERR(port_b));
	/* The codec relies on it: its second port is 256 MiB above the first. */
	assert_int_equal(port_b->start, port_a->start + SZ_256M);
	vcm_unreserve(hole);

	base = (unsigned int)ALIGN(port_a->start, SZ_128K);
	fw = mfc_vcm_bind(vcm, base, MFC_FW_SIZE);
	assert_false(IS_ERR(fw));
	assert_ptr_equal(fw->res.phys->size, MFC_FW_SIZE);

	/* The CPU's view of the firmware area, as mfc_vcm_map(). */
	fw_k = vcm_map(vcm_vmm, fw->res.phys, 0);
	assert_false(IS_ERR(fw_k));
	memcpy((void *)(uintptr_t)(fw_k->start + 0x100), &word, sizeof(word));

	/* The platform turns the codec's System MMUs on; activation programs
	 * both through the callbacks. */
	assert_int_equal(sysmmu_on(SYSMMU_MFC_L), 0);
	assert_int_equal(sysmmu_on(SYSMMU_MFC_R), 0);
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(mfc_base_sets, 1);
	assert_int_equal(vcm_dma_read(s5p_sysmmu_ip(SYSMMU_MFC_L), base + 0x100, &back, 4), 0);
	assert_int_equal(back, word);
	back = 0;
	assert_int_equal(vcm_dma_read(s5p_sysmmu_ip(SYSMMU_MFC_R), base + 0x100, &back, 4), 0);
	assert_int_equal(back, word);

	vcm_unmap(fw_k);
	mfc_vcm_unbind(fw);
	assert_true(mfc_invalidations >= 2);
	/* Unbound: the codec's access faults now. */
	assert_int_equal(vcm_dma_read(s5p_sysmmu_ip(SYSMMU_MFC_L), base, &back, 4), -EFAULT);

	vcm_deactivate(vcm);
	sysmmu_off(SYSMMU_MFC_L);
	sysmmu_off(SYSMMU_MFC_R);
	vcm_unreserve(port_a);
	vcm_unreserve(port_b);
	vcm_destroy(vcm);
}

/*
 * A reservation its driver made is taken by vcm_bind()/vcm_unbind() only
 * when it is whole pages in the window of a live MMU-wrapper context;
 * anything else is refused with a warning and changes nothing.
 */
static void test_driver_made_res(void **state)
{
	struct vcm *vcm = vcm_create_unified(SZ_16M, VCM_DEV_FIMC0, NULL);
	struct vcm *gone = vcm_create_unified(SZ_16M, VCM_DEV_FIMC1, NULL);
	struct vcm_mmu_res *s_res = kzalloc(sizeof(*s_res), GFP_KERNEL);
	struct vcm_phys *phys;
	unsigned long w0;

	(void)state;
	assert_false(IS_ERR(vcm) || IS_ERR(gone) || !s_res);
	phys = vcm_alloc(vcm, SZ_64K, 0);
	assert_false(IS_ERR(phys));
	INIT_LIST_HEAD(&s_res->bound);
	s_res->res.vcm = vcm;
	s_res->res.res_size = SZ_64K;

	w0 = vcm_warn_count();
	s_res->res.start = vcm->start + vcm->size;		/* past the window */
	assert_int_equal(vcm_bind(&s_res->res, phys), -EINVAL);
	s_res->res.start = vcm->start + 0x800;			/* not a page */
	assert_int_equal(vcm_bind(&s_res->res, phys), -EINVAL);
	s_res->res.start = vcm->start;
	s_res->res.vcm = vcm_vmm;				/* not an MMU context */
	assert_int_equal(vcm_bind(&s_res->res, phys), -EINVAL);
	vcm_destroy(gone);
	s_res->res.vcm = gone;					/* destroyed */
	assert_int_equal(vcm_bind(&s_res->res, phys), -EINVAL);
	assert_int_equal(vcm_warn_count(), w0 + 4);
	assert_int_equal(atomic_read(&phys->bindings), 0);
	assert_null(s_res->res.phys);

	/* Valid: bound and unbound, and nothing else takes it. */
	s_res->res.vcm = vcm;
	assert_int_equal(vcm_bind(&s_res->res, phys), 0);
	assert_ptr_equal(s_res->res.phys, phys);
	assert_int_equal(vcm_bind(&s_res->res, phys), -EALREADY);
	w0 = vcm_warn_count();
	vcm_unreserve(&s_res->res);
	assert_int_equal(vcm_warn_count(), w0 + 1);
	assert_ptr_equal(vcm_unbind(&s_res->res), phys);
	assert_true(list_empty(&s_res->bound));
	assert_null(vcm_unbind(&s_res->res));			/* nothing bound: warned */
	assert_int_equal(vcm_warn_count(), w0 + 2);
	kfree(s_res);
	vcm_free(phys);
	vcm_destroy(vcm);
}

/* ---- the videobuf2 SDVMM allocator -------------------------------------- */

static void test_sdvmm(void **state)
{
	struct vcm *vcm, *other;
	struct vcm_phys *vcm_phys;
	struct vcm_res *vcm_res, *vcm_res_kern, *remapped = NULL;
	unsigned long size = 3 * SZ_4K + 100;
	unsigned long aligned_size = ALIGN(size, SZ_4K);
	uint32_t word = 0xc0ffee00, back = 0;
	int ret;

	(void)state;
	/* vb2_sdvmm_init() */
	vcm = vcm_create_unified(SZ_16M, VCM_DEV_FIMC0, NULL);
	assert_false(IS_ERR(vcm));
	s5p_vcm_turn_off(vcm);
	ret = vcm_activate(vcm);
	assert_false(ret < 0);

	/* vb2_sdvmm_alloc() */
	vcm_phys = vcm_alloc(vcm, aligned_size, 0);
	assert_false(IS_ERR(vcm_phys));
	vcm_res = vcm_map(vcm, vcm_phys, 0);
	assert_false(IS_ERR(vcm_res));

	/* vb2_sdvmm_vaddr(): the kernel mapping */
	vcm_res_kern = vcm_map(vcm_vmm, vcm_res->phys, 0);
	assert_false(IS_ERR(vcm_res_kern));
	memcpy((void *)(uintptr_t)(vcm_res_kern->start + 2 * SZ_4K), &word, sizeof(word));
	assert_int_equal(vcm_dma_read(s5p_sysmmu_get(VCM_DEV_FIMC0), vcm_res->start + 2 * SZ_4K,
				      &back, 4), 0);
	assert_int_equal(back, word);

	/* vb2_sdvmm_get_userptr() of another device's buffer */
	other = vcm_create_unified(SZ_16M, VCM_DEV_FIMC1, NULL);
	assert_false(IS_ERR(other));
	assert_int_equal(vcm_activate(other), 0);
	switch (vcm_reservation_in_vcm(vcm_find_vcm(VCM_DEV_FIMC1), vcm_res)) {
	case S5PVCM_RES_IN_ADDRSPACE:
		remapped = vcm_map(other, vcm_res->phys, 0);
		assert_false(IS_ERR(remapped));
		break;
	default:
		fail();
	}
	back = 0;
	assert_int_equal(vcm_dma_read(s5p_sysmmu_get(VCM_DEV_FIMC1), remapped->start + 2 * SZ_4K,
				      &back, 4), 0);
	assert_int_equal(back, word);
	vcm_unmap(remapped);
	vcm_deactivate(other);
	vcm_destroy(other);

	/* vb2_sdvmm_put() */
	vcm_unmap(vcm_res_kern);
	vcm_unmap(vcm_res);
	vcm_free(vcm_phys);
	/* vb2_sdvmm_cleanup() */
	vcm_deactivate(vcm);
	vcm_destroy(vcm);
}

/* ---- a platform layer built like the S5P one ---------------------------- */

static const unsigned char plat_orders[] = { 20 - PAGE_SHIFT, 16 - PAGE_SHIFT, 0 };

struct plat_vcm_mmu {
	struct vcm_mmu mmu;
	struct vcm_driver ops;
	struct vcm_pgtable *pt;
	int (*mmu_activate)(struct vcm *vcm);
	unsigned activations, phys_calls;
};

static struct plat_vcm_mmu *to_plat(struct vcm *vcm)
{
	return container_of(container_of(vcm, struct vcm_mmu, vcm), struct plat_vcm_mmu, mmu);
}

static int plat_map(struct vcm_res *res, struct vcm_phys *phys)
{
	struct plat_vcm_mmu *p = to_plat(res->vcm);
	dma_addr_t va = res->start;
	unsigned i;
	int ret;

	for (i = 0; i < phys->count; i++) {
		ret = vcm_pgtable_map(p->pt, va, phys->parts[i].start, phys->parts[i].size, 0);
		if (ret)
			return ret;
		va += phys->parts[i].size;
	}
	return 0;
}

static void plat_unmap(struct vcm_res *res, struct vcm_phys *phys)
{
	vcm_pgtable_unmap(to_plat(res->vcm)->pt, res->start, phys->size);
}

static void plat_cleanup(struct vcm *vcm)
{
	struct plat_vcm_mmu *p = to_plat(vcm);

	vcm_pgtable_destroy(p->pt);
	kfree(p);
}

static const struct vcm_mmu_driver plat_mmu_driver = {
	.orders = plat_orders,
	.cleanup = plat_cleanup,
	.activate = plat_map,
	.deactivate = plat_unmap,
};

static int plat_activate(struct vcm *vcm)
{
	struct plat_vcm_mmu *p = to_plat(vcm);
	int ret = p->mmu_activate(vcm);

	if (!ret)
		p->activations++;
	return ret;
}

static struct vcm_phys *plat_phys(struct vcm *vcm, resource_size_t size, unsigned flags)
{
	to_plat(vcm)->phys_calls++;
	return vcm_phys_alloc(size, flags, plat_orders);
}

static struct vcm *plat_create(dma_addr_t start, resource_size_t size)
{
	struct plat_vcm_mmu *p = kzalloc(sizeof(*p), GFP_KERNEL);

	assert_non_null(p);
	p->pt = vcm_pgtable_create(vcm_soc_current());
	assert_false(IS_ERR(p->pt));
	p->mmu.vcm.start = start;
	p->mmu.vcm.size = size;
	p->mmu.driver = &plat_mmu_driver;
	if (&p->mmu.vcm != vcm_mmu_init(&p->mmu)) {
		vcm_pgtable_destroy(p->pt);
		kfree(p);
		return ERR_PTR(-EBADR);
	}
	memcpy(&p->ops, p->mmu.vcm.driver, sizeof(struct vcm_driver));
	p->ops.phys = &plat_phys;
	p->mmu_activate = p->ops.activate;
	p->ops.activate = &plat_activate;
	p->mmu.vcm.driver = &p->ops;
	return &p->mmu.vcm;
}

static void test_platform_layer(void **state)
{
	struct vcm *vcm = plat_create(0x10000000, SZ_64M);
	struct plat_vcm_mmu *p;
	struct vcm_res *res;
	dma_addr_t pa;

	(void)state;
	assert_false(IS_ERR(vcm));
	p = to_plat(vcm);
	res = vcm_make_binding(vcm, SZ_2M, 0, 0);
	assert_false(IS_ERR(res));
	assert_int_equal(p->phys_calls, 1);
	/* Inactive: nothing in the table yet. */
	assert_int_equal(vcm_pgtable_dva_to_phys(p->pt, res->start, &pa), -ENOENT);
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(p->activations, 1);
	assert_int_equal(vcm_pgtable_dva_to_phys(p->pt, res->start, &pa), 0);
	assert_int_equal(pa, res->phys->parts[0].start);
	vcm_deactivate(vcm);
	assert_int_equal(vcm_pgtable_dva_to_phys(p->pt, res->start, &pa), -ENOENT);
	vcm_destroy_binding(res);
	vcm_destroy(vcm);
}

/* ---- reservation reference counts --------------------------------------- */

static void test_ref_reserve(void **state)
{
	struct vcm *vcm = vcm_create_unified(SZ_16M, VCM_DEV_G2D, NULL);
	vcm_size_t free0 = vcm_soc_free_bytes(vcm_soc_current());
	unsigned long w0;
	struct vcm_res *res, *b;
	struct vcm_phys *phys;

	(void)state;
	assert_false(IS_ERR(vcm));
	res = vcm_reserve(vcm, SZ_1M, 0);
	assert_false(IS_ERR(res));
	assert_int_equal(atomic_read(&res->refcnt), 1);
	assert_int_equal(vcm_ref_reserve(res), 0);
	assert_int_equal(vcm_ref_reserve(res), 0);
	assert_int_equal(atomic_read(&res->refcnt), 3);
	/* Only the last owner's call acts: the range stays taken till then. */
	vcm_unreserve(res);
	vcm_unreserve(res);
	b = vcm_reserve(vcm, SZ_1M, 0);
	assert_int_not_equal(b->start, res->start);
	vcm_unreserve(b);
	vcm_unreserve(res);

	/* vcm_unmap() and vcm_destroy_binding() the same way. */
	res = vcm_make_binding(vcm, SZ_64K, 0, 0);
	assert_false(IS_ERR(res));
	phys = res->phys;
	assert_int_equal(vcm_ref_reserve(res), 0);
	vcm_destroy_binding(res);
	assert_ptr_equal(res->phys, phys);	/* still bound: one owner left */
	vcm_destroy_binding(res);
	assert_int_equal(vcm_soc_free_bytes(vcm_soc_current()), free0);

	phys = vcm_alloc(vcm, SZ_64K, 0);
	res = vcm_map(vcm, phys, 0);
	assert_int_equal(vcm_ref_reserve(res), 0);
	vcm_unmap(res);
	assert_int_equal(atomic_read(&phys->bindings), 1);
	vcm_unmap(res);
	assert_int_equal(atomic_read(&phys->bindings), 0);
	vcm_free(phys);

	w0 = vcm_warn_count();
	assert_int_equal(vcm_ref_reserve(NULL), -EINVAL);
	assert_int_equal(vcm_ref_reserve(ERR_PTR(-ENOMEM)), -EINVAL);
	assert_int_equal(vcm_warn_count(), w0 + 2);
	vcm_destroy(vcm);
}

/* ---- vcm_vmm ------------------------------------------------------------- */

static void test_vcm_vmm(void **state)
{
	struct vcm_phys *phys = vcm_phys_alloc(2 * SZ_4K, 0, NULL);
	unsigned long w0 = vcm_warn_count();
	struct vcm_res *res;
	char byte = 0;

	(void)state;
	assert_int_equal(atomic_read(&vcm_vmm->activations), 1);
	/* Activation only counts: the CPU's mappings are always live. */
	assert_int_equal(vcm_activate(vcm_vmm), 0);
	vcm_deactivate(vcm_vmm);
	assert_int_equal(atomic_read(&vcm_vmm->activations), 1);
	res = vcm_map(vcm_vmm, phys, 0);
	assert_false(IS_ERR(res));
	((char *)(uintptr_t)res->start)[SZ_4K + 7] = 42;
	assert_int_equal(vcm_soc_phys_read(vcm_soc_current(), phys->parts[1].start + 7, &byte, 1),
			 0);
	assert_int_equal(byte, 42);
	vcm_unmap(res);
	vcm_free(phys);
	/* Never destroyed: a warning, and it keeps working. */
	vcm_destroy(vcm_vmm);
	assert_int_equal(vcm_warn_count(), w0 + 1);
	assert_non_null(vcm_core(vcm_vmm));
}

/* ---- a context initialised statically ----------------------------------- */

static unsigned st_binds, st_activations;
static resource_size_t st_next;

static struct vcm_res *st_res(struct vcm *vcm, resource_size_t size, unsigned flags)
{
	struct vcm_res *res = kzalloc(sizeof(*res), GFP_KERNEL);

	(void)flags;
	if (!res)
		return ERR_PTR(-ENOMEM);
	res->start = vcm->start + st_next;
	st_next += size;
	return res;
}

static void st_unreserve(struct vcm_res *res)
{
	kfree(res);
}

static int st_bind(struct vcm_res *res, struct vcm_phys *phys)
{
	(void)res;
	(void)phys;
	st_binds++;
	return 0;
}

static void st_unbind(struct vcm_res *res)
{
	(void)res;
	st_binds--;
}

static int st_activate(struct vcm *vcm)
{
	(void)vcm;
	st_activations++;
	return 0;
}

static void st_deactivate(struct vcm *vcm)
{
	(void)vcm;
	st_activations--;
}

static const struct vcm_driver st_driver = {
	.res = st_res,
	.unreserve = st_unreserve,
	.bind = st_bind,
	.unbind = st_unbind,
	.activate = st_activate,
	.deactivate = st_deactivate,
};

/* As the kernel's vcm_vmm: no init function is ever called on these. */
static struct vcm st_vcm = { .start = 0x20000000, .size = SZ_16M, .driver = &st_driver };
static struct vcm st_bad = { .start = 0x20000000, .size = SZ_4K + 1, .driver = &st_driver };

static void st_round(struct vcm_phys *phys)
{
	struct vcm_res *res = vcm_reserve(&st_vcm, SZ_64K, 0);

	assert_false(IS_ERR(res));
	assert_ptr_equal(res->vcm, &st_vcm);
	assert_int_equal(vcm_bind(res, phys), 0);
	assert_int_equal(st_binds, 1);
	assert_int_equal(vcm_activate(&st_vcm), 0);
	assert_int_equal(vcm_activate(&st_vcm), 0);
	assert_int_equal(st_activations, 1);		/* counted, as always */
	assert_int_equal(atomic_read(&st_vcm.activations), 2);
	vcm_deactivate(&st_vcm);
	vcm_deactivate(&st_vcm);
	assert_int_equal(st_activations, 0);
	assert_ptr_equal(vcm_unbind(res), phys);
	vcm_unreserve(res);
	assert_int_equal(st_binds, 0);
}

static void test_static_context(void **state)
{
	struct vcm_phys *phys = vcm_phys_alloc(SZ_64K, 0, NULL);
	struct vcm on_stack = st_vcm;
	unsigned long w0 = vcm_warn_count();

	(void)state;
	assert_false(IS_ERR(phys));
	st_round(phys);
	/* Destroyed: emptied, never free()d (it is static memory), and set up
	 * again by its next use. */
	vcm_destroy(&st_vcm);
	st_round(phys);
	vcm_destroy(&st_vcm);
	assert_int_equal(vcm_warn_count(), w0);

	/* Not static storage, or not what vcm_init() would take: refused. */
	assert_ptr_equal(vcm_reserve(&on_stack, SZ_4K, 0), ERR_PTR(-EINVAL));
	assert_ptr_equal(vcm_reserve(&st_bad, SZ_4K, 0), ERR_PTR(-EINVAL));
	assert_int_equal(vcm_warn_count(), w0 + 2);
	vcm_free(phys);
}

/* ---- allocation helpers ------------------------------------------------- */

static void test_phys_helpers(void **state)
{
	static const unsigned char orders[] = { 8, 4, 0 };
	struct vcm_cma_alloc cma = { .dev = NULL, .type = (char *)"mfc", .alignment = SZ_128K };
	struct vcm_phys *a, *b, *c;
	unsigned long w0 = vcm_warn_count();

	(void)state;
	(void)cma;
	a = __vcm_phys_alloc(SZ_1M + SZ_64K, 0, orders, GFP_KERNEL);
	b = __vcm_phys_alloc_coherent(SZ_64K, 0, orders, GFP_DMA32);
	c = vcm_phys_alloc_raw(SZ_4K, 0, orders);
	assert_false(IS_ERR(a) || IS_ERR(b) || IS_ERR(c));
	assert_int_equal(a->count, 2);
	assert_int_equal(a->parts[0].size, SZ_1M);
	assert_null(a->parts[0].page);
	assert_int_equal(b->size, SZ_64K);
	assert_int_equal(c->size, SZ_4K);
	vcm_free(a);
	vcm_free(b);
	vcm_free(c);
	/* The kernel refused sizes that are not whole pages, with a warning. */
	assert_ptr_equal(__vcm_phys_alloc(SZ_4K + 1, 0, orders, GFP_KERNEL), ERR_PTR(-EINVAL));
	assert_int_equal(vcm_warn_count(), w0 + 1);
}

/* ---- <plat/sysmmu.h> ---------------------------------------------------- */

static void test_plat_sysmmu(void **state)
{
	struct vcm_sysmmu *l = s5p_sysmmu_ip(SYSMMU_MFC_L);
	struct vcm_sysmmu *r = s5p_sysmmu_ip(SYSMMU_MFC_R);
	struct vcm_sysmmu_stats st;
	uint8_t byte;

	(void)state;
	assert_false(IS_ERR(l) || IS_ERR(r));
	assert_ptr_not_equal(l, r);
	assert_ptr_equal(l, s5p_sysmmu_get(VCM_DEV_MFC));
	assert_int_equal(S5P_SYSMMU_TOTAL_IPNUM, 16);

	assert_int_equal(sysmmu_on(SYSMMU_MFC_L), 0);
	assert_int_equal(vcm_sysmmu_readl(l, VCM_SYSMMU_CTRL), VCM_SYSMMU_CTRL_ENABLE);
	assert_int_equal(vcm_sysmmu_readl(l, VCM_SYSMMU_CFG) & VCM_SYSMMU_CFG_LRU,
			 VCM_SYSMMU_CFG_LRU);
	assert_int_equal(sysmmu_set_tablebase_pgd(SYSMMU_MFC_L, 0x40004000), 0);
	assert_int_equal(vcm_sysmmu_readl(l, VCM_SYSMMU_PT_BASE_ADDR), 0x40004000);
	assert_int_equal(sysmmu_tlb_invalidate(SYSMMU_MFC_L), 0);
	/* unblocked again after the flush */
	assert_int_equal(vcm_sysmmu_readl(l, VCM_SYSMMU_STATUS), 0);

	/* A fault holds the instance, as under the shipped driver, until CTRL is written. */
	assert_int_equal(vcm_dma_read(l, 0xF0000000, &byte, 1), -EFAULT);
	assert_int_equal(vcm_sysmmu_readl(l, VCM_SYSMMU_STATUS) & VCM_SYSMMU_STATUS_BLOCKED,
			 VCM_SYSMMU_STATUS_BLOCKED);
	assert_int_equal(vcm_dma_read(l, 0xF0000000, &byte, 1), -EBUSY);
	assert_int_equal(sysmmu_tlb_invalidate(SYSMMU_MFC_L), 0);
	assert_int_equal(vcm_sysmmu_readl(l, VCM_SYSMMU_STATUS), 0);
	vcm_sysmmu_get_stats(l, &st);
	assert_int_equal(sysmmu_off(SYSMMU_MFC_L), 0);
	assert_int_equal(vcm_sysmmu_readl(l, VCM_SYSMMU_CTRL) & VCM_SYSMMU_CTRL_MMU_EN, 0);
	/* The right port was left alone. */
	assert_int_equal(vcm_sysmmu_readl(r, VCM_SYSMMU_CTRL), 0);

	assert_int_equal(s5p_sysmmu_on((sysmmu_ips)16), -EINVAL);
	assert_int_equal(s5p_sysmmu_off((sysmmu_ips)-1), -EINVAL);
	assert_int_equal(s5p_sysmmu_tlb_invalidate((sysmmu_ips)16), -EINVAL);
	assert_int_equal(s5p_sysmmu_set_tablebase_pgd((sysmmu_ips)16, 0), -EINVAL);
	assert_ptr_equal(s5p_sysmmu_ip((sysmmu_ips)16), ERR_PTR(-EINVAL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_shim_basics),
		cmocka_unit_test_setup_teardown(test_mfc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_made_res, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdvmm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_platform_layer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ref_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vcm_vmm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phys_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plat_sysmmu, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
