#!/usr/bin/env bash
# Start a throwaway PostgreSQL server (Debian's package) for the tests that run the KB on PostgreSQL.
#
#   scripts/postgres/start.sh      prints "URL PID DATADIR" on stdout once the server answers
#
# With $SCRUM_PG_OWNER_PID set, a watchdog stops the server and removes its directory once that process is gone, so
# a test run that is killed (or whose exit handlers do not run) leaves no server behind.
#
# The cluster lives in a new temporary directory, listens on 127.0.0.1 on a free port, trusts local connections
# (user scrum, database scrum) and is gone when its directory is removed. Run as root, the server runs as the
# `postgres` user (PostgreSQL refuses root). Exit 1 with the reason on stderr when there is no PostgreSQL.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "no PostgreSQL server binaries (Debian: apt-get install postgresql)" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/scrum-pg.XXXXXX)
chmod 755 "$dir"
as=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "running as root and there is no postgres user to run the server" >&2; exit 1; }
  chown postgres "$dir"
  as=(su postgres -s /bin/sh -c)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run() { if [ ${#as[@]} -gt 0 ]; then "${as[@]}" "$*"; else sh -c "$*"; fi; }
run "'$bin/initdb' -D '$dir/data' -A trust -U scrum --locale=C.UTF-8 -E UTF8" >"$dir/initdb.log" 2>&1 \
  || { tail -n 20 "$dir/initdb.log" >&2; exit 1; }
run "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 30 -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start" >"$dir/pg_ctl.log" 2>&1 \
  || { tail -n 20 "$dir/server.log" >&2; exit 1; }
"$bin/createdb" -h 127.0.0.1 -p "$port" -U scrum scrum
pid=$(head -n 1 "$dir/data/postmaster.pid")
if [ -n "${SCRUM_PG_OWNER_PID:-}" ]; then
  owner=$SCRUM_PG_OWNER_PID
  # Detached, with no stdio of ours: the caller reading this script's output is not kept waiting.
  setsid sh -c "while kill -0 $owner 2>/dev/null; do sleep 2; done; kill -INT $pid 2>/dev/null; while kill -0 $pid 2>/dev/null; do sleep 0.2; done; rm -rf '$dir'" </dev/null >/dev/null 2>&1 &
fi
echo "postgres://scrum@127.0.0.1:$port/scrum $pid $dir"
