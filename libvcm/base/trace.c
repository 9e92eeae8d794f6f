/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.c - the call recorder: with VCM_TRACE=FILE in the environment,
 * every public call a program makes (trace-calls.h) is written to FILE
 * with its arguments and results, for vcm-replay(1).
 *
 * THE TRACE FORMAT, version 1 (text, one record per line):
 *
 *   vcm-trace 1                    the first line: magic and version
 *   # text                         a comment (warnings are copied here)
 *   @data HASH HEX                 the bytes whose hash is HASH (written
 *                                  once, before the first call using them)
 *   @user ADDR LEN HASH            the program's memory at ADDR (LEN bytes,
 *                                  whole pages) holds the @data HASH from
 *                                  here on
 *   @static #ID                    the context #ID, which no call returned,
 *                                  is one libvcm set up itself (vcm_vmm)
 *   Tn NAME ARG... => RESULT... [warn=N]
 *                                  one call, by thread n (1, 2, ... in the
 *                                  order threads first called), written
 *                                  when it returned
 *
 * ARG and RESULT are name=value (the first result has no name: it is the
 * return value).  Values:
 *   0x1f, 12, -22        numbers (hex for addresses and sizes); errnos
 *                        are negative numbers
 *   #7                   a handle: the registry's id of the object (1, 2,
 *                        ... in creation order); #? a pointer libvcm never
 *                        made; null; err:-12 an error pointer
 *   ~0x7f3a...           a host pointer: the program's address, different
 *                        in every run, not checked by vcm-replay
 *   u:0x7f..+0x2000      the program's memory at that address (its
 *                        contents in the @user line before, when the call
 *                        pinned it; a failed pin may name memory that is
 *                        not there: replayed with memory no access reaches)
 *   d:0x1000:HASH        an input buffer: length, hash of the contents
 *                        (in an @data line)
 *   h:0x1000:HASH        an output buffer: length and hash of what the
 *                        call wrote there (0 bytes when the call failed)
 *   "name"               a string (bytes other than [A-Za-z0-9_.:/+-]
 *                        as \xHH)
 *   8.4.0                a list of page orders
 *   64/0/0x0             a cache configuration (line, evict, seed)
 *   fn / null            a user callback given or not
 *   -                    no return value (void)
 * A result handle is followed by its details: a reservation's start=,
 * size= and phys= (bound or null), a phys' size=, parts= and pa= (first part), a userptr's dva=,
 * offset=, res= and phys=, a context's start= and size=.  warn=N counts
 * the warnings the call raised.  HASH is the 64-bit FNV-1a of the bytes,
 * 16 hex digits.
 *
 * Recording: the public functions (trace.h) call in only when the flag is
 * set, which happens once, when the library is loaded.  Lines are formatted on the
 * caller's stack and written under one lock to a buffered stream, flushed
 * at exit and after a call that warned or faulted.  A child the program
 * forks is not recorded.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <vcm/cache.h>
#include <vcm/userptr.h>
#include <vcm/vcm-drv.h>
#include <vcm/vcm.h>

#include "registry.h"
#include "trace.h"

bool vcm_trace_on;

static const char *const call_names[VCM_TR_NR] = {
#define VCM_TRACE_CALL(id, name, sig) [VCM_TR_##id] = name,
#include "trace-calls.h"
#undef VCM_TRACE_CALL
};

static const char *const call_sigs[VCM_TR_NR] = {
#define VCM_TRACE_CALL(id, name, sig) [VCM_TR_##id] = sig,
#include "trace-calls.h"
#undef VCM_TRACE_CALL
};

const char *vcm_trace_call_name(enum vcm_trace_call call)
{
	return (unsigned)call < VCM_TR_NR ? call_names[call] : "?";
}

const char *vcm_trace_call_sig(enum vcm_trace_call call)
{
	return (unsigned)call < VCM_TR_NR ? call_sigs[call] : "";
}

