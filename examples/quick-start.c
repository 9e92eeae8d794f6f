/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * quick-start.c - the program README.md shows (tools/check-docs.py checks
 * that README's copy is this one): a SoC, a System MMU, a device context,
 * a user buffer mapped for the device, and the device writing it.
 */
#include <stdio.h>
#include <string.h>
#include <vcm.h>

int main(void)
{
	static char buf[8192];                                         /* the application's buffer */
	struct vcm_soc *soc = vcm_soc_create();                        /* a machine */
	vcm_soc_add_ram(soc, 0x40000000, 64 << 20);                    /* with 64 MiB of RAM */
	struct vcm_sysmmu *mmu = vcm_sysmmu_create(soc, "camera");     /* a device's System MMU */
	struct vcm *ctx = vcm_iommu_create(mmu, 0x20000000, 16 << 20); /* its DVA space */
	struct vcm_userptr *up = vcm_userptr_get(ctx, buf, 8192, 0);   /* pin, reserve, bind */
	vcm_activate(ctx);                                             /* program the System MMU */
	vcm_dma_write(mmu, up->dva, "hello from the device", 22);      /* the device writes */
	printf("the application reads: %s\n", buf);
	vcm_deactivate(ctx);                                           /* stop, unmap, unpin */
	vcm_userptr_put(up);
	vcm_destroy(ctx);
	vcm_sysmmu_destroy(mmu);
	vcm_soc_destroy(soc);
	return strcmp(buf, "hello from the device") != 0;
}
