/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vcm.c - the context core: the device-driver API of <vcm/vcm.h> on top of
 * a context's driver ops, with the framework's checks, fallbacks, warnings
 * and counted activation.
 *
 * Every handle is checked against the registry on entry (registry.h).  An
 * operation owns its context (vcm_ctx_enter()) and runs the driver ops
 * with no mutex held; the functions named locked_*() expect the context
 * owned.  Changes to the bookkeeping that others read (the reservation
 * list, the release of a reservation, the activation count, a
 * reservation's phys) are made under the bookkeeping lock as well; a
 * pooled reservation is published by its state word (registry.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"
#include "mmu-res.h"
#include "mmu.h"
#include "phys.h"
#include "registry.h"
#include "vcm-internal.h"
#include "trace.h"

static void phys_get(struct vcm_phys *phys)
{
	__atomic_add_fetch(&phys->bindings.counter, 1, __ATOMIC_ACQ_REL);
}

static void phys_put(struct vcm_phys *phys)
{
	__atomic_sub_fetch(&phys->bindings.counter, 1, __ATOMIC_ACQ_REL);
}

/*
 * A reservation's owner count changes only while its context is owned
 * (vcm_ref_reserve() too), so no atomic read-modify-write is needed; the
 * accesses are atomic (relaxed) for readers elsewhere.
 */
static int res_count(const struct vcm_res *res)
{
	return __atomic_load_n(&res->refcnt.counter, __ATOMIC_RELAXED);
}

static void res_set_count(struct vcm_res *res, int count)
{
	__atomic_store_n(&res->refcnt.counter, count, __ATOMIC_RELAXED);
}

/* Drop one owner of @res (owned); true if that was the last (the caller acts). */
static bool res_put(struct vcm_res *res)
{
	int count = res_count(res) - 1;

	res_set_count(res, count);
	return count == 0;
}

/* As the kernel's vcm_unmap(): more than one owner, drop one, do nothing (owned). */
static bool res_put_shared(struct vcm_res *res)
{
	int count = res_count(res);

	if (count <= 1)
		return false;
	res_set_count(res, count - 1);
	return true;
}

/*
 * Ownership is one word, the owner thread.  The thread the context is
 * biased to takes and gives it back with plain stores (vcm_core_enter() in
 * vcm-internal.h: no lock, no call).  Once the bias is gone, it is taken
 * by a compare-and-swap from 0 when nobody owns the context, given back by
 * a store.  A thread that finds it owned waits on @idle under @lock,
 * counted in @waiters; the owner wakes one when it lets go and sees a
 * waiter.  Both sides use sequentially consistent operations (the owner
 * stores 0 then reads @waiters; a waiter counts itself, then tries the
 * swap, under the mutex the owner takes to signal), so a wake-up is never
 * lost, but for the one the bias holder may skip as it leaves just while
 * its bias is revoked: the revoker looks again every millisecond.
 */
int vcm_ctx_enter(struct vcm *vcm, const char *fn)
{
	return vcm_core_enter(vcm_core(vcm), vcm, fn);
}

/*
 * Wait on @core's idle condition (@lock held).  @timed after this thread
 * revoked the bias: the holder may have left by the biased way just
 * before, which wakes nobody, so look again after a millisecond.
 */
static void wait_idle(struct vcm_core *core, bool timed)
{
	struct timespec t;

	if (!timed) {
		pthread_cond_wait(&core->idle, &core->lock);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&core->idle, &core->lock, &t);
}

/*
 * Settle @core's bias for @self (@lock held): the first owner biases it
 * (shared from the start where asymmetric barriers do not work), another
 * thread's bias is revoked.  True if @self now owns it by its bias; *@revoked
 * is set if it revoked one.
 */
static bool settle_bias(struct vcm_core *core, uintptr_t self, bool *revoked)
{
	uintptr_t bias = atomic_load_explicit(&core->bias, memory_order_relaxed);

	*revoked = false;
	if (!bias) {	/* nobody has owned it: ownership needs a bias settled */
		bias = vcm_bias_barrier_available() ? self : VCM_CTX_SHARED;
		if (bias == self)
			atomic_store_explicit(&core->owner_thread, self, memory_order_relaxed);
		atomic_store_explicit(&core->bias, bias, memory_order_release);
		return bias == self;
	}
	if (bias == self) {	/* its own, not owned: no revoker runs while @lock is held */
		atomic_store_explicit(&core->owner_thread, self, memory_order_relaxed);
		return true;
	}
	if (bias != VCM_CTX_SHARED) {
		atomic_store_explicit(&core->bias, VCM_CTX_SHARED, memory_order_relaxed);
		vcm_bias_barrier();
		*revoked = true;
	}
	return false;
}

int vcm_core_enter_slow(struct vcm_core *core, struct vcm *vcm, const char *fn)
{
	uintptr_t self = vcm_ctx_self(), owner;
	bool revoked;

	if (atomic_load_explicit(&core->owner_thread, memory_order_relaxed) == self) {
		vcm_warn("%s: called on context %p from its own driver op or callback; "
			 "refused (-EDEADLK)", fn, (void *)vcm);
		return -EDEADLK;
	}
	pthread_mutex_lock(&core->lock);
	if (!settle_bias(core, self, &revoked)) {
		atomic_fetch_add(&core->waiters, 1);
		while (!vcm_ctx_try_own(core, self, &owner))
			wait_idle(core, revoked);
		atomic_fetch_sub(&core->waiters, 1);
	}
	pthread_mutex_unlock(&core->lock);
	vcm_lock_enter();
	return 0;
}

void vcm_core_wake(struct vcm_core *core)
{
	pthread_mutex_lock(&core->lock);
	pthread_cond_signal(&core->idle);
	pthread_mutex_unlock(&core->lock);
}

void vcm_ctx_leave(struct vcm *vcm)
{
	vcm_core_leave(vcm_core(vcm));
}

/*
 * Enter @res (its fields set) in the registry as made by @fn (owned).  A
 * pooled one is published by its state word (a reader that sees it live
 * sees its fields), inline; another goes on the context's list with @node
 * and is counted, under the bookkeeping lock.  Returns 0 or -ENOMEM.
 */
static int res_link_node(struct vcm_core *core, struct vcm_res *res, struct vcm_res_node *node,
			 const char *fn)
{
	int ret;

	vcm_core_book_lock(core);
	ret = vcm_reg_add(res, VCM_KIND_RES, node, fn);
	if (!ret) {
		vcm_list_add(&core->res_list, &node->link);
		core->nres++;
	}
	vcm_core_book_unlock(core);
	return ret;
}

/* @lean: @res comes from vcm_mmu_res_take(), so its chunk is live. */
VCM_HOT_INLINE int res_link(struct vcm_core *core, struct vcm_res *res,
			    struct vcm_res_node *node, bool lean, const char *fn)
{
	if (lean) {
		vcm_reg_pooled_mark(res, VCM_KIND_RES, fn);
		return 0;
	}
	if (core->pool)
		return vcm_reg_add(res, VCM_KIND_RES, NULL, fn);
	return res_link_node(core, res, node, fn);
}

/*
 * Take live @res out of the registry (a node off the list and the count,
 * the node given back), under the bookkeeping lock: a reader holding it
 * may still be looking at the reservation, whose memory its driver may
 * reuse next (owned).  @ref: where its check found it (vcm_reg_live_ref();
 * zeroed: not known).
 */
VCM_HOT_INLINE void res_unlink(struct vcm_core *core, struct vcm_res *res,
			       const struct vcm_reg_ref *ref)
{
	void *node = NULL;

	vcm_core_book_lock_owned(core);
	vcm_reg_take_ref(res, VCM_KIND_RES, ref, &node);
	if (node) {
		vcm_list_del(&((struct vcm_res_node *)node)->link);
		core->nres--;
	}
	vcm_core_book_unlock_owned(core);
	if (node)
		vcm_pool_free(&core->res_nodes, node);
}

unsigned long vcm_core_nres(const struct vcm_core *core)
{
	struct vcm_res_iter it;
	struct vcm_res *res;
	unsigned long n = 0;

	if (!core->pool)
		return core->nres;
	vcm_core_for_each_res(res, it, core)
		n++;
	return n;
}

struct vcm_res *vcm_res_iter_next(struct vcm_res_iter *it)
{
	const struct vcm_res_node *node;

	if (it->core->pool)
		return vcm_hpool_next_live(it->core->pool, &it->pos);
	if (it->next == &it->core->res_list)
		return NULL;
	node = vcm_list_entry(it->next, struct vcm_res_node, link);
	it->next = it->next->next;	/* before the caller may release it */
	return node->res;
}

/* Record what @res is bound to (NULL: nothing), for owner and readers. */
static void res_set_phys(struct vcm_res *res, struct vcm_phys *phys)
{
	vcm_book_lock(res->vcm);
	res->phys = phys;
	res->bound_size = phys ? phys->size : 0;
	vcm_book_unlock(res->vcm);
}

static void set_activations(struct vcm *vcm, int n)
{
	vcm_book_lock(vcm);
	vcm->activations.counter = n;
	vcm_book_unlock(vcm);
}

/* What the kernel's vcm_init() required of a context (@vcm not NULL). */
static bool init_fields_ok(const struct vcm *vcm)
{
	return !vcm_is_err_or_null(vcm->driver) && vcm->driver->unreserve && vcm->size &&
	       VCM_IS_ALIGNED(vcm->start | vcm->size, VCM_PAGE_SIZE) &&
	       vcm->start + vcm->size - 1 >= vcm->start;
}

/* The same, with vcm_init()'s warning. */
static bool init_args_valid(const struct vcm *vcm)
{
	if (vcm_is_err_or_null(vcm))
		return false;
	if (!init_fields_ok(vcm)) {
		vcm_warn("vcm_init: context %p needs a page-aligned window and a driver "
			 "with an unreserve op", (const void *)vcm);
		return false;
	}
	return true;
}

static void core_free(struct vcm_core *core)
{
	vcm_pool_release(&core->res_nodes);
	pthread_cond_destroy(&core->idle);
	pthread_mutex_destroy(&core->lock);
	vcm_soc_put(core->soc);
	free(core);
}

/*
 * Make @vcm's core and enter the context in the registry (the core is its
 * private pointer) as made by @creator.  The core is whole before the
 * handle is published, so a thread that finds the handle live finds it.
 */
static struct vcm_core *attach_core(struct vcm *vcm, bool adopted, const char *creator)
{
	struct vcm_core *core = vcm_calloc(1, sizeof(*core));

	if (!core)
		return NULL;
	pthread_mutex_init(&core->lock, NULL);
	pthread_cond_init(&core->idle, NULL);
	vcm_list_init(&core->res_list);
	vcm_pool_init(&core->res_nodes, sizeof(struct vcm_res_node));
	vcm_list_init(&core->adopted_link);
	core->owner = vcm;
	core->adopted = adopted;
	if (vcm_reg_add(vcm, VCM_KIND_CONTEXT, core, creator)) {
		core_free(core);
		return NULL;
	}
	vcm_contexts_add(core);
	return core;
}

VCM_TRACE_BODY struct vcm *do_init(struct vcm *vcm)
{
	if (!init_args_valid(vcm))
		return vcm_err_ptr(-EINVAL);
	vcm->activations.counter = 0;
	if (!attach_core(vcm, false, "vcm_init"))
		return vcm_err_ptr(-ENOMEM);
	return vcm;
}

VCM_TRACED_FN(struct vcm *, vcm_init, (struct vcm *vcm), do_init, (vcm),
	      INIT, (uint64_t)(vcm_is_err_or_null(vcm) ? 0 : vcm->start),
	      (uint64_t)(vcm_is_err_or_null(vcm) ? 0 : vcm->size),
	      (int)(!vcm_is_err_or_null(vcm) && vcm->driver), ret)

/* ---- statically initialised contexts ---------------------------------- */

/*
 * The contexts adopted on first use (their cores go at exit), under
 * adopted_lock, which also makes the adoption of one context happen once.
 */
static pthread_mutex_t adopted_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vcm_link adopted = { &adopted, &adopted };

/*
 * A context a driver initialised statically, as the kernel's vcm_vmm was
 * (`static struct vcm my = { .start = ..., .size = ..., .driver = &ops }`):
 * in static storage, with the fields vcm_init() requires, and not one of the
 * library's own wrappers (their contexts need their init function; a
 * static one met here is one that was destroyed).  vcm_vmm is the one
 * static context of a wrapper.
 */
static bool is_static_context(const struct vcm *vcm)
{
	if (vcm == vcm_vmm)
		return true;
	if (!vcm_is_static_storage(vcm, sizeof(*vcm)) || !init_fields_ok(vcm))
		return false;
	return !vcm_is_mmu_context(vcm) && !vcm_is_o2o(vcm) && !vcm_is_vmm(vcm);
}

bool vcm_ctx_adopt(const struct vcm *cvcm, const char *fn)
{
	struct vcm *vcm = (struct vcm *)cvcm;
	struct vcm_core *core;
	bool live;

	if (vcm_is_err_or_null(vcm) || !is_static_context(vcm))
		return false;
	vcm_mutex_lock(&adopted_lock);
	live = vcm_reg_live(vcm, VCM_KIND_CONTEXT);
	if (!live) {
		core = attach_core(vcm, true, fn);
		if (core)
			vcm_list_add_tail(&adopted, &core->adopted_link);
		live = core != NULL;
	}
	vcm_mutex_unlock(&adopted_lock);
	return live;
}

static void adopted_unlink(struct vcm_core *core)
{
	vcm_mutex_lock(&adopted_lock);
	vcm_list_del(&core->adopted_link);
	vcm_mutex_unlock(&adopted_lock);
}

/* The cores of the adopted contexts go with the process (valgrind). */
__attribute__((destructor)) static void adopted_exit(void)
{
	while (!vcm_list_empty(&adopted)) {
		struct vcm_core *core = vcm_list_first(&adopted, struct vcm_core, adopted_link);
		struct vcm *vcm = core->owner;

		vcm_list_del(&core->adopted_link);
		vcm_reg_del(vcm, VCM_KIND_CONTEXT);
		vcm_contexts_del(core);
		core_free(core);
	}
}

/* Page-round a size; 0 or overflow is -EINVAL. */
static int round_size(vcm_size_t size, vcm_size_t *out)
{
	if (!size || vcm_page_round(size, out))
		return -EINVAL;
	return 0;
}

/*
 * Take in a reservation a driver op made: fill the fields the library owns
 * (every field but its start: a pooled one has the bytes of a freed one),
 * then enter it (a pooled one has no node), and count the binding if @phys
 * is already bound to it.  @lean as for res_link().
 */
VCM_HOT_INLINE struct vcm_res *adopt_res(struct vcm_core *core, struct vcm *vcm,
					 struct vcm_res *res, vcm_size_t size,
					 struct vcm_phys *phys, bool lean, const char *fn)
{
	struct vcm_res_node *node = NULL;

	if (vcm_is_err_or_null(res))
		return res ? res : vcm_err_ptr(-ENOMEM);
	res->vcm = vcm;
	res->res_size = size;
	res_set_count(res, 1);
	res->phys = phys;	/* also what the driver's unreserve expects */
	res->bound_size = phys ? phys->size : 0;
	if (!core->pool) {
		node = vcm_pool_take(&core->res_nodes);
		if (node)
			node->res = res;
	}
	if ((!core->pool && !node) || res_link(core, res, node, lean, fn)) {
		if (node)
			vcm_pool_free(&core->res_nodes, node);
		if (phys && vcm->driver->unbind)
			vcm->driver->unbind(res);
		if (vcm->driver->unreserve)
			vcm->driver->unreserve(res);
		return vcm_err_ptr(-ENOMEM);
	}
	if (phys)
		phys_get(phys);
	return res;
}

/* The DVA fault-injection site: a failure looks like a full address space. */
static bool dva_fails(vcm_size_t size)
{
	return vcm_should_fail(VCM_FAIL_DVA, size);
}

/*
 * The lean path of reserving and giving back, as the SoC page allocator's
 * one-block path: a context of the MMU wrapper whose reservation op is the
 * wrapper's own (vcm_mmu_vcm_driver's, which the platforms' copies keep)
 * reserves by the wrapper's inline code (mmu-res.h) rather than a call
 * through its ops; one whose unreserve op is gives back the same way.
 * Everything around it (checks, ownership, fault injection, the handle's
 * state word, the bookkeeping lock, recording) is the general path's.
 */
static inline bool lean_res_op(const struct vcm *vcm)
{
	return vcm->driver->res == vcm_mmu_vcm_driver.res;
}

static inline bool lean_unreserve_op(const struct vcm *vcm)
{
	return vcm->driver->unreserve == vcm_mmu_vcm_driver.unreserve;
}

/* Reserve in @vcm, whose core is @core (owned). */
VCM_HOT_INLINE struct vcm_res *core_reserve(struct vcm_core *core, struct vcm *vcm,
					    vcm_size_t size, unsigned flags, const char *fn)
{
	struct vcm_res *res;

	if (!vcm->driver->res)
		return vcm_err_ptr(-EOPNOTSUPP);
	if (dva_fails(size))
		return vcm_err_ptr(-ENOSPC);
	if (lean_res_op(vcm))
		return adopt_res(core, vcm, vcm_mmu_res_take(vcm_to_mmu(vcm), size), size, NULL,
				 true, fn);
	res = vcm->driver->res(vcm, size, flags);
	return adopt_res(core, vcm, res, size, NULL, false, fn);
}

static struct vcm_res *locked_reserve(struct vcm *vcm, vcm_size_t size, unsigned flags,
				      const char *fn)
{
	return core_reserve(vcm_core(vcm), vcm, size, flags, fn);
}

/*
 * Give back live reservation @res of the context whose core is @core
 * (owned); @ref as for res_unlink().
 */
VCM_HOT_INLINE void core_unreserve(struct vcm_core *core, struct vcm_res *res,
				   const struct vcm_reg_ref *ref)
{
	struct vcm *vcm = res->vcm;

	res_unlink(core, res, ref);
	if (lean_unreserve_op(vcm))
		vcm_mmu_res_give(res);
	else if (vcm->driver->unreserve)
		vcm->driver->unreserve(res);
}

static void locked_unreserve(struct vcm_res *res)
{
	core_unreserve(vcm_core(res->vcm), res, &(struct vcm_reg_ref){ 0 });
}

static int locked_bind(struct vcm_res *res, struct vcm_phys *phys)
{
	int ret;

	if (res->phys == phys)
		return -EALREADY;
	if (res->phys)
		return -EADDRINUSE;
	if (phys->size > res->res_size)
		return -ENOSPC;
	if (!res->vcm->driver->bind)
		return -EOPNOTSUPP;
	ret = res->vcm->driver->bind(res, phys);
	if (ret < 0)
		return ret;
	res_set_phys(res, phys);
	phys_get(phys);
	return ret;
}

/* Unbind; @call is the public call doing it, for the unmap history. */
static struct vcm_phys *locked_unbind(struct vcm_res *res, const char *call)
{
	struct vcm_phys *phys = res->phys;

	vcm_book_lock(res->vcm);	/* the debugging aids read the history */
	vcm_history_add(res->vcm, res->start, res->bound_size, call);
	vcm_book_unlock(res->vcm);
	if (res->vcm->driver->unbind)
		res->vcm->driver->unbind(res);
	res_set_phys(res, NULL);
	phys_put(phys);
	return phys;
}

/* True if the driver can reserve and bind in some way (vcm_map()). */
static bool can_map(const struct vcm_driver *drv)
{
	return drv->map || (drv->res && drv->bind);
}

static struct vcm_res *locked_map(struct vcm *vcm, struct vcm_phys *phys, unsigned flags,
				  const char *fn)
{
	struct vcm_res *res;
	int ret;

	if (vcm->driver->map && dva_fails(phys->size))
		return vcm_err_ptr(-ENOSPC);
	if (vcm->driver->map)
		return adopt_res(vcm_core(vcm), vcm, vcm->driver->map(vcm, phys, flags), phys->size,
				 phys, false, fn);
	if (!can_map(vcm->driver))
		return vcm_err_ptr(-EOPNOTSUPP);
	res = locked_reserve(vcm, phys->size, flags, fn);
	if (vcm_is_err(res))
		return res;
	ret = locked_bind(res, phys);
	if (ret < 0) {
		locked_unreserve(res);
		return vcm_err_ptr(ret);
	}
	return res;
}

static void free_phys(struct vcm_phys *phys)
{
	if (vcm_phys_bindings(phys)) {
		vcm_warn("vcm_free: phys %p is still bound %u time(s); not freed", (void *)phys,
			 vcm_phys_bindings(phys));
		return;
	}
	vcm_phys_unregister(phys, "vcm_free");
	if (phys->free)
		phys->free(phys);
}

VCM_TRACE_BODY struct vcm_phys *do_alloc(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct vcm_phys *phys;
	int ret;

	if (!vcm_ctx_ok(vcm, "vcm_alloc") || round_size(size, &size))
		return vcm_err_ptr(-EINVAL);
	if (!vcm->driver->phys)
		return vcm_err_ptr(-EOPNOTSUPP);
	ret = vcm_ctx_enter(vcm, "vcm_alloc");
	if (ret)
		return vcm_err_ptr(ret);
	phys = vcm->driver->phys(vcm, size, flags);
	if (!vcm_is_err_or_null(phys) && vcm_phys_register(phys, "vcm_alloc")) {
		free_phys(phys);
		phys = NULL;
	}
	vcm_ctx_leave(vcm);
	return phys ? phys : vcm_err_ptr(-ENOMEM);
}

VCM_TRACED_FN(struct vcm_phys *, vcm_alloc, (struct vcm *vcm, vcm_size_t size, unsigned flags),
	      do_alloc, (vcm, size, flags),
	      ALLOC, vcm, (uint64_t)size, flags, ret)

VCM_TRACE_BODY void do_free(struct vcm_phys *phys)
{
	if (vcm_is_err_or_null(phys)) {
		vcm_warn("vcm_free: no phys (%p)", (void *)phys);
		return;
	}
	if (vcm_phys_check(phys, VCM_PHYS_RELEASE, "vcm_free"))
		return;
	free_phys(phys);
}

VCM_TRACED_VOID(vcm_free, (struct vcm_phys *phys), do_free, (phys),
		FREE, phys)

VCM_TRACE_BODY struct vcm_res *do_reserve(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct vcm_core *core = vcm_ctx_core(vcm, "vcm_reserve");
	struct vcm_res *res;
	int ret;

	if (!core || round_size(size, &size))
		return vcm_err_ptr(-EINVAL);
	ret = vcm_core_enter(core, vcm, "vcm_reserve");
	if (ret)
		return vcm_err_ptr(ret);
	res = core_reserve(core, vcm, size, flags, "vcm_reserve");
	vcm_core_leave(core);
	return res;
}

VCM_TRACED_FN(struct vcm_res *, vcm_reserve, (struct vcm *vcm, vcm_size_t size, unsigned flags),
	      do_reserve, (vcm, size, flags),
	      RESERVE, vcm, (uint64_t)size, flags, ret)

/*
 * A reservation its driver made itself, as Samsung's MFC driver does: a
 * struct vcm_mmu_res it allocates and fills (start, res_size, vcm, an empty
 * bound list) and hands to vcm_bind() and vcm_unbind().  libvcm has no
 * record of it, so it is taken when the registry knows nothing of the
 * pointer (not a live handle of any kind, not a released one) and its ->vcm
 * is a live context of the MMU wrapper (which keeps a bound one on its
 * list through its own link).  Only vcm_bind() and vcm_unbind() take it;
 * it is never on the context's reservation list, so vcm_destroy() and the
 * debugging aids do not see it.
 */
static bool res_driver_made(struct vcm_res *res, const char *fn)
{
	struct vcm_handle_info info;

	if (vcm_is_err_or_null(res) || !vcm_reg_info(res, &info) || vcm_reg_was_released(res))
		return false;
	return !vcm_is_err_or_null(res->vcm) && vcm_ctx_live(res->vcm, fn) &&
	       vcm_is_mmu_context(res->vcm);
}

/* A driver-made reservation must lie in its context's window, in pages. */
static int res_driver_made_valid(const struct vcm_res *res, const char *fn)
{
	const struct vcm *vcm = res->vcm;

	if (res->res_size && VCM_IS_ALIGNED(res->start | res->res_size, VCM_PAGE_SIZE) &&
	    res->start >= vcm->start && res->res_size <= vcm->size &&
	    res->start - vcm->start <= vcm->size - res->res_size)
		return 0;
	vcm_warn("%s: reservation %p (%#llx+%#llx, made by its driver) is not whole pages "
		 "inside its context's window", fn, (const void *)res,
		 (unsigned long long)res->start, (unsigned long long)res->res_size);
	return -EINVAL;
}

/*
 * The check of a reservation handle: 0 if @res is live (or, with
 * @driver_made_ok, a valid driver-made one); else -EINVAL, a dead or
 * foreign handle warned about by the registry.  @ref: where it was found
 * (vcm_reg_live_ref(); its chunk NULL unless 0 is returned).
 */
VCM_HOT_INLINE int res_check_in(struct vcm_res *res, bool driver_made_ok, const char *fn,
				struct vcm_reg_ref *ref)
{
	if (vcm_reg_live_ref(res, VCM_KIND_RES, ref))
		return 0;
	ref->chunk = NULL;
	if (driver_made_ok && res_driver_made(res, fn))
		return res_driver_made_valid(res, fn);
	vcm_reg_report(res, VCM_KIND_RES, fn);
	return -EINVAL;
}

static int res_check(struct vcm_res *res, bool driver_made_ok, const char *fn)
{
	struct vcm_reg_ref ref;

	return res_check_in(res, driver_made_ok, fn, &ref);
}

/*
 * The checks every function taking a reservation makes: res_check_in(),
 * and NULL or an error pointer warned about as "no reservation".
 */
VCM_HOT_INLINE int res_check_any(struct vcm_res *res, bool driver_made_ok, const char *fn,
				 struct vcm_reg_ref *ref)
{
	if (!res_check_in(res, driver_made_ok, fn, ref))
		return 0;
	if (vcm_is_err_or_null(res))
		vcm_warn("%s: no reservation (%p)", fn, (void *)res);
	return -EINVAL;
}

/* res_check_any(), then ownership of its context: 0, -EINVAL, or vcm_ctx_enter()'s error. */
static int res_enter_as(struct vcm_res *res, bool driver_made_ok, const char *fn)
{
	struct vcm_reg_ref ref;

	if (res_check_any(res, driver_made_ok, fn, &ref))
		return -EINVAL;
	return vcm_ctx_enter(res->vcm, fn);
}

static int res_enter(struct vcm_res *res, const char *fn)
{
	return res_enter_as(res, false, fn);
}

/*
 * res_enter() giving the context's core (for vcm_core_leave()); NULL:
 * refused.  @ref as for res_check_in().
 */
VCM_HOT_INLINE struct vcm_core *res_enter_core(struct vcm_res *res, const char *fn,
					       struct vcm_reg_ref *ref)
{
	struct vcm_core *core;

	if (res_check_any(res, false, fn, ref))
		return NULL;
	/* a live pooled one's chunk leads to its context's core */
	core = ref->chunk ? ref->pool->owner : vcm_core(res->vcm);
	return vcm_core_enter(core, res->vcm, fn) ? NULL : core;
}

VCM_TRACE_BODY void do_unreserve(struct vcm_res *res)
{
	struct vcm_reg_ref ref;
	struct vcm_core *core = res_enter_core(res, "vcm_unreserve", &ref);
	vcm_addr_t start;
	bool bound;

	if (!core)
		return;
	if (!res_put(res)) {	/* another owner holds it (vcm_ref_reserve()) */
		vcm_core_leave(core);
		return;
	}
	start = res->start;
	bound = res->phys != NULL;
	if (bound)
		locked_unbind(res, "vcm_unreserve");
	core_unreserve(core, res, &ref);
	vcm_core_leave(core);
	if (bound)
		vcm_warn("vcm_unreserve: reservation %#llx was still bound; unbound it",
			 (unsigned long long)start);
}

VCM_TRACED_VOID(vcm_unreserve, (struct vcm_res *res), do_unreserve, (res),
		UNRESERVE, res)

VCM_TRACE_BODY int do_ref_reserve(struct vcm_res *res)
{
	struct vcm_reg_ref ref;
	bool owned;
	int count;

	if (res_check_any(res, false, "vcm_ref_reserve", &ref))
		return -EINVAL;
	/* from the context's own driver op or callback: it is owned already */
	owned = vcm_ctx_owned(res->vcm);
	if (!owned && vcm_ctx_enter(res->vcm, "vcm_ref_reserve"))
		return -EINVAL;
	count = res_count(res) + 1;
	res_set_count(res, count);
	if (!owned)
		vcm_ctx_leave(res->vcm);
	return count < 2 ? -EINVAL : 0;
}

VCM_TRACED_FN(int, vcm_ref_reserve, (struct vcm_res *res), do_ref_reserve, (res),
	      REF_RESERVE, res, ret)

VCM_TRACE_BODY int do_bind(struct vcm_res *res, struct vcm_phys *phys)
{
	int ret;

	if (res_check(res, true, "vcm_bind"))
		return -EINVAL;
	ret = vcm_phys_check(phys, VCM_PHYS_USE, "vcm_bind");
	if (ret)
		return ret;
	if (!phys->size || !phys->count)
		return -EINVAL;
	ret = vcm_ctx_enter(res->vcm, "vcm_bind");
	if (ret)
		return ret;
	ret = locked_bind(res, phys);
	vcm_ctx_leave(res->vcm);
	return ret;
}

VCM_TRACED_FN(int, vcm_bind, (struct vcm_res *res, struct vcm_phys *phys), do_bind, (res, phys),
	      BIND, res, phys, ret)

VCM_TRACE_BODY struct vcm_phys *do_unbind(struct vcm_res *res)
{
	struct vcm_phys *phys = NULL;
	vcm_addr_t start;

	if (res_enter_as(res, true, "vcm_unbind"))
		return NULL;
	start = res->start;
	if (res->phys)
		phys = locked_unbind(res, "vcm_unbind");
	vcm_ctx_leave(res->vcm);
	if (!phys)
		vcm_warn("vcm_unbind: nothing bound to reservation %#llx",
			 (unsigned long long)start);
	return phys;
}

VCM_TRACED_FN(struct vcm_phys *, vcm_unbind, (struct vcm_res *res), do_unbind, (res),
	      UNBIND, res, ret)

VCM_TRACE_BODY struct vcm_res *do_map(struct vcm *vcm, struct vcm_phys *phys, unsigned flags)
{
	struct vcm_res *res;
	int ret;

	if (!vcm_ctx_ok(vcm, "vcm_map"))
		return vcm_err_ptr(-EINVAL);
	ret = vcm_phys_check(phys, VCM_PHYS_USE, "vcm_map");
	if (ret)
		return vcm_err_ptr(ret);
	if (!phys->size || !phys->count)
		return vcm_err_ptr(-EINVAL);
	ret = vcm_ctx_enter(vcm, "vcm_map");
	if (ret)
		return vcm_err_ptr(ret);
	res = locked_map(vcm, phys, flags, "vcm_map");
	vcm_ctx_leave(vcm);
	return res;
}

VCM_TRACED_FN(struct vcm_res *, vcm_map, (struct vcm *vcm, struct vcm_phys *phys, unsigned flags),
	      do_map, (vcm, phys, flags),
	      MAP, vcm, phys, flags, ret)

VCM_TRACE_BODY void do_unmap(struct vcm_res *res)
{
	struct vcm *vcm;

	if (res_enter(res, "vcm_unmap"))
		return;
	if (res_put_shared(res)) {
		vcm_ctx_leave(res->vcm);
		return;
	}
	res_set_count(res, 0);
	vcm = res->vcm;
	if (res->phys)
		locked_unbind(res, "vcm_unmap");
	locked_unreserve(res);
	vcm_ctx_leave(vcm);
}

VCM_TRACED_VOID(vcm_unmap, (struct vcm_res *res), do_unmap, (res),
		UNMAP, res)

static struct vcm_res *locked_make_binding(struct vcm *vcm, vcm_size_t size,
					   unsigned alloc_flags, unsigned res_flags,
					   struct vcm_phys **made)
{
	struct vcm_phys *phys;
	struct vcm_res *res;

	*made = NULL;
	if (vcm->driver->alloc) {
		int ret = vcm->driver->alloc(vcm, size, &phys, alloc_flags, &res, res_flags);

		if (ret)
			return vcm_err_ptr(ret);
		if (vcm_phys_register(phys, "vcm_make_binding")) {
			if (vcm->driver->unbind)
				vcm->driver->unbind(res);
			if (vcm->driver->unreserve)
				vcm->driver->unreserve(res);
			*made = phys;
			return vcm_err_ptr(-ENOMEM);
		}
		res = adopt_res(vcm_core(vcm), vcm, res, size, phys, false, "vcm_make_binding");
		if (vcm_is_err(res))
			*made = phys;
		return res;
	}
	/* Check every op first: allocate nothing for a binding that cannot be. */
	if (!vcm->driver->phys || !can_map(vcm->driver))
		return vcm_err_ptr(-EOPNOTSUPP);
	phys = vcm->driver->phys(vcm, size, alloc_flags);
	if (vcm_is_err_or_null(phys))
		return phys ? (struct vcm_res *)phys : vcm_err_ptr(-ENOMEM);
	if (vcm_phys_register(phys, "vcm_make_binding")) {
		*made = phys;
		return vcm_err_ptr(-ENOMEM);
	}
	res = locked_map(vcm, phys, res_flags, "vcm_make_binding");
	if (vcm_is_err(res))
		*made = phys;
	return res;
}

VCM_TRACE_BODY struct vcm_res *do_make_binding(struct vcm *vcm, vcm_size_t size,
					    unsigned alloc_flags, unsigned res_flags)
{
	struct vcm_phys *undo;
	struct vcm_res *res;
	int ret;

	if (!vcm_ctx_ok(vcm, "vcm_make_binding") || !size)
		return vcm_err_ptr(-EINVAL);
	if (!VCM_IS_ALIGNED(size, VCM_PAGE_SIZE)) {
		vcm_warn("vcm_make_binding: size %#llx is not a whole number of pages",
			 (unsigned long long)size);
		return vcm_err_ptr(-EINVAL);
	}
	ret = vcm_ctx_enter(vcm, "vcm_make_binding");
	if (ret)
		return vcm_err_ptr(ret);
	res = locked_make_binding(vcm, size, alloc_flags, res_flags, &undo);
	vcm_ctx_leave(vcm);
	if (undo)	/* a phys made for a binding that failed goes */
		free_phys(undo);
	return res;
}

VCM_TRACED_FN(struct vcm_res *, vcm_make_binding,
	      (struct vcm *vcm, vcm_size_t size, unsigned alloc_flags, unsigned res_flags),
	      do_make_binding, (vcm, size, alloc_flags, res_flags),
	      MAKE_BINDING, vcm, (uint64_t)size, alloc_flags, res_flags, ret)

VCM_TRACE_BODY void do_destroy_binding(struct vcm_res *res)
{
	struct vcm_phys *phys = NULL;
	struct vcm *vcm;

	if (res_enter(res, "vcm_destroy_binding"))
		return;
	if (res_put_shared(res)) {
		vcm_ctx_leave(res->vcm);
		return;
	}
	res_set_count(res, 0);
	vcm = res->vcm;
	if (res->phys)
		phys = locked_unbind(res, "vcm_destroy_binding");
	locked_unreserve(res);
	vcm_ctx_leave(vcm);
	if (phys)
		free_phys(phys);
	else
		vcm_warn("vcm_destroy_binding: nothing was bound");
}

VCM_TRACED_VOID(vcm_destroy_binding, (struct vcm_res *res), do_destroy_binding, (res),
		DESTROY_BINDING, res)

VCM_TRACE_BODY int do_activate(struct vcm *vcm)
{
	int ret;

	if (!vcm_ctx_ok(vcm, "vcm_activate"))
		return -EINVAL;
	ret = vcm_ctx_enter(vcm, "vcm_activate");
	if (ret)
		return ret;
	/* As the kernel: counted first, so a failed first activation leaves
	 * the count at 1 (the caller owes a vcm_deactivate()). */
	set_activations(vcm, vcm->activations.counter + 1);
	if (vcm->activations.counter == 1 && vcm->driver->activate)
		ret = vcm->driver->activate(vcm);
	vcm_ctx_leave(vcm);
	return ret;
}

VCM_TRACED_FN(int, vcm_activate, (struct vcm *vcm), do_activate, (vcm),
	      ACTIVATE, vcm, ret)

static void locked_deactivate_all(struct vcm *vcm)
{
	if (vcm->driver->deactivate)
		vcm->driver->deactivate(vcm);
	set_activations(vcm, 0);
}

VCM_TRACE_BODY void do_deactivate(struct vcm *vcm)
{
	bool inactive;

	if (!vcm_ctx_ok(vcm, "vcm_deactivate")) {
		if (vcm_is_err_or_null(vcm))
			vcm_warn("vcm_deactivate: no context (%p)", (void *)vcm);
		return;
	}
	if (vcm_ctx_enter(vcm, "vcm_deactivate"))
		return;
	inactive = vcm->activations.counter <= 0;
	if (vcm->activations.counter == 1)
		locked_deactivate_all(vcm);
	else if (!inactive)
		set_activations(vcm, vcm->activations.counter - 1);
	vcm_ctx_leave(vcm);
	if (inactive)
		vcm_warn("vcm_deactivate: context %p is not active", (void *)vcm);
}

VCM_TRACED_VOID(vcm_deactivate, (struct vcm *vcm), do_deactivate, (vcm),
		DEACTIVATE, vcm)

/* Take down what a context still holds (owned): activation, reservations. */
static void locked_empty(struct vcm *vcm)
{
	struct vcm_core *core = vcm_core(vcm);
	unsigned long nres = vcm_core_nres(core);
	struct vcm_res_iter it;
	struct vcm_res *res;

	if (vcm->activations.counter) {
		vcm_warn("vcm_destroy: context %p is still active; deactivating", (void *)vcm);
		locked_deactivate_all(vcm);
	}
	if (nres)
		vcm_warn("vcm_destroy: %lu reservation(s) left; unmapping them", nres);
	vcm_core_for_each_res(res, it, core) {
		if (res->phys)
			locked_unbind(res, "vcm_destroy");
		locked_unreserve(res);
	}
}

VCM_TRACE_BODY void do_destroy(struct vcm *vcm)
{
	struct vcm_core *core;
	bool adopted;

	if (!vcm_ctx_ok(vcm, "vcm_destroy")) {
		if (vcm_is_err_or_null(vcm))
			vcm_warn("vcm_destroy: no context (%p)", (void *)vcm);
		return;
	}
	if (vcm == vcm_vmm) {
		vcm_warn("vcm_destroy: vcm_vmm is static and is never destroyed");
		return;
	}
	if (vcm_ctx_enter(vcm, "vcm_destroy"))
		return;
	core = vcm_core(vcm);
	locked_empty(vcm);
	if (core->release)
		core->release(vcm);
	vcm_reg_del(vcm, VCM_KIND_CONTEXT);
	vcm_core_leave(core);
	vcm_contexts_del(core);
	adopted = core->adopted;
	if (adopted)
		adopted_unlink(core);
	core_free(core);
	if (vcm->driver->cleanup)
		vcm->driver->cleanup(vcm);
	else if (!adopted)
		free(vcm);	/* a static context stays where it is */
}

VCM_TRACED_VOID(vcm_destroy, (struct vcm *vcm), do_destroy, (vcm),
		DESTROY, vcm)

/* ---- describing a DVA (fault reports, explain) ---- */

void vcm_describe_dva(struct vcm *vcm, vcm_addr_t dva, struct vcm_dva_desc *d)
{
	struct vcm_res_iter it;
	struct vcm_res *res;

	if (!vcm_valid(vcm))
		return;
	vcm_lock(vcm);
	d->active = vcm->activations.counter > 0;
	if (dva < vcm->start || dva - vcm->start >= vcm->size) {
		d->owner = VCM_DVA_OUTSIDE_WINDOW;
		goto out;
	}
	d->owner = VCM_DVA_UNRESERVED;
	vcm_core_for_each_res(res, it, vcm_core(vcm)) {
		if (dva >= res->start && dva - res->start < res->res_size) {
			d->owner = res->phys ? VCM_DVA_BOUND : VCM_DVA_UNBOUND;
			d->res_start = res->start;
			d->res_size = res->res_size;
			break;
		}
	}
out:
	if (d->owner != VCM_DVA_BOUND)
		vcm_history_find(vcm, dva, d);
	vcm_unlock(vcm);
}
