/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/kernel-cache.h> - the kernel's cache-maintenance and DMA-sync names
 * over <vcm/cache.h>, for kernel-style code (included by <vcm/kernel.h>).
 * Static inline functions only: no symbol is added to the library.
 *
 * How the kernel's arguments map onto the simulated machine:
 * - a kernel virtual address (dmac_*()) is a host address: RAM of the
 *   current SoC (vcm_soc_phys_to_host()) or a page pinned in it;
 * - a physical address (outer_*()) and a dma_addr_t handle
 *   (dma_sync_single_*(), sg_dma_address()) are PAs of the current SoC, as
 *   with the ARM direct mapping; the struct device is not used;
 * - the model has one level of cache, so the kernel's pair of calls (inner
 *   dmac_*() then outer_*()) does the work with the first call, and the
 *   second finds nothing left to do.
 *
 * dmac_map_area() and dma_sync_*_for_device() with DMA_FROM_DEVICE clean
 * and invalidate (ARMv7's invalidate keeps the partial first and last lines
 * by cleaning them; the model cleans every line, which differs only for
 * bytes the CPU wrote into a buffer it then gives to a device to fill).
 * dmac_unmap_area(), outer_inv_range() and dma_sync_*_for_cpu() invalidate
 * whole lines (see vcm_cache_sync_for_cpu()).
 */
#ifndef VCM_KERNEL_CACHE_H
#define VCM_KERNEL_CACHE_H

#include <vcm/cache.h>
#include <vcm/soc.h>

#ifdef __cplusplus
extern "C" {
#endif

struct device;

/* enum dma_data_direction: also defined by other shim headers; one wins. */
#ifndef VCM_KERNEL_HAVE_DMA_DIRECTION
#define VCM_KERNEL_HAVE_DMA_DIRECTION 1
enum dma_data_direction {
	DMA_BIDIRECTIONAL = VCM_DMA_BIDIRECTIONAL,
	DMA_TO_DEVICE = VCM_DMA_TO_DEVICE,
	DMA_FROM_DEVICE = VCM_DMA_FROM_DEVICE,
	DMA_NONE = VCM_DMA_NONE,
};
#endif

/* The minimum of struct scatterlist the sync calls need. */
#ifndef VCM_KERNEL_HAVE_SCATTERLIST
#define VCM_KERNEL_HAVE_SCATTERLIST 1
struct scatterlist {
	unsigned long page_link;
	unsigned int offset;
	unsigned int length;
	vcm_addr_t dma_address;
	unsigned int dma_length;
};
#endif
#ifndef sg_dma_address
#define sg_dma_address(sg) ((sg)->dma_address)
#endif
#ifndef sg_dma_len
#define sg_dma_len(sg) ((sg)->dma_length)
#endif

static inline void dmac_map_area(const void *start, size_t size, int dir)
{
	vcm_cache_maint_host(NULL, start, size,
			     dir == DMA_TO_DEVICE ? VCM_CACHE_CLEAN : VCM_CACHE_FLUSH);
}

static inline void dmac_unmap_area(const void *start, size_t size, int dir)
{
	if (dir != DMA_TO_DEVICE)
		vcm_cache_maint_host(NULL, start, size, VCM_CACHE_INV);
}

static inline void dmac_flush_range(const void *start, const void *end)
{
	if ((const char *)end > (const char *)start)
		vcm_cache_maint_host(NULL, start, (size_t)((const char *)end - (const char *)start),
				     VCM_CACHE_FLUSH);
}

static inline void vcm_kernel_outer(vcm_addr_t start, vcm_addr_t end, enum vcm_cache_op op)
{
	if (end > start)
		vcm_cache_maint(vcm_soc_current(), start, end - start, op);
}

static inline void outer_clean_range(vcm_addr_t start, vcm_addr_t end)
{
	vcm_kernel_outer(start, end, VCM_CACHE_CLEAN);
}

static inline void outer_inv_range(vcm_addr_t start, vcm_addr_t end)
{
	vcm_kernel_outer(start, end, VCM_CACHE_INV);
}

static inline void outer_flush_range(vcm_addr_t start, vcm_addr_t end)
{
	vcm_kernel_outer(start, end, VCM_CACHE_FLUSH);
}

static inline void flush_cache_all(void)
{
	vcm_cache_flush_all(vcm_soc_current());
}

static inline void outer_flush_all(void)
{
	vcm_cache_flush_all(vcm_soc_current());
}

static inline void dma_sync_single_for_device(struct device *dev, vcm_addr_t handle,
					      size_t size, enum dma_data_direction dir)
{
	(void)dev;
	vcm_cache_sync_for_device(vcm_soc_current(), handle, size, (enum vcm_dma_dir)dir);
}

static inline void dma_sync_single_for_cpu(struct device *dev, vcm_addr_t handle, size_t size,
					   enum dma_data_direction dir)
{
	(void)dev;
	vcm_cache_sync_for_cpu(vcm_soc_current(), handle, size, (enum vcm_dma_dir)dir);
}

static inline void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nents,
					  enum dma_data_direction dir)
{
	int i;

	for (i = 0; i < nents; i++)
		dma_sync_single_for_device(dev, sg_dma_address(&sg[i]), sg_dma_len(&sg[i]), dir);
}

static inline void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nents,
				       enum dma_data_direction dir)
{
	int i;

	for (i = 0; i < nents; i++)
		dma_sync_single_for_cpu(dev, sg_dma_address(&sg[i]), sg_dma_len(&sg[i]), dir);
}

#ifdef __cplusplus
}
#endif

#endif /* VCM_KERNEL_CACHE_H */
