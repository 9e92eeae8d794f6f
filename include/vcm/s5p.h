/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/s5p.h> - the Samsung S5P/Exynos platform layer, as the S5P kernels
 * that used VCM had it: one Exynos page table shared by all devices, each
 * device's context a window of the 4 GiB DVA space of that table.
 *
 * vcm_create_unified() gives a device id a window of whole MiB, placed
 * first-fit in [1 MiB, 0xFFF00000): DVA 0..1 MiB is never handed out, so a
 * device that DMAs through a NULL DVA faults.  Windows never overlap.
 * Each context is an MMU-wrapper context (see struct vcm_mmu in
 * <vcm/vcm-drv.h>) using 1 MiB, 64 KiB and 4 KiB pages in the shared table.
 *
 * Each device id has a simulated System MMU, s5p_sysmmu_get(id).  What the
 * platform's sysmmu driver did is done through the callbacks of struct
 * s5p_vcm_driver; a callback left NULL is done by the library on the
 * device's System MMU model instead:
 * - first activation (vcm_activate(), s5p_vcm_turn_on()): the bound
 *   reservations are mapped into the shared table, then
 *   pgd_base_specifier(id, base) (NULL: program the table base into the
 *   model), then tlb_invalidator(id) (NULL: invalidate the model's whole
 *   TLB); with no pgd_base_specifier the model is then enabled;
 * - every unbind or unmap while active: the pages leave the table, then
 *   tlb_invalidator(id) (NULL: the model's TLB is invalidated entry by entry
 *   for up to VCM_IOMMU_FLUSH_ENTRY_MAX pages, whole beyond), before the
 *   call returns;
 * - last deactivation: each bound reservation is unmapped as above; with no
 *   pgd_base_specifier the model is then disabled.
 * Only the device's own TLB is invalidated: as on the platform, the shared
 * table does not stop a device from reaching another device's window if it
 * issues those DVAs (and it may then keep their translations cached).
 *
 * The shared state (the table, the windows, the System MMU models) is made
 * on first use, on the SoC that is current then (vcm_soc_current()); the
 * contexts' physical memory comes from that SoC too.  It is released when
 * the last unified context is destroyed, and at process exit (contexts
 * still alive then are destroyed).  While no unified context exists, the
 * state follows the current SoC: models made by s5p_sysmmu_get() for a SoC
 * that is no longer current are dropped at the next call.  Destroy every
 * unified context before destroying their SoC.
 *
 * Thread safety: every function may be called from several threads; the
 * shared state is protected by one lock.  The contexts follow the rules of
 * <vcm/vcm.h>: in particular a context must not be destroyed while another
 * thread still uses it, and that includes s5p_vcm_dump(), which reads every
 * context.  Callbacks are called with the context's lock held, or from
 * vcm_set_pgtable_base() with no lock held; they must not call back into
 * the VCM API on the same context.
 */
#ifndef VCM_S5P_H
#define VCM_S5P_H

#include <stdio.h>
#include <vcm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vcm;
struct vcm_phys;
struct vcm_res;
struct vcm_sysmmu;

/**
 * enum vcm_dev_id - the bus masters behind a System MMU on the S5PV310.
 * @VCM_DEV_NONE: no device (an invalid id).
 * @VCM_DEV_MDMA: memory DMA.
 * @VCM_DEV_SSS: security subsystem.
 * @VCM_DEV_FIMC0: camera interface 0 (and 1..3 below).
 * @VCM_DEV_FIMC1: camera interface 1.
 * @VCM_DEV_FIMC2: camera interface 2.
 * @VCM_DEV_FIMC3: camera interface 3.
 * @VCM_DEV_JPEG: JPEG codec.
 * @VCM_DEV_FIMD0: display controller 0.
 * @VCM_DEV_FIMD1: display controller 1.
 * @VCM_DEV_PCIe: PCI Express.
 * @VCM_DEV_G2D: 2D graphics.
 * @VCM_DEV_ROTATOR: rotator.
 * @VCM_DEV_MDMA2: memory DMA 2.
 * @VCM_DEV_TV: TV output.
 * @VCM_DEV_MFC: multi-format codec.
 * @VCM_DEV_NUM: the number of ids.
 */
