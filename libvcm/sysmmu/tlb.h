/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tlb.h - the TLB of the System MMU model (internal).
 *
 * Fully associative, first-in first-out replacement, entries of four page
 * sizes (4 KiB, 64 KiB, 1 MiB, 16 MiB).  A hash index per page size makes a lookup
 * a probe of one short chain per size present, whatever the entry count.
 * An entry is only filled after a miss, so at most one entry per page size
 * matches a DVA; entries of different sizes may overlap (a table changed
 * without invalidation), which a lookup reports as a multi-hit.
 *
 * Changed only under the System MMU's lock.  Looked up also without it,
 * by the System MMU's lock-free hit path (sysmmu.c) inside a seqcount read
 * section that discards what it read if a change ran meanwhile: so every
 * field that path reads is written with VCM_TLB_SET() and read with
 * VCM_TLB_GET() (relaxed atomics: plain moves on the hosts we run on), and
 * a hash chain is followed at most t->size steps, whatever it holds.  The
 * arrays themselves (vcm_tlb_init(), vcm_tlb_release()) must not change
 * while anyone looks.
 */
#ifndef LIBVCM_TLB_H
#define LIBVCM_TLB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum vcm_tlb_class {
	VCM_TLB_SMALL,		/* 4 KiB */
	VCM_TLB_LARGE,		/* 64 KiB */
	VCM_TLB_SECTION,	/* 1 MiB */
	VCM_TLB_SUPERSECTION,	/* 16 MiB */
	VCM_TLB_NR_CLASSES,
};

#define VCM_TLB_GET(field)	__atomic_load_n(&(field), __ATOMIC_RELAXED)
#define VCM_TLB_SET(field, v)	__atomic_store_n(&(field), (v), __ATOMIC_RELAXED)

#define VCM_TLB_NONE		UINT32_MAX
#define VCM_TLB_HASH_MUL	0x9E3779B1U	/* 2^32 / golden ratio */
/* A key (vcm_tlb_key()) has the page number below this bit, the class above. */
#define VCM_TLB_KEY_CLASS_SHIFT	24

/*
 * An entry.  The first 32 bytes are what a hit reads (the lock-free hit
 * path of sysmmu.c: its key, translation and stale check).
 */
struct vcm_tlb_entry {
	uint32_t key;			/* vcm_tlb_key() of its page (while valid) */
	uint32_t pa;			/* PA of the page */
	uint32_t pte;			/* the leaf entry as the walk read it */
	uint32_t base;			/* PT_BASE_ADDR it was filled under */
	/*
	 * Where that entry lives in the host mapping of its RAM bank (valid
	 * for the SoC's life), for the lock-free hit path's stale check, and
	 * the bank's count of redirected pages: the pointer tells only while
	 * that count is 0.  NULL: that path does not check this entry.
	 */
	const uint32_t *pte_host;
	const atomic_ulong *nredirects;
	uint32_t tag;			/* DVA of the page */
	uint32_t mask;			/* page size - 1 */
	uint32_t next;			/* hash chain */
	uint32_t bucket;		/* the chain's bucket (while valid) */
	uint32_t pte_pa;		/* PA of that entry (what the hardware
					 * holds; the reference for stale checks) */
	uint8_t cls;			/* enum vcm_tlb_class */
	bool valid;
	bool warned;			/* stale hit already reported */
};

struct vcm_tlb {
	struct vcm_tlb_entry *e;
	uint32_t *bucket;		/* first entry of each chain */
	unsigned size;			/* entries */
	unsigned hash_shift;		/* 32 - log2 of the bucket count */
	unsigned next;			/* FIFO victim */
	unsigned mru;			/* last entry hit or filled */
	unsigned count[VCM_TLB_NR_CLASSES];
	unsigned present;		/* bit cls: count[cls] != 0 */
	unsigned nvalid;		/* valid entries, all classes */
};

/* Page sizes step by 16 from 4 KiB: class @cls has pages of 2^(12 + 4 * cls) bytes. */
#define VCM_TLB_SMALLEST_SHIFT	12
#define VCM_TLB_CLASS_STEP	4
#define VCM_TLB_SMALL_SIZE	(1U << VCM_TLB_SMALLEST_SHIFT)

