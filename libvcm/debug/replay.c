/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay.c - read a call trace (the format: base/trace.c), run it again,
 * check every result, and shrink a trace that shows a problem.
 *
 * Handles: the trace names objects by the recording process's registry
 * ids; the replay maps each id to the object the replayed call returned
 * (a handle seen again must be the same object).  User memory: each page
 * of the program's memory the trace names gets a page of the replay's,
 * at the same address when it is free (so DVA offsets and layouts are
 * the same), filled from the trace's @user lines.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <vcm.h>

#include "registry.h"
#include "replay.h"
#include "shrink.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define RP_PAGE		4096ULL
/* Ids larger than this are not a trace's (a registry counts from 1). */
#define RP_MAX_ID	(1ULL << 24)

/* ---- reading ---- */

static int parse_hex(const char *s, size_t len, uint64_t *v)
{
	char buf[24], *end;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	errno = 0;
	*v = strtoull(buf, &end, 16);
	return *end || errno ? -EINVAL : 0;
}

static int parse_num(const char *s, size_t len, uint64_t *v)
{
	char buf[24], *end;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	errno = 0;
	if (buf[0] == '-')
		*v = (uint64_t)strtoll(buf, &end, 0);
	else
		*v = strtoull(buf, &end, 0);
	return *end || errno || end == buf ? -EINVAL : 0;
}

static int parse_str(const char *s, size_t len, struct vcm_tr_val *v)
{
	size_t i, o = 0;

	if (len < 2 || s[len - 1] != '"')
		return -EINVAL;
	for (i = 1; i < len - 1; i++) {
		uint64_t ch = (unsigned char)s[i];

		if (s[i] == '\\') {
			if (i + 3 >= len || s[i + 1] != 'x' || parse_hex(s + i + 2, 2, &ch))
				return -EINVAL;
			i += 3;
		}
		if (o + 1 >= sizeof(v->str) || !ch)
			return -EINVAL;
		v->str[o++] = (char)ch;
	}
	v->str[o] = 0;
	v->form = VCM_TRV_STR;
	return 0;
}

/* "LEN:HASH" of d: and h: values. */
static int parse_len_hash(const char *s, size_t len, struct vcm_tr_val *v)
{
	const char *colon = memchr(s, ':', len);

	if (!colon || parse_num(s, colon - s, &v->v) ||
	    parse_hex(colon + 1, len - (colon + 1 - s), &v->v2))
		return -EINVAL;
	return 0;
}

static int parse_user(const char *s, size_t len, struct vcm_tr_val *v)
{
	const char *plus = memchr(s, '+', len);

	v->form = VCM_TRV_USER;
	if (!plus)
		return parse_num(s, len, &v->v);
	if (parse_num(s, plus - s, &v->v) || parse_num(plus + 1, len - (plus + 1 - s), &v->v2))
		return -EINVAL;
	return 0;
}

static int parse_cache(const char *s, size_t len, struct vcm_tr_val *v)
{
	const char *a = memchr(s, '/', len), *b;

	if (!a || !(b = memchr(a + 1, '/', len - (a + 1 - s))))
		return -EINVAL;
	v->form = VCM_TRV_CACHE;
	if (parse_num(s, a - s, &v->v) || parse_num(a + 1, b - a - 1, &v->v2) ||
	    parse_num(b + 1, len - (b + 1 - s), &v->v3))
		return -EINVAL;
	return 0;
}

static int parse_orders(const char *s, size_t len, struct vcm_tr_val *v)
{
	size_t i;

	if (!len || len >= sizeof(v->str))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '.')
			return -EINVAL;
	memcpy(v->str, s, len);
	v->str[len] = 0;
	v->form = VCM_TRV_ORDERS;
	return 0;
}

/* One value in any of the forms of the format. */
static int parse_val(const char *s, size_t len, char type, struct vcm_tr_val *v)
{
	v->type = type;
	if (len == 4 && !memcmp(s, "null", 4)) {
		v->form = VCM_TRV_NULL;
		return 0;
	}
	if (len == 1 && s[0] == '-' && type == 'v') {
		v->form = VCM_TRV_NONE;
		return 0;
	}
	if (len == 2 && !memcmp(s, "#?", 2)) {
		v->form = VCM_TRV_BAD;
		return 0;
	}
	if (len > 1 && s[0] == '#') {
		v->form = VCM_TRV_HANDLE;
		return parse_num(s + 1, len - 1, &v->v) || !v->v || v->v > RP_MAX_ID ? -EINVAL : 0;
	}
	if (len > 4 && !memcmp(s, "err:", 4)) {
		v->form = VCM_TRV_ERR;
		return parse_num(s + 4, len - 4, &v->v);
	}
	if (len > 1 && s[0] == '~') {
		v->form = VCM_TRV_ANY;
		return parse_num(s + 1, len - 1, &v->v);
	}
	if (len > 2 && !memcmp(s, "u:", 2))
		return parse_user(s + 2, len - 2, v);
	if (len > 2 && (!memcmp(s, "d:", 2) || !memcmp(s, "h:", 2))) {
		v->form = s[0] == 'd' ? VCM_TRV_DATA : VCM_TRV_HASH;
		return parse_len_hash(s + 2, len - 2, v);
	}
	if (s[0] == '"')
		return parse_str(s, len, v);
	if (type == 'K')
		return parse_cache(s, len, v);
	if (type == 'O')
		return parse_orders(s, len, v);
	v->form = VCM_TRV_NUM;
	return parse_num(s, len, &v->v);
}

