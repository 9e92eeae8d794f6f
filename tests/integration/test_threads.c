// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_threads.c - several threads reserving, binding, unbinding, mapping,
 * unmapping and activating in the same contexts at once, one phys shared by
 * all of them; then the bookkeeping must add up: no binding left, every
 * page back in the SoC, every DVA back in the windows, nothing left mapped
 * in the (mock) hardware and nothing ever mapped twice.
 *
 * Worker threads do not call cmocka assertions (they longjmp); they count
 * failed checks, which the test asserts to be zero after joining them.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "vcm_test_common.h"

#define NTHREADS	4
#define ITERS		3000	/* per thread; a tenth under valgrind */
#define KEEP		4	/* live objects per thread */
#define NMMU		2
#define WIN_SIZE	(64ULL << 20)
#define MAX_LIVE	8192
#define MAX_NPAGES	40

static atomic_uint failures;
static unsigned iters = ITERS;

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			atomic_fetch_add(&failures, 1);				\
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
				__LINE__, #cond);				\
		}								\
	} while (0)

/* --- a mock MMU that notices double and stray mappings --------------------- */

struct hw_mmu {
	struct vcm_mmu mmu;	/* first */
	struct { vcm_addr_t va, pa; unsigned order; } live[MAX_LIVE];
	unsigned nlive;
	unsigned errors;
	unsigned long maps;
};

static const unsigned char orders[] = { 8, 4, 0 };

/* Called with the context's lock held: no locking of our own needed. */
static int hw_map(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct hw_mmu *m = vcm;
	vcm_size_t len = PAGE << order;
	unsigned i;

	for (i = 0; i < m->nlive; i++) {
		vcm_size_t l = PAGE << m->live[i].order;

		if (va < m->live[i].va + l && m->live[i].va < va + len)
			m->errors++;
	}
	if (m->nlive == MAX_LIVE)
		return -ENOMEM;
	m->live[m->nlive].va = va;
	m->live[m->nlive].pa = pa;
	m->live[m->nlive].order = order;
	m->nlive++;
	m->maps++;
	return 0;
}

static int hw_unmap(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct hw_mmu *m = vcm;
	unsigned i;

	for (i = 0; i < m->nlive; i++) {
		if (m->live[i].va == va && m->live[i].pa == pa && m->live[i].order == order) {
			m->live[i] = m->live[--m->nlive];
			return 0;
		}
	}
	m->errors++;
	return -ENOENT;
}

static const struct vcm_mmu_driver hw_driver = {
	.orders = orders,
	.activate_page = hw_map,
	.deactivate_page = hw_unmap,
};

/* --- the workload ------------------------------------------------------------ */

enum kind { K_NONE, K_RESERVE_BIND, K_MAKE_BINDING, K_MAP_SHARED, K_BIND_SHARED, K_CPU };

struct obj {
	enum kind kind;
	struct vcm_res *res;
	struct vcm_phys *phys;	/* the phys we expect behind res */
	unsigned char seed;
};

struct world {
	struct vcm_soc *soc;
	struct hw_mmu *mmu[NMMU];
	struct vcm *cpu;
	struct vcm_phys *shared;
	unsigned char shared_seed;
};

struct worker {
	pthread_t thread;
	struct world *w;
	uint64_t rng;
	struct obj obj[KEEP];
};

static uint64_t rnd(struct worker *wk)
{
	wk->rng ^= wk->rng << 13;
	wk->rng ^= wk->rng >> 7;
	wk->rng ^= wk->rng << 17;
	return wk->rng;
}

static unsigned char byte_at(vcm_size_t off, unsigned char seed)
{
	return (unsigned char)(off * 13 + seed + (off >> 12));
}

/* The bytes of @phys hold byte_at(off, seed) (checked every 512 bytes). */
static bool phys_holds(struct vcm_soc *soc, const struct vcm_phys *phys, unsigned char seed)
{
	vcm_size_t off = 0;
	unsigned i;

	for (i = 0; i < phys->count; i++) {
		vcm_size_t o;

		for (o = 0; o < phys->parts[i].size; o += 512) {
			unsigned char b;

			if (vcm_soc_phys_read(soc, phys->parts[i].start + o, &b, 1) ||
			    b != byte_at(off + o, seed))
				return false;
		}
		off += phys->parts[i].size;
	}
	return true;
}

static struct vcm *some_mmu(struct worker *wk)
{
	return &wk->w->mmu[rnd(wk) % NMMU]->mmu.vcm;
}

