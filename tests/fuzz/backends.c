/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * backends.c - the kinds of context the fuzzer drives, and how it observes
 * each one's "hardware":
 *
 * soft  - the MMU wrapper (vcm_mmu_init) over a page-table driver of the
 *         fuzzer's own: one entry per 4 KiB page of the window, written by
 *         activate_page / cleared by deactivate_page, which check that the
 *         wrapper never maps a mapped page nor unmaps something else, and
 *         can be told to fail the n-th next page (FZ_FAIL_PAGE).
 * o2o   - vcm_onetoone_create(): a device address is the physical address.
 * vmm   - vcm_vmm_create(): the CPU's view; "device" access is a memcpy
 *         through the host pointer.
 * iommu - vcm_iommu_create() on a System MMU model; access is vcm_dma_*.
 * s5p   - vcm_create_unified(); access through s5p_sysmmu_get(id).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vcm/s5p.h>
#include <vcm/sysmmu.h>

#include "harness.h"

/* ---- soft: the fuzzer's own MMU driver under the MMU wrapper ---- */

static const unsigned char soft_orders[] = { 8, 4, 0 };

#define PTE_VALID 1ULL
#define PTE_ORDER_SHIFT 1
#define PTE_ORDER_MASK (0xfULL << PTE_ORDER_SHIFT)

struct fz_soft {
	struct vcm_mmu mmu;	/* first: the wrapper's vcm points here */
	struct fz_harness *h;
	uint64_t *pte;
	uint64_t npages;
	long mapped;
	unsigned fail_countdown;
	unsigned deact_calls;
	char err[200];
};

static struct fz_soft *to_soft(void *vcm)
{
	return (struct fz_soft *)((char *)vcm - offsetof(struct fz_soft, mmu.vcm));
}

static bool soft_order_ok(unsigned order)
{
	return order == 0 || order == 4 || order == 8;
}

static void soft_error(struct fz_soft *s, const char *what, vcm_addr_t va, vcm_addr_t pa,
		       unsigned order)
{
	if (!s->err[0])
		snprintf(s->err, sizeof(s->err), "%s: va %#llx pa %#llx order %u", what,
			 (unsigned long long)va, (unsigned long long)pa, order);
}

/* Index of @va's first page, or -1 if the page run is not in the window. */
static long soft_index(struct fz_soft *s, vcm_addr_t va, unsigned order)
{
	uint64_t first, n = 1ULL << order;

	if (va < s->mmu.vcm.start)
		return -1;
	first = (va - s->mmu.vcm.start) / FZ_PAGE;
	if (first >= s->npages || s->npages - first < n)
		return -1;
	return (long)first;
}

static int soft_activate_page(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct fz_soft *s = to_soft(vcm);
	uint64_t bytes = FZ_PAGE << order, i, n = 1ULL << order;
	long first;

	if (s->fail_countdown && --s->fail_countdown == 0)
		return -EIO;
	first = soft_index(s, va, order);
	if (!soft_order_ok(order) || ((va | pa) & (bytes - 1)) || first < 0) {
		soft_error(s, "activate_page: bad page", va, pa, order);
		return -EINVAL;
	}
	if (s->h->cfg.bug == FZ_BUG_WRONG_PA && order == 8)
		pa += FZ_PAGE;
	for (i = 0; i < n; i++) {
		if (s->pte[first + i] & PTE_VALID) {
			soft_error(s, "activate_page: page already mapped", va, pa, order);
			return -EEXIST;
		}
	}
	for (i = 0; i < n; i++)
		s->pte[first + i] = (pa + i * FZ_PAGE) | (uint64_t)order << PTE_ORDER_SHIFT |
				    PTE_VALID;
	s->mapped += (long)n;
	return 0;
}

