/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_record.c - what the call recorder (VCM_TRACE) costs, side by side
 * in one run: the same loops of public calls timed
 *
 *   compiled out  in bench-record-base, this program on the library built
 *                 with the recorder compiled out (VCM_NO_RECORDER, base/
 *                 trace.h; optimised builds build it),
 *   off           here, on the library as shipped, VCM_TRACE unset,
 *   on            in a child of this program started with VCM_TRACE naming
 *                 a file (in $TMPDIR, default /tmp; /dev/shm when it
 *                 exists).
 *
 * The three run in turn, ROUNDS times, so that they see the same machine
 * load; each figure is the best of its runs.  Recording off should cost
 * nothing: the TARGET line is the worst ratio off / compiled out.
 *
 *   build/bench/bench-record [calls]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vcm.h>

#include "bench-report.h"

#define PROG		"bench-record"
#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(128ULL << 20)
#define SZ_4K		0x1000ULL
#define XLATE_DVA	0x10000000ULL	/* 64 MiB of small pages, on RAM */
#define XLATE_PAGES	16384U
#define HOT_PAGES	32U		/* fit the TLB */
#define MANY_DVA	0x20000000ULL	/* 256 MiB in one call */
#define MANY_PAGES	65536U
#define PAGE_DVA	0x30000000ULL	/* up to 256 MiB, one page per call */
#define PAGE_MAX	65536U
#define MAP_PA		0x80000000ULL	/* need not be RAM for the table */
#define WIN		0x50000000ULL	/* the context of the reservations */
#define ROUNDS		5		/* compiled out / off / on, in turn */
#define REPS		3		/* each loop, in each run */
#define ON_FRACTION	64		/* recording on: fewer calls (the trace) */
/* Timings of a millisecond or more: pages per call of the one-page loop,
 * and the one-call loop's repeats, in proportion to the calls. */
#define PAGES_OF(calls)	((calls) / 16 < PAGE_MAX ? (unsigned)((calls) / 16) : PAGE_MAX)
#define MANY_REPS(calls) ((unsigned)((calls) >> 14) ? (unsigned)((calls) >> 14) : 1U)

/* The loops, each per call (or per page, per pair: as named). */
enum { F_HIT, F_WALK, F_PAGE, F_MANY, F_RESERVE, NR_FIGS };

static const char *const fig_name[NR_FIGS] = {
	"vcm_sysmmu_translate, TLB hit",
	"vcm_pgtable_dva_to_phys (walk)",
	"map + unmap, 1 page per call (/page)",
	"map + unmap, 65536 pages (/page)",
	"vcm_reserve + vcm_unreserve (/pair)",
};

/* Public calls per unit of each figure (the recorded lines). */
static const double fig_calls[NR_FIGS] = { 1, 1, 2, 2.0 / MANY_PAGES, 2 };

struct figures {
	double ns[NR_FIGS];
};

struct rig {
	struct vcm_soc *soc;
	struct vcm_pgtable *pt;
	struct vcm_sysmmu *mmu, *ctx_mmu;
	struct vcm *vcm;
	uint32_t *dva;		/* random DVAs of the small pages */
	unsigned long calls;
};

static void rig_init(struct rig *g, unsigned long calls)
{
	uint64_t s = 0x5eed;
	unsigned long i;

	g->calls = calls;
	g->soc = vcm_soc_create();
	if (vcm_is_err(g->soc) || vcm_soc_add_ram(g->soc, RAM_BASE, RAM_SIZE))
		bench_die(PROG, "the SoC");
	vcm_soc_set_current(g->soc);
	g->pt = vcm_pgtable_create(g->soc);
	g->mmu = vcm_sysmmu_create(g->soc, "bench");
	g->ctx_mmu = vcm_sysmmu_create(g->soc, "bench-ctx");
	g->dva = malloc(calls * sizeof(*g->dva));
	if (vcm_is_err(g->pt) || vcm_is_err(g->mmu) || vcm_is_err(g->ctx_mmu) || !g->dva ||
	    vcm_pgtable_map(g->pt, XLATE_DVA, RAM_BASE + SZ_4K, XLATE_PAGES * SZ_4K, 0))
		bench_die(PROG, "the table");
	vcm_sysmmu_set_pgtable_base(g->mmu, vcm_pgtable_base(g->pt));
	vcm_sysmmu_enable(g->mmu);
	g->vcm = vcm_iommu_create(g->ctx_mmu, WIN, 16 << 20);
	if (vcm_is_err(g->vcm))
		bench_die(PROG, "the context");
	for (i = 0; i < calls; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		g->dva[i] = (uint32_t)(XLATE_DVA + ((s >> 33) % XLATE_PAGES) * SZ_4K + (i & 0xFFF));
	}
}

