/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysmmu.c - the Exynos System MMU hardware model.
 *
 * State: the v3 register block (CTRL, CFG, PT_BASE_ADDR, INT_STATUS,
 * INT_MASK, the fault address registers, DEFAULT_SLAVE_ADDR, TLB_READ, the
 * prefetch-buffer registers), a fully associative TLB with first-in
 * first-out replacement, and statistics.  The function API
 * and vcm_sysmmu_readl()/vcm_sysmmu_writel() are two views of that one
 * state.  A spinlock protects it; it is never held while calling out (fault
 * handler, warning handler).
 *
 * The TLB hit of vcm_sysmmu_translate() takes no lock (translate_fast()):
 * every hold of the lock is also a seqcount write section (mmu_lock()
 * marks the count held, mmu_unlock() moves it on), and the hit path reads
 * the TLB, the page-table entry behind the hit (stale check) and the
 * base inside a read section, keeping its result only if the count did
 * not move.  Anything else (a miss, a stale or multiple hit, bypass,
 * blocked, a writer at work) goes the locked way.  Its statistics are
 * counted per thread and added up by readers: the first thread with such
 * a hit counts in the MMU itself (owner_hits), the others each in a slot
 * of their own (struct hit_slot).  That first thread also keeps a small
 * cache of the pages it hit (struct hit_line): while the count stands, such
 * a page hits again with a compare of the count, the entry's stale check
 * and no TLB probe.  The common case, the owner's hit in that cache, is a
 * leaf without calls (do_sysmmu_translate()); every other case is out of
 * line.
 *
 * TLB: each entry caches one page (section, large or small page) with the
 * host address and value of the page-table entry it came from, and the
 * page-table base it was filled under.  A hit is used as is (as hardware
 * does), but if the entry in RAM changed, or the base did, it is counted
 * as a stale hit and warned about (once per fill).  Entries may overlap (a
 * section filled after a small page of the same MiB, when the table was
 * changed without invalidation); a lookup matching two entries is a
 * multi-hit fault.  The TLB itself is in tlb.c.
 *
 * Faults: each one sets its INT_STATUS bit and its address register (the
 * register exynos-iommu reads for that type: PAGE_FAULT_ADDR for a page
 * fault, DEFAULT_SLAVE_ADDR for a bus error, AR_/AW_FAULT_ADDR for the
 * others).  Unless INT_MASK masks its type, it interrupts: the handler is
 * called and, with the fault hold on, the MMU holds transactions until
 * CTRL is written (or the handler asks for a retry).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache-model.h"
#include "fault-report.h"
#include "pgtable.h"
#include "soc-internal.h"
#include "spinlock.h"
#include "sysmmu-internal.h"
#include "tlb.h"
#include "trace.h"

/*
 * The TLB hits one thread counted on the lock-free path of one System MMU:
 * written by that thread only, read by anyone (relaxed atomics).
 */
struct hit_slot {
	struct hit_slot *next;
	const void *thread;		/* the thread's key (see thread_key()) */
	uint64_t hits;
};

/*
 * A page the owner of an MMU's own hit counter (hit_owner) hit lock-free,
 * as that hit found it: its TLB entry's translation and stale-check
 * pointer.  Used and written by that thread only.  It tells only while
 * mmu->seq is the value it was filled under: no hold of the lock since,
 * so the same TLB (still exactly one entry for the page), base and CTRL.
 * What changes without the lock is seen too: the page-table entry in RAM
 * is read again on every hit, and the first page redirected in a bank
 * (which may move the entry: a line is filled only while none is) voids
 * the owner's memory of the MMU (owner_seen, registry.h), which empties
 * the lines when it is taken again.  Zeroed, a line is empty: seq is
 * never 0 (it starts at SEQ_SLOW and only grows).
 */
struct hit_line {
	uint64_t page;			/* DVA >> 12 */
	uint64_t seq;			/* mmu->seq it was filled under */
	const uint32_t *pte_host;	/* the entry's: see struct vcm_tlb_entry */
	uint32_t pa;			/* PA of the 4 KiB page */
	uint32_t pte;			/* the entry's */
};

/* Lines of the owner's cache (direct-mapped by 4 KiB page number). */
#define HIT_LINES	64

struct vcm_sysmmu {
	struct vcm_soc *soc;
	char *name;
	vcm_spinlock_t lock;		/* see mmu_lock() */
	uint64_t seq;			/* see mmu_lock() */
	bool fast;			/* hits may take the lock-free path */
	uint64_t id;			/* never reused: per-thread slot caches */
	const void *hit_owner;		/* the first thread that hit lock-free ... */
	uint64_t owner_hits;		/* ... counts its hits here (written by it only) */
	struct hit_line hit_lines[HIT_LINES];	/* ... and keeps what it hit */
	struct hit_slot *hit_slots;	/* one per other thread that hit lock-free */

	/* registers */
	uint32_t ctrl;
	uint32_t cfg;
	uint32_t pt_base;
	uint32_t int_status;
	uint32_t page_fault_addr;
	uint32_t ar_fault_addr;
	uint32_t aw_fault_addr;
	uint32_t default_slave;
	uint32_t ar_bits, aw_bits;	/* INT_STATUS bits that set AR/AW_FAULT_ADDR */
	uint32_t int_mask;
	uint32_t tlb_read;
	uint32_t pb[4];			/* PB0_SADDR, PB0_EADDR, PB1_SADDR, PB1_EADDR */
	bool hold_on_fault;		/* vcm_sysmmu_set_fault_hold() */
	bool fault_held;		/* holding transactions since a fault */

	const void *owner;		/* vcm_sysmmu_claim() */
	vcm_fault_fn handler;
	void *handler_priv;

	/* fault reports */
	vcm_dva_describe_fn describe;
	void *describe_priv;
	bool reports_off;
	uint64_t report_window;		/* CLOCK_MONOTONIC s of the rate window */
	unsigned reports_in_window;
	unsigned long reports_suppressed;

	struct vcm_tlb tlb;
	struct vcm_ram_window win;	/* where the last walk found its tables */

	struct vcm_sysmmu_stats st;
};

/* The outcome of one translation, and what a burst of them must report. */
struct xlate {
	uint64_t pa;			/* PA of the DVA */
	uint64_t page_left;		/* bytes from the DVA to the end of its page */
	enum vcm_fault_type fault;	/* when it failed with -EFAULT */
	bool stale_warn;		/* report a stale hit (after unlocking) */
	uint32_t stale_dva;
	struct vcm_tlb_entry stale;	/* the stale entry, for the report */
	uint32_t stale_now;		/* what RAM holds now */
	uint32_t stale_base;		/* PT_BASE_ADDR now */
	bool walk_stale;		/* a walk read a stale entry (non-coherent) */
	uint32_t walk_dva;
	struct vcm_walk walk;		/* that walk, for the report */
	struct vcm_walk_cursor *cur;	/* a burst's: level 1 read once per MiB */
};

/*
 * A burst holds the lock for about as long as BURST_PAGES translations one
 * at a time take, at most: a page of a run of 4 KiB pages
 * (burst_small_pages(), about ten instructions) counts as 1 / RUN_PER_STEP
 * of one (a TLB miss: about 250), so a burst of runs only may reach
 * BURST_COST pages (16 MiB).
 */
#define BURST_PAGES	256
#define RUN_PER_STEP	16
#define BURST_COST	(BURST_PAGES * RUN_PER_STEP)
/* The level-2 tables a run of at most BURST_COST pages may read from. */
#define RUN_TABLES	(BURST_COST / VCM_LV2_ENTRIES + 1)

/*
 * The model's lock (spinlock.h): held for a TLB lookup or a short burst of
 * walks, and for every change of the state.  Each hold is a seqcount write
 * section for the lock-free hit path: mmu->seq has SEQ_HELD from before
 * the first change to after the last, when it moves on by SEQ_HOLD and
 * gets SEQ_SLOW if hits may not take that path (mmu->fast false), so that
 * the path tests both in one.  It is 64 bits wide so that it never comes
 * back to a value (the owner's hit cache compares it for equality).
 */
#define SEQ_HELD	1U
#define SEQ_SLOW	2U
#define SEQ_HOLD	4U

