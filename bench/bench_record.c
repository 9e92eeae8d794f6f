/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_record.c - what recording (VCM_TRACE) costs per call: the same
 * loop of public calls (vcm_reserve + vcm_unreserve on a System MMU
 * context, and vcm_sysmmu_translate of a mapped DVA) timed in this process
 * with recording off, then in a child of the same program started with
 * VCM_TRACE naming a file (in $TMPDIR, default /tmp; /dev/shm when it
 * exists), side by side.  Recording off costing nothing is shown by
 * bench/compare.sh (bench-sysmmu, bench-vcm before and after the hooks).
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
#define RAM_SIZE	(64ULL << 20)
#define WIN		0x20000000ULL
#define ROUNDS		5

struct figures {
	double reserve_ns;	/* per reserve + unreserve pair */
	double translate_ns;	/* per translate */
};

static void measure(unsigned long calls, struct figures *best)
{
	struct vcm_soc *soc = vcm_soc_create();
	struct vcm_sysmmu *mmu;
	struct vcm_res *res;
	struct vcm *vcm;
	vcm_addr_t pa;
	unsigned r;

	if (vcm_is_err(soc) || vcm_soc_add_ram(soc, RAM_BASE, RAM_SIZE))
		bench_die(PROG, "the SoC");
	vcm_soc_set_current(soc);
	mmu = vcm_sysmmu_create(soc, "bench");
	vcm = vcm_iommu_create(mmu, WIN, 16 << 20);
	res = vcm_make_binding(vcm, 0x10000, 0, 0);
	if (vcm_is_err(vcm) || vcm_is_err(res) || vcm_activate(vcm))
		bench_die(PROG, "the context");
	for (r = 0; r < ROUNDS; r++) {
		double t0 = bench_now_ns(), t1;
		unsigned long i;

		for (i = 0; i < calls / 2; i++)
			vcm_unreserve(vcm_reserve(vcm, 0x1000, 0));
		t1 = bench_now_ns();
		for (i = 0; i < calls; i++)
			vcm_sysmmu_translate(mmu, res->start + (i & 0xF000), VCM_ACCESS_READ, &pa);
		if (!r || (t1 - t0) / (calls / 2) < best->reserve_ns)
			best->reserve_ns = (t1 - t0) / (calls / 2);
		if (!r || (bench_now_ns() - t1) / calls < best->translate_ns)
			best->translate_ns = (bench_now_ns() - t1) / calls;
	}
	vcm_deactivate(vcm);
	vcm_destroy_binding(res);
	vcm_destroy(vcm);
	vcm_sysmmu_destroy(mmu);
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(soc);
}

/* The child: record to @trace, measure, write the figures to @fd. */
static void child(const char *self, const char *calls, const char *trace, int fd)
{
	char fdbuf[16];

	snprintf(fdbuf, sizeof(fdbuf), "%d", fd);
	setenv("VCM_TRACE", trace, 1);
	setenv("BENCH_RECORD_FD", fdbuf, 1);
	execl(self, self, calls, (char *)NULL);
	_exit(127);
}

static void trace_path(char *buf, size_t len)
{
	struct stat st;
	const char *dir = getenv("TMPDIR");

	if (!dir)
		dir = stat("/dev/shm", &st) ? "/tmp" : "/dev/shm";
	snprintf(buf, len, "%s/bench-record-%ld.trace", dir, (long)getpid());
}

int main(int argc, char **argv)
{
	unsigned long calls = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	const char *fdenv = getenv("BENCH_RECORD_FD");
	struct figures off = { 0 }, on = { 0 };
	char trace[256], callbuf[32];
	struct stat st;
	int status, p[2];
	pid_t pid;

	if (fdenv) {		/* the recording child */
		measure(calls, &on);
		if (write(atoi(fdenv), &on, sizeof(on)) != sizeof(on))
			return 1;
		return 0;
	}
	bench_header(PROG, "the cost per call of recording (VCM_TRACE)");
	measure(calls, &off);
	trace_path(trace, sizeof(trace));
	snprintf(callbuf, sizeof(callbuf), "%lu", calls);
	if (pipe(p))
		bench_die(PROG, "pipe");
	fflush(NULL);
	pid = fork();
	if (!pid) {
		close(p[0]);
		child(argv[0], callbuf, trace, p[1]);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &on, sizeof(on)) != sizeof(on) || waitpid(pid, &status, 0) < 0 ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		bench_die(PROG, "the recording run");
	close(p[0]);
	if (stat(trace, &st))
		st.st_size = 0;
	unlink(trace);
	printf("%lu calls of each kind, best of %d rounds; the trace: %s (%.1f MB)\n\n", calls,
	       ROUNDS, trace, st.st_size / 1e6);
	printf("%-36s %12s %12s %12s\n", "call", "off ns", "on ns", "cost ns");
	printf("%-36s %12.1f %12.1f %12.1f\n", "vcm_reserve + vcm_unreserve (a pair)",
	       off.reserve_ns, on.reserve_ns, on.reserve_ns - off.reserve_ns);
	printf("%-36s %12.1f %12.1f %12.1f\n", "vcm_sysmmu_translate (TLB hit)", off.translate_ns,
	       on.translate_ns, on.translate_ns - off.translate_ns);
	printf("recording costs %.0f ns per recorded call (a line of about 100 bytes)\n",
	       (on.reserve_ns - off.reserve_ns) / 2);
	return 0;
}