static void rig_release(struct rig *g)
{
	vcm_destroy(g->vcm);
	vcm_sysmmu_destroy(g->ctx_mmu);
	vcm_sysmmu_destroy(g->mmu);
	vcm_pgtable_destroy(g->pt);
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(g->soc);
	free(g->dva);
}

static double time_hit(struct rig *g)
{
	double t0 = bench_now_ns();
	uint64_t sum = 0;
	vcm_addr_t pa;
	unsigned long i;

	for (i = 0; i < g->calls; i++) {
		if (vcm_sysmmu_translate(g->mmu, XLATE_DVA + (i % HOT_PAGES) * SZ_4K + 8,
					 VCM_ACCESS_READ, &pa))
			bench_die(PROG, "translate");
		sum += pa;
	}
	bench_barrier(&sum);
	return (bench_now_ns() - t0) / g->calls;
}

static double time_walk(struct rig *g)
{
	double t0 = bench_now_ns();
	uint64_t sum = 0;
	vcm_addr_t pa;
	unsigned long i;

	for (i = 0; i < g->calls; i++) {
		if (vcm_pgtable_dva_to_phys(g->pt, g->dva[i], &pa))
			bench_die(PROG, "dva_to_phys");
		sum += pa;
	}
	bench_barrier(&sum);
	return (bench_now_ns() - t0) / g->calls;
}

static double time_page(struct rig *g)
{
	double t0 = bench_now_ns();
	uint64_t i;

	uint64_t n = PAGES_OF(g->calls);

	for (i = 0; i < n; i++)
		if (vcm_pgtable_map(g->pt, PAGE_DVA + i * SZ_4K, MAP_PA + i * SZ_4K, SZ_4K, 0))
			bench_die(PROG, "map page");
	for (i = 0; i < n; i++)
		if (vcm_pgtable_unmap(g->pt, PAGE_DVA + i * SZ_4K, SZ_4K) != SZ_4K)
			bench_die(PROG, "unmap page");
	return (bench_now_ns() - t0) / n;
}

static double time_many(struct rig *g)
{
	double t0 = bench_now_ns();
	unsigned r, n = MANY_REPS(g->calls);

	for (r = 0; r < n; r++)
		if (vcm_pgtable_map(g->pt, MANY_DVA, MAP_PA + SZ_4K, MANY_PAGES * SZ_4K, 0) ||
		    vcm_pgtable_unmap(g->pt, MANY_DVA, MANY_PAGES * SZ_4K) != MANY_PAGES * SZ_4K)
			bench_die(PROG, "map many");
	return (bench_now_ns() - t0) / ((double)n * MANY_PAGES);
}

static double time_reserve(struct rig *g)
{
	double t0 = bench_now_ns();
	unsigned long i;

	for (i = 0; i < g->calls / 2; i++)
		vcm_unreserve(vcm_reserve(g->vcm, 0x1000, 0));
	return (bench_now_ns() - t0) / (g->calls / 2);
}

static double (*const timer[NR_FIGS])(struct rig *) = {
	time_hit, time_walk, time_page, time_many, time_reserve,
};

/* One run: each loop REPS times (the first warms), the best of each. */
static void measure(unsigned long calls, struct figures *best)
{
	struct rig g;
	unsigned r, f;

	rig_init(&g, calls);
	for (r = 0; r < REPS; r++)
		for (f = 0; f < NR_FIGS; f++) {
			double ns = timer[f](&g);

			if (!r || ns < best->ns[f])
				best->ns[f] = ns;
		}
	rig_release(&g);
}

/* The figures of a run of @prog (VCM_TRACE=@trace when not NULL). */
static void run_child(const char *prog, const char *calls, const char *trace,
		      struct figures *fig)
{
	char fdbuf[16];
	int status, p[2];
	pid_t pid;