static void mmu_lock(const struct vcm_sysmmu *mmu)
{
	uint64_t *seq = (uint64_t *)&mmu->seq;

	vcm_spin_lock((vcm_spinlock_t *)&mmu->lock);
	__atomic_store_n(seq, *seq | SEQ_HELD, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* held before any change */
}

static void mmu_unlock(const struct vcm_sysmmu *mmu)
{
	uint64_t *seq = (uint64_t *)&mmu->seq;
	uint64_t next = (*seq & ~(uint64_t)(SEQ_HELD | SEQ_SLOW)) + SEQ_HOLD;

	__atomic_store_n(seq, next | (mmu->fast ? 0 : SEQ_SLOW), __ATOMIC_RELEASE);
	vcm_spin_unlock((vcm_spinlock_t *)&mmu->lock);
}

/* A handle that is not a live System MMU: NULL warned here, others by the
 * registry. */
static bool bad_mmu(const struct vcm_sysmmu *mmu, const char *fn)
{
	if (vcm_sysmmu_ok(mmu, fn))
		return false;
	if (vcm_is_err_or_null(mmu))
		vcm_warn("%s: no System MMU", fn);
	return true;
}

/* ---- translation ---- */

/* CTRL holds transactions, or the MMU does since a fault. */
static bool mmu_blocked(const struct vcm_sysmmu *mmu)
{
	return (mmu->ctrl & VCM_SYSMMU_CTRL_BLOCK) || mmu->fault_held;
}

/* After a change of CTRL or of the hold: may hits skip the lock? */
static void update_fast_locked(struct vcm_sysmmu *mmu)
{
	mmu->fast = (mmu->ctrl & VCM_SYSMMU_CTRL_MMU_EN) && !mmu_blocked(mmu);
}

static void xlate_init(struct xlate *x)
{
	x->stale_warn = false;
	x->walk_stale = false;
	x->cur = NULL;
}

/*
 * What RAM holds now where TLB entry @e was read from, through @win (a
 * value unlike the cached one if that is no longer RAM).
 */
static uint32_t entry_now(const struct vcm_sysmmu *mmu, const struct vcm_tlb_entry *e,
			  struct vcm_ram_window *win)
{
	const uint32_t *p = vcm_pgtable_entry(mmu->soc, e->pte_pa, win);

	return p ? vcm_pte_read(p) : ~e->pte;
}

/* The same for readers outside the translation path (their own window). */
static bool entry_stale(const struct vcm_sysmmu *mmu, const struct vcm_tlb_entry *e)
{
	struct vcm_ram_window win = { 0 };

	return entry_now(mmu, e, &win) != e->pte || e->base != mmu->pt_base;
}

static void tlb_hit(struct vcm_sysmmu *mmu, struct vcm_tlb_entry *e, uint32_t dva,
		    struct xlate *x)
{
	uint32_t now = entry_now(mmu, e, &mmu->win);

	mmu->st.translations++;
	mmu->st.tlb_hits++;
	if (now != e->pte || e->base != mmu->pt_base) {
		mmu->st.stale_hits++;
		if (!e->warned && !x->stale_warn) {	/* one report per burst */
			e->warned = true;
			x->stale_warn = true;
			x->stale_dva = dva;
			x->stale = *e;
			x->stale_now = now;
			x->stale_base = mmu->pt_base;
		}
	}
	x->pa = e->pa + (dva & e->mask);
	x->page_left = (uint64_t)e->mask + 1 - (dva & e->mask);
}

/* The statistics of one walk that counts as a translation. */
static void count_walk(struct vcm_sysmmu *mmu, const struct vcm_walk *w, uint32_t dva,
		       struct xlate *x)
{
	mmu->st.translations++;
	mmu->st.tlb_misses++;
	mmu->st.walks++;
	mmu->st.walk_reads += w->reads;
	if (__builtin_expect(w->stale, 0)) {	/* non-coherent SoC only */
		mmu->st.stale_walks++;
		if (!x->walk_stale) {	/* one report per burst */
			x->walk_stale = true;
			x->walk_dva = dva;
			x->walk = *w;
		}
	}
}

/*
 * The redirect count of an entry the lock-free hit path does not check
 * (pte_host NULL): never 0, so that path needs no second test.
 */
static const atomic_ulong not_checked = 1;

static int tlb_miss(struct vcm_sysmmu *mmu, uint32_t dva, struct xlate *x, bool probe)
{
	struct vcm_tlb_entry *e;
	enum vcm_walk_result r;
	struct vcm_walk w;
	uint64_t mask;

	if (x->cur)	/* same result, the level-1 entry read once per MiB */
		r = vcm_pgtable_walk_next(mmu->soc, mmu->pt_base, dva, &w, &mmu->win, x->cur);
	else
		r = vcm_pgtable_walk(mmu->soc, mmu->pt_base, dva, &w, &mmu->win);
	if (r != VCM_WALK_OK) {
		if (probe)
			return -EFAULT;	/* not done: the access itself will fault */
		count_walk(mmu, &w, dva, x);
		x->fault = r == VCM_WALK_FAULT ? VCM_FAULT_PAGE : VCM_FAULT_BUS_ERROR;
		return -EFAULT;
	}
	count_walk(mmu, &w, dva, x);
	e = vcm_tlb_insert(&mmu->tlb, dva, w.page_shift);
	VCM_TLB_SET(e->pa, (uint32_t)w.pa_base);
	VCM_TLB_SET(e->pte, w.pte);
	VCM_TLB_SET(e->pte_pa, (uint32_t)w.pte_pa);
	VCM_TLB_SET(e->base, mmu->pt_base);
	/* where the lock-free hit path finds the entry again (NULL: it does not) */
	VCM_TLB_SET(e->pte_host, w.pte_host);
	VCM_TLB_SET(e->nredirects, w.pte_host ? mmu->win.nredirects : &not_checked);
	mask = (1ULL << w.page_shift) - 1;
	x->pa = w.pa_base + (dva & mask);
	x->page_left = mask + 1 - (dva & mask);
	return 0;
}

/*
 * Translate @dva through the TLB and the table, the MMU enabled and not
 * blocked, with the lock held.  A @probe (looking ahead in a burst, in
 * the hold that translated its first page) that would fail changes
 * nothing, not even the statistics: the access itself will come back and
 * fault.
 */
static int translate_enabled_locked(struct vcm_sysmmu *mmu, uint32_t dva, unsigned access,
				    struct xlate *x, bool probe)
{
	uint32_t idx = 0;
	/* a probe follows the page just used: the last-used shortcut never fits */
	unsigned hits = probe ? vcm_tlb_probe(&mmu->tlb, dva, &idx)
			      : vcm_tlb_lookup(&mmu->tlb, dva, &idx);

	switch (hits) {
	case 0:
		return tlb_miss(mmu, dva, x, probe);
	case 1:
		tlb_hit(mmu, &mmu->tlb.e[idx], dva, x);
		return 0;
	default:
		if (probe)
			return -EFAULT;
		mmu->st.translations++;
		mmu->st.multi_hits++;
		x->fault = access == VCM_ACCESS_WRITE ? VCM_FAULT_AW_MULTIHIT
						       : VCM_FAULT_AR_MULTIHIT;
		return -EFAULT;
	}
}

/* Translate @dva with the lock held: blocked, bypassed, or as above. */
static int translate_locked(struct vcm_sysmmu *mmu, uint32_t dva, unsigned access,
			    struct xlate *x)
{
	if (mmu_blocked(mmu)) {
		mmu->st.translations++;
		mmu->st.blocked++;
		return -EBUSY;
	}
	if (!(mmu->ctrl & VCM_SYSMMU_CTRL_MMU_EN)) {
		mmu->st.translations++;
		mmu->st.bypassed++;
		x->pa = dva;
		x->page_left = VCM_PT_ADDR_LIMIT - dva;
		return 0;
	}
	return translate_enabled_locked(mmu, dva, access, x, false);
}

static void warn_stale(const struct vcm_sysmmu *mmu, const struct xlate *x)
{
	const struct vcm_tlb_entry *e = &x->stale;

	if (__builtin_expect(x->walk_stale, 0))
		vcm_cache_report_walk(mmu->soc, mmu->name, x->walk_dva, x->walk.stale_pa,
				      x->walk.stale_ram, x->walk.stale_cpu, x->walk.stale_maint);
	if (!x->stale_warn)
		return;
	vcm_warn("%s: stale TLB hit for dva %#x: %s page dva %#x -> pa %#x cached from entry "
		 "%#010x (base %#x), page table now has %#010x (base %#x); TLB not invalidated?",
		 mmu->name, x->stale_dva, vcm_page_size_name((unsigned)__builtin_ctz(e->mask + 1)),
		 e->tag, e->pa, e->pte, e->base, x->stale_now, x->stale_base);
}

/* ---- faults ---- */

static void fault_report(struct vcm_sysmmu *mmu, const struct vcm_fault *f);

/* The fault status registers and counters of fault @f. */
static void record_fault_locked(struct vcm_sysmmu *mmu, const struct vcm_fault *f)
{
	uint32_t bit = VCM_SYSMMU_INT_BIT(f->type);

	mmu->int_status |= bit;
	if (f->type == VCM_FAULT_PAGE) {
		mmu->page_fault_addr = (uint32_t)f->dva;
	} else if (f->type == VCM_FAULT_BUS_ERROR) {
		mmu->default_slave = (uint32_t)f->dva;
	} else if (f->access == VCM_ACCESS_WRITE) {
		mmu->aw_fault_addr = (uint32_t)f->dva;
		mmu->aw_bits |= bit;
	} else {
		mmu->ar_fault_addr = (uint32_t)f->dva;
		mmu->ar_bits |= bit;
	}
	mmu->st.faults++;
	mmu->st.fault_counts[f->type]++;
}

/* Let go of the transactions held since a fault (as a write of CTRL does). */
static void release_hold(struct vcm_sysmmu *mmu)
{
	mmu_lock(mmu);
	mmu->fault_held = false;
	update_fast_locked(mmu);
	mmu_unlock(mmu);
}

/*
 * Record fault @f and, unless INT_MASK masks it, interrupt: hold
 * transactions (fault hold on) and call the handler.  A handler's 0 (retry)
 * lets go of the hold, as the kernel's interrupt handler unblocked after a
 * fault it handled.  Returns the handler's value, -EFAULT without one.
 */
static int deliver_fault(struct vcm_sysmmu *mmu, const struct vcm_fault *f)
{
	vcm_fault_fn fn = NULL;
	void *priv = NULL;
	int ret;

	mmu_lock(mmu);
	record_fault_locked(mmu, f);
	if (!(mmu->int_mask & VCM_SYSMMU_INT_BIT(f->type))) {
		mmu->fault_held = mmu->hold_on_fault;
		update_fast_locked(mmu);
		fn = mmu->handler;
		priv = mmu->handler_priv;
	}
	mmu_unlock(mmu);

	if (!fn)
		return -EFAULT;
	ret = fn(mmu, f, priv);
	if (!ret)
		release_hold(mmu);
	return ret;
}

/* ---- fault reports ---- */

/* The rate limit: true if one more report may go out now. */
static bool report_allowed_locked(struct vcm_sysmmu *mmu)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec;
	if (now - mmu->report_window >= VCM_FAULT_REPORT_INTERVAL_S) {
		mmu->report_window = now;
		mmu->reports_in_window = 0;
	}
	if (mmu->reports_in_window >= VCM_FAULT_REPORT_BURST) {
		mmu->reports_suppressed++;
		return false;
	}
	mmu->reports_in_window++;
	return true;
}

