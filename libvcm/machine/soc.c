/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * soc.c - the simulated machine: RAM banks backed lazily by host memory,
 * one buddy allocator per bank, CPU access to physical memory.
 *
 * Each bank is a memfd of the bank's size mapped MAP_SHARED|MAP_NORESERVE:
 * the kernel gives it host pages only when they are touched, and the file
 * lets other parts of the library alias RAM pages elsewhere (the CPU context
 * maps scattered pages side by side).  A page pinned from user memory is
 * "redirected": its host pointer is the application's page instead.
 *
 * A non-coherent SoC (vcm_soc_set_noncoherent()) gives each bank three more
 * anonymous MAP_NORESERVE mappings, as lazy as the memfd: RAM as devices see
 * it, the reference copy and the per-line metadata of cache-model.h.  The
 * hot paths test soc->head.cache (or bank->ram) once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "biaslock.h"
#include "buddy-inline.h"
#include "cache-model.h"
#include "internal.h"
#include "registry.h"
#include "soc-internal.h"
#include "trace.h"

struct vcm_soc_bank {
	vcm_addr_t base;
	vcm_size_t size;
	int memfd;
	unsigned char *host;
	struct vcm_buddy *buddy;
	/* Per page: the user page it is redirected to, or NULL. Lazily made. */
	_Atomic(void *) *_Atomic redirect;
	atomic_ulong nredirects;
	/* Non-coherent SoC only (else NULL): RAM, reference, line metadata. */
	uint8_t *ram;
	uint8_t *ref;
	uint8_t *maint;		/* per line */
	uint8_t *dev;		/* per line */
	uint32_t *page_dva;	/* per page */
	unsigned line_shift;
};

/*
 * @holds, @dead, @next_dead: the SoC's lifetime (see "Dead SoCs" below),
 * under dead_lock.
 */
struct vcm_soc {
	struct vcm_soc_head head;	/* first: see soc-internal.h */
	pthread_mutex_t lock; /* bank list changes, redirect tables, the cache model */
	/* The banks' allocators: a leaf, held briefly; biased (biaslock.h). */
	struct vcm_biaslock alloc_lock;
	_Atomic unsigned nbanks;
	unsigned long holds;
	bool dead;
	struct vcm_soc *next_dead;
	struct vcm_soc_bank banks[VCM_SOC_MAX_BANKS];
};

static struct vcm_soc *_Atomic current_soc;
static struct vcm_soc *default_soc;
static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Dead SoCs: vcm_soc_destroy() takes the handle out of the registry at
 * once, but the memory of a SoC that still has pages allocated or holders
 * (vcm_soc_hold(): System MMU models, contexts) stays, on the dead list,
 * until the last page is given back and the last holder lets go.  So
 * whatever was made on it (phys, pins, page tables, System MMUs) can still
 * be released, its pointer is not reused meanwhile (no new SoC can be
 * mistaken for it), and nothing touches freed memory.  The lock is a leaf
 * but for the SoC's own lock (taken inside it to give a page back).
 */
static struct vcm_soc *dead_socs;
static pthread_mutex_t dead_lock = PTHREAD_MUTEX_INITIALIZER;

static inline vcm_addr_t bank_end(const struct vcm_soc_bank *bank)
{
	return bank->base + bank->size;
}

static inline uint64_t bank_pfn(const struct vcm_soc_bank *bank, vcm_addr_t pa)
{
	return (pa - bank->base) >> VCM_PAGE_SHIFT;
}

/*
 * The allocators' lock.  Biased to the first thread that allocates: most
 * programs allocate pages from one thread, which then takes and drops it
 * with plain stores (no atomic read-modify-write per page).
 */
static inline void alloc_lock(const struct vcm_soc *soc)
{
	vcm_bias_lock((struct vcm_biaslock *)&soc->alloc_lock);
}

static inline void alloc_unlock(const struct vcm_soc *soc)
{
	vcm_bias_unlock((struct vcm_biaslock *)&soc->alloc_lock);
}

static struct vcm_soc_bank *bank_of(const struct vcm_soc *soc, vcm_addr_t pa)
{
	unsigned i, n = atomic_load_explicit(&soc->nbanks, memory_order_acquire);

	for (i = 0; i < n; i++) {
		const struct vcm_soc_bank *bank = &soc->banks[i];

		if (pa >= bank->base && pa - bank->base < bank->size)
			return (struct vcm_soc_bank *)bank;
	}
	return NULL;
}

VCM_TRACE_BODY struct vcm_soc *do_soc_create(void)
{
	struct vcm_soc *soc = vcm_calloc(1, sizeof(*soc));

	if (!soc)
		return vcm_err_ptr(-ENOMEM);
	if (vcm_reg_add(soc, VCM_KIND_SOC, NULL, "vcm_soc_create")) {
		free(soc);
		return vcm_err_ptr(-ENOMEM);
	}
	pthread_mutex_init(&soc->lock, NULL);
	return soc;
}

VCM_TRACED_FN(struct vcm_soc *, vcm_soc_create, (void), do_soc_create, (),
	      SOC_CREATE, ret)

