/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool.c - fixed-size objects carved from chunks, with a free list (see
 * pool.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fault-inject-internal.h"
#include "pool.h"

struct vcm_pool_chunk {
	struct vcm_pool_chunk *next;
	uint64_t objs[];		/* VCM_POOL_CHUNK_OBJS objects */
};

/* Objects are laid out at this stride: each is 8-byte aligned (see pool.h). */
static size_t stride(const struct vcm_pool *pool)
{
	return (pool->obj_size + sizeof(uint64_t) - 1) / sizeof(uint64_t) * sizeof(uint64_t);
}

void vcm_pool_init(struct vcm_pool *pool, size_t obj_size)
{
	pool->obj_size = obj_size < sizeof(void *) ? sizeof(void *) : obj_size;
	pool->free_list = NULL;
	pool->chunks = NULL;
	pool->fresh = 0;
}

static int pool_grow(struct vcm_pool *pool)
{
	struct vcm_pool_chunk *c = vcm_malloc(sizeof(*c) + stride(pool) * VCM_POOL_CHUNK_OBJS);

	if (!c)
		return -1;
	c->next = pool->chunks;
	pool->chunks = c;
	pool->fresh = VCM_POOL_CHUNK_OBJS;
	return 0;
}

void *vcm_pool_take_fresh(struct vcm_pool *pool)
{
	if (!pool->fresh && pool_grow(pool))
		return NULL;
	pool->fresh--;
	return (char *)pool->chunks->objs + pool->fresh * stride(pool);
}

void *vcm_pool_alloc(struct vcm_pool *pool)
{
	void *obj = vcm_pool_take(pool);

	return obj ? memset(obj, 0, pool->obj_size) : NULL;
}

void vcm_pool_release(struct vcm_pool *pool)
{
	while (pool->chunks) {
		struct vcm_pool_chunk *c = pool->chunks;

		pool->chunks = c->next;
		free(c);
	}
	vcm_pool_init(pool, pool->obj_size);
}
