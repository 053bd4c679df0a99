#!/usr/bin/env bash
# `fundguard ledger`: apply (JSON and CSV give the same outcomes), exit codes, query, stats,
# verify (damage reported with its offset), dump, and the golden cases through the CLI.
source "$(dirname "$0")/lib.sh"

D="$TMP/lg"
C1=81234567890123456789
ev() { # type code inst hour [units pack trdn]
    local extra=""
    [ -n "${5:-}" ] && extra="$extra,\"units\":$5"
    [ -n "${6:-}" ] && extra="$extra,\"pack_units\":$6"
    [ -n "${7:-}" ] && extra="$extra,\"trdn_flag\":\"$7\""
    printf '{"type":"%s","drug_trac_codg":"%s","fixmedins_code":"%s","time":"2025-07-01 %02d:00:00"%s,"setl_id":"S%s","feedetl_sn":"F%s","psn_no":"P1"}\n' \
        "$1" "$2" "$3" "$4" "$extra" "$4" "$4"
}

{
    ev sale $C1 H11010100001 8 10 24 1
    ev sale $C1 H11010100001 9 10 24 1
    ev sale $C1 H11010100001 10 4 24 1
    ev sale $C1 H11010100001 11 1 24 1
} >"$TMP/split.jsonl"

expect_grep "apply: split 10+10+4 then 1 more, exit 1 on the alert" 1 \
    '"outcome":"(first_sale|split_sale|duplicate)"' 4 -- \
    "$FG" ledger apply --data "$D" "$TMP/split.jsonl"
expect "apply: outcomes in order" 0 $'first_sale\nsplit_sale\nsplit_sale\nduplicate' -- \
    bash -c "'$FG' ledger dump --data '$D' | sed 's/.*\"outcome\":\"\\([a-z_]*\\)\".*/\\1/'"
expect_grep "query: 2 or more sales" 1 '^sales: 4 — 2 or more sales' 1 -- \
    "$FG" ledger query --data "$D" $C1
expect_grep "query --json" 1 '"sales":4,"verdict":"2 or more sales"' 1 -- \
    "$FG" ledger query --data "$D" --json $C1
expect_grep "query: a code never seen" 0 '^never seen' 1 -- \
    "$FG" ledger query --data "$D" 81234567890123456700
expect_grep "query: a bad code" 3 '^error trace_code' 1 -- "$FG" ledger query --data "$D" 8123
expect_grep "stats" 0 '^duplicate +1$' 1 -- "$FG" ledger stats --data "$D"
expect_grep "stats --json" 0 '"events":4' 1 -- "$FG" ledger stats --data "$D" --json
expect_grep "verify: sound" 0 '^ok: 4 journal records' 1 -- "$FG" ledger verify --data "$D"

# The same events as CSV give the same outcome lines.
{
    echo "type,drug_trac_codg,fixmedins_code,time,units,pack_units,trdn_flag,setl_id,feedetl_sn,psn_no"
    echo "sale,$C1,H11010100001,2025-07-01 08:00:00,10,24,1,S8,F8,P1"
    echo "sale,$C1,H11010100001,2025-07-01 09:00:00,10,24,1,S9,F9,P1"
    echo "sale,$C1,H11010100001,2025-07-01 10:00:00,4,24,1,S10,F10,P1"
    echo "sale,$C1,H11010100001,2025-07-01 11:00:00,1,24,1,S11,F11,P1"
} >"$TMP/split.csv"
"$FG" ledger apply --quiet --data "$TMP/j" "$TMP/split.jsonl" >"$TMP/j.out"
expect "apply: CSV and JSON give identical outcomes" 1 "$(cat "$TMP/j.out")" -- \
    "$FG" ledger apply --quiet --data "$TMP/c" "$TMP/split.csv"
expect "apply: from stdin" 1 "$(cat "$TMP/j.out")" -- \
    bash -c "cat '$TMP/split.jsonl' | '$FG' ledger apply --quiet --data '$TMP/s' -"

# Exit codes: 0 without alerts, 3 with only invalid events, 2 on usage errors.
ev purchase $C1 H11010100001 8 >"$TMP/p.jsonl"
expect_grep "apply: no alert, exit 0" 0 '"outcome":"in_stock"' 1 -- \
    "$FG" ledger apply --data "$TMP/e0" "$TMP/p.jsonl"
echo '{"type":"sale"}' >"$TMP/bad.jsonl"
expect_grep "apply: invalid only, exit 3" 3 '"outcome":"invalid".*"code":"field.required"' 1 -- \
    "$FG" ledger apply --data "$TMP/e3" "$TMP/bad.jsonl"
expect "apply: no --data" 2 "" -- "$FG" ledger apply "$TMP/p.jsonl"
expect "apply: bad --fsync" 2 "" -- "$FG" ledger apply --data "$D" --fsync sometimes "$TMP/p.jsonl"
expect "unknown subcommand" 2 "" -- "$FG" ledger frobnicate
expect_grep "help" 0 '^usage: fundguard ledger apply' 1 -- "$FG" ledger --help
expect_grep "apply: every fsync policy" 1 '"outcome":"duplicate"' 1 -- \
    bash -c "'$FG' ledger apply --quiet --fsync always --data '$TMP/fa' '$TMP/split.jsonl' &&
             '$FG' ledger apply --quiet --fsync off --data '$TMP/fo' '$TMP/split.jsonl'"

