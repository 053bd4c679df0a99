#!/usr/bin/env bash
# The serve suites (tests/cli/serve.sh, serve_scope.sh, serve_input.sh, serve_edges.sh,
# serve_log.sh, serve_routes.sh) and the store's unit tests on PostgreSQL; with FG_TEST_PG_LEDGER=1
# (tests/cli/serve_pg_ledger.sh) the servers' ledger too, on the same database (serve.sh then also
# runs two servers on that one ledger). A scratch server started here on 127.0.0.1 (a free port) in
# a temporary directory, as the postgres user, and stopped afterwards. It runs whenever it can (root,
# the postgres user and PostgreSQL's server binaries present); FG_TEST_PG=0 skips it, FG_TEST_PG=1
# makes a missing server a failure.
FG=${1:?usage: $0 path/to/fundguard}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ "${FG_TEST_PG:-}" = 0 ]; then
    echo "skipped: FG_TEST_PG=0"
    echo "0 passed, 0 failed"
    exit 0
fi
if [ -z "$BIN" ] || [ "$(id -u)" != 0 ] || ! id postgres >/dev/null 2>&1; then
    if [ "${FG_TEST_PG:-}" = 1 ]; then
        echo "FAIL FG_TEST_PG=1 but PostgreSQL's server, the postgres user or root is missing"
        echo "0 passed, 1 failed"
        exit 1
    fi
    echo "skipped: needs root, the postgres user and PostgreSQL's server binaries"
    echo "0 passed, 0 failed"
    exit 0
fi
PGDIR=$(mktemp -d)
chown postgres "$PGDIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
    runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDIR/db" -m fast stop >/dev/null 2>&1
    rm -rf "$PGDIR"
}
trap cleanup EXIT
runuser -u postgres -- "$BIN/initdb" -D "$PGDIR/db" -A trust -U postgres >/dev/null || exit 1
runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDIR/db" -l "$PGDIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR -c fsync=off" start >/dev/null || {
    cat "$PGDIR/log"
    exit 1
}
runuser -u postgres -- "$BIN/createdb" -h 127.0.0.1 -p "$PORT" fgtest || exit 1
export FG_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PORT/fgtest"
status=0
T_STORE=$(dirname "$FG")/t_store
if [ "${FG_TEST_PG_LEDGER:-}" = 1 ]; then
    export FG_TEST_PG_LEDGER_URL=$FG_TEST_PG_URL
    T_STORE=/nonexistent # the store's unit tests are serve_pg.sh's
fi
if [ -x "$T_STORE" ]; then
    "$T_STORE" || status=1
fi
# Each serve suite (FG_TEST_PG_SUITES narrows the list) on a database of its own.
for suite in ${FG_TEST_PG_SUITES:-serve serve_scope serve_input serve_edges serve_log serve_routes}; do
    runuser -u postgres -- "$BIN/dropdb" -h 127.0.0.1 -p "$PORT" fgtest
    runuser -u postgres -- "$BIN/createdb" -h 127.0.0.1 -p "$PORT" fgtest
    bash "$(dirname "$0")/$suite.sh" "$FG" || status=1
done
exit $status