enum vcm_dev_id {
	VCM_DEV_NONE = -1,
	VCM_DEV_MDMA = 0,
	VCM_DEV_SSS,
	VCM_DEV_FIMC0,
	VCM_DEV_FIMC1,
	VCM_DEV_FIMC2,
	VCM_DEV_FIMC3,
	VCM_DEV_JPEG,
	VCM_DEV_FIMD0,
	VCM_DEV_FIMD1,
	VCM_DEV_PCIe,
	VCM_DEV_G2D,
	VCM_DEV_ROTATOR,
	VCM_DEV_MDMA2,
	VCM_DEV_TV,
	VCM_DEV_MFC,
	VCM_DEV_NUM
};

/** S5P_VCM_WINDOW_SIZE - the unit and alignment of device windows: 1 MiB. */
#define S5P_VCM_WINDOW_SIZE ((vcm_size_t)1 << 20)
/** S5P_VCM_DVA_START - the first DVA a window can start at. */
#define S5P_VCM_DVA_START S5P_VCM_WINDOW_SIZE
/**
 * S5P_VCM_DVA_END - the end of the DVA windows are given from: 0xFFF00000,
 * as the shipped layer's pool of [1 MiB, 0xFFF00000), handed out first
 * fit.
 */
#define S5P_VCM_DVA_END ((vcm_addr_t)0xFFF00000)

struct device;

/**
 * struct vcm_cma_alloc - how the S5P drivers described a contiguous (CMA)
 * region to allocate from.
 * @dev: the device the region belongs to.
 * @type: the region's name.
 * @alignment: the alignment asked for.
 *
 * libvcm does not use it; it is here so that driver code that passes one
 * around compiles.
 */
struct vcm_cma_alloc {
	struct device *dev;
	char *type;
	vcm_addr_t alignment;
};

/**
 * struct s5p_vcm_driver - what a platform's sysmmu driver does for a device.
 * @tlb_invalidator: invalidate the device's TLB (whole); NULL: the library
 *	invalidates the model's TLB.
 * @pgd_base_specifier: program the shared table's physical address @base
 *	into the device's System MMU (and turn it on); NULL: the library
 *	programs and enables the model.
 * @phys_alloc: return the physical address of @size (page-rounded)
 *	physically contiguous, page-aligned bytes, or a negative errno cast
 *	to the address type (IS_ERR_VALUE(), as the shipped layer tested)
 *	when there is none; @flags are vcm_alloc()'s.  NULL: the library
 *	allocates from the SoC with vcm_phys_alloc() (1 MiB, 64 KiB and
 *	4 KiB pages).
 * @phys_free: becomes the free function of a phys made from @phys_alloc
 *	(one part: its start and size), called by vcm_free(): it gives the
 *	memory back and frees the structure with free(), as the kernel's
 *	did with kfree().  NULL: only the structure is freed.
 */
struct s5p_vcm_driver {
	void (*tlb_invalidator)(enum vcm_dev_id id);
	void (*pgd_base_specifier)(enum vcm_dev_id id, unsigned long base);
	vcm_addr_t (*phys_alloc)(vcm_size_t size, unsigned flags);
	void (*phys_free)(struct vcm_phys *phys);
};

/**
 * vcm_create_unified() - make a device's context in the shared table.
 * @size: bytes of DVA the device needs, a whole number of pages; rounded
 *	up to S5P_VCM_WINDOW_SIZE.
 * @id: the device.
 * @driver: the callbacks (copied), or NULL for none.
 *
 * Return: the context, with start and size set to its window; destroy it
 * with vcm_destroy(), which frees the window and the id.
 * vcm_err_ptr(-EINVAL) for a bad @id, a @size of 0 or one larger than
 * S5P_VCM_DVA_END, and with a warning for a @size that is not a whole
 * number of pages (the shipped layer refused it); -EEXIST if @id already has a context; -ENOSPC when no
 * free window is that large; -ENOMEM; -ENODEV, with a warning, if the SoC
 * of the live unified contexts was destroyed (destroy them first: then the
 * layer follows the current SoC again).
 */
VCM_EXPORT struct vcm *vcm_create_unified(vcm_size_t size, enum vcm_dev_id id,
					  const struct s5p_vcm_driver *driver);

/**
 * vcm_find_vcm() - the context of a device.
 * @id: the device.
 *
 * Return: the context vcm_create_unified() made for @id; NULL for a bad
 * @id or a device without a context (as the shipped layer).
 */
VCM_EXPORT struct vcm *vcm_find_vcm(enum vcm_dev_id id);

/**
 * enum S5PVCM_RESCHECK - where a reservation lies, seen from a context.
 * @S5PVCM_RES_NOT_IN_VCM: not in the shared address space at all (another
 *	kind of context), or a bad argument.
 * @S5PVCM_RES_IN_VCM: in the context itself.
 * @S5PVCM_RES_IN_ADDRSPACE: in the shared table, but in another device's
 *	window.
 */
