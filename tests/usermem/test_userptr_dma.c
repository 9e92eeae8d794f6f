// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_userptr_dma.c - user buffers seen by devices through the System MMU
 * model: device writes and reads land in the application's bytes at
 * unaligned starts and ends, accesses beyond the mapped pages fault without
 * touching the application's neighbouring memory, and a put takes the
 * mapping away from the device; on vcm_iommu_create() and S5P contexts.
 */
#include <errno.h>
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
#include <vcm/s5p.h>

#include "pin.h"
#include "test_util.h"

#define PAGE		((size_t)VCM_PAGE_SIZE)
#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define WINDOW		0x20000000ULL
#define WINDOW_SIZE	(16ULL << 20)
#define AREA_PAGES	6	/* guard page, 3 buffer pages, 2 guard pages */
#define BUF_PAGE	1	/* the buffer starts in this page of the area */
#define ODD_OFFSET	0x321
#define BUF_BYTES	(2 * PAGE + 0x456 - ODD_OFFSET)	/* ends inside page 3 */
#define GUARD		0xee
#define S5P_SIZE	(4ULL << 20)

struct ctx {
	struct vcm_soc *soc;
	struct vcm_sysmmu *mmu;
	struct vcm *vcm;
	unsigned char *area;
	unsigned char *buf;
	vcm_size_t free0;
	unsigned faults;
	struct vcm_fault last;
};

static int on_fault(struct vcm_sysmmu *mmu, const struct vcm_fault *f, void *priv)
{
	struct ctx *c = priv;

	(void)mmu;
	c->faults++;
	c->last = *f;
	return -EFAULT;
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->soc = test_soc_current(RAM_BASE, RAM_SIZE);
	c->mmu = vcm_sysmmu_create(c->soc, "dev");
	assert_false(vcm_is_err(c->mmu));
	vcm_sysmmu_set_fault_handler(c->mmu, on_fault, c);
	c->vcm = vcm_iommu_create(c->mmu, WINDOW, WINDOW_SIZE);
	assert_false(vcm_is_err(c->vcm));
	assert_int_equal(vcm_activate(c->vcm), 0);
	c->area = mmap(NULL, AREA_PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(c->area != MAP_FAILED);
	memset(c->area, GUARD, AREA_PAGES * PAGE);
	c->buf = c->area + BUF_PAGE * PAGE + ODD_OFFSET;
	c->free0 = vcm_soc_free_bytes(c->soc);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(vcm_pin_pages(NULL), 0);
	assert_int_equal(vcm_soc_free_bytes(c->soc), c->free0);
	vcm_deactivate(c->vcm);
	vcm_destroy(c->vcm);
	vcm_sysmmu_destroy(c->mmu);
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(c->soc);
	munmap(c->area, AREA_PAGES * PAGE);
	free(c);
	return 0;
}

static void pattern(unsigned char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 11 + seed);
}

/* Every byte of the area outside [from, to) still holds the guard fill. */
static void assert_guard_outside(const struct ctx *c, const unsigned char *from,
				 const unsigned char *to)
{
	const unsigned char *p;

	for (p = c->area; p < c->area + AREA_PAGES * PAGE; p++)
		if ((p < from || p >= to) && *p != GUARD)
			fail_msg("byte at area + %#zx changed", (size_t)(p - c->area));
}

static struct vcm_userptr *get(struct ctx *c)
{
	struct vcm_userptr *up = vcm_userptr_get(c->vcm, c->buf, BUF_BYTES, 0);

	assert_false(vcm_is_err_or_null(up));
	assert_int_equal(up->offset, ODD_OFFSET);
	assert_int_equal(up->dva, up->res->start + ODD_OFFSET);
	assert_int_equal(up->res->bound_size, 3 * PAGE);
	return up;
}

/* A device write of the whole buffer lands exactly in it. */
static void test_dma_write(void **state)
{
	struct ctx *c = *state;
	struct vcm_userptr *up = get(c);
	unsigned char *src = malloc(BUF_BYTES);

	pattern(src, BUF_BYTES, 1);
	assert_int_equal(vcm_dma_write(c->mmu, up->dva, src, BUF_BYTES), 0);
	assert_memory_equal(c->buf, src, BUF_BYTES);
	assert_guard_outside(c, c->buf, c->buf + BUF_BYTES);
	/* Single bytes at the very first and very last byte. */
	src[0] = 0x11;
	assert_int_equal(vcm_dma_write(c->mmu, up->dva, src, 1), 0);
	assert_int_equal(vcm_dma_write(c->mmu, up->dva + BUF_BYTES - 1, src, 1), 0);
	assert_int_equal(c->buf[0], 0x11);
	assert_int_equal(c->buf[BUF_BYTES - 1], 0x11);
	assert_guard_outside(c, c->buf, c->buf + BUF_BYTES);
	assert_int_equal(c->faults, 0);
	vcm_userptr_put(up);
	free(src);
}

