/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * registry.c - the registry of live handles (see registry.h): the writers'
 * side of the table, the memory of released handles, and the reports.
 */
#include <errno.h>
#include <stdlib.h>

#include "fault-inject-internal.h"
#include "registry.h"
#include "spinlock.h"

/*
 * A fresh table's slots; it doubles when half full (live entries only):
 * linear probing with backward-shift deletion keeps its clusters short at
 * that load, and every release and creation walks one.
 */
#define REG_MIN_SLOTS_LOG2	11
#define REG_LOAD_NUM		1
#define REG_LOAD_DEN		2

/*
 * The index of the released ring: a power of two, at most 1/8 full, so
 * that its clusters stay short (every release forgets one and adds one).
 */
#define REL_INDEX_SLOTS		(8 * VCM_REG_RELEASED_KEEP)

struct vcm_reg_table *_Atomic vcm_reg_table;

__thread struct vcm_reg_seen vcm_reg_seen[VCM_KIND_NR] __attribute__((tls_model("initial-exec")));
struct vcm_reg_chunk_slot vcm_reg_chunk_slots[VCM_REG_CHUNK_SLOTS];
_Atomic uint64_t vcm_reg_releases[VCM_KIND_NR] = { [0 ... VCM_KIND_NR - 1] = 1 };
/* The id of the next handle, entry or pooled (vcm_reg_new_id(): no lock). */
_Atomic uint64_t vcm_reg_next_id = 1;
__thread struct vcm_reg_creator_seen vcm_reg_last_creator __attribute__((tls_model("initial-exec")));

/* A handle released recently (key 0: forgotten since, a hole in the ring). */
struct released {
	uintptr_t key;
	uint64_t meta;
};

/*
 * The writers' state (the lock is a leaf: nothing is called under it).
 * @live: live entries (all the table holds).
 * @chunks: of them, the chunks of handle pools (not handles).
 * @ring, @ring_head, @ring_len: the last releases, oldest at @ring_head.
 * @index: open addressing over @ring (position + 1; 0: empty), by key.
 * @creators: the functions that made entries (the creator index of a
 *            meta word), from 1 on; @ncreators of them, @last_creator the
 *            index found last.
 */
static struct {
	vcm_spinlock_t lock;
	uint64_t live;
	uint64_t chunks;
	struct released ring[VCM_REG_RELEASED_KEEP];
	unsigned ring_head, ring_len;
	uint16_t index[REL_INDEX_SLOTS];
	const char *creators[VCM_REG_CREATORS];
	unsigned ncreators, last_creator;
} reg = { .creators = { "a function (the registry's table of creators was full)" } };

static const char *const kind_names[VCM_KIND_NR] = {
	[VCM_KIND_NONE] = "object",
	[VCM_KIND_SOC] = "SoC",
	[VCM_KIND_SYSMMU] = "System MMU",
	[VCM_KIND_PGTABLE] = "page table",
	[VCM_KIND_CONTEXT] = "context",
	[VCM_KIND_RES] = "reservation",
	[VCM_KIND_PHYS] = "phys",
	[VCM_KIND_USERPTR] = "userptr",
	[VCM_KIND_CHUNK] = "handle pool chunk",
};

const char *vcm_kind_name(enum vcm_kind kind)
{
	return (unsigned)kind < VCM_KIND_NR ? kind_names[kind] : "object";
}

static inline void reg_lock(void)
{
	vcm_spin_lock(&reg.lock);
}

static inline void reg_unlock(void)
{
	vcm_spin_unlock(&reg.lock);
}

static inline struct vcm_reg_table *table(void)
{
	return atomic_load_explicit(&vcm_reg_table, memory_order_relaxed);
}

static inline uintptr_t slot_key(const struct vcm_reg_slot *s)
{
	return atomic_load_explicit(&s->key, memory_order_relaxed);
}