static int bank_overlaps(const struct vcm_soc *soc, vcm_addr_t base, vcm_size_t size)
{
	unsigned i;

	for (i = 0; i < soc->nbanks; i++) {
		const struct vcm_soc_bank *bank = &soc->banks[i];

		if (base < bank_end(bank) && bank->base < base + size)
			return 1;
	}
	return 0;
}

static int bank_init(struct vcm_soc_bank *bank, vcm_addr_t base, vcm_size_t size)
{
	bank->memfd = memfd_create("vcm-ram", MFD_CLOEXEC);
	if (bank->memfd < 0)
		return -ENOMEM;
	if (ftruncate(bank->memfd, (off_t)size) < 0)
		goto fail_fd;
	bank->host = vcm_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
			  bank->memfd, 0);
	if (bank->host == MAP_FAILED)
		goto fail_fd;
	bank->buddy = vcm_buddy_create(size >> VCM_PAGE_SHIFT, VCM_SOC_MAX_ORDER);
	if (!bank->buddy)
		goto fail_map;
	bank->base = base;
	bank->size = size;
	return 0;

fail_map:
	munmap(bank->host, size);
fail_fd:
	close(bank->memfd);
	return -ENOMEM;
}

static void *lazy_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void bank_cache_fini(struct vcm_soc_bank *bank)
{
	size_t lines = (size_t)(bank->size >> bank->line_shift);

	if (bank->ram)
		munmap(bank->ram, bank->size);
	if (bank->ref)
		munmap(bank->ref, bank->size);
	if (bank->maint)
		munmap(bank->maint, lines);
	if (bank->dev)
		munmap(bank->dev, lines);
	if (bank->page_dva)
		munmap(bank->page_dva, (size_t)(bank->size >> VCM_PAGE_SHIFT) * sizeof(uint32_t));
	bank->ram = bank->ref = bank->maint = bank->dev = NULL;
	bank->page_dva = NULL;
}

/* The copies the cache model adds to a bank (all zero, like a fresh memfd). */
static int bank_cache_init(struct vcm_soc_bank *bank, unsigned line_shift)
{
	size_t lines = (size_t)(bank->size >> line_shift);

	bank->line_shift = line_shift;
	bank->ref = lazy_map(bank->size);
	bank->maint = lazy_map(lines);
	bank->dev = lazy_map(lines);
	bank->page_dva = lazy_map((size_t)(bank->size >> VCM_PAGE_SHIFT) * sizeof(uint32_t));
	bank->ram = lazy_map(bank->size);
	if (bank->ram && bank->ref && bank->maint && bank->dev && bank->page_dva)
		return 0;
	bank_cache_fini(bank);
	return -ENOMEM;
}

static void bank_fini(struct vcm_soc_bank *bank)
{
	bank_cache_fini(bank);
	vcm_buddy_destroy(bank->buddy);
	munmap(bank->host, bank->size);
	close(bank->memfd);
	free((void *)bank->redirect);
}

VCM_TRACE_BODY int do_soc_add_ram(struct vcm_soc *soc, vcm_addr_t base, vcm_size_t size)
{
	int ret;

	if (!vcm_soc_ok(soc, "vcm_soc_add_ram") || !size || !VCM_IS_ALIGNED(base, VCM_PAGE_SIZE) ||
	    !VCM_IS_ALIGNED(size, VCM_PAGE_SIZE) || base + size < base)
		return -EINVAL;
	if (size > (vcm_size_t)SIZE_MAX || (size >> VCM_PAGE_SHIFT) > UINT32_MAX)
		return -EINVAL;

	vcm_mutex_lock(&soc->lock);
	if (bank_overlaps(soc, base, size)) {
		ret = -EINVAL;
	} else if (soc->nbanks == VCM_SOC_MAX_BANKS) {
		ret = -ENOSPC;
	} else {
		struct vcm_soc_bank *bank = &soc->banks[soc->nbanks];

		ret = bank_init(bank, base, size);
		if (!ret && soc->head.cache) {
			ret = bank_cache_init(bank, vcm_cache_line_shift(soc->head.cache));
			if (ret)
				bank_fini(bank);
		}
		if (!ret)
			atomic_fetch_add_explicit(&soc->nbanks, 1, memory_order_release);
	}
	vcm_mutex_unlock(&soc->lock);
	return ret;
}

VCM_TRACED_FN(int, vcm_soc_add_ram, (struct vcm_soc *soc, vcm_addr_t base, vcm_size_t size),
	      do_soc_add_ram, (soc, base, size),
	      SOC_ADD_RAM, soc, (uint64_t)base, (uint64_t)size, ret)

/* Bytes of RAM allocated (the allocator lock taken). */
static vcm_size_t allocated_bytes(struct vcm_soc *soc)
{
	vcm_size_t total = 0, free_bytes = 0;
	unsigned i;

	alloc_lock(soc);
	for (i = 0; i < soc->nbanks; i++) {
		total += soc->banks[i].size;
		free_bytes += vcm_buddy_free_count(soc->banks[i].buddy) << VCM_PAGE_SHIFT;
	}
	alloc_unlock(soc);
	return total - free_bytes;
}

static void soc_free(struct vcm_soc *soc)
{
	unsigned i;

	for (i = 0; i < soc->nbanks; i++)
		bank_fini(&soc->banks[i]);
	vcm_cache_destroy(soc->head.cache);
	pthread_mutex_destroy(&soc->lock);
	free(soc);
}

