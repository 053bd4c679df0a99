#!/usr/bin/env bash
# Crash safety of `fundguard ledger apply`: SIGKILL it at random points during ingest (>= 20 times),
# restart where the journal ends, and check after every restart that
#   - every acknowledged event (an outcome line printed on stdout) is in the journal,
#   - every event in the journal is there exactly once, in input order (a prefix of the input),
#   - the acknowledged outcome lines are those of an uninterrupted run, and verify is sound;
# finally that the whole journal's outcomes equal the uninterrupted run's.
# FG_CRASH_KILLS (default 24) and FG_CRASH_EVENTS (default 40000) size the run.
# Each killed round streams the next slice of the input (events / (kills + 1) events) through a
# FIFO that stays open, so the process is alive and ingesting (or waiting for more) when the kill
# lands; the kill point is drawn from the measured speed of this build. The last round applies the
# rest from the file, unkilled. The defaults keep the test near 10 s (gcc) / 30 s (ASan).
source "$(dirname "$0")/lib.sh"

kills=${FG_CRASH_KILLS:-24}
events=${FG_CRASH_EVENTS:-40000}
chunk=$((events / (kills + 1)))
"$FG" ledger synth --events "$events" --mix --seed 11 >"$TMP/in.jsonl"
"$FG" ledger apply --quiet --fsync off --data "$TMP/ref" "$TMP/in.jsonl" >"$TMP/ref.out"
# Outcome lines without their seq, one per input event, for comparison.
sed 's/^{"seq":[0-9]*,//' "$TMP/ref.out" >"$TMP/ref.noseq"

# Speed of this build, policy batch: a run of one slice, in ms.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
head -n "$chunk" "$TMP/in.jsonl" >"$TMP/slice.jsonl"
t0=$(now_ms)
"$FG" ledger apply --quiet --data "$TMP/speed" "$TMP/slice.jsonl" >/dev/null
slice_ms=$(($(now_ms) - t0))
# Kill points: uniform in [slice / 4, slice] after the start.
lo_ms=$((slice_ms / 4))
hi_ms=$((slice_ms + 1))
mkfifo "$TMP/fifo"

D="$TMP/crash"
done_events=0
killed=0
problems=0
round=0
RANDOM=4242
while [ "$done_events" -lt "$events" ]; do
    round=$((round + 1))
    if [ "$killed" -lt "$kills" ]; then
        "$FG" ledger apply --quiet --fsync batch --data "$D" "$TMP/fifo" >"$TMP/run.out" 2>"$TMP/run.err" &
        pid=$!
        exec 3>"$TMP/fifo" # a writer that stays: the process never sees the end of its input
        tail -n +$((done_events + 1)) "$TMP/in.jsonl" | head -n "$chunk" >&3 &
        wpid=$!
        # A random point in [lo_ms, hi_ms] into the run.
        ms=$((lo_ms + RANDOM % (hi_ms - lo_ms + 1)))
        sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
        if kill -9 "$pid" 2>/dev/null; then
            killed=$((killed + 1))
        fi
        wait "$wpid" 2>/dev/null
        exec 3>&-
    else
        tail -n +$((done_events + 1)) "$TMP/in.jsonl" >"$TMP/rest.jsonl"
        "$FG" ledger apply --quiet --fsync batch --data "$D" "$TMP/rest.jsonl" >"$TMP/run.out" 2>"$TMP/run.err" &
        pid=$!
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
    [ -n "${FG_CRASH_DEBUG:-}" ] && echo "round $round (kill at $ms of $lo_ms..$hi_ms ms): done $done_events acked $acked journal $journal; $(head -c 80 "$TMP/run.out")" >&2
    # Exactly once, in order: the journal's feedetl_sn are 0, 1, 2, … (synth numbers events).
    if ! grep -o '"feedetl_sn":"[0-9]*"' "$TMP/dump.jsonl" | cut -d'"' -f4 | awk '$1 != NR - 1 { exit 1 }'; then
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
grep -o '"outcome":"[a-z_]*"' "$TMP/dump.jsonl" | cut -d'"' -f4 >"$TMP/got.outcomes"
grep -v '"outcome":"invalid"' "$TMP/ref.out" | grep -o '"outcome":"[a-z_]*"' | cut -d'"' -f4 >"$TMP/want.outcomes"
if cmp -s "$TMP/got.outcomes" "$TMP/want.outcomes"; then
    ok "after all restarts the journal holds the uninterrupted run's outcomes"
else
    bad "outcomes after restarts differ" "$(diff "$TMP/want.outcomes" "$TMP/got.outcomes" | head -5)"
fi
expect_grep "stats after the restarts" 0 "\"events\":$events" 1 -- "$FG" ledger stats --data "$D" --json
finish
