/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vcm-internal.h - the context core's bookkeeping (internal).
 */
#ifndef LIBVCM_VCM_INTERNAL_H
#define LIBVCM_VCM_INTERNAL_H

#include <pthread.h>
#include <vcm/debug.h>
#include <vcm/sysmmu.h>
#include <vcm/vcm-drv.h>

#include "biaslock.h"
#include "list.h"
#include "pool.h"
#include "registry.h"
#include "soc-internal.h"

/*
 * struct vcm_core - what vcm_init() adds to a context: the registry's
 * private pointer of the context's handle (vcm_core()), so that struct vcm
 * itself has only the kernel's fields.
 * @book: the bookkeeping lock: guards @res_list, @nres, the release of a
 *        reservation of @pool (so that no reader is looking at its memory
 *        when it is reused; a new one is published by its state word
 *        alone), vcm->activations and each reservation's phys/bound_size
 *        (so that a reader such as s5p_vcm_dump() sees them whole).  Held briefly,
 *        never across a call out.  A biased lock (biaslock.h): the thread
 *        that drives the context takes it with plain stores until another
 *        thread (a reader) takes it once.
 * @lock: the mutex of the threads waiting for the context's ownership
 *        (with @idle).
 * @idle: signalled when the context's ownership is given back to a waiter.
 * @owner_thread: the thread that owns the context (see vcm_ctx_enter()),
 *        its vcm_bias_self() key as an integer; 0 while no operation owns
 *        it.
 * @bias: the thread the ownership is biased towards (vcm_core_enter()):
 *        0 before the first operation, VCM_CTX_SHARED once revoked (or
 *        where no asymmetric barrier works).
 * @waiters: threads waiting for it (counted under @lock).
 * @pool: the handle pool every reservation of the context comes from
 *        (the MMU wrapper's: vcm_set_res_pool()); its live objects are the
 *        context's reservations, checked by the registry through their
 *        chunk.  NULL: the reservations are other drivers' memory, each
 *        with a registry entry and a node on @res_list.
 * @res_list: the reservations of a context without @pool
 *        (struct vcm_res_node.link), newest first.
 * @nres: reservations on @res_list (vcm_core_nres() counts those of
 *        @pool).
 * @res_nodes: where the nodes of @res_list come from (owner only).
 * @soc: the SoC the context's memory comes from; NULL: the current SoC.
 * @release: called by vcm_destroy(), with the context owned and empty,
 *           before the core goes (a layer above drops its references).
 * @owner: the context this is the core of.
 * @all: the link in the list of every live context (history.c).
 * @hist: the last VCM_UNMAP_HISTORY unbinds, a ring (history.c; written
 *        and read under @lock).
 * @nhist: unbinds recorded in all; the next goes to @hist[nhist % size].
 * @adopted: a statically initialised context, set up on its first use
 *           (vcm_ctx_adopt()); never free()d by vcm_destroy().
 * @adopted_link: the link in the list of adopted contexts (freed at exit).
 */
struct vcm_core {
	struct vcm_biaslock book;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	_Atomic uintptr_t owner_thread;
	_Atomic uintptr_t bias;
	atomic_uint waiters;
	struct vcm_hpool *pool;
	struct vcm_link res_list;
	unsigned long nres;
	struct vcm_pool res_nodes;
	struct vcm_soc *soc;
	void (*release)(struct vcm *vcm);
	struct vcm *owner;
	struct vcm_link all;
	struct vcm_unmap_record hist[VCM_UNMAP_HISTORY];
	unsigned long nhist;
	bool adopted;
	struct vcm_link adopted_link;
};

/*
 * struct vcm_res_node - the library's bookkeeping of a reservation it took
 * in from a driver without a handle pool (the registry's private pointer
 * of the reservation's handle), kept out of struct vcm_res so that the
 * public struct is the kernel's.
 * @link: on the context's list (struct vcm_core.res_list).
 * @res: the reservation.
 */
struct vcm_res_node {
	struct vcm_link link;
	struct vcm_res *res;
};

/*
 * vcm_core() - the bookkeeping of live context @vcm (NULL if it is not
 * live: callers check the handle first).  The thread's memory of the
 * context it used last, else a lock-free registry lookup.
 */
