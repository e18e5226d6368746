#!/usr/bin/env bash
# An experiment for issue 13 (not a test, not run by CI): what the PostgreSQL ingest's status UPDATE
# would cost if status and its three indexes lived in a narrow table of their own.
# On one month of a store built by scripts/bench_postgres.sh (PG_BENCH_KEEP=1), it copies the month three
# ways: exp_a with every index of the month (today), exp_b without the three indexes that hold status
# (fillfactor 80, so an update is HOT), exp_c the narrow (key, raised by, status, to) table with those
# three; then, five times, updates 1,400 random rows (a batch; the same rows in each copy) as the ingest
# does, and
# prints the times and the HOT counts. It leaves the exp_* tables behind (DROP TABLE exp_a, exp_b, exp_c, exp_ids).
#
#   bash scripts/pg_status_split_experiment.sh "postgresql://...?host=/tmp/email-audit-pg.XXXX" [month partition]
set -e
U="$1"; P=/usr/lib/postgresql/15/bin/psql
M=${2:-emails_y2026m03}
q() { $P -X -q -d "$U" -v ON_ERROR_STOP=1 "$@"; }
q -c "DROP TABLE IF EXISTS exp_a, exp_b, exp_c, exp_ids"
q -c "CREATE TABLE exp_a AS SELECT * FROM $M" -c "CREATE TABLE exp_b WITH (fillfactor = 80) AS SELECT * FROM $M" \
  -c "CREATE TABLE exp_c AS SELECT account_id, created_at, id, raised_by_id, status, to_address FROM $M"
# exp_a: every index of the month; exp_b: all but the three with status; exp_c: the key and the three with status.
n=0
q -At -c "SELECT indexdef FROM pg_indexes WHERE tablename = '$M'" | while read -r def; do
  n=$((n+1))
  a=$(echo "$def" | sed -E "s/INDEX ([a-z0-9_]+) ON public.$M/INDEX xa_$n ON public.exp_a/")
  q -c "$a"
  if ! echo "$def" | grep -q "status"; then
    b=$(echo "$def" | sed -E "s/INDEX ([a-z0-9_]+) ON public.$M/INDEX xb_$n ON public.exp_b/"); q -c "$b"
  else
    c=$(echo "$def" | sed -E "s/INDEX ([a-z0-9_]+) ON public.$M/INDEX xc_$n ON public.exp_c/"); q -c "$c"
  fi
done
q -c "CREATE UNIQUE INDEX exp_c_key ON exp_c (account_id, id, created_at)"
q -c "VACUUM ANALYZE exp_a" -c "VACUUM ANALYZE exp_b" -c "VACUUM ANALYZE exp_c"
q -At -c "SELECT relname, (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid) FROM pg_class c WHERE relname IN ('exp_a','exp_b','exp_c') ORDER BY 1"
for round in 1 2 3 4 5; do
  q -c "DROP TABLE IF EXISTS exp_ids" -c "CREATE TABLE exp_ids AS SELECT account_id a, id i, created_at c FROM $M ORDER BY random() LIMIT 1400"
  for t in a b c; do
    if [ $t = c ]; then set_clause="status = (x.status + 1) % 10"; else set_clause="status = (x.status + 1) % 10, last_event_at = now(), status_detail = '{\"code\": 250}'"; fi
    ms=$(q -c '\timing on' -c "UPDATE exp_$t x SET $set_clause FROM exp_ids k WHERE x.account_id = k.a AND x.id = k.i AND x.created_at = k.c" | grep -o "Time: [0-9.]*" | cut -d' ' -f2)
    echo "round $round exp_$t $ms ms"
  done
done
q -At -c "SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname IN ('exp_a','exp_b','exp_c') ORDER BY 1"
