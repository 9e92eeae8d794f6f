/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <plat/s5p-vcm.h> for kernel code built against libvcm: the S5P platform
 * layer of <vcm/s5p.h> (vcm_create_unified(), vcm_find_vcm(), ...), with
 * <linux/vcm-drv.h> and <plat/sysmmu.h>, which the platform's header pulled
 * in too.
 */
#ifndef VCM_KERNEL_PLAT_S5P_VCM_H
#define VCM_KERNEL_PLAT_S5P_VCM_H

/* The kernel's headers are in use (see struct vcm_mmu_res in <vcm/vcm-drv.h>). */
#ifndef VCM_KERNEL_HEADERS
#define VCM_KERNEL_HEADERS 1
#endif

#include <linux/vcm-drv.h>
#include <plat/sysmmu.h>
#include <vcm/s5p.h>

#endif /* VCM_KERNEL_PLAT_S5P_VCM_H */
