#!/usr/bin/env bash
# scripts/demo.sh (make demo) on a tiny region: it runs to its end, ends with its summary, writes
# its outputs where DEMO_OUT says and leaves the work tree as it found it (git status unchanged;
# without git: no file of the source tree newer than the start, build directories aside).
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

tree_state() { # what must not change: git's view of the work tree, or the files written since $TMP/start
    if [ -n "$GIT" ]; then
        git -C "$ROOT" status --porcelain --untracked-files=all
    else
        find "$ROOT" -path "$ROOT/build*" -prune -o -type f -newer "$TMP/start" -print
    fi
}
GIT=""
if command -v git >/dev/null && git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    GIT=git
fi
touch "$TMP/start"
sleep 1 # file times of one second's resolution
before=$(tree_state)

rc=0
DEMO_SCALE=tiny DEMO_SEED=7 DEMO_OUT="$TMP/demo" FG="$FG" bash "$ROOT/scripts/demo.sh" \
    >"$TMP/out" 2>&1 || rc=$?
if [ "$rc" = 0 ]; then ok "the demo runs to its end (tiny)"; else
    bad "the demo runs to its end (tiny)" "exit $rc" "$(tail -n 30 "$TMP/out")"; fi

after=$(tree_state)
if [ "$before" = "$after" ]; then ok "the work tree is unchanged (${GIT:-find -newer})"; else
    bad "the work tree is unchanged (${GIT:-find -newer})" "before:" "$before" "after:" "$after"; fi

# The summary is the last section, with what ran, the key numbers, the outputs and what next.
summary=$(sed -n '/^== Summary$/,$p' "$TMP/out")
last_section=$(grep '^== ' "$TMP/out" | tail -n 1)
if [ "$last_section" = "== Summary" ] && printf '%s\n' "$summary" | grep -q '^What ran:$' &&
    printf '%s\n' "$summary" | grep -q '^Next:$' && tail -n 6 "$TMP/out" | grep -q '^  make test '; then
    ok "it ends with its summary"
else
    bad "it ends with its summary" "last section: $last_section" "$(tail -n 15 "$TMP/out")"
fi
for want in 'validate: 17 files, [0-9]+ records, 0 errors' 'ledger alerts: [0-9]+ duplicate' \
    'review \(事后\): recall [0-9.]+% of [0-9]+ injected cases' "Outputs: .* in $TMP/demo/"; do
    if printf '%s\n' "$summary" | grep -qE -- "$want"; then ok "summary: $want"; else
        bad "summary: $want" "$summary"; fi
done
if [ -s "$TMP/demo/check.recall.md" ] && [ -f "$TMP/demo/manifest.json" ] && [ -d "$TMP/demo/ledger" ]; then
    ok "the outputs are in DEMO_OUT"
else
    bad "the outputs are in DEMO_OUT" "$(ls -A "$TMP/demo" 2>&1)"
fi
# The deliberate bad trace code is shown as meant, not as a bare error.
if grep -q -A 3 '19-digit trace code, wrong on purpose' "$TMP/out" &&
    grep -q 'refused as intended: exit 3' "$TMP/out"; then
    ok "the bad trace code is announced and its refusal explained"
else
    bad "the bad trace code is announced and its refusal explained" "$(sed -n '1,25p' "$TMP/out")"
fi
if grep -q $'\033' "$TMP/out"; then bad "no terminal escapes when not on a terminal"; else
    ok "no terminal escapes when not on a terminal"; fi

# A directory that is not a previous demo's output is refused, not deleted.
mkdir -p "$TMP/keep" && echo precious >"$TMP/keep/file"
expect "a foreign DEMO_OUT is refused" 1 '*' -- env DEMO_SCALE=tiny DEMO_OUT="$TMP/keep" FG="$FG" \
    bash "$ROOT/scripts/demo.sh"
if [ "$(cat "$TMP/keep/file" 2>/dev/null)" = precious ]; then ok "and left as it was"; else
    bad "and left as it was"; fi
finish