static int soft_deactivate_page(vcm_addr_t va, vcm_addr_t pa, unsigned order, void *vcm)
{
	struct fz_soft *s = to_soft(vcm);
	uint64_t i, n = 1ULL << order;
	long first = soft_index(s, va, order);

	if (first < 0 || !soft_order_ok(order)) {
		soft_error(s, "deactivate_page: bad page", va, pa, order);
		return -EINVAL;
	}
	if (s->h->cfg.bug == FZ_BUG_WRONG_PA && order == 8)
		pa += FZ_PAGE;
	for (i = 0; i < n; i++) {
		uint64_t want = (pa + i * FZ_PAGE) | (uint64_t)order << PTE_ORDER_SHIFT | PTE_VALID;

		if (s->pte[first + i] != want) {
			soft_error(s, "deactivate_page: not mapped like that", va, pa, order);
			return -EINVAL;
		}
	}
	if (s->h->cfg.bug == FZ_BUG_KEEP_PTE && order == 4 && ++s->deact_calls % 3 == 0)
		return 0;
	memset(&s->pte[first], 0, n * sizeof(s->pte[0]));
	s->mapped -= (long)n;
	return 0;
}

static void soft_cleanup(struct vcm *vcm)
{
	struct fz_soft *s = to_soft(vcm);

	if (s->err[0] && !s->h->driver_err[0])
		snprintf(s->h->driver_err, sizeof(s->h->driver_err), "%s", s->err);
	free(s->pte);
	free(s);
}

static const struct vcm_mmu_driver soft_driver = {
	.orders = soft_orders,
	.cleanup = soft_cleanup,
	.activate_page = soft_activate_page,
	.deactivate_page = soft_deactivate_page,
};

static int soft_create(struct fz_harness *h, struct fz_ctx *c)
{
	struct fz_soft *s = calloc(1, sizeof(*s));
	struct vcm *vcm;

	if (!s)
		return -ENOMEM;
	s->h = h;
	s->npages = FZ_WIN_SIZE / FZ_PAGE;
	s->pte = calloc(s->npages, sizeof(*s->pte));
	if (!s->pte) {
		free(s);
		return -ENOMEM;
	}
	s->mmu.vcm.start = FZ_WIN_START;
	s->mmu.vcm.size = FZ_WIN_SIZE;
	s->mmu.driver = &soft_driver;
	vcm = vcm_mmu_init(&s->mmu);
	if (vcm_is_err(vcm)) {
		free(s->pte);
		free(s);
		return (int)vcm_ptr_err(vcm);
	}
	c->vcm = vcm;
	c->priv = s;
	c->win_start = FZ_WIN_START;
	c->win_size = FZ_WIN_SIZE;
	return 0;
}

static int soft_xlate(struct fz_harness *h, struct fz_ctx *c, vcm_addr_t dva, vcm_addr_t *pa,
		      int *order)
{
	struct fz_soft *s = c->priv;
	long i = soft_index(s, dva & ~(FZ_PAGE - 1), 0);

	(void)h;
	if (i < 0 || !(s->pte[i] & PTE_VALID))
		return -EFAULT;
	*pa = (s->pte[i] & ~(FZ_PAGE - 1)) | (dva & (FZ_PAGE - 1));
	*order = (int)((s->pte[i] & PTE_ORDER_MASK) >> PTE_ORDER_SHIFT);
	return 0;
}

/* A device behind the soft MMU: page by page, stopping at the first fault. */
static int soft_access(struct fz_harness *h, struct fz_ctx *c, vcm_addr_t dva, void *buf,
		       size_t len, bool write, vcm_addr_t *fault)
{
	uint8_t *p = buf;

	while (len) {
		size_t n = FZ_PAGE - (dva & (FZ_PAGE - 1));
		vcm_addr_t pa;
		int order, ret;

		if (n > len)
			n = len;
		if (soft_xlate(h, c, dva, &pa, &order)) {
			*fault = dva;
			return -EFAULT;
		}
		ret = write ? vcm_soc_phys_write(h->soc, pa, p, n) : vcm_soc_phys_read(h->soc, pa, p, n);
		if (ret) {
			*fault = dva;
			return ret;
		}
		p += n;
		dva += n;
		len -= n;
	}
	return 0;
}

static long soft_mapped_pages(struct fz_ctx *c)
{
	return ((struct fz_soft *)c->priv)->mapped;
}

void fz_soft_fail_after(struct fz_ctx *c, unsigned n)
{
	((struct fz_soft *)c->priv)->fail_countdown = n;
}

