/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_vcm.c - the VCM API: DVA reservations on the allocator workload of
 * PERFORMANCE.md against the SoC page allocator on the same trace (with
 * the host memory they take), the activate_page path of an MMU driver
 * against the plain entry loop, and the scaling of page-table and DMA work
 * over 1, 2 and 4 threads.
 *
 * Reservations are measured in both placements a context can have, each as
 * a ratio to vcm_soc_alloc_pages + vcm_soc_free_pages on the same trace:
 * libvcm's own, the buddy allocator (a vcm_iommu_create() context), and
 * the kernel's first fit (a vcm_mmu_init() context, which since #12 places
 * DVA as Samsung's vcm_mmu did with its gen_pool).  The target of #17
 * (reserve/soc-pages <= 1.1) is about libvcm's reservation path, so its
 * verdict is the buddy placement's; first fit's own target is #12's (at
 * most 1.5x the buddy, bench-placement), and its ratio is printed beside.
 *
 *   build/bench/bench-vcm [rounds]
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vcm/soc.h>
#include <vcm/sysmmu.h>
#include <vcm/vcm-drv.h>
#include <vcm/vcm.h>

#include "bench-trace.h"
#include "registry.h"

#define PROG		"bench-vcm"
#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(1ULL << 30)
#define WINDOW_START	0x10000000ULL
#define SZ_4K		0x1000ULL

static unsigned rounds = 5;

/*
 * Host allocations: this program's malloc/calloc/free count the calls made
 * while counting is on (glibc's own entry points do the work; glibc's free
 * frees what they return).
 */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);

static unsigned long host_allocs;
static int counting;

void *malloc(size_t n)
{
	host_allocs += counting;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	host_allocs += counting;
	return __libc_calloc(n, size);
}

static void keep_min(double *best, double x, unsigned round)
{
	if (!round || x < *best)
		*best = x;
}

static void keep_max(double *best, double x)
{
	if (x > *best)
		*best = x;
}

static size_t heap_in_use(void)
{
	return mallinfo2().uordblks;
}

/* ---- an MMU context whose driver is a page table ---- */

static const unsigned char orders_4k[] = { 0 };
static const unsigned char orders_all[] = { 8, 4, 0 };

struct bench_mmu {
	struct vcm_mmu mmu;
	struct vcm_pgtable *pt;
};

static struct vcm_pgtable *ctx_pt(void *vcm)
{
	return ((struct bench_mmu *)((char *)vcm - offsetof(struct bench_mmu, mmu.vcm)))->pt;
}

static int activate_page(vcm_addr_t vaddr, vcm_addr_t paddr, unsigned order, void *vcm)
{
	return vcm_pgtable_map(ctx_pt(vcm), vaddr, paddr, SZ_4K << order, 0);
}

static int deactivate_page(vcm_addr_t vaddr, vcm_addr_t paddr, unsigned order, void *vcm)
{
	(void)paddr;
	return vcm_pgtable_unmap(ctx_pt(vcm), vaddr, SZ_4K << order) == SZ_4K << order ? 0
											 : -EFAULT;
}

/* The context lives in the benchmark's struct bench_mmu: nothing to free. */
static void cleanup_nop(struct vcm *vcm)
{
	(void)vcm;
}

static const struct vcm_mmu_driver page_driver = {
	.orders = orders_4k,
	.cleanup = cleanup_nop,
	.activate_page = activate_page,
	.deactivate_page = deactivate_page,
};

/* Reservations only: the hardware side does nothing. */
static int activate_nop(struct vcm_res *res, struct vcm_phys *phys)
{
	(void)res;
	(void)phys;
	return 0;
}

static const struct vcm_mmu_driver nop_driver = {
	.orders = orders_all,
	.cleanup = cleanup_nop,
	.activate = activate_nop,
};