/* Is @v a value a @type argument may have? */
static bool val_fits(const struct vcm_tr_val *v, char type)
{
	switch (type) {
	case 's': case 'm': case 't': case 'c': case 'r': case 'p': case 'q':
		return v->form == VCM_TRV_NULL || v->form == VCM_TRV_HANDLE ||
			v->form == VCM_TRV_BAD || v->form == VCM_TRV_ERR;
	case 'x': case 'u': case 'd': case 'b': case 'f':
		return v->form == VCM_TRV_NUM;
	case 'S':
		return v->form == VCM_TRV_STR || v->form == VCM_TRV_NULL;
	case 'P':
		return v->form == VCM_TRV_ANY || v->form == VCM_TRV_NULL;
	case 'a':
		return v->form == VCM_TRV_USER;
	case 'U':
		return v->form == VCM_TRV_USER && v->v2 <= (1ULL << 32);
	case 'i':
		return v->form == VCM_TRV_DATA && v->v <= (1ULL << 32);
	case 'o':
		return v->form == VCM_TRV_HASH && v->v <= (1ULL << 32);
	case 'O':
		return v->form == VCM_TRV_ORDERS || v->form == VCM_TRV_NULL;
	case 'K':
		return v->form == VCM_TRV_CACHE || v->form == VCM_TRV_NULL;
	case 'v':
		return v->form == VCM_TRV_NONE;
	}
	return false;
}

/* The item of @sig named @name (len) among args or results: its letter. */
static char sig_type(const char *sig, bool result, const char *name, size_t len)
{
	bool in_res = false;

	while (*sig) {
		const char *end = sig + strcspn(sig, " "), *eq = memchr(sig, '=', end - sig);

		if (*sig == '>')
			in_res = true;
		else if (in_res == result && eq && (size_t)(eq - sig) == len && !memcmp(sig, name, len))
			return eq[1];
		else if (in_res == result && !eq && !len)
			return sig[0];
		sig = *end ? end + 1 : end;
	}
	return 0;
}

struct tok {
	const char *s;
	size_t len;
};

static size_t split(char *line, struct tok *toks, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (*p) {
		size_t len;

		p += strspn(p, " \t\r\n");
		len = strcspn(p, " \t\r\n");
		if (!len)
			break;
		if (n == max)
			return max + 1;
		toks[n++] = (struct tok){ p, len };
		p += len;
	}
	return n;
}

#define RP_MAX_TOKS	(2 * VCM_TR_MAX_VALS + 4)

/* "NAME=VALUE" (a result may have no name). */
static int parse_item(const struct tok *t, const char *sig, bool result, bool first,
		      struct vcm_tr_val *v, char *err, size_t errlen)
{
	const char *eq = first && result ? NULL : memchr(t->s, '=', t->len);
	size_t nlen = eq ? (size_t)(eq - t->s) : 0;
	const char *val = eq ? eq + 1 : t->s;
	size_t vlen = t->len - (val - t->s);
	char type = sig_type(sig, result, t->s, nlen);

	memset(v, 0, sizeof(*v));
	if (!eq && !(first && result)) {
		snprintf(err, errlen, "\"%.*s\" is not name=value", (int)t->len, t->s);
		return -EINVAL;
	}
	if (nlen >= sizeof(v->name)) {
		snprintf(err, errlen, "name too long in \"%.*s\"", (int)t->len, t->s);
		return -EINVAL;
	}
	memcpy(v->name, t->s, nlen);
	if (!type && !result) {
		snprintf(err, errlen, "no argument \"%.*s\" in this call", (int)nlen, t->s);
		return -EINVAL;
	}
	/* a result not in the signature is a handle's detail: number or handle */
	if (parse_val(val, vlen, type ? type : 'x', v) || (type && !val_fits(v, type)) ||
	    (!type && v->form != VCM_TRV_NUM && v->form != VCM_TRV_ANY &&
	     v->form != VCM_TRV_HANDLE && v->form != VCM_TRV_NULL)) {
		snprintf(err, errlen, "cannot read %s \"%.*s\"", result ? "result" : "argument",
			 (int)t->len, t->s);
		return -EINVAL;
	}
	if (!type && v->form == VCM_TRV_HANDLE)
		v->type = 'r';
	return 0;
}

