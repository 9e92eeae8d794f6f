/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cache-sync.c - the classic zero-copy bug and its fix, side by side.
 *
 * On the Exynos4210 the CPU's caches are not coherent with the multimedia
 * devices: a driver must clean the CPU's cache before a device reads a
 * buffer and invalidate it after a device wrote one (videobuf2's prepare
 * and finish).  Two identical machines, both with libvcm's non-coherent
 * cache model switched on, run the same capture-and-display pipeline on a
 * malloc()ed USERPTR frame; the driver on the left forgets the cache
 * maintenance, the one on the right does it.  Each step prints what each
 * side sees, and the warnings libvcm raises.
 *
 *   camera (FIMC) --DMA write--> frame <--CPU overlay-- application
 *                                frame --DMA read--> display (FIMD)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vcm.h>

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(64ULL << 20)
#define CAM_WINDOW	0x20000000ULL
#define DISP_WINDOW	0x60000000ULL
#define WINDOW_SIZE	(16ULL << 20)
#define FRAME_BYTES	8192
#define OVERLAY_BYTES	64
#define SHOW_BYTES	8
#define CAM_FILL	0xca
#define OVERLAY_FILL	0x0f
#define MAX_WARNINGS	4

struct side {
	const char *name;
	int syncs;			/* does the driver do the cache maintenance? */
	struct vcm_soc *soc;
	struct vcm_sysmmu *cam_mmu, *disp_mmu;
	struct vcm *cam, *disp;
	unsigned char *frame;
	struct vcm_userptr *cam_buf, *disp_buf;
	unsigned char shown[FRAME_BYTES];	/* what the display read */
	char warnings[MAX_WARNINGS][512];
	unsigned nwarnings;
};

static struct side *warn_side;

static void on_warning(const char *msg, void *priv)
{
	struct side *s = warn_side;

	(void)priv;
	if (s && s->nwarnings < MAX_WARNINGS)
		snprintf(s->warnings[s->nwarnings], sizeof(s->warnings[0]), "%s", msg);
	if (s)
		s->nwarnings++;
}

static int side_init(struct side *s, const char *name, int syncs)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->syncs = syncs;
	s->soc = vcm_soc_create();
	if (vcm_is_err(s->soc) || vcm_soc_add_ram(s->soc, RAM_BASE, RAM_SIZE) ||
	    vcm_soc_set_noncoherent(s->soc, NULL))
		return -1;
	s->cam_mmu = vcm_sysmmu_create(s->soc, "fimc0");
	s->disp_mmu = vcm_sysmmu_create(s->soc, "fimd0");
	if (vcm_is_err(s->cam_mmu) || vcm_is_err(s->disp_mmu))
		return -1;
	s->cam = vcm_iommu_create(s->cam_mmu, CAM_WINDOW, WINDOW_SIZE);
	s->disp = vcm_iommu_create(s->disp_mmu, DISP_WINDOW, WINDOW_SIZE);
	if (vcm_is_err(s->cam) || vcm_is_err(s->disp) || vcm_activate(s->cam) ||
	    vcm_activate(s->disp))
		return -1;
	/*
	 * Cache-line aligned, as a USERPTR buffer must be; here whole pages,
	 * because the cache model reads every byte of a pinned page (valgrind
	 * would call heap bytes sharing the pages unallocated).
	 */
	s->frame = aligned_alloc(VCM_PAGE_SIZE, FRAME_BYTES);
	if (!s->frame)
		return -1;
	memset(s->frame, 0, FRAME_BYTES);	/* the application's last frame: black */
	return 0;
}

static void side_fini(struct side *s)
{
	if (!vcm_is_err_or_null(s->cam_buf))
		vcm_userptr_put(s->cam_buf);
	if (!vcm_is_err_or_null(s->disp_buf))
		vcm_userptr_put(s->disp_buf);
	if (!vcm_is_err_or_null(s->cam))
		vcm_destroy(s->cam);
	if (!vcm_is_err_or_null(s->disp))
		vcm_destroy(s->disp);
	if (!vcm_is_err_or_null(s->cam_mmu))
		vcm_sysmmu_destroy(s->cam_mmu);
	if (!vcm_is_err_or_null(s->disp_mmu))
		vcm_sysmmu_destroy(s->disp_mmu);
	if (!vcm_is_err_or_null(s->soc))
		vcm_soc_destroy(s->soc);
	free(s->frame);
}

static void bytes(char *out, size_t n, const unsigned char *p)
{
	size_t i, at = 0;

	for (i = 0; i < SHOW_BYTES && at + 4 < n; i++)
		at += (size_t)snprintf(out + at, n - at, "%02x ", p[i]);
}

/* One step, done on both sides; @fn returns what that side shows. */
typedef void (*step_fn)(struct side *s, char *out, size_t n);

static void step(const char *title, struct side *sides, step_fn fn)
{
	unsigned i, w;

	printf("%s\n", title);
	for (i = 0; i < 2; i++) {
		struct side *s = &sides[i];
		char out[160] = "";

		s->nwarnings = 0;
		warn_side = s;
		fn(s, out, sizeof(out));
		warn_side = NULL;
		printf("   %-16s %s\n", s->name, out);
		for (w = 0; w < s->nwarnings && w < MAX_WARNINGS; w++)
			printf("   %-16s   libvcm warning: %s\n", "", s->warnings[w]);
	}
}

