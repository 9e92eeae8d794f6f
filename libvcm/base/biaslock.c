/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * biaslock.c - the slow path of the biased lock: the first hold (which
 * biases the lock), holds by other threads, and revoking the bias (see
 * biaslock.h).
 */
#include <linux/membarrier.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "biaslock.h"

__thread char vcm_bias_thread_key __attribute__((tls_model("initial-exec")));

static int membarrier(int cmd)
{
	return (int)syscall(__NR_membarrier, cmd, 0, 0);
}

/* 1 if this process may use the expedited private membarrier, -1 if not. */
static int barrier_state;

bool vcm_bias_barrier_available(void)
{
	int state = __atomic_load_n(&barrier_state, __ATOMIC_ACQUIRE);

	if (!state) {
		state = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) ? -1 : 1;
		__atomic_store_n(&barrier_state, state, __ATOMIC_RELEASE);
	}
	return state > 0;
}

/*
 * A full barrier on every running thread of the process.  Registered
 * before any lock was biased; a process forked since may need registering
 * again.  If nothing works there is no safe way on: stop.
 */
void vcm_bias_barrier(void)
{
	if (!membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		return;
	if (!membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) &&
	    !membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		return;
	if (!membarrier(MEMBARRIER_CMD_GLOBAL))
		return;
	abort();
}

/* Withdraw the bias of @owner (the spinlock held): wait until it is out. */
static void revoke_bias(struct vcm_biaslock *l)
{
	unsigned spins = 0;

	__atomic_store_n(&l->owner, VCM_BIAS_SHARED, __ATOMIC_RELAXED);
	if (l->revocations)	/* every memory of the bias is void */
		atomic_fetch_add_explicit(l->revocations, 1, memory_order_acq_rel);
	vcm_bias_barrier();
	while (__atomic_load_n(&l->owner_in, __ATOMIC_ACQUIRE)) {
		if (++spins >= VCM_SPIN_BEFORE_YIELD) {
			sched_yield();
			spins = 0;
		}
	}
}

void vcm_bias_lock_slow(struct vcm_biaslock *l)
{
	const void *self = vcm_bias_self();
	const void *owner;

	vcm_spin_lock(&l->lock);
	owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	if (!owner && vcm_bias_barrier_available()) {
		/* The first hold: bias the lock and hold it as its owner does. */
		__atomic_store_n(&l->owner_in, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&l->owner, self, __ATOMIC_RELEASE);
		vcm_spin_unlock(&l->lock);
		return;
	}
	if (!owner)
		__atomic_store_n(&l->owner, VCM_BIAS_SHARED, __ATOMIC_RELAXED);
	else if (owner != VCM_BIAS_SHARED && owner != self)
		revoke_bias(l);
	__atomic_store_n(&l->slow_holder, self, __ATOMIC_RELAXED);
}