/* The number of argument items of @sig. */
static unsigned sig_nargs(const char *sig)
{
	unsigned n = 0;

	while (*sig && *sig != '>') {
		n++;
		sig += strcspn(sig, " ");
		sig += strspn(sig, " ");
	}
	return n;
}

/* Is argument @i of @sig named @name? */
static bool sig_is_arg(const char *sig, unsigned i, const char *name)
{
	size_t len = strlen(name);

	while (i-- && *sig && *sig != '>') {
		sig += strcspn(sig, " ");
		sig += strspn(sig, " ");
	}
	return *sig != '>' && !strncmp(sig, name, len) && sig[len] == '=';
}

static int parse_call(char *line, struct vcm_rp_event *e, char *err, size_t errlen)
{
	struct tok toks[RP_MAX_TOKS + 1];
	size_t n = split(line, toks, RP_MAX_TOKS), i, arrow = 0;
	const char *sig;
	uint64_t tid;

	if (n > RP_MAX_TOKS) {
		snprintf(err, errlen, "too many items");
		return -EINVAL;
	}
	if (n < 3 || parse_num(toks[0].s + 1, toks[0].len - 1, &tid) || tid > UINT32_MAX) {
		snprintf(err, errlen, "expected \"Tn NAME ARGS => RESULTS\"");
		return -EINVAL;
	}
	e->kind = VCM_RP_CALL;
	e->tid = (unsigned)tid;
	e->c.call = vcm_trace_call_find(toks[1].s, toks[1].len);
	if (e->c.call == VCM_TR_NR) {
		snprintf(err, errlen, "unknown call \"%.*s\"", (int)toks[1].len, toks[1].s);
		return -EINVAL;
	}
	sig = vcm_trace_call_sig(e->c.call);
	for (i = 2; i < n && !arrow; i++)
		if (toks[i].len == 2 && !memcmp(toks[i].s, "=>", 2))
			arrow = i;
	if (!arrow || arrow + 1 >= n) {
		snprintf(err, errlen, "no \"=> RESULT\"");
		return -EINVAL;
	}
	if (arrow - 2 != sig_nargs(sig)) {
		snprintf(err, errlen, "%s takes %u arguments, not %zu",
			 vcm_trace_call_name(e->c.call), sig_nargs(sig), arrow - 2);
		return -EINVAL;
	}
	for (i = 2; i < arrow; i++) {
		struct vcm_tr_val *v = &e->c.args[e->c.nargs];

		if (parse_item(&toks[i], sig, false, false, v, err, errlen))
			return -EINVAL;
		/* the arguments in the order of the signature */
		if (!sig_is_arg(sig, e->c.nargs, v->name)) {
			snprintf(err, errlen, "argument %u of %s is not \"%s\"", e->c.nargs + 1,
				 vcm_trace_call_name(e->c.call), v->name);
			return -EINVAL;
		}
		e->c.nargs++;
	}
	for (i = arrow + 1; i < n; i++) {
		uint64_t w;

		if (i > arrow + 1 && toks[i].len > 5 && !memcmp(toks[i].s, "warn=", 5)) {
			if (parse_num(toks[i].s + 5, toks[i].len - 5, &w) || w > UINT32_MAX) {
				snprintf(err, errlen, "cannot read \"%.*s\"", (int)toks[i].len,
					 toks[i].s);
				return -EINVAL;
			}
			e->c.warns = (unsigned)w;
			continue;
		}
		if (e->c.nres == VCM_TR_MAX_VALS) {
			snprintf(err, errlen, "too many results");
			return -EINVAL;
		}
		if (parse_item(&toks[i], sig, true, i == arrow + 1, &e->c.res[e->c.nres], err,
			       errlen))
			return -EINVAL;
		e->c.nres++;
	}
	return 0;
}

static int push_event(struct vcm_rp_trace *t, const struct vcm_rp_event *e)
{
	if (t->nev == t->capev) {
		size_t cap = t->capev ? 2 * t->capev : 256;
		struct vcm_rp_event *ev = realloc(t->ev, cap * sizeof(*ev));

		if (!ev)
			return -ENOMEM;
		t->ev = ev;
		t->capev = cap;
	}
	t->ev[t->nev++] = *e;
	return 0;
}

