#!/usr/bin/env bash
# bench/screen/run.sh [BUILD_DIR] — the whole screen of a generated region against the same models
# written as SQL (bench/screen/models.sql) in DuckDB and PostgreSQL, in one run, as ratios.
#
# 1. A region from `fundguard gen` (SCREEN_SCALE, default city; SCREEN_DATA to use one already
#    made) in bench/work/screen-SCALE/.
# 2. fundguard screen over it, pinned to SCREEN_CORES (default 0,1): once with every model, once
#    with the models the SQL has (the comparison); wall, CPU and peak memory by /usr/bin/time.
# 3. DuckDB (npm @duckdb/node-api, 2 threads) and PostgreSQL 15 (a throw-away cluster on 127.0.0.1
#    in a temporary directory, run as the postgres user, one parallel worker) load the same files
#    (tables.sql) and run every model block of models.sql, each timed, on the same cores.
# 4. The keys every model names (keys.jq for fundguard's findings.jsonl, k_<model> in SQL) are
#    compared per model, and bench/results/screen.md + screen.json get the numbers and ratios.
# SCREEN_PG=0 / SCREEN_DUCKDB=0 leave a peer out (PostgreSQL's load alone takes ~20 minutes at city
# scale); SCREEN_NAME names the results (default screen: bench/results/screen.md and .json).
# A measurement, never a test: a missing peer is skipped with a note.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
here=$root/bench/screen
out=$root/bench/results
scale=${SCREEN_SCALE:-city}
data=${SCREEN_DATA:-$root/bench/work/screen-$scale}
cores=${SCREEN_CORES:-0,1}
ncores=$(awk -F, '{print NF}' <<<"$cores")
fg=$build/fundguard
mkdir -p "$out"
tmp=$(mktemp -d)
pgdir=
cleanup() {
    if [ -n "$pgdir" ]; then "$root/scripts/pg-stop.sh" "$pgdir" >/dev/null 2>&1 || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
pin() { taskset -c "$cores" "$@"; }

[ -x "$fg" ] || cmake --build "$build" --target fundguard >/dev/null
if [ ! -f "$data/manifest.json" ]; then
    echo "gen: a $scale into $data"
    "$fg" gen --out "$data" --scale "$scale" --seed "${SCREEN_SEED:-1}" >&2
fi
fee_lines=$(jq '.counts.fee_lines' "$data/manifest.json")
bytes=$(jq '[.files[].bytes] | add' "$data/manifest.json")

# The models of the SQL peers (models.sql's blocks, less those its data cannot feed).
mkdir -p "$tmp/pg" "$tmp/sql"
node "$here/sql.mjs" pg "$data" "$tmp/sql"
sql_models=$(grep -v : "$tmp/sql/models.list" | paste -sd, -)

# ---------------------------------------------------------------- fundguard
run_fg() { # NAME [ARGS…]: screen into $tmp/NAME, timings into $tmp/NAME.time
    local name=$1
    shift
    local rc=0
    pin /usr/bin/time -f '%e %U %S %M' -o "$tmp/$name.time" \
        "$fg" screen --quiet "$@" --out "$tmp/$name" "$data" >"$tmp/$name.log" 2>&1 || rc=$?
    [ "$rc" -le 1 ] || { cat "$tmp/$name.log" >&2; echo "fundguard screen failed ($rc)" >&2; exit 1; }
    read -r wall user sys rss < <(tail -1 "$tmp/$name.time")
    echo "{\"wall\":$wall,\"cpu\":$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}'),\"rss_kb\":$rss}"
}
echo "fundguard: every model"
fg_all=$(run_fg all)
echo "  $fg_all"
# The comparison: the SQL's models that fundguard has and ran (enabled) in the full screen.
fg_enabled=$(jq -r '.models[] | select(.enabled) | .model' "$tmp/all/summary.json")
fg_registered=$(jq -r '.models[].model' "$tmp/all/summary.json" | paste -sd, -)
same_models=$(grep -v : "$tmp/sql/models.list" | grep -Fxf <(echo "$fg_enabled") | paste -sd, - || true)
[ -n "$same_models" ] || { echo "no model in both fundguard and the SQL" >&2; exit 1; }
echo "fundguard: the SQL's models it has ($same_models)"
fg_same=$(run_fg same --models "$same_models")
echo "  $fg_same"
mkdir -p "$tmp/keys/fundguard"
jq -r -f "$here/keys.jq" "$tmp/same/findings.jsonl" | LC_ALL=C sort -u >"$tmp/fg.keys"
while IFS=$'\t' read -r m k; do echo "$k" >>"$tmp/keys/fundguard/$m.keys"; done <"$tmp/fg.keys"
jq -c --argjson all "$fg_all" --argjson same "$fg_same" --arg reg "$fg_registered" \
    '{engine: "fundguard", all: $all, same: $same, registered: ($reg | split(",")),
      fee_lines: .fee_lines, partitions: .partitions,
      models: (.models | map({key: .model, value: {enabled, findings, amount, why}}) | from_entries)}' \
    "$tmp/all/summary.json" >"$tmp/fundguard.json"

