/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysmmu.c - the Exynos System MMU hardware model.
 *
 * State: the v3 register block (CTRL, CFG, PT_BASE_ADDR, INT_STATUS, the
 * fault address registers, DEFAULT_SLAVE_ADDR), a fully associative TLB
 * with first-in first-out replacement, and statistics.  The function API
 * and vcm_sysmmu_readl()/vcm_sysmmu_writel() are two views of that one
 * state.  A spinlock protects it; it is never held while calling out (fault
 * handler, warning handler).
 *
 * TLB: each entry caches one page (section, large or small page) with the
 * host address and value of the page-table entry it came from, and the
 * page-table base it was filled under.  A hit is used as is (as hardware
 * does), but if the entry in RAM changed, or the base did, it is counted
 * as a stale hit and warned about (once per fill).  Entries may overlap (a
 * section filled after a small page of the same MiB, when the table was
 * changed without invalidation); a lookup matching two entries is a
 * multi-hit fault.  Each entry counts the entries it overlaps, so the
 * common lookup (most recently used entry, no overlap) is one compare.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pgtable.h"
#include "sysmmu.h"

#define TLB_NONE	UINT32_MAX

struct tlb_entry {
	uint32_t tag;			/* DVA of the page */
	uint32_t mask;			/* page size - 1 */
	uint32_t pa;			/* PA of the page */
	uint32_t pte;			/* the leaf entry as it was read */
	uint32_t base;			/* PT_BASE_ADDR it was filled under */
	const uint32_t *pte_host;	/* where that entry lives */
	unsigned overlaps;		/* other valid entries overlapping it */
	bool valid;
	bool warned;			/* stale hit already reported */
};

struct vcm_sysmmu {
	struct vcm_soc *soc;
	char *name;
	pthread_spinlock_t lock;

	/* registers */
	uint32_t ctrl;
	uint32_t cfg;
	uint32_t pt_base;
	uint32_t int_status;
	uint32_t page_fault_addr;
	uint32_t ar_fault_addr;
	uint32_t aw_fault_addr;
	uint32_t default_slave;
	uint32_t ar_bits, aw_bits;	/* INT_STATUS bits that set AR/AW_FAULT_ADDR */

	vcm_fault_fn handler;
	void *handler_priv;

	struct tlb_entry *tlb;
	unsigned tlb_size;
	unsigned tlb_next;		/* FIFO victim */
	unsigned tlb_mru;		/* most recently hit or filled */

	struct vcm_sysmmu_stats st;
};

/* The outcome of one translation attempt. */
struct xlate {
	uint64_t pa;			/* PA of the DVA */
	uint64_t page_left;		/* bytes from the DVA to the end of its page */
	enum vcm_fault_type fault;	/* when it failed with -EFAULT */
	bool stale_warn;		/* report a stale hit (after unlocking) */
	struct tlb_entry stale;		/* the stale entry, for the report */
	uint32_t stale_now;		/* what RAM holds now */
	uint32_t stale_base;		/* PT_BASE_ADDR now */
};

static void mmu_lock(const struct vcm_sysmmu *mmu)
{
	pthread_spin_lock((pthread_spinlock_t *)&mmu->lock);
}

static void mmu_unlock(const struct vcm_sysmmu *mmu)
{
	pthread_spin_unlock((pthread_spinlock_t *)&mmu->lock);
}

static bool bad_mmu(const struct vcm_sysmmu *mmu, const char *fn)
{
	if (!vcm_is_err_or_null(mmu))
		return false;
	vcm_warn("%s: no System MMU", fn);
	return true;
}

/* ---- TLB ---- */

static bool tlb_match(const struct tlb_entry *e, uint32_t dva)
{
	return e->valid && ((dva ^ e->tag) & ~e->mask) == 0;
}

static bool tlb_overlap(const struct tlb_entry *a, const struct tlb_entry *b)
{
	return ((a->tag ^ b->tag) & ~(a->mask | b->mask)) == 0;
}

static void tlb_remove(struct vcm_sysmmu *mmu, unsigned i)
{
	struct tlb_entry *e = &mmu->tlb[i];
	unsigned j;

	if (!e->valid)
		return;
	for (j = 0; e->overlaps && j < mmu->tlb_size; j++) {
		if (j != i && mmu->tlb[j].valid && tlb_overlap(e, &mmu->tlb[j])) {
			mmu->tlb[j].overlaps--;
			e->overlaps--;
		}
	}
	e->valid = false;
}

