/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * phys.h - helpers for struct vcm_phys shared by the contexts (internal).
 */
#ifndef LIBVCM_PHYS_H
#define LIBVCM_PHYS_H

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

/* Atomic access to the binding count. */
static inline unsigned vcm_phys_bindings(const struct vcm_phys *phys)
{
	return (unsigned)__atomic_load_n(&phys->bindings.counter, __ATOMIC_ACQUIRE);
}

#endif /* LIBVCM_PHYS_H */
