/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/fault-inject.h> - make libvcm's allocations fail on purpose, to test
 * the -ENOMEM (and -ENOSPC) paths of code written against libvcm.
 *
 * Modelled on the Linux kernel's fault-injection framework: each place
 * where the library allocates something is a *site* with its own attribute
 * set (struct vcm_fail_attr: probability, interval, times, space, verbose,
 * like the kernel's fault_attr), and each thread has a fail_nth counter
 * (like /proc/self/task/TID/fail-nth): vcm_fail_nth(N) makes the N-th
 * allocation this thread makes through libvcm fail, whatever the site.
 *
 * The sites:
 *   VCM_FAIL_PAGE_ALLOC  a simulated page allocation: every block of pages
 *                        taken from a SoC's page allocator
 *                        (vcm_soc_alloc_pages(), the pages of a vcm_phys,
 *                        page tables, pinned pages' PAs); fails with -ENOMEM
 *   VCM_FAIL_DVA         a DVA reservation in a context (vcm_reserve(),
 *                        vcm_map(), vcm_make_binding(), vcm_userptr_get());
 *                        fails as a full address space does, -ENOSPC
 *   VCM_FAIL_PGTABLE     a page-table allocation: a level-1 table
 *                        (vcm_pgtable_create(), device contexts) or a new
 *                        block of level-2 tables while mapping; -ENOMEM
 *   VCM_FAIL_PIN         pinning one page of user memory
 *                        (vcm_phys_from_user(), vcm_userptr_get()); -ENOMEM
 *   VCM_FAIL_HOST        host memory libvcm allocates for itself (its
 *                        malloc, calloc, realloc, strdup and mmap calls);
 *                        -ENOMEM
 *
 * A failure is injected where the real allocation would be tried, so the
 * caller sees exactly what a real shortage gives and the library undoes
 * whatever it had done (libvcm's own test suite checks this for every
 * allocation of its operations).  Host memory the C library allocates on
 * libvcm's behalf (inside fopen(), for instance) is not a site, nor is
 * the memory of the debugging aids (vcm_verify(), <vcm/testing.h>), so
 * checking a program never fails because of an injected failure.
 *
 * Control from code (these functions) or, without changing a program, from
 * the environment: when libvcm is loaded it reads VCM_FAULT_INJECT and
 * hands it to vcm_fail_parse(), e.g.
 *
 *     VCM_FAULT_INJECT='host:probability=10,times=-1,seed=7' ./my-test
 *     VCM_FAULT_INJECT='nth=3' ./my-test         (the 3rd allocation of the
 *                                                 main thread fails)
 *
 * Off (the default) costs one relaxed atomic load and a predicted branch
 * per site.  Deterministic: each site draws from its own pseudo-random
 * sequence, seeded from its attributes; the same calls in the same order
 * fail the same way.
 *
 * Thread safety: every function may be called from any thread.  The
 * attributes are process-wide (a lock serialises their counters, so the
 * sequence of failures among several threads follows the order in which
 * the threads reach the sites); fail_nth, the call count and the last
 * failure are per thread.
 */
#ifndef VCM_FAULT_INJECT_H
#define VCM_FAULT_INJECT_H

#include <vcm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum vcm_fail_site - where libvcm can be made to fail an allocation.
 * @VCM_FAIL_PAGE_ALLOC: simulated pages from a SoC's page allocator.
 * @VCM_FAIL_DVA: a DVA reservation in a context.
 * @VCM_FAIL_PGTABLE: a level-1 table or a block of level-2 tables.
 * @VCM_FAIL_PIN: pinning one user page.
 * @VCM_FAIL_HOST: host memory libvcm allocates.
 * @VCM_FAIL_NR_SITES: the number of sites.
 */
enum vcm_fail_site {
	VCM_FAIL_PAGE_ALLOC,
	VCM_FAIL_DVA,
	VCM_FAIL_PGTABLE,
	VCM_FAIL_PIN,
	VCM_FAIL_HOST,
	VCM_FAIL_NR_SITES
};

/**
 * struct vcm_fail_attr - when a site fails (the kernel's fault_attr).
 * @probability: percent (0..100) of the eligible calls that fail; 0 never.
 * @interval: only every @interval-th eligible call may fail (0 or 1: any).
 * @times: how many failures are left to inject; -1 without limit; 0 off.
 * @space: a budget of bytes that pass untouched first: while @space is
 *         larger than a call's size, the call passes and its size is taken
 *         from @space (as in the kernel); after that calls are eligible.
 * @verbose: 0 silent; 1 one line on stderr per injected failure; 2 the line
 *           and a backtrace.
 * @thread_filter: only threads that called vcm_fail_thread_enable(true)
 *                 are failed (the kernel's task-filter).
 * @seed: seeds the site's pseudo-random sequence (used with @probability
 *        below 100); the same seed and calls give the same failures.
 *
 * vcm_fail_attr_get() reads @times and @space as they are now (they count
 * down).
 */
struct vcm_fail_attr {
	unsigned probability;
	unsigned long interval;
	long times;
	unsigned long space;
	unsigned verbose;
	bool thread_filter;
	uint64_t seed;
};

/**
 * struct vcm_fail_event - one injected failure.
 * @site: where.
 * @size: the size asked for, in bytes.
 * @call: the thread's call number (see vcm_fail_thread_calls()).
 */
struct vcm_fail_event {
	enum vcm_fail_site site;
	size_t size;
	unsigned long call;
};

/**
 * struct vcm_fail_stats - what a site has seen since its attributes were
 * last set.
 * @calls: allocations that reached the site while injection was on.
 * @failures: failures it injected (fail_nth ones included).
 */
struct vcm_fail_stats {
	unsigned long calls;
	unsigned long failures;
};

/**
 * vcm_fail_attr_set() - set the attributes of a site.
 * @site: the site.
 * @attr: the attributes, or NULL to turn the site off.
 *
 * Resets the site's interval counter, its statistics and its pseudo-random
 * sequence (to @attr->seed).
 *
 * Return: 0; -EINVAL for a bad @site, a @probability above 100 or a
 * @verbose above 2.
 */
VCM_EXPORT int vcm_fail_attr_set(enum vcm_fail_site site, const struct vcm_fail_attr *attr);

/**
 * vcm_fail_attr_get() - read the attributes of a site.
 * @site: the site.
 * @attr: filled with the attributes (all zero if the site is off).
 *
 * Return: 0; -EINVAL for a bad @site or a NULL @attr.
 */
VCM_EXPORT int vcm_fail_attr_get(enum vcm_fail_site site, struct vcm_fail_attr *attr);

/**
 * vcm_fail_stats() - read what a site has seen.
 * @site: the site.
 * @st: filled with its counters.
 *
 * Return: 0; -EINVAL for a bad @site or a NULL @st.
 */
VCM_EXPORT int vcm_fail_stats(enum vcm_fail_site site, struct vcm_fail_stats *st);

/**
 * vcm_fail_site_name() - the name of a site, as vcm_fail_parse() spells it.
 * @site: the site.
 *
 * Return: "page", "dva", "pgtable", "pin" or "host"; "?" for a bad @site.
 */
VCM_EXPORT const char *vcm_fail_site_name(enum vcm_fail_site site);

/**
 * vcm_fail_nth() - fail the calling thread's @n-th allocation.
 * @n: 1 for the next allocation, 2 for the one after, ...; 0 cancels.
 *
 * Counts the calling thread's allocations at every site; the @n-th fails
 * whatever the sites' attributes say (and while it is pending the
 * attributes are not consulted for this thread), then the counter is 0
 * again.  Also restarts the thread's call count (vcm_fail_thread_calls())
 * and forgets its last failure (vcm_fail_last()).  To count the
 * allocations an operation makes, arm with a large @n (ULONG_MAX), run it
 * and read vcm_fail_thread_calls().
 *
 * Return: 0.
 */
VCM_EXPORT int vcm_fail_nth(unsigned long n);

/**
 * vcm_fail_nth_left() - allocations left before the pending fail_nth.
 *
 * Return: the calling thread's counter: 0 once the failure was injected
 * (or if none was armed), else how many allocations remain, the failing
 * one included.
 */
VCM_EXPORT unsigned long vcm_fail_nth_left(void);

/**
 * vcm_fail_thread_calls() - allocations the calling thread has made since
 * its last vcm_fail_nth() call, while any injection was on.
 *
 * Return: the count.
 */
VCM_EXPORT unsigned long vcm_fail_thread_calls(void);

/**
 * vcm_fail_last() - the last failure injected in the calling thread.
 * @ev: filled with it.
 *
 * Return: 0; -ENOENT if none was injected since the thread's last
 * vcm_fail_nth() call (or ever); -EINVAL for a NULL @ev.
 */
VCM_EXPORT int vcm_fail_last(struct vcm_fail_event *ev);

/**
 * vcm_fail_thread_enable() - opt the calling thread in or out of the sites
 * whose attributes have @thread_filter set.
 * @enable: true: those sites may fail this thread's allocations.
 */
VCM_EXPORT void vcm_fail_thread_enable(bool enable);

/**
 * vcm_fail_parse() - set attributes from text (the VCM_FAULT_INJECT syntax).
 * @spec: items separated by ';': "SITE:KEY=VALUE,KEY=VALUE..." where SITE
 *        is a site name or "all" and KEY is probability, interval, times,
 *        space, verbose, thread_filter (0/1) or seed; or "nth=N" (the
 *        calling thread's vcm_fail_nth(N)).  A site named sets every
 *        attribute it does not give to its default: times -1 (no limit),
 *        probability 100, the rest 0.
 *
 * Items are applied in order up to the first bad one.
 *
 * Return: 0; -EINVAL for a NULL @spec or a bad item (with a warning naming
 * it).
 */
VCM_EXPORT int vcm_fail_parse(const char *spec);

/**
 * vcm_fail_reset() - turn every site off and cancel the calling thread's
 * fail_nth.
 */
VCM_EXPORT void vcm_fail_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* VCM_FAULT_INJECT_H */
