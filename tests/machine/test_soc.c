/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_soc.c - the simulated machine: banks, lazy backing, CPU access to
 * physical memory, the page allocator through the SoC API, the default SoC.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <vcm/fault-inject.h>
#include <vcm/soc.h>

#include "test_util.h"

#define RAM0 0x40000000ULL
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static int setup(void **state)
{
	test_warnings_quiet();
	test_warnings = 0;
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_warnings_default();
	return 0;
}

static void test_bank_rules(void **state)
{
	struct vcm_soc *soc = vcm_soc_create();
	unsigned i;

	(void)state;
	assert_int_equal(vcm_soc_total_bytes(soc), 0);
	assert_int_equal(vcm_soc_add_ram(soc, RAM0, 16 * MiB), 0);
	/* overlapping: inside, straddling either end, identical */
	assert_int_equal(vcm_soc_add_ram(soc, RAM0 + MiB, MiB), -EINVAL);
	assert_int_equal(vcm_soc_add_ram(soc, RAM0 - MiB, 2 * MiB), -EINVAL);
	assert_int_equal(vcm_soc_add_ram(soc, RAM0 + 15 * MiB, 2 * MiB), -EINVAL);
	assert_int_equal(vcm_soc_add_ram(soc, RAM0, 16 * MiB), -EINVAL);
	/* unaligned or empty */
	assert_int_equal(vcm_soc_add_ram(soc, 0x10000800, MiB), -EINVAL);
	assert_int_equal(vcm_soc_add_ram(soc, 0x10000000, MiB + 1), -EINVAL);
	assert_int_equal(vcm_soc_add_ram(soc, 0x10000000, 0), -EINVAL);
	/* wrapping past 2^64, NULL SoC */
	assert_int_equal(vcm_soc_add_ram(soc, 0xfffffffffff00000ULL, 2 * MiB), -EINVAL);
	assert_int_equal(vcm_soc_add_ram(NULL, 0x10000000, MiB), -EINVAL);
	assert_int_equal(vcm_soc_total_bytes(soc), 16 * MiB);
	assert_int_equal(vcm_soc_free_bytes(soc), 16 * MiB);
	/* adjacent is fine; the bank table has a limit */
	assert_int_equal(vcm_soc_add_ram(soc, RAM0 + 16 * MiB, MiB), 0);
	for (i = 2; i < VCM_SOC_MAX_BANKS; i++)
		assert_int_equal(vcm_soc_add_ram(soc, (vcm_addr_t)i * GiB, MiB), 0);
	assert_int_equal(vcm_soc_add_ram(soc, 100 * GiB, MiB), -ENOSPC);
	assert_int_equal(test_warnings, 0);
	vcm_soc_destroy(soc);
}

static long resident_pages(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld %ld", &size, &resident), 2);
	fclose(f);
	return resident;
}

static void test_lazy_backing(void **state)
{
	long before = resident_pages(), after;
	long page = sysconf(_SC_PAGESIZE);
	struct vcm_soc *soc = test_soc_ram(0x100000000ULL, 4 * GiB);
	unsigned char byte = 0x5a, back = 0;

	(void)state;
	after = resident_pages();
	/* A 4 GiB bank may cost its allocator's metadata, not its RAM. */
	assert_true((after - before) * page < 32 * (long)MiB);
	/* Touching one page costs about a page. */
	assert_int_equal(vcm_soc_phys_write(soc, 0x100000000ULL + 3 * GiB, &byte, 1), 0);
	assert_int_equal(vcm_soc_phys_read(soc, 0x100000000ULL + 3 * GiB, &back, 1), 0);
	assert_int_equal(back, 0x5a);
	assert_true((resident_pages() - before) * page < 40 * (long)MiB);
	vcm_soc_destroy(soc);
}

