#!/usr/bin/env bash
# `fundguard serve`'s route table, walked from docs/openapi.yaml: every operation is called with a
# key of each role, and the answer is 403 auth.forbidden exactly when the operation's
# x-fundguard-roles leaves the role out (an operation without roles answers without a key); then
# each route's scope rule (x-fundguard-scope) with an institution key: `query`, another
# institution's fixmedins_code refused before anything is read; `own`, another institution's
# documents and rows refused and its events left out. tests/unit/t_serve.c holds the table and
# docs/openapi.yaml to each other.
source "$(dirname "$0")/serve_lib.sh"
H1=H43010200012 # the institution of the samples
H2=H43010200099 # another
ROLES=(institution reviewer leader admin auditor)
declare -A KEY
KEY[institution]=$("$FG" key add --role institution --fixmedins-code $H1 "${DB_ARGS[@]}" 2>/dev/null)
for r in reviewer leader admin auditor; do
    KEY[$r]=$("$FG" key add --role $r "${DB_ARGS[@]}" 2>/dev/null)
done
K2=$("$FG" key add --role institution --fixmedins-code $H2 "${DB_ARGS[@]}" 2>/dev/null)
KA=${KEY[admin]}
K1=${KEY[institution]}
start
[ -n "$PORT" ] && ok "serve: listening" || bad "serve: listening" "$(cat "$TMP/serve.log")"

# METHOD PATH ROLES SCOPE per operation (ROLES comma-separated, "" open).
python3 - docs/openapi.yaml >"$TMP/ops" <<'PY'
import re, sys
path = None
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("components:"):
        break
    m = re.match(r"^  (/\S*):$", line)
    if m:
        path = m.group(1)
        continue
    m = re.match(r"^    (get|post|put|delete|patch):$", line)
    if m and path:
        op = [m.group(1).upper(), path, "", ""]
        continue
    m = re.match(r"^      x-fundguard-roles: \[(.*)\]$", line)
    if m:
        op[2] = ",".join(r.strip() for r in m.group(1).split(",") if r.strip())
    m = re.match(r"^      x-fundguard-scope: (\S+)$", line)
    if m:
        op[3] = m.group(1)
        print("|".join(op))
PY
[ "$(wc -l <"$TMP/ops")" = 15 ] && ok "docs/openapi.yaml: 15 operations with roles and scope" ||
    bad "docs/openapi.yaml: 15 operations with roles and scope" "$(cat "$TMP/ops")"

# A concrete path of a pattern.
concrete() {
    local p=$1
    p=${p//\{setl_id\}/S404}
    p=${p//\{infno\}/2204}
    p=${p//\{kind\}/institutions}
    [[ $p == /v1/trace/* ]] && p=${p//\{code\}/81234567890123400404}
    p=${p//\{code\}/$H1}
    echo "$p"
}
echo '{}' >"$TMP/empty.json"

# ---------------------------------------------------------------- roles
while IFS='|' read -r method pattern roles scope; do
    path=$(concrete "$pattern")
    if [ -z "$roles" ]; then
        expect_call "$method $pattern: open, no key: 200" 200 '' "$method" "$path" -
        continue
    fi
    body=
    [ "$method" != GET ] && body="$TMP/empty.json"
    for role in "${ROLES[@]}"; do
        call "$method" "$path" "${KEY[$role]}" $body
        if [[ ",$roles," == *",$role,"* ]]; then
            if [ "$CODE" = 403 ] || [ "$CODE" = 401 ] || [ "$CODE" = 405 ]; then
                bad "$method $pattern: $role is allowed" "status $CODE" "body: ${BODY:0:300}"
            else
                ok "$method $pattern: $role is allowed ($CODE)"
            fi
        else
            check "$method $pattern: $role is refused: 403" 403 '"code":"auth.forbidden"'
        fi
    done
done <"$TMP/ops"

# ---------------------------------------------------------------- scope rules
grep -c '|query$' "$TMP/ops" | grep -qx 2 && ok "scope query: alerts and findings" ||
    bad "scope query: alerts and findings" "$(grep '|query$' "$TMP/ops")"
while IFS='|' read -r method pattern roles scope; do
    [ "$scope" = query ] || continue
    expect_call "$pattern: another institution's fixmedins_code: 403" 403 \
        '"code":"auth.forbidden","field":"fixmedins_code"' GET "$pattern?fixmedins_code=$H2" "$K1"
    expect_call "$pattern: its own: 200" 200 '"items":' GET "$pattern?fixmedins_code=$H1" "$K1"
    expect_call "$pattern: an officer names any: 200" 200 '"items":' GET "$pattern?fixmedins_code=$H2" "$KA"
done <"$TMP/ops"

# own: documents of another institution are refused on every route that takes one.
expect_call "POST /v1/settlements/check: another's document: 403" 403 '"field":"fixmedins_code"' \
    POST /v1/settlements/check "$K2" "$S/check_request_env.json"
expect_call "POST /v1/settlements: another's document: 403" 403 '"field":"fixmedins_code"' \
    POST /v1/settlements "$K2" "$D/settlement.json"
expect_call "POST /v1/inventory: another's document: 403" 403 '"field":"fixmedins_code"' \
    POST /v1/inventory "$K2" "$S/3503_purchase_env.json"
expect_call "POST /nhsa/{infno}: another's document: 403" 403 '"field":"fixmedins_code"' \
    POST /nhsa/2206 "$K2" "$S/2206_presettle_env.json"
# own: rows and events.
expect_call "the admin settles for $H1" 201 '"replayed":false' POST /v1/settlements "$KA" "$D/settlement.json"
expect_call "GET /v1/settlements/{setl_id}: its institution's: 200" 200 '"setl_id":"S2025070100001"' \
    GET /v1/settlements/S2025070100001 "$K1"
expect_call "GET /v1/settlements/{setl_id}: another's: 403" 403 '"field":"fixmedins_code"' \
    GET /v1/settlements/S2025070100001 "$K2"
expect_call "GET /v1/trace/{code}: its own events" 200 "\"fixmedins_code\":\"$H1\"" \
    GET /v1/trace/81234567890123456789 "$K1"
expect_call "GET /v1/trace/{code}: another's events are left out" 200 '"history":\[\]' \
    GET /v1/trace/81234567890123456789 "$K2"
echo '{"status": "active"}' >"$TMP/active.json"
expect_call "PUT /v1/reference/{kind}/{code}: $H1" 200 '"status":"active"' PUT /v1/reference/institutions/$H1 "$KA" "$TMP/active.json"
expect_call "PUT /v1/reference/{kind}/{code}: $H2" 200 '"status":"active"' PUT /v1/reference/institutions/$H2 "$KA" "$TMP/active.json"
expect_call "GET /v1/reference/{kind}/{code}: another's row: 403" 403 '"field":"fixmedins_code"' \
    GET /v1/reference/institutions/$H1 "$K2"
expect_call "GET /v1/reference/{kind}: its own rows" 200 "\"code\":\"$H2\"" GET /v1/reference/institutions "$K2"
grep -q "$H1" <<<"$BODY" && bad "GET /v1/reference/{kind}: no row of another" "$BODY" ||
    ok "GET /v1/reference/{kind}: no row of another"
expect_call "GET /v1/reference/{kind}: persons are the bureau's list: 403" 403 'auth.forbidden' \
    GET /v1/reference/persons "$K2"
stop
finish
