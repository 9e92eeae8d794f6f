/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * version.c - the library's version at run time.
 */
#include <vcm/version.h>

VCM_EXPORT unsigned vcm_version(void)
{
	return VCM_VERSION;
}