static void test_cross_boundaries(void **state)
{
	struct vcm_soc *soc = test_soc_ram(RAM0, 2 * MiB);
	unsigned char out[3 * 4096], in[sizeof(out)];
	vcm_addr_t pa = RAM0 + 2 * MiB - 4096 - 100; /* crosses a page and a bank */
	size_t i;

	(void)state;
	assert_int_equal(vcm_soc_add_ram(soc, RAM0 + 2 * MiB, 2 * MiB), 0);
	for (i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(vcm_soc_phys_write(soc, pa, out, sizeof(out)), 0);
	memset(in, 0, sizeof(in));
	assert_int_equal(vcm_soc_phys_read(soc, pa, in, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(out));
	/* The host pointer agrees with the reads, byte for byte. */
	assert_int_equal(*(unsigned char *)vcm_soc_phys_to_host(soc, pa + 5000), out[5000]);
	vcm_soc_destroy(soc);
}

static void test_not_ram(void **state)
{
	struct vcm_soc *soc = test_soc_ram(RAM0, MiB);
	unsigned char buf[64], zero[64];
	size_t i;

	(void)state;
	memset(zero, 0, sizeof(zero));
	assert_null(vcm_soc_phys_to_host(soc, RAM0 - 1));
	assert_null(vcm_soc_phys_to_host(soc, RAM0 + MiB));
	assert_null(vcm_soc_phys_to_host(NULL, RAM0));
	assert_non_null(vcm_soc_phys_to_host(soc, RAM0 + MiB - 1));
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(vcm_soc_phys_read(soc, 0x1000, buf, sizeof(buf)), -EFAULT);
	/* A range that is only partly RAM: -EFAULT, nothing written. */
	assert_int_equal(vcm_soc_phys_write(soc, RAM0 + MiB - 32, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(vcm_soc_phys_read(soc, RAM0 + MiB - 32, buf, 32), 0);
	for (i = 0; i < 32; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(vcm_soc_phys_read(soc, RAM0 - 16, buf, 32), -EFAULT);
	/* Wrapping past 2^64 */
	assert_int_equal(vcm_soc_phys_read(soc, UINT64_MAX - 8, buf, 32), -EFAULT);
	assert_int_equal(vcm_soc_phys_read(NULL, RAM0, buf, 1), -EINVAL);
	assert_int_equal(vcm_soc_phys_read(soc, RAM0, NULL, 1), -EINVAL);
	assert_int_equal(vcm_soc_phys_read(soc, RAM0, buf, 0), 0);
	vcm_soc_destroy(soc);
}

static void test_exhaust_and_coalesce(void **state)
{
	struct vcm_soc *soc = test_soc_ram(RAM0, 16 * MiB);
	vcm_addr_t *pages = calloc(4096, sizeof(*pages)), pa;
	unsigned i;

	(void)state;
	for (i = 0; i < 4096; i++) {
		assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pages[i]), 0);
		assert_true(pages[i] >= RAM0 && pages[i] < RAM0 + 16 * MiB);
	}
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa), -ENOMEM);
	assert_int_equal(vcm_soc_free_bytes(soc), 0);
	for (i = 0; i < 4096; i++)
		vcm_soc_free_pages(soc, pages[i], 0);
	assert_int_equal(vcm_soc_free_bytes(soc), 16 * MiB);
	assert_int_equal(vcm_soc_alloc_pages(soc, VCM_SOC_MAX_ORDER, &pa), 0);
	assert_int_equal(pa, RAM0);
	assert_int_equal(vcm_soc_alloc_pages(soc, VCM_SOC_MAX_ORDER + 1, &pa), -EINVAL);
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, NULL), -EINVAL);
	assert_int_equal(vcm_soc_alloc_pages(NULL, 0, &pa), -EINVAL);
	vcm_soc_free_pages(soc, RAM0, VCM_SOC_MAX_ORDER);
	assert_int_equal(test_warnings, 0);
	free(pages);
	vcm_soc_destroy(soc);
}

