/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz.h - the model-checking fuzzer of libvcm: operations, the harness that
 * runs them against the library and a reference model, and the two codecs
 * (bytes, as produced by a seeded PRNG or by libFuzzer, and one line of text
 * per operation, the trace format).
 *
 * Every driver (vcm-fuzz --seed, vcm-fuzz --replay, the libFuzzer entry
 * point) feeds struct fz_op values to fz_step(): raw ones come from
 * fz_decode() and are resolved against the current state (slot numbers to
 * live objects, offsets into the objects' ranges), parsed ones are literal.
 * fz_step() records the resolved operation, runs it, and checks the library
 * against the model after it.
 */
#ifndef VCM_FUZZ_H
#define VCM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Object slots: operations name objects by slot number. */
#define FZ_NCTX 4
#define FZ_NRES 16
#define FZ_NPHYS 12
#define FZ_NUP 4
#define FZ_NUBUF 2

/* Operation codes; fz_op_name() gives the trace names. */
enum fz_code {
	FZ_NOP,
	FZ_CREATE,		/* c kind: make a context in slot c */
	FZ_DESTROY,		/* c: vcm_destroy() */
	FZ_RESERVE,		/* r c size: vcm_reserve() into slot r */
	FZ_UNRESERVE,		/* r */
	FZ_ALLOC,		/* p c size: vcm_alloc() into slot p */
	FZ_FREE,		/* p */
	FZ_BIND,		/* r p */
	FZ_UNBIND,		/* r */
	FZ_MAP,			/* r c p: vcm_map() into slot r */
	FZ_UNMAP,		/* r */
	FZ_MAKE,		/* r p c size: vcm_make_binding() */
	FZ_DESTROY_BINDING,	/* r */
	FZ_ACTIVATE,		/* c */
	FZ_DEACTIVATE,		/* c */
	FZ_WRITE,		/* r off len seed: device write through r's context */
	FZ_READ,		/* r off len: device read, compared with the model */
	FZ_COPY,		/* r off r2 off2 len: device copy from r2 to r */
	FZ_CPU_WRITE,		/* p off len seed: CPU write to physical memory */
	FZ_FAIL_PAGE,		/* c n: the n-th next page mapping of c fails */
	FZ_BADARG,		/* n: a NULL / error-pointer call */
	FZ_USER_WRITE,		/* b off len seed: the application writes its buffer */
	FZ_UP_GET,		/* u r p c b off size n: vcm_userptr_get() (n: flags) */
	FZ_UP_PUT,		/* u */
	FZ_PIN,			/* p b off size n: vcm_phys_from_user() (n: flags) */
	FZ_NCODES
};

/* Context kinds. */
enum fz_kind {
	FZ_K_SOFT,	/* MMU wrapper over the fuzzer's own page-table driver */
	FZ_K_O2O,	/* vcm_onetoone_create() */
	FZ_K_VMM,	/* vcm_vmm_create(): the CPU's view */
	FZ_K_IOMMU,	/* vcm_iommu_create() on a System MMU model */
	FZ_K_S5P,	/* vcm_create_unified() */
	FZ_NKINDS
};

/*
 * struct fz_op - one operation.  Which fields an operation uses is fixed per
 * code (see the comments above).  @raw: fields are undecoded random values
 * still to be resolved against the state (set by fz_decode()).
 */
struct fz_op {
	uint8_t code;
	bool raw;
	uint8_t c, r, r2, p, u, b, kind;
	uint32_t n, seed;
	uint64_t size, off, off2, len;
};

/* Failure classes: what kind of divergence a run ended with. */
enum fz_fail {
	FZ_OK,
	FZ_F_ERRNO,	/* a return value the model did not expect */
	FZ_F_WARN,	/* warning count delta */
	FZ_F_STATE,	/* a field of a context, reservation or phys */
	FZ_F_FREE,	/* SoC free bytes */
	FZ_F_MAP,	/* a DVA translates wrongly, or an unmapped one does not fault */
	FZ_F_BYTES,	/* memory content */
	FZ_F_DRIVER,	/* the page-table driver was called inconsistently */
	FZ_F_LEAK,	/* teardown did not give everything back */
	FZ_NFAILS
};

/* Deliberate bugs in the fuzzer's own MMU driver, to test the fuzzer. */
enum fz_bug {
	FZ_BUG_NONE,
	FZ_BUG_KEEP_PTE,	/* deactivate_page leaves a 64 KiB page mapped */
	FZ_BUG_WRONG_PA,	/* activate_page maps a 1 MiB page one page off */
};

struct fz_config {
	unsigned sweep;		/* full check every @sweep steps (0: only at the end) */
	enum fz_bug bug;
	bool verbose;		/* print each operation and warning */
	unsigned guard_pages;	/* vcm_set_guard() on every MMU-wrapper context */
	FILE *trace;		/* if set, each operation is written here before it runs */
};

struct fz_harness;

struct fz_harness *fz_create(const struct fz_config *cfg);
/*
 * fz_step() - resolve @op (if raw), run it and check.  @op is updated to the
 * literal form (FZ_NOP if it had nothing to act on).  Returns FZ_OK or the
 * failure class (the message is fz_message()).
 */
enum fz_fail fz_step(struct fz_harness *h, struct fz_op *op);
/* fz_finish() - full check, tear everything down, check nothing leaked. */
enum fz_fail fz_finish(struct fz_harness *h);
/* fz_destroy() - free the harness (after fz_finish(), or after a failure). */
void fz_destroy(struct fz_harness *h);
const char *fz_message(const struct fz_harness *h);
unsigned long fz_steps(const struct fz_harness *h);
bool fz_kind_available(enum fz_kind kind);
/* fz_print_stats() - how often each operation ran, failed, warned. */
void fz_print_stats(FILE *out);

/* Codecs. */
size_t fz_decode(const uint8_t *data, size_t len, struct fz_op *op);
#define FZ_OP_BYTES_MAX 24
const char *fz_op_name(unsigned code);
const char *fz_fail_name(enum fz_fail f);
int fz_op_format(const struct fz_op *op, char *buf, size_t len);
/* 0, 1 for a blank or comment line, -EINVAL for a line it cannot read. */
int fz_op_parse(const char *line, struct fz_op *op);

/* Traces and shrinking (trace.c). */
struct fz_trace {
	struct fz_op *ops;
	size_t n, cap;
};

int fz_trace_push(struct fz_trace *t, const struct fz_op *op);
void fz_trace_free(struct fz_trace *t);
int fz_trace_load(const char *path, struct fz_trace *t, char *err, size_t errlen);
int fz_trace_save(const char *path, const struct fz_trace *t, const char *comment);
/*
 * fz_run_trace() - run @t on a fresh harness (ops are literal) and finish.
 * Returns the failure class; *@at gets the index of the failing op
 * (t->n for a failure at teardown).
 */
enum fz_fail fz_run_trace(const struct fz_config *cfg, const struct fz_trace *t, size_t *at,
			  char *msg, size_t msglen);
/*
 * fz_shrink() - delta debugging: drop operations from @t while the run still
 * fails the same way as @want (runs each candidate in a child process when
 * @isolate, so crashes count as failures too).  Returns the runs made.
 */
unsigned long fz_shrink(const struct fz_config *cfg, struct fz_trace *t, int want, bool isolate);
/* fz_run_isolated() - fz_run_trace() in a child: the class, or 100+signal. */
int fz_run_isolated(const struct fz_config *cfg, const struct fz_trace *t);

#endif /* VCM_FUZZ_H */
