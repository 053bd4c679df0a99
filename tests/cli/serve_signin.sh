#!/usr/bin/env bash
# Sign-in limits of `fundguard serve` over HTTP: failed officer sign-ins lock the name (known or
# not) and the client address with 429 auth.rate_limited and Retry-After, a locked attempt runs no
# password check, a success clears the name's count, and the lock ends after its cooling period;
# an unknown name gets the answer of a wrong password after the same argon2id verification
# (counted by /metrics); a wrong key and an unknown key get the same answer.
source "$(dirname "$0")/serve_lib.sh"

KA=$("$FG" key add --role admin "${DB_ARGS[@]}" 2>/dev/null)
for u in wang zhao li; do
    echo "correct horse" | "$FG" user add "$u" --role auditor "${DB_ARGS[@]}" >/dev/null 2>&1
done

checks() { # checks: the password verifications /metrics counts, in CHECKS
    call GET /metrics -
    CHECKS=$(sed -n 's/^fundguard_auth_password_checks_total //p' <<<"$BODY")
}

retry_after() { # retry_after AUTH: the Retry-After of a GET /v1/alerts with AUTH, in RA
    RA=$(curl -s -D - -o /dev/null -u "$1" "http://127.0.0.1:$PORT/v1/alerts" | tr -d '\r' |
        sed -n 's/^Retry-After: //p')
}

# Per name: 3 failures within a minute lock it for 3 seconds. The address limit is out of the way.
start --signin-user-failures 3 --signin-addr-failures 1000 --signin-window 60 --signin-lockout 3
[ -n "$PORT" ] && ok "serve: listening" || bad "serve: listening" "$(cat "$TMP/serve.log")"

# ---------------------------------------------------------------- unknown names look like known ones
checks
c0=$CHECKS
call GET /v1/alerts "zhao:wrong horse"
check "a wrong password: 401" 401 '"code":"auth.unauthenticated"'
known=$BODY
call GET /v1/alerts "ghost:wrong horse"
check "an unknown name: 401" 401 '"code":"auth.unauthenticated"'
[ "$BODY" = "$known" ] && ok "an unknown name: the very answer of a wrong password" ||
    bad "an unknown name: the very answer of a wrong password" "known: $known" "unknown: $BODY"
checks
[ "$CHECKS" = $((c0 + 2)) ] && ok "an unknown name runs the password check too" ||
    bad "an unknown name runs the password check too" "checks $c0 → $CHECKS, want +2"

# ---------------------------------------------------------------- a name is locked
expect_call "zhao: the second failure: 401" 401 'auth.unauthenticated' GET /v1/alerts "zhao:wrong horse"
expect_call "zhao: the third failure: 401" 401 'auth.unauthenticated' GET /v1/alerts "zhao:wrong horse"
checks
c1=$CHECKS
expect_call "zhao: locked: 429" 429 '"code":"auth.rate_limited","field":"Authorization"' GET /v1/alerts "zhao:wrong horse"
expect_call "zhao: locked even with the right password" 429 'auth.rate_limited' GET /v1/alerts "zhao:correct horse"
retry_after "zhao:correct horse"
[ -n "$RA" ] && [ "$RA" -ge 1 ] && [ "$RA" -le 3 ] && ok "zhao: Retry-After says when" ||
    bad "zhao: Retry-After says when" "'$RA'"
checks
[ "$CHECKS" = "$c1" ] && ok "a locked attempt runs no password check" ||
    bad "a locked attempt runs no password check" "checks $c1 → $CHECKS"
expect_call "another name is not locked" 200 '"items"' GET /v1/alerts "wang:correct horse"
for i in 2 3; do call GET /v1/alerts "ghost:wrong horse"; done
check "ghost: the third failure: 401" 401 'auth.unauthenticated'
expect_call "ghost: an unknown name is locked alike" 429 'auth.rate_limited' GET /v1/alerts "ghost:wrong horse"
expect_call "an API key is not affected" 200 '"items"' GET /v1/alerts "$KA"
sleep 3.5
expect_call "zhao: after the cooling period the right password works" 200 '"items"' GET /v1/alerts "zhao:correct horse"

# ---------------------------------------------------------------- a success clears the count
for i in 1 2; do call GET /v1/alerts "li:wrong horse"; done
check "li: two failures" 401 'auth.unauthenticated'
expect_call "li: signed in" 200 '"items"' GET /v1/alerts "li:correct horse"
for i in 1 2 3; do call GET /v1/alerts "li:wrong horse"; done
check "li: three failures after the success: still 401" 401 'auth.unauthenticated'
expect_call "li: the fourth: locked" 429 'auth.rate_limited' GET /v1/alerts "li:wrong horse"

# ---------------------------------------------------------------- keys
forged=${KA%?}0
[ "$forged" = "$KA" ] && forged=${KA%?}1
call GET /v1/alerts "$forged"
check "a wrong secret after a real key id: 401" 401 'auth.unauthenticated'
wrong=$BODY
call GET /v1/alerts fgk_0000000000000000_00000000000000000000000000000000
[ "$CODE" = 401 ] && [ "$BODY" = "$wrong" ] && ok "an unknown key: the very same answer" ||
    bad "an unknown key: the very same answer" "$CODE $BODY" "wrong: $wrong"
stop

# ---------------------------------------------------------------- an address is locked
# One address (the tests have only 127.0.0.1) spraying names it has never tried: 4 failures lock it.
start --signin-user-failures 3 --signin-addr-failures 4 --signin-window 60 --signin-lockout 3
n401=0
for i in 1 2 3 4; do
    call GET /v1/alerts "spray$i:wrong horse"
    [ "$CODE" = 401 ] && n401=$((n401 + 1))
done
[ "$n401" = 4 ] && ok "spray: four new names, four 401s" || bad "spray: four new names, four 401s" "$n401"
expect_call "spray: the fifth new name: 429" 429 '"code":"auth.rate_limited"' GET /v1/alerts "spray5:wrong horse"
expect_call "spray: the address is locked for a good officer too" 429 'auth.rate_limited' GET /v1/alerts "wang:correct horse"
expect_call "spray: API keys from the address still work" 200 '"items"' GET /v1/alerts "$KA"
sleep 3.5
expect_call "spray: after the cooling period the officer signs in" 200 '"items"' GET /v1/alerts "wang:correct horse"
stop

# ---------------------------------------------------------------- off
start --signin-user-failures 0 --signin-addr-failures 0
for i in 1 2 3 4 5 6; do call GET /v1/alerts "zhao:wrong horse"; done
check "limits off: the sixth failure is still 401" 401 'auth.unauthenticated'
stop
[ "$STOP_RC" = 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit 0" "exit $STOP_RC" "$(tail -5 "$TMP/serve.log")"

finish
