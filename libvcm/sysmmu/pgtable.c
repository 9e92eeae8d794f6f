/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pgtable.c - Exynos System MMU v1-v3 page tables living in SoC RAM.
 *
 * The level-1 table is an order-2 block of the SoC.  Level-2 tables are
 * 1 KiB: a small sub-allocator carves SoC blocks of 1 to 16 pages into 4
 * to 64 of them, and a block goes back to the SoC when all its tables are
 * free.  A map takes a block as large as the tables it may still need
 * (lv2_block_order()): one page for a few tables, as before, and one
 * allocation per 64 tables for a map of many.  A table freed by unmap is
 * all-zero (unmap clears entries before a table is freed); a table of a
 * fresh block is not, so map zeroes the part of it that the mapping does
 * not write, then links the table.
 *
 * A 16 MiB supersection (VCM_MAP_SUPERSECTION) is one level-1 entry
 * written in its 16 slots; to the rest of this file each slot is a
 * section, except where a boundary may not cut it (cuts_page()).
 *
 * Host-side bookkeeping per level-1 slot (host address of its level-2
 * table, the page it lives in, the number of valid entries) lets map write
 * runs of entries through one host pointer per table, and lets unmap know
 * when a table becomes empty.
 *
 * On a non-coherent SoC (<vcm/cache.h>) the walker reads RAM, not the CPU's
 * copy this code writes: every write of entries is followed by a clean of
 * them, as Samsung's s5p-vcm.c did with dmac_flush_range() and
 * outer_flush_range() (a table is cleaned before the link to it is written).
 *
 * Locking: pt->lock (biaslock.h: plain stores while one thread uses the
 * table) serialises map, unmap, dump and destroy; entries are written
 * whole (vcm_pte_write(), vcm_pte_write_run()) so that hardware walks may
 * run concurrently (see pgtable.h).  Runs of entries are written and
 * cleared by simple per-table loops that compile to vector code
 * (VCM_VECTOR_LOOPS).
 *
 * One 4 KiB page per call (an MMU driver's activate_page) is the hot case:
 * a live table (checked without a call), a coherent SoC, the lock's owner
 * and an existing level-2 table take a path that makes no call at all
 * (page_lock()); a thread remembers the last four such tables, and then
 * the first three are one test.  Anything else falls back to the general
 * path, which checks everything again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vcm/sysmmu.h>

#include "cache-model.h"
#include "list.h"
#include "pgtable.h"
#include "biaslock.h"
#include "trace.h"

/* The largest block of level-2 tables: 16 pages, 64 tables (one mask bit each). */
#define LV2_BLOCK_MAX_ORDER	4

/* A block of 2^order SoC pages carved into level-2 tables. */
struct lv2_block {
	uint64_t pa;
	uint8_t *host;
	unsigned order;
	uint64_t free_mask;		/* bit i: table i is free */
	uint64_t zero_mask;		/* bit i: free table i is all-zero */
	struct vcm_link partial;	/* on pt->partial while a table is free */
};

/* Host-side state of one level-1 slot. */
struct lv2_slot {
	uint32_t *ptes;			/* level-2 table, NULL if none */
	struct lv2_block *block;
	unsigned used;			/* valid level-2 entries */
};

struct vcm_pgtable {
	struct vcm_soc *soc;
	uint64_t lv1_pa;
	uint32_t *lv1;
	struct vcm_ram_window win;	/* the bank of the level-1 table */
	bool nc;			/* the SoC is non-coherent: clean writes */
	struct vcm_biaslock lock;	/* biased: plain stores for one thread */
	bool counted;			/* this hold may call out (pt_may_call_out()) */
	struct vcm_link partial;	/* blocks with at least one free table */
	unsigned nr_lv2;		/* level-2 tables in use */
	struct lv2_slot slot[VCM_LV1_ENTRIES];
};

/*
 * A hold of pt->lock is a leaf (internal.h) until it calls
 * pt_may_call_out(): writing or clearing one entry of an existing table
 * allocates nothing and never warns; anything else may, and then the
 * hold counts as a lock held (warnings wait until pt_unlock()).
 */
VCM_HOT_INLINE void pt_lock(const struct vcm_pgtable *pt)
{
	vcm_bias_lock((struct vcm_biaslock *)&pt->lock);
}

static void pt_may_call_out(struct vcm_pgtable *pt)
{
	vcm_lock_enter();
	pt->counted = true;
}

VCM_HOT_INLINE void pt_unlock(const struct vcm_pgtable *pt)
{
	bool counted = pt->counted;

	if (counted)
		((struct vcm_pgtable *)pt)->counted = false;
	vcm_bias_unlock((struct vcm_biaslock *)&pt->lock);
	if (counted)
		vcm_lock_leave();
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* End (exclusive) of the level-1 slot holding @dva. */
static uint64_t slot_end(uint64_t dva)
{
	return (dva | VCM_LV1_OFFSET_MASK) + 1;
}

/* ---- cleaning what was written (non-coherent SoC) ---- */

static void clean_lv1(const struct vcm_pgtable *pt, unsigned idx)
{
	if (__builtin_expect(pt->nc, 0))
		vcm_cache_maint_range(pt->soc, pt->lv1_pa + idx * sizeof(uint32_t),
				      sizeof(uint32_t), VCM_CACHE_CLEAN);
}

/* PA of entry @i of the level-2 table of slot @s. */
static uint64_t lv2_entry_pa(const struct lv2_slot *s, unsigned i)
{
	return s->block->pa + (uint64_t)((uint8_t *)(s->ptes + i) - s->block->host);
}

/* Entries [first, first + n) of the level-2 table of slot @idx. */
static void clean_lv2(const struct vcm_pgtable *pt, unsigned idx, unsigned first, unsigned n)
{
	if (__builtin_expect(pt->nc, 0))
		vcm_cache_maint_range(pt->soc, lv2_entry_pa(&pt->slot[idx], first),
				      n * sizeof(uint32_t), VCM_CACHE_CLEAN);
}

/* ---- level-2 table sub-allocator ---- */

/*
 * The host memory of the SoC block at @pa, if it is contiguous there (a
 * bank with redirected pages gives runs of one page: each is checked).
 */
static uint8_t *block_host(struct vcm_soc *soc, uint64_t pa, unsigned order)
{
	vcm_size_t run;
	uint8_t *host = vcm_soc_host_run(soc, pa, &run);
	uint64_t off;

	for (off = run; host && off < VCM_ORDER_BYTES(order); off += run)
		if (vcm_soc_host_run(soc, pa + off, &run) != host + off)
			return NULL;
	return host;
}

/* The free mask of a whole block of @order. */
static uint64_t lv2_block_all(unsigned order)
{
	return ~0ULL >> (64 - (VCM_LV2_TABLES_PER_PAGE << order));
}

/*
 * The order of a new block for a map that may still need @tables tables:
 * the largest block it fills (at most LV2_BLOCK_MAX_ORDER), so a map holds
 * no more pages than one page per four tables would.
 */
static unsigned lv2_block_order(unsigned tables)
{
	unsigned pages = (tables + VCM_LV2_TABLES_PER_PAGE - 1) / VCM_LV2_TABLES_PER_PAGE;
	unsigned order = pages > 1 ? 31 - (unsigned)__builtin_clz(pages) : 0;

	return order < LV2_BLOCK_MAX_ORDER ? order : LV2_BLOCK_MAX_ORDER;
}

static void partial_add(struct vcm_pgtable *pt, struct lv2_block *b)
{
	vcm_list_add(&pt->partial, &b->partial);
}

static void partial_del(struct lv2_block *b)
{
	vcm_list_del(&b->partial);
}

/* A new block for @tables tables, or smaller ones when the SoC has no such block. */
static struct lv2_block *lv2_block_new(struct vcm_pgtable *pt, unsigned tables)
{
	struct lv2_block *b = vcm_calloc(1, sizeof(*b));
	unsigned order = lv2_block_order(tables);

	if (!b)
		return NULL;
	if (vcm_should_fail(VCM_FAIL_PGTABLE, VCM_ORDER_BYTES(order)))
		goto err_free;
	while (vcm_soc_alloc_pages(pt->soc, order, &b->pa))
		if (!order--)
			goto err_free;
	b->order = order;
	b->host = block_host(pt->soc, b->pa, order);
	if (!b->host)
		goto err_pages;
	b->free_mask = lv2_block_all(order);
	b->zero_mask = 0;		/* RAM as the last owner left it */
	partial_add(pt, b);
	return b;

err_pages:
	vcm_soc_free_pages(pt->soc, b->pa, order);
err_free:
	free(b);
	return NULL;
}

/*
 * Give slot @idx a level-2 table (not linked yet: the caller fills it, then
 * calls lv2_table_link()); a new block is sized for @tables tables.
 * Returns 1 if the table is all-zero, 0 if its contents are unknown, or
 * -ENOMEM.
 */
static int lv2_table_alloc(struct vcm_pgtable *pt, unsigned idx, unsigned tables)
{
	struct lv2_slot *s = &pt->slot[idx];
	struct lv2_block *b = vcm_list_first(&pt->partial, struct lv2_block, partial);
	unsigned i;
	uint64_t bit;

	if (!b) {
		b = lv2_block_new(pt, tables);
		if (!b)
			return -ENOMEM;
	}
	i = (unsigned)__builtin_ctzll(b->free_mask);
	bit = 1ULL << i;
	b->free_mask &= ~bit;
	if (!b->free_mask)
		partial_del(b);

	s->ptes = (uint32_t *)(b->host + i * VCM_LV2_TABLE_BYTES);
	s->block = b;
	s->used = 0;
	pt->nr_lv2++;
	if (!(b->zero_mask & bit))
		return 0;
	b->zero_mask &= ~bit;
	return 1;
}

/* Publish the table of slot @idx: walkers that see the link see it whole. */
static void lv2_table_link(struct vcm_pgtable *pt, unsigned idx)
{
	vcm_lv1_write_release(&pt->lv1[idx], vcm_mk_lv1_link(lv2_entry_pa(&pt->slot[idx], 0)));
	clean_lv1(pt, idx);
}

/* Unlink and free the (all-zero) level-2 table of @slot. */
static void lv2_table_free(struct vcm_pgtable *pt, unsigned idx)
{
	struct lv2_slot *s = &pt->slot[idx];
	struct lv2_block *b = s->block;
	unsigned i = (unsigned)(((uint8_t *)s->ptes - b->host) / VCM_LV2_TABLE_BYTES);

	vcm_pte_write(&pt->lv1[idx], 0);
	clean_lv1(pt, idx);
	s->ptes = NULL;
	s->block = NULL;
	s->used = 0;
	pt->nr_lv2--;

	if (!b->free_mask)
		partial_add(pt, b);
	b->free_mask |= 1ULL << i;
	b->zero_mask |= 1ULL << i;
	if (b->free_mask == lv2_block_all(b->order)) {
		partial_del(b);
		vcm_soc_free_pages(pt->soc, b->pa, b->order);
		free(b);
	}
}

/* ---- create / destroy ---- */

VCM_TRACE_BODY struct vcm_pgtable *do_pgtable_create(struct vcm_soc *soc)
{
	struct vcm_pgtable *pt;
	uint8_t *host;

	if (!soc)
		return vcm_err_ptr(-EINVAL);
	pt = vcm_calloc(1, sizeof(*pt));
	if (!pt)
		return vcm_err_ptr(-ENOMEM);
	pt->soc = soc;
	vcm_list_init(&pt->partial);
	if (vcm_should_fail(VCM_FAIL_PGTABLE, VCM_LV1_TABLE_BYTES) ||
	    vcm_soc_alloc_pages(soc, VCM_LV1_TABLE_ORDER, &pt->lv1_pa))
		goto err_free;
	if (pt->lv1_pa + VCM_LV1_TABLE_BYTES > VCM_PT_ADDR_LIMIT)
		goto err_pages;		/* the format cannot point at it */

	/* An allocated block is ordinary RAM: contiguous on the host. */
	host = block_host(soc, pt->lv1_pa, VCM_LV1_TABLE_ORDER);
	if (!host)
		goto err_pages;
	pt->lv1 = (uint32_t *)host;
	vcm_soc_ram_window(soc, pt->lv1_pa, &pt->win);
	memset(pt->lv1, 0, VCM_LV1_TABLE_BYTES);
	pt->nc = vcm_soc_cache(soc) != NULL;
	if (pt->nc)
		vcm_cache_maint_range(soc, pt->lv1_pa, VCM_LV1_TABLE_BYTES, VCM_CACHE_CLEAN);
	/* pt->lock: zeroed by vcm_calloc(); its revocation voids mine (below) */
	pt->lock.revocations = vcm_reg_forget_count(VCM_KIND_PGTABLE);
	if (vcm_reg_add(pt, VCM_KIND_PGTABLE, NULL, "vcm_pgtable_create"))
		goto err_pages;
	return pt;

err_pages:
	vcm_soc_free_pages(soc, pt->lv1_pa, VCM_LV1_TABLE_ORDER);
err_free:
	free(pt);
	return vcm_err_ptr(-ENOMEM);
}

VCM_TRACED_FN(struct vcm_pgtable *, vcm_pgtable_create, (struct vcm_soc *soc),
	      do_pgtable_create, (soc),
	      PGTABLE_CREATE, soc, ret)

VCM_TRACE_BODY void do_pgtable_destroy(struct vcm_pgtable *pt)
{
	unsigned idx;

	if (!vcm_pgtable_ok(pt, "vcm_pgtable_destroy"))
		return;
	vcm_reg_del(pt, VCM_KIND_PGTABLE);
	for (idx = 0; idx < VCM_LV1_ENTRIES; idx++) {
		struct lv2_slot *s = &pt->slot[idx];

		if (s->ptes)
			lv2_table_free(pt, idx);	/* all its pages go back */
	}
	vcm_soc_free_pages(pt->soc, pt->lv1_pa, VCM_LV1_TABLE_ORDER);
	free(pt);
}

VCM_TRACED_VOID(vcm_pgtable_destroy, (struct vcm_pgtable *pt), do_pgtable_destroy, (pt),
		PGTABLE_DESTROY, pt)

VCM_TRACE_BODY vcm_addr_t do_pgtable_base(const struct vcm_pgtable *pt)
{
	return vcm_pgtable_ok(pt, "vcm_pgtable_base") ? pt->lv1_pa : 0;
}

VCM_TRACED_FN(vcm_addr_t, vcm_pgtable_base, (const struct vcm_pgtable *pt), do_pgtable_base, (pt),
	      PGTABLE_BASE, pt, (uint64_t)ret)

/* ---- map ---- */

/* [dva, dva + size) and [pa, pa + size): whole pages below 4 GiB, not empty. */
static bool ranges_ok(uint64_t dva, uint64_t pa, uint64_t size)
{
	return size && VCM_IS_ALIGNED(dva | pa | size, VCM_PAGE_SIZE) &&
	       size <= VCM_PT_ADDR_LIMIT && dva <= VCM_PT_ADDR_LIMIT - size &&
	       pa <= VCM_PT_ADDR_LIMIT - size;
}

static bool range_ok(uint64_t addr, uint64_t size)
{
	return ranges_ok(addr, 0, size);
}

/*
 * ranges_ok() for one 4 KiB page: @dva and @pa page-aligned and below
 * 4 GiB (a page that starts there also ends there), in one test.
 */
static bool page_ok(uint64_t dva, uint64_t pa)
{
	return !((dva | pa) & ~(VCM_PT_ADDR_LIMIT - VCM_SMALL_SIZE));
}

/* True if any of @n level-2 entries from @p is valid (lock held). */
static VCM_VECTOR_LOOPS bool lv2_any_valid(const uint32_t *p, unsigned n)
{
	uint32_t acc = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return (acc & VCM_PT_TYPE_MASK) != 0;
}

static bool range_busy(const struct vcm_pgtable *pt, uint64_t dva, uint64_t end)
{
	while (dva < end) {
		uint64_t next = min_u64(end, slot_end(dva));
		unsigned idx = vcm_lv1_index(dva);
		uint32_t e = vcm_pte_read(&pt->lv1[idx]);
		const struct lv2_slot *s = &pt->slot[idx];

		if (vcm_lv1_is_section(e))
			return true;
		if (s->ptes && s->used &&
		    lv2_any_valid(s->ptes + vcm_lv2_index(dva),
				  (unsigned)((next - dva) >> VCM_SMALL_SHIFT)))
			return true;
		dva = next;
	}
	return false;
}

/*
 * The loops that write runs of entries: one entry per iteration, vector
 * stores once compiled (vcm_pte_write_run()).
 */

/* Write @n small-page entries from @p, mapping @pa on. */
static VCM_VECTOR_LOOPS void fill_small(uint32_t *p, uint64_t pa, unsigned n)
{
	uint32_t e = vcm_mk_small(pa);
	unsigned i;

	for (i = 0; i < n; i++, e += VCM_SMALL_SIZE)
		vcm_pte_write_run(&p[i], e);
}

/* Write @nlarge large pages (16 entries each) from @p, mapping @pa on. */
static VCM_VECTOR_LOOPS void fill_large(uint32_t *p, uint64_t pa, unsigned nlarge)
{
	uint32_t e = vcm_mk_large(pa);
	unsigned i;

	for (i = 0; i < nlarge * VCM_LARGE_ENTRIES; i++)
		vcm_pte_write_run(&p[i], e + ((i / VCM_LARGE_ENTRIES) << VCM_LARGE_SHIFT));
}

/* Clear @n entries from @p. */
static VCM_VECTOR_LOOPS void zero_entries(uint32_t *p, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		vcm_pte_write_run(&p[i], 0);
}

static void fill_lv2(uint32_t *p, uint64_t dva, uint64_t pa, unsigned n)
{
	unsigned head, nlarge;

	if ((dva ^ pa) & (VCM_LARGE_SIZE - 1)) {
		fill_small(p, pa, n);		/* never large-aligned together */
		return;
	}
	head = (unsigned)((-dva & (VCM_LARGE_SIZE - 1)) >> VCM_SMALL_SHIFT);
	if (head > n)
		head = n;
	fill_small(p, pa, head);
	p += head;
	pa += (uint64_t)head << VCM_SMALL_SHIFT;
	n -= head;

	nlarge = n / VCM_LARGE_ENTRIES;
	fill_large(p, pa, nlarge);
	p += nlarge * VCM_LARGE_ENTRIES;
	pa += (uint64_t)nlarge << VCM_LARGE_SHIFT;
	n -= nlarge * VCM_LARGE_ENTRIES;

	fill_small(p, pa, n);
}

/*
 * Write [dva, dva + len) (inside one level-1 slot) into its level-2 table;
 * a new table comes from a block sized for @tables.
 */
static int map_lv2(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa, uint64_t len,
		   unsigned tables)
{
	unsigned idx = vcm_lv1_index(dva), first = vcm_lv2_index(dva);
	struct lv2_slot *s = &pt->slot[idx];
	unsigned n = (unsigned)(len >> VCM_SMALL_SHIFT);
	int fresh = 0;

	if (!s->ptes) {
		fresh = lv2_table_alloc(pt, idx, tables);
		if (fresh < 0)
			return fresh;
		if (!fresh && n < VCM_LV2_ENTRIES) {	/* zero what the mapping leaves */
			zero_entries(s->ptes, first);
			zero_entries(s->ptes + first + n, VCM_LV2_ENTRIES - first - n);
		}
		fresh = 1;
	}
	fill_lv2(s->ptes + first, dva, pa, n);
	s->used += n;
	if (fresh) {
		clean_lv2(pt, idx, 0, VCM_LV2_ENTRIES);
		lv2_table_link(pt, idx);
	} else {
		clean_lv2(pt, idx, first, n);
	}
	return 0;
}

/* Write the 16 level-1 slots of the supersection at @dva (16 MiB-aligned). */
static void map_supersection(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa)
{
	unsigned idx = vcm_lv1_index(dva), i;

	for (i = 0; i < VCM_SUPERSECTION_ENTRIES; i++) {
		vcm_pte_write(&pt->lv1[idx + i], vcm_mk_supersection(pa));
		clean_lv1(pt, idx + i);
	}
}

/* True if a supersection may map [dva, dva + 16 MiB) to @pa. */
static bool supersection_fits(uint64_t dva, uint64_t pa, uint64_t left, bool allowed)
{
	return allowed && left >= VCM_SUPERSECTION_SIZE &&
	       VCM_IS_ALIGNED(dva | pa, VCM_SUPERSECTION_SIZE);
}

/*
 * The level-2 tables that mapping [dva, end) to @pa on needs at most, when
 * the slot of @dva needs one: one per slot if DVA and PA are not 1 MiB-
 * aligned together (no sections), else this one and the last slot's if
 * the range ends inside another slot.
 */
static unsigned tables_wanted(uint64_t dva, uint64_t pa, uint64_t end)
{
	unsigned first = vcm_lv1_index(dva), last = vcm_lv1_index(end - 1);

	if ((dva ^ pa) & VCM_LV1_OFFSET_MASK)
		return last - first + 1;
	return 1 + (first != last && !VCM_IS_ALIGNED(end, VCM_LV1_SIZE));
}

/*
 * Map [dva, dva + size); *done tells how far it got on failure.  With
 * @super, 16 MiB-aligned parts become supersections.
 */
static int map_range(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa, uint64_t size,
		     bool super, uint64_t *done)
{
	uint64_t end = dva + size;

	*done = 0;
	while (dva < end) {
		uint64_t step = min_u64(end, slot_end(dva)) - dva;

		if (supersection_fits(dva, pa, end - dva, super)) {
			map_supersection(pt, dva, pa);
			step = VCM_SUPERSECTION_SIZE;
		} else if (step == VCM_LV1_SIZE && VCM_IS_ALIGNED(pa, VCM_LV1_SIZE)) {
			vcm_pte_write(&pt->lv1[vcm_lv1_index(dva)], vcm_mk_section(pa));
			clean_lv1(pt, vcm_lv1_index(dva));
		} else {
			int err = map_lv2(pt, dva, pa, step, tables_wanted(dva, pa, end));

			if (err)
				return err;
		}
		dva += step;
		pa += step;
		*done += step;
	}
	return 0;
}

static uint64_t unmap_range(struct vcm_pgtable *pt, uint64_t dva, uint64_t end);

/*
 * The level-2 entry of @dva if its slot has a table, else NULL.  A slot
 * with a table is linked and has valid entries (a table is freed when its
 * last entry goes), so its level-1 entry is no section.
 */
static uint32_t *lv2_entry(const struct vcm_pgtable *pt, uint64_t dva)
{
	uint32_t *ptes = pt->slot[vcm_lv1_index(dva)].ptes;

	return ptes ? ptes + vcm_lv2_index(dva) : NULL;
}

/*
 * One 4 KiB page into an existing table (the activate_page path of MMU
 * drivers): one entry checked and written, without the run machinery;
 * cleaned if @nc (pt->nc: a constant where the caller knows it).  False
 * if @size is not one page or the slot has no table yet; else *@err.
 */
VCM_HOT_INLINE bool map_one_small(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa,
				  uint64_t size, bool nc, int *err)
{
	uint32_t *p = size == VCM_SMALL_SIZE ? lv2_entry(pt, dva) : NULL;

	if (!p)
		return false;
	*err = 0;
	if (!vcm_lv2_is_fault(vcm_pte_read(p))) {
		*err = -EADDRINUSE;
		return true;
	}
	vcm_pte_write(p, vcm_mk_small(pa));
	if (nc)
		clean_lv2(pt, vcm_lv1_index(dva), vcm_lv2_index(dva), 1);
	pt->slot[vcm_lv1_index(dva)].used++;
	return true;
}

/* Everything else: the run machinery, out of line. */
static __attribute__((noinline)) int map_runs(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa,
					      uint64_t size, bool super)
{
	uint64_t done;
	int err;

	pt_may_call_out(pt);
	if (range_busy(pt, dva, dva + size))
		return -EADDRINUSE;
	err = map_range(pt, dva, pa, size, super, &done);
	if (err)
		unmap_range(pt, dva, dva + done);
	return err;
}

VCM_HOT_INLINE int map_locked(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa, uint64_t size,
			      bool super)
{
	int err;

	if (map_one_small(pt, dva, pa, size, pt->nc, &err))
		return err;
	return map_runs(pt, dva, pa, size, super);
}

/*
 * This thread's memory (registry.h) of the last page tables it used one
 * page per call that were live, on a coherent SoC (no clean to call) and
 * with their lock biased to this thread, the last found first: while it
 * tells, those three are one test (of the first inline, of the others out
 * of line).  Voided by any table leaving and by the revocation of any
 * table's bias (pt->lock.revocations).
 */
#define MINE	4
static __thread struct vcm_reg_seen mine[MINE] __attribute__((tls_model("initial-exec")));

/*
 * Remember @pt (found live after the count was @n) first in mine, the
 * others one place on (the last forgotten).  Field by field: the next call
 * reads them so.
 */
static void mine_add(const struct vcm_pgtable *pt, uint64_t n)
{
	unsigned i;

	for (i = MINE - 1; i; i--) {
		mine[i].h = mine[i - 1].h;
		mine[i].releases = mine[i - 1].releases;
	}
	mine[0].h = pt;
	mine[0].releases = n;
}

/* True if this thread remembers @pt other than first (mine). */
static bool mine_find(const struct vcm_pgtable *pt, uint64_t n)
{
	unsigned i;

	for (i = 1; i < MINE; i++)
		if (vcm_reg_seen_matches(&mine[i], pt, n))
			return true;
	return false;
}

/*
 * The count that voids what threads remember of tables (mine, readable),
 * now: read before a table is found live.
 */
VCM_HOT_INLINE uint64_t tables_seen_count(void)
{
	return atomic_load_explicit(vcm_reg_forget_count(VCM_KIND_PGTABLE), memory_order_acquire);
}

/*
 * Lock @pt for one 4 KiB page (@size, at @dva, @pa: page_ok()) by its
 * owner's plain stores: true if the page may take the fast path, now
 * holding the lock.  @n: tables_seen_count() on entry.  @known: the table
 * this thread found last (mine[0]: live, coherent, its lock biased to this
 * thread: one test); else another it remembers, or those three tested one
 * by one (vcm_reg_live_fast()) and the table remembered if they hold.  It
 * makes no call, so the public function needs no stack frame for it.
 * False, with nothing changed, in every other case.
 */
VCM_HOT_INLINE bool page_lock(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa, uint64_t size,
			      uint64_t n, bool known)
{
	if (size != VCM_SMALL_SIZE || !page_ok(dva, pa))
		return false;
	if (known ? vcm_reg_seen_matches(&mine[0], pt, n) : mine_find(pt, n))
		return vcm_bias_lock_known(&pt->lock, vcm_reg_forget_count(VCM_KIND_PGTABLE), n);
	if (known || !vcm_reg_live_fast(pt, VCM_KIND_PGTABLE) || pt->nc ||
	    !vcm_bias_lock_fast(&pt->lock))
		return false;
	mine_add(pt, n);
	return true;
}

/* The general path: every check, the lock however it is held, any range. */
static __attribute__((noinline)) int map_checked(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa,
						 uint64_t size, unsigned prot)
{
	int err;

	/* the v1-v3 format has no permission bits: only the page-size flag counts */
	if (!vcm_pgtable_ok(pt, "vcm_pgtable_map") || !ranges_ok(dva, pa, size))
		return -EINVAL;

	pt_lock(pt);
	err = map_locked(pt, dva, pa, size, (prot & VCM_MAP_SUPERSECTION) != 0);
	pt_unlock(pt);
	return err;
}

static int map_other(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa, uint64_t size,
		     unsigned prot, uint64_t n);

/*
 * A map: one page by the fast path if page_lock() allows (@known: see
 * there), else map_other() for a table this thread does not remember, else
 * the general path.
 */
VCM_HOT_INLINE int map_page(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa, uint64_t size,
			    unsigned prot, uint64_t n, bool known)
{
	bool done;
	int err;

	if (page_lock(pt, dva, pa, size, n, known)) {
		done = map_one_small(pt, dva, pa, size, false /* coherent */, &err);
		vcm_bias_unlock_fast(&pt->lock);
		if (done)
			return err;
	}
	return known ? map_other(pt, dva, pa, size, prot, n) : map_checked(pt, dva, pa, size, prot);
}

/* map_page() for a table this thread does not remember, out of line. */
static __attribute__((noinline)) int map_other(struct vcm_pgtable *pt, uint64_t dva, uint64_t pa,
					       uint64_t size, unsigned prot, uint64_t n)
{
	return map_page(pt, dva, pa, size, prot, n, false);
}

VCM_TRACE_BODY int do_pgtable_map(struct vcm_pgtable *pt, vcm_addr_t dva, vcm_addr_t pa,
			       vcm_size_t size, unsigned prot)
{
	return map_page(pt, dva, pa, size, prot, tables_seen_count(), true);
}

VCM_TRACED_FN(int, vcm_pgtable_map, (struct vcm_pgtable *pt, vcm_addr_t dva, vcm_addr_t pa,
	      vcm_size_t size, unsigned prot), do_pgtable_map, (pt, dva, pa, size, prot),
	      PGTABLE_MAP, pt, (uint64_t)dva, (uint64_t)pa, (uint64_t)size, prot, ret)

/* ---- unmap ---- */

/* True if boundary @b lies strictly inside a (super)section or large page. */
static bool cuts_page(const struct vcm_pgtable *pt, uint64_t b)
{
	unsigned idx;
	uint32_t e;

	if (b >= VCM_PT_ADDR_LIMIT)
		return false;
	idx = vcm_lv1_index(b);
	e = vcm_pte_read(&pt->lv1[idx]);
	if (vcm_lv1_is_supersection(e))
		return !VCM_IS_ALIGNED(b, VCM_SUPERSECTION_SIZE);
	if (vcm_lv1_is_section(e))
		return !VCM_IS_ALIGNED(b, VCM_LV1_SIZE);
	if (!pt->slot[idx].ptes)
		return false;
	e = vcm_pte_read(&pt->slot[idx].ptes[vcm_lv2_index(b)]);
	return vcm_lv2_is_large(e) && !VCM_IS_ALIGNED(b, VCM_LARGE_SIZE);
}

/* Clear @n level-2 entries from @p; returns how many were valid (lock held). */
static VCM_VECTOR_LOOPS unsigned clear_lv2(uint32_t *p, unsigned n)
{
	unsigned i, valid = 0;

	for (i = 0; i < n; i++) {
		valid += (p[i] & VCM_PT_TYPE_MASK) != 0;
		vcm_pte_write_run(&p[i], 0);
	}
	return valid;
}

/* Unmap everything in [dva, end), which cuts no page; returns bytes unmapped. */
static uint64_t unmap_range(struct vcm_pgtable *pt, uint64_t dva, uint64_t end)
{
	uint64_t bytes = 0;

	while (dva < end) {
		uint64_t next = min_u64(end, slot_end(dva));
		unsigned idx = vcm_lv1_index(dva);
		struct lv2_slot *s = &pt->slot[idx];
		uint32_t e = vcm_pte_read(&pt->lv1[idx]);

		if (vcm_lv1_is_section(e)) {
			vcm_pte_write(&pt->lv1[idx], 0);
			clean_lv1(pt, idx);
			bytes += VCM_LV1_SIZE;
		} else if (s->ptes && next - dva == VCM_LV1_SIZE) {
			unsigned n = s->used;	/* the whole table: no need to count */

			zero_entries(s->ptes, VCM_LV2_ENTRIES);
			clean_lv2(pt, idx, 0, VCM_LV2_ENTRIES);
			s->used = 0;
			bytes += (uint64_t)n << VCM_SMALL_SHIFT;
			lv2_table_free(pt, idx);
		} else if (s->ptes) {
			unsigned n = clear_lv2(s->ptes + vcm_lv2_index(dva),
					       (unsigned)((next - dva) >> VCM_SMALL_SHIFT));

			clean_lv2(pt, idx, vcm_lv2_index(dva),
				  (unsigned)((next - dva) >> VCM_SMALL_SHIFT));
			s->used -= n;
			bytes += (uint64_t)n << VCM_SMALL_SHIFT;
			if (!s->used)
				lv2_table_free(pt, idx);
		}
		dva = next;
	}
	return bytes;
}

/*
 * One 4 KiB page of an existing table, unless it is a large page's or the
 * table's last (freeing the table may call out): one entry checked and
 * cleared, cleaned if @nc (as for map_one_small()).  False if it is not
 * such a page; else *@bytes unmapped.
 */
VCM_HOT_INLINE bool unmap_one_small(struct vcm_pgtable *pt, uint64_t dva, uint64_t size,
				    bool nc, uint64_t *bytes)
{
	uint32_t *p = size == VCM_SMALL_SIZE ? lv2_entry(pt, dva) : NULL;
	struct lv2_slot *s = &pt->slot[vcm_lv1_index(dva)];
	uint32_t e;

	if (!p)
		return false;
	e = vcm_pte_read(p);
	*bytes = 0;
	if (vcm_lv2_is_fault(e))
		return true;
	if (vcm_lv2_is_large(e) || s->used == 1)
		return false;
	vcm_pte_write(p, 0);
	if (nc)
		clean_lv2(pt, vcm_lv1_index(dva), vcm_lv2_index(dva), 1);
	s->used--;
	*bytes = VCM_SMALL_SIZE;
	return true;
}

/* Everything else, out of line. */
static __attribute__((noinline)) uint64_t unmap_runs(struct vcm_pgtable *pt, uint64_t dva,
						     uint64_t size)
{
	pt_may_call_out(pt);
	if (cuts_page(pt, dva) || cuts_page(pt, dva + size))
		return 0;
	return unmap_range(pt, dva, dva + size);
}

VCM_HOT_INLINE uint64_t unmap_locked(struct vcm_pgtable *pt, uint64_t dva, uint64_t size)
{
	uint64_t bytes;

	if (unmap_one_small(pt, dva, size, pt->nc, &bytes))
		return bytes;
	return unmap_runs(pt, dva, size);
}

/* The general path of unmap. */
static __attribute__((noinline)) uint64_t unmap_checked(struct vcm_pgtable *pt, uint64_t dva,
						       uint64_t size)
{
	uint64_t bytes;

	if (!vcm_pgtable_ok(pt, "vcm_pgtable_unmap") || !range_ok(dva, size)) {
		if (vcm_reg_live(pt, VCM_KIND_PGTABLE) || vcm_is_err_or_null(pt))
			vcm_warn("vcm_pgtable_unmap: bad arguments (pt %p dva %#llx size %#llx)",
				 (void *)pt, (unsigned long long)dva, (unsigned long long)size);
		return 0;
	}
	pt_lock(pt);
	bytes = unmap_locked(pt, dva, size);
	pt_unlock(pt);
	return bytes;
}

static uint64_t unmap_other(struct vcm_pgtable *pt, uint64_t dva, uint64_t size, uint64_t n);

/* An unmap, as map_page() a map. */
VCM_HOT_INLINE uint64_t unmap_page(struct vcm_pgtable *pt, uint64_t dva, uint64_t size,
				   uint64_t n, bool known)
{
	uint64_t bytes;
	bool done;

	if (page_lock(pt, dva, 0, size, n, known)) {
		done = unmap_one_small(pt, dva, size, false /* coherent */, &bytes);
		vcm_bias_unlock_fast(&pt->lock);
		if (done)
			return bytes;
	}
	return known ? unmap_other(pt, dva, size, n) : unmap_checked(pt, dva, size);
}

static __attribute__((noinline)) uint64_t unmap_other(struct vcm_pgtable *pt, uint64_t dva,
						      uint64_t size, uint64_t n)
{
	return unmap_page(pt, dva, size, n, false);
}

VCM_TRACE_BODY vcm_size_t do_pgtable_unmap(struct vcm_pgtable *pt, vcm_addr_t dva,
					vcm_size_t size)
{
	return unmap_page(pt, dva, size, tables_seen_count(), true);
}

VCM_TRACED_FN(vcm_size_t, vcm_pgtable_unmap,
	      (struct vcm_pgtable *pt, vcm_addr_t dva, vcm_size_t size),
	      do_pgtable_unmap, (pt, dva, size),
	      PGTABLE_UNMAP, pt, (uint64_t)dva, (uint64_t)size, (uint64_t)ret)

/* ---- walk ---- */

const uint32_t *vcm_pgtable_entry_slow(struct vcm_soc *soc, uint64_t pa,
				       struct vcm_ram_window *win)
{
	const uint32_t *p;

	if (!vcm_soc_ram_window(soc, pa, win)) {
		p = vcm_ram_window_host(win, pa);
		if (p)
			return p;
	}
	if (win->device) {
		vcm_size_t run;

		return vcm_soc_dev_run(soc, pa, &run);
	}
	return vcm_soc_phys_to_host(soc, pa);
}

enum vcm_walk_result vcm_pgtable_walk_slow(struct vcm_soc *soc, uint64_t base, uint64_t dva,
					   struct vcm_walk *w, struct vcm_ram_window *win)
{
	struct vcm_walk_cursor c = { .valid = false };

	return vcm_pgtable_walk_next(soc, base, dva, w, win, &c);
}

enum vcm_walk_result vcm_pgtable_walk_lv1(struct vcm_soc *soc, uint64_t base, uint64_t dva,
					  struct vcm_walk *w, struct vcm_ram_window *win,
					  struct vcm_walk_cursor *c)
{
	uint64_t pa = base + vcm_lv1_index(dva) * sizeof(uint32_t);
	const uint32_t *p = vcm_pgtable_entry(soc, pa, win);
	enum vcm_walk_result r;
	uint32_t e;

	c->valid = false;
	w->stale = false;
	w->pte_host = vcm_ram_window_host(win, pa);	/* read through the window */
	if (!p) {
		w->reads = 1;
		w->pte_pa = pa;
		return VCM_WALK_BUS_ERROR;
	}
	e = vcm_lv1_read_acquire(p);
	c->check = vcm_pgtable_walk_checks(soc, win);
	if (c->check)
		vcm_pgtable_walk_check(soc, pa, e, w);
	r = vcm_walk_lv1(w, pa, e);
	if (r != VCM_WALK_NEXT)
		return r;
	c->valid = true;
	c->lv1_index = (uint32_t)vcm_lv1_index(dva);
	c->link = e;
	c->lv1_pa = pa;
	c->lv1 = *w;
	return r;
}

void vcm_pgtable_walk_check(struct vcm_soc *soc, uint64_t pa, uint32_t e, struct vcm_walk *w)
{
	if (w->stale || !vcm_cache_pte_stale(soc, pa, &w->stale_cpu, &w->stale_maint))
		return;
	w->stale = true;
	w->stale_pa = pa;
	w->stale_ram = e;
}

/* PA of byte @dva of the page walk @w found. */
static uint64_t walk_phys(const struct vcm_walk *w, uint64_t dva)
{
	return w->pa_base + (dva & ((1ULL << w->page_shift) - 1));
}

/*
 * vcm_pgtable_dva_to_phys() all the way: every check, the walk for every
 * case.  Out of line, so that the common case below stays a leaf.
 */
static __attribute__((noinline)) int dva_to_phys_slow(const struct vcm_pgtable *pt,
						      vcm_addr_t dva, vcm_addr_t *pa)
{
	struct vcm_ram_window win;
	struct vcm_walk w;

	if (!vcm_pgtable_ok(pt, "vcm_pgtable_dva_to_phys") || !pa || dva >= VCM_PT_ADDR_LIMIT)
		return -EINVAL;
	win = pt->win;		/* a copy: concurrent calls may move theirs */
	if (vcm_pgtable_walk_slow(pt->soc, pt->lv1_pa, dva, &w, &win) != VCM_WALK_OK)
		return -ENOENT;
	*pa = walk_phys(&w, dva);
	return 0;
}

/*
 * This thread's memory (registry.h) of the last table it translated
 * through that was live with its window open (no page of its bank
 * redirected): while it tells, that is one test.  Voided by any table
 * leaving and by a bank's first redirected page (soc.c).
 */
static __thread struct vcm_reg_seen readable __attribute__((tls_model("initial-exec")));

/*
 * A translation by the fast path: good arguments, a live table whose
 * window is open (@known: the one this thread remembers, one test; else
 * asked, vcm_reg_live_fast(), and remembered), level 1 read through the
 * table's own pointer (its pages are the table's, never redirected: what
 * the window would give) and level 2 through its window (a CPU's, which
 * checks nothing).  1 if that cannot tell, else 0 or -ENOENT.
 */
VCM_HOT_INLINE int dva_to_phys_fast(const struct vcm_pgtable *pt, vcm_addr_t dva,
				    vcm_addr_t *pa, bool known)
{
	unsigned idx = vcm_lv1_index(dva);
	uint64_t n = tables_seen_count();
	enum vcm_walk_result r;
	struct vcm_walk w;

	if (!pa || dva >= VCM_PT_ADDR_LIMIT)
		return 1;
	if (known ? !vcm_reg_seen_matches(&readable, pt, n)
		  : !vcm_reg_live_fast(pt, VCM_KIND_PGTABLE) || !vcm_ram_window_open(&pt->win))
		return 1;
	if (!known)
		readable = (struct vcm_reg_seen){ .h = pt, .releases = n };
	r = vcm_pgtable_walk_fast_at(pt->lv1_pa + idx * sizeof(uint32_t), &pt->lv1[idx], dva, &w,
				     &pt->win);
	if (r == VCM_WALK_OK) {
		*pa = walk_phys(&w, dva);
		return 0;
	}
	return r == VCM_WALK_SLOW ? 1 : -ENOENT;
}

/* A table this thread does not remember, out of line: asked, then as above. */
static __attribute__((noinline)) int dva_to_phys_other(const struct vcm_pgtable *pt,
						       vcm_addr_t dva, vcm_addr_t *pa)
{
	int ret = dva_to_phys_fast(pt, dva, pa, false);

	return ret <= 0 ? ret : dva_to_phys_slow(pt, dva, pa);
}

VCM_TRACE_BODY int do_pgtable_dva_to_phys(const struct vcm_pgtable *pt, vcm_addr_t dva,
				       vcm_addr_t *pa)
{
	int ret = dva_to_phys_fast(pt, dva, pa, true);

	return __builtin_expect(ret <= 0, 1) ? ret : dva_to_phys_other(pt, dva, pa);
}

VCM_TRACED_FN(int, vcm_pgtable_dva_to_phys,
	      (const struct vcm_pgtable *pt, vcm_addr_t dva, vcm_addr_t *pa),
	      do_pgtable_dva_to_phys, (pt, dva, pa),
	      PGTABLE_DVA_TO_PHYS, pt, (uint64_t)dva, ret, (uint64_t)(ret ? 0 : pa ? *pa : 0))

/* ---- dump ---- */

const char *vcm_page_size_name(unsigned page_shift)
{
	switch (page_shift) {
	case VCM_SUPERSECTION_SHIFT:
		return "16M";
	case VCM_LV1_SHIFT:
		return "1M";
	case VCM_LARGE_SHIFT:
		return "64K";
	case VCM_SMALL_SHIFT:
		return "4K";
	default:
		return "?";
	}
}

/* A run of pages of one size, contiguous in DVA and PA. */
struct dump_run {
	uint64_t dva, pa;
	unsigned shift;
	unsigned long count;
};

static void run_print(const struct dump_run *r, FILE *out)
{
	uint64_t len = (uint64_t)r->count << r->shift;

	if (!r->count)
		return;
	fprintf(out, "  dva 0x%08llx-0x%08llx -> pa 0x%08llx-0x%08llx  %s x %lu\n",
		(unsigned long long)r->dva, (unsigned long long)(r->dva + len - 1),
		(unsigned long long)r->pa, (unsigned long long)(r->pa + len - 1),
		vcm_page_size_name(r->shift), r->count);
}

static void run_add(struct dump_run *r, uint64_t dva, uint64_t pa, unsigned shift, FILE *out)
{
	uint64_t len = (uint64_t)r->count << r->shift;

	if (r->count && r->shift == shift && r->dva + len == dva && r->pa + len == pa) {
		r->count++;
		return;
	}
	run_print(r, out);
	r->dva = dva;
	r->pa = pa;
	r->shift = shift;
	r->count = 1;
}

struct dump_counts {
	unsigned long supersections, sections, large, small;
};

static void dump_lv2(const uint32_t *ptes, uint64_t slot_dva, struct dump_run *r,
		     struct dump_counts *c, FILE *out)
{
	unsigned i = 0;

	while (i < VCM_LV2_ENTRIES) {
		uint32_t e = vcm_pte_read(&ptes[i]);
		uint64_t dva = slot_dva + ((uint64_t)i << VCM_SMALL_SHIFT);

		if (vcm_lv2_is_small(e)) {
			run_add(r, dva, vcm_small_pa(e), VCM_SMALL_SHIFT, out);
			c->small++;
			i++;
		} else if (vcm_lv2_is_large(e)) {
			run_add(r, dva, vcm_large_pa(e), VCM_LARGE_SHIFT, out);
			c->large++;
			i += VCM_LARGE_ENTRIES;
		} else {
			i++;
		}
	}
}

VCM_EXPORT void vcm_pgtable_dump(const struct vcm_pgtable *pt, FILE *out)
{
	struct dump_counts c = { 0, 0, 0, 0 };
	struct dump_run r = { 0, 0, 0, 0 };
	unsigned idx;

	if (!out)
		return;
	if (!vcm_pgtable_ok(pt, __func__)) {
		fprintf(out, "pgtable: (none)\n");
		return;
	}
	pt_lock(pt);
	pt_may_call_out((struct vcm_pgtable *)pt);	/* it writes to @out */
	fprintf(out, "pgtable @pa 0x%08llx:\n", (unsigned long long)pt->lv1_pa);
	for (idx = 0; idx < VCM_LV1_ENTRIES; idx++) {
		uint32_t e = vcm_pte_read(&pt->lv1[idx]);

		if (vcm_lv1_is_supersection(e)) {
			uint64_t dva = vcm_lv1_slot_dva(idx);

			if (VCM_IS_ALIGNED(dva, VCM_SUPERSECTION_SIZE)) {	/* once per 16 slots */
				run_add(&r, dva, vcm_supersection_pa(e), VCM_SUPERSECTION_SHIFT,
					out);
				c.supersections++;
			}
		} else if (vcm_lv1_is_section(e)) {
			run_add(&r, vcm_lv1_slot_dva(idx), vcm_section_pa(e), VCM_LV1_SHIFT, out);
			c.sections++;
		} else if (pt->slot[idx].ptes) {
			dump_lv2(pt->slot[idx].ptes, vcm_lv1_slot_dva(idx), &r, &c, out);
		}
	}
	run_print(&r, out);
	if (c.supersections)
		fprintf(out, "  %lu supersections\n", c.supersections);
	fprintf(out, "  %lu sections, %lu large pages, %lu small pages, %u level-2 tables\n",
		c.sections, c.large, c.small, pt->nr_lv2);
	pt_unlock(pt);
}
