# lib.sh — helpers for the command-line golden tests: expect an exit code and output.
# Each test script sources this, runs checks, and ends with `finish`, which prints
# "N passed, N failed" and exits non-zero when anything failed.
FG=${1:?usage: $0 path/to/fundguard}
PASSED=0
FAILED=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() {
    PASSED=$((PASSED + 1))
    echo "ok   $1"
}

bad() {
    FAILED=$((FAILED + 1))
    echo "FAIL $1"
    shift
    for line in "$@"; do echo "     $line"; done
}

# expect NAME WANT_RC WANT_STDOUT_FILE_OR_STRING -- CMD...
# Runs CMD; passes when its exit code is WANT_RC and its stdout equals the expectation (a literal
# string; use $'...' for several lines; "*" skips the output check).
expect() {
    local name=$1 want_rc=$2 want_out=$3
    shift 4
    local out rc
    out=$("$@" 2>"$TMP/stderr")
    rc=$?
    if [ "$rc" != "$want_rc" ]; then
        bad "$name" "exit $rc, want $want_rc" "stdout: $out" "stderr: $(head -c 600 "$TMP/stderr")"
    elif [ "$want_out" != "*" ] && [ "$out" != "$want_out" ]; then
        bad "$name" "stdout differs:" "got:  $out" "want: $want_out"
    else
        ok "$name"
    fi
}

# expect_grep NAME WANT_RC PATTERN COUNT -- CMD...: stdout has COUNT lines matching PATTERN.
expect_grep() {
    local name=$1 want_rc=$2 pattern=$3 count=$4
    shift 5
    local out rc n
    out=$("$@" 2>"$TMP/stderr")
    rc=$?
    n=$(printf '%s\n' "$out" | grep -cE -- "$pattern")
    if [ "$rc" != "$want_rc" ] || [ "$n" != "$count" ]; then
        bad "$name" "exit $rc (want $want_rc), $n lines match '$pattern' (want $count)" \
            "stdout: $(printf '%s' "$out" | head -c 1500)" "stderr: $(head -c 600 "$TMP/stderr")"
    else
        ok "$name"
    fi
}

# finish: the suite's last checks (finish_hook, when a sourced helper defines one), then the count.
finish() {
    if declare -F finish_hook >/dev/null; then
        finish_hook
    fi
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