unsigned fz_soft_countdown(struct fz_ctx *c)
{
	return ((struct fz_soft *)c->priv)->fail_countdown;
}

const char *fz_soft_error(struct fz_ctx *c)
{
	struct fz_soft *s = c->priv;

	return s->err[0] ? s->err : NULL;
}

const struct fz_backend fz_soft_backend = {
	.name = "soft",
	.has_mmu = true,
	.orders = soft_orders,
	.create = soft_create,
	.access = soft_access,
	.xlate = soft_xlate,
	.mapped_pages = soft_mapped_pages,
};

/* ---- o2o: no MMU, device addresses are physical ---- */

static int o2o_create(struct fz_harness *h, struct fz_ctx *c)
{
	struct vcm *vcm = vcm_onetoone_create(h->soc);

	if (vcm_is_err(vcm))
		return (int)vcm_ptr_err(vcm);
	c->vcm = vcm;
	return 0;
}

static int o2o_access(struct fz_harness *h, struct fz_ctx *c, vcm_addr_t dva, void *buf,
		      size_t len, bool write, vcm_addr_t *fault)
{
	int ret;

	(void)c;
	ret = write ? vcm_soc_phys_write(h->soc, dva, buf, len) :
		      vcm_soc_phys_read(h->soc, dva, buf, len);
	if (ret)
		*fault = dva;
	return ret;
}

static int o2o_xlate(struct fz_harness *h, struct fz_ctx *c, vcm_addr_t dva, vcm_addr_t *pa,
		     int *order)
{
	(void)h;
	(void)c;
	*pa = dva;
	*order = -1;
	return 0;
}

const struct fz_backend fz_o2o_backend = {
	.name = "o2o",
	.create = o2o_create,
	.access = o2o_access,
	.xlate = o2o_xlate,
};

/* ---- vmm: the CPU's contiguous view ---- */

static const unsigned char vmm_orders[] = { 8, 4, 0 };

static int vmm_create(struct fz_harness *h, struct fz_ctx *c)
{
	struct vcm *vcm = vcm_vmm_create(h->soc);

	if (vcm_is_err(vcm))
		return (int)vcm_ptr_err(vcm);
	c->vcm = vcm;
	return 0;
}

/* The harness only calls this inside a bound range (anything else faults
 * for real). */
static int vmm_access(struct fz_harness *h, struct fz_ctx *c, vcm_addr_t dva, void *buf,
		      size_t len, bool write, vcm_addr_t *fault)
{
	void *host = (void *)(uintptr_t)dva;

	(void)h;
	(void)c;
	(void)fault;
	if (write)
		memcpy(host, buf, len);
	else
		memcpy(buf, host, len);
	return 0;
}

const struct fz_backend fz_vmm_backend = {
	.name = "vmm",
	.orders = vmm_orders,
	.create = vmm_create,
	.access = vmm_access,
};

/* ---- iommu and s5p: System MMU models walking Exynos tables ---- */

static const unsigned char smmu_orders[] = { 8, 4, 0 };

#define FZ_IOMMU_START 0x10000000ULL
#define FZ_IOMMU_SIZE (48ULL << 20)	/* not a power of two on purpose */
#define FZ_S5P_SIZE(slot) ((20ULL + (slot)) << 20)
#define FZ_SECTION (1ULL << 20)
#define FZ_LV1_BYTES (16ULL << 10)

struct fz_smmu {
	struct vcm_sysmmu *mmu;		/* iommu: made here; s5p: looked up */
	enum vcm_dev_id id;
};

static int fault_handler(struct vcm_sysmmu *mmu, const struct vcm_fault *f, void *priv)
{
	struct fz_harness *h = priv;

	(void)mmu;
	if (!h->faulted) {
		h->faulted = true;
		h->fault_dva = f->dva;
	}
	return -EFAULT;		/* not resolved: the access fails */
}

static struct vcm_sysmmu *smmu_of(struct fz_harness *h, struct fz_ctx *c)
{
	struct fz_smmu *s = c->priv;

