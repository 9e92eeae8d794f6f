/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool.h - fixed-size objects without a host allocation each (internal).
 *
 * Objects are carved from chunks of VCM_POOL_CHUNK_OBJS; a freed object goes
 * on a free list (its first bytes hold the link) and the next allocation
 * takes it back, so in the steady state an allocation and a free are a few
 * instructions and the host heap is not touched.  Chunks go back to the
 * host only with the pool (vcm_pool_release()).  Objects are 8-byte
 * aligned (enough for pointers and 64-bit integers).  Host memory per live
 * object: the object size rounded up to 8, plus one pointer per chunk.
 *
 * Not thread-safe: the owner's lock serialises (e.g. a context's lock for
 * its reservations).
 */
#ifndef LIBVCM_POOL_H
#define LIBVCM_POOL_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VCM_POOL_CHUNK_OBJS	64

/*
 * A free list of objects (both kinds of pool below): a freed object's first
 * bytes hold the link to the next.  Pop: the first object, or NULL.
 */
static inline void *vcm_free_list_pop(void **list)
{
	void *obj = *list;

	if (obj)
		memcpy(list, obj, sizeof(void *));
	return obj;
}

static inline void vcm_free_list_push(void **list, void *obj)
{
	memcpy(obj, list, sizeof(void *));
	*list = obj;
}

struct vcm_pool_chunk;

struct vcm_pool {
	size_t obj_size;		/* >= sizeof(void *) */
	void *free_list;		/* freed objects */
	struct vcm_pool_chunk *chunks;	/* newest first */
	unsigned fresh;			/* objects never handed out, newest chunk */
};

/* An empty pool of objects of @obj_size bytes (no host memory yet). */
void vcm_pool_init(struct vcm_pool *pool, size_t obj_size);
/* A zeroed object, or NULL when a new chunk cannot be allocated. */
void *vcm_pool_alloc(struct vcm_pool *pool);
/* vcm_pool_take() when no freed object is waiting: one never handed out. */
void *vcm_pool_take_fresh(struct vcm_pool *pool);

/*
 * vcm_pool_take() - an object whose bytes are whatever they were (the
 * caller sets every field), or NULL when a new chunk cannot be allocated.
 * A freed object is taken back without a call.
 */
static inline void *vcm_pool_take(struct vcm_pool *pool)
{
	void *obj = vcm_free_list_pop(&pool->free_list);

	return obj ? obj : vcm_pool_take_fresh(pool);
}

/* Give back an object of this pool. */
static inline void vcm_pool_free(struct vcm_pool *pool, void *obj)
{
	vcm_free_list_push(&pool->free_list, obj);
}
/* Free every chunk (objects still handed out become invalid). */
void vcm_pool_release(struct vcm_pool *pool);

/*
 * Handle pools (struct vcm_hpool): objects that are library handles, kept
 * in type-stable chunks so that the registry (registry.h) can check such a
 * handle without an entry of its own.
 *
 * A chunk is VCM_HPOOL_CHUNK_BYTES of host memory aligned to its size (a
 * page from mmap()): the chunk of any address is found by masking it, and
 * the registry holds one entry per chunk (VCM_KIND_CHUNK, made and taken
 * by the pool), so an unchecked pointer is never dereferenced: the
 * registry confirms that its masked address is a live chunk first.  The
 * chunk starts with a header, then the objects at a fixed stride, each
 * right after its state word (the side data: 8 bytes, outside the object,
 * so that checking a handle and using it read neighbouring bytes).  An
 * object's state word is 0 until the object is first handed out as a
 * handle; the registry writes it (its id, creator and kind while live; the
 * same with VCM_HPOOL_RELEASED once released) and the pool only reads it,
 * to walk the live objects.
 *
 * A freed object goes on the free list (its first 8 bytes hold the link)
 * and is taken back first; chunks go back to the host only with the pool
 * (vcm_hpool_release(), whose chunks the registry then remembers as
 * released for a while).  Each chunk may also carry one optional word per
 * object (vcm_hpool_extra()), made on the first non-zero value stored in
 * it: a pool whose objects never need one pays one pointer per chunk.
 *
 * Host memory per object: its size rounded up to 8, plus 8 (the state
 * word), plus the header's share; with 48-byte objects (struct vcm_res),
 * 72 objects in a 4 KiB chunk: 56.9 bytes.
 * The chunks are not malloc() memory: vcm_hpool_bytes() counts them.
 *
 * Not thread-safe for the pool's owner side (take, free, release: the
 * owner's lock serialises, e.g. a context's ownership).  Readers on other
 * threads may walk the live objects (vcm_hpool_next_live()) and read state
 * words at any time: the chunk list and the state words are atomic.
 */
