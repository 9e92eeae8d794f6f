/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fault-inject.c - fault injection at the library's allocation sites
 * (<vcm/fault-inject.h>), in the manner of the kernel's fault_attr and
 * fail-nth.
 *
 * Process-wide: one attribute set per site, its interval counter, its
 * pseudo-random sequence and its statistics, all under one lock.  Per
 * thread: the fail_nth countdown, the call count and the last failure.
 * vcm_fail_armed counts the sites that are on plus the threads with a
 * fail_nth pending; while it is 0 the inline hook returns at once.
 */
#include <errno.h>
#include <execinfo.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault-inject-internal.h"
#include "internal.h"

atomic_uint vcm_fail_armed;

struct fail_site {
	struct vcm_fail_attr attr;
	bool on;
	unsigned long count;		/* eligible calls, for the interval */
	uint64_t rng;			/* the site's pseudo-random state */
	struct vcm_fail_stats st;
};

static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fail_site sites[VCM_FAIL_NR_SITES];

static const char *const site_names[VCM_FAIL_NR_SITES] = {
	[VCM_FAIL_PAGE_ALLOC] = "page",
	[VCM_FAIL_DVA] = "dva",
	[VCM_FAIL_PGTABLE] = "pgtable",
	[VCM_FAIL_PIN] = "pin",
	[VCM_FAIL_HOST] = "host",
};

static _Thread_local struct {
	unsigned long nth;		/* fail_nth countdown; 0: none */
	unsigned long calls;
	bool enabled;			/* opted in for thread_filter sites */
	bool has_last;
	struct vcm_fail_event last;
} self;

static bool site_ok(enum vcm_fail_site site)
{
	return (unsigned)site < VCM_FAIL_NR_SITES;
}

/* splitmix64: small, fast and good enough to pick failures. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void set_nth(unsigned long n)
{
	if (!self.nth && n)
		atomic_fetch_add_explicit(&vcm_fail_armed, 1, memory_order_relaxed);
	else if (self.nth && !n)
		atomic_fetch_sub_explicit(&vcm_fail_armed, 1, memory_order_relaxed);
	self.nth = n;
}

/* The kernel's should_fail() for one site's attributes (lock held). */
static bool attr_says_fail(struct fail_site *s, size_t size)
{
	struct vcm_fail_attr *a = &s->attr;

	if (!s->on || !a->times)
		return false;
	if (a->thread_filter && !self.enabled)
		return false;
	if (a->space > size) {
		a->space -= size;
		return false;
	}
	a->space = 0;
	if (a->interval > 1 && ++s->count % a->interval)
		return false;
	if (a->probability < 100 && next_random(&s->rng) % 100 >= a->probability)
		return false;
	if (a->times > 0)
		a->times--;
	return true;
}

static void report(const struct vcm_fail_event *ev, unsigned verbose)
{
	void *frames[32];
	int n;

	if (!verbose)
		return;
	fprintf(stderr, "libvcm: FAULT_INJECTION: failing %s allocation of %zu bytes (call %lu)\n",
		site_names[ev->site], ev->size, ev->call);
	if (verbose < 2)
		return;
	n = backtrace(frames, 32);
	backtrace_symbols_fd(frames, n, 2);
}

bool vcm_fail_slow(enum vcm_fail_site site, size_t size)
{
	struct fail_site *s = &sites[site];
	struct vcm_fail_event ev = { site, size, ++self.calls };
	unsigned verbose = 0;
	bool fail;

	pthread_mutex_lock(&fail_lock);
	s->st.calls++;
	if (self.nth) {
		fail = self.nth == 1;
		set_nth(self.nth - 1);
	} else {
		fail = attr_says_fail(s, size);
	}
	if (fail) {
		s->st.failures++;
		verbose = s->on ? s->attr.verbose : 0;
	}
	pthread_mutex_unlock(&fail_lock);
	if (fail) {
		self.last = ev;
		self.has_last = true;
		report(&ev, verbose);
	}
	return fail;
}

void *vcm_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (vcm_should_fail(VCM_FAIL_HOST, len)) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return mmap(addr, len, prot, flags, fd, off);
}

VCM_EXPORT int vcm_fail_attr_set(enum vcm_fail_site site, const struct vcm_fail_attr *attr)
{
	struct fail_site *s;
	bool was_on;

	if (!site_ok(site) || (attr && (attr->probability > 100 || attr->verbose > 2)))
		return -EINVAL;
	s = &sites[site];
	pthread_mutex_lock(&fail_lock);
	was_on = s->on;
	memset(s, 0, sizeof(*s));
	if (attr) {
		s->attr = *attr;
		s->on = true;
		s->rng = attr->seed;
	}
	if (was_on != s->on)
		atomic_fetch_add_explicit(&vcm_fail_armed, s->on ? 1U : -1U, memory_order_relaxed);
	pthread_mutex_unlock(&fail_lock);
	return 0;
}

VCM_EXPORT int vcm_fail_attr_get(enum vcm_fail_site site, struct vcm_fail_attr *attr)
{
	if (!site_ok(site) || !attr)
		return -EINVAL;
	pthread_mutex_lock(&fail_lock);
	*attr = sites[site].attr;
	pthread_mutex_unlock(&fail_lock);
	return 0;
}

