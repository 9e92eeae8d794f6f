/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * registry.c - the registry of live handles (see registry.h): the writers'
 * side of the table, the memory of released handles, and the reports.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "fault-inject-internal.h"
#include "registry.h"

/* A fresh table's slots; it doubles when half full (live + released). */
#define REG_MIN_SLOTS_LOG2	11
#define REG_LOAD_DEN		2

struct vcm_reg_table *_Atomic vcm_reg_table;

/* A handle released recently: the slot that remembers it goes when the
 * ring comes round to it again (unless the handle was made anew). */
struct released {
	uintptr_t key;
	uint64_t id;
};

/*
 * The writers' state (the lock is a leaf: nothing is called under it).
 * @used: slots in use (live and released entries).
 * @live: live entries.
 * @next_id: the id of the next entry.
 * @ring, @ring_head, @ring_len: the last releases, oldest at @ring_head.
 */
static struct {
	pthread_mutex_t lock;
	uint64_t used;
	uint64_t live;
	uint64_t next_id;
	struct released ring[VCM_REG_RELEASED_KEEP];
	unsigned ring_head, ring_len;
} reg = { .lock = PTHREAD_MUTEX_INITIALIZER, .next_id = 1 };

static const char *const kind_names[VCM_KIND_NR] = {
	[VCM_KIND_NONE] = "object",
	[VCM_KIND_SOC] = "SoC",
	[VCM_KIND_SYSMMU] = "System MMU",
	[VCM_KIND_PGTABLE] = "page table",
	[VCM_KIND_CONTEXT] = "context",
	[VCM_KIND_RES] = "reservation",
	[VCM_KIND_PHYS] = "phys",
	[VCM_KIND_USERPTR] = "userptr",
};

