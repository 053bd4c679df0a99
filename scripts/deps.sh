#!/usr/bin/env bash
# Install the Debian packages listed in scripts/packages.txt that are not installed yet.
# A no-op (no apt-get at all) when everything is present; runs `apt-get update` once before installing.
# apt-get's own output goes to a log file (DEPS_LOG, default build/deps.log), not to the terminal;
# on a failure its last lines are shown.
#
# PostgreSQL: the tests start their own throwaway servers (scripts/pg-start.sh), so only the server
# binaries (postgresql-15) are installed. Debian's packages would also create and enable a default
# cluster "15/main" on port 5432 that nothing uses; when postgresql-15 is about to be installed and no
# create_main_cluster setting exists yet, this writes /etc/postgresql-common/createcluster.d/
# fundguard.conf (create_main_cluster = false) first. Delete that file to get Debian's default again;
# `pg_createcluster 15 main --start` creates the cluster later (docs/operations.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
list="$here/packages.txt"
log=${DEPS_LOG:-$root/build/deps.log}
missing=()
while read -r pkg; do
    pkg=${pkg%%#*}
    pkg=${pkg//[[:space:]]/}
    [ -n "$pkg" ] || continue
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing+=("$pkg")
done <"$list"
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
    if ! command -v sudo >/dev/null; then
        echo "deps: not root and no sudo: as root, run apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi
mkdir -p "$(dirname "$log")"
: >"$log"
echo "deps: installing ${#missing[@]} Debian packages with apt-get (output in ${log#"$root"/}):" >&2
echo "      ${missing[*]}" | fold -s -w 100 | sed 's/ *$//; 2,$s/^/      /' >&2

conf=/etc/postgresql-common/createcluster.d/fundguard.conf
if [[ " ${missing[*]} " == *" postgresql-15 "* ]] &&
    ! grep -qsE '^[[:space:]]*create_main_cluster' /etc/postgresql-common/createcluster.conf \
        /etc/postgresql-common/createcluster.d/*.conf; then
    echo "deps: no default PostgreSQL cluster (tests start their own): writing $conf" >&2
    $sudo mkdir -p "$(dirname "$conf")"
    printf '%s\n' "# Written by Fundguard's scripts/deps.sh: its tests start their own PostgreSQL servers," \
        "# so installing postgresql-15 creates no default cluster 15/main on port 5432." \
        "# Delete this file to get Debian's default again (pg_createcluster 15 main --start)." \
        "create_main_cluster = false" | $sudo tee "$conf" >/dev/null
fi

apt() {
    local rc=0
    echo "+ apt-get $*" >>"$log"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0 "$@" >>"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "deps: apt-get $1 failed (exit $rc); the end of ${log#"$root"/}:" >&2
        tail -n 25 "$log" | sed 's/^/    /' >&2
        exit "$rc"
    fi
}
start=$SECONDS
apt update
apt install -y --no-install-recommends "${missing[@]}"
echo "deps: done in $((SECONDS - start)) s" >&2
