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
    wrk -t"$THREADS" -c"$conns" -d"${SECONDS_}s" --latency -s "$root/bench/serve/check.lua" "$url" | tee "$tmp/wrk.txt"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.txt")
    lat() { awk -v p="$1" '$1 == p {print $2}' "$tmp/wrk.txt"; }
    non200=$(awk '/^non200/ {print $2}' "$tmp/wrk.txt")
    rows="$rows| $conns | $rps | $(lat 50%) | $(lat 90%) | $(lat 99%) | ${non200:-0} |
"
    json="$json${json:+,}{\"connections\":$conns,\"requests_per_second\":$rps,\"p50\":\"$(lat 50%)\",\"p90\":\"$(lat 90%)\",\"p99\":\"$(lat 99%)\",\"non_200\":${non200:-0}}"
    echo "serve: $conns connections: $rps req/s, p99 $(lat 99%)"
done
cores=$(nproc)
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
when=$(date -u +%FT%TZ)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
cat >"$out/serve.json" <<JSON
{"bench":"serve","endpoint":"POST /v1/settlements/check","when":"$when","commit":"$commit","cores":$cores,"cpu":"$cpu","wrk_threads":$THREADS,"seconds":$SECONDS_,"runs":[$json]}
JSON
cat >"$out/serve.md" <<MD
# bench/serve — POST /v1/settlements/check under wrk

$when, commit $commit, $cores cores ($cpu), a machine shared with other work; server: one
worker per core, SQLite store, the full national KB; client: wrk ($THREADS threads, ${SECONDS_} s
per run after a 2 s warm-up) on the **same** cores, so the server has less than all of them.

| connections | requests/s | p50 | p90 | p99 | non-200 |
|---:|---:|---:|---:|---:|---:|
$rows
Each request: authenticate the key (SHA-256, one indexed SQLite lookup), parse and validate the
enveloped check request (fg_doc_parse: 3 fee lines, 2 trace codes, a resident ID pseudonymised),
run every rule family on the KB (one hit, GZ0201), write the decision JSON.

The target of issue 6 is ≥ 20 000 req/s with p99 ≤ 10 ms on 2 cores: **not met**. A profile of
the server under this load (perf, 4 s) puts about 70 % of its CPU in decoding the request —
jansson (34 %), malloc/free and string compares in libc (25 %) and fg_doc_parse itself (~10 %) —
about 20 % in the kernel's TCP path, and under 1 % in the rule evaluation. The way to the target
is the specialised, fuzzed decoder for the check request that STYLE.md §12 foresees (src/model),
not the HTTP layer.
MD
