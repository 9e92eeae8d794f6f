// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_o2o_vmm.c - the one-to-one wrapper (struct vcm_o2o, vcm_o2o_init(),
 * vcm_onetoone_create()) and the CPU context (vcm_vmm_create()).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vcm-internal.h"
#include "soc-internal.h"
#include "vcm_test_common.h"

static vcm_size_t soc_free(void)
{
	return vcm_soc_free_bytes(vcm_soc_current());
}

static bool parts_contiguous(const struct vcm_phys *phys)
{
	unsigned i;

	for (i = 1; i < phys->count; i++)
		if (phys->parts[i].start != phys->parts[i - 1].start + phys->parts[i - 1].size)
			return false;
	return true;
}

/* --- vcm_onetoone_create --------------------------------------------------- */

static void test_onetoone_create(void **state)
{
	struct vcm_soc *soc = *state, *empty;
	struct vcm *vcm;

	vcm = vcm_onetoone_create(soc);
	assert_false(vcm_is_err_or_null(vcm));
	assert_int_equal(vcm->start, TEST_RAM_BASE);
	assert_int_equal(vcm->size, TEST_RAM_SIZE);
	assert_int_equal(vcm->activations.counter, 0);
	EXPECT_WARNINGS(0, vcm_destroy(vcm));

	/* NULL: the current SoC (the test's). */
	vcm = vcm_onetoone_create(NULL);
	assert_false(vcm_is_err_or_null(vcm));
	assert_int_equal(vcm->start, TEST_RAM_BASE);
	assert_int_equal(vcm->size, TEST_RAM_SIZE);
	vcm_destroy(vcm);

	/* A second bank far above: the window spans both. */
	assert_int_equal(vcm_soc_add_ram(soc, 0x80000000, 16 * MIB), 0);
	vcm = vcm_onetoone_create(soc);
	assert_int_equal(vcm->start, TEST_RAM_BASE);
	assert_int_equal(vcm->size, 0x80000000 + 16 * MIB - TEST_RAM_BASE);
	vcm_destroy(vcm);

	empty = vcm_soc_create();
	assert_ptr_equal(vcm_onetoone_create(empty), vcm_err_ptr(-EINVAL));
	vcm_soc_destroy(empty);
	assert_ptr_equal(vcm_onetoone_create(vcm_err_ptr(-ENOMEM)), vcm_err_ptr(-EINVAL));
}

static void test_onetoone_alloc_map(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_phys *a, *b;
	struct vcm_res *ra, *rb;
	struct vcm *vcm;

	(void)state;
	vcm = vcm_onetoone_create(NULL);
	a = vcm_alloc(vcm, 3 * PAGE, 0);
	assert_false(vcm_is_err_or_null(a));
	assert_int_equal(a->count, 1);
	assert_int_equal(a->size, 3 * PAGE);
	assert_int_equal(a->parts[0].size, 3 * PAGE);
	/* No more than the size is taken from the SoC. */
	assert_int_equal(soc_free(), free0 - 3 * PAGE);

	ra = vcm_map(vcm, a, 0);
	assert_false(vcm_is_err_or_null(ra));
	assert_int_equal(ra->start, a->parts[0].start);
	assert_int_equal(ra->res_size, 3 * PAGE);
	assert_int_equal(ra->bound_size, 3 * PAGE);
	assert_int_equal(a->bindings.counter, 1);

	rb = vcm_make_binding(vcm, MIB + 5 * PAGE, 0, 0);
	assert_false(vcm_is_err_or_null(rb));
	b = rb->phys;
	assert_int_equal(b->count, 1);
	assert_int_equal(rb->start, b->parts[0].start);
	assert_int_equal(rb->res_size, MIB + 5 * PAGE);
	/* The two do not overlap. */
	assert_true(rb->start >= ra->start + ra->res_size ||
		    ra->start >= rb->start + rb->res_size);
	assert_int_equal(soc_free(), free0 - 3 * PAGE - MIB - 5 * PAGE);

	/* Activation has nothing to program, but is counted. */
	assert_int_equal(vcm_activate(vcm), 0);
	assert_int_equal(vcm->activations.counter, 1);
	EXPECT_WARNINGS(0, vcm_deactivate(vcm));

	/* Rebinding works only with the memory at the reservation's address. */
	assert_ptr_equal(vcm_unbind(ra), a);
	assert_int_equal(vcm_bind(ra, b), -ENOSPC);
	assert_ptr_equal(vcm_unbind(rb), b);
	assert_int_equal(vcm_bind(rb, a), -EINVAL);
	assert_int_equal(a->bindings.counter, 0);
	assert_int_equal(vcm_bind(rb, b), 0);
	assert_int_equal(vcm_bind(ra, a), 0);
	assert_int_equal(a->bindings.counter, 1);

	EXPECT_WARNINGS(0, {
		vcm_unmap(ra);
		vcm_free(a);
		vcm_destroy_binding(rb);
	});
	assert_int_equal(soc_free(), free0);
	vcm_destroy(vcm);
}

