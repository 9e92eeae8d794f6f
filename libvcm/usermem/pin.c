/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pin.c - pinning user memory: vcm_phys_from_user().
 *
 * Each pinned host page gets a PA allocated from a SoC's page allocator, and
 * the SoC redirects that RAM page to the host page, so whatever reads or
 * writes the PA (the CPU through vcm_soc_phys_*(), a device through a System
 * MMU) reads or writes the application's bytes.
 *
 * One process-wide table, keyed by (SoC id, host page), holds every pinned
 * page with its PA and pin count: a page keeps its PA while it is pinned at
 * all, and the PA is unredirected and freed on the last unpin.  The key is
 * the SoC's registry id, never reused, not its pointer: a SoC destroyed
 * with pages still pinned keeps them (they stay releasable, see
 * vcm_soc_destroy()), and no other SoC ever finds them.  Pages pinned with
 * VCM_USERPTR_CONTIG share a block of contiguous PAs, freed when the last of
 * its pages is unpinned.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <vcm/userptr.h>

#include "fault-inject-internal.h"
#include "internal.h"
#include "phys.h"
#include "pin.h"
#include "soc-internal.h"
#include "trace.h"

/* Buckets of a fresh table; it doubles at a load factor of 3/4. */
#define PIN_TABLE_MIN_BUCKETS	64
#define PIN_LOAD_NUM		3
#define PIN_LOAD_DEN		4
/* Fibonacci hashing multiplier (2^64 / golden ratio). */
#define PIN_HASH_MULT		0x9e3779b97f4a7c15ULL
/* Pages whose residency one mincore() call checks. */
#define MINCORE_CHUNK_PAGES	256

#define PAGE_ADDR_MASK		((uintptr_t)VCM_PAGE_MASK)

/*
 * struct pin_block - PAs allocated in one contiguous run (VCM_USERPTR_CONTIG).
 * @pa: first PA.
 * @size: bytes.
 * @live: pages of the run still pinned.
 */
struct pin_block {
	vcm_addr_t pa;
	vcm_size_t size;
	unsigned long live;
};

/*
 * struct pin - one pinned host page.
 * @next: next pin in the bucket.
 * @soc: the SoC the PA belongs to (held alive by the PA, see soc.c).
 * @soc_id: its registry id, the key.
 * @page: the host page's address.
 * @pa: its PA in @soc.
 * @count: how many pins hold it.
 * @block: the contiguous run the PA is part of, or NULL for a lone page.
 */
struct pin {
	struct pin *next;
	struct vcm_soc *soc;
	uint64_t soc_id;
	uintptr_t page;
	vcm_addr_t pa;
	unsigned long count;
	struct pin_block *block;
};

/*
 * struct pin_table - every pinned page of the process.
 * @lock: protects the table, the pins and their blocks.
 * @buckets: hash chains (NULL while the table is empty).
 * @nbuckets: a power of two, or 0.
 * @npins: pins in the table.
 */
struct pin_table {
	pthread_mutex_t lock;
	struct pin **buckets;
	size_t nbuckets;
	size_t npins;
};

static struct pin_table pin_table = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * struct user_pins - what a phys from vcm_phys_from_user() holds (its priv).
 * @soc_id: the registry id of the SoC they are pinned in.
 * @first: the first host page.
 * @npages: pages (== phys->count).
 * @pins: the pin of each page, in order.
 */
struct user_pins {
	uint64_t soc_id;
	uintptr_t first;
	unsigned npages;
	struct pin *pins[];
};

static size_t pin_hash(uint64_t soc_id, uintptr_t page, size_t nbuckets)
{
	uint64_t key = (uint64_t)(page >> VCM_PAGE_SHIFT) ^ (soc_id << 40);

	return (size_t)((key * PIN_HASH_MULT) >> 32) & (nbuckets - 1);
}

/* The id the table knows @soc by: 0 (matches no pin) if it is not live. */
static uint64_t soc_key(const struct vcm_soc *soc)
{
	return vcm_reg_id(soc, VCM_KIND_SOC);
}

