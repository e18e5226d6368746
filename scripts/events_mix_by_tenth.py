#!/usr/bin/env python3
"""The mix of provider events in each tenth of an events file (one Mailgun event JSON per line).

The benchmark reports its ingest rate per tenth of the events file; this shows whether the tenths
hold the same kind of work. Each problem status (a failure) costs the writer more than a delivery
(a notification per interested user, a suppression check), so a file whose later tenths hold more
failures ingests more slowly there whatever the store's size.

    EMAIL_AUDIT_BENCH_STOP_BEFORE_INGEST=1 email-audit-bench --emails 200000 --days 1095 --db S --rebuild
    python3 scripts/events_mix_by_tenth.py S.events.jsonl

Columns: events in the tenth; accepted, delivered, opened, clicked, failed; failed because the
address was already on the provider's suppression list (reason suppress-bounce, suppress-complaint
or suppress-unsubscribe); other failures; the share of failures.
"""
import json
import sys


def tenth_mix(path):
    # Two passes, so that a file of tens of gigabytes is never held in memory.
    with open(path, "rb") as handle:
        size = sum(1 for line in handle if line.strip())
    rows = [{"events": 0, "accepted": 0, "delivered": 0, "opened": 0, "clicked": 0, "failed": 0,
             "suppressed": 0, "unparsed": 0} for _ in range(10)]
    with open(path, "rb") as handle:
        index = 0
        for line in handle:
            if not line.strip():
                continue
            counts = rows[min(9, index * 10 // size)]
            index += 1
            counts["events"] += 1
            try:
                event = json.loads(line)
            except ValueError:
                counts["unparsed"] += 1
                continue
            data = event.get("event-data", event) if isinstance(event, dict) else {}
            kind = data.get("event", "") if isinstance(data, dict) else ""
            if kind in counts:
                counts[kind] += 1
            if kind == "failed" and str(data.get("reason", "")).startswith("suppress-"):
                counts["suppressed"] += 1
    return size, rows


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: events_mix_by_tenth.py EVENTS.jsonl")
    size, rows = tenth_mix(sys.argv[1])
    print(f"{size:,} events in {sys.argv[1]}")
    print("tenth   events  accepted delivered   opened  clicked   failed  suppressed  other-failed  failed share")
    for number, c in enumerate(rows, start=1):
        other = c["failed"] - c["suppressed"]
        share = c["failed"] / c["events"] if c["events"] else 0
        print(f"{number:5} {c['events']:8,} {c['accepted']:9,} {c['delivered']:9,} {c['opened']:8,} {c['clicked']:8,}"
              f" {c['failed']:8,} {c['suppressed']:11,} {other:13,} {share:12.1%}")
    unparsed = sum(c["unparsed"] for c in rows)
    if unparsed:
        print(f"{unparsed:,} lines were not JSON")


if __name__ == "__main__":
    main()
