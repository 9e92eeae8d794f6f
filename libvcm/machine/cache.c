/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cache.c - the non-coherent cache model: maintenance, stale-data checks
 * and their warnings (see cache-model.h for the three copies of a byte).
 *
 * Ranges are walked in runs of whole lines that are contiguous in all three
 * copies (vcm_soc_views()).  Each run is first compared as a whole (memcmp,
 * as fast as memcpy): only a run with a difference is looked at line by
 * line.  The model's lock serialises its state; a warning is formatted
 * under it and handed to vcm_warn() after it is released.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache-model.h"
#include "internal.h"
#include "trace.h"

/* Device names remembered for the per-line "who wrote it" (0: none). */
#define MAX_DEVS	63
#define DEV_NAME_MAX	32
#define REPORT_MAX	512
#define PERMILLE	1000U

struct vcm_cache {
	pthread_mutex_t lock;
	unsigned line;
	unsigned line_shift;
	unsigned evict_permille;
	uint64_t rng;
	struct vcm_cache_stats st;
	unsigned ndevs;
	char devs[MAX_DEVS + 1][DEV_NAME_MAX];
	const char *last_name;		/* the name dev_id() found last, and its id */
	unsigned last_id;
};

/* One walk over a range: the requested bytes and what to report. */
struct walk {
	struct vcm_cache *c;
	vcm_addr_t pa, end;		/* the requested bytes */
	const char *dev;
	uint64_t dva;			/* DVA of @pa, for device accesses */
	unsigned dev_id;
	unsigned found;			/* lines found (stale, lost, ...) */
	char report[REPORT_MAX];	/* the first one, formatted */
};

static const char *const maint_names[] = {
	[VCM_MAINT_NONE_ALLOC] = "none since the page was allocated",
	[VCM_MAINT_NONE_PIN] = "none since the page was pinned",
	[VCM_MAINT_CLEAN] = "clean",
	[VCM_MAINT_INV] = "invalidate",
	[VCM_MAINT_FLUSH] = "clean+invalidate",
	[VCM_MAINT_EVICTED] = "evicted (random eviction)",
};

static const char *maint_name(unsigned m)
{
	return m < VCM_ARRAY_SIZE(maint_names) ? maint_names[m] : "?";
}

/* ---- create / destroy ---- */

static bool config_ok(const struct vcm_cache_config *cfg)
{
	unsigned line = cfg->line_size;

	return (line == 0 || (line >= VCM_CACHE_LINE_MIN && line <= VCM_CACHE_LINE_MAX &&
			      !(line & (line - 1)))) &&
	       cfg->evict_permille <= VCM_CACHE_EVICT_MAX;
}

struct vcm_cache *vcm_cache_create(const struct vcm_cache_config *cfg, int *err)
{
	static const struct vcm_cache_config defaults;
	struct vcm_cache *c;