enum vcm_trace_call vcm_trace_call_find(const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < VCM_TR_NR; i++)
		if (strlen(call_names[i]) == len && !memcmp(call_names[i], name, len))
			return (enum vcm_trace_call)i;
	return VCM_TR_NR;
}

uint64_t vcm_trace_hash(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ---- collecting values ---- */

/* DVAs and PAs are 32-bit; a larger address is a host pointer (CPU context). */
#define TRACE_DEV_ADDR_MAX	0xFFFFFFFFULL

static struct vcm_tr_val *add_val(struct vcm_tr_val *vals, unsigned *n, const char *name,
				  size_t namelen, char type)
{
	struct vcm_tr_val *v;

	if (*n >= VCM_TR_MAX_VALS)
		return NULL;
	v = &vals[(*n)++];
	memset(v, 0, sizeof(*v));
	if (namelen >= sizeof(v->name))
		namelen = sizeof(v->name) - 1;
	memcpy(v->name, name, namelen);
	v->type = type;
	return v;
}

static void add_num(struct vcm_tr_val *vals, unsigned *n, const char *name, uint64_t x, bool addr)
{
	struct vcm_tr_val *v = add_val(vals, n, name, strlen(name), 'x');

	if (!v)
		return;
	v->v = x;
	v->form = addr && x > TRACE_DEV_ADDR_MAX ? VCM_TRV_ANY : VCM_TRV_NUM;
}

static enum vcm_kind handle_kind(char type)
{
	switch (type) {
	case 's': return VCM_KIND_SOC;
	case 'm': return VCM_KIND_SYSMMU;
	case 't': return VCM_KIND_PGTABLE;
	case 'c': return VCM_KIND_CONTEXT;
	case 'r': return VCM_KIND_RES;
	case 'p': return VCM_KIND_PHYS;
	case 'q': return VCM_KIND_USERPTR;
	default: return VCM_KIND_NONE;
	}
}

static void set_handle(struct vcm_tr_val *v, const void *h)
{
	v->ptr = h;
	if (!h) {
		v->form = VCM_TRV_NULL;
	} else if (vcm_is_err(h)) {
		v->form = VCM_TRV_ERR;
		v->v = (uint64_t)(int64_t)vcm_ptr_err(h);
	} else {
		v->v = vcm_reg_id_any(h);
		v->form = v->v ? VCM_TRV_HANDLE : VCM_TRV_BAD;
	}
}

static void add_handle(struct vcm_tr_val *vals, unsigned *n, const char *name, char type,
		       const void *h)
{
	struct vcm_tr_val *v = add_val(vals, n, name, strlen(name), type);

	if (v)
		set_handle(v, h);
}

/* A result handle's details (it is live: it was just returned). */
static void add_details(struct vcm_tr_val *vals, unsigned *n, char type, const void *h)
{
	if (!h || vcm_is_err(h) || !vcm_reg_live(h, handle_kind(type)))
		return;
	switch (type) {
	case 'r': {
		const struct vcm_res *res = h;

		add_num(vals, n, "start", res->start, true);
		add_num(vals, n, "size", res->res_size, false);
		add_handle(vals, n, "phys", 'p', res->phys);
		break;
	}
	case 'p': {
		const struct vcm_phys *phys = h;

		add_num(vals, n, "size", phys->size, false);
		add_num(vals, n, "parts", phys->count, false);
		add_num(vals, n, "pa", phys->count ? phys->parts[0].start : 0, true);
		break;
	}
	case 'q': {
		const struct vcm_userptr *up = h;

		add_num(vals, n, "dva", up->dva, true);
		add_num(vals, n, "offset", up->offset, false);
		add_handle(vals, n, "res", 'r', up->res);
		add_handle(vals, n, "phys", 'p', up->res ? up->res->phys : NULL);
		break;
	}
	case 'c': {
		const struct vcm *vcm = h;

		add_num(vals, n, "start", vcm->start, true);
		add_num(vals, n, "size", vcm->size, false);
		break;
	}
	default:
		break;
	}
}

static void collect_one(struct vcm_tr_val *v, va_list *ap)
{
	const void *p;

	switch (v->type) {
	case 's': case 'm': case 't': case 'c': case 'r': case 'p': case 'q':
		set_handle(v, va_arg(*ap, const void *));
		break;
	case 'x':
		v->v = va_arg(*ap, uint64_t);
		break;
	case 'u':
		v->v = va_arg(*ap, unsigned);
		break;
	case 'd': case 'b': case 'f':
		v->v = (uint64_t)(int64_t)va_arg(*ap, int);
		if (v->type != 'd')
			v->v = !!v->v;
		break;
	case 'S':
		p = va_arg(*ap, const char *);
		v->form = p ? VCM_TRV_STR : VCM_TRV_NULL;
		if (p)
			snprintf(v->str, sizeof(v->str), "%s", (const char *)p);
		break;
	case 'P':
		v->ptr = va_arg(*ap, const void *);
		v->v = (uintptr_t)v->ptr;
		v->form = v->ptr ? VCM_TRV_ANY : VCM_TRV_NULL;
		break;
	case 'a':
		v->ptr = va_arg(*ap, const void *);
		v->v = (uintptr_t)v->ptr;
		v->form = VCM_TRV_USER;
		break;
	case 'U': case 'i': case 'o':
		v->ptr = va_arg(*ap, const void *);
		v->v = va_arg(*ap, uint64_t);
		v->form = v->type == 'U' ? VCM_TRV_USER : v->type == 'i' ? VCM_TRV_DATA :
			VCM_TRV_HASH;
		if (v->type == 'U') {
			v->v2 = v->v;
			v->v = (uintptr_t)v->ptr;
		} else {
			v->v2 = v->ptr ? vcm_trace_hash(v->ptr, v->v) : vcm_trace_hash(NULL, 0);
		}
		break;
	case 'O': {
		const unsigned char *o = va_arg(*ap, const unsigned char *);
		size_t len = 0;
		unsigned i;

		v->form = o ? VCM_TRV_ORDERS : VCM_TRV_NULL;
		for (i = 0; o && i < 16; i++) {
			len += snprintf(v->str + len, sizeof(v->str) - len, "%s%u", i ? "." : "",
					o[i]);
			if (!o[i] || len >= sizeof(v->str))
				break;
		}
		break;
	}
	case 'K': {
		const struct vcm_cache_config *cfg = va_arg(*ap, const struct vcm_cache_config *);

		v->form = cfg ? VCM_TRV_CACHE : VCM_TRV_NULL;
		if (cfg) {
			v->v = cfg->line_size;
			v->v2 = cfg->evict_permille;
			v->v3 = cfg->seed;
		}
		break;
	}
	case 'v':
		v->form = VCM_TRV_NONE;
		break;
	default:
		break;
	}
}

void vcm_trace_vcollect(struct vcm_tr_call *c, enum vcm_trace_call call, va_list ap)
{
	const char *sig = vcm_trace_call_sig(call);
	bool result = false;
	va_list aq;

	memset(c, 0, sizeof(*c));
	c->call = call;
	va_copy(aq, ap);
	while (*sig) {
		const char *end = sig + strcspn(sig, " "), *eq = memchr(sig, '=', end - sig);
		struct vcm_tr_val *v;

		if (*sig == '>') {
			result = true;
		} else {
			/* the first result has no name */
			char type = eq ? eq[1] : sig[0];

			v = add_val(result ? c->res : c->args, result ? &c->nres : &c->nargs,
				    sig, eq ? (size_t)(eq - sig) : 0, type);
			if (v) {
				collect_one(v, &aq);
				if (result && !eq)
					add_details(c->res, &c->nres, type, v->ptr);
			}
		}
		sig = *end ? end + 1 : end;
	}
	va_end(aq);
}

void vcm_trace_collect(struct vcm_tr_call *c, enum vcm_trace_call call, ...)
{
	va_list ap;

	va_start(ap, call);
	vcm_trace_vcollect(c, call, ap);
	va_end(ap);
}

/* ---- formatting ---- */

static int fmt_str(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	o += snprintf(buf + o, len > o ? len - o : 0, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("_.:/+-", ch))
			o += snprintf(buf + o, len > o ? len - o : 0, "%c", ch);
		else
			o += snprintf(buf + o, len > o ? len - o : 0, "\\x%02x", ch);
	}
	o += snprintf(buf + o, len > o ? len - o : 0, "\"");
	return (int)o;
}

