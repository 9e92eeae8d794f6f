/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * registry.h - the registry of live handles (internal).
 *
 * Every object libvcm hands out (SoC, System MMU, page table, context,
 * reservation, phys, userptr) is entered here when it is made and taken
 * out when it is released.  Each public function checks its handles on
 * entry, in the manner of the kernel's DMA-API debugging: a handle that was
 * released, or that libvcm never made, gets a counted warning and the call
 * does nothing (or fails with -EINVAL).  A released handle is remembered
 * for a while (the last VCM_REG_RELEASED_KEEP releases), so a second
 * release is reported as such; a pointer that malloc() hands out again for
 * a new object of the same kind is live again (as with DMA-API debugging).
 *
 * An entry: the handle's kind, a private pointer the library attaches, a
 * stable id (1, 2, 3, ... in creation order, never reused; 48 bits) and the
 * name of the public function that made it.
 *
 * Lookups are lock-free: an open-addressing table of the live entries
 * (linear probing, deletion by backward shift), read with atomic loads.
 * A slot is 24 bytes (the handle, id|creator|kind and the private
 * pointer), so a table of thousands of handles stays small in the cache;
 * the creator is an index into the registry's table of the (few) functions
 * that make handles, entered on first use.  A reader trusts a hit it read
 * consistently (the slot's key the
 * same before and after its fields); a miss, or a slot that changed
 * meanwhile, is retried under the writers' lock.  Tables replaced by a
 * larger one are kept until the process exits, so a reader never touches
 * freed memory.  Released handles are remembered apart, in a small ring
 * with its own index that only the writers' side reads (reports,
 * vcm_reg_was_released()), so a release costs no probe of the large
 * table beyond the entry's own.  Writers (create, release) take one lock,
 * a spinlock and a leaf: nothing else is called under it.  Each thread
 * remembers the last live handle it found of each kind, valid while no
 * handle of that kind is released (struct vcm_reg_seen): a driver that
 * calls into one page table per page pays one compare for its check.
 *
 * Pooled handles (the MMU wrapper's reservations; the kinds of
 * VCM_REG_POOLED_KINDS may have them) have no entry of their own: they
 * are objects of a handle pool's chunks (pool.h), and the table holds one
 * entry per chunk (VCM_KIND_CHUNK, not a handle).  Their check:
 * the address masked to its chunk, confirmed live by the chunk's slot
 * (vcm_reg_chunk_slots) or by the table, never read before; then the
 * object boundary
 * and the object's state word in the chunk, which holds what a slot's meta
 * word holds (id, creator, kind) and a released flag.  Made and released
 * by their pool's owner, without the writers' lock (ids come from one
 * atomic counter shared with the entries).  A released one is reported
 * from its state word until the object is handed out again; a chunk that
 * goes (its context destroyed) is remembered with the released handles,
 * so its objects are still reported as released.  The same functions
 * answer for both: callers do not tell them apart, except that a pooled
 * handle has no private pointer (NULL).
 */
#ifndef LIBVCM_REGISTRY_H
#define LIBVCM_REGISTRY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"
#include "pool.h"

enum vcm_kind {
	VCM_KIND_NONE,
	VCM_KIND_SOC,
	VCM_KIND_SYSMMU,
	VCM_KIND_PGTABLE,
	VCM_KIND_CONTEXT,
	VCM_KIND_RES,
	VCM_KIND_PHYS,
	VCM_KIND_USERPTR,
	VCM_KIND_CHUNK,		/* a chunk of a handle pool (pool.h): not a handle */
	VCM_KIND_NR,
};

/*
 * The kinds whose handles may be pooled (pool.h): the reservations.  Their
 * checks ask the chunks' slots first; the other kinds' never look at
 * chunks.
 */
#define VCM_REG_POOLED_KINDS	(1u << VCM_KIND_RES)

VCM_HOT_INLINE bool vcm_reg_kind_pooled(enum vcm_kind kind)
{
	return VCM_REG_POOLED_KINDS >> kind & 1;
}

/* Releases remembered, to tell "released" from "never made". */
#define VCM_REG_RELEASED_KEEP	512

