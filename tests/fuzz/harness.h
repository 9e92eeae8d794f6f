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
 * @mapped_pages: 4 KiB pages mapped in the hardware, -1 if unknown.
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
	uint32_t touched_res, touched_phys;
	unsigned long steps;
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

extern const struct fz_backend fz_soft_backend, fz_o2o_backend, fz_vmm_backend;
#ifdef FZ_HAVE_SYSMMU
extern const struct fz_backend fz_iommu_backend, fz_s5p_backend;
#endif

enum fz_fail fz_fail(struct fz_harness *h, enum fz_fail f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The soft MMU back end's knobs (backends.c). */
void fz_soft_fail_after(struct fz_ctx *c, unsigned n);
unsigned fz_soft_countdown(struct fz_ctx *c);
const char *fz_soft_error(struct fz_ctx *c);

void fz_fill(uint8_t *buf, size_t len, uint32_t seed);
uint8_t *fz_scratch(struct fz_harness *h, size_t len, int which);

/* The model (model.c). */
typedef bool (*fz_cut_fn)(void *arg, vcm_addr_t va, vcm_addr_t pa, unsigned order);

bool fz_round(vcm_size_t size, vcm_size_t *out);
vcm_size_t fz_live_bytes(const struct fz_harness *h);
vcm_size_t fz_pinned_bytes(const struct fz_harness *h);
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
enum fz_fail fz_check_new_res(struct fz_harness *h, const struct fz_res *r);
enum fz_fail fz_check_res_map(struct fz_harness *h, unsigned slot);
enum fz_fail fz_check_unmapped(struct fz_harness *h, int ctx, vcm_addr_t dva, vcm_size_t size);
enum fz_fail fz_check_phys_bytes(struct fz_harness *h, unsigned slot);
enum fz_fail fz_check_res_bytes(struct fz_harness *h, unsigned slot);
enum fz_fail fz_check(struct fz_harness *h, bool sweep);

#endif /* VCM_FUZZ_HARNESS_H */