static void test_onetoone_errors(void **state)
{
	const vcm_addr_t apart[] = { TEST_RAM_BASE, TEST_RAM_BASE + 2 * PAGE };
	const vcm_addr_t adjacent[] = { TEST_RAM_BASE + 8 * PAGE, TEST_RAM_BASE + 9 * PAGE };
	const vcm_addr_t outside[] = { 0x10000000 };
	const vcm_addr_t across[] = { TEST_RAM_BASE + TEST_RAM_SIZE - PAGE };
	const vcm_size_t one[] = { PAGE, PAGE }, two[] = { 2 * PAGE };
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct vcm *vcm;

	(void)state;
	vcm = vcm_onetoone_create(NULL);
	/* No MMU, no address to choose: nothing to reserve. */
	assert_ptr_equal(vcm_reserve(vcm, PAGE, 0), vcm_err_ptr(-EOPNOTSUPP));

	phys = test_phys_new(2, apart, one);
	assert_ptr_equal(vcm_map(vcm, phys, 0), vcm_err_ptr(-EINVAL));
	assert_int_equal(phys->bindings.counter, 0);
	vcm_free(phys);

	/* Two parts that happen to be adjacent are one contiguous range. */
	phys = test_phys_new(2, adjacent, one);
	res = vcm_map(vcm, phys, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(res->start, adjacent[0]);
	assert_int_equal(res->res_size, 2 * PAGE);
	vcm_unmap(res);
	vcm_free(phys);

	phys = test_phys_new(1, outside, two);
	assert_ptr_equal(vcm_map(vcm, phys, 0), vcm_err_ptr(-ERANGE));
	vcm_free(phys);
	phys = test_phys_new(1, across, two);
	assert_ptr_equal(vcm_map(vcm, phys, 0), vcm_err_ptr(-ERANGE));
	vcm_free(phys);

	/* Larger than one contiguous allocation can be. */
	assert_ptr_equal(vcm_alloc(vcm, 16 * MIB + PAGE, 0), vcm_err_ptr(-EINVAL));
	assert_ptr_equal(vcm_make_binding(vcm, 16 * MIB + PAGE, 0, 0), vcm_err_ptr(-EINVAL));
	phys = vcm_alloc(vcm, 16 * MIB, 0);
	assert_false(vcm_is_err_or_null(phys));
	vcm_free(phys);
	assert_int_equal(soc_free(), free0);
	EXPECT_WARNINGS(0, vcm_destroy(vcm));
}

static void test_onetoone_enomem(void **state)
{
	struct vcm_soc *soc;
	struct vcm_phys *a;
	struct vcm *vcm;

	(void)state;
	soc = test_soc_new(MIB);
	vcm = vcm_onetoone_create(soc);
	assert_ptr_equal(vcm_alloc(vcm, 2 * MIB, 0), vcm_err_ptr(-ENOMEM));
	a = vcm_alloc(vcm, MIB / 2 + PAGE, 0);
	assert_false(vcm_is_err_or_null(a));
	/* Half the RAM is free, but not in one piece that large. */
	assert_ptr_equal(vcm_make_binding(vcm, MIB / 2, 0, 0), vcm_err_ptr(-ENOMEM));
	assert_int_equal(vcm_soc_free_bytes(soc), MIB / 2 - PAGE);
	vcm_free(a);
	vcm_destroy(vcm);
	test_soc_done(soc);
}

/* --- the one-to-one wrapper with a driver of one's own ----------------------- */

struct my_o2o {
	struct vcm_o2o o2o;
	unsigned allocs, frees, cleanups;
	int alloc_ret;
	vcm_addr_t next;
	vcm_addr_t freed_start;
	vcm_size_t freed_size;
};

static struct my_o2o *to_my(struct vcm *vcm)
{
	return (struct my_o2o *)vcm;
}

static int my_alloc(struct vcm *vcm, struct vcm_phys_part *part, unsigned flags)
{
	struct my_o2o *my = to_my(vcm);

	(void)flags;
	my->allocs++;
	if (my->alloc_ret)
		return my->alloc_ret;
	part->start = my->next;
	my->next += part->size;
	return 0;
}

static void my_free(struct vcm *vcm, struct vcm_phys_part *part)
{
	struct my_o2o *my = to_my(vcm);

	my->frees++;
	my->freed_start = part->start;
	my->freed_size = part->size;
}

static unsigned my_cleanups;

static void my_cleanup(struct vcm *vcm)
{
	my_cleanups++;
	free(to_my(vcm));
}

static const struct vcm_o2o_driver my_driver = {
	.cleanup = my_cleanup,
	.alloc = my_alloc,
	.free = my_free,
};

static const struct vcm_o2o_driver no_alloc_driver = { .cleanup = my_cleanup };

static struct vcm *my_new(const struct vcm_o2o_driver *drv)
{
	struct my_o2o *my = calloc(1, sizeof(*my));

	assert_non_null(my);
	my->o2o.vcm.start = 0x20000000;
	my->o2o.vcm.size = 0x10000000;
	my->o2o.driver = drv;
	my->next = 0x20100000;
	assert_ptr_equal(vcm_o2o_init(&my->o2o), &my->o2o.vcm);
	return &my->o2o.vcm;
}

static void test_o2o_driver(void **state)
{
	struct vcm_o2o bad = { .vcm = { .start = 0x20000000, .size = 0x1000 } };
	unsigned cleanups0 = my_cleanups;
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct my_o2o *my;
	struct vcm *vcm;

	(void)state;
	assert_ptr_equal(vcm_o2o_init(NULL), vcm_err_ptr(-EINVAL));
	assert_ptr_equal(vcm_o2o_init(vcm_err_ptr(-EIO)), vcm_err_ptr(-EINVAL));
	assert_ptr_equal(vcm_o2o_init(&bad), vcm_err_ptr(-EINVAL));
	bad.driver = &my_driver;
	bad.vcm.size = 0;
	assert_ptr_equal(vcm_o2o_init(&bad), vcm_err_ptr(-EINVAL));
	bad.vcm.size = 0x1800;
	assert_ptr_equal(vcm_o2o_init(&bad), vcm_err_ptr(-EINVAL));
	assert_null(vcm_core(&bad.vcm));

	vcm = my_new(&my_driver);
	my = to_my(vcm);
	phys = vcm_alloc(vcm, 5000, 0);
	assert_false(vcm_is_err_or_null(phys));
	assert_int_equal(my->allocs, 1);
	assert_int_equal(phys->count, 1);
	assert_int_equal(phys->size, 2 * PAGE);
	assert_int_equal(phys->parts[0].start, 0x20100000);
	assert_int_equal(phys->parts[0].size, 2 * PAGE);

	res = vcm_map(vcm, phys, 0);
	assert_int_equal(res->start, 0x20100000);
	EXPECT_WARNINGS(1, vcm_free(phys));
	assert_int_equal(my->frees, 0);
	vcm_unmap(res);
	vcm_free(phys);
	assert_int_equal(my->frees, 1);
	assert_int_equal(my->freed_start, 0x20100000);
	assert_int_equal(my->freed_size, 2 * PAGE);

	my->alloc_ret = -ENOMEM;
	assert_ptr_equal(vcm_alloc(vcm, PAGE, 0), vcm_err_ptr(-ENOMEM));
	assert_ptr_equal(vcm_make_binding(vcm, PAGE, 0, 0), vcm_err_ptr(-ENOMEM));
	assert_int_equal(my->frees, 1);
	EXPECT_WARNINGS(0, vcm_destroy(vcm));
	assert_int_equal(my_cleanups, cleanups0 + 1);

	/* A driver that cannot allocate: the kernel required a phys op. */
	bad.vcm.size = 0x1000;
	bad.driver = &no_alloc_driver;
	EXPECT_WARNINGS(1, assert_ptr_equal(vcm_o2o_init(&bad), vcm_err_ptr(-EINVAL)));
	assert_null(vcm_core(&bad.vcm));
	assert_int_equal(my_cleanups, cleanups0 + 1);
}

/*
 * The kernel's phys op: the driver makes the whole phys (one part, its own
 * free op); a phys not as the kernel's wrapper checked it goes back to its
 * free op, with a warning.
 */
static unsigned phys_frees;
static int phys_mode;	/* 0: good; 1: unaligned; 2: too small */

static void kphys_free(struct vcm_phys *phys)
{
	phys_frees++;
	free(phys);
}

static struct vcm_phys *kphys(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct my_o2o *my = to_my(vcm);
	struct vcm_phys *phys = calloc(1, sizeof(*phys) + sizeof(phys->parts[0]));

	(void)flags;
	if (!phys)
		return vcm_err_ptr(-ENOMEM);
	my->allocs++;
	phys->count = 1;
	phys->size = size;
	phys->free = kphys_free;
	phys->parts[0].start = my->next + (phys_mode == 1 ? 0x800 : 0);
	phys->parts[0].size = phys_mode == 2 ? size - PAGE : size;
	my->next += size;
	return phys;
}

static const struct vcm_o2o_driver kphys_driver = { .cleanup = my_cleanup, .phys = kphys };

static void test_o2o_phys_op(void **state)
{
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct vcm *vcm;

	(void)state;
	_Static_assert(offsetof(struct vcm_o2o_driver, phys) == sizeof(void (*)(void)),
		       "phys is the kernel's second op");
	vcm = my_new(&kphys_driver);
	phys_frees = 0;
	phys_mode = 0;
	phys = vcm_alloc(vcm, 5000, 0);		/* rounded to pages first */
	assert_false(vcm_is_err_or_null(phys));
	assert_int_equal(phys->parts[0].start, 0x20100000);
	assert_int_equal(phys->size, 2 * PAGE);
	res = vcm_map(vcm, phys, 0);
	assert_false(vcm_is_err(res));
	assert_int_equal(res->start, 0x20100000);
	vcm_unmap(res);
	vcm_free(phys);
	assert_int_equal(phys_frees, 1);	/* the driver's free op owns it */

	phys_mode = 1;
	EXPECT_WARNINGS(1, assert_ptr_equal(vcm_alloc(vcm, PAGE, 0), vcm_err_ptr(-EINVAL)));
	phys_mode = 2;
	EXPECT_WARNINGS(1, assert_ptr_equal(vcm_alloc(vcm, 2 * PAGE, 0), vcm_err_ptr(-EINVAL)));
	assert_int_equal(phys_frees, 3);	/* handed back each time */
	assert_int_equal(to_my(vcm)->allocs, 3);
	vcm_destroy(vcm);
}

/* --- the CPU context ---------------------------------------------------------- */

static unsigned char pattern(vcm_size_t i, unsigned seed)
{
	return (unsigned char)((i * 131 + seed * 7 + (i >> 12)) & 0xff);
}

/* Bytes through the view are the bytes at the phys' addresses, both ways. */
static void check_view(struct vcm_soc *soc, const struct vcm_res *res, unsigned seed)
{
	const struct vcm_phys *phys = res->phys;
	unsigned char *view = (unsigned char *)(uintptr_t)res->start;
	unsigned char buf[256];
	vcm_size_t off = 0, i;
	unsigned p;

	for (i = 0; i < phys->size; i++)
		view[i] = pattern(i, seed);
	for (p = 0; p < phys->count; p++) {
		const struct vcm_phys_part *part = &phys->parts[p];
		vcm_size_t o;

		for (o = 0; o < part->size; o += 1024) {
			assert_int_equal(vcm_soc_phys_read(soc, part->start + o, buf, 256), 0);
			for (i = 0; i < 256; i++)
				assert_int_equal(buf[i], pattern(off + o + i, seed));
		}
		/* And the other way: write at the PA, read through the view. */
		for (i = 0; i < 256; i++)
			buf[i] = pattern(i, seed + 1);
		assert_int_equal(vcm_soc_phys_write(soc, part->start + part->size - 256, buf, 256),
				 0);
		for (i = 0; i < 256; i++)
			assert_int_equal(view[off + part->size - 256 + i], buf[i]);
		off += part->size;
	}
}

static void test_vmm_scattered(void **state)
{
	vcm_addr_t pages[512];
	struct vcm_soc *soc;
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct vcm *vcm;
	unsigned i;

	(void)state;
	/* 2 MiB of RAM, every other page taken: nothing contiguous is left. */
	soc = test_soc_new(2 * MIB);
	for (i = 0; i < 512; i++)
		assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pages[i]), 0);
	for (i = 0; i < 512; i += 2)
		vcm_soc_free_pages(soc, pages[i], 0);

	vcm = vcm_vmm_create(soc);
	assert_false(vcm_is_err_or_null(vcm));
	phys = vcm_alloc(vcm, 40 * PAGE, 0);
	assert_false(vcm_is_err_or_null(phys));
	assert_int_equal(phys->count, 40);
	for (i = 1; i < phys->count; i++)
		assert_true(phys->parts[i].start != phys->parts[i - 1].start + PAGE);

	res = vcm_map(vcm, phys, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(res->bound_size, 40 * PAGE);
	assert_true(res->start >= vcm->start && res->start < vcm->start + vcm->size);
	check_view(soc, res, 1);
	/* A second view of the same memory sees the same bytes. */
	{
		struct vcm_res *again = vcm_map(vcm, phys, 0);
		const unsigned char *a = (const unsigned char *)(uintptr_t)res->start;
		const unsigned char *b = (const unsigned char *)(uintptr_t)again->start;

		assert_true(a != b);
		assert_memory_equal(a, b, 40 * PAGE);
		((unsigned char *)(uintptr_t)again->start)[5 * PAGE + 7] = 0x5a;
		assert_int_equal(a[5 * PAGE + 7], 0x5a);
		vcm_unmap(again);
	}
	assert_int_equal(phys->bindings.counter, 1);
	EXPECT_WARNINGS(0, vcm_unmap(res));
	vcm_free(phys);
	EXPECT_WARNINGS(0, vcm_destroy(vcm));

	for (i = 1; i < 512; i += 2)
		vcm_soc_free_pages(soc, pages[i], 0);
	test_soc_done(soc);
}

