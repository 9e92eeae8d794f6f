/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * parent-kernel.c - code written for the kernel, in a parent project that
 * gets libvcm as a subproject: dependency('vcm-kernel') makes the kernel's
 * headers resolve to libvcm's.
 */
#include <linux/vcm.h>
#include <linux/vcm-drv.h>

int main(void)
{
	struct vcm_phys *phys = vcm_phys_alloc(SZ_64K, 0, NULL);
	struct vcm_res *res;
	u32 *cpu;

	if (IS_ERR(phys))
		return 1;
	res = vcm_map(vcm_vmm, phys, 0);	/* the CPU's view, as drivers did */
	if (IS_ERR(res)) {
		vcm_free(phys);
		return 1;
	}
	cpu = (u32 *)(uintptr_t)res->start;
	cpu[0] = 0xc0dec0de;
	printk(KERN_INFO "parent-kernel: %lu KiB at PA 0x%llx, CPU view %p\n",
	       (unsigned long)(phys->size >> 10), (unsigned long long)phys->parts[0].start,
	       (void *)cpu);
	vcm_unmap(res);
	vcm_free(phys);
	return 0;
}
