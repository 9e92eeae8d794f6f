/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * biaslock.h - a lock biased towards the one thread that uses it (internal).
 *
 * Most page tables are only ever changed by one thread, and the one atomic
 * read-modify-write a spinlock costs per hold is more than the rest of
 * mapping one page.  A biased lock lets its owner (the first thread that
 * takes it) take and drop it with plain stores and loads.  The first time
 * another thread takes it, the bias is revoked for good: from then on it
 * is the spinlock of spinlock.h for every thread.
 *
 * The owner's fast path announces itself (owner_in = 1), then checks that
 * the spinlock is free and the bias still stands.  A revoker takes the
 * spinlock, withdraws the bias and then runs an asymmetric barrier
 * (membarrier(2): a full barrier on every running thread of the process)
 * before it waits for owner_in to drop.  So either the owner's loads come
 * after that barrier and see the spinlock taken (it backs off), or its
 * store came before it and the revoker sees owner_in (it waits): Dekker's
 * store-then-load on both sides, the owner's fence run by the revoker.
 * Where membarrier(2) does not work, no lock is ever biased.
 *
 * An owner may also remember elsewhere that the bias is its own (a
 * registry memory, registry.h, that tells "live and mine" in one test):
 * a lock given a revocation count (@revocations) has it moved by its
 * revoker before the barrier, which voids every such memory, and the
 * owner's path from one (vcm_bias_lock_known()) reads the count again
 * after it announced itself, in place of the spinlock and the bias.
 *
 * Never held while calling out of the library; not recursive.
 */
#ifndef LIBVCM_BIASLOCK_H
#define LIBVCM_BIASLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "spinlock.h"

/* The owner of a lock whose bias was revoked. */
#define VCM_BIAS_SHARED		((const void *)1)

/* Zeroed memory is a free lock with no owner yet and no revocation count. */
struct vcm_biaslock {
	vcm_spinlock_t lock;		/* taken by every hold but the owner's fast one */
	int owner_in;			/* the owner holds it by the fast path */
	const void *owner;		/* NULL (none yet), a thread, or VCM_BIAS_SHARED */
	const void *slow_holder;	/* the thread holding @lock, NULL if none */
	_Atomic uint64_t *revocations;	/* NULL, or moved by a revoker (see above) */
};

/* The calling thread's key: the address of a thread-local byte. */
extern __thread char vcm_bias_thread_key __attribute__((tls_model("initial-exec")));

static inline const void *vcm_bias_self(void)
{
	return &vcm_bias_thread_key;
}

void vcm_bias_lock_slow(struct vcm_biaslock *l);

/*
 * The revoker's side of a bias, for other biased mechanisms (a context's
 * ownership, vcm-internal.h): whether asymmetric barriers work in this
 * process (if not, nothing may be biased), and the barrier itself, a full
 * barrier on every running thread of the process (stops the process if
 * none works, which vcm_bias_barrier_available() said it did).
 */
bool vcm_bias_barrier_available(void);
void vcm_bias_barrier(void);

static inline bool vcm_bias_owned(const struct vcm_biaslock *l, const void *self)
{
	return __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) == self;
}

/* The owner's plain-store path: true if it now holds the lock. */
static inline bool vcm_bias_lock_fast(struct vcm_biaslock *l)
{
	const void *self = vcm_bias_self();

	if (!vcm_bias_owned(l, self))
		return false;
	__atomic_store_n(&l->owner_in, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* the CPU's fence: the revoker's */
	if (!__atomic_load_n(&l->lock, __ATOMIC_ACQUIRE) && vcm_bias_owned(l, self))
		return true;
	__atomic_store_n(&l->owner_in, 0, __ATOMIC_RELEASE);	/* a revoker is at work */
	return false;
}

/*
 * vcm_bias_lock_known() - the owner's plain-store path for a thread that
 * remembers the bias as its own, with the lock's revocation count
 * (@revocations, which is l->revocations: given by callers that know it
 * without a load) at @n, read before it found the bias its own: true if it
 * now holds the lock; false, with nothing changed, if the bias was revoked
 * since (or is being revoked).  No other thread ever holds the spinlock of
 * a biased lock but a revoker, which moves the count before its barrier.
 */
static inline bool vcm_bias_lock_known(struct vcm_biaslock *l, _Atomic uint64_t *revocations,
				       uint64_t n)
{
	__atomic_store_n(&l->owner_in, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* the CPU's fence: the revoker's */
	if (atomic_load_explicit(revocations, memory_order_acquire) == n)
		return true;
	__atomic_store_n(&l->owner_in, 0, __ATOMIC_RELEASE);
	return false;
}

static inline void vcm_bias_lock(struct vcm_biaslock *l)
{
	if (!vcm_bias_lock_fast(l))
		vcm_bias_lock_slow(l);
}

/* Drop a hold that vcm_bias_lock_fast() took. */
static inline void vcm_bias_unlock_fast(struct vcm_biaslock *l)
{
	__atomic_store_n(&l->owner_in, 0, __ATOMIC_RELEASE);
}

static inline void vcm_bias_unlock(struct vcm_biaslock *l)
{
	if (__atomic_load_n(&l->slow_holder, __ATOMIC_RELAXED) == vcm_bias_self()) {
		__atomic_store_n(&l->slow_holder, NULL, __ATOMIC_RELAXED);
		vcm_spin_unlock(&l->lock);
	} else {
		__atomic_store_n(&l->owner_in, 0, __ATOMIC_RELEASE);
	}
}

#endif /* LIBVCM_BIASLOCK_H */
