#!/usr/bin/env bash
# screen_cases.sh — every golden case of tests/cases/screen/<model>/<case>/: `fundguard screen
# --models <model> [args] <case>` must write exactly expected.jsonl and exit 1 (findings) or 0 (none).
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
n=0
for case in "$root"/tests/cases/screen/*/*/; do
    case=${case%/}
    [ -f "$case/expected.jsonl" ] || continue
    model=$(basename "$(dirname "$case")")
    name="$model/$(basename "$case")"
    args=()
    [ -f "$case/args" ] && mapfile -t args <"$case/args"
    out="$TMP/$model-$(basename "$case")"
    want_rc=0
    [ -s "$case/expected.jsonl" ] && want_rc=1
    "$FG" screen --quiet --models "$model" "${args[@]}" --out "$out" "$case" >"$TMP/stdout" 2>"$TMP/stderr"
    rc=$?
    n=$((n + 1))
    if [ "$rc" != "$want_rc" ]; then
        bad "$name" "exit $rc, want $want_rc" "stderr: $(head -c 600 "$TMP/stderr")"
    elif ! diff -u "$case/expected.jsonl" "$out/findings.jsonl" >"$TMP/diff"; then
        bad "$name" "findings differ:" "$(head -c 2000 "$TMP/diff")"
    else
        ok "$name"
    fi
done
[ "$n" -gt 0 ] || bad "cases" "no case found under tests/cases/screen"
finish