static inline uint64_t slot_meta(const struct vcm_reg_slot *s)
{
	return atomic_load_explicit(&s->meta, memory_order_relaxed);
}

static inline enum vcm_kind meta_kind(uint64_t meta)
{
	return (enum vcm_kind)(meta & VCM_REG_KIND_MASK);
}

static inline uint64_t meta_id(uint64_t meta)
{
	return meta >> VCM_REG_ID_SHIFT;
}

/* The creator of an entry (lock held). */
static inline const char *meta_creator(uint64_t meta)
{
	return reg.creators[(meta >> VCM_REG_CREATOR_SHIFT) & (VCM_REG_CREATORS - 1)];
}

/*
 * The index of @creator in the table of creators, entered if new (lock
 * held).  The last one found is tried first: handles come in runs.
 */
static uint64_t creator_index(const char *creator)
{
	unsigned i;

	if (reg.creators[reg.last_creator] == creator)
		return reg.last_creator;
	for (i = 1; i <= reg.ncreators && reg.creators[i] != creator; i++)
		;
	if (i > reg.ncreators) {
		if (reg.ncreators + 1 == VCM_REG_CREATORS)
			return 0;
		reg.creators[++reg.ncreators] = creator;
	}
	reg.last_creator = i;
	return i;
}

/*
 * An entry of @kind has left the table: what any thread remembers of that
 * kind (vcm_reg_live()) is void from now on.  An atomic add
 * (vcm_reg_forget_kind()): the count also moves outside the registry's lock,
 * and no move may be lost.
 */
static void releases_bump(enum vcm_kind kind)
{
	vcm_reg_forget_kind(kind);
}

/* ---- the table of live entries (lock held) ---- */

/* The index of the slot holding @key, or -1. */
static int64_t find_locked(uintptr_t key)
{
	struct vcm_reg_table *t = table();
	uint64_t i;

	if (!t || !key)
		return -1;
	for (i = vcm_reg_hash(key, t->shift);; i = (i + 1) & t->mask) {
		uintptr_t k = slot_key(&t->slots[i]);

		if (k == key)
			return (int64_t)i;
		if (!k)
			return -1;
	}
}

/* The live entry of @key of @kind (any kind: VCM_KIND_NONE), or -1. */
static int64_t find_live(const void *h, enum vcm_kind kind)
{
	int64_t i = find_locked((uintptr_t)h);

	if (i < 0 || (kind != VCM_KIND_NONE && meta_kind(slot_meta(&table()->slots[i])) != kind))
		return -1;
	return i;
}

/* Copy entry @i of @t out. */
static void info_of(const struct vcm_reg_table *t, uint64_t i, struct vcm_handle_info *info)
{
	uint64_t meta = slot_meta(&t->slots[i]);

	info->handle = (const void *)slot_key(&t->slots[i]);
	info->kind = meta_kind(meta);
	info->id = meta_id(meta);
	info->creator = meta_creator(meta);
	info->priv = atomic_load_explicit(&t->slots[i].priv, memory_order_relaxed);
}

/*
 * Fill slot @i of @t: fields first, the key last (release), so a reader
 * that sees the key sees the fields.  The slot's key is 0 or @key
 * (cleared first in that case).
 */
static void slot_fill(struct vcm_reg_table *t, uint64_t i, uintptr_t key, uint64_t meta,
		      void *priv)
{
	struct vcm_reg_slot *s = &t->slots[i];

	atomic_store_explicit(&s->key, 0, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&s->meta, meta, memory_order_relaxed);
	atomic_store_explicit(&t->slots[i].priv, priv, memory_order_relaxed);
	atomic_store_explicit(&s->key, key, memory_order_release);
}

/* Put an entry in an empty slot of @t (no live duplicate). */
static void insert_into(struct vcm_reg_table *t, uintptr_t key, uint64_t meta, void *priv)
{
	uint64_t i;

	for (i = vcm_reg_hash(key, t->shift); slot_key(&t->slots[i]); i = (i + 1) & t->mask)
		;
	slot_fill(t, i, key, meta, priv);
}