static struct pin *pin_find(uint64_t soc_id, uintptr_t page)
{
	struct pin *p;

	if (!pin_table.nbuckets || !soc_id)
		return NULL;
	for (p = pin_table.buckets[pin_hash(soc_id, page, pin_table.nbuckets)]; p; p = p->next)
		if (p->soc_id == soc_id && p->page == page)
			return p;
	return NULL;
}

static void bucket_push(struct pin **buckets, size_t nbuckets, struct pin *p)
{
	size_t h = pin_hash(p->soc_id, p->page, nbuckets);

	p->next = buckets[h];
	buckets[h] = p;
}

/* Make room for one more pin: the first bucket array, or a doubled one. */
static int pin_table_grow(void)
{
	size_t n = pin_table.nbuckets ? pin_table.nbuckets * 2 : PIN_TABLE_MIN_BUCKETS;
	struct pin **buckets;
	size_t i;

	if (pin_table.nbuckets &&
	    (pin_table.npins + 1) * PIN_LOAD_DEN <= pin_table.nbuckets * PIN_LOAD_NUM)
		return 0;
	buckets = vcm_calloc(n, sizeof(*buckets));
	if (!buckets)
		return pin_table.nbuckets ? 0 : -ENOMEM; /* a full table still works */
	for (i = 0; i < pin_table.nbuckets; i++) {
		while (pin_table.buckets[i]) {
			struct pin *p = pin_table.buckets[i];

			pin_table.buckets[i] = p->next;
			bucket_push(buckets, n, p);
		}
	}
	free(pin_table.buckets);
	pin_table.buckets = buckets;
	pin_table.nbuckets = n;
	return 0;
}

static int pin_insert(struct pin *p)
{
	int ret = pin_table_grow();

	if (ret)
		return ret;
	bucket_push(pin_table.buckets, pin_table.nbuckets, p);
	pin_table.npins++;
	return 0;
}

/* Take @p out of the table; the bucket array goes when the table empties. */
static void pin_remove(struct pin *p)
{
	struct pin **pp = &pin_table.buckets[pin_hash(p->soc_id, p->page, pin_table.nbuckets)];

	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	if (!--pin_table.npins) {
		free(pin_table.buckets);
		pin_table.buckets = NULL;
		pin_table.nbuckets = 0;
	}
}

/* Give a pin's PA back to its SoC (its run's, once the run is unused). */
static void pin_free_pa(struct pin *p)
{
	struct pin_block *block = p->block;

	vcm_soc_unredirect_page(p->soc, p->pa);
	if (!block) {
		vcm_soc_free_pages(p->soc, p->pa, 0);
	} else if (!--block->live) {
		vcm_soc_free_contig(p->soc, block->pa, block->size);
		free(block);
	}
}

/* Drop one pin of a page (table lock held). */
static void pin_put(struct pin *p)
{
	if (--p->count)
		return;
	pin_remove(p);
	pin_free_pa(p);
	free(p);
}

static void pins_put(struct pin **pins, unsigned n)
{
	while (n--)
		pin_put(pins[n]);
}

/* A new pin of @page at @pa, redirected and in the table (lock held). */
static struct pin *pin_new(struct vcm_soc *soc, uint64_t soc_id, uintptr_t page,
			   vcm_addr_t pa, struct pin_block *block)
{
	struct pin *p;

	if (vcm_should_fail(VCM_FAIL_PIN, VCM_PAGE_SIZE))
		return NULL;
	p = vcm_calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->soc = soc;
	p->soc_id = soc_id;
	p->page = page;
	p->pa = pa;
	p->count = 1;
	p->block = block;
	if (vcm_soc_redirect_page(soc, pa, (void *)page))
		goto fail;
	if (pin_insert(p)) {
		vcm_soc_unredirect_page(soc, pa);
		goto fail;
	}
	return p;

fail:
	free(p);
	return NULL;
}