# ---------------------------------------------------------------- DuckDB
echo '{"engine":"duckdb","skipped":"node or @duckdb/node-api not available"}' >"$tmp/duckdb.json"
if [ "${SCREEN_DUCKDB:-1}" = 0 ]; then
    echo '{"engine":"duckdb","skipped":"not run (SCREEN_DUCKDB=0)"}' >"$tmp/duckdb.json"
elif command -v node >/dev/null; then
    if [ ! -d "$root/bench/node_modules/@duckdb/node-api" ]; then
        (cd "$root/bench" && npm ci --no-audit --no-fund >/dev/null 2>&1) || true
    fi
    if [ -d "$root/bench/node_modules/@duckdb/node-api" ]; then
        echo "duckdb: load and every model, 2 threads"
        pin /usr/bin/time -f '%e %U %S %M' -o "$tmp/duckdb.time" \
            node "$here/duckdb_screen.mjs" "$data" "$tmp/keys/duckdb" 2 >"$tmp/duckdb.out"
        read -r wall user sys rss < <(tail -1 "$tmp/duckdb.time")
        jq -c --argjson cpu "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" --argjson rss "$rss" \
            '. + {process_cpu: $cpu, rss_kb: $rss}' "$tmp/duckdb.out" >"$tmp/duckdb.json"
        cat "$tmp/duckdb.json"
    fi
fi

# ---------------------------------------------------------------- PostgreSQL
echo '{"engine":"postgresql","skipped":"PostgreSQL server binaries not found"}' >"$tmp/pg.json"
source "$root/scripts/pg-lib.sh"
if [ "${SCREEN_PG:-1}" = 0 ]; then
    echo '{"engine":"postgresql","skipped":"not run (SCREEN_PG=0)"}' >"$tmp/pg.json"