/* Is @soc on the dead list?  Compares pointers only (dead_lock held). */
static struct vcm_soc **dead_link(const struct vcm_soc *soc)
{
	struct vcm_soc **pp;

	for (pp = &dead_socs; *pp; pp = &(*pp)->next_dead)
		if (*pp == soc)
			return pp;
	return NULL;
}

/*
 * The end of a dead SoC's life (dead_lock held): true if nothing of it is
 * left, and then it is off the list and the caller frees it.
 */
static bool dead_unused(struct vcm_soc *soc)
{
	struct vcm_soc **pp;

	if (soc->holds || allocated_bytes(soc))
		return false;
	pp = dead_link(soc);
	if (pp)
		*pp = soc->next_dead;
	return true;
}

/*
 * dead_soc_do() - run @op on @soc if it is a dead SoC (it stays alive
 * meanwhile), then free it if that was the last of it.  Returns false,
 * without touching @soc, if it is not one.
 */
static bool dead_soc_do(struct vcm_soc *soc, void (*op)(struct vcm_soc *soc, void *arg),
			void *arg)
{
	bool gone;

	vcm_mutex_lock(&dead_lock);
	if (!dead_link(soc)) {
		vcm_mutex_unlock(&dead_lock);
		return false;
	}
	if (op)
		op(soc, arg);
	gone = dead_unused(soc);
	vcm_mutex_unlock(&dead_lock);
	if (gone)
		soc_free(soc);
	return true;
}

unsigned vcm_soc_dead_count(void)
{
	const struct vcm_soc *soc;
	unsigned n = 0;

	vcm_mutex_lock(&dead_lock);
	for (soc = dead_socs; soc; soc = soc->next_dead)
		n++;
	vcm_mutex_unlock(&dead_lock);
	return n;
}

void vcm_soc_hold(struct vcm_soc *soc)
{
	vcm_mutex_lock(&dead_lock);
	soc->holds++;
	vcm_mutex_unlock(&dead_lock);
}

static void drop_hold(struct vcm_soc *soc, void *arg)
{
	(void)arg;
	soc->holds--;
}

void vcm_soc_put(struct vcm_soc *soc)
{
	if (vcm_is_err_or_null(soc) || dead_soc_do(soc, drop_hold, NULL))
		return;
	vcm_mutex_lock(&dead_lock);
	soc->holds--;
	vcm_mutex_unlock(&dead_lock);
}

VCM_TRACE_BODY void do_soc_destroy(struct vcm_soc *soc)
{
	struct vcm_soc *expected = soc;
	vcm_size_t busy;
	bool gone;

	if (!vcm_soc_ok(soc, "vcm_soc_destroy"))
		return;
	atomic_compare_exchange_strong(&current_soc, &expected, NULL);
	vcm_mutex_lock(&default_lock);
	if (default_soc == soc)
		default_soc = NULL;
	vcm_mutex_unlock(&default_lock);

	busy = allocated_bytes(soc);
	if (busy)
		vcm_warn("vcm_soc_destroy: %llu bytes of RAM still allocated; the SoC's memory "
			 "stays until they are given back", (unsigned long long)busy);
	vcm_reg_del(soc, VCM_KIND_SOC);
	vcm_mutex_lock(&dead_lock);
	soc->dead = true;
	gone = dead_unused(soc);
	if (!gone) {
		soc->next_dead = dead_socs;
		dead_socs = soc;
	}
	vcm_mutex_unlock(&dead_lock);
	if (gone)
		soc_free(soc);
}

VCM_TRACED_VOID(vcm_soc_destroy, (struct vcm_soc *soc), do_soc_destroy, (soc),
		SOC_DESTROY, soc)

static struct vcm_soc *default_soc_get(void)
{
	vcm_mutex_lock(&default_lock);
	if (!default_soc) {
		struct vcm_soc *soc = vcm_soc_create();

		if (vcm_is_err(soc) ||
		    vcm_soc_add_ram(soc, VCM_SOC_DEFAULT_RAM_BASE, VCM_SOC_DEFAULT_RAM_SIZE)) {
			vcm_mutex_unlock(&default_lock);
			abort();
		}
		default_soc = soc;
	}
	vcm_mutex_unlock(&default_lock);
	return default_soc;
}

struct vcm_soc *vcm_soc_current_or_null(void)
{
	return atomic_load(&current_soc);
}

VCM_TRACE_BODY struct vcm_soc *do_soc_current(void)
{
	struct vcm_soc *soc = atomic_load(&current_soc);
	struct vcm_soc *expected = NULL;

	if (soc)
		return soc;
	soc = default_soc_get();
	if (!atomic_compare_exchange_strong(&current_soc, &expected, soc))
		return expected;
	return soc;
}

VCM_TRACED_FN(struct vcm_soc *, vcm_soc_current, (void), do_soc_current, (),
	      SOC_CURRENT, ret)

VCM_TRACE_BODY void do_soc_set_current(struct vcm_soc *soc)
{
	if (soc && !vcm_soc_ok(soc, "vcm_soc_set_current"))
		return;
	atomic_store(&current_soc, vcm_is_err(soc) ? NULL : soc);
}

