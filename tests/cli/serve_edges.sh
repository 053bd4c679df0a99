#!/usr/bin/env bash
# `fundguard serve` at the edges of a request (issue 11, points 2 and 5): path parameters that are
# not UTF-8 or not identifiers, messages cut inside a character, identifiers with quotes, bytes
# already in the store that are not UTF-8, query integers beyond 64 bits, integers written 45.0,
# a query of 2,000 parameters, and libmicrohttpd's own answers to malformed requests. Every body
# `call` receives is checked to be valid UTF-8 JSON (serve_lib.sh).
source "$(dirname "$0")/serve_lib.sh"

H1=H43010200012
K1=$("$FG" key add --role institution --fixmedins-code $H1 "${DB_ARGS[@]}" 2>/dev/null)
KA=$("$FG" key add --role admin "${DB_ARGS[@]}" 2>/dev/null)
echo "correct horse" | "$FG" user add wang --role auditor "${DB_ARGS[@]}" >/dev/null 2>&1
start
[ -n "$PORT" ] && ok "serve: listening" || bad "serve: listening" "$(cat "$TMP/serve.log")"

# table NAME WANT_CODE PATTERN METHOD PATH AUTH [BODY], one case a line ('#' lines skipped)
table() {
    local name want pattern method path auth body
    while IFS='|' read -r name want pattern method path auth body; do
        [[ -z $name || $name == \#* ]] && continue
        expect_call "$name" "$want" "$pattern" "$method" "$path" "${auth/KA/$KA}" $body
    done
}

# ---------------------------------------------------------------- path parameters
long=$(python3 -c 'print("S" * 513)')
yao150=$(python3 -c 'print("%E8%8D%AF" * 150)')
table <<EOF
settlement: not UTF-8: 400 field.utf8, no raw byte echoed|400|^\{"code":"field.utf8","field":"setl_id","message":"byte 1 [^"]*"\}$|GET|/v1/settlements/%FF%FE|KA
settlement: a cut character: 400|400|"code":"field.utf8"|GET|/v1/settlements/S%E8%8D|KA
settlement: an overlong '/': 400|400|"code":"field.utf8"|GET|/v1/settlements/%C0%AF|KA
settlement: a surrogate: 400|400|"code":"field.utf8"|GET|/v1/settlements/%ED%A0%80|KA
settlement: a control character: 400 path.param|400|"code":"path.param","field":"setl_id"|GET|/v1/settlements/S%01|KA
settlement: 513 bytes: 400 path.param|400|"code":"path.param","field":"setl_id"|GET|/v1/settlements/$long|KA
settlement: 150 × 药: the message cut between characters|404|"code":"not_found","field":"setl_id","message":"no settlement '(药)+"\}$|GET|/v1/settlements/$yao150|KA
trace: not UTF-8: 400|400|"code":"field.utf8","field":"drug_trac_codg"|GET|/v1/trace/8%FF|KA
trace: a raw GS1 separator is no control character here|404|"code":"not_found","field":"drug_trac_codg"|GET|/v1/trace/0106901234567892%1D21SN|KA
nhsa: not UTF-8: 400|400|"code":"field.utf8","field":"infno"|POST|/nhsa/%FF|KA
reference: a drug code not UTF-8: 400|400|"code":"field.utf8","field":"code"|GET|/v1/reference/drugs/%FF|KA
EOF

# The persons PUT of issue 11: refused before anything is stored; the lists and the audit trail
# stay valid JSON (call checks every body) and hold no trace of it.
echo '{"status":"alive"}' >"$TMP/alive.json"
expect_call "reference: PUT persons/Q%FFQ: 400 field.utf8" 400 '"code":"field.utf8","field":"code"' PUT "/v1/reference/persons/Q%FFQ" "$KA" "$TMP/alive.json"
expect_call "reference: a person with a Chinese code is stored" 200 '"code":"Q药Q"' PUT "/v1/reference/persons/Q%E8%8D%AFQ" "$KA" "$TMP/alive.json"
expect_call "reference: the persons list after it" 200 '^\{"items":\[\{"code":"Q药Q"[^]]*\],"next":null\}$' GET /v1/reference/persons "$KA"
expect_call "reference: the staff list after it" 200 '^\{"items":\[\],"next":null\}$' GET /v1/reference/staff "$KA"
call GET /v1/audit "wang:correct horse"
if [ "$CODE" = 200 ] && grep -q '"object":"person:Q药Q"' <<<"$BODY" && ! grep -q 'person:Q[^药]' <<<"$BODY"; then
    ok "audit: the stored person only, nothing of the refused one"
else
    bad "audit: the stored person only, nothing of the refused one" "$CODE ${BODY:0:400}"
fi
expect_call "reference: a page cursor is a JSON string" 200 '"next":"Q药Q"\}$' GET "/v1/reference/persons?limit=1" "$KA"

# Bytes already in the store that are not UTF-8 (written before this check, or behind the
# server's back) come out as U+FFFD, never raw.
if [ -z "${FG_TEST_PG_URL:-}" ]; then
    sqlite3 "$DATA/fundguard.db" "INSERT INTO fg_ref VALUES ('person', CAST(X'52FF22E88D' AS TEXT), '', 'alive', '{}', '', '2025-07-01 00:00:00')"
    expect_call "store: a code that is not UTF-8 reads as U+FFFD" 200 '"code":"R�\\"�"' GET /v1/reference/persons "$KA"
fi

# Identifiers with a quote and a backslash: the answers are JSON all the same.
python3 - "$D/settlement.json" "$TMP/quote.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["setlinfo"]["setl_id"] = 'S"1\\'
for f in d["feedetail"]:
    f["feedetl_sn"] += '"'
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
expect_call "settlement: a setl_id with a quote and a backslash" 201 '^\{"setl_id":"S\\"1\\\\","replayed":false' POST /v1/settlements "$KA" "$TMP/quote.json"
expect_call "settlement: the same again, replayed" 200 '^\{"setl_id":"S\\"1\\\\","replayed":true' POST /v1/settlements "$KA" "$TMP/quote.json"
expect_call "findings: a feedetl_sn with a quote" 200 '"feedetl_sn":"F[0-9]+\\""' GET /v1/findings "$KA"

# ---------------------------------------------------------------- query integers
table <<EOF
after beyond 64 bits: 400 naming it|400|"code":"field.range","field":"after"|GET|/v1/alerts?after=99999999999999999999999|KA
after below 0: 400|400|"code":"field.range","field":"after"|GET|/v1/alerts?after=-1|KA
after not a number: 400|400|"code":"integer.format","field":"after"|GET|/v1/alerts?after=12abc|KA
after with a leading space: 400|400|"code":"integer.format","field":"after"|GET|/v1/alerts?after=%201|KA
after in range|200|^\{"items":|GET|/v1/alerts?after=9223372036854775807|KA
limit beyond 64 bits: 400|400|"code":"field.range","field":"limit"|GET|/v1/findings?limit=18446744073709551617|KA
audit after beyond 64 bits: 400|400|"code":"field.range","field":"after"|GET|/v1/audit?after=99999999999999999999999|KA
reference limit beyond 64 bits: 400|400|"code":"field.range","field":"limit"|GET|/v1/reference/drugs?limit=99999999999999999999|KA
EOF

# ---------------------------------------------------------------- integers written 45.0
for age in "45.0 200" "45 200" "4.5e1 200" "45.5 400" "151.0 400"; do
    set -- $age
    sed "s/\"age\": 35/\"age\": $1/" $S/check_request_env.json >"$TMP/age.json"
    want='"decision"'
    [ "$2" = 400 ] && want='"field":"input.mdtrtinfo.age"'
    expect_call "check: age $1 as a JSON number: $2" "$2" "$want" POST /v1/settlements/check "$K1" "$TMP/age.json"
done

# ---------------------------------------------------------------- a long query
q64=$(python3 -c 'print("&".join("a%d=1" % i for i in range(64)))')
q65=$(python3 -c 'print("&".join("a%d=1" % i for i in range(65)))')
q2000=$(python3 -c 'print("&".join("a%d=1" % i for i in range(2000)))')
table <<EOF
query of 64 parameters: read|200|^\{"items":|GET|/v1/alerts?$q64|KA
query of 65 parameters: 400 query.too_many|400|"code":"query.too_many"|GET|/v1/alerts?$q65|KA
query of 2000 parameters: 400 query.too_many, not silence|400|"code":"query.too_many"|GET|/v1/alerts?$q2000|KA
query of 2000 parameters on a path that reads none|400|"code":"query.too_many"|GET|/v1/reference/persons/X?$q2000|KA
EOF
expect_call "the server is still up" 200 '"status":"ok"' GET /healthz -

# ---------------------------------------------------------------- large headers
for kb in 20 30 50; do
    CALL_HEADERS=(-H "X-Big: $(head -c $((kb * 1024)) /dev/zero | tr '\0' a)")
    want=431
    [ "$kb" = 20 ] && want=200
    expect_call "headers of $kb KiB: $want" $want '^\{"(items|code":"headers.too_large)' GET /v1/alerts "$KA"
done
CALL_HEADERS=()

# ---------------------------------------------------------------- libmicrohttpd's own answers
# Malformed HTTP, and headers beyond a connection's memory, are answered by libmicrohttpd before
# Fundguard sees the request, with its own short HTML page (docs/operations.md): it must still be
# an answer, a 4xx, in valid UTF-8.
raw() { # raw NAME WANT_STATUS REQUEST (printf format)
    exec 7<>/dev/tcp/127.0.0.1/"$PORT"
    # shellcheck disable=SC2059
    (printf "$3" >&7) 2>/dev/null # in a subshell: the server may close before all is written
    timeout 5 cat <&7 >"$TMP/raw"
    exec 7<&-
    local status
    status=$(head -1 "$TMP/raw" | cut -d' ' -f2)
    if [ "$status" = "$2" ] && iconv -f UTF-8 -t UTF-8 "$TMP/raw" >/dev/null 2>&1; then
        ok "$1"
    else
        bad "$1" "status '$status', want $2" "$(head -c 300 "$TMP/raw")"
    fi
}
big=$(head -c 70000 /dev/zero | tr '\0' a)
raw "libmicrohttpd: Content-Length abc: 400" 400 "GET /v1/alerts HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"
raw "libmicrohttpd: bad chunking: 400" 400 "POST /v1/settlements/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n"
raw "libmicrohttpd: a header line without a colon: 400" 400 "GET /v1/alerts HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"
raw "libmicrohttpd: headers beyond its 64 KiB of connection memory: 431" 431 "GET /v1/alerts HTTP/1.1\r\nHost: x\r\nX-Big: $big\r\n\r\n"
expect_call "the server is still up after them" 200 '"status":"ok"' GET /healthz -

stop
[ "$STOP_RC" = 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit 0" "exit $STOP_RC" "$(tail -5 "$TMP/serve.log")"
finish