static void tlb_flush_all(struct vcm_sysmmu *mmu)
{
	memset(mmu->tlb, 0, mmu->tlb_size * sizeof(*mmu->tlb));
	mmu->tlb_next = 0;
	mmu->tlb_mru = 0;
}

static void tlb_flush_dva(struct vcm_sysmmu *mmu, uint32_t dva)
{
	unsigned i;

	for (i = 0; i < mmu->tlb_size; i++)
		if (tlb_match(&mmu->tlb[i], dva))
			tlb_remove(mmu, i);
}

static void tlb_insert(struct vcm_sysmmu *mmu, uint32_t dva, const struct vcm_walk *w)
{
	unsigned i = mmu->tlb_next, j;
	struct tlb_entry *e = &mmu->tlb[i];

	tlb_remove(mmu, i);
	e->mask = (uint32_t)((1ULL << w->page_shift) - 1);
	e->tag = dva & ~e->mask;
	e->pa = (uint32_t)w->pa_base;
	e->pte = w->pte;
	e->pte_host = w->pte_host;
	e->base = mmu->pt_base;
	e->overlaps = 0;
	e->warned = false;
	for (j = 0; j < mmu->tlb_size; j++) {
		if (j != i && mmu->tlb[j].valid && tlb_overlap(e, &mmu->tlb[j])) {
			mmu->tlb[j].overlaps++;
			e->overlaps++;
		}
	}
	e->valid = true;
	mmu->tlb_next = (i + 1) % mmu->tlb_size;
	mmu->tlb_mru = i;
}

/* Entries matching @dva: 0, 1 (in *@idx) or 2 (two or more). */
static unsigned tlb_lookup(struct vcm_sysmmu *mmu, uint32_t dva, unsigned *idx)
{
	const struct tlb_entry *e = &mmu->tlb[mmu->tlb_mru];
	unsigned i, hits = 0;

	if (tlb_match(e, dva) && !e->overlaps) {
		*idx = mmu->tlb_mru;
		return 1;
	}
	for (i = 0; i < mmu->tlb_size; i++) {
		if (!tlb_match(&mmu->tlb[i], dva))
			continue;
		if (hits++)
			return 2;
		*idx = i;
	}
	if (hits)
		mmu->tlb_mru = *idx;
	return hits;
}

/* ---- translation ---- */

static void tlb_hit(struct vcm_sysmmu *mmu, struct tlb_entry *e, uint32_t dva, struct xlate *x)
{
	uint32_t now = vcm_pte_read(e->pte_host);

	mmu->st.tlb_hits++;
	if (now != e->pte || e->base != mmu->pt_base) {
		mmu->st.stale_hits++;
		if (!e->warned) {
			e->warned = true;
			x->stale_warn = true;
			x->stale = *e;
			x->stale_now = now;
			x->stale_base = mmu->pt_base;
		}
	}
	x->pa = e->pa + (dva & e->mask);
	x->page_left = (uint64_t)e->mask + 1 - (dva & e->mask);
}

static int tlb_miss(struct vcm_sysmmu *mmu, uint32_t dva, struct xlate *x)
{
	struct vcm_walk w;
	enum vcm_walk_result r;
	uint64_t mask;

	mmu->st.tlb_misses++;
	mmu->st.walks++;
	r = vcm_pgtable_walk(mmu->soc, mmu->pt_base, dva, &w);
	mmu->st.walk_reads += w.reads;
	if (r == VCM_WALK_FAULT) {
		x->fault = VCM_FAULT_PAGE;
		return -EFAULT;
	}
	if (r == VCM_WALK_BUS_ERROR) {
		x->fault = VCM_FAULT_BUS_ERROR;
		return -EFAULT;
	}
	tlb_insert(mmu, dva, &w);
	mask = (1ULL << w.page_shift) - 1;
	x->pa = w.pa_base + (dva & mask);
	x->page_left = mask + 1 - (dva & mask);
	return 0;
}

static int translate_locked(struct vcm_sysmmu *mmu, uint32_t dva, unsigned access,
			    struct xlate *x)
{
	unsigned idx = 0;

