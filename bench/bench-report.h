/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-report.h - what every benchmark prints so that a figure pasted into
 * an issue says where it comes from: the machine (CPU model, cores), the
 * build type and the commit; and one verdict line per target.
 *
 * A verdict line has a fixed form that bench/compare.sh reads back:
 *   TARGET <key> <ratio> <op> <limit> PASS|MISS <what it compares>
 * where <ratio> is the measured figure divided by its reference, both
 * measured in the same run.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-commit.h"	/* BENCH_COMMIT */

#ifndef BENCH_BUILDTYPE
#define BENCH_BUILDTYPE "unknown"
#endif

static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Keep the compiler from dropping or merging work on @p. */
static inline void bench_barrier(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static inline void bench_cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon += 2;
		colon[strcspn(colon, "\n")] = 0;
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

/* The header: program, machine, build type, commit. */
static inline void bench_header(const char *prog, const char *what)
{
	char cpu[128];

	bench_cpu_model(cpu, sizeof(cpu));
	printf("%s: %s\n", prog, what);
	printf("machine: %s, %ld cores online; build: %s; commit: %s\n\n", cpu,
	       sysconf(_SC_NPROCESSORS_ONLN), BENCH_BUILDTYPE, BENCH_COMMIT);
}

/*
 * One verdict: @ratio (figure / reference, same run) must be <= @limit
 * (@at_most) or >= @limit.
 */
static inline void bench_target(const char *key, double ratio, int at_most, double limit,
				const char *what)
{
	int pass = at_most ? ratio <= limit : ratio >= limit;

	printf("TARGET %-22s %8.2f %s %6.2f %s  %s\n", key, ratio, at_most ? "<=" : ">=",
	       limit, pass ? "PASS" : "MISS", what);
}

static inline void bench_die(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s failed\n", prog, what);
	exit(1);
}

/* Median of @n doubles (sorts @v). */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static inline double bench_median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif /* BENCH_REPORT_H */
