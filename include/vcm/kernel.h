/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/kernel.h> - an optional shim so that kernel-style driver code compiles
 * unchanged against libvcm.  It is not included by <vcm.h>: include it
 * explicitly in code written the kernel's way.  Every name here is a macro,
 * typedef or static inline function over the libvcm equivalents; it adds no
 * symbol to the library.
 */
#ifndef VCM_KERNEL_H
#define VCM_KERNEL_H

#include <vcm/types.h>

typedef vcm_addr_t dma_addr_t;
typedef vcm_addr_t phys_addr_t;
typedef vcm_size_t resource_size_t;

#ifndef PAGE_SHIFT
#define PAGE_SHIFT VCM_PAGE_SHIFT
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE VCM_PAGE_SIZE
#endif
#ifndef PAGE_MASK
#define PAGE_MASK VCM_PAGE_MASK
#endif
#ifndef PAGE_ALIGN
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#endif

#define MAX_ERRNO VCM_MAX_ERRNO
#define ERR_PTR(err) vcm_err_ptr(err)
#define PTR_ERR(ptr) vcm_ptr_err(ptr)
#define IS_ERR(ptr) vcm_is_err(ptr)
#define IS_ERR_OR_NULL(ptr) vcm_is_err_or_null(ptr)
#define ERR_CAST(ptr) ((void *)(ptr))

#ifndef __must_check
#define __must_check VCM_MUST_CHECK
#endif

#define SZ_4K 0x00001000UL
#define SZ_8K 0x00002000UL
#define SZ_16K 0x00004000UL
#define SZ_32K 0x00008000UL
#define SZ_64K 0x00010000UL
#define SZ_128K 0x00020000UL
#define SZ_256K 0x00040000UL
#define SZ_512K 0x00080000UL
#define SZ_1M 0x00100000UL
#define SZ_2M 0x00200000UL
#define SZ_4M 0x00400000UL
#define SZ_8M 0x00800000UL
#define SZ_16M 0x01000000UL
#define SZ_32M 0x02000000UL
#define SZ_64M 0x04000000UL
#define SZ_128M 0x08000000UL
#define SZ_256M 0x10000000UL
#define SZ_512M 0x20000000UL
#define SZ_1G 0x40000000UL

/* Cache maintenance and DMA syncs (dmac_*, outer_*, dma_sync_*). */
#include <vcm/kernel-cache.h>

#endif /* VCM_KERNEL_H */