static vcm_size_t some_size(struct worker *wk)
{
	/* Now and then a size with big pages in it. */
	if (rnd(wk) % 8 == 0)
		return MIB + (rnd(wk) % 20) * PAGE;
	return (1 + rnd(wk) % MAX_NPAGES) * PAGE - rnd(wk) % PAGE;
}

static void check_bound(const struct obj *o)
{
	CHECK(!vcm_is_err_or_null(o->res));
	if (vcm_is_err_or_null(o->res))
		return;
	CHECK(o->res->phys == o->phys);
	CHECK(o->res->bound_size == o->phys->size);
	CHECK(o->res->res_size >= o->phys->size);
	CHECK(bindings_of(o->phys) >= 1);
}

static void obj_create(struct worker *wk, struct obj *o)
{
	struct world *w = wk->w;
	struct vcm *vcm = some_mmu(wk);
	vcm_size_t size = some_size(wk);

	o->kind = (enum kind)(1 + rnd(wk) % 5);
	switch (o->kind) {
	case K_RESERVE_BIND:
		o->res = vcm_reserve(vcm, size, 0);
		o->phys = vcm_alloc(vcm, size, 0);
		CHECK(!vcm_is_err_or_null(o->res) && !vcm_is_err_or_null(o->phys));
		CHECK(vcm_bind(o->res, o->phys) == 0);
		CHECK(vcm_bind(o->res, o->phys) == -EALREADY);
		CHECK(vcm_bind(o->res, w->shared) == -EADDRINUSE);
		break;
	case K_MAKE_BINDING:
		/* whole pages: the kernel's vcm_make_binding() refused others */
		o->res = vcm_make_binding(vcm, ((size + PAGE - 1) & ~(vcm_size_t)(PAGE - 1)), 0, 0);
		o->phys = vcm_is_err_or_null(o->res) ? NULL : o->res->phys;
		break;
	case K_MAP_SHARED:
		o->phys = w->shared;
		o->res = vcm_map(vcm, w->shared, 0);
		break;
	case K_BIND_SHARED:
		o->phys = w->shared;
		o->res = vcm_reserve(vcm, w->shared->size + (rnd(wk) % 4) * PAGE, 0);
		CHECK(vcm_bind(o->res, w->shared) == 0);
		break;
	case K_CPU:
		/* The CPU fills its own buffer; the PAs must show it. */
		o->res = vcm_make_binding(w->cpu, ((size + PAGE - 1) & ~(vcm_size_t)(PAGE - 1)), 0, 0);
		o->phys = vcm_is_err_or_null(o->res) ? NULL : o->res->phys;
		if (o->phys) {
			unsigned char *p = (unsigned char *)(uintptr_t)o->res->start;
			vcm_size_t i;

			o->seed = (unsigned char)rnd(wk);
			for (i = 0; i < o->phys->size; i++)
				p[i] = byte_at(i, o->seed);
		}
		break;
	default:
		break;
	}
	check_bound(o);
}

static void obj_destroy(struct worker *wk, struct obj *o)
{
	struct world *w = wk->w;

	check_bound(o);
	if (vcm_is_err_or_null(o->res)) {
		o->kind = K_NONE;
		return;
	}
	switch (o->kind) {
	case K_RESERVE_BIND:
		CHECK(vcm_unbind(o->res) == o->phys);
		vcm_unreserve(o->res);
		vcm_free(o->phys);
		break;
	case K_MAKE_BINDING:
		vcm_destroy_binding(o->res);
		break;
	case K_MAP_SHARED:
		vcm_unmap(o->res);
		break;
	case K_BIND_SHARED:
		CHECK(vcm_unbind(o->res) == w->shared);
		vcm_unreserve(o->res);
		break;
	case K_CPU:
		CHECK(phys_holds(w->soc, o->phys, o->seed));
		vcm_destroy_binding(o->res);
		break;
	default:
		break;
	}
	o->kind = K_NONE;
}

/* Activate a context for a while (counted: other threads do too). */
static void toggle_activation(struct worker *wk)
{
	struct vcm *vcm = some_mmu(wk);
	struct obj o = { K_NONE, NULL, NULL, 0 };

	CHECK(vcm_activate(vcm) == 0);
	/* A mapping made while active, read back by the "device". */
	obj_create(wk, &o);
	obj_destroy(wk, &o);
	vcm_deactivate(vcm);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	unsigned i, k;

	for (i = 0; i < iters; i++) {
		struct obj *o = &wk->obj[rnd(wk) % KEEP];

		if (rnd(wk) % 5 == 0)
			toggle_activation(wk);
		else if (o->kind == K_NONE)
			obj_create(wk, o);
		else
			obj_destroy(wk, o);
	}
	for (k = 0; k < KEEP; k++)
		if (wk->obj[k].kind != K_NONE)
			obj_destroy(wk, &wk->obj[k]);
	return NULL;
}

