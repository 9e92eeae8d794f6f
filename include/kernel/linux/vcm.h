/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <linux/vcm.h> for kernel code built against libvcm (the `vcm-kernel`
 * pkg-config module puts this directory on the include path): the kernel
 * basics of <vcm/kernel.h> and the device-driver API of <vcm/vcm.h>,
 * including the CPU's context vcm_vmm.
 */
#ifndef VCM_KERNEL_LINUX_VCM_H
#define VCM_KERNEL_LINUX_VCM_H

/* The kernel's headers are in use (see struct vcm_mmu_res in <vcm/vcm-drv.h>). */
#ifndef VCM_KERNEL_HEADERS
#define VCM_KERNEL_HEADERS 1
#endif

#include <vcm/kernel.h>
#include <vcm/vcm.h>

#endif /* VCM_KERNEL_LINUX_VCM_H */
