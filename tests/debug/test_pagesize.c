/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_pagesize.c - page-size reports: the page counts of a reservation and
 * of a context, each reason a page is smaller than its buffer allows (DVA
 * misaligned, PA misaligned, part too small, driver orders) built on
 * purpose, and the SoC's free-memory summary.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define MiB		(1ULL << 20)
#define KiB64		(64ULL << 10)
#define PAGE		4096ULL
#define WIN		0x20000000ULL

struct fx {
	struct test_dev d;
	vcm_addr_t pa;		/* 2 MiB of RAM to make phys of by hand */
	char *text;
	size_t len;
	FILE *out;
};

static int setup(void **state)
{
	static struct fx f;

	test_dev_setup(&f.d, RAM_BASE, RAM_SIZE, "dev", WIN, 256 * MiB);
	assert_int_equal(vcm_soc_alloc_pages(f.d.soc, 9, &f.pa), 0);
	f.out = open_memstream(&f.text, &f.len);
	assert_non_null(f.out);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	fclose(f->out);
	free(f->text);
	vcm_soc_free_pages(f->d.soc, f->pa, 9);
	test_dev_teardown(&f->d);
	return 0;
}

/* A phys of @n parts at the given PAs and sizes. */
static struct vcm_phys *phys_of(unsigned n, const vcm_addr_t *pa, const vcm_size_t *size)
{
	struct vcm_phys *p = calloc(1, sizeof(*p) + n * sizeof(p->parts[0]));
	unsigned i;

	assert_non_null(p);
	p->count = n;
	for (i = 0; i < n; i++) {
		p->parts[i].start = pa[i];
		p->parts[i].size = size[i];
		p->size += size[i];
	}
	return p;
}

static const char *report(struct fx *f, struct vcm_res *res, struct vcm_pagesize_counts *c)
{
	fflush(f->out);
	rewind(f->out);
	assert_int_equal(vcm_res_pagesize(res, c, f->out), 0);
	fputc('\0', f->out);
	fflush(f->out);
	return f->text;
}

/* Map @p, report, unmap. */
static void check(struct fx *f, struct vcm_phys *p, const unsigned long pages[3],
		  enum vcm_ps_reason reason, unsigned long n, const char *line)
{
	struct vcm_res *res = vcm_map(f->d.ctx, p, 0);
	struct vcm_pagesize_counts c;
	const char *text;
	unsigned i;

	assert_false(vcm_is_err(res));
	text = report(f, res, &c);
	for (i = 0; i < VCM_PS_NR_SIZES; i++)
		assert_int_equal(c.pages[i], pages[i]);
	for (i = 0; i < VCM_PS_NR_REASONS; i++)
		assert_int_equal(c.smaller[i], i == reason ? n : 0);
	if (line && !strstr(text, line))
		fail_msg("\"%s\" not in:\n%s", line, text);
	vcm_unmap(res);
	free(p);
}

static void aligned_buffer_is_one_page(void **state)
{
	struct fx *f = *state;
	struct vcm_pagesize_counts c;
	struct vcm_res *res;

	check(f, phys_of(1, (vcm_addr_t[]){ f->pa }, (vcm_size_t[]){ MiB }),
	      (unsigned long[]){ 1, 0, 0 }, VCM_PS_NR_REASONS, 0,
	      "1M x1, 64K x0, 4K x0 = 1 TLB entries (best 1)");
	/* a tail smaller than the next size is no penalty */
	check(f, phys_of(1, (vcm_addr_t[]){ f->pa }, (vcm_size_t[]){ KiB64 + PAGE }),
	      (unsigned long[]){ 0, 1, 1 }, VCM_PS_NR_REASONS, 0, "(best 2)");
	memset(&c, 0xff, sizeof(c));
	res = vcm_reserve(f->d.ctx, PAGE, 0);
	assert_int_equal(vcm_res_pagesize(res, &c, NULL), 0);
	assert_int_equal(c.unbound, 1);
	assert_int_equal(c.pages[VCM_PS_4K], 0);
	vcm_unreserve(res);
}