VCM_TRACED_VOID(vcm_soc_set_current, (struct vcm_soc *soc), do_soc_set_current, (soc),
		SOC_SET_CURRENT, soc)

/* The default machine goes away with the process, so valgrind sees no leak. */
__attribute__((destructor)) static void default_soc_exit(void)
{
	struct vcm_soc *soc = default_soc;

	if (soc)
		do_soc_destroy(soc);
}

/* Dead SoCs whose pages the program never gave back go with the process
 * too, after the other destructors of the library (lower runs later). */
__attribute__((destructor(102))) static void dead_socs_exit(void)
{
	while (dead_socs) {
		struct vcm_soc *soc = dead_socs;

		dead_socs = soc->next_dead;
		soc_free(soc);
	}
}

/*
 * One block per call is the hot case: a SoC this thread found live
 * (vcm_reg_live_fast(): no call), nothing armed for fault injection, a
 * coherent SoC (no cache model to tell of a fresh page), whose allocators'
 * lock is biased to this thread, and a block that bank 0's buddy allocates
 * or frees without rare work (vcm_buddy_alloc_fast(), _free_fast()).  That
 * path makes no call at all, so the public function needs no stack frame
 * for it.  Anything else, errors included, falls back to the general path,
 * which checks everything again.  It gives the same block: bank 0 is the
 * first bank it tries, and the fast path takes a block of exactly @order
 * where the buddy would take it.
 *
 * soc_fast_lock() - true if this call may take the fast path, now holding
 * the lock; false with nothing changed.
 */
VCM_HOT_INLINE bool soc_fast_lock(struct vcm_soc *soc)
{
	return vcm_reg_live_fast(soc, VCM_KIND_SOC) && vcm_fail_unarmed() && !soc->head.cache &&
	       atomic_load_explicit(&soc->nbanks, memory_order_acquire) &&
	       vcm_bias_lock_fast(&soc->alloc_lock);
}

/* The general path of vcm_soc_alloc_pages(): every check, every bank. */
static __attribute__((noinline)) int alloc_pages_checked(struct vcm_soc *soc, unsigned order,
							 vcm_addr_t *pa)
{
	unsigned i, n;
	uint64_t pfn;
	int ret = -ENOMEM;

	if (!vcm_soc_ok(soc, "vcm_soc_alloc_pages") || !pa || order > VCM_SOC_MAX_ORDER)
		return -EINVAL;
	if (vcm_should_fail(VCM_FAIL_PAGE_ALLOC, VCM_ORDER_BYTES(order)))
		return -ENOMEM;
	n = atomic_load_explicit(&soc->nbanks, memory_order_acquire);
	alloc_lock(soc);
	for (i = 0; i < n; i++) {
		ret = vcm_buddy_alloc(soc->banks[i].buddy, order, &pfn);
		if (!ret) {
			*pa = soc->banks[i].base + (pfn << VCM_PAGE_SHIFT);
			break;
		}
	}
	alloc_unlock(soc);
	if (__builtin_expect(soc->head.cache != NULL, 0) && !ret)
		vcm_cache_page_fresh(soc, *pa, VCM_ORDER_BYTES(order));
	return ret;
}

VCM_TRACE_BODY int do_soc_alloc_pages(struct vcm_soc *soc, unsigned order, vcm_addr_t *pa)
{
	const struct vcm_soc_bank *bank;
	uint64_t pfn;
	bool done;

	if (pa && soc_fast_lock(soc)) {
		bank = &soc->banks[0];
		done = vcm_buddy_alloc_fast(bank->buddy, order, &pfn);
		vcm_bias_unlock_fast(&soc->alloc_lock);
		if (done) {
			*pa = bank->base + (pfn << VCM_PAGE_SHIFT);
			return 0;
		}
	}
	return alloc_pages_checked(soc, order, pa);
}

VCM_TRACED_FN(int, vcm_soc_alloc_pages, (struct vcm_soc *soc, unsigned order, vcm_addr_t *pa),
	      do_soc_alloc_pages, (soc, order, pa),
	      SOC_ALLOC_PAGES, soc, order, ret, (uint64_t)(ret ? 0 : pa ? *pa : 0))

void vcm_soc_free_pages_live(struct vcm_soc *soc, vcm_addr_t pa, unsigned order)
{
	struct vcm_soc_bank *bank;
	int ret = -EINVAL;

	bank = bank_of(soc, pa);
	if (bank && VCM_IS_ALIGNED(pa, VCM_PAGE_SIZE) && order <= VCM_SOC_MAX_ORDER) {
		alloc_lock(soc);
		ret = vcm_buddy_free(bank->buddy, bank_pfn(bank, pa), order);
		alloc_unlock(soc);
	}
	if (ret)
		vcm_warn("vcm_soc_free_pages: pa %#llx order %u is not an allocated block",
			 (unsigned long long)pa, order);
}

struct free_args {
	vcm_addr_t pa;
	vcm_size_t size;
	unsigned order;
};

static void dead_free_pages(struct vcm_soc *soc, void *arg)
{
	const struct free_args *a = arg;

	vcm_soc_free_pages_live(soc, a->pa, a->order);
}

