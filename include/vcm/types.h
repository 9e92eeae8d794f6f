/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm/types.h> - basic types, error pointers and warnings shared by every
 * libvcm header.
 *
 * Error convention: functions returning a pointer return an error pointer on
 * failure (vcm_err_ptr(-errno)), never NULL; test with vcm_is_err() and read
 * the errno with vcm_ptr_err().  Functions returning int return 0 or a
 * negative errno.  Where the kernel would WARN_ON, libvcm calls the warning
 * handler (see vcm_set_warn_handler()) and carries on safely.
 */
#ifndef VCM_TYPES_H
#define VCM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define VCM_EXPORT __attribute__((visibility("default")))
#define VCM_MUST_CHECK __attribute__((warn_unused_result))
#define VCM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define VCM_EXPORT
#define VCM_MUST_CHECK
#define VCM_PRINTF(a, b)
#endif

/** typedef vcm_addr_t - a physical or device-virtual address (64-bit). */
typedef uint64_t vcm_addr_t;
/** typedef vcm_size_t - a size in bytes (64-bit). */
typedef uint64_t vcm_size_t;

#define VCM_PAGE_SHIFT 12
#define VCM_PAGE_SIZE ((vcm_size_t)1 << VCM_PAGE_SHIFT)
#define VCM_PAGE_MASK (~(VCM_PAGE_SIZE - 1))

/** VCM_MAX_ERRNO - error pointers encode -VCM_MAX_ERRNO..-1. */
#define VCM_MAX_ERRNO 4095

/**
 * vcm_err_ptr() - encode a negative errno as an error pointer.
 * @err: a negative errno, -VCM_MAX_ERRNO..-1.
 *
 * Return: a pointer value that vcm_is_err() recognises.
 */
static inline void *vcm_err_ptr(long err)
{
	return (void *)(intptr_t)err;
}

/**
 * vcm_ptr_err() - read the errno out of an error pointer.
 * @ptr: a pointer for which vcm_is_err() is true.
 *
 * Return: the negative errno it encodes.
 */
static inline long vcm_ptr_err(const void *ptr)
{
	return (long)(intptr_t)ptr;
}

/**
 * vcm_is_err() - tell whether a pointer encodes an error.
 * @ptr: a pointer returned by a libvcm function.
 *
 * Return: true if @ptr is an error pointer.
 */
static inline bool vcm_is_err(const void *ptr)
{
	return (uintptr_t)ptr >= (uintptr_t)-VCM_MAX_ERRNO;
}

/**
 * vcm_is_err_or_null() - true for an error pointer or NULL.
 * @ptr: any pointer.
 *
 * Return: true if @ptr is NULL or an error pointer.
 */
static inline bool vcm_is_err_or_null(const void *ptr)
{
	return !ptr || vcm_is_err(ptr);
}

/**
 * typedef vcm_warn_fn - a warning handler.
 * @msg: the warning text, one line without a trailing newline.
 * @priv: the pointer given to vcm_set_warn_handler().
 */
typedef void (*vcm_warn_fn)(const char *msg, void *priv);

/**
 * vcm_set_warn_handler() - route the library's warnings.
 * @fn: the handler, or NULL to restore the default (one line on stderr,
 *      prefixed "libvcm: WARNING: ").
 * @priv: passed to @fn.
 *
 * Warnings are what the kernel reports with WARN_ON: a misuse the library
 * survives (double free, unbinding nothing, deactivating an inactive
 * context, a released or foreign handle, ...).  The handler may be called
 * from any thread that calls into the library; the handler and its @priv
 * are global to the process.
 *
 * The handler runs with no library lock held: it may call any libvcm
 * function, including ones that warn again (such a nested warning is
 * delivered at once; past a few levels of nesting, to stderr instead).  A
 * warning raised while the library holds a lock is counted at once and
 * handed to the handler when that call lets go of its locks, before it
 * returns.  When a warning comes from inside a driver op or platform
 * callback, the call that ran the callback still owns its context: there
 * the handler may call anything but functions on that same context (they
 * fail with -EDEADLK and a warning).  Thread-safe.
 */
VCM_EXPORT void vcm_set_warn_handler(vcm_warn_fn fn, void *priv);

/**
 * vcm_warn_count() - number of warnings raised since the process started.
 *
 * The counter is atomic and never reset; tests read it before and after an
 * operation.  Return: the count.
 */
VCM_EXPORT unsigned long vcm_warn_count(void);

/**
 * vcm_raise_warning() - raise a warning of the program's own.
 * @fmt: printf-style format of the one-line text.
 *
 * Counted by vcm_warn_count() and handed to the handler of
 * vcm_set_warn_handler() exactly like the library's own warnings.  This is
 * what WARN_ON() of <vcm/kernel.h> calls, so that kernel-style driver code
 * reports its misuses through the same channel.  Thread-safe.
 */
VCM_EXPORT void vcm_raise_warning(const char *fmt, ...) VCM_PRINTF(1, 2);

/**
 * struct vcm_atomic - an atomic int, laid out as the kernel's atomic_t.
 * @counter: the value; access it through __atomic builtins (or the
 *           atomic_*() helpers of <vcm/kernel.h>).
 */
struct vcm_atomic {
	int counter;
};

/** typedef vcm_atomic_t - struct vcm_atomic (the kernel's atomic_t). */
typedef struct vcm_atomic vcm_atomic_t;

#ifdef __cplusplus
}
#endif

#endif /* VCM_TYPES_H */