static struct hw_mmu *hw_mmu_new(vcm_addr_t start)
{
	struct hw_mmu *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->mmu.vcm.start = start;
	m->mmu.vcm.size = WIN_SIZE;
	m->mmu.driver = &hw_driver;
	assert_ptr_equal(vcm_mmu_init(&m->mmu), &m->mmu.vcm);
	return m;
}

static void world_init(struct world *w, struct vcm_soc *soc)
{
	unsigned c;

	w->soc = soc;
	for (c = 0; c < NMMU; c++)
		w->mmu[c] = hw_mmu_new(0x10000000ULL * (c + 1));
	w->cpu = vcm_vmm_create(soc);
	assert_false(vcm_is_err_or_null(w->cpu));
	w->shared = vcm_phys_alloc(64 * KIB + 3 * PAGE, 0, orders);
	assert_false(vcm_is_err_or_null(w->shared));
}

static void run_workers(struct world *w, unsigned n)
{
	struct worker wk[NTHREADS];
	unsigned t;

	memset(wk, 0, sizeof(wk));
	for (t = 0; t < n; t++) {
		wk[t].w = w;
		wk[t].rng = 0x9e3779b97f4a7c15ULL * (t + 1);
		assert_int_equal(pthread_create(&wk[t].thread, NULL, worker_main, &wk[t]), 0);
	}
	for (t = 0; t < n; t++)
		assert_int_equal(pthread_join(wk[t].thread, NULL), 0);
}

/* Everything is back: no binding, no mapping, every DVA free. */
static void world_check_and_destroy(struct world *w, vcm_size_t free0)
{
	unsigned c;

	assert_int_equal(atomic_load(&failures), 0);
	assert_int_equal(bindings_of(w->shared), 0);
	assert_int_equal(vcm_soc_free_bytes(w->soc), free0 - w->shared->size);
	for (c = 0; c < NMMU; c++) {
		struct hw_mmu *m = w->mmu[c];
		struct vcm_res *all;

		assert_int_equal(m->mmu.vcm.activations.counter, 0);
		assert_int_equal(m->nlive, 0);
		assert_int_equal(m->errors, 0);
		assert_true(m->maps > 0);
		all = vcm_reserve(&m->mmu.vcm, WIN_SIZE, 0);
		assert_false(vcm_is_err_or_null(all));
		assert_int_equal(all->start, m->mmu.vcm.start);
		vcm_unreserve(all);
		EXPECT_WARNINGS(0, vcm_destroy(&m->mmu.vcm));
	}
	EXPECT_WARNINGS(0, vcm_destroy(w->cpu));
	vcm_free(w->shared);
	assert_int_equal(vcm_soc_free_bytes(w->soc), free0);
}

static void test_threads_mixed(void **state)
{
	struct vcm_soc *soc = *state;
	vcm_size_t free0 = vcm_soc_free_bytes(soc);
	unsigned long warn0 = vcm_warn_count();
	struct world w;

	world_init(&w, soc);
	run_workers(&w, NTHREADS);
	/* No misuse anywhere: not one warning. */
	assert_int_equal(vcm_warn_count() - warn0, 0);
	world_check_and_destroy(&w, free0);
}

/* All threads in one context, always active: every binding hits the hardware. */
struct one_ctx {
	struct vcm *vcm;
	struct vcm_phys *shared;
	uint64_t seed;
};

static void *one_ctx_main(void *arg)
{
	struct one_ctx *c = arg;
	uint64_t s = c->seed;
	unsigned i;

	for (i = 0; i < iters; i++) {
		vcm_size_t size;
		struct vcm_res *res;
		struct vcm_phys *phys;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		size = (1 + s % MAX_NPAGES) * PAGE;
		res = vcm_reserve(c->vcm, size, 0);
		phys = (s >> 32) % 2 ? c->shared : vcm_alloc(c->vcm, size, 0);
		CHECK(!vcm_is_err_or_null(res) && !vcm_is_err_or_null(phys));
		if (vcm_is_err_or_null(res) || vcm_is_err_or_null(phys))
			continue;
		if (phys->size > size) {
			CHECK(vcm_bind(res, phys) == -ENOSPC);
		} else {
			CHECK(vcm_bind(res, phys) == 0);
			CHECK(res->phys == phys);
			CHECK(vcm_unbind(res) == phys);
		}
		vcm_unreserve(res);
		if (phys != c->shared)
			vcm_free(phys);
	}
	return NULL;
}

