/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <linux/vcm-drv.h> for kernel code built against libvcm: <linux/vcm.h> and
 * the driver API of <vcm/vcm-drv.h> (struct vcm_driver, the MMU and
 * one-to-one wrappers, the physical helpers).
 */
#ifndef VCM_KERNEL_LINUX_VCM_DRV_H
#define VCM_KERNEL_LINUX_VCM_DRV_H

/* The kernel's headers are in use (see struct vcm_mmu_res in <vcm/vcm-drv.h>). */
#ifndef VCM_KERNEL_HEADERS
#define VCM_KERNEL_HEADERS 1
#endif

#include <linux/vcm.h>
#include <vcm/vcm-drv.h>

#endif /* VCM_KERNEL_LINUX_VCM_DRV_H */
