/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_explain.c - vcm_explain_dva(), vcm_explain_sysmmu(), vcm_explain_pa()
 * and vcm_context_dump(), each against a situation built on purpose: a
 * pinned user buffer behind a System MMU (reservation, part, PA, user
 * address, entries, TLB line), a DVA recently unmapped by each call, a PA
 * mapped by two devices, every kind of context dumped.
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
#define PAGE		4096ULL
#define WIN		0x20000000ULL
#define WIN_SIZE	(256ULL << 20)

struct fx {
	struct vcm_soc *soc;
	struct vcm_sysmmu *mmu;
	struct vcm *ctx;
	unsigned char *buf;
	char *text;
	size_t len;
	FILE *out;
};

static int setup(void **state)
{
	static struct fx f;

	test_warnings_quiet();
	f.soc = test_soc_current(RAM_BASE, RAM_SIZE);
	f.mmu = vcm_sysmmu_create(f.soc, "fimc0");
	f.ctx = vcm_iommu_create(f.mmu, WIN, WIN_SIZE);
	assert_false(vcm_is_err(f.ctx));
	assert_int_equal(vcm_activate(f.ctx), 0);
	f.buf = aligned_alloc(PAGE, 4 * PAGE);
	assert_non_null(f.buf);
	memset(f.buf, 0, 4 * PAGE);
	f.out = open_memstream(&f.text, &f.len);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	fclose(f->out);
	free(f->text);
	vcm_deactivate(f->ctx);
	vcm_destroy(f->ctx);
	vcm_sysmmu_destroy(f->mmu);
	free(f->buf);
	test_warnings_default();
	test_soc_release(f->soc);
	return 0;
}

/* The text printed since the last call. */
static const char *text(struct fx *f)
{
	fputc('\0', f->out);
	fflush(f->out);
	return f->text;
}

static void restart(struct fx *f)
{
	fflush(f->out);
	rewind(f->out);
}

static void has(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("\"%s\" not in:\n%s", want, text);
}

static void dva_of_user_buffer(void **state)
{
	struct fx *f = *state;
	struct vcm_userptr *up = vcm_userptr_get(f->ctx, f->buf + 0x2a5, 2 * PAGE, 0);
	struct vcm_explain e;
	vcm_addr_t dva;
	uint32_t word;
	char line[128];

	assert_false(vcm_is_err(up));
	dva = up->dva + PAGE;
	assert_int_equal(vcm_dma_read(f->mmu, dva, &word, 4), 0);	/* fills the TLB */
	restart(f);
	assert_int_equal(vcm_explain_dva(f->ctx, dva, &e, f->out), 0);
	assert_ptr_equal(e.vcm, f->ctx);
	assert_true(e.active);
	assert_int_equal(e.owner, VCM_DVA_BOUND);
	assert_int_equal(e.res_start, up->res->start);
	assert_int_equal(e.phys_parts, 3);
	assert_int_equal(e.part, 1);
	assert_true(e.has_pa);
	assert_int_equal(e.pa, e.part_start + 0x2a5);
	assert_ptr_equal(e.uaddr, f->buf + PAGE + 0x2a5);
	assert_int_equal(e.pin_count, 1);
	assert_true(e.has_table);
	assert_int_equal(e.pgtable_base, vcm_sysmmu_pgtable_base(f->mmu));
	assert_true(e.has_lv2);
	assert_int_equal(e.lv2, (uint32_t)e.part_start | 2);
	assert_true(e.tlb_line >= 0);
	assert_int_equal(e.tlb_pa, e.part_start);
	assert_false(e.tlb_stale);
	assert_false(e.unmapped);
	has(text(f), "iommu fimc0 0x20000000+0x10000000 (active)");
	has(f->text, "reservation 0x20000000+0x3000, bound");
	snprintf(line, sizeof(line), "phys part 1 of 3: PA 0x%llx+0x1000 -> PA 0x%llx",
		 (unsigned long long)e.part_start, (unsigned long long)e.pa);
	has(f->text, line);
	snprintf(line, sizeof(line), "user memory: UVA %p (page pinned 1x)", e.uaddr);
	has(f->text, line);
	has(f->text, "(4 KiB page)");
	has(f->text, "TLB line");

	/* the same through the System MMU */
	memset(&e, 0, sizeof(e));
	assert_int_equal(vcm_explain_sysmmu(f->mmu, dva, &e, NULL), 0);
	assert_ptr_equal(e.vcm, f->ctx);
	assert_ptr_equal(e.uaddr, f->buf + PAGE + 0x2a5);

	/* and by PA */
	restart(f);
	assert_int_equal(vcm_explain_pa(f->soc, e.pa, &e, f->out), 0);
	assert_true(e.pa_ram);
	assert_true(e.pa_allocated);
	assert_int_equal(e.mappings, 1);
	assert_int_equal(e.dva, dva);
	assert_ptr_equal(e.vcm, f->ctx);
	assert_ptr_equal(e.uaddr, f->buf + PAGE + 0x2a5);
	has(text(f), "RAM, allocated, pinned user memory at UVA");
	snprintf(line, sizeof(line), "mapped at DVA 0x%llx in iommu fimc0", (unsigned long long)dva);
	has(f->text, line);
	vcm_userptr_put(up);
}