/*
 * meta = id << VCM_REG_ID_SHIFT | creator << VCM_REG_CREATOR_SHIFT | kind,
 * in a slot and in a pooled handle's state word (where a released one has
 * VCM_HPOOL_RELEASED in its kind byte).
 */
#define VCM_REG_KIND_MASK	VCM_HPOOL_KIND_MASK
#define VCM_REG_CREATOR_SHIFT	8
#define VCM_REG_CREATORS	256	/* index 0: one the table had no room for */
#define VCM_REG_ID_SHIFT	16
#define VCM_REG_HASH_MULT	0x9e3779b97f4a7c15ULL

/* An entry. */
struct vcm_reg_slot {
	_Atomic uintptr_t key;		/* the handle; 0: empty */
	_Atomic uint64_t meta;
	_Atomic(void *) priv;
};

struct vcm_reg_table {
	struct vcm_reg_table *older;	/* the table this one replaced */
	uint64_t mask;			/* slots - 1 */
	unsigned shift;			/* 64 - log2(slots) */
	struct vcm_reg_slot slots[];
};

/* Host bytes of table @t (its slots: every live handle takes one). */
static inline size_t vcm_reg_table_bytes(const struct vcm_reg_table *t)
{
	return sizeof(*t) + (t->mask + 1) * sizeof(t->slots[0]);
}

/* The current table (NULL before the first entry). */
extern struct vcm_reg_table *_Atomic vcm_reg_table;

/*
 * struct vcm_handle_info - one entry, as vcm_reg_info() and
 * vcm_reg_for_each() give it.
 */
struct vcm_handle_info {
	const void *handle;
	enum vcm_kind kind;
	uint64_t id;
	const char *creator;
	void *priv;
};

static inline uint64_t vcm_reg_hash(uintptr_t key, unsigned shift)
{
	return ((uint64_t)key * VCM_REG_HASH_MULT) >> shift;
}

/*
 * The lock-free read: true with *meta for a consistent hit, and *priv if
 * @priv is not NULL.
 */
static inline bool vcm_reg_read_fast(uintptr_t key, uint64_t *meta, void **priv)
{
	const struct vcm_reg_table *t = atomic_load_explicit(&vcm_reg_table, memory_order_acquire);
	uint64_t i;

	if (!t || !key)
		return false;
	for (i = vcm_reg_hash(key, t->shift);; i = (i + 1) & t->mask) {
		const struct vcm_reg_slot *s = &t->slots[i];
		uintptr_t k = atomic_load_explicit(&s->key, memory_order_acquire);

		if (k == key) {
			*meta = atomic_load_explicit(&s->meta, memory_order_relaxed);
			if (priv)
				*priv = atomic_load_explicit(&s->priv, memory_order_relaxed);
			atomic_thread_fence(memory_order_acquire);
			return atomic_load_explicit(&s->key, memory_order_relaxed) == key;
		}
		if (!k)
			return false;
	}
}

/* The slow path of vcm_reg_get(): the same question under the lock. */
bool vcm_reg_get_locked(const void *h, enum vcm_kind kind, void **priv);

/*
 * vcm_reg_get() - true if @h is a live handle of @kind with an entry of its
 * own (not a pooled one); *@priv (if not NULL) gets its private pointer.
 * No warning.
 */
static inline bool vcm_reg_get(const void *h, enum vcm_kind kind, void **priv)
{
	uint64_t meta;

	if (vcm_reg_read_fast((uintptr_t)h, &meta, priv) && (meta & VCM_REG_KIND_MASK) == kind)
		return true;
	return vcm_reg_get_locked(h, kind, priv);
}

/*
 * The last handle of each kind that this thread found live, with the
 * number of releases of that kind seen before the lookup that found it
 * and its private pointer.
 * Every entry of a kind that leaves the table (released, or replaced by a
 * new object at its address) moves the kind's count, after it left: while
 * the count stands, the handle is still live, and asking again needs no
 * probe of the table.  The counts start at 1, so that a thread's empty
 * memory (NULL, 0) matches nothing.
 */
struct vcm_reg_seen {
	const void *h;
	uint64_t releases;
	void *priv;		/* its private pointer (fixed while it is live) */
};

extern __thread struct vcm_reg_seen vcm_reg_seen[VCM_KIND_NR]
	__attribute__((tls_model("initial-exec")));
