#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-exports.sh LIB SRCDIR HEADER... - the ABI check.  The shared library
# LIB must export exactly the symbols of SRCDIR/libvcm/libvcm.map, each with
# the version node the map gives it; those must be exactly the VCM_EXPORT
# declarations of the installed HEADERs; and SRCDIR/debian/libvcm0.symbols
# must list the same symbols with the same nodes.  Every failure says which
# line to add or remove where.
set -eu
export LC_ALL=C
lib=$1
src=$2
shift 2
map=$src/libvcm/libvcm.map
debsyms=$src/debian/libvcm0.symbols
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name node, one a line, sorted: what the library exports ...
nm -D --defined-only --with-symbol-versions "$lib" |
	awk '$2 != "A" { n = $3; v = "(none)"
		if (index(n, "@")) { v = n; sub(/^[^@]*@+/, "", v); sub(/@.*/, "", n) }
		print n, v }' | sort -u >"$tmp/lib"
# ... what the map lists ...
sed 's,/\*.*\*/,,' "$map" | awk '
	/\/\*/ { c = 1 } c { if (/\*\//) c = 0; next }
	/^[A-Za-z0-9_.]+[ \t]*\{/ { node = $1; next }
	/^[ \t]*(global|local):/ { local = ($1 == "local:"); next }
	/;/ && !local { gsub(/[ \t;]/, ""); if ($0 != "" && $0 != "*") print $0, node }' |
	sort -u >"$tmp/map"
# ... what the headers declare VCM_EXPORT (functions and variables) ...
awk '/^[ \t]*#/ { next }
	/VCM_EXPORT/ { d = ""; on = 1 }
	on { d = d " " $0; if (d ~ /[(;]/) { on = 0
		sub(/[(;\[].*/, "", d); n = split(d, w, /[^A-Za-z0-9_]+/)
		while (n > 0 && w[n] == "") n--
		print w[n] } }' "$@" | sort -u >"$tmp/hdr"
# ... and the Debian symbols file.
awk '/^ / { split($1, a, "@"); if (a[1] != a[2]) print a[1], a[2] }' "$debsyms" |
	sort -u >"$tmp/deb"

fail=0
report() { # FILE-WITH-LINES MESSAGE
	[ -s "$1" ] || return 0
	echo "$2"
	sed 's/^/    /' "$1"
	fail=1
}
cut -d' ' -f1 "$tmp/lib" >"$tmp/lib.names"
cut -d' ' -f1 "$tmp/map" >"$tmp/map.names"
node=$(awk '/^VCM_[0-9.]+[ \t]*\{/ { n = $1 } END { print n }' "$map")
version=$(echo "$node" | sed 's/^VCM_//').0

comm -23 "$tmp/hdr" "$tmp/map.names" >"$tmp/x"
if [ -s "$tmp/x" ]; then
	echo "declared VCM_EXPORT in a public header but not in libvcm/libvcm.map:"
	sed 's/^/    /' "$tmp/x"
	echo "  add to libvcm/libvcm.map, in the node $node (sorted):"
	sed 's/.*/	&;/' "$tmp/x"
	echo "  and to debian/libvcm0.symbols (sorted):"
	sed "s/.*/ &@$node $version/" "$tmp/x"
	fail=1
fi
comm -13 "$tmp/hdr" "$tmp/map.names" >"$tmp/x"
report "$tmp/x" "in libvcm/libvcm.map but declared VCM_EXPORT in no installed header (declare it in include/vcm/*.h, and list a new header in include/meson.build's vcm_headers; or, if it was removed on purpose, remove it from the map and debian/libvcm0.symbols: that breaks the ABI, see README):"
comm -13 "$tmp/map.names" "$tmp/lib.names" >"$tmp/x"
report "$tmp/x" "exported by $(basename "$lib") but not in libvcm/libvcm.map (this cannot happen with the version script; is it applied?):"
comm -23 "$tmp/map.names" "$tmp/lib.names" >"$tmp/x"
report "$tmp/x" "in libvcm/libvcm.map but not defined by the library (define it, with VCM_EXPORT, in libvcm/):"
comm -12 "$tmp/map.names" "$tmp/lib.names" >"$tmp/both"
join "$tmp/map" "$tmp/lib" | awk '$2 != $3 { print $1 ": map says " $2 ", the library has " $3 }' >"$tmp/x"
report "$tmp/x" "exported with another version node than libvcm/libvcm.map gives:"
comm -23 "$tmp/map" "$tmp/deb" | awk '{ print " " $1 "@" $2 " '"$version"'" }' >"$tmp/x"
report "$tmp/x" "missing from debian/libvcm0.symbols (add these lines, in sorted order):"
comm -13 "$tmp/map" "$tmp/deb" >"$tmp/x"
report "$tmp/x" "in debian/libvcm0.symbols but not in libvcm/libvcm.map (remove them, or fix the node):"

[ "$fail" = 0 ] || exit 1
echo "$(wc -l <"$tmp/lib.names") symbols exported, exactly those of libvcm/libvcm.map, all declared in the headers and in debian/libvcm0.symbols"
