#!/usr/bin/env bash
# bench/check/recall.sh [BUILD_DIR] [GENERATED_DIR] [OUT.md] — `fundguard check` over a generated county's
# settlements, compared with the generator's truth.csv: recall per family of the review engine.
#
# Without GENERATED_DIR it generates a county (`fundguard gen --scale county --seed $SEED`, default 1;
# about 1.7 GB) into a temporary directory and deletes it afterwards. Every settlement is checked in
# order in stage post (事后) with an in-memory history, against the national tables (kb/) plus the
# demo local tables (tests/data/kb/demo-local: indications of batch 6, diagnoses of one sex, visit
# thresholds), with the generated deaths, persons and suspensions as status references.
# A plain table goes to standard output, the Markdown report to OUT.md (default
# bench/results/check.recall.md, the benchmark's result; the demo writes its own elsewhere).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
gen=${2:-}
report=${3:-$root/bench/results/check.recall.md}
fg=$build/fundguard
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$gen" ]; then
    gen=$tmp/county
    echo "generating a county (seed ${SEED:-1}) into $gen" >&2
    "$fg" gen --out "$gen" --scale county --seed "${SEED:-1}" >&2
fi
mkdir -p "$tmp/ref"
for f in deaths.csv persons.csv suspensions.csv; do
    [ -f "$gen/$f" ] && ln -s "$gen/$f" "$tmp/ref/$f"
done
echo "checking $(wc -l <"$gen/settlements.jsonl") settlements (stage post)" >&2
start=$(date +%s.%N)
rc=0
"$fg" check --kb "$root/kb" --kb "$root/tests/data/kb/demo-local" --ref "$tmp/ref" --stage post \
    --batch "$gen/settlements.jsonl" >"$tmp/decisions.jsonl" || rc=$?
[ "$rc" -le 1 ] || { echo "fundguard check failed (exit $rc)" >&2; exit "$rc"; }
end=$(date +%s.%N)
echo "checked in $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s" >&2
node "$root/bench/check/recall.mjs" "$gen/truth.csv" "$tmp/decisions.jsonl" "$report"