const char *vcm_kind_name(enum vcm_kind kind)
{
	return (unsigned)kind < VCM_KIND_NR ? kind_names[kind] : "object";
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

static inline bool meta_live(uint64_t meta)
{
	return !(meta & VCM_REG_RELEASED);
}

/* Copy slot @s out (lock held). */
static void info_of(const struct vcm_reg_slot *s, struct vcm_handle_info *info)
{
	uint64_t meta = slot_meta(s);

	info->handle = (const void *)slot_key(s);
	info->kind = meta_kind(meta);
	info->id = meta_id(meta);
	info->creator = atomic_load_explicit(&s->creator, memory_order_relaxed);
	info->priv = atomic_load_explicit(&s->priv, memory_order_relaxed);
}

/* The slot holding @key (lock held), or NULL. */
static struct vcm_reg_slot *find_locked(uintptr_t key)
{
	struct vcm_reg_table *t = table();
	uint64_t i;

	if (!t || !key)
		return NULL;
	for (i = vcm_reg_hash(key, t->shift);; i = (i + 1) & t->mask) {
		uintptr_t k = slot_key(&t->slots[i]);

		if (k == key)
			return &t->slots[i];
		if (!k)
			return NULL;
	}
}

/*
 * Fill slot @s with an entry: fields first, the key last (release), so a
 * reader that sees the key sees the fields.  The slot's key is 0 or @key
 * (cleared first in that case).
 */
static void slot_fill(struct vcm_reg_slot *s, uintptr_t key, uint64_t meta, void *priv,
		      const char *creator)
{
	atomic_store_explicit(&s->key, 0, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&s->meta, meta, memory_order_relaxed);
	atomic_store_explicit(&s->priv, priv, memory_order_relaxed);
	atomic_store_explicit(&s->creator, creator, memory_order_relaxed);
	atomic_store_explicit(&s->key, key, memory_order_release);
}

static void slot_copy(struct vcm_reg_slot *dst, const struct vcm_reg_slot *src)
{
	slot_fill(dst, slot_key(src), slot_meta(src),
		  atomic_load_explicit(&src->priv, memory_order_relaxed),
		  atomic_load_explicit(&src->creator, memory_order_relaxed));
}

/* Put an entry in an empty slot of @t (lock held; no live duplicate). */
static void insert_into(struct vcm_reg_table *t, const struct vcm_reg_slot *src)
{
	uint64_t i;

	for (i = vcm_reg_hash(slot_key(src), t->shift); slot_key(&t->slots[i]);
	     i = (i + 1) & t->mask)
		;
	slot_copy(&t->slots[i], src);
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
		slot_copy(&t->slots[i], &t->slots[j]);
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

/* Room for one more slot: a first table, or one twice as large. */
static int reserve_slot(void)
{
	struct vcm_reg_table *old = table(), *t;
	unsigned log2 = REG_MIN_SLOTS_LOG2;
	uint64_t i;

	if (old && (reg.used + 1) * REG_LOAD_DEN <= old->mask + 1)
		return 0;
	if (old)
		log2 = 64 - old->shift + 1;
	t = table_new(log2);
	if (!t)
		return -ENOMEM;
	for (i = 0; old && i <= old->mask; i++)
		if (slot_key(&old->slots[i]))
			insert_into(t, &old->slots[i]);
	t->older = old;		/* readers may still be in it */
	atomic_store_explicit(&vcm_reg_table, t, memory_order_release);
	return 0;
}

int vcm_reg_add(const void *h, enum vcm_kind kind, void *priv, const char *creator)
{
	uintptr_t key = (uintptr_t)h;
	struct vcm_handle_info stale = { 0 };
	struct vcm_reg_slot *s, tmp;
	int ret = 0;

	if (!key || kind <= VCM_KIND_NONE || kind >= VCM_KIND_NR)
		return -EINVAL;
	pthread_mutex_lock(&reg.lock);
	s = find_locked(key);
	if (s) {
		/* Made again where a handle was: that memory is a new object. */
		if (meta_live(slot_meta(s)))
			info_of(s, &stale);
		else
			reg.live++;
		slot_fill(s, key, reg.next_id++ << VCM_REG_ID_SHIFT | kind, priv, creator);
	} else if (!(ret = reserve_slot())) {
		atomic_store_explicit(&tmp.key, key, memory_order_relaxed);
		atomic_store_explicit(&tmp.meta, reg.next_id++ << VCM_REG_ID_SHIFT | kind,
				      memory_order_relaxed);
		atomic_store_explicit(&tmp.priv, priv, memory_order_relaxed);
		atomic_store_explicit(&tmp.creator, creator, memory_order_relaxed);
		insert_into(table(), &tmp);
		reg.used++;
		reg.live++;
	}
	pthread_mutex_unlock(&reg.lock);
	if (stale.handle)
		vcm_warn("%s: %s %p (#%llu, made by %s) was freed without being released; "
			 "forgotten (the memory is a new %s)", creator, vcm_kind_name(stale.kind),
			 h, (unsigned long long)stale.id, stale.creator, vcm_kind_name(kind));
	return ret;
}

void vcm_reg_forget(const void *h)
{
	struct vcm_reg_slot *s;

	pthread_mutex_lock(&reg.lock);
	s = find_locked((uintptr_t)h);
	if (s && !meta_live(slot_meta(s))) {
		remove_at(table(), (uint64_t)(s - table()->slots));
		reg.used--;	/* the ring's record finds no slot: skipped */
	}
	pthread_mutex_unlock(&reg.lock);
}

/* Forget the oldest release if the ring is full (lock held). */
static void ring_make_room(void)
{
	struct released *old;
	struct vcm_reg_slot *s;

	if (reg.ring_len < VCM_REG_RELEASED_KEEP)
		return;
	old = &reg.ring[reg.ring_head];
	reg.ring_head = (reg.ring_head + 1) % VCM_REG_RELEASED_KEEP;
	reg.ring_len--;
	s = find_locked(old->key);
	if (s && !meta_live(slot_meta(s)) && meta_id(slot_meta(s)) == old->id) {
		remove_at(table(), (uint64_t)(s - table()->slots));
		reg.used--;
	}
}

int vcm_reg_del(const void *h, enum vcm_kind kind)
{
	struct vcm_reg_slot *s;
	uint64_t meta;
	int ret = -ENOENT;

	pthread_mutex_lock(&reg.lock);
	s = find_locked((uintptr_t)h);
	if (s && (meta = slot_meta(s), meta_live(meta) && meta_kind(meta) == kind)) {
		ring_make_room();
		s = find_locked((uintptr_t)h);	/* the room made may have moved it */
		atomic_store_explicit(&s->meta, meta | VCM_REG_RELEASED, memory_order_release);
		reg.ring[(reg.ring_head + reg.ring_len) % VCM_REG_RELEASED_KEEP] =
			(struct released){ .key = (uintptr_t)h, .id = meta_id(meta) };
		reg.ring_len++;
		reg.live--;
		ret = 0;
	}
	pthread_mutex_unlock(&reg.lock);
	return ret;
}

bool vcm_reg_get_locked(const void *h, enum vcm_kind kind, void **priv)
{
	struct vcm_reg_slot *s;
	bool live = false;

	if (vcm_is_err_or_null(h))
		return false;
	pthread_mutex_lock(&reg.lock);
	s = find_locked((uintptr_t)h);
	if (s && meta_live(slot_meta(s)) && meta_kind(slot_meta(s)) == kind) {
		live = true;
		if (priv)
			*priv = atomic_load_explicit(&s->priv, memory_order_relaxed);
	}
	pthread_mutex_unlock(&reg.lock);
	return live;
}

bool vcm_reg_was_released(const void *h)
{
	struct vcm_reg_slot *s;
	bool released;

	pthread_mutex_lock(&reg.lock);
	s = find_locked((uintptr_t)h);
	released = s && !meta_live(slot_meta(s));
	pthread_mutex_unlock(&reg.lock);
	return released;
}

void vcm_reg_report(const void *h, enum vcm_kind kind, const char *fn)
{
	struct vcm_handle_info info = { 0 };
	struct vcm_reg_slot *s;
	bool found, live = false;

	if (vcm_is_err_or_null(h))
		return;
	pthread_mutex_lock(&reg.lock);
	s = find_locked((uintptr_t)h);
	found = s != NULL;
	if (found) {
		info_of(s, &info);
		live = meta_live(slot_meta(s));
	}
	pthread_mutex_unlock(&reg.lock);

	if (!found)
		vcm_warn("%s: %p is not a %s made by libvcm (foreign or long released); ignored",
			 fn, h, vcm_kind_name(kind));
	else if (!live)
		vcm_warn("%s: %s %p (#%llu, made by %s) was released already; ignored", fn,
			 vcm_kind_name(info.kind), h, (unsigned long long)info.id, info.creator);
	else
		vcm_warn("%s: %p is a %s (#%llu, made by %s), not a %s; ignored", fn, h,
			 vcm_kind_name(info.kind), (unsigned long long)info.id, info.creator,
			 vcm_kind_name(kind));
}

int vcm_reg_set_priv(const void *h, enum vcm_kind kind, void *priv)
{
	struct vcm_reg_slot *s;
	int ret = -ENOENT;

	pthread_mutex_lock(&reg.lock);
	s = find_locked((uintptr_t)h);
	if (s && meta_live(slot_meta(s)) && meta_kind(slot_meta(s)) == kind) {
		/* a plain store: readers see the old or the new pointer */
		atomic_store_explicit(&s->priv, priv, memory_order_release);
		ret = 0;
	}
	pthread_mutex_unlock(&reg.lock);
	return ret;
}

uint64_t vcm_reg_id_any(const void *h)
{
	struct vcm_reg_slot *s;
	uint64_t id = 0, meta;
	void *priv;

	if (vcm_reg_read_fast((uintptr_t)h, &meta, &priv))
		return meta_id(meta);
	pthread_mutex_lock(&reg.lock);
	s = find_locked((uintptr_t)h);
	if (s)
		id = meta_id(slot_meta(s));
	pthread_mutex_unlock(&reg.lock);
	return id;
}

uint64_t vcm_reg_id(const void *h, enum vcm_kind kind)
{
	struct vcm_reg_slot *s;
	uint64_t id = 0;

	pthread_mutex_lock(&reg.lock);
	s = find_locked((uintptr_t)h);
	if (s && meta_live(slot_meta(s)) && meta_kind(slot_meta(s)) == kind)
		id = meta_id(slot_meta(s));
	pthread_mutex_unlock(&reg.lock);
	return id;
}

int vcm_reg_info(const void *h, struct vcm_handle_info *info)
{
	struct vcm_reg_slot *s;
	int ret = -ENOENT;

	pthread_mutex_lock(&reg.lock);
	s = find_locked((uintptr_t)h);
	if (s && meta_live(slot_meta(s))) {
		info_of(s, info);
		ret = 0;
	}
	pthread_mutex_unlock(&reg.lock);
	return ret;
}

unsigned long vcm_reg_count(enum vcm_kind kind)
{
	struct vcm_reg_table *t;
	unsigned long n = 0;
	uint64_t i;

	pthread_mutex_lock(&reg.lock);
	t = table();
	if (kind == VCM_KIND_NONE)
		n = (unsigned long)reg.live;
	for (i = 0; kind != VCM_KIND_NONE && t && i <= t->mask; i++) {
		uint64_t meta = slot_meta(&t->slots[i]);

		n += slot_key(&t->slots[i]) && meta_live(meta) && meta_kind(meta) == kind;
	}
	pthread_mutex_unlock(&reg.lock);
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
	struct vcm_reg_table *t;
	size_t n = 0, i;
	int ret = 0;

	pthread_mutex_lock(&reg.lock);
	t = table();
	all = vcm_malloc((reg.live ? reg.live : 1) * sizeof(*all));
	for (i = 0; all && t && i <= t->mask; i++)
		if (slot_key(&t->slots[i]) && meta_live(slot_meta(&t->slots[i])))
			info_of(&t->slots[i], &all[n++]);
	pthread_mutex_unlock(&reg.lock);
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

	while (t) {
		struct vcm_reg_table *older = t->older;

		free(t);
		t = older;
	}
}
