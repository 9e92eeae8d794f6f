/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * onetoone.c - the USERPTR flow for a device without an MMU.
 *
 * Such a device puts physical addresses on the bus: its context is
 * one-to-one (DVA == PA) and it can only use physically contiguous memory.
 * A malloc()ed buffer is scattered over physical pages, so the driver must
 * refuse it, as the kernel's videobuf2-dma-contig does; a buffer that really
 * is contiguous (one a driver allocated from a contiguous pool and the
 * application mmap()ed) works, and that is what VCM_USERPTR_CONTIG models.
 * The device then writes a pattern at its DVA, which is the PA, and the
 * application reads it in its own buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vcm.h>

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define FRAME_BYTES	(2 * 4096 + 1000)	/* a small frame, three pages */
#define ODD_OFFSET	13			/* where malloc() put it, say */
#define OTHER_PAGES	8			/* memory other drivers hold */

static int check(int ok, const char *what)
{
	printf("   %-60s %s\n", what, ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}

static unsigned char pattern_byte(size_t i)
{
	return (unsigned char)(i * 31 + 7);
}

/*
 * Other drivers have been allocating: free every other page of a run, so
 * single pages handed out next are not adjacent (as on a system that has
 * been up for a while).
 */
static void fragment(struct vcm_soc *soc, vcm_addr_t held[OTHER_PAGES])
{
	unsigned i;

	for (i = 0; i < OTHER_PAGES; i++)
		if (vcm_soc_alloc_pages(soc, 0, &held[i]))
			held[i] = 0;
	for (i = 0; i < OTHER_PAGES; i += 2)
		if (held[i])
			vcm_soc_free_pages(soc, held[i], 0);
}

static void unfragment(struct vcm_soc *soc, vcm_addr_t held[OTHER_PAGES])
{
	unsigned i;

	for (i = 1; i < OTHER_PAGES; i += 2)
		if (held[i])
			vcm_soc_free_pages(soc, held[i], 0);
}

static void print_phys(const struct vcm_phys *phys)
{
	unsigned i;

	for (i = 0; i < phys->count; i++)
		printf("     page %u -> PA %#010llx\n", i,
		       (unsigned long long)phys->parts[i].start);
}

/* The device writes the frame at @dva: no MMU, so the bus address is a PA. */
static int device_write_frame(struct vcm_soc *soc, vcm_addr_t dva, size_t len)
{
	unsigned char *frame = malloc(len);
	size_t i;
	int ret;

	if (!frame)
		return -ENOMEM;
	for (i = 0; i < len; i++)
		frame[i] = pattern_byte(i);
	ret = vcm_soc_phys_write(soc, dva, frame, len);
	free(frame);
	return ret;
}

static int frame_ok(const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pattern_byte(i))
			return 0;
	return 1;
}

int main(void)
{
	struct vcm_soc *soc = vcm_soc_create();
	vcm_addr_t held[OTHER_PAGES];
	struct vcm_userptr *up;
	struct vcm_phys *phys;
	struct vcm_res *res;
	unsigned char *raw, *buf;
	struct vcm *vcm;
	vcm_size_t free0;
	int bad = 0;

	if (vcm_is_err(soc) || vcm_soc_add_ram(soc, RAM_BASE, RAM_SIZE))
		return 1;
	vcm_soc_set_current(soc);
	free0 = vcm_soc_free_bytes(soc);
	raw = malloc(FRAME_BYTES + 4096 + ODD_OFFSET);
	if (!raw)
		return 1;
	buf = (unsigned char *)(((uintptr_t)raw + 4095) & ~(uintptr_t)4095) + ODD_OFFSET;
	memset(buf, 0, FRAME_BYTES);

	printf("1. the application's frame: UVA %p, %d bytes, offset %d in its first page\n",
	       (void *)buf, FRAME_BYTES, ODD_OFFSET);
	printf("2. the device has no MMU: vcm_onetoone_create(), DVA == PA\n");
	vcm = vcm_onetoone_create(soc);
	if (vcm_is_err(vcm))
		return 1;
	fragment(soc, held);

	printf("3. pin the frame: vcm_phys_from_user(), then vcm_map() on the context\n");
	phys = vcm_phys_from_user(soc, buf, FRAME_BYTES, 0);
	if (vcm_is_err(phys))
		return 1;
	print_phys(phys);
	res = vcm_map(vcm, phys, 0);
	bad |= check(vcm_is_err(res) && vcm_ptr_err(res) == -EINVAL,
		     "scattered pages: vcm_map() is -EINVAL, the driver refuses");
	if (!vcm_is_err(res))
		vcm_unmap(res);
	vcm_free(phys);
	bad |= check(vcm_soc_free_bytes(soc) == free0 - OTHER_PAGES / 2 * 4096,
		     "vcm_free() unpinned every page");

	printf("4. vcm_userptr_get(frame, VCM_USERPTR_CONTIG): a physically contiguous buffer\n");
	up = vcm_userptr_get(vcm, buf, FRAME_BYTES, VCM_USERPTR_CONTIG);
	if (vcm_is_err(up)) {
		printf("   failed: %ld\n", vcm_ptr_err(up));
		return 1;
	}
	print_phys(up->res->phys);
	printf("   DVA %#010llx = PA of page 0 + offset %zu\n", (unsigned long long)up->dva,
	       up->offset);
	bad |= check(up->dva == up->res->phys->parts[0].start + ODD_OFFSET,
		     "the device address is the physical address");

	printf("5. the device writes a %d-byte pattern at DVA %#llx\n", FRAME_BYTES,
	       (unsigned long long)up->dva);
	bad |= check(!device_write_frame(soc, up->dva, FRAME_BYTES), "device write");
	printf("6. the application reads its own buffer at %p\n", (void *)buf);
	bad |= check(frame_ok(buf, FRAME_BYTES), "the pattern is there, no copy made");

	printf("7. teardown: vcm_userptr_put(), then free()\n");
	vcm_userptr_put(up);
	unfragment(soc, held);
	vcm_destroy(vcm);
	free(raw);
	bad |= check(vcm_soc_free_bytes(soc) == free0, "every page is back");
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(soc);
	printf("%s\n", bad ? "onetoone: FAILED" : "onetoone: ok");
	return bad;
}
