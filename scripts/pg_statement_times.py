#!/usr/bin/env python3
"""Sums a PostgreSQL server log's statement durations by statement shape (issue 13's ingest study).

Run the server with `log_min_duration_statement=0`, e.g.
  PG_BENCH_KEEP=1 PG_BENCH_SETTINGS="-c fsync=on -c full_page_writes=on -c synchronous_commit=off \\
    -c shared_buffers=1GB -c max_wal_size=4GB -c log_min_duration_statement=0" \\
    scripts/bench_postgres.sh --skip-queries --skip-screen
then: python3 scripts/pg_statement_times.py FOLDER/server.log [N]   (FOLDER: the server's temp folder)

Prints the total, then the N (default 25) statement shapes that took longest: seconds summed,
how many, mean ms, and the statement's first line (parameters as `$`). Extended-protocol parse and
bind steps are listed separately ("parse"/"bind" before the text). Durations include waits (locks,
CPU), so with several connections the sum can exceed the wall time.
"""
import collections
import re
import sys

PATTERN = re.compile(r'duration: ([0-9.]+) ms\s+(statement|execute [^:]*|parse [^:]*|bind [^:]*): (.*)')


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    total = collections.Counter()
    count = collections.Counter()
    with open(sys.argv[1], errors='replace') as log:
        for line in log:
            match = PATTERN.search(line)
            if not match:
                continue
            step = match.group(2).split(' ')[0]
            prefix = step if step in ('parse', 'bind') else ''
            shape = prefix + re.sub(r'\$\d+', '$', ' '.join(match.group(3).split()))[:110]
            total[shape] += float(match.group(1))
            count[shape] += 1
    print(f"total {sum(total.values()) / 1000:.1f} s in {sum(count.values())} statements")
    for shape, ms in total.most_common(top):
        print(f"{ms / 1000:8.1f} s {count[shape]:7d}  {ms / count[shape]:8.2f} ms  {shape}")


if __name__ == '__main__':
    main()
