/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * spinlock.h - the library's short-hold lock (internal).
 *
 * A test-and-test-and-set spinlock: one atomic exchange to take it, one
 * release store to drop it, which keeps the per-call paths it guards (a TLB
 * hit, mapping one page) at a few ns where a pthread mutex costs two
 * atomic read-modify-writes and a call each way.  Waiters spin on a plain
 * load and yield the CPU after a while, so a holder that is descheduled
 * (or that does something long, like mapping a large range) does not burn
 * the waiters' time slices.  Never held while calling out of the library.
 */
#ifndef LIBVCM_SPINLOCK_H
#define LIBVCM_SPINLOCK_H

#include <sched.h>

#define VCM_SPIN_BEFORE_YIELD	64

/* 0: free; initialise with vcm_spin_init() or zeroed memory. */
typedef int vcm_spinlock_t;

static inline void vcm_spin_init(vcm_spinlock_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELAXED);
}

static inline void vcm_spin_lock(vcm_spinlock_t *lock)
{
	unsigned spins = 0;

	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(lock, __ATOMIC_RELAXED)) {
			if (++spins >= VCM_SPIN_BEFORE_YIELD) {
				sched_yield();
				spins = 0;
			}
		}
	}
}

static inline void vcm_spin_unlock(vcm_spinlock_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

#endif /* LIBVCM_SPINLOCK_H */
