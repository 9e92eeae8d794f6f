/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mmu.h - the MMU wrapper's pieces that contexts built on it reuse
 * (internal).
 */
#ifndef LIBVCM_MMU_H
#define LIBVCM_MMU_H

#include <stdbool.h>
#include <vcm/vcm-drv.h>

/*
 * The struct vcm_driver that vcm_mmu_init() installs.  A context built on
 * the wrapper (vcm_iommu_create(), the S5P layer) may install its own copy
 * with some ops wrapping these, after vcm_mmu_init() returned.
 */
extern const struct vcm_driver vcm_mmu_vcm_driver;

/*
 * vcm_mmu_init_buddy() - vcm_mmu_init() with libvcm's own DVA placement:
 * the buddy allocator (each reservation aligned to the largest driver page
 * that fits in it), used by vcm_iommu_create().  vcm_mmu_init() places as
 * the kernel did.
 */
struct vcm *vcm_mmu_init_buddy(struct vcm_mmu *mmu);

static inline struct vcm_mmu *vcm_to_mmu(struct vcm *vcm)
{
	return (struct vcm_mmu *)((char *)vcm - offsetof(struct vcm_mmu, vcm));
}

/* True if @vcm is a context of the MMU wrapper (vcm_mmu_init() or a
 * context built on it). */
bool vcm_is_mmu_context(const struct vcm *vcm);

/*
 * vcm_mmu_guard_of() - the DVA kept unmapped after @res (its guard gap,
 * see vcm_set_guard()), for a reservation of an MMU-wrapper context; 0
 * otherwise.  Context lock held.
 */
vcm_size_t vcm_mmu_guard_of(struct vcm_res *res);

#endif /* LIBVCM_MMU_H */