	if (!cfg)
		cfg = &defaults;
	if (!config_ok(cfg)) {
		*err = -EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->line = cfg->line_size ? cfg->line_size : VCM_CACHE_LINE_DEFAULT;
	c->line_shift = (unsigned)__builtin_ctz(c->line);
	c->evict_permille = cfg->evict_permille;
	c->rng = cfg->seed * 2 + 1;	/* never 0 */
	snprintf(c->devs[0], DEV_NAME_MAX, "a device");
	return c;
}

void vcm_cache_destroy(struct vcm_cache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

unsigned vcm_cache_line_shift(const struct vcm_cache *c)
{
	return c->line_shift;
}

void vcm_cache_stats(struct vcm_cache *c, struct vcm_cache_stats *st)
{
	pthread_mutex_lock(&c->lock);
	*st = c->st;
	pthread_mutex_unlock(&c->lock);
}

/* ---- helpers ---- */

static uint64_t line_mask(const struct vcm_cache *c)
{
	return (uint64_t)c->line - 1;
}

/* xorshift64*: the eviction's dice. */
static bool evict_roll(struct vcm_cache *c)
{
	uint64_t x = c->rng;

	if (!c->evict_permille)
		return false;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return (x * 0x2545F4914F6CDD1DULL) % PERMILLE < c->evict_permille;
}

static unsigned dev_id(struct vcm_cache *c, const char *dev)
{
	unsigned i;

	if (dev == c->last_name && !strncmp(c->devs[c->last_id], dev, DEV_NAME_MAX - 1))
		return c->last_id;	/* the same device as last time */
	for (i = 1; i <= c->ndevs; i++)
		if (!strncmp(c->devs[i], dev, DEV_NAME_MAX - 1))
			break;
	if (i <= c->ndevs) {
		c->last_name = dev;
		c->last_id = i;
		return i;
	}
	if (c->ndevs == MAX_DEVS)
		return 0;
	snprintf(c->devs[++c->ndevs], DEV_NAME_MAX, "%s", dev);
	return c->ndevs;
}

static void walk_init(struct walk *w, struct vcm_cache *c, vcm_addr_t pa, vcm_size_t n)
{
	w->c = c;
	w->pa = pa;
	w->end = pa + n;
	w->dev = NULL;
	w->dva = 0;
	w->dev_id = 0;
	w->found = 0;
	w->report[0] = '\0';
}

typedef void (*run_fn)(struct walk *w, const struct vcm_views *v, vcm_addr_t pa,
		       vcm_size_t len);

/*
 * Call @fn for runs of whole lines covering the walk's bytes, each
 * contiguous in all views.  The range must be RAM (checked by the caller).
 */
static void for_each_run(struct vcm_soc *soc, struct walk *w, run_fn fn)
{
	vcm_addr_t pa = w->pa & ~line_mask(w->c);
	vcm_addr_t end = (w->end + line_mask(w->c)) & ~line_mask(w->c);

	while (pa < end) {
		struct vcm_views v;
		vcm_size_t run;

		if (vcm_soc_views(soc, pa, &v, &run))
			return;
		if (run > end - pa)
			run = end - pa;
		fn(w, &v, pa, run);
		pa += run;
	}
}

/* The views of the line at offset @off of a run starting at @pa. */
static struct vcm_views line_views(const struct walk *w, const struct vcm_views *v,
				   vcm_addr_t pa, vcm_size_t off)
{
	struct vcm_views l = {
		.cpu = v->cpu + off,
		.ram = v->ram + off,
		.ref = v->ref + off,
		.maint = v->maint + (off >> w->c->line_shift),
		.dev = v->dev + (off >> w->c->line_shift),
		.page_dva = v->page_dva + (((pa & ~VCM_PAGE_MASK) + off) >> VCM_PAGE_SHIFT),
	};

	return l;
}

/* The DVA of the last device write into the line at @lpa. */
static unsigned long long writer_dva(const struct vcm_views *l, vcm_addr_t lpa)
{
	return *l->page_dva + (lpa & ~VCM_PAGE_MASK);
}

/* The part [*lo, *hi) of the line at @lpa that the walk asked for. */
static void line_part(const struct walk *w, vcm_addr_t lpa, unsigned *lo, unsigned *hi)
{
	vcm_addr_t a = w->pa > lpa ? w->pa : lpa;
	vcm_addr_t b = w->end < lpa + w->c->line ? w->end : lpa + w->c->line;

	*lo = a > lpa ? (unsigned)(a - lpa) : 0;
	*hi = b > lpa ? (unsigned)(b - lpa) : 0;
}

static bool line_dirty(const struct vcm_cache *c, const struct vcm_views *l)
{
	return memcmp(l->cpu, l->ref, c->line) != 0;
}

/* First byte in [lo, hi) the CPU wrote and RAM lacks (-1: none). */
static int first_cpu_stale(const struct vcm_views *l, unsigned lo, unsigned hi)
{
	unsigned i;

	for (i = lo; i < hi; i++)
		if (l->cpu[i] != l->ram[i] && l->cpu[i] != l->ref[i])
			return (int)i;
	return -1;
}

/* First byte in [lo, hi) a device wrote and the CPU lacks (-1: none). */
static int first_dev_stale(const struct vcm_views *l, unsigned lo, unsigned hi)
{
	unsigned i;

	for (i = lo; i < hi; i++)
		if (l->cpu[i] != l->ram[i] && l->cpu[i] == l->ref[i])
			return (int)i;
	return -1;
}

static const char *writer(const struct vcm_cache *c, const struct vcm_views *l)
{
	return c->devs[*l->dev < VCM_ARRAY_SIZE(c->devs) ? *l->dev : 0];
}

/* The line as it was last maintained: cpu, ram and ref all equal. */
static void line_settle(const struct vcm_cache *c, const struct vcm_views *l, const uint8_t *src)
{
	if (src != l->cpu)
		memcpy(l->cpu, src, c->line);
	if (src != l->ram)
		memcpy(l->ram, src, c->line);
	memcpy(l->ref, src, c->line);
}

/* A real cache evicting the line: written back if dirty, then dropped. */
static void line_evict(struct vcm_cache *c, const struct vcm_views *l)
{
	line_settle(c, l, line_dirty(c, l) ? l->cpu : l->ram);
	*l->maint = VCM_MAINT_EVICTED;
	c->st.evictions++;
}

/* ---- maintenance ---- */

static void clean_line(struct walk *w, const struct vcm_views *l, vcm_addr_t lpa)
{
	struct vcm_cache *c = w->c;
	int lost;

	if (!line_dirty(c, l))
		return;
	lost = first_dev_stale(l, 0, c->line);
	if (lost >= 0) {
		c->st.lost_device_writes++;
		if (!w->found++)
			snprintf(w->report, sizeof(w->report),
				 "clean of line %#llx writes the whole line back over PA %#llx, "
				 "which %s wrote at DVA %#llx (last maintenance: %s): the "
				 "device's data is lost",
				 (unsigned long long)lpa, (unsigned long long)(lpa + (unsigned)lost),
				 writer(c, l), writer_dva(l, lpa), maint_name(*l->maint));
	}
	line_settle(c, l, l->cpu);
	c->st.cleans++;
}

static void inv_line(struct walk *w, const struct vcm_views *l, vcm_addr_t lpa)
{
	struct vcm_cache *c = w->c;
	unsigned lo, hi;
	int lost;

	line_part(w, lpa, &lo, &hi);
	lost = -1;
	if (lo || hi < c->line) {	/* a line shared with bytes outside the range */
		unsigned i;

		for (i = 0; i < c->line && lost < 0; i++)
			if ((i < lo || i >= hi) && l->cpu[i] != l->ref[i])
				lost = (int)i;
	}
	if (lost >= 0) {
		c->st.lost_cpu_writes++;
		if (!w->found++)
			snprintf(w->report, sizeof(w->report),
				 "invalidate of PA %#llx+%#llx discards the CPU's write to PA "
				 "%#llx, outside the range in its line %#llx (last maintenance: "
				 "%s): a buffer must not share a cache line with other data "
				 "(align USERPTR buffers to %u)",
				 (unsigned long long)w->pa, (unsigned long long)(w->end - w->pa),
				 (unsigned long long)(lpa + (unsigned)lost), (unsigned long long)lpa,
				 maint_name(*l->maint), c->line);
	}
	if (memcmp(l->cpu, l->ram, c->line) || line_dirty(c, l))
		c->st.invalidates++;	/* the line changed */
	line_settle(c, l, l->ram);
}

static void maint_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa, vcm_size_t len,
		      enum vcm_cache_op op)
{
	struct vcm_cache *c = w->c;
	bool coherent = !memcmp(v->cpu, v->ref, len) &&
			(op == VCM_CACHE_CLEAN || !memcmp(v->cpu, v->ram, len));
	size_t lines = (size_t)(len >> c->line_shift);
	vcm_size_t off;

