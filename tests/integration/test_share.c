// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_share.c - the buffer sharing scenario of issue 4: one phys made with
 * vcm_make_binding() on a one-to-one context, mapped into an MMU context
 * (a mock MMU with a software page table) and into the CPU context.  Bytes
 * the CPU writes through its view are at the physical addresses, where the
 * one-to-one device and the MMU device both find them.  The last test runs
 * it through the System MMU model (vcm_iommu_create(), vcm_dma_read()).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vcm_test_common.h"

#define MMU_START	0x10000000ULL
#define MMU_SIZE	(256ULL << 20)
#define MAX_PAGES	1024

/* A software MMU: the pages it has mapped, looked up like a TLB miss. */
struct soft_mmu {
	struct vcm_mmu mmu;	/* first */
	struct { vcm_addr_t va, pa; unsigned order; } pte[MAX_PAGES];
	unsigned npte;
};

static const unsigned char soft_orders[] = { 8, 4, 0 };

static int soft_map(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct soft_mmu *m = vcm;

	if (m->npte == MAX_PAGES)
		return -ENOMEM;
	m->pte[m->npte].va = va;
	m->pte[m->npte].pa = pa;
	m->pte[m->npte].order = order;
	m->npte++;
	return 0;
}

static int soft_unmap(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct soft_mmu *m = vcm;
	unsigned i;

	for (i = 0; i < m->npte; i++) {
		if (m->pte[i].va == va && m->pte[i].pa == pa && m->pte[i].order == order) {
			m->pte[i] = m->pte[--m->npte];
			return 0;
		}
	}
	return -ENOENT;
}

static const struct vcm_mmu_driver soft_driver = {
	.orders = soft_orders,
	.activate_page = soft_map,
	.deactivate_page = soft_unmap,
};

static int soft_translate(const struct soft_mmu *m, vcm_addr_t dva, vcm_addr_t *pa)
{
	unsigned i;

	for (i = 0; i < m->npte; i++) {
		vcm_size_t len = PAGE << m->pte[i].order;

		if (dva >= m->pte[i].va && dva - m->pte[i].va < len) {
			*pa = m->pte[i].pa + (dva - m->pte[i].va);
			return 0;
		}
	}
	return -EFAULT;
}

