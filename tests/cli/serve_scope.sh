#!/usr/bin/env bash
# `fundguard serve` institution scoping: two institutions, A and B, each with its own patients,
# settlements, visits, fee lines, doctors and resident IDs, sell the same packs and buy in packs the
# other sold (duplicate and reflow alerts both ways). Then every endpoint is walked with each
# institution's key, and no body that key receives may hold any of the other's identifiers; the
# bureau's roles (admin, reviewer, leader, auditor) see both. Last, nothing kept at rest holds a
# resident ID the suite sent (scan_at_rest).
#
# Runs on SQLite; tests/cli/serve_pg.sh runs it again on PostgreSQL (FG_TEST_PG_URL).
source "$(dirname "$0")/serve_lib.sh"

A=H43010200012
B=H43010200099
# Per institution: documents in $TMP/<inst>.*.json, and the identifiers that are its alone in
# $TMP/<inst>.ids (one a line: what the other institution must never receive).
python3 - "$D/settlement.json" "$S/3503_purchase_env.json" "$TMP" <<'EOF'
import copy, json, sys
base = json.load(open(sys.argv[1]))
purchase = json.load(open(sys.argv[2]))
tmp = sys.argv[3]
GS1 = "(01)06901234567892(17)270511(10)240512(21)SN000123"
inst = {
    "A": dict(code="H43010200012", setl="S20250701000", mdtrt="M20250701000", fee="F2025070100000",
              psn="43000000000000000000012345", dr="D430102000123", certno="430102199003071218",
              drcert="430102197501010013", name="张三", day="2025-07-01", own=GS1,
              sells=["81234567890123450555", "81234567890123450777"], buys="81234567890123450777"),
    "B": dict(code="H43010200099", setl="SB2025063000", mdtrt="MB2025063000", fee="FB2025063000000",
              psn="43000000000000000000099001", dr="D430102000991", certno="430102198002020027",
              drcert="11010519491231002X", name="李四", day="2025-06-30",
              own="81234567890123450777", sells=[GS1], buys="81234567890123450555"),
}

def settlement(i, n, day):
    d = copy.deepcopy(base)
    setl, mdtrt = "%s%03d" % (i["setl"], n), "%s%03d" % (i["mdtrt"], n)
    d["psninfo"].update(psn_no=i["psn"], certno=i["certno"], psn_name=i["name"])
    d["fixmedins"]["fixmedins_code"] = i["code"]
    d["mdtrtinfo"].update(mdtrt_id=mdtrt, psn_no=i["psn"], fixmedins_code=i["code"],
                          chfpdr_code=i["dr"], begntime=day + " 09:05:31", mdtrt_cert_type="02",
                          mdtrt_cert_no=i["certno"])
    for x in d["diseinfo"]:
        x["dise_dor_no"] = i["dr"]
    for k, f in enumerate(d["feedetail"]):
        f.update(feedetl_sn="%s%d%02d" % (i["fee"], n, k + 1), mdtrt_id=mdtrt, psn_no=i["psn"],
                 bilg_dr_codg=i["dr"], fee_ocur_time=day + " 09:15:00")
        if k == 2:  # the third line's pack: first sold here
            f["drug_trac_info"] = [{"drug_trac_codg": i["own"], "trdn_flag": "0"}]
    d["setlinfo"].update(setl_id=setl, mdtrt_id=mdtrt, psn_no=i["psn"], fixmedins_code=i["code"],
                         setl_time=day + " 09:20:00")
    return d, [setl, mdtrt] + [f["feedetl_sn"] for f in d["feedetail"]]