static void pa_misaligned(void **state)
{
	struct fx *f = *state;

	check(f, phys_of(1, (vcm_addr_t[]){ f->pa + PAGE }, (vcm_size_t[]){ KiB64 }),
	      (unsigned long[]){ 0, 0, 16 }, VCM_PS_PA_MISALIGNED, 16,
	      "16 x 4K, PA misaligned");
}

static void part_too_small(void **state)
{
	struct fx *f = *state;

	/* two 32 KiB parts, each 64 KiB-aligned in PA: 64 KiB in all */
	check(f, phys_of(2, (vcm_addr_t[]){ f->pa, f->pa + 2 * KiB64 },
			 (vcm_size_t[]){ KiB64 / 2, KiB64 / 2 }),
	      (unsigned long[]){ 0, 0, 16 }, VCM_PS_PART_TOO_SMALL, 16,
	      "16 x 4K, part too small");
}

static void dva_misaligned(void **state)
{
	struct fx *f = *state;
	struct vcm_phys *p = phys_of(2, (vcm_addr_t[]){ f->pa + 3 * KiB64 + PAGE, f->pa },
				     (vcm_size_t[]){ PAGE, MiB });
	struct vcm_res *res = vcm_map(f->d.ctx, p, 0);
	struct vcm_pagesize_counts c;
	const char *text;

	/* the 1 MiB part starts 4 KiB into the DVA, at a 2 MiB-aligned PA: DVA
	 * and PA never agree on a 64 KiB boundary, all 4K pages.  The first
	 * 64 KiB block spans both parts (part too small), the last page has
	 * no 64 KiB block in the reservation, the rest are the DVA's fault */
	assert_false(vcm_is_err(res));
	text = report(f, res, &c);
	assert_int_equal(c.pages[VCM_PS_4K], 257);
	assert_int_equal(c.smaller[VCM_PS_PART_TOO_SMALL], 16);
	assert_int_equal(c.smaller[VCM_PS_DVA_MISALIGNED], 240);
	assert_int_equal(c.smaller[VCM_PS_PA_MISALIGNED], 0);
	assert_non_null(strstr(text, "16 x 4K, part too small"));
	assert_non_null(strstr(text, "240 x 4K, DVA misaligned"));
	assert_int_equal(c.best, 2);
	vcm_unmap(res);
	free(p);
}

/* A driver whose orders leave out 64 KiB and 1 MiB pages. */
static const unsigned char only_4k[] = { 0 };

static int nop_map(struct vcm_res *res, struct vcm_phys *phys)
{
	(void)res;
	(void)phys;
	return 0;
}

static void nop_unmap(struct vcm_res *res, struct vcm_phys *phys)
{
	(void)res;
	(void)phys;
}

static const struct vcm_mmu_driver small_driver = {
	.orders = only_4k,
	.activate = nop_map,
	.deactivate = nop_unmap,
};

static void driver_orders(void **state)
{
	struct fx *f = *state;
	struct vcm_mmu *mmu = calloc(1, sizeof(*mmu));
	struct vcm_phys *p = phys_of(1, (vcm_addr_t[]){ f->pa }, (vcm_size_t[]){ MiB });
	struct vcm_pagesize_counts c;
	struct vcm_res *res;
	struct vcm *vcm;

	mmu->vcm.start = WIN;
	mmu->vcm.size = 16 * MiB;
	mmu->driver = &small_driver;
	vcm = vcm_mmu_init(mmu);
	assert_false(vcm_is_err(vcm));
	res = vcm_map(vcm, p, 0);
	assert_false(vcm_is_err(res));
	fflush(f->out);
	rewind(f->out);
	assert_int_equal(vcm_pagesize_report(vcm, &c, f->out), 0);
	fputc('\0', f->out);
	fflush(f->out);
	assert_int_equal(c.pages[VCM_PS_4K], 256);
	assert_int_equal(c.smaller[VCM_PS_DRIVER_ORDERS], 256);
	assert_int_equal(c.best, 1);
	assert_non_null(strstr(f->text, "256 TLB entries (best 1)"));
	assert_non_null(strstr(f->text, "driver orders 256"));
	assert_non_null(strstr(f->text, "256 x 4K, driver orders"));
	vcm_unmap(res);
	free(p);
	vcm_destroy(vcm);
}

