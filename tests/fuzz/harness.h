/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * harness.h - the fuzzer's state and reference model (shared by harness.c
 * and the context back ends in backends.c).
 */
#ifndef VCM_FUZZ_HARNESS_H
#define VCM_FUZZ_HARNESS_H

#include <vcm.h>

#include "fuzz.h"

#define FZ_PAGE 4096ULL
#define FZ_RAM0_BASE 0x40000000ULL
#define FZ_RAM0_SIZE (16ULL << 20)
#define FZ_RAM1_BASE 0x48000000ULL
#define FZ_RAM1_SIZE (8ULL << 20)
#define FZ_WIN_START 0x10000000ULL
#define FZ_WIN_SIZE (64ULL << 20)
#define FZ_UBUF_SIZE (256ULL << 10)

struct fz_ctx;

/*
 * struct fz_backend - how the harness drives and observes one kind of
 * context.
 * @has_mmu: mappings reach a translation only while the context is active,
 *           unmapped DVAs fault, and reservations come from a DVA window.
 * @orders: the page orders of its allocations and mappings (NULL: one
 *          contiguous part, the one-to-one allocator).
 * @create: make the context (c->vcm and the window); 0 or -errno.
 * @destroyed: release what the back end keeps after vcm_destroy().
 * @access: device access of @len bytes at @dva; 0, or -EFAULT with *@fault
 *          the first DVA that could not be reached.
 * @xlate: translation of one DVA; 0 with *@pa (and *@order if known, else
 *         -1), or -EFAULT.
 * @mapped_pages: 4 KiB pages mapped in the hardware (NULL: unknown).
 * @check_hw: the hardware's state agrees with the context's (may be NULL).
 * @pt_bytes: bounds of the SoC memory its page tables use now.
 */
struct fz_backend {
	const char *name;
	bool has_mmu;
	const unsigned char *orders;
	int (*create)(struct fz_harness *h, struct fz_ctx *c);
	void (*destroyed)(struct fz_harness *h, struct fz_ctx *c);
	int (*access)(struct fz_harness *h, struct fz_ctx *c, vcm_addr_t dva, void *buf,
		      size_t len, bool write, vcm_addr_t *fault);
	int (*xlate)(struct fz_harness *h, struct fz_ctx *c, vcm_addr_t dva, vcm_addr_t *pa,
		     int *order);
	long (*mapped_pages)(struct fz_ctx *c);
	enum fz_fail (*check_hw)(struct fz_harness *h, struct fz_ctx *c);
	void (*pt_bytes)(struct fz_harness *h, struct fz_ctx *c, vcm_size_t *lo, vcm_size_t *hi);
};

struct fz_ctx {
	bool live;
	enum fz_kind kind;
	const struct fz_backend *be;
	struct vcm *vcm;
	int active;
	unsigned fail_countdown;	/* FZ_FAIL_PAGE: model's copy */
	unsigned up_count;		/* live userptrs on it */
	void *priv;			/* the back end's */
	vcm_addr_t win_start;
	vcm_size_t win_size;
	vcm_size_t guard;		/* its guard gap after each reservation */
};

struct fz_phys {
	bool live;
	struct vcm_phys *phys;
	int origin;			/* slot of the one-to-one context it came from, or -1 */
	int up;				/* userptr slot that owns it, or -1 */
	bool user;			/* pinned user memory */
	unsigned bindings;
	vcm_size_t size;
	unsigned count;
	struct vcm_phys_part *parts;	/* the model's copy */
	uint8_t *shadow;		/* expected bytes */
	bool own_shadow;		/* else it points into a user buffer's shadow */
	int ubuf;
	vcm_size_t uoff;		/* page-aligned offset of the span in the buffer */
};

struct fz_res {
	bool live;
	int ctx;
	int phys;			/* slot of the bound phys, -1 */
	int up;				/* userptr slot that owns it, -1 */
	struct vcm_res *res;
	vcm_addr_t start;
	vcm_size_t size;
};

struct fz_up {
	bool live;
	void *up;			/* struct vcm_userptr * */
	int res, phys, ctx;
	int ubuf;
	vcm_size_t off, size;
};

struct fz_ubuf {
	uint8_t *mem;			/* FZ_UBUF_SIZE, page-aligned, guard pages around */
	uint8_t *shadow;
	/* pages pinned as part of a contiguous run (VCM_USERPTR_CONTIG): the
	 * run stays allocated until its last page is unpinned */
	int block[FZ_UBUF_SIZE / FZ_PAGE];
};

#define FZ_NBLOCKS 16
struct fz_block {
	bool live;
	vcm_addr_t pa;
	unsigned npages;
	unsigned pinned;		/* of its pages, still pinned */
};

struct fz_harness {
	struct fz_config cfg;
	struct vcm_soc *soc;
	vcm_size_t free0;
	struct fz_ctx ctx[FZ_NCTX];
	struct fz_res res[FZ_NRES];
	struct fz_phys phys[FZ_NPHYS];
	struct fz_up up[FZ_NUP];
	struct fz_ubuf ubuf[FZ_NUBUF];
	struct fz_block blocks[FZ_NBLOCKS];
	uint32_t touched_res, touched_phys;
	unsigned long steps;
	uint64_t rng;			/* for the checks' random probes */
	enum fz_fail failed;
	char msg[768];
	uint8_t *scratch, *scratch2;
	size_t scratch_size;
	char last_warn[256];
	char driver_err[200];		/* a driver inconsistency seen at cleanup */
	/* the last fault a System MMU reported */
	bool faulted;
	vcm_addr_t fault_dva;
	/* DVA ranges given back by the current step: they must fault */
	struct {
		int ctx;
		vcm_addr_t start;
		vcm_size_t size;
	} gone[FZ_NRES + 2];
	unsigned ngone;
};

