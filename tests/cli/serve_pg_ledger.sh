#!/usr/bin/env bash
# The serve suites with both the store and the ledger on PostgreSQL (`serve --ledger
# postgresql://…`), and two servers sharing that one ledger (tests/cli/serve.sh's last part):
# tests/cli/serve_pg.sh with FG_TEST_PG_LEDGER=1, on a scratch server of its own.
FG_TEST_PG_LEDGER=1 exec bash "$(dirname "$0")/serve_pg.sh" "$@"
