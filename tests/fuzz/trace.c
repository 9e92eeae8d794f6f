/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.c - operation traces: files of one operation per line, running
 * them on a fresh harness, and shrinking a failing one by delta debugging
 * (drop chunks of operations while the run still fails the same way).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

int fz_trace_push(struct fz_trace *t, const struct fz_op *op)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct fz_op *ops = realloc(t->ops, cap * sizeof(*ops));

		if (!ops)
			return -ENOMEM;
		t->ops = ops;
		t->cap = cap;
	}
	t->ops[t->n++] = *op;
	return 0;
}

void fz_trace_free(struct fz_trace *t)
{
	free(t->ops);
	t->ops = NULL;
	t->n = t->cap = 0;
}

int fz_trace_load(const char *path, struct fz_trace *t, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	unsigned lineno = 0;
	struct fz_op op;
	int ret = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		lineno++;
		ret = fz_op_parse(line, &op);
		if (ret == 1) {
			ret = 0;
			continue;
		}
		if (ret)
			snprintf(err, errlen, "%s:%u: cannot read \"%.*s\"", path, lineno,
				 (int)strcspn(line, "\n"), line);
		else
			ret = fz_trace_push(t, &op);
	}
	fclose(f);
	return ret;
}

int fz_trace_save(const char *path, const struct fz_trace *t, const char *comment)
{
	FILE *f = fopen(path, "w");
	char line[256];
	size_t i;

	if (!f)
		return -errno;
	fprintf(f, "# vcm-fuzz trace: one operation per line; run it with vcm-fuzz --replay\n");
	if (comment)
		fprintf(f, "# %s\n", comment);
	for (i = 0; i < t->n; i++) {
		fz_op_format(&t->ops[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	return fclose(f) ? -errno : 0;
}

enum fz_fail fz_run_trace(const struct fz_config *cfg, const struct fz_trace *t, size_t *at,
			  char *msg, size_t msglen)
{
	struct fz_harness *h = fz_create(cfg);
	enum fz_fail f = FZ_OK;
	size_t i;

	if (!h) {
		snprintf(msg, msglen, "cannot set up the harness");
		*at = 0;
		return FZ_F_LEAK;
	}
	for (i = 0; i < t->n && !f; i++) {
		struct fz_op op = t->ops[i];

		op.raw = false;
		f = fz_step(h, &op);
	}
	*at = f ? i - 1 : t->n;
	if (!f)
		f = fz_finish(h);
	if (f && msg)
		snprintf(msg, msglen, "%s", fz_message(h));
	fz_destroy(h);
	return f;
}

int fz_run_isolated(const struct fz_config *cfg, const struct fz_trace *t)
{
	struct fz_config quiet = *cfg;
	int status;
	pid_t pid;

	quiet.trace = NULL;
	quiet.verbose = false;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		size_t at;

		_exit(fz_run_trace(&quiet, t, &at, NULL, 0));
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFSIGNALED(status))
		return 100 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Run @t; the failure class (100+signal for a crash when isolated). */
static int run_class(const struct fz_config *cfg, const struct fz_trace *t, bool isolate,
		     size_t *at)
{
	struct fz_config quiet = *cfg;

	*at = t->n;
	if (isolate)
		return fz_run_isolated(cfg, t);
	quiet.trace = NULL;
	quiet.verbose = false;
	return fz_run_trace(&quiet, t, at, NULL, 0);
}

/* @t without ops [from, from+len) into @out. */
static void without(const struct fz_trace *t, size_t from, size_t len, struct fz_trace *out)
{
	out->n = 0;
	memcpy(out->ops, t->ops, from * sizeof(*t->ops));
	memcpy(out->ops + from, t->ops + from + len, (t->n - from - len) * sizeof(*t->ops));
	out->n = t->n - len;
}

unsigned long fz_shrink(const struct fz_config *cfg, struct fz_trace *t, int want, bool isolate)
{
	struct fz_trace cand = { malloc((t->n + 1) * sizeof(*t->ops)), 0, t->n + 1 };
	unsigned long runs = 0;
	size_t parts = 2, at;

	if (!cand.ops)
		return 0;
	while (t->n >= 2) {
		size_t chunk = (t->n + parts - 1) / parts, from;
		bool reduced = false;

		for (from = 0; from < t->n; from += chunk) {
			size_t len = chunk < t->n - from ? chunk : t->n - from;

			without(t, from, len, &cand);
			runs++;
			if (run_class(cfg, &cand, isolate, &at) != want)
				continue;
			/* keep it, cut after the failing op too */
			memcpy(t->ops, cand.ops, cand.n * sizeof(*t->ops));
			t->n = at < cand.n ? at + 1 : cand.n;
			parts = parts > 2 ? parts - 1 : 2;
			reduced = true;
			break;
		}
		if (!reduced) {
			if (parts >= t->n)
				break;
			parts = parts * 2 < t->n ? parts * 2 : t->n;
		}
	}
	free(cand.ops);
	return runs;
}
