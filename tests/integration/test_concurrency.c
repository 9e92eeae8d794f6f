/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_concurrency.c - the library used from several threads at once:
 *
 * - threads mapping and unmapping their own buffers in one MMU context
 *   (disjoint DVA ranges from one allocator, one page table);
 * - one phys bound into several contexts (and the CPU view) by several
 *   threads at once; its binding count must come back to 0;
 * - one thread activating and deactivating a context while others bind
 *   and unbind in it: the driver never maps a mapped page nor unmaps an
 *   unmapped one, and nothing is left mapped at the end;
 * - with the System MMU model: threads mapping and unmapping in an IOMMU
 *   context while others run DMA through the same System MMU (its TLB and
 *   page table shared), and the same over the S5P layer's shared table with
 *   two devices; a device never reaches a buffer after its unbind returned
 *   and never sees a stale translation (that would raise a warning).
 *
 * Built with -Db_sanitize=thread by tools/sanitize.sh; ThreadSanitizer must
 * report nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <vcm.h>

#include "mock-mmu.h"
#include "vcm-internal.h"
#include "test_util.h"

#define RAM0 0x40000000ULL
#define RAM_SIZE (64ULL << 20)
#define NTHREADS 4

static unsigned iters(unsigned n)
{
	return getenv("VCM_UNDER_VALGRIND") ? n / 8 + 1 : n;
}

struct fx {
	struct vcm_soc *soc;
	struct vcm *mmu;
	struct mock *mock;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->soc = test_soc_current(RAM0, RAM_SIZE);
	f->mmu = mock_create(&f->mock);
	test_warnings = 0;
	test_warnings_quiet();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	assert_int_equal(f->mock->mapped, 0);
	assert_false(f->mock->bad);
	assert_int_equal(test_warnings, 0);
	test_warnings_default();
	vcm_destroy(f->mmu);
	assert_int_equal(vcm_soc_free_bytes(f->soc), RAM_SIZE);
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(f->soc);
	free(f);
	return 0;
}

static void run_threads(void *(*fn)(void *), void *args, size_t argsize, unsigned n)
{
	pthread_t tid[16];
	unsigned i;

	for (i = 0; i < n; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, fn, (char *)args + i * argsize), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(pthread_join(tid[i], NULL), 0);
}

/* The page-table entries of @res are its phys' PAs (only entries this
 * thread's reservation owns are read). */
static bool ptes_match(const struct mock *m, const struct vcm_res *res,
		       const struct vcm_phys *phys)
{
	vcm_size_t off = 0, o;
	unsigned i;

	for (i = 0; i < phys->count; i++) {
		for (o = 0; o < phys->parts[i].size; o += PAGE) {
			uint64_t idx = (res->start - WIN_START + off + o) / PAGE;

			if (m->pte[idx] != phys->parts[i].start + o)
				return false;
		}
		off += phys->parts[i].size;
	}
	return true;
}

static bool ptes_clear(const struct mock *m, const struct vcm_res *res)
{
	vcm_size_t o;

	for (o = 0; o < res->res_size; o += PAGE)
		if (m->pte[(res->start - WIN_START + o) / PAGE])
			return false;
	return true;
}

/* ---- threads mapping and unmapping in one context ---- */

struct mapper {
	struct fx *f;
	unsigned id;
	unsigned long errors;
};

