#!/usr/bin/env bash
# make demo: the main job end to end on the embedded default — generate a county, check every file,
# and show what the engine does with it so far. Each capability adds its part here.
#
# Writes nothing tracked: everything it makes goes to DEMO_OUT (default build/demo/, ignored by git,
# removed by `make clean`), so `git status` stays clean (tests/cli/demo.sh checks it).
#
#   DEMO_OUT    where the generated region and the reports go (default build/demo)
#   DEMO_SCALE  county (default: 50,000 persons, about 1.8 GB) or tiny (2,000 persons, about 80 MB)
#   DEMO_SEED   the generator's seed (default 20250701)
#   FG          the fundguard binary (default build/fundguard)
#
# Adding a part: write a function that shows it, register it with `step "Title" function` at the end
# of this file, and let it record its key numbers with `note "…"` (the summary lists them in order)
# and its output files with `output PATH "what it is"`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fg=${FG:-$root/build/fundguard}
out=${DEMO_OUT:-$root/build/demo}
scale=${DEMO_SCALE:-county}
seed=${DEMO_SEED:-20250701}
build=$(dirname "$fg")
work=$(mktemp -d) # what the steps capture for the summary
current="(before the first step)"
finished() {
    local rc=$?
    rm -rf "$work"
    [ "$rc" -eq 0 ] || echo "demo: failed (exit $rc) in the step \"$current\"; nothing after it ran" >&2
}
trap finished EXIT

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
rel() { case $1 in "$root"/*) echo "${1#"$root"/}" ;; *) echo "$1" ;; esac; }

steps=()   # titles of the steps run, in order
notes=()   # key numbers, in order
outputs=() # "path  what it is"
note() { notes+=("$*"); }
output() { outputs+=("$(printf '%-30s %s' "$(rel "$1")" "$2")"); }
# step TITLE FUNCTION [ARG…]: one part of the demo, shown under its title.
step() {
    local title=$1
    shift
    steps+=("$title")
    current=$title
    say "$title"
    "$@"
}

# typed CMD…: the command line as one would type it (fundguard for the binary, quotes where needed).
typed() {
    local a line
    line=$([ "$1" = "$fg" ] && echo fundguard || echo "$1")
    for a in "${@:2}"; do
        case $a in *[!A-Za-z0-9_./=:,-]*) line+=" \"$a\"" ;; *) line+=" $a" ;; esac
    done
    printf '  $ %s\n' "$line"
}
# show LABEL -- CMD…: the command as typed, then its output, indented; it must succeed.
show() {
    local label=$1
    shift 2
    printf '%s\n' "$label"
    typed "$@"
    "$@" 2>&1 | sed 's/^/    /'
}
# show_refused LABEL -- CMD…: a deliberately bad input; the command must refuse it (exit 3).
show_refused() {
    local label=$1 rc=0
    shift 2
    printf '%s\n' "$label"
    typed "$@"
    "$@" >"$work/refused" 2>&1 || rc=$?
    sed 's/^/    /' "$work/refused"
    if [ "$rc" -ne 3 ]; then
        echo "demo: expected this input to be refused with exit 3, got exit $rc" >&2
        return 1
    fi
    echo "    (refused as intended: exit 3, bad input — the error names the field and says why)"
}

# ---------------------------------------------------------------- the steps
ids() {
    show "A resident ID (身份证号) is checked, then kept only masked with birth date and sex:" -- \
        "$fg" id idcard 11010519491231002X
    show "A GS1 trace code (追溯码) is normalised to the parts the ledger keys on:" -- \
        "$fg" id trace "(01)06901234567892(17)270131(10)B2025(21)SN0001"
    show_refused "A 19-digit trace code, wrong on purpose (a Chinese trace code has 20 digits):" -- \
        "$fg" id trace 8123456789012345678
    show "A national drug code (医保药品编码):" -- "$fg" id drug XA01ABD075A002010100483
    note "identifiers: resident ID masked, trace code normalised, a bad trace code refused with its reason"
}

generate() {
    rm -rf "$out"
    mkdir -p "$out"
    "$fg" gen --out "$out" --scale "$scale" --seed "$seed" | tee "$work/gen.txt"
    ls -lh "$out"
    note "generated: $(sed -n 's/^generated [^:]*: //p' "$work/gen.txt")"
    output "$out" "the generated $scale: extraction tables (CSV), API documents (JSONL), truth.csv"
}

validate() {
    "$fg" validate --quiet "$out"/*.csv "$out"/*.jsonl 2>&1 | tee "$work/validate.txt"
    note "$(tail -n 1 "$work/validate.txt")"
}

scenarios() {
    tail -n +2 "$out/truth.csv" | cut -d, -f1 | sort | uniq -c | sort -rn |
        awk '{printf "%6d %-26s", $1, $2} NR % 3 == 0 {print ""} END {if (NR % 3) print ""}' | sed 's/ *$//'
    note "injected: $(($(wc -l <"$out/truth.csv") - 1)) fraud cases in $(tail -n +2 "$out/truth.csv" | cut -d, -f1 | sort -u | wc -l) scenarios (truth.csv)"
}

ledger() {
    "$fg" ledger truth --data "$out/ledger" "$out" | tee "$work/ledger.txt"
    note "$(grep -m 1 '^ledger:' "$work/ledger.txt" | sed 's/ of [^ ]* in / in /')"
    note "ledger $(grep -m 1 '^alerts:' "$work/ledger.txt")"
    output "$out/ledger" "the traceability ledger (journal and snapshot): fundguard ledger query/stats"
}

review() {
    "$root/bench/check/recall.sh" "$build" "$out" "$out/check.recall.md" 2>&1 | tee "$work/recall.txt"
    note "review (事后): recall $(awk '$1 == "all" {print $4 " of " $2 " injected cases, " $5 " hit in their settlement"}' "$work/recall.txt")"
    output "$out/check.recall.md" "the recall report (Markdown)"
}

# Post-event screening: every model of fundguard screen over the region in one pass; per model the
# findings, the amount, and recall/precision against truth.csv (--truth: the scenario → model table and
# the keys that must agree are in src/screen/truth.c; docs/screen.md). Exit 1 means "findings".
screening() {
    local rc=0
    "$fg" screen --kb "$root/kb" --kb "$root/tests/data/kb/demo-local" --truth "$out/truth.csv" \
        --out "$out/screen" "$out" 2>&1 | tee "$work/screen.txt" || rc=${PIPESTATUS[0]}
    if [ "$rc" -gt 1 ]; then
        echo "demo: fundguard screen failed (exit $rc)" >&2
        return "$rc"
    fi
    # rows: model cases found recall findings correct precision amount
    note "screen (事后): $(awk '$2 !~ /^[0-9]+$/ || NF < 8 {next} {f += $5} $2 > 0 {n++; if (r == "" || $4 < r) r = $4} $2 > 0 && $7 != "-" && (p == "" || $7 < p) {p = $7}
        END {printf "%d findings; over the %d models with injected cases, lowest recall %s, lowest precision %s", f, n, r, p}' "$work/screen.txt")"
    output "$out/screen/report.html" "the screen's report (open it in a browser)"
    output "$out/screen/findings.xlsx" "the screen's findings, a sheet per model (Excel)"
}

summary() {
    say "Summary"
    echo "What ran:"
    printf '  - %s\n' "${steps[@]}"
    echo "Key numbers:"
    printf '  - %s\n' "${notes[@]}"
    local where="" clean=""
    case $out in "$root"/build/*) where=", ignored by git" clean=" (or make clean, which removes the builds too)" ;; esac
    echo "Outputs: $(du -sh "$out" | cut -f1) in $(rel "$out")/$where; remove with: rm -rf $(rel "$out")$clean"
    printf '  %s\n' "${outputs[@]}"
    if [ -f "$root/demo/manifest.json" ] && [ "$out" != "$root/demo" ]; then
        echo "  demo/ ($(du -sh "$root/demo" | cut -f1)) is an older demo's output, no longer used: rm -rf demo"
    fi
    cat <<EOF
Next:
  make test                                   every test, then again under ASan+UBSan
  build/fundguard --help                      all commands (docs/cli.md)
  build/fundguard check --kb kb --stage in < tests/data/samples/check_request.json
  build/fundguard ledger stats --data $(rel "$out")/ledger
  build/fundguard serve --help                the HTTP API (docs/openapi.yaml, docs/operations.md)
EOF
}

# ---------------------------------------------------------------- the demo
case $scale in
county) size="about 1.8 GB" need_kb=2000000 ;;
tiny) size="about 80 MB" need_kb=100000 ;;
*) echo "demo: DEMO_SCALE is county or tiny, not '$scale'" >&2 && exit 2 ;;
esac
# Only a previous demo's output is replaced, never another directory.
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/manifest.json" ]; then
    echo "demo: $out exists and holds no previous demo (no manifest.json); set DEMO_OUT elsewhere" >&2
    exit 1
fi
mkdir -p "$(dirname "$out")"
free_kb=$(df -Pk "$(dirname "$out")" | awk 'NR == 2 {print $4}')
if [ -n "$free_kb" ] && [ "$free_kb" -lt "$need_kb" ] && [ ! -d "$out" ]; then
    echo "demo: the $scale needs $size in $(dirname "$out"), $((free_kb / 1024)) MB free" \
        "(DEMO_OUT elsewhere, or DEMO_SCALE=tiny)" >&2
    exit 1
fi
say "Fundguard $("$fg" --version | cut -d' ' -f2): a demo on a synthetic $scale (seed $seed), $size in $(rel "$out")/"
step "Identifiers at the edge: every code is checked before anything uses it" ids
step "A synthetic $scale (seed $seed) with injected fraud and its ground truth" generate
step "Every generated file passes fundguard validate" validate
step "Injected fraud by scenario (truth.csv)" scenarios
step "The traceability ledger: every pack event in order, alerts against truth.csv" ledger
step "The review engine (两库) over every settlement, 事后 stage: recall against truth.csv" review
step "Post-event screening (事后监管): every model — findings, amount, recall/precision against truth.csv" screening
summary
