/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay.h - reading a call trace (VCM_TRACE, base/trace.c) and running it
 * again against the library (internal; the vcm-replay tool and the tests
 * use it).
 */
#ifndef LIBVCM_REPLAY_H
#define LIBVCM_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vcm/types.h>

#include "trace.h"

enum vcm_rp_kind {
	VCM_RP_CALL,		/* Tn NAME ... */
	VCM_RP_USER,		/* @user ADDR LEN HASH */
	VCM_RP_STATIC,		/* @static #ID: vcm_vmm */
};

/* One event of a trace, in file order. */
struct vcm_rp_event {
	enum vcm_rp_kind kind;
	unsigned line;		/* 1-based, in the file */
	unsigned tid;
	struct vcm_tr_call c;	/* VCM_RP_CALL */
	uint64_t addr, len, hash;	/* VCM_RP_USER; addr: the id of @static */
};

/* The contents the trace carries (@data), by hash. */
struct vcm_rp_data {
	uint64_t hash;
	size_t len;
	unsigned char *bytes;
};

struct vcm_rp_trace {
	struct vcm_rp_event *ev;
	size_t nev, capev;
	struct vcm_rp_data *data;
	size_t ndata, capdata;
	unsigned version;
};

/*
 * vcm_rp_load() - read a trace from @f (named @name in messages).  0, or
 * -EINVAL with "NAME:LINE: what is wrong" in @err (-ENOMEM, -EIO).
 */
int vcm_rp_load(FILE *f, const char *name, struct vcm_rp_trace *t, char *err, size_t errlen);
void vcm_rp_free(struct vcm_rp_trace *t);

/* The @data of @hash, or NULL. */
const struct vcm_rp_data *vcm_rp_find_data(const struct vcm_rp_trace *t, uint64_t hash);

/* Write the events @idx[0..@n) of @t (and the @data they use) to @f. */
int vcm_rp_save(FILE *f, const struct vcm_rp_trace *t, const size_t *idx, size_t n);

enum vcm_rp_status {
	VCM_RP_OK,		/* every result as recorded */
	VCM_RP_DIVERGED,	/* a call's result differs */
	VCM_RP_REFUSED,		/* a call cannot be replayed (user code, layout) */
};

/*
 * struct vcm_rp_result - how a replay ended.
 * @status: above.  @event: index (in the events run) of the first call
 * that differed or was refused.  @line: its line in the file.
 * @expected, @got: the recorded line and the replay's (handles by their
 * recorded ids), or why the call was refused (@got).
 */
struct vcm_rp_result {
	enum vcm_rp_status status;
	size_t event;
	unsigned line;
	char expected[1024];
	char got[1024];
	unsigned calls;
};

/*
 * vcm_rp_run() - run the events @idx[0..@n) of @t (all of them: @idx
 * NULL) in this process: each call with its recorded arguments, handles
 * mapped to the objects the replay made, its results checked.  Stops at
 * the first difference.  With @lenient only the last event's results are
 * checked (shrinking).  @verbose: each call on @log (may be NULL).
 * Everything the replay made and the trace did not release is released
 * at the end.
 */
void vcm_rp_run(const struct vcm_rp_trace *t, const size_t *idx, size_t n, bool lenient,
		FILE *log, struct vcm_rp_result *res);

/*
 * vcm_rp_shrink() - shrink a trace whose replay ends in @res (a divergence,
 * or a last call that warned or faulted) to the events @idx[0..*@n) that
 * still show it.  Returns 0, or -EINVAL if the replay showed nothing to
 * shrink to.
 */
int vcm_rp_shrink(const struct vcm_rp_trace *t, const struct vcm_rp_result *res, size_t *idx,
		  size_t *n, unsigned long *runs);

#endif /* LIBVCM_REPLAY_H */

/* ---- between the engine (replay.c) and the calls (replay-calls.c) ---- */

struct vcm_rp_state;

/* The object for argument @v (a handle value); false if it cannot be had. */
bool vcm_rp_arg_handle(struct vcm_rp_state *s, const struct vcm_tr_val *v, void **out);
/*
 * The replay's memory for the program's @addr (@len bytes); with @none,
 * memory at the same offset in a page that no access reaches (for a call
 * that failed with -EFAULT on the program's memory).
 */
void *vcm_rp_arg_user(struct vcm_rp_state *s, uint64_t addr, uint64_t len, bool none);
/* The bytes of an input buffer (d:LEN:HASH). */
const void *vcm_rp_arg_data(struct vcm_rp_state *s, const struct vcm_tr_val *v);
/* A zeroed output buffer of @len bytes, released after the call. */
void *vcm_rp_out_buf(struct vcm_rp_state *s, uint64_t len);
/* Refuse the call: why (printf). */
void vcm_rp_refuse(struct vcm_rp_state *s, const char *fmt, ...) VCM_PRINTF(2, 3);

/*
 * vcm_rp_call() - make the call @rec describes and fill @got as the
 * recorder would have.  False if it was refused or an argument could not
 * be had (vcm_rp_refuse() said why).
 */
bool vcm_rp_call(struct vcm_rp_state *s, const struct vcm_tr_call *rec, struct vcm_tr_call *got);