static struct vcm *ctx_create(struct bench_mmu *b, struct vcm_soc *soc,
			      const struct vcm_mmu_driver *drv, vcm_size_t size)
{
	struct vcm *vcm;

	memset(b, 0, sizeof(*b));
	b->mmu.vcm.start = WINDOW_START;
	b->mmu.vcm.size = size;
	b->mmu.driver = drv;
	b->pt = vcm_pgtable_create(soc);
	vcm = vcm_mmu_init(&b->mmu);
	if (vcm_is_err(b->pt) || vcm_is_err(vcm))
		bench_die(PROG, "context");
	return vcm;
}

static void ctx_destroy(struct bench_mmu *b)
{
	vcm_destroy(&b->mmu.vcm);
	vcm_pgtable_destroy(b->pt);
}

/*
 * A context of each DVA placement, with a GIB window: the buddy (a
 * vcm_iommu_create() context on its own System MMU, libvcm's placement) or
 * the kernel's first fit (vcm_mmu_init() with a driver doing nothing).
 */
enum placement { PLACE_BUDDY, PLACE_FIRSTFIT, NPLACES };

static const char *const place_name[NPLACES] = {
	"buddy (vcm_iommu_create, libvcm's placement)",
	"first fit (vcm_mmu_init, the kernel's placement)",
};

struct res_ctx {
	struct vcm *vcm;
	struct vcm_sysmmu *sysmmu;	/* PLACE_BUDDY */
	struct bench_mmu b;		/* PLACE_FIRSTFIT */
};

static struct vcm *res_ctx_create(struct res_ctx *c, struct vcm_soc *soc, enum placement p)
{
	if (p == PLACE_FIRSTFIT) {
		c->sysmmu = NULL;
		c->vcm = ctx_create(&c->b, soc, &nop_driver, GIB);
		return c->vcm;
	}
	c->sysmmu = vcm_sysmmu_create(soc, "bench");
	if (vcm_is_err(c->sysmmu))
		bench_die(PROG, "vcm_sysmmu_create");
	c->vcm = vcm_iommu_create(c->sysmmu, WINDOW_START, GIB);
	if (vcm_is_err(c->vcm))
		bench_die(PROG, "vcm_iommu_create");
	return c->vcm;
}

static void res_ctx_destroy(struct res_ctx *c)
{
	if (!c->sysmmu) {
		ctx_destroy(&c->b);
		return;
	}
	vcm_destroy(c->vcm);
	vcm_sysmmu_destroy(c->sysmmu);
}

/* ---- reservations on the allocator workload ---- */

static int res_alloc(void *ctx, unsigned cls, uintptr_t *handle)
{
	struct vcm_res *res = vcm_reserve(ctx, class_bytes(cls), 0);

	*handle = (uintptr_t)res;
	return vcm_is_err(res) ? (int)(intptr_t)res : 0;
}

static void res_free(void *ctx, uintptr_t handle, unsigned cls)
{
	(void)ctx;
	(void)cls;
	vcm_unreserve((struct vcm_res *)handle);
}

static int soc_alloc(void *ctx, unsigned cls, uintptr_t *handle)
{
	vcm_addr_t pa;
	int ret = vcm_soc_alloc_pages(ctx, class_order[cls], &pa);

	*handle = pa;
	return ret;
}

static void soc_free(void *ctx, uintptr_t handle, unsigned cls)
{
	vcm_soc_free_pages(ctx, handle, class_order[cls]);
}

static const struct allocator res_ops = { "vcm_reserve", res_alloc, res_free };
static const struct allocator soc_ops = { "vcm_soc", soc_alloc, soc_free };