for name, i in inst.items():
    ids = [i["code"], i["psn"], i["dr"], i["certno"], i["drcert"], i["certno"][:4] + "*" * 10 + i["certno"][14:]]
    main, more = settlement(i, 1, i["day"])
    ids += more
    json.dump(main, open("%s/%s.settle.json" % (tmp, name), "w"), ensure_ascii=False)
    # a second settlement, in the platform's envelope: packs the other sold before (duplicates), or
    # that the other buys in after (reflow)
    second, more = settlement(i, 2, "2025-07-02")
    ids += more
    second["feedetail"] = second["feedetail"][1:2]
    second["feedetail"][0]["drug_trac_info"] = [{"drug_trac_codg": c, "trdn_flag": "0"} for c in i["sells"]]
    env = {"infno": "2207", "msgid": i["code"] + "202507020920000001", "fixmedins_code": i["code"],
           "inf_time": "2025-07-02 09:20:00", "opter": i["dr"], "input": second}
    json.dump(env, open("%s/%s.nhsa2207.json" % (tmp, name), "w"), ensure_ascii=False)
    # a purchase (3503) of a pack the other institution sold to its patient: 回流药
    p = copy.deepcopy(purchase)
    p.update(fixmedins_code=i["code"], msgid=i["code"] + "202507031405000101", opter=i["dr"])
    line = p["input"]["purcinfo"][0]
    line.update(purc_retn_stoin_time="2025-07-03 14:00:00", purc_retn_cnt="1")
    line["drugtracinfo"] = [{"drug_trac_codg": i["buys"]}]
    json.dump(p, open("%s/%s.purchase.json" % (tmp, name), "w"), ensure_ascii=False)
    json.dump({"status": "active", "fixmedins_code": i["code"], "certno": i["drcert"],
               "staff_name": i["name"] + "医生"}, open("%s/%s.staff.json" % (tmp, name), "w"),
              ensure_ascii=False)
    json.dump({"status": "deceased", "die_date": "2025-07-05", "certno": i["certno"]}, open("%s/%s.person.json" % (tmp, name), "w"), ensure_ascii=False)
    open("%s/%s.ids" % (tmp, name), "w").write("\n".join(ids) + "\n")
EOF
echo '{"status":"active","begin_date":"2025-01-01"}' >"$TMP/agreement.json"

KEY_A=$("$FG" key add --role institution --fixmedins-code $A "${DB_ARGS[@]}" 2>/dev/null)
KEY_B=$("$FG" key add --role institution --fixmedins-code $B "${DB_ARGS[@]}" 2>/dev/null)
KA=$("$FG" key add --role admin "${DB_ARGS[@]}" 2>/dev/null)
KR=$("$FG" key add --role reviewer "${DB_ARGS[@]}" 2>/dev/null)
KL=$("$FG" key add --role leader "${DB_ARGS[@]}" 2>/dev/null)
echo "correct horse" | "$FG" user add zhao --role auditor "${DB_ARGS[@]}" >/dev/null 2>&1
AUDITOR="zhao:correct horse"
# The pseudonyms are made under the configured key (a bad key file stops the server: exit 2).
printf 'not a key\n' >"$TMP/bad.key"
expect "serve: a bad pseudonym_key_file stops it" 2 "" -- "$FG" serve "${DB_ARGS[@]}" --kb kb --port 0 --pseudonym-key-file "$TMP/bad.key"
PSEUDONYM_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
echo "$PSEUDONYM_KEY" >"$TMP/pseudonym.key"
start --pseudonym-key-file "$TMP/pseudonym.key"
[ -n "$PORT" ] && ok "serve: listening" || bad "serve: listening" "$(cat "$TMP/serve.log")"

# scoped NAME INST WANT_CODE METHOD PATH [BODY]: call with INST's key (A or B); the answer has the
# status wanted and none of the other institution's identifiers.
scoped() {
    local name=$1 who=$2 want=$3 key=$KEY_A other=B
    shift 3
    if [ "$who" = B ]; then
        key=$KEY_B
        other=A
    fi
    call "$1" "$2" "$key" "${3:-}"
    local leaked
    leaked=$(grep -oFf "$TMP/$other.ids" <<<"$BODY" | sort -u | tr '\n' ' ')
    if [ "$CODE" != "$want" ]; then
        bad "$who: $name" "status $CODE, want $want" "body: ${BODY:0:400}"
    elif [ -n "$leaked" ]; then
        bad "$who: $name: none of $other's identifiers" "found: $leaked" "body: ${BODY:0:600}"
    else
        ok "$who: $name"
    fi
}

