# lib_serve.sh — what the serve suites share (sourced after lib.sh): the server on 127.0.0.1 (a free
# port) over a scratch data directory — on PostgreSQL when FG_TEST_PG_URL is set — and calls to it
# with curl.
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
call() {
    local method=$1 path=$2 auth=$3 body=${4:-}
    local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$method" --max-time 20)
    case "$auth" in
    -) ;;
    fgk_*) args+=(-H "Authorization: Bearer $auth") ;;
    *) args+=(-u "$auth") ;;
    esac
    [ -n "$body" ] && args+=(--data-binary "@$body")
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
