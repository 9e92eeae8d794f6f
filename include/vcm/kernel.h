/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/kernel.h> - an optional shim so that kernel-style driver code compiles
 * unchanged against libvcm.  It is not included by <vcm.h>: include it
 * explicitly in code written the kernel's way (the `vcm-kernel` pkg-config
 * module adds a directory where <linux/vcm.h>, <linux/vcm-drv.h>,
 * <plat/s5p-vcm.h> and <plat/sysmmu.h> include it for you).
 *
 * It covers the kernel basics that code around VCM uses: error pointers and
 * IS_ERR_VALUE, ALIGN and the SZ_* sizes, the u8..u64 / s8..s64 types,
 * atomic_t, WARN_ON (a counted libvcm warning, see vcm_raise_warning()),
 * BUG_ON (abort), printk and pr_*, kmalloc/kzalloc/kfree, list_head and its
 * helpers, spinlocks and mutexes on pthreads, DMA directions.  It does not
 * cover subsystems (no v4l2, videobuf2, UMP, platform devices, clocks):
 * those belong to the program being ported.
 *
 * struct list_head is libvcm's struct vcm_link under the kernel's name, so
 * the lists inside libvcm's structures (struct vcm_mmu_res.bound) are kernel
 * lists.  Every name here is a macro, typedef or static inline function; it
 * adds no symbol to the library.  The helpers are as thread-safe as their
 * kernel namesakes (atomics are atomic, locks lock).  The cache-maintenance
 * and DMA-sync names (dmac_*, outer_*, dma_sync_*) come from
 * <vcm/kernel-cache.h>, which this header includes.
 */
#ifndef VCM_KERNEL_H
#define VCM_KERNEL_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vcm/types.h>
#include <vcm/vcm.h>

/* ---- types -------------------------------------------------------------- */

typedef vcm_addr_t dma_addr_t;
typedef vcm_addr_t phys_addr_t;
typedef vcm_size_t resource_size_t;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef unsigned gfp_t;

/* ---- pages and sizes ---------------------------------------------------- */

#ifndef PAGE_SHIFT
#define PAGE_SHIFT VCM_PAGE_SHIFT
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE VCM_PAGE_SIZE
#endif
#ifndef PAGE_MASK
#define PAGE_MASK VCM_PAGE_MASK
#endif
#ifndef PAGE_ALIGN
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#endif
#ifndef ALIGN
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define SZ_4K 0x00001000UL
#define SZ_8K 0x00002000UL
#define SZ_16K 0x00004000UL
#define SZ_32K 0x00008000UL
#define SZ_64K 0x00010000UL
#define SZ_128K 0x00020000UL
#define SZ_256K 0x00040000UL
#define SZ_512K 0x00080000UL
#define SZ_1M 0x00100000UL
#define SZ_2M 0x00200000UL
#define SZ_4M 0x00400000UL
#define SZ_8M 0x00800000UL
#define SZ_16M 0x01000000UL
#define SZ_32M 0x02000000UL
#define SZ_64M 0x04000000UL
#define SZ_128M 0x08000000UL
#define SZ_256M 0x10000000UL
#define SZ_512M 0x20000000UL
#define SZ_1G 0x40000000UL

/* ---- compiler ----------------------------------------------------------- */

#ifndef __must_check
#define __must_check VCM_MUST_CHECK
#endif
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#endif
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)

/* ---- error pointers ----------------------------------------------------- */

#define MAX_ERRNO VCM_MAX_ERRNO
#define ERR_PTR(err) vcm_err_ptr(err)
#define PTR_ERR(ptr) vcm_ptr_err(ptr)
#define IS_ERR(ptr) vcm_is_err(ptr)
#define IS_ERR_OR_NULL(ptr) vcm_is_err_or_null(ptr)
#define ERR_CAST(ptr) ((void *)(ptr))
#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

/* ---- warnings, bugs, messages ------------------------------------------- */

/* WARN_ON(cond): a counted libvcm warning when @cond holds; its value. */
#define WARN_ON(cond)                                                              \
	({                                                                         \
		int __vcm_c = !!(cond);                                            \
		if (__vcm_c)                                                       \
			vcm_raise_warning("WARN_ON(%s) at %s:%d", #cond, __FILE__, \
					  __LINE__);                               \
		__vcm_c;                                                           \
	})
#define WARN_ON_ONCE(cond)                         \
	({                                         \
		static int __vcm_warned;           \
		int __vcm_c = !!(cond);            \
		if (__vcm_c && !__vcm_warned) {    \
			__vcm_warned = 1;          \
			(void)WARN_ON(1);          \
		}                                  \
		__vcm_c;                           \
	})
#define BUG_ON(cond)                                                              \
	do {                                                                      \
		if (cond) {                                                       \
			fprintf(stderr, "BUG_ON(%s) at %s:%d\n", #cond, __FILE__, \
				__LINE__);                                        \
			abort();                                                  \
		}                                                                 \
	} while (0)