static void *mapper_thread(void *arg)
{
	struct mapper *t = arg;
	struct fx *f = t->f;
	unsigned i, n = iters(300);
	unsigned char buf[64], back[64];

	for (i = 0; i < n; i++) {
		vcm_size_t size = (1 + (i * 7 + t->id) % 40) * PAGE;
		struct vcm_phys *phys = vcm_alloc(f->mmu, size, 0);
		struct vcm_res *res;

		if (vcm_is_err(phys)) {
			t->errors++;
			continue;
		}
		res = vcm_map(f->mmu, phys, 0);
		if (vcm_is_err(res)) {
			t->errors++;
			vcm_free(phys);
			continue;
		}
		t->errors += !ptes_match(f->mock, res, phys);
		memset(buf, (int)(t->id * 16 + i), sizeof(buf));
		vcm_soc_phys_write(f->soc, phys->parts[phys->count - 1].start, buf, sizeof(buf));
		vcm_soc_phys_read(f->soc, phys->parts[phys->count - 1].start, back, sizeof(back));
		t->errors += memcmp(buf, back, sizeof(buf)) != 0;
		/* unbind first: while the DVA is still ours, it must be clear */
		t->errors += vcm_unbind(res) != phys;
		t->errors += !ptes_clear(f->mock, res);
		vcm_unreserve(res);
		vcm_free(phys);
	}
	return NULL;
}

static void map_unmap_one_context(void **state)
{
	struct fx *f = *state;
	struct mapper t[NTHREADS];
	unsigned i;

	assert_int_equal(vcm_activate(f->mmu), 0);
	for (i = 0; i < NTHREADS; i++)
		t[i] = (struct mapper){ f, i, 0 };
	run_threads(mapper_thread, t, sizeof(t[0]), NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(t[i].errors, 0);
	vcm_deactivate(f->mmu);
}

/* ---- one phys in several contexts ---- */

#define SHARED_SIZE (24 * PAGE)

struct sharer {
	struct fx *f;
	unsigned id;
	struct vcm *own;		/* this thread's MMU context */
	struct mock *mock;
	struct vcm *vmm;		/* one CPU view context for all */
	struct vcm_phys *shared;
	unsigned long errors;
};

static void *sharer_thread(void *arg)
{
	struct sharer *t = arg;
	unsigned i, n = iters(200);

	for (i = 0; i < n; i++) {
		struct vcm_res *mine = vcm_map(t->own, t->shared, 0);
		struct vcm_res *other = vcm_map(t->f->mmu, t->shared, 0);
		struct vcm_res *view = vcm_map(t->vmm, t->shared, 0);
		unsigned char *p;

		if (vcm_is_err(mine) || vcm_is_err(other) || vcm_is_err(view)) {
			t->errors++;
			break;
		}
		t->errors += __atomic_load_n(&t->shared->bindings.counter, __ATOMIC_ACQUIRE) < 3;
		if (i % 2 == 0) {
			t->errors += vcm_activate(t->own) != 0;
			t->errors += !ptes_match(t->mock, mine, t->shared);
			vcm_deactivate(t->own);
		}
		/* each thread owns one page of the buffer (one part: 4 KiB pages):
		 * write it through the view, read it through physical memory */
		p = (unsigned char *)(uintptr_t)view->start + t->id * PAGE;
		memset(p, (int)(t->id + i), PAGE);
		t->errors += *(unsigned char *)vcm_soc_phys_to_host(t->f->soc,
			t->shared->parts[t->id].start) != (unsigned char)(t->id + i);
		vcm_unmap(view);
		vcm_unmap(other);
		vcm_unmap(mine);
	}
	return NULL;
}

static void shared_phys_many_contexts(void **state)
{
	struct fx *f = *state;
	struct sharer t[NTHREADS];
	struct vcm *vmm = vcm_vmm_create(f->soc);
	struct vcm_phys *shared;
	unsigned i;

	assert_false(vcm_is_err(vmm));
	shared = vcm_phys_alloc(SHARED_SIZE, 0, NULL);
	assert_false(vcm_is_err(shared));
	assert_int_equal(vcm_activate(f->mmu), 0);
	for (i = 0; i < NTHREADS; i++) {
		t[i] = (struct sharer){ .f = f, .id = i, .vmm = vmm, .shared = shared };
		t[i].own = mock_create(&t[i].mock);
	}
	run_threads(sharer_thread, t, sizeof(t[0]), NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(t[i].errors, 0);
		assert_int_equal(t[i].mock->mapped, 0);
		assert_false(t[i].mock->bad);
		vcm_destroy(t[i].own);
	}
	assert_int_equal(shared->bindings.counter, 0);
	vcm_free(shared);
	vcm_destroy(vmm);
	vcm_deactivate(f->mmu);
}

/* ---- activation racing with binding ---- */

struct toggler {
	struct fx *f;
	unsigned long errors;
	int stop;
};

static void *toggler_thread(void *arg)
{
	struct toggler *t = arg;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		t->errors += vcm_activate(t->f->mmu) != 0;
		vcm_deactivate(t->f->mmu);
	}
	return NULL;
}

