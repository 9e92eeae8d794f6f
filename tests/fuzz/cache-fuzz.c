// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cache-fuzz.c - the model-checking fuzzer of the non-coherent cache model.
 *
 *   vcm-fuzz-cache [--seed N] [--ops N] [--valgrind-ops N] [--line N] [-q]
 *                  [--plant-bug]
 *
 * Random (seeded) sequences of CPU writes (through host pointers and
 * vcm_soc_phys_write()), CPU reads (vcm_soc_phys_read()), device writes and
 * reads (DMA through a bypassed System MMU), and cache maintenance (clean,
 * invalidate, flush, the sync calls in every direction) on random, often
 * unaligned ranges of two regions: an allocated two-page block and a pinned
 * page of the fuzzer's own memory.  A reference model keeps, byte by byte,
 * the CPU's copy, RAM and the value each byte had at its line's last
 * maintenance, written from the rules of <vcm/cache.h> with plain loops;
 * after every step the fuzzer checks that
 *
 * - what the device and the CPU read is what the model says they see;
 * - the CPU's copy equals the model's (through host pointers; RAM is
 *   compared by every device read);
 * - the library warned exactly when the model says data was stale or lost
 *   (one warning per call that found some), and its counters moved by the
 *   number of lines the model counts.
 *
 * --plant-bug makes every tenth clean reach the model only, as a driver
 * that forgets one would: the run must then diverge (meson runs it as a
 * test that must fail, to prove the checks catch a missing clean).
 *
 * Exit status 0 if every step agreed; on a divergence the step, the seed
 * and the operation are printed and the status is 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vcm.h>

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(16ULL << 20)
#define PAGE		((size_t)VCM_PAGE_SIZE)
#define NREGIONS	2
#define MAX_REGION	(2 * PAGE)

/* One region of memory the fuzzer plays with. */
struct region {
	const char *name;
	vcm_addr_t pa;
	size_t size;
	uint8_t *host;			/* the CPU's view */
	/* the model */
	uint8_t cpu[MAX_REGION], ram[MAX_REGION], ref[MAX_REGION];
};

struct fuzz {
	struct vcm_soc *soc;
	struct vcm_sysmmu *dev;
	struct region r[NREGIONS];
	struct vcm_phys *pinned;
	uint8_t *user;			/* the page-aligned user memory pinned */
	unsigned line;
	uint64_t rng;
	unsigned long step;
	bool quiet;
	bool plant_bug;
	unsigned long cleans;
	/* what the model expects of the current step */
	unsigned exp_warn;
	struct vcm_cache_stats exp;
};

static unsigned warnings;

static void on_warn(const char *msg, void *priv)
{
	(void)priv;
	(void)msg;
	warnings++;
}

static uint64_t rnd(struct fuzz *f)
{
	uint64_t x = f->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	f->rng = x;
	return x;
}

static unsigned rnd_below(struct fuzz *f, unsigned n)
{
	return (unsigned)(rnd(f) % n);
}

/* ---- the reference model ---- */

static size_t line_start(const struct fuzz *f, size_t off)
{
	return off / f->line * f->line;
}

static bool byte_dirty(const struct region *r, size_t i)	/* CPU-written */
{
	return r->cpu[i] != r->ref[i];
}

static bool stale_for_device(const struct region *r, size_t i)
{
	return r->cpu[i] != r->ram[i] && byte_dirty(r, i);
}

static bool stale_for_cpu(const struct region *r, size_t i)
{
	return r->cpu[i] != r->ram[i] && !byte_dirty(r, i);
}

/* Lines of [off, off + n) with a byte for which @stale holds, counted. */
static unsigned stale_lines(const struct fuzz *f, const struct region *r, size_t off, size_t n,
			    bool (*stale)(const struct region *, size_t))
{
	unsigned lines = 0;
	size_t l;

	for (l = line_start(f, off); l < off + n; l += f->line) {
		size_t i, lo = l > off ? l : off, hi = l + f->line < off + n ? l + f->line : off + n;

		for (i = lo; i < hi; i++)
			if (stale(r, i)) {
				lines++;
				break;
			}
	}
	return lines;
}

