#!/usr/bin/env bash
# screen.sh — `fundguard screen` as a whole: the same findings from UTF-8 and GBK input and from one
# directory or the same data split by month; a missing optional file switches models off with the
# reason; a missing required column names file and column; a malformed row is reported with file,
# line and column and skipped, or fatal with --strict; usage errors; --truth scores the findings.
source "$(dirname "$0")/lib.sh"

gen="$TMP/utf8"
"$FG" gen --out "$gen" --scale tiny --seed 7 >/dev/null 2>&1 || bad "gen utf8" "fundguard gen failed"
"$FG" gen --out "$TMP/gbk" --scale tiny --seed 7 --encoding gbk >/dev/null 2>&1 ||
    bad "gen gbk" "fundguard gen failed"

run() { # run NAME OUT ARGS… : the screen must exit 1 (findings)
    local name=$1 out=$2
    shift 2
    "$FG" screen --quiet --out "$out" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
    local rc=$?
    if [ "$rc" = 1 ] && [ -s "$out/findings.jsonl" ]; then
        ok "$name"
    else
        bad "$name" "exit $rc" "stderr: $(head -c 600 "$TMP/stderr")"
    fi
}

same() { # same NAME A B : two findings files byte-identical
    if cmp -s "$2" "$3"; then ok "$1"; else bad "$1" "$(diff "$2" "$3" | head -5)"; fi
}

run "screen utf8" "$TMP/o-utf8" "$gen"
run "screen gbk" "$TMP/o-gbk" "$TMP/gbk"
same "gbk gives the same findings as utf-8" "$TMP/o-utf8/findings.jsonl" "$TMP/o-gbk/findings.jsonl"

# The same data split by month: each extraction table and feed by its date, the reference files in
# every month's directory (as a bureau's monthly export has them).
split_csv() { # split_csv FILE COLUMN : rows into $TMP/m/MM/FILE by the month of COLUMN
    awk -F, -v col="$2" -v out="$TMP/m" -v name="$(basename "$1")" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; h = $0; next }
        { m = substr($c, 6, 2); f = out "/" m "/" name
          if (!(f in seen)) { seen[f] = 1; system("mkdir -p " out "/" m); print h > f }
          print >> f }' "$1"
}
split_csv "$gen/setl_d.csv" setl_time
split_csv "$gen/mdtrt_d.csv" begntime
split_csv "$gen/fee_list_d.csv" fee_ocur_time
split_csv "$gen/invoices.csv" invoice_date
# diagnoses and operations follow their settlement's month
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "setl_time") c = i; next }
         { print $1 "," substr($c, 6, 2) }' "$gen/setl_d.csv" >"$TMP/setl_month"
for t in setl_list_diag_d setl_list_oprn_d; do
    awk -F, -v out="$TMP/m" -v name="$t.csv" '
        FNR == NR { mon[$1] = $2; next }
        FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "setl_id") c = i; h = $0; next }
        { m = mon[$c]; f = out "/" m "/" name
          if (!(f in seen)) { seen[f] = 1; print h > f }
          print >> f }' "$TMP/setl_month" "$gen/$t.csv"