	for (off = 0; !coherent && off < len; off += c->line) {
		struct vcm_views l = line_views(w, v, pa, off);

		if (op & VCM_CACHE_CLEAN)
			clean_line(w, &l, pa + off);
		if (op & VCM_CACHE_INV)
			inv_line(w, &l, pa + off);
	}
	memset(v->maint, op == VCM_CACHE_CLEAN ? VCM_MAINT_CLEAN :
			 op == VCM_CACHE_INV ? VCM_MAINT_INV : VCM_MAINT_FLUSH, lines);
	if (op & VCM_CACHE_INV)
		memset(v->dev, 0, lines);
}

static void clean_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa, vcm_size_t len)
{
	maint_run(w, v, pa, len, VCM_CACHE_CLEAN);
}

static void inv_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa, vcm_size_t len)
{
	maint_run(w, v, pa, len, VCM_CACHE_INV);
}

static void flush_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa, vcm_size_t len)
{
	maint_run(w, v, pa, len, VCM_CACHE_FLUSH);
}

static void warn_walk(const struct walk *w)
{
	if (w->found)
		vcm_warn("%s (%u line%s)", w->report, w->found, w->found > 1 ? "s" : "");
}

void vcm_cache_maint_range(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size,
			   enum vcm_cache_op op)
{
	struct vcm_cache *c = vcm_soc_cache(soc);
	struct walk w;

