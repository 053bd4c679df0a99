#!/usr/bin/env bash
# screen_report.sh — the screen's report.html renders in headless Chromium with its SVG charts (a
# screenshot kept under the build directory, test-artefacts/screen-report.png, and the rendered
# DOM checked), opens from disk (nothing fetched), states every model's definition; findings.xlsx
# reads back with python3's zipfile (tests/cli/xlsx_check.py): sheets, Chinese headers, amounts
# equal to findings.jsonl's fen. Over a tiny generated region, and over a window with no finding.
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
art=$(cd "$(dirname "$FG")" && pwd)/test-artefacts
mkdir -p "$art"

browser() { # browser OUT_FLAG… URL: headless Chromium, no network, a fresh profile
    local profile
    profile=$(mktemp -d -p "$TMP")
    timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@" 2>>"$TMP/chromium.log"
}

yuan() { # fen → yuan with two decimals, from the integer (no float)
    local f=$1 s=""
    [ "${f#-}" != "$f" ] && { s=-; f=${f#-}; }
    printf '%s%d.%02d' "$s" $((f / 100)) $((f % 100))
}

"$FG" gen --out "$TMP/region" --scale tiny --seed 3 --persons 2000 >/dev/null 2>"$TMP/gen.log" ||
    bad "generate a tiny region" "$(tail -3 "$TMP/gen.log")"
expect "screen with findings exits 1" 1 "*" -- "$FG" screen --quiet --out "$TMP/out" "$TMP/region"
out=$TMP/out
for f in findings.jsonl summary.json report.html findings.xlsx; do
    if [ -s "$out/$f" ]; then ok "writes $f"; else bad "writes $f" "$(ls -la "$out")"; fi
done
nfind=$(jq '.findings' "$out/summary.json")
if [ "$nfind" -gt 0 ]; then ok "the region has findings ($nfind)"; else bad "the region has findings"; fi

# ---- report.html: self-contained, Chinese, the totals and every model's definition
html=$out/report.html
n=$(grep -ciE '(src|href)[[:space:]]*=|@import|url\(|<script|<link' "$html")
if [ "$n" = 0 ]; then ok "report.html refers to nothing outside itself"; else
    bad "report.html refers to nothing outside itself" "$(grep -iE 'src=|href=|@import|url\(|<script|<link' "$html" | head -3)"
fi
if iconv -f UTF-8 -t UTF-8 "$html" >/dev/null 2>&1; then ok "report.html is valid UTF-8"; else
    bad "report.html is valid UTF-8"; fi
total=$(yuan "$(jq '.amount' "$out/summary.json")")
if grep -q "涉及金额 <b>$total</b> 元" "$html"; then ok "total amount in yuan ($total)"; else
    bad "total amount in yuan ($total)" "$(grep -o '涉及金额 <b>[^<]*' "$html")"; fi
missing=
for m in $(jq -r '.models[].model' "$out/summary.json"); do
    zh=$(jq -r --arg m "$m" '.models[] | select(.model == $m) | .name_zh' "$out/summary.json")
    grep -q "<h3>$zh（$m）</h3>" "$html" || missing="$missing $m"
done
if [ -z "$missing" ]; then ok "every model's definition and thresholds"; else
    bad "every model's definition and thresholds" "missing:$missing"; fi

# ---- rendered in Chromium: a screenshot, and the charts in the DOM after rendering
rm -f "$art/screen-report.png"
browser --screenshot="$art/screen-report.png" --window-size=1200,2600 "file://$html" >/dev/null
if [ "$(head -c 8 "$art/screen-report.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
    [ "$(stat -c %s "$art/screen-report.png")" -gt 20000 ]; then
    ok "screenshot $art/screen-report.png"
else
    bad "screenshot" "$(tail -5 "$TMP/chromium.log")"
fi
browser --dump-dom "file://$html" >"$TMP/dom.html"
charts=$(grep -o '<svg class="fg-chart"' "$TMP/dom.html" | wc -l)
bars=$(grep -o '<rect class="fg-bar"' "$TMP/dom.html" | wc -l)
if [ "$charts" = 6 ]; then ok "six SVG charts rendered"; else
    bad "six SVG charts rendered" "found $charts; $(tail -3 "$TMP/chromium.log")"; fi
if [ "$bars" -gt 0 ]; then ok "bars drawn ($bars)"; else bad "bars drawn" "none"; fi
missing=
for id in model-count model-amount institution-count institution-amount month-count month-amount; do
    grep -q "<svg class=\"fg-chart\"[^>]*id=\"chart-$id\"" "$TMP/dom.html" || missing="$missing $id"
done
if [ -z "$missing" ]; then ok "charts by model, institution and month"; else
    bad "charts by model, institution and month" "missing:$missing"; fi

# ---- findings.xlsx read back
expect_grep "findings.xlsx reads back and matches findings.jsonl" 0 '^xlsx ok: ' 1 -- \
    python3 "$here/xlsx_check.py" "$out/findings.xlsx" "$out/findings.jsonl" "$out/summary.json"

# ---- nothing found: the report and workbook still open, the charts say 无数据
expect "no finding exits 0" 0 "*" -- "$FG" screen --quiet --from 2031-01-01 --out "$TMP/none" "$TMP/region"
browser --dump-dom "file://$TMP/none/report.html" >"$TMP/none.html"
if [ "$(grep -o '<svg class="fg-chart"' "$TMP/none.html" | wc -l)" = 6 ] && grep -q '无数据' "$TMP/none.html"; then
    ok "an empty report renders, its charts say 无数据"
else
    bad "an empty report renders" "$(head -c 300 "$TMP/none.html")"
fi
expect_grep "an empty findings.xlsx reads back" 0 '^xlsx ok: 0 model sheets' 1 -- \
    python3 "$here/xlsx_check.py" "$TMP/none/findings.xlsx" "$TMP/none/findings.jsonl" "$TMP/none/summary.json"
finish
