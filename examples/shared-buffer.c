/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shared-buffer.c - one application buffer used by two devices at once.
 *
 * A FIMC-like camera (the producer) and an MFC-like encoder (the consumer)
 * each have their own System MMU and their own context.  The application
 * gives the same malloc()ed buffer to both drivers; each driver maps it with
 * vcm_userptr_get().  The pages are pinned once: both page tables lead to
 * the same PAs, which are the application's pages.  The camera writes a
 * frame, the encoder reads it, with no copy anywhere.
 *
 * Then the two drivers let go in either order: the first one's DVA faults
 * at once, the other device still reaches the buffer, and the pages are
 * unpinned only when the second one lets go.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vcm.h>

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define FIMC_WINDOW	0x20000000ULL
#define MFC_WINDOW	0x60000000ULL
#define WINDOW_SIZE	(16ULL << 20)
#define PAGE		4096UL
#define FRAME_BYTES	(3 * PAGE)
#define ODD_OFFSET	0x123
#define SEED_FIRST	1
#define SEED_SECOND	2

struct device {
	const char *name;
	struct vcm_sysmmu *mmu;
	struct vcm *vcm;
	struct vcm_userptr *up;
	unsigned faults;
};

struct machine {
	struct vcm_soc *soc;
	struct device fimc, mfc;
	unsigned char *raw, *buf;
	vcm_size_t free0;
};