VCM_EXPORT int vcm_fail_stats(enum vcm_fail_site site, struct vcm_fail_stats *st)
{
	if (!site_ok(site) || !st)
		return -EINVAL;
	pthread_mutex_lock(&fail_lock);
	*st = sites[site].st;
	pthread_mutex_unlock(&fail_lock);
	return 0;
}

VCM_EXPORT const char *vcm_fail_site_name(enum vcm_fail_site site)
{
	return site_ok(site) ? site_names[site] : "?";
}

VCM_EXPORT int vcm_fail_nth(unsigned long n)
{
	set_nth(n);
	self.calls = 0;
	self.has_last = false;
	return 0;
}

VCM_EXPORT unsigned long vcm_fail_nth_left(void)
{
	return self.nth;
}

VCM_EXPORT unsigned long vcm_fail_thread_calls(void)
{
	return self.calls;
}

VCM_EXPORT int vcm_fail_last(struct vcm_fail_event *ev)
{
	if (!ev)
		return -EINVAL;
	if (!self.has_last)
		return -ENOENT;
	*ev = self.last;
	return 0;
}

VCM_EXPORT void vcm_fail_thread_enable(bool enable)
{
	self.enabled = enable;
}

VCM_EXPORT void vcm_fail_reset(void)
{
	unsigned i;

	for (i = 0; i < VCM_FAIL_NR_SITES; i++)
		vcm_fail_attr_set((enum vcm_fail_site)i, NULL);
	vcm_fail_nth(0);
}

/* ---- the text form (VCM_FAULT_INJECT) ---- */

static int parse_number(const char *text, size_t len, long long *out)
{
	char buf[32], *end;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtoll(buf, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

/* One "key=value" into @a. */
static int parse_key(struct vcm_fail_attr *a, const char *item, size_t len)
{
	const char *eq = memchr(item, '=', len);
	size_t klen = eq ? (size_t)(eq - item) : 0;
	long long v;

	if (!eq || parse_number(eq + 1, len - klen - 1, &v))
		return -EINVAL;
#define KEY(name) (klen == sizeof(name) - 1 && !memcmp(item, name, klen))
	if (KEY("probability") && v >= 0 && v <= 100)
		a->probability = (unsigned)v;
	else if (KEY("interval") && v >= 0)
		a->interval = (unsigned long)v;
	else if (KEY("times") && v >= -1)
		a->times = (long)v;
	else if (KEY("space") && v >= 0)
		a->space = (unsigned long)v;
	else if (KEY("verbose") && v >= 0 && v <= 2)
		a->verbose = (unsigned)v;
	else if (KEY("thread_filter") && (v == 0 || v == 1))
		a->thread_filter = v;
	else if (KEY("seed"))
		a->seed = (uint64_t)v;
	else
		return -EINVAL;
#undef KEY
	return 0;
}

static int site_by_name(const char *name, size_t len)
{
	unsigned i;

	if (len == 3 && !memcmp(name, "all", 3))
		return VCM_FAIL_NR_SITES;
	for (i = 0; i < VCM_FAIL_NR_SITES; i++)
		if (strlen(site_names[i]) == len && !memcmp(name, site_names[i], len))
			return (int)i;
	return -EINVAL;
}

/* "SITE:k=v,k=v" or "nth=N". */
static int parse_item(const char *item, size_t len)
{
	struct vcm_fail_attr a = { .probability = 100, .times = -1 };
	const char *colon = memchr(item, ':', len), *p, *end = item + len;
	long long n;
	int site;
	unsigned i;

	if (len > 4 && !memcmp(item, "nth=", 4)) {
		if (parse_number(item + 4, len - 4, &n) || n < 0)
			return -EINVAL;
		return vcm_fail_nth((unsigned long)n);
	}
	if (!colon)
		return -EINVAL;
	site = site_by_name(item, (size_t)(colon - item));
	if (site < 0)
		return -EINVAL;
	for (p = colon + 1; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;

		if (parse_key(&a, p, (size_t)(stop - p)))
			return -EINVAL;
		p = stop + 1;
	}
	for (i = 0; i < VCM_FAIL_NR_SITES; i++)
		if (site == VCM_FAIL_NR_SITES || (unsigned)site == i)
			vcm_fail_attr_set((enum vcm_fail_site)i, &a);
	return 0;
}

VCM_EXPORT int vcm_fail_parse(const char *spec)
{
	const char *p = spec;

	if (!spec)
		return -EINVAL;
	while (*p) {
		size_t len = strcspn(p, ";");

		if (len && parse_item(p, len)) {
			vcm_warn("fault injection: bad item '%.*s'", (int)len, p);
			return -EINVAL;
		}
		p += len + (p[len] == ';');
	}
	return 0;
}

__attribute__((constructor)) static void fail_from_environment(void)
{
	const char *spec = getenv("VCM_FAULT_INJECT");

	if (spec)
		vcm_fail_parse(spec);
}