static inline struct vcm_core *vcm_core(const struct vcm *vcm)
{
	void *core = NULL;

	return vcm_reg_get_live(vcm, VCM_KIND_CONTEXT, &core) ? core : NULL;
}

/*
 * struct vcm_res_iter - a walk over a context's reservations, the one way
 * every reader sees them: the live objects of the context's handle pool
 * (chunk order), or its list (newest first).  A pooled reservation's
 * object starts with its struct vcm_res.
 */
struct vcm_res_iter {
	const struct vcm_core *core;
	const struct vcm_link *next;	/* the list's next node */
	struct vcm_hpool_iter pos;	/* the pool's position */
};

static inline void vcm_res_iter_init(struct vcm_res_iter *it, const struct vcm_core *core)
{
	*it = (struct vcm_res_iter){ .core = core, .next = core->res_list.next };
}

/*
 * The context's reservations: @nres, or (a context with a handle pool) a
 * walk's count (bookkeeping held, or by the owner).
 */
unsigned long vcm_core_nres(const struct vcm_core *core);

/* The walk's next reservation, or NULL at its end. */
struct vcm_res *vcm_res_iter_next(struct vcm_res_iter *it);

/*
 * Walk the reservations of @core (bookkeeping held, or by the owner): @pos
 * is each reservation in turn, @it the walk (struct vcm_res_iter).  The
 * current reservation may be released during the walk, no other.
 */
#define vcm_core_for_each_res(pos, it, core)						\
	for (vcm_res_iter_init(&(it), (core)); ((pos) = vcm_res_iter_next(&(it))) != NULL;)

/*
 * vcm_ctx_adopt() - set up a statically initialised context on its first
 * use, as vcm_init() would (keeping its activation count): the kernel's
 * global vcm_vmm.  True if @vcm is one (and now live); @fn, the public
 * function using it, is recorded as its creator.
 */
bool vcm_ctx_adopt(const struct vcm *vcm, const char *fn);

/* True if @vcm is a live context (or a static one, now adopted). */
static inline bool vcm_ctx_live(const struct vcm *vcm, const char *fn)
{
	return vcm_reg_live(vcm, VCM_KIND_CONTEXT) || vcm_ctx_adopt(vcm, fn);
}

/*
 * True if @vcm is a live context (passed vcm_init(), or is a static one
 * adopted on first use; not destroyed).  A handle that is not, and not
 * NULL or an error pointer, is warned about as made by @fn.
 */
static inline bool vcm_ctx_ok(const struct vcm *vcm, const char *fn)
{
	if (vcm_ctx_live(vcm, fn))
		return true;
	vcm_reg_report(vcm, VCM_KIND_CONTEXT, fn);
	return false;
}

/*
 * vcm_ctx_ok() that gives the core of the live context from the same
 * registry lookup (for vcm_core_enter() and vcm_core_leave()); NULL if
 * @vcm is not live (warned as there).
 */
static inline struct vcm_core *vcm_ctx_core(const struct vcm *vcm, const char *fn)
{
	void *core;

	if (vcm_reg_get_live(vcm, VCM_KIND_CONTEXT, &core))
		return core;
	return vcm_ctx_ok(vcm, fn) ? vcm_core(vcm) : NULL;
}

static inline bool vcm_res_ok(const struct vcm_res *res, const char *fn)
{
	return vcm_handle_ok(res, VCM_KIND_RES, fn);
}

/*
 * vcm_ctx_enter() - own @vcm for one operation: waits while another thread
 * owns it.  The owner runs the driver ops and callbacks with no mutex held;
 * if it calls back into the same context, that call gets -EDEADLK and a
 * warning naming @fn (the kernel would deadlock there).
 */
int vcm_ctx_enter(struct vcm *vcm, const char *fn);
void vcm_ctx_leave(struct vcm *vcm);

/* The owner id of the calling thread (struct vcm_core.owner_thread). */
static inline uintptr_t vcm_ctx_self(void)
{
	return (uintptr_t)vcm_bias_self();
}

/* True if the calling thread owns live context @vcm (it runs one of its calls). */
static inline bool vcm_ctx_owned(const struct vcm *vcm)
{
	return atomic_load_explicit(&vcm_core(vcm)->owner_thread, memory_order_relaxed) ==
	       vcm_ctx_self();
}