	if (pipe(p))
		bench_die(PROG, "pipe");
	fflush(NULL);
	pid = fork();
	if (!pid) {
		close(p[0]);
		snprintf(fdbuf, sizeof(fdbuf), "%d", p[1]);
		setenv("BENCH_RECORD_FD", fdbuf, 1);
		if (trace)
			setenv("VCM_TRACE", trace, 1);
		else
			unsetenv("VCM_TRACE");
		execl(prog, prog, calls, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], fig, sizeof(*fig)) != sizeof(*fig) ||
	    waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		bench_die(PROG, prog);
	close(p[0]);
}

static void trace_path(char *buf, size_t len)
{
	struct stat st;
	const char *dir = getenv("TMPDIR");

	if (!dir)
		dir = stat("/dev/shm", &st) ? "/tmp" : "/dev/shm";
	snprintf(buf, len, "%s/bench-record-%ld.trace", dir, (long)getpid());
}

/* This program's path in @self, bench-record-base's beside it in @base
 * ("" when it was not built). */
static void paths(char *self, char *base, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", self, len - sizeof("-base"));

	if (n <= 0)
		bench_die(PROG, "/proc/self/exe");
	self[n] = '\0';
	memcpy(base, self, (size_t)n);
	memcpy(base + n, "-base", sizeof("-base"));
	if (access(base, X_OK))
		base[0] = '\0';
}

static void keep_best(struct figures *best, const struct figures *f, unsigned round)
{
	unsigned i;

	for (i = 0; i < NR_FIGS; i++)
		if (!round || f->ns[i] < best->ns[i])
			best->ns[i] = f->ns[i];
}

static void print(const struct figures *out, const struct figures *off,
		  const struct figures *on, int have_base)
{
	double worst = 0;
	unsigned i;

	printf("%-38s %9s %9s %7s %9s %10s\n", "ns", "compiled", "off", "off/", "on",
	       "recording");
	printf("%-38s %9s %9s %7s %9s %10s\n", "", "out", "", "out", "", "/call");
	for (i = 0; i < NR_FIGS; i++) {
		double ratio = have_base ? off->ns[i] / out->ns[i] : 0;

		if (ratio > worst)
			worst = ratio;
		if (have_base)
			printf("%-38s %9.2f %9.2f %7.3f", fig_name[i], out->ns[i], off->ns[i],
			       ratio);
		else
			printf("%-38s %9s %9.2f %7s", fig_name[i], "-", off->ns[i], "-");
		printf(" %9.2f %10.0f\n", on->ns[i], (on->ns[i] - off->ns[i]) / fig_calls[i]);
	}
	if (!have_base) {
		printf("(compiled out: bench-record-base is built by optimised builds only)\n");
		return;
	}
	bench_target("record-off", worst, 1, 1.03,
		     "recording off / recorder compiled out, the worst of the figures");
}

int main(int argc, char **argv)
{
	unsigned long calls = argc > 1 ? strtoul(argv[1], NULL, 0) : 1UL << 20;
	const char *fdenv = getenv("BENCH_RECORD_FD");
	struct figures out = { { 0 } }, off = { { 0 } }, on = { { 0 } }, f;
	char trace[256], callbuf[32], onbuf[32], base[4096], self[4096];
	unsigned r;

	if (calls < 2 * ON_FRACTION)
		calls = 2 * ON_FRACTION;
	if (fdenv) {		/* a run for the parent: its figures to the pipe */
		measure(calls, &f);
		return write(atoi(fdenv), &f, sizeof(f)) != sizeof(f);
	}
#ifdef BENCH_RECORD_BASE
	fprintf(stderr, "bench-record-base: run by bench-record\n");
	return 2;
#endif
	bench_header(PROG, "what the call recorder (VCM_TRACE) costs per call");
	paths(self, base, sizeof(self));
	trace_path(trace, sizeof(trace));
	snprintf(callbuf, sizeof(callbuf), "%lu", calls);
	snprintf(onbuf, sizeof(onbuf), "%lu", calls / ON_FRACTION);
	for (r = 0; r < ROUNDS; r++) {
		if (base[0]) {
			run_child(base, callbuf, NULL, &f);
			keep_best(&out, &f, r);
		}
		measure(calls, &f);
		keep_best(&off, &f, r);
		run_child(self, onbuf, trace, &f);
		keep_best(&on, &f, r);
		unlink(trace);
	}
	printf("%lu calls per loop (%lu recording; %u pages in the one call), best of %d runs "
	       "each, in turn; the trace in %s\n\n", calls, calls / ON_FRACTION, MANY_PAGES,
	       ROUNDS * REPS, trace);
	print(&out, &off, &on, base[0] != '\0');
	return 0;
}