# ---------------------------------------------------------------- the bureau's reference rows
for X in A B; do
    code=$A dr=D430102000123 psn=43000000000000000000012345
    [ $X = B ] && code=$B dr=D430102000991 psn=43000000000000000000099001
    expect_call "admin: $X's agreement" 200 '"status":"active"' PUT /v1/reference/institutions/$code "$KA" "$TMP/agreement.json"
    expect_call "admin: $X's doctor" 200 '"status":"active"' PUT /v1/reference/staff/$dr "$KA" "$TMP/$X.staff.json"
done

hmac() { python3 -c 'import hmac, sys; print(hmac.new(bytes.fromhex(sys.argv[1]), sys.argv[2].encode(), "sha256").hexdigest())' "$@"; }
expect_call "a doctor's certno: kept as the pseudonym under the configured key" 200 \
    "\"certno_hash\":\"$(hmac $PSEUDONYM_KEY 430102197501010013)\",\"certno_masked\":\"4301\*{10}0013\"" \
    GET /v1/reference/staff/D430102000123 "$KA"

# ---------------------------------------------------------------- what each institution sends
# B sells first (2025-06-30), then A sells two of the same packs: A's duplicates cite B's sales.
scoped "settlement: stored" B 201 POST /v1/settlements "$TMP/B.settle.json"
scoped "settlement: duplicates of B's sales" A 201 POST /v1/settlements "$TMP/A.settle.json"
grep -q '"outcome":"duplicate".*"kind":"other_institution"' <<<"$BODY" && ok "A: told the pack was sold elsewhere" || bad "A: told the pack was sold elsewhere" "$BODY"
for X in A B; do
    scoped "settlement again: replayed" $X 200 POST /v1/settlements "$TMP/$X.settle.json"
    scoped "nhsa 2207: a pack the other sold" $X 200 POST /nhsa/2207 "$TMP/$X.nhsa2207.json"
done
for X in A B; do
    scoped "inventory 3503: a pack the other sold (reflow)" $X 201 POST /v1/inventory "$TMP/$X.purchase.json"
    grep -q '"outcome":"reflow_purchase"' <<<"$BODY" && ok "$X: the reflow is raised" || bad "$X: the reflow is raised" "$BODY"
    scoped "inventory again: replayed" $X 200 POST /v1/inventory "$TMP/$X.purchase.json"
    scoped "nhsa 3503 again" $X 200 POST /nhsa/3503 "$TMP/$X.purchase.json"
    scoped "check" $X 200 POST /v1/settlements/check "$TMP/$X.settle.json"
    scoped "nhsa 2204" $X 200 POST /nhsa/2204 "$TMP/$X.settle.json"
done
for X in A B; do
    code=$A psn=43000000000000000000012345
    [ $X = B ] && code=$B psn=43000000000000000000099001
    expect_call "admin: a death $X reported" 200 '"status":"deceased"' PUT /v1/reference/persons/$psn "$KA" "$TMP/$X.person.json"
done

