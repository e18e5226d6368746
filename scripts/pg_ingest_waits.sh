#!/usr/bin/env bash
# Where a PostgreSQL ingest's time goes, by sampling: runs the store benchmark's build and ingest
# (no queries) on a fresh throwaway server with bench_postgres.sh's settings, samples
# pg_stat_activity every 0.1 s, and prints, for the ingest's span (first to last status UPDATE),
# each statement's share of the writers' samples (and "idle in transaction": the client's turn
# within a transaction) and the HOT share of each table's updates.
#
#   scripts/pg_ingest_waits.sh EMAILS DAYS [BINARY]     e.g. 300000 365 .build/release/email-audit-bench
#
# The sampler (one psql per sample) takes a few percent of the machine: the ingest rate it prints
# is a little below an unsampled run's. Output and samples are kept in $TMPDIR/pg-ingest-waits.*.
set -euo pipefail
cd "$(dirname "$0")/.."
emails=${1:?EMAILS}; days=${2:?DAYS}; binary=${3:-.build/release/email-audit-bench}
psql_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PSQL="${PG_BIN:-$psql_bin}/psql"
out=$(mktemp -d "${TMPDIR:-/tmp}/pg-ingest-waits.XXXXXX")
export PG_THROWAWAY_SETTINGS="-c fsync=on -c full_page_writes=on -c synchronous_commit=off -c shared_buffers=1GB -c max_wal_size=4GB"
url=$(bash scripts/pg_throwaway.sh start)
sampler=
trap 'if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; fi; bash scripts/pg_throwaway.sh stop "$url"' EXIT
( while true; do
    "$PSQL" -X -A -t -F '|' -d "$url" -c "
      SELECT clock_timestamp()::time, pid, backend_type, coalesce(state, ''), coalesce(wait_event_type, 'CPU'),
             coalesce(wait_event, ''), left(regexp_replace(query, '\s+', ' ', 'g'), 60)
      FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'" 2>/dev/null || true
    sleep 0.1
  done ) > "$out/samples.txt" &
sampler=$!
"$binary" --db "$url" --emails "$emails" --days "$days" --skip-queries --skip-screen --source "$out/source.sqlite" > "$out/bench.txt" 2>&1
kill "$sampler" 2>/dev/null || true; sampler=
grep 'PostgreSQL ingest:' "$out/bench.txt" || true
first=$(grep -m1 'UPDATE emails e SET status' "$out/samples.txt" | cut -d'|' -f1)
last=$(grep 'UPDATE emails e SET status' "$out/samples.txt" | tail -n 1 | cut -d'|' -f1)
echo "samples of the writers' connections from $first to $last:"
awk -F'|' -v a="$first" -v b="$last" '$1 >= a && $1 <= b {
    k = ($4 == "active") ? substr($7, 1, 50) " [" $5 (($6 == "") ? "" : ":" $6) "]" : $4; c[k]++; n++ }
  END { for (k in c) printf "%6d %5.1f%%  %s\n", c[k], 100 * c[k] / n, k }' "$out/samples.txt" | sort -rn | head -n 15
"$PSQL" -X -d "$url" -c "SELECT relname, n_tup_upd AS updates, n_tup_hot_upd AS hot FROM pg_stat_user_tables
                         WHERE n_tup_upd > 0 ORDER BY n_tup_upd DESC LIMIT 8"
echo "(output and samples in $out)"
