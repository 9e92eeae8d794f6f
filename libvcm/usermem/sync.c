/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sync.c - cache maintenance by the objects drivers hold: a physical
 * allocation, a reservation's bound memory, a range of host memory (the
 * "kernel virtual addresses" of <vcm/kernel.h>'s dmac_*() names), and a
 * byte range of a phys (the userptr helper's prepare/finish syncs).  All
 * of it ends in the SoC's cache model; on a coherent SoC it does nothing.
 */
#include <errno.h>

#include <vcm/cache.h>

#include "internal.h"
#include "cache-model.h"
#include "phys.h"
#include "pin.h"
#include "soc-internal.h"
#include "sync.h"
#include "vcm-internal.h"
#include "trace.h"

static bool dir_ok(enum vcm_dma_dir dir)
{
	return dir == VCM_DMA_BIDIRECTIONAL || dir == VCM_DMA_TO_DEVICE ||
	       dir == VCM_DMA_FROM_DEVICE;
}

static int sync_one(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size, enum vcm_dma_dir dir,
		    bool for_device)
{
	return for_device ? vcm_cache_sync_for_device(soc, pa, size, dir)
			  : vcm_cache_sync_for_cpu(soc, pa, size, dir);
}

/*
 * The checks of the public functions taking a SoC (NULL: the current one)
 * and a phys: 0, or -EINVAL for a dead or foreign handle (warned, as the
 * registry does everywhere) or a NULL phys.  A phys libvcm released is
 * refused even though a driver's own phys might lie there now (the
 * registry's rule for vcm_free(): see phys.h), because reading a released
 * one reads freed memory.
 */
static int phys_sync_check(struct vcm_soc **soc, struct vcm_phys *phys, const char *fn)
{
	if (!*soc)
		*soc = vcm_soc_current();
	if (!vcm_soc_ok(*soc, fn))
		return -EINVAL;
	return vcm_phys_check(phys, VCM_PHYS_RELEASE, fn);
}

int vcm_phys_sync_range(struct vcm_soc *soc, const struct vcm_phys *phys, vcm_size_t off,
			vcm_size_t size, enum vcm_dma_dir dir, bool for_device)
{
	unsigned i;

	if (vcm_is_err_or_null(phys) || !dir_ok(dir) || off + size < off || off + size > phys->size)
		return -EINVAL;
	if (!soc)
		soc = vcm_soc_current();
	if (!vcm_soc_cache(soc))
		return 0;
	for (i = 0; i < phys->count && size; i++) {
		const struct vcm_phys_part *p = &phys->parts[i];
		vcm_size_t n;
		int err;

		if (off >= p->size) {
			off -= p->size;
			continue;
		}
		n = p->size - off < size ? p->size - off : size;
		err = sync_one(soc, p->start + off, n, dir, for_device);
		if (err)
			return err;
		off = 0;
		size -= n;
	}
	return 0;
}

VCM_TRACE_BODY int do_phys_sync_for_device(struct vcm_soc *soc, struct vcm_phys *phys,
					enum vcm_dma_dir dir)
{
	int ret = phys_sync_check(&soc, phys, "vcm_phys_sync_for_device");

	if (ret)
		return ret;
	return vcm_phys_sync_range(soc, phys, 0, phys->size, dir, true);
}

VCM_TRACED_FN(int, vcm_phys_sync_for_device,
	      (struct vcm_soc *soc, struct vcm_phys *phys, enum vcm_dma_dir dir),
	      do_phys_sync_for_device, (soc, phys, dir),
	      PHYS_SYNC_FOR_DEVICE, soc, phys, (int)dir, ret)

VCM_TRACE_BODY int do_phys_sync_for_cpu(struct vcm_soc *soc, struct vcm_phys *phys,
				     enum vcm_dma_dir dir)
{
	int ret = phys_sync_check(&soc, phys, "vcm_phys_sync_for_cpu");

	if (ret)
		return ret;
	return vcm_phys_sync_range(soc, phys, 0, phys->size, dir, false);
}

VCM_TRACED_FN(int, vcm_phys_sync_for_cpu,
	      (struct vcm_soc *soc, struct vcm_phys *phys, enum vcm_dma_dir dir),
	      do_phys_sync_for_cpu, (soc, phys, dir),
	      PHYS_SYNC_FOR_CPU, soc, phys, (int)dir, ret)

static int res_sync(struct vcm_res *res, enum vcm_dma_dir dir, bool for_device, const char *fn)
{
	struct vcm_phys *phys;
	struct vcm_soc *soc;

	if (!vcm_res_ok(res, fn) || !dir_ok(dir))
		return -EINVAL;
	vcm_lock(res->vcm);
	phys = res->phys;
	soc = vcm_context_soc(res->vcm);
	vcm_unlock(res->vcm);
	if (!phys)
		return -ENOENT;
	return vcm_phys_sync_range(soc, phys, 0, phys->size, dir, for_device);
}

VCM_TRACE_BODY int do_res_sync_for_device(struct vcm_res *res, enum vcm_dma_dir dir)
{
	return res_sync(res, dir, true, "vcm_res_sync_for_device");
}

VCM_TRACED_FN(int, vcm_res_sync_for_device, (struct vcm_res *res, enum vcm_dma_dir dir),
	      do_res_sync_for_device, (res, dir),
	      RES_SYNC_FOR_DEVICE, res, (int)dir, ret)

VCM_TRACE_BODY int do_res_sync_for_cpu(struct vcm_res *res, enum vcm_dma_dir dir)
{
	return res_sync(res, dir, false, "vcm_res_sync_for_cpu");
}

VCM_TRACED_FN(int, vcm_res_sync_for_cpu, (struct vcm_res *res, enum vcm_dma_dir dir),
	      do_res_sync_for_cpu, (res, dir),
	      RES_SYNC_FOR_CPU, res, (int)dir, ret)

/* The PA of host byte @p: ordinary RAM of @soc, or a page pinned in it. */
static int host_pa(struct vcm_soc *soc, const void *p, vcm_addr_t *pa)
{
	unsigned long count;

	if (!vcm_soc_host_to_phys(soc, p, pa))
		return 0;
	if (vcm_pin_lookup(soc, p, pa, &count))
		return -EFAULT;
	*pa += (uintptr_t)p & (VCM_PAGE_SIZE - 1);
	return 0;
}

VCM_TRACE_BODY int do_cache_maint_host(struct vcm_soc *soc, const void *addr, size_t size,
				    enum vcm_cache_op op)
{
	uintptr_t a = (uintptr_t)addr, end = a + size;

	if (!soc)
		soc = vcm_soc_current();
	if (!vcm_soc_ok(soc, "vcm_cache_maint_host") ||
	    (op != VCM_CACHE_CLEAN && op != VCM_CACHE_INV &&
					   op != VCM_CACHE_FLUSH) || end < a)
		return -EINVAL;
	if (!vcm_soc_cache(soc))
		return 0;
	for (; a < end; a = (a | (VCM_PAGE_SIZE - 1)) + 1) {	/* page by page */
		uintptr_t page_end = (a | (VCM_PAGE_SIZE - 1)) + 1;
		vcm_addr_t pa;

		if (host_pa(soc, (const void *)a, &pa)) {
			vcm_warn("cache maintenance of host address %p: not RAM of the SoC nor a "
				 "pinned page; nothing done for it", (const void *)a);
			return -EFAULT;
		}
		vcm_cache_maint_range(soc, pa, (end < page_end ? end : page_end) - a, op);
	}
	return 0;
}

VCM_TRACED_FN(int, vcm_cache_maint_host,
	      (struct vcm_soc *soc, const void *addr, size_t size, enum vcm_cache_op op),
	      do_cache_maint_host, (soc, addr, size, op),
	      CACHE_MAINT_HOST, soc, addr, (uint64_t)size, (int)op, ret)