static void slot_move(struct vcm_reg_table *t, uint64_t to, uint64_t from)
{
	slot_fill(t, to, slot_key(&t->slots[from]), slot_meta(&t->slots[from]),
		  atomic_load_explicit(&t->slots[from].priv, memory_order_relaxed));
}

/*
 * Take the entry of slot @i out of @t, moving the entries after it back
 * over the hole so that every probe still finds them (a reader in between
 * may miss one and retries under the lock).
 */
static void remove_at(struct vcm_reg_table *t, uint64_t i)
{
	uint64_t j = i;

	atomic_store_explicit(&t->slots[i].key, 0, memory_order_release);
	for (;;) {
		uintptr_t k;
		uint64_t home;

		j = (j + 1) & t->mask;
		k = slot_key(&t->slots[j]);
		if (!k)
			return;
		home = vcm_reg_hash(k, t->shift);
		if (((j - home) & t->mask) < ((j - i) & t->mask))
			continue;	/* its home lies between the hole and it */
		slot_move(t, i, j);
		atomic_store_explicit(&t->slots[j].key, 0, memory_order_release);
		i = j;
	}
}

static struct vcm_reg_table *table_new(unsigned log2)
{
	struct vcm_reg_table *t;
	size_t n = (size_t)1 << log2;

	t = vcm_calloc(1, sizeof(*t) + n * sizeof(t->slots[0]));
	if (!t)
		return NULL;
	t->mask = n - 1;
	t->shift = 64 - log2;
	return t;
}

/* Room for one more live entry: a first table, or one twice as large. */
static int reserve_slot(void)
{
	struct vcm_reg_table *old = table(), *t;
	unsigned log2 = REG_MIN_SLOTS_LOG2;
	uint64_t i;

	if (old && (reg.live + 1) * REG_LOAD_DEN <= (old->mask + 1) * REG_LOAD_NUM)
		return 0;
	if (old)
		log2 = 64 - old->shift + 1;
	t = table_new(log2);
	if (!t)
		return -ENOMEM;
	for (i = 0; old && i <= old->mask; i++)
		if (slot_key(&old->slots[i]))
			insert_into(t, slot_key(&old->slots[i]), slot_meta(&old->slots[i]),
				    atomic_load_explicit(&old->slots[i].priv, memory_order_relaxed));
	t->older = old;		/* readers may still be in it */
	atomic_store_explicit(&vcm_reg_table, t, memory_order_release);
	return 0;
}

/* ---- the released handles (lock held) ---- */

static inline unsigned rel_home(uintptr_t key)
{
	return (unsigned)vcm_reg_hash(key, 64 - __builtin_ctz(REL_INDEX_SLOTS));
}

static inline unsigned rel_next(unsigned i)
{
	return (i + 1) & (REL_INDEX_SLOTS - 1);
}

/* The index slot of released @key, or -1. */
static int rel_slot(uintptr_t key)
{
	unsigned i;

	if (!key)
		return -1;
	for (i = rel_home(key); reg.index[i]; i = rel_next(i))
		if (reg.ring[reg.index[i] - 1].key == key)
			return (int)i;
	return -1;
}

/* The ring entry of released @key, or NULL. */
static struct released *rel_find(uintptr_t key)
{
	int i = rel_slot(key);

	return i < 0 ? NULL : &reg.ring[reg.index[i] - 1];
}

/* Forget released @key (the index by backward shift, a hole in the ring). */
static void rel_forget(uintptr_t key)
{
	int found = rel_slot(key);
	unsigned i, j;

	if (found < 0)
		return;
	i = j = (unsigned)found;
	reg.ring[reg.index[i] - 1].key = 0;
	reg.index[i] = 0;
	for (;;) {
		unsigned home;

		j = rel_next(j);
		if (!reg.index[j])
			return;
		home = rel_home(reg.ring[reg.index[j] - 1].key);
		if (((j - home) & (REL_INDEX_SLOTS - 1)) < ((j - i) & (REL_INDEX_SLOTS - 1)))
			continue;
		reg.index[i] = reg.index[j];
		reg.index[j] = 0;
		i = j;
	}
}