	mmu->st.translations++;
	if (mmu->ctrl & VCM_SYSMMU_CTRL_BLOCK) {
		mmu->st.blocked++;
		return -EBUSY;
	}
	if (!(mmu->ctrl & VCM_SYSMMU_CTRL_MMU_EN)) {
		mmu->st.bypassed++;
		x->pa = dva;
		x->page_left = VCM_PT_ADDR_LIMIT - dva;
		return 0;
	}
	switch (tlb_lookup(mmu, dva, &idx)) {
	case 0:
		return tlb_miss(mmu, dva, x);
	case 1:
		tlb_hit(mmu, &mmu->tlb[idx], dva, x);
		return 0;
	default:
		mmu->st.multi_hits++;
		x->fault = access == VCM_ACCESS_WRITE ? VCM_FAULT_AW_MULTIHIT
						       : VCM_FAULT_AR_MULTIHIT;
		return -EFAULT;
	}
}

static void warn_stale(const struct vcm_sysmmu *mmu, uint32_t dva, const struct xlate *x)
{
	const struct tlb_entry *e = &x->stale;

	vcm_warn("%s: stale TLB hit for dva %#x: %s page dva %#x -> pa %#x cached from entry "
		 "%#010x (base %#x), page table now has %#010x (base %#x); TLB not invalidated?",
		 mmu->name, dva, vcm_page_size_name((unsigned)__builtin_ctz(e->mask + 1)),
		 e->tag, e->pa, e->pte, e->base, x->stale_now, x->stale_base);
}

static int translate_once(struct vcm_sysmmu *mmu, uint32_t dva, unsigned access,
			  struct xlate *x)
{
	int err;

	x->stale_warn = false;
	mmu_lock(mmu);
	err = translate_locked(mmu, dva, access, x);
	mmu_unlock(mmu);
	if (x->stale_warn)
		warn_stale(mmu, dva, x);
	return err;
}

/* ---- faults ---- */

static int deliver_fault(struct vcm_sysmmu *mmu, const struct vcm_fault *f)
{
	uint32_t bit = VCM_SYSMMU_INT_BIT(f->type);
	vcm_fault_fn fn;
	void *priv;

	mmu_lock(mmu);
	mmu->int_status |= bit;
	if (f->type == VCM_FAULT_PAGE) {
		mmu->page_fault_addr = (uint32_t)f->dva;
	} else if (f->access == VCM_ACCESS_WRITE) {
		mmu->aw_fault_addr = (uint32_t)f->dva;
		mmu->aw_bits |= bit;
	} else {
		mmu->ar_fault_addr = (uint32_t)f->dva;
		mmu->ar_bits |= bit;
	}
	mmu->st.faults++;
	mmu->st.fault_counts[f->type]++;
	fn = mmu->handler;
	priv = mmu->handler_priv;
	mmu_unlock(mmu);

	return fn ? fn(mmu, f, priv) : -EFAULT;
}

static void int_clear_locked(struct vcm_sysmmu *mmu, uint32_t bits)
{
	mmu->int_status &= ~bits;
	if (!(mmu->int_status & VCM_SYSMMU_INT_BIT(VCM_FAULT_PAGE)))
		mmu->page_fault_addr = 0;
	mmu->ar_bits &= mmu->int_status;
	if (!mmu->ar_bits)
		mmu->ar_fault_addr = 0;
	mmu->aw_bits &= mmu->int_status;
	if (!mmu->aw_bits)
		mmu->aw_fault_addr = 0;
}

/* Bytes from @pa (at most @want) that are RAM and contiguous on the host. */
static size_t host_run(struct vcm_soc *soc, uint64_t pa, size_t want, uint8_t **host)
{
	uint8_t *h = vcm_soc_phys_to_host(soc, pa);
	size_t run, step;

	if (!h)
		return 0;
	run = VCM_PAGE_SIZE - (pa & (VCM_PAGE_SIZE - 1));
	while (run < want && vcm_soc_phys_to_host(soc, pa + run) == h + run) {
		step = want - run;
		run += step < VCM_PAGE_SIZE ? step : VCM_PAGE_SIZE;
	}
	*host = h;
	return run < want ? run : want;
}