extern _Atomic uint64_t vcm_reg_releases[VCM_KIND_NR] __attribute__((visibility("hidden")));

/*
 * vcm_reg_forget_count() - the count of @kind that voids what threads
 * remember of it: for a memory that tells more than "live" (see
 * vcm_reg_seen_in() below), whose owner voids it by adding one (an atomic
 * add, as the registry's own moves are) when the more no longer holds.
 */
static inline _Atomic uint64_t *vcm_reg_forget_count(enum vcm_kind kind)
{
	return &vcm_reg_releases[kind];
}

/* vcm_reg_forget_kind() - void what any thread remembers of @kind. */
static inline void vcm_reg_forget_kind(enum vcm_kind kind)
{
	atomic_fetch_add_explicit(vcm_reg_forget_count(kind), 1, memory_order_acq_rel);
}

/*
 * True if @seen remembers @h and no handle of its kind left since
 * (@releases: the kind's count now).  One test, no early branch: hot paths
 * take it on every call.
 */
static inline bool vcm_reg_seen_matches(const struct vcm_reg_seen *seen, const void *h,
					uint64_t releases)
{
	return (((uintptr_t)seen->h ^ (uintptr_t)h) | (seen->releases ^ releases)) == 0;
}

/*
 * Look @h up; if it is a live handle of @kind, @seen remembers it (with
 * @releases, the kind's count read before the lookup, and its private
 * pointer) and true.
 */
static inline bool vcm_reg_lookup_into(struct vcm_reg_seen *seen, const void *h,
				       enum vcm_kind kind, uint64_t releases)
{
	void *p;

	if (!vcm_reg_get(h, kind, &p))
		return false;
	*seen = (struct vcm_reg_seen){ .h = h, .releases = releases, .priv = p };
	return true;
}

/* True if this thread found @h live and no handle of @kind left since (@releases: now). */
static inline bool vcm_reg_remembered(const void *h, enum vcm_kind kind, uint64_t releases)
{
	return vcm_reg_seen_matches(&vcm_reg_seen[kind], h, releases);
}

/* ---- pooled handles: the registry knows their chunks (pool.h) ---- */

/*
 * The live chunks of handle pools, direct-mapped by address, one chunk per
 * slot with its pool (whose copy of the chunk layout and owner spare a
 * read of the chunk's header): a chunk takes its slot when it is entered
 * (if the slot is free) or when a locked lookup finds it live and its slot
 * free, and gives it up when it leaves, always under the writers' lock;
 * any thread reads them without a lock.  A chunk in its slot is live, and
 * its slot's pool stays while it does, so checking a pooled handle costs
 * one load and a compare, with nothing kept per thread (the library's
 * thread-local storage stays small enough for dlopen()).  A chunk whose
 * slot another holds is found in the table instead (slower).  1,024
 * slots: 73,728 reservations before two chunks can meet.
 */
#define VCM_REG_CHUNK_SLOTS	1024

struct vcm_reg_chunk_slot {
	const struct vcm_hpool_chunk *_Atomic chunk;	/* set last (release) */
	const struct vcm_hpool *_Atomic pool;
};

extern struct vcm_reg_chunk_slot vcm_reg_chunk_slots[VCM_REG_CHUNK_SLOTS]
	__attribute__((visibility("hidden")));

static inline struct vcm_reg_chunk_slot *vcm_reg_chunk_slot_of(const void *c)
{
	return &vcm_reg_chunk_slots[((uintptr_t)c >> VCM_HPOOL_CHUNK_SHIFT) % VCM_REG_CHUNK_SLOTS];
}

/* The slot of the chunk @h would lie in, if that chunk is live and holds it; else NULL. */
static inline const struct vcm_reg_chunk_slot *vcm_reg_chunk_slotted(const void *h)
{
	const struct vcm_hpool_chunk *c = vcm_hpool_chunk_of(h);
	const struct vcm_reg_chunk_slot *s = vcm_reg_chunk_slot_of(c);

	/* a free slot holds NULL, the chunk of no handle (page 0) */
	return atomic_load_explicit(&s->chunk, memory_order_acquire) == c && c ? s : NULL;
}