enum S5PVCM_RESCHECK {
	S5PVCM_RES_NOT_IN_VCM = 0,
	S5PVCM_RES_IN_VCM,
	S5PVCM_RES_IN_ADDRSPACE
};

/**
 * vcm_reservation_in_vcm() - tell where a reservation lies.
 * @vcm: a context.
 * @res: a reservation.
 *
 * As the shipped layer, when @res lies in another device's window the TLB
 * of @vcm's device is invalidated (its tlb_invalidator callback, or the
 * library on its System MMU models), since that device is about to use a
 * mapping another context made.
 *
 * Return: S5PVCM_RES_IN_VCM if @res is a reservation of @vcm;
 * S5PVCM_RES_IN_ADDRSPACE if @vcm and the context of @res are two unified
 * contexts; S5PVCM_RES_NOT_IN_VCM otherwise, and with a warning for NULL
 * or error pointers.
 */
VCM_EXPORT enum S5PVCM_RESCHECK vcm_reservation_in_vcm(struct vcm *vcm, struct vcm_res *res);

/**
 * vcm_set_pgtable_base() - program the shared table into a device again.
 * @id: the device (after its System MMU lost its state, e.g. a power-gate).
 *
 * Calls the context's pgd_base_specifier(id, base), or without one programs
 * the base into the model and invalidates its TLB.  A bad @id, or an @id
 * without a context: warning, nothing done.
 */
VCM_EXPORT void vcm_set_pgtable_base(enum vcm_dev_id id);

/**
 * s5p_vcm_turn_on() - vcm_activate(), as the S5P drivers called it.
 * @vcm: the context; an error of vcm_activate() raises a warning.
 */
VCM_EXPORT void s5p_vcm_turn_on(struct vcm *vcm);

/**
 * s5p_vcm_turn_off() - vcm_deactivate().
 * @vcm: the context.
 */
VCM_EXPORT void s5p_vcm_turn_off(struct vcm *vcm);

/**
 * s5p_sysmmu_get() - a device's simulated System MMU.
 * @id: the device.
 *
 * Made on first use, named "s5p-sysmmu-<device>" (e.g. "s5p-sysmmu-fimc0"),
 * on the shared state's SoC; the device's DMA goes through it (see
 * vcm_dma_read()).  It lives as long as the shared state: until the last
 * unified context is destroyed, or, while there is none, until the current
 * SoC changes or is destroyed; at the latest until the process exits.  A
 * model is never found through another SoC than its own.
 * Return: the System MMU; vcm_err_ptr(-EINVAL) for a bad @id; -ENOMEM;
 * -ENODEV, with a warning, as vcm_create_unified().
 */
VCM_EXPORT struct vcm_sysmmu *s5p_sysmmu_get(enum vcm_dev_id id);

/**
 * enum sysmmu_ips - the System MMU instances of the S5PV310/Exynos4210, as
 * the platform's <plat/sysmmu.h> numbers them.
 * @SYSMMU_MDMA: memory DMA.
 * @SYSMMU_SSS: security subsystem.
 * @SYSMMU_FIMC0: camera interface 0.
 * @SYSMMU_FIMC1: camera interface 1.
 * @SYSMMU_FIMC2: camera interface 2.
 * @SYSMMU_FIMC3: camera interface 3.
 * @SYSMMU_JPEG: JPEG codec.
 * @SYSMMU_FIMD0: display controller 0.
 * @SYSMMU_FIMD1: display controller 1.
 * @SYSMMU_PCIe: PCI Express.
 * @SYSMMU_G2D: 2D graphics.
 * @SYSMMU_ROTATOR: rotator.
 * @SYSMMU_MDMA2: second memory DMA.
 * @SYSMMU_TV: TV output.
 * @SYSMMU_MFC_L: the video codec's first (left) bus port.
 * @SYSMMU_MFC_R: the video codec's second (right) bus port.
 *
 * Instance N < 14 sits in front of device N of enum vcm_dev_id; the codec
 * (VCM_DEV_MFC) has two, SYSMMU_MFC_L and SYSMMU_MFC_R, and the S5P layer
 * programs, enables and invalidates both for it.
 */
