#!/usr/bin/env python3
"""Times a To prefix* page checked on the date index, both ways, on one store (schema v17 or later).

    python3 scripts/to_prefix_date_index.py STORE [STEM,STEM,...] [--rounds N]

For each stem: the page of 50 newest emails whose address starts with it, read on
`emails_account_created` newest first, (a) comparing the whole address from each row (what the
planner did before schema v17: one row read per entry) and (b) comparing the address's first
eight characters held in the index entry first (what it does now: rows read only for the page,
and for a longer stem only for entries whose first eight match). Both must return the same rows.
Prints the stem's addresses and emails (recipients table), the entries a page checks (50 x
emails / stem's emails), and the median and slowest of N rounds of each, in ms. Python's sqlite3
module links the system SQLite, as the binary does.
"""
import argparse
import sqlite3
import statistics
import sys
import time

COLUMNS = "id, created_at, to_address, subject, status, (SELECT name FROM staff WHERE id = e.raised_by_id)"
INDEXED = "substr(to_address, 1, 8)"


def upper(stem):
    return stem + "\U0010FFFF"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store")
    parser.add_argument("stems", nargs="?")
    parser.add_argument("--rounds", type=int, default=15)
    options = parser.parse_args()
    args = [options.store] + ([options.stems] if options.stems else [])
    rounds = options.rounds
    db = sqlite3.connect(f"file:{args[0]}?mode=ro", uri=True)
    index = db.execute("SELECT sql FROM sqlite_master WHERE name = 'emails_account_created'").fetchone()[0]
    if INDEXED not in index:
        sys.exit(f"{args[0]}: its date index does not hold the addresses' first letters (schema v17): {index}")
    stems = args[1].split(",") if len(args) > 1 else ["joh", "ren", "mac", "mul", "sar", "hughes", "pau", "patel", "j", "jo"]
    emails = db.execute("SELECT max(id) FROM emails").fetchone()[0] or 0
    account = db.execute("SELECT min(id) FROM accounts").fetchone()[0]
    rows_sql = (f"SELECT {COLUMNS} FROM emails e INDEXED BY emails_account_created WHERE account_id = ? "
                "AND to_address >= ? AND to_address < ? ORDER BY created_at DESC, id DESC LIMIT 50")
    entry_sql = (f"SELECT {COLUMNS} FROM emails e INDEXED BY emails_account_created WHERE account_id = ? "
                 f"AND {INDEXED} >= ? AND {INDEXED} < ? AND to_address >= ? AND to_address < ? "
                 "ORDER BY created_at DESC, id DESC LIMIT 50")
    print(f"{args[0]}: {emails} emails; {rounds} rounds each, alternating")
    for stem in stems:
        stem = stem.lower()
        first = "".join(list(stem)[:8])
        addresses, held = db.execute("SELECT count(*), coalesce(sum(emails), 0) FROM recipients WHERE address >= ? AND address < ?",
                                     (stem, upper(stem))).fetchone()
        by_rows, by_entries = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            a = db.execute(rows_sql, (account, stem, upper(stem))).fetchall()
            by_rows.append(time.perf_counter() - start)
            start = time.perf_counter()
            b = db.execute(entry_sql, (account, first, upper(first), stem, upper(stem))).fetchall()
            by_entries.append(time.perf_counter() - start)
            if a != b:
                sys.exit(f"{stem}: the two forms returned different rows")
        checked = 50 * emails / held if held else emails
        print(f"{stem:>12}: {addresses:5} addresses {held:8} emails ~{checked:9.0f} entries checked   "
              f"rows {statistics.median(by_rows) * 1000:7.2f} (max {max(by_rows) * 1000:7.2f})   "
              f"entries {statistics.median(by_entries) * 1000:7.2f} (max {max(by_entries) * 1000:7.2f}) ms")


if __name__ == "__main__":
    main()