static void model_clean(struct fuzz *f, struct region *r, size_t off, size_t n)
{
	unsigned lost = 0;
	size_t l, i;

	for (l = line_start(f, off); l < off + n; l += f->line) {
		bool dirty = false, dev = false;

		for (i = l; i < l + f->line; i++) {
			dirty |= byte_dirty(r, i);
			dev |= stale_for_cpu(r, i);
		}
		if (!dirty)
			continue;
		lost += dev;
		f->exp.cleans++;
		for (i = l; i < l + f->line; i++)
			r->ram[i] = r->ref[i] = r->cpu[i];
	}
	f->exp.lost_device_writes += lost;
	f->exp_warn += lost > 0;
}

static void model_inv(struct fuzz *f, struct region *r, size_t off, size_t n)
{
	unsigned lost = 0;
	size_t l, i;

	for (l = line_start(f, off); l < off + n; l += f->line) {
		bool changed = false, outside = false;

		for (i = l; i < l + f->line; i++) {
			changed |= r->cpu[i] != r->ram[i] || byte_dirty(r, i);
			outside |= (i < off || i >= off + n) && byte_dirty(r, i);
		}
		lost += outside;
		f->exp.invalidates += changed;
		for (i = l; i < l + f->line; i++)
			r->cpu[i] = r->ref[i] = r->ram[i];
	}
	f->exp.lost_cpu_writes += lost;
	f->exp_warn += lost > 0;
}

/* ---- the operations ---- */

static void pick(struct fuzz *f, struct region **r, size_t *off, size_t *n)
{
	*r = &f->r[rnd_below(f, NREGIONS)];
	switch (rnd_below(f, 4)) {
	case 0:		/* a few bytes */
		*n = 1 + rnd_below(f, 8);
		break;
	case 1:		/* about a line */
		*n = 1 + rnd_below(f, 2 * f->line);
		break;
	default:
		*n = 1 + rnd_below(f, (unsigned)(*r)->size);
	}
	*off = rnd_below(f, (unsigned)((*r)->size - *n + 1));
}

static void fill(struct fuzz *f, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(f);
}

static int op_cpu_write(struct fuzz *f, struct region *r, size_t off, size_t n, bool phys)
{
	uint8_t buf[MAX_REGION];

	fill(f, buf, n);
	if (phys) {
		if (vcm_soc_phys_write(f->soc, r->pa + off, buf, n))
			return -1;
	} else {
		memcpy(r->host + off, buf, n);
	}
	memcpy(r->cpu + off, buf, n);
	return 0;
}

static int op_cpu_read(struct fuzz *f, struct region *r, size_t off, size_t n)
{
	uint8_t buf[MAX_REGION];
	unsigned lines = stale_lines(f, r, off, n, stale_for_cpu);

	f->exp.stale_cpu_reads += lines;
	f->exp_warn += lines > 0;
	if (vcm_soc_phys_read(f->soc, r->pa + off, buf, n))
		return -1;
	return memcmp(buf, r->cpu + off, n) ? -1 : 0;
}

static int op_dev_write(struct fuzz *f, struct region *r, size_t off, size_t n)
{
	uint8_t buf[MAX_REGION];

	fill(f, buf, n);
	if (vcm_dma_write(f->dev, r->pa + off, buf, n))
		return -1;
	memcpy(r->ram + off, buf, n);
	return 0;
}

static int op_dev_read(struct fuzz *f, struct region *r, size_t off, size_t n)
{
	uint8_t buf[MAX_REGION];
	unsigned lines = stale_lines(f, r, off, n, stale_for_device);

	f->exp.stale_device_reads += lines;
	f->exp_warn += lines > 0;
	if (vcm_dma_read(f->dev, r->pa + off, buf, n))
		return -1;
	return memcmp(buf, r->ram + off, n) ? -1 : 0;
}

static int op_maint(struct fuzz *f, struct region *r, size_t off, size_t n, unsigned kind)
{
	static const enum vcm_dma_dir dirs[] = { VCM_DMA_BIDIRECTIONAL, VCM_DMA_TO_DEVICE,
						 VCM_DMA_FROM_DEVICE };
	enum vcm_dma_dir dir = dirs[rnd_below(f, 3)];

	switch (kind) {
	case 0:
		model_clean(f, r, off, n);
		if (f->plant_bug && ++f->cleans % 10 == 0)
			return 0;	/* the planted bug: this clean is forgotten */
		return vcm_cache_maint(f->soc, r->pa + off, n, VCM_CACHE_CLEAN);
	case 1:
		model_inv(f, r, off, n);
		return vcm_cache_maint(f->soc, r->pa + off, n, VCM_CACHE_INV);
	case 2:
		model_clean(f, r, off, n);
		model_inv(f, r, off, n);
		return vcm_cache_maint(f->soc, r->pa + off, n, VCM_CACHE_FLUSH);
	case 3:
		model_clean(f, r, off, n);
		if (dir != VCM_DMA_TO_DEVICE)
			model_inv(f, r, off, n);
		return vcm_cache_sync_for_device(f->soc, r->pa + off, n, dir);
	default:
		if (dir != VCM_DMA_TO_DEVICE)
			model_inv(f, r, off, n);
		return vcm_cache_sync_for_cpu(f->soc, r->pa + off, n, dir);
	}
}