enum sysmmu_ips {
	SYSMMU_MDMA = 0,
	SYSMMU_SSS = 1,
	SYSMMU_FIMC0 = 2,
	SYSMMU_FIMC1 = 3,
	SYSMMU_FIMC2 = 4,
	SYSMMU_FIMC3 = 5,
	SYSMMU_JPEG = 6,
	SYSMMU_FIMD0 = 7,
	SYSMMU_FIMD1 = 8,
	SYSMMU_PCIe = 9,
	SYSMMU_G2D = 10,
	SYSMMU_ROTATOR = 11,
	SYSMMU_MDMA2 = 12,
	SYSMMU_TV = 13,
	SYSMMU_MFC_L = 14,
	SYSMMU_MFC_R = 15,
};

/** typedef sysmmu_ips - enum sysmmu_ips, by the platform's type name. */
typedef enum sysmmu_ips sysmmu_ips;

/** S5P_SYSMMU_TOTAL_IPNUM - the number of System MMU instances (16). */
#define S5P_SYSMMU_TOTAL_IPNUM 16

/**
 * s5p_sysmmu_ip() - the simulated System MMU of one instance.
 * @ips: the instance.
 *
 * The same models as s5p_sysmmu_get() (s5p_sysmmu_ip(SYSMMU_MFC_L) is
 * s5p_sysmmu_get(VCM_DEV_MFC)), made on first use with the same lifetime;
 * SYSMMU_MFC_R is named "s5p-sysmmu-mfc_r".
 * Return: the System MMU; vcm_err_ptr(-EINVAL) for a bad @ips; -ENOMEM;
 * -ENODEV as s5p_sysmmu_get().
 */
VCM_EXPORT struct vcm_sysmmu *s5p_sysmmu_ip(sysmmu_ips ips);

/**
 * s5p_sysmmu_on() - what the platform's sysmmu_on() does: turn an instance on.
 * @ips: the instance.
 *
 * Programs the shared table's base (when a unified context made it), sets
 * the LRU replacement policy in CFG and enables translation and the fault
 * interrupt in CTRL, through the register view.  It also turns the model's
 * fault hold on (vcm_sysmmu_set_fault_hold()), as the hardware behaved under
 * the shipped driver: its interrupt handler cleared INT_STATUS but never
 * unblocked, so after a fault the instance answers -EBUSY until CTRL is
 * written again (sysmmu_tlb_invalidate(), sysmmu_on() or sysmmu_off()).
 * Return: 0; -EINVAL for a bad @ips; -ENOMEM if the model cannot be made;
 * -ENODEV as s5p_sysmmu_get().
 */
VCM_EXPORT int s5p_sysmmu_on(sysmmu_ips ips);

/**
 * s5p_sysmmu_off() - what the platform's sysmmu_off() does: translation off.
 * @ips: the instance.
 *
 * Clears the enable bit of CTRL: the device's addresses pass through as
 * physical addresses again.
 * Return: 0; -EINVAL for a bad @ips; -ENOMEM if the model cannot be made.
 */
VCM_EXPORT int s5p_sysmmu_off(sysmmu_ips ips);

/**
 * s5p_sysmmu_set_tablebase_pgd() - program a page-table base and flush.
 * @ips: the instance.
 * @pgd: the physical address of a level-1 table.
 *
 * Writes PT_BASE_ADDR, then invalidates the TLB as s5p_sysmmu_tlb_invalidate().
 * Return: 0; -EINVAL for a bad @ips; -ENOMEM if the model cannot be made.
 */
VCM_EXPORT int s5p_sysmmu_set_tablebase_pgd(sysmmu_ips ips, unsigned long pgd);

/**
 * s5p_sysmmu_tlb_invalidate() - invalidate an instance's whole TLB.
 * @ips: the instance.
 *
 * Blocks the MMU through CTRL, writes FLUSH, unblocks it, as the platform
 * driver did.
 * Return: 0; -EINVAL for a bad @ips; -ENOMEM if the model cannot be made.
 */
VCM_EXPORT int s5p_sysmmu_tlb_invalidate(sysmmu_ips ips);

/**
 * s5p_vcm_dump() - print who maps what in the shared table.
 * @out: the stream.
 *
 * A header with the shared table's base and the number of contexts, then
 * per device with a context: its window, whether it is active and how its
 * System MMU is programmed, then one line per reservation, in DVA order:
 * its range, the bound phys (size, parts, first physical address) or
 * "unbound", and the pages the mapping uses (1M, 64K, 4K counts; "pages on
 * activation" while the context is inactive and so not in the table).
 */
VCM_EXPORT void s5p_vcm_dump(FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* VCM_S5P_H */
