/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testing.c - <vcm/testing.h>: a fixture with a fresh SoC per test and the
 * check that a test gave everything back, warning capture and fault
 * capture.  No test framework is needed: each check returns a count and
 * writes what it found to a FILE the caller names.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vcm/testing.h>

#include "internal.h"
#include "pin.h"
#include "registry.h"
#include "soc-internal.h"
#include "sysmmu-internal.h"
#include "vcm-internal.h"

#define DEFAULT_RAM_BASE 0x40000000ULL
#define DEFAULT_RAM_SIZE (64ULL << 20)

/* What a check compares with: the state at vcm_test_mark(), or nothing. */
struct baseline {
	vcm_size_t allocated;		/* bytes of RAM */
	size_t pins;
	unsigned long nres[VCM_TEST_MAX_WATCH];
	int activations[VCM_TEST_MAX_WATCH];
	uint64_t newest_id;		/* library objects up to this id are allowed */
};

struct vcm_test {
	struct vcm_soc *soc;
	struct vcm_soc *prev;		/* the current SoC before */
	struct vcm *watch[VCM_TEST_MAX_WATCH];
	unsigned nwatch;
	struct baseline mark;
	uint64_t begin_id;		/* the newest object when the test began */
};

/* ---- library objects, from the handle registry ---- */

static int newest(const struct vcm_handle_info *info, void *arg)
{
	uint64_t *id = arg;

	if (info->id > *id)
		*id = info->id;
	return 0;
}

/* The id of the newest live library object (0: none). */
static uint64_t newest_id(void)
{
	uint64_t id = 0;

	vcm_reg_for_each(newest, &id);
	return id;
}

/* ---- the fixture ---- */

VCM_EXPORT struct vcm_test *vcm_test_begin(vcm_addr_t ram_base, vcm_size_t ram_size)
{
	struct vcm_test *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return vcm_err_ptr(-ENOMEM);
	t->soc = vcm_soc_create();
	if (vcm_is_err(t->soc)) {
		ret = (int)vcm_ptr_err(t->soc);
		goto fail;
	}
	ret = vcm_soc_add_ram(t->soc, ram_base ? ram_base : DEFAULT_RAM_BASE,
			      ram_size ? ram_size : DEFAULT_RAM_SIZE);
	if (ret) {
		vcm_soc_destroy(t->soc);
		goto fail;
	}
	t->prev = vcm_soc_current_or_null();
	vcm_soc_set_current(t->soc);
	t->begin_id = t->mark.newest_id = newest_id();
	return t;

fail:
	free(t);
	return vcm_err_ptr(ret);
}

VCM_EXPORT struct vcm_soc *vcm_test_soc(const struct vcm_test *t)
{
	return vcm_is_err_or_null(t) ? NULL : t->soc;
}

VCM_EXPORT int vcm_test_watch(struct vcm_test *t, struct vcm *vcm)
{
	if (vcm_is_err_or_null(t) || !vcm_valid(vcm))
		return -EINVAL;
	if (t->nwatch == VCM_TEST_MAX_WATCH)
		return -ENOSPC;
	vcm_lock(vcm);
	t->mark.nres[t->nwatch] = vcm_core_nres(vcm_core(vcm));
	t->mark.activations[t->nwatch] = vcm->activations.counter;
	vcm_unlock(vcm);
	t->watch[t->nwatch++] = vcm;
	return 0;
}