/* Remember a release, forgetting the oldest one if the ring is full. */
static void rel_remember(uintptr_t key, uint64_t meta)
{
	unsigned pos, i;

	if (reg.ring_len == VCM_REG_RELEASED_KEEP) {
		rel_forget(reg.ring[reg.ring_head].key);
		reg.ring_head = (reg.ring_head + 1) % VCM_REG_RELEASED_KEEP;
		reg.ring_len--;
	}
	pos = (reg.ring_head + reg.ring_len++) % VCM_REG_RELEASED_KEEP;
	reg.ring[pos] = (struct released){ .key = key, .meta = meta };
	for (i = rel_home(key); reg.index[i]; i = rel_next(i))
		;
	reg.index[i] = (uint16_t)(pos + 1);
}

/* Forget the releases of addresses in [@base, @base + @bytes): a chunk's memory now. */
static void rel_forget_range(uintptr_t base, uintptr_t bytes)
{
	unsigned i;

	for (i = 0; i < VCM_REG_RELEASED_KEEP; i++)
		if (reg.ring[i].key - base < bytes)
			rel_forget(reg.ring[i].key);
}

/* ---- pooled handles: the state words of live chunks ---- */

/* Live chunk @c takes its slot if the slot is free (lock held). */
static void chunk_slot_take(const struct vcm_hpool_chunk *c)
{
	struct vcm_reg_chunk_slot *s = vcm_reg_chunk_slot_of(c);

	if (atomic_load_explicit(&s->chunk, memory_order_relaxed))
		return;
	atomic_store_explicit(&s->pool, c->pool, memory_order_relaxed);
	atomic_store_explicit(&s->chunk, c, memory_order_release);
}

/* Chunk @c, leaving, gives up its slot if it holds it (lock held). */
static void chunk_slot_give(const void *c)
{
	struct vcm_reg_chunk_slot *s = vcm_reg_chunk_slot_of(c);

	if (atomic_load_explicit(&s->chunk, memory_order_relaxed) == c)
		atomic_store_explicit(&s->chunk, NULL, memory_order_relaxed);
}

/* The live chunk @h lies in, or NULL (lock held); found, it takes its slot if free. */
static const struct vcm_hpool_chunk *chunk_locked(const void *h)
{
	const struct vcm_hpool_chunk *c = vcm_hpool_chunk_of(h);

	if (find_live(c, VCM_KIND_CHUNK) < 0)
		return NULL;
	chunk_slot_take(c);
	return c;
}

/*
 * The live chunk @h lies in, without the lock: its slot, else the
 * lock-free read of the table (and then, if its slot is free, the lock
 * once to take it: a chunk whose slot was held by another that left);
 * NULL if neither finds it (not pooled, or a read that raced with a
 * writer).
 */
static const struct vcm_hpool_chunk *chunk_unlocked(const void *h)
{
	const struct vcm_hpool_chunk *c = vcm_reg_chunk_slotted_of(h);
	uint64_t meta;

	if (c)
		return c;
	c = vcm_hpool_chunk_of(h);
	if (!vcm_reg_read_fast((uintptr_t)c, &meta, NULL) || meta_kind(meta) != VCM_KIND_CHUNK)
		return NULL;
	if (!atomic_load_explicit(&vcm_reg_chunk_slot_of(c)->chunk, memory_order_relaxed)) {
		reg_lock();
		chunk_locked(c);
		reg_unlock();
	}
	return c;
}

/*
 * The state word of pooled @h in chunk @c, found live (0: no object starts
 * there, or it was never handed out); false if @c is NULL (@h lies in no
 * live chunk).
 */
