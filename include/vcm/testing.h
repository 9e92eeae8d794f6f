/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/testing.h> - helpers for testing a driver written against libvcm,
 * with any test framework (the library itself does not depend on one):
 * guard pages, a fresh SoC per test, an assertion that everything was
 * given back, warning capture and fault capture.  See also
 * <vcm/fault-inject.h> (making allocations fail) and <vcm/verify.h>
 * (checking a context against its page tables).
 */
#ifndef VCM_TESTING_H
#define VCM_TESTING_H

#include <stdio.h>

#include <vcm/soc.h>
#include <vcm/sysmmu.h>
#include <vcm/vcm.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * vcm_set_guard() - leave unmapped DVA after each new reservation.
 * @vcm: a context built on the MMU wrapper (vcm_iommu_create(),
 *       vcm_create_unified(), a driver's own vcm_mmu_init() context).
 * @size: bytes of DVA kept free and unmapped after every reservation made
 *        from now on (a multiple of VCM_PAGE_SIZE); 0 (the default) packs
 *        reservations.
 *
 * With a guard gap, a device that runs past the end of its buffer faults
 * instead of reaching the next reservation's memory.  The gap is part of
 * the reservation's DVA allocation (so fewer reservations fit in the
 * window) and goes back with it; res->res_size and res->start are as
 * without it.  Safe from any thread (takes the context's lock).
 *
 * Return: 0; -EINVAL for a bad context or a @size that is not a page
 * multiple or larger than the window; -EOPNOTSUPP for a context that is
 * not built on the MMU wrapper.
 */
VCM_EXPORT int vcm_set_guard(struct vcm *vcm, vcm_size_t size);

/* ---- a fresh SoC per test, and "everything was given back" ---- */

/*
 * struct vcm_test - a test's fixture (opaque): a fresh SoC made the current
 * one, and what must be given back by the end of the test.
 */
struct vcm_test;

/**
 * vcm_test_begin() - make a fresh SoC for one test.
 * @ram_base: where its RAM starts (0: 0x40000000).
 * @ram_size: bytes of RAM (0: 64 MiB).
 *
 * The SoC is made the current one (vcm_soc_current()), so calls that take
 * no SoC use it; the previous current SoC is restored by vcm_test_end().
 * Not meant for tests that run in parallel threads of one process (the
 * current SoC is process-wide).
 *
 * Return: the fixture; an error pointer: -EINVAL for a bad RAM range,
 * -ENOMEM.
 */
VCM_EXPORT struct vcm_test *vcm_test_begin(vcm_addr_t ram_base, vcm_size_t ram_size);

/**
 * vcm_test_soc() - the fixture's SoC.
 * @t: the fixture.
 *
 * Return: the SoC; NULL for a NULL or error-pointer @t.
 */
VCM_EXPORT struct vcm_soc *vcm_test_soc(const struct vcm_test *t);

/**
 * vcm_test_watch() - add a context whose DVA must all be given back.
 * @t: the fixture.
 * @vcm: a context the test made (on any SoC).
 *
 * vcm_test_leftovers() then reports each reservation made in @vcm since
 * the mark and an activation not undone; @vcm's present state is its mark.
 * Forget it with vcm_test_unwatch() before destroying it.  At most
 * VCM_TEST_MAX_WATCH contexts.
 *
 * Return: 0; -EINVAL for a bad @t or @vcm; -ENOSPC if the fixture watches
 * VCM_TEST_MAX_WATCH contexts already.
 */
VCM_EXPORT int vcm_test_watch(struct vcm_test *t, struct vcm *vcm);

/** VCM_TEST_MAX_WATCH - contexts one fixture can watch. */
#define VCM_TEST_MAX_WATCH 32

/**
 * vcm_test_unwatch() - stop watching a context.
 * @t: the fixture.
 * @vcm: a context given to vcm_test_watch().
 *
 * Return: 0; -ENOENT if @vcm was not watched; -EINVAL for a bad @t.
 */
VCM_EXPORT int vcm_test_unwatch(struct vcm_test *t, struct vcm *vcm);

/**
 * vcm_test_mark() - take the present state as what a test may hold.
 * @t: the fixture.
 *
 * After the test's setup (a driver probed, its context active, its page
 * table allocated), mark: vcm_test_leftovers() then reports only what was
 * taken since.  vcm_test_begin() marks the fresh SoC; vcm_test_watch()
 * marks the context it adds.
 *
 * Return: 0; -EINVAL for a bad @t.
 */
VCM_EXPORT int vcm_test_mark(struct vcm_test *t);

/**
 * vcm_test_leftovers() - check that everything taken since the mark was
 * given back.
 * @t: the fixture.
 * @report: where to write one line per leftover (NULL: nowhere).
 *
 * Counts, and names on @report, what is held beyond the mark (see
 * vcm_test_mark()): every library object (SoC, System MMU, page table,
 * context, reservation, phys, userptr) made since and not released, each
 * with its id and the function that made it; RAM of the fixture's SoC
 * (pages, page tables, pinned
 * pages' PAs), user pages pinned in it (each with its address, PA and pin
 * count), reservations in watched contexts (each with its DVA, size, and
 * the phys bound to it), and activations of watched contexts not undone.
 * One leak may show as several lines: the object and what it holds.
 * Objects are counted process-wide: made by any thread since the mark.
 *
 * Return: the number of leftovers (0: everything was given back); -EINVAL
 * for a bad @t.
 */
VCM_EXPORT long vcm_test_leftovers(struct vcm_test *t, FILE *report);

/**
 * vcm_test_end() - check that everything was given back, and tear down.
 * @t: the fixture (freed).
 * @report: as for vcm_test_leftovers().
 *
 * Like vcm_test_leftovers(), but against the fresh SoC of
 * vcm_test_begin(), not the mark: at the end of a test nothing may be
 * held.  Destroy (and vcm_test_unwatch()) the test's contexts and System
 * MMUs first.  The previous current SoC is restored.  If nothing was left
 * over the fixture's SoC is destroyed; otherwise it is left alone (memory
 * still in use may point into it).
 *
 * Return: what the check found (0: nothing left); -EINVAL for a bad @t.
 */
VCM_EXPORT long vcm_test_end(struct vcm_test *t, FILE *report);

/* ---- warnings ---- */

/*
 * struct vcm_warn_capture - warnings captured (opaque).
 */
struct vcm_warn_capture;

/**
 * vcm_warn_capture_start() - capture the library's warnings.
 *
 * Installs a warning handler (vcm_set_warn_handler()) that keeps every
 * warning's text (the first VCM_WARN_CAPTURE_MAX of them; the rest are
 * counted) instead of printing it.  Thread-safe: warnings from any thread
 * are captured.
 *
 * Return: the capture; an error pointer (-ENOMEM).
 */
VCM_EXPORT struct vcm_warn_capture *vcm_warn_capture_start(void);

/** VCM_WARN_CAPTURE_MAX - warning texts one capture keeps. */
#define VCM_WARN_CAPTURE_MAX 256

/**
 * vcm_warn_captured() - how many captured warnings contain a text.
 * @c: the capture.
 * @substring: the text to look for; NULL counts every warning.
 *
 * Return: the count (0 for a bad @c).
 */
VCM_EXPORT unsigned long vcm_warn_captured(const struct vcm_warn_capture *c,
					   const char *substring);

/**
 * vcm_warn_capture_message() - the text of one captured warning.
 * @c: the capture.
 * @i: 0 for the first warning.
 *
 * Return: the text (valid until the capture stops); NULL if there is no
 * such warning kept.
 */
VCM_EXPORT const char *vcm_warn_capture_message(const struct vcm_warn_capture *c,
						unsigned long i);

/**
 * vcm_warn_expect() - check the warnings captured since the last check.
 * @c: the capture.
 * @count: how many warnings must have been raised since the last
 *         vcm_warn_expect() (or the start).
 * @substring: a text each of them must contain; NULL: any text.
 * @report: where to say what differed (NULL: nowhere).
 *
 * Moves the capture's mark past the warnings checked, whatever the result.
 *
 * Return: 0 if exactly @count warnings were raised and all contain
 * @substring; -1 (with the captured texts on @report) if not; -EINVAL for a
 * bad @c.
 */
VCM_EXPORT int vcm_warn_expect(struct vcm_warn_capture *c, unsigned long count,
			       const char *substring, FILE *report);

/**
 * vcm_warn_capture_stop() - stop capturing and free the capture.
 * @c: the capture.
 *
 * The default warning handler (a line on stderr) is installed again.
 */
VCM_EXPORT void vcm_warn_capture_stop(struct vcm_warn_capture *c);

/* ---- device faults ---- */

/**
 * struct vcm_captured_fault - one fault a capture saw.
 * @device: the System MMU's name (as given to vcm_sysmmu_create()).
 * @mmu: the System MMU.
 * @fault: the DVA, access and fault type.
 */
struct vcm_captured_fault {
	const char *device;
	struct vcm_sysmmu *mmu;
	struct vcm_fault fault;
};

/* struct vcm_fault_capture - faults captured (opaque). */
struct vcm_fault_capture;

/** VCM_FAULT_CAPTURE_MAX - faults one capture keeps (more are counted). */
#define VCM_FAULT_CAPTURE_MAX 256

/**
 * vcm_fault_capture_start() - capture the faults of a System MMU.
 * @mmu: the System MMU.
 *
 * Installs a fault handler on @mmu (vcm_sysmmu_set_fault_handler()) that
 * records each fault and lets it fail the access (-EFAULT), as with no
 * handler.  Thread-safe.
 *
 * Return: the capture; an error pointer: -EINVAL for a bad @mmu, -ENOMEM.
 */
VCM_EXPORT struct vcm_fault_capture *vcm_fault_capture_start(struct vcm_sysmmu *mmu);

/**
 * vcm_fault_captured() - how many captured faults match.
 * @c: the capture.
 * @dva: only faults at this DVA ...
 * @size: ... or within @size bytes from it; 0 matches every DVA.
 * @type: only faults of this type; -1 any type.
 *
 * Return: the count (0 for a bad @c).
 */
VCM_EXPORT unsigned long vcm_fault_captured(const struct vcm_fault_capture *c, vcm_addr_t dva,
					    vcm_size_t size, int type);

/**
 * vcm_fault_capture_get() - one captured fault.
 * @c: the capture.
 * @i: 0 for the first fault.
 * @out: filled with it.
 *
 * Return: 0; -ENOENT if there is no such fault kept; -EINVAL for bad
 * arguments.
 */
VCM_EXPORT int vcm_fault_capture_get(const struct vcm_fault_capture *c, unsigned long i,
				     struct vcm_captured_fault *out);

/**
 * vcm_fault_capture_stop() - remove the handler and free the capture.
 * @c: the capture.
 */
VCM_EXPORT void vcm_fault_capture_stop(struct vcm_fault_capture *c);

#ifdef __cplusplus
}
#endif

#endif /* VCM_TESTING_H */
