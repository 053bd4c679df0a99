# serve_lib.sh — what the serve suites share: lib.sh, the data directory and the store (SQLite, or
# PostgreSQL when FG_TEST_PG_URL=postgresql://… is set), a server on a free port, calls with curl,
# and the scan of everything kept at rest for the resident IDs the calls sent.
source "$(dirname "$0")/lib.sh"
D=tests/data/serve
S=tests/data/samples
DATA="$TMP/data"
DB_ARGS=(--data "$DATA")
if [ -n "${FG_TEST_PG_URL:-}" ]; then
    DB_ARGS=(--data "$DATA" --db "$FG_TEST_PG_URL")
fi
PID=
PORT=

start() { # start [extra serve flags…]: the server on a free port, its pid and port in PID, PORT
    rm -f "$TMP/port"
    "$FG" serve "${DB_ARGS[@]}" --kb kb --listen 127.0.0.1 --port 0 --port-file "$TMP/port" \
        --workers 2 "$@" 2>>"$TMP/serve.log" &
    PID=$!
    for _ in $(seq 1 100); do
        [ -s "$TMP/port" ] && break
        sleep 0.05
    done
    PORT=$(cat "$TMP/port" 2>/dev/null)
}

stop() { # stop: SIGTERM and wait; the exit code in STOP_RC
    kill -TERM "$PID" 2>/dev/null
    wait "$PID"
    STOP_RC=$?
}

# call METHOD PATH AUTH [BODY_FILE] → sets CODE and BODY. AUTH: a key, "user:password" or "-".
# Every body file sent is listed in $TMP/sent (for scan_at_rest).
call() {
    local method=$1 path=$2 auth=$3 body=${4:-}
    local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$method" --max-time 20)
    case "$auth" in
    -) ;;
    fgk_*) args+=(-H "Authorization: Bearer $auth") ;;
    *) args+=(-u "$auth") ;;
    esac
    if [ -n "$body" ]; then
        args+=(--data-binary "@$body")
        printf '%s\n' "$body" >>"$TMP/sent"
    fi
    CODE=$(curl "${args[@]}" "http://127.0.0.1:$PORT$path")
    BODY=$(cat "$TMP/body")
}

# check NAME WANT_CODE [GREP_PATTERN]: the last call answered WANT_CODE (and its body matches).
check() {
    local name=$1 want=$2 pattern=${3:-}
    if [ "$CODE" != "$want" ]; then
        bad "$name" "status $CODE, want $want" "body: ${BODY:0:400}"
    elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$BODY"; then
        bad "$name" "body does not match '$pattern'" "body: ${BODY:0:400}"
    else
        ok "$name"
    fi
}

expect_call() { # expect_call NAME WANT_CODE PATTERN METHOD PATH AUTH [BODY]
    local name=$1 want=$2 pattern=$3
    shift 3
    call "$@"
    check "$name" "$want" "$pattern"
}

# scan_at_rest: after a suite, no resident ID it sent (18 characters that check, in a body a call
# sent or a JSON file under $TMP) is in any byte kept at rest: every file under the data directory
# (the SQLite store with its WAL, the ledger journal and snapshot, the review history), a dump of
# the PostgreSQL store when on it, and the server's log.
scan_at_rest() {
    local kept=("$TMP/serve.log") out
    if [ -n "${FG_TEST_PG_URL:-}" ]; then
        pg_dump --no-owner "$FG_TEST_PG_URL" >"$TMP/store.dump" 2>"$TMP/pg_dump.err" ||
            bad "at rest: pg_dump" "$(cat "$TMP/pg_dump.err")"
        kept+=("$TMP/store.dump")
    fi
    out=$(python3 "$(dirname "$0")/scan_ids.py" "$TMP" "$DATA" "${kept[@]}")
    if [ $? = 0 ]; then
        ok "at rest: no resident ID sent is kept unmasked ($(tail -1 <<<"$out"))"
    else
        bad "at rest: no resident ID sent is kept unmasked" "$out"
    fi
}
