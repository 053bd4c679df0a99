# serve_lib.sh — what every `fundguard serve` test shares: lib.sh, the store (SQLite under $TMP, or
# PostgreSQL with FG_TEST_PG_URL), the ledger (embedded under $TMP, or PostgreSQL with
# FG_TEST_PG_LEDGER_URL), the server on a free port, and `call`, the one place every
# request goes through. Every body `call` receives is checked when the suite finishes
# (bodies_checked, run by lib.sh's finish): valid UTF-8 (iconv), and exactly one JSON value (jq)
# unless it is /metrics' Prometheus text; a bad body is a failure of its own, naming its request,
# whatever the status check said. scan_at_rest checks that no resident ID sent is kept unmasked.
source "$(dirname "$0")/lib.sh"
D=tests/data/serve
S=tests/data/samples
DATA="$TMP/data"
DB_ARGS=(--data "$DATA")
if [ -n "${FG_TEST_PG_URL:-}" ]; then
    DB_ARGS=(--data "$DATA" --db "$FG_TEST_PG_URL")
fi
# With FG_TEST_PG_LEDGER_URL (tests/cli/serve_pg_ledger.sh) the server's ledger is on PostgreSQL.
SERVE_ARGS=()
if [ -n "${FG_TEST_PG_LEDGER_URL:-}" ]; then
    SERVE_ARGS=(--ledger "$FG_TEST_PG_LEDGER_URL")
fi
PID=
PORT=
BODIES=0 # answers call received (their bodies are checked by bodies_checked)
CALL_HEADERS=() # more curl arguments for every call (-H "Name: value" …)

start() { # start [extra serve flags…]: the server on a free port, its pid and port in PID, PORT
    rm -f "$TMP/port"
    "$FG" serve "${DB_ARGS[@]}" "${SERVE_ARGS[@]}" --kb kb --listen 127.0.0.1 --port 0 --port-file "$TMP/port" \
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

# body_ok FILE CONTENT_TYPE PATH: the body is valid UTF-8 and, but for /metrics' text, one JSON
# value with a JSON content type; BODY_PROBLEM says what is wrong.
body_ok() {
    local file=$1 type=$2 path=$3
    iconv -f UTF-8 -t UTF-8 "$file" >/dev/null 2>&1 || {
        BODY_PROBLEM="not valid UTF-8"
        return 1
    }
    if [[ $path == /metrics* && $type == text/plain* ]]; then
        return 0
    fi
    if [[ $type != application/json* ]]; then
        BODY_PROBLEM="content type '$type', not application/json"
        return 1
    fi
    jq -e -s 'length == 1' "$file" >/dev/null 2>&1 || {
        BODY_PROBLEM="not one JSON value"
        return 1
    }
}

# call METHOD PATH AUTH [BODY_FILE] → sets CODE and BODY. AUTH: a key, "user:password" or "-";
# CALL_HEADERS are sent too. Every answer's body is kept (bodies/N, with its request in N.req)
# for bodies_checked; call itself starts no process but curl, so it stays as quick as a request
# (the rate tests time a burst of calls).
call() {
    local method=$1 path=$2 auth=$3 body=${4:-}
    local file="$TMP/bodies/$((BODIES + 1))"
    local args=(-s -o "$file" -w '%{http_code} %{content_type}' -X "$method" --max-time 20)
    case "$auth" in
    -) ;;
    fgk_*) args+=(-H "Authorization: Bearer $auth") ;;
    *) args+=(-u "$auth") ;;
    esac
    if [ -n "$body" ]; then
        args+=(--data-binary "@$body")
        printf '%s\n' "$body" >>"$TMP/sent" # for scan_at_rest
    fi
    args+=("${CALL_HEADERS[@]}")
    [ -d "$TMP/bodies" ] || mkdir "$TMP/bodies"
    : >"$file"
    local out
    out=$(curl "${args[@]}" "http://127.0.0.1:$PORT$path")
    CODE=${out%% *}
    BODY=$(<"$file")
    if [ "$CODE" != 000 ]; then # no answer at all is the status check's business
        BODIES=$((BODIES + 1))
        printf '%s\n%s\n%s\n%s\n' "$CODE" "${out#* }" "$method" "$path" >"$file.req"
    fi
}

# bodies_checked: every body call received is valid UTF-8 JSON (body_ok); each bad one is a
# failure naming its request.
bodies_checked() {
    local bad_bodies=0 i code type method path
    for ((i = 1; i <= BODIES; i++)); do
        { read -r code; read -r type; read -r method; read -r path; } <"$TMP/bodies/$i.req"
        if ! body_ok "$TMP/bodies/$i" "$type" "$path"; then
            bad_bodies=$((bad_bodies + 1))
            bad "body of $method ${path:0:80}: $BODY_PROBLEM" "status $code" \
                "body: $(head -c 300 "$TMP/bodies/$i" | od -An -c | head -5 | tr -s ' ')"
        fi
    done
    if [ "$bad_bodies" = 0 ] && [ "$BODIES" -gt 0 ]; then
        ok "every body received is valid UTF-8 JSON ($BODIES bodies)"
    else
        bad "every body received is valid UTF-8 JSON" "$bad_bodies of $BODIES bad"
    fi
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

finish_hook() { bodies_checked; }