static void do_qbuf_camera(struct side *s, char *out, size_t n)
{
	s->cam_buf = vcm_userptr_get(s->cam, s->frame, FRAME_BYTES, 0);
	if (vcm_is_err(s->cam_buf)) {
		snprintf(out, n, "vcm_userptr_get failed");
		return;
	}
	if (s->syncs)
		vcm_userptr_sync_for_device(s->cam_buf, VCM_DMA_FROM_DEVICE);
	snprintf(out, n, s->syncs ? "pinned, mapped at DVA %#llx; prepare: sync_for_device"
				  : "pinned, mapped at DVA %#llx; (no prepare)",
		 (unsigned long long)s->cam_buf->dva);
}

static void do_capture(struct side *s, char *out, size_t n)
{
	unsigned char line[FRAME_BYTES];

	memset(line, CAM_FILL, sizeof(line));
	vcm_dma_write(s->cam_mmu, s->cam_buf->dva, line, FRAME_BYTES);
	snprintf(out, n, "fimc0 writes %d bytes of 0x%02x into RAM", FRAME_BYTES, CAM_FILL);
}

static void do_dqbuf_camera(struct side *s, char *out, size_t n)
{
	char b[64] = "";

	if (s->syncs)
		vcm_userptr_sync_for_cpu(s->cam_buf, VCM_DMA_FROM_DEVICE);
	bytes(b, sizeof(b), s->frame);
	snprintf(out, n, "%s the application reads: %s%s",
		 s->syncs ? "finish: sync_for_cpu;" : "(no finish);", b,
		 s->frame[0] == CAM_FILL ? "(the frame)" : "(its old black frame!)");
}

static void do_overlay(struct side *s, char *out, size_t n)
{
	memset(s->frame, OVERLAY_FILL, OVERLAY_BYTES);
	snprintf(out, n, "the CPU draws a %d-byte overlay of 0x%02x at the top", OVERLAY_BYTES,
		 OVERLAY_FILL);
}

static void do_qbuf_display(struct side *s, char *out, size_t n)
{
	s->disp_buf = vcm_userptr_get(s->disp, s->frame, FRAME_BYTES, 0);
	if (vcm_is_err(s->disp_buf)) {
		snprintf(out, n, "vcm_userptr_get failed");
		return;
	}
	if (s->syncs)
		vcm_userptr_sync_for_device(s->disp_buf, VCM_DMA_TO_DEVICE);
	snprintf(out, n, s->syncs ? "mapped at DVA %#llx; prepare: sync_for_device (clean)"
				  : "mapped at DVA %#llx; (no prepare)",
		 (unsigned long long)s->disp_buf->dva);
}

static void do_display(struct side *s, char *out, size_t n)
{
	char b[64] = "";

	vcm_dma_read(s->disp_mmu, s->disp_buf->dva, s->shown, FRAME_BYTES);
	bytes(b, sizeof(b), s->shown);
	snprintf(out, n, "fimd0 reads: %s%s", b,
		 s->shown[0] == OVERLAY_FILL ? "(the overlay)" : "(not what the CPU drew!)");
}

static int verdict(const struct side *bad, const struct side *good)
{
	struct vcm_cache_stats sb, sg;
	int ok;

	vcm_soc_get_cache_stats(bad->soc, &sb);
	vcm_soc_get_cache_stats(good->soc, &sg);
	printf("7. what the cache model counted\n");
	printf("   %-16s stale device reads %llu, stale CPU reads %llu, unseen device writes %llu\n",
	       bad->name, (unsigned long long)sb.stale_device_reads,
	       (unsigned long long)sb.stale_cpu_reads, (unsigned long long)sb.unseen_device_writes);
	printf("   %-16s stale device reads %llu, stale CPU reads %llu, unseen device writes %llu\n",
	       good->name, (unsigned long long)sg.stale_device_reads,
	       (unsigned long long)sg.stale_cpu_reads, (unsigned long long)sg.unseen_device_writes);
	ok = bad->frame[OVERLAY_BYTES] != CAM_FILL && bad->shown[0] != OVERLAY_FILL &&
	     sb.stale_device_reads > 0;
	ok = ok && good->frame[OVERLAY_BYTES] == CAM_FILL && good->shown[0] == OVERLAY_FILL &&
	     good->shown[OVERLAY_BYTES] == CAM_FILL && !sg.stale_device_reads &&
	     !sg.stale_cpu_reads && !sg.lost_cpu_writes;
	printf("   %-64s %s\n", "the bug shows without the syncs, and not with them",
	       ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}

int main(void)
{
	struct side sides[2];
	int ret = 1;

	vcm_set_warn_handler(on_warning, NULL);
	if (side_init(&sides[0], "without syncs:", 0) || side_init(&sides[1], "with syncs:", 1)) {
		fprintf(stderr, "cache-sync: cannot set up the machines\n");
		goto out;
	}
	printf("two Exynos4210-like SoCs, non-coherent: CPU caches with %u-byte lines, no eviction\n",
	       vcm_soc_cache_line(sides[0].soc));
	step("1. VIDIOC_QBUF(USERPTR) to the camera", sides, do_qbuf_camera);
	step("2. the camera captures a frame", sides, do_capture);
	step("3. VIDIOC_DQBUF from the camera", sides, do_dqbuf_camera);
	step("4. the application draws on the frame", sides, do_overlay);
	step("5. VIDIOC_QBUF(USERPTR) to the display", sides, do_qbuf_display);
	step("6. the display scans the frame out", sides, do_display);
	ret = verdict(&sides[0], &sides[1]);
out:
	warn_side = &sides[0];	/* the unpins report what the CPU never saw */
	side_fini(&sides[0]);
	warn_side = &sides[1];
	side_fini(&sides[1]);
	warn_side = NULL;
	vcm_set_warn_handler(NULL, NULL);
	return ret;
}
