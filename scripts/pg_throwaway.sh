#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: a fresh cluster in a new temp folder, listening only
# on a Unix socket in that folder (no TCP), trust authentication, fsync off. Nothing outside the
# folder is touched; stopping it deletes the folder.
#
#   scripts/pg_throwaway.sh start        starts one; prints its URL (postgresql://USER@/postgres?host=DIR)
#   scripts/pg_throwaway.sh url DIR      prints the URL of the server in DIR
#   scripts/pg_throwaway.sh stop DIR|URL stops it and deletes DIR
#   scripts/pg_throwaway.sh with CMD...  runs CMD with EMAIL_AUDIT_TEST_POSTGRES_URL set to a server
#                                        started for it, then stops it (even when CMD fails or is
#                                        interrupted); exits with CMD's status. When the variable is
#                                        already set, CMD runs against that server and none is started.
#                                        With no PostgreSQL installed, CMD runs without the variable
#                                        (the PostgreSQL tests are recorded as skipped), except under
#                                        CI=true, where that is an error.
#
# PG_THROWAWAY_SETTINGS adds server settings after the defaults above (a later -c wins), e.g.
# "-c shared_buffers=1GB -c fsync=on" (scripts/bench_postgres.sh sets its own; the tests use none).
#
# The binaries come from PG_BIN, else /usr/lib/postgresql/15/bin, else the newest
# /usr/lib/postgresql/*/bin (Debian's postgresql package; .ci/run installs it when missing).
# initdb refuses to run as root, so as root the server runs as the unprivileged user `nobody`
# (via runuser); the database superuser is still named after the calling user (root), so the URL
# works for the tests as they are run.
set -euo pipefail

variable=EMAIL_AUDIT_TEST_POSTGRES_URL

find_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return 0; fi
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then echo /usr/lib/postgresql/15/bin; return 0; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return 0; fi
  return 1
}

# Runs a command as the server's user: `nobody` when we are root, else ourselves.
as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u nobody -- "$@"
    else
      su -s /bin/sh nobody -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

url_for() {
  echo "postgresql://$(id -un)@/postgres?host=$1"
}

# The folder from a folder or a URL (its host= parameter).
folder_of() {
  case "$1" in
    postgresql://*|postgres://*) echo "${1##*host=}" | cut -d'&' -f1 ;;
    *) echo "$1" ;;
  esac
}

start() {
  local bin dir
  bin=$(find_bin) || { echo "pg_throwaway: no PostgreSQL found (apt-get install postgresql, or set PG_BIN)" >&2; return 3; }
  dir=$(mktemp -d /tmp/email-audit-pg.XXXXXXXX)
  chmod 700 "$dir"
  if [ "$(id -u)" = 0 ]; then chown nobody "$dir"; fi
  # The server's user may not be able to enter the caller's folder.
  cd "$dir"
  if ! as_server_user "$bin/initdb" -D "$dir/data" -U "$(id -un)" -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
    echo "pg_throwaway: initdb failed:" >&2
    tail -n 20 "$dir/initdb.log" >&2
    rm -rf "$dir"
    return 1
  fi
  if ! as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB -c max_connections=50 ${PG_THROWAWAY_SETTINGS:-}" \
      start >/dev/null 2>&1; then
    echo "pg_throwaway: the server did not start:" >&2
    tail -n 20 "$dir/server.log" >&2 || true
    rm -rf "$dir"
    return 1
  fi
  url_for "$dir"
}

stop() {
  local dir bin
  dir=$(folder_of "${1:?stop needs the folder or URL that start printed}")
  case "$dir" in
    /tmp/email-audit-pg.*) ;;
    *) echo "pg_throwaway: $dir is not a folder this script made" >&2; return 2 ;;
  esac
  [ -d "$dir" ] || return 0
  cd /
  if bin=$(find_bin) && [ -f "$dir/data/postmaster.pid" ]; then
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  url) url_for "$(folder_of "${2:?url needs the folder}")" ;;
  stop) stop "${2:-}" ;;
  with)
    shift
    [ $# -gt 0 ] || { echo "usage: $0 with CMD..." >&2; exit 2; }
    if [ -n "${!variable:-}" ]; then exec "$@"; fi
    if ! find_bin >/dev/null; then
      if [ "${CI:-}" = true ]; then
        echo "pg_throwaway: CI=true but no PostgreSQL is installed (.ci/run installs postgresql)" >&2
        exit 3
      fi
      echo "pg_throwaway: no PostgreSQL here; the PostgreSQL tests will be skipped (apt-get install postgresql to run them)" >&2
      exec "$@"
    fi
    url=$(start)
    trap 'stop "$url"' EXIT
    trap 'exit 130' INT TERM
    echo "pg_throwaway: $variable=$url" >&2
    status=0
    env "$variable=$url" "$@" || status=$?
    exit "$status"
    ;;
  *)
    echo "usage: $0 start | url DIR | stop DIR|URL | with CMD..." >&2
    exit 2
    ;;
esac
