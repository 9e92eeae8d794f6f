/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * phys.c - physical memory helpers of the driver API: allocating a phys out
 * of pages of given orders, and walking a phys page by page.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include <vcm/vcm-drv.h>

#include "internal.h"
#include "phys.h"
#include "registry.h"
#include "trace.h"

int vcm_phys_register(struct vcm_phys *phys, const char *fn)
{
	if (vcm_reg_live(phys, VCM_KIND_PHYS))
		return 0;
	return vcm_reg_add(phys, VCM_KIND_PHYS, NULL, fn);
}

int vcm_phys_check(struct vcm_phys *phys, enum vcm_phys_use use, const char *fn)
{
	struct vcm_handle_info info;

	if (vcm_reg_live(phys, VCM_KIND_PHYS))
		return 0;
	if (vcm_is_err_or_null(phys))
		return -EINVAL;
	if (!vcm_reg_info(phys, &info) ||
	    (use == VCM_PHYS_RELEASE && vcm_reg_was_released(phys))) {
		vcm_reg_report(phys, VCM_KIND_PHYS, fn);
		return -EINVAL;
	}
	if (use == VCM_PHYS_USE)
		vcm_reg_forget(phys);	/* a driver's phys, maybe where one was */
	return 0;
}

void vcm_phys_unregister(struct vcm_phys *phys, const char *fn)
{
	if (vcm_reg_del(phys, VCM_KIND_PHYS) && !vcm_reg_add(phys, VCM_KIND_PHYS, NULL, fn))
		vcm_reg_del(phys, VCM_KIND_PHYS);	/* a driver's: remembered too */
}

static const unsigned char order0_only[] = { 0, 0 };

static const unsigned char *orders_or_default(const unsigned char *orders)
{
	return orders ? orders : order0_only;
}

int vcm_orders_valid(const unsigned char *orders)
{
	unsigned prev = VCM_SOC_MAX_ORDER + 1;

	for (; *orders; orders++) {
		if (*orders >= prev)
			return 0;
		prev = *orders;
	}
	return 1;
}

struct vcm_phys *vcm_phys_new(unsigned count)
{
	struct vcm_phys *phys =
		vcm_calloc(1, sizeof(*phys) + count * sizeof(phys->parts[0]) + sizeof(void *));

	if (phys)
		phys->count = count;
	return phys;
}

unsigned vcm_phys_part_order(const struct vcm_phys_part *part)
{
	return (unsigned)__builtin_ctzll(part->size >> VCM_PAGE_SHIFT);
}

static void free_parts(struct vcm_soc *soc, const struct vcm_phys_part *parts, unsigned n)
{
	while (n--)
		vcm_soc_free_pages(soc, parts[n].start, vcm_phys_part_order(&parts[n]));
}

static void soc_phys_free(struct vcm_phys *phys)
{
	free_parts(*vcm_phys_priv(phys), phys->parts, phys->count);
	free(phys);
}

/* A growable list of parts, filled while allocating. */
struct part_list {
	struct vcm_phys_part *parts;
	unsigned count, cap;
};