static void test_double_free_warns(void **state)
{
	struct vcm_soc *soc = test_soc_ram(RAM0, 16 * MiB);
	vcm_addr_t pa, other;
	vcm_size_t free_before;

	(void)state;
	assert_int_equal(vcm_soc_alloc_pages(soc, 4, &pa), 0);
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &other), 0);
	vcm_soc_free_pages(soc, pa, 4);
	free_before = vcm_soc_free_bytes(soc);
	vcm_soc_free_pages(soc, pa, 4);			/* twice */
	assert_int_equal(test_warnings, 1);
	vcm_soc_free_pages(soc, other, 3);		/* wrong order */
	vcm_soc_free_pages(soc, 0x1000, 0);		/* not RAM */
	vcm_soc_free_pages(soc, other + 1, 0);		/* unaligned */
	vcm_soc_free_pages(NULL, other, 0);
	assert_int_equal(test_warnings, 5);
	assert_int_equal(vcm_soc_free_bytes(soc), free_before);
	vcm_soc_free_pages(soc, other, 0);
	assert_int_equal(vcm_soc_free_bytes(soc), 16 * MiB);
	vcm_soc_destroy(soc);
}

static void test_random_mix(void **state)
{
	enum { SLOTS = 512 };
	struct vcm_soc *soc = test_soc_ram(RAM0, 64 * MiB);
	vcm_addr_t pa[SLOTS];
	unsigned order[SLOTS], i, step;
	vcm_size_t live = 0;

	(void)state;
	srand(1234);
	memset(pa, 0, sizeof(pa));
	for (step = 0; step < 20000; step++) {
		i = (unsigned)rand() % SLOTS;
		if (pa[i]) {
			vcm_soc_free_pages(soc, pa[i], order[i]);
			live -= VCM_PAGE_SIZE << order[i];
			pa[i] = 0;
		} else {
			order[i] = (unsigned)rand() % 9;
			if (vcm_soc_alloc_pages(soc, order[i], &pa[i]) == 0) {
				assert_true(((pa[i] - RAM0) & ((VCM_PAGE_SIZE << order[i]) - 1)) == 0);
				live += VCM_PAGE_SIZE << order[i];
			} else {
				pa[i] = 0;
			}
		}
		assert_int_equal(vcm_soc_free_bytes(soc), 64 * MiB - live);
	}
	for (i = 0; i < SLOTS; i++)
		if (pa[i])
			vcm_soc_free_pages(soc, pa[i], order[i]);
	assert_int_equal(vcm_soc_free_bytes(soc), 64 * MiB);
	assert_int_equal(test_warnings, 0);
	vcm_soc_destroy(soc);
}

/* What vcm_soc_dump_buddyinfo() prints for @soc (to be freed). */
static char *buddyinfo(const struct vcm_soc *soc)
{
	struct test_capture c;

	vcm_soc_dump_buddyinfo(soc, test_capture_open(&c));
	return test_capture_text(&c);
}

/* Two banks, the first small so that allocations spill into the second. */
static struct vcm_soc *twin_soc(void)
{
	struct vcm_soc *soc = test_soc_ram(RAM0, 4 * MiB);

	assert_int_equal(vcm_soc_add_ram(soc, RAM0 + GiB, 8 * MiB), 0);
	return soc;
}

/* Anything armed (here a site the page allocator never asks) keeps
 * vcm_soc_alloc_pages()/free_pages() off their fast path. */
static void arm_other_site(bool on)
{
	struct vcm_fail_attr a = { .probability = 100, .times = -1 };

	assert_int_equal(vcm_fail_attr_set(VCM_FAIL_PIN, on ? &a : NULL), 0);
}

/*
 * A free that must be refused, picked by @k: wrong order (either way), a
 * PA inside the block, not RAM (while the block is allocated), or twice
 * (after it was freed: @freed).
 */
