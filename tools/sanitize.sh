#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tools/sanitize.sh - build libvcm with sanitizers and run its tests there,
# each configuration in its own build directory:
#
#   build-asan  AddressSanitizer + UndefinedBehaviorSanitizer (clang), the
#               whole test suite; any UBSan report fails the run
#   build-tsan  ThreadSanitizer (clang), the tests that run threads
#               (TSAN_TESTS=... to choose others; "" for all)
#
#   tools/sanitize.sh           both
#   tools/sanitize.sh asan      one of them
#   tools/sanitize.sh tsan
#
# CC overrides the compiler (default clang).  Exit status: non-zero if a
# build or a test fails.
set -eu

cd "$(dirname "$0")/.."
CC=${CC:-clang}
export CC

# UBSan: stop at the first report, with a stack, and fail.  ASan: leaks too.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:abort_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

# configure DIR OPTIONS...: once; reconfigure if the options changed.
configure() {
	dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" -Dwerror=true "$@" >/dev/null
	else
		meson setup "$dir" -Dwerror=true "$@"
	fi
	ninja -C "$dir"
}

asan() {
	configure build-asan -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=undefined -Dbuildtype=debugoptimized
	meson test -C build-asan --print-errorlogs
}

# ThreadSanitizer: the tests whose point is threads (the whole suite passes
# too, in about a minute, more than the CI budget gives it); iommu for its
# reader thread (vcm_explain_dva() while the owner reserves and releases).
TSAN_TESTS=${TSAN_TESTS-"concurrency threads threads-recorded dma userptr reentrancy registry iommu"}

tsan() {
	configure build-tsan -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debugoptimized
	# shellcheck disable=SC2086
	meson test -C build-tsan --print-errorlogs $TSAN_TESTS
}

case "${1:-all}" in
asan) asan ;;
tsan) tsan ;;
all)
	asan
	tsan
	;;
*)
	echo "usage: tools/sanitize.sh [asan|tsan|all]" >&2
	exit 2
	;;
esac
