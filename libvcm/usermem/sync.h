/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sync.h - cache maintenance of part of a physical allocation (internal).
 */
#ifndef LIBVCM_SYNC_H
#define LIBVCM_SYNC_H

#include <vcm/cache.h>
#include <vcm/vcm-drv.h>

/*
 * vcm_phys_sync_range() - vcm_cache_sync_for_device() (@for_device) or
 * _for_cpu() on bytes [@off, @off + @size) of @phys, its parts taken in
 * order.  @soc NULL: the current SoC.  Returns 0, -EINVAL (bad phys or
 * direction, range past its end), -EFAULT.
 */
int vcm_phys_sync_range(struct vcm_soc *soc, const struct vcm_phys *phys, vcm_size_t off,
			vcm_size_t size, enum vcm_dma_dir dir, bool for_device);

#endif /* LIBVCM_SYNC_H */