# ---------------------------------------------------------------- every read, by each institution
for X in A B; do
    if [ $X = A ]; then
        own=$A other=$B own_setl=S20250701000001 other_setl=SB2025063000001 dr=D430102000123 other_dr=D430102000991
        psn=43000000000000000000012345
    else
        own=$B other=$A own_setl=SB2025063000001 other_setl=S20250701000001 dr=D430102000991 other_dr=D430102000123
        psn=43000000000000000000099001
    fi
    scoped "settlement get" $X 200 GET /v1/settlements/$own_setl
    scoped "settlement get: the other's: refused" $X 403 GET /v1/settlements/$other_setl
    for code in 81234567890123456789 81234567890123456790 81234567890123450555 81234567890123450777 \
        '(01)06901234567892(17)270511(10)240512(21)SN000123'; do
        scoped "trace $code" $X 200 GET "/v1/trace/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$code")"
    done
    scoped "alerts" $X 200 GET /v1/alerts
    n=$(grep -o '"same_institution":false' <<<"$BODY" | wc -l)
    [ "$n" -ge 2 ] && grep -q '"prior":\[{"time":"[0-9-]* [0-9:]*","units":[0-9]*,"same_institution":false}' <<<"$BODY" &&
        ok "$X: an alert says when and how much was sold elsewhere, and nothing else" ||
        bad "$X: an alert says when and how much was sold elsewhere, and nothing else" "${BODY:0:600}"
    for q in kind=duplicate kind=reflow_purchase limit=1 "from=2025-01-01%2000:00:00"; do
        scoped "alerts ?$q" $X 200 GET "/v1/alerts?$q"
    done
    scoped "alerts: the other's filter: refused" $X 403 GET "/v1/alerts?fixmedins_code=$other"
    scoped "findings" $X 200 GET /v1/findings
    scoped "findings: the other's filter: refused" $X 403 GET "/v1/findings?fixmedins_code=$other"
    scoped "reference: staff" $X 200 GET /v1/reference/staff
    scoped "reference: own doctor" $X 200 GET /v1/reference/staff/$dr
    scoped "reference: the other's doctor: refused" $X 403 GET /v1/reference/staff/$other_dr
    scoped "reference: institutions" $X 200 GET /v1/reference/institutions
    scoped "reference: own agreement" $X 200 GET /v1/reference/institutions/$own
    scoped "reference: the other's agreement: refused" $X 403 GET /v1/reference/institutions/$other
    scoped "reference: persons are looked up, not listed" $X 403 GET /v1/reference/persons
    scoped "reference: own patient" $X 200 GET /v1/reference/persons/$psn
    scoped "reference: drugs" $X 200 GET /v1/reference/drugs
    scoped "kb reload: refused" $X 403 POST /v1/kb/reload
    scoped "audit: refused" $X 403 GET /v1/audit
    scoped "healthz" $X 200 GET /healthz
    scoped "metrics" $X 200 GET /metrics
    scoped "unknown path" $X 404 GET /v1/nothing
done

# ---------------------------------------------------------------- the bureau sees everything
for role in admin reviewer leader auditor; do
    case $role in
    admin) auth=$KA ;;
    reviewer) auth=$KR ;;
    leader) auth=$KL ;;
    auditor) auth=$AUDITOR ;;
    esac
    expect_call "$role: alerts hold both institutions' evidence" 200 \
        '"setl_id":"SB2025063000001".*"setl_id":"S20250701000001"|"setl_id":"S20250701000001".*"setl_id":"SB2025063000001"' \
        GET "/v1/alerts?limit=1000" "$auth"
    grep -q '"psn_no":"43000000000000000000099001"' <<<"$BODY" && ! grep -q same_institution <<<"$BODY" &&
        ok "$role: the evidence in full" || bad "$role: the evidence in full" "${BODY:0:600}"
    expect_call "$role: a code's whole history" 200 "\"fixmedins_code\":\"$B\".*\"fixmedins_code\":\"$A\"" \
        GET /v1/trace/81234567890123456789 "$auth"
    expect_call "$role: persons listed" 200 '43000000000000000000012345.*43000000000000000000099001' \
        GET /v1/reference/persons "$auth"
    expect_call "$role: findings of both" 200 "$A.*$B|$B.*$A" GET "/v1/findings?limit=1000" "$auth"
    expect_call "$role: a settlement of either" 200 '"setl_id":"SB2025063000001"' GET /v1/settlements/SB2025063000001 "$auth"
done
for role in reviewer leader auditor; do
    case $role in
    reviewer) auth=$KR ;;
    leader) auth=$KL ;;
    auditor) auth=$AUDITOR ;;
    esac
    expect_call "$role: submits nothing" 403 'auth.forbidden' POST /v1/settlements "$auth" "$TMP/A.settle.json"
done
stop

# ---------------------------------------------------------------- identity numbers at rest
scan_at_rest

finish
