#!/usr/bin/env bash
# The store benchmark on PostgreSQL against a throwaway server (scripts/pg_throwaway.sh):
# starts one, runs `email-audit-bench --db URL` (release build) with the arguments given, stops it.
#
#   scripts/bench_postgres.sh --emails 100000 --days 365      (make bench-postgres EMAILS=100000 DAYS=365)
#   scripts/bench_postgres.sh                                  1,000,000 emails over three years
#
# One build, many query runs (the build's ingest takes minutes; the queries seconds):
#   PG_BENCH_KEEP=1 scripts/bench_postgres.sh --emails 100000 --days 365
#                       leaves the server running after the run and prints its URL (stop it with
#                       scripts/pg_throwaway.sh stop URL); the raised SQLite source stays in $TMPDIR
#                       (--source);
#   PG_BENCH_URL=URL scripts/bench_postgres.sh --emails 100000 --days 365 --skip-screen
#                       runs against that server instead of starting one (and leaves it running):
#                       a database holding the same number of emails, with its source, is reused
#                       (email-audit-bench prints "Reusing ..."), so only the queries run;
#   PG_BENCH_BINARY=PATH runs that email-audit-bench binary instead of building this tree's (to
#                       alternate a before and an after binary on one database).
#   --pg-copy-events    (an email-audit-bench option) builds the store without the PostgreSQL ingest:
#                       events into the SQLite source, then everything copied with migrate's code;
#   --pg-unprepared     (an email-audit-bench option) plans every page afresh, the reader before
#                       its prepared statements (before/after in one binary).
#
# The server's settings for the benchmark (on top of pg_throwaway.sh's), chosen to match the
# SQLite store's durability rather than the tests' speed:
#   fsync=on, full_page_writes=on   a crash or power cut cannot corrupt the store (the tests run
#                                   with both off);
#   synchronous_commit=off          as SQLite's WAL with synchronous=NORMAL: a power cut may lose
#                                   the last commits, never corrupt;
#   shared_buffers=1GB              the tests' 64 MB is too small for a 1,000,000-email store's
#                                   hot indexes; the rest is the operating system's page cache,
#                                   as for SQLite;
#   max_wal_size=4GB                fewer forced checkpoints during the ingest.
# Everything else is PostgreSQL's default (Debian's postgresql 15). PG_BENCH_SETTINGS replaces
# these settings.
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_THROWAWAY_SETTINGS="${PG_BENCH_SETTINGS:--c fsync=on -c full_page_writes=on -c synchronous_commit=off -c shared_buffers=1GB -c max_wal_size=4GB}"
binary=${PG_BENCH_BINARY:-.build/release/email-audit-bench}
if [ -z "${PG_BENCH_BINARY:-}" ]; then swift build -c release --product email-audit-bench >&2; fi
if [ -n "${PG_BENCH_URL:-}" ]; then
  url=$PG_BENCH_URL
  echo "bench_postgres: the running server $url (PG_BENCH_URL; its settings are whatever it was started with)" >&2
else
  url=$(bash scripts/pg_throwaway.sh start)
  if [ -n "${PG_BENCH_KEEP:-}" ]; then
    trap 'echo "bench_postgres: the server keeps running (PG_BENCH_KEEP): PG_BENCH_URL=\"$url\"; stop it with scripts/pg_throwaway.sh stop \"$url\"" >&2' EXIT
  else
    trap 'bash scripts/pg_throwaway.sh stop "$url"' EXIT
  fi
  trap 'exit 130' INT TERM
  echo "bench_postgres: server $url with settings: $PG_THROWAWAY_SETTINGS" >&2
fi
# The server's own version and settings, for the record.
psql_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
"${PG_BIN:-$psql_bin}/psql" -X -A -t -d "$url" -c "SELECT version()" -c "SELECT name || '=' || setting || coalesce(unit, '') FROM pg_settings WHERE name IN ('shared_buffers','fsync','synchronous_commit','full_page_writes','max_wal_size','work_mem','effective_cache_size','jit','random_page_cost')" || true
status=0
"$binary" --db "$url" "$@" || status=$?
exit "$status"