static bool pooled_state_in(const struct vcm_hpool_chunk *c, const void *h, uint64_t *state)
{
	int i;

	*state = 0;
	if (!c)
		return false;
	i = vcm_hpool_index(c, h);
	if (i >= 0)
		*state = vcm_hpool_state(c, (unsigned)i);
	return true;
}

/* pooled_state_in() of the chunk @h lies in, if live (lock held). */
static bool pooled_state_locked(const void *h, uint64_t *state)
{
	return pooled_state_in(chunk_locked(h), h, state);
}

/* True if @h lies in a chunk released recently (lock held). */
static bool in_released_chunk(const void *h)
{
	const struct released *r = rel_find((uintptr_t)vcm_hpool_chunk_of(h));

	return r && meta_kind(r->meta) == VCM_KIND_CHUNK;
}

/* pooled_state_in() of the chunk @h lies in, if found live without the lock. */
static bool pooled_state_unlocked(const void *h, uint64_t *state)
{
	return pooled_state_in(chunk_unlocked(h), h, state);
}

/* The entry of live pooled @h, from its state word. */
static void pooled_info(const void *h, uint64_t state, struct vcm_handle_info *info)
{
	*info = (struct vcm_handle_info){ .handle = h, .kind = meta_kind(state),
					  .id = meta_id(state), .creator = meta_creator(state) };
}

void vcm_reg_pooled_stale(const void *h, enum vcm_kind kind, uint64_t old, const char *creator)
{
	vcm_warn("%s: %s %p (#%llu) was handed out again without being released; forgotten",
		 creator, vcm_kind_name(kind), h, (unsigned long long)meta_id(old));
}

uint64_t vcm_reg_creator_slow(const char *creator)
{
	reg_lock();
	vcm_reg_last_creator.index = creator_index(creator);
	reg_unlock();
	vcm_reg_last_creator.creator = creator;
	return vcm_reg_last_creator.index;
}

/* Live objects of @kind (VCM_KIND_NONE: any) in chunk @c; into @out if not NULL. */
static size_t pooled_collect(const struct vcm_hpool_chunk *c, enum vcm_kind kind,
			     struct vcm_handle_info *out)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < c->nobjs; i++) {
		uint64_t state = vcm_hpool_state(c, i);

		if (!vcm_hpool_state_live(state) ||
		    (kind != VCM_KIND_NONE && meta_kind(state) != kind))
			continue;
		if (out)
			pooled_info(vcm_hpool_obj(c, i), state, &out[n]);
		n++;
	}
	return n;
}

/*
 * Live handles of @kind (VCM_KIND_NONE: any), entries and pooled; copied
 * into @out if not NULL (lock held).
 */
static size_t collect_locked(enum vcm_kind kind, struct vcm_handle_info *out)
{
	struct vcm_reg_table *t = table();
	size_t n = 0;
	uint64_t i;

	for (i = 0; t && i <= t->mask; i++) {
		enum vcm_kind k = meta_kind(slot_meta(&t->slots[i]));

		if (!slot_key(&t->slots[i]))
			continue;
		if (k == VCM_KIND_CHUNK && kind != VCM_KIND_CHUNK)
			n += pooled_collect((const void *)slot_key(&t->slots[i]), kind,
					    out ? out + n : NULL);
		else if (kind == VCM_KIND_NONE || k == kind) {
			if (out)
				info_of(t, i, &out[n]);
			n++;
		}
	}
	return n;
}