/* A device read sees what the application wrote, after the mapping too. */
static void test_dma_read(void **state)
{
	struct ctx *c = *state;
	struct vcm_userptr *up = get(c);
	unsigned char *got = malloc(BUF_BYTES);

	pattern(c->buf, BUF_BYTES, 2);
	assert_int_equal(vcm_dma_read(c->mmu, up->dva, got, BUF_BYTES), 0);
	assert_memory_equal(got, c->buf, BUF_BYTES);
	/* The application changes a byte at the end; the device sees it. */
	c->buf[BUF_BYTES - 1] ^= 0xff;
	assert_int_equal(vcm_dma_read(c->mmu, up->dva + BUF_BYTES - 1, got, 1), 0);
	assert_int_equal(got[0], c->buf[BUF_BYTES - 1]);
	vcm_userptr_put(up);
	free(got);
}

/*
 * A write running past the last mapped page faults at the first unmapped
 * DVA and never reaches the application's next page; one before the first
 * page faults at once.
 */
static void test_dma_beyond(void **state)
{
	struct ctx *c = *state;
	struct vcm_userptr *up = get(c);
	vcm_addr_t end = up->res->start + up->res->bound_size;
	size_t len = end - up->dva + PAGE;
	unsigned char *src = malloc(len);
	const unsigned char *last_page = c->area + (BUF_PAGE + 3) * PAGE;

	pattern(src, len, 3);
	assert_int_equal(vcm_dma_write(c->mmu, up->dva, src, len), -EFAULT);
	assert_int_equal(c->faults, 1);
	assert_int_equal(c->last.dva, end);
	assert_int_equal(c->last.access, VCM_ACCESS_WRITE);
	assert_int_equal(c->last.type, VCM_FAULT_PAGE);
	/* Nothing beyond the pinned pages changed (inside them it may have). */
	assert_guard_outside(c, c->buf, last_page);

	assert_int_equal(vcm_dma_write(c->mmu, up->res->start - 1, src, 2), -EFAULT);
	assert_int_equal(c->faults, 2);
	assert_int_equal(c->last.dva, up->res->start - 1);
	assert_int_equal(c->area[BUF_PAGE * PAGE - 1], GUARD);

	assert_int_equal(vcm_dma_read(c->mmu, end, src, 1), -EFAULT);
	assert_int_equal(c->last.access, VCM_ACCESS_READ);
	vcm_userptr_put(up);
	free(src);
}

/* After put the device cannot reach the buffer any more. */
static void test_dma_after_put(void **state)
{
	struct ctx *c = *state;
	struct vcm_userptr *up = get(c);
	vcm_addr_t dva = up->dva;
	unsigned char byte = 0x42;

	assert_int_equal(vcm_dma_write(c->mmu, dva, &byte, 1), 0); /* fills the TLB */
	vcm_userptr_put(up);
	byte = 0x24;
	assert_int_equal(vcm_dma_write(c->mmu, dva, &byte, 1), -EFAULT);
	assert_int_equal(c->buf[0], 0x42);
	assert_int_equal(c->faults, 1);
}

/* Mapped before activation: reaches the hardware at activation. */
static void test_dma_activate_later(void **state)
{
	struct ctx *c = *state;
	struct vcm_userptr *up;
	unsigned char byte = 0x77;

	vcm_deactivate(c->vcm);
	up = get(c);
	assert_int_equal(vcm_activate(c->vcm), 0);
	assert_int_equal(vcm_dma_write(c->mmu, up->dva + PAGE, &byte, 1), 0);
	assert_int_equal(c->buf[PAGE], 0x77);
	vcm_userptr_put(up);
}

