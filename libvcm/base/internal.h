/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h - helpers shared by the library's sources (not installed).
 *
 * LOCK ORDER (the one order of the whole library; a thread holding one of
 * these takes only those below it):
 *
 *   1. a context's ownership (vcm_ctx_enter(), framework/vcm.c): held by
 *      every operation on the context, across its driver ops and the
 *      platform callbacks.  It is not a mutex held across user code: user
 *      code run under it may call any public function, except on the same
 *      context from the same thread (-EDEADLK and a warning, where the
 *      kernel would deadlock).  A callback that enters another context
 *      takes that one's ownership: user code must not make such calls
 *      circular across threads.
 *   2. the S5P layer's lock (platform/s5p.c).
 *   2a. the list of every live context (framework/history.c).
 *   3. a context's bookkeeping lock (struct vcm_core.book, a biased lock
 *      counted as a mutex): its list of reservations, activation count,
 *      res->phys; held briefly, never across a call out.
 *   4. the pin table's lock (usermem/pin.c).
 *   5. a page table's lock (sysmmu/pgtable.c; a leaf while a call writes
 *      or clears one entry, counted once it may allocate or warn).
 *   6. the default SoC's lock (machine/soc.c: making the default SoC).
 *   6a. the dead SoCs' lock (machine/soc.c: vcm_soc_destroy(), holds).
 *   7. a SoC's lock (machine/soc.c: its banks, redirect tables).
 *   8. leaves, which call nothing that locks: a System MMU's spinlock
 *      (sysmmu/sysmmu.c), a SoC's allocator spinlock (machine/soc.c), the
 *      registry's writer spinlock (base/registry.c),
 *      the warning handler's lock (base/warn.c, never held while the
 *      handler runs).
 *
 * No library lock is held while user code runs: the warning handler, the
 * fault handler, driver ops and platform callbacks (ownership, 1., is not
 * a lock in this sense: see above).  Every mutex goes through
 * vcm_mutex_lock()/vcm_mutex_unlock(), which count the locks a thread
 * holds; the leaves (8.) never call out and are not counted.  A warning raised while a lock is
 * held is queued and delivered when the thread lets go of its last lock
 * (vcm_lock_leave()).
 */
#ifndef LIBVCM_INTERNAL_H
#define LIBVCM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <vcm/types.h>

#include "fault-inject-internal.h"

#define VCM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VCM_ALIGN_UP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define VCM_IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define VCM_BIT(n) (1ULL << (n))

/*
 * VCM_HOT_INLINE - a hot-path helper inlined into every caller, whatever
 * the compiler's size heuristics say (the TLB hit's lock-free path: with
 * gcc 12, 2 instructions fewer per hit than its own choice).
 */
#define VCM_HOT_INLINE static inline __attribute__((always_inline))

/*
 * VCM_VECTOR_LOOPS - a small function whose simple loops over arrays the
 * compiler should turn into vector code, unrolled, and whose store loops
 * must stay stores (not become memset()/memcpy() calls, which give no
 * guarantee of the width of each write).  clang vectorises and unrolls at
 * -O2 by itself; gcc 12's -O2 cost model vectorises only loops whose trip
 * count it knows and unrolls none, so gcc gets its -O3 cost model and
 * loop unrolling for this function.  Unrolled, a run of a 1 KiB level-2
 * table costs several stores per loop test, not one: on an AMD EPYC host,
 * writing then clearing the 256 entries of each of 256 tables went from
 * 0.167 to 0.094 ns per entry with 32-byte stores (the loop, not the
 * stores, was the limit).
 *
 * Built by gcc for x86-64, such a function is also compiled for AVX2
 * (VCM_VECTOR_WIDE: one copy with 32-byte vectors, one with the baseline's
 * 16, chosen once at load time by the CPU it runs on; clang refuses
 * target_clones beside no_builtin, so its builds keep the baseline's).  A
 * run of page-table entries written or cleared 32 bytes at a time takes
 * about half the time of 16 bytes at a time (bench-sysmmu's "one call for
 * all pages": 1.9 -> 1.4x the plain loop on an AMD EPYC host), and both
 * widths keep each 32-bit entry whole (pgtable.h).
 */
#if defined(__x86_64__) && defined(__linux__)
#define VCM_VECTOR_WIDE __attribute__((target_clones("avx2", "default")))
#else
#define VCM_VECTOR_WIDE
#endif
#if defined(__clang__)
#define VCM_VECTOR_LOOPS __attribute__((noinline, no_builtin("memset", "memcpy")))
#elif defined(__OPTIMIZE__)
#define VCM_VECTOR_LOOPS __attribute__((noinline, optimize("tree-loop-vectorize", \
	"vect-cost-model=dynamic", "no-tree-loop-distribute-patterns", \
	"unroll-loops"))) VCM_VECTOR_WIDE
#else
#define VCM_VECTOR_LOOPS __attribute__((noinline))
#endif
#define VCM_ORDER_BYTES(order) (VCM_PAGE_SIZE << (order))

#define VCM_CONTAINER_OF(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/*
 * vcm_warn() - report a WARN_ON-class misuse: counts it and hands the text to
 * the warning handler.  Thread-safe.
 */
void vcm_warn(const char *fmt, ...) VCM_PRINTF(1, 2);

/* The longest warning (longer ones are cut): a fault report fits. */
#define VCM_WARN_MSG_MAX	1024

/* Locks (and ownerships) the thread holds; warnings raised meanwhile (queued or only counted). */
extern __thread unsigned vcm_locks_held;
extern __thread unsigned vcm_warns_queued;

/* Deliver the thread's queued warnings (no lock held). */
void vcm_warn_flush(void);

/* Count a lock taken / let go; the last one delivers queued warnings. */
static inline void vcm_lock_enter(void)
{
	vcm_locks_held++;
}

static inline void vcm_lock_leave(void)
{
	if (!--vcm_locks_held && vcm_warns_queued)
		vcm_warn_flush();
}

/* The library's mutexes (order: see the top of this file). */
static inline void vcm_mutex_lock(pthread_mutex_t *m)
{
	pthread_mutex_lock(m);
	vcm_lock_enter();
}

static inline void vcm_mutex_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
	vcm_lock_leave();
}

/*
 * vcm_is_static_storage() - true if the @size bytes at @p lie in static
 * storage: a writable segment of the program or of a loaded shared object
 * (not the heap, a stack or an mmap()).  Slow: for rare paths (storage.c).
 */
bool vcm_is_static_storage(const void *p, size_t size);

/* True when @size rounded up to pages would overflow; else stores it. */
static inline int vcm_page_round(vcm_size_t size, vcm_size_t *out)
{
	if (size > UINT64_MAX - (VCM_PAGE_SIZE - 1))
		return -1;
	*out = VCM_ALIGN_UP(size, VCM_PAGE_SIZE);
	return 0;
}

#endif /* LIBVCM_INTERNAL_H */