/* The TLB entries holding @dva: how many, and the first one. */
static void scene_tlb_locked(const struct vcm_sysmmu *mmu, uint32_t dva,
			     struct vcm_fault_scene *s)
{
	unsigned i;

	for (i = 0; i < mmu->tlb.size; i++) {
		const struct vcm_tlb_entry *e = &mmu->tlb.e[i];

		if (!vcm_tlb_match(e, dva))
			continue;
		if (!s->tlb_hits++) {
			s->tlb = *e;
			s->tlb_stale = entry_stale(mmu, e);
		}
	}
}

/*
 * Report a fault that ends an access (the handler did not resolve it):
 * collect the scene under the lock, then describe and warn without it.
 */
static void fault_report(struct vcm_sysmmu *mmu, const struct vcm_fault *f)
{
	struct vcm_fault_scene s;
	char text[VCM_FAULT_REPORT_MAX];

	memset(&s, 0, sizeof(s));
	mmu_lock(mmu);
	if (mmu->reports_off || !report_allowed_locked(mmu)) {
		mmu_unlock(mmu);
		return;
	}
	s.name = mmu->name;
	s.ctrl = mmu->ctrl;
	s.pt_base = mmu->pt_base;
	scene_tlb_locked(mmu, (uint32_t)f->dva, &s);
	s.describe = mmu->describe;
	s.describe_priv = mmu->describe_priv;
	s.suppressed = mmu->reports_suppressed;
	mmu->reports_suppressed = 0;
	mmu_unlock(mmu);
	vcm_fault_report_format(mmu->soc, f, &s, text, sizeof(text));
	vcm_warn("%s", text);
}

VCM_EXPORT void vcm_sysmmu_set_describer(struct vcm_sysmmu *mmu, vcm_dva_describe_fn fn,
					 void *priv)
{
	if (bad_mmu(mmu, __func__))
		return;
	mmu_lock(mmu);
	mmu->describe = fn;
	mmu->describe_priv = fn ? priv : NULL;
	mmu_unlock(mmu);
}

void vcm_sysmmu_drop_describer(struct vcm_sysmmu *mmu, void *priv)
{
	mmu_lock(mmu);
	if (mmu->describe_priv == priv) {
		mmu->describe = NULL;
		mmu->describe_priv = NULL;
	}
	mmu_unlock(mmu);
}

bool vcm_sysmmu_describe(struct vcm_sysmmu *mmu, uint64_t dva, struct vcm_dva_desc *d)
{
	vcm_dva_describe_fn fn;
	void *priv;

	mmu_lock(mmu);
	fn = mmu->describe;
	priv = mmu->describe_priv;
	mmu_unlock(mmu);
	memset(d, 0, sizeof(*d));
	if (fn)
		fn(dva, d, priv);
	return fn != NULL;
}

int vcm_sysmmu_tlb_line(struct vcm_sysmmu *mmu, uint64_t dva, struct vcm_tlb_entry *e,
			bool *stale, uint32_t *pt_base, uint32_t *ctrl)
{
	int line = -1;
	unsigned i;

	mmu_lock(mmu);
	*pt_base = mmu->pt_base;
	*ctrl = mmu->ctrl;
	for (i = 0; i < mmu->tlb.size && line < 0; i++) {
		if (!vcm_tlb_match(&mmu->tlb.e[i], (uint32_t)dva))
			continue;
		line = (int)i;
		*e = mmu->tlb.e[i];
		*stale = entry_stale(mmu, e);
	}
	mmu_unlock(mmu);
	return line;
}

const char *vcm_sysmmu_name(const struct vcm_sysmmu *mmu)
{
	return mmu->name;
}

VCM_TRACE_BODY void do_sysmmu_set_fault_reports(struct vcm_sysmmu *mmu, bool on)
{
	if (bad_mmu(mmu, "vcm_sysmmu_set_fault_reports"))
		return;
	mmu_lock(mmu);
	mmu->reports_off = !on;
	mmu_unlock(mmu);
}

VCM_TRACED_VOID(vcm_sysmmu_set_fault_reports, (struct vcm_sysmmu *mmu, bool on),
		do_sysmmu_set_fault_reports, (mmu, on),
		SYSMMU_SET_FAULT_REPORTS, mmu, (int)on)

static void int_clear_locked(struct vcm_sysmmu *mmu, uint32_t bits)
{
	mmu->int_status &= ~bits;
	if (!(mmu->int_status & VCM_SYSMMU_INT_BIT(VCM_FAULT_PAGE)))
		mmu->page_fault_addr = 0;
	mmu->ar_bits &= mmu->int_status;
	if (!mmu->ar_bits)
		mmu->ar_fault_addr = 0;
	mmu->aw_bits &= mmu->int_status;
	if (!mmu->aw_bits)
		mmu->aw_fault_addr = 0;
	if (!(mmu->int_status & VCM_SYSMMU_INT_BIT(VCM_FAULT_BUS_ERROR)))
		mmu->default_slave = 0;
}

/* ---- accesses ---- */

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * True if an entry of a page size in @classes (not 4 KiB) holds @dva, page
 * @j of run @r.  @absent: per size, the page last found held by none
 * (UINT32_MAX: none yet); it stays so for the rest of the run.
 */
static __attribute__((noinline)) bool held_by_larger(const struct vcm_tlb_run *r, uint32_t dva,
						     unsigned j, unsigned classes,
						     uint32_t *absent)
{
	for (; classes; classes &= classes - 1) {
		unsigned cls = (unsigned)__builtin_ctz(classes);
		uint32_t key = dva >> vcm_tlb_class_shift(cls);

		if (key == absent[cls])
			continue;
		if (vcm_tlb_run_holds(r, dva, cls, j))
			return true;
		absent[cls] = key;
	}
	return false;
}

/* True if level-2 entry @e is a small page at @pa. */
static bool small_at(uint32_t e, uint64_t pa)
{
	return vcm_lv2_is_small(e) && vcm_small_pa(e) == pa;
}

/*
 * The host address of the level-2 table a run reads for @dva, with its PA
 * in *@table, or NULL: the table of valid cursor @c's MiB or, for another
 * MiB, the one its level-1 entry links to (read as a walk reads it, which
 * moves @c there), as long as the table and its level-1 entry are read
 * through the RAM window of a coherent walk.
 */
static const uint32_t *run_table(struct vcm_sysmmu *mmu, uint32_t dva,
				 struct vcm_walk_cursor *c, uint64_t *table)
{
	struct vcm_ram_window *win = &mmu->win;
	unsigned mib = vcm_lv1_index(dva);
	const uint32_t *l2;
	struct vcm_walk w;

	if (c->lv1_index != mib &&
	    (!vcm_ram_window_host(win, mmu->pt_base + mib * sizeof(uint32_t)) ||
	     vcm_pgtable_walk_lv1(mmu->soc, mmu->pt_base, dva, &w, win, c) != VCM_WALK_NEXT))
		return NULL;
	if (c->check || !vcm_ram_window_host(win, c->lv1_pa))
		return NULL;
	*table = vcm_lv1_link_pa(c->link);
	l2 = vcm_ram_window_host(win, *table);
	if (!l2 || !vcm_ram_window_host(win, *table + VCM_LV2_TABLE_BYTES - sizeof(uint32_t)))
		return NULL;
	return l2;
}

/*
 * True if each of the @n level-2 entries from @p is @e plus one page per
 * entry before it: one simple loop, which the compiler turns into vector
 * code (plain loads, see vcm_pte_read_run()).
 */
static VCM_VECTOR_LOOPS bool run_continues(const uint32_t *p, uint32_t e, unsigned n)
{
	uint32_t diff = 0;
	unsigned i;

	for (i = 0; i < n; i++, e += VCM_SMALL_SIZE)
		diff |= vcm_pte_read_run(&p[i]) ^ e;
	return diff == 0;
}

/*
 * How many of the @n level-2 entries from @p go on with a run whose next
 * entry is @e (each the entry before it plus one page), read through the
 * window run_table() found open for their table.
 */
static unsigned run_entries(const uint32_t *p, uint32_t e, unsigned n)
{
	unsigned i;

	if (run_continues(p, e, n))
		return n;
	for (i = 0; i < n && vcm_pte_read(&p[i]) == e; i++)
		e += VCM_SMALL_SIZE;
	return i;
}

/*
 * How many of the @k pages from page @j of run @r (DVA @dva on) no TLB
 * entry holds, of 4 KiB or a size in @larger (see held_by_larger()).
 */