	if (!c || !size)
		return;
	walk_init(&w, c, pa, size);
	pthread_mutex_lock(&c->lock);
	for_each_run(soc, &w, op == VCM_CACHE_CLEAN ? clean_run :
			      op == VCM_CACHE_INV ? inv_run : flush_run);
	pthread_mutex_unlock(&c->lock);
	warn_walk(&w);
}

/* ---- pages entering and leaving ---- */

static void fresh_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa, vcm_size_t len)
{
	(void)pa;
	memcpy(v->ram, v->cpu, len);
	memcpy(v->ref, v->cpu, len);
	memset(v->maint, VCM_MAINT_NONE_ALLOC, (size_t)(len >> w->c->line_shift));
	memset(v->dev, 0, (size_t)(len >> w->c->line_shift));
}

void vcm_cache_page_fresh(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size)
{
	struct vcm_cache *c = vcm_soc_cache(soc);
	struct walk w;

	if (!c)
		return;
	walk_init(&w, c, pa, size);
	pthread_mutex_lock(&c->lock);
	for_each_run(soc, &w, fresh_run);
	pthread_mutex_unlock(&c->lock);
}

/* Every byte differs from RAM and ref: all of it counts as CPU-written. */
static void pinned_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa, vcm_size_t len)
{
	vcm_size_t i;

	(void)pa;
	for (i = 0; i < len; i++)
		v->ram[i] = v->ref[i] = (uint8_t)~v->cpu[i];
	memset(v->maint, VCM_MAINT_NONE_PIN, (size_t)(len >> w->c->line_shift));
	memset(v->dev, 0, (size_t)(len >> w->c->line_shift));
}

void vcm_cache_page_pinned(struct vcm_soc *soc, vcm_addr_t pa)
{
	struct vcm_cache *c = vcm_soc_cache(soc);
	struct walk w;

	if (!c)
		return;
	walk_init(&w, c, pa & VCM_PAGE_MASK, VCM_PAGE_SIZE);
	pthread_mutex_lock(&c->lock);
	for_each_run(soc, &w, pinned_run);
	pthread_mutex_unlock(&c->lock);
}

static void unpin_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa, vcm_size_t len)
{
	struct vcm_cache *c = w->c;
	vcm_size_t off;

	if (!memcmp(v->cpu, v->ram, len))
		return;
	for (off = 0; off < len; off += c->line) {
		struct vcm_views l = line_views(w, v, pa, off);
		int i = first_dev_stale(&l, 0, c->line);

		if (i < 0)
			continue;
		c->st.unseen_device_writes++;
		if (!w->found++)
			snprintf(w->report, sizeof(w->report),
				 "unpinning PA %#llx: line %#llx holds bytes %s wrote at DVA %#llx "
				 "that the CPU never saw (last maintenance: %s): missing "
				 "invalidate/sync_for_cpu?",
				 (unsigned long long)w->pa, (unsigned long long)(pa + off),
				 writer(c, &l), writer_dva(&l, pa + off), maint_name(*l.maint));
	}
}

void vcm_cache_page_unpinning(struct vcm_soc *soc, vcm_addr_t pa)
{
	struct vcm_cache *c = vcm_soc_cache(soc);
	struct walk w;

	if (!c)
		return;
	walk_init(&w, c, pa & VCM_PAGE_MASK, VCM_PAGE_SIZE);
	pthread_mutex_lock(&c->lock);
	for_each_run(soc, &w, unpin_run);
	pthread_mutex_unlock(&c->lock);
	warn_walk(&w);
}

/* ---- accesses ---- */

/*
 * struct stale_read - a read by one side (a device, or the CPU through
 * libvcm's CPU paths) and what it finds stale: bytes the other side wrote
 * that no maintenance moved across.
 * @first_stale: the first such byte of a line in [lo, hi), or -1.
 * @count: the statistic it counts in.
 * @report: the warning for the first stale line of a walk.
 */
