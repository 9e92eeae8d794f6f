/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/testing.h> - helpers for testing a driver written against libvcm,
 * with any test framework (the library itself does not depend on one):
 * guard pages, a fresh SoC per test, an assertion that everything was
 * given back, warning capture and fault capture.  See also
 * <vcm/fault-inject.h> (making allocations fail) and <vcm/verify.h>
 * (checking a context against its page tables).
 */
#ifndef VCM_TESTING_H
#define VCM_TESTING_H

#include <vcm/vcm.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * vcm_set_guard() - leave unmapped DVA after each new reservation.
 * @vcm: a context built on the MMU wrapper (vcm_iommu_create(),
 *       vcm_create_unified(), a driver's own vcm_mmu_init() context).
 * @size: bytes of DVA kept free and unmapped after every reservation made
 *        from now on (a multiple of VCM_PAGE_SIZE); 0 (the default) packs
 *        reservations.
 *
 * With a guard gap, a device that runs past the end of its buffer faults
 * instead of reaching the next reservation's memory.  The gap is part of
 * the reservation's DVA allocation (so fewer reservations fit in the
 * window) and goes back with it; res->res_size and res->start are as
 * without it.  Safe from any thread (takes the context's lock).
 *
 * Return: 0; -EINVAL for a bad context or a @size that is not a page
 * multiple or larger than the window; -EOPNOTSUPP for a context that is
 * not built on the MMU wrapper.
 */
VCM_EXPORT int vcm_set_guard(struct vcm *vcm, vcm_size_t size);

#ifdef __cplusplus
}
#endif

#endif /* VCM_TESTING_H */
