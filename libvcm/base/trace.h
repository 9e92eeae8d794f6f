/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.h - the call recorder (internal): VCM_TRACE=file in the environment
 * makes the process write every public call, its arguments and results to
 * that file, one line per call (the format: base/trace.c's header comment
 * and vcm-replay(1)).
 *
 * A public function is its body plus one line that makes it recorded:
 *
 *	VCM_TRACE_BODY struct vcm_res *do_reserve(struct vcm *vcm, vcm_size_t size,
 *						  unsigned flags)
 *	{
 *		... the function as it always was ...
 *	}
 *
 *	VCM_TRACED_FN(struct vcm_res *, vcm_reserve,
 *		      (struct vcm *vcm, vcm_size_t size, unsigned flags),
 *		      do_reserve, (vcm, size, flags),
 *		      RESERVE, vcm, (uint64_t)size, flags, ret)
 *
 * (VCM_TRACED_VOID for a function that returns nothing).  The last items
 * are the call's id in trace-calls.h and what vcm_trace_exit() gets: the
 * values of the call's line there, in its order and with its types; ret
 * is the return value.
 *
 * Recording off, the exported function is the body (inlined into it, into
 * nothing else) behind one predictable branch on a flag set once when the
 * library is loaded.  Recording on, the branch leads to a cold function
 * out of line that brackets a call of the exported function itself
 * (vcm_trace_enter(): the thread's depth goes up, so that call takes the
 * body) with vcm_trace_enter() and vcm_trace_exit().  The body is compiled
 * once: the compiler sees the same calls from it, and inlines into it, as
 * in a library without the recorder.  A public call made from inside
 * another (vcm_unmap() calls vcm_unbind()) takes the body too: only the
 * outermost call of a thread is written, after it returns.
 */
#ifndef LIBVCM_TRACE_H
#define LIBVCM_TRACE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vcm_trace_call {
#define VCM_TRACE_CALL(id, name, sig) VCM_TR_##id,
#include "trace-calls.h"
#undef VCM_TRACE_CALL
	VCM_TR_NR,
};

/* Set once, at load time, when VCM_TRACE names a file (never changes after). */
extern bool vcm_trace_on __attribute__((visibility("hidden")));
/* The thread's depth of recorded public calls (0: outside every one). */
extern __thread unsigned vcm_trace_depth
	__attribute__((visibility("hidden"), tls_model("initial-exec")));

/* True when this call is to be recorded (a hint: rarely). */
#define VCM_TRACING()	__builtin_expect(vcm_trace_on && !vcm_trace_depth, 0)
/* The recording path of a public function: out of the way of the other. */
#define VCM_TRACED	__attribute__((noinline, cold))
/* A public function's body: compiled into the function, as before hooks. */
#define VCM_TRACE_BODY	static inline __attribute__((always_inline))

/*
 * VCM_TRACED_FN() - the exported function @name of return type @type and
 * parameters @params (in parentheses), whose body is @body, called with
 * @args (the parameters' names, in parentheses), recorded as the call @id
 * of trace-calls.h with the values that follow (they may use ret).
 */
