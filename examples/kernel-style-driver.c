/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kernel-style-driver.c - a small capture driver written the way an S5P
 * kernel driver using VCM was written (probe/remove, vcm_create_unified(),
 * vcm_make_binding(), vcm_activate(), IS_ERR()/PTR_ERR() through
 * <vcm/kernel.h>, USERPTR buffers through vcm_userptr_get()), driven by a
 * tiny "platform" main that plays the application and the V4L2 core.
 *
 * The "hardware" is FIMC-like: a test-pattern generator.  The driver keeps
 * one line of colour bars in memory of its own (vcm_make_binding(), filled
 * by the CPU through the CPU's context, as a kernel driver would through its
 * kernel mapping); to capture a frame the device copies that line into each
 * line of the output buffer, reading and writing through its System MMU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <vcm.h>
#include <vcm/s5p.h>
#include <vcm/kernel.h>

/* ------------------------------------------------------------------------ */
/* A few kernel-isms, so that the driver below reads like a driver.         */

/* The driver's messages go to stdout with its prefix (<vcm/kernel.h>'s go
 * to stderr). */
#undef pr_info
#undef pr_err
#define pr_info(fmt, ...)	printf("   [fimc] " fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...)	printf("   [fimc] error: " fmt, ##__VA_ARGS__)

struct platform_device {
	const char *name;
	int id;
	void *drvdata;
};

static inline void *platform_get_drvdata(struct platform_device *pdev)
{
	return pdev->drvdata;
}

static inline void platform_set_drvdata(struct platform_device *pdev, void *data)
{
	pdev->drvdata = data;
}

/* ------------------------------------------------------------------------ */
/* The driver.                                                             */

#define FIMC_VCM_SIZE		SZ_16M
#define FIMC_MAX_BUFS		2
#define FIMC_WIDTH		160
#define FIMC_HEIGHT		120
#define FIMC_BPP		2		/* YUYV */
#define FIMC_STRIDE		(FIMC_WIDTH * FIMC_BPP)
#define FIMC_FRAME_SIZE		(FIMC_STRIDE * FIMC_HEIGHT)
#define FIMC_PATTERN_SIZE	PAGE_SIZE	/* one line of colour bars */
#define FIMC_BARS		8

struct fimc_buffer {
	struct vcm_userptr *up;
	dma_addr_t paddr;		/* what the output address register gets */
};

struct fimc_dev {
	struct platform_device *pdev;
	enum vcm_dev_id id;
	struct vcm *vcm;		/* the device's address space */
	struct vcm_sysmmu *sysmmu;	/* the device's bus, for the "hardware" */
	struct vcm_res *pattern;	/* driver-owned memory, device side */
	struct vcm *cpu;		/* the CPU's view of it */
	struct vcm_res *pattern_cpu;
	struct fimc_buffer bufs[FIMC_MAX_BUFS];
	dma_addr_t out_addr[FIMC_MAX_BUFS];	/* the output address registers */
};

static unsigned char fimc_bar_byte(unsigned x, unsigned byte)
{
	static const unsigned char y[FIMC_BARS] = { 235, 210, 170, 145, 106, 81, 41, 16 };

	return (byte & 1) ? 0x80 : y[x * FIMC_BARS / FIMC_WIDTH];
}

/* The CPU writes the test-pattern line through its own mapping. */
static int fimc_fill_pattern(struct fimc_dev *fimc)
{
	unsigned char *line;
	unsigned i;

	fimc->cpu = vcm_vmm_create(NULL);
	if (IS_ERR(fimc->cpu))
		return PTR_ERR(fimc->cpu);
	fimc->pattern_cpu = vcm_map(fimc->cpu, fimc->pattern->phys, 0);
	if (IS_ERR(fimc->pattern_cpu)) {
		vcm_destroy(fimc->cpu);
		return PTR_ERR(fimc->pattern_cpu);
	}
	line = (unsigned char *)(uintptr_t)fimc->pattern_cpu->start;
	for (i = 0; i < FIMC_STRIDE; i++)
		line[i] = fimc_bar_byte(i / FIMC_BPP, i);
	return 0;
}

static void fimc_unmap_pattern(struct fimc_dev *fimc)
{
	vcm_unmap(fimc->pattern_cpu);
	vcm_destroy(fimc->cpu);
}