/* @x in hex (with "0x") or decimal into @buf, as snprintf() would. */
static int fmt_u64(char *buf, size_t len, const char *prefix, uint64_t x, bool hex)
{
	char tmp[24];
	size_t n = 0, p = strlen(prefix), i;

	do {
		tmp[n++] = "0123456789abcdef"[hex ? x & 15 : x % 10];
		x = hex ? x >> 4 : x / 10;
	} while (x);
	if (p + n + 2 * hex + 1 > len)
		return snprintf(buf, len, "%s%s%s", prefix, hex ? "0x" : "", "?");
	memcpy(buf, prefix, p);
	if (hex) {
		buf[p++] = '0';
		buf[p++] = 'x';
	}
	for (i = 0; i < n; i++)
		buf[p + i] = tmp[n - 1 - i];
	buf[p + n] = 0;
	return (int)(p + n);
}

int vcm_trace_format_val(const struct vcm_tr_val *v, char *buf, size_t len)
{
	/* the common forms without printf: a recorded call formats several */
	if (v->form == VCM_TRV_NUM && (v->type != 'd' || (int64_t)v->v >= 0))
		return fmt_u64(buf, len, "", v->v, v->type == 'x');
	if (v->form == VCM_TRV_HANDLE)
		return fmt_u64(buf, len, "#", v->v, false);
	switch (v->form) {
	case VCM_TRV_NUM:
		if (v->type == 'x')
			return snprintf(buf, len, "0x%llx", (unsigned long long)v->v);
		if (v->type == 'd')
			return snprintf(buf, len, "%lld", (long long)v->v);
		return snprintf(buf, len, "%llu", (unsigned long long)v->v);
	case VCM_TRV_ANY:
		return snprintf(buf, len, "~0x%llx", (unsigned long long)v->v);
	case VCM_TRV_NULL:
		return snprintf(buf, len, "null");
	case VCM_TRV_HANDLE:
		return snprintf(buf, len, "#%llu", (unsigned long long)v->v);
	case VCM_TRV_BAD:
		return snprintf(buf, len, "#?");
	case VCM_TRV_ERR:
		return snprintf(buf, len, "err:%lld", (long long)v->v);
	case VCM_TRV_STR:
		return fmt_str(v->str, buf, len);
	case VCM_TRV_USER:
		if (v->type == 'U')
			return snprintf(buf, len, "u:0x%llx+0x%llx", (unsigned long long)v->v,
					(unsigned long long)v->v2);
		return snprintf(buf, len, "u:0x%llx", (unsigned long long)v->v);
	case VCM_TRV_DATA:
	case VCM_TRV_HASH:
		return snprintf(buf, len, "%c:0x%llx:%016llx", v->form == VCM_TRV_DATA ? 'd' : 'h',
				(unsigned long long)v->v, (unsigned long long)v->v2);
	case VCM_TRV_ORDERS:
		return snprintf(buf, len, "%s", v->str);
	case VCM_TRV_CACHE:
		return snprintf(buf, len, "%llu/%llu/0x%llx", (unsigned long long)v->v,
				(unsigned long long)v->v2, (unsigned long long)v->v3);
	case VCM_TRV_NONE:
		return snprintf(buf, len, "-");
	}
	return snprintf(buf, len, "?");
}

