#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-tls.sh LIB - the shared library's thread-local state is reached
# without __tls_get_addr(): no relocation of the dynamic TLS models
# (a module id, or a TLS descriptor) may be left in LIB, so every access is
# one %fs-relative load.  A __thread variable declared without the
# library's -ftls-model=initial-exec (libvcm/meson.build) would bring one
# back; so would a build that dropped the flag.
set -eu
export LC_ALL=C
lib=$1

dynamic=$(readelf -rW "$lib" | grep -E 'DTPMOD|DTPOFF|TLSDESC' || true)
if [ -n "$dynamic" ]; then
	echo "check-tls: $lib reaches thread-local state through __tls_get_addr():" >&2
	echo "$dynamic" >&2
	echo "check-tls: build libvcm with -ftls-model=initial-exec (libvcm/meson.build)" >&2
	exit 1
fi
echo "check-tls: $lib: thread-local state is initial-exec only"
