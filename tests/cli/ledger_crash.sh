#!/usr/bin/env bash
# Crash safety of `fundguard ledger apply`: SIGKILL it at random points during ingest (>= 20 times),
# restart where the journal ends, and check after every restart that
#   - every acknowledged event (an outcome line printed on stdout) is in the journal,
#   - every event in the journal is there exactly once, in input order (a prefix of the input),
#   - the acknowledged outcome lines are those of an uninterrupted run, and verify is sound;
# finally that the whole journal's outcomes equal the uninterrupted run's.
# FG_CRASH_KILLS (default 24) and FG_CRASH_EVENTS (default 300000) size the run.
source "$(dirname "$0")/lib.sh"

kills=${FG_CRASH_KILLS:-24}
events=${FG_CRASH_EVENTS:-300000}
"$FG" ledger synth --events "$events" --mix --seed 11 >"$TMP/in.jsonl"
"$FG" ledger apply --quiet --fsync off --data "$TMP/ref" "$TMP/in.jsonl" >"$TMP/ref.out"
# Outcome lines without their seq, one per input event, for comparison.
sed 's/^{"seq":[0-9]*,//' "$TMP/ref.out" >"$TMP/ref.noseq"

D="$TMP/crash"
done_events=0
killed=0
problems=0
round=0
RANDOM=4242
while [ "$done_events" -lt "$events" ]; do
    round=$((round + 1))
    tail -n +$((done_events + 1)) "$TMP/in.jsonl" >"$TMP/rest.jsonl"
    "$FG" ledger apply --quiet --fsync batch --data "$D" "$TMP/rest.jsonl" >"$TMP/run.out" 2>"$TMP/run.err" &
    pid=$!
    if [ "$killed" -lt "$kills" ]; then
        # A random point: 5..200 ms into the run.
        sleep "0.$(printf '%03d' $((5 + RANDOM % 195)))"
        if kill -9 "$pid" 2>/dev/null; then
            killed=$((killed + 1))
        fi
    fi
    wait "$pid" 2>/dev/null
    # Acknowledged: complete outcome lines on stdout (a line cut by the kill is not one).
    acked=$(grep -c "}$" "$TMP/run.out")
    # The journal after restart (recovery runs in stats/dump).
    "$FG" ledger dump --data "$D" >"$TMP/dump.jsonl" 2>"$TMP/dump.err" || {
        bad "round $round: dump after the kill" "$(cat "$TMP/dump.err")"
        problems=$((problems + 1))
        break
    }
    journal=$(wc -l <"$TMP/dump.jsonl")
    [ -n "${FG_CRASH_DEBUG:-}" ] && echo "round $round: done $done_events acked $acked journal $journal; $(head -c 80 "$TMP/run.out")" >&2
    # Exactly once, in order: the journal's feedetl_sn are 0, 1, 2, … (synth numbers events).
    if ! sed 's/.*"feedetl_sn":"\([0-9]*\)".*/\1/' "$TMP/dump.jsonl" | awk '$1 != NR - 1 { exit 1 }'; then
        bad "round $round: the journal is not the input's prefix, each event once"
        problems=$((problems + 1))
    fi
    if [ $((done_events + acked)) -gt "$journal" ]; then
        bad "round $round: $((done_events + acked)) events acknowledged, $journal in the journal"
        problems=$((problems + 1))
    fi
    # The acknowledged lines are the uninterrupted run's lines for those events.
    head -n "$acked" "$TMP/run.out" | grep '}$' | sed 's/^{"seq":[0-9]*,//' >"$TMP/acked.noseq"
    if [ "$acked" -gt 0 ] && ! sed -n "$((done_events + 1)),$((done_events + acked))p" "$TMP/ref.noseq" | cmp -s - "$TMP/acked.noseq"; then
        bad "round $round: acknowledged outcomes differ from an uninterrupted run" "$(sed -n "$((done_events + 1)),$((done_events + acked))p" "$TMP/ref.noseq" | diff - "$TMP/acked.noseq" | head -4 | cut -c1-200)"
        problems=$((problems + 1))
    fi
    if ! "$FG" ledger verify --data "$D" >"$TMP/verify.out"; then
        bad "round $round: verify" "$(cat "$TMP/verify.out")"
        problems=$((problems + 1))
    fi
    done_events=$journal
    if [ "$round" -gt $((kills * 4 + 10)) ]; then
        bad "no progress after $round rounds"
        problems=$((problems + 1))
        break
    fi
done

if [ "$killed" -ge 20 ] && [ "$problems" -eq 0 ]; then
    ok "SIGKILLed $killed times over $round runs: acknowledged events kept, each exactly once"
else
    bad "crash rounds: killed $killed (need >= 20), problems $problems"
fi
# The whole journal's outcomes equal those of the uninterrupted run.
sed 's/.*"outcome":"\([a-z_]*\)".*/\1/' "$TMP/dump.jsonl" >"$TMP/got.outcomes"
grep -v '"outcome":"invalid"' "$TMP/ref.out" | sed 's/.*"outcome":"\([a-z_]*\)".*/\1/' >"$TMP/want.outcomes"
if cmp -s "$TMP/got.outcomes" "$TMP/want.outcomes"; then
    ok "after all restarts the journal holds the uninterrupted run's outcomes"
else
    bad "outcomes after restarts differ" "$(diff "$TMP/want.outcomes" "$TMP/got.outcomes" | head -5)"
fi
expect_grep "stats after the restarts" 0 "\"events\":$events" 1 -- "$FG" ledger stats --data "$D" --json
finish