static const char *const op_names[] = {
	"cpu-write", "cpu-write-phys", "cpu-read", "dev-write", "dev-read",
	"clean", "invalidate", "flush", "sync-for-device", "sync-for-cpu",
};

static int do_op(struct fuzz *f, unsigned op, struct region *r, size_t off, size_t n)
{
	switch (op) {
	case 0:
	case 1:
		return op_cpu_write(f, r, off, n, op == 1);
	case 2:
		return op_cpu_read(f, r, off, n);
	case 3:
		return op_dev_write(f, r, off, n);
	case 4:
		return op_dev_read(f, r, off, n);
	default:
		return op_maint(f, r, off, n, op - 5);
	}
}

/* The library's copies equal the model's (checked without a warning). */
static int check_copies(struct fuzz *f)
{
	unsigned i;

	for (i = 0; i < NREGIONS; i++)
		if (memcmp(f->r[i].host, f->r[i].cpu, f->r[i].size))
			return -1;
	return 0;
}

static bool stats_equal(const struct vcm_cache_stats *a, const struct vcm_cache_stats *b)
{
	return a->stale_device_reads == b->stale_device_reads &&
	       a->stale_cpu_reads == b->stale_cpu_reads &&
	       a->lost_cpu_writes == b->lost_cpu_writes &&
	       a->lost_device_writes == b->lost_device_writes && a->cleans == b->cleans &&
	       a->invalidates == b->invalidates;
}

static int step(struct fuzz *f)
{
	unsigned op = rnd_below(f, (unsigned)(sizeof(op_names) / sizeof(op_names[0])));
	struct vcm_cache_stats got;
	struct region *r;
	size_t off, n;
	int err;

	pick(f, &r, &off, &n);
	f->exp_warn = 0;
	warnings = 0;
	err = do_op(f, op, r, off, n);
	vcm_soc_get_cache_stats(f->soc, &got);
	if (!err)
		err = check_copies(f);
	if (!err && warnings != f->exp_warn)
		err = -2;
	if (!err && !stats_equal(&got, &f->exp))
		err = -3;
	if (err) {
		fprintf(stderr,
			"vcm-fuzz-cache: step %lu: %s of %s+%#zx, %zu bytes: %s (warnings %u, "
			"model %u; stale device %llu/%llu cpu %llu/%llu lost cpu %llu/%llu "
			"dev %llu/%llu cleans %llu/%llu invalidates %llu/%llu)\n",
			f->step, op_names[op], r->name, off, n,
			err == -1 ? "data differs from the model" :
			err == -2 ? "warnings differ" : "counters differ",
			warnings, f->exp_warn,
			(unsigned long long)got.stale_device_reads,
			(unsigned long long)f->exp.stale_device_reads,
			(unsigned long long)got.stale_cpu_reads,
			(unsigned long long)f->exp.stale_cpu_reads,
			(unsigned long long)got.lost_cpu_writes,
			(unsigned long long)f->exp.lost_cpu_writes,
			(unsigned long long)got.lost_device_writes,
			(unsigned long long)f->exp.lost_device_writes,
			(unsigned long long)got.cleans, (unsigned long long)f->exp.cleans,
			(unsigned long long)got.invalidates, (unsigned long long)f->exp.invalidates);
		return -1;
	}
	return 0;
}

/* ---- set-up ---- */

static int region_init(struct fuzz *f, struct region *r, const char *name, vcm_addr_t pa,
		       size_t size, uint8_t *host)
{
	size_t i;

	r->name = name;
	r->pa = pa;
	r->size = size;
	r->host = host;
	if (!host)
		return -1;
	memcpy(r->cpu, host, size);
	/* allocated: both copies agree; pinned: every byte dirty in the cache */
	for (i = 0; i < size; i++)
		r->ram[i] = r->ref[i] = (uint8_t)(f->pinned && r == &f->r[1] ? ~host[i] : host[i]);
	return 0;
}