static inline unsigned vcm_tlb_class_shift(unsigned cls)
{
	return VCM_TLB_SMALLEST_SHIFT + VCM_TLB_CLASS_STEP * cls;
}

static inline unsigned vcm_tlb_class_of(unsigned page_shift)
{
	return (page_shift - VCM_TLB_SMALLEST_SHIFT) / VCM_TLB_CLASS_STEP;
}

/*
 * The key of the page of class @cls holding @dva: its page number (fewer
 * than 2^20) and the class above it, so that one compare tells an entry.
 */
static inline uint32_t vcm_tlb_key(uint32_t dva, unsigned cls)
{
	return dva >> vcm_tlb_class_shift(cls) | (uint32_t)cls << VCM_TLB_KEY_CLASS_SHIFT;
}

/* The bucket of key @key. */
static inline uint32_t vcm_tlb_hash(const struct vcm_tlb *t, uint32_t key)
{
	return (key * VCM_TLB_HASH_MUL) >> t->hash_shift;
}

/*
 * The entry of class @cls holding @dva, or VCM_TLB_NONE: one hash, one
 * compare per entry of the chain.  Safe without the lock (see above): at
 * most t->size steps, indices checked.
 */
static inline uint32_t vcm_tlb_find(const struct vcm_tlb *t, uint32_t dva, unsigned cls)
{
	uint32_t key = vcm_tlb_key(dva, cls), i = VCM_TLB_GET(t->bucket[vcm_tlb_hash(t, key)]);
	unsigned steps = t->size;

	for (; i < t->size; i = VCM_TLB_GET(t->e[i].next)) {
		if (VCM_TLB_GET(t->e[i].key) == key)
			return i;
		if (!--steps)
			break;
	}
	return VCM_TLB_NONE;
}

/* True if @e is valid and holds @dva. */
static inline bool vcm_tlb_match(const struct vcm_tlb_entry *e, uint32_t dva)
{
	return VCM_TLB_GET(e->valid) && ((dva ^ VCM_TLB_GET(e->tag)) & ~VCM_TLB_GET(e->mask)) == 0;
}

/*
 * Entries matching @dva by probing one chain per page size present: 0, 1
 * (its index in *@idx) or 2 (two or more).  Safe without the lock.
 */
static inline unsigned vcm_tlb_probe(const struct vcm_tlb *t, uint32_t dva, uint32_t *idx)
{
	unsigned cls, hits = 0, classes;
	uint32_t i;

	for (classes = VCM_TLB_GET(t->present); classes; classes &= classes - 1) {
		cls = (unsigned)__builtin_ctz(classes);
		i = vcm_tlb_find(t, dva, cls);
		if (i == VCM_TLB_NONE)
			continue;
		if (hits++)
			return 2;
		*idx = i;
	}
	return hits;
}

#define VCM_TLB_MIXED	3	/* vcm_tlb_probe_one(): several page sizes present */

/*
 * vcm_tlb_probe() for a TLB with entries of one page size at most (one
 * chain to probe): 0 or 1 (its index in *@idx); VCM_TLB_MIXED if entries
 * of several sizes are present (ask vcm_tlb_probe()).  Safe without the
 * lock.
 */
static inline unsigned vcm_tlb_probe_one(const struct vcm_tlb *t, uint32_t dva, uint32_t *idx)
{
	unsigned classes = VCM_TLB_GET(t->present);

	if (classes & (classes - 1))
		return VCM_TLB_MIXED;
	if (!classes)
		return 0;
	*idx = vcm_tlb_find(t, dva, (unsigned)__builtin_ctz(classes));
	return *idx != VCM_TLB_NONE;
}

/*
 * vcm_tlb_probe() with the lock held: the last entry used answers at once
 * when no entry of another page size exists (nothing could overlap it).
 */
