#!/usr/bin/env bash
# scripts/funclen (run by `make lint`): a function of 151 lines is flagged, one of 150 is not,
# whatever the brace style and however long the signature; braces in comments, strings and
# preprocessor lines count for nothing; the allow-list silences a named function.
source "$(dirname "$0")/lib.sh"
FUNCLEN="$(dirname "$0")/../../scripts/funclen"

# body N: N lines of statements
body() { for ((i = 0; i < $1; i++)); do echo "    x += $i; /* { */"; done; }
{
    echo '#include <stdio.h>'
    echo 'static const struct { int a; } table[] = {{1}, {2}}; /* an initializer: no function */'
    echo '#define OPEN {'
    # 151 lines: a two-line signature, the brace on a line of its own (Linux/Allman), 147 in the body
    echo 'static int'
    echo 'long_one(int x, const char *s)'
    echo '{'
    body 146
    echo '    return x + (s[0] == '"'"'{'"'"') + (int)sizeof("}}}");'
    echo '}'
    # 150 lines: a one-line signature with the brace on it (K&R), 148 in the body
    echo 'int just_fits(int x) {'
    body 148
    echo '}'
    # 151 lines again, signature over three lines, returning a function pointer
    echo 'static int (*'
    echo '    picker(int x,'
    echo '           int y))(void)'
    echo '{'
    body 145
    echo '    return x > y ? NULL : NULL;'
    echo '}'
    echo 'int tail(void)'
    echo '{'
    echo '    return 0;'
    echo '}'
} >"$TMP/fixture.c"
long_line=4
picker_line=$((4 + 151 + 150))

expect "151 lines flagged, 150 not" 1 \
    "$TMP/fixture.c:$long_line long_one 151"$'\n'"$TMP/fixture.c:$picker_line picker 151" -- \
    "$FUNCLEN" "$TMP/fixture.c"
expect "a lower limit flags the 150-line one too" 1 \
    "$TMP/fixture.c:$long_line long_one 151"$'\n'"$TMP/fixture.c:$((long_line + 151)) just_fits 150"$'\n'"$TMP/fixture.c:$picker_line picker 151" -- \
    "$FUNCLEN" --max 149 "$TMP/fixture.c"
printf '# reason\n%s:long_one\n%s:picker  # split elsewhere\n' "$TMP/fixture.c" "$TMP/fixture.c" >"$TMP/allow"
expect "the allow-list silences named functions" 0 "" -- \
    "$FUNCLEN" --allow "$TMP/allow" "$TMP/fixture.c"
printf '%s:picker\n' "$TMP/fixture.c" >"$TMP/allow1"
expect "the allow-list silences only those" 1 "$TMP/fixture.c:$long_line long_one 151" -- \
    "$FUNCLEN" --allow "$TMP/allow1" "$TMP/fixture.c"
expect "a missing file is an error" 2 "" -- "$FUNCLEN" "$TMP/no-such.c"
expect "a bad option is usage" 2 "" -- "$FUNCLEN" --max many "$TMP/fixture.c"

finish
