#!/usr/bin/env bash
# `fundguard id`: the identifier checks as a user sees them.
source "$(dirname "$0")/lib.sh"

expect "idcard valid" 0 "ok 1101**********002X birth=1949-12-31 sex=2" -- \
    "$FG" id idcard 11010519491231002X
expect "idcard lower-case x" 0 "ok 1101**********002X birth=1949-12-31 sex=2" -- \
    "$FG" id idcard 11010519491231002x

# Changing any one character of a valid number makes it an error.
id=11010519491231002X
all_fail=1
for ((i = 0; i < 18; i++)); do
    for c in 0 1 2 3 4 5 6 7 8 9 X; do
        [ "${id:i:1}" = "$c" ] && continue
        v="${id:0:i}$c${id:i+1}"
        if "$FG" id idcard "$v" >/dev/null 2>&1; then
            all_fail=0
            echo "     accepted $v"
        fi
    done
done
if [ $all_fail = 1 ]; then ok "idcard any one change is an error"; else bad "idcard any one change is an error"; fi

expect_grep "idcard check digit error names the code" 3 '^error idcard\.check_digit 18: ' 1 -- \
    "$FG" id idcard 110105194912310021
expect_grep "idcard never echoed in full" 3 '110105194912310021' 0 -- \
    "$FG" id idcard 110105194912310021

expect "trace 20 digits" 0 "ok 81234567890123456789" -- "$FG" id trace 81234567890123456789
expect "trace full-width digits and spaces" 0 "ok 81234567890123456789" -- \
    "$FG" id trace "８１２３ ４５６７ ８９０１ ２３４５ ６７８９"
expect_grep "trace 19 digits" 3 '^error trace_code\.length ' 1 -- "$FG" id trace 8123456789012345678
expect_grep "trace letter" 3 '^error trace_code\.format 5: ' 1 -- "$FG" id trace 8123A567890123456789
expect "gs1 parenthesised" 0 "ok (01)06901234567892(21)SN0001" -- \
    "$FG" id trace "(01)06901234567892(17)270131(10)B2025(21)SN0001"
expect "gs1 raw with ]d2 and GS" 0 "ok (01)06901234567892(21)SN0001" -- \
    "$FG" id trace "]d2010690123456789217270131"$'\x1d'"21SN0001"
expect_grep "gs1 wrong GTIN check digit names its position" 3 '^error gtin\.check_digit 18: ' 1 -- \
    "$FG" id trace "(01)06901234567893(21)SN0001"
expect_grep "gs1 without serial" 3 '^error trace_code\.gs1_missing ' 1 -- \
    "$FG" id trace "(01)06901234567892(17)270131"
expect "gtin-13" 0 "ok 06970123456784" -- "$FG" id gtin 6970123456784
expect_grep "gtin check" 3 '^error gtin\.check_digit 13: ' 1 -- "$FG" id gtin 6970123456785

expect "drug western" 0 "ok XA01ABD075A002010100483" -- "$FG" id drug XA01ABD075A002010100483
expect "drug chinese patent" 0 "ok ZA04CAE0023010100166" -- "$FG" id drug ZA04CAE0023010100166
expect_grep "drug too short" 3 '^error drug_code\.format ' 1 -- "$FG" id drug XA01ABD075A00201010048
expect "item" 0 "ok 001102000050000" -- "$FG" id item 001102000050000
expect_grep "item 14 digits" 3 '^error item_code\.format ' 1 -- "$FG" id item 00110200005000
expect "consumable" 0 "ok C1234567890123456789" -- "$FG" id consumable C1234567890123456789
expect "institution" 0 "ok H11010500001" -- "$FG" id institution H11010500001
expect_grep "institution bad prefix" 3 '^error institution_code\.format 1: ' 1 -- \
    "$FG" id institution X11010500001
expect "doctor" 0 "ok D110105000123" -- "$FG" id doctor D110105000123
expect "icd10" 0 "ok I10.x00" -- "$FG" id icd10 I10.x00
expect "icd10 extension" 0 "ok N05.900x003" -- "$FG" id icd10 N05.900x003
expect_grep "icd10 bad" 3 '^error icd10\.format ' 1 -- "$FG" id icd10 110.x00
expect "region" 0 "ok 110105" -- "$FG" id region 110105
expect_grep "region bad province" 3 '^error region\.format ' 1 -- "$FG" id region 990105

expect_grep "several values, one bad" 3 '^(ok|error)' 3 -- "$FG" id item 001102000050000 1 001102000040000
expect "values from stdin" 0 $'ok 110105\nok 320102' -- bash -c "printf '110105\n320102\n' | '$FG' id region -"
expect_grep "unknown kind is usage" 2 '.' 0 -- "$FG" id colour red
expect_grep "no value is usage" 2 '.' 0 -- "$FG" id trace

finish
