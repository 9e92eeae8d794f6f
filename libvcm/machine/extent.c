/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * extent.c - exact first-fit placement over a treap of free extents, each
 * node carrying the largest free extent of its subtree (see extent.h).
 *
 * Node 0 is the empty tree (its max is 0).  Nodes live in one array and are
 * named by index, so the array may grow (realloc) under the tree.
 */
#include <errno.h>
#include <stdlib.h>

#include "extent.h"

#define EXTENT_FIRST_NODES	64
#define EXTENT_NIL		0U
#define EXTENT_PRIO_SEED	0x9e3779b9U

/*
 * struct extent_node - one free extent, and its subtree's summary.
 * @fit: for each tracked alignment j, the most pages any extent of the
 *       subtree holds from its first page aligned to 2^tracked[j] on
 *       (tracked[0] is order 0: the longest extent).  A request of n pages
 *       aligned to a tracked order fits in the subtree exactly when
 *       fit[j] >= n, so first fit never enters a subtree in vain.
 */
struct extent_node {
	uint64_t start;		/* first free page */
	uint64_t len;		/* free pages */
	uint64_t own[VCM_EXTENT_TRACKED];	/* the same for this extent alone */
	uint64_t fit[VCM_EXTENT_TRACKED];
	uint32_t left, right;	/* children (left: the free list's link) */
	uint32_t prio;		/* heap order: a parent's is >= its children's */
};

struct vcm_extent {
	struct extent_node *node;
	uint32_t cap;		/* nodes in the array, node 0 included */
	uint32_t used;		/* nodes ever handed out, node 0 included */
	uint32_t free_list;	/* recycled nodes, linked through left */
	uint32_t root;
	uint32_t rng;		/* xorshift state for priorities */
	unsigned ntracked;	/* alignments summarised in each node */
	unsigned char tracked[VCM_EXTENT_TRACKED];	/* their orders, [0] = 0 */
	uint64_t origin;
	uint64_t npages;
	uint64_t nfree;
};

static uint64_t max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;

	return m > c ? m : c;
}

/* First page at or after @start aligned to 2^@order absolute pages. */
static uint64_t aligned_start(const struct vcm_extent *e, uint64_t start, unsigned order)
{
	uint64_t mask = order >= 63 ? UINT64_MAX : (1ULL << order) - 1;

	return ((e->origin + start + mask) & ~mask) - e->origin;
}

/* Pages of [start, start + len) from its first 2^@order-aligned page on. */
static uint64_t fit_len(const struct vcm_extent *e, uint64_t start, uint64_t len, unsigned order)
{
	uint64_t a = aligned_start(e, start, order);

	return a - start < len ? len - (a - start) : 0;
}

static void pull(struct vcm_extent *e, uint32_t t)
{
	struct extent_node *n = &e->node[t];
	const struct extent_node *l = &e->node[n->left], *r = &e->node[n->right];
	unsigned j;

	for (j = 0; j < e->ntracked; j++)
		n->fit[j] = max3(n->own[j], l->fit[j], r->fit[j]);
}

/* Give node @t the extent [start, start + len) (its summary is pulled by
 * the caller). */
static void node_set(struct vcm_extent *e, uint32_t t, uint64_t start, uint64_t len)
{
	struct extent_node *n = &e->node[t];
	unsigned j;

	n->start = start;
	n->len = len;
	for (j = 0; j < e->ntracked; j++)
		n->own[j] = fit_len(e, start, len, e->tracked[j]);
}

static uint32_t next_prio(struct vcm_extent *e)
{
	uint32_t x = e->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	e->rng = x;
	return x;
}

/* A fresh node for [start, start + len), or EXTENT_NIL when memory is short. */
static uint32_t node_new(struct vcm_extent *e, uint64_t start, uint64_t len)
{
	uint32_t t = e->free_list;

	if (t) {
		e->free_list = e->node[t].left;
	} else {
		if (e->used == e->cap) {
			struct extent_node *n;

			if (e->cap > UINT32_MAX / 2)
				return EXTENT_NIL;
			n = realloc(e->node, 2 * (size_t)e->cap * sizeof(*n));
			if (!n)
				return EXTENT_NIL;
			e->node = n;
			e->cap *= 2;
		}
		t = e->used++;
	}
	e->node[t] = (struct extent_node){ .prio = next_prio(e) };
	node_set(e, t, start, len);
	pull(e, t);
	return t;
}

static void node_put(struct vcm_extent *e, uint32_t t)
{
	e->node[t].left = e->free_list;
	e->free_list = t;
}

