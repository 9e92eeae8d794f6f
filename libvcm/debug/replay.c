/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay.c - run a call trace (read by replay-read.c) again, check every
 * result, and shrink a trace that shows a problem.
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
	d = vcm_rp_find_data(s->t, v->v2);
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
	const struct vcm_rp_data *d = e->len ? vcm_rp_find_data(s->t, e->hash) : NULL;
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

	if (e->kind == VCM_RP_STATIC) {
		ok = id_set(s, e->addr, vcm_vmm);
	} else if (e->kind == VCM_RP_USER) {
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
