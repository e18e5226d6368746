#!/bin/sh
# Times `query --format csv` against `query --format json` over the same rows of one seeded store.
#
#   scripts/query_format_speed.sh [binary] [emails]     (default: the release binary, 50000 emails; seeding 200000 took 6 minutes)
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-$(swift build -c release --show-bin-path)/email-audit}
EMAILS=${2:-50000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN" seed --db "$WORK/q.sqlite" --emails "$EMAILS" --days 365 --seed 3 --now "20/11/2026 14:30" --quiet
for format in csv json csv json; do
    /usr/bin/time -f "query --format $format --range all --limit 0: %e s wall, %U s user, %S s system" \
        "$BIN" query --db "$WORK/q.sqlite" --range all --format "$format" --limit 0 > "$WORK/out.$format"
done
echo "rows: $(($(wc -l < "$WORK/out.csv") - 1)); bytes: csv $(wc -c < "$WORK/out.csv"), json $(wc -c < "$WORK/out.json")"