int vcm_sysmmu_access(struct vcm_sysmmu *mmu, uint64_t dva, unsigned access, size_t want,
		      uint64_t *pa, uint8_t **host, size_t *run)
{
	struct vcm_fault f = { .dva = dva, .access = access };
	unsigned attempt;
	struct xlate x;
	int err;

	for (attempt = 0;; attempt++) {
		err = translate_once(mmu, (uint32_t)dva, access, &x);
		if (err == -EBUSY)
			return err;
		if (!err) {
			if (x.page_left < want)
				want = (size_t)x.page_left;
			*run = host_run(mmu->soc, x.pa, want, host);
			if (*run) {
				*pa = x.pa;
				return 0;
			}
			x.fault = VCM_FAULT_BUS_ERROR;
		}
		f.type = x.fault;
		if (deliver_fault(mmu, &f) || attempt)
			return -EFAULT;
	}
}

static bool access_ok(unsigned access)
{
	return access == VCM_ACCESS_READ || access == VCM_ACCESS_WRITE;
}

VCM_EXPORT int vcm_sysmmu_translate(struct vcm_sysmmu *mmu, vcm_addr_t dva, unsigned access,
				    vcm_addr_t *pa)
{
	uint8_t *host;
	size_t run;

	if (vcm_is_err_or_null(mmu) || !pa || dva >= VCM_PT_ADDR_LIMIT || !access_ok(access))
		return -EINVAL;
	return vcm_sysmmu_access(mmu, dva, access, 1, pa, &host, &run);
}

VCM_EXPORT int vcm_sysmmu_inject_fault(struct vcm_sysmmu *mmu, const struct vcm_fault *f)
{
	if (vcm_is_err_or_null(mmu) || !f || (unsigned)f->type >= VCM_FAULT_NR_TYPES ||
	    !access_ok(f->access))
		return -EINVAL;
	return deliver_fault(mmu, f);
}

/* ---- create / destroy / control ---- */

VCM_EXPORT struct vcm_sysmmu *vcm_sysmmu_create(struct vcm_soc *soc, const char *name)
{
	struct vcm_sysmmu *mmu;

	if (!soc)
		return vcm_err_ptr(-EINVAL);
	mmu = calloc(1, sizeof(*mmu));
	if (!mmu)
		return vcm_err_ptr(-ENOMEM);
	mmu->soc = soc;
	mmu->name = strdup(name ? name : "sysmmu");
	mmu->tlb_size = VCM_SYSMMU_TLB_DEFAULT_ENTRIES;
	mmu->tlb = calloc(mmu->tlb_size, sizeof(*mmu->tlb));
	if (!mmu->name || !mmu->tlb) {
		free(mmu->tlb);
		free(mmu->name);
		free(mmu);
		return vcm_err_ptr(-ENOMEM);
	}
	pthread_spin_init(&mmu->lock, PTHREAD_PROCESS_PRIVATE);
	return mmu;
}

VCM_EXPORT void vcm_sysmmu_destroy(struct vcm_sysmmu *mmu)
{
	if (vcm_is_err_or_null(mmu))
		return;
	pthread_spin_destroy(&mmu->lock);
	free(mmu->tlb);
	free(mmu->name);
	free(mmu);
}

static void set_ctrl(struct vcm_sysmmu *mmu, uint32_t val)
{
	mmu_lock(mmu);
	mmu->ctrl = val;
	mmu_unlock(mmu);
}

VCM_EXPORT void vcm_sysmmu_enable(struct vcm_sysmmu *mmu)
{
	if (!bad_mmu(mmu, __func__))
		set_ctrl(mmu, VCM_SYSMMU_CTRL_ENABLE);
}

VCM_EXPORT void vcm_sysmmu_disable(struct vcm_sysmmu *mmu)
{
	if (!bad_mmu(mmu, __func__))
		set_ctrl(mmu, VCM_SYSMMU_CTRL_DISABLE);
}

static void set_base(struct vcm_sysmmu *mmu, uint32_t val)
{
	mmu_lock(mmu);
	mmu->pt_base = val & ~(uint32_t)(VCM_LV1_TABLE_ALIGN - 1);
	mmu_unlock(mmu);
}

VCM_EXPORT void vcm_sysmmu_set_pgtable_base(struct vcm_sysmmu *mmu, vcm_addr_t pgd_pa)
{
	if (bad_mmu(mmu, __func__))
		return;
	if (pgd_pa >= VCM_PT_ADDR_LIMIT || !VCM_IS_ALIGNED(pgd_pa, VCM_LV1_TABLE_ALIGN))
		vcm_warn("%s: page-table base %#llx is not a 16 KiB-aligned 32-bit address",
			 mmu->name, (unsigned long long)pgd_pa);
	set_base(mmu, (uint32_t)pgd_pa);
}

