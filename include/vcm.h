/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <vcm.h> - all of libvcm's public API (but the optional <vcm/kernel.h>
 * shim, which defines kernel names and is included explicitly).
 */
#ifndef VCM_ALL_H
#define VCM_ALL_H

#include <vcm/types.h>
#include <vcm/version.h>
#include <vcm/soc.h>
#include <vcm/vcm.h>
#include <vcm/vcm-drv.h>
#include <vcm/sysmmu.h>
#include <vcm/s5p.h>
#include <vcm/userptr.h>
#include <vcm/debug.h>
#include <vcm/fault-inject.h>
#include <vcm/verify.h>
#include <vcm/testing.h>

#endif /* VCM_ALL_H */
