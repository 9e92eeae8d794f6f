/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <plat/sysmmu.h> for kernel code built against libvcm: the S5P platform's
 * System MMU driver interface (enum sysmmu_ips, sysmmu_on(), sysmmu_off(),
 * sysmmu_set_tablebase_pgd(), sysmmu_tlb_invalidate()) on libvcm's System
 * MMU models, the same ones s5p_sysmmu_get() gives.  Each function is the
 * s5p_sysmmu_*() of <vcm/s5p.h> under its kernel name; see there.
 */
#ifndef VCM_KERNEL_PLAT_SYSMMU_H
#define VCM_KERNEL_PLAT_SYSMMU_H

/* The kernel's headers are in use (see struct vcm_mmu_res in <vcm/vcm-drv.h>). */
#ifndef VCM_KERNEL_HEADERS
#define VCM_KERNEL_HEADERS 1
#endif

#include <vcm/kernel.h>
#include <vcm/s5p.h>

static inline int sysmmu_on(sysmmu_ips ips)
{
	return s5p_sysmmu_on(ips);
}

static inline int sysmmu_off(sysmmu_ips ips)
{
	return s5p_sysmmu_off(ips);
}

static inline int sysmmu_set_tablebase_pgd(sysmmu_ips ips, unsigned long pgd)
{
	return s5p_sysmmu_set_tablebase_pgd(ips, pgd);
}

static inline int sysmmu_tlb_invalidate(sysmmu_ips ips)
{
	return s5p_sysmmu_tlb_invalidate(ips);
}

#endif /* VCM_KERNEL_PLAT_SYSMMU_H */