struct stale_read {
	int (*first_stale)(const struct vcm_views *l, unsigned lo, unsigned hi);
	size_t count;
	void (*report)(struct walk *w, const struct vcm_views *l, vcm_addr_t lpa, unsigned i);
};

/* A read of [pa, pa+len) (views @v): count and report the stale lines. */
static void stale_read_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa,
			   vcm_size_t len, const struct stale_read *r)
{
	struct vcm_cache *c = w->c;
	vcm_size_t off;

	if (!memcmp(v->cpu, v->ram, len))
		return;
	for (off = 0; off < len; off += c->line) {
		struct vcm_views l = line_views(w, v, pa, off);
		vcm_addr_t lpa = pa + off;
		unsigned lo, hi;
		int i;

		line_part(w, lpa, &lo, &hi);
		i = r->first_stale(&l, lo, hi);
		if (i < 0)
			continue;
		if (evict_roll(c)) {
			line_evict(c, &l);
			continue;
		}
		(*(uint64_t *)((char *)&c->st + r->count))++;
		if (!w->found++)
			r->report(w, &l, lpa, (unsigned)i);
	}
}

static void dev_read_report(struct walk *w, const struct vcm_views *l, vcm_addr_t lpa,
			    unsigned i)
{
	snprintf(w->report, sizeof(w->report),
		 "%s: stale DMA read at DVA %#llx, PA %#llx, line %#llx: written by the CPU, "
		 "not cleaned (last maintenance: %s); missing clean/sync_for_device?",
		 w->dev, (unsigned long long)(w->dva + (lpa + i - w->pa)),
		 (unsigned long long)(lpa + i), (unsigned long long)lpa, maint_name(*l->maint));
}

static const struct stale_read dev_read = {
	.first_stale = first_cpu_stale,
	.count = offsetof(struct vcm_cache_stats, stale_device_reads),
	.report = dev_read_report,
};

static void dev_read_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa,
			 vcm_size_t len)
{
	stale_read_run(w, v, pa, len, &dev_read);
}

unsigned vcm_cache_dev_read(struct vcm_soc *soc, const char *dev, uint64_t dva,
			    vcm_addr_t pa, size_t n)
{
	struct vcm_cache *c = vcm_soc_cache(soc);
	struct walk w;

	if (!c || !n)
		return 0;
	walk_init(&w, c, pa, n);
	w.dev = dev;
	w.dva = dva;
	pthread_mutex_lock(&c->lock);
	for_each_run(soc, &w, dev_read_run);
	pthread_mutex_unlock(&c->lock);
	warn_walk(&w);
	return w.found;
}

/* Compare and copy in pieces that stay in the L1 cache between the two. */
#define COPY_CHUNK	4096U

/*
 * Tell whether RAM's @k bytes at @r differ from the CPU's copy at @c, and
 * copy them to @d.  Two calls into the C library rather than one loop of
 * ours: its memcmp() and memcpy() use the widest vectors the CPU has
 * (chosen at run time), and the second pass reads @r from the L1 cache, so
 * a correct driver's DMA costs little more than the copy.
 */
static bool copy_differs(uint8_t *d, const uint8_t *r, const uint8_t *c, size_t k)
{
	bool differ = memcmp(r, c, k) != 0;

	memcpy(d, r, k);
	return differ;
}

static bool overlap(const uint8_t *a, const uint8_t *b, size_t n)
{
	return a < b + n && b < a + n;
}

/*
 * Copy RAM's @n bytes at @pa (@ram) to @dst, comparing them with the CPU's
 * copy on the way: the check of vcm_cache_dev_read() is only needed when
 * they differ, which a correct driver's DMA never does.
 */
unsigned vcm_cache_dev_read_copy(struct vcm_soc *soc, const char *dev, uint64_t dva,
				 vcm_addr_t pa, void *dst, const void *ram, size_t n)
{
	const uint8_t *r = ram;
	uint8_t *d = dst;
	bool differ = false;
	size_t done = 0;
	unsigned stale;

	if (overlap(d, r, n)) {
		differ = true;
		done = n;
	}
	while (done < n) {
		struct vcm_views v;
		vcm_size_t run, off;

		if (vcm_soc_views(soc, pa + done, &v, &run)) {
			differ = true;
			break;
		}
		if (run > n - done)
			run = n - done;
		for (off = 0; off < run; off += COPY_CHUNK) {
			size_t k = run - off < COPY_CHUNK ? (size_t)(run - off) : COPY_CHUNK;

			differ |= copy_differs(d + done + off, r + done + off, v.cpu + off, k);
		}
		done += run;
	}
	if (!differ)
		return 0;
	stale = vcm_cache_dev_read(soc, dev, dva, pa, n);
	memmove(dst, ram, n);	/* again: an eviction may have changed RAM */
	return stale;
}

