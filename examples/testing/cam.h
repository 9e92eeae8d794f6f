/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cam.h - a small camera driver written against libvcm, the subject of the
 * example test suite (test_cam.c) and fuzz harness (fuzz_cam.c).
 *
 * The camera sits behind its own System MMU.  Its buffers are the
 * application's own memory (V4L2 USERPTR): cam_qbuf() pins the pages and
 * maps them into the camera's context, cam_dqbuf() undoes it.  cam_capture()
 * makes the device write a frame into a queued buffer.
 *
 * The bugs a driver author typically makes can be planted (CAM_BUG_*), so
 * the tests can show that libvcm's test helpers catch each of them.
 */
#ifndef CAM_H
#define CAM_H

#include <stddef.h>

#include <vcm.h>

#define CAM_MAX_BUFS 8

/* Bugs to plant (struct cam.bugs). */
#define CAM_BUG_NO_UNPIN	0x1	/* dqbuf unmaps but never unpins */
#define CAM_BUG_NO_UNMAP	0x2	/* dqbuf unpins without unmapping */
#define CAM_BUG_LEAK_ON_ENOMEM	0x4	/* qbuf's error path forgets the pins */

struct cam_buf {
	void *uaddr;
	size_t size;
	struct vcm_phys *phys;		/* the pinned pages */
	struct vcm_res *res;		/* their DVA */
};

struct cam {
	struct vcm_soc *soc;
	struct vcm_sysmmu *mmu;
	struct vcm *ctx;
	struct cam_buf buf[CAM_MAX_BUFS];
	unsigned bugs;
};

/* Probe: a System MMU named "cam", a context on it, activated. 0 or -errno. */
int cam_probe(struct cam *cam, struct vcm_soc *soc);
void cam_remove(struct cam *cam);

/* Queue the user buffer [uaddr, uaddr+size) as buffer @i. 0 or -errno. */
int cam_qbuf(struct cam *cam, unsigned i, void *uaddr, size_t size);
/* Give buffer @i back to the application. */
void cam_dqbuf(struct cam *cam, unsigned i);
/* The device writes @len bytes of @frame into buffer @i. 0 or -errno. */
int cam_capture(struct cam *cam, unsigned i, const void *frame, size_t len);

#endif /* CAM_H */
