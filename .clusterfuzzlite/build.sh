#!/bin/bash -eu
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# .clusterfuzzlite/build.sh - build libvcm's fuzz targets the way OSS-Fuzz
# and ClusterFuzzLite do: with the compiler and flags they pass in the
# environment, into $OUT.
#
#   $CC                  C compiler (clang)
#   $CFLAGS              sanitizer and coverage flags (e.g. -fsanitize=address,fuzzer-no-link)
#   $LIB_FUZZING_ENGINE  what links the fuzzing engine (e.g. -fsanitize=fuzzer)
#   $OUT                 where the fuzz targets go
#   $CXX, $CXXFLAGS      used to link, as OSS-Fuzz asks (default: $CC, $CFLAGS)
#
# The library is compiled with the same flags as the targets, so the engine
# sees its branches.  Targets:
#   vcm_model_fuzzer  the model-checking fuzzer's decoder (tests/fuzz/)
#   cam_fuzzer        the example driver's harness (examples/testing/)
# Run locally as CI does: tools/dev test (see README, "Fuzzing").
cd "$(dirname "$0")/.."

: "${CC:?set CC}" "${CFLAGS?set CFLAGS}" "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE}"
: "${OUT:?set OUT}"
LINK=${CXX:-$CC}
LINKFLAGS=${CXXFLAGS-$CFLAGS}
WORKDIR=${WORK:-$(mktemp -d)}/libvcm-fuzz
mkdir -p "$WORKDIR" "$OUT"

includes="-Iinclude"
for layer in libvcm/*/; do
	includes="$includes -I$layer"
done
common="-std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing -pthread $includes"

# compile SRC...: objects into $WORKDIR, their names on stdout
compile() {
	for src in "$@"; do
		obj="$WORKDIR/$(echo "$src" | tr / _).o"
		# shellcheck disable=SC2086
		$CC $CFLAGS $common -c "$src" -o "$obj"
		echo "$obj"
	done
}

lib_objs=$(compile libvcm/*/*.c)

# target NAME SRC...: link the sources with the library and the engine
target() {
	name=$1
	shift
	objs=$(compile "$@")
	# shellcheck disable=SC2086
	$LINK $LINKFLAGS $objs $lib_objs $LIB_FUZZING_ENGINE -pthread -o "$OUT/$name"
	echo "built $OUT/$name"
}

target vcm_model_fuzzer tests/fuzz/codec.c tests/fuzz/harness.c tests/fuzz/model.c \
	tests/fuzz/backends.c tests/fuzz/userops.c tests/fuzz/trace.c tests/fuzz/libfuzzer.c
target cam_fuzzer examples/testing/cam.c examples/testing/fuzz_cam.c

# libFuzzer options next to each target
printf '[libfuzzer]\nmax_len = 512\n' > "$OUT/vcm_model_fuzzer.options"
printf '[libfuzzer]\nmax_len = 256\n' > "$OUT/cam_fuzzer.options"
