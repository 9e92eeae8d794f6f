/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * soc-internal.h - what other parts of the library need from the SoC model
 * beyond <vcm/soc.h> (not installed).
 */
#ifndef LIBVCM_SOC_INTERNAL_H
#define LIBVCM_SOC_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <vcm/soc.h>

struct vcm_cache;

/*
 * struct vcm_soc_head - the first member of struct vcm_soc, so that the hot
 * paths can test for the cache model with one load and one branch.
 * @cache: the non-coherent cache model, NULL while the SoC is coherent.
 */
struct vcm_soc_head {
	struct vcm_cache *cache;
};

static inline struct vcm_cache *vcm_soc_cache(const struct vcm_soc *soc)
{
	return ((const struct vcm_soc_head *)(const void *)soc)->cache;
}

/*
 * vcm_soc_dev_run() - vcm_soc_host_run() as a device sees RAM: on a
 * non-coherent SoC the RAM copy (contiguous to the end of the bank),
 * otherwise the same as vcm_soc_host_run().
 */
void *vcm_soc_dev_run(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t *run);

/*
 * struct vcm_views - the three copies of the byte at one PA on a
 * non-coherent SoC (see cache-model.h), and the metadata: of its line
 * (@maint, @dev) and of its page (@page_dva).
 */
struct vcm_views {
	uint8_t *cpu;
	uint8_t *ram;
	uint8_t *ref;
	uint8_t *maint;
	uint8_t *dev;
	uint32_t *page_dva;
};

/*
 * vcm_soc_views() - the views of @pa and how many bytes from there are
 * contiguous in all of them.  Returns 0, or -EFAULT if @pa is not RAM of a
 * non-coherent SoC.
 */
int vcm_soc_views(struct vcm_soc *soc, vcm_addr_t pa, struct vcm_views *v, vcm_size_t *run);

/* 0 if every byte of [pa, pa+len) is RAM, else -EFAULT. */
int vcm_soc_check_ram(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t len);

/*
 * vcm_soc_host_to_phys() - the PA whose ordinary (not redirected) host
 * memory holds @p.  Returns 0 or -EFAULT.
 */
int vcm_soc_host_to_phys(struct vcm_soc *soc, const void *p, vcm_addr_t *pa);

#include "registry.h"

/*
 * vcm_soc_hold() - keep @soc's memory while the caller (an object made on
 * it that keeps its pointer: a System MMU model, a context) lives, even
 * after vcm_soc_destroy(); vcm_soc_put() lets go.  A destroyed SoC goes
 * when its last holder lets go and its last page is given back (see
 * "Dead SoCs" in soc.c).
 */
void vcm_soc_hold(struct vcm_soc *soc);
void vcm_soc_put(struct vcm_soc *soc);

/* Destroyed SoCs whose memory is still kept (for the tests). */
unsigned vcm_soc_dead_count(void);

/* vcm_soc_free_pages() of a SoC the caller knows is live (no check). */
void vcm_soc_free_pages_live(struct vcm_soc *soc, vcm_addr_t pa, unsigned order);

/* The check on entry of a public function taking a SoC (registry.h). */
static inline bool vcm_soc_ok(const struct vcm_soc *soc, const char *fn)
{
	return vcm_handle_ok(soc, VCM_KIND_SOC, fn);
}

/*
 * vcm_soc_host_run() - host pointer for @pa and how many bytes from @pa on
 * are contiguous in host memory (to the end of the page while any page of
 * the bank is redirected, to the end of the bank otherwise).  NULL (and
 * *run 0) if not RAM.
 */
void *vcm_soc_host_run(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t *run);

/*
 * struct vcm_ram_window - one RAM bank as a walker sees it: its PA range and
 * its host mapping, valid for the SoC's life (banks are never removed), so a
 * walker may keep one and find the host address of a table entry with a
 * range check instead of a bank lookup.  While any page of the bank is
 * redirected to user memory the window answers nothing (the caller then
 * asks vcm_soc_phys_to_host()); its first redirected page also voids what
 * threads remember of page tables (registry.h), so that a memory of a
 * table read through an open window may stand for "still open".  A zeroed
 * window is empty.  @device (set
 * by the window's owner, kept by vcm_soc_ram_window()): the walker is a
 * device's, which on a non-coherent SoC reads RAM as devices see it (see
 * vcm_soc_dev_run(); that copy is never redirected).
 */