/* ---- treap primitives ---------------------------------------------------- */

/* Join two trees, every start of @l below every start of @r. */
static uint32_t merge(struct vcm_extent *e, uint32_t l, uint32_t r)
{
	if (!l || !r)
		return l ? l : r;
	if (e->node[l].prio >= e->node[r].prio) {
		e->node[l].right = merge(e, e->node[l].right, r);
		pull(e, l);
		return l;
	}
	e->node[r].left = merge(e, l, e->node[r].left);
	pull(e, r);
	return r;
}

/* Cut @t into the starts below @key (*@l) and the others (*@r). */
static void split(struct vcm_extent *e, uint32_t t, uint64_t key, uint32_t *l, uint32_t *r)
{
	if (!t) {
		*l = *r = EXTENT_NIL;
	} else if (e->node[t].start < key) {
		split(e, e->node[t].right, key, &e->node[t].right, r);
		*l = t;
		pull(e, t);
	} else {
		split(e, e->node[t].left, key, l, &e->node[t].left);
		*r = t;
		pull(e, t);
	}
}

/* Put the single node @t into the tree. */
static void insert(struct vcm_extent *e, uint32_t t)
{
	uint32_t l, r;

	split(e, e->root, e->node[t].start, &l, &r);
	e->root = merge(e, merge(e, l, t), r);
}

/* Take the node that starts at @key out of the subtree @t; its new root. */
static uint32_t erase(struct vcm_extent *e, uint32_t t, uint64_t key)
{
	struct extent_node *n = &e->node[t];

	if (n->start == key) {
		uint32_t rest = merge(e, n->left, n->right);

		node_put(e, t);
		return rest;
	}
	if (key < n->start)
		n->left = erase(e, n->left, key);
	else
		n->right = erase(e, n->right, key);
	pull(e, t);
	return t;
}

/* Recompute the maxima on the path to the node that starts at @key (after
 * its length, or its start within its gap, changed). */
static void repull(struct vcm_extent *e, uint32_t t, uint64_t key)
{
	if (!t)
		return;
	if (key < e->node[t].start)
		repull(e, e->node[t].left, key);
	else if (key > e->node[t].start)
		repull(e, e->node[t].right, key);
	pull(e, t);
}

/* ---- first fit ----------------------------------------------------------- */

/* The largest tracked alignment not above @order (tracked[0] is 0). */
static unsigned tracked_for(const struct vcm_extent *e, unsigned order)
{
	unsigned j, best = 0;

	for (j = 1; j < e->ntracked; j++)
		if (e->tracked[j] <= order && e->tracked[j] > e->tracked[best])
			best = j;
	return best;
}

/*
 * The leftmost node in @t whose extent holds @n pages aligned to 2^@order;
 * *@at.  fit[@j] bounds the subtrees: exactly when @order is tracked (then
 * the descent is one path), from above otherwise.
 */
static uint32_t find_fit(const struct vcm_extent *e, uint32_t t, uint64_t n, unsigned order,
			 unsigned j, uint64_t *at)
{
	const struct extent_node *nd;
	uint32_t hit;

	if (!t || e->node[t].fit[j] < n)
		return EXTENT_NIL;
	nd = &e->node[t];
	hit = find_fit(e, nd->left, n, order, j, at);
	if (hit)
		return hit;
	if ((e->tracked[j] == order ? nd->own[j] : fit_len(e, nd->start, nd->len, order)) >= n) {
		*at = aligned_start(e, nd->start, order);
		return t;
	}
	return find_fit(e, nd->right, n, order, j, at);
}

int vcm_extent_alloc(struct vcm_extent *e, uint64_t npages, unsigned align, uint64_t *pfn)
{
	uint64_t at = 0, start, end;
	uint32_t t, tail;

	if (!npages)
		return -EINVAL;
	t = find_fit(e, e->root, npages, align, tracked_for(e, align), &at);
	if (!t)
		return -ENOSPC;
	start = e->node[t].start;
	end = start + e->node[t].len;
	if (at + npages < end) {
		/* the tail stays free; the head (if any) keeps node @t */
		if (at == start) {
			node_set(e, t, at + npages, end - at - npages);
			repull(e, e->root, at + npages);
		} else {
			tail = node_new(e, at + npages, end - at - npages);
			if (!tail)
				return -ENOMEM;
			node_set(e, t, start, at - start);
			repull(e, e->root, start);
			insert(e, tail);
		}
	} else if (at > start) {
		node_set(e, t, start, at - start);
		repull(e, e->root, start);
	} else {
		e->root = erase(e, e->root, start);
	}
	e->nfree -= npages;
	*pfn = at;
	return 0;
}

