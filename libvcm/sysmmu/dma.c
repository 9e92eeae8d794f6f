/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dma.c - simulated device DMA through System MMU models.
 *
 * A transfer has two sides, each either a DVA range behind a System MMU or
 * a plain host buffer.  A DVA side is translated one page at a time (a
 * section or large page once) and resolved to the run of host memory that
 * is contiguous from there; each step copies the largest run both sides
 * allow.  The first fault ends the transfer, so nothing past the mapped,
 * RAM-backed part of either range is touched.
 *
 * On a non-coherent SoC (<vcm/cache.h>) the host memory a DVA side reaches
 * is RAM as devices see it, and each step also tells the cache model what
 * the device read (checked for stale lines) and wrote; a coherent transfer
 * tests for that once.
 */
#include <errno.h>
#include <string.h>

#include "cache-model.h"
#include "pgtable.h"
#include "sysmmu-internal.h"
#include "trace.h"

struct dma_side {
	struct vcm_sysmmu *mmu;	/* NULL: a host buffer */
	unsigned access;
	uint64_t dva;
	uint64_t pa;		/* PA of @dva (DVA side, after a refill) */
	bool nc;		/* a DVA side on a non-coherent SoC */
	uint8_t *host;
	size_t avail;		/* bytes usable at @host before the next refill */
	struct vcm_dma_prefetch pf;
};

static void side_host(struct dma_side *s, void *buf, size_t len)
{
	s->mmu = NULL;
	s->nc = false;
	s->host = buf;
	s->avail = len;
}

static void side_dva(struct dma_side *s, struct vcm_sysmmu *mmu, uint64_t dva, unsigned access)
{
	s->mmu = mmu;
	s->access = access;
	s->dva = dva;
	s->nc = vcm_soc_cache(vcm_sysmmu_soc(mmu)) != NULL;
	s->host = NULL;
	s->avail = 0;
	s->pf.valid = false;
}

static int side_refill(struct dma_side *s, size_t want)
{
	if (s->avail)
		return 0;
	return vcm_sysmmu_access(s->mmu, s->dva, s->access, want, &s->pf, &s->host, &s->avail,
				 &s->pa);
}

static void side_advance(struct dma_side *s, size_t n)
{
	s->host += n;
	s->avail -= n;
	s->dva += n;
	s->pa += n;
}

/* One step of @n bytes on a non-coherent SoC: the copy, checked. */
static void step_copy(struct dma_side *dst, struct dma_side *src, size_t n)
{
	unsigned stale;

	if (!src->nc) {
		memmove(dst->host, src->host, n);
		return;
	}
	stale = vcm_cache_dev_read_copy(vcm_sysmmu_soc(src->mmu), vcm_sysmmu_name(src->mmu),
					src->dva, src->pa, dst->host, src->host, n);
	if (stale)
		vcm_sysmmu_count_stale_reads(src->mmu, stale);
}

static void step_written(struct dma_side *dst, size_t n)
{
	if (dst->nc)
		vcm_cache_dev_write(vcm_sysmmu_soc(dst->mmu), vcm_sysmmu_name(dst->mmu),
				    dst->dva, dst->pa, n);
}

static int dma_transfer(struct dma_side *dst, struct dma_side *src, size_t len)
{
	bool nc = __builtin_expect(dst->nc || src->nc, 0);

	while (len) {
		size_t n;
		int err;

		err = side_refill(src, len);
		if (!err)
			err = side_refill(dst, len);
		if (err)
			return err;
		n = len < src->avail ? len : src->avail;
		if (dst->avail < n)
			n = dst->avail;
		if (nc) {
			step_copy(dst, src, n);
			step_written(dst, n);
		} else {
			memmove(dst->host, src->host, n);
		}
		side_advance(src, n);
		side_advance(dst, n);
		len -= n;
	}
	return 0;
}

static bool dva_range_ok(uint64_t dva, size_t len)
{
	return dva <= VCM_PT_ADDR_LIMIT && len <= VCM_PT_ADDR_LIMIT - dva;
}

VCM_TRACE_BODY int do_dma_read(struct vcm_sysmmu *mmu, vcm_addr_t dva, void *dst, size_t len)
{
	struct dma_side d, s;

	if (!vcm_sysmmu_ok(mmu, "vcm_dma_read"))
		return -EINVAL;
	if (!len)
		return 0;
	if (!dst || !dva_range_ok(dva, len))
		return -EINVAL;
	side_host(&d, dst, len);
	side_dva(&s, mmu, dva, VCM_ACCESS_READ);
	return dma_transfer(&d, &s, len);
}

VCM_TRACED_FN(int, vcm_dma_read, (struct vcm_sysmmu *mmu, vcm_addr_t dva, void *dst, size_t len),
	      do_dma_read, (mmu, dva, dst, len),
	      DMA_READ, mmu, (uint64_t)dva, (uint64_t)len, ret, dst, (uint64_t)(ret ? 0 : len))

VCM_TRACE_BODY int do_dma_write(struct vcm_sysmmu *mmu, vcm_addr_t dva, const void *src, size_t len)
{
	struct dma_side d, s;

	if (!vcm_sysmmu_ok(mmu, "vcm_dma_write"))
		return -EINVAL;
	if (!len)
		return 0;
	if (!src || !dva_range_ok(dva, len))
		return -EINVAL;
	side_dva(&d, mmu, dva, VCM_ACCESS_WRITE);
	side_host(&s, (void *)src, len);
	return dma_transfer(&d, &s, len);
}

VCM_TRACED_FN(int, vcm_dma_write,
	      (struct vcm_sysmmu *mmu, vcm_addr_t dva, const void *src, size_t len),
	      do_dma_write, (mmu, dva, src, len),
	      DMA_WRITE, mmu, (uint64_t)dva, src, (uint64_t)(src ? len : 0), ret)

VCM_TRACE_BODY int do_dma_copy(struct vcm_sysmmu *dst_mmu, vcm_addr_t dst_dva,
			    struct vcm_sysmmu *src_mmu, vcm_addr_t src_dva, size_t len)
{
	struct dma_side d, s;

	if (!vcm_sysmmu_ok(dst_mmu, "vcm_dma_copy") || !vcm_sysmmu_ok(src_mmu, "vcm_dma_copy"))
		return -EINVAL;
	if (!len)
		return 0;
	if (!dva_range_ok(dst_dva, len) || !dva_range_ok(src_dva, len))
		return -EINVAL;
	side_dva(&d, dst_mmu, dst_dva, VCM_ACCESS_WRITE);
	side_dva(&s, src_mmu, src_dva, VCM_ACCESS_READ);
	return dma_transfer(&d, &s, len);
}

VCM_TRACED_FN(int, vcm_dma_copy, (struct vcm_sysmmu *dst_mmu, vcm_addr_t dst_dva,
	      struct vcm_sysmmu *src_mmu, vcm_addr_t src_dva, size_t len),
	      do_dma_copy, (dst_mmu, dst_dva, src_mmu, src_dva, len),
	      DMA_COPY, dst_mmu, (uint64_t)dst_dva, src_mmu, (uint64_t)src_dva, (uint64_t)len, ret)