#define VCM_TRACED_FN(type, name, params, body, args, id, ...)		\
	static VCM_TRACED type traced_##name params			\
	{								\
		type ret;						\
									\
		vcm_trace_enter(VCM_TR_##id);				\
		ret = name args;					\
		vcm_trace_exit(VCM_TR_##id, __VA_ARGS__);		\
		return ret;						\
	}								\
									\
	VCM_EXPORT type name params					\
	{								\
		if (VCM_TRACING())					\
			return traced_##name args;			\
		return body args;					\
	}

/* VCM_TRACED_VOID() - the same for a function that returns nothing. */
#define VCM_TRACED_VOID(name, params, body, args, id, ...)		\
	static VCM_TRACED void traced_##name params			\
	{								\
		vcm_trace_enter(VCM_TR_##id);				\
		name args;						\
		vcm_trace_exit(VCM_TR_##id, __VA_ARGS__);		\
	}								\
									\
	VCM_EXPORT void name params					\
	{								\
		if (VCM_TRACING())					\
			traced_##name args;				\
		else							\
			body args;					\
	}

/*
 * vcm_trace_enter() - the public call @call starts.  One that reads memory
 * the program may have written behind libvcm's back (pinned user pages)
 * first writes what changed there.
 */
void vcm_trace_enter(enum vcm_trace_call call);
/* vcm_trace_exit() - it returns: write its line (outermost calls only). */
void vcm_trace_exit(enum vcm_trace_call call, ...);
/* A warning was raised (base/warn.c): counted for the call, text kept. */
void vcm_trace_warned(const char *msg);

/* The table (trace-calls.h). */
const char *vcm_trace_call_name(enum vcm_trace_call call);
const char *vcm_trace_call_sig(enum vcm_trace_call call);
/* The call named @name, or VCM_TR_NR. */
enum vcm_trace_call vcm_trace_call_find(const char *name, size_t len);

/* The trace format's version, written in its first line. */
#define VCM_TRACE_VERSION	1
#define VCM_TRACE_MAGIC		"vcm-trace"

/* Arguments and results of one call, as written and read. */
#define VCM_TR_MAX_VALS		10

enum vcm_tr_form {
	VCM_TRV_NUM,		/* a number (x u d b) */
	VCM_TRV_ANY,		/* "~...": not checked (a host pointer) */
	VCM_TRV_NULL,		/* null */
	VCM_TRV_HANDLE,		/* #id */
	VCM_TRV_BAD,		/* #? a pointer libvcm never made */
	VCM_TRV_ERR,		/* err:-N, an error pointer */
	VCM_TRV_STR,		/* "text" */
	VCM_TRV_USER,		/* u:ADDR or u:ADDR+LEN */
	VCM_TRV_DATA,		/* d:LEN:HASH (contents in an @data line) */
	VCM_TRV_HASH,		/* h:LEN:HASH */
	VCM_TRV_ORDERS,		/* 8.4.0 */
	VCM_TRV_CACHE,		/* line/evict/seed */
	VCM_TRV_NONE,		/* - (no result) */
};

/* A string or orders list is kept in @str (NUL-terminated). */
#define VCM_TR_STR_MAX		64

/*
 * struct vcm_tr_val - one argument or result.  A result handle is followed
 * by named details (a reservation's start and size, ...), each a value of
 * its own.
 */
struct vcm_tr_val {
	char name[16];
	char type;		/* the letter of trace-calls.h; 'x' for details */
	enum vcm_tr_form form;
	uint64_t v;		/* number, id, errno, address, length */
	uint64_t v2;		/* hash; cache evict */
	uint64_t v3;		/* cache seed */
	const void *ptr;	/* the object or buffer (not written) */
	char str[VCM_TR_STR_MAX];
};

struct vcm_tr_call {
	enum vcm_trace_call call;
	unsigned nargs, nres;
	struct vcm_tr_val args[VCM_TR_MAX_VALS];
	struct vcm_tr_val res[VCM_TR_MAX_VALS];
	unsigned warns;
};

/* 64-bit FNV-1a of a buffer (user data by content). */
uint64_t vcm_trace_hash(const void *p, size_t len);

/*
 * vcm_trace_collect() - fill @c from the hook's arguments (as
 * vcm_trace_exit() gets them).  Handles become ids (live or recently
 * released), buffers hashes.
 */
void vcm_trace_collect(struct vcm_tr_call *c, enum vcm_trace_call call, ...);
void vcm_trace_vcollect(struct vcm_tr_call *c, enum vcm_trace_call call, va_list ap);

/* Write @c as one line (without thread or newline) into @buf. */
int vcm_trace_format(const struct vcm_tr_call *c, char *buf, size_t len);
/* The same for one value. */
int vcm_trace_format_val(const struct vcm_tr_val *v, char *buf, size_t len);

/* Flush the trace file. */
void vcm_trace_flush(void);

#endif /* LIBVCM_TRACE_H */