static int check(int ok, const char *what)
{
	printf("   %-64s %s\n", what, ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}

static unsigned char pattern_byte(size_t i, unsigned seed)
{
	return (unsigned char)(i * 13 + seed * 101);
}

static int fault_handler(struct vcm_sysmmu *mmu, const struct vcm_fault *f, void *priv)
{
	struct device *dev = priv;

	(void)mmu;
	dev->faults++;
	printf("   [%s System MMU] page fault: %s at DVA %#010llx\n", dev->name,
	       f->access == VCM_ACCESS_WRITE ? "write" : "read", (unsigned long long)f->dva);
	return -EFAULT;
}

static int device_init(struct machine *m, struct device *dev, const char *name,
		       vcm_addr_t window)
{
	dev->name = name;
	dev->mmu = vcm_sysmmu_create(m->soc, name);
	if (vcm_is_err(dev->mmu))
		return -ENOMEM;
	vcm_sysmmu_set_fault_handler(dev->mmu, fault_handler, dev);
	vcm_sysmmu_set_fault_reports(dev->mmu, false);	/* the handler says it */
	dev->vcm = vcm_iommu_create(dev->mmu, window, WINDOW_SIZE);
	if (vcm_is_err(dev->vcm))
		return (int)vcm_ptr_err(dev->vcm);
	return vcm_activate(dev->vcm);
}

static void device_fini(struct device *dev)
{
	vcm_deactivate(dev->vcm);
	vcm_destroy(dev->vcm);
	vcm_sysmmu_destroy(dev->mmu);
}

static int machine_init(struct machine *m)
{
	m->soc = vcm_soc_create();
	if (vcm_is_err(m->soc) || vcm_soc_add_ram(m->soc, RAM_BASE, RAM_SIZE))
		return -ENOMEM;
	vcm_soc_set_current(m->soc);
	if (device_init(m, &m->fimc, "fimc0", FIMC_WINDOW) ||
	    device_init(m, &m->mfc, "mfc", MFC_WINDOW))
		return -ENOMEM;
	m->free0 = vcm_soc_free_bytes(m->soc);
	m->raw = malloc(FRAME_BYTES + ODD_OFFSET + PAGE);
	if (!m->raw)
		return -ENOMEM;
	m->buf = (unsigned char *)(((uintptr_t)m->raw + PAGE - 1) & ~(uintptr_t)(PAGE - 1)) +
		 ODD_OFFSET;
	return 0;
}

static void machine_fini(struct machine *m)
{
	device_fini(&m->mfc);
	device_fini(&m->fimc);
	free(m->raw);
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(m->soc);
}

/* QBUF on both drivers, and where each page is for each device. */
static int map_both(struct machine *m)
{
	unsigned i, pages;
	int bad = 0;

	m->fimc.up = vcm_userptr_get(m->fimc.vcm, m->buf, FRAME_BYTES, 0);
	m->mfc.up = vcm_userptr_get(m->mfc.vcm, m->buf, FRAME_BYTES, 0);
	if (vcm_is_err(m->fimc.up) || vcm_is_err(m->mfc.up))
		return 1;
	printf("   fimc0: buffer at DVA %#010llx    mfc: buffer at DVA %#010llx\n",
	       (unsigned long long)m->fimc.up->dva, (unsigned long long)m->mfc.up->dva);
	pages = m->fimc.up->res->phys->count;
	for (i = 0; i < pages; i++) {
		vcm_addr_t a = 0, b = 0;

		vcm_sysmmu_translate(m->fimc.mmu, m->fimc.up->res->start + i * PAGE,
				     VCM_ACCESS_WRITE, &a);
		vcm_sysmmu_translate(m->mfc.mmu, m->mfc.up->res->start + i * PAGE,
				     VCM_ACCESS_READ, &b);
		printf("   page %u: fimc0 DVA %#010llx -> PA %#010llx <- DVA %#010llx mfc\n", i,
		       (unsigned long long)(m->fimc.up->res->start + i * PAGE),
		       (unsigned long long)a,
		       (unsigned long long)(m->mfc.up->res->start + i * PAGE));
		bad |= a != b || a != m->mfc.up->res->phys->parts[i].start;
	}
	bad |= check(!bad, "both System MMUs lead to the same PA for each page");
	bad |= check(m->free0 - vcm_soc_free_bytes(m->soc) <= (pages + 2) * PAGE,
		     "each page pinned once (plus the level-2 tables)");
	return bad;
}

/* The camera writes a frame; the encoder reads it; the application sees it. */
static int produce_consume(struct machine *m, unsigned seed)
{
	unsigned char *frame = malloc(FRAME_BYTES), *got = malloc(FRAME_BYTES);
	size_t i;
	int bad = 0;

	if (!frame || !got)
		return 1;
	for (i = 0; i < FRAME_BYTES; i++)
		frame[i] = pattern_byte(i, seed);
	bad |= check(!vcm_dma_write(m->fimc.mmu, m->fimc.up->dva, frame, FRAME_BYTES),
		     "fimc0 writes a frame through its DVA (vcm_dma_write)");
	bad |= check(!vcm_dma_read(m->mfc.mmu, m->mfc.up->dva, got, FRAME_BYTES) &&
		     !memcmp(got, frame, FRAME_BYTES),
		     "mfc reads the same frame through its DVA (vcm_dma_read)");
	bad |= check(!memcmp(m->buf, frame, FRAME_BYTES),
		     "the application sees it in its buffer");
	free(frame);
	free(got);
	return bad;
}

/* @first lets go; @second still works; then @second lets go. */
static int teardown(struct machine *m, struct device *first, struct device *second)
{
	unsigned char byte = 0x5a, back = 0;
	vcm_addr_t old_dva = first->up->dva;
	unsigned faults = first->faults;
	int bad = 0;

	printf("   %s: vcm_userptr_put()\n", first->name);
	vcm_userptr_put(first->up);
	first->up = NULL;
	bad |= check(vcm_dma_write(first->mmu, old_dva, &byte, 1) == -EFAULT &&
		     first->faults == faults + 1,
		     "its old DVA faults at once (the TLB was invalidated)");
	bad |= check(!vcm_dma_write(second->mmu, second->up->dva, &byte, 1) &&
		     m->buf[0] == byte && !vcm_dma_read(second->mmu, second->up->dva, &back, 1) &&
		     back == byte, "the other device still reaches the buffer");
	printf("   %s: vcm_userptr_put()\n", second->name);
	vcm_userptr_put(second->up);
	second->up = NULL;
	bad |= check(vcm_soc_free_bytes(m->soc) == m->free0,
		     "last put: the pages are unpinned, their PAs free again");
	return bad;
}

int main(void)
{
	struct machine m = { 0 };
	int bad = 0;

	printf("libvcm shared buffer: a camera (fimc0) produces, an encoder (mfc) consumes,\n"
	       "both straight from one malloc()ed buffer\n\n");
	if (machine_init(&m)) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	printf("1. the application's buffer: UVA %p, %lu bytes, offset %#x in its first page\n",
	       (void *)m.buf, (unsigned long)FRAME_BYTES, ODD_OFFSET);

	printf("2. round 1: both drivers map it (vcm_userptr_get on each context)\n");
	bad |= map_both(&m);
	bad |= produce_consume(&m, SEED_FIRST);
	printf("3. round 1 teardown: the producer lets go first\n");
	bad |= teardown(&m, &m.fimc, &m.mfc);

	printf("4. round 2: both drivers map it again\n");
	bad |= map_both(&m);
	bad |= produce_consume(&m, SEED_SECOND);
	printf("5. round 2 teardown: the consumer lets go first\n");
	bad |= teardown(&m, &m.mfc, &m.fimc);

	machine_fini(&m);
	printf("\nshared-buffer: %s\n", bad ? "FAILED" : "ok");
	return bad;
}