elif [ -x "$bin/pg_ctl" ]; then
    pgdir=$tmp/pg
    chmod o+rx "$tmp" "$tmp/sql"
    chmod o+r "$tmp"/sql/*
    url=$(pin "$root/scripts/pg-start.sh" "$pgdir" fsync=off synchronous_commit=off full_page_writes=off \
        shared_buffers=2GB work_mem=512MB maintenance_work_mem=1GB max_parallel_workers_per_gather=1 \
        max_wal_size=8GB)
    echo "postgresql: $url"
    psql=(psql -X -q -v ON_ERROR_STOP=1 "$url")
    now() { date +%s.%N; }
    # CPU of the server: the postmaster's own and its reaped children's (backends, parallel workers)
    pm=$(head -1 "$pgdir/data/postmaster.pid")
    pgcpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15 + $16 + $17) / hz}' "/proc/$pm/stat"; }
    cpu0=$(pgcpu)
    tables=
    load=0
    while read -r t; do
        t0=$(now)
        "${psql[@]}" -f "$tmp/sql/table_$t.sql" >/dev/null
        ts=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{print b-a}')
        load=$(awk -v a="$load" -v b="$ts" 'BEGIN{print a+b}')
        tables="$tables${tables:+,}\"$t\":$ts"
    done <"$tmp/sql/tables.list"
    echo "postgresql: loaded in ${load}s"
    models=
    mkdir -p "$tmp/keys/postgresql"
    while read -r line; do
        m=${line%%:*}
        if [ "$m" != "$line" ]; then
            models="$models${models:+,}\"$m\":{\"skipped\":\"${line#*:}\"}"
            continue
        fi
        t0=$(now)
        "${psql[@]}" -f "$tmp/sql/model_$m.sql" >/dev/null
        s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{print b-a}')
        "${psql[@]}" -At -c "SELECT k FROM k_$m" | LC_ALL=C sort >"$tmp/keys/postgresql/$m.keys"
        n=$(wc -l <"$tmp/keys/postgresql/$m.keys")
        echo "postgresql: $m ${s}s, $n keys"
        uses=$(awk -v m="$m:" '$1 == m {$1 = ""; print}' "$tmp/sql/uses" | xargs -n1 | jq -R . | paste -sd, -)
        models="$models${models:+,}\"$m\":{\"seconds\":$s,\"keys\":$n,\"uses\":[$uses]}"
    done <"$tmp/sql/models.list"
    ver=$("$bin/postgres" --version | awk '{print $3}')
    cpu=$(awk -v a="$cpu0" -v b="$(pgcpu)" 'BEGIN{print b-a}')
    echo "{\"engine\":\"postgresql\",\"version\":\"$ver\",\"server_cpu\":$cpu,\"load_seconds\":$load,\"tables\":{$tables},\"models\":{$models}}" >"$tmp/pg.json"
fi

# ---------------------------------------------------------------- the same findings?
for e in duckdb postgresql; do
    for f in "$tmp/keys/$e"/*.keys; do
        [ -f "$f" ] && LC_ALL=C sort -u -o "$f" "$f"
    done
done
{
    echo '{'
    sep=
    while read -r line; do
        m=${line%%:*}
        [ "$m" = "$line" ] || continue
        fgk=$tmp/keys/fundguard/$m.keys
        [ -f "$fgk" ] || : >"$fgk"
        LC_ALL=C sort -u -o "$fgk" "$fgk"
        row="\"fundguard\":$(wc -l <"$fgk")"
        for e in duckdb postgresql; do
            ek=$tmp/keys/$e/$m.keys
            [ -f "$ek" ] || continue
            both=$(LC_ALL=C comm -12 "$fgk" "$ek" | wc -l)
            only_fg=$(LC_ALL=C comm -23 "$fgk" "$ek" | wc -l)
            only_e=$(LC_ALL=C comm -13 "$fgk" "$ek" | wc -l)
            row="$row,\"$e\":{\"keys\":$(wc -l <"$ek"),\"both\":$both,\"only_fundguard\":$only_fg,\"only_sql\":$only_e}"
            if [ "$only_fg" -gt 0 ] || [ "$only_e" -gt 0 ]; then
                LC_ALL=C comm -3 "$fgk" "$ek" | awk 'NR <= 5' >"$tmp/diff_${e}_$m.txt"
            fi
        done
        echo "$sep\"$m\":{$row}"
        sep=,
    done <"$tmp/sql/models.list"
    echo '}'
} >"$tmp/compare.json"
for f in "$tmp"/diff_*.txt; do [ -f "$f" ] && { echo "== $(basename "$f")"; cat "$f"; }; done || true
cat >"$tmp/run.json" <<JSON
{"scale":"$scale","data":"$data","fee_lines":$fee_lines,"bytes":$bytes,"cores":"$cores","ncores":$ncores,
 "cpu":"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')","load":"$(cut -d' ' -f1-3 /proc/loadavg)",
 "date":"$(date -u +%Y-%m-%d)","sql_models":"$sql_models","same_models":"$same_models"}
JSON
node "$here/report.mjs" "$tmp/run.json" "$tmp/fundguard.json" "$tmp/duckdb.json" "$tmp/pg.json" \
    "$tmp/compare.json" "$out" "${SCREEN_NAME:-screen}"