/*
 * Host bytes per live reservation, every byte that a fresh context takes
 * for them:
 * - the heap (mallinfo2's uordblks: malloc()ed blocks with their headers:
 *   list nodes, the pools' chunks of a context without a handle pool, the
 *   handle pools' extra words);
 * - the chunks of the handle pools (base/pool.h), which are mmap()ed pages
 *   that uordblks does not see: vcm_hpool_bytes(), exact;
 * - the handle registry's table share (internal, base/registry.h), which
 *   uordblks does not see either (it grows by doubling, was sized by the
 *   earlier replays and, being large, is mmap()ed): the table's bytes per
 *   entry times the entries the reservations added (one per reservation
 *   that has an entry of its own, one per chunk of a handle pool); the
 *   tables it replaced are kept until the process exits (shown apart).
 * Host allocations per timed op.
 */
struct res_memory {
	double heap_per_res;
	double pool_per_res;		/* handle pools' chunks */
	double registry_per_res;	/* the current table's share */
	double registry_old_per_res;	/* the replaced tables' share */
	unsigned long allocs;
};

static double registry_table_bytes(const struct vcm_reg_table *t)
{
#ifdef VCM_REG_CREATOR_SHIFT
	return (double)vcm_reg_table_bytes(t);
#else	/* a tree before the creators moved into the slots (bench/compare.sh) */
	return sizeof(*t) + (double)(t->mask + 1) * (sizeof(t->slots[0]) + sizeof(t->cold[0]));
#endif
}

#ifdef VCM_HPOOL_CHUNK_SHIFT
/* Entries in the registry's table, and the host bytes of the handle pools. */
static double reg_entries(void)
{
	return (double)vcm_reg_entries();
}

static size_t pool_bytes(void)
{
	return vcm_hpool_bytes();
}
#else	/* a tree before handle pools (bench/compare.sh): an entry per handle */
static double reg_entries(void)
{
	return (double)vcm_reg_count(VCM_KIND_NONE);
}

static size_t pool_bytes(void)
{
	return 0;
}
#endif

/* The table's share of @added entries, per one of @nres reservations. */
static void registry_share(struct res_memory *m, double added, uint32_t nres)
{
	const struct vcm_reg_table *t = atomic_load(&vcm_reg_table), *old;
	double per_res = added / reg_entries() / nres;

	m->registry_per_res = registry_table_bytes(t) * per_res;
	m->registry_old_per_res = 0;
	for (old = t->older; old; old = old->older)
		m->registry_old_per_res += registry_table_bytes(old) * per_res;
}

/* Every host byte per live reservation (the replaced tables apart). */
static double res_bytes(const struct res_memory *m)
{
	return m->heap_per_res + m->pool_per_res + m->registry_per_res;
}

static int mem_alloc(void *ctx, unsigned cls, uintptr_t *handle)
{
	return res_alloc(ctx, cls, handle);
}

/* Host allocations during one replay (the harness's own included). */
static unsigned long count_allocs(const struct trace *t, const struct allocator *a, void *ctx)
{
	counting = 1;
	host_allocs = 0;
	replay(t, a, ctx);
	counting = 0;
	return host_allocs;
}

/*
 * Host memory: the heap a fresh context of placement @p takes for the
 * prefill (512 MiB in reservations), per reservation.  Host allocations:
 * those of one replay on @vcm after a warm-up replay (the steady state).
 */
static void res_memory(const struct trace *t, struct vcm_soc *soc, enum placement p,
		       struct vcm *vcm, struct res_memory *m)
{
	uintptr_t *live = xmalloc(t->nprefill * sizeof(*live));
	struct res_ctx fresh;
	struct vcm *f = res_ctx_create(&fresh, soc, p);
	size_t heap0 = heap_in_use(), pool0 = pool_bytes();
	double entries0 = reg_entries();
	uint32_t i;

	for (i = 0; i < t->nprefill; i++)
		if (mem_alloc(f, t->prefill[i], &live[i]))
			bench_die(PROG, "vcm_reserve");
	m->heap_per_res = (double)(heap_in_use() - heap0) / t->nprefill;
	m->pool_per_res = (double)(pool_bytes() - pool0) / t->nprefill;
	registry_share(m, reg_entries() - entries0, t->nprefill);
	for (i = t->nprefill; i--;)
		res_free(f, live[i], 0);
	res_ctx_destroy(&fresh);
	free(live);