static int parse_data(struct vcm_rp_trace *t, const char *line, char *err, size_t errlen)
{
	struct tok toks[4];
	char *copy = strdup(line);
	size_t n, i, len;
	struct vcm_rp_data d = { 0 };
	int ret = -EINVAL;

	if (!copy)
		return -ENOMEM;
	n = split(copy, toks, 3);
	if (n != 3 || parse_hex(toks[1].s, toks[1].len, &d.hash) || toks[2].len % 2) {
		snprintf(err, errlen, "expected \"@data HASH HEX\"");
		goto out;
	}
	len = toks[2].len / 2;
	d.len = len;
	d.bytes = malloc(len ? len : 1);
	if (!d.bytes) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < len; i++) {
		uint64_t b;

		if (parse_hex(toks[2].s + 2 * i, 2, &b)) {
			snprintf(err, errlen, "@data: not hex");
			goto out;
		}
		d.bytes[i] = (unsigned char)b;
	}
	if (vcm_trace_hash(d.bytes, len) != d.hash) {
		snprintf(err, errlen, "@data %016llx: the bytes do not have that hash",
			 (unsigned long long)d.hash);
		goto out;
	}
	if (t->ndata == t->capdata) {
		size_t cap = t->capdata ? 2 * t->capdata : 64;
		struct vcm_rp_data *nd = realloc(t->data, cap * sizeof(*nd));

		if (!nd) {
			ret = -ENOMEM;
			goto out;
		}
		t->data = nd;
		t->capdata = cap;
	}
	t->data[t->ndata++] = d;
	d.bytes = NULL;
	ret = 0;
out:
	free(d.bytes);
	free(copy);
	return ret;
}

static int parse_user_line(char *line, struct vcm_rp_event *e, char *err, size_t errlen)
{
	struct tok toks[5];
	size_t n = split(line, toks, 4);

	e->kind = VCM_RP_USER;
	if (n != 4 || parse_num(toks[1].s, toks[1].len, &e->addr) ||
	    parse_num(toks[2].s, toks[2].len, &e->len) ||
	    parse_hex(toks[3].s, toks[3].len, &e->hash) || e->len > (1ULL << 32)) {
		snprintf(err, errlen, "expected \"@user ADDR LEN HASH\"");
		return -EINVAL;
	}
	return 0;
}

