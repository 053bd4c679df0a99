#!/usr/bin/env bash
# bench/csv/run.sh [BUILD_DIR] — the raw CSV layer (fg_csv_next) against libcsv on the same bytes,
# one core, into bench/results/csv.md. A measurement, never a test.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=$root/bench/results
mkdir -p "$out"
bin=$build/bench_csv
[ -x "$bin" ] || cmake --build "$build" --target bench_csv >/dev/null
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
res=$("${pin[@]}" "$bin" -n "${CSV_ROWS:-400000}" -r "${CSV_RUNS:-5}")
echo "$res"
mem=$(echo "$res" | awk '$1 == "mem" {print $2}')
peer=$(echo "$res" | awk '$1 == "libcsv" {print $2}')
{
    echo "# CSV layer — fg_csv_next vs libcsv"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), one core."
    echo "Command: \`bench/csv/run.sh\` (CSV_ROWS, CSV_RUNS). Rows shaped like fee_list_d (82 columns)."
    echo "Both parse the same bytes in memory and compute the same checksum over the fields."
    echo
    echo '```'
    echo "$res"
    echo '```'
    echo
    echo "fg_csv_next is $(echo "$mem / $peer" | bc -l | xargs printf '%.1f')× libcsv (M rows/s, in memory)."
} >"$out/csv.md"
