/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool.c - fixed-size objects carved from chunks, with a free list, and
 * handle pools: the same in aligned chunks the registry knows (see pool.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fault-inject-internal.h"
#include "pool.h"
#include "registry.h"

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

/* ---- handle pools ---- */

/* Host bytes of every handle pool's chunks and extra words. */
static _Atomic size_t hpool_bytes;

size_t vcm_hpool_bytes(void)
{
	return atomic_load_explicit(&hpool_bytes, memory_order_relaxed);
}

/* Where object 0 starts: after the header and its own state word. */
#define FIRST_OFFSET	VCM_ALIGN_UP(sizeof(struct vcm_hpool_chunk) + sizeof(uint64_t), \
				     sizeof(uint64_t))

/* The most objects of @size bytes at @stride a chunk holds. */
static unsigned objs_per_chunk(size_t size, uint32_t stride)
{
	if (FIRST_OFFSET + size > VCM_HPOOL_CHUNK_BYTES)
		return 0;
	return (unsigned)((VCM_HPOOL_CHUNK_BYTES - FIRST_OFFSET - size) / stride) + 1;
}

void vcm_hpool_init(struct vcm_hpool *pool, size_t obj_size, unsigned kind)
{
	size_t size = VCM_ALIGN_UP(obj_size < sizeof(void *) ? sizeof(void *) : obj_size,
				   sizeof(uint64_t));
	uint32_t stride = (uint32_t)(size + sizeof(uint64_t));	/* the next one's state word */

	*pool = (struct vcm_hpool){
		.obj_size = size, .kind = kind, .stride = stride,
		.recip = (uint32_t)((((uint64_t)1 << 32) + stride - 1) / stride),
		.nobjs = (uint16_t)objs_per_chunk(size, stride), .first = FIRST_OFFSET,
	};
}

/* A new chunk, entered in the registry, at the end of the pool's list. */
static struct vcm_hpool_chunk *chunk_new(struct vcm_hpool *pool)
{
	struct vcm_hpool_chunk *c;

	if (!pool->nobjs || !vcm_reg_kind_pooled((enum vcm_kind)pool->kind) ||
	    vcm_should_fail(VCM_FAIL_HOST, VCM_HPOOL_CHUNK_BYTES))
		return NULL;
	/* a page, so aligned to its size; zeroed, so every state word is 0 */
	c = mmap(NULL, VCM_HPOOL_CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (c == MAP_FAILED)
		return NULL;
	c->pool = pool;
	c->stride = pool->stride;
	c->recip = pool->recip;
	c->nobjs = pool->nobjs;
	c->first = pool->first;
	c->kind = (uint8_t)pool->kind;
	if (vcm_reg_add(c, VCM_KIND_CHUNK, pool, "a handle pool")) {
		munmap(c, VCM_HPOOL_CHUNK_BYTES);
		return NULL;
	}
	atomic_fetch_add_explicit(&hpool_bytes, VCM_HPOOL_CHUNK_BYTES, memory_order_relaxed);
	/* whole before readers can reach it */
	if (pool->newest)
		atomic_store_explicit(&pool->newest->next, c, memory_order_release);
	else
		atomic_store_explicit(&pool->chunks, c, memory_order_release);
	pool->newest = c;
	return c;
}

void *vcm_hpool_take_fresh(struct vcm_hpool *pool)
{
	if (!pool->fresh) {
		if (!chunk_new(pool))
			return NULL;
		pool->fresh = pool->newest->nobjs;
	}
	/* handed out from the chunk's end, as vcm_pool_take_fresh() does */
	return vcm_hpool_obj(pool->newest, --pool->fresh);
}

int vcm_hpool_extra_make(struct vcm_hpool_chunk *c)
{
	uint64_t *extra = vcm_calloc(c->nobjs, sizeof(*extra));

	if (!extra)
		return -ENOMEM;
	atomic_store_explicit(&c->extra, extra, memory_order_release);
	atomic_fetch_add_explicit(&hpool_bytes, c->nobjs * sizeof(*extra), memory_order_relaxed);
	c->pool->has_extra = true;
	return 0;
}

void vcm_hpool_release(struct vcm_hpool *pool)
{
	struct vcm_hpool_chunk *c = atomic_load_explicit(&pool->chunks, memory_order_relaxed);
	void *owner = pool->owner;

	while (c) {
		struct vcm_hpool_chunk *next = atomic_load_explicit(&c->next, memory_order_relaxed);
		uint64_t *extra = atomic_load_explicit(&c->extra, memory_order_relaxed);
		size_t bytes = VCM_HPOOL_CHUNK_BYTES;

		vcm_reg_del(c, VCM_KIND_CHUNK);	/* remembered as released */
		if (extra)
			bytes += c->nobjs * sizeof(*extra);
		free(extra);
		munmap(c, VCM_HPOOL_CHUNK_BYTES);
		atomic_fetch_sub_explicit(&hpool_bytes, bytes, memory_order_relaxed);
		c = next;
	}
	vcm_hpool_init(pool, pool->obj_size, pool->kind);
	pool->owner = owner;
}

void *vcm_hpool_next_live(const struct vcm_hpool *pool, struct vcm_hpool_iter *it)
{
	const struct vcm_hpool_chunk *c = it->chunk;

	if (!c)
		c = atomic_load_explicit(&pool->chunks, memory_order_acquire);
	for (; c; c = atomic_load_explicit(&c->next, memory_order_acquire), it->next = 0) {
		while (it->next < c->nobjs) {
			unsigned i = it->next++;

			if (vcm_hpool_state_live(vcm_hpool_state(c, i))) {
				it->chunk = c;
				return vcm_hpool_obj(c, i);
			}
		}
	}
	it->chunk = NULL;
	it->next = 0;
	return NULL;
}
