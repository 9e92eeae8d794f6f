/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/sysmmu.h> - the System MMU model: Exynos page tables in simulated
 * RAM, the System MMU hardware (TLB, faults, registers) and device DMA.
 *
 * Page-table format (Exynos System MMU v1-v3): 32-bit DVA and PA,
 * little-endian 32-bit entries.  Level 1 has 4096 entries (16 KiB table,
 * 16 KiB-aligned), one per 1 MiB of DVA: a 1 MiB section, a link to a level-2
 * table, or a fault.  A section entry with bit 18 set is a 16 MiB
 * supersection (PA bits 31:24; the same entry in 16 consecutive slots, from
 * a 16 MiB-aligned DVA), as Samsung's 2011 System MMU rewrite used them: the
 * hardware model always translates them; vcm_pgtable_map() writes them only
 * when asked (VCM_MAP_SUPERSECTION).  Level 2 has 256 entries (1 KiB table, 1 KiB-aligned),
 * one per 4 KiB: a 4 KiB small page, a 64 KiB large page (the same entry in
 * 16 consecutive slots) or a fault.  The tables live in the SoC's RAM, so
 * the hardware model reads them by physical address like the real block.
 *
 * Thread safety:
 * - a page table may be used from several threads at once: vcm_pgtable_map()
 *   and vcm_pgtable_unmap() are serialised by a lock in the table, and every
 *   entry is read and written with single atomic 32-bit accesses, so System
 *   MMUs (and vcm_pgtable_dva_to_phys()) may walk the table while it is
 *   being changed.  A walk that races with a change of the same DVA sees
 *   either the old or the new entry, as on hardware.  The lock is biased
 *   towards the first thread that maps or unmaps: while only that thread
 *   does, it takes the lock with plain stores; the first call from another
 *   thread ends that for good (at the cost of one membarrier(2)).
 *   vcm_pgtable_destroy() must not race with any other use of the table.
 * - a System MMU may be used from several threads at once (several DMA
 *   streams through one bus master): its TLB, registers and statistics are
 *   protected by a lock in the model, except on one path: a TLB hit of
 *   vcm_sysmmu_translate() takes no lock.  It reads the TLB entry, the
 *   page-table entry behind it and the base under a sequence count that
 *   every change of the model's state moves, and is kept only if nothing
 *   changed meanwhile (else the translation takes the locked path), so it
 *   returns what the locked path would have returned at some instant of
 *   the call.  Its statistics are counted per thread and added in when
 *   they are read: vcm_sysmmu_get_stats() gives counters whose sums hold
 *   (@translations is the sum of its parts) and that include every
 *   translation of the calling thread and of the threads it synchronised
 *   with (joined, took a lock after); hits of threads running meanwhile
 *   may or may not be in them.  The fault handler is called
 *   without the lock held, so it may call any function of this header,
 *   including vcm_pgtable_map() and the register view.
 *   vcm_sysmmu_destroy() and vcm_sysmmu_set_tlb_entries() (which replaces
 *   the TLB's memory) must not race with any other use of the System MMU.
 * - a page table or a System MMU must be destroyed before its SoC.
 */
#ifndef VCM_SYSMMU_H
#define VCM_SYSMMU_H

#include <stdio.h>
#include <vcm/soc.h>
#include <vcm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Protection bits of vcm_pgtable_map() (the v1-v3 format ignores them). */
#define VCM_PROT_READ	(1U << 0)
#define VCM_PROT_WRITE	(1U << 1)
/*
 * A page-size flag of vcm_pgtable_map()'s @prot, not a protection: map the
 * 16 MiB-aligned parts of the range (DVA and PA both 16 MiB-aligned, at
 * least 16 MiB left) with 16 MiB supersections.  Without it a table holds
 * only the three sizes of the v1-v3 format and of Samsung's s5p-vcm.c
 * (1 MiB, 64 KiB, 4 KiB).
 */
#define VCM_MAP_SUPERSECTION	(1U << 8)

/* The kind of a device access: what a translation or a fault is for. */
#define VCM_ACCESS_READ		(1U << 0)
#define VCM_ACCESS_WRITE	(1U << 1)

/*
 * Register view of the System MMU v3 block: byte offsets for
 * vcm_sysmmu_readl() and vcm_sysmmu_writel().
 */
#define VCM_SYSMMU_CTRL			0x000	/* rw: VCM_SYSMMU_CTRL_* */
#define VCM_SYSMMU_CFG			0x004	/* rw: stored, no effect on the model */
#define VCM_SYSMMU_STATUS		0x008	/* ro: VCM_SYSMMU_STATUS_* */
#define VCM_SYSMMU_FLUSH		0x00C	/* wo: any value invalidates the TLB */
#define VCM_SYSMMU_FLUSH_ENTRY		0x010	/* wo: a DVA whose entries to invalidate */
#define VCM_SYSMMU_PT_BASE_ADDR		0x014	/* rw: PA of the level-1 table */
#define VCM_SYSMMU_INT_STATUS		0x018	/* ro: one bit per fault type */
#define VCM_SYSMMU_INT_CLEAR		0x01C	/* wo: clears the INT_STATUS bits written */
#define VCM_SYSMMU_INT_MASK		0x020	/* rw: fault types not to interrupt */
#define VCM_SYSMMU_PAGE_FAULT_ADDR	0x024	/* ro: DVA of the last page fault */
#define VCM_SYSMMU_AW_FAULT_ADDR	0x028	/* ro: DVA of the last other write fault */
#define VCM_SYSMMU_AR_FAULT_ADDR	0x02C	/* ro: DVA of the last other read fault */
#define VCM_SYSMMU_DEFAULT_SLAVE_ADDR	0x030	/* rw: DVA of the last bus error */
#define VCM_SYSMMU_VERSION		0x034	/* ro: VCM_SYSMMU_VERSION_VALUE */
#define VCM_SYSMMU_TLB_READ		0x038	/* rw: which TLB word TLB_DATA shows */
#define VCM_SYSMMU_TLB_DATA		0x03C	/* ro: that word */
#define VCM_SYSMMU_PB0_SADDR		0x04C	/* rw: prefetch buffer 0 first DVA */
#define VCM_SYSMMU_PB0_EADDR		0x050	/* rw: prefetch buffer 0 last DVA */
#define VCM_SYSMMU_PB1_SADDR		0x054	/* rw: prefetch buffer 1 first DVA */
#define VCM_SYSMMU_PB1_EADDR		0x058	/* rw: prefetch buffer 1 last DVA */
/* Size of the register block; offsets at or past it (and 0x040-0x048) read 0. */
#define VCM_SYSMMU_REG_SIZE		0x05C

/* CTRL bits, and the three values drivers write. */
#define VCM_SYSMMU_CTRL_MMU_EN		(1U << 0)	/* translate (else bypass) */
#define VCM_SYSMMU_CTRL_BLOCK		(1U << 1)	/* hold new transactions */
#define VCM_SYSMMU_CTRL_INT_EN		(1U << 2)	/* fault interrupt enable */
#define VCM_SYSMMU_CTRL_ENABLE \
	(VCM_SYSMMU_CTRL_MMU_EN | VCM_SYSMMU_CTRL_INT_EN)		/* 0x5 */
#define VCM_SYSMMU_CTRL_BLOCK_VALUE \
	(VCM_SYSMMU_CTRL_ENABLE | VCM_SYSMMU_CTRL_BLOCK)		/* 0x7 */
#define VCM_SYSMMU_CTRL_DISABLE		0x0U

/* CFG bits the platform drivers set (stored; the model's TLB stays first-in first-out). */
#define VCM_SYSMMU_CFG_LRU		(1U << 0)	/* replacement policy: LRU */

/*
 * STATUS bits: BLOCKED is set while CTRL holds new transactions, or while
 * the MMU holds them after a fault (vcm_sysmmu_set_fault_hold()).
 */
#define VCM_SYSMMU_STATUS_BLOCKED	(1U << 0)

/*
 * TLB_READ: bits [11:0] select a TLB entry by index (0 .. entries - 1);
 * VCM_SYSMMU_TLB_READ_PA selects which word of it TLB_DATA reads:
 * clear, the tag word (DVA of the page in [31:12], the page size code in
 * [2:1], VALID in bit 0); set, the PA of the page (in [31:12]).  An index
 * past the TLB or an invalid entry reads 0.  This layout is the model's
 * own: no public source documents the hardware's.
 */
#define VCM_SYSMMU_TLB_READ_INDEX_MASK	0xFFFU
#define VCM_SYSMMU_TLB_READ_PA		(1U << 31)
#define VCM_SYSMMU_TLB_TAG_VALID	(1U << 0)
#define VCM_SYSMMU_TLB_TAG_SIZE_SHIFT	1
#define VCM_SYSMMU_TLB_TAG_SIZE_MASK	(0x3U << VCM_SYSMMU_TLB_TAG_SIZE_SHIFT)
#define VCM_SYSMMU_TLB_TAG_ADDR_MASK	0xFFFFF000U
#define VCM_SYSMMU_TLB_SIZE_4K		0U
#define VCM_SYSMMU_TLB_SIZE_64K		1U
#define VCM_SYSMMU_TLB_SIZE_1M		2U
#define VCM_SYSMMU_TLB_SIZE_16M		3U

/* VERSION: major in bits [31:28], minor in bits [27:21]. */
#define VCM_SYSMMU_VERSION_MAJOR_SHIFT	28
#define VCM_SYSMMU_VERSION_MINOR_SHIFT	21
#define VCM_SYSMMU_VERSION_MAJOR	3U
#define VCM_SYSMMU_VERSION_MINOR	1U
#define VCM_SYSMMU_VERSION_VALUE \
	((VCM_SYSMMU_VERSION_MAJOR << VCM_SYSMMU_VERSION_MAJOR_SHIFT) | \
	 (VCM_SYSMMU_VERSION_MINOR << VCM_SYSMMU_VERSION_MINOR_SHIFT))

/* TLB size: default after vcm_sysmmu_create(), and the largest allowed. */
#define VCM_SYSMMU_TLB_DEFAULT_ENTRIES	64U
#define VCM_SYSMMU_TLB_MAX_ENTRIES	4096U

/**
 * enum vcm_fault_type - the fault kinds of the Exynos System MMU.
 * @VCM_FAULT_PAGE: the DVA is not mapped (level-1 or level-2 fault entry).
 * @VCM_FAULT_AR_MULTIHIT: a read hit two TLB entries at once.  The model's
 *	TLB can hold a section (or large page) and a smaller page covering the
 *	same DVA when the table was changed without invalidating the TLB.
 * @VCM_FAULT_AW_MULTIHIT: the same for a write.
 * @VCM_FAULT_BUS_ERROR: a page-table walk read a PA that is not RAM, or a
 *	DMA access reached a PA that is not RAM (also when bypassing).
 * @VCM_FAULT_AR_SECURITY: read security fault.  The model has no secure
 *	world; only vcm_sysmmu_inject_fault() raises it.
 * @VCM_FAULT_AR_PROTECTION: read protection fault.  The v1-v3 format has no
 *	permission bits; only vcm_sysmmu_inject_fault() raises it.
 * @VCM_FAULT_AW_SECURITY: write security fault (see AR_SECURITY).
 * @VCM_FAULT_AW_PROTECTION: write protection fault (see AR_PROTECTION).
 *
 * The value of each type is its bit number in the INT_STATUS register.
 */
enum vcm_fault_type {
	VCM_FAULT_PAGE,
	VCM_FAULT_AR_MULTIHIT,
	VCM_FAULT_AW_MULTIHIT,
	VCM_FAULT_BUS_ERROR,
	VCM_FAULT_AR_SECURITY,
	VCM_FAULT_AR_PROTECTION,
	VCM_FAULT_AW_SECURITY,
	VCM_FAULT_AW_PROTECTION,
};

/* Number of fault types, and the INT_STATUS bit of each. */
#define VCM_FAULT_NR_TYPES	8
#define VCM_SYSMMU_INT_BIT(type)	(1U << (type))

/**
 * struct vcm_fault - what the fault handler is told.
 * @dva: the device virtual address of the faulting access.
 * @access: VCM_ACCESS_READ or VCM_ACCESS_WRITE.
 * @type: the fault kind.
 */
struct vcm_fault {
	vcm_addr_t dva;
	unsigned access;
	enum vcm_fault_type type;
};

/**
 * struct vcm_sysmmu_stats - event counters of one System MMU.
 * @translations: translation attempts (vcm_sysmmu_translate() and every
 *	page a DMA call translates, retries included);
 *	= @bypassed + @blocked + @tlb_hits + @tlb_misses + @multi_hits.
 * @tlb_hits: translations served by exactly one TLB entry.
 * @tlb_misses: translations no TLB entry held (each one walks the table).
 * @walks: page-table walks.
 * @faults: faults recorded (all types, masked ones included).
 * @stale_hits: TLB hits whose cached entry no longer matches the page table
 *	in RAM (or was filled under another page-table base).
 * @bypassed: translations while the MMU was disabled (DVA == PA).
 * @blocked: translations refused with -EBUSY while CTRL held transactions
 *	(or the MMU held them after a fault: vcm_sysmmu_set_fault_hold()).
 * @multi_hits: translations that hit more than one TLB entry.
 * @walk_reads: 32-bit reads of simulated RAM by the table walker.
 * @tlb_flushes: whole-TLB invalidations.
 * @tlb_entry_flushes: invalidations of one DVA.
 * @fault_counts: faults delivered, per enum vcm_fault_type.
 * @stale_dma_reads: on a non-coherent SoC (<vcm/cache.h>), cache lines this
 *	device read while they held bytes the CPU wrote and did not clean.
 * @stale_walks: on a non-coherent SoC, page-table entries the walker read
 *	while the CPU had written them and not cleaned them.
 */
struct vcm_sysmmu_stats {
	uint64_t translations;
	uint64_t tlb_hits;
	uint64_t tlb_misses;
	uint64_t walks;
	uint64_t faults;
	uint64_t stale_hits;
	uint64_t bypassed;
	uint64_t blocked;
	uint64_t multi_hits;
	uint64_t walk_reads;
	uint64_t tlb_flushes;
	uint64_t tlb_entry_flushes;
	uint64_t fault_counts[VCM_FAULT_NR_TYPES];
	uint64_t stale_dma_reads;
	uint64_t stale_walks;
};

struct vcm;
struct vcm_pgtable;
struct vcm_sysmmu;

/**
 * typedef vcm_fault_fn - a System MMU fault handler.
 * @mmu: the System MMU that faulted.
 * @f: the fault (valid during the call only).
 * @priv: the pointer given to vcm_sysmmu_set_fault_handler().
 *
 * Called in the thread of the faulting access, without the model's lock,
 * for every fault whose type INT_MASK does not mask.  With the fault hold
 * on (vcm_sysmmu_set_fault_hold()) the MMU holds transactions during the
 * call and after it, until CTRL is written; a return of 0 lets go of the
 * hold by itself (as the kernel's interrupt handler unblocked after a fault
 * it handled), so a handler that resolves the fault need not write CTRL.
 * Return: 0 to retry the access once (e.g. after mapping the page), or a
 * negative errno to fail it.
 */
typedef int (*vcm_fault_fn)(struct vcm_sysmmu *mmu, const struct vcm_fault *f, void *priv);

/* ---- page tables ------------------------------------------------------ */

/**
 * vcm_pgtable_create() - make an empty page table in a SoC's RAM.
 * @soc: the machine whose page allocator provides the tables.
 *
 * Allocates the 16 KiB level-1 table (all fault entries); level-2 tables
 * are allocated by vcm_pgtable_map() as needed.
 * Return: the table; vcm_err_ptr(-EINVAL) for a NULL @soc;
 * vcm_err_ptr(-ENOMEM) when the host is out of memory, or the SoC has no
 * free 16 KiB block, or the block it gives lies above 4 GiB (the 32-bit
 * format cannot point at it).
 */
VCM_EXPORT struct vcm_pgtable *vcm_pgtable_create(struct vcm_soc *soc);

/**
 * vcm_pgtable_destroy() - free a page table and all its level-2 tables.
 * @pt: the table (NULL or an error pointer is ignored).
 *
 * Mappings still present are dropped; nothing of the table stays allocated
 * in the SoC.  A System MMU still pointing at it will read freed RAM.
 */
VCM_EXPORT void vcm_pgtable_destroy(struct vcm_pgtable *pt);

/**
 * vcm_pgtable_base() - physical address of the level-1 table.
 * @pt: the table.
 *
 * Return: the PA to program into a System MMU (PT_BASE_ADDR); 0 for NULL.
 */
VCM_EXPORT vcm_addr_t vcm_pgtable_base(const struct vcm_pgtable *pt);

/**
 * vcm_pgtable_map() - map a physically contiguous range.
 * @pt: the table.
 * @dva: first device virtual address, 4 KiB-aligned.
 * @pa: first physical address, 4 KiB-aligned.  It need not be RAM: the
 *	hardware raises a bus error on access.
 * @size: bytes, a non-zero multiple of 4 KiB.
 * @prot: VCM_PROT_READ | VCM_PROT_WRITE, or 0 (ignored by this format),
 *	plus VCM_MAP_SUPERSECTION to allow 16 MiB supersections.
 *
 * Each part of the range uses the largest page (16 MiB supersection if
 * @prot allows it, 1 MiB section, 64 KiB large page, 4 KiB small page)
 * that the alignment of the DVA and the PA and the remaining length allow.
 * A supersection is one entry (PA bits 31:24, bit 18 set) written in its
 * 16 level-1 slots.  The TLBs of System MMUs using the table are not
 * touched.  Level-2 tables (1 KiB) are carved from SoC blocks of 1 to 16
 * pages, as large as the tables the call may need, never more pages than
 * one per four tables; a SoC short of large blocks gives smaller ones.
 *
 * Return: 0; -EINVAL for a NULL @pt, an unaligned @dva, @pa or @size, a
 * zero @size, or a DVA or PA range that passes 2^32; -EADDRINUSE if any
 * page of the range is already mapped (nothing is changed); -ENOMEM when
 * the SoC has no page for a level-2 table (what was written is rolled back,
 * nothing is changed).
 */
VCM_EXPORT int vcm_pgtable_map(struct vcm_pgtable *pt, vcm_addr_t dva, vcm_addr_t pa,
			       vcm_size_t size, unsigned prot);

/**
 * vcm_pgtable_unmap() - unmap a DVA range.
 * @pt: the table.
 * @dva: first device virtual address, 4 KiB-aligned.
 * @size: bytes, a non-zero multiple of 4 KiB; @dva + @size <= 2^32.
 *
 * Holes in the range are skipped.  Level-2 tables that become empty are
 * freed; the SoC block they were carved from (1 to 16 pages, see
 * vcm_pgtable_map()) goes back to the SoC's page allocator with its last
 * table.  A range that would cut a supersection, a
 * section or a large page in two changes nothing.  The TLBs of System MMUs using the table are
 * not touched: invalidate them.
 *
 * Return: the bytes that were mapped in the range and are now unmapped;
 * 0 (and no change) if the range would cut a section or large page, if
 * nothing was mapped, or for invalid arguments (NULL @pt, unaligned or
 * zero @size, unaligned @dva, range past 2^32; these also raise a warning).
 */
VCM_EXPORT vcm_size_t vcm_pgtable_unmap(struct vcm_pgtable *pt, vcm_addr_t dva, vcm_size_t size);

/**
 * vcm_pgtable_dva_to_phys() - look a DVA up in the table (software walk).
 * @pt: the table.
 * @dva: any device virtual address below 2^32.
 * @pa: receives the physical address of @dva (page offset included).
 *
 * Return: 0; -EINVAL for a NULL argument or @dva >= 2^32; -ENOENT if
 * @dva is not mapped.
 */
VCM_EXPORT int vcm_pgtable_dva_to_phys(const struct vcm_pgtable *pt, vcm_addr_t dva,
				       vcm_addr_t *pa);

/**
 * vcm_pgtable_dump() - print the mappings of a table.
 * @pt: the table (NULL prints a line saying so).
 * @out: the stream.
 *
 * One line per run of pages of one size with contiguous DVA and PA:
 * "dva 0x00100000-0x001fffff -> pa 0x40000000-0x400fffff  4K x 256",
 * after a header line with the level-1 base; at the end a line with the
 * number of supersections (if there are any) and one with the number of
 * sections, large pages, small pages and level-2 tables.
 */
VCM_EXPORT void vcm_pgtable_dump(const struct vcm_pgtable *pt, FILE *out);

/* ---- the System MMU -------------------------------------------------- */

/**
 * vcm_sysmmu_create() - make a System MMU model in front of a bus master.
 * @soc: the machine whose RAM the MMU reads (tables) and the DMA accesses.
 * @name: a name for messages and dumps (copied; NULL gives "sysmmu").
 *
 * The MMU starts disabled (bypass), with page-table base 0, an empty TLB of
 * VCM_SYSMMU_TLB_DEFAULT_ENTRIES entries, no fault handler and zero stats.
 * Return: the MMU; vcm_err_ptr(-EINVAL) for a NULL @soc;
 * vcm_err_ptr(-ENOMEM).
 */
VCM_EXPORT struct vcm_sysmmu *vcm_sysmmu_create(struct vcm_soc *soc, const char *name);

/**
 * vcm_sysmmu_destroy() - free a System MMU model.
 * @mmu: the MMU (NULL or an error pointer is ignored).
 */
VCM_EXPORT void vcm_sysmmu_destroy(struct vcm_sysmmu *mmu);

/**
 * vcm_sysmmu_enable() - start translating (CTRL = VCM_SYSMMU_CTRL_ENABLE).
 * @mmu: the MMU (NULL: warning, nothing done).
 *
 * The TLB is not invalidated: program the base and flush first, as a
 * driver does.  The page-table base is what it was.
 */
VCM_EXPORT void vcm_sysmmu_enable(struct vcm_sysmmu *mmu);

/**
 * vcm_sysmmu_disable() - stop translating (CTRL = VCM_SYSMMU_CTRL_DISABLE).
 * @mmu: the MMU (NULL: warning, nothing done).
 *
 * A disabled MMU passes DVAs through as PAs.  The TLB keeps its contents.
 */
VCM_EXPORT void vcm_sysmmu_disable(struct vcm_sysmmu *mmu);

/**
 * vcm_sysmmu_set_pgtable_base() - program the level-1 table address.
 * @mmu: the MMU (NULL: warning, nothing done).
 * @pgd_pa: PA of a level-1 table (vcm_pgtable_base()), 16 KiB-aligned and
 *	below 2^32.
 *
 * Like a write of PT_BASE_ADDR.  The register holds 32 bits and the
 * hardware ignores the low 14: other values are truncated that way, with a
 * warning.  The TLB is not invalidated; TLB entries filled under another
 * base count as stale hits when used.
 */
VCM_EXPORT void vcm_sysmmu_set_pgtable_base(struct vcm_sysmmu *mmu, vcm_addr_t pgd_pa);

/**
 * vcm_sysmmu_pgtable_base() - the programmed level-1 table address.
 * @mmu: the MMU.
 *
 * Return: the PT_BASE_ADDR value; 0 for NULL.
 */
VCM_EXPORT vcm_addr_t vcm_sysmmu_pgtable_base(const struct vcm_sysmmu *mmu);

/**
 * vcm_sysmmu_tlb_invalidate() - invalidate the whole TLB (FLUSH).
 * @mmu: the MMU (NULL: warning, nothing done).
 */
VCM_EXPORT void vcm_sysmmu_tlb_invalidate(struct vcm_sysmmu *mmu);

/**
 * vcm_sysmmu_tlb_invalidate_entry() - invalidate the TLB entries of a DVA.
 * @mmu: the MMU (NULL: warning, nothing done).
 * @dva: a DVA; every entry whose page contains it is dropped (FLUSH_ENTRY).
 */
VCM_EXPORT void vcm_sysmmu_tlb_invalidate_entry(struct vcm_sysmmu *mmu, vcm_addr_t dva);

/**
 * vcm_sysmmu_translate() - translate one device access, as the hardware does.
 * @mmu: the MMU.
 * @dva: the device virtual address, below 2^32.
 * @access: VCM_ACCESS_READ or VCM_ACCESS_WRITE.
 * @pa: receives the physical address.
 *
 * Disabled: @pa = @dva.  Enabled: TLB lookup, then on a miss a walk of the
 * table in RAM from the programmed base (at most two 32-bit reads), whose
 * result is cached in the TLB: one entry per page, a 16 MiB supersection
 * included.  A TLB entry that no longer matches the
 * table is still used (a stale hit: counted, and warned about once per TLB
 * fill).  The PA is not accessed, so a PA that is not RAM is returned as
 * is (the DMA functions raise the bus error when they access it); a table
 * that is not RAM is a bus error of the walk.  A fault sets INT_STATUS and
 * its fault address register and, unless INT_MASK masks its type, goes to
 * the handler; if the handler returns 0, the translation is tried once
 * more.  A masked fault fails the access without calling the handler.
 *
 * Return: 0; -EINVAL for a NULL argument, a bad @access or @dva >= 2^32;
 * -EBUSY while CTRL blocks transactions or the MMU holds them after a
 * fault (nothing is translated, no fault); -EFAULT on a fault that the
 * handler did not resolve (or that was masked).
 */
VCM_EXPORT int vcm_sysmmu_translate(struct vcm_sysmmu *mmu, vcm_addr_t dva, unsigned access,
				    vcm_addr_t *pa);

/**
 * vcm_sysmmu_set_fault_handler() - choose who hears about faults.
 * @mmu: the MMU (NULL: warning, nothing done).
 * @fn: the handler, or NULL for none (faults then fail the access).
 * @priv: passed to @fn.
 *
 * A fault the handler does not resolve (or any fault without a handler)
 * is also reported as a warning: see vcm_sysmmu_set_fault_reports().
 */
VCM_EXPORT void vcm_sysmmu_set_fault_handler(struct vcm_sysmmu *mmu, vcm_fault_fn fn,
					     void *priv);

/**
 * enum vcm_dva_owner - what the context behind a System MMU knows of a DVA.
 * @VCM_DVA_UNKNOWN: no context described it (none registered).
 * @VCM_DVA_OUTSIDE_WINDOW: outside the context's DVA window.
 * @VCM_DVA_UNRESERVED: in the window, outside every reservation.
 * @VCM_DVA_UNBOUND: in a reservation that has no phys bound.
 * @VCM_DVA_BOUND: in a reservation with a phys bound.
 */
enum vcm_dva_owner {
	VCM_DVA_UNKNOWN = 0,
	VCM_DVA_OUTSIDE_WINDOW,
	VCM_DVA_UNRESERVED,
	VCM_DVA_UNBOUND,
	VCM_DVA_BOUND,
};

/**
 * struct vcm_dva_desc - a context's description of one DVA.
 * @owner: where the DVA falls.
 * @active: the context is activated (its mappings are in the table).
 * @pgtable_base: PA of the context's level-1 table (0: none).
 * @res_start: the reservation holding the DVA (VCM_DVA_UNBOUND, _BOUND).
 * @res_size: its size.
 * @context: a short name of the context, e.g. "iommu fimc0 0x20000000+0x10000000".
 * @vcm: the context itself (NULL if the describer does not say), for
 *	vcm_explain_sysmmu().
 * @unmap_call: for a DVA not bound now, the call that last unbound a
 *	reservation covering it ("vcm_unmap", ...; NULL: none recently), and
 *	@unmap_start, @unmap_size the reservation it unbound.
 */
struct vcm_dva_desc {
	enum vcm_dva_owner owner;
	bool active;
	vcm_addr_t pgtable_base;
	vcm_addr_t res_start;
	vcm_size_t res_size;
	char context[80];
	struct vcm *vcm;
	const char *unmap_call;
	vcm_addr_t unmap_start;
	vcm_size_t unmap_size;
};

/**
 * typedef vcm_dva_describe_fn - a context's describer of DVAs.
 * @dva: the DVA.
 * @d: to fill (zeroed before the call).
 * @priv: the pointer given to vcm_sysmmu_set_describer().
 *
 * Called for fault reports, without any System MMU lock held.
 */
typedef void (*vcm_dva_describe_fn)(vcm_addr_t dva, struct vcm_dva_desc *d, void *priv);

/**
 * vcm_sysmmu_set_describer() - say who can describe the DVAs of a System MMU.
 * @mmu: the MMU (NULL: warning, nothing done).
 * @fn: the describer, or NULL for none.
 * @priv: passed to @fn.
 *
 * The System MMU model knows nothing of contexts; the context that owns the
 * System MMU (vcm_iommu_create(), the S5P layer: they do this themselves)
 * registers a describer so that fault reports can say whether a faulting
 * DVA is outside every reservation, in an unbound one, or mapped while the
 * context is inactive.  One describer per System MMU; the last one set wins.
 */
VCM_EXPORT void vcm_sysmmu_set_describer(struct vcm_sysmmu *mmu, vcm_dva_describe_fn fn,
					 void *priv);

/**
 * vcm_sysmmu_set_fault_reports() - turn fault reports of one System MMU on or off.
 * @mmu: the MMU (NULL: warning, nothing done).
 * @on: false silences them; true (the default) restores them.
 *
 * A fault that ends an access with -EFAULT (no handler, or the handler did
 * not resolve it) is reported once through the warning channel
 * (vcm_set_warn_handler(), counted by vcm_warn_count()): the device, the
 * access, the fault type, the DVA, the page-table base, the level-1 and
 * level-2 entries read raw, what the context says of the DVA, and a line
 * "likely cause: ...".  Reports are rate-limited per System MMU: at most
 * VCM_FAULT_REPORT_BURST in VCM_FAULT_REPORT_INTERVAL_S seconds; the next
 * report after a quiet spell says how many were suppressed.
 */
VCM_EXPORT void vcm_sysmmu_set_fault_reports(struct vcm_sysmmu *mmu, bool on);

/* The rate limit of fault reports, per System MMU. */
#define VCM_FAULT_REPORT_BURST		10
#define VCM_FAULT_REPORT_INTERVAL_S	5

/**
 * vcm_sysmmu_inject_fault() - raise a fault as if an access had caused it.
 * @mmu: the MMU.
 * @f: the fault to raise; any type, including the security and protection
 *	faults the model never raises by itself.
 *
 * The fault goes the way of a real one: INT_STATUS bit, fault address
 * register, statistics, INT_MASK, the fault hold, handler.  For testing
 * drivers' fault paths.
 * Return: the handler's return value (-EFAULT without a handler or when
 * INT_MASK masks the type); -EINVAL for a NULL argument, a bad access or
 * type.
 */
VCM_EXPORT int vcm_sysmmu_inject_fault(struct vcm_sysmmu *mmu, const struct vcm_fault *f);

/**
 * vcm_sysmmu_set_fault_hold() - hold transactions after a fault, as the hardware does.
 * @mmu: the MMU (NULL: warning, nothing done).
 * @on: true: hold; false (the default): do not, and let go of a hold.
 *
 * The System MMU v3 stops (blocks) its bus master at a fault until the
 * interrupt handler writes CTRL.  With the hold on, the model does the
 * same: from a fault whose type INT_MASK does not mask, STATUS reads
 * VCM_SYSMMU_STATUS_BLOCKED and every translation and DMA of this MMU
 * returns -EBUSY (counted in @blocked) until CTRL is written (the register,
 * vcm_sysmmu_enable() or vcm_sysmmu_disable()).  The model lets go by
 * itself in exactly two cases: the fault handler returns 0 (retry: the
 * access is retried at once, as after the kernel's handler unblocked),
 * and vcm_sysmmu_set_fault_hold(@mmu, false).  A handler that fails the
 * access, or no handler, leaves the MMU held; a masked fault does not hold.
 * Off, faults end the access and the next one proceeds (libvcm's behaviour
 * before the hold existed).
 */
VCM_EXPORT void vcm_sysmmu_set_fault_hold(struct vcm_sysmmu *mmu, bool on);

/**
 * vcm_sysmmu_get_stats() - read the event counters.
 * @mmu: the MMU.
 * @st: receives a snapshot whose sums hold (zeroed for a NULL @mmu); TLB
 *	hits other threads make during the call may or may not be in it.
 */
VCM_EXPORT void vcm_sysmmu_get_stats(const struct vcm_sysmmu *mmu, struct vcm_sysmmu_stats *st);

/**
 * vcm_sysmmu_set_tlb_entries() - resize the TLB.
 * @mmu: the MMU.
 * @entries: 1..VCM_SYSMMU_TLB_MAX_ENTRIES.
 *
 * The TLB is emptied.  Replacement is first-in first-out.  Not while
 * another thread uses @mmu (the lock-free TLB hit reads the TLB's memory).
 * Return: 0; -EINVAL for a NULL @mmu or @entries out of range; -ENOMEM.
 */
VCM_EXPORT int vcm_sysmmu_set_tlb_entries(struct vcm_sysmmu *mmu, unsigned entries);

/**
 * vcm_sysmmu_readl() - read a register of the System MMU v3 block.
 * @mmu: the MMU.
 * @offset: a VCM_SYSMMU_* register offset.
 *
 * Write-only registers (FLUSH, FLUSH_ENTRY, INT_CLEAR) read 0.  Unknown or
 * unaligned offsets read 0, with a warning.  STATUS reads BLOCKED while CTRL
 * or a fault hold blocks; DEFAULT_SLAVE_ADDR the DVA of the last bus error
 * (a walk or an access that reached no RAM; when bypassing, DVA == PA), the
 * register Linux's exynos-iommu reads a bus error's address from; TLB_DATA
 * the TLB word TLB_READ selects (VCM_SYSMMU_TLB_READ_*).
 * Return: the register value; 0 (and a warning) for a NULL @mmu.
 */
VCM_EXPORT uint32_t vcm_sysmmu_readl(struct vcm_sysmmu *mmu, unsigned offset);

/**
 * vcm_sysmmu_writel() - write a register of the System MMU v3 block.
 * @mmu: the MMU.
 * @offset: a VCM_SYSMMU_* register offset.
 * @val: the value.
 *
 * CTRL: bit VCM_SYSMMU_CTRL_MMU_EN enables translation, with
 * VCM_SYSMMU_CTRL_BLOCK also set the MMU holds transactions (STATUS reads
 * BLOCKED; DMA and translation return -EBUSY); any write of CTRL ends a
 * hold after a fault.  FLUSH invalidates the TLB; FLUSH_ENTRY the entries
 * of the DVA written; INT_CLEAR clears the INT_STATUS bits written, and a
 * fault address register (DEFAULT_SLAVE_ADDR included) whose faults are all
 * cleared reads 0 again.  INT_MASK: a set bit (VCM_SYSMMU_INT_BIT()) masks
 * that fault type: it is still recorded (INT_STATUS, address, statistics)
 * but calls no handler and holds nothing.  CFG is stored;
 * DEFAULT_SLAVE_ADDR is stored until the next bus error; TLB_READ selects
 * what TLB_DATA reads.  PB0_SADDR..PB1_EADDR (which exynos-iommu programs
 * when VERSION reads 3) are stored and read back: the model has no
 * prefetch buffer (on hardware it changes timing only), so they do not
 * change any translation.
 * Writes to read-only, unknown or unaligned offsets are ignored with a
 * warning, as is a NULL @mmu.
 */
VCM_EXPORT void vcm_sysmmu_writel(struct vcm_sysmmu *mmu, unsigned offset, uint32_t val);

/**
 * vcm_sysmmu_dump() - print the state of a System MMU.
 * @mmu: the MMU (NULL prints a line saying so).
 * @out: the stream.
 *
 * The registers, the valid TLB entries (DVA range, PA, page size, cached
 * entry, and whether it is stale) and the statistics.
 */
VCM_EXPORT void vcm_sysmmu_dump(const struct vcm_sysmmu *mmu, FILE *out);

/* ---- device DMA ------------------------------------------------------ */

/**
 * vcm_dma_read() - a device read through its System MMU into host memory.
 * @mmu: the System MMU of the device.
 * @dva: first device virtual address.
 * @dst: the host buffer receiving the bytes.
 * @len: bytes; @dva + @len must not pass 2^32.
 *
 * The range is translated page by page (a section or large page once);
 * the bytes are copied per contiguous run of host memory.  At the first
 * fault the handler is called (a return of 0 retries that page once) and
 * the transfer stops: the bytes before the faulting page may already be in
 * @dst, no byte of unmapped memory is read, and no byte of @dst past the
 * bytes read is written.
 * Return: 0; -EINVAL for a NULL @mmu or @dst, or a range past 2^32; -EBUSY
 * while the MMU is blocked; -EFAULT on a fault.  A @len of 0 returns 0.
 */
VCM_EXPORT int vcm_dma_read(struct vcm_sysmmu *mmu, vcm_addr_t dva, void *dst, size_t len);

/**
 * vcm_dma_write() - a device write from host memory through its System MMU.
 * @mmu: the System MMU of the device.
 * @dva: first device virtual address.
 * @src: the host buffer holding the bytes.
 * @len: bytes; @dva + @len must not pass 2^32.
 *
 * As vcm_dma_read(): at the first fault the transfer stops; the pages
 * before it are written, no byte outside mapped memory is.
 * Return: 0; -EINVAL; -EBUSY; -EFAULT (see vcm_dma_read()).
 */
VCM_EXPORT int vcm_dma_write(struct vcm_sysmmu *mmu, vcm_addr_t dva, const void *src,
			     size_t len);

/**
 * vcm_dma_copy() - a device copy from one DVA range to another.
 * @dst_mmu: the System MMU the writes go through.
 * @dst_dva: first destination DVA.
 * @src_mmu: the System MMU the reads go through (may be @dst_mmu).
 * @src_dva: first source DVA.
 * @len: bytes; neither range may pass 2^32.
 *
 * Both sides are translated page by page; each step copies the largest
 * run that is contiguous in host memory on both sides.  Overlapping
 * ranges copy as memmove() would per run.  At the first fault (read side
 * first) the copy stops as in vcm_dma_read().
 * Return: 0; -EINVAL for a NULL MMU or a range past 2^32; -EBUSY; -EFAULT.
 */
VCM_EXPORT int vcm_dma_copy(struct vcm_sysmmu *dst_mmu, vcm_addr_t dst_dva,
			    struct vcm_sysmmu *src_mmu, vcm_addr_t src_dva, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VCM_SYSMMU_H */