/* A "device" behind the soft MMU reads @len bytes at @dva. */
static int soft_dma_read(struct vcm_soc *soc, const struct soft_mmu *m, vcm_addr_t dva,
			 void *dst, vcm_size_t len)
{
	unsigned char *p = dst;

	while (len) {
		vcm_size_t chunk = PAGE - (dva & (PAGE - 1));
		vcm_addr_t pa;
		int ret;

		if (chunk > len)
			chunk = len;
		ret = soft_translate(m, dva, &pa);
		if (!ret)
			ret = vcm_soc_phys_read(soc, pa, p, chunk);
		if (ret)
			return ret;
		dva += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

static struct soft_mmu *soft_new(void)
{
	struct soft_mmu *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->mmu.vcm.start = MMU_START;
	m->mmu.vcm.size = MMU_SIZE;
	m->mmu.driver = &soft_driver;
	assert_ptr_equal(vcm_mmu_init(&m->mmu), &m->mmu.vcm);
	return m;
}

static void fill(unsigned char *p, vcm_size_t len, unsigned seed)
{
	vcm_size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 29 + seed + (i >> 12));
}

static void test_share(void **state)
{
	const vcm_size_t size = MIB + 64 * KIB + 3 * PAGE;
	struct vcm_soc *soc = *state;
	vcm_size_t free0 = vcm_soc_free_bytes(soc);
	struct vcm_res *r_o2o, *r_mmu, *r_cpu;
	unsigned char *cpu, *expect, *got;
	struct vcm *o2o, *cpu_ctx;
	struct vcm_phys *phys;
	struct soft_mmu *mmu;

	o2o = vcm_onetoone_create(soc);
	mmu = soft_new();
	cpu_ctx = vcm_vmm_create(soc);
	assert_false(vcm_is_err_or_null(o2o) || vcm_is_err_or_null(cpu_ctx));

	/* The buffer: contiguous, for the device without an MMU. */
	r_o2o = vcm_make_binding(o2o, size, 0, 0);
	assert_false(vcm_is_err_or_null(r_o2o));
	phys = r_o2o->phys;
	assert_int_equal(phys->count, 1);
	assert_int_equal(r_o2o->start, phys->parts[0].start);
	assert_int_equal(r_o2o->res_size, size);

	/* The same memory in the MMU device's space and in the CPU's. */
	r_mmu = vcm_map(&mmu->mmu.vcm, phys, 0);
	assert_false(vcm_is_err_or_null(r_mmu));
	assert_int_equal(r_mmu->start % MIB, 0);
	assert_int_equal(vcm_activate(&mmu->mmu.vcm), 0);
	assert_true(mmu->npte > 0);
	r_cpu = vcm_map(cpu_ctx, phys, 0);
	assert_false(vcm_is_err_or_null(r_cpu));
	assert_int_equal(phys->bindings.counter, 3);

	/* The CPU writes; the bytes are at the PAs (DVA == PA one-to-one)... */
	cpu = (unsigned char *)(uintptr_t)r_cpu->start;
	expect = malloc(size);
	got = malloc(size);
	assert_non_null(expect);
	assert_non_null(got);
	fill(expect, size, 3);
	memcpy(cpu, expect, size);
	assert_int_equal(vcm_soc_phys_read(soc, r_o2o->start, got, size), 0);
	assert_memory_equal(got, expect, size);

	/* ...and the MMU device reads them at its DVAs. */
	memset(got, 0, size);
	assert_int_equal(soft_dma_read(soc, mmu, r_mmu->start, got, size), 0);
	assert_memory_equal(got, expect, size);

	/* A device write (at the PA) is what the CPU sees. */
	fill(expect, 4096, 11);
	assert_int_equal(vcm_soc_phys_write(soc, r_o2o->start + MIB, expect, 4096), 0);
	assert_memory_equal(cpu + MIB, expect, 4096);

	/* Shared: freeing it now is refused. */
	EXPECT_WARNINGS(1, vcm_free(phys));
	assert_int_equal(phys->bindings.counter, 3);

	/* Teardown: no warning, every page back. */
	EXPECT_WARNINGS(0, {
		vcm_deactivate(&mmu->mmu.vcm);
		vcm_unmap(r_cpu);
		vcm_unmap(r_mmu);
		vcm_destroy_binding(r_o2o);
		vcm_destroy(cpu_ctx);
		vcm_destroy(&mmu->mmu.vcm);
		vcm_destroy(o2o);
	});
	assert_int_equal(vcm_soc_free_bytes(soc), free0);
	free(expect);
	free(got);
}

/* The same scenario with the MMU device active from the start. */
static void test_share_active_first(void **state)
{
	struct vcm_soc *soc = *state;
	vcm_size_t free0 = vcm_soc_free_bytes(soc);
	struct vcm_res *r_o2o, *r_mmu, *r_cpu;
	struct vcm *o2o, *cpu_ctx;
	struct soft_mmu *mmu;
	unsigned char buf[64];
	vcm_addr_t dva;

	o2o = vcm_onetoone_create(NULL);
	mmu = soft_new();
	cpu_ctx = vcm_vmm_create(NULL);
	assert_int_equal(vcm_activate(&mmu->mmu.vcm), 0);

	r_o2o = vcm_make_binding(o2o, 5 * PAGE, 0, 0);
	r_mmu = vcm_map(&mmu->mmu.vcm, r_o2o->phys, 0);
	r_cpu = vcm_map(cpu_ctx, r_o2o->phys, 0);
	assert_int_equal(r_o2o->phys->bindings.counter, 3);
	strcpy((char *)(uintptr_t)r_cpu->start + 4 * PAGE, "shared bytes");
	assert_int_equal(soft_dma_read(soc, mmu, r_mmu->start + 4 * PAGE, buf, 13), 0);
	assert_string_equal((char *)buf, "shared bytes");

	/* Unmapped from the MMU while active: the device faults at once. */
	dva = r_mmu->start;
	vcm_unmap(r_mmu);
	assert_int_equal(soft_dma_read(soc, mmu, dva, buf, 1), -EFAULT);
	assert_int_equal(mmu->npte, 0);

	EXPECT_WARNINGS(0, {
		vcm_unmap(r_cpu);
		vcm_destroy_binding(r_o2o);
		vcm_deactivate(&mmu->mmu.vcm);
		vcm_destroy(&mmu->mmu.vcm);
		vcm_destroy(cpu_ctx);
		vcm_destroy(o2o);
	});
	assert_int_equal(vcm_soc_free_bytes(soc), free0);
}

/* The same with the real System MMU model: the device's DMA goes through
 * the page table the context wrote. */
static void test_share_sysmmu(void **state)
{
	const vcm_size_t size = MIB + 64 * KIB + 3 * PAGE;
	struct vcm_soc *soc = *state;
	vcm_size_t free0 = vcm_soc_free_bytes(soc);
	struct vcm_res *r_o2o, *r_mmu, *r_cpu;
	struct vcm *o2o, *iommu, *cpu_ctx;
	unsigned char *cpu, *expect, *got;
	struct vcm_sysmmu *sysmmu;
	vcm_addr_t dva;

	sysmmu = vcm_sysmmu_create(soc, "fimc0");
	assert_false(vcm_is_err_or_null(sysmmu));
	o2o = vcm_onetoone_create(soc);
	iommu = vcm_iommu_create(sysmmu, 0x20000000, 256 * MIB);
	cpu_ctx = vcm_vmm_create(soc);
	assert_false(vcm_is_err_or_null(iommu));

	r_o2o = vcm_make_binding(o2o, size, 0, 0);
	assert_false(vcm_is_err_or_null(r_o2o));
	r_mmu = vcm_map(iommu, r_o2o->phys, 0);
	r_cpu = vcm_map(cpu_ctx, r_o2o->phys, 0);
	assert_false(vcm_is_err_or_null(r_mmu) || vcm_is_err_or_null(r_cpu));
	assert_int_equal(r_o2o->phys->bindings.counter, 3);
	assert_int_equal(vcm_activate(iommu), 0);

	cpu = (unsigned char *)(uintptr_t)r_cpu->start;
	expect = malloc(size);
	got = malloc(size);
	assert_non_null(expect);
	assert_non_null(got);
	fill(expect, size, 5);
	memcpy(cpu, expect, size);
	assert_int_equal(vcm_soc_phys_read(soc, r_o2o->start, got, size), 0);
	assert_memory_equal(got, expect, size);
	memset(got, 0, size);
	assert_int_equal(vcm_dma_read(sysmmu, r_mmu->start, got, size), 0);
	assert_memory_equal(got, expect, size);

	/* The device writes; the CPU and the one-to-one device see it. */
	assert_int_equal(vcm_dma_write(sysmmu, r_mmu->start + MIB + 100, "device", 7), 0);
	assert_string_equal((char *)cpu + MIB + 100, "device");
	assert_int_equal(vcm_soc_phys_read(soc, r_o2o->start + MIB + 100, got, 7), 0);
	assert_string_equal((char *)got, "device");

	/* Unmapped while active: the device faults at once. */
	dva = r_mmu->start;
	vcm_unmap(r_mmu);
	assert_int_equal(vcm_dma_read(sysmmu, dva, got, 16), -EFAULT);

	EXPECT_WARNINGS(0, {
		vcm_deactivate(iommu);
		vcm_unmap(r_cpu);
		vcm_destroy_binding(r_o2o);
		vcm_destroy(cpu_ctx);
		vcm_destroy(iommu);
		vcm_destroy(o2o);
		vcm_sysmmu_destroy(sysmmu);
	});
	assert_int_equal(vcm_soc_free_bytes(soc), free0);
	free(expect);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_share, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_share_active_first, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_share_sysmmu, soc_setup, soc_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_warnings, default_warnings);
}