/* struct vcm_core.bias of a context whose ownership is no longer biased. */
#define VCM_CTX_SHARED	((uintptr_t)1)

/* Take ownership of @core if nobody has it (*@owner: who has it, else 0). */
static inline bool vcm_ctx_try_own(struct vcm_core *core, uintptr_t self, uintptr_t *owner)
{
	*owner = 0;
	return atomic_compare_exchange_strong(&core->owner_thread, owner, self);
}

/*
 * Owning a context is biased like a page table's lock (biaslock.h): the
 * first thread to own it (the one that drives it, in nearly every program)
 * takes and gives back ownership with plain stores.  (The compare-and-swap
 * in and the full-barrier store out cost 15 of the 52 ns a reservation and
 * its giving back took, bench-vcm.)
 * That thread announces itself in @owner_thread, then checks that the bias
 * still stands; a thread that wants the context while it is biased to
 * another withdraws the bias for good (under @lock: VCM_CTX_SHARED, then
 * vcm_bias_barrier(), a full barrier on every thread) before it takes
 * ownership the shared way (compare-and-swap, waiting on @idle).  So
 * either the owner's check comes after that barrier and it backs off to
 * the shared way, or its announcement came before and the other waits for
 * it.  True if the bias holder @self now owns @core.
 */
static inline bool vcm_ctx_own_biased(struct vcm_core *core, uintptr_t self)
{
	if (atomic_load_explicit(&core->bias, memory_order_acquire) != self ||
	    atomic_load_explicit(&core->owner_thread, memory_order_relaxed))
		return false;	/* not biased to it, or it owns it already */
	atomic_store_explicit(&core->owner_thread, self, memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);	/* the CPU's fence: the revoker's */
	if (atomic_load_explicit(&core->bias, memory_order_acquire) == self)
		return true;
	atomic_store_explicit(&core->owner_thread, 0, memory_order_release);	/* revoked */
	return false;
}

/*
 * vcm_core_enter() past its fast ways: the first owner (which biases the
 * context), revoking another thread's bias, waiting, and refusing a thread
 * that owns it already.
 */
int vcm_core_enter_slow(struct vcm_core *core, struct vcm *vcm, const char *fn);
/* Wake a thread waiting for @core's ownership. */
void vcm_core_wake(struct vcm_core *core);

/* vcm_ctx_enter() for a caller that has the context's core (vcm_ctx_core()). */
VCM_HOT_INLINE int vcm_core_enter(struct vcm_core *core, struct vcm *vcm, const char *fn)
{
	uintptr_t self = vcm_ctx_self(), owner;

	if (vcm_ctx_own_biased(core, self) ||
	    (atomic_load_explicit(&core->bias, memory_order_relaxed) == VCM_CTX_SHARED &&
	     vcm_ctx_try_own(core, self, &owner))) {
		vcm_lock_enter();
		return 0;
	}
	return vcm_core_enter_slow(core, vcm, fn);
}

VCM_HOT_INLINE void vcm_core_leave(struct vcm_core *core)
{
	if (atomic_load_explicit(&core->bias, memory_order_relaxed) == vcm_ctx_self()) {
		/* no waiter: one would have revoked the bias first */
		atomic_store_explicit(&core->owner_thread, 0, memory_order_release);
	} else {
		atomic_store(&core->owner_thread, 0);
		if (atomic_load(&core->waiters))
			vcm_core_wake(core);
	}
	vcm_lock_leave();
}

/*
 * The bookkeeping lock, for changes an owner makes and for readers
 * (counted as a mutex: a warning raised under it waits for its release).
 */
static inline void vcm_core_book_lock(struct vcm_core *core)
{
	vcm_bias_lock(&core->book);
	vcm_lock_enter();
}

static inline void vcm_core_book_unlock(struct vcm_core *core)
{
	vcm_bias_unlock(&core->book);
	vcm_lock_leave();
}

/*
 * The bookkeeping lock taken by the context's owner inside its ownership,
 * which vcm_core_enter() counted already (so a warning raised under it
 * waits all the same): not counted again.
 */
