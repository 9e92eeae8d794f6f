/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * s5p.c - the S5P platform layer: one Exynos page table shared by every
 * device, each device's context an MMU-wrapper context over a window of
 * whole MiB in it, and the device's System MMU (a model, or the platform
 * callbacks) programmed on activation and invalidated on unmap.
 *
 * Locking (see the lock order at the top of internal.h): the global lock
 * (s5p.lock) guards the shared state; it comes after a context's
 * ownership and before its bookkeeping mutex.  Context ops run owning the
 * context and call the platform callbacks with no lock held (a callback may
 * call s5p_sysmmu_get(), vcm_find_vcm(), s5p_vcm_dump(), ...).
 * s5p_vcm_dump() takes the global lock, then each context's bookkeeping
 * mutex (never its ownership).  A context leaves the shared state in its
 * release hook, run by vcm_destroy() before the context's core goes, so a
 * context found under the global lock always has its core.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <vcm/s5p.h>

#include "internal.h"
#include "iommu.h"
#include "mmu.h"
#include "phys.h"
#include "sysmmu-internal.h"
#include "vcm-internal.h"
#include "trace.h"

/* Windows are counted in units of S5P_VCM_WINDOW_SIZE. */
#define S5P_UNIT_SHIFT		20
#define S5P_FIRST_UNIT		((unsigned)(S5P_VCM_DVA_START >> S5P_UNIT_SHIFT))
#define S5P_NR_UNITS		((unsigned)(S5P_VCM_DVA_END >> S5P_UNIT_SHIFT))
#define S5P_SYSMMU_NAME_PREFIX	"s5p-sysmmu-"
#define S5P_SYSMMU_NAME_MAX	32

/* Each device's instance is the one of the same number (SYSMMU_MFC_L for
 * the codec); the codec has a second, SYSMMU_MFC_R. */
#define S5P_DEV_SECOND_IPS(id)	((id) == VCM_DEV_MFC ? SYSMMU_MFC_R : SYSMMU_MDMA)

static const char *const s5p_ips_names[S5P_SYSMMU_TOTAL_IPNUM] = {
	[SYSMMU_MDMA] = "mdma",		[SYSMMU_SSS] = "sss",
	[SYSMMU_FIMC0] = "fimc0",	[SYSMMU_FIMC1] = "fimc1",
	[SYSMMU_FIMC2] = "fimc2",	[SYSMMU_FIMC3] = "fimc3",
	[SYSMMU_JPEG] = "jpeg",		[SYSMMU_FIMD0] = "fimd0",
	[SYSMMU_FIMD1] = "fimd1",	[SYSMMU_PCIe] = "pcie",
	[SYSMMU_G2D] = "g2d",		[SYSMMU_ROTATOR] = "rotator",
	[SYSMMU_MDMA2] = "mdma2",	[SYSMMU_TV] = "tv",
	[SYSMMU_MFC_L] = "mfc",		[SYSMMU_MFC_R] = "mfc_r",
};

static const char *const s5p_dev_names[VCM_DEV_NUM] = {
	[VCM_DEV_MDMA] = "mdma",	[VCM_DEV_SSS] = "sss",
	[VCM_DEV_FIMC0] = "fimc0",	[VCM_DEV_FIMC1] = "fimc1",
	[VCM_DEV_FIMC2] = "fimc2",	[VCM_DEV_FIMC3] = "fimc3",
	[VCM_DEV_JPEG] = "jpeg",	[VCM_DEV_FIMD0] = "fimd0",
	[VCM_DEV_FIMD1] = "fimd1",	[VCM_DEV_PCIe] = "pcie",
	[VCM_DEV_G2D] = "g2d",		[VCM_DEV_ROTATOR] = "rotator",
	[VCM_DEV_MDMA2] = "mdma2",	[VCM_DEV_TV] = "tv",
	[VCM_DEV_MFC] = "mfc",
};

/*
 * struct s5p_vcm - a device's unified context.
 * @mmu: the MMU wrapper's part (first: the wrapper hands us &mmu.vcm).
 * @ops: the wrapper's struct vcm_driver, with activate/deactivate wrapped
 *       and, with a phys_alloc callback, phys replaced.
 * @id: the device.
 * @cb: the callbacks (all NULL when none were given).
 * @sysmmu: the device's System MMU model.
 * @sysmmu2: the device's second System MMU model (the codec's), or NULL.
 * @on: the context's last activation reached the hardware (it owns
 *      @sysmmu); false after a failed one, which the kernel still counts.
 * @pt: the shared table.
 * @first_unit: first unit of the window.
 * @nr_units: units in the window.
 */
struct s5p_vcm {
	struct vcm_mmu mmu;
	struct vcm_driver ops;
	enum vcm_dev_id id;
	struct s5p_vcm_driver cb;
	struct vcm_sysmmu *sysmmu;
	struct vcm_sysmmu *sysmmu2;
	bool on;
	struct vcm_pgtable *pt;
	unsigned first_unit;
	unsigned nr_units;
};