done
for f in ledger_events inventory; do
    awk -v out="$TMP/m" -v name="$f.jsonl" '{
        if (match($0, /"(time|purc_retn_stoin_time|invdate|sel_retn_time)":"[0-9]{4}-[0-9]{2}/)) {
            s = substr($0, RSTART, RLENGTH); m = substr(s, length(s) - 1, 2) } else m = "00"
        if (m == "00" || s ~ /"2024-/) m = "01"
        if (s ~ /"2026-/) m = "12"
        print >> (out "/" m "/" name) }' "$gen/$f.jsonl"
done
for d in "$TMP"/m/*/; do
    for f in persons institutions staff catalogue deaths injuries suspensions; do
        cp "$gen/$f.csv" "$d"
    done
done
run "screen split by month" "$TMP/o-split" "$TMP"/m/*/
same "split by month gives the same findings" "$TMP/o-utf8/findings.jsonl" \
    "$TMP/o-split/findings.jsonl"
run "screen in small partitions" "$TMP/o-part" --memory 1 "$gen"
same "partitions give the same findings" "$TMP/o-utf8/findings.jsonl" "$TMP/o-part/findings.jsonl"

# A missing optional file switches off the models needing it, and the summary says why.
mkdir -p "$TMP/nodeaths"
for f in "$gen"/*; do ln -s "$f" "$TMP/nodeaths/"; done
rm "$TMP/nodeaths/deaths.csv"
run "screen without deaths.csv" "$TMP/o-nod" "$TMP/nodeaths"
expect_grep "summary: after_death off and why" 0 \
    '"model":"after_death","name_zh":"[^"]*","enabled":false,"findings":0,"amount":0,"why":"deaths.csv missing in every input"' 1 -- \
    cat "$TMP/o-nod/summary.json"
expect_grep "no after_death finding without deaths" 1 '"after_death"' 0 -- \
    grep -c '"model":"after_death"' "$TMP/o-nod/findings.jsonl"

# A missing required column: file and column named, exit 3.
mkdir -p "$TMP/nocol"
cut -d, -f2- "$gen/setl_d.csv" >"$TMP/nocol/setl_d.csv"
cp "$gen/deaths.csv" "$TMP/nocol/"
expect_grep "missing column named" 3 'setl_d.csv: setl_id.*\[csv.missing_column\]' 1 -- \
    sh -c "'$FG' screen --quiet --out '$TMP/o-nocol' '$TMP/nocol' 2>&1"

# A malformed row: reported with file, line, column; skipped, or fatal with --strict.
mkdir -p "$TMP/badrow"
for f in setl_d deaths persons; do cp "$gen/$f.csv" "$TMP/badrow/"; done
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "medfee_sumamt") c = i }
                  NR == 3 { $c = "12.345" } { print }' "$gen/setl_d.csv" >"$TMP/badrow/setl_d.csv"
expect_grep "bad row reported with line and column" 1 \
    'setl_d.csv: line 3, column [0-9]+ \(medfee_sumamt\).*\[money.precision\]' 1 -- \
    sh -c "'$FG' screen --quiet --models after_death --out '$TMP/o-bad' '$TMP/badrow' 2>&1"
expect_grep "bad row counted in the summary" 0 '"kind":"setl_d","encoding":"utf-8","rows":[0-9]+,"bad_rows":1,' 1 -- \
    cat "$TMP/o-bad/summary.json"
expect_grep "--strict stops at the bad row" 3 'line 3, column [0-9]+' 2 -- \
    sh -c "'$FG' screen --quiet --strict --models after_death --out '$TMP/o-strict' '$TMP/badrow' 2>&1"

# Usage.
expect "unknown model" 2 "" -- "$FG" screen --models nosuch --out "$TMP/o-u" "$gen"
expect "bad threshold" 2 "" -- "$FG" screen --set after_death.grace_days=x --out "$TMP/o-u" "$gen"
expect "no directory" 2 "" -- "$FG" screen
expect_grep "--params lists the thresholds" 0 '^after_death\.grace_days=0 ' 1 -- "$FG" screen --params

# No finding: exit 0; an empty directory of known files is not an error.
mkdir -p "$TMP/clean"
head -1 "$gen/setl_d.csv" >"$TMP/clean/setl_d.csv"
cp "$gen/deaths.csv" "$TMP/clean/"
expect "no finding exits 0" 0 "*" -- "$FG" screen --quiet --out "$TMP/o-clean" "$TMP/clean"

# --truth scores per model.
expect_grep "--truth scores after_death" 1 '^after_death +4 +4 +1\.000 +4 +4 +1\.000' 1 -- \
    "$FG" screen --quiet --models after_death --truth "$gen/truth.csv" --out "$TMP/o-t" "$gen"
finish