/* The chunk @h would lie in, if that chunk is live and holds its slot; else NULL. */
static inline const struct vcm_hpool_chunk *vcm_reg_chunk_slotted_of(const void *h)
{
	return vcm_reg_chunk_slotted(h) ? vcm_hpool_chunk_of(h) : NULL;
}

/* @i if object @i of a live chunk, at @h, is a live object of @kind; else -1. */
static inline int vcm_reg_pooled_live_at(int i, const void *h, enum vcm_kind kind)
{
	return i >= 0 && (atomic_load_explicit(vcm_hpool_state_word(h), memory_order_acquire) &
			  VCM_REG_KIND_MASK) == kind ? i : -1;
}

/* The index of @h in live chunk @c if it is a live object of @kind there; else -1. */
static inline int vcm_reg_pooled_index(const struct vcm_hpool_chunk *c, const void *h,
				       enum vcm_kind kind)
{
	return vcm_reg_pooled_live_at(vcm_hpool_index(c, h), h, kind);
}

/* True if @h is a live object of @kind in live chunk @c. */
static inline bool vcm_reg_pooled_live(const struct vcm_hpool_chunk *c, const void *h,
				       enum vcm_kind kind)
{
	return vcm_reg_pooled_index(c, h, kind) >= 0;
}

/*
 * The rest of vcm_reg_live_lookup(): the chunk of @h looked up, else @h
 * under the writers' lock (a chunk found there takes its slot if free).
 */
bool vcm_reg_live_slow(const void *h, enum vcm_kind kind, uint64_t releases, void **priv);

/*
 * The chunk of @h if @kind may be pooled and that chunk is live in its
 * slot (then its state word answers for @h); else NULL.
 */
VCM_HOT_INLINE const struct vcm_hpool_chunk *vcm_reg_pooled_chunk(const void *h,
								   enum vcm_kind kind)
{
	return vcm_reg_kind_pooled(kind) ? vcm_reg_chunk_slotted_of(h) : NULL;
}

/*
 * vcm_reg_live() when neither the slot of @h's chunk nor the thread's
 * memory of @h answers: the lock-free read of the table (remembered, with its private
 * pointer, which *@priv gets if not NULL), else vcm_reg_live_slow().  A
 * pooled handle's private pointer is NULL.
 */
static inline bool vcm_reg_live_lookup(const void *h, enum vcm_kind kind, uint64_t releases,
				       void **priv)
{
	uint64_t meta;
	void *p;

	if (vcm_reg_read_fast((uintptr_t)h, &meta, &p) && (meta & VCM_REG_KIND_MASK) == kind) {
		vcm_reg_seen[kind] = (struct vcm_reg_seen){ .h = h, .releases = releases, .priv = p };
		if (priv)
			*priv = p;
		return true;
	}
	return vcm_reg_live_slow(h, kind, releases, priv);
}

/*
 * vcm_reg_live() - true if @h is a live handle of @kind.  No warning.  The
 * same handle asked about again by the same thread, with no release of
 * its kind in between, is answered from the thread's memory.
 */
static inline bool vcm_reg_live(const void *h, enum vcm_kind kind)
{
	const struct vcm_hpool_chunk *c = vcm_reg_pooled_chunk(h, kind);
	uint64_t releases;

	if (c)
		return vcm_reg_pooled_live(c, h, kind);
	releases = atomic_load_explicit(&vcm_reg_releases[kind], memory_order_acquire);
	if (vcm_reg_remembered(h, kind, releases))
		return true;
	return vcm_reg_live_lookup(h, kind, releases, NULL);
}

/*
 * vcm_reg_get_live() - vcm_reg_live() that also gives the handle's private
 * pointer (from the thread's memory when it answers): true and *@priv if
 * @h is a live handle of @kind.  No warning.
 */
static inline bool vcm_reg_get_live(const void *h, enum vcm_kind kind, void **priv)
{
	const struct vcm_hpool_chunk *c = vcm_reg_pooled_chunk(h, kind);
	uint64_t releases;

	if (c) {
		*priv = NULL;
		return vcm_reg_pooled_live(c, h, kind);
	}
	releases = atomic_load_explicit(&vcm_reg_releases[kind], memory_order_acquire);
	if (vcm_reg_remembered(h, kind, releases)) {
		*priv = vcm_reg_seen[kind].priv;
		return true;
	}
	return vcm_reg_live_lookup(h, kind, releases, priv);
}