/*
 * The shared state.
 * @soc: the SoC of the table, the models and the memory; NULL: none yet.
 * @pt: the shared table; made with the first context.
 * @dev: each id's context.
 * @sysmmu: each instance's System MMU model, made on first use.
 * @nr_dev: contexts alive.
 */
static struct {
	pthread_mutex_t lock;
	struct vcm_soc *soc;
	struct vcm_pgtable *pt;
	struct s5p_vcm *dev[VCM_DEV_NUM];
	struct vcm_sysmmu *sysmmu[S5P_SYSMMU_TOTAL_IPNUM];
	unsigned nr_dev;
} s5p = { .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t s5p_exit_once = PTHREAD_ONCE_INIT;

static inline struct s5p_vcm *to_s5p(struct vcm *vcm)
{
	return VCM_CONTAINER_OF(vcm_to_mmu(vcm), struct s5p_vcm, mmu);
}

static bool id_valid(enum vcm_dev_id id)
{
	return id > VCM_DEV_NONE && id < VCM_DEV_NUM;
}

/* ---- shared state (global lock held) ----------------------------------- */

static void s5p_exit(void);

static void register_exit(void)
{
	atexit(s5p_exit);
}

/*
 * The SoC of the shared state, chosen on first use and held (see
 * vcm_soc_hold()) until the state is released: the pointer stays that
 * SoC's while the state lives, even if it is destroyed meanwhile, so no
 * new SoC is ever mistaken for it.
 */
static struct vcm_soc *state_soc(void)
{
	if (!s5p.soc) {
		/* atexit, not a destructor: it runs before the SoC's destructor. */
		pthread_once(&s5p_exit_once, register_exit);
		s5p.soc = vcm_soc_current();
		vcm_soc_hold(s5p.soc);
	}
	return s5p.soc;
}

/* True if the state's SoC was destroyed (its contexts may still live). */
static bool state_soc_dead_locked(void)
{
	return s5p.soc && !vcm_reg_live(s5p.soc, VCM_KIND_SOC);
}

/*
 * A SoC destroyed under live unified contexts: until they are destroyed
 * too, nothing new is made or found through the state (warned, true).
 */
static bool state_dead_locked(const char *fn)
{
	if (!state_soc_dead_locked())
		return false;
	vcm_warn("%s: the SoC of the S5P layer was destroyed while %u unified context(s) "
		 "of it live; destroy them first", fn, s5p.nr_dev);
	return true;
}

static bool ips_valid(sysmmu_ips ips)
{
	return (unsigned)ips < S5P_SYSMMU_TOTAL_IPNUM;
}

static struct vcm_sysmmu *sysmmu_get_locked(sysmmu_ips ips)
{
	char name[S5P_SYSMMU_NAME_MAX];
	struct vcm_sysmmu *mmu;

	if (s5p.sysmmu[ips])
		return s5p.sysmmu[ips];
	snprintf(name, sizeof(name), S5P_SYSMMU_NAME_PREFIX "%s", s5p_ips_names[ips]);
	mmu = vcm_sysmmu_create(state_soc(), name);
	if (!vcm_is_err(mmu))
		s5p.sysmmu[ips] = mmu;
	return mmu;
}

/* The models device @id needs: its own, and the codec's second one. */
static int dev_sysmmus_get_locked(enum vcm_dev_id id)
{
	struct vcm_sysmmu *mmu = sysmmu_get_locked((sysmmu_ips)id);

	if (!vcm_is_err(mmu) && S5P_DEV_SECOND_IPS(id) != SYSMMU_MDMA)
		mmu = sysmmu_get_locked(S5P_DEV_SECOND_IPS(id));
	return vcm_is_err(mmu) ? (int)vcm_ptr_err(mmu) : 0;
}

static int pgtable_get_locked(void)
{
	struct vcm_pgtable *pt;

	if (s5p.pt)
		return 0;
	pt = vcm_pgtable_create(state_soc());
	if (vcm_is_err(pt))
		return (int)vcm_ptr_err(pt);
	s5p.pt = pt;
	return 0;
}

/*
 * A table no context uses (the first creation failed after making it) goes
 * back to the SoC at once: nothing of a failed call stays allocated there,
 * and the SoC may be destroyed before the state is next synchronised.
 */
static void pgtable_put_unused_locked(void)
{
	if (!s5p.nr_dev && s5p.pt) {
		vcm_pgtable_destroy(s5p.pt);
		s5p.pt = NULL;
	}
}

/* Drop the table and the models; the next use starts afresh. */
static void state_release_locked(void)
{
	unsigned i;

	for (i = 0; i < S5P_SYSMMU_TOTAL_IPNUM; i++) {
		vcm_sysmmu_destroy(s5p.sysmmu[i]);
		s5p.sysmmu[i] = NULL;
	}
	vcm_pgtable_destroy(s5p.pt);
	s5p.pt = NULL;
	vcm_soc_put(s5p.soc);
	s5p.soc = NULL;
}

/*
 * With no context alive the state follows the current SoC: models made by
 * s5p_sysmmu_get() for another SoC, or for one destroyed since, are
 * dropped.
 */
static void state_sync_locked(void)
{
	if (!s5p.nr_dev && s5p.soc && (state_soc_dead_locked() || s5p.soc != vcm_soc_current()))
		state_release_locked();
}

/* ---- windows (global lock held) ---------------------------------------- */

static bool window_free(unsigned first, unsigned n)
{
	unsigned i;

	for (i = 0; i < VCM_DEV_NUM; i++) {
		const struct s5p_vcm *d = s5p.dev[i];

		if (d && first < d->first_unit + d->nr_units && d->first_unit < first + n)
			return false;
	}
	return true;
}

static bool window_fits(unsigned first, unsigned n, unsigned *best)
{
	return first < *best && n <= S5P_NR_UNITS - first && window_free(first, n);
}

/*
 * First fit: the lowest free run of @n units starts at S5P_FIRST_UNIT or
 * right after an existing window.
 */
static int window_find(unsigned n, unsigned *first)
{
	unsigned best = S5P_NR_UNITS;
	unsigned i;

	if (window_fits(S5P_FIRST_UNIT, n, &best))
		best = S5P_FIRST_UNIT;
	for (i = 0; i < VCM_DEV_NUM; i++) {
		const struct s5p_vcm *d = s5p.dev[i];

		if (d && window_fits(d->first_unit + d->nr_units, n, &best))
			best = d->first_unit + d->nr_units;
	}
	if (best == S5P_NR_UNITS)
		return -ENOSPC;
	*first = best;
	return 0;
}

/* ---- what the platform's sysmmu driver does ---------------------------- */

static void hw_tlb_flush(struct s5p_vcm *d, vcm_addr_t dva, const struct vcm_phys *phys)
{
	if (d->cb.tlb_invalidator) {
		d->cb.tlb_invalidator(d->id);
		return;
	}
	vcm_iommu_tlb_flush(d->sysmmu, dva, phys);
	if (d->sysmmu2)
		vcm_iommu_tlb_flush(d->sysmmu2, dva, phys);
}

/* Program, flush and enable one model (no pgd_base_specifier given). */
static void model_on(struct vcm_sysmmu *mmu, vcm_addr_t base, bool flush)
{
	vcm_sysmmu_set_pgtable_base(mmu, base);
	if (flush)
		vcm_sysmmu_tlb_invalidate(mmu);
	vcm_sysmmu_enable(mmu);
}

static void hw_on(struct s5p_vcm *d)
{
	vcm_addr_t base = vcm_pgtable_base(d->pt);
	bool flush = !d->cb.tlb_invalidator;

	if (d->cb.pgd_base_specifier)
		d->cb.pgd_base_specifier(d->id, (unsigned long)base);
	if (d->cb.tlb_invalidator)
		d->cb.tlb_invalidator(d->id);
	if (d->cb.pgd_base_specifier)
		return;
	model_on(d->sysmmu, base, flush);
	if (d->sysmmu2)
		model_on(d->sysmmu2, base, flush);
}

static void hw_off(struct s5p_vcm *d)
{
	if (d->cb.pgd_base_specifier)
		return;
	vcm_sysmmu_disable(d->sysmmu);
	if (d->sysmmu2)
		vcm_sysmmu_disable(d->sysmmu2);
}

/* ---- the context's ops ------------------------------------------------- */

static int s5p_map(struct vcm_res *res, struct vcm_phys *phys)
{
	return vcm_iommu_pt_map(to_s5p(res->vcm)->pt, res->start, phys);
}

static void s5p_unmap(struct vcm_res *res, struct vcm_phys *phys)
{
	struct s5p_vcm *d = to_s5p(res->vcm);

	vcm_iommu_pt_unmap(d->pt, res->start, phys);
	hw_tlb_flush(d, res->start, phys);
}

/* vcm_destroy()'s release hook: the context leaves the shared state. */
static void s5p_release(struct vcm *vcm)
{
	struct s5p_vcm *d = to_s5p(vcm);

	vcm_sysmmu_drop_describer(d->sysmmu, d);
	vcm_mutex_lock(&s5p.lock);
	s5p.dev[d->id] = NULL;
	if (--s5p.nr_dev == 0)
		state_release_locked();
	vcm_mutex_unlock(&s5p.lock);
}

static void s5p_cleanup(struct vcm *vcm)
{
	free(to_s5p(vcm));
}

static const struct vcm_mmu_driver s5p_mmu_driver = {
	.orders = vcm_iommu_orders,
	.cleanup = s5p_cleanup,
	.activate = s5p_map,
	.deactivate = s5p_unmap,
};

/* The device's System MMU is the context's while it is active. */
static int s5p_activate(struct vcm *vcm)
{
	struct s5p_vcm *d = to_s5p(vcm);
	int ret;

	if (vcm_sysmmu_claim(d->sysmmu, d))
		return -EBUSY;
	ret = vcm_mmu_vcm_driver.activate(vcm);
	if (ret) {
		vcm_sysmmu_unclaim(d->sysmmu, d);
		return ret;
	}
	hw_on(d);
	d->on = true;
	return 0;
}

static void s5p_deactivate(struct vcm *vcm)
{
	struct s5p_vcm *d = to_s5p(vcm);

	vcm_mmu_vcm_driver.deactivate(vcm);
	if (!d->on)
		return;		/* a failed activation: nothing of ours to turn off */
	hw_off(d);
	vcm_sysmmu_unclaim(d->sysmmu, d);
	d->on = false;
}

bool vcm_s5p_view(struct vcm *vcm, struct vcm_iommu_view *v)
{
	struct s5p_vcm *d;

	if (vcm->driver->activate != s5p_activate)
		return false;
	d = to_s5p(vcm);
	v->pt = d->pt;
	v->sysmmu = d->sysmmu;
	v->own_table = false;
	v->hw_managed = !d->cb.pgd_base_specifier;
	snprintf(v->name, sizeof(v->name), "s5p %s 0x%llx+0x%llx", s5p_dev_names[d->id],
		 (unsigned long long)vcm->start, (unsigned long long)vcm->size);
	return true;
}

/* A phys from phys_alloc whose driver gave no phys_free: only the struct
 * goes (the memory is not given back anywhere). */
static void s5p_phys_release(struct vcm_phys *phys)
{
	free(phys);
}

/*
 * Memory from the phys_alloc callback, as the shipped layer: one part, a
 * failure signalled by an IS_ERR_VALUE address, and phys_free owning the
 * structure (it frees it, as the kernel's did with kfree()).
 */
static struct vcm_phys *s5p_phys(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	const struct s5p_vcm_driver *cb = &to_s5p(vcm)->cb;
	vcm_addr_t pa = cb->phys_alloc(size, flags);
	struct vcm_phys *phys;

	if ((unsigned long)pa >= (unsigned long)-VCM_MAX_ERRNO)
		return vcm_err_ptr((long)pa);
	phys = vcm_phys_new(1);
	if (!phys) {
		vcm_warn("s5p: no memory to describe %#llx from phys_alloc; leaked",
			 (unsigned long long)pa);
		return vcm_err_ptr(-ENOMEM);
	}
	phys->size = size;
	phys->parts[0].start = pa;
	phys->parts[0].size = size;
	phys->free = cb->phys_free ? cb->phys_free : s5p_phys_release;
	if (!VCM_IS_ALIGNED(pa, VCM_PAGE_SIZE)) {
		vcm_warn("s5p: phys_alloc gave unaligned address %#llx; handed back",
			 (unsigned long long)pa);
		phys->free(phys);
		return vcm_err_ptr(-EINVAL);
	}
	return phys;
}

/* ---- contexts ---------------------------------------------------------- */

static void s5p_install_ops(struct s5p_vcm *d)
{
	d->ops = vcm_mmu_vcm_driver;
	d->ops.activate = s5p_activate;
	d->ops.deactivate = s5p_deactivate;
	if (d->cb.phys_alloc)
		d->ops.phys = s5p_phys;
	d->mmu.vcm.driver = &d->ops;
}

/* Fault reports: what the device's context knows of @dva. */
static void s5p_describe(vcm_addr_t dva, struct vcm_dva_desc *d, void *priv)
{
	struct s5p_vcm *dev = priv;
	struct vcm_iommu_view v;

	if (!vcm_valid(&dev->mmu.vcm) || !vcm_s5p_view(&dev->mmu.vcm, &v))
		return;
	snprintf(d->context, sizeof(d->context), "%s", v.name);
	d->pgtable_base = vcm_pgtable_base(v.pt);
	d->vcm = &dev->mmu.vcm;
	vcm_describe_dva(d->vcm, dva, d);
}

/* Make the context of @id over units [first, first + n). */
static struct vcm *s5p_vcm_new_locked(enum vcm_dev_id id, unsigned first, unsigned n,
				      const struct s5p_vcm_driver *driver)
{
	struct s5p_vcm *d = vcm_calloc(1, sizeof(*d));
	struct vcm *vcm;

	if (!d)
		return vcm_err_ptr(-ENOMEM);
	d->id = id;
	if (driver)
		d->cb = *driver;
	d->sysmmu = s5p.sysmmu[id];
	if (S5P_DEV_SECOND_IPS(id) != SYSMMU_MDMA)
		d->sysmmu2 = s5p.sysmmu[S5P_DEV_SECOND_IPS(id)];
	d->pt = s5p.pt;
	d->first_unit = first;
	d->nr_units = n;
	d->mmu.vcm.start = (vcm_addr_t)first << S5P_UNIT_SHIFT;
	d->mmu.vcm.size = (vcm_size_t)n << S5P_UNIT_SHIFT;
	d->mmu.driver = &s5p_mmu_driver;
	vcm = vcm_mmu_init(&d->mmu);
	if (vcm_is_err(vcm)) {
		free(d);
		return vcm;
	}
	vcm_set_soc(vcm, s5p.soc);
	vcm_set_release_hook(vcm, s5p_release);
	s5p_install_ops(d);
	vcm_sysmmu_set_describer(d->sysmmu, s5p_describe, d);
	s5p.dev[id] = d;
	s5p.nr_dev++;
	return vcm;
}

/* The table and the model @id needs, then a window and the context. */
static struct vcm *create_locked(unsigned n, enum vcm_dev_id id,
				 const struct s5p_vcm_driver *driver)
{
	struct vcm *vcm;
	unsigned first;
	int ret;

	if (s5p.dev[id])
		return vcm_err_ptr(-EEXIST);
	ret = window_find(n, &first);
	if (ret)
		return vcm_err_ptr(ret);
	ret = pgtable_get_locked();
	if (ret)
		return vcm_err_ptr(ret);
	ret = dev_sysmmus_get_locked(id);
	vcm = ret ? vcm_err_ptr(ret) : s5p_vcm_new_locked(id, first, n, driver);
	if (vcm_is_err(vcm))
		pgtable_put_unused_locked();
	return vcm;
}

VCM_TRACE_BODY struct vcm *do_create_unified(vcm_size_t size, enum vcm_dev_id id,
					  const struct s5p_vcm_driver *driver)
{
	struct vcm *vcm;
	unsigned n;

	if (!id_valid(id) || !size || size > S5P_VCM_DVA_END)
		return vcm_err_ptr(-EINVAL);
	if (!VCM_IS_ALIGNED(size, VCM_PAGE_SIZE)) {
		vcm_warn("vcm_create_unified: size %#llx is not a whole number of pages",
			 (unsigned long long)size);
		return vcm_err_ptr(-EINVAL);
	}
	n = (unsigned)(VCM_ALIGN_UP(size, S5P_VCM_WINDOW_SIZE) >> S5P_UNIT_SHIFT);
	vcm_mutex_lock(&s5p.lock);
	state_sync_locked();
	vcm = state_dead_locked(__func__) ? vcm_err_ptr(-ENODEV) : create_locked(n, id, driver);
	vcm_mutex_unlock(&s5p.lock);
	return vcm;
}

VCM_TRACED_FN(struct vcm *, vcm_create_unified,
	      (vcm_size_t size, enum vcm_dev_id id, const struct s5p_vcm_driver *driver),
	      do_create_unified, (size, id, driver),
	      CREATE_UNIFIED, (uint64_t)size, (int)id, (int)(driver != NULL), ret)

VCM_TRACE_BODY struct vcm *do_find_vcm(enum vcm_dev_id id)
{
	struct vcm *vcm;

	if (!id_valid(id))
		return NULL;
	vcm_mutex_lock(&s5p.lock);
	vcm = s5p.dev[id] ? &s5p.dev[id]->mmu.vcm : NULL;
	vcm_mutex_unlock(&s5p.lock);
	return vcm;
}

VCM_TRACED_FN(struct vcm *, vcm_find_vcm, (enum vcm_dev_id id), do_find_vcm, (id),
	      FIND_VCM, (int)id, ret)

/* True if @vcm is a live unified context (global lock held). */
static bool is_unified_locked(const struct vcm *vcm)
{
	unsigned i;

	for (i = 0; i < VCM_DEV_NUM; i++)
		if (s5p.dev[i] && &s5p.dev[i]->mmu.vcm == vcm)
			return true;
	return false;
}

VCM_TRACE_BODY enum S5PVCM_RESCHECK do_reservation_in_vcm(struct vcm *vcm, struct vcm_res *res)
{
	enum S5PVCM_RESCHECK where = S5PVCM_RES_NOT_IN_VCM;
	void (*invalidator)(enum vcm_dev_id id) = NULL;
	struct s5p_vcm *d = NULL;

	if (vcm_is_err_or_null(vcm) || vcm_is_err_or_null(res)) {
		vcm_warn("vcm_reservation_in_vcm: no context (%p) or reservation (%p)",
			 (void *)vcm, (void *)res);
		return S5PVCM_RES_NOT_IN_VCM;
	}
	if (!vcm_ctx_ok(vcm, "vcm_reservation_in_vcm") ||
	    !vcm_res_ok(res, "vcm_reservation_in_vcm"))
		return S5PVCM_RES_NOT_IN_VCM;
	if (res->vcm == vcm)
		return S5PVCM_RES_IN_VCM;
	vcm_mutex_lock(&s5p.lock);
	if (is_unified_locked(vcm) && is_unified_locked(res->vcm)) {
		where = S5PVCM_RES_IN_ADDRSPACE;
		d = to_s5p(vcm);
		invalidator = d->cb.tlb_invalidator;
		if (!invalidator) {
			vcm_sysmmu_tlb_invalidate(d->sysmmu);
			if (d->sysmmu2)
				vcm_sysmmu_tlb_invalidate(d->sysmmu2);
		}
	}
	vcm_mutex_unlock(&s5p.lock);
	/* As the shipped layer: the caller's device will use a mapping made
	 * through another context, so its TLB is invalidated. */
	if (invalidator)
		invalidator(d->id);
	return where;
}

VCM_TRACED_FN(enum S5PVCM_RESCHECK, vcm_reservation_in_vcm, (struct vcm *vcm, struct vcm_res *res),
	      do_reservation_in_vcm, (vcm, res),
	      RESERVATION_IN_VCM, vcm, res, (int)ret)

VCM_TRACE_BODY void do_set_pgtable_base(enum vcm_dev_id id)
{
	void (*specifier)(enum vcm_dev_id id, unsigned long base) = NULL;
	vcm_addr_t base = 0;
	bool found, taken;

	if (!id_valid(id)) {
		vcm_warn("vcm_set_pgtable_base: bad device id %d", (int)id);
		return;
	}
	vcm_mutex_lock(&s5p.lock);
	found = s5p.dev[id] != NULL;
	taken = found && vcm_sysmmu_claimed_by_other(s5p.sysmmu[id], s5p.dev[id]);
	if (found && !taken) {
		base = vcm_pgtable_base(s5p.pt);
		specifier = s5p.dev[id]->cb.pgd_base_specifier;
		if (!specifier) {
			vcm_sysmmu_set_pgtable_base(s5p.dev[id]->sysmmu, base);
			vcm_sysmmu_tlb_invalidate(s5p.dev[id]->sysmmu);
			if (s5p.dev[id]->sysmmu2) {
				vcm_sysmmu_set_pgtable_base(s5p.dev[id]->sysmmu2, base);
				vcm_sysmmu_tlb_invalidate(s5p.dev[id]->sysmmu2);
			}
		}
	}
	vcm_mutex_unlock(&s5p.lock);
	if (!found)
		vcm_warn("vcm_set_pgtable_base: device %s has no context", s5p_dev_names[id]);
	else if (taken)
		vcm_warn("vcm_set_pgtable_base: the System MMU of %s is another context's "
			 "(active); not programmed", s5p_dev_names[id]);
	else if (specifier)
		specifier(id, (unsigned long)base);
}

VCM_TRACED_VOID(vcm_set_pgtable_base, (enum vcm_dev_id id), do_set_pgtable_base, (id),
		SET_PGTABLE_BASE, (int)id)

VCM_TRACE_BODY void do_s5p_vcm_turn_on(struct vcm *vcm)
{
	int ret = vcm_activate(vcm);

	if (ret)
		vcm_warn("s5p_vcm_turn_on: activation of %p failed (%d)", (void *)vcm, ret);
}

VCM_TRACED_VOID(s5p_vcm_turn_on, (struct vcm *vcm), do_s5p_vcm_turn_on, (vcm),
		S5P_TURN_ON, vcm)

VCM_TRACE_BODY void do_s5p_vcm_turn_off(struct vcm *vcm)
{
	vcm_deactivate(vcm);
}

VCM_TRACED_VOID(s5p_vcm_turn_off, (struct vcm *vcm), do_s5p_vcm_turn_off, (vcm),
		S5P_TURN_OFF, vcm)

VCM_TRACE_BODY struct vcm_sysmmu *do_s5p_sysmmu_get(enum vcm_dev_id id)
{
	if (!id_valid(id))
		return vcm_err_ptr(-EINVAL);
	return s5p_sysmmu_ip((sysmmu_ips)id);
}

VCM_TRACED_FN(struct vcm_sysmmu *, s5p_sysmmu_get, (enum vcm_dev_id id), do_s5p_sysmmu_get, (id),
	      S5P_SYSMMU_GET, (int)id, ret)

VCM_TRACE_BODY struct vcm_sysmmu *do_s5p_sysmmu_ip(sysmmu_ips ips)
{
	struct vcm_sysmmu *mmu;

	if (!ips_valid(ips))
		return vcm_err_ptr(-EINVAL);
	vcm_mutex_lock(&s5p.lock);
	state_sync_locked();
	mmu = state_dead_locked(__func__) ? vcm_err_ptr(-ENODEV) : sysmmu_get_locked(ips);
	vcm_mutex_unlock(&s5p.lock);
	return mmu;
}

VCM_TRACED_FN(struct vcm_sysmmu *, s5p_sysmmu_ip, (sysmmu_ips ips), do_s5p_sysmmu_ip, (ips),
	      S5P_SYSMMU_IP, (int)ips, ret)

/* ---- the platform's sysmmu driver (<plat/sysmmu.h>) --------------------- */

/* The model of @ips and the shared table's base (0 when there is none). */
static struct vcm_sysmmu *ip_and_base(sysmmu_ips ips, vcm_addr_t *base)
{
	struct vcm_sysmmu *mmu;

	if (!ips_valid(ips))
		return vcm_err_ptr(-EINVAL);
	vcm_mutex_lock(&s5p.lock);
	state_sync_locked();
	mmu = state_dead_locked("s5p_sysmmu") ? vcm_err_ptr(-ENODEV) : sysmmu_get_locked(ips);
	*base = s5p.pt ? vcm_pgtable_base(s5p.pt) : 0;
	vcm_mutex_unlock(&s5p.lock);
	return mmu;
}

VCM_TRACE_BODY int do_s5p_sysmmu_on(sysmmu_ips ips)
{
	vcm_addr_t base;
	struct vcm_sysmmu *mmu = ip_and_base(ips, &base);

	if (vcm_is_err(mmu))
		return (int)vcm_ptr_err(mmu);
	if (base)
		vcm_sysmmu_writel(mmu, VCM_SYSMMU_PT_BASE_ADDR, (uint32_t)base);
	vcm_sysmmu_writel(mmu, VCM_SYSMMU_CFG,
			  vcm_sysmmu_readl(mmu, VCM_SYSMMU_CFG) | VCM_SYSMMU_CFG_LRU);
	vcm_sysmmu_writel(mmu, VCM_SYSMMU_CTRL,
			  vcm_sysmmu_readl(mmu, VCM_SYSMMU_CTRL) | VCM_SYSMMU_CTRL_ENABLE);
	/* the kernel's interrupt handler only cleared INT: the MMU stayed held */
	vcm_sysmmu_set_fault_hold(mmu, true);
	return 0;
}

VCM_TRACED_FN(int, s5p_sysmmu_on, (sysmmu_ips ips), do_s5p_sysmmu_on, (ips),
	      S5P_SYSMMU_ON, (int)ips, ret)

VCM_TRACE_BODY int do_s5p_sysmmu_off(sysmmu_ips ips)
{
	vcm_addr_t base;
	struct vcm_sysmmu *mmu = ip_and_base(ips, &base);

	if (vcm_is_err(mmu))
		return (int)vcm_ptr_err(mmu);
	vcm_sysmmu_writel(mmu, VCM_SYSMMU_CTRL,
			  vcm_sysmmu_readl(mmu, VCM_SYSMMU_CTRL) & ~VCM_SYSMMU_CTRL_MMU_EN);
	return 0;
}

VCM_TRACED_FN(int, s5p_sysmmu_off, (sysmmu_ips ips), do_s5p_sysmmu_off, (ips),
	      S5P_SYSMMU_OFF, (int)ips, ret)

VCM_TRACE_BODY int do_s5p_sysmmu_tlb_invalidate(sysmmu_ips ips)
{
	vcm_addr_t base;
	struct vcm_sysmmu *mmu = ip_and_base(ips, &base);
	uint32_t ctrl;

	if (vcm_is_err(mmu))
		return (int)vcm_ptr_err(mmu);
	ctrl = vcm_sysmmu_readl(mmu, VCM_SYSMMU_CTRL);
	vcm_sysmmu_writel(mmu, VCM_SYSMMU_CTRL, ctrl | VCM_SYSMMU_CTRL_BLOCK);
	vcm_sysmmu_writel(mmu, VCM_SYSMMU_FLUSH, 1);
	vcm_sysmmu_writel(mmu, VCM_SYSMMU_CTRL, ctrl & ~VCM_SYSMMU_CTRL_BLOCK);
	return 0;
}

VCM_TRACED_FN(int, s5p_sysmmu_tlb_invalidate, (sysmmu_ips ips), do_s5p_sysmmu_tlb_invalidate, (ips),
	      S5P_SYSMMU_TLB_INVALIDATE, (int)ips, ret)

VCM_TRACE_BODY int do_s5p_sysmmu_set_tablebase_pgd(sysmmu_ips ips, unsigned long pgd)
{
	vcm_addr_t base;
	struct vcm_sysmmu *mmu = ip_and_base(ips, &base);

	if (vcm_is_err(mmu))
		return (int)vcm_ptr_err(mmu);
	vcm_sysmmu_writel(mmu, VCM_SYSMMU_PT_BASE_ADDR, (uint32_t)pgd);
	return s5p_sysmmu_tlb_invalidate(ips);
}

VCM_TRACED_FN(int, s5p_sysmmu_set_tablebase_pgd, (sysmmu_ips ips, unsigned long pgd),
	      do_s5p_sysmmu_set_tablebase_pgd, (ips, pgd),
	      S5P_SYSMMU_SET_TABLEBASE_PGD, (int)ips, (uint64_t)pgd, ret)

/* ---- the dump ---------------------------------------------------------- */

/* One reservation: range, bound phys, and the pages its mapping uses
 * (in the table while active, at the next activation otherwise). */
static void dump_res(FILE *out, const struct vcm_res *res, bool active)
{
	unsigned long pages[VCM_IOMMU_NR_ORDERS];
	const struct vcm_phys *phys = res->phys;

	fprintf(out, "    res 0x%08llx-0x%08llx %8llu KiB: ", (unsigned long long)res->start,
		(unsigned long long)(res->start + res->res_size - 1),
		(unsigned long long)(res->res_size >> 10));
	if (!phys) {
		fprintf(out, "unbound\n");
		return;
	}
	vcm_iommu_count_pages(res->start, phys, pages);
	fprintf(out, "phys %p %llu KiB in %u part(s) from pa 0x%08llx; %s 1M x%lu 64K x%lu 4K x%lu\n",
		(const void *)phys, (unsigned long long)(phys->size >> 10), phys->count,
		(unsigned long long)phys->parts[0].start,
		active ? "pages" : "pages on activation", pages[0], pages[1], pages[2]);
}

/* The reservation after @prev in DVA order (the first for NULL). */
static const struct vcm_res *next_res(const struct vcm *vcm, const struct vcm_res *prev)
{
	struct vcm_res_iter it;
	const struct vcm_res *r, *best = NULL;

	vcm_core_for_each_res(r, it, vcm_core(vcm))
		if ((!prev || r->start > prev->start) && (!best || r->start < best->start))
			best = r;
	return best;
}

static void dump_dev(FILE *out, struct s5p_vcm *d)
{
	struct vcm *vcm = &d->mmu.vcm;
	const struct vcm_res *res;
	uint32_t ctrl = vcm_sysmmu_readl(d->sysmmu, VCM_SYSMMU_CTRL);

	vcm_book_lock(vcm);
	fprintf(out, "  %-8s window 0x%08llx-0x%08llx (%u MiB), %s, %lu reservation(s)",
		s5p_dev_names[d->id], (unsigned long long)vcm->start,
		(unsigned long long)(vcm->start + vcm->size - 1), d->nr_units,
		vcm->activations.counter ? "active" : "inactive", vcm_core_nres(vcm_core(vcm)));
	if (d->cb.pgd_base_specifier)
		fprintf(out, "; System MMU programmed by callback\n");
	else
		fprintf(out, "; %s%s%s, base 0x%08llx\n", S5P_SYSMMU_NAME_PREFIX,
			s5p_dev_names[d->id],
			ctrl & VCM_SYSMMU_CTRL_MMU_EN ? " enabled" : " disabled",
			(unsigned long long)vcm_sysmmu_pgtable_base(d->sysmmu));
	for (res = next_res(vcm, NULL); res; res = next_res(vcm, res))
		dump_res(out, res, vcm->activations.counter > 0);
	vcm_book_unlock(vcm);
}

VCM_EXPORT void s5p_vcm_dump(FILE *out)
{
	unsigned i;

	if (!out)
		return;
	vcm_mutex_lock(&s5p.lock);
	fprintf(out, "s5p: shared page table at pa 0x%08llx, %u device context(s)\n",
		(unsigned long long)vcm_pgtable_base(s5p.pt), s5p.nr_dev);
	for (i = 0; i < VCM_DEV_NUM; i++)
		if (s5p.dev[i])
			dump_dev(out, s5p.dev[i]);
	vcm_mutex_unlock(&s5p.lock);
}

/* ---- process exit ------------------------------------------------------ */

/* Contexts still alive go (their cleanup drops the state with the last). */
static void s5p_exit(void)
{
	struct vcm *left[VCM_DEV_NUM];
	unsigned i, n = 0;

	vcm_mutex_lock(&s5p.lock);
	for (i = 0; i < VCM_DEV_NUM; i++)
		if (s5p.dev[i])
			left[n++] = &s5p.dev[i]->mmu.vcm;
	vcm_mutex_unlock(&s5p.lock);
	for (i = 0; i < n; i++)
		vcm_destroy(left[i]);
	vcm_mutex_lock(&s5p.lock);
	if (s5p.soc)
		state_release_locked();
	vcm_mutex_unlock(&s5p.lock);
}