VCM_EXPORT vcm_addr_t vcm_sysmmu_pgtable_base(const struct vcm_sysmmu *mmu)
{
	vcm_addr_t base;

	if (vcm_is_err_or_null(mmu))
		return 0;
	mmu_lock(mmu);
	base = mmu->pt_base;
	mmu_unlock(mmu);
	return base;
}

VCM_EXPORT void vcm_sysmmu_tlb_invalidate(struct vcm_sysmmu *mmu)
{
	if (bad_mmu(mmu, __func__))
		return;
	mmu_lock(mmu);
	tlb_flush_all(mmu);
	mmu->st.tlb_flushes++;
	mmu_unlock(mmu);
}

VCM_EXPORT void vcm_sysmmu_tlb_invalidate_entry(struct vcm_sysmmu *mmu, vcm_addr_t dva)
{
	if (bad_mmu(mmu, __func__))
		return;
	mmu_lock(mmu);
	tlb_flush_dva(mmu, (uint32_t)dva);
	mmu->st.tlb_entry_flushes++;
	mmu_unlock(mmu);
}

VCM_EXPORT void vcm_sysmmu_set_fault_handler(struct vcm_sysmmu *mmu, vcm_fault_fn fn,
					     void *priv)
{
	if (bad_mmu(mmu, __func__))
		return;
	mmu_lock(mmu);
	mmu->handler = fn;
	mmu->handler_priv = priv;
	mmu_unlock(mmu);
}

VCM_EXPORT void vcm_sysmmu_get_stats(const struct vcm_sysmmu *mmu, struct vcm_sysmmu_stats *st)
{
	if (!st)
		return;
	if (vcm_is_err_or_null(mmu)) {
		memset(st, 0, sizeof(*st));
		return;
	}
	mmu_lock(mmu);
	*st = mmu->st;
	mmu_unlock(mmu);
}

VCM_EXPORT int vcm_sysmmu_set_tlb_entries(struct vcm_sysmmu *mmu, unsigned entries)
{
	struct tlb_entry *tlb, *old;

	if (vcm_is_err_or_null(mmu) || !entries || entries > VCM_SYSMMU_TLB_MAX_ENTRIES)
		return -EINVAL;
	tlb = calloc(entries, sizeof(*tlb));
	if (!tlb)
		return -ENOMEM;
	mmu_lock(mmu);
	old = mmu->tlb;
	mmu->tlb = tlb;
	mmu->tlb_size = entries;
	mmu->tlb_next = 0;
	mmu->tlb_mru = 0;
	mmu_unlock(mmu);
	free(old);
	return 0;
}

/* ---- register view ---- */

static bool reg_known(unsigned offset)
{
	return offset < VCM_SYSMMU_REG_SIZE && VCM_IS_ALIGNED(offset, sizeof(uint32_t)) &&
	       offset != VCM_SYSMMU_INT_CLEAR + sizeof(uint32_t);
}

static uint32_t readl_locked(const struct vcm_sysmmu *mmu, unsigned offset)
{
	switch (offset) {
	case VCM_SYSMMU_CTRL:
		return mmu->ctrl;
	case VCM_SYSMMU_CFG:
		return mmu->cfg;
	case VCM_SYSMMU_STATUS:
		return (mmu->ctrl & VCM_SYSMMU_CTRL_BLOCK) ? VCM_SYSMMU_STATUS_BLOCKED : 0;
	case VCM_SYSMMU_PT_BASE_ADDR:
		return mmu->pt_base;
	case VCM_SYSMMU_INT_STATUS:
		return mmu->int_status;
	case VCM_SYSMMU_PAGE_FAULT_ADDR:
		return mmu->page_fault_addr;
	case VCM_SYSMMU_AW_FAULT_ADDR:
		return mmu->aw_fault_addr;
	case VCM_SYSMMU_AR_FAULT_ADDR:
		return mmu->ar_fault_addr;
	case VCM_SYSMMU_DEFAULT_SLAVE_ADDR:
		return mmu->default_slave;
	case VCM_SYSMMU_VERSION:
		return VCM_SYSMMU_VERSION_VALUE;
	default:	/* FLUSH, FLUSH_ENTRY, INT_CLEAR: write-only */
		return 0;
	}
}