bool vcm_reg_live_slow(const void *h, enum vcm_kind kind, uint64_t releases, void **priv)
{
	const struct vcm_hpool_chunk *c;
	void *p = NULL;
	bool live;
	int64_t i;

	if (vcm_is_err_or_null(h))
		return false;
	c = vcm_reg_kind_pooled(kind) ? chunk_unlocked(h) : NULL;
	if (c) {
		live = vcm_reg_pooled_live(c, h, kind);
	} else {
		reg_lock();
		i = find_live(h, kind);
		live = i >= 0;
		if (live)
			p = atomic_load_explicit(&table()->slots[i].priv, memory_order_relaxed);
		else if (vcm_reg_kind_pooled(kind) && (c = chunk_locked(h)))
			live = vcm_reg_pooled_live(c, h, kind);
		reg_unlock();
		if (!c && live)
			vcm_reg_seen[kind] = (struct vcm_reg_seen){ .h = h, .releases = releases,
								    .priv = p };
	}
	if (priv)
		*priv = p;
	return live;
}

/* ---- the interface ---- */

/*
 * The slot of live @key, or (*found false) the empty slot where it would
 * go: one probe for both questions (lock held, table present).
 */
static uint64_t probe_locked(struct vcm_reg_table *t, uintptr_t key, bool *found)
{
	uint64_t i;

	for (i = vcm_reg_hash(key, t->shift);; i = (i + 1) & t->mask) {
		uintptr_t k = slot_key(&t->slots[i]);

		if (k == key || !k) {
			*found = k != 0;
			return i;
		}
	}
}

int vcm_reg_add_slow(const void *h, enum vcm_kind kind, void *priv, const char *creator)
{
	uintptr_t key = (uintptr_t)h;
	struct vcm_handle_info stale = { 0 };
	const struct vcm_hpool_chunk *c;
	struct vcm_reg_table *t;
	bool found;
	uint64_t i;
	int ret;

	if (!key || kind <= VCM_KIND_NONE || kind >= VCM_KIND_NR)
		return -EINVAL;
	/* an object of a live chunk: its state word, no entry */
	if (vcm_reg_kind_pooled(kind) && (c = chunk_unlocked(h)))
		return vcm_reg_pooled_add(c, h, kind, creator);
	reg_lock();
	if (vcm_reg_kind_pooled(kind) && (c = chunk_locked(h))) {
		reg_unlock();
		return vcm_reg_pooled_add(c, h, kind, creator);
	}
	rel_forget(key);
	if (kind == VCM_KIND_CHUNK)	/* its addresses are its objects' now */
		rel_forget_range(key, VCM_HPOOL_CHUNK_BYTES);
	ret = reserve_slot();
	if (!ret) {
		t = table();
		i = probe_locked(t, key, &found);
		/* Made again where a live handle was: that memory is a new object. */
		if (found)
			info_of(t, i, &stale);
		else
			reg.live++;
		if (!found && kind == VCM_KIND_CHUNK)
			reg.chunks++;
		slot_fill(t, i, key, vcm_reg_new_id() << VCM_REG_ID_SHIFT |
			  creator_index(creator) << VCM_REG_CREATOR_SHIFT | kind, priv);
		if (found)
			releases_bump(stale.kind);
		if (found && stale.kind == VCM_KIND_CHUNK)
			chunk_slot_give(h);
		if (kind == VCM_KIND_CHUNK)
			chunk_slot_take(h);
	}
	reg_unlock();
	if (stale.handle)
		vcm_warn("%s: %s %p (#%llu, made by %s) was freed without being released; "
			 "forgotten (the memory is a new %s)", creator, vcm_kind_name(stale.kind),
			 h, (unsigned long long)stale.id, stale.creator, vcm_kind_name(kind));
	return ret;
}

void vcm_reg_forget(const void *h)
{
	reg_lock();
	rel_forget((uintptr_t)h);
	reg_unlock();
}

int vcm_reg_del(const void *h, enum vcm_kind kind)
{
	return vcm_reg_take(h, kind, NULL);
}

