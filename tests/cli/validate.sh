#!/usr/bin/env bash
# `fundguard validate`: every shipped sample is valid; bad inputs give one line per error with the
# file, line and field, a stable code, and exit 3; usage errors exit 2.
source "$(dirname "$0")/lib.sh"
S=tests/data/samples
B=tests/data/bad

expect "all samples are valid" 0 "" -- "$FG" validate "$S"/*.csv "$S"/*.json "$S"/*.jsonl
expect_grep "samples summary on stderr" 0 '^validate: [0-9]+ files, [0-9]+ records, 0 errors$' 0 -- \
    "$FG" validate "$S"/setl_d.csv
if "$FG" validate "$S"/setl_d.csv 2>&1 >/dev/null | grep -qE '^validate: 1 file, 3 records, 0 errors$'; then
    ok "summary counts records"
else
    bad "summary counts records" "$("$FG" validate "$S"/setl_d.csv 2>&1)"
fi

# Ten different bad fields: ten lines `file:line: field: message [code]`, exit 3.
f=$B/fee_list_d_ten_errors.csv
expect_grep "ten bad fields give ten errors" 3 "^$f:[0-9]+: [a-z_]+: .+ \[[a-z_.]+\]$" 10 -- \
    "$FG" validate "$f"
"$FG" validate "$f" 2>/dev/null | sed -E 's/^[^:]+:([0-9]+): ([a-z_]+): .*/\1 \2/' >"$TMP/fields"
if [ "$(sort -u -k2 "$TMP/fields" | wc -l)" = 10 ]; then
    ok "the ten errors name ten different fields"
else
    bad "the ten errors name ten different fields" "$(cat "$TMP/fields")"
fi
expect "--quiet prints nothing on stdout" 3 "" -- "$FG" validate --quiet "$f"

# A resident ID in a bad row is never printed in full.
expect_grep "bad resident ID is masked" 3 '[0-9]{17}[0-9Xx]' 0 -- "$FG" validate "$B"/setl_d_bad_certno.csv

# JSON documents: errors carry the JSON path as the field.
expect_grep "bad JSON fields, each with its path" 3 \
    '^tests/data/bad/json_fields_env.json: input\.feedetail\[[0-9]\]\.[^:]+: .* \[[a-z_.]+\]$' 4 -- \
    "$FG" validate "$B"/json_fields_env.json
expect_grep "a JSON trace code error names its path" 3 \
    'feedetail\[2\]\.drug_trac_info\[1\]\.drug_trac_codg: .*\[trace_code\.format\]' 1 -- \
    "$FG" validate "$B"/json_fields_env.json
for j in "$B"/json_*.json; do
    "$FG" validate "$j" >/dev/null 2>&1
    rc=$?
    if [ $rc = 3 ]; then ok "$(basename "$j") is refused"; else bad "$(basename "$j") is refused" "exit $rc"; fi
done

# Kinds: by --kind, by name, by header.
cp "$S"/fee_list_d.csv "$TMP"/export.csv
expect "kind from the header" 0 "" -- "$FG" validate "$TMP"/export.csv
expect "--kind names the table" 0 "" -- "$FG" validate --kind fee_list_d "$TMP"/export.csv
expect_grep "--kind of the wrong table" 3 ':1: [a-z_]+: .*\[csv\.missing_column\]$' 2 -- \
    "$FG" validate --kind setl_d "$TMP"/export.csv
printf 'a,b,c\n1,2,3\n' >"$TMP"/unknown.csv
expect_grep "unknown header" 3 'csv\.header' 1 -- "$FG" validate "$TMP"/unknown.csv

# Ledger events, by name or --kind ledger.
printf '%s\n' '{"type":"sale","drug_trac_codg":"81234567890123456789","fixmedins_code":"P43010200001","time":"2025-07-01 10:00:00","trdn_flag":"0"}' \
    '{"type":"sell","drug_trac_codg":"81234567890123456789","fixmedins_code":"P43010200001","time":"2025-07-01 10:00:00"}' \
    >"$TMP"/ledger_events.jsonl
expect_grep "ledger events: one bad line" 3 "ledger_events.jsonl:2: type: " 1 -- "$FG" validate "$TMP"/ledger_events.jsonl
cp "$TMP"/ledger_events.jsonl "$TMP"/ev.txt
expect_grep "--kind ledger" 3 "ev.txt:2: type: " 1 -- "$FG" validate --kind ledger "$TMP"/ev.txt

# GBK input is converted.
if iconv -f UTF-8 -t GB18030 "$S"/institutions.csv >"$TMP"/institutions.csv 2>/dev/null; then
    expect "GBK file" 0 "" -- "$FG" validate "$TMP"/institutions.csv
    expect "--encoding gbk" 0 "" -- "$FG" validate --encoding gbk "$TMP"/institutions.csv
fi

expect "missing file" 3 '*' -- "$FG" validate "$TMP"/nope.csv
expect "no file is a usage error" 2 "" -- "$FG" validate
expect "unknown kind is a usage error" 2 "" -- "$FG" validate --kind nope x.csv
expect "unknown option is a usage error" 2 "" -- "$FG" validate --frobnicate x.csv
finish
