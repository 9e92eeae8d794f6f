#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/compare.sh OLD_TREE [BUILD_DIR] [ROUNDS] - before and after in one run.
#
# OLD_TREE is a source tree of the "before" commit with its static library
# built in OLD_TREE/build (meson setup build && ninja -C build
# libvcm/libvcm.a); a file OLD_TREE/COMMIT may name the commit when the tree
# is not a git checkout.  This tree's benchmark sources are compiled against
# that library with the flags of a debugoptimized build (-O2 -g), then each
# benchmark of BUILD_DIR (default: build) and its "before" twin run in turn,
# ROUNDS times (default 3), so both see the same machine load.  Printed:
# every run's output, then per target the median ratio before and after.
set -eu
old=$(cd "$1" && pwd)
build=${2:-build}
n=${3:-3}
src=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -f "$old/COMMIT" ]; then
	commit=$(cat "$old/COMMIT")
else
	commit=$(git -C "$old" describe --always --dirty --abbrev=12)
fi
printf '#define BENCH_COMMIT "%s (before)"\n' "$commit" > "$tmp/bench-commit.h"
incs="-I$tmp -I$old/include"
for d in "$old"/libvcm/*/; do
	incs="$incs -I$d"
done
progs=""
for b in buddy sysmmu vcm placement; do
	[ -x "$build/bench/bench-$b" ] || continue
	# shellcheck disable=SC2086
	# the code placement of meson.build, so that both runs' reference
	# loops are laid out alike
	cc -std=gnu11 -O2 -g -D_GNU_SOURCE -fno-strict-aliasing -pthread \
		-falign-functions=64 -falign-loops=32 \
		'-DBENCH_BUILDTYPE="debugoptimized (-O2 -g)"' $incs \
		"$src/bench_$b.c" "$old/build/libvcm/libvcm.a" -o "$tmp/bench-$b"
	progs="$progs $b"
done

for i in $(seq "$n"); do
	for b in $progs; do
		"$tmp/bench-$b" | tee -a "$tmp/before.out"
		"$build/bench/bench-$b" | tee -a "$tmp/after.out"
	done
done

echo
echo "== before ($commit) and after ($(sed -n 's/.*commit: //p' "$tmp/after.out" | head -1)), median of $n runs each, interleaved"
awk '
function median(list,    a, k, m, i, j, t) {
	m = split(list, a, " ")
	for (i = 1; i <= m; i++)
		for (j = i + 1; j <= m; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
$1 == "TARGET" {
	key = $2
	if (FILENAME ~ /before/) b[key] = b[key] " " $3; else a[key] = a[key] " " $3
	op[key] = $4; lim[key] = $5
	if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
}
END {
	printf "%-22s %10s %10s   %s\n", "target", "before", "after", "limit  verdict(after)"
	for (k = 1; k <= nk; k++) {
		key = order[k]
		bm = median(b[key]); am = median(a[key])
		pass = op[key] == "<=" ? am <= lim[key] : am >= lim[key]
		printf "%-22s %10.2f %10.2f   %s %s  %s\n", key, bm, am, op[key], lim[key],
		       pass ? "PASS" : "MISS"
	}
}' "$tmp/before.out" "$tmp/after.out"