/*
 * vcm_reg_live_fast() - vcm_reg_live() without calls, for hot paths that
 * keep every call out of line: the slot of @h's chunk or the thread's
 * memory of @h, else the lock-free read of the table.  True if @h is a live
 * handle of @kind; false if that cannot tell (ask vcm_handle_ok(), which
 * also fills the thread's memory).
 */
VCM_HOT_INLINE bool vcm_reg_live_fast(const void *h, enum vcm_kind kind)
{
	const struct vcm_hpool_chunk *c = vcm_reg_pooled_chunk(h, kind);
	uint64_t releases, meta;

	if (c)
		return vcm_reg_pooled_live(c, h, kind);
	releases = atomic_load_explicit(&vcm_reg_releases[kind], memory_order_acquire);
	if (vcm_reg_remembered(h, kind, releases))
		return true;
	return vcm_reg_read_fast((uintptr_t)h, &meta, NULL) && (meta & VCM_REG_KIND_MASK) == kind;
}

/*
 * A memory of one handle that a caller keeps itself (a zeroed __thread
 * struct vcm_reg_seen of its own: it remembers nothing), for a hot path
 * that asks more than "live" in one check, e.g. "a live System MMU whose
 * hit counter this thread owns": the caller fills it only when the rest
 * holds.  The rule of the thread's memory above applies: it tells while
 * no handle of the kind leaves.  Only for kinds without pooled handles
 * (the lookup asks the table's entries).
 *
 * vcm_reg_seen_in() - true if @seen remembers @h and no handle of @kind
 * left since.  vcm_reg_remember_in() - true if @h is a live handle of
 * @kind, and then @seen remembers it.
 */
static inline bool vcm_reg_seen_in(const struct vcm_reg_seen *seen, const void *h,
				   enum vcm_kind kind)
{
	return vcm_reg_seen_matches(seen, h,
				    atomic_load_explicit(&vcm_reg_releases[kind], memory_order_acquire));
}

static inline bool vcm_reg_remember_in(struct vcm_reg_seen *seen, const void *h,
				       enum vcm_kind kind)
{
	return vcm_reg_lookup_into(seen, h, kind,
				   atomic_load_explicit(&vcm_reg_releases[kind], memory_order_acquire));
}

/*
 * vcm_reg_report() - warn that @h, given to @fn as a handle of @kind, is
 * not live: released (and when, by whom made), of another kind, or never
 * made by libvcm.  NULL and error pointers are not reported (callers give
 * their own error for those).
 */
void vcm_reg_report(const void *h, enum vcm_kind kind, const char *fn);

/*
 * vcm_handle_ok() - the check on entry of a public function: true if @h is
 * a live handle of @kind; else false, with the warning of vcm_reg_report().
 */
static inline bool vcm_handle_ok(const void *h, enum vcm_kind kind, const char *fn)
{
	if (vcm_reg_live(h, kind))
		return true;
	vcm_reg_report(h, kind, fn);
	return false;
}

/* ---- pooled handles: made and released in their state words ---- */

extern _Atomic uint64_t vcm_reg_next_id __attribute__((visibility("hidden")));

/* The id of a new handle, entry or pooled (no lock needed). */
static inline uint64_t vcm_reg_new_id(void)
{
	return atomic_fetch_add_explicit(&vcm_reg_next_id, 1, memory_order_relaxed);
}

/* The creator this thread entered last, and its index in the table of creators. */
struct vcm_reg_creator_seen {
	const char *creator;
	uint64_t index;
};

extern __thread struct vcm_reg_creator_seen vcm_reg_last_creator
	__attribute__((tls_model("initial-exec")));

/* The index of @creator, entered if new (under the writers' lock), and remembered. */
uint64_t vcm_reg_creator_slow(const char *creator);

/* Warn that pooled @h was handed out again while live (its state word @old). */
void vcm_reg_pooled_stale(const void *h, enum vcm_kind kind, uint64_t old, const char *creator);