int vcm_reg_take_slow(const void *h, enum vcm_kind kind, void **priv)
{
	const struct vcm_hpool_chunk *c;
	struct vcm_reg_table *t;
	uint64_t meta;
	int64_t i;
	int ret = -ENOENT;

	if (vcm_reg_kind_pooled(kind) && (c = chunk_unlocked(h)))
		return vcm_reg_pooled_take(c, h, kind, priv);
	reg_lock();
	i = find_live(h, kind);
	if (i < 0 && vcm_reg_kind_pooled(kind) && (c = chunk_locked(h)))
		ret = vcm_reg_pooled_take(c, h, kind, priv);
	if (i >= 0) {
		t = table();
		if (priv)
			*priv = atomic_load_explicit(&t->slots[i].priv, memory_order_relaxed);
		meta = slot_meta(&t->slots[i]);
		rel_remember((uintptr_t)h, meta);
		remove_at(t, (uint64_t)i);
		releases_bump(meta_kind(meta));
		reg.live--;
		if (meta_kind(meta) == VCM_KIND_CHUNK) {
			reg.chunks--;
			chunk_slot_give(h);
		}
		ret = 0;
	}
	reg_unlock();
	return ret;
}

bool vcm_reg_get_locked(const void *h, enum vcm_kind kind, void **priv)
{
	int64_t i;

	if (vcm_is_err_or_null(h))
		return false;
	reg_lock();
	i = find_live(h, kind);
	if (i >= 0 && priv)
		*priv = atomic_load_explicit(&table()->slots[i].priv, memory_order_relaxed);
	reg_unlock();
	return i >= 0;
}

bool vcm_reg_was_released(const void *h)
{
	uint64_t state;
	bool released;

	reg_lock();
	if (pooled_state_locked(h, &state))
		released = state & VCM_HPOOL_RELEASED;
	else
		released = rel_find((uintptr_t)h) || in_released_chunk(h);
	reg_unlock();
	return released;
}

void vcm_reg_report(const void *h, enum vcm_kind kind, const char *fn)
{
	struct vcm_handle_info info = { 0 };
	const struct released *r;
	bool live = false, released = false, pool_gone = false;
	uint64_t state;
	int64_t i;

	if (vcm_is_err_or_null(h))
		return;
	reg_lock();
	i = find_locked((uintptr_t)h);
	if (i >= 0) {
		info_of(table(), (uint64_t)i, &info);
		live = true;
	} else if (pooled_state_locked(h, &state)) {
		pooled_info(h, state & ~VCM_HPOOL_RELEASED, &info);
		live = vcm_hpool_state_live(state);
		released = state & VCM_HPOOL_RELEASED;
	} else if ((r = rel_find((uintptr_t)h))) {
		info.kind = meta_kind(r->meta);
		info.id = meta_id(r->meta);
		info.creator = meta_creator(r->meta);
		released = true;
	} else {
		pool_gone = in_released_chunk(h);
	}
	reg_unlock();

	if (pool_gone)
		vcm_warn("%s: %s %p was released already (with its context); ignored", fn,
			 vcm_kind_name(kind), h);
	else if (released)
		vcm_warn("%s: %s %p (#%llu, made by %s) was released already; ignored", fn,
			 vcm_kind_name(info.kind), h, (unsigned long long)info.id, info.creator);
	else if (live)
		vcm_warn("%s: %p is a %s (#%llu, made by %s), not a %s; ignored", fn, h,
			 vcm_kind_name(info.kind), (unsigned long long)info.id, info.creator,
			 vcm_kind_name(kind));
	else
		vcm_warn("%s: %p is not a %s made by libvcm (foreign or long released); ignored",
			 fn, h, vcm_kind_name(kind));
}

int vcm_reg_set_priv(const void *h, enum vcm_kind kind, void *priv)
{
	int64_t i;

	reg_lock();
	i = find_live(h, kind);
	if (i >= 0) {	/* a plain store: readers see the old or the new pointer */
		atomic_store_explicit(&table()->slots[i].priv, priv, memory_order_release);
		/* what threads remember holds the old one */
		releases_bump(meta_kind(slot_meta(&table()->slots[i])));
	}
	reg_unlock();
	return i >= 0 ? 0 : -ENOENT;
}

