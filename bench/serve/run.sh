#!/usr/bin/env bash
# bench/serve/run.sh BUILD_DIR — `fundguard serve` under load: wrk against POST
# /v1/settlements/check (the sample check request: 3 fee lines, one rule hit, full national KB)
# with an institution key, SERVE_CONNS connections (default "16 64": one run each) for SERVE_SECONDS (default 10)
# after a 2-second warm-up. Server and wrk share the machine's cores (nproc); the server runs one
# worker per core. Results: bench/results/serve.md and serve.json (req/s, p50/p90/p99 latency).
# A measurement, never a test.
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
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
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
rows=
json=
for conns in $CONNS; do
    t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    wrk -t"$THREADS" -c"$conns" -d"${SECONDS_}s" --latency -s "$root/bench/serve/check.lua" "$url" | tee "$tmp/wrk.txt"
    t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.txt")
    nreq=$(awk '/requests in/ {print $1}' "$tmp/wrk.txt")
    # server CPU time per request: the number that does not depend on what else runs
    cpu_us=$(( (t1 - t0) * 1000000 / $(getconf CLK_TCK) / nreq ))
    lat() { awk -v p="$1" '$1 == p {print $2}' "$tmp/wrk.txt"; }
    non200=$(awk '/^non200/ {print $2}' "$tmp/wrk.txt")
    rows="$rows| $conns | $rps | $(lat 50%) | $(lat 90%) | $(lat 99%) | $cpu_us | ${non200:-0} |
"
    json="$json${json:+,}{\"connections\":$conns,\"requests_per_second\":$rps,\"p50\":\"$(lat 50%)\",\"p90\":\"$(lat 90%)\",\"p99\":\"$(lat 99%)\",\"server_cpu_us_per_request\":$cpu_us,\"non_200\":${non200:-0}}"
    echo "serve: $conns connections: $rps req/s, p99 $(lat 99%), server CPU $cpu_us µs/request"
done
# The write path: a new settlement per request, durable before the answer (ledger fsync, SQLite
# synchronous=FULL).
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
wrk -t"$THREADS" -c16 -d"${SECONDS_}s" --latency -s "$root/bench/serve/settle.lua" \
    "http://127.0.0.1:$port/v1/settlements" | tee "$tmp/wrk.txt"
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
srps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.txt")
snreq=$(awk '/requests in/ {print $1}' "$tmp/wrk.txt")
scpu=$(( (t1 - t0) * 1000000 / $(getconf CLK_TCK) / snreq ))
sp50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk.txt")
sp99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.txt")
snon=$(awk '/^non200/ {print $2}' "$tmp/wrk.txt")
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
    { c = $2 + 0; r = $3 + 0; p = $6; gsub(/ /, "", p); if (r >= 20000 && ms(p) <= 10 && !done) { printf "**met** in this run at %d connections (%s req/s, p99 %s)", c, r, p; done = 1 } }
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

| connections | requests/s | p50 | p90 | p99 | server CPU µs / request | non-200 |
|---:|---:|---:|---:|---:|---:|---:|
$rows
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
figure. A profile of the server under this load (perf) puts about 60 % of its CPU in decoding the
request — jansson (~35 %), libc's malloc/free/strcmp on its behalf and fg_doc_parse itself —
about 20 % in the kernel's TCP path, and under 1 % in the rule evaluation. Done on the server's
side: authentication is cached (no store lookup per request), jansson allocates from a per-thread
region during the decode (−23 % CPU per request), each worker reuses its request arena. The next
step is the specialised, fuzzed decoder for the check request that STYLE.md §12 foresees
(src/model).
MD
