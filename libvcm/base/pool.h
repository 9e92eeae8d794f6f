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

#include <stddef.h>
#include <string.h>

#define VCM_POOL_CHUNK_OBJS	64

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
	void *obj = pool->free_list;

	if (!obj)
		return vcm_pool_take_fresh(pool);
	memcpy(&pool->free_list, obj, sizeof(void *));
	return obj;
}

/* Give back an object of this pool. */
static inline void vcm_pool_free(struct vcm_pool *pool, void *obj)
{
	memcpy(obj, &pool->free_list, sizeof(void *));
	pool->free_list = obj;
}
/* Free every chunk (objects still handed out become invalid). */
void vcm_pool_release(struct vcm_pool *pool);

#endif /* LIBVCM_POOL_H */