	replay(t, &res_ops, vcm);
	m->allocs = count_allocs(t, &res_ops, vcm) - count_allocs(t, &soc_ops, soc);
}

static void bench_reserve(struct vcm_soc *soc)
{
	double t_res[NPLACES] = { 0 }, t_soc = 0;
	struct res_memory mem[NPLACES];
	struct res_ctx c[NPLACES];
	struct trace t;
	unsigned i, p;

	trace_make(&t);
	for (p = 0; p < NPLACES; p++)
		res_ctx_create(&c[p], soc, p);
	for (i = 0; i < rounds; i++) {
		keep_min(&t_soc, replay(&t, &soc_ops, soc) / PAIRS, i);
		for (p = 0; p < NPLACES; p++)
			keep_min(&t_res[p], replay(&t, &res_ops, c[p].vcm) / PAIRS, i);
	}
	for (p = 0; p < NPLACES; p++)
		res_memory(&t, soc, p, c[p].vcm, &mem[p]);
	printf("DVA reservations: the allocator workload (1 GiB window / bank), best of %u\n",
	       rounds);
	printf("  vcm_soc_alloc_pages + vcm_soc_free_pages: %7.1f ns/pair\n", t_soc);
	for (p = 0; p < NPLACES; p++) {
		printf("  vcm_reserve + vcm_unreserve, %s:\n", place_name[p]);
		printf("    %7.1f ns/pair  %5.2fx the SoC page allocator%s\n", t_res[p],
		       t_res[p] / t_soc, p == PLACE_BUDDY ? "  [start of round: 1.6-1.8x]" : "");
		printf("    host memory per live reservation (fresh context, 512 MiB reserved): "
		       "%.1f bytes = %.1f heap + %.1f handle pool chunks + %.1f the registry "
		       "table's share (the tables it replaced, kept: %.1f more)\n",
		       res_bytes(&mem[p]), mem[p].heap_per_res, mem[p].pool_per_res,
		       mem[p].registry_per_res, mem[p].registry_old_per_res);
		printf("    host allocations in %u ops after a warm-up replay: %lu (beyond those "
		       "of the same replay on the SoC page allocator)\n",
		       TIMED_OPS + t.nprefill, mem[p].allocs);
	}
	printf("  first fit / buddy: %.2fx (whole paths; the buddy's contexts cache given-back "
	       "DVA, first fit's cannot; #12's target, <= 1.5, is bench-placement's)\n",
	       t_res[PLACE_FIRSTFIT] / t_res[PLACE_BUDDY]);
	printf("  (the verdicts below are the buddy placement's: #17's target is libvcm's "
	       "reservation path)\n");
	bench_target("reserve/soc-pages", t_res[PLACE_BUDDY] / t_soc, 1, 1.1,
		     "vcm_reserve + vcm_unreserve (buddy, vcm_iommu_create) / "
		     "vcm_soc_alloc_pages + free_pages");
	bench_target("reserve-heap-bytes", res_bytes(&mem[PLACE_BUDDY]), 1, 64,
		     "host bytes per live reservation, buddy, pool chunks and registry share "
		     "included (absolute)");
	bench_target("reserve-mallocs",
		     (double)(mem[PLACE_BUDDY].allocs > mem[PLACE_FIRSTFIT].allocs
				      ? mem[PLACE_BUDDY].allocs : mem[PLACE_FIRSTFIT].allocs),
		     1, 0, "host allocations in the steady state, both placements (absolute)");
	for (p = 0; p < NPLACES; p++)
		res_ctx_destroy(&c[p]);
	trace_free(&t);
}

/* ---- the activate_page path ---- */

#define ACT_SIZE	(256ULL << 20)
#define ACT_PAGES	(ACT_SIZE / SZ_4K)

