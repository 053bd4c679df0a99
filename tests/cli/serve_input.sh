#!/usr/bin/env bash
# `fundguard serve` refuses bad input by its field: reference writes checked member by member
# (tests/data/serve/ref_cases.tsv) and negative amounts or counts outside a refund or return
# (tests/data/serve/sign_cases.tsv), each case a 400 naming the stable code and the field path; the
# same sign rules in `fundguard validate` over CSV, with file and line.
#
# Runs on SQLite; with FG_TEST_PG_URL (tests/cli/serve_pg.sh) again on PostgreSQL.
source "$(dirname "$0")/serve_lib.sh"

KA=$("$FG" key add --role admin "${DB_ARGS[@]}" 2>/dev/null)
K1=$("$FG" key add --role institution --fixmedins-code H43010200012 "${DB_ARGS[@]}" 2>/dev/null)
KP=$("$FG" key add --role institution --fixmedins-code P43010200007 "${DB_ARGS[@]}" 2>/dev/null)
start
[ -n "$PORT" ] && ok "serve: listening" || bad "serve: listening" "$(cat "$TMP/serve.log")"

# body BASE SPEC OUT: the request body: SPEC itself when BASE is -, else BASE with SPEC's
# assignments (a.b.0.c=JSON value; …) applied.
body() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
base, spec, out = sys.argv[1:4]
if base == "-":
    open(out, "w").write(spec)
    sys.exit(0)
doc = json.load(open(base))
for assignment in spec.split(";"):
    path, value = assignment.split("=", 1)
    keys = path.split(".")
    node = doc
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    last = keys[-1]
    node[int(last) if isinstance(node, list) else last] = json.loads(value)
json.dump(doc, open(out, "w"), ensure_ascii=False)
PY
}

# cases FILE: each row a request and what must answer it.
cases() {
    local name method path auth base spec want code field key
    while IFS=$'\t' read -r name method path auth base spec want code field; do
        [[ -z $name || $name == \#* ]] && continue
        case "$auth" in
        admin) key=$KA ;;
        pharmacy) key=$KP ;;
        *) key=$K1 ;;
        esac
        body "$base" "$spec" "$TMP/case.json"
        call "$method" "$path" "$key" "$TMP/case.json"
        if [ "$CODE" != "$want" ]; then
            bad "$name" "status $CODE, want $want" "body: ${BODY:0:400}"
        elif [[ $path == /nhsa/* ]] && ! grep -qF "\"infcode\":$code,\"err_msg\":\"$field: " <<<"$BODY"; then
            bad "$name" "want infcode $code and err_msg on $field" "body: ${BODY:0:400}"
        elif [[ $path != /nhsa/* ]] && ! grep -qF "\"code\":\"$code\",\"field\":\"$field\"" <<<"$BODY"; then
            bad "$name" "want code $code on field $field" "body: ${BODY:0:400}"
        else
            ok "$name"
        fi
    done <"$1"
}

# ---------------------------------------------------------------- reference writes
cases "$D/ref_cases.tsv"
# What every case above changed from: rows that are valid are written, and stored normalised.
echo '{"status":"active","fixmedins_name":"测试医院","admdvs":"430102","hosp_lv":"3"}' >"$TMP/ok.json"
expect_call "reference: a valid institution row" 200 '"status":"active"' PUT /v1/reference/institutions/H43010200098 "$KA" "$TMP/ok.json"
echo '{"status":"alive","gend":"1","brdy":"1990-03-07 00:00:00","certno":"430102199003071234"}' >"$TMP/ok.json"
expect_call "reference: a valid person row" 200 '"brdy":"1990-03-07"' PUT /v1/reference/persons/P3 "$KA" "$TMP/ok.json"
call GET /v1/reference/persons/P3 "$KA"
if [ "$CODE" = 200 ] && grep -q '"certno_masked":"4301\*\*\*\*\*\*\*\*\*\*1234"' <<<"$BODY" && ! grep -q 430102199003071234 <<<"$BODY"; then
    ok "reference: a person's resident ID is kept only as pseudonym and masked form"
else
    bad "reference: a person's resident ID is kept only as pseudonym and masked form" "${BODY:0:400}"
fi
echo '{"status":"listed","pack_units":"24","pric":"12.50","trace_required":"1"}' >"$TMP/ok.json"
expect_call "reference: a valid drug row, pack_units as a number" 200 '"pack_units":24[,}]' PUT /v1/reference/drugs/XA01ABD075A002010100483 "$KA" "$TMP/ok.json"

# ---------------------------------------------------------------- signs
cases "$D/sign_cases.tsv"
# Refunds and returns keep their signs: a refund settlement (refd_setl_flag 1) with negative
# amounts and a line naming the line it reverses, a 3506 return with its positive count.
python3 - "$D/settlement.json" "$TMP/refund.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["setlinfo"].update({"setl_id": "S2025070100399", "refd_setl_flag": "1", "init_setl_id": "S2025070100001", "medfee_sumamt": "-10.00"})
f = d["feedetail"][0]
f.update({"feedetl_sn": f["feedetl_sn"] + "R", "init_feedetl_sn": f["feedetl_sn"], "cnt": -1, "det_item_fee_sumamt": "-10.00"})
d["feedetail"] = [f]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
expect_call "a refund settlement with negative amounts is stored" 201 '"replayed":false' POST /v1/settlements "$K1" "$TMP/refund.json"
expect_call "a 3506 return with its positive count" 201 '"infno":3506' POST /v1/inventory "$KP" "$S/3506_sale_return_env.json"

# The same rule in the extraction tables, with file and line (fundguard validate).
printf '%s\n' 'bkkp_sn,mdtrt_id,setl_id,psn_no,fixmedins_code,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt,init_feedetl_sn' \
    'F1,M1,S1,P1,H43010200012,2025-07-01,001102000050000,1,10,10,' \
    'F2,M1,S1,P1,H43010200012,2025-07-01,001102000050000,-1,10,-10,' \
    'F3,M1,S1,P1,H43010200012,2025-07-01,001102000050000,-1,10,-10,F1' >"$TMP/fee_list_d.csv"
expect_grep "validate: a negative line that reverses none, with file and line" 3 \
    "^$TMP/fee_list_d.csv:3: cnt: .*\\[field\\.negative\\]\$" 1 -- "$FG" validate "$TMP/fee_list_d.csv"
stop
finish