static unsigned run_unheld(const struct vcm_tlb_run *r, uint32_t dva, unsigned j, unsigned k,
			   unsigned larger, uint32_t *absent)
{
	unsigned i;

	for (i = 0; i < k; i++, dva += VCM_SMALL_SIZE) {
		if (j + i >= r->t->size)
			return k;	/* the run has evicted every entry from before it */
		if (__builtin_expect(larger != 0, 0) &&
		    held_by_larger(r, dva, j + i, larger, absent))
			return i;
		if (vcm_tlb_run_holds(r, dva, VCM_TLB_SMALL, j + i))
			return i;
	}
	return k;
}

/*
 * The 4 KiB pages that continue a burst from @dva (page-aligned, PA @pa),
 * at most @max (<= BURST_COST), as one run: as long as their level-2
 * tables are read as run_table() reads them (the cursor's, then each next
 * MiB's), each level-2 entry is the one before it plus one page (the first
 * a small page at @pa), and no TLB entry holds the page.  Each page gets
 * what a probe through translate_enabled_locked() gives it: a TLB miss
 * (the run's lookup, struct vcm_tlb_run), its level-2 read, its counts (a
 * translation, a miss, a walk of 2 reads) and its TLB fill (all at the
 * end, vcm_tlb_fill_small_run()).  The first page that is anything else
 * is left untouched for that general step.  Returns the pages done.
 */
static __attribute__((noinline)) unsigned burst_small_pages(struct vcm_sysmmu *mmu, uint32_t dva,
							      uint64_t pa, unsigned max,
							      struct xlate *x)
{
	struct vcm_tlb *t = &mmu->tlb;
	const struct vcm_tlb_run look = { .t = t, .first = t->next };
	uint32_t absent[VCM_TLB_NR_CLASSES] = { UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX };
	unsigned idx = vcm_lv2_index(dva), larger = t->present & ~(1U << VCM_TLB_SMALL), k, n;
	struct vcm_tlb_run_table table[RUN_TABLES];
	struct vcm_tlb_small_run run;
	const uint32_t *l2;
	uint64_t l2_pa;
	uint32_t first;

	if (!x->cur || !x->cur->valid)
		return 0;	/* no walk yet, or a section: the general step first */
	if (!(l2 = run_table(mmu, dva, x->cur, &l2_pa)))
		return 0;
	first = vcm_pte_read(&l2[idx]);
	if (!small_at(first, pa))
		return 0;
	run = (struct vcm_tlb_small_run){
		.dva = dva, .pa = (uint32_t)pa, .pte = first, .base = mmu->pt_base,
		.nredirects = mmu->win.nredirects, .table = table,
	};
	for (n = 0; n < max; n += k, idx = 0) {
		if (n && !(l2 = run_table(mmu, dva + n * VCM_SMALL_SIZE, x->cur, &l2_pa)))
			break;
		table[run.ntables++] = (struct vcm_tlb_run_table){
			.first = n, .pte_pa = (uint32_t)(l2_pa + idx * sizeof(uint32_t)),
			.pte_host = &l2[idx],
		};
		k = (unsigned)min_u64(max - n, VCM_LV2_ENTRIES - idx);
		k = run_entries(&l2[idx], run.pte + n * VCM_SMALL_SIZE, k);
		k = run_unheld(&look, dva + n * VCM_SMALL_SIZE, n, k, larger, absent);
		if (idx + k < VCM_LV2_ENTRIES) {
			n += k;
			break;		/* not to the end of this table */
		}
	}
	run.n = n;
	vcm_tlb_fill_small_run(t, &run);
	mmu->st.translations += n;
	mmu->st.tlb_misses += n;
	mmu->st.walks += n;
	mmu->st.walk_reads += 2 * (uint64_t)n;
	return n;
}

/*
 * Extend a run of @run bytes from @dva (PA @pa, host-contiguous up to
 * @limit bytes) with the pages that follow it while they translate to the
 * next PA.  Each page is translated once: a page that translates to some
 * other PA ends the run and is handed over in @pf for the next access; a
 * page that would fault ends it untranslated.  Only through the table: a
 * blocked or disabled MMU (the first page came from @pf, done in an
 * earlier hold) ends it at once.  Runs of 4 KiB pages go through
 * burst_small_pages(), every other page one at a time; BURST_COST bounds
 * the hold.
 */
static uint64_t burst_extend(struct vcm_sysmmu *mmu, uint64_t dva, unsigned access,
			     uint64_t pa, uint64_t run, uint64_t limit, struct xlate *x,
			     struct vcm_dma_prefetch *pf)
{
	bool small = !vcm_pgtable_walk_checks(mmu->soc, &mmu->win);
	unsigned cost = RUN_PER_STEP, n = 0;	/* the first page's */

	if (mmu_blocked(mmu) || !(mmu->ctrl & VCM_SYSMMU_CTRL_MMU_EN))
		return run;
	while (run < limit && cost < BURST_COST) {
		if (small) {
			n = (unsigned)min_u64(BURST_COST - cost,
					      (limit - run + VCM_SMALL_SIZE - 1) / VCM_SMALL_SIZE);
			n = burst_small_pages(mmu, (uint32_t)(dva + run), pa + run, n, x);
		}
		if (n) {
			cost += n;
			run = min_u64(run + (uint64_t)n * VCM_SMALL_SIZE, limit);
			continue;
		}
		if (translate_enabled_locked(mmu, (uint32_t)(dva + run), access, x, true))
			break;
		if (x->pa != pa + run) {
			pf->valid = true;
			pf->dva = dva + run;
			pf->pa = x->pa;
			pf->page_left = x->page_left;
			break;
		}
		run = min_u64(run + x->page_left, limit);
		cost += RUN_PER_STEP;
	}
	return run;
}

/*
 * One attempt: translate the page of @dva (or take it from @pf) and the
 * pages after it that stay contiguous in host memory, up to @want bytes.
 * Returns 0 with the run, -EBUSY, or -EFAULT with x->fault set.
 */
static int access_burst(struct vcm_sysmmu *mmu, uint64_t dva, unsigned access, size_t want,
			struct xlate *x, struct vcm_dma_prefetch *pf, uint8_t **host,
			size_t *run, uint64_t *pa)
{
	struct vcm_walk_cursor cur = { .valid = false };
	vcm_size_t hrun = 0;
	uint64_t limit, n;
	int err = 0;

	x->cur = &cur;
	mmu_lock(mmu);
	if (pf->valid && pf->dva == dva) {
		x->pa = pf->pa;
		x->page_left = pf->page_left;
	} else {
		err = translate_locked(mmu, (uint32_t)dva, access, x);
	}
	pf->valid = false;
	if (!err) {
		*pa = x->pa;
		*host = vcm_soc_dev_run(mmu->soc, x->pa, &hrun);
		limit = min_u64(hrun, want);
		n = min_u64(x->page_left, limit);
		if (n)
			n = burst_extend(mmu, dva, access, x->pa, n, limit, x, pf);
		*run = (size_t)n;
		if (!n) {
			x->fault = VCM_FAULT_BUS_ERROR;
			err = -EFAULT;
		}
	}
	mmu_unlock(mmu);
	x->cur = NULL;
	warn_stale(mmu, x);
	return err;
}

int vcm_sysmmu_access(struct vcm_sysmmu *mmu, uint64_t dva, unsigned access, size_t want,
		      struct vcm_dma_prefetch *pf, uint8_t **host, size_t *run, uint64_t *pa)
{
	struct vcm_fault f = { .dva = dva, .access = access };
	unsigned attempt;
	struct xlate x;
	int err;

	for (attempt = 0;; attempt++) {
		xlate_init(&x);
		err = access_burst(mmu, dva, access, want, &x, pf, host, run, pa);
		if (err != -EFAULT)
			return err;
		f.type = x.fault;
		if (deliver_fault(mmu, &f) || attempt) {
			fault_report(mmu, &f);
			return -EFAULT;
		}
	}
}

static bool access_ok(unsigned access)
{
	return access == VCM_ACCESS_READ || access == VCM_ACCESS_WRITE;
}

/* ---- the lock-free TLB hit ---- */

/* A key of the calling thread: the address of its own TLS. */
static __thread struct {
	uint64_t id;			/* the System MMU ... */
	struct hit_slot *slot;		/* ... and this thread's slot in it */
} hit_cache[4] __attribute__((tls_model("initial-exec")));

static const void *thread_key(void)
{
	return hit_cache;
}

/*
 * This thread's hit slot in @mmu (made on first use), or NULL (no memory).
 * The first thread to ask becomes the owner of @mmu's own counter.
 */
static struct hit_slot *hit_slot_find(struct vcm_sysmmu *mmu)
{
	struct hit_slot *s;

	mmu_lock(mmu);
	if (!mmu->hit_owner)
		VCM_TLB_SET(mmu->hit_owner, thread_key());
	for (s = mmu->hit_slots; s && s->thread != thread_key(); s = s->next)
		;
	if (!s) {
		s = calloc(1, sizeof(*s));	/* not vcm_calloc(): no fault injection */
		if (s) {
			s->thread = thread_key();
			s->next = mmu->hit_slots;
			mmu->hit_slots = s;
		}
	}
	mmu_unlock(mmu);
	return s;
}

/*
 * This thread's memory (see registry.h) of the live System MMU whose own
 * counter of lock-free hits it owns (the last one it asked about).
 */
static __thread struct vcm_reg_seen owner_seen __attribute__((tls_model("initial-exec")));

/* True if this thread owns @mmu's own counter of lock-free hits. */
VCM_HOT_INLINE bool hit_owner(const struct vcm_sysmmu *mmu)
{
	return VCM_TLB_GET(mmu->hit_owner) == thread_key();
}

