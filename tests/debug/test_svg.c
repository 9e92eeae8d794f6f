/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_svg.c - the pictures, read back with a strict XML reader: a
 * context's DVA space (every reservation, bound or not, its page runs
 * covering the bound bytes with the right sizes and reasons) and a SoC's
 * physical memory (free blocks summing to the free bytes, a context's
 * memory named as its owner).
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

#include "svg_parse.h"
#include "test_util.h"

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(32ULL << 20)
#define MiB		(1ULL << 20)
#define KiB64		(64ULL << 10)
#define PAGE		4096ULL
#define WIN		0x20000000ULL

static int setup(void **state)
{
	static struct test_dev f;

	test_dev_setup(&f, RAM_BASE, RAM_SIZE, "fimc0", WIN, 256 * MiB);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct test_dev *f = *state;

	test_dev_teardown(f);
	return 0;
}

/* Draw with @draw into memory and parse it; fails on any XML error. */
static void picture(struct svgp *s, int (*draw)(void *obj, FILE *out), void *obj)
{
	struct test_capture c;
	char *text;

	assert_int_equal(draw(obj, test_capture_open(&c)), 0);
	text = test_capture_text(&c);
	svgp_parse(s, text);
	if (s->err)
		fail_msg("not well formed (%s):\n%s", s->err, text);
	assert_string_equal(s->e[0].name, "svg");
	assert_string_equal(svgp_attr(&s->e[0], "xmlns"), "http://www.w3.org/2000/svg");
	free(text);
}

static int draw_ctx(void *obj, FILE *out)
{
	return vcm_svg_context(obj, out);
}

static int draw_soc(void *obj, FILE *out)
{
	return vcm_svg_soc(obj, out);
}

static const struct svgp_elem *find(const struct svgp *s, const char *kind, uint64_t start)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (svgp_attr(&s->e[i], "data-kind") &&
		    !strcmp(svgp_attr(&s->e[i], "data-kind"), kind) &&
		    svgp_num(&s->e[i], "data-start") == start)
			return &s->e[i];
	return NULL;
}

static struct vcm_phys *phys_of(vcm_addr_t pa, vcm_size_t size)
{
	struct vcm_phys *p = calloc(1, sizeof(*p) + sizeof(p->parts[0]));

	p->count = 1;
	p->size = size;
	p->parts[0].start = pa;
	p->parts[0].size = size;
	return p;
}

static void context_picture(void **state)
{
	struct test_dev *f = *state;
	struct vcm_res *big = vcm_make_binding(f->ctx, MiB + KiB64, 0, 0);
	struct vcm_res *hole = vcm_reserve(f->ctx, 3 * PAGE, 0);
	struct vcm_phys *odd;
	struct vcm_res *slow;
	const struct svgp_elem *e;
	uint64_t covered = 0;
	vcm_addr_t pa;
	struct svgp s;
	size_t i;

	assert_int_equal(vcm_soc_alloc_pages(f->soc, 4, &pa), 0);
	odd = phys_of(pa + PAGE, 8 * PAGE);	/* PA misaligned for 64 KiB */
	slow = vcm_map(f->ctx, odd, 0);
	assert_false(vcm_is_err(big) || vcm_is_err(hole) || vcm_is_err(slow));
	picture(&s, draw_ctx, f->ctx);

	e = find(&s, "window", WIN);
	assert_non_null(e);
	assert_int_equal(svgp_num(e, "data-size"), 256 * MiB);
	e = find(&s, "reservation", hole->start);
	assert_non_null(e);
	assert_int_equal(svgp_num(e, "data-size"), 3 * PAGE);
	assert_string_equal(svgp_attr(e, "data-bound"), "0");
	e = find(&s, "reservation", big->start);
	assert_non_null(e);
	assert_string_equal(svgp_attr(e, "data-bound"), "1");
	/* the page runs of the big buffer cover its bytes: one 1M, one 64K */
	for (i = 0; i < s.n; i++) {
		const char *k = svgp_attr(&s.e[i], "data-kind");
		uint64_t st = svgp_num(&s.e[i], "data-start");

		if (k && !strcmp(k, "pages") && st >= big->start && st < big->start + big->res_size)
			covered += svgp_num(&s.e[i], "data-size");
	}
	assert_int_equal(covered, MiB + KiB64);
	e = find(&s, "pages", big->start);
	assert_string_equal(svgp_attr(e, "data-page"), "1M");
	assert_null(svgp_attr(e, "data-reason"));
	e = find(&s, "pages", slow->start);
	assert_non_null(e);
	assert_string_equal(svgp_attr(e, "data-page"), "4K");
	assert_string_equal(svgp_attr(e, "data-count"), "8");
	assert_null(svgp_attr(e, "data-reason"));	/* 32 KiB: no room for 64 KiB */
	svgp_free(&s);

	vcm_unmap(slow);
	free(odd);
	vcm_soc_free_pages(f->soc, pa, 4);
	vcm_unreserve(hole);
	vcm_destroy_binding(big);
}

