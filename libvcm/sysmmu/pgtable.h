/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pgtable.h - the Exynos System MMU v1-v3 page-table format (internal).
 *
 * 32-bit DVA:  [31:20] level-1 index  [19:12] level-2 index  [11:0] offset
 *
 * Level-1 entry (4096 per table, 16 KiB, 16 KiB-aligned):
 *   [1:0] = 2   1 MiB section     PA[31:20] in [31:20]
 *     bit 18 set: 16 MiB supersection, PA[31:24] in [31:24], the same
 *                 entry in 16 consecutive slots (16 MiB-aligned DVA)
 *   [1:0] = 1   level-2 link      level-2 table PA[31:10] in [31:10]
 *   [1:0] = 0/3 fault
 * Level-2 entry (256 per table, 1 KiB, 1 KiB-aligned):
 *   [1:0] = 1   64 KiB large page PA[31:16] in [31:16], in 16 consecutive slots
 *   [1]   = 1   4 KiB small page  PA[31:12] in [31:12]
 *   [1:0] = 0   fault
 *
 * Entries are little-endian 32-bit words in simulated RAM; every write of
 * an entry is a whole 32-bit word: vcm_pte_write() (a single relaxed atomic
 * access) or, for runs of entries, vcm_pte_write_run() (see there), and
 * walkers read with vcm_pte_read(), so the hardware walker may read a table
 * while it is being changed.  A level-1 link is published with
 * release order and read with acquire order, so a walker that sees a new
 * link sees the level-2 table behind it complete.
 */
#ifndef LIBVCM_PGTABLE_H
#define LIBVCM_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <vcm/soc.h>

#include "internal.h"
#include "registry.h"
#include "soc-internal.h"

struct vcm_pgtable;

/* The check on entry of a public function taking a page table. */
static inline bool vcm_pgtable_ok(const struct vcm_pgtable *pt, const char *fn)
{
	return vcm_handle_ok(pt, VCM_KIND_PGTABLE, fn);
}

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libvcm keeps page-table entries in host byte order: little-endian hosts only"
#endif

/* The format addresses 32 bits of DVA and of PA. */
#define VCM_PT_ADDR_BITS	32
#define VCM_PT_ADDR_LIMIT	(1ULL << VCM_PT_ADDR_BITS)

/* Bits [1:0] of every entry give its type. */
#define VCM_PT_TYPE_MASK	0x3U

/* ---- level 1 ---- */
#define VCM_LV1_SHIFT		20
#define VCM_LV1_SIZE		(1U << VCM_LV1_SHIFT)		/* 1 MiB per entry */
#define VCM_LV1_OFFSET_MASK	(VCM_LV1_SIZE - 1)
#define VCM_LV1_ENTRIES		(1U << (VCM_PT_ADDR_BITS - VCM_LV1_SHIFT))
#define VCM_LV1_TABLE_BYTES	(VCM_LV1_ENTRIES * sizeof(uint32_t))	/* 16 KiB */
#define VCM_LV1_TABLE_ORDER	2				/* 4 pages */
#define VCM_LV1_TABLE_ALIGN	VCM_LV1_TABLE_BYTES

#define VCM_LV1_TYPE_FAULT	0x0U
#define VCM_LV1_TYPE_LINK	0x1U
#define VCM_LV1_TYPE_SECTION	0x2U
#define VCM_LV1_TYPE_FAULT_ALT	0x3U	/* reserved: decodes as a fault */

#define VCM_SECTION_ADDR_MASK	0xFFF00000U

/* A section entry with this bit set is a 16 MiB supersection. */
#define VCM_LV1_SUPERSECTION_BIT	(1U << 18)
#define VCM_SUPERSECTION_SHIFT		24
#define VCM_SUPERSECTION_SIZE		(1U << VCM_SUPERSECTION_SHIFT)	/* 16 MiB */
#define VCM_SUPERSECTION_ADDR_MASK	0xFF000000U
#define VCM_SUPERSECTION_ENTRIES	(VCM_SUPERSECTION_SIZE / VCM_LV1_SIZE)	/* 16 */
#define VCM_LV1_LINK_ADDR_MASK	0xFFFFFC00U