static int setup(struct fuzz *f)
{
	struct vcm_cache_config cfg = { .line_size = f->line };
	vcm_addr_t pa;

	f->soc = vcm_soc_create();
	if (vcm_is_err(f->soc) || vcm_soc_add_ram(f->soc, RAM_BASE, RAM_SIZE) ||
	    vcm_soc_set_noncoherent(f->soc, &cfg))
		return -1;
	f->dev = vcm_sysmmu_create(f->soc, "fuzzdev");	/* bypass: DVA == PA */
	if (vcm_is_err(f->dev) || vcm_soc_alloc_pages(f->soc, 1, &pa))
		return -1;
	memset(vcm_soc_phys_to_host(f->soc, pa), 0x5a, 2 * PAGE);
	if (vcm_cache_maint(f->soc, pa, 2 * PAGE, VCM_CACHE_FLUSH) ||
	    region_init(f, &f->r[0], "block", pa, 2 * PAGE, vcm_soc_phys_to_host(f->soc, pa)))
		return -1;
	f->user = aligned_alloc(PAGE, PAGE);
	if (!f->user)
		return -1;
	fill(f, f->user, PAGE);
	f->pinned = vcm_phys_from_user(f->soc, f->user, PAGE, 0);
	if (vcm_is_err(f->pinned))
		return -1;
	if (region_init(f, &f->r[1], "pinned", f->pinned->parts[0].start, PAGE, f->user))
		return -1;
	vcm_soc_get_cache_stats(f->soc, &f->exp);	/* the model counts from here */
	return 0;
}

static void teardown(struct fuzz *f)
{
	vcm_set_warn_handler(on_warn, NULL);
	if (!vcm_is_err_or_null(f->pinned))
		vcm_free(f->pinned);	/* may report unseen device writes */
	free(f->user);
	if (f->r[0].host)
		vcm_soc_free_pages(f->soc, f->r[0].pa, 1);
	if (!vcm_is_err_or_null(f->dev))
		vcm_sysmmu_destroy(f->dev);
	if (!vcm_is_err_or_null(f->soc))
		vcm_soc_destroy(f->soc);
	vcm_set_warn_handler(NULL, NULL);
}

int main(int argc, char **argv)
{
	struct fuzz *f = calloc(1, sizeof(*f));
	unsigned long ops = 20000, vg_ops = 2000, seed = 1;
	int i, ret = 0;

	if (!f)
		return 1;
	f->line = VCM_CACHE_LINE_DEFAULT;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			ops = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--valgrind-ops") && i + 1 < argc)
			vg_ops = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--line") && i + 1 < argc)
			f->line = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-q"))
			f->quiet = true;
		else if (!strcmp(argv[i], "--plant-bug"))
			f->plant_bug = true;
		else {
			fprintf(stderr, "usage: %s [--seed N] [--ops N] [--valgrind-ops N] "
				"[--line N] [-q] [--plant-bug]\n", argv[0]);
			free(f);
			return 2;
		}
	}
	if (getenv("VCM_UNDER_VALGRIND"))
		ops = vg_ops;
	f->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	vcm_set_warn_handler(on_warn, NULL);
	if (setup(f)) {
		fprintf(stderr, "vcm-fuzz-cache: set-up failed\n");
		ret = 1;
	}
	for (f->step = 0; !ret && f->step < ops; f->step++)
		if (step(f))
			ret = 1;
	if (ret)
		fprintf(stderr, "vcm-fuzz-cache: seed %lu, line %u: diverged\n", seed, f->line);
	else if (!f->quiet)
		printf("vcm-fuzz-cache: seed %lu, line %u: %lu steps agree with the model "
		       "(stale device reads %llu, stale CPU reads %llu, lost bytes %llu+%llu)\n",
		       seed, f->line, ops, (unsigned long long)f->exp.stale_device_reads,
		       (unsigned long long)f->exp.stale_cpu_reads,
		       (unsigned long long)f->exp.lost_cpu_writes,
		       (unsigned long long)f->exp.lost_device_writes);
	teardown(f);
	free(f);
	return ret;
}
