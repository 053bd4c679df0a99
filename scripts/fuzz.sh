#!/usr/bin/env bash
# Run every libFuzzer target in BUILD_DIR for SECONDS each, starting from its committed corpus.
# New inputs go to fuzz/work/<target>/ (not committed); add the useful ones with -merge=1 (fuzz/README.md).
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for bin in "$build"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    target=${name#fuzz_}
    work="$root/fuzz/work/$target"
    mkdir -p "$work"
    dict=()
    [ -f "$root/fuzz/dicts/$target.dict" ] && dict=(-dict="$root/fuzz/dicts/$target.dict")
    echo "== $name for ${seconds}s"
    if ! "$bin" -max_total_time="$seconds" -print_final_stats=1 "${dict[@]}" \
        -artifact_prefix="$work/" "$work" "$root/fuzz/corpora/$target"; then
        echo "fuzz: $name found a crash; the input is in $work/" >&2
        status=1
    fi
done
exit $status