/* ---- level 2 ---- */
#define VCM_LV2_SHIFT		12
#define VCM_LV2_ENTRIES		(1U << (VCM_LV1_SHIFT - VCM_LV2_SHIFT))	/* 256 */
#define VCM_LV2_INDEX_MASK	(VCM_LV2_ENTRIES - 1)
#define VCM_LV2_TABLE_BYTES	(VCM_LV2_ENTRIES * sizeof(uint32_t))	/* 1 KiB */
#define VCM_LV2_TABLE_ALIGN	VCM_LV2_TABLE_BYTES
#define VCM_LV2_TABLES_PER_PAGE	(VCM_PAGE_SIZE / VCM_LV2_TABLE_BYTES)	/* 4 */

#define VCM_LV2_TYPE_FAULT	0x0U
#define VCM_LV2_TYPE_LARGE	0x1U
#define VCM_LV2_TYPE_SMALL	0x2U	/* bit 1: [1:0] = 2 or 3 */
#define VCM_LV2_SMALL_BIT	0x2U

#define VCM_SMALL_SHIFT		12
#define VCM_SMALL_SIZE		(1U << VCM_SMALL_SHIFT)		/* 4 KiB */
#define VCM_SMALL_ADDR_MASK	0xFFFFF000U

#define VCM_LARGE_SHIFT		16
#define VCM_LARGE_SIZE		(1U << VCM_LARGE_SHIFT)		/* 64 KiB */
#define VCM_LARGE_ADDR_MASK	0xFFFF0000U
#define VCM_LARGE_ENTRIES	(VCM_LARGE_SIZE / VCM_SMALL_SIZE)	/* 16 */

/* ---- indices ---- */
static inline unsigned vcm_lv1_index(uint64_t dva)
{
	return (unsigned)(dva >> VCM_LV1_SHIFT) & (VCM_LV1_ENTRIES - 1);
}

static inline unsigned vcm_lv2_index(uint64_t dva)
{
	return (unsigned)(dva >> VCM_LV2_SHIFT) & VCM_LV2_INDEX_MASK;
}

/* DVA of the first byte of level-1 slot @idx. */
static inline uint64_t vcm_lv1_slot_dva(unsigned idx)
{
	return (uint64_t)idx << VCM_LV1_SHIFT;
}

/* ---- level-1 entries ---- */
static inline bool vcm_lv1_is_section(uint32_t e)
{
	return (e & VCM_PT_TYPE_MASK) == VCM_LV1_TYPE_SECTION;
}

/* A supersection is a section entry with VCM_LV1_SUPERSECTION_BIT. */
static inline bool vcm_lv1_is_supersection(uint32_t e)
{
	return vcm_lv1_is_section(e) && (e & VCM_LV1_SUPERSECTION_BIT);
}

static inline bool vcm_lv1_is_link(uint32_t e)
{
	return (e & VCM_PT_TYPE_MASK) == VCM_LV1_TYPE_LINK;
}

static inline bool vcm_lv1_is_fault(uint32_t e)
{
	return !vcm_lv1_is_section(e) && !vcm_lv1_is_link(e);
}

static inline uint32_t vcm_mk_section(uint64_t pa)
{
	return ((uint32_t)pa & VCM_SECTION_ADDR_MASK) | VCM_LV1_TYPE_SECTION;
}

static inline uint32_t vcm_mk_supersection(uint64_t pa)
{
	return ((uint32_t)pa & VCM_SUPERSECTION_ADDR_MASK) | VCM_LV1_SUPERSECTION_BIT |
	       VCM_LV1_TYPE_SECTION;
}

static inline uint32_t vcm_mk_lv1_link(uint64_t lv2_pa)
{
	return ((uint32_t)lv2_pa & VCM_LV1_LINK_ADDR_MASK) | VCM_LV1_TYPE_LINK;
}

static inline uint64_t vcm_section_pa(uint32_t e)
{
	return e & VCM_SECTION_ADDR_MASK;
}

static inline uint64_t vcm_supersection_pa(uint32_t e)
{
	return e & VCM_SUPERSECTION_ADDR_MASK;
}

/*
 * The page a level-1 section entry @e maps: its first PA in *@pa_base,
 * and log2 of its size (VCM_LV1_SHIFT or VCM_SUPERSECTION_SHIFT).
 */
