#!/usr/bin/env bash
# The PostgreSQL backend gives the embedded ledger's outcomes: a random stream of FG_PG_EVENTS
# (default 1,000,000) events, every type, with invalid ones, through `ledger apply --data` and
# `ledger apply --db` must print identical outcome lines, and queries must agree. The server is a
# throwaway cluster this test starts itself (scripts/pg-start.sh: a temp dir, 127.0.0.1, a free
# port, run as the postgres user) and stops afterwards.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
events=${FG_PG_EVENTS:-1000000}

PGDIR="$TMP/pg"
cleanup() {
    "$ROOT/scripts/pg-stop.sh" "$PGDIR" || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM INT # run the EXIT trap (stop the server) when ctest times out or on ^C
# Durability is not under test here: a server without fsync runs the stream faster.
if ! URL=$("$ROOT/scripts/pg-start.sh" "$PGDIR" fsync=off synchronous_commit=off full_page_writes=off \
    shared_buffers=256MB max_wal_size=8GB wal_level=minimal max_wal_senders=0 autovacuum=off); then
    bad "cannot start a throwaway PostgreSQL" "$(tail -n 5 "$PGDIR/server.log" "$PGDIR/initdb.log" 2>/dev/null)"
    finish
fi

"$FG" ledger synth --events "$events" --mix --invalid-permille 2 --seed 20 >"$TMP/in.jsonl"
"$FG" ledger apply --quiet --fsync off --data "$TMP/emb" "$TMP/in.jsonl" >"$TMP/emb.out"
"$FG" ledger apply --quiet --db "$URL" --db-reset "$TMP/in.jsonl" >"$TMP/pg.out" 2>"$TMP/pg.err"
rc=$?
if [ "$rc" -gt 1 ]; then
    bad "apply --db exited $rc" "$(head -n 3 "$TMP/pg.err")"
fi
n=$(wc -l <"$TMP/emb.out")
if [ "$n" -eq "$events" ] && cmp -s "$TMP/emb.out" "$TMP/pg.out"; then
    kinds=$(grep -o '"outcome":"[a-z_]*"' "$TMP/emb.out" | sort -u | wc -l)
    ok "$events events: embedded and PostgreSQL outcomes identical ($kinds outcomes seen)"
else
    bad "embedded ($n lines) and PostgreSQL outcomes differ" "$(diff "$TMP/emb.out" "$TMP/pg.out" | head -n 4 | cut -c1-200)"
fi
# Every outcome and both kinds occur in the stream.
for o in first_sale split_sale duplicate return_ok return_unmatched in_stock reflow_purchase \
    transfer_suspect stock_out invalid same_institution other_institution unknown_source; do
    grep -q "\"$o\"" "$TMP/emb.out" || bad "the stream never gives $o"
done
# Queries agree: state and history of a sample of codes (lsn aside: the journal's sequence embedded,
# the event's number within its code in PostgreSQL).
grep -o '"drug_trac_codg":"[^"]*"' "$TMP/in.jsonl" | cut -d'"' -f4 | awk 'NR % 99991 == 1' >"$TMP/codes"
same=0
while read -r code; do
    "$FG" ledger query --data "$TMP/emb" --json "$code" 2>&1 | sed 's/"lsn":[0-9]*,//g' >"$TMP/q.emb"
    "$FG" ledger query --db "$URL" --json "$code" 2>&1 | sed 's/"lsn":[0-9]*,//g' >"$TMP/q.pg"
    if cmp -s "$TMP/q.emb" "$TMP/q.pg"; then
        same=$((same + 1))
    else
        bad "query $code differs" "$(diff "$TMP/q.emb" "$TMP/q.pg" | head -n 4 | cut -c1-200)"
    fi
done <"$TMP/codes"
[ "$same" -gt 0 ] && ok "query agrees on $same sampled codes"
finish