static void bad_free(struct vcm_soc *soc, vcm_addr_t pa, unsigned order, unsigned k, bool freed)
{
	static const vcm_addr_t not_ram = 0x1000;

	if (freed) {
		vcm_soc_free_pages(soc, pa, order);		/* twice */
		return;
	}
	switch (k % 5) {
	case 0:
		vcm_soc_free_pages(soc, pa, order + 1);
		break;
	case 1:
		vcm_soc_free_pages(soc, pa, order ? order - 1 : VCM_SOC_MAX_ORDER + 1);
		break;
	case 2:
		vcm_soc_free_pages(soc, pa + VCM_PAGE_SIZE / 2, order);
		break;
	case 3:
		vcm_soc_free_pages(soc, pa + (order ? VCM_PAGE_SIZE : 1), order);
		break;
	default:
		vcm_soc_free_pages(soc, not_ram, order);
	}
}

/* bad_free() on @fast, then on @general: each warns once. */
static void twin_bad_free(struct vcm_soc *fast, struct vcm_soc *general, vcm_addr_t pa,
			  unsigned order, unsigned k, bool freed)
{
	unsigned warned = test_warnings;

	bad_free(fast, pa, order, k, freed);
	arm_other_site(true);
	bad_free(general, pa, order, k, freed);
	arm_other_site(false);
	assert_int_equal(test_warnings, warned + 2);
}

/*
 * The one-block fast path gives what the general path gives: a SoC used
 * with fault injection armed elsewhere (always the general path) and its
 * twin used without (the fast path where it applies) hand out the same
 * blocks, refuse the same frees and end with the same free blocks, over
 * two banks, every order up to 6, and frees refused on every ground.
 */
static void test_fast_path_twin(void **state)
{
	enum { SLOTS = 256, STEPS = 20000, TOP = 6 };
	struct vcm_soc *fast = twin_soc(), *general = twin_soc();
	vcm_addr_t pa[SLOTS] = { 0 }, other;
	unsigned order[SLOTS], i, step;
	char *a, *b;
	int ret;

	(void)state;
	srand(4321);
	for (step = 0; step < STEPS; step++) {
		i = (unsigned)rand() % SLOTS;
		if (pa[i]) {
			if (step % 4 == 0)
				twin_bad_free(fast, general, pa[i], order[i], step / 4, false);
			vcm_soc_free_pages(fast, pa[i], order[i]);
			arm_other_site(true);
			vcm_soc_free_pages(general, pa[i], order[i]);
			arm_other_site(false);
			if (step % 8 == 1)
				twin_bad_free(fast, general, pa[i], order[i], 0, true);
			pa[i] = 0;
		} else {
			order[i] = (unsigned)rand() % (TOP + 1);
			ret = vcm_soc_alloc_pages(fast, order[i], &pa[i]);
			arm_other_site(true);
			assert_int_equal(vcm_soc_alloc_pages(general, order[i], &other), ret);
			arm_other_site(false);
			if (ret)
				pa[i] = 0;
			else
				assert_int_equal(pa[i], other);
		}
		assert_int_equal(vcm_soc_free_bytes(fast), vcm_soc_free_bytes(general));
	}
	a = buddyinfo(fast);
	b = buddyinfo(general);
	assert_string_equal(a, b);
	free(a);
	free(b);
	for (i = 0; i < SLOTS; i++)
		if (pa[i]) {
			vcm_soc_free_pages(fast, pa[i], order[i]);
			vcm_soc_free_pages(general, pa[i], order[i]);
		}
	assert_int_equal(vcm_soc_free_bytes(fast), 12 * MiB);
	assert_int_equal(vcm_soc_free_bytes(general), 12 * MiB);
	vcm_soc_destroy(fast);
	vcm_soc_destroy(general);
}

/*
 * The checks hold where the fast path would apply (order 0 has two free
 * pages whose buddies are allocated): no result pointer, an order too
 * big, a failure injected at the page allocator's site.
 */
