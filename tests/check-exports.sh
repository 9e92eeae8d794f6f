#!/bin/sh
# The shared library exports only the public API (vcm_*, s5p_*).
set -eu
lib=$1
bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v -E '^(vcm_|s5p_)' || true)
count=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -c -E '^(vcm_|s5p_)')
if [ -n "$bad" ]; then
	echo "not public API but exported:"; echo "$bad"; exit 1
fi
echo "$count public symbols exported, nothing else"