static inline void vcm_core_book_lock_owned(struct vcm_core *core)
{
	vcm_bias_lock(&core->book);
}

static inline void vcm_core_book_unlock_owned(struct vcm_core *core)
{
	vcm_bias_unlock(&core->book);
}

static inline void vcm_book_lock(const struct vcm *vcm)
{
	vcm_core_book_lock(vcm_core(vcm));
}

static inline void vcm_book_unlock(const struct vcm *vcm)
{
	vcm_core_book_unlock(vcm_core(vcm));
}

/*
 * For the readers of a context (the debugging aids): a live context, and
 * its bookkeeping held still (the mutex, not the ownership: they may run
 * inside a callback of that context).
 */
static inline bool vcm_valid(const struct vcm *vcm)
{
	return vcm_ctx_live(vcm, __func__);
}

static inline bool vcm_res_valid(const struct vcm_res *res)
{
	return vcm_reg_live(res, VCM_KIND_RES);
}

static inline void vcm_lock(const struct vcm *vcm)
{
	vcm_book_lock(vcm);
}

static inline void vcm_unlock(const struct vcm *vcm)
{
	vcm_book_unlock(vcm);
}

/*
 * Every reservation of context @vcm comes from @pool (see struct
 * vcm_core.pool), set by the context's constructor after vcm_init(); the
 * pool's owner is the context's core.
 */
static inline void vcm_set_res_pool(struct vcm *vcm, struct vcm_hpool *pool)
{
	struct vcm_core *core = vcm_core(vcm);

	core->pool = pool;
	pool->owner = core;
}

/* See struct vcm_core.release. */
static inline void vcm_set_release_hook(struct vcm *vcm, void (*fn)(struct vcm *vcm))
{
	vcm_core(vcm)->release = fn;
}

/*
 * The SoC a context allocates from (its physical memory, its page tables,
 * the PAs of user pages pinned for it): set by the context's constructor
 * after vcm_init(); NULL, the default, means the current SoC.
 */
static inline void vcm_set_soc(struct vcm *vcm, struct vcm_soc *soc)
{
	struct vcm_core *core = vcm_core(vcm);

	/* the context keeps the SoC's memory (see vcm_soc_hold()) until it goes */
	if (soc)
		vcm_soc_hold(soc);
	vcm_soc_put(core->soc);
	core->soc = soc;
}

static inline struct vcm_soc *vcm_context_soc(const struct vcm *vcm)
{
	struct vcm_soc *soc = vcm_core(vcm)->soc;

	return soc ? soc : vcm_soc_current();
}

/*
 * vcm_describe_dva() - fill @d's owner, reservation and active flag for
 * @dva in @vcm (takes the context's lock; nothing for an invalid context).
 */
void vcm_describe_dva(struct vcm *vcm, vcm_addr_t dva, struct vcm_dva_desc *d);

/*
 * The debugging bookkeeping of contexts (history.c): every live context on
 * one list, and each context's recent unbinds.
 * vcm_history_add() - record that @call unbound [@start, @start + @size)
 * (context lock held).
 * vcm_for_each_context() - call @fn on every live context, under the list's
 * lock (@fn may take the context's lock; it must not create or destroy a
 * context); stops at the first non-zero return and returns it.
 */
void vcm_history_add(struct vcm *vcm, vcm_addr_t start, vcm_size_t size, const char *call);
/* The latest recorded unbind covering @dva, or NULL (context lock held). */
const struct vcm_unmap_record *vcm_history_latest(const struct vcm *vcm, vcm_addr_t dva);
/* The same, into @d's unmap fields. */
void vcm_history_find(const struct vcm *vcm, vcm_addr_t dva, struct vcm_dva_desc *d);
void vcm_contexts_add(struct vcm_core *core);
void vcm_contexts_del(struct vcm_core *core);
int vcm_for_each_context(int (*fn)(struct vcm *vcm, void *priv), void *priv);

/* The kind of a context made by the framework's wrappers (o2o.c, vmm.c). */
bool vcm_is_o2o(const struct vcm *vcm);
bool vcm_is_vmm(const struct vcm *vcm);

#endif /* LIBVCM_VCM_INTERNAL_H */
