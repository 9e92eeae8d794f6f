/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * phys.h - helpers for struct vcm_phys shared by the contexts (internal).
 */
#ifndef LIBVCM_PHYS_H
#define LIBVCM_PHYS_H

#include <stdbool.h>
#include <vcm/vcm-drv.h>

/*
 * A zeroed phys with room for @count parts (count set), or NULL.  Behind
 * the parts it has one pointer for the library's own use (vcm_phys_priv()):
 * the public structure is the kernel's and has no room for it.
 */
struct vcm_phys *vcm_phys_new(unsigned count);

/* The private pointer of a phys made by vcm_phys_new(). */
static inline void **vcm_phys_priv(struct vcm_phys *phys)
{
	return (void **)(void *)&phys->parts[phys->count];
}

/* Order of a part that is one buddy block (size a power of two pages). */
unsigned vcm_phys_part_order(const struct vcm_phys_part *part);

/* True if @orders (zero-terminated) is strictly decreasing and at most
 * VCM_SOC_MAX_ORDER. */
int vcm_orders_valid(const unsigned char *orders);

/*
 * vcm_phys_walk_all() - as vcm_phys_walk(), but @fn is called on every page
 * even after it failed on one (for taking mappings down: one page that
 * will not go must not keep the others mapped).  Returns 0 or the first
 * error.
 */
int vcm_phys_walk_all(vcm_addr_t vaddr, const struct vcm_phys *phys,
		      const unsigned char *orders, vcm_page_fn fn, void *priv);

/*
 * How a public function uses the phys it is given (vcm_phys_check()).  A
 * phys libvcm made is a handle from its making to vcm_free().  A driver
 * may make a phys itself: libvcm takes one it has not seen as it is (and
 * does not enter it: the driver may free it its own way), and remembers it
 * as released after vcm_free().  Such a phys may lie where a released one
 * was (malloc() reuses addresses), so using it forgets that release; only
 * vcm_free() refuses a phys remembered as released (the double free).
 */
enum vcm_phys_use {
	VCM_PHYS_READ,		/* vcm_phys_walk() */
	VCM_PHYS_USE,		/* bind, map */
	VCM_PHYS_RELEASE,	/* vcm_free() */
};

/*
 * vcm_phys_check() - @phys given to public function @fn for @use: 0 if it
 * may be used.  -EINVAL for NULL or an error pointer (not warned), for
 * another kind of live handle or (VCM_PHYS_RELEASE) a released phys
 * (warned).
 */
int vcm_phys_check(struct vcm_phys *phys, enum vcm_phys_use use, const char *fn);

/* Enter a phys libvcm made (or took over from a driver op): 0 or -ENOMEM. */
int vcm_phys_register(struct vcm_phys *phys, const char *fn);

/* vcm_free() of @phys: it is remembered as released (also a driver's). */
void vcm_phys_unregister(struct vcm_phys *phys, const char *fn);

/* Atomic access to the binding count. */
static inline unsigned vcm_phys_bindings(const struct vcm_phys *phys)
{
	return (unsigned)__atomic_load_n(&phys->bindings.counter, __ATOMIC_ACQUIRE);
}

#endif /* LIBVCM_PHYS_H */