/*
 * Count one lock-free hit: in @mmu's own counter if this thread owns it
 * (@owner: known to), else in this thread's slot.  False if there is no
 * slot (no memory).
 */
VCM_HOT_INLINE bool count_fast_hit(struct vcm_sysmmu *mmu, bool owner)
{
	unsigned way = (unsigned)mmu->id & (VCM_ARRAY_SIZE(hit_cache) - 1);
	struct hit_slot *s;

	if (owner || hit_owner(mmu)) {
		__atomic_store_n(&mmu->owner_hits, mmu->owner_hits + 1, __ATOMIC_RELAXED);
		return true;
	}
	if (hit_cache[way].id != mmu->id) {
		s = hit_slot_find(mmu);
		if (!s)
			return false;
		hit_cache[way].id = mmu->id;
		hit_cache[way].slot = s;
	}
	s = hit_cache[way].slot;
	__atomic_store_n(&s->hits, s->hits + 1, __ATOMIC_RELAXED);	/* one writer */
	return true;
}

/* The hits counted lock-free, all threads (lock held). */
static uint64_t fast_hits_locked(const struct vcm_sysmmu *mmu)
{
	const struct hit_slot *s;
	uint64_t n = __atomic_load_n(&mmu->owner_hits, __ATOMIC_RELAXED);

	for (s = mmu->hit_slots; s; s = s->next)
		n += __atomic_load_n(&s->hits, __ATOMIC_RELAXED);
	return n;
}

/*
 * The owner's hit of @dva in its cache: the line of @dva's page, filled
 * under the count that stands, its bank not redirected and its page-table
 * entry unchanged.  Only for the thread that owns @mmu's counter.
 */
VCM_HOT_INLINE const struct hit_line *owner_cache_hit(const struct vcm_sysmmu *mmu, vcm_addr_t dva)
{
	uint64_t page = dva >> VCM_TLB_SMALLEST_SHIFT;	/* a DVA >= 2^32: no line */
	const struct hit_line *l = &mmu->hit_lines[page % HIT_LINES];

	if (l->page != page || l->seq != __atomic_load_n(&mmu->seq, __ATOMIC_ACQUIRE) ||
	    vcm_pte_read(l->pte_host) != l->pte)
		return NULL;
	return l;
}

/* Put the hit of @dva in entry @e, under count @seq, in the owner's cache. */
static void owner_cache_fill(struct vcm_sysmmu *mmu, uint32_t dva, uint64_t seq,
			     const struct vcm_tlb_entry *e)
{
	uint64_t page = dva >> VCM_TLB_SMALLEST_SHIFT;
	struct hit_line *l = &mmu->hit_lines[page % HIT_LINES];

	l->page = page;
	l->seq = seq;
	l->pte_host = VCM_TLB_GET(e->pte_host);
	l->pa = VCM_TLB_GET(e->pa) + (dva & VCM_TLB_GET(e->mask) & ~(VCM_TLB_SMALL_SIZE - 1));
	l->pte = VCM_TLB_GET(e->pte);
}

/* What a lock-free hit came to. */
enum fast_result {
	FAST_HIT,		/* translated and counted */
	FAST_LOCKED,		/* take the locked way */
	FAST_GENERAL,		/* entries of several page sizes: probe them all */
};

/*
 * A TLB hit without the lock: FAST_HIT with *@pa if exactly one entry
 * holds @dva, the page-table entry it came from still holds what it cached
 * and the base is the one it was filled under, nothing changed meanwhile,
 * and the hit was counted; the owner of @mmu's counter also keeps it in
 * its cache.  FAST_LOCKED: take the locked way, which decides (and counts,
 * warns).  Unless @general, only a TLB of one page size is probed (one
 * chain): FAST_GENERAL if it has several.
 */
VCM_HOT_INLINE enum fast_result translate_fast(struct vcm_sysmmu *mmu, uint32_t dva,
					       vcm_addr_t *pa, bool general)
{
	uint64_t seq = __atomic_load_n(&mmu->seq, __ATOMIC_ACQUIRE);
	const struct vcm_tlb_entry *e;
	uint32_t idx = 0, base, mask;
	unsigned hits;
	bool fresh, owner;

	if (seq & (SEQ_HELD | SEQ_SLOW))		/* a change under way, or !mmu->fast */
		return FAST_LOCKED;
	hits = general ? vcm_tlb_probe(&mmu->tlb, dva, &idx)
		       : vcm_tlb_probe_one(&mmu->tlb, dva, &idx);
	if (hits != 1)
		return hits == VCM_TLB_MIXED ? FAST_GENERAL : FAST_LOCKED;
	e = &mmu->tlb.e[idx];
	/* not_checked for an entry without pte_host */
	if (atomic_load_explicit(VCM_TLB_GET(e->nredirects), memory_order_relaxed))
		return FAST_LOCKED;
	fresh = vcm_pte_read(VCM_TLB_GET(e->pte_host)) == VCM_TLB_GET(e->pte) &&
		VCM_TLB_GET(e->base) == VCM_TLB_GET(mmu->pt_base);
	base = VCM_TLB_GET(e->pa);
	mask = VCM_TLB_GET(e->mask);
	owner = hit_owner(mmu);
	if (fresh && owner)
		owner_cache_fill(mmu, dva, seq, e);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* the reads above before the re-check */
	if (!fresh || __atomic_load_n(&mmu->seq, __ATOMIC_RELAXED) != seq ||
	    !count_fast_hit(mmu, owner))
		return FAST_LOCKED;
	*pa = base + (dva & mask);
	return FAST_HIT;
}

/*
 * The locked way of vcm_sysmmu_translate(): misses, stale and multiple
 * hits, bypass, blocked, faults and their retry.  Out of line, so that the
 * lock-free hit stays a short leaf.
 */
static __attribute__((noinline)) int translate_slow(struct vcm_sysmmu *mmu, uint32_t dva,
						    unsigned access, vcm_addr_t *pa)
{
	struct vcm_fault f = { .dva = dva, .access = access };
	unsigned attempt;
	struct xlate x;
	int err;

	for (attempt = 0;; attempt++) {
		xlate_init(&x);
		mmu_lock(mmu);
		err = translate_locked(mmu, dva, access, &x);
		mmu_unlock(mmu);
		warn_stale(mmu, &x);
		if (!err)
			*pa = x.pa;
		if (err != -EFAULT)
			return err;
		f.type = x.fault;
		if (deliver_fault(mmu, &f) || attempt) {
			fault_report(mmu, &f);
			return -EFAULT;
		}
	}
}

/*
 * vcm_sysmmu_translate() all the way: every check, a lock-free hit
 * counted by any thread, else the locked way.
 */
static __attribute__((noinline)) int translate_checked(struct vcm_sysmmu *mmu, vcm_addr_t dva,
						       unsigned access, vcm_addr_t *pa)
{
	if (!vcm_sysmmu_ok(mmu, "vcm_sysmmu_translate") || !pa || dva >= VCM_PT_ADDR_LIMIT ||
	    !access_ok(access))
		return -EINVAL;
	if (hit_owner(mmu) && !vcm_reg_seen_in(&owner_seen, mmu, VCM_KIND_SYSMMU) &&
	    vcm_reg_remember_in(&owner_seen, mmu, VCM_KIND_SYSMMU))
		memset(mmu->hit_lines, 0, sizeof(mmu->hit_lines));	/* see struct hit_line */
	if (translate_fast(mmu, (uint32_t)dva, pa, true) == FAST_HIT)
		return 0;
	return translate_slow(mmu, (uint32_t)dva, access, pa);
}

/*
 * The owner's translation that its cache did not answer, the checks of the
 * leaf below passed but for the DVA's range: a lock-free hit in a TLB of
 * one page size (which fills the cache), else the locked way (or all the
 * checks and the general lock-free hit, for several page sizes).
 */
static __attribute__((noinline)) int translate_owner(struct vcm_sysmmu *mmu, vcm_addr_t dva,
						     unsigned access, vcm_addr_t *pa)
{
	if (dva >= VCM_PT_ADDR_LIMIT)
		return translate_checked(mmu, dva, access, pa);
	switch (translate_fast(mmu, (uint32_t)dva, pa, false)) {
	case FAST_HIT:
		return 0;
	case FAST_LOCKED:
		return translate_slow(mmu, (uint32_t)dva, access, pa);
	default:
		return translate_checked(mmu, dva, access, pa);
	}
}

/*
 * The common case, a leaf: a live MMU whose counter of lock-free hits this
 * thread owns (one check: owner_seen), good arguments (the DVA's range: no
 * line holds a DVA >= 2^32), a hit in that thread's cache.
 */
VCM_TRACE_BODY int do_sysmmu_translate(struct vcm_sysmmu *mmu, vcm_addr_t dva, unsigned access,
				    vcm_addr_t *pa)
{
	const struct hit_line *l;

	if (__builtin_expect(!vcm_reg_seen_in(&owner_seen, mmu, VCM_KIND_SYSMMU) || !pa ||
			     !access_ok(access), 0))
		return translate_checked(mmu, dva, access, pa);
	l = owner_cache_hit(mmu, dva);
	if (__builtin_expect(!l, 0))
		return translate_owner(mmu, dva, access, pa);
	count_fast_hit(mmu, true);
	*pa = l->pa + (dva & (VCM_TLB_SMALL_SIZE - 1));
	return 0;
}