/* A TLB line that no longer matches the table shows as stale. */
static void stale_tlb_line(void **state)
{
	struct fx *f = *state;
	struct vcm_res *res = vcm_make_binding(f->ctx, PAGE, 0, 0);
	struct vcm_explain e;
	uint32_t word, lv1, other = 0;

	assert_false(vcm_is_err(res));
	assert_int_equal(vcm_dma_read(f->mmu, res->start, &word, 4), 0);
	assert_int_equal(vcm_soc_phys_read(f->soc, vcm_sysmmu_pgtable_base(f->mmu) +
					   (res->start >> 20) * 4, &lv1, 4), 0);
	assert_int_equal(vcm_soc_phys_read(f->soc, (lv1 & 0xFFFFFC00U) +
					   ((res->start >> 12) & 0xff) * 4, &word, 4), 0);
	other = word + 0x1000;	/* the entry changes behind the TLB's back */
	assert_int_equal(vcm_soc_phys_write(f->soc, (lv1 & 0xFFFFFC00U) +
					    ((res->start >> 12) & 0xff) * 4, &other, 4), 0);
	restart(f);
	assert_int_equal(vcm_explain_dva(f->ctx, res->start, &e, f->out), 0);
	assert_true(e.tlb_stale);
	has(text(f), "STALE");
	assert_int_equal(vcm_soc_phys_write(f->soc, (lv1 & 0xFFFFFC00U) +
					    ((res->start >> 12) & 0xff) * 4, &word, 4), 0);
	vcm_destroy_binding(res);
}

/* Recently unmapped: when, and by which call. */
static void recently_unmapped(void **state)
{
	struct fx *f = *state;
	struct vcm_res *a = vcm_make_binding(f->ctx, 2 * PAGE, 0, 0);
	struct vcm_res *b = vcm_make_binding(f->ctx, PAGE, 0, 0);
	vcm_addr_t da = a->start, db = b->start;
	struct vcm_phys *p;
	struct vcm_explain e;

	vcm_destroy_binding(a);
	assert_int_equal(vcm_explain_dva(f->ctx, da + PAGE, &e, NULL), 0);
	assert_int_equal(e.owner, VCM_DVA_UNRESERVED);
	assert_true(e.unmapped);
	assert_string_equal(e.unmap.call, "vcm_destroy_binding");
	assert_int_equal(e.unmap.start, da);
	assert_int_equal(e.unmap.size, 2 * PAGE);
	assert_true(e.unmap.seq > 0);

	p = vcm_unbind(b);
	assert_int_equal(vcm_explain_dva(f->ctx, db, &e, NULL), 0);
	assert_int_equal(e.owner, VCM_DVA_UNBOUND);
	assert_string_equal(e.unmap.call, "vcm_unbind");
	restart(f);
	assert_int_equal(vcm_explain_dva(f->ctx, db, NULL, f->out), 0);
	has(text(f), "recently unmapped: ");
	has(f->text, "by vcm_unbind (unbind #");
	assert_int_equal(vcm_bind(b, p), 0);
	vcm_unmap(b);
	vcm_free(p);
	assert_int_equal(vcm_explain_dva(f->ctx, db, &e, NULL), 0);
	assert_string_equal(e.unmap.call, "vcm_unmap");
	/* the later unbind wins, and the dump lists them latest first */
	restart(f);
	vcm_context_dump(f->ctx, f->out);
	has(text(f), "recent unbinds (latest first):");
	assert_true(strstr(f->text, "vcm_unmap") < strstr(f->text, "vcm_unbind"));
	assert_true(strstr(f->text, "vcm_unbind") < strstr(f->text, "vcm_destroy_binding"));
}

/* Only the last VCM_UNMAP_HISTORY unbinds are kept. */
static void history_is_bounded(void **state)
{
	struct fx *f = *state;
	struct vcm_res *first = vcm_make_binding(f->ctx, PAGE, 0, 0);
	vcm_addr_t d0 = first->start;
	struct vcm_res *hold;
	struct vcm_explain e;
	unsigned i;

	vcm_destroy_binding(first);
	hold = vcm_reserve(f->ctx, PAGE, 0);	/* keeps d0 from other bindings */
	assert_int_equal(hold->start, d0);
	assert_int_equal(vcm_explain_dva(f->ctx, d0, &e, NULL), 0);
	assert_true(e.unmapped);
	for (i = 0; i < VCM_UNMAP_HISTORY; i++)
		vcm_destroy_binding(vcm_make_binding(f->ctx, PAGE, 0, 0));
	assert_int_equal(vcm_explain_dva(f->ctx, d0, &e, NULL), 0);
	assert_false(e.unmapped);
	vcm_unreserve(hold);
}