/* The general path of vcm_soc_free_pages(): a live SoC, a dead one or none. */
static __attribute__((noinline)) void free_pages_checked(struct vcm_soc *soc, vcm_addr_t pa,
							 unsigned order)
{
	struct free_args a = { .pa = pa, .order = order };

	if (vcm_reg_live(soc, VCM_KIND_SOC)) {
		vcm_soc_free_pages_live(soc, pa, order);
	} else if (vcm_is_err_or_null(soc)) {
		vcm_warn("vcm_soc_free_pages: no SoC");
	} else if (!dead_soc_do(soc, dead_free_pages, &a)) {
		vcm_reg_report(soc, VCM_KIND_SOC, "vcm_soc_free_pages");
		vcm_warn("vcm_soc_free_pages: no SoC");
	}
}

VCM_TRACE_BODY void do_soc_free_pages(struct vcm_soc *soc, vcm_addr_t pa, unsigned order)
{
	const struct vcm_soc_bank *bank;
	bool done;

	if (soc_fast_lock(soc)) {
		bank = &soc->banks[0];
		/* a PA outside bank 0 is a pfn outside its buddy, which declines */
		done = VCM_IS_ALIGNED(pa, VCM_PAGE_SIZE) &&
		       vcm_buddy_free_fast(bank->buddy, bank_pfn(bank, pa), order);
		vcm_bias_unlock_fast(&soc->alloc_lock);
		if (done)
			return;
	}
	free_pages_checked(soc, pa, order);
}

VCM_TRACED_VOID(vcm_soc_free_pages, (struct vcm_soc *soc, vcm_addr_t pa, unsigned order),
		do_soc_free_pages, (soc, pa, order),
		SOC_FREE_PAGES, soc, (uint64_t)pa, order)

VCM_TRACE_BODY vcm_size_t do_soc_free_bytes(const struct vcm_soc *soc)
{
	vcm_size_t bytes = 0;
	unsigned i;

	if (!vcm_soc_ok(soc, "vcm_soc_free_bytes"))
		return 0;
	alloc_lock(soc);
	for (i = 0; i < soc->nbanks; i++)
		bytes += vcm_buddy_free_count(soc->banks[i].buddy) << VCM_PAGE_SHIFT;
	alloc_unlock(soc);
	return bytes;
}

VCM_TRACED_FN(vcm_size_t, vcm_soc_free_bytes, (const struct vcm_soc *soc), do_soc_free_bytes, (soc),
	      SOC_FREE_BYTES, soc, (uint64_t)ret)

VCM_TRACE_BODY vcm_size_t do_soc_total_bytes(const struct vcm_soc *soc)
{
	vcm_size_t bytes = 0;
	unsigned i, n;

	if (!vcm_soc_ok(soc, "vcm_soc_total_bytes"))
		return 0;
	n = atomic_load_explicit(&soc->nbanks, memory_order_acquire);
	for (i = 0; i < n; i++)
		bytes += soc->banks[i].size;
	return bytes;
}

VCM_TRACED_FN(vcm_size_t, vcm_soc_total_bytes, (const struct vcm_soc *soc),
	      do_soc_total_bytes, (soc),
	      SOC_TOTAL_BYTES, soc, (uint64_t)ret)

int vcm_soc_alloc_contig(struct vcm_soc *soc, vcm_size_t size, vcm_addr_t *pa)
{
	uint64_t npages = size >> VCM_PAGE_SHIFT;
	unsigned i;
	int ret = -ENOMEM;

	if (!vcm_soc_ok(soc, "vcm_soc_alloc_contig") || !pa || !npages ||
	    !VCM_IS_ALIGNED(size, VCM_PAGE_SIZE) || npages > (1ULL << VCM_SOC_MAX_ORDER))
		return -EINVAL;
	if (vcm_should_fail(VCM_FAIL_PAGE_ALLOC, size))
		return -ENOMEM;
	alloc_lock(soc);
	for (i = 0; i < soc->nbanks && ret; i++) {
		struct vcm_soc_bank *bank = &soc->banks[i];
		uint64_t pfn;

		ret = vcm_buddy_alloc_pages(bank->buddy, npages, 0, &pfn);
		if (!ret)
			*pa = bank->base + (pfn << VCM_PAGE_SHIFT);
	}
	alloc_unlock(soc);
	if (__builtin_expect(soc->head.cache != NULL, 0) && !ret)
		vcm_cache_page_fresh(soc, *pa, size);
	return ret ? -ENOMEM : 0;
}

static void free_contig(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size);

static void dead_free_contig(struct vcm_soc *soc, void *arg)
{
	const struct free_args *a = arg;

	free_contig(soc, a->pa, a->size);
}

void vcm_soc_free_contig(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size)
{
	struct free_args a = { .pa = pa, .size = size };

	if (vcm_reg_live(soc, VCM_KIND_SOC) || !dead_soc_do(soc, dead_free_contig, &a))
		free_contig(soc, pa, size);
}

static void free_contig(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t size)
{
	struct vcm_soc_bank *bank = vcm_is_err_or_null(soc) ? NULL : bank_of(soc, pa);
	int ret = -EINVAL;

	if (bank && VCM_IS_ALIGNED(pa | size, VCM_PAGE_SIZE)) {
		alloc_lock(soc);
		ret = vcm_buddy_free_pages(bank->buddy, bank_pfn(bank, pa), size >> VCM_PAGE_SHIFT);
		alloc_unlock(soc);
	}
	if (ret)
		vcm_warn("vcm_soc_free_contig: %#llx+%#llx is not an allocated range",
			 (unsigned long long)pa, (unsigned long long)size);
}