# A second writer is refused while one holds the ledger.
mkfifo "$TMP/fifo"
"$FG" ledger apply --quiet --data "$TMP/busy" "$TMP/fifo" >/dev/null 2>&1 &
holder=$!
exec 7>"$TMP/fifo"
sleep 0.3
expect "apply: a second writer is refused (locked)" 2 "" -- \
    "$FG" ledger apply --data "$TMP/busy" "$TMP/p.jsonl"
exec 7>&-
wait $holder

# Damage: a flipped byte in the journal is refused with its offset; a torn tail is truncated.
"$FG" ledger synth --events 2000 --mix --seed 5 >"$TMP/mix.jsonl"
"$FG" ledger apply --quiet --data "$TMP/dmg" "$TMP/mix.jsonl" >/dev/null
rm -f "$TMP/dmg/snapshot"
size=$(stat -c %s "$TMP/dmg/journal")
printf '\xff' | dd of="$TMP/dmg/journal" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect_grep "verify: a flipped byte is reported with its offset" 3 \
    '^damaged: journal at offset [1-9][0-9]*: .*\[ledger.journal_damaged\]' 1 -- \
    "$FG" ledger verify --data "$TMP/dmg"
expect "apply: a damaged journal is refused" 4 "" -- \
    "$FG" ledger apply --data "$TMP/dmg" "$TMP/p.jsonl"
"$FG" ledger apply --quiet --data "$TMP/torn" "$TMP/mix.jsonl" >/dev/null
rm -f "$TMP/torn/snapshot"
truncate -s -20 "$TMP/torn/journal"
expect_grep "verify: a torn tail is reported" 0 '^torn tail: .* offset [0-9]+' 1 -- \
    "$FG" ledger verify --data "$TMP/torn"
"$FG" ledger apply --data "$TMP/torn" "$TMP/p.jsonl" >/dev/null 2>"$TMP/torn.err"
if grep -q 'torn journal tail of [0-9]* bytes at offset [0-9]* was truncated' "$TMP/torn.err"; then
    ok "apply: a torn tail is truncated and reported"
else
    bad "apply: a torn tail is truncated and reported" "$(cat "$TMP/torn.err")"
fi
expect_grep "verify: sound after the truncation" 0 '^ok: 2000 journal records' 1 -- \
    "$FG" ledger verify --data "$TMP/torn"
snap_size=$(stat -c %s "$TMP/torn/snapshot")
# Flip the byte (whatever it holds): its bits inverted.
old=$(od -An -tu1 -j $((snap_size / 3)) -N1 "$TMP/torn/snapshot" | tr -d ' ')
printf "\\$(printf '%03o' $((old ^ 255)))" |
    dd of="$TMP/torn/snapshot" bs=1 seek=$((snap_size / 3)) conv=notrunc status=none
expect_grep "verify: a flipped byte in the snapshot is reported" 3 '^damaged: snapshot' 1 -- \
    "$FG" ledger verify --data "$TMP/torn"

# Every golden case through the CLI (the unit test runs them through the library).
for f in "$(dirname "$0")"/../cases/ledger/*.case; do
    name=$(basename "$f" .case)
    grep -q '^! reopen' "$f" && continue
    grep '^> ' "$f" | cut -c3- >"$TMP/$name.in"
    grep '^< ' "$f" | cut -c3- >"$TMP/$name.want"
    "$FG" ledger apply --quiet --fsync off --data "$TMP/case-$name" "$TMP/$name.in" >"$TMP/$name.got" 2>/dev/null
    if cmp -s "$TMP/$name.want" "$TMP/$name.got"; then
        ok "case $name"
    else
        bad "case $name" "$(diff "$TMP/$name.want" "$TMP/$name.got" | head -5)"
    fi
done

# truth: a generated region's ledger events against its truth.csv (the demo's ledger step).
G="$TMP/gen"
mkdir -p "$G"
C2=81234567890123456780
C3=81234567890123456781
{
    ev sale $C1 H11010100001 8
    ev sale $C1 H11010100001 9
    ev sale $C2 H11010100001 8
    ev purchase $C2 P11010100002 10
    ev sale $C3 H11010100001 8
} >"$G/ledger_events.jsonl"
{
    echo "scenario,case_id,drug_trac_codg,amount_fen,detail"
    echo "trace_dup_same_inst,C1,$C1,100,\"sold twice, same place\""
    echo "trace_sold_repurchased,C2,$C2,100,bought in again"
    echo "trace_dup_other_inst,C3,$C3,100,never caught"
    echo "settle_after_death,C4,,100,not a ledger case"
} >"$G/truth.csv"
expect_grep "truth: found per scenario" 0 \
    '^(trace_dup_same_inst +1 +1|trace_sold_repurchased +1 +1|trace_dup_other_inst +1 +0) ' 3 -- \
    "$FG" ledger truth --data "$TMP/truth-lg" "$G"
finish
