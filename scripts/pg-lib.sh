# pg-lib.sh — sourced by scripts/pg-start.sh and pg-stop.sh: where the PostgreSQL server binaries
# are ($bin: PG_BIN, else pg_ctl's directory on PATH, else the newest /usr/lib/postgresql/*/bin)
# and how to run them as the postgres user (as_pg: runuser when root).
bin=${PG_BIN:-}
if [ -z "$bin" ]; then
    if command -v pg_ctl >/dev/null; then
        bin=$(dirname "$(command -v pg_ctl)")
    else
        bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    fi
fi
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
