#!/usr/bin/env bash
# bench/reader/run.sh [BUILD_DIR] — the fee_list_d reader against SQLite and DuckDB on the same file.
#
# One CSV of READER_ROWS (default 1,000,000) fee lines with the full national header (82 columns)
# is written once; then, on one core (taskset -c 0) and best of READER_RUNS (default 3):
#   fundguard  fg_table_* reads every row into a typed, validated fg_fee_line_t (money in fen,
#              codes checked, times parsed) — bench_reader --in-csv;
#   sqlite     sqlite3 CLI `.import --csv` into an in-memory table (every column TEXT, nothing
#              checked);
#   duckdb     @duckdb/node-api, one thread: CREATE TABLE AS SELECT * FROM read_csv(…) (types
#              sniffed, every column materialised), and SELECT count(*), sum(amount) (only the
#              columns asked for are parsed).
# Results: bench/results/reader.json and reader.md, rows/s side by side and as ratios. A missing
# peer is skipped with a note; this is a measurement, never a test.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=$root/bench/results
ROWS=${READER_ROWS:-1000000}
RUNS=${READER_RUNS:-3}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi

now() { date +%s.%N; }
# best SECONDS... → the smallest
best() { printf '%s\n' "$@" | sort -g | head -1 | xargs printf '%.3f'; }

bin=$build/bench_reader
[ -x "$bin" ] || cmake --build "$build" --target bench_reader >/dev/null
csv=$tmp/fee_list_d.csv
"$bin" "$ROWS" --out-csv "$csv" --gen-only
bytes=$(stat -c %s "$csv")

echo "fundguard: fg_table_* over $ROWS rows"
"${pin[@]}" "$bin" --in-csv "$csv" --runs "$RUNS" --results "$tmp/fundguard.json" >&2
fg_s=$(sed -n 's/.*"best_s":\([0-9.]*\).*/\1/p' "$tmp/fundguard.json")

sqlite_s=
if command -v sqlite3 >/dev/null; then
    echo "sqlite: .import --csv into :memory:"
    times=()
    for _ in $(seq "$RUNS"); do
        t0=$(now)
        "${pin[@]}" sqlite3 :memory: ".import --csv $csv fee" "SELECT count(*) FROM fee;" >"$tmp/sqlite.out"
        t1=$(now)
        [ "$(cat "$tmp/sqlite.out")" = "$ROWS" ] || {
            echo "sqlite imported $(cat "$tmp/sqlite.out") rows, not $ROWS" >&2
            exit 1
        }
        times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    sqlite_s=$(best "${times[@]}")
fi

duck_all_s=
duck_sum_s=
runner=$root/bench/duckdb-run.mjs
if command -v node >/dev/null && [ -d "$root/bench/node_modules/@duckdb/node-api" ]; then
    echo "duckdb: read_csv, one thread"
    all=()
    sum=()
    for _ in $(seq "$RUNS"); do
        r=$("${pin[@]}" node "$runner" "CREATE TABLE fee AS SELECT * FROM read_csv('$csv', header=true, all_varchar=false)" 1)
        all+=("$(echo "$r" | sed -n 's/.*"seconds":\([0-9.e-]*\).*/\1/p')")
        r=$("${pin[@]}" node "$runner" "SELECT count(*) AS n, sum(det_item_fee_sumamt) AS s FROM read_csv('$csv', header=true)" 1)
        sum+=("$(echo "$r" | sed -n 's/.*"seconds":\([0-9.e-]*\).*/\1/p')")
        echo "$r" | grep -q "\"$ROWS\"\|:$ROWS[,}]" || {
            echo "duckdb counted other than $ROWS rows: $r" >&2
            exit 1
        }
    done
    duck_all_s=$(best "${all[@]}")
    duck_sum_s=$(best "${sum[@]}")
fi

rate() { [ -n "$1" ] && echo "$ROWS / $1" | bc -l | xargs printf '%.0f' || echo null; }
ratio() { [ -n "$2" ] && echo "$2 / $1" | bc -l | xargs printf '%.2f' || echo null; }
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
    printf '{"bench":"reader","date":"%s","cpu":"%s","rows":%s,"bytes":%s,"columns":82,"runs":%s,\n' \
        "$date" "$cpu" "$ROWS" "$bytes" "$RUNS"
    printf ' "engines":[\n'
    printf '  {"engine":"fundguard","what":"fg_table_* typed+validated records","best_s":%s,"rows_per_s":%s},\n' \
        "$fg_s" "$(rate "$fg_s")"
    printf '  {"engine":"sqlite","what":".import --csv, TEXT columns","best_s":%s,"rows_per_s":%s,"fundguard_x":%s},\n' \
        "${sqlite_s:-null}" "$(rate "$sqlite_s")" "$(ratio "$fg_s" "$sqlite_s")"
    printf '  {"engine":"duckdb","what":"CREATE TABLE AS read_csv, all columns","best_s":%s,"rows_per_s":%s,"fundguard_x":%s},\n' \
        "${duck_all_s:-null}" "$(rate "$duck_all_s")" "$(ratio "$fg_s" "$duck_all_s")"
    printf '  {"engine":"duckdb","what":"count+sum over read_csv, 1 column parsed","best_s":%s,"rows_per_s":%s,"fundguard_x":%s}\n' \
        "${duck_sum_s:-null}" "$(rate "$duck_sum_s")" "$(ratio "$fg_s" "$duck_sum_s")"
    printf ' ]}\n'
} >"$out/reader.json"
{
    echo "# fee_list_d reader — fundguard vs SQLite vs DuckDB"
    echo
    echo "$date, $cpu, one core (taskset -c 0), best of $RUNS. One file: $ROWS rows, $bytes bytes,"
    echo "82 columns (the national header), written by \`bench_reader --gen-only\`. Command:"
    echo "\`bench/reader/run.sh\` (READER_ROWS, READER_RUNS)."
    echo
    echo "| engine | what it does with each row | seconds | rows/s | fundguard is × faster |"
    echo "| --- | --- | ---: | ---: | ---: |"
    echo "| fundguard | typed, validated fg_fee_line_t (fen, codes, times) | $fg_s | $(rate "$fg_s") | 1.00 |"
    echo "| SQLite \`.import --csv\` | TEXT columns, nothing checked | ${sqlite_s:-skipped} | $(rate "$sqlite_s") | $(ratio "$fg_s" "$sqlite_s") |"
    echo "| DuckDB \`CREATE TABLE AS read_csv\` | sniffed types, all columns | ${duck_all_s:-skipped} | $(rate "$duck_all_s") | $(ratio "$fg_s" "$duck_all_s") |"
    echo "| DuckDB \`count, sum\` over read_csv | one column parsed | ${duck_sum_s:-skipped} | $(rate "$duck_sum_s") | $(ratio "$fg_s" "$duck_sum_s") |"
    echo
    echo "A ratio above 1 means fundguard took less time. The DuckDB aggregate parses only the column it"
    echo "sums, so it does less work than the others; it is there as the lower bound of a columnar scan."
} >"$out/reader.md"
cat "$out/reader.md"