static int part_list_push(struct part_list *l, vcm_addr_t start, vcm_size_t size)
{
	if (l->count == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 16;
		struct vcm_phys_part *p = vcm_realloc(l->parts, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->parts = p;
		l->cap = cap;
	}
	l->parts[l->count] = (struct vcm_phys_part){ .start = start, .size = size };
	l->count++;
	return 0;
}

/* Take pages of @order while they fit and the SoC has them. */
static int take_pages(struct vcm_soc *soc, unsigned order, vcm_size_t *left, struct part_list *l)
{
	vcm_size_t bytes = VCM_ORDER_BYTES(order);
	vcm_addr_t pa;

	while (*left >= bytes && !vcm_soc_alloc_pages(soc, order, &pa)) {
		if (part_list_push(l, pa, bytes)) {
			vcm_soc_free_pages(soc, pa, order);
			return -ENOMEM;
		}
		*left -= bytes;
	}
	return 0;
}

static struct vcm_phys *phys_from_list(struct vcm_soc *soc, struct part_list *l, vcm_size_t size)
{
	struct vcm_phys *phys = vcm_phys_new(l->count);
	unsigned i;

	if (!phys)
		return NULL;
	for (i = 0; i < l->count; i++)
		phys->parts[i] = l->parts[i];
	phys->size = size;
	phys->free = soc_phys_free;
	*vcm_phys_priv(phys) = soc;
	return phys;
}

VCM_TRACE_BODY struct vcm_phys *do_phys_alloc_soc(struct vcm_soc *soc, vcm_size_t size,
					       unsigned flags, const unsigned char *orders)
{
	struct part_list list = { 0 };
	struct vcm_phys *phys = NULL;
	vcm_size_t left;
	const unsigned char *o;

	(void)flags;
	orders = orders_or_default(orders);
	if (vcm_is_err_or_null(soc) || !size || !vcm_orders_valid(orders))
		return vcm_err_ptr(-EINVAL);
	if (!VCM_IS_ALIGNED(size, VCM_PAGE_SIZE)) {
		vcm_warn("vcm_phys_alloc: size %#llx is not a whole number of pages",
			 (unsigned long long)size);
		return vcm_err_ptr(-EINVAL);
	}

	/* The terminating 0 is order 0 itself: 4 KiB pages always finish. */
	left = size;
	for (o = orders; left; o++) {
		if (take_pages(soc, *o, &left, &list) || !*o)
			break;
	}
	if (!left)
		phys = phys_from_list(soc, &list, size);
	if (phys && vcm_phys_register(phys, "vcm_phys_alloc")) {
		free(phys);
		phys = NULL;
	}
	if (!phys)
		free_parts(soc, list.parts, list.count);
	free(list.parts);
	return phys ? phys : vcm_err_ptr(-ENOMEM);
}

VCM_TRACED_FN(struct vcm_phys *, vcm_phys_alloc_soc,
	      (struct vcm_soc *soc, vcm_size_t size, unsigned flags, const unsigned char *orders),
	      do_phys_alloc_soc, (soc, size, flags, orders),
	      PHYS_ALLOC_SOC, soc, (uint64_t)size, flags, orders, ret)

VCM_TRACE_BODY struct vcm_phys *do_phys_alloc(vcm_size_t size, unsigned flags,
					   const unsigned char *orders)
{
	return vcm_phys_alloc_soc(vcm_soc_current(), size, flags, orders);
}

VCM_TRACED_FN(struct vcm_phys *, vcm_phys_alloc,
	      (vcm_size_t size, unsigned flags, const unsigned char *orders),
	      do_phys_alloc, (size, flags, orders),
	      PHYS_ALLOC, (uint64_t)size, flags, orders, ret)

/* Largest order of the list that both addresses are aligned to and fits
 * (order 0, the terminator, always does for page-aligned addresses). */
static int page_order(vcm_addr_t va, vcm_addr_t pa, vcm_size_t left, const unsigned char *orders)
{
	for (;; orders++) {
		vcm_size_t bytes = VCM_ORDER_BYTES(*orders);

		if (bytes <= left && VCM_IS_ALIGNED(va | pa, bytes))
			return *orders;
		if (!*orders)
			return -EINVAL;
	}
}

/*
 * struct page_walk - what a walk over the pages of a phys needs besides
 * its position, kept in memory so that the loop's position stays in
 * registers across the calls of @fn.
 * @fn, @priv: the callback and its argument.
 * @orders: the page orders, largest first.
 * @todo: how many more pages @fn may be called on.
 * @keep_going: go on after an error of @fn.
 * @err: the first error of @fn.
 */
struct page_walk {
	vcm_page_fn fn;
	void *priv;
	const unsigned char *orders;
	unsigned long todo;
	bool keep_going;
	int err;
};

/*
 * Call @w's callback on one page.  Returns false if the walk stops there:
 * an error without keep_going, or the last page it may do.
 */
static inline bool walk_page(struct page_walk *w, vcm_addr_t va, vcm_addr_t pa, unsigned order)
{
	int ret = w->fn(va, pa, order, w->priv);

	if (ret < 0) {
		if (!w->err)
			w->err = ret;
		if (!w->keep_going)
			return false;
	}
	return --w->todo != 0;
}

/*
 * The pages of @part, mapped at @va: 0, or nonzero if the walk stops
 * there (the error of page_order(), or 1).
 */
static __attribute__((noinline)) int walk_part(struct page_walk *w, vcm_addr_t va,
					       const struct vcm_phys_part *part)
{
	vcm_addr_t pa = part->start;
	vcm_size_t left = part->size;

	while (left) {
		int order = page_order(va, pa, left, w->orders);

		if (order < 0)
			return order;
		if (!walk_page(w, va, pa, (unsigned)order))
			return 1;
		va += VCM_ORDER_BYTES(order);
		pa += VCM_ORDER_BYTES(order);
		left -= VCM_ORDER_BYTES(order);
	}
	return 0;
}

/*
 * Walk the pages of @phys mapped at @vaddr, calling @w->fn for each,
 * stopping after @w->todo pages or, unless @w->keep_going, at the first
 * error.  @w->todo ends lowered by the pages @fn was called on successfully
 * (all of them with keep_going).  Returns 0 or the first error; a positive
 * return of the callback is success, as in the kernel.
 *
 * A part that is one page of the list's largest order (a phys allocated
 * with the same list is made of such parts) takes a loop of its own, which
 * keeps its position in registers; any other part is walk_part()'s.
 */
static int walk_pages(struct page_walk *w, vcm_addr_t vaddr, const struct vcm_phys *phys)
{
	const struct vcm_phys_part *part = phys->parts, *end = part + phys->count;
	const unsigned order = w->orders[0];
	const vcm_size_t bytes = VCM_ORDER_BYTES(order);
	int ret;

	if (!w->todo)
		return 0;
	for (; part < end; part++) {
		if (part->size == bytes && VCM_IS_ALIGNED(vaddr | part->start, bytes)) {
			if (__builtin_expect(!walk_page(w, vaddr, part->start, order), 0))
				return w->err;
			vaddr += bytes;
			continue;
		}
		ret = walk_part(w, vaddr, part);
		if (ret)
			return ret < 0 ? ret : w->err;
		vaddr += part->size;
	}
	return w->err;
}

int vcm_phys_walk_all(vcm_addr_t vaddr, const struct vcm_phys *phys,
		      const unsigned char *orders, vcm_page_fn fn, void *priv)
{
	struct page_walk w = { .fn = fn, .priv = priv, .todo = ULONG_MAX, .keep_going = true };

	w.orders = orders = orders_or_default(orders);
	if (vcm_is_err_or_null(phys) || !fn || !VCM_IS_ALIGNED(vaddr, VCM_PAGE_SIZE) ||
	    !vcm_orders_valid(orders))
		return -EINVAL;
	return walk_pages(&w, vaddr, phys);
}

VCM_EXPORT int vcm_phys_walk(vcm_addr_t vaddr, const struct vcm_phys *phys,
			     const unsigned char *orders, vcm_page_fn callback,
			     vcm_page_fn recovery, void *priv)
{
	struct page_walk w = { .fn = callback, .priv = priv, .todo = ULONG_MAX };
	int ret;

	w.orders = orders = orders_or_default(orders);
	if (vcm_phys_check((struct vcm_phys *)phys, VCM_PHYS_READ, __func__) || !callback ||
	    !VCM_IS_ALIGNED(vaddr, VCM_PAGE_SIZE) || !vcm_orders_valid(orders))
		return -EINVAL;
	ret = walk_pages(&w, vaddr, phys);
	/* Undo exactly the pages already done; recovery errors are ignored. */
	if (ret && recovery) {
		struct page_walk undo = { .fn = recovery, .priv = priv, .orders = orders,
					  .todo = ULONG_MAX - w.todo, .keep_going = true };

		walk_pages(&undo, vaddr, phys);
	}
	return ret;
}