static size_t fmt_vals(const struct vcm_tr_val *vals, unsigned n, char *buf, size_t len, size_t o)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		size_t nl = strlen(vals[i].name);

		if (o + nl + 2 < len) {
			buf[o++] = ' ';
			memcpy(buf + o, vals[i].name, nl);
			o += nl;
			if (nl)
				buf[o++] = '=';
			buf[o] = 0;
		} else {
			o += nl + 2;
		}
		o += vcm_trace_format_val(&vals[i], buf + o, len > o ? len - o : 0);
	}
	return o;
}

int vcm_trace_format(const struct vcm_tr_call *c, char *buf, size_t len)
{
	size_t o = snprintf(buf, len, "%s", vcm_trace_call_name(c->call));

	o = fmt_vals(c->args, c->nargs, buf, len, o);
	o += snprintf(buf + o, len > o ? len - o : 0, " =>");
	o = fmt_vals(c->res, c->nres, buf, len, o);
	if (c->warns)
		o += snprintf(buf + o, len > o ? len - o : 0, " warn=%u", c->warns);
	return (int)o;
}

/* ---- the writer ---- */

/* Contents written once per hash (a growing open-addressed set). */
struct hash_set {
	uint64_t *slots;
	size_t cap, used;
};

/* User memory the program pinned: re-read before calls that read it. */
struct user_range {
	const void *owner;	/* the phys or userptr that pins it */
	const unsigned char *addr;
	size_t len;
	uint64_t hash;
};

