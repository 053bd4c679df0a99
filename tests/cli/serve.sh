#!/usr/bin/env bash
# `fundguard serve` end to end: the server on 127.0.0.1 (a free port), every endpoint and error
# status with curl, institution scoping on every endpoint, officers, the audit trail, a malformed-
# request corpus, rate limits, SIGTERM, and SIGKILL during a stream of settlements then restart
# (nothing acknowledged missing or doubled).
#
# The suite runs on SQLite; with FG_TEST_PG_URL=postgresql://… (tests/cli/serve_pg.sh starts a
# scratch server) it runs again on PostgreSQL, and with FG_TEST_PG_LEDGER_URL too
# (serve_pg_ledger.sh) with the ledger there as well, ending with two servers on that one ledger.
source "$(dirname "$0")/serve_lib.sh"
H1=H43010200012 # the institution of the samples
H2=H43010200099 # another
K1=$("$FG" key add --role institution --fixmedins-code $H1 "${DB_ARGS[@]}" 2>/dev/null)
K2=$("$FG" key add --role institution --fixmedins-code $H2 "${DB_ARGS[@]}" 2>/dev/null)
KA=$("$FG" key add --role admin "${DB_ARGS[@]}" 2>/dev/null)
KR=$("$FG" key add --role reviewer "${DB_ARGS[@]}" 2>/dev/null)
[ ${#K1} = 53 ] && [ ${#KA} = 53 ] && ok "key add prints a key" || bad "key add prints a key" "$K1"
expect "key add: an institution key needs its code" 2 "" -- "$FG" key add --role institution "${DB_ARGS[@]}"
expect_grep "key list: four keys, no hashes" 0 '"role":"(institution|admin|reviewer)"' 4 -- \
    "$FG" key list "${DB_ARGS[@]}"
echo "correct horse" | "$FG" user add wang --role auditor "${DB_ARGS[@]}" >/dev/null 2>&1
expect "user add: an existing name is refused" 3 "" -- "$FG" user add wang --role leader "${DB_ARGS[@]}" <<<"battery staple"
expect_grep "user list" 0 '"name":"wang","role":"auditor"' 1 -- "$FG" user list "${DB_ARGS[@]}"

start --conn-timeout 3
[ -n "$PORT" ] && ok "serve: listening on a free port" || bad "serve: listening on a free port" "$(cat "$TMP/serve.log")"

# ---------------------------------------------------------------- health, metrics, auth
expect_call "healthz" 200 '"status":"ok"' GET /healthz -
expect_call "metrics: Prometheus text" 200 '^fundguard_http_requests_total\{route="healthz",status="200"\} 1$' GET /metrics -
grep -q '^fundguard_http_request_duration_seconds_bucket{le="+Inf"} 1$' <<<"$BODY" && ok "metrics: the duration histogram" || bad "metrics: the duration histogram" "$BODY"
expect_call "no key: 401" 401 '"code":"auth.unauthenticated","field":"Authorization"' POST /v1/settlements/check - $S/check_request_env.json
expect_call "unknown key: 401" 401 'auth.unauthenticated' GET /v1/alerts fgk_0000000000000000_00000000000000000000000000000000
expect_call "wrong password: 401" 401 'auth.unauthenticated' GET /v1/alerts "wang:wrong horse"
expect_call "unknown path: 404" 404 '"code":"not_found"' GET /v1/nothing "$K1"
expect_call "wrong method: 405" 405 '"code":"method_not_allowed"' GET /v1/settlements "$K1"

# ---------------------------------------------------------------- check
expect_call "check in: hold with the age hit" 200 '"decision":"hold".*"rule":"GZ0201"' POST /v1/settlements/check "$K1" $S/check_request_env.json
expect_call "check pre: remind" 200 '"decision":"remind","stage":"pre"' POST "/v1/settlements/check?stage=pre" "$K1" $S/check_request_env.json
expect_call "check: stage post is refused" 400 '"field":"stage"' POST "/v1/settlements/check?stage=post" "$K1" $S/check_request_env.json
expect_call "check: another institution's document: 403" 403 '"code":"auth.forbidden"' POST /v1/settlements/check "$K2" $S/check_request_env.json
expect_call "check: a reviewer may not submit: 403" 403 'auth.forbidden' POST /v1/settlements/check "$KR" $S/check_request_env.json
printf '{"feedetail": [' >"$TMP/broken.json"
expect_call "check: malformed JSON: 400 json.syntax" 400 '"code":"json.syntax"' POST /v1/settlements/check "$K1" "$TMP/broken.json"
expect_call "check: too deep: 400 json.depth" 400 '"code":"json.depth"' POST /v1/settlements/check "$K1" tests/data/bad/json_depth.json
expect_call "check: no mdtrtinfo: 400" 400 '"code":"field.required"' POST /v1/settlements/check "$K1" $S/2204_feedetail.json

# ---------------------------------------------------------------- settlements
expect_call "settlement: stored, decided, ledger applied: 201" 201 '"replayed":false.*"outcome":"first_sale"' POST /v1/settlements "$K1" $D/settlement.json
expect_call "settlement again: the first decision, nothing applied: 200" 200 '"replayed":true,"decision":\{"decision":"hold"' POST /v1/settlements "$K1" $D/settlement.json
sed 's/"medfee_sumamt": "186.50"/"medfee_sumamt": "999.00"/' $D/settlement.json >"$TMP/changed.json"
expect_call "settlement: same setl_id, other content: 409" 409 '"code":"conflict","field":"setl_id"' POST /v1/settlements "$K1" "$TMP/changed.json"
expect_call "settlement: another institution's: 403" 403 'auth.forbidden' POST /v1/settlements "$K2" $D/settlement.json
expect_call "settlement: no setlinfo: 400" 400 '"field":"setlinfo.setl_id"' POST /v1/settlements "$K1" $S/check_request_env.json
expect_call "settlement get" 200 '"setl_id":"S2025070100001".*"decision":\{"decision":"hold"' GET /v1/settlements/S2025070100001 "$K1"
expect_call "settlement get: another institution's: 403" 403 'auth.forbidden' GET /v1/settlements/S2025070100001 "$K2"
expect_call "settlement get: unknown: 404" 404 'not_found' GET /v1/settlements/S404 "$K1"
# The same packs sold again by the other institution: duplicate alerts (other_institution).
sed "s/$H1/$H2/g; s/S2025070100001/S2025070200001/" $D/settlement.json >"$TMP/s2.json"
expect_call "settlement elsewhere: duplicate sale" 201 '"outcome":"duplicate","feedetl_sn":"F2025070100000002","kind":"other_institution"' POST /v1/settlements "$K2" "$TMP/s2.json"

# The same new settlement from 8 clients at once: stored and applied once, the others replayed.
sed "s/S2025070100001/S2025070100088/; s/81234567890123456789/81234567890123450088/; s/81234567890123456790/81234567890123450089/" \
    $D/settlement.json >"$TMP/race.json"
racers=()
for i in 1 2 3 4 5 6 7 8; do
    curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $K1" --data-binary "@$TMP/race.json" \
        "http://127.0.0.1:$PORT/v1/settlements" >"$TMP/race.$i" &
    racers+=($!)
done
wait "${racers[@]}"
n201=$(cat "$TMP"/race.* | grep -c '^201$')
n200=$(cat "$TMP"/race.* | grep -c '^200$')
call GET /v1/trace/81234567890123450088 "$K1"
if [ "$n201" = 1 ] && [ "$n200" = 7 ] && grep -q '"sales":1,.*"events":1,' <<<"$BODY"; then
    ok "settlement: 8 at once, stored and applied once"
else
    bad "settlement: 8 at once, stored and applied once" "201: $n201, 200: $n200" "$BODY"
fi

# ---------------------------------------------------------------- refunds by init_feedetl_sn
python3 - "$D/settlement.json" "$TMP/refund.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["setlinfo"].update({"setl_id": "S2025070100001R", "refd_setl_flag": "1", "init_setl_id": "S2025070100001"})
d["feedetail"] = [dict(f, feedetl_sn=f["feedetl_sn"] + "R", init_feedetl_sn=f["feedetl_sn"]) for f in d["feedetail"] if f["feedetl_sn"] == "F2025070100000002"]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
expect_call "refund: its packs return to the original sale" 201 '"type":"sale_return","outcome":"return_ok"' POST /v1/settlements "$K1" "$TMP/refund.json"

# ---------------------------------------------------------------- trace, alerts, findings
expect_call "trace: history and sale count" 200 '"sales":1,.*"events":3' GET /v1/trace/81234567890123456789 "$KA"
call GET /v1/trace/81234567890123456789 "$K1"
if [ "$CODE" = 200 ] && ! grep -q "$H2" <<<"$BODY"; then ok "trace: an institution sees only its own events"; else bad "trace: an institution sees only its own events" "$BODY"; fi
expect_call "trace: unknown code: 404" 404 'not_found' GET /v1/trace/81234567890123450000 "$K1"
expect_call "trace: not a trace code: 400" 400 'trace_code' GET /v1/trace/ABC "$K1"
expect_call "alerts: the duplicate, for its institution" 200 "\"kind\":\"duplicate\",\"fixmedins_code\":\"$H2\"" GET /v1/alerts "$K2"
expect_call "alerts: none for the first seller" 200 '^\{"items":\[\],"next":null\}$' GET /v1/alerts "$K1"
expect_call "alerts: another institution's filter: 403" 403 'auth.forbidden' GET "/v1/alerts?fixmedins_code=$H2" "$K1"
expect_call "alerts: paged" 200 '"next":[0-9]+' GET "/v1/alerts?limit=1" "$KA"
expect_call "alerts: by kind and period" 200 '^\{"items":\[\],"next":null\}$' GET "/v1/alerts?kind=duplicate&from=2026-01-01%2000:00:00" "$KA"
expect_call "alerts: a bad period: 400" 400 '"field":"from"' GET "/v1/alerts?from=yesterday" "$KA"
expect_call "alerts: a bad limit: 400" 400 '"field":"limit"' GET "/v1/alerts?limit=0" "$KA"
expect_call "findings: the held settlement's hit" 200 '"kind":"GZ0201"' GET /v1/findings "$K1"
expect_call "findings: another institution's filter: 403" 403 'auth.forbidden' GET "/v1/findings?fixmedins_code=$H1" "$K2"
call GET /v1/findings "$K2"
if [ "$CODE" = 200 ] && ! grep -q "$H1" <<<"$BODY"; then ok "findings: an institution sees only its own"; else bad "findings: an institution sees only its own" "$BODY"; fi
expect_call "findings: an officer reads them (basic auth)" 200 '"kind":"GZ0201"' GET "/v1/findings?fixmedins_code=$H1" "wang:correct horse"

# ---------------------------------------------------------------- inventory
expect_call "inventory: 401 without a key" 401 'auth' POST /v1/inventory - $S/3503_purchase_env.json
KP=$("$FG" key add --role institution --fixmedins-code P43010200007 "${DB_ARGS[@]}" 2>/dev/null)
expect_call "inventory 3503: purchases (pharmacy key)" 201 '"infno":3503,"documents":1,"replayed":false' POST /v1/inventory "$KP" $S/3503_purchase_env.json
expect_call "inventory: the same document again is answered, not applied" 200 '"infno":3503,"documents":1,"replayed":true' POST /v1/inventory "$KP" $S/3503_purchase_env.json
expect_call "inventory: the purchase is in the history once" 200 '"events":4,' GET /v1/trace/81234567890123456789 "$KA"
expect_call "inventory: another institution's: 403" 403 'auth.forbidden' POST /v1/inventory "$K1" $S/3503_purchase_env.json
expect_call "inventory: a settlement is not inventory: 400" 400 'field.required' POST /v1/inventory "$K1" $D/settlement.json

# ---------------------------------------------------------------- split sales without a pack size
# 3505 and settlements carry only the units sold (sel_retn_cnt, cnt): the pack size comes from the
# ledger's state of the code or from the drug catalogue (catalogue.csv, PUT /v1/reference/drugs).
split3505() { # split3505 FILE MSGID UNITS: one split sale of the test pack by the pharmacy
    python3 - "$S/3505_sale_env.json" "$1" "$2" "$3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
line = d["input"]["selinfo"][1]
line["sel_retn_cnt"] = sys.argv[4]
line["setl_id"] = "S" + sys.argv[3][-12:]  # another sale, not a retry of the same one
line["drugtracinfo"] = [{"drug_trac_codg": "82345678901234500011"}]
d["input"]["selinfo"] = [line]
d["msgid"] = sys.argv[3]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
}
split3505 "$TMP/split0.json" P43010200007202507031620050300 10
expect_call "split sale: no pack size known: invalid, nothing changes" 201 '"outcome":"invalid".*ledger.pack_units_required' POST /v1/inventory "$KP" "$TMP/split0.json"
echo '{"status":"listed","pack_units":24,"name":"连花清瘟胶囊"}' >"$TMP/drug.json"
expect_call "reference: admin sets a drug's pack size" 200 '"status":"listed"' PUT /v1/reference/drugs/ZA04CAE0023010100166 "$KA" "$TMP/drug.json"
expect_call "reference: a drug is read by any institution" 200 '"pack_units":24' GET /v1/reference/drugs/ZA04CAE0023010100166 "$K2"
expect_call "reference: the drug list is not scoped to an institution" 200 '"code":"ZA04CAE0023010100166"' GET /v1/reference/drugs "$K1"
expect_call "reference: a drug needs a catalogue code: 400" 400 '"field":"code"' PUT /v1/reference/drugs/ZA04 "$KA" "$TMP/drug.json"
echo '{"status":"listed","pack_units":0}' >"$TMP/drug0.json"
expect_call "reference: a pack of 0 units: 400" 400 '"field":"pack_units"' PUT /v1/reference/drugs/ZA04CAE0023010100166 "$KA" "$TMP/drug0.json"
echo '{"status":"listed","pack_units":1000001}' >"$TMP/drugbig.json"
expect_call "reference: a pack beyond the catalogue's range: 400" 400 '"field":"pack_units"' PUT /v1/reference/drugs/ZA04CAE0023010100166 "$KA" "$TMP/drugbig.json"
echo '{"status":"listed","pack_units":24,"fixmedins_code":"H43010200012"}' >"$TMP/drugi.json"
expect_call "reference: a drug belongs to no institution: 400" 400 '"field":"fixmedins_code"' PUT /v1/reference/drugs/ZA04CAE0023010100166 "$KA" "$TMP/drugi.json"
i=0
for step in "10 first_sale" "10 split_sale" "4 split_sale" "1 duplicate"; do
    i=$((i + 1))
    set -- $step
    split3505 "$TMP/split$i.json" "P4301020000720250703162005030$i" "$1"
    expect_call "split sale of a 24-unit pack: $1 units: $2" 201 "\"outcome\":\"$2\"" POST /v1/inventory "$KP" "$TMP/split$i.json"
done
expect_call "split sale: the ledger keeps the pack size" 200 '"units_sold":25,"pack_units":24' GET /v1/trace/82345678901234500011 "$KA"

# ---------------------------------------------------------------- the platform envelope
python3 - "$D/settlement.json" "$TMP/env2207.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["setlinfo"]["setl_id"] = "S2025070100077"
json.dump({"infno": "2207", "msgid": "H43010200012202507010920000001", "fixmedins_code": "H43010200012", "inf_time": "2025-07-01 09:20:00", "input": d}, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
expect_call "nhsa 2207: infcode 0 with the decision" 200 '^\{"infcode":0,"err_msg":"","output":\{"setl_id":"S2025070100077"' POST /nhsa/2207 "$K1" "$TMP/env2207.json"
expect_call "nhsa 2204: a check" 200 '"infcode":0,.*"decision":"hold"' POST /nhsa/2204 "$K1" $S/check_request_env.json
expect_call "nhsa: invalid input: infcode -1 with the message" 200 '^\{"infcode":-1,"err_msg":".+","output":\{\}\}$' POST /nhsa/2204 "$K1" "$TMP/broken.json"
expect_call "nhsa 3503" 200 '"infcode":0,.*"infno":3503' POST /nhsa/3503 "$KP" $S/3503_purchase_env.json
expect_call "nhsa: another institution's: 403" 403 'auth.forbidden' POST /nhsa/2204 "$K2" $S/check_request_env.json
expect_call "nhsa: unknown interface: 404" 404 'envelope.infno' POST /nhsa/9999 "$K1" $S/check_request_env.json

# ---------------------------------------------------------------- reference data
echo '{"status":"suspended","fixmedins_code":"H43010200012","begin_date":"2025-08-01","reason":"违规, 记分"}' >"$TMP/staff.json"
expect_call "reference: admin suspends a doctor" 200 '"status":"suspended"' PUT /v1/reference/staff/D430102000123 "$KA" "$TMP/staff.json"
expect_call "reference: an institution may not write: 403" 403 'auth.forbidden' PUT /v1/reference/staff/D430102000123 "$K1" "$TMP/staff.json"
expect_call "reference: its own staff" 200 '"code":"D430102000123"' GET /v1/reference/staff/D430102000123 "$K1"
expect_call "reference: another institution's staff: 403" 403 'auth.forbidden' GET /v1/reference/staff/D430102000123 "$K2"
expect_call "reference: list" 200 '"items":\[\{"code":"D430102000123"' GET /v1/reference/staff "$KR"
echo '{"status":"deceased","die_date":"2025-06-01"}' >"$TMP/death.json"
expect_call "check: before the death is known, no GZ0001" 200 '"decision":"hold"' POST /v1/settlements/check "$K1" $S/check_request_env.json
expect_call "reference: a death" 200 '"status":"deceased"' PUT /v1/reference/persons/43000000000000000000012345 "$KA" "$TMP/death.json"
expect_call "check: the death is read by the review at once (GZ0001 blocks)" 200 '"decision":"block".*"rule":"GZ0001"' POST /v1/settlements/check "$K1" $S/check_request_env.json
echo '{"status":"deceased"}' >"$TMP/nodate.json"
expect_call "reference: a death needs die_date: 400" 400 '"field":"die_date"' PUT /v1/reference/persons/P2 "$KA" "$TMP/nodate.json"
echo '{"status":"suspended"}' >"$TMP/nobegin.json"
expect_call "reference: a suspension needs begin_date: 400" 400 '"field":"begin_date"' PUT /v1/reference/staff/D430102000124 "$KA" "$TMP/nobegin.json"
echo '{"status":"suspended","begin_date":"2025-06-01"}' >"$TMP/inst.json"
expect_call "reference: an institution's agreement suspended" 200 '"status":"suspended"' PUT /v1/reference/institutions/$H2 "$KA" "$TMP/inst.json"
expect_call "reference: an institution reads its own agreement" 200 "\"code\":\"$H2\"" GET /v1/reference/institutions/$H2 "$K2"
expect_call "reference: not another's agreement: 403" 403 'auth.forbidden' GET /v1/reference/institutions/$H2 "$K1"
echo '{"status":"dead"}' >"$TMP/badstatus.json"
expect_call "reference: a bad status: 400" 400 '"field":"status"' PUT /v1/reference/persons/P1 "$KA" "$TMP/badstatus.json"
expect_call "reference: unknown kind: 404" 404 'not_found' GET /v1/reference/planets/X "$KA"
expect_call "reference: unknown row: 404" 404 'not_found' GET /v1/reference/institutions/H00000000000 "$KA"

# ---------------------------------------------------------------- kb reload, audit
expect_call "kb reload: admin" 200 '"kb_version":"nhsa:' POST /v1/kb/reload "$KA"
expect_call "kb reload: an institution: 403" 403 'auth.forbidden' POST /v1/kb/reload "$K1"
expect_call "audit: read by an auditor, verified" 200 '"verified":true,.*"action":"settlement.put"' GET /v1/audit "wang:correct horse"
expect_call "audit: an institution: 403" 403 'auth.forbidden' GET /v1/audit "$K1"

# ---------------------------------------------------------------- limits
head -c 9000000 /dev/zero | tr '\0' ' ' >"$TMP/huge.json"
expect_call "body over max_body: 413" 413 '"code":"body.too_large"' POST /v1/settlements/check "$K1" "$TMP/huge.json"

python3 -c 'print("{\"status\":\"active\",\"x\":" + "[" * 40 + "]" * 40 + "}")' >"$TMP/deepref.json"
expect_call "reference: too deep: 400 json.depth" 400 '"code":"json.depth"' PUT /v1/reference/staff/D430102000125 "$KA" "$TMP/deepref.json"

# ---------------------------------------------------------------- slow clients
exec 7<>/dev/tcp/127.0.0.1/$PORT
printf 'POST /v1/settlements/check HTTP/1.1\r\nHost: x\r\n' >&7
if timeout 8 cat <&7 >/dev/null; then ok "a stalled request is closed after conn_timeout"; else bad "a stalled request is closed after conn_timeout" "still open after 8 s"; fi
exec 7<&-

# ---------------------------------------------------------------- malformed-request corpus
mkdir -p "$TMP/corpus"
printf '' >"$TMP/corpus/empty"
printf '{' >"$TMP/corpus/open"
printf '[]' >"$TMP/corpus/array"
printf 'null' >"$TMP/corpus/null"
printf '"x"' >"$TMP/corpus/string"
printf '{"input": 5}' >"$TMP/corpus/input_number"
printf '{"infno": "2207", "input": {"setlinfo": []}}' >"$TMP/corpus/setlinfo_array"
printf '{"feedetail": [{"cnt": {"a": 1}}]}' >"$TMP/corpus/cnt_object"
printf '{"a":1,"a":2}' >"$TMP/corpus/dup_keys"
python3 -c 'print("[" * 5000 + "]" * 5000)' >"$TMP/corpus/deep"
head -c 4096 /dev/urandom >"$TMP/corpus/random"
printf '{"psninfo": {"psn_no": "\xff\xfe"}}' >"$TMP/corpus/bad_utf8"
cp tests/data/bad/json_*.json "$TMP/corpus/"
n4=0
nall=0
for f in "$TMP/corpus/"*; do
    for path in /v1/settlements/check /v1/settlements /v1/inventory /nhsa/2207 /nhsa/3505 /v1/reference/staff/D430102000123; do
        m=POST
        [[ $path == /v1/reference/* ]] && m=PUT
        call $m $path "$KA" "$f"
        nall=$((nall + 1))
        if [[ $CODE == 4* ]] || { [[ $path == /nhsa/* ]] && [ "$CODE" = 200 ] && grep -q '"infcode":-1' <<<"$BODY"; }; then
            n4=$((n4 + 1))
        else
            echo "     $path $(basename "$f"): $CODE ${BODY:0:200}"
        fi
    done
done
[ "$n4" = "$nall" ] && ok "corpus: every malformed request is refused ($nall)" || bad "corpus: every malformed request is refused" "$n4 of $nall"
expect_call "corpus: the server is still up" 200 '"status":"ok"' GET /healthz -

# ---------------------------------------------------------------- SIGTERM
# A request still uploading when SIGTERM comes is finished and answered before the server exits.
curl -s -o "$TMP/inflight" -w '%{http_code}' --limit-rate 2K -H "Authorization: Bearer $K1" \
    --data-binary @$S/check_request_env.json "http://127.0.0.1:$PORT/v1/settlements/check" \
    >"$TMP/inflight.code" &
CURL=$!
sleep 0.7
stop
wait "$CURL"
if [ "$(cat "$TMP/inflight.code")" = 200 ] && grep -q '"decision"' "$TMP/inflight"; then
    ok "SIGTERM: the request in flight is answered"
else
    bad "SIGTERM: the request in flight is answered" "$(cat "$TMP/inflight.code") $(head -c 300 "$TMP/inflight")"
fi
[ "$STOP_RC" = 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit 0" "exit $STOP_RC" "$(tail -5 "$TMP/serve.log")"
expect_grep "audit verify: the chain is sound" 0 '^[0-9]+ entries, head [0-9a-f]{64}$' 1 -- "$FG" audit verify "${DB_ARGS[@]}"

# ---------------------------------------------------------------- rate limits
start --rate 1 --burst 3
for _ in 1 2 3; do call GET /v1/alerts "$K1"; done
call GET /v1/alerts "$K1"
check "rate: the fourth call at once: 429" 429 '"code":"rate_limited"'
ra=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $K1" "http://127.0.0.1:$PORT/v1/alerts" | tr -d '\r' | sed -n 's/^Retry-After: //p')
[ -n "$ra" ] && [ "$ra" -ge 1 ] && ok "rate: Retry-After says when" || bad "rate: Retry-After says when" "'$ra'"
call GET /v1/alerts "$K2"
check "rate: another key has its own budget" 200
stop

# ---------------------------------------------------------------- SIGKILL during a stream
python3 - "$TMP/stream" <<'EOF'
import json, os, sys
os.makedirs(sys.argv[1], exist_ok=True)
for i in range(60):
    doc = {"setlinfo": {"setl_id": "K%05d" % i, "mdtrt_id": "MK%05d" % i, "psn_no": "P%05d" % i,
                        "fixmedins_code": "H43010200012", "setl_time": "2025-07-02 10:00:00",
                        "medfee_sumamt": "12.50"},
           "feedetail": [{"feedetl_sn": "FK%05d" % i, "mdtrt_id": "MK%05d" % i, "psn_no": "P%05d" % i,
                          "fee_ocur_time": "2025-07-02 10:00:00", "med_list_codg": "XJ01CAA040E001010100955",
                          "det_item_fee_sumamt": "12.50", "cnt": "1", "pric": "12.50",
                          "drug_trac_info": [{"drug_trac_codg": "8%019d" % (9100000000000000000 + i)}]}]}
    json.dump(doc, open("%s/%02d.json" % (sys.argv[1], i), "w"))
EOF
start
: >"$TMP/acked"
(
    for f in "$TMP/stream/"*.json; do
        c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $K1" \
            --data-binary "@$f" "http://127.0.0.1:$PORT/v1/settlements")
        [ "$c" = 201 ] && basename "$f" .json >>"$TMP/acked"
    done
) &
STREAM=$!
sleep 0.4
kill -KILL "$PID"
wait "$PID" 2>/dev/null
wait "$STREAM"
nacked=$(wc -l <"$TMP/acked")
start
missing=0
doubled=0
while read -r i; do
    code=$(printf '8%019d' $((9100000000000000000 + 10#$i)))
    call GET "/v1/settlements/K000$i" "$K1"
    [ "$CODE" = 200 ] || missing=$((missing + 1))
    call GET "/v1/trace/$code" "$K1"
    grep -q '"sales":1,.*"events":1,' <<<"$BODY" || doubled=$((doubled + 1))
done <"$TMP/acked"
[ "$missing" = 0 ] && ok "SIGKILL: no acknowledged settlement missing ($nacked acknowledged)" || bad "SIGKILL: no acknowledged settlement missing" "$missing of $nacked"
# The client retries everything: acknowledged ones are replayed, the rest applied, none doubled.
for f in "$TMP/stream/"*.json; do call POST /v1/settlements "$K1" "$f"; done
for i in $(seq 0 59); do
    call GET "/v1/trace/$(printf '8%019d' $((9100000000000000000 + i)))" "$K1"
    grep -q '"sales":1,.*"events":1,' <<<"$BODY" || doubled=$((doubled + 1))
done
[ "$doubled" = 0 ] && ok "SIGKILL: after restart and retry, every sale once" || bad "SIGKILL: after restart and retry, every sale once" "$doubled codes not exactly once"
stop

# ---------------------------------------------------------------- two servers, one ledger
# On a PostgreSQL ledger (serve_pg_ledger.sh) several servers share one ledger: a pack sold through
# server A and then again through server B is a duplicate on B, and A's trace look-up shows both.
if [ -n "${FG_TEST_PG_LEDGER_URL:-}" ]; then
    for x in A B; do
        sed "s/S2025070100001/S20250703TWO$x/; s/81234567890123456789/81234567890123459901/g" \
            $D/settlement.json >"$TMP/two$x.json"
    done
    sed -i "s/$H1/$H2/g" "$TMP/twoB.json"
    start
    PID_A=$PID PORT_A=$PORT
    start --data "$TMP/dataB"
    PID_B=$PID PORT_B=$PORT
    if [ -n "$PORT_A" ] && [ -n "$PORT_B" ] && [ "$PORT_A" != "$PORT_B" ]; then
        ok "two servers on one PostgreSQL ledger"
    else
        bad "two servers on one PostgreSQL ledger" "$(tail -n 3 "$TMP/serve.log")"
    fi
    PORT=$PORT_A
    expect_call "server A: the pack's first sale" 201 '"drug_trac_codg":"81234567890123459901","type":"sale","outcome":"first_sale"' \
        POST /v1/settlements "$K1" "$TMP/twoA.json"
    PORT=$PORT_B
    expect_call "server B: the same pack sold again: a duplicate" 201 \
        '"drug_trac_codg":"81234567890123459901","type":"sale","outcome":"duplicate","feedetl_sn":"[^"]*","kind":"other_institution"' \
        POST /v1/settlements "$K2" "$TMP/twoB.json"
    expect_call "server B: the duplicate is an alert" 200 '"code":"81234567890123459901"' GET "/v1/alerts?kind=duplicate&limit=1000" "$K2"
    PORT=$PORT_A
    expect_call "server A: the trace look-up sees B's sale" 200 \
        '"drug_trac_codg":"81234567890123459901","known":true,"sales":2,.*"setl_id":"S20250703TWOA".*"setl_id":"S20250703TWOB"' \
        GET /v1/trace/81234567890123459901 "$KA"
    [ ! -e "$DATA/ledger" ] && [ ! -e "$TMP/dataB/ledger" ] && ok "two servers: no embedded ledger in either data directory" ||
        bad "two servers: no embedded ledger in either data directory" "$(ls "$DATA" "$TMP/dataB")"
    kill -TERM "$PID_A" "$PID_B" 2>/dev/null
    wait "$PID_A" "$PID_B"
fi

# ---------------------------------------------------------------- audit tampering
sql() { # sql STATEMENT: run it on the store behind the server's back
    if [ -n "${FG_TEST_PG_URL:-}" ]; then
        psql -q "$FG_TEST_PG_URL" -c "$1" >/dev/null
    else
        sqlite3 "$DATA/fundguard.db" "$1"
    fi
}
sql "UPDATE fg_audit SET actor = 'someone' WHERE seq = 3"
expect_grep "audit verify: an altered entry is found" 1 '^broken at entry 3: ' 1 -- "$FG" audit verify "${DB_ARGS[@]}"
sql "DELETE FROM fg_audit WHERE seq = 2"
expect_grep "audit verify: a removed entry is found" 1 '^broken at entry 2: .*missing' 1 -- "$FG" audit verify "${DB_ARGS[@]}"

# ---------------------------------------------------------------- identity numbers at rest
scan_at_rest

finish