struct vcm_ram_window {
	vcm_addr_t base;
	vcm_size_t size;
	unsigned char *host;
	const atomic_ulong *nredirects;
	bool device;
};

/* vcm_soc_ram_window() - the window of the bank holding @pa: 0, or -EFAULT. */
int vcm_soc_ram_window(struct vcm_soc *soc, vcm_addr_t pa, struct vcm_ram_window *w);

/* True if @pa is in the bank of @w (an empty window holds nothing). */
static inline bool vcm_ram_window_covers(const struct vcm_ram_window *w, vcm_addr_t pa)
{
	return pa - w->base < w->size;
}

/* Host address of @pa, covered by @w: it tells only while the window is open. */
static inline void *vcm_ram_window_at(const struct vcm_ram_window *w, vcm_addr_t pa)
{
	return w->host + (pa - w->base);
}

/* True while non-empty @w answers: no page of its bank is redirected. */
static inline bool vcm_ram_window_open(const struct vcm_ram_window *w)
{
	return !atomic_load_explicit(w->nredirects, memory_order_acquire);
}

/* Host address of @pa through @w, or NULL if @w cannot tell (see above). */
static inline void *vcm_ram_window_host(const struct vcm_ram_window *w, vcm_addr_t pa)
{
	return vcm_ram_window_covers(w, pa) && vcm_ram_window_open(w) ? vcm_ram_window_at(w, pa)
								       : NULL;
}

/*
 * vcm_soc_phys_backing() - where ordinary RAM at @pa lives: the bank's memfd
 * and the offset of @pa in it (for aliasing RAM into a contiguous host view).
 * Returns 0, -EFAULT if not RAM, -EOPNOTSUPP if the page is redirected to
 * user memory (which has no file behind it).
 */
int vcm_soc_phys_backing(struct vcm_soc *soc, vcm_addr_t pa, int *fd, off_t *off);

/*
 * vcm_soc_redirect_page() - make the RAM page at @pa (which the caller has
 * allocated) read and write @host_page (a page-aligned host page) instead of
 * its own backing, until vcm_soc_unredirect_page().  Used to pin user memory.
 * Returns 0, -EFAULT if @pa is not RAM, -ENOMEM.
 */
int vcm_soc_redirect_page(struct vcm_soc *soc, vcm_addr_t pa, void *host_page);
void vcm_soc_unredirect_page(struct vcm_soc *soc, vcm_addr_t pa);

/* vcm_soc_page_is_allocated() - true if the page at @pa is allocated. */
int vcm_soc_page_is_allocated(struct vcm_soc *soc, vcm_addr_t pa);

/*
 * vcm_soc_alloc_contig() - @size bytes (a multiple of the page size, not
 * necessarily a power of two) of physically contiguous RAM, aligned to the
 * power of two the size rounds up to.  Returns 0, -EINVAL, -ENOMEM.
 */
/* The current SoC, or NULL if none was set or made yet (none is made). */
struct vcm_soc *vcm_soc_current_or_null(void);

int vcm_soc_alloc_contig(struct vcm_soc *soc, vcm_size_t size, vcm_addr_t *pa);
/* Free what vcm_soc_alloc_contig() gave (warning if it was not that). */
void vcm_soc_free_contig(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size);

/* Lowest RAM address and the end of the highest bank; -EINVAL if no RAM. */
int vcm_soc_ram_span(const struct vcm_soc *soc, vcm_addr_t *lo, vcm_addr_t *end);

/*
 * vcm_soc_banks() - the RAM banks: at most @max bases and sizes into
 * @base and @size, in the order they were added.  Returns how many.
 */
unsigned vcm_soc_banks(const struct vcm_soc *soc, vcm_addr_t *base, vcm_size_t *size,
		       unsigned max);

/* vcm_soc_free_orders() - free blocks of each order, summed over the banks. */
void vcm_soc_free_orders(const struct vcm_soc *soc, uint64_t blocks[VCM_SOC_MAX_ORDER + 1]);

#endif /* LIBVCM_SOC_INTERNAL_H */