#define BUG() BUG_ON(1)

#define KERN_EMERG ""
#define KERN_ALERT ""
#define KERN_CRIT ""
#define KERN_ERR ""
#define KERN_WARNING ""
#define KERN_NOTICE ""
#define KERN_INFO ""
#define KERN_DEBUG ""
#define printk(...) fprintf(stderr, __VA_ARGS__)
#define pr_emerg(...) printk(__VA_ARGS__)
#define pr_alert(...) printk(__VA_ARGS__)
#define pr_crit(...) printk(__VA_ARGS__)
#define pr_err(...) printk(__VA_ARGS__)
#define pr_warning(...) printk(__VA_ARGS__)
#define pr_warn(...) printk(__VA_ARGS__)
#define pr_notice(...) printk(__VA_ARGS__)
#define pr_info(...) printk(__VA_ARGS__)
#ifdef DEBUG
#define pr_debug(...) printk(__VA_ARGS__)
#else
#define pr_debug(...) \
	do {          \
	} while (0)
#endif

/* ---- memory ------------------------------------------------------------- */

#define GFP_KERNEL 0x00u
#define GFP_ATOMIC 0x01u
#define GFP_DMA 0x02u
#define GFP_DMA32 0x04u
#define __GFP_ZERO 0x08u

static inline void *kmalloc(size_t size, gfp_t gfp)
{
	return gfp & __GFP_ZERO ? calloc(1, size) : malloc(size);
}

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	return calloc(1, size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

/* enum dma_data_direction: from <vcm/kernel-cache.h> (included at the end). */

/* ---- atomic_t ----------------------------------------------------------- */

typedef vcm_atomic_t atomic_t;
#define ATOMIC_INIT(i) { (i) }

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_SEQ_CST);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline int atomic_add_return(int i, atomic_t *v)
{
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline int atomic_inc_return(atomic_t *v)
{
	return atomic_add_return(1, v);
}

static inline int atomic_dec_return(atomic_t *v)
{
	return atomic_add_return(-1, v);
}

static inline void atomic_inc(atomic_t *v)
{
	(void)atomic_add_return(1, v);
}

static inline void atomic_dec(atomic_t *v)
{
	(void)atomic_add_return(-1, v);
}

static inline int atomic_dec_and_test(atomic_t *v)
{
	return atomic_add_return(-1, v) == 0;
}

/* Add @a unless the value is @u; true if it added. */
static inline int atomic_add_unless(atomic_t *v, int a, int u)
{
	int c = atomic_read(v);

	while (c != u)
		if (__atomic_compare_exchange_n(&v->counter, &c, c + a, 0, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return 1;
	return 0;
}

/* ---- lists (struct list_head is struct vcm_link) ------------------------ */

#define list_head vcm_link
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

static inline void __vcm_list_insert(struct list_head *n, struct list_head *prev,
				     struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

static inline void list_add(struct list_head *n, struct list_head *head)
{
	__vcm_list_insert(n, head, head->next);
}

static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	__vcm_list_insert(n, head->prev, head);
}

static inline void list_del(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	entry->next = entry->prev = NULL;
}

static inline void list_del_init(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	INIT_LIST_HEAD(entry);
}

static inline int list_empty(const struct list_head *head)
{
	return head->next == head;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_entry(pos, head, member)                               \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);      \
	     &pos->member != (head);                                         \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member)                       \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),      \
	    n = list_entry(pos->member.next, __typeof__(*pos), member);      \
	     &pos->member != (head);                                         \
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

/* ---- locks -------------------------------------------------------------- */

typedef struct {
	pthread_mutex_t m;
} spinlock_t;

#define DEFINE_SPINLOCK(x) spinlock_t x = { PTHREAD_MUTEX_INITIALIZER }
#define spin_lock_init(l) pthread_mutex_init(&(l)->m, NULL)
#define spin_lock(l) pthread_mutex_lock(&(l)->m)
#define spin_unlock(l) pthread_mutex_unlock(&(l)->m)
#define spin_lock_irqsave(l, flags) \
	do {                        \
		(flags) = 0;        \
		spin_lock(l);       \
	} while (0)
#define spin_unlock_irqrestore(l, flags) \
	do {                             \
		(void)(flags);           \
		spin_unlock(l);          \
	} while (0)

struct mutex {
	pthread_mutex_t m;
};

#define DEFINE_MUTEX(x) struct mutex x = { PTHREAD_MUTEX_INITIALIZER }
#define mutex_init(l) pthread_mutex_init(&(l)->m, NULL)
#define mutex_lock(l) pthread_mutex_lock(&(l)->m)
#define mutex_unlock(l) pthread_mutex_unlock(&(l)->m)
#define mutex_destroy(l) pthread_mutex_destroy(&(l)->m)

/* Cache maintenance and DMA syncs (dmac_*, outer_*, dma_sync_*). */
#include <vcm/kernel-cache.h>

#endif /* VCM_KERNEL_H */
