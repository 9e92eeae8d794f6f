// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_userptr.c - pinning user memory (vcm_phys_from_user()) and the
 * videobuf2-style helper (vcm_userptr_get()/vcm_userptr_put()), checked
 * through the SoC's physical memory and through a recording MMU context.
 * Device DMA through the System MMU model is in test_userptr_dma.c.
 */
#include <errno.h>
#include <pthread.h>
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

#include "mmu.h"
#include "pin.h"
#include "vcm-internal.h"
#include "test_util.h"

#define PAGE		((size_t)VCM_PAGE_SIZE)
#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define TINY_RAM_PAGES	4
#define ODD_OFFSET	100	/* where test buffers start in their first page */
#define TAIL_BYTES	50	/* bytes of the buffer in its last page */
#define AREA_PAGES	8
#define MMU_WINDOW	0x10000000ULL
#define MMU_WINDOW_SIZE	(16ULL << 20)
#define MAX_MAPPED	64
#define NTHREADS	4
#define THREAD_ROUNDS	200
#define FILL_APP	0xa5
#define FILL_DEV	0x3c

/* --- fixtures and helpers ------------------------------------------------ */

struct ctx {
	struct vcm_soc *soc;
	vcm_size_t free0;
	unsigned char *area;	/* AREA_PAGES pages, mmap()ed */
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->soc = test_soc_current(RAM_BASE, RAM_SIZE);
	c->free0 = vcm_soc_free_bytes(c->soc);
	c->area = mmap(NULL, AREA_PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(c->area != MAP_FAILED);
	test_warnings_quiet();
	test_warnings = 0;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	/* Nothing may be left pinned or allocated by any test. */
	assert_int_equal(vcm_pin_pages(NULL), 0);
	assert_int_equal(vcm_soc_free_bytes(c->soc), c->free0);
	test_warnings_default();
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(c->soc);
	munmap(c->area, AREA_PAGES * PAGE);
	free(c);
	return 0;
}

/* The PA of byte @off of a phys (as a device sees it). */
static vcm_addr_t phys_pa(const struct vcm_phys *phys, size_t off)
{
	unsigned i;

	for (i = 0; i < phys->count; i++) {
		if (off < phys->parts[i].size)
			return phys->parts[i].start + off;
		off -= phys->parts[i].size;
	}
	fail_msg("offset %zu beyond the phys", off);
	return 0;
}

/* Device-side write of @len bytes at byte @off of @phys, page by page. */
static void phys_write(struct vcm_soc *soc, const struct vcm_phys *phys, size_t off,
		       const unsigned char *src, size_t len)
{
	while (len) {
		size_t n = PAGE - (off & (PAGE - 1));

		n = n < len ? n : len;
		assert_int_equal(vcm_soc_phys_write(soc, phys_pa(phys, off), src, n), 0);
		off += n;
		src += n;
		len -= n;
	}
}

static void phys_read(struct vcm_soc *soc, const struct vcm_phys *phys, size_t off,
		      unsigned char *dst, size_t len)
{
	while (len) {
		size_t n = PAGE - (off & (PAGE - 1));

		n = n < len ? n : len;
		assert_int_equal(vcm_soc_phys_read(soc, phys_pa(phys, off), dst, n), 0);
		off += n;
		dst += n;
		len -= n;
	}
}

static void pattern(unsigned char *buf, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 7 + seed);
}

static struct vcm_phys *pin(struct vcm_soc *soc, void *uaddr, size_t size, unsigned flags)
{
	struct vcm_phys *phys = vcm_phys_from_user(soc, uaddr, size, flags);

	assert_false(vcm_is_err_or_null(phys));
	return phys;
}

/* A pin that fails with @err and changes nothing. */
static void assert_pin_err(struct ctx *c, void *uaddr, size_t size, unsigned flags, long err)
{
	size_t pins = vcm_pin_pages(NULL);
	vcm_size_t free_bytes = vcm_soc_free_bytes(c->soc);
	struct vcm_phys *phys = vcm_phys_from_user(c->soc, uaddr, size, flags);

	assert_true(vcm_is_err(phys));
	assert_int_equal(vcm_ptr_err(phys), err);
	assert_int_equal(vcm_pin_pages(NULL), pins);
	assert_int_equal(vcm_soc_free_bytes(c->soc), free_bytes);
}