VCM_EXPORT int vcm_test_unwatch(struct vcm_test *t, struct vcm *vcm)
{
	unsigned i;

	if (vcm_is_err_or_null(t))
		return -EINVAL;
	for (i = 0; i < t->nwatch; i++) {
		if (t->watch[i] == vcm) {
			t->nwatch--;
			t->watch[i] = t->watch[t->nwatch];
			t->mark.nres[i] = t->mark.nres[t->nwatch];
			t->mark.activations[i] = t->mark.activations[t->nwatch];
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- leftovers ---- */

struct tally {
	FILE *out;
	long n;
};

static void VCM_PRINTF(2, 3) leftover(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	t->n++;
	if (!t->out)
		return;
	fputs("libvcm leftover: ", t->out);
	va_start(ap, fmt);
	vfprintf(t->out, fmt, ap);
	va_end(ap);
	fputc('\n', t->out);
}

struct objects_left {
	struct tally *tally;
	uint64_t after;
};

static int object_left(const struct vcm_handle_info *info, void *arg)
{
	struct objects_left *o = arg;

	if (info->id > o->after)
		leftover(o->tally, "%s #%llu (%p) made by %s() was not released",
			 vcm_kind_name(info->kind), (unsigned long long)info->id, info->handle,
			 info->creator ? info->creator : "?");
	return 0;
}

static void pin_left(const void *uaddr, vcm_addr_t pa, unsigned long count, void *arg)
{
	leftover(arg, "user page %p still pinned (%lu pin%s) at pa %#llx", uaddr, count,
		 count == 1 ? "" : "s", (unsigned long long)pa);
}

/* Newest first (by id). */
static int by_id_desc(const void *a, const void *b)
{
	const struct vcm_handle_info *x = a, *y = b;

	return (x->id < y->id) - (x->id > y->id);
}

static void res_left(struct tally *t, struct vcm *vcm, const struct vcm_res *res)
{
	if (res->phys)
		leftover(t, "context %p: reservation dva %#llx+%#llx still there, bound "
			 "to phys %p (%#llx bytes)", (void *)vcm,
			 (unsigned long long)res->start, (unsigned long long)res->res_size,
			 (void *)res->phys, (unsigned long long)res->phys->size);
	else
		leftover(t, "context %p: reservation dva %#llx+%#llx still there, not "
			 "bound", (void *)vcm, (unsigned long long)res->start,
			 (unsigned long long)res->res_size);
}

/*
 * The reservations of @vcm beyond the mark's count @nres: the newest ones
 * (by id: the walk is in no particular order).
 */
static void context_left(struct tally *t, struct vcm *vcm, unsigned long nres, int activations)
{
	unsigned long n = 0, i, total;
	struct vcm_handle_info *all;
	struct vcm_res_iter it;
	struct vcm_res *res;

	vcm_lock(vcm);
	total = vcm_core_nres(vcm_core(vcm));
	all = total > nres ? calloc(total, sizeof(*all)) : NULL;
	vcm_core_for_each_res(res, it, vcm_core(vcm)) {
		if (!all || n == total)
			break;
		all[n++] = (struct vcm_handle_info){ .handle = res,
						     .id = vcm_reg_id(res, VCM_KIND_RES) };
	}
	if (all)
		qsort(all, n, sizeof(*all), by_id_desc);
	for (i = 0; i + nres < n; i++)
		res_left(t, vcm, all[i].handle);
	free(all);
	if (vcm->activations.counter > activations)
		leftover(t, "context %p is still active (%d activation%s)", (void *)vcm,
			 vcm->activations.counter, vcm->activations.counter == 1 ? "" : "s");
	vcm_unlock(vcm);
}

static size_t pins_of(const struct vcm_soc *soc)
{
	return vcm_pin_pages(soc);
}

static vcm_size_t allocated_of(const struct vcm_soc *soc)
{
	return vcm_soc_total_bytes(soc) - vcm_soc_free_bytes(soc);
}

/* What is held beyond @base. */
static long leftovers_since(struct vcm_test *t, const struct baseline *base, FILE *report)
{
	struct tally tally = { report, 0 };
	struct objects_left objects = { &tally, base->newest_id };
	vcm_size_t allocated = allocated_of(t->soc);
	unsigned i;

	vcm_reg_for_each(object_left, &objects);

	for (i = 0; i < t->nwatch; i++)
		context_left(&tally, t->watch[i], base->nres[i], base->activations[i]);
	if (pins_of(t->soc) > base->pins)
		vcm_pin_for_each(t->soc, pin_left, &tally);
	if (allocated > base->allocated)
		leftover(&tally, "%#llx bytes of the SoC's RAM still allocated (pages, page "
			 "tables or pinned pages' PAs)",
			 (unsigned long long)(allocated - base->allocated));
	return tally.n;
}

VCM_EXPORT int vcm_test_mark(struct vcm_test *t)
{
	unsigned i;

	if (vcm_is_err_or_null(t))
		return -EINVAL;
	t->mark.allocated = allocated_of(t->soc);
	t->mark.pins = pins_of(t->soc);
	t->mark.newest_id = newest_id();
	for (i = 0; i < t->nwatch; i++) {
		vcm_lock(t->watch[i]);
		t->mark.nres[i] = vcm_core_nres(vcm_core(t->watch[i]));
		t->mark.activations[i] = t->watch[i]->activations.counter;
		vcm_unlock(t->watch[i]);
	}
	return 0;
}

VCM_EXPORT long vcm_test_leftovers(struct vcm_test *t, FILE *report)
{
	if (vcm_is_err_or_null(t))
		return -EINVAL;
	return leftovers_since(t, &t->mark, report);
}

VCM_EXPORT long vcm_test_end(struct vcm_test *t, FILE *report)
{
	struct baseline nothing = { .newest_id = 0 };
	long n;

	if (vcm_is_err_or_null(t))
		return -EINVAL;
	nothing.newest_id = t->begin_id;
	n = leftovers_since(t, &nothing, report);
	vcm_soc_set_current(t->prev);
	if (!n)
		vcm_soc_destroy(t->soc);
	free(t);
	return n;
}

/* ---- warnings ---- */

struct vcm_warn_capture {
	pthread_mutex_t lock;
	unsigned long count;		/* warnings seen */
	unsigned long mark;		/* checked by vcm_warn_expect() up to here */
	char *msg[VCM_WARN_CAPTURE_MAX];
};

static void capture_warning(const char *msg, void *priv)
{
	struct vcm_warn_capture *c = priv;

	pthread_mutex_lock(&c->lock);
	if (c->count < VCM_WARN_CAPTURE_MAX)
		c->msg[c->count] = strdup(msg);	/* NULL if out of memory: counted anyway */
	c->count++;
	pthread_mutex_unlock(&c->lock);
}

VCM_EXPORT struct vcm_warn_capture *vcm_warn_capture_start(void)
{
	struct vcm_warn_capture *c = calloc(1, sizeof(*c));

	if (!c)
		return vcm_err_ptr(-ENOMEM);
	pthread_mutex_init(&c->lock, NULL);
	vcm_set_warn_handler(capture_warning, c);
	return c;
}

static bool matches(const char *msg, const char *substring)
{
	return !substring || (msg && strstr(msg, substring));
}

static unsigned long count_from(const struct vcm_warn_capture *c, unsigned long from,
				const char *substring)
{
	unsigned long i, n = 0;

	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	for (i = from; i < c->count; i++)
		n += i >= VCM_WARN_CAPTURE_MAX ? !substring : matches(c->msg[i], substring);
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return n;
}

VCM_EXPORT unsigned long vcm_warn_captured(const struct vcm_warn_capture *c,
					   const char *substring)
{
	return vcm_is_err_or_null(c) ? 0 : count_from(c, 0, substring);
}

VCM_EXPORT const char *vcm_warn_capture_message(const struct vcm_warn_capture *c,
						unsigned long i)
{
	const char *msg = NULL;

	if (vcm_is_err_or_null(c))
		return NULL;
	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	if (i < c->count && i < VCM_WARN_CAPTURE_MAX)
		msg = c->msg[i];
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return msg;
}

VCM_EXPORT int vcm_warn_expect(struct vcm_warn_capture *c, unsigned long count,
			       const char *substring, FILE *report)
{
	unsigned long from, total, hits, i;

	if (vcm_is_err_or_null(c))
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	from = c->mark;
	total = c->count;
	c->mark = total;
	pthread_mutex_unlock(&c->lock);
	hits = count_from(c, from, substring);
	if (total - from == count && hits == count)
		return 0;
	if (report) {
		fprintf(report, "libvcm: expected %lu warning%s%s%s%s, got %lu (%lu matching):\n",
			count, count == 1 ? "" : "s", substring ? " containing \"" : "",
			substring ? substring : "", substring ? "\"" : "", total - from, hits);
		for (i = from; i < total; i++)
			fprintf(report, "  warning: %s\n",
				vcm_warn_capture_message(c, i) ?: "(text not kept)");
	}
	return -1;
}

VCM_EXPORT void vcm_warn_capture_stop(struct vcm_warn_capture *c)
{
	unsigned long i;

	if (vcm_is_err_or_null(c))
		return;
	vcm_set_warn_handler(NULL, NULL);
	for (i = 0; i < c->count && i < VCM_WARN_CAPTURE_MAX; i++)
		free(c->msg[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* ---- faults ---- */

struct vcm_fault_capture {
	pthread_mutex_t lock;
	struct vcm_sysmmu *mmu;
	unsigned long count;
	struct vcm_captured_fault f[VCM_FAULT_CAPTURE_MAX];
};

static int capture_fault(struct vcm_sysmmu *mmu, const struct vcm_fault *f, void *priv)
{
	struct vcm_fault_capture *c = priv;

	pthread_mutex_lock(&c->lock);
	if (c->count < VCM_FAULT_CAPTURE_MAX)
		c->f[c->count] = (struct vcm_captured_fault){ vcm_sysmmu_name(mmu), mmu, *f };
	c->count++;
	pthread_mutex_unlock(&c->lock);
	return -EFAULT;		/* the access fails, as without a handler */
}

VCM_EXPORT struct vcm_fault_capture *vcm_fault_capture_start(struct vcm_sysmmu *mmu)
{
	struct vcm_fault_capture *c;

	if (vcm_is_err_or_null(mmu))
		return vcm_err_ptr(-EINVAL);
	c = calloc(1, sizeof(*c));
	if (!c)
		return vcm_err_ptr(-ENOMEM);
	pthread_mutex_init(&c->lock, NULL);
	c->mmu = mmu;
	vcm_sysmmu_set_fault_handler(mmu, capture_fault, c);
	return c;
}

VCM_EXPORT unsigned long vcm_fault_captured(const struct vcm_fault_capture *c, vcm_addr_t dva,
					    vcm_size_t size, int type)
{
	unsigned long i, n = 0;

	if (vcm_is_err_or_null(c))
		return 0;
	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	for (i = 0; i < c->count && i < VCM_FAULT_CAPTURE_MAX; i++) {
		const struct vcm_fault *f = &c->f[i].fault;

		if ((!size || (f->dva >= dva && f->dva - dva < size)) &&
		    (type < 0 || (int)f->type == type))
			n++;
	}
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return n;
}

VCM_EXPORT int vcm_fault_capture_get(const struct vcm_fault_capture *c, unsigned long i,
				     struct vcm_captured_fault *out)
{
	int ret = -ENOENT;

	if (vcm_is_err_or_null(c) || !out)
		return -EINVAL;
	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	if (i < c->count && i < VCM_FAULT_CAPTURE_MAX) {
		*out = c->f[i];
		ret = 0;
	}
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return ret;
}

VCM_EXPORT void vcm_fault_capture_stop(struct vcm_fault_capture *c)
{
	if (vcm_is_err_or_null(c))
		return;
	vcm_sysmmu_set_fault_handler(c->mmu, NULL, NULL);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
