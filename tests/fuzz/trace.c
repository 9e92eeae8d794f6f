/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.c - operation traces: files of one operation per line, running
 * them on a fresh harness, and shrinking a failing one by delta debugging
 * (the library's shrinker, debug/shrink.c, shared with vcm-replay).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "shrink.h"

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

/* The shrinker's view of a trace: the ops picked by @idx. */
struct shrink_ctx {
	const struct fz_config *cfg;
	const struct fz_trace *t;
	struct fz_trace cand;
};

static int run_picked(const size_t *idx, size_t n, size_t *at, void *priv)
{
	struct shrink_ctx *s = priv;
	struct fz_config quiet = *s->cfg;
	size_t i;

	for (i = 0; i < n; i++)
		s->cand.ops[i] = s->t->ops[idx[i]];
	s->cand.n = n;
	quiet.trace = NULL;
	quiet.verbose = false;
	return fz_run_trace(&quiet, &s->cand, at, NULL, 0);
}

int fz_run_isolated(const struct fz_config *cfg, const struct fz_trace *t)
{
	struct shrink_ctx s = { cfg, t, { malloc((t->n + 1) * sizeof(*t->ops)), 0, t->n + 1 } };
	size_t *idx = malloc((t->n + 1) * sizeof(*idx)), i;
	int ret = -1;

	if (s.cand.ops && idx) {
		for (i = 0; i < t->n; i++)
			idx[i] = i;
		ret = vcm_shrink_run_isolated(idx, t->n, run_picked, &s);
	}
	free(idx);
	free(s.cand.ops);
	return ret;
}

unsigned long fz_shrink(const struct fz_config *cfg, struct fz_trace *t, int want, bool isolate)
{
	struct shrink_ctx s = { cfg, t, { malloc((t->n + 1) * sizeof(*t->ops)), 0, t->n + 1 } };
	size_t *idx = malloc((t->n + 1) * sizeof(*idx)), i, n = t->n;
	unsigned long runs = 0;

	if (s.cand.ops && idx) {
		for (i = 0; i < n; i++)
			idx[i] = i;
		runs = vcm_shrink(idx, &n, want, isolate, run_picked, &s);
		for (i = 0; i < n; i++)
			t->ops[i] = t->ops[idx[i]];
		t->n = n;
	}
	free(idx);
	free(s.cand.ops);
	return runs;
}