static inline unsigned vcm_tlb_lookup(struct vcm_tlb *t, uint32_t dva, uint32_t *idx)
{
	const struct vcm_tlb_entry *m = &t->e[t->mru];
	unsigned hits;

	if (vcm_tlb_match(m, dva) && t->nvalid == t->count[m->cls]) {
		*idx = t->mru;
		return 1;
	}
	hits = vcm_tlb_probe(t, dva, idx);
	if (hits == 1)
		t->mru = *idx;
	return hits;
}

/* ---- a burst's run of 4 KiB fills (with the lock held) ---- */

/*
 * struct vcm_tlb_run - the 4 KiB pages of a DMA burst that are looked up
 * and filled into the FIFO victim one after the other, done as a batch.
 * The page @j of the run (0, 1, ...) is looked up in the TLB as it was
 * before the run, less the entries the run's first @j fills evict by then
 * (the @j slots from @first on): the pages filled before it are other
 * pages, so they never hold it.  vcm_tlb_fill_small_run() then makes all
 * fills at once and leaves what the fills one by one would: the same
 * entries in the same slots, chains in the same order, the same counts,
 * FIFO position and last-used entry.
 */
struct vcm_tlb_run {
	const struct vcm_tlb *t;
	unsigned first;		/* the slot of the run's first fill (t->next) */
};

/*
 * True if an entry of class @cls holds @dva after the run's first @j
 * fills: one that was there before the run, in a slot not yet evicted.
 */
static inline bool vcm_tlb_run_holds(const struct vcm_tlb_run *r, uint32_t dva, unsigned cls,
				     unsigned j)
{
	const struct vcm_tlb *t = r->t;
	uint32_t i;

	if (j >= t->size)
		return false;	/* every entry from before the run is evicted */
	i = vcm_tlb_find(t, dva, cls);
	if (i == VCM_TLB_NONE)
		return false;
	return (i >= r->first ? i - r->first : i + t->size - r->first) >= j;
}

/*
 * struct vcm_tlb_run_table - where the level-2 entries of a run's pages
 * from page @first on were read (consecutive entries, until the next
 * table of the run): page @first's at PA @pte_pa, host address @pte_host.
 */
struct vcm_tlb_run_table {
	unsigned first;
	uint32_t pte_pa;
	const uint32_t *pte_host;
};

/*
 * struct vcm_tlb_small_run - @n 4 KiB pages from @dva on, at consecutive
 * PAs from @pa, walked under table base @base: page k's level-2 entry is
 * @pte + k * 4 KiB (the same entry, stepped by one page), read from the
 * @ntables tables of @table (in the bank whose count of redirected pages
 * is @nredirects).
 */
struct vcm_tlb_small_run {
	uint32_t dva, pa, pte, base;
	const atomic_ulong *nredirects;
	const struct vcm_tlb_run_table *table;
	unsigned ntables;
	unsigned n;
};

/*
 * Fill the pages of @run, none of them held (vcm_tlb_run_holds() of the
 * run begun at this FIFO position), as vcm_tlb_insert() of each in turn
 * with its fields set would.
 */
void vcm_tlb_fill_small_run(struct vcm_tlb *t, const struct vcm_tlb_small_run *run);

/* Allocate an empty TLB of @entries entries (>= 1): 0 or -ENOMEM. */
int vcm_tlb_init(struct vcm_tlb *t, unsigned entries);
void vcm_tlb_release(struct vcm_tlb *t);
/* Invalidate every entry. */
void vcm_tlb_flush(struct vcm_tlb *t);
/* Invalidate every entry holding @dva. */
void vcm_tlb_flush_dva(struct vcm_tlb *t, uint32_t dva);
/*
 * Fill the FIFO victim with a page of 2^@page_shift bytes (12, 16, 20, 24) at
 * @dva's page; returns the new entry, whose pa, pte, pte_pa, pte_host,
 * nredirects and base the caller sets (with VCM_TLB_SET()).
 */
struct vcm_tlb_entry *vcm_tlb_insert(struct vcm_tlb *t, uint32_t dva, unsigned page_shift);
/* True if valid entries @a and @b cover a common DVA. */
bool vcm_tlb_overlap(const struct vcm_tlb_entry *a, const struct vcm_tlb_entry *b);

#endif /* LIBVCM_TLB_H */