VCM_TRACED_FN(int, vcm_sysmmu_translate,
	      (struct vcm_sysmmu *mmu, vcm_addr_t dva, unsigned access, vcm_addr_t *pa),
	      do_sysmmu_translate, (mmu, dva, access, pa),
	      SYSMMU_TRANSLATE, mmu, (uint64_t)dva, access, ret, (uint64_t)(ret ? 0 : pa ? *pa : 0))

VCM_EXPORT int vcm_sysmmu_inject_fault(struct vcm_sysmmu *mmu, const struct vcm_fault *f)
{
	if (!vcm_sysmmu_ok(mmu, __func__) || !f || (unsigned)f->type >= VCM_FAULT_NR_TYPES ||
	    !access_ok(f->access))
		return -EINVAL;
	return deliver_fault(mmu, f);
}

/* ---- create / destroy / control ---- */

struct vcm_soc *vcm_sysmmu_soc(const struct vcm_sysmmu *mmu)
{
	return mmu->soc;
}

int vcm_sysmmu_claim(struct vcm_sysmmu *mmu, const void *owner)
{
	int ret = 0;

	mmu_lock(mmu);
	if (mmu->owner && mmu->owner != owner)
		ret = -EBUSY;
	else
		mmu->owner = owner;
	mmu_unlock(mmu);
	return ret;
}

void vcm_sysmmu_unclaim(struct vcm_sysmmu *mmu, const void *owner)
{
	mmu_lock(mmu);
	if (mmu->owner == owner)
		mmu->owner = NULL;
	mmu_unlock(mmu);
}

bool vcm_sysmmu_claimed_by_other(struct vcm_sysmmu *mmu, const void *owner)
{
	bool other;

	mmu_lock(mmu);
	other = mmu->owner && mmu->owner != owner;
	mmu_unlock(mmu);
	return other;
}

void vcm_sysmmu_count_stale_reads(struct vcm_sysmmu *mmu, unsigned lines)
{
	mmu_lock(mmu);
	mmu->st.stale_dma_reads += lines;
	mmu_unlock(mmu);
}

/* The id of the last System MMU made (0: none; ids are never reused). */
static uint64_t next_mmu_id;

VCM_TRACE_BODY struct vcm_sysmmu *do_sysmmu_create(struct vcm_soc *soc, const char *name)
{
	struct vcm_sysmmu *mmu;

	if (!vcm_soc_ok(soc, "vcm_sysmmu_create"))
		return vcm_err_ptr(-EINVAL);
	mmu = vcm_calloc(1, sizeof(*mmu));
	if (!mmu)
		return vcm_err_ptr(-ENOMEM);
	mmu->soc = soc;
	mmu->seq = SEQ_SLOW;		/* disabled */
	mmu->id = __atomic_add_fetch(&next_mmu_id, 1, __ATOMIC_RELAXED);
	mmu->win.device = true;		/* the walker reads RAM as devices see it */
	mmu->name = vcm_strdup(name ? name : "sysmmu");
	if (!mmu->name || vcm_tlb_init(&mmu->tlb, VCM_SYSMMU_TLB_DEFAULT_ENTRIES) ||
	    vcm_reg_add(mmu, VCM_KIND_SYSMMU, NULL, "vcm_sysmmu_create")) {
		vcm_tlb_release(&mmu->tlb);
		free(mmu->name);
		free(mmu);
		return vcm_err_ptr(-ENOMEM);
	}
	vcm_soc_hold(soc);	/* the model walks its RAM, even after vcm_soc_destroy() */
	return mmu;
}

VCM_TRACED_FN(struct vcm_sysmmu *, vcm_sysmmu_create, (struct vcm_soc *soc, const char *name),
	      do_sysmmu_create, (soc, name),
	      SYSMMU_CREATE, soc, name, ret)

VCM_TRACE_BODY void do_sysmmu_destroy(struct vcm_sysmmu *mmu)
{
	if (!vcm_sysmmu_ok(mmu, "vcm_sysmmu_destroy"))
		return;
	vcm_reg_del(mmu, VCM_KIND_SYSMMU);
	while (mmu->hit_slots) {
		struct hit_slot *s = mmu->hit_slots;

		mmu->hit_slots = s->next;
		free(s);
	}
	vcm_tlb_release(&mmu->tlb);
	vcm_soc_put(mmu->soc);
	free(mmu->name);
	free(mmu);
}

VCM_TRACED_VOID(vcm_sysmmu_destroy, (struct vcm_sysmmu *mmu), do_sysmmu_destroy, (mmu),
		SYSMMU_DESTROY, mmu)

/* A write of CTRL; it also ends a hold after a fault. */
static void ctrl_write_locked(struct vcm_sysmmu *mmu, uint32_t val)
{
	mmu->ctrl = val;
	mmu->fault_held = false;
	update_fast_locked(mmu);
}

static void set_ctrl(struct vcm_sysmmu *mmu, uint32_t val)
{
	mmu_lock(mmu);
	ctrl_write_locked(mmu, val);
	mmu_unlock(mmu);
}

VCM_TRACE_BODY void do_sysmmu_enable(struct vcm_sysmmu *mmu)
{
	if (!bad_mmu(mmu, "vcm_sysmmu_enable"))
		set_ctrl(mmu, VCM_SYSMMU_CTRL_ENABLE);
}

VCM_TRACED_VOID(vcm_sysmmu_enable, (struct vcm_sysmmu *mmu), do_sysmmu_enable, (mmu),
		SYSMMU_ENABLE, mmu)

VCM_TRACE_BODY void do_sysmmu_disable(struct vcm_sysmmu *mmu)
{
	if (!bad_mmu(mmu, "vcm_sysmmu_disable"))
		set_ctrl(mmu, VCM_SYSMMU_CTRL_DISABLE);
}

VCM_TRACED_VOID(vcm_sysmmu_disable, (struct vcm_sysmmu *mmu), do_sysmmu_disable, (mmu),
		SYSMMU_DISABLE, mmu)

static void set_base(struct vcm_sysmmu *mmu, uint32_t val)
{
	mmu_lock(mmu);
	VCM_TLB_SET(mmu->pt_base, val & ~(uint32_t)(VCM_LV1_TABLE_ALIGN - 1));
	mmu_unlock(mmu);
}

VCM_TRACE_BODY void do_sysmmu_set_pgtable_base(struct vcm_sysmmu *mmu, vcm_addr_t pgd_pa)
{
	if (bad_mmu(mmu, "vcm_sysmmu_set_pgtable_base"))
		return;
	if (pgd_pa >= VCM_PT_ADDR_LIMIT || !VCM_IS_ALIGNED(pgd_pa, VCM_LV1_TABLE_ALIGN))
		vcm_warn("%s: page-table base %#llx is not a 16 KiB-aligned 32-bit address",
			 mmu->name, (unsigned long long)pgd_pa);
	set_base(mmu, (uint32_t)pgd_pa);
}

VCM_TRACED_VOID(vcm_sysmmu_set_pgtable_base, (struct vcm_sysmmu *mmu, vcm_addr_t pgd_pa),
		do_sysmmu_set_pgtable_base, (mmu, pgd_pa),
		SYSMMU_SET_PGTABLE_BASE, mmu, (uint64_t)pgd_pa)

VCM_TRACE_BODY vcm_addr_t do_sysmmu_pgtable_base(const struct vcm_sysmmu *mmu)
{
	vcm_addr_t base;

	if (!vcm_sysmmu_ok(mmu, "vcm_sysmmu_pgtable_base"))
		return 0;
	mmu_lock(mmu);
	base = mmu->pt_base;
	mmu_unlock(mmu);
	return base;
}

VCM_TRACED_FN(vcm_addr_t, vcm_sysmmu_pgtable_base, (const struct vcm_sysmmu *mmu),
	      do_sysmmu_pgtable_base, (mmu),
	      SYSMMU_PGTABLE_BASE, mmu, (uint64_t)ret)

VCM_TRACE_BODY void do_sysmmu_tlb_invalidate(struct vcm_sysmmu *mmu)
{
	if (bad_mmu(mmu, "vcm_sysmmu_tlb_invalidate"))
		return;
	mmu_lock(mmu);
	vcm_tlb_flush(&mmu->tlb);
	mmu->st.tlb_flushes++;
	mmu_unlock(mmu);
}

VCM_TRACED_VOID(vcm_sysmmu_tlb_invalidate, (struct vcm_sysmmu *mmu),
		do_sysmmu_tlb_invalidate, (mmu),
		SYSMMU_TLB_INVALIDATE, mmu)

VCM_TRACE_BODY void do_sysmmu_tlb_invalidate_entry(struct vcm_sysmmu *mmu, vcm_addr_t dva)
{
	if (bad_mmu(mmu, "vcm_sysmmu_tlb_invalidate_entry"))
		return;
	mmu_lock(mmu);
	vcm_tlb_flush_dva(&mmu->tlb, (uint32_t)dva);
	mmu->st.tlb_entry_flushes++;
	mmu_unlock(mmu);
}

VCM_TRACED_VOID(vcm_sysmmu_tlb_invalidate_entry, (struct vcm_sysmmu *mmu, vcm_addr_t dva),
		do_sysmmu_tlb_invalidate_entry, (mmu, dva),
		SYSMMU_TLB_INVALIDATE_ENTRY, mmu, (uint64_t)dva)

VCM_TRACE_BODY void do_sysmmu_set_fault_handler(struct vcm_sysmmu *mmu, vcm_fault_fn fn,
					     void *priv)
{
	if (bad_mmu(mmu, "vcm_sysmmu_set_fault_handler"))
		return;
	mmu_lock(mmu);
	mmu->handler = fn;
	mmu->handler_priv = priv;
	mmu_unlock(mmu);
}

