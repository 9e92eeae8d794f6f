/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vcm-replay - run a trace a program recorded with VCM_TRACE=FILE again,
 * check every result, report the first call whose result differs, and
 * shrink a trace that shows a problem (see vcm-replay(1)).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vcm-replay [-v] TRACE\n"
		"       vcm-replay --shrink OUT [-v] TRACE\n"
		"Run a libvcm call trace (recorded with VCM_TRACE=FILE) in this process\n"
		"and check every call's results against the recorded ones.\n"
		"  --shrink OUT   write to OUT a short trace that still shows the\n"
		"                 divergence, or the warning or fault the trace ends in\n"
		"  -v, --verbose  print each call as it is replayed, and its warnings\n"
		"  -q, --quiet    print nothing but errors\n"
		"  -h, --help     this text\n"
		"Exit status: 0 every result as recorded; 1 a result differs (or a call\n"
		"cannot be replayed); 2 usage, I/O or trace format error.\n");
}

static int load(const char *path, struct vcm_rp_trace *t)
{
	char err[512];
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int ret;

	if (!f) {
		fprintf(stderr, "vcm-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = vcm_rp_load(f, path, t, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (ret)
		fprintf(stderr, "vcm-replay: %s\n", err);
	return ret ? -1 : 0;
}

static void report(const char *path, const struct vcm_rp_result *r, bool quiet)
{
	switch (r->status) {
	case VCM_RP_OK:
		if (!quiet)
			printf("%s: %u calls replayed, every result as recorded\n", path, r->calls);
		break;
	case VCM_RP_DIVERGED:
		printf("%s:%u: the result differs (call %u)\n  expected: %s\n  got:      %s\n",
		       path, r->line, r->calls, r->expected, r->got);
		break;
	case VCM_RP_REFUSED:
		printf("%s:%u: cannot replay: %s\n", path, r->line, r->got);
		if (r->expected[0])
			printf("  the call: %s\n", r->expected);
		break;
	}
}

static int shrink(const char *path, const char *out, const struct vcm_rp_trace *t,
		  const struct vcm_rp_result *r, bool quiet)
{
	size_t *idx = malloc((t->nev + 1) * sizeof(*idx)), n = 0;
	unsigned long runs = 0;
	FILE *f;
	int ret;

	if (!idx)
		return 2;
	ret = vcm_rp_shrink(t, r, idx, &n, &runs);
	if (ret) {
		fprintf(stderr, "vcm-replay: %s: %s\n", path, ret == -EINVAL ?
			"replays as recorded and ends in no warning or fault: nothing to shrink to" :
			strerror(-ret));
		free(idx);
		return 2;
	}
	f = fopen(out, "w");
	if (!f || vcm_rp_save(f, t, idx, n)) {
		fprintf(stderr, "vcm-replay: %s: %s\n", out, strerror(errno));
		if (f)
			fclose(f);
		free(idx);
		return 2;
	}
	fclose(f);
	if (!quiet)
		printf("%s: shrunk from %zu to %zu records (calls and @user lines; %lu runs): %s\n",
		       path, t->nev, n, runs, out);
	free(idx);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "shrink", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *path;
	bool verbose = false, quiet = false;
	struct vcm_rp_result r;
	struct vcm_rp_trace t;
	int c, ret;

	while ((c = getopt_long(argc, argv, "s:vqh", longs, NULL)) != -1) {
		switch (c) {
		case 's': out = optarg; break;
		case 'v': verbose = true; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	path = argv[optind];
	if (load(path, &t))
		return 2;
	vcm_rp_run(&t, NULL, t.nev, false, verbose ? stdout : NULL, &r);
	report(path, &r, quiet);
	ret = r.status == VCM_RP_OK ? 0 : 1;
	if (out) {
		int s = shrink(path, out, &t, &r, quiet);

		if (s)
			ret = s;
	}
	vcm_rp_free(&t);
	return ret;
}
