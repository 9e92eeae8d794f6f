/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/verify.h> - consistency checks of a context and of a System MMU:
 * do the page tables hold exactly what the bindings say, does the TLB hold
 * nothing the tables no longer back, does the hardware's state match the
 * context's activation.  Meant to be called by tests and fuzz harnesses
 * after every step; each call reads the tables from simulated RAM as the
 * hardware would.
 *
 * Thread safety: vcm_verify() holds the context's lock while it reads, so
 * it may run beside other threads using the context (it then sees the
 * state between two of their calls); vcm_sysmmu_verify() holds the System
 * MMU's lock while it reads the TLB.
 */
#ifndef VCM_VERIFY_H
#define VCM_VERIFY_H

#include <vcm/sysmmu.h>
#include <vcm/vcm.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum vcm_mismatch_kind - what vcm_verify() found wrong.
 * @VCM_MISMATCH_RES: the context's bookkeeping: a reservation outside the
 *                    context's window or of another context, a bound size
 *                    other than its phys' size, a count that disagrees.
 * @VCM_MISMATCH_MISSING: a page of a binding does not translate.
 * @VCM_MISMATCH_WRONG_PA: it translates to another PA (@expected, @found).
 * @VCM_MISMATCH_PAGE_SIZE: it is mapped with another page size than the
 *                          context's page orders give (@expected, @found
 *                          are the page sizes in bytes).
 * @VCM_MISMATCH_EXTRA: a DVA that no binding covers is mapped (@found is
 *                      its PA).
 * @VCM_MISMATCH_ORPHAN_LV2: a level-1 entry links a level-2 table with no
 *                           valid entry (@found is its PA).
 * @VCM_MISMATCH_STALE_TLB: a TLB entry the table no longer backs (@expected
 *                          the entry it was filled from, @found what the
 *                          table holds now).
 * @VCM_MISMATCH_ACTIVATION: the System MMU's state disagrees with the
 *                           context's activation (enabled, table base).
 * @VCM_MISMATCH_GUARD: a guard gap of the context (see vcm_set_guard())
 *                      is mapped or reserved.
 */
enum vcm_mismatch_kind {
	VCM_MISMATCH_RES,
	VCM_MISMATCH_MISSING,
	VCM_MISMATCH_WRONG_PA,
	VCM_MISMATCH_PAGE_SIZE,
	VCM_MISMATCH_EXTRA,
	VCM_MISMATCH_ORPHAN_LV2,
	VCM_MISMATCH_STALE_TLB,
	VCM_MISMATCH_ACTIVATION,
	VCM_MISMATCH_GUARD,
};

/**
 * struct vcm_mismatch - one thing vcm_verify() found wrong.
 * @kind: what.
 * @dva: where (the first DVA of the page concerned), or 0.
 * @expected: what the bindings say (a PA, a page size or an entry; see
 *            enum vcm_mismatch_kind).
 * @found: what the tables or the hardware hold.
 * @what: the same as a line of text.
 */
struct vcm_mismatch {
	enum vcm_mismatch_kind kind;
	vcm_addr_t dva;
	vcm_addr_t expected;
	vcm_addr_t found;
	char what[160];
};

/**
 * vcm_verify() - check a context against its bindings.
 * @vcm: the context.
 * @out: the first @max mismatches are stored here (may be NULL if @max
 *       is 0).
 * @max: room in @out.
 *
 * For every context: its reservations are inside its window, belong to
 * it, and their bound sizes match their phys.  For a context on a System
 * MMU (vcm_iommu_create(), vcm_create_unified()): while it is active,
 * every page of every binding translates to its PA with the page size the
 * context's page orders give, and nothing else in the context's part of
 * the table is mapped (while inactive, nothing is); no level-1 entry
 * links an empty level-2 table; the System MMU translates with the
 * context's table exactly while the context is active (unless platform
 * callbacks drive the hardware); and no TLB entry for the context's
 * window is stale.  Guard gaps (vcm_set_guard()) hold no reservation.
 *
 * Return: the number of mismatches (0: consistent; may exceed @max);
 * -EINVAL for a bad @vcm or a NULL @out with @max > 0; -ENOMEM if there
 * was no memory to hold the bindings' pages.
 */
VCM_EXPORT int vcm_verify(struct vcm *vcm, struct vcm_mismatch *out, unsigned max);

/**
 * vcm_sysmmu_verify() - check a System MMU's own state.
 * @mmu: the System MMU.
 * @out: the first @max mismatches are stored here (may be NULL if @max
 *       is 0).
 * @max: room in @out.
 *
 * While it is enabled: its table base is 16 KiB-aligned RAM of its SoC,
 * and no valid TLB entry is stale (filled from a page-table entry that has
 * changed since, or under another table base).
 *
 * Return: the number of mismatches (0: consistent); -EINVAL for a bad
 * @mmu or a NULL @out with @max > 0.
 */
VCM_EXPORT int vcm_sysmmu_verify(struct vcm_sysmmu *mmu, struct vcm_mismatch *out,
				 unsigned max);

#ifdef __cplusplus
}
#endif

#endif /* VCM_VERIFY_H */
