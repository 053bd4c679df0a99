#!/usr/bin/env bash
# pg-stop.sh DIR — stop the throwaway PostgreSQL cluster that scripts/pg-start.sh started in DIR
# (fast shutdown). DIR itself is left for the caller to remove.
set -uo pipefail
dir=${1:?usage: pg-stop.sh DIR}
source "$(dirname "$0")/pg-lib.sh"
[ -f "$dir/data/postmaster.pid" ] || exit 0
as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
