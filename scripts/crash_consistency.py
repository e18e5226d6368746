#!/usr/bin/env python3
"""Crash consistency of `email-audit ingest` (issue 9).

Builds a JSON-lines file of Mailgun events (seeded), ingests it once without interruption
into a reference store, then ingests it into a second store while killing the process with
SIGKILL at random moments (at least 20 times, each kill checked: the store is intact), and
finally lets a run finish. The second store must equal the reference row by row: emails,
events, roll-ups (daily and monthly), recipients, suppressions and their trail, accounts, staff, users and the kept
counts (only the change counter may differ).

Usage: scripts/crash_consistency.py --binary PATH [--kills 20] [--events 10000] [--seed 9]
Standard library only (python3 with sqlite3).
"""
import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

TABLES = {
    "accounts": "id",
    "staff": "id",
    "emails": "id",
    "events": "id",
    "rollups": "account_id, day, raised_by_id, status",
    "rollups_monthly": "account_id, month, raised_by_id, status",
    "rollups_yearly": "account_id, year, raised_by_id, status",
    "recipients": "address",
    # The search indexes (schema v3) are kept by triggers in the same transactions.
    "recipients_trigram": "address",
    "account_suppressions": "account_id, address",
    "suppression_history": "account_id, address, at, action, note",
    "users": "id",
    "meta": "key",
}


def make_events(path, count, seed):
    """Mailgun events for count/3 messages: accepted, then delivered or failed, sometimes opened."""
    generator = random.Random(seed)
    now = time.time()
    lines = []
    message = 0
    while len(lines) < count:
        message += 1
        recipient = f"tenant{generator.randrange(4000)}@example{generator.randrange(40)}.net"
        message_id = f"{message:07d}.{generator.getrandbits(32):08x}@mg.example.com"
        start = now - generator.uniform(3600, 30 * 86400)
        headers = {"message-id": message_id, "to": recipient, "from": "billing@mg.example.com",
                   "subject": f"Service charge demand {message}"}

        def event(kind, offset, **extra):
            item = {"event": kind, "id": f"e{len(lines):09d}x{generator.getrandbits(24):06x}",
                    "timestamp": round(start + offset, 6), "recipient": recipient,
                    "message": {"headers": headers}, "user-variables": {}}
            item.update(extra)
            lines.append(json.dumps(item))

        event("accepted", 0)
        roll = generator.random()
        if roll < 0.8:
            event("delivered", 5, **{"delivery-status": {"code": 250, "message": "OK", "attempt-no": 1}})
            if generator.random() < 0.4:
                event("opened", 600)
        elif roll < 0.9:
            event("failed", 6, severity="permanent", reason="bounce",
                  **{"delivery-status": {"code": 550, "message": "5.1.1 mailbox does not exist", "attempt-no": 1}})
        else:
            event("failed", 6, severity="temporary", reason="generic",
                  **{"delivery-status": {"code": 421, "message": "try later", "attempt-no": 1, "retry-seconds": 600}})
    generator.shuffle(lines)  # events arrive out of order
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")


def ingest(binary, db, events, batch):
    env = dict(os.environ, TZ="Europe/London", EMAIL_AUDIT_TZ="Europe/London")
    # Four chunks to a transaction: a kill can land between the chunks of one transaction.
    return subprocess.Popen([binary, "ingest", "--db", db, "--batch-size", str(batch), "--chunk-size", str(max(1, batch // 4)), events],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def rows(db):
    connection = sqlite3.connect(db)
    try:
        result = {}
        for table, order in TABLES.items():
            # The trail's row ids follow the order batches were applied in; its content must match.
            columns = "account_id, address, at, action, user_id, user_name, note" if table == "suppression_history" else "*"
            data = connection.execute(f"SELECT {columns} FROM {table} ORDER BY {order}").fetchall()
            if table == "meta":
                data = [row for row in data if row[0] != "change_counter"]
            result[table] = data
        # The subject index must match the subjects it indexes (FTS5's own check; raises if not).
        connection.execute("INSERT INTO emails_subject_trigram (emails_subject_trigram, rank) VALUES ('integrity-check', 1)")
        result["emails_subject_trigram"] = [("integrity-check ok",)]
        return result
    finally:
        connection.close()


def integrity(db):
    connection = sqlite3.connect(db)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=9)
    options = parser.parse_args()
    work = tempfile.mkdtemp(prefix="email-audit-crash-")
    events = os.path.join(work, "events.jsonl")
    make_events(events, options.events, options.seed)

    reference = os.path.join(work, "reference.sqlite")
    started = time.monotonic()
    process = ingest(options.binary, reference, events, options.batch)
    out, err = process.communicate(timeout=300)
    whole = time.monotonic() - started
    if process.returncode != 0:
        print(f"FAIL the uninterrupted ingest failed: rc={process.returncode} {err}")
        return 1
    print(f"uninterrupted ingest: {whole:.2f} s; {out.strip()}")

    crashed = os.path.join(work, "crashed.sqlite")
    generator = random.Random(options.seed)
    kills = 0
    failures = []
    while kills < options.kills:
        process = ingest(options.binary, crashed, events, options.batch)
        # Each run skips what earlier runs stored quickly, so aim anywhere in a whole run.
        time.sleep(generator.uniform(0.02, whole * 0.9))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            if os.path.exists(crashed):
                verdict = integrity(crashed)
                if verdict != "ok":
                    failures.append(f"kill {kills}: integrity_check says {verdict}")
        else:
            process.communicate()
            # It finished before the kill: start over so that every kill lands mid-ingest.
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(crashed + suffix):
                    os.remove(crashed + suffix)
    process = ingest(options.binary, crashed, events, options.batch)
    out, err = process.communicate(timeout=300)
    if process.returncode != 0:
        failures.append(f"the final run failed: rc={process.returncode} {err}")
    expected, found = rows(reference), rows(crashed)
    for table in TABLES:
        if expected[table] != found[table]:
            missing = len(set(expected[table]) - set(found[table]))
            extra = len(set(found[table]) - set(expected[table]))
            failures.append(f"table {table} differs: {missing} rows missing, {extra} extra")
    if integrity(crashed) != "ok":
        failures.append("final integrity_check failed")
    total = sum(len(value) for value in expected.values())
    if failures:
        for failure in failures:
            print("FAIL " + failure)
        print(f"kept for a look: {work}")
        return 1
    print(f"ok   {kills} kill -9 during ingest; the re-run converged to the uninterrupted store "
          f"({total} rows compared, roll-ups included)")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
