/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * userptr-zero-copy.c - the main demo: a camera writes straight into the
 * application's malloc()ed frame (V4L2 USERPTR), and every step of the way
 * is printed as the problem is usually drawn:
 *
 *   UVA -> pinned pages -> PA per page -> DVA -> page-table entries
 *       -> the device's write -> the bytes in the application's buffer
 *
 * The device is FIMC-like (a camera interface) behind its own System MMU;
 * its driver maps the frame with vcm_userptr_get() on a vcm_iommu_create()
 * context.  The page-table entries are read back raw from simulated RAM,
 * starting at the base the System MMU was programmed with, and decoded the
 * way the hardware walker decodes them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vcm.h>

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define DVA_WINDOW	0x20000000ULL		/* the camera's DVA window */
#define DVA_SIZE	(16ULL << 20)
#define PAGE		4096UL
#define FRAME_WIDTH	64			/* a tiny YUYV frame: 2 bytes/pixel */
#define FRAME_HEIGHT	64
#define FRAME_BYTES	(FRAME_WIDTH * FRAME_HEIGHT * 2)
#define ODD_OFFSET	0x2a5			/* where malloc() put it, say */
#define GUARD_FILL	0xee			/* the application's neighbouring bytes */
#define DUMP_BYTES	16
#define OTHER_PAGES	8			/* memory other drivers hold */

/* The Exynos System MMU v1-v3 page-table format (see <vcm/sysmmu.h>). */
#define L1_SHIFT	20
#define L2_SHIFT	12
#define L2_ENTRIES	256
#define PTE_BYTES	4
#define PTE_TYPE_MASK	0x3u
#define L1_LINK		0x1u
#define L1_SECTION	0x2u
#define L1_LINK_MASK	0xfffffc00u
#define L1_SECTION_MASK	0xfff00000u
#define L2_LARGE	0x1u
#define L2_SMALL_BIT	0x2u
#define L2_LARGE_MASK	0xffff0000u
#define L2_SMALL_MASK	0xfffff000u