int vcm_soc_ram_span(const struct vcm_soc *soc, vcm_addr_t *lo, vcm_addr_t *end)
{
	unsigned i, n = atomic_load_explicit(&soc->nbanks, memory_order_acquire);

	if (!n)
		return -EINVAL;
	*lo = UINT64_MAX;
	*end = 0;
	for (i = 0; i < n; i++) {
		if (soc->banks[i].base < *lo)
			*lo = soc->banks[i].base;
		if (bank_end(&soc->banks[i]) > *end)
			*end = bank_end(&soc->banks[i]);
	}
	return 0;
}

int vcm_soc_page_is_allocated(struct vcm_soc *soc, vcm_addr_t pa)
{
	struct vcm_soc_bank *bank = bank_of(soc, pa);
	int ret;

	if (!bank)
		return 0;
	alloc_lock(soc);
	ret = vcm_buddy_is_allocated(bank->buddy, bank_pfn(bank, pa));
	alloc_unlock(soc);
	return ret;
}

static void *redirected_page(const struct vcm_soc_bank *bank, vcm_addr_t pa)
{
	_Atomic(void *) *table;

	if (!atomic_load_explicit(&bank->nredirects, memory_order_acquire))
		return NULL;
	table = atomic_load_explicit(&bank->redirect, memory_order_acquire);
	return table ? atomic_load_explicit(&table[bank_pfn(bank, pa)], memory_order_acquire)
		     : NULL;
}

/* vcm_soc_host_run() once the bank of @pa is known (inlined: phys_to_host is hot). */
VCM_HOT_INLINE void *bank_host_run(const struct vcm_soc_bank *bank, vcm_addr_t pa, vcm_size_t *run)
{
	vcm_size_t in_page = pa & (VCM_PAGE_SIZE - 1);
	unsigned char *user;

	user = redirected_page(bank, pa);
	if (user) {
		*run = VCM_PAGE_SIZE - in_page;
		return user + in_page;
	}
	/* A later page of the bank may be redirected: then stop at this page. */
	if (atomic_load_explicit(&bank->nredirects, memory_order_acquire))
		*run = VCM_PAGE_SIZE - in_page;
	else
		*run = bank_end(bank) - pa;
	return bank->host + (pa - bank->base);
}

void *vcm_soc_host_run(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t *run)
{
	struct vcm_soc_bank *bank = bank_of(soc, pa);

	if (!bank) {
		*run = 0;
		return NULL;
	}
	return bank_host_run(bank, pa, run);
}

VCM_TRACE_BODY void *do_soc_phys_to_host(struct vcm_soc *soc, vcm_addr_t pa)
{
	vcm_size_t run;

	if (!vcm_soc_ok(soc, "vcm_soc_phys_to_host"))
		return NULL;
	return vcm_soc_host_run(soc, pa, &run);
}

VCM_TRACED_FN(void *, vcm_soc_phys_to_host, (struct vcm_soc *soc, vcm_addr_t pa),
	      do_soc_phys_to_host, (soc, pa),
	      SOC_PHYS_TO_HOST, soc, (uint64_t)pa, ret)

int vcm_soc_ram_window(struct vcm_soc *soc, vcm_addr_t pa, struct vcm_ram_window *w)
{
	const struct vcm_soc_bank *bank = bank_of(soc, pa);

	if (!bank)
		return -EFAULT;
	static const atomic_ulong never_redirected;

	w->base = bank->base;
	w->size = bank->size;
	if (w->device && bank->ram) {
		w->host = bank->ram;
		w->nredirects = &never_redirected;
	} else {
		w->host = bank->host;
		w->nredirects = &bank->nredirects;
	}
	return 0;
}

int vcm_soc_phys_backing(struct vcm_soc *soc, vcm_addr_t pa, int *fd, off_t *off)
{
	struct vcm_soc_bank *bank = bank_of(soc, pa);

	if (!bank)
		return -EFAULT;
	if (redirected_page(bank, pa))
		return -EOPNOTSUPP;
	*fd = bank->memfd;
	*off = (off_t)(pa - bank->base);
	return 0;
}

/*
 * A bank's first redirected page closes its RAM windows
 * (vcm_ram_window_open()): what threads remember of page tables and
 * System MMUs, which may stand for "read through an open window" (a
 * table's, or a hit's page-table entry), is void.
 */
static void bank_window_closed(void)
{
	vcm_reg_forget_kind(VCM_KIND_PGTABLE);
	vcm_reg_forget_kind(VCM_KIND_SYSMMU);
}

static _Atomic(void *) *redirect_table(struct vcm_soc_bank *bank)
{
	_Atomic(void *) *table = atomic_load(&bank->redirect);

	if (!table) {
		/* calloc of a large table is lazily zero-filled by the kernel. */
		table = vcm_calloc(bank->size >> VCM_PAGE_SHIFT, sizeof(*table));
		if (table)
			atomic_store_explicit(&bank->redirect, table, memory_order_release);
	}
	return table;
}