static void dev_write_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa,
			  vcm_size_t len)
{
	vcm_addr_t first = pa > w->pa ? pa : w->pa;
	vcm_addr_t end = pa + len < w->end ? pa + len : w->end;
	vcm_addr_t x;

	memset(v->dev, (int)w->dev_id, (size_t)(len >> w->c->line_shift));
	/* the DVA of each page written: DVA and PA share the offset in a page */
	for (x = first; x < end; x = (x & VCM_PAGE_MASK) + VCM_PAGE_SIZE)
		v->page_dva[((pa & ~VCM_PAGE_MASK) + (x - pa)) >> VCM_PAGE_SHIFT] =
			(uint32_t)((w->dva + (x - w->pa)) & VCM_PAGE_MASK);
}

void vcm_cache_dev_write(struct vcm_soc *soc, const char *dev, uint64_t dva,
			 vcm_addr_t pa, size_t n)
{
	struct vcm_cache *c = vcm_soc_cache(soc);
	struct walk w;

	if (!c || !n)
		return;
	walk_init(&w, c, pa, n);
	w.dva = dva;
	pthread_mutex_lock(&c->lock);
	w.dev_id = dev_id(c, dev);
	for_each_run(soc, &w, dev_write_run);
	pthread_mutex_unlock(&c->lock);
}

static void cpu_read_report(struct walk *w, const struct vcm_views *l, vcm_addr_t lpa,
			    unsigned i)
{
	struct vcm_cache *c = w->c;

	snprintf(w->report, sizeof(w->report),
		 "CPU: stale read of PA %#llx, line %#llx: written by %s at DVA %#llx, not "
		 "invalidated (last maintenance: %s); missing invalidate/sync_for_cpu?",
		 (unsigned long long)(lpa + i), (unsigned long long)lpa, writer(c, l),
		 writer_dva(l, lpa), maint_name(*l->maint));
}

static const struct stale_read cpu_read = {
	.first_stale = first_dev_stale,
	.count = offsetof(struct vcm_cache_stats, stale_cpu_reads),
	.report = cpu_read_report,
};

static void cpu_read_run(struct walk *w, const struct vcm_views *v, vcm_addr_t pa,
			 vcm_size_t len)
{
	stale_read_run(w, v, pa, len, &cpu_read);
}

unsigned vcm_cache_cpu_read(struct vcm_soc *soc, vcm_addr_t pa, size_t n)
{
	struct vcm_cache *c = vcm_soc_cache(soc);
	struct walk w;

	if (!c || !n)
		return 0;
	walk_init(&w, c, pa, n);
	pthread_mutex_lock(&c->lock);
	for_each_run(soc, &w, cpu_read_run);
	pthread_mutex_unlock(&c->lock);
	warn_walk(&w);
	return w.found;
}

/* ---- the page-table walker ---- */

bool vcm_cache_pte_stale(struct vcm_soc *soc, vcm_addr_t pa, uint32_t *cpu_val, unsigned *maint)
{
	struct vcm_views v;
	vcm_size_t run;

	if (vcm_soc_views(soc, pa, &v, &run) || run < sizeof(uint32_t))
		return false;
	/* The usual case, one compare: RAM holds what the CPU holds. */
	if (!memcmp(v.cpu, v.ram, sizeof(uint32_t)) ||
	    first_cpu_stale(&v, 0, sizeof(uint32_t)) < 0)
		return false;
	memcpy(cpu_val, v.cpu, sizeof(*cpu_val));
	*maint = *v.maint;
	return true;
}