/* A PA shared by two devices, one IOMMU and one S5P context. */
static void pa_of_two_devices(void **state)
{
	struct fx *f = *state;
	struct vcm *s5p = vcm_create_unified(MiB, VCM_DEV_MFC, NULL);
	struct vcm_phys *phys = vcm_alloc(f->ctx, 2 * PAGE, 0);
	struct vcm_res *r1, *r2;
	struct vcm_explain e;

	assert_false(vcm_is_err(s5p));
	r1 = vcm_map(f->ctx, phys, 0);
	r2 = vcm_map(s5p, phys, 0);
	assert_false(vcm_is_err(r1) || vcm_is_err(r2));
	restart(f);
	assert_int_equal(vcm_explain_pa(f->soc, phys->parts[0].start + PAGE + 8, &e, f->out), 0);
	assert_int_equal(e.mappings, 2);
	assert_null(e.uaddr);
	has(text(f), "in iommu fimc0");
	has(f->text, "in s5p mfc 0x");
	vcm_unmap(r1);
	vcm_unmap(r2);
	vcm_free(phys);
	vcm_destroy(s5p);
}

static void pa_not_mapped(void **state)
{
	struct fx *f = *state;
	struct vcm_explain e;
	vcm_addr_t pa;

	restart(f);
	assert_int_equal(vcm_explain_pa(f->soc, 0x1000, &e, f->out), 0);
	assert_false(e.pa_ram);
	assert_int_equal(e.mappings, 0);
	has(text(f), "PA 0x1000: not RAM");
	has(f->text, "mapped by no reservation of any live context");
	assert_int_equal(vcm_soc_alloc_pages(f->soc, 0, &pa), 0);
	vcm_soc_free_pages(f->soc, pa, 0);
	assert_int_equal(vcm_explain_pa(f->soc, pa, &e, NULL), 0);
	assert_true(e.pa_ram);
	assert_false(e.pa_allocated);
}

/* A System MMU no context describes: entries and TLB only. */
static void sysmmu_without_context(void **state)
{
	struct fx *f = *state;
	struct vcm_sysmmu *bare = vcm_sysmmu_create(f->soc, "bare");
	struct vcm_explain e;

	restart(f);
	assert_int_equal(vcm_explain_sysmmu(bare, WIN, &e, f->out), 0);
	assert_null(e.vcm);
	has(text(f), "DVA 0x20000000: System MMU bare, no context");
	assert_int_equal(e.tlb_line, -1);
	vcm_sysmmu_destroy(bare);
}

static void every_kind_dumped(void **state)
{
	struct fx *f = *state;
	struct vcm *o2o = vcm_onetoone_create(f->soc);
	struct vcm *vmm = vcm_vmm_create(f->soc);
	struct vcm *s5p = vcm_create_unified(MiB, VCM_DEV_G2D, NULL);
	struct vcm_res *r = vcm_make_binding(o2o, 2 * PAGE, 0, 0);
	struct vcm_res *u = vcm_reserve(f->ctx, PAGE, 0);
	struct vcm_explain e;

	restart(f);
	vcm_context_dump(f->ctx, f->out);
	vcm_context_dump(o2o, f->out);
	vcm_context_dump(vmm, f->out);
	vcm_context_dump(s5p, f->out);
	vcm_context_dump(NULL, f->out);
	vcm_context_dump(f->ctx, NULL);
	has(text(f), "context iommu fimc0 0x20000000+0x10000000: window 0x20000000+0x10000000, "
		     "activations 1, 1 reservation(s)");
	has(f->text, " not bound\n");
	has(f->text, "System MMU fimc0: enabled");
	has(f->text, "(this context's)");
	has(f->text, "context one-to-one: window");
	has(f->text, " bound 0x2000 in 1 part(s): ");
	has(f->text, "context cpu (vmm): window");
	has(f->text, "context s5p g2d 0x");
	has(f->text, "System MMU s5p-sysmmu-g2d: disabled");
	has(f->text, "context: (none)");
	/* explain on a one-to-one context: the PA is the DVA */
	assert_int_equal(vcm_explain_dva(o2o, r->start + 5, &e, NULL), 0);
	assert_int_equal(e.pa, r->start + 5);
	assert_false(e.has_table);
	vcm_unreserve(u);
	vcm_destroy_binding(r);
	vcm_destroy(o2o);
	vcm_destroy(vmm);
	vcm_destroy(s5p);
}

static void bad_args(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vcm_explain_dva(NULL, 0, NULL, NULL), -EINVAL);
	assert_int_equal(vcm_explain_dva(vcm_err_ptr(-ENOMEM), 0, NULL, NULL), -EINVAL);
	assert_int_equal(vcm_explain_sysmmu(NULL, 0, NULL, NULL), -EINVAL);
	assert_int_equal(vcm_explain_pa(NULL, 0, NULL, NULL), -EINVAL);
	assert_int_equal(vcm_explain_pa(vcm_err_ptr(-EINVAL), 0, NULL, NULL), -EINVAL);
	/* outside the window */
	assert_int_equal(vcm_explain_dva(f->ctx, 0x1000, NULL, NULL), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(dva_of_user_buffer),
		T(stale_tlb_line),
		T(recently_unmapped),
		T(history_is_bounded),
		T(pa_of_two_devices),
		T(pa_not_mapped),
		T(sysmmu_without_context),
		T(every_kind_dumped),
		T(bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
