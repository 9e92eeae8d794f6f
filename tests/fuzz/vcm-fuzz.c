/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vcm-fuzz - model-checking fuzzer of libvcm's map/unmap paths.
 *
 * Runs random operation sequences (from a seed) or a trace file against the
 * library and a reference model, checks after every operation, and on a
 * divergence writes the sequence as a trace, shrinks it to a short
 * reproducer and prints the command that replays it.  See tests/fuzz/README.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"

struct opts {
	unsigned long seed, seeds, ops, valgrind_ops;
	const char *replay, *shrink, *out, *record, *bytes;
	bool no_shrink, no_fork, quiet, stats, selftest, keep_going;
	double progress;	/* seconds between progress lines; 0 none */
	struct fz_config cfg;
};

/* The progress line of a long run: what is done so far. */
static struct {
	double t0, last;
	unsigned long seeds_done, seeds, ops, divergences;
} prog;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vcm-fuzz [options]\n"
		"  --seed N          random run from seed N (default 1)\n"
		"  --seeds K         run seeds N .. N+K-1 (default 1)\n"
		"  --ops M           operations per seed (default 10000)\n"
		"  --valgrind-ops M  operations per seed when VCM_UNDER_VALGRIND is set\n"
		"  --replay FILE     run a trace (one operation per line)\n"
		"  --bytes FILE      run a libFuzzer input (-v prints its operations; a\n"
		"                    divergence is written to FILE.trace and shrunk)\n"
		"  --shrink FILE     shrink a failing trace to FILE.min\n"
		"  --out FILE        where a failing run's trace goes (default\n"
		"                    vcm-fuzz-SEED.trace; the shrunk one gets .min)\n"
		"  --record FILE     write each operation to FILE before running it\n"
		"                    (survives a crash; then use --shrink)\n"
		"  --sweep N         check every object every N operations (default 32;\n"
		"                    touched objects are checked after every operation)\n"
		"  --guard PAGES     guard gap of PAGES pages after each reservation of the\n"
		"                    MMU contexts (vcm_set_guard()); the model knows it\n"
		"  --keep-going      on a divergence, save the seed's trace and go on\n"
		"                    (exit status 1 at the end if any seed diverged)\n"
		"  --progress SECS   a progress line on stderr every SECS seconds (default\n"
		"                    5, 0 never): seeds done, operations, ops/s, divergences\n"
		"  --no-shrink       do not shrink a failing run\n"
		"  --no-fork         shrink in-process (a crash then ends the shrinking)\n"
		"  --bug NAME        plant a bug in the fuzzer's MMU driver (keep-pte,\n"
		"                    wrong-pa) to see the fuzzer catch it\n"
		"  --stats           print how often each operation ran, failed, warned\n"
		"  --selftest        check that planted bugs are caught, shrunk, replayed\n"
		"  -q                print only failures\n"
		"  -v                print every operation and warning\n"
		"\n"
		"Exit status: 0 all runs agreed with the model, 1 a divergence (the\n"
		"trace and the replay command are printed), 2 usage or I/O error.\n"
		"A long run by hand: vcm-fuzz --seed 1 --seeds 100 --ops 100000 --keep-going\n"
		"See vcm-fuzz(1).\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seeds", required_argument, NULL, 'k' },
		{ "ops", required_argument, NULL, 'n' },
		{ "valgrind-ops", required_argument, NULL, 'V' },
		{ "replay", required_argument, NULL, 'r' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "shrink", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "record", required_argument, NULL, 'R' },
		{ "sweep", required_argument, NULL, 'w' },
		{ "no-shrink", no_argument, NULL, 'N' },
		{ "no-fork", no_argument, NULL, 'F' },
		{ "bug", required_argument, NULL, 'B' },
		{ "stats", no_argument, NULL, 'T' },
		{ "selftest", no_argument, NULL, 'X' },
		{ "guard", required_argument, NULL, 'G' },
		{ "keep-going", no_argument, NULL, 'K' },
		{ "progress", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->seed = 1;
	o->seeds = 1;
	o->ops = 10000;
	o->cfg.sweep = 32;
	o->progress = 5;
	while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->seed = strtoul(optarg, NULL, 0); break;
		case 'k': o->seeds = strtoul(optarg, NULL, 0); break;
		case 'n': o->ops = strtoul(optarg, NULL, 0); break;
		case 'V': o->valgrind_ops = strtoul(optarg, NULL, 0); break;
		case 'r': o->replay = optarg; break;
		case 'b': o->bytes = optarg; break;
		case 'S': o->shrink = optarg; break;
		case 'o': o->out = optarg; break;
		case 'R': o->record = optarg; break;
		case 'w': o->cfg.sweep = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'N': o->no_shrink = true; break;
		case 'F': o->no_fork = true; break;
		case 'q': o->quiet = true; break;
		case 'T': o->stats = true; break;
		case 'X': o->selftest = true; break;
		case 'G': o->cfg.guard_pages = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'K': o->keep_going = true; break;
		case 'P': o->progress = strtod(optarg, NULL); break;
		case 'v': o->cfg.verbose = true; break;
		case 'B':
			if (!strcmp(optarg, "keep-pte"))
				o->cfg.bug = FZ_BUG_KEEP_PTE;
			else if (!strcmp(optarg, "wrong-pa"))
				o->cfg.bug = FZ_BUG_WRONG_PA;
			else
				return -EINVAL;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (optind != argc)
		return -EINVAL;
	if (o->valgrind_ops && getenv("VCM_UNDER_VALGRIND"))
		o->ops = o->valgrind_ops;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress_line(void)
{
	double t = now(), dt = t - prog.t0;

	prog.last = t;
	fprintf(stderr, "vcm-fuzz: %lu/%lu seeds, %lu operations, %.0f ops/s, %lu divergence%s\n",
		prog.seeds_done, prog.seeds, prog.ops, prog.ops / (dt > 0 ? dt : 1e-9),
		prog.divergences, prog.divergences == 1 ? "" : "s");
}

/* Called every operation: a line when the interval has passed. */
static void progress_tick(const struct opts *o)
{
	prog.ops++;
	if (o->progress > 0 && !o->quiet && !(prog.ops & 1023) &&
	    now() - prog.last >= o->progress)
		progress_line();
}

/* One operation of a seeded run: random bytes through the shared decoder. */
static void next_op(uint64_t *rng, struct fz_op *op)
{
	uint8_t bytes[32];
	unsigned i;

	do {
		for (i = 0; i < sizeof(bytes); i++) {
			*rng ^= *rng >> 12;
			*rng ^= *rng << 25;
			*rng ^= *rng >> 27;
			bytes[i] = (uint8_t)((*rng * 0x2545F4914F6CDD1DULL) >> 56);
		}
	} while (!fz_decode(bytes, sizeof(bytes), op));
}

/*
 * Run seed @seed for @ops operations; with @t, record the literal
 * operations (up to @stop_at steps).  Returns the failure class; *steps gets
 * the operations run.
 */
static enum fz_fail run_seed(const struct opts *o, unsigned long seed, unsigned long ops,
			     struct fz_trace *t, unsigned long *steps, char *msg, size_t msglen)
{
	struct fz_harness *h = fz_create(&o->cfg);
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	enum fz_fail f = FZ_OK;
	unsigned long i;

	if (!h) {
		snprintf(msg, msglen, "cannot set up the harness");
		return FZ_F_LEAK;
	}
	for (i = 0; i < ops && !f; i++) {
		struct fz_op op;

		next_op(&rng, &op);
		f = fz_step(h, &op);
		if (!t)
			progress_tick(o);
		if (t && op.code != FZ_NOP && fz_trace_push(t, &op))
			abort();
	}
	if (!f)
		f = fz_finish(h);
	*steps = fz_steps(h);
	if (f)
		snprintf(msg, msglen, "%s", fz_message(h));
	fz_destroy(h);
	return f;
}

static void print_trace_tail(const struct fz_trace *t, size_t max)
{
	size_t i = t->n > max ? t->n - max : 0;
	char line[256];

	for (; i < t->n; i++) {
		fz_op_format(&t->ops[i], line, sizeof(line));
		fprintf(stderr, "    %s\n", line);
	}
}

/* Save @t, shrink it, save the result, print how to replay it. */
static int report(const struct opts *o, struct fz_trace *t, const char *path, int want,
		  const char *msg, bool save_full)
{
	char min[1024], comment[900];
	unsigned long runs;

	snprintf(comment, sizeof(comment), "%s: %s",
		 want >= 100 ? "crash" : fz_fail_name((enum fz_fail)want), msg);
	if (save_full && fz_trace_save(path, t, comment)) {
		fprintf(stderr, "vcm-fuzz: cannot write %s\n", path);
		return 2;
	}
	if (save_full)
		fprintf(stderr, "vcm-fuzz: trace of %zu operations written to %s\n", t->n, path);
	if (o->no_shrink)
		return 1;
	runs = fz_shrink(&o->cfg, t, want, !o->no_fork && !getenv("VCM_UNDER_VALGRIND"));
	snprintf(min, sizeof(min), "%s.min", path);
	if (fz_trace_save(min, t, comment))
		return 2;
	fprintf(stderr, "vcm-fuzz: shrunk to %zu operations in %lu runs: %s\n", t->n, runs, min);
	print_trace_tail(t, 40);
	fprintf(stderr, "vcm-fuzz: replay with: vcm-fuzz --replay %s -v\n", min);
	return 1;
}

static int do_seeds(const struct opts *o)
{
	unsigned long s, steps, total = 0;
	double t0 = now(), dt;
	char msg[768];

	prog.t0 = prog.last = t0;
	prog.seeds = o->seeds;
	for (s = o->seed; s < o->seed + o->seeds; s++, prog.seeds_done++) {
		enum fz_fail f = run_seed(o, s, o->ops, NULL, &steps, msg, sizeof(msg));
		struct fz_trace t = { 0 };
		char path[256];
		int ret;

		total += steps;
		if (!f)
			continue;
		prog.divergences++;
		fprintf(stderr, "vcm-fuzz: seed %lu diverged at operation %lu (%s): %s\n", s,
			steps, fz_fail_name(f), msg);
		/* the run is deterministic: again, recording the operations */
		run_seed(o, s, o->ops, &t, &steps, msg, sizeof(msg));
		if (o->out && !o->keep_going)
			snprintf(path, sizeof(path), "%s", o->out);
		else
			snprintf(path, sizeof(path), "vcm-fuzz-%lu.trace", s);
		if (o->keep_going) {
			struct opts keep = *o;

			keep.no_shrink = true;	/* shrink later, one by one */
			report(&keep, &t, path, (int)f, msg, true);
			fz_trace_free(&t);
			continue;
		}
		ret = report(o, &t, path, (int)f, msg, true);
		fz_trace_free(&t);
		return ret;
	}
	dt = now() - t0;
	if (prog.divergences) {
		progress_line();
		return 1;
	}
	if (!o->quiet)
		printf("vcm-fuzz: seeds %lu..%lu, %lu operations checked in %.2f s (%.0f ops/s): "
		       "all agree with the model\n", o->seed, o->seed + o->seeds - 1, total, dt,
		       total / (dt > 0 ? dt : 1e-9));
	return 0;
}

static int do_replay(const struct opts *o, const char *path, bool shrink)
{
	struct fz_trace t = { 0 };
	char err[512], msg[768];
	enum fz_fail f;
	size_t at;
	int ret = 0;

	if (fz_trace_load(path, &t, err, sizeof(err))) {
		fprintf(stderr, "vcm-fuzz: %s\n", err);
		fz_trace_free(&t);
		return 2;
	}
	f = fz_run_trace(&o->cfg, &t, &at, msg, sizeof(msg));
	if (f) {
		fprintf(stderr, "vcm-fuzz: %s: diverged at operation %zu (%s): %s\n", path, at,
			fz_fail_name(f), msg);
		ret = 1;
		if (shrink) {
			char out[1024];

			t.n = at < t.n ? at + 1 : t.n;
			snprintf(out, sizeof(out), "%s", path);
			ret = report(o, &t, out, (int)f, msg, false);
		}
	} else if (shrink) {
		int c = fz_run_isolated(&o->cfg, &t);

		if (c >= 100) {
			fprintf(stderr, "vcm-fuzz: %s crashes (signal %d)\n", path, c - 100);
			ret = report(o, &t, path, c, "crash", false);
		} else {
			fprintf(stderr, "vcm-fuzz: %s does not fail; nothing to shrink\n", path);
		}
	} else if (!o->quiet) {
		printf("vcm-fuzz: %s: %zu operations agree with the model\n", path, t.n);
	}
	fz_trace_free(&t);
	return ret;
}

/* A libFuzzer input through the same decoder; a divergence is written as
 * a trace (the input's path + ".trace") and shrunk. */
static int do_bytes(const struct opts *o)
{
	FILE *f = fopen(o->bytes, "rb");
	uint8_t *data = malloc(1 << 20);
	struct fz_harness *h = fz_create(&o->cfg);
	struct fz_trace t = { 0 };
	size_t len, at = 0, n;
	enum fz_fail fail = FZ_OK;
	char path[1024], msg[768];
	struct fz_op op;
	int ret = 0;

	if (!f || !data || !h) {
		fprintf(stderr, "vcm-fuzz: cannot read %s\n", o->bytes);
		return 2;
	}
	len = fread(data, 1, 1 << 20, f);
	fclose(f);
	while (!fail && (n = fz_decode(data + at, len - at, &op))) {
		at += n;
		fail = fz_step(h, &op);
		if (op.code != FZ_NOP && fz_trace_push(&t, &op))
			abort();
	}
	if (!fail)
		fail = fz_finish(h);
	if (fail) {
		snprintf(msg, sizeof(msg), "%s", fz_message(h));
		fprintf(stderr, "vcm-fuzz: %s diverged (%s): %s\n", o->bytes, fz_fail_name(fail),
			msg);
		snprintf(path, sizeof(path), "%s.trace", o->bytes);
		ret = report(o, &t, o->out ? o->out : path, (int)fail, msg, true);
	} else if (!o->quiet) {
		printf("vcm-fuzz: %s: %lu operations agree with the model\n", o->bytes,
		       fz_steps(h));
	}
	fz_destroy(h);
	fz_trace_free(&t);
	free(data);
	return ret;
}

/*
 * The fuzzer itself: each planted bug must be caught by seed 1, shrink to
 * a few operations, fail again on replay, and pass without the bug.
 */
static int do_selftest(const struct opts *o)
{
	static const struct {
		enum fz_bug bug;
		const char *name;
	} bugs[] = { { FZ_BUG_KEEP_PTE, "keep-pte" }, { FZ_BUG_WRONG_PA, "wrong-pa" } };
	unsigned i;

	/* shrinking forks children, which valgrind's leak check would see */
	if (getenv("VCM_UNDER_VALGRIND"))
		return 77;
	for (i = 0; i < sizeof(bugs) / sizeof(bugs[0]); i++) {
		struct opts b = *o;
		struct fz_trace t = { 0 };
		unsigned long steps;
		enum fz_fail f, again;
		char msg[768];
		size_t at;
		bool ok;

		b.cfg.bug = bugs[i].bug;
		f = run_seed(&b, 1, 5000, &t, &steps, msg, sizeof(msg));
		if (f)
			fz_shrink(&b.cfg, &t, (int)f, true);
		again = f ? fz_run_trace(&b.cfg, &t, &at, msg, sizeof(msg)) : FZ_OK;
		ok = f && t.n <= 12 && again == f &&
		     !fz_run_trace(&o->cfg, &t, &at, msg, sizeof(msg));
		printf("selftest: bug %s: %s (%s), shrunk to %zu operations, replay %s\n",
		       bugs[i].name, f ? "caught" : "NOT caught", fz_fail_name(f), t.n,
		       again == f ? "fails again" : "does NOT fail");
		if (!ok)
			print_trace_tail(&t, 40);
		fz_trace_free(&t);
		if (!ok)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	FILE *rec = NULL;
	int ret;

	if (parse_opts(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	if (o.record) {
		rec = fopen(o.record, "w");
		if (!rec) {
			fprintf(stderr, "vcm-fuzz: cannot write %s\n", o.record);
			return 2;
		}
		o.cfg.trace = rec;
	}
	if (o.selftest)
		ret = do_selftest(&o);
	else if (o.replay)
		ret = do_replay(&o, o.replay, false);
	else if (o.shrink)
		ret = do_replay(&o, o.shrink, true);
	else if (o.bytes)
		ret = do_bytes(&o);
	else
		ret = do_seeds(&o);
	if (rec)
		fclose(rec);
	if (o.stats)
		fz_print_stats(stdout);
	return ret;
}