uint64_t vcm_reg_id_any(const void *h)
{
	const struct released *r;
	uint64_t meta = 0;
	int64_t i;

	if (vcm_reg_read_fast((uintptr_t)h, &meta, NULL) || pooled_state_unlocked(h, &meta))
		return meta_id(meta);
	reg_lock();
	i = find_locked((uintptr_t)h);
	if (i >= 0)
		meta = slot_meta(&table()->slots[i]);
	else if (pooled_state_locked(h, &meta))
		;	/* live or released, or 0 */
	else if ((r = rel_find((uintptr_t)h)))
		meta = r->meta;
	reg_unlock();
	return meta_id(meta);
}

uint64_t vcm_reg_id(const void *h, enum vcm_kind kind)
{
	uint64_t meta = 0;
	int64_t i;

	/* The id is in what the lock-free read gives (a pooled one's: its state word). */
	if (vcm_reg_read_fast((uintptr_t)h, &meta, NULL) && meta_kind(meta) == kind)
		return meta_id(meta);
	if (pooled_state_unlocked(h, &meta))
		return meta_kind(meta) == kind ? meta_id(meta) : 0;
	reg_lock();
	i = find_live(h, kind);
	if (i >= 0)
		meta = slot_meta(&table()->slots[i]);
	else if (!pooled_state_locked(h, &meta) || meta_kind(meta) != kind)
		meta = 0;	/* not live (a pooled one: released, or not of @kind) */
	reg_unlock();
	return meta_id(meta);
}

int vcm_reg_info(const void *h, struct vcm_handle_info *info)
{
	uint64_t state = 0;
	int64_t i;

	reg_lock();
	i = find_live(h, VCM_KIND_NONE);
	if (i >= 0)
		info_of(table(), (uint64_t)i, info);
	else if (pooled_state_locked(h, &state) && vcm_hpool_state_live(state))
		pooled_info(h, state, info);
	reg_unlock();
	return i >= 0 || vcm_hpool_state_live(state) ? 0 : -ENOENT;
}

unsigned long vcm_reg_count(enum vcm_kind kind)
{
	unsigned long n;

	reg_lock();
	n = (unsigned long)collect_locked(kind, NULL);
	reg_unlock();
	return n;
}

unsigned long vcm_reg_entries(void)
{
	unsigned long n;

	reg_lock();
	n = (unsigned long)reg.live;
	reg_unlock();
	return n;
}

static int by_id(const void *a, const void *b)
{
	const struct vcm_handle_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int vcm_reg_for_each(int (*fn)(const struct vcm_handle_info *info, void *arg), void *arg)
{
	struct vcm_handle_info *all;
	size_t n, i;
	int ret = 0;

	reg_lock();
	n = collect_locked(VCM_KIND_NONE, NULL);
	all = vcm_malloc((n ? n : 1) * sizeof(*all));
	if (all)
		n = collect_locked(VCM_KIND_NONE, all);
	reg_unlock();
	if (!all)
		return -ENOMEM;
	qsort(all, n, sizeof(*all), by_id);
	for (i = 0; i < n && !ret; i++)
		ret = fn(&all[i], arg);
	free(all);
	return ret;
}

/*
 * The tables go with the process, after every other destructor of the
 * library (priority 101 runs last), so valgrind sees no leak.
 */
__attribute__((destructor(101))) static void registry_exit(void)
{
	struct vcm_reg_table *t = atomic_exchange(&vcm_reg_table, NULL);
	unsigned kind, i;

	for (kind = 0; kind < VCM_KIND_NR; kind++)
		releases_bump((enum vcm_kind)kind);	/* nothing is live now */
	for (i = 0; i < VCM_REG_CHUNK_SLOTS; i++)
		atomic_store_explicit(&vcm_reg_chunk_slots[i].chunk, NULL, memory_order_relaxed);
	while (t) {
		struct vcm_reg_table *older = t->older;

		free(t);
		t = older;
	}
}
