#!/usr/bin/env bash
# bench/ledger/run.sh BUILD_DIR — the traceability ledger against the usual ways of finding a
# repeated trace code, all reading the same CSV file in one run:
#   1. `fundguard ledger synth --csv`: LEDGER_EVENTS (default 10,000,000) sale events, 5% of them
#      repeating an earlier code.
#   2. the embedded ledger (policy batch, group commit <= 10 ms), every event, pinned to one core
#      (taskset -c LEDGER_CORE, default 1), its index sized up front for the file's rows
#      (expect_codes), then again with the index grown as codes arrive (--no-size-hint);
#   3. a throwaway PostgreSQL (scripts/pg-start.sh, the server's default durability: fsync on,
#      synchronous_commit on): the ledger's PostgreSQL backend (batches of 10,000, two pipelined
#      round trips a batch), a pipelined upsert (one transaction of 4,096 upserts a round trip) and a
#      per-event upsert (autocommit, one round trip and one commit an event);
#   4. SQLite (WAL, synchronous=NORMAL, one transaction per 4,096 upserts);
#   5. DuckDB (npm @duckdb/node-api, bench/duckdb-run.mjs): one GROUP BY over the file, one thread;
#   6. restart: LEDGER_RESTART_CODES (default 50,000,000) distinct codes, snapshot, reopen.
# The peers run the first LEDGER_PEER_EVENTS rows of the file (default 1,000,000; 0 = all) and
# the per-event upsert the first LEDGER_PER_EVENT rows (default 20,000): at their speed all 10M
# would take hours. Throughput is compared as events per second, so the ratios hold; the report
# says how many events each engine ran. Results: bench/results/ledger.json and ledger.md.
# Measurements, never tests: a missing peer is skipped with a note.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=$root/bench/results
EVENTS=${LEDGER_EVENTS:-10000000}
PEER=${LEDGER_PEER_EVENTS:-1000000}
PER_EVENT=${LEDGER_PER_EVENT:-20000}
RESTART=${LEDGER_RESTART_CODES:-50000000}
[ "$PEER" = 0 ] && PEER=$EVENTS
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/fg-bench-ledger.XXXXXX")
cleanup() {
    "$root/scripts/pg-stop.sh" "$tmp/pg" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
cmake --build "$build" --target fundguard bench_ledger >/dev/null
B=$build/bench_ledger
res=$tmp/results.jsonl
: >"$res"

echo "ledger: $EVENTS sale events, 5% repeats"
"$build/fundguard" ledger synth --csv --events "$EVENTS" --repeat-pct 5 --seed 1 >"$tmp/events.csv"
csv_bytes=$(stat -c %s "$tmp/events.csv")
# The file written back to disk now, not during the first engine's run (its journal fsyncs
# would queue behind 1 GB of writeback).
sync "$tmp/events.csv"

# "On one core": both of the embedded ledger's threads (apply, journal flusher) pinned to one CPU.
pin=()
command -v taskset >/dev/null && pin=(taskset -c "${LEDGER_CORE:-1}")
echo "fundguard embedded (policy batch), pinned: ${pin[*]:-not pinned (no taskset)}"
"${pin[@]}" "$B" embedded --data "$tmp/emb" "$tmp/events.csv" | tee -a "$res"
rm -rf "$tmp/emb"
echo "fundguard embedded, index grown as codes arrive (no size hint), pinned"
"${pin[@]}" "$B" embedded --no-size-hint --data "$tmp/emb" "$tmp/events.csv" | tee -a "$res"
rm -rf "$tmp/emb"

pg_version=
if url=$("$root/scripts/pg-start.sh" "$tmp/pg" shared_buffers=256MB 2>/dev/null); then
    pg_version=$(psql -X -A -t "$url" -c 'SHOW server_version' 2>/dev/null || true)
    echo "postgresql $pg_version: ledger backend, $PEER events"
    "$B" pg --db "$url" --batch 10000 --limit "$PEER" "$tmp/events.csv" | tee -a "$res"
    echo "postgresql: pipelined upsert, $PEER events"
    "$B" pg-upsert --mode pipelined --db "$url" --limit "$PEER" "$tmp/events.csv" | tee -a "$res"
    echo "postgresql: per-event upsert, $PER_EVENT events"
    "$B" pg-upsert --mode per-event --db "$url" --limit "$PER_EVENT" "$tmp/events.csv" | tee -a "$res"
    "$root/scripts/pg-stop.sh" "$tmp/pg"
else
    echo '{"engine":"postgresql","skipped":"cannot start a throwaway PostgreSQL"}' | tee -a "$res"
fi

echo "sqlite: WAL upsert, $PEER events"
"$B" sqlite --file "$tmp/sqlite.db" --limit "$PEER" "$tmp/events.csv" | tee -a "$res"
rm -f "$tmp"/sqlite.db*

if command -v node >/dev/null && [ -d "$root/bench/node_modules/@duckdb/node-api" ]; then
    echo "duckdb: one GROUP BY over the file, 1 thread"
    sql="SELECT count(*)::BIGINT AS codes_repeated, coalesce(sum(n - 1), 0)::BIGINT AS repeats,
                sum(n)::BIGINT AS events_in_repeated
         FROM (SELECT drug_trac_codg, count(*) AS n
               FROM read_csv('$tmp/events.csv', header = true, all_varchar = true)
               GROUP BY drug_trac_codg HAVING count(*) > 1)"
    (cd "$root/bench" && node duckdb-run.mjs "$sql" 1) |
        jq -c --argjson ev "$EVENTS" '{engine: "duckdb-group-by", events: $ev, repeats: (.rows[0][1] | tonumber),
            codes_repeated: (.rows[0][0] | tonumber), seconds: .seconds,
            events_per_s: ($ev / .seconds | floor), threads: 1}' | tee -a "$res"
else
    echo '{"engine":"duckdb-group-by","skipped":"node or bench/node_modules/@duckdb/node-api missing"}' |
        tee -a "$res"
fi
rm -f "$tmp/events.csv"

if [ "$RESTART" -gt 0 ]; then
    echo "restart: $RESTART codes"
    "$B" restart --data "$tmp/restart" --codes "$RESTART" | tee -a "$res"
    rm -rf "$tmp/restart"
fi

jq -s --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
    --arg nproc "$(nproc)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --arg pg "$pg_version" \
    --argjson csv "$csv_bytes" --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '
    (map(select(.engine == "fundguard-embedded")) | first) as $e |
    (map(select(.engine == "postgresql-upsert-per-event")) | first) as $pe |
    (map(select(.engine == "fundguard-postgresql")) | first) as $pb |
    {date: $date, machine: {cpu: $cpu, nproc: ($nproc | tonumber), loadavg: $load},
     postgresql: $pg, csv_bytes: $csv, engines: .,
     ratios: {
       embedded_vs_pg_per_event: (if $e and $pe then ($e.events_per_s / $pe.events_per_s) else null end),
       pg_backend_vs_pg_per_event: (if $pb and $pe then ($pb.events_per_s / $pe.events_per_s) else null end),
       embedded_vs: (map(select(.events_per_s and .engine != "fundguard-embedded") |
                         {key: .engine, value: ($e.events_per_s / .events_per_s)}) | from_entries)
     }}' "$res" >"$out/ledger.json"
jq -r -f "$root/bench/ledger/report.jq" "$out/ledger.json" >"$out/ledger.md"
cat "$out/ledger.md"
