#!/usr/bin/env bash
# bench/check/run.sh BUILD_DIR — the review engine against the same checks written as SQL.
#
# 1. bench_check (in process, one thread): N settlements of 20 lines (CHECK_N, default 2000) against
#    the full national KB, each person with 2 earlier settlements in the history; p50/p99 latency,
#    settlements per second (wall and CPU); the same data exported as CSV.
# 2. DuckDB (npm @duckdb/node-api, one thread) and PostgreSQL (a throw-away cluster, pgbench with one
#    client) load the national CSVs as they are and run bench/check/checks.sql: every settlement in
#    one query (throughput) and one settlement per query (latency).
# 3. The hits per family of the three engines are compared (they must agree), and
#    bench/results/check.md + check.json get the numbers side by side, with ratios.
# Measurements, never tests: a missing peer is skipped with a note.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
here=$root/bench/check
out=$root/bench/results
N=${CHECK_N:-2000}
CALLS=${CHECK_CALLS:-300}
PG_SECONDS=${CHECK_PG_SECONDS:-15}
mkdir -p "$out"
tmp=$(mktemp -d)
pgdata=
cleanup() {
    if [ -n "$pgdata" ] && [ -f "$pgdata/postmaster.pid" ]; then
        as_pg "$pg_bin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin=$build/bench_check
if [ ! -x "$bin" ]; then
    cmake --build "$build" --target bench_check >/dev/null
fi
echo "fundguard: $N settlements x 20 lines, in process"
"$bin" --kb "$root/kb" -n "$N" --export "$tmp/data" >"$tmp/fundguard.json"
cat "$tmp/fundguard.json"

# ---------------------------------------------------------------- DuckDB
echo '{"engine":"duckdb","skipped":"node or @duckdb/node-api not available"}' >"$tmp/duckdb.json"
if command -v node >/dev/null; then
    if [ ! -d "$root/bench/node_modules/@duckdb/node-api" ]; then
        (cd "$root/bench" && npm install --no-audit --no-fund >/dev/null 2>&1) || true
    fi
    if [ -d "$root/bench/node_modules/@duckdb/node-api" ]; then
        echo "duckdb: loading the national CSVs, batch and per-settlement queries"
        node "$here/duckdb_check.mjs" "$root/kb/nhsa" "$tmp/data" "$CALLS" >"$tmp/duckdb.json"
        cat "$tmp/duckdb.json"
    fi
fi

# ---------------------------------------------------------------- PostgreSQL
echo '{"engine":"postgresql","skipped":"PostgreSQL server binaries not found"}' >"$tmp/pg.json"
pg_ctl_path=$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | tail -1 || true)
if [ -n "$pg_ctl_path" ]; then
    pg_bin=$(dirname "$(readlink -f "$pg_ctl_path")")
    pgdata=$tmp/pg
    chmod 777 "$tmp"
    mkdir -p "$pgdata"
    [ "$(id -u)" = 0 ] && chown postgres "$pgdata"
    as_pg "$pg_bin/initdb" -D "$pgdata" -U postgres -A trust >/dev/null
    # TCP on 127.0.0.1 only, on a free port (a port taken between the probe and the start: try the next)
    port=
    for try in $(seq "${CHECK_PG_PORT:-55439}" $((${CHECK_PG_PORT:-55439} + 200))); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$try") 2>/dev/null; then
            continue
        fi
        if as_pg "$pg_bin/pg_ctl" -D "$pgdata" -l "$tmp/pg.log" -w -o "-k $tmp -p $try \
            -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c fsync=off" start >/dev/null; then
            port=$try
            break
        fi
    done
    [ -n "$port" ] || { echo "postgresql: no free port" >&2; exit 1; }
    echo "postgresql: a throw-away cluster on 127.0.0.1:$port"
    psql=("$pg_bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
    echo "postgresql: loading the national CSVs"
    {
        for pair in raw_b1_drug_gender_codes:batch1-drug-gender.codes raw_b1_drug_gender_names:batch1-drug-gender.names \
            raw_b1_drug_age_codes:batch1-drug-age.codes raw_b1_drug_age_names:batch1-drug-age.names \
            raw_b1_item_gender:batch1-item-gender raw_b1_item_age:batch1-item-age \
            raw_b3_codes:batch3-drug-insurance-type.codes raw_b3_names:batch3-drug-insurance-type.names \
            raw_b4_codes:batch4-drug-care-setting.codes raw_b4_names:batch4-drug-care-setting.names \
            raw_b5_codes:batch5-drug-institution-level.codes raw_b5_names:batch5-drug-institution-level.names \
            raw_b6_codes:batch6-drug-payment-course.codes raw_b6_names:batch6-drug-payment-course.names \
            raw_b7:batch7-item-duplicate-charge raw_b8_1:batch8-1-item-frequency \
            raw_b8_2_item_age:batch8-2-item-age raw_b8_4:batch8-4-item-period-frequency; do
            t=${pair%%:*}
            f=$root/kb/nhsa/${pair#*:}.csv
            cols=$(head -1 "$f" | sed 's/,/" TEXT, "/g; s/^/"/; s/$/" TEXT/')
            echo "CREATE TABLE $t ($cols);"
            echo "\\copy $t FROM '$f' CSV HEADER"
        done
        echo "CREATE TABLE lines (setl INTEGER, sn INTEGER, psn TEXT, gend TEXT, age INTEGER, age_days INTEGER,"
        echo "  insutype TEXT, med_type TEXT, scene INTEGER, hosp_lv INTEGER, visit TEXT, code TEXT, day INTEGER,"
        echo "  ts BIGINT, hr BIGINT, qty BIGINT, pric BIGINT, total BIGINT);"
        echo "\\copy lines FROM '$tmp/data/lines.csv' CSV HEADER"
        echo "CREATE TABLE hist (psn TEXT, code TEXT, day INTEGER, ts BIGINT, hr BIGINT, qty BIGINT, visit TEXT);"
        echo "\\copy hist FROM '$tmp/data/hist.csv' CSV HEADER"
        cat "$here/tables.sql"
        echo "ANALYZE;"
    } >"$tmp/load.sql"
    "${psql[@]}" -f "$tmp/load.sql"

    echo "postgresql: every settlement in one query (best of 3)"
    {
        echo '\timing on'
        for i in 1 2 3; do
            sed 's/__FILTER__/TRUE/' "$here/checks.sql"
            echo "SELECT fam, count(*), sum(amount) FROM hits GROUP BY fam ORDER BY fam;"
        done
    } >"$tmp/batch.sql"
    "${psql[@]}" -A -t -F, -f "$tmp/batch.sql" >"$tmp/pg_batch.out"
    best_ms=$(grep -o 'Time: [0-9.]*' "$tmp/pg_batch.out" | awk '{print $2}' | sort -g | head -1)
    {
        sed 's/__FILTER__/TRUE/' "$here/checks.sql"
        echo "SELECT fam, count(*), sum(amount) FROM hits GROUP BY fam ORDER BY fam;"
    } >"$tmp/families.sql"
    families=$("${psql[@]}" -A -t -F, -f "$tmp/families.sql" |
        awk -F, 'NF==3 {printf "%s\"%s\":{\"hits\":%s,\"amount\":%s}", n++?",":"", $1, $2, $3}')

    echo "postgresql: one settlement per query, pgbench, 1 client, ${PG_SECONDS}s"
    {
        echo "\\set s random(1, $N)"
        sed 's/__FILTER__/setl = :s/' "$here/checks.sql"
        echo "SELECT * FROM hits;"
    } >"$tmp/single.pgbench"
    (cd "$tmp" && as_pg "$pg_bin/pgbench" -n -h 127.0.0.1 -p "$port" -U postgres -c 1 -j 1 -T "$PG_SECONDS" \
        -M prepared -l --log-prefix="$tmp/pgb" -f "$tmp/single.pgbench" postgres >"$tmp/pgbench.out" 2>&1)
    cat "$tmp"/pgb* | awk '{print $3}' | sort -n >"$tmp/pg_lat"
    count=$(wc -l <"$tmp/pg_lat")
    p50=$(awk -v n="$count" 'NR==int(0.5*(n-1)+1.5){print; exit}' "$tmp/pg_lat")
    p99=$(awk -v n="$count" 'NR==int(0.99*(n-1)+1.5){print; exit}' "$tmp/pg_lat")
    tps=$(grep -o 'tps = [0-9.]*' "$tmp/pgbench.out" | head -1 | awk '{print $3}')
    cat >"$tmp/pg.json" <<EOF
{"engine":"postgresql","version":"$("$pg_bin/postgres" --version | awk '{print $3}')","settlements":$N,"batch":{"seconds":$(awk -v m="$best_ms" 'BEGIN{print m/1000}'),"per_second":$(awk -v m="$best_ms" -v n="$N" 'BEGIN{print n/(m/1000)}')},"single":{"calls":$count,"p50_us":$p50,"p99_us":$p99,"per_second":$tps},"families":{$families}}
EOF
    cat "$tmp/pg.json"
fi

# ---------------------------------------------------------------- report
node "$here/report.mjs" "$tmp/fundguard.json" "$tmp/duckdb.json" "$tmp/pg.json" "$out"