static int fimc_probe(struct platform_device *pdev)
{
	struct fimc_dev *fimc;
	int ret;

	fimc = calloc(1, sizeof(*fimc));
	if (!fimc)
		return -ENOMEM;
	fimc->pdev = pdev;
	fimc->id = pdev->id;

	fimc->vcm = vcm_create_unified(FIMC_VCM_SIZE, fimc->id, NULL);
	if (IS_ERR(fimc->vcm)) {
		ret = PTR_ERR(fimc->vcm);
		pr_err("vcm_create_unified failed: %d\n", ret);
		goto err_free;
	}
	fimc->sysmmu = s5p_sysmmu_get(fimc->id);
	if (IS_ERR(fimc->sysmmu)) {
		ret = PTR_ERR(fimc->sysmmu);
		goto err_vcm;
	}
	fimc->pattern = vcm_make_binding(fimc->vcm, FIMC_PATTERN_SIZE, 0, 0);
	if (IS_ERR(fimc->pattern)) {
		ret = PTR_ERR(fimc->pattern);
		pr_err("vcm_make_binding failed: %d\n", ret);
		goto err_vcm;
	}
	ret = fimc_fill_pattern(fimc);
	if (ret)
		goto err_binding;
	ret = vcm_activate(fimc->vcm);
	if (ret) {
		pr_err("vcm_activate failed: %d\n", ret);
		goto err_pattern;
	}
	platform_set_drvdata(pdev, fimc);
	pr_info("probe: %s.%d, DVA window %#010llx-%#010llx, pattern at DVA %#010llx\n",
		pdev->name, pdev->id, (unsigned long long)fimc->vcm->start,
		(unsigned long long)(fimc->vcm->start + fimc->vcm->size - 1),
		(unsigned long long)fimc->pattern->start);
	return 0;

err_pattern:
	fimc_unmap_pattern(fimc);
err_binding:
	vcm_destroy_binding(fimc->pattern);
err_vcm:
	vcm_destroy(fimc->vcm);
err_free:
	free(fimc);
	return ret;
}

static int fimc_remove(struct platform_device *pdev)
{
	struct fimc_dev *fimc = platform_get_drvdata(pdev);

	vcm_deactivate(fimc->vcm);
	fimc_unmap_pattern(fimc);
	vcm_destroy_binding(fimc->pattern);
	vcm_destroy(fimc->vcm);
	free(fimc);
	platform_set_drvdata(pdev, NULL);
	pr_info("remove: done\n");
	return 0;
}

/* videobuf2-style: get_userptr + buf_prepare. */
static int fimc_buf_prepare(struct fimc_dev *fimc, unsigned index, unsigned long vaddr,
			    size_t length)
{
	struct fimc_buffer *buf = &fimc->bufs[index];
	struct vcm_userptr *up;

	if (index >= FIMC_MAX_BUFS || length < FIMC_FRAME_SIZE || buf->up)
		return -EINVAL;
	up = vcm_userptr_get(fimc->vcm, (void *)vaddr, length, 0);
	if (IS_ERR(up))
		return PTR_ERR(up);
	buf->up = up;
	buf->paddr = up->dva;
	fimc->out_addr[index] = buf->paddr;	/* program the output address */
	pr_info("buf %u: UVA %#lx (+%zu in its page) -> DVA %#010llx, %zu pages pinned\n",
		index, vaddr, up->offset, (unsigned long long)buf->paddr,
		(size_t)(up->res->bound_size / PAGE_SIZE));
	return 0;
}

/* videobuf2-style: put_userptr. */
static void fimc_buf_cleanup(struct fimc_dev *fimc, unsigned index)
{
	struct fimc_buffer *buf = &fimc->bufs[index];

	if (!buf->up)
		return;
	vcm_userptr_put(buf->up);
	buf->up = NULL;
	fimc->out_addr[index] = 0;
}