/* --- pinning --------------------------------------------------------------- */

/* A buffer at an odd offset ending mid-page: layout of the phys. */
static void test_pin_layout(void **state)
{
	struct ctx *c = *state;
	size_t size = 2 * PAGE + TAIL_BYTES - ODD_OFFSET;
	struct vcm_phys *phys = pin(c->soc, c->area + ODD_OFFSET, size, 0);
	unsigned i;

	assert_int_equal(phys->count, 3);
	assert_int_equal(phys->size, 3 * PAGE);
	for (i = 0; i < phys->count; i++) {
		vcm_addr_t pa;
		unsigned long n;

		assert_int_equal(phys->parts[i].size, PAGE);
		assert_int_equal(phys->parts[i].start & (PAGE - 1), 0);
		assert_int_equal(vcm_pin_lookup(c->soc, c->area + i * PAGE, &pa, &n), 0);
		assert_int_equal(pa, phys->parts[i].start);
		assert_int_equal(n, 1);
		assert_ptr_equal(vcm_soc_phys_to_host(c->soc, pa), c->area + i * PAGE);
	}
	assert_int_equal(vcm_pin_pages(c->soc), 3);
	assert_int_equal(vcm_soc_free_bytes(c->soc), c->free0 - 3 * PAGE);
	assert_int_equal(phys->bindings.counter, 0);
	vcm_free(phys);
	assert_int_equal(test_warnings, 0);
}

/* Device writes appear in the buffer, exactly, at unaligned start and end. */
static void test_pin_device_writes(void **state)
{
	struct ctx *c = *state;
	size_t size = 2 * PAGE + TAIL_BYTES - ODD_OFFSET;
	unsigned char *buf = c->area + ODD_OFFSET;
	unsigned char *want = malloc(size);
	struct vcm_phys *phys;

	memset(c->area, FILL_APP, 3 * PAGE);
	phys = pin(c->soc, buf, size, 0);
	pattern(want, size, 1);
	phys_write(c->soc, phys, ODD_OFFSET, want, size);
	assert_memory_equal(buf, want, size);
	/* The bytes around the buffer, in its first and last page, are intact. */
	assert_int_equal(c->area[ODD_OFFSET - 1], FILL_APP);
	assert_int_equal(c->area[0], FILL_APP);
	assert_int_equal(buf[size], FILL_APP);
	assert_int_equal(c->area[3 * PAGE - 1], FILL_APP);
	vcm_free(phys);
	free(want);
}

/* Device reads see what the application wrote. */
static void test_pin_device_reads(void **state)
{
	struct ctx *c = *state;
	size_t size = 3 * PAGE - 2 * ODD_OFFSET;
	unsigned char *buf = c->area + ODD_OFFSET;
	unsigned char *got = malloc(size);
	struct vcm_phys *phys = pin(c->soc, buf, size, 0);

	pattern(buf, size, 2); /* written after pinning */
	phys_read(c->soc, phys, ODD_OFFSET, got, size);
	assert_memory_equal(got, buf, size);
	vcm_free(phys);
	free(got);
}

/* Pages never touched by the application can be pinned and written. */
static void test_pin_untouched(void **state)
{
	struct ctx *c = *state;
	unsigned char *fresh = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char want[ODD_OFFSET];
	struct vcm_phys *phys;

	assert_true(fresh != MAP_FAILED);
	phys = pin(c->soc, fresh, 2 * PAGE, 0);
	pattern(want, sizeof(want), 3);
	phys_write(c->soc, phys, PAGE + ODD_OFFSET, want, sizeof(want));
	assert_memory_equal(fresh + PAGE + ODD_OFFSET, want, sizeof(want));
	assert_int_equal(fresh[0], 0);
	vcm_free(phys);
	munmap(fresh, 2 * PAGE);
}

