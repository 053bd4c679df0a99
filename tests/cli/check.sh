#!/usr/bin/env bash
# `fundguard kb stats` and `fundguard check` as a user sees them: counts of the national tables,
# strict loading, decisions and exit codes, stages, batches, the history, replay after a KB change.
source "$(dirname "$0")/lib.sh"
D=tests/data/check

# ---------------------------------------------------------------- kb stats
expect_grep "kb stats: batch 7 has 900 duplicate-charging pairs" 0 \
    '^batch7-item-duplicate-charge +batch7 +900 +900 +0$' 1 -- "$FG" kb stats --kb kb
expect_grep "kb stats: batch 8-1 has 69 rows, 67 limits and 2 note rows" 0 \
    '^batch8-1-item-frequency +batch8 +69 +67 +2$' 1 -- "$FG" kb stats --kb kb
expect_grep "kb stats: 20 national tables" 0 '^batch[0-9]' 20 -- "$FG" kb stats --kb kb
expect_grep "kb stats: drug codes of batch 1 (gender)" 0 \
    '^batch1-drug-gender.codes +batch1 +6472 +6472 +0$' 1 -- "$FG" kb stats --kb kb
expect_grep "kb stats: version names the batches" 0 '^version: nhsa:1,2,3,4,5,6,7,8\+local:0@' 1 -- \
    "$FG" kb stats --kb kb
expect_grep "kb stats: local tables" 0 '^(price-cap|indication|max-quantity|bundle) +local' 4 -- \
    "$FG" kb stats --kb kb --kb tests/data/kb-local
expect_grep "kb stats: the demo local tables load" 0 '^(indication +local +969|diagnosis-sex-age +local +61|frequent-visits +local +3) ' 3 -- \
    "$FG" kb stats --kb kb --kb tests/data/kb/demo-local
expect_grep "kb stats --json" 0 '"table":"batch7-item-duplicate-charge","version":"batch7"' 1 -- \
    "$FG" kb stats --kb kb --json

mkdir -p "$TMP/badkb"
printf '序号,项目名称,限制数量,数量单位,项目编码\n1,住院诊查费,1,日,001102000050000\n2,x,one,日,001102000050000\n' \
    >"$TMP/badkb/batch9-item-frequency.csv"
expect "kb stats: a malformed row is an error with file and line" 3 "" -- "$FG" kb stats --kb "$TMP/badkb"
if grep -q 'batch9-item-frequency.csv: line 3, column 限制数量' "$TMP/stderr"; then
    ok "kb stats: the error names file, line and column"
else
    bad "kb stats: the error names file, line and column" "stderr: $(cat "$TMP/stderr")"
fi
printf 'a,b\n1,2\n' >"$TMP/badkb/batch9-item-frequency.csv"
expect_grep "kb stats: a missing column" 3 '.' 0 -- "$FG" kb stats --kb "$TMP/badkb"
rm "$TMP/badkb/batch9-item-frequency.csv"
printf 'x\n1\n' >"$TMP/badkb/prices.csv"
expect "kb stats: an unknown table is refused" 3 "" -- "$FG" kb stats --kb "$TMP/badkb"
expect "kb: usage" 2 "" -- "$FG" kb stats
expect_grep "kb rules lists the catalogue" 0 '^GZ0801 ' 1 -- "$FG" kb rules
expect_grep "kb rules --csv" 0 '^code,name,family' 1 -- "$FG" kb rules --csv

# ---------------------------------------------------------------- check
expect_grep "check: three rules, three hits (enveloped input)" 1 '"rule":"GZ0(101|801|901)"' 3 -- \
    bash -c "set -o pipefail; '$FG' check --kb kb < $D/three-rules.json | sed 's/},{/}\n{/g'"
expect_grep "check: blocked settlement" 1 '^\{"decision":"block","stage":"in"' 1 -- \
    sh -c "'$FG' check --kb kb < $D/three-rules.json"