/* ---- free ---------------------------------------------------------------- */

/* The nodes around @pfn: the last starting at or below it, the first above. */
static void neighbours(const struct vcm_extent *e, uint64_t pfn, uint32_t *pred, uint32_t *succ)
{
	uint32_t t = e->root;

	*pred = *succ = EXTENT_NIL;
	while (t) {
		if (e->node[t].start <= pfn) {
			*pred = t;
			t = e->node[t].right;
		} else {
			*succ = t;
			t = e->node[t].left;
		}
	}
}

int vcm_extent_free(struct vcm_extent *e, uint64_t pfn, uint64_t npages)
{
	uint32_t pred, succ, t;
	uint64_t end = pfn + npages;

	if (!npages || end < pfn || end > e->npages)
		return -EINVAL;
	neighbours(e, pfn, &pred, &succ);
	if ((pred && e->node[pred].start + e->node[pred].len > pfn) ||
	    (succ && e->node[succ].start < end))
		return -EINVAL;
	if (pred && e->node[pred].start + e->node[pred].len == pfn) {
		uint64_t len = e->node[pred].len + npages;

		if (succ && e->node[succ].start == end) {
			len += e->node[succ].len;
			e->root = erase(e, e->root, e->node[succ].start);
		}
		node_set(e, pred, e->node[pred].start, len);
		repull(e, e->root, e->node[pred].start);
	} else if (succ && e->node[succ].start == end) {
		node_set(e, succ, pfn, e->node[succ].len + npages);
		repull(e, e->root, pfn);
	} else {
		t = node_new(e, pfn, npages);
		if (!t)
			return -ENOMEM;
		insert(e, t);
	}
	e->nfree += npages;
	return 0;
}

/* ---- the arena ----------------------------------------------------------- */

struct vcm_extent *vcm_extent_create(uint64_t origin, uint64_t npages,
				     const unsigned char *orders)
{
	struct vcm_extent *e;

	if (!npages || origin + npages < origin)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->ntracked = 1;	/* order 0: plain lengths */
	for (; orders && *orders && e->ntracked < VCM_EXTENT_TRACKED; orders++)
		if (*orders != e->tracked[e->ntracked - 1])
			e->tracked[e->ntracked++] = *orders;
	e->node = calloc(EXTENT_FIRST_NODES, sizeof(*e->node));
	if (!e->node) {
		free(e);
		return NULL;
	}
	e->cap = EXTENT_FIRST_NODES;
	e->used = 1;
	e->rng = EXTENT_PRIO_SEED;
	e->origin = origin;
	e->npages = npages;
	e->nfree = npages;
	e->root = node_new(e, 0, npages);
	return e;
}

void vcm_extent_destroy(struct vcm_extent *e)
{
	if (!e)
		return;
	free(e->node);
	free(e);
}

uint64_t vcm_extent_free_count(const struct vcm_extent *e)
{
	return e->nfree;
}

size_t vcm_extent_metadata_bytes(const struct vcm_extent *e)
{
	return sizeof(*e) + (size_t)e->cap * sizeof(*e->node);
}

/* In-order walk: order, gaps, bounds, maxima and heap order; *@free sums. */
static int check_node(const struct vcm_extent *e, uint32_t t, uint64_t *next, uint64_t *free)
{
	const struct extent_node *n;
	unsigned j;

	if (!t)
		return 0;
	n = &e->node[t];
	if ((n->left && e->node[n->left].prio > n->prio) ||
	    (n->right && e->node[n->right].prio > n->prio))
		return -EUCLEAN;
	for (j = 0; j < e->ntracked; j++)
		if (n->own[j] != fit_len(e, n->start, n->len, e->tracked[j]) ||
		    n->fit[j] != max3(n->own[j], e->node[n->left].fit[j], e->node[n->right].fit[j]))
			return -EUCLEAN;
	if (check_node(e, n->left, next, free))
		return -EUCLEAN;
	/* disjoint and not adjacent (a free would have merged them) */
	if (!n->len || (*next && n->start <= *next) || n->start + n->len > e->npages)
		return -EUCLEAN;
	*next = n->start + n->len;
	*free += n->len;
	return check_node(e, n->right, next, free);
}

int vcm_extent_check(const struct vcm_extent *e)
{
	uint64_t next = 0, free = 0;

	if (e->node[EXTENT_NIL].fit[0] || check_node(e, e->root, &next, &free) || free != e->nfree)
		return -EUCLEAN;
	return 0;
}