/* Two pins of one page give one PA; the PA goes only with the last unpin. */
static void test_pin_twice(void **state)
{
	struct ctx *c = *state;
	struct vcm_phys *a = pin(c->soc, c->area + ODD_OFFSET, PAGE, 0);
	struct vcm_phys *b = pin(c->soc, c->area + PAGE + ODD_OFFSET, PAGE, 0);
	struct vcm_phys *again = pin(c->soc, c->area, 2 * PAGE, 0);
	vcm_addr_t pa;
	unsigned long n;

	/* a: pages 0, 1; b: pages 1, 2; again: pages 0, 1. */
	assert_int_equal(a->count, 2);
	assert_int_equal(b->count, 2);
	assert_int_equal(a->parts[1].start, b->parts[0].start);
	assert_int_equal(a->parts[0].start, again->parts[0].start);
	assert_int_equal(a->parts[1].start, again->parts[1].start);
	assert_int_equal(vcm_pin_pages(c->soc), 3);
	assert_int_equal(vcm_soc_free_bytes(c->soc), c->free0 - 3 * PAGE);
	assert_int_equal(vcm_pin_lookup(c->soc, c->area + PAGE, &pa, &n), 0);
	assert_int_equal(n, 3);

	vcm_free(a);
	assert_int_equal(vcm_pin_lookup(c->soc, c->area + PAGE, &pa, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pa, b->parts[0].start);
	vcm_free(again);
	assert_int_equal(vcm_pin_lookup(c->soc, c->area, &pa, &n), -ENOENT);
	assert_int_equal(vcm_pin_pages(c->soc), 2);
	vcm_free(b);
	assert_int_equal(vcm_pin_pages(c->soc), 0);
}

/* After the last unpin the PA is ordinary RAM again and reusable. */
static void test_pin_reuse(void **state)
{
	struct ctx *c = *state;
	struct vcm_phys *phys = pin(c->soc, c->area, PAGE, 0);
	vcm_addr_t pa = phys->parts[0].start, again;

	vcm_free(phys);
	assert_int_equal(vcm_soc_free_bytes(c->soc), c->free0);
	assert_ptr_not_equal(vcm_soc_phys_to_host(c->soc, pa), c->area);
	assert_int_equal(vcm_soc_alloc_pages(c->soc, 0, &again), 0);
	assert_int_equal(again, pa);
	vcm_soc_free_pages(c->soc, again, 0);

	/* A pin of the same page after that gets a PA again, and works. */
	phys = pin(c->soc, c->area, PAGE, 0);
	assert_ptr_equal(vcm_soc_phys_to_host(c->soc, phys->parts[0].start), c->area);
	vcm_free(phys);
}

/* A pinned PA is allocated: the page allocator never hands it out. */
static void test_pin_pa_reserved(void **state)
{
	struct ctx *c = *state;
	struct vcm_soc *tiny = vcm_soc_create();
	struct vcm_phys *phys;
	vcm_addr_t pa, got[TINY_RAM_PAGES];
	unsigned i, n = 0;

	(void)c;
	assert_int_equal(vcm_soc_add_ram(tiny, RAM_BASE, TINY_RAM_PAGES * PAGE), 0);
	phys = pin(tiny, c->area, 2 * PAGE, 0);
	while (n < TINY_RAM_PAGES && !vcm_soc_alloc_pages(tiny, 0, &pa))
		got[n++] = pa;
	assert_int_equal(n, TINY_RAM_PAGES - 2);
	for (i = 0; i < n; i++) {
		assert_int_not_equal(got[i], phys->parts[0].start);
		assert_int_not_equal(got[i], phys->parts[1].start);
		vcm_soc_free_pages(tiny, got[i], 0);
	}
	vcm_free(phys);
	assert_int_equal(vcm_soc_free_bytes(tiny), TINY_RAM_PAGES * PAGE);
	vcm_soc_destroy(tiny);
	assert_int_equal(test_warnings, 0);
}

/* Pins are per SoC: one page pinned in two SoCs has a PA in each. */
static void test_pin_two_socs(void **state)
{
	struct ctx *c = *state;
	struct vcm_soc *other = vcm_soc_create();
	struct vcm_phys *a, *b;
	unsigned char byte = FILL_DEV;

	assert_int_equal(vcm_soc_add_ram(other, RAM_BASE, TINY_RAM_PAGES * PAGE), 0);
	a = pin(c->soc, c->area, PAGE, 0);
	b = pin(other, c->area, PAGE, 0);
	assert_int_equal(vcm_pin_pages(c->soc), 1);
	assert_int_equal(vcm_pin_pages(other), 1);
	assert_int_equal(vcm_soc_phys_write(other, b->parts[0].start, &byte, 1), 0);
	assert_int_equal(c->area[0], FILL_DEV);
	vcm_free(b);
	vcm_free(a);
	vcm_soc_destroy(other);
}

/* NULL soc is the current SoC. */
static void test_pin_current_soc(void **state)
{
	struct ctx *c = *state;
	struct vcm_phys *phys = pin(NULL, c->area, PAGE, 0);

	assert_int_equal(vcm_pin_pages(c->soc), 1);
	vcm_free(phys);
}

/* --- pinning errors --------------------------------------------------------- */

static void test_pin_einval(void **state)
{
	struct ctx *c = *state;
	struct vcm_phys *phys;

	assert_pin_err(c, c->area, 0, 0, -EINVAL);
	assert_pin_err(c, (void *)(UINTPTR_MAX - PAGE), 2 * PAGE, 0, -EINVAL);
	/* The very top of the address space does not wrap, but is not ours. */
	assert_pin_err(c, (void *)(UINTPTR_MAX - ODD_OFFSET), ODD_OFFSET + 1, 0, -EFAULT);
	assert_pin_err(c, c->area, SIZE_MAX, 0, -EINVAL);
	assert_pin_err(c, NULL, PAGE, 0, -EFAULT);
	phys = vcm_phys_from_user(vcm_err_ptr(-ENOMEM), c->area, PAGE, 0);
	assert_int_equal(vcm_ptr_err(phys), -EINVAL);
}

/* A hole in the middle, a range half mapped, a range all unmapped. */
static void test_pin_unmapped(void **state)
{
	struct ctx *c = *state;
	unsigned char *gone = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vcm_phys *keep, *phys;
	vcm_addr_t pa;
	unsigned long n;

	assert_true(gone != MAP_FAILED);
	assert_int_equal(munmap(gone + 2 * PAGE, PAGE), 0);
	/* A page pinned before keeps its single pin through a failure. */
	keep = pin(c->soc, gone, PAGE, 0);
	phys = vcm_phys_from_user(c->soc, gone + ODD_OFFSET, 4 * PAGE - 2 * ODD_OFFSET, 0);
	assert_int_equal(vcm_ptr_err(phys), -EFAULT);
	assert_int_equal(vcm_pin_lookup(c->soc, gone, &pa, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pa, keep->parts[0].start);
	assert_int_equal(vcm_pin_pages(NULL), 1);
	vcm_free(keep);

	assert_pin_err(c, gone + ODD_OFFSET, 4 * PAGE - 2 * ODD_OFFSET, 0, -EFAULT);
	assert_pin_err(c, gone + PAGE, 2 * PAGE, 0, -EFAULT);		/* half mapped */
	assert_pin_err(c, gone + 2 * PAGE - 1, 2, 0, -EFAULT);		/* last byte out */
	assert_pin_err(c, gone + 2 * PAGE, 1, 0, -EFAULT);
	assert_pin_err(c, gone, 4 * PAGE, VCM_USERPTR_CONTIG, -EFAULT);
	assert_int_equal(munmap(gone, 4 * PAGE), 0);
	assert_pin_err(c, gone + ODD_OFFSET, PAGE, 0, -EFAULT);		/* all unmapped */
}

/* Mapped but not readable and writable: -EFAULT, as get_user_pages(). */
static void test_pin_protection(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(mprotect(c->area + PAGE, PAGE, PROT_READ), 0);
	assert_pin_err(c, c->area, 3 * PAGE, 0, -EFAULT);
	assert_int_equal(mprotect(c->area + PAGE, PAGE, PROT_NONE), 0);
	assert_pin_err(c, c->area + PAGE + ODD_OFFSET, 1, 0, -EFAULT);
	assert_int_equal(mprotect(c->area + PAGE, PAGE, PROT_READ | PROT_WRITE), 0);
	vcm_free(pin(c->soc, c->area, 3 * PAGE, 0));
}

/* Out of PAs: -ENOMEM with nothing left pinned, old pins untouched. */
static void test_pin_enomem(void **state)
{
	struct ctx *c = *state;
	struct vcm_soc *tiny = vcm_soc_create();
	struct vcm_phys *first, *phys;
	vcm_addr_t pa;
	unsigned long n;

	assert_int_equal(vcm_soc_add_ram(tiny, RAM_BASE, TINY_RAM_PAGES * PAGE), 0);
	first = pin(tiny, c->area, PAGE, 0);
	phys = vcm_phys_from_user(tiny, c->area, AREA_PAGES * PAGE, 0);
	assert_int_equal(vcm_ptr_err(phys), -ENOMEM);
	assert_int_equal(vcm_pin_pages(tiny), 1);
	assert_int_equal(vcm_pin_lookup(tiny, c->area, &pa, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pa, first->parts[0].start);
	assert_int_equal(vcm_soc_free_bytes(tiny), (TINY_RAM_PAGES - 1) * PAGE);
	phys = vcm_phys_from_user(tiny, c->area + PAGE, TINY_RAM_PAGES * PAGE,
				  VCM_USERPTR_CONTIG);
	assert_int_equal(vcm_ptr_err(phys), -ENOMEM);
	vcm_free(first);
	assert_int_equal(vcm_pin_pages(tiny), 0);
	assert_int_equal(vcm_soc_free_bytes(tiny), TINY_RAM_PAGES * PAGE);
	vcm_soc_destroy(tiny);
}

/* --- contiguous pins ----------------------------------------------------------- */

static void assert_contiguous(const struct vcm_phys *phys)
{
	unsigned i;

	for (i = 1; i < phys->count; i++)
		assert_int_equal(phys->parts[i].start, phys->parts[0].start + i * PAGE);
}

/* Fragment the SoC so the next two order-0 pages are not adjacent. */
static void fragment(struct ctx *c, vcm_addr_t hole[3])
{
	unsigned i;

	for (i = 0; i < 3; i++)
		assert_int_equal(vcm_soc_alloc_pages(c->soc, 0, &hole[i]), 0);
	vcm_soc_free_pages(c->soc, hole[0], 0);
	vcm_soc_free_pages(c->soc, hole[2], 0);
}

static void test_pin_contig(void **state)
{
	struct ctx *c = *state;
	size_t size = 4 * PAGE - ODD_OFFSET;
	struct vcm_phys *run, *again, *one, *scattered;
	vcm_addr_t hole[3];

	fragment(c, hole);
	run = pin(c->soc, c->area + ODD_OFFSET, size, VCM_USERPTR_CONTIG);
	assert_int_equal(run->count, 4);
	assert_contiguous(run);
	/* A later pin, contiguous or not, finds the same PAs. */
	again = pin(c->soc, c->area, 4 * PAGE, VCM_USERPTR_CONTIG);
	one = pin(c->soc, c->area + 2 * PAGE, 1, 0);
	assert_int_equal(again->parts[0].start, run->parts[0].start);
	assert_int_equal(one->parts[0].start, run->parts[2].start);
	vcm_free(again);
	vcm_free(run);
	/* The run stays allocated while any page of it is pinned. */
	assert_int_equal(vcm_soc_free_bytes(c->soc), c->free0 - 5 * PAGE);
	vcm_free(one);
	assert_int_equal(vcm_soc_free_bytes(c->soc), c->free0 - PAGE);

	/* Scattered pins cannot become contiguous: -EBUSY. */
	scattered = pin(c->soc, c->area, 2 * PAGE, 0);
	assert_int_not_equal(scattered->parts[1].start, scattered->parts[0].start + PAGE);
	assert_pin_err(c, c->area, 2 * PAGE, VCM_USERPTR_CONTIG, -EBUSY);
	assert_pin_err(c, c->area + PAGE, 2 * PAGE, VCM_USERPTR_CONTIG, -EBUSY);
	vcm_free(scattered);
	vcm_soc_free_pages(c->soc, hole[1], 0);
}

/* --- the helper on an MMU context ------------------------------------------------ */

/* A recording MMU: each activate_page call is kept in a small table. */
struct rec_mmu {
	struct vcm_mmu mmu;
	struct {
		vcm_addr_t va, pa;
		unsigned order;
	} map[MAX_MAPPED];
	unsigned nmapped;
};

static int rec_map(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct rec_mmu *r = (struct rec_mmu *)vcm_to_mmu(vcm);

	if (r->nmapped == MAX_MAPPED)
		return -ENOMEM;
	r->map[r->nmapped].va = va;
	r->map[r->nmapped].pa = pa;
	r->map[r->nmapped].order = order;
	r->nmapped++;
	return 0;
}

static int rec_unmap(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct rec_mmu *r = (struct rec_mmu *)vcm_to_mmu(vcm);
	unsigned i;

	for (i = 0; i < r->nmapped; i++) {
		if (r->map[i].va == va && r->map[i].pa == pa && r->map[i].order == order) {
			r->map[i] = r->map[--r->nmapped];
			return 0;
		}
	}
	return -ENOENT;
}

/* What the recording MMU translates @dva to, or 0. */
static vcm_addr_t rec_translate(const struct rec_mmu *r, vcm_addr_t dva)
{
	unsigned i;

	for (i = 0; i < r->nmapped; i++) {
		vcm_size_t bytes = VCM_PAGE_SIZE << r->map[i].order;

		if (dva >= r->map[i].va && dva - r->map[i].va < bytes)
			return r->map[i].pa + (dva - r->map[i].va);
	}
	return 0;
}

static const unsigned char rec_orders[] = { 8, 4, 0 };

static const struct vcm_mmu_driver rec_driver = {
	.orders = rec_orders,
	.activate_page = rec_map,
	.deactivate_page = rec_unmap,
};

static struct rec_mmu *rec_create(struct vcm_soc *soc, vcm_size_t window)
{
	struct rec_mmu *r = calloc(1, sizeof(*r));
	struct vcm *vcm;

	assert_non_null(r);
	r->mmu.vcm.start = MMU_WINDOW;
	r->mmu.vcm.size = window;
	r->mmu.driver = &rec_driver;
	vcm = vcm_mmu_init(&r->mmu);
	assert_false(vcm_is_err(vcm));
	vcm_set_soc(&r->mmu.vcm, soc);
	return r;
}

/* get: dva = start + offset, pages mapped at the pinned PAs; put: all gone. */
static void test_userptr_mmu(void **state)
{
	struct ctx *c = *state;
	struct vcm_soc *soc = vcm_soc_create();
	struct rec_mmu *r;
	size_t size = 3 * PAGE - ODD_OFFSET - TAIL_BYTES;
	unsigned char *buf = c->area + ODD_OFFSET;
	unsigned char want[TAIL_BYTES];
	struct vcm_userptr *up;
	size_t i;

	/* Not the current SoC: the context's own SoC gives the PAs. */
	assert_int_equal(vcm_soc_add_ram(soc, RAM_BASE, RAM_SIZE), 0);
	r = rec_create(soc, MMU_WINDOW_SIZE);
	up = vcm_userptr_get(&r->mmu.vcm, buf, size, 0);
	assert_false(vcm_is_err_or_null(up));
	assert_int_equal(up->offset, ODD_OFFSET);
	assert_int_equal(up->size, size);
	assert_int_equal(up->dva, up->res->start + ODD_OFFSET);
	assert_int_equal(up->res->bound_size, 3 * PAGE);
	assert_int_equal(vcm_pin_pages(soc), 3);
	assert_int_equal(vcm_pin_pages(c->soc), 0);
	assert_int_equal(r->nmapped, 0);	/* not active yet */

	assert_int_equal(vcm_activate(&r->mmu.vcm), 0);
	assert_int_equal(r->nmapped, 3);
	for (i = 0; i < 3; i++) {
		vcm_addr_t pa;
		unsigned long n;

		assert_int_equal(vcm_pin_lookup(soc, c->area + i * PAGE, &pa, &n), 0);
		assert_int_equal(rec_translate(r, up->res->start + i * PAGE), pa);
	}
	/* The "device" writes the buffer's last bytes through its DVA. */
	pattern(want, sizeof(want), 4);
	assert_int_equal(vcm_soc_phys_write(soc, rec_translate(r, up->dva + size - sizeof(want)),
					    want, sizeof(want)), 0);
	assert_memory_equal(buf + size - sizeof(want), want, sizeof(want));

	vcm_userptr_put(up);
	assert_int_equal(r->nmapped, 0);	/* unmapped while active */
	assert_int_equal(vcm_pin_pages(NULL), 0);
	vcm_deactivate(&r->mmu.vcm);
	vcm_destroy(&r->mmu.vcm);
	assert_int_equal(vcm_soc_free_bytes(soc), RAM_SIZE);
	vcm_soc_destroy(soc);
	assert_int_equal(test_warnings, 0);
}

/* Two contexts (two devices) share a buffer: one PA per page for both. */
static void test_userptr_shared(void **state)
{
	struct ctx *c = *state;
	struct rec_mmu *a = rec_create(c->soc, MMU_WINDOW_SIZE);
	struct rec_mmu *b = rec_create(c->soc, MMU_WINDOW_SIZE);
	struct vcm_userptr *ua, *ub;
	vcm_addr_t pa0;
	unsigned long n;
	unsigned i;

	ua = vcm_userptr_get(&a->mmu.vcm, c->area + ODD_OFFSET, 2 * PAGE, 0);
	ub = vcm_userptr_get(&b->mmu.vcm, c->area + ODD_OFFSET, 2 * PAGE, 0);
	assert_false(vcm_is_err_or_null(ua));
	assert_false(vcm_is_err_or_null(ub));
	assert_int_equal(vcm_pin_pages(c->soc), 3);
	assert_int_equal(vcm_pin_lookup(c->soc, c->area, &pa0, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(vcm_activate(&a->mmu.vcm), 0);
	assert_int_equal(vcm_activate(&b->mmu.vcm), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(rec_translate(a, ua->res->start + i * PAGE),
				 rec_translate(b, ub->res->start + i * PAGE));
	/* Either may go first. */
	vcm_userptr_put(ua);
	assert_int_equal(vcm_pin_pages(c->soc), 3);
	assert_int_equal(a->nmapped, 0);
	assert_int_equal(rec_translate(b, ub->res->start), pa0);
	vcm_userptr_put(ub);
	vcm_deactivate(&a->mmu.vcm);
	vcm_deactivate(&b->mmu.vcm);
	vcm_destroy(&a->mmu.vcm);
	vcm_destroy(&b->mmu.vcm);
}

static void test_userptr_errors(void **state)
{
	struct ctx *c = *state;
	struct rec_mmu *small = rec_create(c->soc, 2 * VCM_PAGE_SIZE);
	struct vcm *vmm = vcm_vmm_create(c->soc);
	struct vcm_userptr *up;
	struct vcm bogus = { 0 };
	unsigned long w;

	assert_int_equal(vcm_ptr_err(vcm_userptr_get(NULL, c->area, PAGE, 0)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_userptr_get(vcm_err_ptr(-ENOMEM), c->area, PAGE, 0)),
			 -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_userptr_get(&bogus, c->area, PAGE, 0)), -EINVAL);
	assert_int_equal(test_warnings, 1);	/* a foreign context */
	test_warnings = 0;
	assert_int_equal(vcm_ptr_err(vcm_userptr_get(&small->mmu.vcm, c->area, 0, 0)), -EINVAL);
	assert_int_equal(vcm_ptr_err(vcm_userptr_get(&small->mmu.vcm, NULL, PAGE, 0)), -EFAULT);
	/* Three pages in a two-page window. */
	up = vcm_userptr_get(&small->mmu.vcm, c->area + ODD_OFFSET, 2 * PAGE, 0);
	assert_int_equal(vcm_ptr_err(up), -ENOSPC);
	assert_int_equal(vcm_pin_pages(NULL), 0);
	/* The CPU context cannot map user memory: the application has it. */
	assert_false(vcm_is_err(vmm));
	up = vcm_userptr_get(vmm, c->area, PAGE, 0);
	assert_int_equal(vcm_ptr_err(up), -EOPNOTSUPP);
	assert_int_equal(vcm_pin_pages(NULL), 0);
	assert_int_equal(vcm_soc_free_bytes(c->soc), c->free0);
	assert_int_equal(test_warnings, 0);

	w = test_warnings;
	vcm_userptr_put(NULL);
	vcm_userptr_put(vcm_err_ptr(-EINVAL));
	assert_int_equal(test_warnings, w + 2);
	vcm_destroy(vmm);
	vcm_destroy(&small->mmu.vcm);
}

/* A device without an MMU needs contiguous PAs: refused, or CONTIG. */
static void test_userptr_onetoone(void **state)
{
	struct ctx *c = *state;
	struct vcm *o2o = vcm_onetoone_create(c->soc);
	struct vcm_userptr *up;
	unsigned char byte = FILL_DEV;
	vcm_addr_t hole[3];

	assert_false(vcm_is_err(o2o));
	fragment(c, hole);
	up = vcm_userptr_get(o2o, c->area + ODD_OFFSET, PAGE, 0);
	assert_int_equal(vcm_ptr_err(up), -EINVAL);
	assert_int_equal(vcm_pin_pages(NULL), 0);

	up = vcm_userptr_get(o2o, c->area + ODD_OFFSET, PAGE, VCM_USERPTR_CONTIG);
	assert_false(vcm_is_err_or_null(up));
	assert_int_equal(up->res->phys->count, 2);
	assert_contiguous(up->res->phys);
	assert_int_equal(up->dva, up->res->phys->parts[0].start + ODD_OFFSET);
	/* DVA is PA: a write at dva + PAGE lands in the second page. */
	assert_int_equal(vcm_soc_phys_write(c->soc, up->dva + PAGE - 1, &byte, 1), 0);
	assert_int_equal(c->area[ODD_OFFSET + PAGE - 1], FILL_DEV);
	vcm_userptr_put(up);
	vcm_soc_free_pages(c->soc, hole[1], 0);
	vcm_destroy(o2o);
}

/* The application unmaps its buffer while it is pinned: a warning at put. */
static void test_userptr_unmapped_while_pinned(void **state)
{
	struct ctx *c = *state;
	struct rec_mmu *r = rec_create(c->soc, MMU_WINDOW_SIZE);
	unsigned char *buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vcm_userptr *up;

	assert_true(buf != MAP_FAILED);
	up = vcm_userptr_get(&r->mmu.vcm, buf + ODD_OFFSET, PAGE, 0);
	assert_false(vcm_is_err_or_null(up));
	assert_int_equal(munmap(buf, 2 * PAGE), 0);
	vcm_userptr_put(up);
	assert_int_equal(test_warnings, 1);
	vcm_destroy(&r->mmu.vcm);
}

/* --- threads ------------------------------------------------------------------------ */

struct thread_arg {
	struct ctx *c;
	unsigned idx;
	int bad;
};

/* Each thread pins overlapping ranges; every pin of a page agrees on its PA. */
static void *pin_thread(void *p)
{
	struct thread_arg *arg = p;
	struct ctx *c = arg->c;
	unsigned round;

	for (round = 0; round < THREAD_ROUNDS; round++) {
		size_t first = (arg->idx + round) % (AREA_PAGES - 2);
		struct vcm_phys *phys = vcm_phys_from_user(c->soc, c->area + first * PAGE +
							   ODD_OFFSET, 2 * PAGE, 0);
		unsigned i;

		if (vcm_is_err(phys)) {
			arg->bad = 1;
			break;
		}
		for (i = 0; i < phys->count; i++) {
			vcm_addr_t pa;
			unsigned long n;

			if (vcm_pin_lookup(c->soc, c->area + (first + i) * PAGE, &pa, &n) ||
			    pa != phys->parts[i].start || !n)
				arg->bad = 1;
		}
		vcm_free(phys);
	}
	return NULL;
}

static void test_pin_threads(void **state)
{
	struct ctx *c = *state;
	pthread_t th[NTHREADS];
	struct thread_arg arg[NTHREADS];
	unsigned i;

	for (i = 0; i < NTHREADS; i++) {
		arg[i] = (struct thread_arg){ .c = c, .idx = i };
		assert_int_equal(pthread_create(&th[i], NULL, pin_thread, &arg[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		assert_false(arg[i].bad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pin_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_device_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_device_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_pa_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_two_socs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_current_soc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_unmapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_protection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_enomem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_contig, setup, teardown),
		cmocka_unit_test_setup_teardown(test_userptr_mmu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_userptr_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_userptr_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_userptr_onetoone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_userptr_unmapped_while_pinned, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pin_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