static void test_fast_path_checks(void **state)
{
	enum { NPAGES = 8 };
	struct vcm_fail_attr fail_once = { .probability = 100, .times = 1 };
	struct vcm_soc *soc = test_soc_ram(RAM0, 16 * MiB);
	vcm_addr_t pa[NPAGES], again;
	unsigned i;

	(void)state;
	for (i = 0; i < NPAGES; i++)
		assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa[i]), 0);
	vcm_soc_free_pages(soc, pa[2], 0);
	vcm_soc_free_pages(soc, pa[4], 0);
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, NULL), -EINVAL);
	assert_int_equal(vcm_soc_alloc_pages(soc, VCM_SOC_MAX_ORDER + 1, &again), -EINVAL);
	assert_int_equal(vcm_fail_attr_set(VCM_FAIL_PAGE_ALLOC, &fail_once), 0);
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &again), -ENOMEM);
	assert_int_equal(vcm_fail_attr_set(VCM_FAIL_PAGE_ALLOC, NULL), 0);
	assert_int_equal(vcm_soc_free_bytes(soc), 16 * MiB - (NPAGES - 2) * VCM_PAGE_SIZE);
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &again), 0);
	assert_int_equal(again, pa[2]);
	for (i = 0; i < NPAGES; i++)
		if (i != 4)
			vcm_soc_free_pages(soc, pa[i], 0);
	assert_int_equal(vcm_soc_free_bytes(soc), 16 * MiB);
	assert_int_equal(test_warnings, 0);
	vcm_soc_destroy(soc);
}

/*
 * Threads allocating from one SoC.  The allocators' lock is biased to the
 * first thread that takes it (here the main thread); the others revoke the
 * bias while it keeps allocating.  Every page handed out is marked: none
 * may be handed out twice, and none may be lost.
 */
enum {
	THREAD_SLOTS = 16, THREAD_ROUNDS = 20000, THREAD_BANK_PAGES = 4096, NTHREADS = 3,
	THREAD_OVERLAPS = 200,		/* others' calls seen between two of one's own */
	THREAD_MAX_ROUNDS = 100000,
};

/* Calls made by all threads: a thread that sees it move between two of its
 * own calls ran beside another. */
static atomic_ulong calls_made;

struct alloc_thread {
	struct vcm_soc *soc;
	atomic_uchar *used;		/* per page of the bank */
	pthread_barrier_t *start;
	unsigned seed;
	unsigned twice;			/* pages found marked when handed out */
	unsigned overlaps;
};

static void mark_block(struct alloc_thread *t, vcm_addr_t pa, unsigned order, unsigned char v)
{
	uint64_t first = (pa - RAM0) >> VCM_PAGE_SHIFT, n;

	for (n = 0; n < (1ULL << order); n++)
		if (atomic_exchange(&t->used[first + n], v) == v)
			t->twice++;
}

static void *alloc_thread_main(void *arg)
{
	struct alloc_thread *t = arg;
	vcm_addr_t pa[THREAD_SLOTS] = { 0 };
	unsigned order[THREAD_SLOTS], i, k;

	pthread_barrier_wait(t->start);
	for (i = 0; i < THREAD_MAX_ROUNDS &&
		    (i < THREAD_ROUNDS || t->overlaps < THREAD_OVERLAPS); i++) {
		unsigned long before = atomic_fetch_add(&calls_made, 1);

		k = (unsigned)rand_r(&t->seed) % THREAD_SLOTS;
		if (pa[k]) {
			mark_block(t, pa[k], order[k], 0);	/* before another can have it */
			vcm_soc_free_pages(t->soc, pa[k], order[k]);
			pa[k] = 0;
		} else {
			order[k] = (unsigned)rand_r(&t->seed) % 4;
			if (vcm_soc_alloc_pages(t->soc, order[k], &pa[k]) == 0)
				mark_block(t, pa[k], order[k], 1);
			else
				pa[k] = 0;
		}
		t->overlaps += atomic_load(&calls_made) != before + 1;
	}
	for (k = 0; k < THREAD_SLOTS; k++)
		if (pa[k]) {
			mark_block(t, pa[k], order[k], 0);
			vcm_soc_free_pages(t->soc, pa[k], order[k]);
		}
	return NULL;
}