static inline unsigned vcm_lv1_section_page(uint32_t e, uint64_t *pa_base)
{
	if (vcm_lv1_is_supersection(e)) {
		*pa_base = vcm_supersection_pa(e);
		return VCM_SUPERSECTION_SHIFT;
	}
	*pa_base = vcm_section_pa(e);
	return VCM_LV1_SHIFT;
}

/* PA of byte @dva in the section or supersection of entry @e. */
static inline uint64_t vcm_lv1_section_phys(uint32_t e, uint64_t dva)
{
	uint64_t base;
	unsigned shift = vcm_lv1_section_page(e, &base);

	return base + (dva & ((1ULL << shift) - 1));
}

static inline uint64_t vcm_lv1_link_pa(uint32_t e)
{
	return e & VCM_LV1_LINK_ADDR_MASK;
}

/* ---- level-2 entries ---- */
static inline bool vcm_lv2_is_small(uint32_t e)
{
	return (e & VCM_LV2_SMALL_BIT) != 0;
}

static inline bool vcm_lv2_is_large(uint32_t e)
{
	return (e & VCM_PT_TYPE_MASK) == VCM_LV2_TYPE_LARGE;
}

static inline bool vcm_lv2_is_fault(uint32_t e)
{
	return (e & VCM_PT_TYPE_MASK) == VCM_LV2_TYPE_FAULT;
}

static inline uint32_t vcm_mk_small(uint64_t pa)
{
	return ((uint32_t)pa & VCM_SMALL_ADDR_MASK) | VCM_LV2_TYPE_SMALL;
}

static inline uint32_t vcm_mk_large(uint64_t pa)
{
	return ((uint32_t)pa & VCM_LARGE_ADDR_MASK) | VCM_LV2_TYPE_LARGE;
}

static inline uint64_t vcm_small_pa(uint32_t e)
{
	return e & VCM_SMALL_ADDR_MASK;
}

static inline uint64_t vcm_large_pa(uint32_t e)
{
	return e & VCM_LARGE_ADDR_MASK;
}

