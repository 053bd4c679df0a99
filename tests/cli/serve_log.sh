#!/usr/bin/env bash
# `fundguard serve`'s log (docs/operations.md, "Logs"): whole serve sessions — settlements and a
# check with resident IDs, a person's reference row with one, errors of every kind, failed and
# locked sign-ins, a rate-limited key, a knowledge-base reload, a rotation on SIGHUP, shutdown — then
# every line of every log is one valid UTF-8 JSON object with ts (+08:00), level and event first;
# every request made produced exactly one request line with its method, route pattern, status, key
# and institution (tests/cli/log_check.py, matched by X-Request-Id); no resident ID sent is in any
# log or at rest (scan_ids.py), and nothing shaped like one is in a log at all; log_level filters.
source "$(dirname "$0")/serve_lib.sh"
H1=H43010200012 # the institution of the samples
H2=H43010200099
CERT=430102199003071218 # the samples' patient (tests/data/serve/settlement.json)
K1=$("$FG" key add --role institution --fixmedins-code $H1 "${DB_ARGS[@]}" 2>/dev/null)
K2=$("$FG" key add --role institution --fixmedins-code $H2 "${DB_ARGS[@]}" 2>/dev/null)
KA=$("$FG" key add --role admin "${DB_ARGS[@]}" 2>/dev/null)
echo "correct horse" | "$FG" user add wang --role auditor "${DB_ARGS[@]}" >/dev/null 2>&1
kid() { local k=${1#fgk_}; echo "k_${k%%_*}"; } # a key's id, as the log names it
: >"$TMP/expect.tsv"
RID=0

# lcall NAME WANT_CODE ROUTE KEY_ID INST METHOD PATH AUTH [BODY]: call with a fresh X-Request-Id,
# check the status, and expect one request line (route pattern, key id and institution; "-" none).
lcall() {
    local name=$1 want=$2 route=$3 key_id=$4 inst=$5 method=$6
    shift 5
    RID=$((RID + 1))
    CALL_HEADERS=(-H "X-Request-Id: t$RID")
    call "$@"
    CALL_HEADERS=()
    check "$name" "$want"
    printf 't%s\t%s\t%s\t%s\t%s\t%s\n' "$RID" "$method" "$route" "$CODE" "$key_id" "$inst" >>"$TMP/expect.tsv"
}

# has_line FILE NAME JQ_FILTER: some line of the log FILE satisfies the jq filter.
has_line() {
    if jq -e -s "any(.[]; $3)" "$1" >/dev/null 2>&1; then ok "$2"; else bad "$2" "$(tail -5 "$1")"; fi
}

# ---------------------------------------------------------------- session 1: stderr, every kind of request
start --signin-user-failures 2 --signin-window 60 --signin-lockout 60
[ -n "$PORT" ] && ok "serve: listening" || bad "serve: listening" "$(cat "$TMP/serve.log")"
I1=$(kid "$K1") I2=$(kid "$K2") IA=$(kid "$KA")
lcall "healthz" 200 /healthz - - GET /healthz -
lcall "metrics" 200 /metrics - - GET /metrics -
lcall "check with a resident ID" 200 /v1/settlements/check "$I1" $H1 POST /v1/settlements/check "$K1" $S/check_request_env.json
lcall "settlement with a resident ID" 201 /v1/settlements "$I1" $H1 POST /v1/settlements "$K1" $D/settlement.json
lcall "settlement replayed" 200 /v1/settlements "$I1" $H1 POST /v1/settlements "$K1" $D/settlement.json
sed "s/$H1/$H2/g; s/S2025070100001/S2025070200001/" $D/settlement.json >"$TMP/s2.json"
lcall "settlement elsewhere: a duplicate sale" 201 /v1/settlements "$I2" $H2 POST /v1/settlements "$K2" "$TMP/s2.json"
sed 's/"medfee_sumamt": "186.50"/"medfee_sumamt": "999.00"/' $D/settlement.json >"$TMP/changed.json"
lcall "settlement: conflict" 409 /v1/settlements "$I1" $H1 POST /v1/settlements "$K1" "$TMP/changed.json"
lcall "settlement: another institution's" 403 /v1/settlements "$I2" $H2 POST /v1/settlements "$K2" $D/settlement.json
lcall "settlement get" 200 "/v1/settlements/{setl_id}" "$I1" $H1 GET /v1/settlements/S2025070100001 "$K1"
lcall "settlement get: unknown" 404 "/v1/settlements/{setl_id}" "$I1" $H1 GET /v1/settlements/$CERT "$K1"
sed "s/$CERT/430102199003071219/" $S/check_request_env.json >"$TMP/badcert.json"
lcall "check: a certno that does not check" 400 /v1/settlements/check "$I1" $H1 POST /v1/settlements/check "$K1" "$TMP/badcert.json"
printf '{"feedetail": [' >"$TMP/broken.json"
lcall "check: malformed JSON" 400 /v1/settlements/check "$I1" $H1 POST /v1/settlements/check "$K1" "$TMP/broken.json"
lcall "trace" 200 "/v1/trace/{code}" "$I1" $H1 GET /v1/trace/81234567890123456789 "$K1"
lcall "trace: an ID is no trace code" 400 "/v1/trace/{code}" "$I1" $H1 GET /v1/trace/$CERT "$K1"
lcall "alerts" 200 /v1/alerts "$I1" $H1 GET /v1/alerts "$K1"
lcall "findings" 200 /v1/findings wang - GET /v1/findings "wang:correct horse"
printf '{"status":"deceased","die_date":"2025-06-01","certno":"%s"}\n' "$CERT" >"$TMP/death.json"
lcall "reference: a person with a resident ID" 200 "/v1/reference/{kind}/{code}" "$IA" - PUT /v1/reference/persons/43000000000000000000012345 "$KA" "$TMP/death.json"
lcall "reference: list" 200 "/v1/reference/{kind}" "$IA" - GET /v1/reference/persons "$KA"
lcall "reference: an institution may not write" 403 "/v1/reference/{kind}/{code}" "$I1" $H1 PUT /v1/reference/persons/P1 "$K1" "$TMP/death.json"
lcall "nhsa" 200 "/nhsa/{infno}" "$I1" $H1 POST /nhsa/2204 "$K1" $S/check_request_env.json
lcall "unknown path with an ID in it" 404 - "$I1" $H1 GET "/v1/nothing/$CERT" "$K1"
lcall "wrong method" 405 /v1/settlements "$I1" $H1 GET /v1/settlements "$K1"
lcall "no key" 401 /v1/alerts - - GET /v1/alerts -
lcall "unknown key" 401 /v1/alerts - - GET /v1/alerts fgk_0000000000000000_00000000000000000000000000000000
lcall "wrong password" 401 /v1/alerts - - GET /v1/alerts "wang:wrong horse"
lcall "a resident ID as the user name" 401 /v1/alerts - - GET /v1/alerts "$CERT:wrong horse"
lcall "wrong password again: the name is locked" 401 /v1/alerts - - GET /v1/alerts "wang:wrong horse"
lcall "locked (a password not tried yet: the cache of good ones is not asked)" 429 /v1/alerts - - GET /v1/alerts "wang:battery staple"
lcall "kb reload" 200 /v1/kb/reload "$IA" - POST /v1/kb/reload "$KA"
lcall "kb reload: an institution may not" 403 /v1/kb/reload "$I1" $H1 POST /v1/kb/reload "$K1"
# A client's X-Request-Id is kept when sane (and masked like any value); an insane one is replaced.
CALL_HEADERS=(-H "X-Request-Id: $CERT")
call GET /healthz -
CALL_HEADERS=(-H "X-Request-Id: a b\"c")
call GET /healthz -
CALL_HEADERS=()
stop
[ "$STOP_RC" = 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit 0" "exit $STOP_RC"

L=$TMP/serve.log
want_ledger=embedded # the backend's kind, never its address (which may hold a password)
[ -n "${FG_TEST_PG_LEDGER_URL:-}" ] && want_ledger=postgresql
has_line "$L" "start: version, address, backends" \
    '.event == "start" and .version != null and (.listen | test("^127.0.0.1:[0-9]+$")) and .store != null and .ledger == "'"$want_ledger"'" and .kb_version != null'
has_line "$L" "settlement: 201 with its duration and bytes" \
    '.event == "request" and .route == "/v1/settlements" and .status == 201 and .duration_us >= 0 and .bytes > 0 and .bytes_in > 0'
has_line "$L" "signin.failed: the name, never the password" '.event == "signin.failed" and .user == "wang" and .addr == "127.0.0.1"'
has_line "$L" "signin.failed: the name that locked it" '.event == "signin.failed" and .user == "wang" and .user_locked == true'
has_line "$L" "signin.failed: an ID typed as a name is masked" '.event == "signin.failed" and .user == "4301**********1218"'
has_line "$L" "signin.locked: the attempt refused" '.event == "signin.locked" and .user == "wang" and .retry_after > 0'
has_line "$L" "request: the error answered" '.event == "request" and .status == 409 and .error == "conflict"'
has_line "$L" "kb.reload: by whom, which version" ".event == \"kb.reload\" and .ok == true and .by == \"$IA\" and (.kb_version | startswith(\"nhsa:\"))"
has_line "$L" "X-Request-Id: kept, masked" '.event == "request" and .request_id == "4301**********1218"'
has_line "$L" "X-Request-Id: an unsafe one replaced" '.event == "request" and (.request_id | test("^[0-9a-f]{16}$"))'
has_line "$L" "shutdown: the signal" '.event == "shutdown" and .signal == "SIGTERM"'
has_line "$L" "stop: closed cleanly" '.event == "stop" and .ok == true'
grep -q 'horse' "$L" && bad "no password in the log" "$(grep horse "$L" | head -3)" || ok "no password in the log"
grep -qi 'fgk_' "$L" && bad "no API key in the log" "$(grep fgk_ "$L" | head -3)" || ok "no API key in the log"

# ---------------------------------------------------------------- session 2: log_file, rotation, rate limit
start --log-file "$TMP/fg.log" --rate 1 --burst 2
lcall "rate: first" 200 /v1/alerts "$I1" $H1 GET /v1/alerts "$K1"
lcall "rate: second" 200 /v1/alerts "$I1" $H1 GET /v1/alerts "$K1"
lcall "rate: the third at once: 429" 429 /v1/alerts "$I1" $H1 GET /v1/alerts "$K1"
lcall "rate: the fourth: 429" 429 /v1/alerts "$I1" $H1 GET /v1/alerts "$K1"
mv "$TMP/fg.log" "$TMP/fg.log.1"
kill -HUP "$PID"
for _ in $(seq 1 100); do [ -s "$TMP/fg.log" ] && break; sleep 0.05; done
lcall "after the rotation" 200 /healthz - - GET /healthz -
stop
[ "$STOP_RC" = 0 ] && ok "SIGHUP, then SIGTERM: exit 0" || bad "SIGHUP, then SIGTERM: exit 0" "exit $STOP_RC"
has_line "$TMP/fg.log.1" "log_file: the start line" '.event == "start" and .log_file != null'
has_line "$TMP/fg.log.1" "rate.limited: once, with the key" ".event == \"rate.limited\" and .key_id == \"$I1\" and .retry_after >= 1"
n=$(jq -s '[.[] | select(.event == "rate.limited")] | length' "$TMP/fg.log.1")
[ "$n" = 1 ] && ok "rate.limited: logged once for two refusals" || bad "rate.limited: logged once for two refusals" "$n lines"
has_line "$TMP/fg.log" "SIGHUP: the file opened again" '.event == "log.reopen"'
has_line "$TMP/fg.log" "after the rotation: the request in the new file" '.event == "request" and .route == "/healthz"'
has_line "$TMP/fg.log" "after the rotation: shutdown in the new file" '.event == "shutdown"'

# ---------------------------------------------------------------- session 3: log_level warn
start --log-file "$TMP/warn.log" --log-level warn
call GET /healthz -
call GET /v1/alerts "wang:wrong horse"
stop
n=$(jq -s '[.[] | select(.level == "info" or .level == "debug")] | length' "$TMP/warn.log")
[ "$n" = 0 ] && ok "log_level warn: no info line" || bad "log_level warn: no info line" "$n lines"
has_line "$TMP/warn.log" "log_level warn: the failed sign-in" '.event == "signin.failed"'
expect "log_level: an unknown level is refused" 2 "" -- "$FG" serve "${DB_ARGS[@]}" --kb kb --port 0 --log-level loud

# ---------------------------------------------------------------- a store that cannot be opened
if [ -z "${FG_TEST_PG_URL:-}" ]; then
    "$FG" serve --data "$TMP/d2" --kb kb --port 0 --db "postgresql://fg:sekret@127.0.0.1:1/none" \
        2>"$TMP/failed.log" >/dev/null
    grep '^{' "$TMP/failed.log" >"$TMP/failed.jsonl"
    has_line "$TMP/failed.jsonl" "start.failed: the store's error" '.event == "start.failed" and .level == "error" and .error == "store.backend"'
    grep -q sekret "$TMP/failed.log" && bad "start.failed: no password of the store's URL" || ok "start.failed: no password of the store's URL"
fi

# ---------------------------------------------------------------- every line, every request, no ID
out=$(python3 "$(dirname "$0")/log_check.py" "$TMP/expect.tsv" "$L" "$TMP/fg.log.1" "$TMP/fg.log" "$TMP/warn.log")
if [ $? = 0 ]; then
    ok "every log line is one JSON object, every request logged once as made ($(tail -1 <<<"$out"))"
else
    bad "every log line is one JSON object, every request logged once as made" "$(head -20 <<<"$out")"
fi
cat "$TMP/fg.log.1" "$TMP/fg.log" "$TMP/warn.log" >>"$L" # scan_at_rest reads serve.log
scan_at_rest
finish
