#!/usr/bin/env bash
# pg-start.sh DIR [SETTING=VALUE…] — start a throwaway PostgreSQL cluster in DIR (created; must not
# hold one yet) listening on 127.0.0.1 only, at a free port, run as the postgres user; print its
# URL (postgresql://postgres@127.0.0.1:PORT/postgres) on stdout. Extra arguments are server
# settings (-c NAME=VALUE), e.g. fsync=off for tests. Stop it with scripts/pg-stop.sh DIR.
# Needs initdb / pg_ctl on PATH (or PG_BIN) and, when run as root, runuser.
set -euo pipefail
dir=${1:?usage: pg-start.sh DIR [SETTING=VALUE…]}
shift
source "$(dirname "$0")/pg-lib.sh"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# The postgres user must reach DIR: open the path's directories for traversal (not listing).
p=$dir
while [ "$p" != / ]; do
    [ -O "$p" ] && chmod o+x "$p"
    p=$(dirname "$p")
done
[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1
opts=""
for s in "$@"; do opts="$opts -c $s"; done
# A free port: not accepting on 127.0.0.1; retried when another process takes it first.
for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        continue
    fi
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $dir $opts" start >/dev/null 2>&1; then
        echo "$port" >"$dir/port"
        echo "postgresql://postgres@127.0.0.1:$port/postgres"
        exit 0
    fi
done
echo "pg-start.sh: cannot start PostgreSQL in $dir (see $dir/server.log)" >&2
exit 1