static struct {
	pthread_mutex_t lock;
	FILE *f;
	char *buf;
	struct hash_set written;
	struct hash_set seen;	/* ids of objects the trace has returned */
	struct user_range *users;
	size_t nusers, capusers;
} tr = { .lock = PTHREAD_MUTEX_INITIALIZER };

static atomic_uint next_tid;
__thread unsigned vcm_trace_depth;
static __thread unsigned tr_tid, tr_warns;
static __thread char tr_warn_msg[160];

#define TRACE_BUFSIZE	(1 << 20)
/* The host page (pinning works on whole pages). */
#define TRACE_PAGE	4096

static bool set_add(struct hash_set *s, uint64_t h)
{
	size_t i;

	if (!h)
		h = 1;
	if (2 * (s->used + 1) > s->cap) {
		struct hash_set n = { calloc(s->cap ? s->cap * 2 : 1024, sizeof(uint64_t)),
				      s->cap ? s->cap * 2 : 1024, 0 };

		if (!n.slots)
			return true;	/* write it again rather than lose it */
		for (i = 0; i < s->cap; i++)
			if (s->slots[i])
				set_add(&n, s->slots[i]);
		free(s->slots);
		*s = n;
	}
	for (i = h & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == h)
			return false;
	s->slots[i] = h;
	s->used++;
	return true;
}

/* "@data HASH HEX" once per content (lock held). */
static void write_data(const void *p, size_t len, uint64_t hash)
{
	const unsigned char *b = p;
	size_t i;

	if (!len || !set_add(&tr.written, hash))
		return;
	fprintf(tr.f, "@data %016llx ", (unsigned long long)hash);
	for (i = 0; i < len; i++)
		fprintf(tr.f, "%02x", b[i]);
	fputc('\n', tr.f);
}

/*
 * "@user": the pages' bytes now.  They are copied first: the pages may
 * hold more of the program's heap than its buffer, this trace's own stream
 * among it, which changes as it is written.
 */
/*
 * Copy the program's pages: with process_vm_readv() on this process, which
 * a page that went away cannot crash and which memory checkers do not
 * count as a read of the program's heap beyond its blocks (a pinned page
 * holds more than the buffer); memcpy() where that call is not allowed.
 */
static unsigned char *read_user(const struct user_range *u)
{
	unsigned char *copy = malloc(u->len ? u->len : 1);
	struct iovec local = { copy, u->len }, remote = { (void *)u->addr, u->len };

	if (copy && process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)u->len) {
		if (errno != EPERM && errno != ENOSYS) {
			free(copy);
			return NULL;
		}
		memcpy(copy, u->addr, u->len);
	}
	return copy;
}