int vcm_soc_redirect_page(struct vcm_soc *soc, vcm_addr_t pa, void *host_page)
{
	struct vcm_soc_bank *bank = bank_of(soc, pa);
	_Atomic(void *) *table;
	int ret = 0;

	if (!bank)
		return -EFAULT;
	vcm_mutex_lock(&soc->lock);
	table = redirect_table(bank);
	if (!table) {
		ret = -ENOMEM;
	} else {
		if (!atomic_exchange(&table[bank_pfn(bank, pa)], host_page) &&
		    !atomic_fetch_add(&bank->nredirects, 1))
			bank_window_closed();
	}
	vcm_mutex_unlock(&soc->lock);
	if (soc->head.cache && !ret)
		vcm_cache_page_pinned(soc, pa);
	return ret;
}

void vcm_soc_unredirect_page(struct vcm_soc *soc, vcm_addr_t pa)
{
	struct vcm_soc_bank *bank = bank_of(soc, pa);
	_Atomic(void *) *table;

	if (!bank)
		return;
	if (soc->head.cache && redirected_page(bank, pa))
		vcm_cache_page_unpinning(soc, pa);
	vcm_mutex_lock(&soc->lock);
	table = atomic_load(&bank->redirect);
	if (table && atomic_exchange(&table[bank_pfn(bank, pa)], NULL))
		atomic_fetch_sub(&bank->nredirects, 1);
	vcm_mutex_unlock(&soc->lock);
}

/* 0 if every byte of [pa, pa+len) is RAM; banks may be adjacent. */
int vcm_soc_check_ram(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t len)
{
	while (len) {
		struct vcm_soc_bank *bank = bank_of(soc, pa);
		vcm_size_t left;

		if (!bank)
			return -EFAULT;
		left = bank_end(bank) - pa;
		if (left >= len)
			return 0;
		pa += left;
		len -= left;
	}
	return 0;
}

typedef void (*copy_fn)(void *host, void *buf, size_t n);

static void copy_from_host(void *host, void *buf, size_t n)
{
	memcpy(buf, host, n);
}

static void copy_to_host(void *host, void *buf, size_t n)
{
	memcpy(host, buf, n);
}

static int phys_access(struct vcm_soc *soc, vcm_addr_t pa, void *buf, size_t len, copy_fn copy,
		       const char *fn)
{
	unsigned char *p = buf;

	if (!vcm_soc_ok(soc, fn) || (!buf && len))
		return -EINVAL;
	if (pa + len < pa || vcm_soc_check_ram(soc, pa, len))
		return -EFAULT;
	if (soc->head.cache && copy == copy_from_host)	/* a CPU read: stale? */
		vcm_cache_cpu_read(soc, pa, len);
	while (len) {
		vcm_size_t run;
		void *host = vcm_soc_host_run(soc, pa, &run);
		size_t n = run < len ? (size_t)run : len;

		copy(host, p, n);
		p += n;
		pa += n;
		len -= n;
	}
	return 0;
}

VCM_TRACE_BODY int do_soc_phys_read(struct vcm_soc *soc, vcm_addr_t pa, void *dst, size_t len)
{
	return phys_access(soc, pa, dst, len, copy_from_host, "vcm_soc_phys_read");
}

VCM_TRACED_FN(int, vcm_soc_phys_read, (struct vcm_soc *soc, vcm_addr_t pa, void *dst, size_t len),
	      do_soc_phys_read, (soc, pa, dst, len),
	      SOC_PHYS_READ, soc, (uint64_t)pa, (uint64_t)len, ret, dst, (uint64_t)(ret ? 0 : len))

VCM_TRACE_BODY int do_soc_phys_write(struct vcm_soc *soc, vcm_addr_t pa, const void *src,
				     size_t len)
{
	return phys_access(soc, pa, (void *)src, len, copy_to_host, "vcm_soc_phys_write");
}

VCM_TRACED_FN(int, vcm_soc_phys_write,
	      (struct vcm_soc *soc, vcm_addr_t pa, const void *src, size_t len),
	      do_soc_phys_write, (soc, pa, src, len),
	      SOC_PHYS_WRITE, soc, (uint64_t)pa, src, (uint64_t)(src ? len : 0), ret)

VCM_EXPORT void vcm_soc_dump_buddyinfo(const struct vcm_soc *soc, FILE *out)
{
	unsigned i, order;

	if (!vcm_soc_ok(soc, __func__) || !out)
		return;
	vcm_mutex_lock((pthread_mutex_t *)&soc->lock);
	for (i = 0; i < soc->nbanks; i++) {
		const struct vcm_soc_bank *bank = &soc->banks[i];
		uint64_t blocks[VCM_SOC_MAX_ORDER + 1];

		alloc_lock(soc);
		for (order = 0; order <= VCM_SOC_MAX_ORDER; order++)
			blocks[order] = vcm_buddy_free_blocks(bank->buddy, order);
		alloc_unlock(soc);
		fprintf(out, "bank %u @%#llx-%#llx  order 0..%u:", i,
			(unsigned long long)bank->base,
			(unsigned long long)(bank_end(bank) - 1), VCM_SOC_MAX_ORDER);
		for (order = 0; order <= VCM_SOC_MAX_ORDER; order++)
			fprintf(out, " %llu", (unsigned long long)blocks[order]);
		fprintf(out, "\n");
	}
	vcm_mutex_unlock((pthread_mutex_t *)&soc->lock);
}