	if (c->kind == FZ_K_S5P) {
		/* the model lives with the shared state: look it up each time */
		s->mmu = s5p_sysmmu_get(s->id);
		vcm_sysmmu_set_fault_handler(s->mmu, fault_handler, h);
		vcm_sysmmu_set_fault_reports(s->mmu, false);	/* faults are checked here */
	}
	return s->mmu;
}

static int iommu_create(struct fz_harness *h, struct fz_ctx *c)
{
	struct fz_smmu *s = calloc(1, sizeof(*s));
	char name[32];
	struct vcm *vcm;

	if (!s)
		return -ENOMEM;
	snprintf(name, sizeof(name), "fuzz-iommu%u", (unsigned)(c - h->ctx));
	s->mmu = vcm_sysmmu_create(h->soc, name);
	if (vcm_is_err(s->mmu)) {
		int ret = (int)vcm_ptr_err(s->mmu);

		free(s);
		return ret;
	}
	vcm_sysmmu_set_fault_handler(s->mmu, fault_handler, h);
	vcm_sysmmu_set_fault_reports(s->mmu, false);	/* faults are checked here */
	vcm = vcm_iommu_create(s->mmu, FZ_IOMMU_START, FZ_IOMMU_SIZE);
	if (vcm_is_err(vcm)) {
		vcm_sysmmu_destroy(s->mmu);
		free(s);
		return (int)vcm_ptr_err(vcm);
	}
	c->vcm = vcm;
	c->priv = s;
	c->win_start = FZ_IOMMU_START;
	c->win_size = FZ_IOMMU_SIZE;
	return 0;
}

static void iommu_destroyed(struct fz_harness *h, struct fz_ctx *c)
{
	struct fz_smmu *s = c->priv;

	(void)h;
	if (c->kind == FZ_K_IOMMU)
		vcm_sysmmu_destroy(s->mmu);
	free(s);
}

/* Each slot is its own device: FIMC0..FIMC3. */
static int s5p_create(struct fz_harness *h, struct fz_ctx *c)
{
	unsigned slot = (unsigned)(c - h->ctx);
	struct fz_smmu *s = calloc(1, sizeof(*s));
	struct vcm *vcm;

	if (!s)
		return -ENOMEM;
	s->id = (enum vcm_dev_id)(VCM_DEV_FIMC0 + slot);
	vcm = vcm_create_unified(FZ_S5P_SIZE(slot) - FZ_PAGE, s->id, NULL);
	if (vcm_is_err(vcm)) {
		free(s);
		return (int)vcm_ptr_err(vcm);
	}
	c->vcm = vcm;
	c->priv = s;
	c->win_start = vcm->start;
	c->win_size = vcm->size;
	if (vcm->size != FZ_S5P_SIZE(slot) || vcm->start % S5P_VCM_WINDOW_SIZE ||
	    vcm_find_vcm(s->id) != vcm)
		return -EUCLEAN;
	return 0;
}

static int smmu_access(struct fz_harness *h, struct fz_ctx *c, vcm_addr_t dva, void *buf,
		       size_t len, bool write, vcm_addr_t *fault)
{
	struct vcm_sysmmu *mmu = smmu_of(h, c);
	int ret;

	h->faulted = false;
	ret = write ? vcm_dma_write(mmu, dva, buf, len) : vcm_dma_read(mmu, dva, buf, len);
	if (ret == -EFAULT)
		*fault = h->faulted ? h->fault_dva : ~0ULL;
	return ret;
}

int fz_dma_copy(struct fz_harness *h, struct fz_ctx *dc, vcm_addr_t ddva, struct fz_ctx *sc,
		vcm_addr_t sdva, size_t len)
{
	struct vcm_sysmmu *dmmu = smmu_of(h, dc), *smmu = smmu_of(h, sc);

	h->faulted = false;
	return vcm_dma_copy(dmmu, ddva, smmu, sdva, len);
}

static bool smmu_enabled(struct fz_harness *h, struct fz_ctx *c)
{
	return vcm_sysmmu_readl(smmu_of(h, c), VCM_SYSMMU_CTRL) & VCM_SYSMMU_CTRL_MMU_EN;
}