expect_grep "check: a clean settlement passes" 0 '^\{"decision":"pass".*"hits":\[\]\}$' 1 -- \
    sh -c "'$FG' check --kb kb < $D/clean.json"
expect_grep "check --stage pre reminds" 0 '^\{"decision":"remind","stage":"pre"' 1 -- \
    sh -c "'$FG' check --kb kb --stage pre < $D/three-rules.json"
expect_grep "check --stage post raises clues" 1 '^\{"decision":"hold","stage":"post"' 1 -- \
    sh -c "'$FG' check --kb kb --stage post < $D/three-rules.json"
expect_grep "check: bad JSON is bad input" 3 '.' 0 -- sh -c "echo '{\"feedetail\":[' | '$FG' check --kb kb"
expect "check: --kb is required" 2 "" -- "$FG" check
expect "check: unknown stage" 2 "" -- "$FG" check --kb kb --stage later

# ---------------------------------------------------------------- batch and history
expect_grep "check --batch streams one decision per settlement" 1 '^\{"decision"' 4 -- \
    "$FG" check --kb kb --batch $D/batch.jsonl
expect_grep "check --batch keeps a history for the run (糖化血红蛋白 twice in 10 days)" 1 \
    '"rule":"GZ0902"' 1 -- bash -c "set -o pipefail; '$FG' check --kb kb --batch $D/batch.jsonl | sed 's/},{/}\n{/g'"
expect_grep "check --history: first test" 0 '"decision":"pass"' 1 -- \
    sh -c "'$FG' check --kb kb --history '$TMP/hist' < $D/hba1c-day1.json"
expect_grep "check --history: the second within 15 days is blocked" 1 '"rule":"GZ0902"' 1 -- \
    sh -c "'$FG' check --kb kb --history '$TMP/hist' < $D/hba1c-day10.json"
expect_grep "check --history: checking it again does not count it twice" 1 '"rule":"GZ0902"' 1 -- \
    sh -c "'$FG' check --kb kb --history '$TMP/hist' < $D/hba1c-day10.json"
"$FG" check --kb kb --stage pre --history "$TMP/hist2" <$D/hba1c-day1.json >/dev/null
expect_grep "check --stage pre does not write the history" 0 '"decision":"pass"' 1 -- \
    sh -c "'$FG' check --kb kb --history '$TMP/hist2' < $D/hba1c-day10.json"

# ---------------------------------------------------------------- record and replay after a KB change
mkdir -p "$TMP/kb/nhsa"
cp kb/nhsa/*.csv "$TMP/kb/nhsa/"
chmod u+w "$TMP/kb/nhsa/"*.csv
"$FG" check --kb "$TMP/kb" --record "$TMP/rec.jsonl" <$D/three-rules.json >"$TMP/first.json"
# the KB changes: batch 7 loses its first pair, batch 1 loses 阿帕他胺片
sed -i '2d' "$TMP/kb/nhsa/batch7-item-duplicate-charge.csv"
sed -i '/^阿帕他胺片,/d' "$TMP/kb/nhsa/batch1-drug-gender.codes.csv" "$TMP/kb/nhsa/batch1-drug-gender.names.csv"
expect_grep "after the KB change a new check decides differently" 1 '"rule":"GZ0(101|801)"' 0 -- \
    bash -c "set -o pipefail; '$FG' check --kb '$TMP/kb' < $D/three-rules.json | sed 's/},{/}\n{/g'"
expect "replay reproduces the recorded decision" 0 "$(cat "$TMP/first.json")" -- \
    "$FG" check --replay "$TMP/rec.jsonl"
# a tampered record does not reproduce
sed 's/"amount":30000/"amount":30001/' "$TMP/rec.jsonl" >"$TMP/rec2.jsonl"
expect_grep "replay reports a decision that differs" 3 '.' 1 -- "$FG" check --replay "$TMP/rec2.jsonl"

finish