VCM_EXPORT uint32_t vcm_sysmmu_readl(struct vcm_sysmmu *mmu, unsigned offset)
{
	uint32_t val;

	if (bad_mmu(mmu, __func__))
		return 0;
	if (!reg_known(offset)) {
		vcm_warn("%s: read of unknown register offset %#x", mmu->name, offset);
		return 0;
	}
	mmu_lock(mmu);
	val = readl_locked(mmu, offset);
	mmu_unlock(mmu);
	return val;
}

/* Returns false for a register that cannot be written. */
static bool writel_locked(struct vcm_sysmmu *mmu, unsigned offset, uint32_t val)
{
	switch (offset) {
	case VCM_SYSMMU_CTRL:
		mmu->ctrl = val;
		return true;
	case VCM_SYSMMU_CFG:
		mmu->cfg = val;
		return true;
	case VCM_SYSMMU_FLUSH:
		tlb_flush_all(mmu);
		mmu->st.tlb_flushes++;
		return true;
	case VCM_SYSMMU_FLUSH_ENTRY:
		tlb_flush_dva(mmu, val);
		mmu->st.tlb_entry_flushes++;
		return true;
	case VCM_SYSMMU_PT_BASE_ADDR:
		mmu->pt_base = val & ~(uint32_t)(VCM_LV1_TABLE_ALIGN - 1);
		return true;
	case VCM_SYSMMU_INT_CLEAR:
		int_clear_locked(mmu, val);
		return true;
	case VCM_SYSMMU_DEFAULT_SLAVE_ADDR:
		mmu->default_slave = val;
		return true;
	default:	/* STATUS, INT_STATUS, fault addresses, VERSION: read-only */
		return false;
	}
}

VCM_EXPORT void vcm_sysmmu_writel(struct vcm_sysmmu *mmu, unsigned offset, uint32_t val)
{
	bool ok = false;

	if (bad_mmu(mmu, __func__))
		return;
	if (reg_known(offset)) {
		mmu_lock(mmu);
		ok = writel_locked(mmu, offset, val);
		mmu_unlock(mmu);
	}
	if (!ok)
		vcm_warn("%s: write of %#x to %s register offset %#x ignored", mmu->name, val,
			 reg_known(offset) ? "read-only" : "unknown", offset);
}

/* ---- dump ---- */

static const char *const fault_names[VCM_FAULT_NR_TYPES] = {
	[VCM_FAULT_PAGE] = "page fault",
	[VCM_FAULT_AR_MULTIHIT] = "AR multi-hit",
	[VCM_FAULT_AW_MULTIHIT] = "AW multi-hit",
	[VCM_FAULT_BUS_ERROR] = "bus error",
	[VCM_FAULT_AR_SECURITY] = "AR security",
	[VCM_FAULT_AR_PROTECTION] = "AR protection",
	[VCM_FAULT_AW_SECURITY] = "AW security",
	[VCM_FAULT_AW_PROTECTION] = "AW protection",
};

static const char *ctrl_name(uint32_t ctrl)
{
	if (ctrl & VCM_SYSMMU_CTRL_BLOCK)
		return "blocked";
	return (ctrl & VCM_SYSMMU_CTRL_MMU_EN) ? "enabled" : "disabled (bypass)";
}

static void dump_regs(const struct vcm_sysmmu *m, FILE *out)
{
	unsigned t;

	fprintf(out, "  CTRL            0x%08x  %s\n", m->ctrl, ctrl_name(m->ctrl));
	fprintf(out, "  CFG             0x%08x\n", m->cfg);
	fprintf(out, "  STATUS          0x%08x\n", readl_locked(m, VCM_SYSMMU_STATUS));
	fprintf(out, "  PT_BASE_ADDR    0x%08x\n", m->pt_base);
	fprintf(out, "  INT_STATUS      0x%08x", m->int_status);
	for (t = 0; t < VCM_FAULT_NR_TYPES; t++)
		if (m->int_status & VCM_SYSMMU_INT_BIT(t))
			fprintf(out, "  [%s]", fault_names[t]);
	fprintf(out, "\n");
	fprintf(out, "  PAGE_FAULT_ADDR 0x%08x\n", m->page_fault_addr);
	fprintf(out, "  AW_FAULT_ADDR   0x%08x\n", m->aw_fault_addr);
	fprintf(out, "  AR_FAULT_ADDR   0x%08x\n", m->ar_fault_addr);
	fprintf(out, "  DEFAULT_SLAVE   0x%08x\n", m->default_slave);
	fprintf(out, "  VERSION         0x%08x  (v%u.%u)\n", (uint32_t)VCM_SYSMMU_VERSION_VALUE,
		VCM_SYSMMU_VERSION_MAJOR, VCM_SYSMMU_VERSION_MINOR);
}