#define VCM_HPOOL_CHUNK_SHIFT	12
#define VCM_HPOOL_CHUNK_BYTES	((uintptr_t)1 << VCM_HPOOL_CHUNK_SHIFT)
#define VCM_HPOOL_RELEASED	0x80ULL	/* in a state word: released */
#define VCM_HPOOL_KIND_MASK	0xFFULL	/* in a state word: the kind (| RELEASED) */

struct vcm_hpool;

/*
 * struct vcm_hpool_chunk - the header of a chunk.
 * @pool: the pool it belongs to.
 * @next: the pool's next (newer) chunk; NULL for the newest.
 * @extra: one word per object (vcm_hpool_extra()), NULL while all are 0
 *         (atomic: a reader on another thread may meet it being made).
 * @stride: the distance between objects (a multiple of 8: the object and
 *          the next one's state word).
 * @recip: ceil(2^32 / @stride): an offset's object index by multiplication.
 * @nobjs: objects in the chunk.
 * @first: the offset of object 0 from the chunk (its state word before it).
 * @kind: the registry's kind of the objects.
 */
struct vcm_hpool_chunk {
	struct vcm_hpool *pool;
	struct vcm_hpool_chunk *_Atomic next;
	uint64_t *_Atomic extra;
	uint32_t stride;
	uint32_t recip;
	uint16_t nobjs;
	uint16_t first;
	uint8_t kind;
};

/*
 * struct vcm_hpool - a handle pool.
 * @obj_size: the objects' size.
 * @kind: the registry's kind of its objects.
 * @free_list: freed objects.
 * @chunks: the oldest chunk (then ->next); NULL before the first object.
 * @newest: the newest chunk (owner only).
 * @fresh: objects of @newest never handed out (the last @fresh ones).
 * @owner: what the objects belong to, for the pool's user (its chunks
 *         lead there: chunk->pool->owner); the pool does not use it.
 * @stride, @recip, @nobjs, @first: the layout of each of its chunks (the
 *         same as in each chunk's header), so that a caller that knows the
 *         pool finds an object's index without reading the header.
 * @has_extra: some chunk has made its extra words (owner only).
 */
struct vcm_hpool {
	size_t obj_size;
	unsigned kind;
	void *free_list;
	struct vcm_hpool_chunk *_Atomic chunks;
	struct vcm_hpool_chunk *newest;
	unsigned fresh;
	void *owner;
	uint32_t stride;
	uint32_t recip;
	uint16_t nobjs;
	uint16_t first;
	bool has_extra;
};

/* An empty pool of objects of @obj_size bytes, handles of @kind (no host memory yet). */
void vcm_hpool_init(struct vcm_hpool *pool, size_t obj_size, unsigned kind);
/* vcm_hpool_take() when no freed object is waiting (may map a chunk). */
void *vcm_hpool_take_fresh(struct vcm_hpool *pool);
/* Unmap every chunk (the registry forgets them as live); objects become invalid. */
void vcm_hpool_release(struct vcm_hpool *pool);
/* Host bytes in every pool's chunks and their extra words (all pools, now). */
size_t vcm_hpool_bytes(void);

/*
 * vcm_hpool_take() - an object whose bytes are whatever they were (the
 * caller sets every field), or NULL when a chunk cannot be added.
 */
static inline void *vcm_hpool_take(struct vcm_hpool *pool)
{
	void *obj = vcm_free_list_pop(&pool->free_list);

	return obj ? obj : vcm_hpool_take_fresh(pool);
}

/* Give back an object of this pool (its state word is the registry's). */
static inline void vcm_hpool_free(struct vcm_hpool *pool, void *obj)
{
	vcm_free_list_push(&pool->free_list, obj);
}

/*
 * The chunk an address would lie in: only an address, to be confirmed
 * (by the registry) before anything is read from it.
 */
static inline struct vcm_hpool_chunk *vcm_hpool_chunk_of(const void *p)
{
	return (struct vcm_hpool_chunk *)((uintptr_t)p & ~(VCM_HPOOL_CHUNK_BYTES - 1));
}