static void test_alloc_threads(void **state)
{
	const vcm_size_t bytes = (vcm_size_t)THREAD_BANK_PAGES << VCM_PAGE_SHIFT;
	struct vcm_soc *soc = test_soc_ram(RAM0, bytes);
	static atomic_uchar used[THREAD_BANK_PAGES];
	struct alloc_thread t[NTHREADS];
	pthread_barrier_t start;
	pthread_t th[NTHREADS];
	vcm_addr_t pa;
	unsigned i;

	(void)state;
	/* The main thread takes the lock first: it is biased to it. */
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa), 0);
	vcm_soc_free_pages(soc, pa, 0);
	assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS), 0);
	for (i = 0; i < NTHREADS; i++) {
		t[i] = (struct alloc_thread){ .soc = soc, .used = used, .start = &start,
					      .seed = i + 1 };
		if (i)
			assert_int_equal(pthread_create(&th[i], NULL, alloc_thread_main, &t[i]), 0);
	}
	alloc_thread_main(&t[0]);	/* the owner keeps allocating meanwhile */
	for (i = 1; i < NTHREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&start);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(t[i].twice, 0);
	assert_int_equal(vcm_soc_free_bytes(soc), bytes);
	assert_int_equal(test_warnings, 0);
	vcm_soc_destroy(soc);
}

static void test_buddyinfo(void **state)
{
	struct vcm_soc *soc = test_soc_ram(RAM0, 16 * MiB);
	vcm_addr_t pa;
	char *text;

	(void)state;
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa), 0);
	text = buddyinfo(soc);
	/* 16 MiB - 4 KiB: one free block of each order 0..11 */
	assert_string_equal(text, "bank 0 @0x40000000-0x40ffffff  order 0..12: "
				  "1 1 1 1 1 1 1 1 1 1 1 1 0\n");
	free(text);
	vcm_soc_free_pages(soc, pa, 0);
	vcm_soc_destroy(soc);
}

static void test_destroy_with_pages_warns(void **state)
{
	struct vcm_soc *soc = test_soc_ram(RAM0, MiB);
	vcm_addr_t pa;

	(void)state;
	assert_int_equal(vcm_soc_alloc_pages(soc, 0, &pa), 0);
	vcm_soc_destroy(soc);
	assert_int_equal(test_warnings, 1);
	vcm_soc_destroy(NULL);
	assert_int_equal(test_warnings, 1);
}

static void test_current(void **state)
{
	struct vcm_soc *def = vcm_soc_current(), *mine = test_soc_ram(RAM0, MiB);

	(void)state;
	assert_non_null(def);
	assert_int_equal(vcm_soc_total_bytes(def), VCM_SOC_DEFAULT_RAM_SIZE);
	assert_non_null(vcm_soc_phys_to_host(def, VCM_SOC_DEFAULT_RAM_BASE));
	assert_null(vcm_soc_phys_to_host(def, VCM_SOC_DEFAULT_RAM_BASE - 1));
	assert_ptr_equal(vcm_soc_current(), def);
	vcm_soc_set_current(mine);
	assert_ptr_equal(vcm_soc_current(), mine);
	/* Destroying the current SoC falls back to the default one. */
	vcm_soc_destroy(mine);
	assert_ptr_equal(vcm_soc_current(), def);
	vcm_soc_set_current(NULL);
	assert_ptr_equal(vcm_soc_current(), def);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bank_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lazy_backing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cross_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_and_coalesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_free_warns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_mix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_path_twin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_path_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buddyinfo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_with_pages_warns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_current, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