#if defined(__clang__)
#define VECTORISED
#else
#define VECTORISED __attribute__((optimize("O3")))
#endif

/* The plain loop of PERFORMANCE.md (as in bench-sysmmu). */
__attribute__((noinline)) VECTORISED static void plain_loop(uint32_t *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		t[i] = i << 12 | 2;
	bench_barrier(t);
	for (unsigned i = 0; i < n; i++)
		t[i] = 0;
	bench_barrier(t);
}

static void bench_activate(struct vcm_soc *soc)
{
	double t_act = 0, t_plain = 0;
	uint32_t *plain = calloc(ACT_PAGES, sizeof(*plain));
	struct bench_mmu b;
	struct vcm *vcm = ctx_create(&b, soc, &page_driver, 2 * ACT_SIZE);
	struct vcm_phys *phys = vcm_alloc(vcm, ACT_SIZE, 0);
	struct vcm_res *res;
	unsigned i;

	if (vcm_is_err(phys))
		bench_die(PROG, "vcm_alloc");
	res = vcm_map(vcm, phys, 0);
	if (vcm_is_err(res) || !plain)
		bench_die(PROG, "vcm_alloc/vcm_map");
	for (i = 0; i < rounds; i++) {
		double t0 = bench_now_ns(), t1;

		if (vcm_activate(vcm))
			bench_die(PROG, "vcm_activate");
		vcm_deactivate(vcm);
		t1 = bench_now_ns();
		plain_loop(plain, ACT_PAGES);
		keep_min(&t_act, t1 - t0, i);
		keep_min(&t_plain, bench_now_ns() - t1, i);
	}
	printf("\nThe activate_page path: vcm_activate + vcm_deactivate of 256 MiB bound in "
	       "4 KiB pages (driver: one vcm_pgtable_map/unmap per page), best of %u\n", rounds);
	printf("  %.2f ns/page, %.1fx the plain loop\n", t_act / ACT_PAGES, t_act / t_plain);
	bench_target("activate-page-4K", t_act / t_plain, 1, 60,
		     "vcm_activate + vcm_deactivate per 4K page / plain loop");
	vcm_unmap(res);
	vcm_free(phys);
	ctx_destroy(&b);
	free(plain);
}

/* ---- scaling ---- */

#define SCALE_MAP_SIZE	(16ULL << 20)		/* per thread, per pass */
#define SCALE_MAP_PASSES 64
#define SCALE_DMA_SIZE	(256ULL << 10)		/* cache-resident: the model, not DRAM */
#define SCALE_DMA_ORDER	6
#define SCALE_DMA_PASSES 2048
#define MAX_THREADS	4

struct worker {
	pthread_t thread;
	struct vcm_soc *soc;
	int dma;
	double ns;
};

static pthread_barrier_t start_line;

static void map_work(struct vcm_soc *soc)
{
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);
	uint64_t i, pass;

	if (vcm_is_err(pt))
		bench_die(PROG, "pgtable");
	for (pass = 0; pass < SCALE_MAP_PASSES; pass++) {
		for (i = 0; i < SCALE_MAP_SIZE; i += SZ_4K)
			if (vcm_pgtable_map(pt, WINDOW_START + i, RAM_BASE + i, SZ_4K, 0))
				bench_die(PROG, "map");
		for (i = 0; i < SCALE_MAP_SIZE; i += SZ_4K)
			vcm_pgtable_unmap(pt, WINDOW_START + i, SZ_4K);
	}
	vcm_pgtable_destroy(pt);
}