static void test_threads_one_context(void **state)
{
	struct vcm_soc *soc = *state;
	vcm_size_t free0 = vcm_soc_free_bytes(soc);
	pthread_t th[NTHREADS];
	struct one_ctx ctx[NTHREADS];
	struct hw_mmu *m = hw_mmu_new(0x10000000ULL);
	struct vcm_phys *shared = vcm_phys_alloc(5 * PAGE, 0, orders);
	struct vcm_res *all;
	unsigned t;

	assert_int_equal(vcm_activate(&m->mmu.vcm), 0);
	for (t = 0; t < NTHREADS; t++) {
		ctx[t].vcm = &m->mmu.vcm;
		ctx[t].shared = shared;
		ctx[t].seed = 0x2545f4914f6cdd1dULL * (t + 3);
		assert_int_equal(pthread_create(&th[t], NULL, one_ctx_main, &ctx[t]), 0);
	}
	for (t = 0; t < NTHREADS; t++)
		assert_int_equal(pthread_join(th[t], NULL), 0);
	vcm_deactivate(&m->mmu.vcm);

	assert_int_equal(atomic_load(&failures), 0);
	assert_int_equal(m->errors, 0);
	assert_int_equal(m->nlive, 0);
	assert_true(m->maps >= NTHREADS * iters / 4);
	assert_int_equal(bindings_of(shared), 0);
	all = vcm_reserve(&m->mmu.vcm, WIN_SIZE, 0);
	assert_false(vcm_is_err_or_null(all));
	vcm_unreserve(all);
	EXPECT_WARNINGS(0, vcm_destroy(&m->mmu.vcm));
	vcm_free(shared);
	assert_int_equal(vcm_soc_free_bytes(soc), free0);
}

/* One phys bound and unbound at once in several contexts (several locks). */
#define SHARED_RES	8

struct sharer {
	struct hw_mmu *m;
	struct vcm_phys *shared;
	struct vcm_res *res[SHARED_RES];
};

static void *sharer_main(void *arg)
{
	struct sharer *sh = arg;
	unsigned i, r;

	for (i = 0; i < iters; i++) {
		for (r = 0; r < SHARED_RES; r++)
			CHECK(vcm_bind(sh->res[r], sh->shared) == 0);
		CHECK(bindings_of(sh->shared) >= SHARED_RES);
		for (r = 0; r < SHARED_RES; r++)
			CHECK(vcm_unbind(sh->res[r]) == sh->shared);
	}
	return NULL;
}

static void test_threads_shared_phys(void **state)
{
	struct vcm_soc *soc = *state;
	vcm_size_t free0 = vcm_soc_free_bytes(soc);
	struct vcm_phys *shared = vcm_phys_alloc(3 * PAGE, 0, orders);
	struct sharer sh[NTHREADS];
	pthread_t th[NTHREADS];
	unsigned t, r;

	for (t = 0; t < NTHREADS; t++) {
		sh[t].m = hw_mmu_new(0x10000000ULL * (t + 1));
		sh[t].shared = shared;
		for (r = 0; r < SHARED_RES; r++)
			sh[t].res[r] = vcm_reserve(&sh[t].m->mmu.vcm, 3 * PAGE, 0);
		/* Half of the contexts map every binding in the hardware. */
		if (t % 2)
			assert_int_equal(vcm_activate(&sh[t].m->mmu.vcm), 0);
	}
	for (t = 0; t < NTHREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, sharer_main, &sh[t]), 0);
	for (t = 0; t < NTHREADS; t++)
		assert_int_equal(pthread_join(th[t], NULL), 0);

	assert_int_equal(atomic_load(&failures), 0);
	assert_int_equal(bindings_of(shared), 0);
	for (t = 0; t < NTHREADS; t++) {
		if (t % 2)
			vcm_deactivate(&sh[t].m->mmu.vcm);
		assert_int_equal(sh[t].m->nlive, 0);
		assert_int_equal(sh[t].m->errors, 0);
		for (r = 0; r < SHARED_RES; r++)
			vcm_unreserve(sh[t].res[r]);
		EXPECT_WARNINGS(0, vcm_destroy(&sh[t].m->mmu.vcm));
	}
	vcm_free(shared);
	assert_int_equal(vcm_soc_free_bytes(soc), free0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_one_context, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_threads_shared_phys, soc_setup,
						soc_teardown),
		cmocka_unit_test_setup_teardown(test_threads_mixed, soc_setup, soc_teardown),
	};

	if (getenv("VCM_UNDER_VALGRIND"))
		iters = ITERS / 10;
	return cmocka_run_group_tests(tests, quiet_warnings, default_warnings);
}