static void test_vmm_two_banks(void **state)
{
	struct vcm_soc *soc;
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct vcm *vcm;

	(void)state;
	soc = test_soc_new(64 * KIB);
	assert_int_equal(vcm_soc_add_ram(soc, 0x50000000, 64 * KIB), 0);
	vcm = vcm_vmm_create(NULL);
	/* 64 KiB from the first bank, then 32 KiB from the second. */
	phys = vcm_alloc(vcm, 96 * KIB, 0);
	assert_false(vcm_is_err_or_null(phys));
	assert_int_equal(phys->parts[0].start, TEST_RAM_BASE);
	assert_int_equal(phys->parts[0].size, 64 * KIB);
	assert_true(phys->parts[1].start >= 0x50000000);
	assert_false(parts_contiguous(phys));
	res = vcm_map(vcm, phys, 0);
	check_view(soc, res, 2);
	vcm_unmap(res);
	vcm_free(phys);
	vcm_destroy(vcm);
	test_soc_done(soc);
}

static void test_vmm_reserve_bind(void **state)
{
	struct vcm_soc *soc = *state;
	vcm_size_t free0 = soc_free();
	struct vcm_phys *a, *b, *big;
	struct vcm_res *res, *made;
	unsigned char *view;
	struct vcm *vcm;

	vcm = vcm_vmm_create(soc);
	res = vcm_reserve(vcm, 4 * PAGE, 0);
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(res->res_size, 4 * PAGE);
	view = (unsigned char *)(uintptr_t)res->start;
	a = vcm_alloc(vcm, 2 * PAGE, 0);
	b = vcm_alloc(vcm, 4 * PAGE, 0);
	big = vcm_alloc(vcm, 5 * PAGE, 0);

	assert_int_equal(vcm_soc_phys_write(soc, a->parts[0].start, "phys a", 7), 0);
	assert_int_equal(vcm_soc_phys_write(soc, b->parts[0].start, "phys b", 7), 0);
	assert_int_equal(vcm_bind(res, a), 0);
	assert_int_equal(res->bound_size, 2 * PAGE);
	assert_string_equal((char *)view, "phys a");
	check_view(soc, res, 3);
	assert_ptr_equal(vcm_unbind(res), a);

	/* The same addresses now show the other memory. */
	assert_int_equal(vcm_bind(res, b), 0);
	assert_int_equal(res->start, (uintptr_t)view);
	assert_string_equal((char *)view, "phys b");
	check_view(soc, res, 4);
	assert_int_equal(vcm_bind(res, big), -EADDRINUSE);
	assert_ptr_equal(vcm_unbind(res), b);
	assert_int_equal(vcm_bind(res, big), -ENOSPC);
	vcm_unreserve(res);

	made = vcm_make_binding(vcm, 3 * PAGE, 0, 0);
	assert_false(vcm_is_err_or_null(made));
	check_view(soc, made, 5);
	vcm_destroy_binding(made);

	vcm_free(a);
	vcm_free(b);
	vcm_free(big);
	assert_int_equal(soc_free(), free0);
	EXPECT_WARNINGS(0, vcm_destroy(vcm));
}

