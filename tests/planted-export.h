/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * planted-export.h - a public declaration that libvcm/libvcm.map does not
 * list: meson test "exports-planted" checks that check-exports.sh fails on it.
 */
#include <vcm/types.h>

VCM_EXPORT int vcm_planted_export(void);