/* Two buffers sharing a page (adjacent in one allocation): one PA. */
static void test_dma_adjacent_buffers(void **state)
{
	struct ctx *c = *state;
	struct vcm_userptr *a, *b;
	unsigned char x = 0xa1, y = 0xb2;

	a = vcm_userptr_get(c->vcm, c->buf, PAGE, 0);
	b = vcm_userptr_get(c->vcm, c->buf + PAGE, PAGE, 0);
	assert_false(vcm_is_err_or_null(a));
	assert_false(vcm_is_err_or_null(b));
	assert_int_equal(a->res->phys->parts[1].start, b->res->phys->parts[0].start);
	assert_int_equal(vcm_dma_write(c->mmu, a->dva + PAGE - 1, &x, 1), 0);
	assert_int_equal(vcm_dma_write(c->mmu, b->dva, &y, 1), 0);
	assert_int_equal(c->buf[PAGE - 1], 0xa1);
	assert_int_equal(c->buf[PAGE], 0xb2);
	vcm_userptr_put(a);
	assert_int_equal(vcm_dma_write(c->mmu, b->dva + 1, &x, 1), 0);
	assert_int_equal(c->buf[PAGE + 1], 0xa1);
	vcm_userptr_put(b);
}

/* The pages get PAs in the context's SoC, whatever SoC is current now. */
static void test_dma_context_soc(void **state)
{
	struct ctx *c = *state;
	struct vcm_soc *other = vcm_soc_create();
	struct vcm_userptr *up;
	unsigned char byte = 0x99;

	assert_int_equal(vcm_soc_add_ram(other, RAM_BASE, RAM_SIZE), 0);
	vcm_soc_set_current(other);
	up = get(c);
	assert_int_equal(vcm_pin_pages(c->soc), 3);
	assert_int_equal(vcm_pin_pages(other), 0);
	assert_int_equal(vcm_dma_write(c->mmu, up->dva, &byte, 1), 0);
	assert_int_equal(c->buf[0], 0x99);
	vcm_userptr_put(up);
	vcm_soc_set_current(c->soc);
	assert_int_equal(vcm_soc_free_bytes(other), RAM_SIZE);
	vcm_soc_destroy(other);
}

/* An S5P context (shared page table) and an IOMMU context share a buffer. */
static void test_dma_s5p(void **state)
{
	struct ctx *c = *state;
	struct vcm *mfc = vcm_create_unified(S5P_SIZE, VCM_DEV_MFC, NULL);
	struct vcm_sysmmu *mfc_mmu = s5p_sysmmu_get(VCM_DEV_MFC);
	struct vcm_userptr *a, *b;
	unsigned char *src = malloc(BUF_BYTES), *got = malloc(BUF_BYTES);
	vcm_addr_t dva;

	assert_false(vcm_is_err(mfc));
	assert_false(vcm_is_err(mfc_mmu));
	assert_int_equal(vcm_activate(mfc), 0);
	a = get(c);
	b = vcm_userptr_get(mfc, c->buf, BUF_BYTES, 0);
	assert_false(vcm_is_err_or_null(b));
	assert_int_equal(b->offset, ODD_OFFSET);
	assert_int_equal(vcm_reservation_in_vcm(mfc, b->res), S5PVCM_RES_IN_VCM);
	assert_int_equal(b->res->phys->parts[2].start, a->res->phys->parts[2].start);
	assert_int_equal(vcm_pin_pages(c->soc), 3);

	pattern(src, BUF_BYTES, 5);
	assert_int_equal(vcm_dma_write(c->mmu, a->dva, src, BUF_BYTES), 0);
	assert_int_equal(vcm_dma_read(mfc_mmu, b->dva, got, BUF_BYTES), 0);
	assert_memory_equal(got, src, BUF_BYTES);
	pattern(src, BUF_BYTES, 6);
	assert_int_equal(vcm_dma_write(mfc_mmu, b->dva, src, BUF_BYTES), 0);
	assert_memory_equal(c->buf, src, BUF_BYTES);
	assert_guard_outside(c, c->buf, c->buf + BUF_BYTES);

	dva = b->dva;
	vcm_userptr_put(b);
	assert_int_equal(vcm_dma_read(mfc_mmu, dva, got, 1), -EFAULT);
	assert_int_equal(vcm_dma_read(c->mmu, a->dva, got, 1), 0);
	vcm_userptr_put(a);
	vcm_deactivate(mfc);
	vcm_destroy(mfc);
	free(src);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dma_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_beyond, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_after_put, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_activate_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_adjacent_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_context_soc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_s5p, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
