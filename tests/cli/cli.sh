#!/usr/bin/env bash
# The fundguard command itself: help, version, exit codes for usage errors.
source "$(dirname "$0")/lib.sh"

expect_grep "--help lists commands" 0 '^  (validate|id|gen) ' 3 -- "$FG" --help
expect_grep "--help lists the service's commands" 0 '^  (serve|key|user|audit) ' 4 -- "$FG" --help
expect_grep "--version" 0 '^fundguard [0-9]+\.[0-9]+\.[0-9]+$' 1 -- "$FG" --version
expect_grep "no command is usage" 2 '.' 0 -- "$FG"
expect_grep "unknown command is usage" 2 '.' 0 -- "$FG" frobnicate
expect_grep "unknown option is usage" 2 '.' 0 -- "$FG" --frobnicate
for cmd in validate id gen ledger check kb serve key user audit; do
    expect_grep "$cmd --help" 0 '^usage: fundguard' 1 -- "$FG" "$cmd" --help
done

# docs/cli.md's command reference is every command's --help: regenerated here, it must not change.
cp docs/cli.md "$TMP/cli.md"
if scripts/cli-doc.sh "$FG" "$TMP/cli.md" && cmp -s docs/cli.md "$TMP/cli.md"; then
    ok "docs/cli.md is current"
else
    bad "docs/cli.md is current" "run: scripts/cli-doc.sh build/fundguard" "$(diff docs/cli.md "$TMP/cli.md" | head -20)"
fi

finish