/*
 * Mark object @h of a live chunk live, as a new handle of @kind made by
 * @creator: its id, creator and kind in its state word (release: a reader
 * that sees it live sees the fields the caller set).  The pool's owner is
 * the one writer; for an object its pool just handed out (an object of a
 * live chunk by construction), neither the chunk's header nor the object's
 * index is needed.
 */
VCM_HOT_INLINE void vcm_reg_pooled_mark(const void *h, enum vcm_kind kind, const char *creator)
{
	uint64_t old, creator_index = vcm_reg_last_creator.index;

	if (vcm_reg_last_creator.creator != creator)
		creator_index = vcm_reg_creator_slow(creator);
	old = atomic_load_explicit(vcm_hpool_state_word(h), memory_order_relaxed);
	atomic_store_explicit(vcm_hpool_state_word(h),
			      vcm_reg_new_id() << VCM_REG_ID_SHIFT |
			      creator_index << VCM_REG_CREATOR_SHIFT | kind,
			      memory_order_release);
	if (vcm_hpool_state_live(old))
		vcm_reg_pooled_stale(h, kind, old, creator);
}

/*
 * vcm_reg_pooled_mark() of @h in live chunk @c: 0, or -EINVAL if no object
 * of @kind starts at @h.
 */
static inline int vcm_reg_pooled_add(const struct vcm_hpool_chunk *c, const void *h,
				     enum vcm_kind kind, const char *creator)
{
	if (c->kind != kind || vcm_hpool_index(c, h) < 0)
		return -EINVAL;
	vcm_reg_pooled_mark(h, kind, creator);
	return 0;
}

/*
 * Mark live object @i (-1: none), at @h, of @kind of a live chunk released
 * (its id and creator stay for the reports); *@priv (if not NULL) gets
 * NULL.  0, or -ENOENT if it was not live.  The pool's owner is the one
 * writer.
 */
static inline int vcm_reg_pooled_take_at(int i, const void *h, enum vcm_kind kind, void **priv)
{
	uint64_t state = i < 0 ? 0 : atomic_load_explicit(vcm_hpool_state_word(h),
							   memory_order_relaxed);

	if ((state & VCM_REG_KIND_MASK) != kind)
		return -ENOENT;
	atomic_store_explicit(vcm_hpool_state_word(h), state | VCM_HPOOL_RELEASED,
			      memory_order_release);
	if (priv)
		*priv = NULL;
	return 0;
}

/* vcm_reg_pooled_take_at() of the object at @h. */
static inline int vcm_reg_pooled_take(const struct vcm_hpool_chunk *c, const void *h,
				      enum vcm_kind kind, void **priv)
{
	return vcm_reg_pooled_take_at(vcm_hpool_index(c, h), h, kind, priv);
}

/* vcm_reg_add() when @h's chunk is not in its slot. */
int vcm_reg_add_slow(const void *h, enum vcm_kind kind, void *priv, const char *creator);

/*
 * vcm_reg_add() - enter @h as a live handle of @kind made by @creator (a
 * string that lives for the process: the public function's __func__).  An
 * object of a live chunk (a pooled handle) is marked live in its state
 * word instead, and @priv is not kept.  If @h is live already, its memory
 * was freed behind libvcm's back and is a new object now: the old entry is
 * replaced, with a warning.  Returns 0, -ENOMEM (-EINVAL: a pointer into a
 * chunk where no object of @kind starts).
 */
static inline int vcm_reg_add(const void *h, enum vcm_kind kind, void *priv, const char *creator)
{
	const struct vcm_hpool_chunk *c = vcm_reg_pooled_chunk(h, kind);

	if (c)
		return vcm_reg_pooled_add(c, h, kind, creator);
	return vcm_reg_add_slow(h, kind, priv, creator);
}

/* vcm_reg_take() when @h's chunk is not in its slot. */
int vcm_reg_take_slow(const void *h, enum vcm_kind kind, void **priv);

/*
 * vcm_reg_take() - vcm_reg_del() that gives the entry's private pointer
 * (if @priv not NULL; NULL for a pooled handle).
 */