static int check(int ok, const char *what)
{
	printf("   %-64s %s\n", what, ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}

/* The test pattern: colour bars in YUYV, a different bar every 8 pixels. */
static unsigned char pattern_byte(size_t i)
{
	size_t pixel = (i / 2) % FRAME_WIDTH, line = i / (2 * FRAME_WIDTH);

	return (unsigned char)((i & 1) ? 0x10 + 0x20 * (pixel / 8) : 0x80 + line);
}

static void hexdump(const char *what, const unsigned char *p, size_t n)
{
	size_t i;

	printf("   %s", what);
	for (i = 0; i < n; i++)
		printf(" %02x", p[i]);
	printf("\n");
}

static uint32_t read_pte(struct vcm_soc *soc, vcm_addr_t pa)
{
	uint32_t pte = 0;

	vcm_soc_phys_read(soc, pa, &pte, sizeof(pte));
	return pte;
}

/* Walk the table in RAM for @dva the way the System MMU does, printing it. */
static vcm_addr_t print_walk(struct vcm_soc *soc, vcm_addr_t base, vcm_addr_t dva)
{
	vcm_addr_t l1_pa = base + (dva >> L1_SHIFT) * PTE_BYTES, l2_pa;
	uint32_t l1 = read_pte(soc, l1_pa), l2;

	if ((l1 & PTE_TYPE_MASK) == L1_SECTION) {
		printf("   DVA %#010llx: L1[%#05llx] @PA %#010llx = %#010x  1 MiB section\n",
		       (unsigned long long)dva, (unsigned long long)(dva >> L1_SHIFT),
		       (unsigned long long)l1_pa, l1);
		return (l1 & L1_SECTION_MASK) + (dva & ~(vcm_addr_t)L1_SECTION_MASK);
	}
	if ((l1 & PTE_TYPE_MASK) != L1_LINK) {
		printf("   DVA %#010llx: L1 entry %#010x is a fault\n", (unsigned long long)dva, l1);
		return 0;
	}
	l2_pa = (l1 & L1_LINK_MASK) + ((dva >> L2_SHIFT) % L2_ENTRIES) * PTE_BYTES;
	l2 = read_pte(soc, l2_pa);
	printf("   DVA %#010llx: L1[%#05llx] @PA %#010llx = %#010x  link to L2 at %#010x\n",
	       (unsigned long long)dva, (unsigned long long)(dva >> L1_SHIFT),
	       (unsigned long long)l1_pa, l1, l1 & L1_LINK_MASK);
	if (l2 & L2_SMALL_BIT) {
		printf("                     L2[0x%02llx]  @PA %#010llx = %#010x  4 KiB page -> PA %#010x\n",
		       (unsigned long long)((dva >> L2_SHIFT) % L2_ENTRIES),
		       (unsigned long long)l2_pa, l2, l2 & L2_SMALL_MASK);
		return (l2 & L2_SMALL_MASK) + (dva & (PAGE - 1));
	}
	if ((l2 & PTE_TYPE_MASK) == L2_LARGE) {
		printf("                     L2 @PA %#010llx = %#010x  64 KiB page\n",
		       (unsigned long long)l2_pa, l2);
		return (l2 & L2_LARGE_MASK) + (dva & ~(vcm_addr_t)L2_LARGE_MASK);
	}
	printf("                     L2 @PA %#010llx = %#010x  fault\n",
	       (unsigned long long)l2_pa, l2);
	return 0;
}

/* What the camera produces, in its own (device-side) memory. */
static unsigned char *camera_frame(void)
{
	unsigned char *frame = malloc(FRAME_BYTES);
	size_t i;

	for (i = 0; frame && i < FRAME_BYTES; i++)
		frame[i] = pattern_byte(i);
	return frame;
}

static int frame_ok(const unsigned char *buf)
{
	size_t i;

	for (i = 0; i < FRAME_BYTES; i++)
		if (buf[i] != pattern_byte(i))
			return 0;
	return 1;
}

static int guards_ok(const unsigned char *raw, size_t before, size_t after_from, size_t end)
{
	size_t i;

	for (i = 0; i < before; i++)
		if (raw[i] != GUARD_FILL)
			return 0;
	for (i = after_from; i < end; i++)
		if (raw[i] != GUARD_FILL)
			return 0;
	return 1;
}

struct demo {
	struct vcm_soc *soc;
	struct vcm_sysmmu *fimc_mmu;
	struct vcm *fimc;
	unsigned char *raw, *buf;
	size_t raw_size;
	vcm_size_t free0;
	vcm_addr_t held[OTHER_PAGES];
};

/*
 * A machine that has been up for a while: other drivers hold every other
 * page of a run, so the pages pinned next get scattered PAs (which the
 * System MMU makes contiguous again for the device).
 */
static void fragment(struct demo *d)
{
	unsigned i;

	for (i = 0; i < OTHER_PAGES; i++)
		if (vcm_soc_alloc_pages(d->soc, 0, &d->held[i]))
			d->held[i] = 0;
	for (i = 0; i < OTHER_PAGES; i += 2)
		if (d->held[i])
			vcm_soc_free_pages(d->soc, d->held[i], 0);
}

static void unfragment(struct demo *d)
{
	unsigned i;

	for (i = 1; i < OTHER_PAGES; i += 2)
		if (d->held[i])
			vcm_soc_free_pages(d->soc, d->held[i], 0);
}

static int demo_setup(struct demo *d)
{
	d->soc = vcm_soc_create();
	if (vcm_is_err(d->soc) || vcm_soc_add_ram(d->soc, RAM_BASE, RAM_SIZE))
		return -ENOMEM;
	vcm_soc_set_current(d->soc);
	d->fimc_mmu = vcm_sysmmu_create(d->soc, "fimc0");
	if (vcm_is_err(d->fimc_mmu))
		return -ENOMEM;
	d->fimc = vcm_iommu_create(d->fimc_mmu, DVA_WINDOW, DVA_SIZE);
	if (vcm_is_err(d->fimc))
		return (int)vcm_ptr_err(d->fimc);
	fragment(d);
	/* The application's frame, at an odd offset in its first page. */
	d->raw_size = (ODD_OFFSET + FRAME_BYTES + PAGE - 1) / PAGE * PAGE;
	d->raw = aligned_alloc(PAGE, d->raw_size);
	if (!d->raw)
		return -ENOMEM;
	memset(d->raw, GUARD_FILL, d->raw_size);
	d->buf = d->raw + ODD_OFFSET;
	memset(d->buf, 0, FRAME_BYTES);
	return 0;
}

static void demo_teardown(struct demo *d)
{
	unfragment(d);
	vcm_destroy(d->fimc);
	vcm_sysmmu_destroy(d->fimc_mmu);
	free(d->raw);
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(d->soc);
}

static int print_pages(const struct demo *d, const struct vcm_userptr *up)
{
	const struct vcm_phys *phys = up->res->phys;
	uintptr_t uva = (uintptr_t)d->buf - up->offset;
	unsigned i;

	int bad = 0;

	for (i = 0; i < phys->count; i++) {
		printf("   page %u: UVA %#014lx -> PA %#010llx -> DVA %#010llx\n", i,
		       (unsigned long)(uva + i * PAGE),
		       (unsigned long long)phys->parts[i].start,
		       (unsigned long long)(up->res->start + i * PAGE));
		/* Zero copy: the RAM page at that PA is the application's page. */
		bad |= vcm_soc_phys_to_host(d->soc, phys->parts[i].start) !=
		       (void *)(uva + i * PAGE);
	}
	return check(!bad, "each PA's memory is the application's own page");
}

/* Steps 4-5: the entries in RAM, and what the hardware translates. */
static int print_tables(struct demo *d, const struct vcm_userptr *up)
{
	vcm_addr_t base = vcm_sysmmu_readl(d->fimc_mmu, VCM_SYSMMU_PT_BASE_ADDR);
	const struct vcm_phys *phys = up->res->phys;
	unsigned i;
	int bad = 0;

	printf("4. the page-table entries, read raw from RAM (PT_BASE_ADDR = %#010llx)\n",
	       (unsigned long long)base);
	for (i = 0; i < phys->count; i++) {
		vcm_addr_t pa = print_walk(d->soc, base, up->res->start + i * PAGE);

		bad |= pa != phys->parts[i].start;
	}
	bad |= check(!bad, "every entry leads to the pinned page's PA");
	return bad;
}

static int device_writes(struct demo *d, const struct vcm_userptr *up)
{
	unsigned char *frame = camera_frame();
	struct vcm_sysmmu_stats st;
	int ret;

	if (!frame)
		return 1;
	printf("5. the camera writes its frame (%d bytes): vcm_dma_write(fimc0, DVA %#010llx)\n",
	       FRAME_BYTES, (unsigned long long)up->dva);
	ret = vcm_dma_write(d->fimc_mmu, up->dva, frame, FRAME_BYTES);
	free(frame);
	vcm_sysmmu_get_stats(d->fimc_mmu, &st);
	printf("   System MMU: %llu translations, %llu page-table walks, %llu faults\n",
	       (unsigned long long)st.translations, (unsigned long long)st.walks,
	       (unsigned long long)st.faults);
	return check(!ret && !st.faults, "vcm_dma_write returned 0, no fault");
}

static int app_reads(struct demo *d)
{
	int bad = 0;

	printf("6. the application reads its own buffer at UVA %p\n", (void *)d->buf);
	hexdump("first bytes:", d->buf, DUMP_BYTES);
	hexdump("last bytes: ", d->buf + FRAME_BYTES - DUMP_BYTES, DUMP_BYTES);
	bad |= check(frame_ok(d->buf), "the frame is in the application's buffer, no copy made");
	bad |= check(guards_ok(d->raw, ODD_OFFSET, ODD_OFFSET + FRAME_BYTES, d->raw_size),
		     "the bytes around it in the same pages are untouched");
	return bad;
}

int main(void)
{
	struct vcm_userptr *up;
	struct demo d = { 0 };
	int bad = 0;

	if (demo_setup(&d)) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	printf("libvcm USERPTR zero-copy: a FIMC-like camera writes into a malloc()ed frame\n\n");
	printf("1. the application's frame: UVA %p, %d bytes (%dx%d YUYV),\n"
	       "   offset %#x in its first page\n", (void *)d.buf, FRAME_BYTES, FRAME_WIDTH,
	       FRAME_HEIGHT, ODD_OFFSET);

	printf("2. the driver opens the camera: vcm_activate() on its context\n"
	       "   (DVA window %#010llx-%#010llx, own page table, System MMU \"fimc0\")\n",
	       (unsigned long long)DVA_WINDOW, (unsigned long long)(DVA_WINDOW + DVA_SIZE - 1));
	if (vcm_activate(d.fimc))
		return 1;
	d.free0 = vcm_soc_free_bytes(d.soc);

	printf("3. VIDIOC_QBUF(USERPTR): vcm_userptr_get(ctx, UVA, %d): pin, reserve, bind\n",
	       FRAME_BYTES);
	up = vcm_userptr_get(d.fimc, d.buf, FRAME_BYTES, 0);
	if (vcm_is_err(up)) {
		printf("   failed: %ld\n", vcm_ptr_err(up));
		return 1;
	}
	bad |= print_pages(&d, up);
	printf("   buffer DVA = reservation %#010llx + offset %#zx = %#010llx\n",
	       (unsigned long long)up->res->start, up->offset, (unsigned long long)up->dva);
	bad |= check(up->dva == up->res->start + ODD_OFFSET, "the device gets DVA + offset");

	bad |= print_tables(&d, up);
	bad |= device_writes(&d, up);
	bad |= app_reads(&d);

	printf("7. VIDIOC_STREAMOFF + REQBUFS(0): vcm_deactivate(), vcm_userptr_put(); then free()\n");
	vcm_deactivate(d.fimc);
	vcm_userptr_put(up);
	bad |= check(vcm_soc_free_bytes(d.soc) == d.free0,
		     "every pinned page and level-2 table is back in the SoC");
	demo_teardown(&d);
	printf("\nuserptr-zero-copy: %s\n", bad ? "FAILED" : "ok");
	return bad;
}
