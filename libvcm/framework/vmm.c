/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmm.c - the CPU's context: a reservation is a range of host address
 * space, and binding a phys maps each of its parts there from the RAM
 * bank's memfd, side by side, so the program sees scattered physical pages
 * as one contiguous buffer, sharing the bytes with the simulated RAM.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "internal.h"
#include "soc-internal.h"
#include "vcm-internal.h"
#include "trace.h"

/* The window: the whole user half of a 48-bit address space. */
#define VMM_WINDOW_START VCM_PAGE_SIZE
#define VMM_WINDOW_SIZE ((1ULL << 47) - VCM_PAGE_SIZE)

static const unsigned char vmm_orders[] = { 8, 4, 0 };


static inline void *res_host(const struct vcm_res *res)
{
	return (void *)(uintptr_t)res->start;
}

/* Put inaccessible, unbacked address space over [addr, addr+len). */
static int vmm_hole(void *addr, vcm_size_t len, int fixed)
{
	void *p = vcm_mmap(addr, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (fixed ? MAP_FIXED : 0), -1, 0);

	if (p == MAP_FAILED)
		return -ENOMEM;
	return 0;
}

/*
 * A reservation is host address space.  One larger than the window is
 * -ENOSPC, as in any other context; one the host does not give (its
 * mmap() fails: address space or memory for the mapping exhausted) is a
 * failed host allocation, -ENOMEM.
 */
static struct vcm_res *vmm_res(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	struct vcm_res *res;
	void *p;

	(void)flags;
	if (size > vcm->size || size > SIZE_MAX)
		return vcm_err_ptr(-ENOSPC);
	res = vcm_calloc(1, sizeof(*res));
	if (!res)
		return vcm_err_ptr(-ENOMEM);
	p = vcm_mmap(NULL, (size_t)size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
		 0);
	if (p == MAP_FAILED) {
		free(res);
		return vcm_err_ptr(-ENOMEM);
	}
	res->start = (uintptr_t)p;
	return res;
}

static void vmm_unreserve(struct vcm_res *res)
{
	munmap(res_host(res), res->res_size);
	free(res);
}

/* Alias one part of RAM at @addr. */
static int vmm_map_part(struct vcm_soc *soc, unsigned char *addr, const struct vcm_phys_part *part)
{
	vcm_size_t off;
	int fd0 = -1;
	off_t base = 0;

	/* Every page must be ordinary RAM of one bank, contiguous in its file. */
	for (off = 0; off < part->size; off += VCM_PAGE_SIZE) {
		int fd, ret;
		off_t o;

		ret = vcm_soc_phys_backing(soc, part->start + off, &fd, &o);
		if (ret)
			return ret;
		if (!off) {
			fd0 = fd;
			base = o;
		} else if (fd != fd0 || o != base + (off_t)off) {
			return -EINVAL;
		}
	}
	if (vcm_mmap(addr, part->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd0, base) ==
	    MAP_FAILED)
		return -ENOMEM;
	return 0;
}

static int vmm_bind(struct vcm_res *res, struct vcm_phys *phys)
{
	struct vcm_soc *soc = vcm_context_soc(res->vcm);
	unsigned char *addr = res_host(res);
	vcm_size_t done = 0;
	unsigned i;
	int ret = 0;

	for (i = 0; i < phys->count && !ret; i++) {
		ret = vmm_map_part(soc, addr + done, &phys->parts[i]);
		if (!ret)
			done += phys->parts[i].size;
	}
	if (ret && done && vmm_hole(addr, done, 1))
		vcm_warn("vmm: could not take back a failed binding at %p", (void *)addr);
	return ret;
}

/*
 * Put the reservation's hole back over the binding.  If the host cannot
 * make the hole, the binding's RAM alias is unmapped instead (it goes, as
 * asked); that part of the address space is then no longer reserved, so it
 * is given up for good: nothing to warn about, nothing left mapped.
 */
static void vmm_unbind(struct vcm_res *res)
{
	if (vmm_hole(res_host(res), res->bound_size, 1))
		munmap(res_host(res), res->bound_size);
}

static struct vcm_phys *vmm_phys(struct vcm *vcm, vcm_size_t size, unsigned flags)
{
	return vcm_phys_alloc_soc(vcm_context_soc(vcm), size, flags, vmm_orders);
}

static const struct vcm_driver vmm_vcm_driver = {
	.res = vmm_res,
	.phys = vmm_phys,
	.unreserve = vmm_unreserve,
	.bind = vmm_bind,
	.unbind = vmm_unbind,
};

/*
 * The kernel's global CPU context: statically initialised, over the
 * current SoC, always active (its count starts at 1, as in the kernel),
 * never destroyed.  The context core sets it up on its first use
 * (vcm_ctx_adopt()).
 */
VCM_EXPORT struct vcm vcm_vmm[1] = { {
	.start = VMM_WINDOW_START,
	.size = VMM_WINDOW_SIZE,
	.activations = { 1 },
	.driver = &vmm_vcm_driver,
} };

VCM_TRACE_BODY struct vcm *do_vmm_create(struct vcm_soc *soc)
{
	struct vcm *vmm, *vcm;

	if (!soc)
		soc = vcm_soc_current();
	if (!vcm_soc_ok(soc, "vcm_vmm_create"))
		return vcm_err_ptr(-EINVAL);
	vmm = vcm_calloc(1, sizeof(*vmm));
	if (!vmm)
		return vcm_err_ptr(-ENOMEM);
	vmm->start = VMM_WINDOW_START;
	vmm->size = VMM_WINDOW_SIZE;
	vmm->driver = &vmm_vcm_driver;
	vcm = vcm_init(vmm);
	if (vcm_is_err(vcm))
		free(vmm);
	else
		vcm_set_soc(vcm, soc);
	return vcm;
}

VCM_TRACED_FN(struct vcm *, vcm_vmm_create, (struct vcm_soc *soc), do_vmm_create, (soc),
	      VMM_CREATE, soc, ret)

bool vcm_is_vmm(const struct vcm *vcm)
{
	return vcm->driver == &vmm_vcm_driver;
}