static void test_vmm_errors(void **state)
{
	struct vcm_soc *soc = *state;
	vcm_size_t free0 = soc_free();
	struct vcm_phys *phys;
	struct vcm_res *res;
	unsigned char *user;
	struct vcm *vcm;

	vcm = vcm_vmm_create(soc);
	/* More than the window: no such range.  The whole window, more than
	 * the host gives: its mmap() fails, a failed host allocation. */
	assert_ptr_equal(vcm_reserve(vcm, vcm->size + PAGE, 0), vcm_err_ptr(-ENOSPC));
	assert_ptr_equal(vcm_reserve(vcm, vcm->size, 0), vcm_err_ptr(-ENOMEM));

	/*
	 * A page redirected to user memory (as pinning does) has no file to
	 * alias: -EOPNOTSUPP, and nothing is left reserved or bound.
	 */
	phys = vcm_alloc(vcm, 3 * PAGE, 0);
	user = aligned_alloc(PAGE, PAGE);
	assert_non_null(user);
	assert_int_equal(vcm_soc_redirect_page(soc, phys->parts[0].start + 2 * PAGE, user), 0);
	EXPECT_WARNINGS(0, assert_ptr_equal(vcm_map(vcm, phys, 0), vcm_err_ptr(-EOPNOTSUPP)));
	assert_int_equal(phys->bindings.counter, 0);
	res = vcm_reserve(vcm, 3 * PAGE, 0);
	assert_int_equal(vcm_bind(res, phys), -EOPNOTSUPP);
	assert_null(res->phys);
	vcm_soc_unredirect_page(soc, phys->parts[0].start + 2 * PAGE);
	/* Once it is ordinary RAM again, it binds. */
	assert_int_equal(vcm_bind(res, phys), 0);
	check_view(soc, res, 6);
	vcm_unmap(res);
	vcm_free(phys);
	free(user);
	assert_int_equal(soc_free(), free0);
	EXPECT_WARNINGS(0, vcm_destroy(vcm));
}

