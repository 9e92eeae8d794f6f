/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay-read.c - read a call trace (the format: base/trace.c) into events
 * and a store of contents, strictly: a line that is not what the format
 * says is an error naming the line; and write events back as a trace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "replay.h"

/* Ids larger than this are not a trace's (a registry counts from 1). */
#define RP_MAX_ID	(1ULL << 24)

/* Copy the token @s of @len bytes into @buf as a C string; -EINVAL if it cannot be a number. */
static int token_cstr(const char *s, size_t len, char buf[24])
{
	if (!len || len >= 24)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	errno = 0;
	return 0;
}

static int parse_hex(const char *s, size_t len, uint64_t *v)
{
	char buf[24], *end;

	if (token_cstr(s, len, buf))
		return -EINVAL;
	*v = strtoull(buf, &end, 16);
	return *end || errno ? -EINVAL : 0;
}

static int parse_num(const char *s, size_t len, uint64_t *v)
{
	char buf[24], *end;

	if (token_cstr(s, len, buf))
		return -EINVAL;
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

static int parse_static(char *line, struct vcm_rp_event *e, char *err, size_t errlen)
{
	struct tok toks[3];
	size_t n = split(line, toks, 2);

	e->kind = VCM_RP_STATIC;
	if (n != 2 || toks[1].len < 2 || toks[1].s[0] != '#' ||
	    parse_num(toks[1].s + 1, toks[1].len - 1, &e->addr) || !e->addr ||
	    e->addr > RP_MAX_ID) {
		snprintf(err, errlen, "expected \"@static #ID\"");
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
	else if (!strncmp(line, "@static ", 8))
		ret = parse_static(line, &e, err, errlen);
	else if (line[0] == 'T')
		ret = parse_call(line, &e, err, errlen);
	else {
		snprintf(err, errlen, "not a call, @data, @user, @static or # comment");
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
	if (t->ndata)	/* qsort() of NULL, even empty, is undefined */
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

const struct vcm_rp_data *vcm_rp_find_data(const struct vcm_rp_trace *t, uint64_t hash)
{
	struct vcm_rp_data key = { .hash = hash };

	return t->ndata ? bsearch(&key, t->data, t->ndata, sizeof(key), cmp_data) : NULL;
}

static void save_data(FILE *f, const struct vcm_rp_trace *t, uint64_t hash, uint64_t len)
{
	const struct vcm_rp_data *d = vcm_rp_find_data(t, hash);
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

		if (e->kind == VCM_RP_STATIC) {
			fprintf(f, "@static #%llu\n", (unsigned long long)e->addr);
			continue;
		}
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

