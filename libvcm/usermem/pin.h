/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pin.h - the table of pinned user pages (internal; for the helper in
 * userptr.c and for the tests).
 */
#ifndef LIBVCM_PIN_H
#define LIBVCM_PIN_H

#include <stdint.h>
#include <vcm/vcm-drv.h>

/*
 * vcm_pin_pages() - how many host pages are pinned in @soc (NULL: in every
 * SoC, destroyed ones included until their pins are released).  Each page
 * counts once however many times it is pinned.  A destroyed SoC's pins are
 * found through no SoC handle, here and below.
 */
size_t vcm_pin_pages(const struct vcm_soc *soc);

/*
 * vcm_pin_lookup() - the PA and pin count of the host page containing
 * @uaddr in @soc (NULL: the current SoC).  Returns 0, or -ENOENT if that page is not pinned there.
 */
int vcm_pin_lookup(const struct vcm_soc *soc, const void *uaddr, vcm_addr_t *pa,
		   unsigned long *count);

/*
 * vcm_pin_for_each() - call @fn for every host page pinned in @soc, with
 * its address, PA and pin count.  The pin table's lock is held: @fn must
 * not call into the library.
 */
void vcm_pin_for_each(const struct vcm_soc *soc,
		      void (*fn)(const void *uaddr, vcm_addr_t pa, unsigned long count, void *arg),
		      void *arg);

/*
 * vcm_pin_find_pa() - the user address that PA @pa of @soc leads to, if
 * its page is pinned user memory, and the page's pin count.  A scan of
 * the whole table (for the debugging aids).  Returns 0 or -ENOENT.
 */
int vcm_pin_find_pa(const struct vcm_soc *soc, vcm_addr_t pa, void **uaddr,
		    unsigned long *count);

#endif /* LIBVCM_PIN_H */