static inline int vcm_reg_take(const void *h, enum vcm_kind kind, void **priv)
{
	const struct vcm_hpool_chunk *c = vcm_reg_pooled_chunk(h, kind);

	if (c)
		return vcm_reg_pooled_take(c, h, kind, priv);
	return vcm_reg_take_slow(h, kind, priv);
}

/*
 * struct vcm_reg_ref - where vcm_reg_live_ref() found a live pooled handle
 * (its chunk, the chunk's pool and the index; @chunk NULL: not found that
 * way), so that the caller that checked it releases it without a second
 * lookup.
 */
struct vcm_reg_ref {
	const struct vcm_hpool_chunk *chunk;
	const struct vcm_hpool *pool;
	int index;
};

/*
 * vcm_reg_live_ref() - vcm_reg_live() that also fills @ref: for a handle
 * of a kind that may be pooled, found through its chunk's slot, inline.
 */
static inline bool vcm_reg_live_ref(const void *h, enum vcm_kind kind, struct vcm_reg_ref *ref)
{
	const struct vcm_reg_chunk_slot *s = vcm_reg_kind_pooled(kind) ? vcm_reg_chunk_slotted(h)
									: NULL;

	if (s) {
		const struct vcm_hpool_chunk *c = vcm_hpool_chunk_of(h);
		const struct vcm_hpool *pool = atomic_load_explicit(&s->pool, memory_order_relaxed);

		*ref = (struct vcm_reg_ref){
			.chunk = c, .pool = pool,
			.index = vcm_reg_pooled_live_at(vcm_hpool_index_in(pool, c, h), h, kind),
		};
		return ref->index >= 0;
	}
	*ref = (struct vcm_reg_ref){ .chunk = NULL, .index = -1 };
	return vcm_reg_live(h, kind);
}

/*
 * vcm_reg_take_ref() - vcm_reg_take() of @h, which vcm_reg_live_ref()
 * found live at @ref (by the one writer: still there).
 */
static inline int vcm_reg_take_ref(const void *h, enum vcm_kind kind,
				   const struct vcm_reg_ref *ref, void **priv)
{
	if (ref->chunk)
		return vcm_reg_pooled_take_at(ref->index, h, kind, priv);
	return vcm_reg_take(h, kind, priv);
}

/*
 * vcm_reg_del() - take @h out (remembered as released; a pooled handle:
 * marked released in its state word).  Returns 0, or -ENOENT if it was not
 * a live handle of @kind.
 */
int vcm_reg_del(const void *h, enum vcm_kind kind);

/* Forget that @h was released (its memory is in use again). */
void vcm_reg_forget(const void *h);

/* True if @h was released recently (and not made again since). */
bool vcm_reg_was_released(const void *h);

/*
 * Attach another private pointer to live @h: 0 or -ENOENT.  What threads
 * remember of @h's kind is void from then on (as after a release).
 */
int vcm_reg_set_priv(const void *h, enum vcm_kind kind, void *priv);

/* The id of live @h of @kind, or 0 if it is not live. */
uint64_t vcm_reg_id(const void *h, enum vcm_kind kind);

/*
 * The id of @h, live or released (still remembered), of any kind; 0 if
 * libvcm does not know it (the call recorder names handles by it).
 */
uint64_t vcm_reg_id_any(const void *h);

/* The entry of live @h (any kind): 0 or -ENOENT. */
int vcm_reg_info(const void *h, struct vcm_handle_info *info);

/*
 * vcm_reg_for_each() - call @fn on a copy of every live handle (pooled
 * ones included, chunks not), oldest first, with no lock held (@fn may
 * call into the library).  Stops at the first non-zero return and returns
 * it; -ENOMEM if no copy could be made.
 */
int vcm_reg_for_each(int (*fn)(const struct vcm_handle_info *info, void *arg), void *arg);

/*
 * Live handles of @kind (VCM_KIND_NONE: of every kind), pooled ones
 * included; VCM_KIND_CHUNK: the chunks of handle pools.
 */
unsigned long vcm_reg_count(enum vcm_kind kind);

/* Entries in the table: handles with an entry of their own, and chunks. */
unsigned long vcm_reg_entries(void);

/* "SoC", "System MMU", ... */
const char *vcm_kind_name(enum vcm_kind kind);

#endif /* LIBVCM_REGISTRY_H */