void vcm_cache_report_walk(struct vcm_soc *soc, const char *dev, uint64_t dva, vcm_addr_t pa,
			   uint32_t ram_val, uint32_t cpu_val, unsigned maint)
{
	struct vcm_cache *c = vcm_soc_cache(soc);

	pthread_mutex_lock(&c->lock);
	c->st.stale_walks++;
	pthread_mutex_unlock(&c->lock);
	vcm_warn("%s: walk for DVA %#llx read a stale page-table entry at PA %#llx, line %#llx: "
		 "RAM %#010x, CPU %#010x not cleaned (last maintenance: %s)",
		 dev, (unsigned long long)dva, (unsigned long long)pa,
		 (unsigned long long)(pa & ~line_mask(c)), ram_val, cpu_val, maint_name(maint));
}

/* ---- the public maintenance calls ---- */

/* vcm_cache_maint() once @soc is checked. */
static int maint(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size, enum vcm_cache_op op)
{
	if ((op != VCM_CACHE_CLEAN && op != VCM_CACHE_INV && op != VCM_CACHE_FLUSH) ||
	    pa + size < pa)
		return -EINVAL;
	if (!vcm_soc_cache(soc))
		return 0;
	if (vcm_soc_check_ram(soc, pa, size))
		return -EFAULT;
	vcm_cache_maint_range(soc, pa, size, op);
	return 0;
}

VCM_TRACE_BODY int do_cache_maint(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size,
			       enum vcm_cache_op op)
{
	if (!vcm_soc_ok(soc, "vcm_cache_maint"))
		return -EINVAL;
	return maint(soc, pa, size, op);
}

VCM_TRACED_FN(int, vcm_cache_maint,
	      (struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size, enum vcm_cache_op op),
	      do_cache_maint, (soc, pa, size, op),
	      CACHE_MAINT, soc, (uint64_t)pa, (uint64_t)size, (int)op, ret)

VCM_TRACE_BODY int do_cache_flush_all(struct vcm_soc *soc)
{
	vcm_addr_t base[VCM_SOC_MAX_BANKS];
	vcm_size_t size[VCM_SOC_MAX_BANKS];
	unsigned i, n;

	if (!vcm_soc_ok(soc, "vcm_cache_flush_all"))
		return -EINVAL;
	n = vcm_soc_banks(soc, base, size, VCM_SOC_MAX_BANKS);
	for (i = 0; i < n; i++)
		vcm_cache_maint_range(soc, base[i], size[i], VCM_CACHE_FLUSH);
	return 0;
}

VCM_TRACED_FN(int, vcm_cache_flush_all, (struct vcm_soc *soc), do_cache_flush_all, (soc),
	      CACHE_FLUSH_ALL, soc, ret)

static bool dir_ok(enum vcm_dma_dir dir)
{
	return dir == VCM_DMA_BIDIRECTIONAL || dir == VCM_DMA_TO_DEVICE ||
	       dir == VCM_DMA_FROM_DEVICE;
}

VCM_TRACE_BODY int do_cache_sync_for_device(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size,
					 enum vcm_dma_dir dir)
{
	if (!vcm_soc_ok(soc, "vcm_cache_sync_for_device") || !dir_ok(dir))
		return -EINVAL;
	return maint(soc, pa, size, dir == VCM_DMA_TO_DEVICE ? VCM_CACHE_CLEAN : VCM_CACHE_FLUSH);
}

VCM_TRACED_FN(int, vcm_cache_sync_for_device,
	      (struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size, enum vcm_dma_dir dir),
	      do_cache_sync_for_device, (soc, pa, size, dir),
	      CACHE_SYNC_FOR_DEVICE, soc, (uint64_t)pa, (uint64_t)size, (int)dir, ret)

VCM_TRACE_BODY int do_cache_sync_for_cpu(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size,
				      enum vcm_dma_dir dir)
{
	if (!vcm_soc_ok(soc, "vcm_cache_sync_for_cpu") || !dir_ok(dir))
		return -EINVAL;
	if (dir == VCM_DMA_TO_DEVICE)
		return 0;	/* nothing to do: the device only read */
	return maint(soc, pa, size, VCM_CACHE_INV);
}

VCM_TRACED_FN(int, vcm_cache_sync_for_cpu,
	      (struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size, enum vcm_dma_dir dir),
	      do_cache_sync_for_cpu, (soc, pa, size, dir),
	      CACHE_SYNC_FOR_CPU, soc, (uint64_t)pa, (uint64_t)size, (int)dir, ret)
