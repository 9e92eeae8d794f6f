/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cam.c - the example camera driver (see cam.h).
 */
#include <errno.h>
#include <stdint.h>

#include "cam.h"

#define CAM_DVA_START	0x20000000ULL
#define CAM_DVA_SIZE	(64ULL << 20)

int cam_probe(struct cam *cam, struct vcm_soc *soc)
{
	int ret;

	cam->soc = soc;
	cam->mmu = vcm_sysmmu_create(soc, "cam");
	if (vcm_is_err(cam->mmu))
		return (int)vcm_ptr_err(cam->mmu);
	cam->ctx = vcm_iommu_create(cam->mmu, CAM_DVA_START, CAM_DVA_SIZE);
	if (vcm_is_err(cam->ctx)) {
		ret = (int)vcm_ptr_err(cam->ctx);
		goto err_mmu;
	}
	ret = vcm_activate(cam->ctx);
	if (ret)
		goto err_ctx;
	return 0;

err_ctx:
	vcm_destroy(cam->ctx);
err_mmu:
	vcm_sysmmu_destroy(cam->mmu);
	return ret;
}

void cam_remove(struct cam *cam)
{
	unsigned i;

	for (i = 0; i < CAM_MAX_BUFS; i++)
		if (cam->buf[i].res)
			cam_dqbuf(cam, i);
	vcm_deactivate(cam->ctx);
	vcm_destroy(cam->ctx);
	vcm_sysmmu_destroy(cam->mmu);
}

int cam_qbuf(struct cam *cam, unsigned i, void *uaddr, size_t size)
{
	struct cam_buf *b;

	if (i >= CAM_MAX_BUFS || cam->buf[i].res)
		return -EINVAL;
	b = &cam->buf[i];
	b->phys = vcm_phys_from_user(cam->soc, uaddr, size, 0);
	if (vcm_is_err(b->phys))
		return (int)vcm_ptr_err(b->phys);
	b->res = vcm_map(cam->ctx, b->phys, 0);
	if (vcm_is_err(b->res)) {
		int ret = (int)vcm_ptr_err(b->res);

		b->res = NULL;
		if (cam->bugs & CAM_BUG_LEAK_ON_ENOMEM)
			return ret;	/* the bug: the pages stay pinned */
		vcm_free(b->phys);
		b->phys = NULL;
		return ret;
	}
	b->uaddr = uaddr;
	b->size = size;
	return 0;
}

void cam_dqbuf(struct cam *cam, unsigned i)
{
	struct cam_buf *b = &cam->buf[i];

	if (!(cam->bugs & CAM_BUG_NO_UNMAP))
		vcm_unmap(b->res);
	if (!(cam->bugs & CAM_BUG_NO_UNPIN))
		vcm_free(b->phys);
	b->res = NULL;
	b->phys = NULL;
}

int cam_capture(struct cam *cam, unsigned i, const void *frame, size_t len)
{
	const struct cam_buf *b = &cam->buf[i];
	vcm_addr_t dva;

	if (i >= CAM_MAX_BUFS || !b->res)
		return -EINVAL;
	/* the buffer need not start on a page: the device gets start + offset */
	dva = b->res->start + ((uintptr_t)b->uaddr & (VCM_PAGE_SIZE - 1));
	return vcm_dma_write(cam->mmu, dva, frame, len);
}