VCM_TRACED_VOID(vcm_sysmmu_set_fault_handler, (struct vcm_sysmmu *mmu, vcm_fault_fn fn, void *priv),
		do_sysmmu_set_fault_handler, (mmu, fn, priv),
		SYSMMU_SET_FAULT_HANDLER, mmu, fn != NULL)

VCM_TRACE_BODY void do_sysmmu_set_fault_hold(struct vcm_sysmmu *mmu, bool on)
{
	if (bad_mmu(mmu, "vcm_sysmmu_set_fault_hold"))
		return;
	mmu_lock(mmu);
	mmu->hold_on_fault = on;
	if (!on)
		mmu->fault_held = false;
	update_fast_locked(mmu);
	mmu_unlock(mmu);
}

VCM_TRACED_VOID(vcm_sysmmu_set_fault_hold, (struct vcm_sysmmu *mmu, bool on),
		do_sysmmu_set_fault_hold, (mmu, on),
		SYSMMU_SET_FAULT_HOLD, mmu, (int)on)

/* The statistics, the hits counted lock-free added (lock held). */
static void stats_locked(const struct vcm_sysmmu *mmu, struct vcm_sysmmu_stats *st)
{
	uint64_t fast = fast_hits_locked(mmu);

	*st = mmu->st;
	st->translations += fast;
	st->tlb_hits += fast;
}

VCM_EXPORT void vcm_sysmmu_get_stats(const struct vcm_sysmmu *mmu, struct vcm_sysmmu_stats *st)
{
	if (!st)
		return;
	if (!vcm_sysmmu_ok(mmu, __func__)) {
		memset(st, 0, sizeof(*st));
		return;
	}
	mmu_lock(mmu);
	stats_locked(mmu, st);
	mmu_unlock(mmu);
}

VCM_TRACE_BODY int do_sysmmu_set_tlb_entries(struct vcm_sysmmu *mmu, unsigned entries)
{
	struct vcm_tlb tlb, old;

	if (!vcm_sysmmu_ok(mmu, "vcm_sysmmu_set_tlb_entries") || !entries ||
	    entries > VCM_SYSMMU_TLB_MAX_ENTRIES)
		return -EINVAL;
	if (vcm_tlb_init(&tlb, entries))
		return -ENOMEM;
	mmu_lock(mmu);
	old = mmu->tlb;
	mmu->tlb = tlb;
	mmu_unlock(mmu);
	vcm_tlb_release(&old);
	return 0;
}

VCM_TRACED_FN(int, vcm_sysmmu_set_tlb_entries, (struct vcm_sysmmu *mmu, unsigned entries),
	      do_sysmmu_set_tlb_entries, (mmu, entries),
	      SYSMMU_SET_TLB_ENTRIES, mmu, entries, ret)

/* ---- register view ---- */

/* How each register may be accessed: REG_R, REG_W, both; 0 for a hole. */
enum { REG_R = 1, REG_W = 2, REG_RW = REG_R | REG_W };

#define REG(offset)	((offset) / sizeof(uint32_t))

static const unsigned char reg_access[REG(VCM_SYSMMU_REG_SIZE)] = {
	[REG(VCM_SYSMMU_CTRL)] = REG_RW,
	[REG(VCM_SYSMMU_CFG)] = REG_RW,
	[REG(VCM_SYSMMU_STATUS)] = REG_R,
	[REG(VCM_SYSMMU_FLUSH)] = REG_W,
	[REG(VCM_SYSMMU_FLUSH_ENTRY)] = REG_W,
	[REG(VCM_SYSMMU_PT_BASE_ADDR)] = REG_RW,
	[REG(VCM_SYSMMU_INT_STATUS)] = REG_R,
	[REG(VCM_SYSMMU_INT_CLEAR)] = REG_W,
	[REG(VCM_SYSMMU_INT_MASK)] = REG_RW,
	[REG(VCM_SYSMMU_PAGE_FAULT_ADDR)] = REG_R,
	[REG(VCM_SYSMMU_AW_FAULT_ADDR)] = REG_R,
	[REG(VCM_SYSMMU_AR_FAULT_ADDR)] = REG_R,
	[REG(VCM_SYSMMU_DEFAULT_SLAVE_ADDR)] = REG_RW,
	[REG(VCM_SYSMMU_VERSION)] = REG_R,
	[REG(VCM_SYSMMU_TLB_READ)] = REG_RW,
	[REG(VCM_SYSMMU_TLB_DATA)] = REG_R,
	[REG(VCM_SYSMMU_PB0_SADDR)] = REG_RW,
	[REG(VCM_SYSMMU_PB0_EADDR)] = REG_RW,
	[REG(VCM_SYSMMU_PB1_SADDR)] = REG_RW,
	[REG(VCM_SYSMMU_PB1_EADDR)] = REG_RW,
};

static unsigned reg_mode(unsigned offset)
{
	if (offset >= VCM_SYSMMU_REG_SIZE || !VCM_IS_ALIGNED(offset, sizeof(uint32_t)))
		return 0;
	return reg_access[REG(offset)];
}

static bool reg_known(unsigned offset)
{
	return reg_mode(offset) != 0;
}

/* Index in pb[] of the prefetch-buffer register at @offset. */
static unsigned pb_index(unsigned offset)
{
	return (unsigned)REG(offset - VCM_SYSMMU_PB0_SADDR);
}

/* TLB_DATA: the word of the TLB entry that TLB_READ selects. */
static uint32_t tlb_data_locked(const struct vcm_sysmmu *mmu)
{
	static const uint32_t size_code[VCM_TLB_NR_CLASSES] = {
		[VCM_TLB_SMALL] = VCM_SYSMMU_TLB_SIZE_4K,
		[VCM_TLB_LARGE] = VCM_SYSMMU_TLB_SIZE_64K,
		[VCM_TLB_SECTION] = VCM_SYSMMU_TLB_SIZE_1M,
		[VCM_TLB_SUPERSECTION] = VCM_SYSMMU_TLB_SIZE_16M,
	};
	unsigned i = mmu->tlb_read & VCM_SYSMMU_TLB_READ_INDEX_MASK;
	const struct vcm_tlb_entry *e;

	if (i >= mmu->tlb.size || !mmu->tlb.e[i].valid)
		return 0;
	e = &mmu->tlb.e[i];
	if (mmu->tlb_read & VCM_SYSMMU_TLB_READ_PA)
		return e->pa;
	return (e->tag & VCM_SYSMMU_TLB_TAG_ADDR_MASK) |
	       size_code[e->cls] << VCM_SYSMMU_TLB_TAG_SIZE_SHIFT | VCM_SYSMMU_TLB_TAG_VALID;
}

static uint32_t readl_locked(const struct vcm_sysmmu *mmu, unsigned offset)
{
	if (!(reg_mode(offset) & REG_R))
		return 0;	/* FLUSH, FLUSH_ENTRY, INT_CLEAR: write-only */
	switch (offset) {
	case VCM_SYSMMU_CTRL:
		return mmu->ctrl;
	case VCM_SYSMMU_CFG:
		return mmu->cfg;
	case VCM_SYSMMU_STATUS:
		return mmu_blocked(mmu) ? VCM_SYSMMU_STATUS_BLOCKED : 0;
	case VCM_SYSMMU_PT_BASE_ADDR:
		return mmu->pt_base;
	case VCM_SYSMMU_INT_STATUS:
		return mmu->int_status;
	case VCM_SYSMMU_INT_MASK:
		return mmu->int_mask;
	case VCM_SYSMMU_PAGE_FAULT_ADDR:
		return mmu->page_fault_addr;
	case VCM_SYSMMU_AW_FAULT_ADDR:
		return mmu->aw_fault_addr;
	case VCM_SYSMMU_AR_FAULT_ADDR:
		return mmu->ar_fault_addr;
	case VCM_SYSMMU_DEFAULT_SLAVE_ADDR:
		return mmu->default_slave;
	case VCM_SYSMMU_VERSION:
		return VCM_SYSMMU_VERSION_VALUE;
	case VCM_SYSMMU_TLB_READ:
		return mmu->tlb_read;
	case VCM_SYSMMU_TLB_DATA:
		return tlb_data_locked(mmu);
	default:	/* the prefetch buffers */
		return mmu->pb[pb_index(offset)];
	}
}

VCM_TRACE_BODY uint32_t do_sysmmu_readl(struct vcm_sysmmu *mmu, unsigned offset)
{
	uint32_t val;

	if (bad_mmu(mmu, "vcm_sysmmu_readl"))
		return 0;
	if (!reg_known(offset)) {
		vcm_warn("%s: read of unknown register offset %#x", mmu->name, offset);
		return 0;
	}
	mmu_lock(mmu);
	val = readl_locked(mmu, offset);
	mmu_unlock(mmu);
	return val;
}

VCM_TRACED_FN(uint32_t, vcm_sysmmu_readl, (struct vcm_sysmmu *mmu, unsigned offset),
	      do_sysmmu_readl, (mmu, offset),
	      SYSMMU_READL, mmu, (uint64_t)offset, (uint64_t)ret)