static void *binder_thread(void *arg)
{
	struct mapper *t = arg;
	unsigned i, n = iters(300);

	for (i = 0; i < n; i++) {
		struct vcm_res *res = vcm_make_binding(t->f->mmu, (1 + i % 20) * PAGE, 0, 0);

		if (vcm_is_err(res)) {
			t->errors++;
			continue;
		}
		vcm_destroy_binding(res);
	}
	return NULL;
}

static void activation_races_binding(void **state)
{
	struct fx *f = *state;
	struct toggler tog = { f, 0, 0 };
	struct mapper t[NTHREADS - 1];
	pthread_t tid;
	unsigned i;

	assert_int_equal(pthread_create(&tid, NULL, toggler_thread, &tog), 0);
	for (i = 0; i < NTHREADS - 1; i++)
		t[i] = (struct mapper){ f, i, 0 };
	run_threads(binder_thread, t, sizeof(t[0]), NTHREADS - 1);
	__atomic_store_n(&tog.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(tid, NULL), 0);
	assert_int_equal(tog.errors, 0);
	for (i = 0; i < NTHREADS - 1; i++)
		assert_int_equal(t[i].errors, 0);
	assert_int_equal(f->mmu->activations.counter, 0);
}


/* ---- DMA through a System MMU while its mappings change ---- */

#define DEV_START 0x10000000ULL
#define DEV_SIZE (64ULL << 20)

struct devjob {
	struct fx *f;
	struct vcm *ctx;		/* where this thread maps */
	struct vcm_sysmmu *mmu;		/* the device behind it */
	unsigned id;
	unsigned long errors;
	int *stop;
};

