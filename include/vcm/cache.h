/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/cache.h> - the non-coherent cache model and cache maintenance.
 *
 * By default a SoC is coherent: the CPU and every device see one copy of
 * memory, and every call below does nothing and returns 0, so a driver may
 * call them unconditionally.  vcm_soc_set_noncoherent() switches a SoC to
 * the model of the Exynos4210, where the CPU's caches (Cortex-A9 L1 + PL310
 * L2) are not coherent with the devices nor with the System MMU walker:
 *
 * - the CPU's view is the host memory behind RAM: vcm_soc_phys_read() and
 *   _write(), vcm_soc_phys_to_host() pointers, the CPU (VMM) context, and
 *   the application's own pages behind a pin;
 * - devices (DMA through a System MMU) and the page-table walker see RAM,
 *   a second copy of every page;
 * - nothing moves between the two except through cache maintenance, at
 *   line granularity (32 bytes by default): clean copies the CPU's dirty
 *   lines to RAM, invalidate replaces the CPU's lines with RAM's, flush
 *   does both.  No line is ever evicted unless random eviction is asked
 *   for (then a line found stale is, with the given probability, written
 *   back and dropped just before, as a real cache may happen to do).
 *
 * The model sees every device access and every maintenance, but not the
 * CPU's stores through host pointers: a byte counts as written by the CPU
 * when the CPU's copy differs from what it held at the line's last
 * maintenance, and as written by a device when RAM differs from the CPU's
 * copy while the CPU has not changed it.  From that it warns (through
 * vcm_warn(), counted in struct vcm_cache_stats and in the System MMU
 * statistics) when
 *
 * - a device reads bytes the CPU wrote since the last clean (the device
 *   gets RAM's old bytes: a missing clean / sync for the device);
 * - the CPU reads, through vcm_soc_phys_read(), bytes a device wrote since
 *   the last invalidate (the CPU gets its old bytes: a missing invalidate /
 *   sync for the CPU); a pinned page unpinned with such bytes is reported
 *   too, since the application read them through its own pointers;
 * - the System MMU walker reads a page-table entry the CPU wrote but did
 *   not clean (libvcm's own page-table code cleans what it writes);
 * - an invalidate discards CPU-written bytes outside its range that share
 *   its first or last line (the cache-line alignment rule of USERPTR), or
 *   a clean writes a whole line back over bytes a device wrote.
 *
 * Each warning names the device, the DVA, the PA, the line and the last
 * maintenance done on that line.
 *
 * Thread safety: every function may be called from any thread; the model's
 * state is serialised by a lock in the SoC.  As on the hardware, a device
 * and the CPU touching the same bytes at the same time see an undefined mix.
 */
#ifndef VCM_CACHE_H
#define VCM_CACHE_H

#include <stdint.h>
#include <vcm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vcm_soc;
struct vcm_phys;
struct vcm_res;
struct vcm_userptr;

/** VCM_CACHE_LINE_DEFAULT - line size of the Exynos4210's L1 and L2 caches. */
#define VCM_CACHE_LINE_DEFAULT 32U
/** VCM_CACHE_LINE_MIN - the smallest line size the model accepts. */
#define VCM_CACHE_LINE_MIN 16U
/** VCM_CACHE_LINE_MAX - the largest line size the model accepts. */
#define VCM_CACHE_LINE_MAX 256U
/** VCM_CACHE_EVICT_MAX - 100 % random eviction, in per mille. */
#define VCM_CACHE_EVICT_MAX 1000U

/**
 * struct vcm_cache_config - how the non-coherent model behaves.
 * @line_size: cache line size in bytes, a power of two in
 *	VCM_CACHE_LINE_MIN..VCM_CACHE_LINE_MAX; 0 means VCM_CACHE_LINE_DEFAULT.
 * @evict_permille: probability (0..1000) that a line found stale had been
 *	evicted just before (written back if dirty, then dropped), which hides
 *	the staleness as a real cache sometimes does; 0 (the default) never
 *	evicts: the worst case, deterministic.
 * @seed: seed of the eviction's pseudo-random sequence.
 */
struct vcm_cache_config {
	unsigned line_size;
	unsigned evict_permille;
	uint64_t seed;
};

/**
 * enum vcm_dma_dir - which way a buffer's data goes (the kernel's
 * enum dma_data_direction, same values).
 * @VCM_DMA_BIDIRECTIONAL: both ways.
 * @VCM_DMA_TO_DEVICE: the CPU writes, the device reads.
 * @VCM_DMA_FROM_DEVICE: the device writes, the CPU reads.
 * @VCM_DMA_NONE: no data moves (invalid for the sync calls).
 */
enum vcm_dma_dir {
	VCM_DMA_BIDIRECTIONAL = 0,
	VCM_DMA_TO_DEVICE = 1,
	VCM_DMA_FROM_DEVICE = 2,
	VCM_DMA_NONE = 3,
};

/**
 * enum vcm_cache_op - one cache maintenance operation.
 * @VCM_CACHE_CLEAN: write the CPU's dirty lines back to RAM.
 * @VCM_CACHE_INV: discard the CPU's lines; the CPU reads RAM again.
 * @VCM_CACHE_FLUSH: clean, then invalidate.
 */
enum vcm_cache_op {
	VCM_CACHE_CLEAN = 1,
	VCM_CACHE_INV = 2,
	VCM_CACHE_FLUSH = 3,
};

/**
 * struct vcm_cache_stats - what the model saw on one SoC.
 * @stale_device_reads: lines a device read while they held bytes the CPU
 *	wrote since the last clean.
 * @stale_cpu_reads: lines the CPU read through vcm_soc_phys_read() while
 *	they held bytes a device wrote since the last invalidate.
 * @stale_walks: page-table entries the System MMU walker read stale.
 * @unseen_device_writes: lines of pinned pages unpinned while they held
 *	bytes a device wrote that the CPU never invalidated.
 * @lost_cpu_writes: lines whose CPU-written bytes outside the range an
 *	invalidate discarded (a neighbour sharing a buffer's line).
 * @lost_device_writes: lines a clean wrote back over bytes a device wrote.
 * @cleans: lines cleaned (written back).
 * @invalidates: lines invalidated.
 * @evictions: lines the random eviction wrote back and dropped.
 */
struct vcm_cache_stats {
	uint64_t stale_device_reads;
	uint64_t stale_cpu_reads;
	uint64_t stale_walks;
	uint64_t unseen_device_writes;
	uint64_t lost_cpu_writes;
	uint64_t lost_device_writes;
	uint64_t cleans;
	uint64_t invalidates;
	uint64_t evictions;
};

/**
 * vcm_soc_set_noncoherent() - switch a SoC to the non-coherent cache model.
 * @soc: the machine; none of its RAM may be allocated yet.
 * @cfg: the model's parameters, or NULL for the defaults.
 *
 * From then on devices and the page-table walker see RAM, the CPU sees its
 * own copy, and maintenance moves data between them (see the top of this
 * header).  Banks added later are non-coherent too.  There is no way back
 * to coherent: make another SoC.
 *
 * Return: 0; -EINVAL for a bad @soc or @cfg; -EBUSY if pages of @soc are
 * allocated; -EALREADY if @soc is non-coherent already; -ENOMEM.
 */
VCM_EXPORT int vcm_soc_set_noncoherent(struct vcm_soc *soc, const struct vcm_cache_config *cfg);

/**
 * vcm_soc_cache_line() - the cache line size of a SoC's model.
 * @soc: the machine.
 *
 * Return: the line size in bytes if @soc is non-coherent, 0 if it is
 * coherent (or @soc is NULL, an error pointer, or not a live SoC: warned).
 */
VCM_EXPORT unsigned vcm_soc_cache_line(const struct vcm_soc *soc);

/**
 * vcm_soc_get_cache_stats() - read the model's counters.
 * @soc: the machine.
 * @st: filled in; all zero for a coherent SoC (and for a @soc that is not
 *	a live SoC, with a warning).
 */
VCM_EXPORT void vcm_soc_get_cache_stats(const struct vcm_soc *soc, struct vcm_cache_stats *st);

/**
 * vcm_cache_maint() - cache maintenance by physical range.
 * @soc: the machine.
 * @pa: first byte.
 * @size: bytes; every line that holds one of them is maintained whole, so
 *	the bytes sharing the first and last lines are affected too.
 * @op: VCM_CACHE_CLEAN, VCM_CACHE_INV or VCM_CACHE_FLUSH.
 *
 * Return: 0 (also on a coherent SoC, where it does nothing); -EINVAL for a
 * bad @soc (a released or foreign one is warned about) or @op, or a range
 * that wraps; -EFAULT if a byte is not RAM (then nothing is done).
 */
VCM_EXPORT int vcm_cache_maint(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size,
			       enum vcm_cache_op op);

/**
 * vcm_cache_flush_all() - clean and invalidate every line of the machine's
 * RAM (the kernel's flush_cache_all() and outer_flush_all()).
 * @soc: the machine.
 *
 * Walks every RAM bank, so it takes time in proportion to the RAM the SoC
 * was given (about what a memcmp() of it costs): meant for the rare places
 * where a driver flushes everything, not for a per-buffer path.
 *
 * Return: 0 (also on a coherent SoC, where it does nothing); -EINVAL for a
 * bad @soc (a released or foreign one is warned about).
 */
VCM_EXPORT int vcm_cache_flush_all(struct vcm_soc *soc);

/**
 * vcm_cache_sync_for_device() - make a range ready for a device's access
 * (the kernel's dma_sync_single_for_device()).
 * @soc: the machine.
 * @pa: first byte.
 * @size: bytes.
 * @dir: VCM_DMA_TO_DEVICE cleans; VCM_DMA_FROM_DEVICE and
 *	VCM_DMA_BIDIRECTIONAL clean and invalidate (so that no dirty line is
 *	written back over what the device will write).
 *
 * Return: as vcm_cache_maint(); -EINVAL for VCM_DMA_NONE or a bad @dir.
 */
VCM_EXPORT int vcm_cache_sync_for_device(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size,
					 enum vcm_dma_dir dir);

/**
 * vcm_cache_sync_for_cpu() - make what a device wrote visible to the CPU
 * (the kernel's dma_sync_single_for_cpu()).
 * @soc: the machine.
 * @pa: first byte.
 * @size: bytes.
 * @dir: VCM_DMA_FROM_DEVICE and VCM_DMA_BIDIRECTIONAL invalidate;
 *	VCM_DMA_TO_DEVICE does nothing.
 *
 * An invalidate works on whole lines: CPU-written bytes that share the
 * first or last line of the range are lost (and warned about).
 * Return: as vcm_cache_sync_for_device().
 */
VCM_EXPORT int vcm_cache_sync_for_cpu(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size,
				      enum vcm_dma_dir dir);

/**
 * vcm_phys_sync_for_device() - vcm_cache_sync_for_device() on every part of
 * a physical allocation.
 * @soc: the SoC the parts belong to (NULL: the current SoC).
 * @phys: the allocation (from vcm_alloc(), vcm_phys_alloc() or
 *	vcm_phys_from_user(): a pinned user buffer covers whole pages).
 * @dir: as vcm_cache_sync_for_device().
 *
 * Return: 0; -EINVAL for a bad @soc, @phys or @dir (a released or foreign
 * @soc, or a @phys libvcm released, is warned about and nothing is done);
 * -EFAULT as vcm_cache_maint().
 */
VCM_EXPORT int vcm_phys_sync_for_device(struct vcm_soc *soc, struct vcm_phys *phys,
					enum vcm_dma_dir dir);

/**
 * vcm_phys_sync_for_cpu() - vcm_cache_sync_for_cpu() on every part of a
 * physical allocation.
 * @soc: as vcm_phys_sync_for_device().
 * @phys: the allocation.
 * @dir: as vcm_cache_sync_for_cpu().
 *
 * Return: as vcm_phys_sync_for_device().
 */
VCM_EXPORT int vcm_phys_sync_for_cpu(struct vcm_soc *soc, struct vcm_phys *phys,
				     enum vcm_dma_dir dir);

/**
 * vcm_res_sync_for_device() - sync the memory bound to a reservation for
 * its context's device.
 * @res: a bound reservation (its context's SoC is used).
 * @dir: as vcm_cache_sync_for_device().
 *
 * Return: 0; -EINVAL for a bad @res or @dir (a released or foreign @res is
 * warned about and nothing is done); -ENOENT if nothing is bound.
 */
VCM_EXPORT int vcm_res_sync_for_device(struct vcm_res *res, enum vcm_dma_dir dir);

/**
 * vcm_res_sync_for_cpu() - sync the memory bound to a reservation back for
 * the CPU.
 * @res: a bound reservation.
 * @dir: as vcm_cache_sync_for_cpu().
 *
 * Return: as vcm_res_sync_for_device().
 */
VCM_EXPORT int vcm_res_sync_for_cpu(struct vcm_res *res, enum vcm_dma_dir dir);

/**
 * vcm_cache_maint_host() - cache maintenance by host address (what a
 * kernel driver does by kernel virtual address: <vcm/kernel.h>'s dmac_*()).
 * @soc: the machine (NULL: the current SoC).
 * @addr: host address inside the SoC's RAM (a vcm_soc_phys_to_host()
 *	pointer) or inside a page pinned in it (the application's buffer).
 * @size: bytes.
 * @op: VCM_CACHE_CLEAN, VCM_CACHE_INV or VCM_CACHE_FLUSH.
 *
 * Return: 0 (also on a coherent SoC, where it does nothing); -EINVAL for a
 * bad @soc or @op or a range that wraps; -EFAULT, with a warning, at the
 * first page that is neither (the pages before it were maintained).
 */
VCM_EXPORT int vcm_cache_maint_host(struct vcm_soc *soc, const void *addr, size_t size,
				    enum vcm_cache_op op);

#ifdef __cplusplus
}
#endif

#endif /* VCM_CACHE_H */