static void context_totals(void **state)
{
	struct fx *f = *state;
	struct vcm_phys *a = phys_of(1, (vcm_addr_t[]){ f->pa }, (vcm_size_t[]){ MiB });
	struct vcm_phys *b = phys_of(1, (vcm_addr_t[]){ f->pa + MiB + PAGE },
				     (vcm_size_t[]){ KiB64 });
	struct vcm_res *ra = vcm_map(f->d.ctx, a, 0), *rb = vcm_map(f->d.ctx, b, 0);
	struct vcm_res *rc = vcm_reserve(f->d.ctx, PAGE, 0);
	struct vcm_pagesize_counts c;

	assert_int_equal(vcm_pagesize_report(f->d.ctx, &c, NULL), 0);
	assert_int_equal(c.pages[VCM_PS_1M], 1);
	assert_int_equal(c.pages[VCM_PS_4K], 16);
	assert_int_equal(c.smaller[VCM_PS_PA_MISALIGNED], 16);
	assert_int_equal(c.best, 2);
	assert_int_equal(c.unbound, 1);
	vcm_unreserve(rc);
	vcm_unmap(ra);
	vcm_unmap(rb);
	free(a);
	free(b);
}

static void not_page_mapped(void **state)
{
	struct fx *f = *state;
	struct vcm *o2o = vcm_onetoone_create(f->d.soc);
	struct vcm_phys *p = phys_of(1, (vcm_addr_t[]){ f->pa }, (vcm_size_t[]){ KiB64 });
	struct vcm_res *res = vcm_map(o2o, p, 0);

	assert_false(vcm_is_err(res));
	assert_int_equal(vcm_pagesize_report(o2o, NULL, NULL), -EOPNOTSUPP);
	assert_int_equal(vcm_res_pagesize(res, NULL, NULL), -EOPNOTSUPP);
	assert_int_equal(vcm_pagesize_report(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(vcm_pagesize_report(vcm_err_ptr(-ENOMEM), NULL, NULL), -EINVAL);
	assert_int_equal(vcm_res_pagesize(NULL, NULL, NULL), -EINVAL);
	vcm_unmap(res);
	free(p);
	vcm_destroy(o2o);
}

static void soc_free_summary(void **state)
{
	struct vcm_soc *soc = test_soc_ram(RAM_BASE, MiB);
	vcm_addr_t pa[256];
	struct test_capture c;
	unsigned i;
	char *text;

	(void)state;
	assert_int_equal(vcm_soc_free_report(soc, NULL), 8);
	for (i = 0; i < 256; i++)
		assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa[i]), 0);
	assert_int_equal(vcm_soc_free_report(soc, NULL), -ENOMEM);
	for (i = 0; i < 256; i += 2)	/* every other page: order 0 only */
		vcm_soc_free_pages(soc, pa[i], 0);
	assert_int_equal(vcm_soc_free_report(soc, test_capture_open(&c)), 0);
	text = test_capture_text(&c);
	assert_non_null(strstr(text, "SoC free memory: 512 of 1024 KiB"));
	assert_non_null(strstr(text, "free blocks by order (0..12): 128 0 0"));
	assert_non_null(strstr(text, "a 1M block cannot be had: largest free order 0 (4 KiB)"));
	assert_non_null(strstr(text, "a 64K block cannot be had"));
	assert_non_null(strstr(text, "a 4K block can be had"));
	free(text);
	for (i = 1; i < 256; i += 2)
		vcm_soc_free_pages(soc, pa[i], 0);
	assert_int_equal(vcm_soc_free_report(NULL, NULL), -EINVAL);
	vcm_soc_destroy(soc);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(aligned_buffer_is_one_page),
		T(pa_misaligned),
		T(part_too_small),
		T(dva_misaligned),
		T(driver_orders),
		T(context_totals),
		T(not_page_mapped),
		cmocka_unit_test(soc_free_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