/*
 * The index of the object at @p in chunk @c laid out as @stride, @recip,
 * @nobjs, @first say, or -1 if none starts there.
 */
static inline int vcm_hpool_index_as(const struct vcm_hpool_chunk *c, const void *p,
				     uint32_t stride, uint32_t recip, unsigned nobjs,
				     unsigned first)
{
	uint32_t off = (uint32_t)((uintptr_t)p - (uintptr_t)c) - first;
	uint32_t i = (uint32_t)(((uint64_t)off * recip) >> 32);

	return i < nobjs && i * stride == off ? (int)i : -1;
}

/* The index of the object at @p in live chunk @c, or -1 if none starts there. */
static inline int vcm_hpool_index(const struct vcm_hpool_chunk *c, const void *p)
{
	return vcm_hpool_index_as(c, p, c->stride, c->recip, c->nobjs, c->first);
}

/* vcm_hpool_index() of a chunk of @pool, from the pool's copy of the layout. */
static inline int vcm_hpool_index_in(const struct vcm_hpool *pool,
				     const struct vcm_hpool_chunk *c, const void *p)
{
	return vcm_hpool_index_as(c, p, pool->stride, pool->recip, pool->nobjs, pool->first);
}

static inline void *vcm_hpool_obj(const struct vcm_hpool_chunk *c, unsigned i)
{
	return (char *)c + c->first + (size_t)i * c->stride;
}

/* True if state word @state is that of a live object. */
static inline bool vcm_hpool_state_live(uint64_t state)
{
	return state && !(state & VCM_HPOOL_RELEASED);
}

/* The state word of the pool object at @obj: the 8 bytes before it. */
static inline _Atomic uint64_t *vcm_hpool_state_word(const void *obj)
{
	return (_Atomic uint64_t *)((uintptr_t)obj - sizeof(uint64_t));
}

/* The state word of object @i of @c (acquire: a live one's fields are visible). */
static inline uint64_t vcm_hpool_state(const struct vcm_hpool_chunk *c, unsigned i)
{
	return atomic_load_explicit(vcm_hpool_state_word(vcm_hpool_obj(c, i)),
				    memory_order_acquire);
}

/* The extra word of object @obj of a pool (0 until one is set). */
static inline uint64_t vcm_hpool_extra(const void *obj)
{
	const struct vcm_hpool_chunk *c = vcm_hpool_chunk_of(obj);
	const uint64_t *extra = atomic_load_explicit(&c->extra, memory_order_acquire);

	return extra ? extra[vcm_hpool_index(c, obj)] : 0;
}

/* vcm_hpool_extra() of an object of @pool (owner): 0 without a read while none has one. */
static inline uint64_t vcm_hpool_extra_in(const struct vcm_hpool *pool, const void *obj)
{
	return pool->has_extra ? vcm_hpool_extra(obj) : 0;
}

/* Make @c's extra words (all 0): 0 or -ENOMEM. */
int vcm_hpool_extra_make(struct vcm_hpool_chunk *c);

/*
 * Set @obj's extra word to @v (owner; before the object is a live handle):
 * 0, or -ENOMEM when the chunk's words cannot be made (the first non-zero
 * word of the chunk makes them).
 */
static inline int vcm_hpool_set_extra(void *obj, uint64_t v)
{
	struct vcm_hpool_chunk *c = vcm_hpool_chunk_of(obj);
	uint64_t *extra = atomic_load_explicit(&c->extra, memory_order_relaxed);

	if (!extra) {
		if (!v)
			return 0;	/* all are 0 already */
		if (vcm_hpool_extra_make(c))
			return -ENOMEM;
		extra = atomic_load_explicit(&c->extra, memory_order_relaxed);
	}
	extra[vcm_hpool_index(c, obj)] = v;
	return 0;
}

/*
 * A walk over a pool's live objects (readers on any thread; what is
 * released meanwhile may be seen or not): start with a zeroed iterator;
 * vcm_hpool_next_live() gives each live object in turn (chunk order, not
 * creation order), then NULL.  The current object may be released during
 * the walk.
 */
struct vcm_hpool_iter {
	const struct vcm_hpool_chunk *chunk;
	unsigned next;
};

void *vcm_hpool_next_live(const struct vcm_hpool *pool, struct vcm_hpool_iter *it);

#endif /* LIBVCM_POOL_H */