static void write_user(struct user_range *u)
{
	unsigned char *copy = read_user(u);

	if (!copy)
		return;
	u->hash = vcm_trace_hash(copy, u->len);
	write_data(copy, u->len, u->hash);
	free(copy);
	fprintf(tr.f, "@user 0x%llx 0x%zx %016llx\n", (unsigned long long)(uintptr_t)u->addr,
		u->len, (unsigned long long)u->hash);
}

static void users_add(const void *owner, const void *addr, size_t len, uint64_t hash)
{
	if (tr.nusers == tr.capusers) {
		size_t cap = tr.capusers ? tr.capusers * 2 : 16;
		struct user_range *u = realloc(tr.users, cap * sizeof(*u));

		if (!u)
			return;
		tr.users = u;
		tr.capusers = cap;
	}
	tr.users[tr.nusers++] = (struct user_range){ owner, addr, len, hash };
}

static void users_drop(const void *owner)
{
	size_t i = 0;

	while (i < tr.nusers) {
		if (tr.users[i].owner == owner)
			tr.users[i] = tr.users[--tr.nusers];
		else
			i++;
	}
}

/* Write the pinned memory the program changed since it was last written. */
static void users_refresh(void)
{
	size_t i;

	for (i = 0; i < tr.nusers; i++) {
		unsigned char *copy = read_user(&tr.users[i]);

		if (copy && vcm_trace_hash(copy, tr.users[i].len) != tr.users[i].hash)
			write_user(&tr.users[i]);
		free(copy);
	}
}

/* Before the line of @c: its input contents; after: what it pins or unpins. */
static void write_call(const struct vcm_tr_call *c, const char *line)
{
	unsigned i;

	for (i = 0; i < c->nargs; i++) {
		const struct vcm_tr_val *v = &c->args[i];

		/* a context no call returned: one libvcm set up itself */
		if (v->form == VCM_TRV_HANDLE && v->type == 'c' && set_add(&tr.seen, v->v))
			fprintf(tr.f, "@static #%llu\n", (unsigned long long)v->v);
		if (v->form == VCM_TRV_DATA)
			write_data(v->ptr, v->v, v->v2);
		else if (v->type == 'U' && c->res[0].form == VCM_TRV_HANDLE) {
			/* pinned, so readable (a failed pin may name unmapped memory):
			 * the whole pages, which the device sees */
			uintptr_t lo = (uintptr_t)v->ptr & ~(uintptr_t)(TRACE_PAGE - 1);
			uintptr_t hi = ((uintptr_t)v->ptr + v->v2 + TRACE_PAGE - 1) &
				       ~(uintptr_t)(TRACE_PAGE - 1);
			struct user_range u = { c->res[0].ptr, (const void *)lo, hi - lo, 0 };

			write_user(&u);
			users_add(u.owner, u.addr, u.len, u.hash);
		}
	}
	for (i = 0; i < c->nres; i++)
		if (c->res[i].form == VCM_TRV_HANDLE)
			set_add(&tr.seen, c->res[i].v);
	if (c->call == VCM_TR_USERPTR_PUT || c->call == VCM_TR_FREE)
		users_drop(c->args[0].ptr);
	if (c->warns)
		fprintf(tr.f, "# warn: %s\n", tr_warn_msg);
	fprintf(tr.f, "T%u %s\n", tr_tid, line);
}

static void trace_close(void)
{
	pthread_mutex_lock(&tr.lock);
	if (tr.f) {
		fclose(tr.f);
		tr.f = NULL;
	}
	free(tr.buf);
	free(tr.written.slots);
	free(tr.seen.slots);
	free(tr.users);
	tr.buf = NULL;
	tr.written = (struct hash_set){ 0 };
	tr.seen = (struct hash_set){ 0 };
	tr.users = NULL;
	tr.nusers = tr.capusers = 0;
	pthread_mutex_unlock(&tr.lock);
}

