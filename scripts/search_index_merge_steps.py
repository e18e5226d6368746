#!/usr/bin/env python3
"""Times the steps of compact's search-index merge on a copy of a store (it changes the file).

Runs the statement `email-audit compact` runs (`AuditDatabase.mergeSearchIndex`: FTS5's
'merge' command with -500 pages, one write transaction each, until a step does no work) on each
search index, and prints each index's segments before and after, its steps, the total time and
the longest step: the longest that another writer (serve, ingest) waits for the write lock.
Python's sqlite3 module uses the system SQLite, the library the email-audit binary links.

    python3 scripts/search_index_merge_steps.py COPY.sqlite [--pages 500]
"""
import argparse
import sqlite3
import time

INDEXES = ("emails_subject_trigram", "recipients_trigram")


def segments(connection, table):
    """nSegment from the FTS5 structure record (row 10 of TABLE_data)."""
    block = connection.execute(f"SELECT block FROM {table}_data WHERE id = 10").fetchone()[0]
    at = 8 if block[4:8] == b"\xff\x00\x00\x01" else 4
    values = []
    while len(values) < 2:
        value = 0
        while True:
            byte = block[at]
            at += 1
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("--pages", type=int, default=500)
    arguments = parser.parse_args()
    connection = sqlite3.connect(arguments.store, isolation_level=None)
    for table in INDEXES:
        pages = connection.execute(f"SELECT count(*) FROM {table}_data").fetchone()[0]
        before = segments(connection, table)
        durations = []
        started = time.monotonic()
        while True:
            changes = connection.total_changes
            step = time.monotonic()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(f"INSERT INTO {table}({table}, rank) VALUES ('merge', ?)", (-arguments.pages,))
            connection.execute("COMMIT")
            if connection.total_changes - changes < 2:
                break
            durations.append(time.monotonic() - step)
        total = time.monotonic() - started
        ordered = sorted(durations)
        median = ordered[len(ordered) // 2] if ordered else 0
        longest = ordered[-1] if ordered else 0
        print(f"{table}: {pages} pages, {before} -> {segments(connection, table)} segments, {len(durations)} steps "
              f"in {total:.1f} s; step median {median * 1000:.0f} ms, longest {longest * 1000:.0f} ms"
              + (f" (step {durations.index(longest) + 1})" if durations else "")
              + "; slowest steps: " + ", ".join(f"{durations.index(d) + 1}: {d * 1000:.0f} ms" for d in ordered[::-1][:4]))


if __name__ == "__main__":
    main()