static void dma_work(struct vcm_soc *soc)
{
	struct vcm_pgtable *pt = vcm_pgtable_create(soc);
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(soc, "bench");
	vcm_addr_t src = 0, dst = 0;
	unsigned pass;

	if (vcm_is_err(pt) || vcm_is_err(mmu) ||
	    vcm_soc_alloc_pages(soc, SCALE_DMA_ORDER, &src) ||
	    vcm_soc_alloc_pages(soc, SCALE_DMA_ORDER, &dst) ||
	    vcm_pgtable_map(pt, 0x10001000, src, SCALE_DMA_SIZE, 0) ||
	    vcm_pgtable_map(pt, 0x20001000, dst, SCALE_DMA_SIZE, 0))
		bench_die(PROG, "DMA setup");
	vcm_sysmmu_set_pgtable_base(mmu, vcm_pgtable_base(pt));
	vcm_sysmmu_enable(mmu);
	for (pass = 0; pass < SCALE_DMA_PASSES; pass++)
		if (vcm_dma_copy(mmu, 0x20001000, mmu, 0x10001000, SCALE_DMA_SIZE))
			bench_die(PROG, "vcm_dma_copy");
	vcm_sysmmu_destroy(mmu);
	vcm_pgtable_destroy(pt);
	vcm_soc_free_pages(soc, src, SCALE_DMA_ORDER);
	vcm_soc_free_pages(soc, dst, SCALE_DMA_ORDER);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	double t0;

	pthread_barrier_wait(&start_line);
	t0 = bench_now_ns();
	if (w->dma)
		dma_work(w->soc);
	else
		map_work(w->soc);
	w->ns = bench_now_ns() - t0;
	return NULL;
}

/* Throughput of @n threads doing the same work each: work units per second. */
static double run_threads(struct vcm_soc *soc, unsigned n, int dma)
{
	struct worker w[MAX_THREADS];
	double slowest = 0;
	unsigned i;

	pthread_barrier_init(&start_line, NULL, n);
	for (i = 0; i < n; i++) {
		w[i] = (struct worker){ .soc = soc, .dma = dma };
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			bench_die(PROG, "pthread_create");
	}
	for (i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].ns > slowest)
			slowest = w[i].ns;
	}
	pthread_barrier_destroy(&start_line);
	return n / slowest;
}

static void bench_scaling(struct vcm_soc *soc)
{
	static const unsigned threads[] = { 1, 2, 4 };
	static const char *const what[] = { "map+unmap, one page table each",
					    "DMA, one System MMU each" };
	double x[2][3] = { { 0 } };
	unsigned r, k, i;

	for (r = 0; r < rounds; r++)
		for (k = 0; k < 2; k++)
			for (i = 0; i < 3; i++)
				keep_max(&x[k][i], run_threads(soc, threads[i], k));
	printf("\nScaling: best throughput of 1, 2 and 4 threads / 1 thread, best of %u "
	       "(%ld cores; other load on the machine shows here first)\n", rounds,
	       sysconf(_SC_NPROCESSORS_ONLN));
	for (k = 0; k < 2; k++) {
		printf("  %-34s", what[k]);
		for (i = 0; i < 3; i++)
			printf("  %u: %4.2fx", threads[i], x[k][i] / x[k][0]);
		printf("\n");
	}
	bench_target("scaling-map-2T", x[0][1] / x[0][0], 0, 1.7,
		     "2 threads mapping in 2 page tables / 1 thread (throughput)");
	bench_target("scaling-dma-2T", x[1][1] / x[1][0], 0, 1.8,
		     "2 devices' DMA through their own System MMUs / 1 (throughput)");
}

int main(int argc, char **argv)
{
	struct vcm_soc *soc = vcm_soc_create();

	if (argc > 1 && atoi(argv[1]) > 0)
		rounds = (unsigned)atoi(argv[1]);
	if (vcm_is_err(soc) || vcm_soc_add_ram(soc, RAM_BASE, RAM_SIZE))
		bench_die(PROG, "SoC");
	vcm_soc_set_current(soc);
	bench_header(PROG, "reservations, the activate_page path, scaling (1 GiB SoC RAM)");
	bench_reserve(soc);
	bench_activate(soc);
	bench_scaling(soc);
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(soc);
	return 0;
}