static void soc_picture(void **state)
{
	struct test_dev *f = *state;
	struct vcm_res *res;
	struct vcm_phys *phys;
	uint64_t free_bytes = 0, owned = 0, other = 0;
	struct svgp s;
	size_t i;

	assert_int_equal(vcm_activate(f->ctx), 0);	/* page tables: allocated, no owner */
	phys = vcm_alloc(f->ctx, 3 * PAGE, 0);
	res = vcm_map(f->ctx, phys, 0);
	assert_false(vcm_is_err(res));
	picture(&s, draw_soc, f->soc);
	for (i = 0; i < s.n; i++) {
		const char *k = svgp_attr(&s.e[i], "data-kind");

		if (!k)
			continue;
		if (!strcmp(k, "free")) {
			uint64_t size = svgp_num(&s.e[i], "data-size");
			unsigned order = (unsigned)svgp_num(&s.e[i], "data-order");

			free_bytes += size;
			assert_int_equal(size, svgp_num(&s.e[i], "data-count") * (PAGE << order));
			assert_int_equal(svgp_num(&s.e[i], "data-start") % (PAGE << order), 0);
		} else if (!strcmp(k, "owned")) {
			assert_non_null(strstr(svgp_attr(&s.e[i], "data-owner"), "iommu fimc0"));
			owned += svgp_num(&s.e[i], "data-size");
		} else if (!strcmp(k, "allocated")) {
			other += svgp_num(&s.e[i], "data-size");
		}
	}
	assert_int_equal(free_bytes, vcm_soc_free_bytes(f->soc));
	assert_int_equal(owned, 3 * PAGE);
	assert_true(other >= 16 * 1024);	/* at least the level-1 table */
	assert_int_equal(free_bytes + owned + other, RAM_SIZE);
	svgp_free(&s);
	vcm_unmap(res);
	vcm_free(phys);
	vcm_deactivate(f->ctx);
}

/* Every kind of context draws; names with XML specials are escaped. */
static void other_contexts_and_errors(void **state)
{
	struct test_dev *f = *state;
	struct vcm *o2o = vcm_onetoone_create(f->soc);
	struct vcm_res *r = vcm_make_binding(o2o, 2 * PAGE, 0, 0);
	struct vcm_sysmmu *odd = vcm_sysmmu_create(f->soc, "a<b&\"c\"");
	struct vcm *ctx = vcm_iommu_create(odd, WIN, MiB);
	struct vcm_res *r2 = vcm_make_binding(ctx, PAGE, 0, 0);
	struct svgp s;

	picture(&s, draw_ctx, o2o);
	assert_non_null(find(&s, "reservation", r->start));
	assert_null(find(&s, "pages", r->start));	/* not page-mapped: no pages drawn */
	svgp_free(&s);
	picture(&s, draw_ctx, ctx);
	svgp_free(&s);
	picture(&s, draw_soc, f->soc);
	svgp_free(&s);
	assert_int_equal(vcm_svg_context(NULL, stdout), -EINVAL);
	assert_int_equal(vcm_svg_context(o2o, NULL), -EINVAL);
	assert_int_equal(vcm_svg_soc(NULL, stdout), -EINVAL);
	assert_int_equal(vcm_svg_soc(f->soc, NULL), -EINVAL);
	vcm_destroy_binding(r2);
	vcm_destroy(ctx);
	vcm_sysmmu_destroy(odd);
	vcm_destroy_binding(r);
	vcm_destroy(o2o);
}

/* The reader itself refuses what is not well formed (a planted error). */
static void reader_refuses_bad_xml(void **state)
{
	static const char *const bad[] = {
		"<svg><rect></svg>", "<svg x=1/>", "<svg x=\"a<b\"/>", "<svg>", "<svg x=\"&foo;\"/>",
	};
	struct svgp s;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		svgp_parse(&s, bad[i]);
		assert_non_null(s.err);
		svgp_free(&s);
	}
	svgp_parse(&s, "<svg a=\"&lt;\"><g/></svg>");
	assert_null(s.err);
	assert_string_equal(svgp_attr(&s.e[0], "a"), "<");
	svgp_free(&s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(context_picture),
		T(soc_picture),
		T(other_contexts_and_errors),
		cmocka_unit_test(reader_refuses_bad_xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