/* Map, DMA through the new mapping, unbind, check it is gone, unreserve. */
static void *dev_mapper_thread(void *arg)
{
	struct devjob *t = arg;
	unsigned i, n = iters(150);
	unsigned char out[256], in[256];

	for (i = 0; i < n; i++) {
		vcm_size_t size = (1 + (i * 5 + t->id * 3) % 24) * PAGE + (i % 3 == 0 ? 1 << 20 : 0);
		struct vcm_phys *phys = vcm_alloc(t->ctx, size, 0);
		struct vcm_res *res;
		vcm_addr_t dva;

		if (vcm_is_err(phys)) {
			t->errors++;
			continue;
		}
		res = vcm_map(t->ctx, phys, 0);
		if (vcm_is_err(res)) {
			t->errors++;
			vcm_free(phys);
			continue;
		}
		dva = res->start + size - sizeof(out);
		memset(out, (int)(t->id * 31 + i), sizeof(out));
		t->errors += vcm_dma_write(t->mmu, dva, out, sizeof(out)) != 0;
		t->errors += vcm_dma_read(t->mmu, dva, in, sizeof(in)) != 0;
		t->errors += memcmp(in, out, sizeof(in)) != 0;
		t->errors += vcm_unbind(res) != phys;
		/* the DVA is still ours, and must fault now */
		t->errors += vcm_dma_read(t->mmu, dva, in, sizeof(in)) != -EFAULT;
		t->errors += vcm_dma_read(t->mmu, res->start, in, 8) != -EFAULT;
		vcm_unreserve(res);
		vcm_free(phys);
	}
	__atomic_add_fetch(t->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* DMA to a buffer mapped once, until the mappers are done. */
static void *dev_dma_thread(void *arg)
{
	struct devjob *t = arg;
	struct vcm_res *res = vcm_make_binding(t->ctx, 96 * 1024, 0, 0);
	unsigned char out[512], in[512];
	unsigned i = 0;

	if (vcm_is_err(res)) {
		t->errors++;
		return NULL;
	}
	while (__atomic_load_n(t->stop, __ATOMIC_ACQUIRE) < 2 || i < 16) {
		vcm_addr_t off = (i * 4093) % (96 * 1024 - 2 * sizeof(out));

		memset(out, (int)(i + t->id), sizeof(out));
		t->errors += vcm_dma_write(t->mmu, res->start + off, out, sizeof(out)) != 0;
		t->errors += vcm_dma_copy(t->mmu, res->start + off + sizeof(out), t->mmu,
					  res->start + off, sizeof(out)) != 0;
		t->errors += vcm_dma_read(t->mmu, res->start + off + sizeof(out), in,
					  sizeof(in)) != 0;
		t->errors += memcmp(in, out, sizeof(in)) != 0;
		i++;
	}
	vcm_destroy_binding(res);
	return NULL;
}

static void run_dev_jobs(struct fx *f, struct vcm *ctx[2], struct vcm_sysmmu *mmu[2])
{
	struct devjob t[4];
	int stop = 0;
	unsigned i;

	/* the DMA threads fault on purpose (pages being unmapped): no reports */
	vcm_sysmmu_set_fault_reports(mmu[0], false);
	vcm_sysmmu_set_fault_reports(mmu[1], false);
	/* two mappers and two DMA threads, spread over the two contexts */
	for (i = 0; i < 4; i++)
		t[i] = (struct devjob){ f, ctx[i % 2], mmu[i % 2], i, 0, &stop };
	{
		pthread_t tid[4];

		for (i = 0; i < 4; i++)
			assert_int_equal(pthread_create(&tid[i], NULL, i < 2 ? dev_mapper_thread :
							dev_dma_thread, &t[i]), 0);
		for (i = 0; i < 4; i++)
			assert_int_equal(pthread_join(tid[i], NULL), 0);
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(t[i].errors, 0);
}

/* One IOMMU context on one System MMU: mappers and DMA share it all. */
static void iommu_map_while_dma(void **state)
{
	struct fx *f = *state;
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(f->soc, "shared-device");
	struct vcm *ctx = vcm_iommu_create(mmu, DEV_START, DEV_SIZE);
	struct vcm *ctxs[2] = { ctx, ctx };
	struct vcm_sysmmu *mmus[2] = { mmu, mmu };
	struct vcm_sysmmu_stats st;

	assert_false(vcm_is_err(ctx));
	assert_int_equal(vcm_activate(ctx), 0);
	run_dev_jobs(f, ctxs, mmus);
	vcm_sysmmu_get_stats(mmu, &st);
	assert_int_equal(st.stale_hits, 0);
	vcm_deactivate(ctx);
	vcm_destroy(ctx);
	vcm_sysmmu_destroy(mmu);
}

/* Two S5P devices in the one shared table, each behind its System MMU. */
static void s5p_map_while_dma(void **state)
{
	struct fx *f = *state;
	struct vcm *ctxs[2];
	struct vcm_sysmmu *mmus[2];
	unsigned i;

	for (i = 0; i < 2; i++) {
		ctxs[i] = vcm_create_unified(DEV_SIZE, VCM_DEV_FIMC0 + i, NULL);
		assert_false(vcm_is_err(ctxs[i]));
		mmus[i] = s5p_sysmmu_get(VCM_DEV_FIMC0 + i);
		assert_int_equal(vcm_activate(ctxs[i]), 0);
	}
	run_dev_jobs(f, ctxs, mmus);
	for (i = 0; i < 2; i++) {
		vcm_deactivate(ctxs[i]);
		vcm_destroy(ctxs[i]);
	}
}

/* One phys bound into two IOMMU contexts and an S5P one by several
 * threads at once, each device reading what the CPU wrote. */
struct binder2 {
	struct vcm *ctx;
	struct vcm_sysmmu *mmu;
	struct vcm_phys *shared;
	unsigned char first;
	unsigned long errors;
};

static void *shared_dev_thread(void *arg)
{
	struct binder2 *t = arg;
	unsigned i, n = iters(200);
	unsigned char b;

	for (i = 0; i < n; i++) {
		struct vcm_res *res = vcm_map(t->ctx, t->shared, 0);

		if (vcm_is_err(res)) {
			t->errors++;
			break;
		}
		t->errors += vcm_dma_read(t->mmu, res->start, &b, 1) != 0 || b != t->first;
		vcm_unmap(res);
	}
	return NULL;
}

static void shared_phys_devices(void **state)
{
	struct fx *f = *state;
	struct vcm_sysmmu *m0 = vcm_sysmmu_create(f->soc, "dev0");
	struct vcm_sysmmu *m1 = vcm_sysmmu_create(f->soc, "dev1");
	struct binder2 t[3] = {
		{ .ctx = vcm_iommu_create(m0, DEV_START, DEV_SIZE), .mmu = m0 },
		{ .ctx = vcm_iommu_create(m1, DEV_START, DEV_SIZE), .mmu = m1 },
		{ .ctx = vcm_create_unified(DEV_SIZE, VCM_DEV_MFC, NULL),
		  .mmu = s5p_sysmmu_get(VCM_DEV_MFC) },
	};
	struct vcm_phys *shared = vcm_phys_alloc(300 * PAGE, 0, mock_orders);
	unsigned char b = 0xa5;
	pthread_t tid[3];
	unsigned i;

	assert_false(vcm_is_err(shared));
	assert_int_equal(vcm_soc_phys_write(f->soc, shared->parts[0].start, &b, 1), 0);
	for (i = 0; i < 3; i++) {
		assert_false(vcm_is_err(t[i].ctx));
		assert_int_equal(vcm_activate(t[i].ctx), 0);
		t[i].shared = shared;
		t[i].first = b;
		assert_int_equal(pthread_create(&tid[i], NULL, shared_dev_thread, &t[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(tid[i], NULL), 0);
		assert_int_equal(t[i].errors, 0);
		vcm_deactivate(t[i].ctx);
		vcm_destroy(t[i].ctx);
	}
	assert_int_equal(shared->bindings.counter, 0);
	vcm_free(shared);
	vcm_sysmmu_destroy(m0);
	vcm_sysmmu_destroy(m1);
}

/* ---- ownership: biased to its first thread, revoked by the next ---- */

/*
 * A driver whose reservation ops count how many run at once: the context's
 * ownership must keep it at one, whichever way each thread took it (the
 * first thread's bias, or the shared way after another revoked it).
 */
static atomic_int excl_inside, excl_overlaps;

static void excl_enter(void)
{
	if (atomic_fetch_add(&excl_inside, 1))
		atomic_fetch_add(&excl_overlaps, 1);
	sched_yield();	/* let another thread try to get in meanwhile */
}

static struct vcm_res *excl_res(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct vcm_res *res = calloc(1, sizeof(*res));

	(void)flags;
	excl_enter();
	if (res)
		res->start = vcm->start;	/* overlapping DVA: this driver only counts */
	(void)size;
	atomic_fetch_sub(&excl_inside, 1);
	return res;
}

static void excl_unreserve(struct vcm_res *res)
{
	excl_enter();
	atomic_fetch_sub(&excl_inside, 1);
	free(res);
}

static const struct vcm_driver excl_driver = { .res = excl_res, .unreserve = excl_unreserve };

struct owner_arg {
	struct vcm *vcm;
	unsigned id, n;
	unsigned long errors;
};

static atomic_int first_biased;	/* thread 0 has owned the context */

static void *owner_thread(void *arg)
{
	struct owner_arg *t = arg;
	unsigned i;

	while (t->id && !atomic_load(&first_biased))
		sched_yield();	/* the others start once it is biased to thread 0 */
	for (i = 0; i < t->n; i++) {
		struct vcm_res *res = vcm_reserve(t->vcm, PAGE, 0);

		if (vcm_is_err_or_null(res)) {
			t->errors++;
			continue;
		}
		vcm_unreserve(res);
		if (!t->id)
			atomic_store(&first_biased, 1);
	}
	return NULL;
}

static void ownership_bias_revoked(void **state)
{
	struct vcm *ctx = calloc(1, sizeof(*ctx));	/* vcm_destroy() frees it */
	struct owner_arg t[NTHREADS];
	struct vcm *vcm;
	unsigned i;

	(void)state;
	assert_non_null(ctx);
	*ctx = (struct vcm){ .start = 0x10000000, .size = 1ULL << 24, .driver = &excl_driver };
	vcm = vcm_init(ctx);
	assert_ptr_equal(vcm, ctx);
	for (i = 0; i < NTHREADS; i++)
		t[i] = (struct owner_arg){ vcm, i, iters(400), 0 };
	/* thread 0 owns it first, the others revoke its bias while it runs */
	run_threads(owner_thread, t, sizeof(t[0]), NTHREADS);
	t[0].n = 1;
	owner_thread(&t[0]);	/* and a thread new to it, the shared way */
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(t[i].errors, 0);
	assert_int_equal(atomic_load(&excl_overlaps), 0);
	assert_int_equal(atomic_load(&excl_inside), 0);
	vcm_destroy(vcm);
}

static void *ref_thread(void *arg)
{
	return (void *)(intptr_t)vcm_ref_reserve(arg);
}

/*
 * vcm_ref_reserve() from a thread that is not the one the context is
 * biased to: it takes its turn (revoking the bias) and counts; the two
 * owners then give it back in two calls.
 */
static void ref_reserve_other_thread(void **state)
{
	struct vcm *ctx = calloc(1, sizeof(*ctx));	/* vcm_destroy() frees it */
	struct vcm_res *res;
	pthread_t tid;
	void *ret;

	(void)state;
	assert_non_null(ctx);
	*ctx = (struct vcm){ .start = 0x10000000, .size = 1ULL << 24, .driver = &excl_driver };
	assert_ptr_equal(vcm_init(ctx), ctx);
	res = vcm_reserve(ctx, PAGE, 0);	/* biased to this thread */
	assert_false(vcm_is_err_or_null(res));
	assert_int_equal(pthread_create(&tid, NULL, ref_thread, res), 0);
	assert_int_equal(pthread_join(tid, &ret), 0);
	assert_int_equal((intptr_t)ret, 0);
	/* it took its turn: the context is no longer biased to this thread */
	assert_true(atomic_load(&vcm_core(ctx)->bias) == VCM_CTX_SHARED);
	assert_int_equal(res->refcnt.counter, 2);
	vcm_unreserve(res);
	assert_int_equal(res->refcnt.counter, 1);	/* still ours: not given back */
	vcm_unreserve(res);
	vcm_destroy(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(map_unmap_one_context, setup, teardown),
		cmocka_unit_test_setup_teardown(shared_phys_many_contexts, setup, teardown),
		cmocka_unit_test_setup_teardown(activation_races_binding, setup, teardown),
		cmocka_unit_test_setup_teardown(iommu_map_while_dma, setup, teardown),
		cmocka_unit_test_setup_teardown(s5p_map_while_dma, setup, teardown),
		cmocka_unit_test_setup_teardown(shared_phys_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(ownership_bias_revoked, setup, teardown),
		cmocka_unit_test_setup_teardown(ref_reserve_other_thread, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