/* ---- entry access ---- */
static inline uint32_t vcm_pte_read(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void vcm_pte_write(uint32_t *p, uint32_t e)
{
	__atomic_store_n(p, e, __ATOMIC_RELAXED);
}

/*
 * Runs of entries (map's fill, unmap's clear, in pgtable.c's
 * VCM_VECTOR_LOOPS functions) are written with plain stores, which the
 * compiler merges into vector stores (on x86-64, 32-byte AVX2 stores where
 * the CPU has them: VCM_VECTOR_LOOPS).  The 64-bit hosts libvcm runs on
 * (x86-64, arm64) never split an aligned vector store below 32 bits, so a
 * walker's vcm_pte_read() still sees each entry whole, old or new, as with
 * vcm_pte_write().  The C memory model does not know vector lanes, so for
 * ThreadSanitizer, which checks that model, a run is written with
 * vcm_pte_write() (entry by entry).  Only the holder of the table's lock
 * writes entries, so it may read them back with plain loads.
 */
#if defined(__SANITIZE_THREAD__)
#define VCM_PTE_RUN_ATOMIC 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VCM_PTE_RUN_ATOMIC 1
#endif
#endif

static inline void vcm_pte_write_run(uint32_t *p, uint32_t e)
{
#ifdef VCM_PTE_RUN_ATOMIC
	vcm_pte_write(p, e);
#else
	*p = e;
#endif
}

/*
 * A walker checking a run of entries at once (a DMA burst's run of pages,
 * sysmmu.c) reads them with plain loads, which the compiler merges into
 * vector loads: for the same reason each entry is still read whole, old or
 * new, as with vcm_pte_read().
 */
static inline uint32_t vcm_pte_read_run(const uint32_t *p)
{
#ifdef VCM_PTE_RUN_ATOMIC
	return vcm_pte_read(p);
#else
	return *p;
#endif
}

/* Level-1 link entries: publish a table, and see it. */
static inline uint32_t vcm_lv1_read_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void vcm_lv1_write_release(uint32_t *p, uint32_t e)
{
	__atomic_store_n(p, e, __ATOMIC_RELEASE);
}

/* ---- the walk shared by the hardware model and vcm_pgtable_dva_to_phys() ---- */
enum vcm_walk_result {
	VCM_WALK_OK,
	VCM_WALK_FAULT,		/* a fault entry */
	VCM_WALK_BUS_ERROR,	/* a table address that is not RAM */
	VCM_WALK_NEXT,		/* (inside a walk: a link, read level 2) */
	VCM_WALK_SLOW,		/* (vcm_pgtable_walk_fast(): walk the slow way) */
};

/*
 * struct vcm_walk - the outcome of one walk.
 * @pa_base: PA of the first byte of the page.
 * @page_shift: log2 of the page size (12, 16, 20 or 24).
 * @pte: the leaf entry as read.
 * @pte_pa: PA of the leaf entry (for stale-TLB checks: what the hardware
 *          knows of it; its host memory may go, e.g. a pinned user page).
 * @pte_host: where the leaf entry lives in the host mapping of its RAM
 *	bank, when the walk read it through its window (valid for the SoC's
 *	life; it tells only while the bank has no redirected page); NULL when
 *	it was read another way.
 * @reads: 32-bit RAM reads done (1 or 2).
 * @stale: a device walk on a non-coherent SoC read an entry the CPU wrote
 *	and did not clean (see cache-model.h); the entry's PA, what RAM and the
 *	CPU hold, and the last maintenance of its line follow.
 */
struct vcm_walk {
	uint64_t pa_base;
	unsigned page_shift;
	uint32_t pte;
	uint64_t pte_pa;
	const uint32_t *pte_host;
	unsigned reads;
	bool stale;
	uint64_t stale_pa;
	uint32_t stale_ram, stale_cpu;
	unsigned stale_maint;
};

/*
 * Host address of the table entry at @pa when @win cannot tell: through the
 * window of @pa's bank (@win moves there), else (a redirected page, or not
 * RAM: NULL) through the SoC.
 */
const uint32_t *vcm_pgtable_entry_slow(struct vcm_soc *soc, uint64_t pa,
				       struct vcm_ram_window *win);

/*
 * vcm_pgtable_walk_check() - a device walk on a non-coherent SoC read @e
 * at @pa: note in @w if the entry was stale (the CPU wrote it, no clean).
 */
void vcm_pgtable_walk_check(struct vcm_soc *soc, uint64_t pa, uint32_t e, struct vcm_walk *w);

/* A device walk (win->device) on a non-coherent SoC checks what it reads. */
static inline bool vcm_pgtable_walk_checks(struct vcm_soc *soc,
					   const struct vcm_ram_window *win)
{
	return win->device && __builtin_expect(vcm_soc_cache(soc) != NULL, 0);
}

/* Host address of the table entry at @pa, read through @win if it can. */
static inline const uint32_t *vcm_pgtable_entry(struct vcm_soc *soc, uint64_t pa,
						struct vcm_ram_window *win)
{
	const uint32_t *p = vcm_ram_window_host(win, pa);

	return p ? p : vcm_pgtable_entry_slow(soc, pa, win);
}

/* A level-1 entry @e read at @pa: a page (section, supersection), or what next. */
static inline enum vcm_walk_result vcm_walk_lv1(struct vcm_walk *w, uint64_t pa, uint32_t e)
{
	w->reads = 1;
	w->pte_pa = pa;
	w->pte = e;
	if (vcm_lv1_is_section(e)) {
		w->page_shift = vcm_lv1_section_page(e, &w->pa_base);
		return VCM_WALK_OK;
	}
	return vcm_lv1_is_link(e) ? VCM_WALK_NEXT : VCM_WALK_FAULT;
}

/* A level-2 entry @e read at @pa: a page or a fault. */
static inline enum vcm_walk_result vcm_walk_lv2(struct vcm_walk *w, uint64_t pa, uint32_t e)
{
	w->reads = 2;
	w->pte_pa = pa;
	w->pte = e;
	if (vcm_lv2_is_small(e)) {
		w->pa_base = vcm_small_pa(e);
		w->page_shift = VCM_SMALL_SHIFT;
		return VCM_WALK_OK;
	}
	if (vcm_lv2_is_large(e)) {
		w->pa_base = vcm_large_pa(e);
		w->page_shift = VCM_LARGE_SHIFT;
		return VCM_WALK_OK;
	}
	return VCM_WALK_FAULT;
}

/* PA of the level-2 entry of @dva behind the link entry @link. */
static inline uint64_t vcm_walk_lv2_pa(uint32_t link, uint64_t dva)
{
	return vcm_lv1_link_pa(link) + vcm_lv2_index(dva) * sizeof(uint32_t);
}

/*
 * vcm_pgtable_walk_slow() - vcm_pgtable_walk() for every case: tables
 * outside @win (a bank lookup moves it), redirected pages, and a device
 * walk on a non-coherent SoC (which checks what it reads).  It is
 * vcm_pgtable_walk_next() with an empty cursor: one copy of each level.
 */
enum vcm_walk_result vcm_pgtable_walk_slow(struct vcm_soc *soc, uint64_t base, uint64_t dva,
					   struct vcm_walk *w, struct vcm_ram_window *win);

/*
 * vcm_pgtable_walk_fast_at() - vcm_pgtable_walk_fast() from the level-1
 * entry at @pa, at host address @p (through the window, or the table's
 * own pointer to it), level 2 through open window @win.
 */
static inline enum vcm_walk_result vcm_pgtable_walk_fast_at(uint64_t pa, const uint32_t *p,
							    uint64_t dva, struct vcm_walk *w,
							    const struct vcm_ram_window *win)
{
	uint32_t e = vcm_lv1_read_acquire(p);

	w->stale = false;
	if (vcm_lv1_is_link(e)) {
		pa = vcm_walk_lv2_pa(e, dva);
		if (!vcm_ram_window_covers(win, pa))
			return VCM_WALK_SLOW;
		p = vcm_ram_window_at(win, pa);
		w->pte_host = p;
		return vcm_walk_lv2(w, pa, vcm_pte_read(p));
	}
	w->pte_host = p;
	return vcm_walk_lv1(w, pa, e);
}

/*
 * vcm_pgtable_walk_fast() - the common case of vcm_pgtable_walk(), inline:
 * a walk that does not check what it reads (vcm_pgtable_walk_checks()),
 * with both entries in open window @win (one test of the bank's redirects
 * per walk, a range check per level).  VCM_WALK_SLOW for anything else,
 * with @win as it was: the caller walks with vcm_pgtable_walk_slow().
 */
static inline enum vcm_walk_result vcm_pgtable_walk_fast(struct vcm_soc *soc, uint64_t base,
							 uint64_t dva, struct vcm_walk *w,
							 const struct vcm_ram_window *win)
{
	uint64_t pa = base + vcm_lv1_index(dva) * sizeof(uint32_t);

	if (!vcm_ram_window_covers(win, pa) || !vcm_ram_window_open(win) ||
	    vcm_pgtable_walk_checks(soc, win))
		return VCM_WALK_SLOW;
	return vcm_pgtable_walk_fast_at(pa, vcm_ram_window_at(win, pa), dva, w, win);
}

/*
 * Walk the table at @base (PA of level 1) for @dva (< 2^32) in @soc's RAM.
 * @win: the RAM window (soc-internal.h) the walk reads table entries
 * through.  The common case inline (vcm_pgtable_walk_fast()); anything
 * else is vcm_pgtable_walk_slow()'s, out of line (a table outside the
 * window, found by a bank lookup that moves it; a redirected page in the
 * window's bank; a device window, win->device, on a non-coherent SoC,
 * which reads RAM as devices see it and tells in w->stale whether an entry
 * read was stale).  w->pte_host is set whenever the leaf entry was read
 * through @win.
 */
static inline enum vcm_walk_result vcm_pgtable_walk(struct vcm_soc *soc, uint64_t base,
						    uint64_t dva, struct vcm_walk *w,
						    struct vcm_ram_window *win)
{
	enum vcm_walk_result r = vcm_pgtable_walk_fast(soc, base, dva, w, win);

	return r != VCM_WALK_SLOW ? r : vcm_pgtable_walk_slow(soc, base, dva, w, win);
}

/*
 * struct vcm_walk_cursor - the level-1 half of a walk, kept so that the
 * following pages of the same MiB (a DMA burst) are walked from the same
 * level-2 table without reading level 1 again.  Each walk through it gives
 * exactly what vcm_pgtable_walk() gives (entry, reads, pte_host, the
 * stale-entry check and where @win ends up), the level-1 entry as read
 * the first time.  Zero it (@valid false) before the first walk; valid for
 * one table base and one hold of the walker's lock.
 * @valid: the fields below hold a level-1 link entry.
 * @lv1_index: which MiB.
 * @check: a device walk on a non-coherent SoC (vcm_pgtable_walk_checks()).
 * @lv1_pa: PA of the level-1 entry; @link: its value.
 * @lv1: the stale-entry state after level 1 (stale and its fields).
 */
struct vcm_walk_cursor {
	bool valid;
	bool check;
	uint32_t lv1_index;
	uint32_t link;
	uint64_t lv1_pa;
	struct vcm_walk lv1;
};

/*
 * vcm_pgtable_walk_lv1() - the level-1 half of vcm_pgtable_walk() for
 * @dva, out of line: a page (section) or a fault ends the walk; a link
 * fills @c and returns VCM_WALK_NEXT.
 */
enum vcm_walk_result vcm_pgtable_walk_lv1(struct vcm_soc *soc, uint64_t base, uint64_t dva,
					  struct vcm_walk *w, struct vcm_ram_window *win,
					  struct vcm_walk_cursor *c);

/* Level 1 again from @c: bring @win where reading it would, restore its state. */
static inline enum vcm_walk_result vcm_walk_cursor_lv1(struct vcm_soc *soc, struct vcm_walk *w,
						       struct vcm_ram_window *win,
						       const struct vcm_walk_cursor *c)
{
	if (!vcm_pgtable_entry(soc, c->lv1_pa, win)) {
		w->stale = false;
		w->reads = 1;
		w->pte_pa = c->lv1_pa;
		w->pte_host = NULL;
		return VCM_WALK_BUS_ERROR;
	}
	w->stale = c->lv1.stale;
	if (__builtin_expect(w->stale, 0)) {
		w->stale_pa = c->lv1.stale_pa;
		w->stale_ram = c->lv1.stale_ram;
		w->stale_cpu = c->lv1.stale_cpu;
		w->stale_maint = c->lv1.stale_maint;
	}
	return VCM_WALK_NEXT;
}

/*
 * vcm_pgtable_walk_next() - vcm_pgtable_walk() through cursor @c: a page
 * in the MiB of the walk before reads only its level-2 entry (checked as
 * a walk checks it); any other starts over at level 1.
 */
static inline enum vcm_walk_result vcm_pgtable_walk_next(struct vcm_soc *soc, uint64_t base,
							 uint64_t dva, struct vcm_walk *w,
							 struct vcm_ram_window *win,
							 struct vcm_walk_cursor *c)
{
	enum vcm_walk_result r;
	const uint32_t *p;
	uint64_t pa;
	uint32_t e;

	if (c->valid && c->lv1_index == vcm_lv1_index(dva))
		r = vcm_walk_cursor_lv1(soc, w, win, c);
	else
		r = vcm_pgtable_walk_lv1(soc, base, dva, w, win, c);
	if (r != VCM_WALK_NEXT)
		return r;
	pa = vcm_walk_lv2_pa(c->link, dva);
	p = vcm_ram_window_host(win, pa);
	w->pte_host = p;
	if (!p) {
		p = vcm_pgtable_entry_slow(soc, pa, win);
		if (!p) {
			w->reads = 2;
			w->pte_pa = pa;
			return VCM_WALK_BUS_ERROR;
		}
		w->pte_host = vcm_ram_window_host(win, pa);	/* the window moved there */
	}
	e = vcm_pte_read(p);
	if (c->check)
		vcm_pgtable_walk_check(soc, pa, e, w);
	return vcm_walk_lv2(w, pa, e);
}

/* Short name of a page size for dumps: "4K", "64K", "1M", "16M". */
const char *vcm_page_size_name(unsigned page_shift);

#endif /* LIBVCM_PGTABLE_H */