static void dump_tlb(const struct vcm_sysmmu *m, FILE *out)
{
	unsigned i, valid = 0;

	for (i = 0; i < m->tlb_size; i++)
		valid += m->tlb[i].valid;
	fprintf(out, " TLB: %u of %u entries valid (FIFO, next victim %u)\n", valid, m->tlb_size,
		m->tlb_next);
	for (i = 0; i < m->tlb_size; i++) {
		const struct tlb_entry *e = &m->tlb[i];
		bool stale;

		if (!e->valid)
			continue;
		stale = vcm_pte_read(e->pte_host) != e->pte || e->base != m->pt_base;
		fprintf(out, "  [%4u] dva 0x%08x-0x%08x -> pa 0x%08x  %-3s pte 0x%08x%s%s\n", i,
			e->tag, e->tag + e->mask, e->pa,
			vcm_page_size_name((unsigned)__builtin_ctz(e->mask + 1)), e->pte,
			stale ? "  STALE" : "", e->overlaps ? "  OVERLAPS" : "");
	}
}

static void dump_stats(const struct vcm_sysmmu_stats *st, FILE *out)
{
	unsigned t;

	fprintf(out, " stats: translations %llu  tlb hits %llu  misses %llu  walks %llu "
		"(%llu reads)  stale hits %llu  multi-hits %llu\n",
		(unsigned long long)st->translations, (unsigned long long)st->tlb_hits,
		(unsigned long long)st->tlb_misses, (unsigned long long)st->walks,
		(unsigned long long)st->walk_reads, (unsigned long long)st->stale_hits,
		(unsigned long long)st->multi_hits);
	fprintf(out, "        bypassed %llu  blocked %llu  flushes %llu  entry flushes %llu  "
		"faults %llu\n", (unsigned long long)st->bypassed,
		(unsigned long long)st->blocked, (unsigned long long)st->tlb_flushes,
		(unsigned long long)st->tlb_entry_flushes, (unsigned long long)st->faults);
	for (t = 0; t < VCM_FAULT_NR_TYPES; t++)
		if (st->fault_counts[t])
			fprintf(out, "        %-14s %llu\n", fault_names[t],
				(unsigned long long)st->fault_counts[t]);
}

/* Copy the state of @mmu into @snap, with its own copy of the TLB. */
static int snapshot(const struct vcm_sysmmu *mmu, struct vcm_sysmmu *snap)
{
	struct tlb_entry *tlb;
	unsigned n;

	for (;;) {
		mmu_lock(mmu);
		n = mmu->tlb_size;
		mmu_unlock(mmu);
		tlb = malloc(n * sizeof(*tlb));
		if (!tlb)
			return -ENOMEM;
		mmu_lock(mmu);
		if (mmu->tlb_size == n) {
			*snap = *mmu;
			memcpy(tlb, mmu->tlb, n * sizeof(*tlb));
			mmu_unlock(mmu);
			snap->tlb = tlb;
			return 0;
		}
		mmu_unlock(mmu);	/* resized meanwhile: again */
		free(tlb);
	}
}

VCM_EXPORT void vcm_sysmmu_dump(const struct vcm_sysmmu *mmu, FILE *out)
{
	struct vcm_sysmmu snap;

	if (!out)
		return;
	if (vcm_is_err_or_null(mmu)) {
		fprintf(out, "sysmmu: (none)\n");
		return;
	}
	if (snapshot(mmu, &snap)) {
		fprintf(out, "sysmmu %s: (out of memory)\n", mmu->name);
		return;
	}
	fprintf(out, "sysmmu %s:\n", snap.name);
	dump_regs(&snap, out);
	dump_tlb(&snap, out);
	dump_stats(&snap.st, out);
	free(snap.tlb);
}