static int cmp_data(const void *a, const void *b)
{
	const struct vcm_rp_data *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static int parse_line(struct vcm_rp_trace *t, char *line, unsigned lineno, char *err,
		      size_t errlen)
{
	struct vcm_rp_event e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.line = lineno;
	line += strspn(line, " \t");
	if (!*line || *line == '\n' || *line == '#')
		return 0;
	if (!strncmp(line, "@data ", 6))
		return parse_data(t, line, err, errlen);
	if (!strncmp(line, "@user ", 6))
		ret = parse_user_line(line, &e, err, errlen);
	else if (line[0] == 'T')
		ret = parse_call(line, &e, err, errlen);
	else {
		snprintf(err, errlen, "not a call, @data, @user or # comment");
		ret = -EINVAL;
	}
	return ret ? ret : push_event(t, &e);
}

int vcm_rp_load(FILE *f, const char *name, struct vcm_rp_trace *t, char *err, size_t errlen)
{
	char *line = NULL, what[256] = "";
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t len;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	while (!ret && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if ((size_t)len != strlen(line)) {
			snprintf(what, sizeof(what), "a NUL byte in the line");
			ret = -EINVAL;
		} else if (lineno == 1) {
			unsigned v;
			char magic[16];

			if (sscanf(line, "%15s %u", magic, &v) != 2 || strcmp(magic, VCM_TRACE_MAGIC)) {
				snprintf(what, sizeof(what), "not a libvcm trace (no \"%s %d\" line)",
					 VCM_TRACE_MAGIC, VCM_TRACE_VERSION);
				ret = -EINVAL;
			} else if (v != VCM_TRACE_VERSION) {
				snprintf(what, sizeof(what), "trace format version %u; this replayer "
					 "reads version %d", v, VCM_TRACE_VERSION);
				ret = -EINVAL;
			}
			t->version = VCM_TRACE_VERSION;
		} else {
			ret = parse_line(t, line, lineno, what, sizeof(what));
		}
	}
	if (!ret && ferror(f)) {
		snprintf(what, sizeof(what), "read error");
		ret = -EIO;
	}
	if (!ret && !lineno) {
		snprintf(what, sizeof(what), "empty file");
		ret = -EINVAL;
	}
	free(line);
	if (ret) {
		snprintf(err, errlen, "%s:%u: %s", name, lineno, ret == -ENOMEM ? "out of memory" : what);
		vcm_rp_free(t);
		return ret;
	}
	qsort(t->data, t->ndata, sizeof(*t->data), cmp_data);
	return 0;
}

void vcm_rp_free(struct vcm_rp_trace *t)
{
	size_t i;

	for (i = 0; i < t->ndata; i++)
		free(t->data[i].bytes);
	free(t->data);
	free(t->ev);
	memset(t, 0, sizeof(*t));
}

static const struct vcm_rp_data *find_data(const struct vcm_rp_trace *t, uint64_t hash)
{
	struct vcm_rp_data key = { .hash = hash };

	return t->ndata ? bsearch(&key, t->data, t->ndata, sizeof(key), cmp_data) : NULL;
}

static void save_data(FILE *f, const struct vcm_rp_trace *t, uint64_t hash, uint64_t len)
{
	const struct vcm_rp_data *d = find_data(t, hash);
	size_t i;

	if (!d || !len)
		return;
	fprintf(f, "@data %016llx ", (unsigned long long)d->hash);
	for (i = 0; i < d->len; i++)
		fprintf(f, "%02x", d->bytes[i]);
	fputc('\n', f);
}

int vcm_rp_save(FILE *f, const struct vcm_rp_trace *t, const size_t *idx, size_t n)
{
	char line[2048];
	size_t i;

	fprintf(f, "%s %d\n", VCM_TRACE_MAGIC, VCM_TRACE_VERSION);
	for (i = 0; i < n; i++) {
		const struct vcm_rp_event *e = &t->ev[idx ? idx[i] : i];
		unsigned a;

		if (e->kind == VCM_RP_USER) {
			save_data(f, t, e->hash, e->len);
			fprintf(f, "@user 0x%llx 0x%llx %016llx\n", (unsigned long long)e->addr,
				(unsigned long long)e->len, (unsigned long long)e->hash);
			continue;
		}
		for (a = 0; a < e->c.nargs; a++)
			if (e->c.args[a].form == VCM_TRV_DATA)
				save_data(f, t, e->c.args[a].v2, e->c.args[a].v);
		vcm_trace_format(&e->c, line, sizeof(line));
		fprintf(f, "T%u %s\n", e->tid, line);
	}
	return fflush(f) || ferror(f) ? -EIO : 0;
}

/* ---- running ---- */

struct page_map {
	uint64_t rec;		/* the program's page */
	unsigned char *mine;	/* the replay's */
};

struct mapping {
	void *addr;
	size_t len;
};

struct vcm_rp_state {
	const struct vcm_rp_trace *t;
	void **ids;		/* recorded id -> the replay's object */
	size_t nids;
	struct page_map *pages;
	size_t npages, cappages;
	struct mapping *maps;
	size_t nmaps, capmaps;
	void **extras;		/* objects the replay made that no id names */
	size_t nextras, capextras;
	void *outbuf;
	bool refused;
	char why[512];
	FILE *log;
};

/* A pointer libvcm never made (an argument recorded as #?). */
static char bogus_handle[64];

void vcm_rp_refuse(struct vcm_rp_state *s, const char *fmt, ...)
{
	va_list ap;

	if (s->refused)
		return;
	s->refused = true;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

static bool id_set(struct vcm_rp_state *s, uint64_t id, void *p)
{
	if (id >= s->nids) {
		size_t n = s->nids ? s->nids : 64;
		void **ids;

		while (n <= id)
			n *= 2;
		ids = realloc(s->ids, n * sizeof(*ids));
		if (!ids)
			return false;
		memset(ids + s->nids, 0, (n - s->nids) * sizeof(*ids));
		s->ids = ids;
		s->nids = n;
	}
	s->ids[id] = p;
	return true;
}

static uint64_t id_of(const struct vcm_rp_state *s, const void *p)
{
	size_t i;

	for (i = s->nids; p && i-- > 1;)
		if (s->ids[i] == p)
			return i;
	return 0;
}

bool vcm_rp_arg_handle(struct vcm_rp_state *s, const struct vcm_tr_val *v, void **out)
{
	switch (v->form) {
	case VCM_TRV_NULL:
		*out = NULL;
		return true;
	case VCM_TRV_ERR:
		*out = vcm_err_ptr((long)(int64_t)v->v);
		return true;
	case VCM_TRV_BAD:
		*out = bogus_handle;
		return true;
	case VCM_TRV_HANDLE:
		if (v->v < s->nids && s->ids[v->v]) {
			*out = s->ids[v->v];
			return true;
		}
		vcm_rp_refuse(s, "%s=#%llu: no earlier call returned that object", v->name,
			      (unsigned long long)v->v);
		return false;
	default:
		vcm_rp_refuse(s, "%s: not a handle", v->name);
		return false;
	}
}

static unsigned char *page_find(const struct vcm_rp_state *s, uint64_t rec)
{
	size_t i;

	for (i = 0; i < s->npages; i++)
		if (s->pages[i].rec == rec)
			return s->pages[i].mine;
	return NULL;
}

static bool remember(struct vcm_rp_state *s, uint64_t rec, unsigned char *mine)
{
	if (s->npages == s->cappages) {
		size_t cap = s->cappages ? 2 * s->cappages : 64;
		struct page_map *p = realloc(s->pages, cap * sizeof(*p));

		if (!p)
			return false;
		s->pages = p;
		s->cappages = cap;
	}
	s->pages[s->npages++] = (struct page_map){ rec, mine };
	return true;
}

/* Map @len bytes at @want if free there, else anywhere; NULL on failure. */
static unsigned char *map_pages(struct vcm_rp_state *s, uint64_t want, size_t len, bool exact)
{
	void *p = mmap((void *)(uintptr_t)want, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | (want ? MAP_FIXED_NOREPLACE : 0), -1, 0);

	if (p == MAP_FAILED && !exact)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (exact && (uintptr_t)p != want) {
		munmap(p, len);
		return NULL;
	}
	if (s->nmaps == s->capmaps) {
		size_t cap = s->capmaps ? 2 * s->capmaps : 16;
		struct mapping *m = realloc(s->maps, cap * sizeof(*m));

		if (!m) {
			munmap(p, len);
			return NULL;
		}
		s->maps = m;
		s->capmaps = cap;
	}
	s->maps[s->nmaps++] = (struct mapping){ p, len };
	return p;
}

/* Pages no access reaches, at @addr's offset. */
static void *user_none(struct vcm_rp_state *s, uint64_t addr, uint64_t len)
{
	uint64_t p0 = addr & ~(RP_PAGE - 1), end = (addr + (len ? len : 1) + RP_PAGE - 1) & ~(RP_PAGE - 1);
	unsigned char *p = map_pages(s, 0, end - p0, false);

	if (!p || mprotect(p, end - p0, PROT_NONE)) {
		vcm_rp_refuse(s, "cannot map %#llx bytes", (unsigned long long)(end - p0));
		return NULL;
	}
	return p + (addr - p0);
}

void *vcm_rp_arg_user(struct vcm_rp_state *s, uint64_t addr, uint64_t len, bool none)
{
	uint64_t p0 = addr & ~(RP_PAGE - 1), end = (addr + (len ? len : 1) + RP_PAGE - 1) & ~(RP_PAGE - 1);
	uint64_t np = (end - p0) / RP_PAGE, i, known = np;
	unsigned char *base = NULL;

	if (none)
		return user_none(s, addr, len);
	for (i = 0; i < np && known == np; i++) {
		unsigned char *m = page_find(s, p0 + i * RP_PAGE);

		if (m) {
			known = i;
			base = m - i * RP_PAGE;
		}
	}
	if (!base) {
		/* all new: one mapping, at the program's address if free */
		base = map_pages(s, p0, np * RP_PAGE, false);
		for (i = 0; base && i < np; i++)
			if (!remember(s, p0 + i * RP_PAGE, base + i * RP_PAGE))
				base = NULL;
	} else {
		for (i = 0; i < np && base; i++) {
			unsigned char *m = page_find(s, p0 + i * RP_PAGE), *want = base + i * RP_PAGE;

			if (m == want)
				continue;
			if (m || !map_pages(s, (uintptr_t)want, RP_PAGE, true) ||
			    !remember(s, p0 + i * RP_PAGE, want))
				base = NULL;
		}
	}
	if (!base) {
		vcm_rp_refuse(s, "cannot lay out the program's memory at %#llx (+%#llx) as it was",
			      (unsigned long long)addr, (unsigned long long)len);
		return NULL;
	}
	return base + (addr - p0);
}

const void *vcm_rp_arg_data(struct vcm_rp_state *s, const struct vcm_tr_val *v)
{
	const struct vcm_rp_data *d;

	if (!v->v)
		return s;	/* any readable pointer for 0 bytes */
	d = find_data(s->t, v->v2);
	if (!d || d->len != v->v) {
		vcm_rp_refuse(s, "%s: no @data line with %#llx bytes of hash %016llx", v->name,
			      (unsigned long long)v->v, (unsigned long long)v->v2);
		return NULL;
	}
	return d->bytes;
}

void *vcm_rp_out_buf(struct vcm_rp_state *s, uint64_t len)
{
	free(s->outbuf);
	s->outbuf = calloc(1, len ? len : 1);
	if (!s->outbuf)
		vcm_rp_refuse(s, "out of memory for a %#llx-byte buffer", (unsigned long long)len);
	return s->outbuf;
}

/* @user: the program's memory holds these bytes from here on. */
static void apply_user(struct vcm_rp_state *s, const struct vcm_rp_event *e)
{
	const struct vcm_rp_data *d = e->len ? find_data(s->t, e->hash) : NULL;
	unsigned char *p = vcm_rp_arg_user(s, e->addr, e->len, false);

	if (!p)
		return;
	if (e->len && (!d || d->len != e->len)) {
		vcm_rp_refuse(s, "@user: no @data line with hash %016llx", (unsigned long long)e->hash);
		return;
	}
	if (d)
		memcpy(p, d->bytes, d->len);
}

/* Does @got match the recorded @rec?  Maps new handles as it goes. */
static bool same_val(struct vcm_rp_state *s, const struct vcm_tr_val *rec, struct vcm_tr_val *got,
		     bool check)
{
	if (strcmp(rec->name, got->name))
		return false;
	if (rec->form == VCM_TRV_HANDLE && got->form == VCM_TRV_HANDLE) {
		if (rec->v < s->nids && s->ids[rec->v])
			return s->ids[rec->v] == got->ptr || !check;
		return id_set(s, rec->v, (void *)got->ptr) || !check;
	}
	if (!check)
		return true;
	if (rec->form == VCM_TRV_ANY)
		return got->form == VCM_TRV_ANY || got->form == VCM_TRV_NUM;
	if (rec->form != got->form)
		return false;
	switch (rec->form) {
	case VCM_TRV_STR:
	case VCM_TRV_ORDERS:
		return !strcmp(rec->str, got->str);
	case VCM_TRV_DATA:
	case VCM_TRV_HASH:
	case VCM_TRV_CACHE:
		return rec->v == got->v && rec->v2 == got->v2 && rec->v3 == got->v3;
	case VCM_TRV_USER:
	case VCM_TRV_NULL:
	case VCM_TRV_BAD:
	case VCM_TRV_NONE:
		return true;
	default:
		return rec->v == got->v;
	}
}

static bool same_results(struct vcm_rp_state *s, const struct vcm_tr_call *rec,
			 struct vcm_tr_call *got, bool check)
{
	bool same = rec->nres == got->nres && (!check || rec->warns == got->warns);
	unsigned i;

	for (i = 0; i < rec->nres && i < got->nres; i++)
		if (!same_val(s, &rec->res[i], &got->res[i], check))
			same = false;
	return same;
}

/* Keep the objects @got returned that no recorded id names (to release). */
static void keep_extras(struct vcm_rp_state *s, const struct vcm_tr_call *got)
{
	unsigned i;

	for (i = 0; i < got->nres; i++) {
		const struct vcm_tr_val *v = &got->res[i];

		if (v->form != VCM_TRV_HANDLE || id_of(s, v->ptr))
			continue;
		if (s->nextras == s->capextras) {
			size_t cap = s->capextras ? 2 * s->capextras : 16;
			void **e = realloc(s->extras, cap * sizeof(*e));

			if (!e)
				return;
			s->extras = e;
			s->capextras = cap;
		}
		s->extras[s->nextras++] = (void *)v->ptr;
	}
}

/* @got in the trace's terms: handles by their recorded ids. */
static void format_got(const struct vcm_rp_state *s, struct vcm_tr_call *got, char *buf,
		       size_t len)
{
	unsigned i;

	for (i = 0; i < got->nargs + got->nres; i++) {
		struct vcm_tr_val *v = i < got->nargs ? &got->args[i] : &got->res[i - got->nargs];

		if (v->form == VCM_TRV_HANDLE) {
			uint64_t id = id_of(s, v->ptr);

			if (id)
				v->v = id;
			else
				v->form = VCM_TRV_BAD;
		}
	}
	vcm_trace_format(got, buf, len);
}

static void quiet_warn(const char *msg, void *priv)
{
	FILE *log = priv;

	if (log)
		fprintf(log, "    warning: %.*s\n", (int)strcspn(msg, "\n"), msg);
}

static void release(void *p, enum vcm_kind kind)
{
	switch (kind) {
	case VCM_KIND_USERPTR: vcm_userptr_put(p); break;
	case VCM_KIND_RES: vcm_unreserve(p); break;
	case VCM_KIND_PHYS: vcm_free(p); break;
	case VCM_KIND_CONTEXT: vcm_destroy(p); break;
	case VCM_KIND_PGTABLE: vcm_pgtable_destroy(p); break;
	case VCM_KIND_SYSMMU: vcm_sysmmu_destroy(p); break;
	case VCM_KIND_SOC: vcm_soc_destroy(p); break;
	default: break;
	}
}

/* Release what the replay made and the trace left: the most dependent first. */
static void teardown(struct vcm_rp_state *s)
{
	static const enum vcm_kind order[] = {
		VCM_KIND_USERPTR, VCM_KIND_RES, VCM_KIND_PHYS, VCM_KIND_CONTEXT,
		VCM_KIND_PGTABLE, VCM_KIND_SYSMMU, VCM_KIND_SOC,
	};
	unsigned k;
	size_t i;

	vcm_set_warn_handler(quiet_warn, NULL);
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (i = s->nids + s->nextras; i-- > 0;) {
			void *p = i < s->nids ? s->ids[i] : s->extras[i - s->nids];

			if (!p || !vcm_reg_live(p, order[k]) || (i < s->nids && id_of(s, p) != i))
				continue;
			release(p, order[k]);
		}
	}
	for (i = 0; i < s->nmaps; i++)
		munmap(s->maps[i].addr, s->maps[i].len);
	free(s->maps);
	free(s->pages);
	free(s->ids);
	free(s->extras);
	free(s->outbuf);
}

/* Run event @e; false at the first difference (filled in @res). */
static bool run_event(struct vcm_rp_state *s, const struct vcm_rp_event *e, bool check,
		      struct vcm_rp_result *res)
{
	struct vcm_tr_call got;
	unsigned long warns;
	bool ok;

	if (e->kind == VCM_RP_USER) {
		apply_user(s, e);
		ok = !s->refused;
	} else {
		memset(&got, 0, sizeof(got));
		warns = vcm_warn_count();
		ok = vcm_rp_call(s, &e->c, &got) && !s->refused;
		got.warns = (unsigned)(vcm_warn_count() - warns);
		res->calls++;
		if (ok && !same_results(s, &e->c, &got, check)) {
			keep_extras(s, &got);
			res->status = VCM_RP_DIVERGED;
			vcm_trace_format(&e->c, res->expected, sizeof(res->expected));
			format_got(s, &got, res->got, sizeof(res->got));
			return false;
		}
		if (ok && s->log) {
			format_got(s, &got, res->got, sizeof(res->got));
			fprintf(s->log, "%u: %s\n", e->line, res->got);
			res->got[0] = 0;
		}
	}
	if (!ok) {
		res->status = VCM_RP_REFUSED;
		if (e->kind == VCM_RP_CALL)
			vcm_trace_format(&e->c, res->expected, sizeof(res->expected));
		snprintf(res->got, sizeof(res->got), "%s", s->why);
	}
	return ok;
}

void vcm_rp_run(const struct vcm_rp_trace *t, const size_t *idx, size_t n, bool lenient,
		FILE *log, struct vcm_rp_result *res)
{
	struct vcm_rp_state s = { .t = t, .log = log };
	size_t i;

	memset(res, 0, sizeof(*res));
	vcm_set_warn_handler(quiet_warn, log);
	for (i = 0; i < n; i++) {
		const struct vcm_rp_event *e = &t->ev[idx ? idx[i] : i];

		if (!run_event(&s, e, !lenient || i == n - 1, res)) {
			res->event = i;
			res->line = e->line;
			break;
		}
	}
	if (i == n)
		res->event = n;
	teardown(&s);
	vcm_set_warn_handler(NULL, NULL);
}

/* ---- shrinking ---- */

struct shrink_ctx {
	const struct vcm_rp_trace *t;
	size_t target;		/* the event that shows the problem */
	enum vcm_rp_status status;
	char sig[1040];		/* what it showed */
	size_t *sel;
};

/* What the run shows at its last event: the status and the result line. */
static void signature(const struct vcm_rp_result *r, char *buf, size_t len)
{
	const char *got = r->status == VCM_RP_OK ? r->expected : r->got;
	const char *arrow = strstr(got, " =>");

	snprintf(buf, len, "%d%s", (int)r->status, arrow ? arrow : got);
}

static int shrink_try(const size_t *idx, size_t n, size_t *at, void *priv)
{
	struct shrink_ctx *c = priv;
	struct vcm_rp_result r;
	char sig[sizeof(c->sig)];

	memcpy(c->sel, idx, n * sizeof(*idx));
	c->sel[n] = c->target;
	vcm_rp_run(c->t, c->sel, n + 1, true, NULL, &r);
	*at = n;
	if (r.event != n && r.status != VCM_RP_OK)
		return 0;	/* an earlier call was refused */
	if (r.status == VCM_RP_OK) {
		/* it warned or faulted as recorded? */
		const struct vcm_tr_call *tc = &c->t->ev[c->target].c;

		if (c->status != VCM_RP_OK)
			return 0;
		vcm_trace_format(tc, r.expected, sizeof(r.expected));
	}
	signature(&r, sig, sizeof(sig));
	return !strcmp(sig, c->sig);
}

/* The last call that warned or faulted. */
static size_t last_trouble(const struct vcm_rp_trace *t, size_t n)
{
	while (n--) {
		const struct vcm_rp_event *e = &t->ev[n];

		if (e->kind == VCM_RP_CALL &&
		    (e->c.warns || (e->c.res[0].form == VCM_TRV_NUM && e->c.res[0].type == 'd' &&
				    (int64_t)e->c.res[0].v == -EFAULT)))
			return n;
	}
	return SIZE_MAX;
}

int vcm_rp_shrink(const struct vcm_rp_trace *t, const struct vcm_rp_result *res, size_t *idx,
		  size_t *n, unsigned long *runs)
{
	struct shrink_ctx c = { .t = t, .status = res->status };
	struct vcm_rp_result r = *res;
	size_t i, m;

	if (res->status == VCM_RP_DIVERGED) {
		c.target = res->event;
	} else if (res->status == VCM_RP_OK) {
		c.target = last_trouble(t, t->nev);
		if (c.target == SIZE_MAX)
			return -EINVAL;
		vcm_trace_format(&t->ev[c.target].c, r.expected, sizeof(r.expected));
	} else {
		return -EINVAL;
	}
	signature(&r, c.sig, sizeof(c.sig));
	c.sel = malloc((c.target + 1) * sizeof(*c.sel));
	if (!c.sel)
		return -ENOMEM;
	for (i = 0; i < c.target; i++)
		idx[i] = i;
	m = c.target;
	*runs = vcm_shrink(idx, &m, 1, true, shrink_try, &c);
	idx[m] = c.target;
	*n = m + 1;
	free(c.sel);
	return 0;
}
