#!/usr/bin/env bash
# make demo: the main job end to end on the embedded default — generate a county, check every file,
# and show what the engine does with it so far. Each capability adds its part here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fg="$root/build/fundguard"
out="$root/demo"
seed=${DEMO_SEED:-20250701}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Fundguard $("$fg" --version | cut -d' ' -f2): identifiers at the edge"
"$fg" id idcard 11010519491231002X || true
"$fg" id trace "(01)06901234567892(17)270131(10)B2025(21)SN0001" || true
"$fg" id trace 8123456789012345678 || true
"$fg" id drug XA01ABD075A002010100483 || true

say "A synthetic county (seed $seed) into demo/"
rm -rf "$out"
"$fg" gen --out "$out" --scale county --seed "$seed"
ls -l "$out"

say "Every generated file passes fundguard validate"
"$fg" validate --quiet "$out"/*.csv "$out"/*.jsonl

say "Injected fraud by scenario (truth.csv)"
tail -n +2 "$out/truth.csv" | cut -d, -f1 | sort | uniq -c | sort -rn

say "The traceability ledger: every pack event in order, alerts against truth.csv"
"$fg" ledger truth --data "$out/ledger" "$out"

say "The review engine (两库) over every settlement, 事后 stage: recall against truth.csv"
"$root/bench/check/recall.sh" "$root/build" "$out"

# ---------------------------------------------------------------- post-event screening (issue 14)
# screen_demo: every post-event model (fundguard screen) over the county, in one pass; per model the
# findings, the amount, and recall/precision against truth.csv (--truth: the scenario → model table
# and the keys that must agree are in src/screen/truth.c; docs/screen.md). Exit 1 of the screen
# means "findings", not failure. Self-contained: uses only $fg, $root and $out.
screen_demo() {
    local rc=0
    "$fg" screen --kb "$root/kb" --kb "$root/tests/data/kb/demo-local" --truth "$out/truth.csv" \
        --out "$out/screen" "$out" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "demo: fundguard screen failed (exit $rc)" >&2
        return "$rc"
    fi
    echo "report: $out/screen/report.html, findings: $out/screen/findings.jsonl, findings.xlsx"
}
say "Post-event screening (事后监管): every model — findings, amount, recall/precision against truth.csv"
screen_demo