extern const struct fz_backend fz_soft_backend, fz_o2o_backend, fz_vmm_backend,
	fz_iommu_backend, fz_s5p_backend;

int fz_dma_copy(struct fz_harness *h, struct fz_ctx *dc, vcm_addr_t ddva, struct fz_ctx *sc,
		vcm_addr_t sdva, size_t len);

enum fz_fail fz_fail(struct fz_harness *h, enum fz_fail f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The soft MMU back end's knobs (backends.c). */
void fz_soft_fail_after(struct fz_ctx *c, unsigned n);
unsigned fz_soft_countdown(struct fz_ctx *c);
const char *fz_soft_error(struct fz_ctx *c);

void fz_fill(uint8_t *buf, size_t len, uint32_t seed);

/* Shared by the operations (harness.c, userops.c). */
enum fz_fail fz_nop(struct fz_op *op);
enum fz_fail fz_ret_is(struct fz_harness *h, const struct fz_op *op, long got, long want);
enum fz_fail fz_warns_are(struct fz_harness *h, const struct fz_op *op, unsigned long w0,
			  unsigned long want);
long fz_ptr_ret(const void *p);
void fz_model_bind(struct fz_harness *h, int r, int p);
int fz_model_unbind(struct fz_harness *h, int r);
void fz_model_drop_res(struct fz_harness *h, int r);
void fz_model_drop_phys(struct fz_harness *h, int p);
void fz_model_add_phys(struct fz_harness *h, int slot, struct vcm_phys *phys, int origin);
void fz_model_own_shadow(struct fz_harness *h, int slot);
void fz_model_add_res(struct fz_harness *h, int slot, struct vcm_res *res, int ctx,
		      vcm_size_t size);
unsigned long fz_pages_at(struct fz_harness *h, int ctx, int p, vcm_addr_t dva);
bool fz_soft_fails(struct fz_ctx *c, unsigned long pages);
bool fz_pt_may_fail(struct fz_harness *h, const struct fz_ctx *c, vcm_size_t bytes);
enum fz_fail fz_settle_countdown(struct fz_harness *h, struct fz_ctx *c, long ret, int r);

/* The user-memory operations (userops.c). */
enum fz_fail fz_op_up_get(struct fz_harness *h, struct fz_op *op);
enum fz_fail fz_op_up_put(struct fz_harness *h, struct fz_op *op);
enum fz_fail fz_op_pin(struct fz_harness *h, struct fz_op *op);
bool fz_resolve_user(struct fz_harness *h, struct fz_op *op);
void fz_userptr_teardown(struct fz_harness *h);
uint8_t *fz_scratch(struct fz_harness *h, size_t len, int which);

/* The model (model.c). */
typedef bool (*fz_cut_fn)(void *arg, vcm_addr_t va, vcm_addr_t pa, unsigned order);

bool fz_round(vcm_size_t size, vcm_size_t *out);
vcm_size_t fz_live_bytes(const struct fz_harness *h);
vcm_size_t fz_pinned_bytes(struct fz_harness *h);
void fz_pin_block(struct fz_harness *h, int b, vcm_size_t first, unsigned npages,
		  vcm_addr_t pa);
bool fz_knows_all_pages(const struct fz_harness *h);
/* Cut a phys mapped at @va into pages as vcm_phys_walk() must; the count. */
unsigned long fz_cut(const struct fz_phys *p, vcm_addr_t va, const unsigned char *orders,
		     fz_cut_fn fn, void *arg);
vcm_addr_t fz_phys_pa(const struct fz_phys *p, vcm_size_t off);
bool fz_phys_contiguous(const struct fz_phys *p);
bool fz_dva_fits(const struct fz_harness *h, int ctx, vcm_size_t size);
bool fz_contig_fits(const struct fz_harness *h, vcm_size_t size);
vcm_size_t fz_reach(const struct fz_harness *h, const struct fz_res *r);
int fz_phys_cpu_read(struct fz_harness *h, const struct fz_phys *p, vcm_size_t off, uint8_t *buf,
		     vcm_size_t len);
int fz_phys_cpu_write(struct fz_harness *h, const struct fz_phys *p, vcm_size_t off,
		      const uint8_t *buf, vcm_size_t len);

enum fz_fail fz_check_new_phys(struct fz_harness *h, const struct fz_phys *p,
			       const unsigned char *orders, vcm_size_t size, unsigned bindings);
enum fz_fail fz_check_parts_disjoint(struct fz_harness *h, const struct fz_phys *p);
enum fz_fail fz_check_new_res(struct fz_harness *h, const struct fz_res *r);
enum fz_fail fz_check_res_map(struct fz_harness *h, unsigned slot);
enum fz_fail fz_check_unmapped(struct fz_harness *h, int ctx, vcm_addr_t dva, vcm_size_t size);
enum fz_fail fz_check_phys_bytes(struct fz_harness *h, unsigned slot);
enum fz_fail fz_check_res_bytes(struct fz_harness *h, unsigned slot);
enum fz_fail fz_check(struct fz_harness *h, bool sweep);

#endif /* VCM_FUZZ_HARNESS_H */
