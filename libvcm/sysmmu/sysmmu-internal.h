/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysmmu-internal.h - what the rest of the library needs of the System MMU
 * model beyond <vcm/sysmmu.h> (internal).
 */
#ifndef LIBVCM_SYSMMU_INTERNAL_H
#define LIBVCM_SYSMMU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vcm/sysmmu.h>

/*
 * struct vcm_dma_prefetch - a translation done ahead by one access for the
 * next one (the page after a run, which did not continue it).
 */
struct vcm_dma_prefetch {
	bool valid;
	uint64_t dva, pa, page_left;
};

/*
 * vcm_sysmmu_access() - one device access of up to @want bytes at @dva.
 * @pf: carries a translation done ahead from one call to the next (start
 *	with it zeroed, keep it per stream of accesses).
 *
 * Translates the page of @dva (TLB, walk) and, under the same hold of the
 * lock, the pages after it as long as they continue it in host memory:
 * each page is translated once, a page that would fault ends the run
 * without faulting, a page that maps elsewhere ends it and goes to @pf.
 * A fault of the first page (a bus error if its PA is not RAM) goes to the
 * handler, and the access is retried once if it returns 0.  On success
 * *@host points at the byte @dva reaches and *@run (1..@want) bytes from
 * there are mapped RAM, contiguous on the host.
 * Returns 0, -EBUSY (blocked), or -EFAULT.
 */
int vcm_sysmmu_access(struct vcm_sysmmu *mmu, uint64_t dva, unsigned access, size_t want,
		      struct vcm_dma_prefetch *pf, uint8_t **host, size_t *run);

/* The SoC a System MMU was made on (where its page tables must live). */
struct vcm_soc *vcm_sysmmu_soc(const struct vcm_sysmmu *mmu);

/* The name a System MMU was made with. */
const char *vcm_sysmmu_name(const struct vcm_sysmmu *mmu);

/* Forget the describer registered with @priv (if it is still the one). */
void vcm_sysmmu_drop_describer(struct vcm_sysmmu *mmu, void *priv);

/* Ask the describer about @dva (without the lock): false if there is none. */
bool vcm_sysmmu_describe(struct vcm_sysmmu *mmu, uint64_t dva, struct vcm_dva_desc *d);

/*
 * vcm_sysmmu_tlb_line() - the TLB entry holding @dva: its index (or -1 if
 * none), a copy in *@e, whether it is stale, and PT_BASE_ADDR and CTRL.
 */
struct vcm_tlb_entry;
int vcm_sysmmu_tlb_line(struct vcm_sysmmu *mmu, uint64_t dva, struct vcm_tlb_entry *e,
			bool *stale, uint32_t *pt_base, uint32_t *ctrl);

/* The longest fault report, in bytes. */
#define VCM_FAULT_REPORT_MAX	VCM_WARN_MSG_MAX
/*
 * struct vcm_tlb_stale - a TLB entry that no longer matches the table.
 * @dva: the first DVA of its page.
 * @pa: the PA it translates to.
 * @pte: the entry it was filled from; @now: what RAM holds there now.
 */
struct vcm_tlb_stale {
	uint32_t dva, pa, pte, now;
};

/*
 * vcm_sysmmu_stale_entries() - the valid TLB entries whose page-table entry
 * changed since they were filled, or that were filled under another table
 * base: the first @max in @out.  Returns how many there are.
 */
unsigned vcm_sysmmu_stale_entries(struct vcm_sysmmu *mmu, struct vcm_tlb_stale *out,
				  unsigned max);

#endif /* LIBVCM_SYSMMU_INTERNAL_H */