/* A disabled System MMU passes DVAs through: nothing of ours translates. */
static int smmu_xlate(struct fz_harness *h, struct fz_ctx *c, vcm_addr_t dva, vcm_addr_t *pa,
		      int *order)
{
	*order = -1;
	if (!smmu_enabled(h, c))
		return -EFAULT;
	return vcm_sysmmu_translate(smmu_of(h, c), dva, VCM_ACCESS_READ, pa);
}

/* The System MMU translates exactly while the context is active. */
static enum fz_fail smmu_check_hw(struct fz_harness *h, struct fz_ctx *c)
{
	bool on = smmu_enabled(h, c);

	if (on != (c->active > 0))
		return fz_fail(h, FZ_F_MAP, "c%u (%s): System MMU %s while %s",
			       (unsigned)(c - h->ctx), c->be->name, on ? "enabled" : "disabled",
			       c->active ? "active" : "inactive");
	return FZ_OK;
}

static bool mark_region(void *arg, vcm_addr_t va, vcm_addr_t pa, unsigned order)
{
	uint64_t *bits = arg;

	(void)pa;
	if (order < 8)
		bits[(va >> 20) / 64] |= 1ULL << ((va >> 20) % 64);
	return false;
}

/* 1 MiB regions of the table that need a level-2 table: those with small
 * or large pages of the active contexts for which @in() is true. */
static unsigned long lv2_tables(struct fz_harness *h, bool (*in)(const struct fz_ctx *, const struct fz_ctx *),
				const struct fz_ctx *self)
{
	uint64_t bits[4096 / 64] = { 0 };
	unsigned long n = 0;
	unsigned i;

	for (i = 0; i < FZ_NRES; i++) {
		const struct fz_res *r = &h->res[i];
		const struct fz_ctx *c = &h->ctx[r->ctx];

		if (r->live && r->phys >= 0 && c->active && in(self, c))
			fz_cut(&h->phys[r->phys], r->start, smmu_orders, mark_region, bits);
	}
	for (i = 0; i < 4096 / 64; i++)
		n += (unsigned long)__builtin_popcountll(bits[i]);
	return n;
}

static bool same_ctx(const struct fz_ctx *self, const struct fz_ctx *c)
{
	return self == c;
}

static bool any_s5p(const struct fz_ctx *self, const struct fz_ctx *c)
{
	(void)self;
	return c->kind == FZ_K_S5P;
}

/* Level-2 tables are 1 KiB, four to a page, pages shared while partly
 * used: n tables take between n/4 and n pages. */
static void pt_range(unsigned long lv2, vcm_size_t *lo, vcm_size_t *hi)
{
	*lo = FZ_LV1_BYTES + (lv2 + 3) / 4 * FZ_PAGE;
	*hi = FZ_LV1_BYTES + lv2 * FZ_PAGE;
}

static void iommu_pt_bytes(struct fz_harness *h, struct fz_ctx *c, vcm_size_t *lo, vcm_size_t *hi)
{
	pt_range(lv2_tables(h, same_ctx, c), lo, hi);
}

/* The one shared table is counted by the first live S5P context. */
static void s5p_pt_bytes(struct fz_harness *h, struct fz_ctx *c, vcm_size_t *lo, vcm_size_t *hi)
{
	unsigned i;

	for (i = 0; i < FZ_NCTX && &h->ctx[i] != c; i++) {
		if (h->ctx[i].live && h->ctx[i].kind == FZ_K_S5P) {
			*lo = *hi = 0;
			return;
		}
	}
	pt_range(lv2_tables(h, any_s5p, c), lo, hi);
}

const struct fz_backend fz_iommu_backend = {
	.name = "iommu",
	.has_mmu = true,
	.orders = smmu_orders,
	.create = iommu_create,
	.destroyed = iommu_destroyed,
	.access = smmu_access,
	.xlate = smmu_xlate,
	.check_hw = smmu_check_hw,
	.pt_bytes = iommu_pt_bytes,
};

const struct fz_backend fz_s5p_backend = {
	.name = "s5p",
	.has_mmu = true,
	.orders = smmu_orders,
	.create = s5p_create,
	.destroyed = iommu_destroyed,
	.access = smmu_access,
	.xlate = smmu_xlate,
	.check_hw = smmu_check_hw,
	.pt_bytes = s5p_pt_bytes,
};