static void test_vmm_destroy_leftovers(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm_res *res;
	struct vcm_phys *phys;
	struct vcm *vcm;

	(void)state;
	vcm = vcm_vmm_create(NULL);
	res = vcm_make_binding(vcm, 2 * PAGE, 0, 0);
	phys = res->phys;
	(void)vcm_reserve(vcm, PAGE, 0);
	assert_int_equal(vcm_activate(vcm), 0);
	EXPECT_WARNINGS(2, vcm_destroy(vcm));
	assert_int_equal(phys->bindings.counter, 0);
	vcm_free(phys);
	assert_int_equal(soc_free(), free0);
}

/* Flags: no bits are defined, so any value means the defaults. */
static void test_flags(void **state)
{
	vcm_size_t free0 = soc_free();
	struct vcm *ctx[2];
	unsigned c;

	(void)state;
	ctx[0] = vcm_onetoone_create(NULL);
	ctx[1] = vcm_vmm_create(NULL);
	for (c = 0; c < 2; c++) {
		struct vcm_phys *phys = vcm_alloc(ctx[c], 2 * PAGE, ~0u);
		struct vcm_res *made = vcm_make_binding(ctx[c], PAGE, ~0u, ~0u);
		struct vcm_res *mapped;

		assert_false(vcm_is_err_or_null(phys) || vcm_is_err_or_null(made));
		mapped = vcm_map(ctx[c], phys, ~0u);
		assert_false(vcm_is_err_or_null(mapped));
		assert_int_equal(mapped->bound_size, 2 * PAGE);
		vcm_unmap(mapped);
		vcm_destroy_binding(made);
		vcm_free(phys);
		vcm_destroy(ctx[c]);
	}
	assert_int_equal(soc_free(), free0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_onetoone_create, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_onetoone_alloc_map, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_onetoone_errors, soc_setup, soc_teardown),
		cmocka_unit_test(test_onetoone_enomem),
		cmocka_unit_test(test_o2o_driver),
		cmocka_unit_test(test_o2o_phys_op),
		cmocka_unit_test(test_vmm_scattered),
		cmocka_unit_test(test_vmm_two_banks),
		cmocka_unit_test_setup_teardown(test_vmm_reserve_bind, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_vmm_errors, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_flags, soc_setup, soc_teardown),
		cmocka_unit_test_setup_teardown(test_vmm_destroy_leftovers, soc_setup,
						soc_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_warnings, default_warnings);
}