static int trace_start(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	pthread_mutex_lock(&tr.lock);
	tr.f = f;
	tr.buf = malloc(TRACE_BUFSIZE);
	if (tr.buf)
		setvbuf(f, tr.buf, _IOFBF, TRACE_BUFSIZE);
	fprintf(f, "%s %d\n", VCM_TRACE_MAGIC, VCM_TRACE_VERSION);
	pthread_mutex_unlock(&tr.lock);
	vcm_trace_on = true;
	return 0;
}

void vcm_trace_flush(void)
{
	pthread_mutex_lock(&tr.lock);
	if (tr.f)
		fflush(tr.f);
	pthread_mutex_unlock(&tr.lock);
}

/*
 * fork(): the parent's lines are flushed first, so the child does not
 * write them again; a child is not recorded (its lines would interleave
 * with the parent's in one file).
 */
static void trace_prefork(void)
{
	pthread_mutex_lock(&tr.lock);
	if (tr.f)
		fflush(tr.f);
}

static void trace_postfork_parent(void)
{
	pthread_mutex_unlock(&tr.lock);
}

static void trace_postfork_child(void)
{
	if (tr.f)
		fclose(tr.f);
	tr.f = NULL;
	pthread_mutex_unlock(&tr.lock);
}

__attribute__((constructor)) static void trace_init(void)
{
	const char *path = getenv("VCM_TRACE");

	if (!path || !*path)
		return;
	if (trace_start(path)) {
		fprintf(stderr, "libvcm: VCM_TRACE=%s: %s; not recording\n", path, strerror(errno));
		return;
	}
	atexit(trace_close);
	pthread_atfork(trace_prefork, trace_postfork_parent, trace_postfork_child);
}

/* Calls that read memory the program may have written behind libvcm's back. */
static bool reads_user(enum vcm_trace_call call)
{
	switch (call) {
	case VCM_TR_SOC_PHYS_READ:
	case VCM_TR_CACHE_SYNC_FOR_CPU:
	case VCM_TR_DMA_READ:
	case VCM_TR_DMA_COPY:
	case VCM_TR_USERPTR_SYNC_FOR_CPU:
	case VCM_TR_PHYS_SYNC_FOR_CPU:
	case VCM_TR_RES_SYNC_FOR_CPU:
	case VCM_TR_CACHE_MAINT_HOST:
		return true;
	default:
		return false;
	}
}

void vcm_trace_enter(enum vcm_trace_call call)
{
	if (vcm_trace_depth++)
		return;
	tr_warns = 0;
	if (reads_user(call)) {
		pthread_mutex_lock(&tr.lock);
		if (tr.f)
			users_refresh();
		pthread_mutex_unlock(&tr.lock);
	}
}

void vcm_trace_warned(const char *msg)
{
	if (!vcm_trace_depth)
		return;
	char *p;

	if (tr_warns++)
		return;
	snprintf(tr_warn_msg, sizeof(tr_warn_msg), "%s", msg);
	for (p = tr_warn_msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

void vcm_trace_exit(enum vcm_trace_call call, ...)
{
	struct vcm_tr_call c;
	char line[1024];
	va_list ap;

	if (vcm_trace_depth && --vcm_trace_depth)
		return;		/* called from inside another public call */
	if (!tr_tid)
		tr_tid = atomic_fetch_add(&next_tid, 1) + 1;
	va_start(ap, call);
	vcm_trace_vcollect(&c, call, ap);
	va_end(ap);
	c.warns = tr_warns;
	tr_warns = 0;
	vcm_trace_format(&c, line, sizeof(line));
	pthread_mutex_lock(&tr.lock);
	if (tr.f) {
		write_call(&c, line);
		if (c.warns || (c.res[0].type == 'd' && (int64_t)c.res[0].v == -EFAULT))
			fflush(tr.f);
	}
	pthread_mutex_unlock(&tr.lock);
}