/* The hardware: one frame into the buffer of @index, line by line. */
static int fimc_hw_capture(struct fimc_dev *fimc, unsigned index)
{
	dma_addr_t out = fimc->out_addr[index];
	unsigned line;
	int ret;

	for (line = 0; line < FIMC_HEIGHT; line++) {
		ret = vcm_dma_copy(fimc->sysmmu, out + (dma_addr_t)line * FIMC_STRIDE,
				   fimc->sysmmu, fimc->pattern->start, FIMC_STRIDE);
		if (ret)
			return ret;	/* the System MMU raised a fault */
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The platform: the machine, the application and the V4L2 core.           */

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)

static int check(int ok, const char *what)
{
	printf("   %-64s %s\n", what, ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}

static int frame_ok(const unsigned char *frame)
{
	unsigned i;

	for (i = 0; i < FIMC_FRAME_SIZE; i++)
		if (frame[i] != fimc_bar_byte(i % FIMC_STRIDE / FIMC_BPP, i))
			return 0;
	return 1;
}

/* A user address nothing is mapped at, as a buggy application might pass. */
static unsigned long unmapped_address(void)
{
	void *p = mmap(NULL, FIMC_FRAME_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, FIMC_FRAME_SIZE);
	return (unsigned long)p;
}

static int stream(struct fimc_dev *fimc, unsigned char *frames[FIMC_MAX_BUFS])
{
	unsigned i;
	int bad = 0;

	printf("3. VIDIOC_QBUF(USERPTR) x %d: the driver's buf_prepare\n", FIMC_MAX_BUFS);
	for (i = 0; i < FIMC_MAX_BUFS; i++)
		bad |= check(!fimc_buf_prepare(fimc, i, (unsigned long)frames[i],
					       FIMC_FRAME_SIZE), "buf_prepare");
	if (bad)
		return bad;
	printf("4. VIDIOC_STREAMON: the device captures into each buffer\n");
	for (i = 0; i < FIMC_MAX_BUFS; i++) {
		bad |= check(!fimc_hw_capture(fimc, i), "capture (vcm_dma_copy, pattern -> DVA)");
		bad |= check(frame_ok(frames[i]), "VIDIOC_DQBUF: the frame is in the malloc()ed buffer");
	}
	return bad;
}

int main(void)
{
	struct platform_device fimc0 = { .name = "s5p-fimc", .id = VCM_DEV_FIMC0 };
	unsigned char *frames[FIMC_MAX_BUFS];
	struct fimc_dev *fimc;
	struct vcm_soc *soc = vcm_soc_create();
	vcm_size_t free0;
	unsigned i;
	int bad = 0;

	printf("libvcm kernel-style driver: a FIMC-like capture driver with USERPTR buffers\n\n");
	if (IS_ERR(soc) || vcm_soc_add_ram(soc, RAM_BASE, RAM_SIZE))
		return 1;
	vcm_soc_set_current(soc);
	free0 = vcm_soc_free_bytes(soc);

	printf("1. the platform registers %s.%d: the driver's probe\n", fimc0.name, fimc0.id);
	if (fimc_probe(&fimc0))
		return 1;
	fimc = platform_get_drvdata(&fimc0);

	printf("2. the application mallocs %d frames of %dx%d YUYV (%d bytes)\n",
	       FIMC_MAX_BUFS, FIMC_WIDTH, FIMC_HEIGHT, FIMC_FRAME_SIZE);
	for (i = 0; i < FIMC_MAX_BUFS; i++) {
		frames[i] = calloc(1, FIMC_FRAME_SIZE);
		if (!frames[i])
			return 1;
	}
	bad |= stream(fimc, frames);

	printf("5. VIDIOC_QBUF with a pointer to unmapped memory\n");
	fimc_buf_cleanup(fimc, 0);
	bad |= check(fimc_buf_prepare(fimc, 0, unmapped_address(), FIMC_FRAME_SIZE) == -EFAULT,
		     "buf_prepare returns -EFAULT (VIDIOC_QBUF fails with EFAULT)");

	printf("6. VIDIOC_STREAMOFF + REQBUFS(0): buf_cleanup; then free() and remove\n");
	for (i = 0; i < FIMC_MAX_BUFS; i++) {
		fimc_buf_cleanup(fimc, i);
		free(frames[i]);
	}
	fimc_remove(&fimc0);
	bad |= check(vcm_soc_free_bytes(soc) == free0,
		     "every page (pins, pattern, page tables) is back in the SoC");
	vcm_soc_set_current(NULL);
	vcm_soc_destroy(soc);
	printf("\nkernel-style-driver: %s\n", bad ? "FAILED" : "ok");
	return bad;
}