/* ---- the non-coherent cache model's views ---- */

void *vcm_soc_dev_run(struct vcm_soc *soc, vcm_addr_t pa, vcm_size_t *run)
{
	struct vcm_soc_bank *bank;

	if (__builtin_expect(!soc->head.cache, 1))
		return vcm_soc_host_run(soc, pa, run);
	bank = bank_of(soc, pa);
	if (!bank) {
		*run = 0;
		return NULL;
	}
	*run = bank_end(bank) - pa;
	return bank->ram + (pa - bank->base);
}

int vcm_soc_views(struct vcm_soc *soc, vcm_addr_t pa, struct vcm_views *v, vcm_size_t *run)
{
	struct vcm_soc_bank *bank = bank_of(soc, pa);
	vcm_size_t off;

	if (!bank || !bank->ram)
		return -EFAULT;
	off = pa - bank->base;
	v->cpu = bank_host_run(bank, pa, run);
	v->ram = bank->ram + off;
	v->ref = bank->ref + off;
	v->maint = bank->maint + (off >> bank->line_shift);
	v->dev = bank->dev + (off >> bank->line_shift);
	v->page_dva = bank->page_dva + (off >> VCM_PAGE_SHIFT);
	return 0;
}

int vcm_soc_host_to_phys(struct vcm_soc *soc, const void *p, vcm_addr_t *pa)
{
	unsigned i, n = atomic_load_explicit(&soc->nbanks, memory_order_acquire);
	uintptr_t a = (uintptr_t)p;

	for (i = 0; i < n; i++) {
		const struct vcm_soc_bank *bank = &soc->banks[i];
		uintptr_t host = (uintptr_t)bank->host;

		if (a >= host && a - host < bank->size) {
			*pa = bank->base + (a - host);
			return 0;
		}
	}
	return -EFAULT;
}

VCM_TRACE_BODY int do_soc_set_noncoherent(struct vcm_soc *soc, const struct vcm_cache_config *cfg)
{
	struct vcm_cache *c;
	unsigned i;
	int ret = 0;

	if (!vcm_soc_ok(soc, "vcm_soc_set_noncoherent"))
		return -EINVAL;
	c = vcm_cache_create(cfg, &ret);
	if (!c)
		return ret;
	vcm_mutex_lock(&soc->lock);
	if (soc->head.cache)
		ret = -EALREADY;
	if (!ret && allocated_bytes(soc))
		ret = -EBUSY;
	for (i = 0; !ret && i < soc->nbanks; i++)
		ret = bank_cache_init(&soc->banks[i], vcm_cache_line_shift(c));
	if (ret) {
		while (i--)
			bank_cache_fini(&soc->banks[i]);
	} else {
		soc->head.cache = c;
	}
	vcm_mutex_unlock(&soc->lock);
	if (ret)
		vcm_cache_destroy(c);
	return ret;
}

VCM_TRACED_FN(int, vcm_soc_set_noncoherent,
	      (struct vcm_soc *soc, const struct vcm_cache_config *cfg),
	      do_soc_set_noncoherent, (soc, cfg),
	      SOC_SET_NONCOHERENT, soc, cfg, ret)

VCM_TRACE_BODY unsigned do_soc_cache_line(const struct vcm_soc *soc)
{
	if (!vcm_soc_ok(soc, "vcm_soc_cache_line") || !soc->head.cache)
		return 0;
	return 1U << vcm_cache_line_shift(soc->head.cache);
}

VCM_TRACED_FN(unsigned, vcm_soc_cache_line, (const struct vcm_soc *soc), do_soc_cache_line, (soc),
	      SOC_CACHE_LINE, soc, ret)

VCM_EXPORT void vcm_soc_get_cache_stats(const struct vcm_soc *soc, struct vcm_cache_stats *st)
{
	if (!st)
		return;
	if (!vcm_soc_ok(soc, __func__) || !soc->head.cache) {
		memset(st, 0, sizeof(*st));
		return;
	}
	vcm_cache_stats(soc->head.cache, st);
}

void vcm_soc_free_orders(const struct vcm_soc *soc, uint64_t blocks[VCM_SOC_MAX_ORDER + 1])
{
	unsigned i, order;

	for (order = 0; order <= VCM_SOC_MAX_ORDER; order++)
		blocks[order] = 0;
	alloc_lock(soc);
	for (i = 0; i < soc->nbanks; i++)
		for (order = 0; order <= VCM_SOC_MAX_ORDER; order++)
			blocks[order] += vcm_buddy_free_blocks(soc->banks[i].buddy, order);
	alloc_unlock(soc);
}

unsigned vcm_soc_banks(const struct vcm_soc *soc, vcm_addr_t *base, vcm_size_t *size,
		       unsigned max)
{
	unsigned i, n;

	vcm_mutex_lock((pthread_mutex_t *)&soc->lock);
	n = soc->nbanks < max ? soc->nbanks : max;
	for (i = 0; i < n; i++) {
		base[i] = soc->banks[i].base;
		size[i] = soc->banks[i].size;
	}
	vcm_mutex_unlock((pthread_mutex_t *)&soc->lock);
	return n;
}