/* Returns false for a register that cannot be written. */
static bool writel_locked(struct vcm_sysmmu *mmu, unsigned offset, uint32_t val)
{
	if (!(reg_mode(offset) & REG_W))
		return false;	/* STATUS, INT_STATUS, fault addresses, VERSION, TLB_DATA */
	switch (offset) {
	case VCM_SYSMMU_CTRL:
		ctrl_write_locked(mmu, val);
		return true;
	case VCM_SYSMMU_CFG:
		mmu->cfg = val;
		return true;
	case VCM_SYSMMU_FLUSH:
		vcm_tlb_flush(&mmu->tlb);
		mmu->st.tlb_flushes++;
		return true;
	case VCM_SYSMMU_FLUSH_ENTRY:
		vcm_tlb_flush_dva(&mmu->tlb, val);
		mmu->st.tlb_entry_flushes++;
		return true;
	case VCM_SYSMMU_PT_BASE_ADDR:
		VCM_TLB_SET(mmu->pt_base, val & ~(uint32_t)(VCM_LV1_TABLE_ALIGN - 1));
		return true;
	case VCM_SYSMMU_INT_CLEAR:
		int_clear_locked(mmu, val);
		return true;
	case VCM_SYSMMU_INT_MASK:
		mmu->int_mask = val & (VCM_SYSMMU_INT_BIT(VCM_FAULT_NR_TYPES) - 1);
		return true;
	case VCM_SYSMMU_DEFAULT_SLAVE_ADDR:
		mmu->default_slave = val;
		return true;
	case VCM_SYSMMU_TLB_READ:
		mmu->tlb_read = val & (VCM_SYSMMU_TLB_READ_INDEX_MASK | VCM_SYSMMU_TLB_READ_PA);
		return true;
	default:	/* the prefetch buffers: stored, no effect on translation */
		mmu->pb[pb_index(offset)] = val;
		return true;
	}
}

VCM_TRACE_BODY void do_sysmmu_writel(struct vcm_sysmmu *mmu, unsigned offset, uint32_t val)
{
	bool ok = false;

	if (bad_mmu(mmu, "vcm_sysmmu_writel"))
		return;
	if (reg_known(offset)) {
		mmu_lock(mmu);
		ok = writel_locked(mmu, offset, val);
		mmu_unlock(mmu);
	}
	if (!ok)
		vcm_warn("%s: write of %#x to %s register offset %#x ignored", mmu->name, val,
			 reg_known(offset) ? "read-only" : "unknown", offset);
}

VCM_TRACED_VOID(vcm_sysmmu_writel, (struct vcm_sysmmu *mmu, unsigned offset, uint32_t val),
		do_sysmmu_writel, (mmu, offset, val),
		SYSMMU_WRITEL, mmu, (uint64_t)offset, (uint64_t)val)

/* ---- dump ---- */

static const char *ctrl_name(const struct vcm_sysmmu *m)
{
	if (m->ctrl & VCM_SYSMMU_CTRL_BLOCK)
		return "blocked";
	if (m->fault_held)
		return "held after a fault";
	return (m->ctrl & VCM_SYSMMU_CTRL_MMU_EN) ? "enabled" : "disabled (bypass)";
}

static void dump_regs(const struct vcm_sysmmu *m, FILE *out)
{
	unsigned t;

	fprintf(out, "  CTRL            0x%08x  %s\n", m->ctrl, ctrl_name(m));
	fprintf(out, "  CFG             0x%08x\n", m->cfg);
	fprintf(out, "  STATUS          0x%08x\n", readl_locked(m, VCM_SYSMMU_STATUS));
	fprintf(out, "  PT_BASE_ADDR    0x%08x\n", m->pt_base);
	fprintf(out, "  INT_STATUS      0x%08x", m->int_status);
	for (t = 0; t < VCM_FAULT_NR_TYPES; t++)
		if (m->int_status & VCM_SYSMMU_INT_BIT(t))
			fprintf(out, "  [%s]", vcm_fault_type_name(t));
	fprintf(out, "\n");
	fprintf(out, "  INT_MASK        0x%08x\n", m->int_mask);
	fprintf(out, "  PAGE_FAULT_ADDR 0x%08x\n", m->page_fault_addr);
	fprintf(out, "  AW_FAULT_ADDR   0x%08x\n", m->aw_fault_addr);
	fprintf(out, "  AR_FAULT_ADDR   0x%08x\n", m->ar_fault_addr);
	fprintf(out, "  DEFAULT_SLAVE   0x%08x\n", m->default_slave);
	fprintf(out, "  VERSION         0x%08x  (v%u.%u)\n", (uint32_t)VCM_SYSMMU_VERSION_VALUE,
		VCM_SYSMMU_VERSION_MAJOR, VCM_SYSMMU_VERSION_MINOR);
	fprintf(out, "  PB0             0x%08x-0x%08x  PB1 0x%08x-0x%08x  (stored)\n", m->pb[0],
		m->pb[1], m->pb[2], m->pb[3]);
}

static bool overlaps_another(const struct vcm_tlb *t, unsigned i)
{
	unsigned j;

	for (j = 0; j < t->size; j++)
		if (j != i && t->e[j].valid && vcm_tlb_overlap(&t->e[i], &t->e[j]))
			return true;
	return false;
}

static bool tlb_entry_stale(const struct vcm_sysmmu *m, const struct vcm_tlb_entry *e)
{
	return entry_stale(m, e);
}

unsigned vcm_sysmmu_stale_entries(struct vcm_sysmmu *mmu, struct vcm_tlb_stale *out,
				  unsigned max)
{
	const struct vcm_tlb *t = &mmu->tlb;
	struct vcm_ram_window win = { 0 };
	unsigned i, n = 0;

	mmu_lock(mmu);
	for (i = 0; i < t->size; i++) {
		const struct vcm_tlb_entry *e = &t->e[i];

		if (!e->valid || !tlb_entry_stale(mmu, e))
			continue;
		if (n < max)
			out[n] = (struct vcm_tlb_stale){ e->tag, e->pa, e->pte,
							 entry_now(mmu, e, &win) };
		n++;
	}
	mmu_unlock(mmu);
	return n;
}

static void dump_tlb(const struct vcm_sysmmu *m, FILE *out)
{
	const struct vcm_tlb *t = &m->tlb;
	unsigned i, valid = 0;

	for (i = 0; i < t->size; i++)
		valid += t->e[i].valid;
	fprintf(out, " TLB: %u of %u entries valid (FIFO, next victim %u)\n", valid, t->size,
		t->next);
	for (i = 0; i < t->size; i++) {
		const struct vcm_tlb_entry *e = &t->e[i];
		bool stale;

		if (!e->valid)
			continue;
		stale = tlb_entry_stale(m, e);
		fprintf(out, "  [%4u] dva 0x%08x-0x%08x -> pa 0x%08x  %-3s pte 0x%08x%s%s\n", i,
			e->tag, e->tag + e->mask, e->pa,
			vcm_page_size_name((unsigned)__builtin_ctz(e->mask + 1)), e->pte,
			stale ? "  STALE" : "", overlaps_another(t, i) ? "  OVERLAPS" : "");
	}
}

static void dump_stats(const struct vcm_sysmmu_stats *st, FILE *out)
{
	unsigned t;

	fprintf(out, " stats: translations %llu  tlb hits %llu  misses %llu  walks %llu "
		"(%llu reads)  stale hits %llu  multi-hits %llu\n",
		(unsigned long long)st->translations, (unsigned long long)st->tlb_hits,
		(unsigned long long)st->tlb_misses, (unsigned long long)st->walks,
		(unsigned long long)st->walk_reads, (unsigned long long)st->stale_hits,
		(unsigned long long)st->multi_hits);
	fprintf(out, "        bypassed %llu  blocked %llu  flushes %llu  entry flushes %llu  "
		"faults %llu\n", (unsigned long long)st->bypassed,
		(unsigned long long)st->blocked, (unsigned long long)st->tlb_flushes,
		(unsigned long long)st->tlb_entry_flushes, (unsigned long long)st->faults);
	for (t = 0; t < VCM_FAULT_NR_TYPES; t++)
		if (st->fault_counts[t])
			fprintf(out, "        %-14s %llu\n", vcm_fault_type_name(t),
				(unsigned long long)st->fault_counts[t]);
}

/* Copy the state of @mmu into @snap, with its own copy of the TLB entries. */
static int snapshot(const struct vcm_sysmmu *mmu, struct vcm_sysmmu *snap)
{
	struct vcm_tlb_entry *e;
	unsigned n;

	for (;;) {
		mmu_lock(mmu);
		n = mmu->tlb.size;
		mmu_unlock(mmu);
		e = vcm_malloc(n * sizeof(*e));
		if (!e)
			return -ENOMEM;
		mmu_lock(mmu);
		if (mmu->tlb.size == n) {
			*snap = *mmu;
			stats_locked(mmu, &snap->st);
			memcpy(e, mmu->tlb.e, n * sizeof(*e));
			mmu_unlock(mmu);
			snap->tlb.e = e;
			snap->tlb.bucket = NULL;
			return 0;
		}
		mmu_unlock(mmu);	/* resized meanwhile: again */
		free(e);
	}
}

VCM_EXPORT void vcm_sysmmu_dump(const struct vcm_sysmmu *mmu, FILE *out)
{
	struct vcm_sysmmu snap;

	if (!out)
		return;
	if (!vcm_sysmmu_ok(mmu, __func__)) {
		fprintf(out, "sysmmu: (none)\n");
		return;
	}
	if (snapshot(mmu, &snap)) {
		fprintf(out, "sysmmu %s: (out of memory)\n", mmu->name);
		return;
	}
	fprintf(out, "sysmmu %s:\n", snap.name);
	dump_regs(&snap, out);
	dump_tlb(&snap, out);
	dump_stats(&snap.st, out);
	free(snap.tlb.e);
}