/* Pin one page: its existing pin, or a new one at a fresh PA. */
static struct pin *pin_get_page(struct vcm_soc *soc, uint64_t soc_id, uintptr_t page)
{
	struct pin *p = pin_find(soc_id, page);
	vcm_addr_t pa;

	if (p) {
		p->count++;
		return p;
	}
	if (vcm_soc_alloc_pages(soc, 0, &pa))
		return NULL;
	p = pin_new(soc, soc_id, page, pa, NULL);
	if (!p)
		vcm_soc_free_pages(soc, pa, 0);
	return p;
}

static int pin_scattered(struct vcm_soc *soc, struct user_pins *up)
{
	unsigned i;

	for (i = 0; i < up->npages; i++) {
		up->pins[i] = pin_get_page(soc, up->soc_id,
					   up->first + (uintptr_t)i * VCM_PAGE_SIZE);
		if (!up->pins[i]) {
			pins_put(up->pins, i);
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * How many pages of @up are pinned already (their pins stored in up->pins),
 * and whether they are all pinned at one contiguous run.
 */
static unsigned pinned_already(struct user_pins *up, bool *contiguous)
{
	unsigned i, found = 0;

	*contiguous = true;
	for (i = 0; i < up->npages; i++) {
		up->pins[i] = pin_find(up->soc_id, up->first + (uintptr_t)i * VCM_PAGE_SIZE);
		if (!up->pins[i]) {
			*contiguous = false;
			continue;
		}
		found++;
		if (i && (!up->pins[i - 1] ||
			  up->pins[i]->pa != up->pins[i - 1]->pa + VCM_PAGE_SIZE))
			*contiguous = false;
	}
	return found;
}

/* Pin every page of @up at fresh contiguous PAs (none is pinned yet). */
static int pin_new_run(struct vcm_soc *soc, struct user_pins *up)
{
	struct pin_block *block = vcm_calloc(1, sizeof(*block));
	unsigned i;

	if (!block)
		return -ENOMEM;
	block->size = (vcm_size_t)up->npages * VCM_PAGE_SIZE;
	if (vcm_soc_alloc_contig(soc, block->size, &block->pa)) {
		free(block);
		return -ENOMEM;
	}
	for (i = 0; i < up->npages; i++) {
		up->pins[i] = pin_new(soc, up->soc_id, up->first + (uintptr_t)i * VCM_PAGE_SIZE,
				      block->pa + (vcm_addr_t)i * VCM_PAGE_SIZE, block);
		if (!up->pins[i])
			break;
		block->live++;
	}
	if (i == up->npages)
		return 0;
	if (i)
		pins_put(up->pins, i); /* the last put frees the run */
	else {
		vcm_soc_free_contig(soc, block->pa, block->size);
		free(block);
	}
	return -ENOMEM;
}

static int pin_contiguous(struct vcm_soc *soc, struct user_pins *up)
{
	bool contiguous;
	unsigned found = pinned_already(up, &contiguous), i;

	if (!found)
		return pin_new_run(soc, up);
	if (found != up->npages || !contiguous)
		return -EBUSY;
	for (i = 0; i < up->npages; i++)
		up->pins[i]->count++;
	return 0;
}

/* Pages of [first, first + npages pages) not mapped at all: -EFAULT. */
static int check_mapped(uintptr_t first, uint64_t npages)
{
	unsigned char vec[MINCORE_CHUNK_PAGES];

	while (npages) {
		uint64_t n = npages < MINCORE_CHUNK_PAGES ? npages : MINCORE_CHUNK_PAGES;

		if (mincore((void *)first, n * VCM_PAGE_SIZE, vec))
			return errno == EAGAIN ? -ENOMEM : -EFAULT;
		first += n * VCM_PAGE_SIZE;
		npages -= n;
	}
	return 0;
}

/*
 * Is every byte of the pages first..last (their addresses) in mappings both
 * readable and writable?
 * The mappings come from /proc/self/maps, sorted by address.  A check
 * that cannot be made fails the pin, never passes it: no descriptor or no
 * memory for the C library to open the file is -ENOMEM, no /proc (or a
 * read error) -EFAULT.
 */
static int check_access(uintptr_t first, uintptr_t last)
{
	FILE *maps = vcm_fopen("/proc/self/maps", "re");
	uintptr_t lo, hi, cur = first;
	char perms[5];
	int ret = -EFAULT;

	if (!maps)
		return errno == ENOMEM || errno == EMFILE || errno == ENFILE ? -ENOMEM : -EFAULT;
	while (fscanf(maps, "%" SCNxPTR "-%" SCNxPTR " %4s%*[^\n]", &lo, &hi, perms) == 3) {
		if (hi <= cur)
			continue;
		if (lo > cur || perms[0] != 'r' || perms[1] != 'w')
			break;
		cur = hi;
		if (cur > last) {
			ret = 0;
			break;
		}
	}
	fclose(maps);
	return ret;
}

/* The user's free function of a pinned phys: unpin every page. */
static void user_phys_free(struct vcm_phys *phys)
{
	struct user_pins *up = *vcm_phys_priv(phys);

	if (check_mapped(up->first, up->npages))
		vcm_warn("vcm_free: user buffer at %#" PRIxPTR " (%u pages) was unmapped while "
			 "pinned; a device access then would have hit unmapped memory",
			 up->first, up->npages);
	vcm_mutex_lock(&pin_table.lock);
	pins_put(up->pins, up->npages);
	vcm_mutex_unlock(&pin_table.lock);
	free(up);
	free(phys);
}

static struct vcm_phys *user_phys_new(struct user_pins *up)
{
	struct vcm_phys *phys = vcm_phys_new(up->npages);
	unsigned i;

	if (!phys)
		return NULL;
	for (i = 0; i < up->npages; i++) {
		phys->parts[i].start = up->pins[i]->pa;
		phys->parts[i].size = VCM_PAGE_SIZE;
	}
	phys->size = (vcm_size_t)up->npages * VCM_PAGE_SIZE;
	phys->free = user_phys_free;
	*vcm_phys_priv(phys) = up;
	return phys;
}

/* The page span of [uaddr, uaddr + size): -EINVAL if empty or wrapping. */
static int user_span(const void *uaddr, size_t size, uintptr_t *first, uint64_t *npages)
{
	uintptr_t start = (uintptr_t)uaddr, last;

	if (!size || start + (size - 1) < start)
		return -EINVAL;
	last = (start + (size - 1)) & PAGE_ADDR_MASK;
	*first = start & PAGE_ADDR_MASK;
	*npages = ((last - *first) >> VCM_PAGE_SHIFT) + 1;
	return 0;
}

static int user_check(const void *uaddr, size_t size, uintptr_t *first, uint64_t *npages)
{
	int ret;

	if (size && !uaddr)
		return -EFAULT;
	ret = user_span(uaddr, size, first, npages);
	if (ret)
		return ret;
	/* Unmapped pages are -EFAULT, whatever the size: look first. */
	ret = check_mapped(*first, *npages);
	if (ret)
		return ret;
	if (*npages > UINT32_MAX)
		return -ENOMEM;
	return check_access(*first, *first + (uintptr_t)((*npages - 1) << VCM_PAGE_SHIFT));
}

VCM_TRACE_BODY struct vcm_phys *do_phys_from_user(struct vcm_soc *soc, void *uaddr, size_t size,
					       unsigned flags)
{
	struct vcm_phys *phys;
	struct user_pins *up;
	uintptr_t first;
	uint64_t npages;
	int ret;

	if (!soc)
		soc = vcm_soc_current();
	if (!vcm_soc_ok(soc, "vcm_phys_from_user"))
		return vcm_err_ptr(-EINVAL);
	ret = user_check(uaddr, size, &first, &npages);
	if (ret)
		return vcm_err_ptr(ret);
	up = vcm_calloc(1, sizeof(*up) + npages * sizeof(up->pins[0]));
	if (!up)
		return vcm_err_ptr(-ENOMEM);
	up->soc_id = soc_key(soc);
	up->first = first;
	up->npages = (unsigned)npages;

	vcm_mutex_lock(&pin_table.lock);
	ret = flags & VCM_USERPTR_CONTIG ? pin_contiguous(soc, up) : pin_scattered(soc, up);
	phys = ret ? NULL : user_phys_new(up);
	if (phys && vcm_phys_register(phys, "vcm_phys_from_user")) {
		free(phys);
		phys = NULL;
	}
	if (!ret && !phys) {
		pins_put(up->pins, up->npages);
		ret = -ENOMEM;
	}
	vcm_mutex_unlock(&pin_table.lock);
	if (ret) {
		free(up);
		return vcm_err_ptr(ret);
	}
	return phys;
}

VCM_TRACED_FN(struct vcm_phys *, vcm_phys_from_user,
	      (struct vcm_soc *soc, void *uaddr, size_t size, unsigned flags),
	      do_phys_from_user, (soc, uaddr, size, flags),
	      PHYS_FROM_USER, soc, uaddr, (uint64_t)size, flags, ret)

size_t vcm_pin_pages(const struct vcm_soc *soc)
{
	uint64_t id = soc ? soc_key(soc) : 0;
	size_t i, n = 0;
	struct pin *p;

	vcm_mutex_lock(&pin_table.lock);
	if (!soc) {
		n = pin_table.npins;
	} else {
		for (i = 0; i < pin_table.nbuckets; i++)
			for (p = pin_table.buckets[i]; p; p = p->next)
				n += p->soc_id == id;
	}
	vcm_mutex_unlock(&pin_table.lock);
	return n;
}

void vcm_pin_for_each(const struct vcm_soc *soc,
		      void (*fn)(const void *uaddr, vcm_addr_t pa, unsigned long count, void *arg),
		      void *arg)
{
	uint64_t id = soc_key(soc);
	struct pin *p;
	size_t i;

	pthread_mutex_lock(&pin_table.lock);
	for (i = 0; id && i < pin_table.nbuckets; i++)
		for (p = pin_table.buckets[i]; p; p = p->next)
			if (p->soc_id == id)
				fn((const void *)p->page, p->pa, p->count, arg);
	pthread_mutex_unlock(&pin_table.lock);
}

int vcm_pin_lookup(const struct vcm_soc *soc, const void *uaddr, vcm_addr_t *pa,
		   unsigned long *count)
{
	struct pin *p;
	uint64_t id;
	int ret = -ENOENT;

	if (!soc)
		soc = vcm_soc_current();
	id = soc_key(soc);
	vcm_mutex_lock(&pin_table.lock);
	p = pin_find(id, (uintptr_t)uaddr & PAGE_ADDR_MASK);
	if (p) {
		*pa = p->pa;
		*count = p->count;
		ret = 0;
	}
	vcm_mutex_unlock(&pin_table.lock);
	return ret;
}

int vcm_pin_find_pa(const struct vcm_soc *soc, vcm_addr_t pa, void **uaddr,
		    unsigned long *count)
{
	vcm_addr_t page = pa & VCM_PAGE_MASK;
	uint64_t id = soc_key(soc);
	int ret = -ENOENT;
	struct pin *p;
	size_t i;

	vcm_mutex_lock(&pin_table.lock);
	for (i = 0; id && i < pin_table.nbuckets && ret; i++) {
		for (p = pin_table.buckets[i]; p; p = p->next) {
			if (p->soc_id != id || p->pa != page)
				continue;
			*uaddr = (void *)(p->page + (uintptr_t)(pa - page));
			*count = p->count;
			ret = 0;
			break;
		}
	}
	vcm_mutex_unlock(&pin_table.lock);
	return ret;
}
