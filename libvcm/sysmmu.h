/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysmmu.h - what dma.c needs of the System MMU model (internal).
 */
#ifndef LIBVCM_SYSMMU_INTERNAL_H
#define LIBVCM_SYSMMU_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <vcm/sysmmu.h>

/*
 * vcm_sysmmu_access() - one device access of up to @want bytes at @dva.
 *
 * Translates @dva (TLB, walk), delivers a fault to the handler and retries
 * once if it returns 0.  On success *@host points at the byte @dva reaches
 * (whose PA is *@pa) and *@run (1..@want) bytes from there are RAM, contiguous on the host and
 * inside one page of the translation.
 * Returns 0, -EBUSY (blocked), or -EFAULT.
 */
int vcm_sysmmu_access(struct vcm_sysmmu *mmu, uint64_t dva, unsigned access, size_t want,
		      uint64_t *pa, uint8_t **host, size_t *run);

#endif /* LIBVCM_SYSMMU_INTERNAL_H */
