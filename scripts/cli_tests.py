#!/usr/bin/env python3
"""Command-line behaviour of the real email-audit binary: bad input gets a one-line error,
a non-zero exit, and nothing is written; ingest is idempotent; exports are well-formed.

Usage: scripts/cli_tests.py --binary PATH
"""
import argparse
import base64
import csv
import glob
import hashlib
import io
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from pg_test_support import psql_binary, with_database

PASSED, FAILED = [], []


def check(name, condition, detail=""):
    (PASSED if condition else FAILED).append(name)
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f"  -- {detail}"))


# Who the commands sign in as: a staff member of the seeded Harbour Lets (scripts run in a temporary store).
SIGNED_IN = "Amelia Hughes"


def run(binary, *args, stdin=None, env=None):
    full_env = dict(os.environ, TZ="Europe/London", LANG="C.UTF-8", EMAIL_AUDIT_TZ="Europe/London", EMAIL_AUDIT_USER=SIGNED_IN)
    full_env.pop("EMAIL_AUDIT_DB", None)
    if env:
        full_env.update(env)
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, env=full_env, timeout=300)


def broken_pipe_check(binary, *args, env=None):
    """Runs a command whose standard output's reader has already gone (the read end of its pipe
    closed): it must end by SIGPIPE (-13), as `cat` would under `| head`, with no error text."""
    full_env = dict(os.environ, TZ="Europe/London", LANG="C.UTF-8", EMAIL_AUDIT_USER=SIGNED_IN)
    full_env.pop("EMAIL_AUDIT_DB", None)
    full_env.update(env or {})
    reading, writing = os.pipe()
    os.close(reading)
    try:
        result = subprocess.run([binary, *args], stdout=writing, stderr=subprocess.PIPE, text=True,
                                env=full_env, timeout=120)
        code, error = result.returncode, result.stderr
    except subprocess.TimeoutExpired:
        code, error = None, "timed out"
    finally:
        os.close(writing)
    check(f"{' '.join(a for a in args if not a.startswith('postgres'))} | (reader gone): ends by SIGPIPE, no error text",
          code == -13 and not error.strip(), f"rc={code} stderr={error[-300:]!r}")


def digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def content(path):
    """A digest of everything stored (independent of WAL checkpoints)."""
    connection = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()
    finally:
        connection.close()


def event_line(event_id, recipient, message_id, timestamp, subject="Imported", kind="delivered"):
    """One Mailgun event as a JSON line (timestamp given as JSON text)."""
    return ('{"event": "%s", "id": "%s", "timestamp": %s, "recipient": "%s", '
            '"message": {"headers": {"message-id": "%s", "to": "%s", "subject": %s}}}\n'
            % (kind, event_id, timestamp, recipient, message_id, recipient, json.dumps(subject)))


def hardening_checks(binary, work, db):
    """Issue 9 (engine and store half): hostile data and careless operators."""
    # Huge and implausible timestamps: one-line errors, the good lines kept, no crash.
    huge = os.path.join(work, "huge.jsonl")
    with open(huge, "w") as handle:
        handle.write(event_line("hugeOk1", "huge@example.net", "huge.1@x", "1795000000.5"))
        for index, stamp in enumerate(["1e300", '"1e300"', "9.3e12", "1e12", "-3"]):
            handle.write(event_line(f"hugeBad{index}", f"h{index}@example.net", f"huge.b{index}@x", stamp))
    result = run(binary, "ingest", "--db", db, huge)
    check("a huge timestamp is a line error, not a crash", result.returncode == 2 and "1 new events" in result.stdout
          and all(f'line {n}: field "timestamp"' in result.stderr for n in range(2, 7)),
          f"rc={result.returncode} {result.stdout!r} {result.stderr[-300:]!r}")

    # NUL inside text: refused as a field error; the same file again changes nothing.
    nul = os.path.join(work, "nul.jsonl")
    with open(nul, "w") as handle:
        handle.write(event_line("nulA", "nul@example.net", "same\\u0000one@x", "1795000000.5"))
        handle.write(event_line("nulB", "nul@example.net", "same\\u0000two@x", "1795000001.5"))
        handle.write(event_line("nulC", "nul\\u0000@example.net", "nul.c@x", "1795000002.5"))
    before = content(db)
    first = run(binary, "ingest", "--db", db, nul)
    second = run(binary, "ingest", "--db", db, nul)
    check("NUL in a message id or recipient is a field error", first.returncode == 2 and "NUL" in first.stderr
          and "message.headers.message-id" in first.stderr and 'field "recipient"' in first.stderr, first.stderr)
    check("re-ingesting a file with NULs stays idempotent", second.returncode == 2 and "UNIQUE" not in second.stderr
          and content(db) == before, second.stderr)

    # A long subject is stored cut, with a visible mark; the raw event stays whole.
    long_file = os.path.join(work, "long.jsonl")
    with open(long_file, "w") as handle:
        handle.write(event_line("longSubj", "long@example.net", "long.1@x", "1795000000.5", subject="S" * 200000))
    run(binary, "ingest", "--db", db, long_file)
    connection = sqlite3.connect(db)
    email_id, stored, packed = connection.execute(
        "select e.id, e.subject, v.raw_json from emails e join events v on v.email_id = e.id where e.to_address = 'long@example.net'").fetchone()
    connection.close()
    raw = run(binary, "show", "--db", db, "--raw", str(email_id)).stdout
    with open(long_file) as handle:
        received = handle.read()
    check("a 200,000-character subject is stored cut with a mark", len(stored) < 1100 and stored.endswith("characters)")
          and "(cut: 199000 characters)" in stored, stored[-60:])
    check("the raw event is stored compact and `show --raw` prints it exactly as received",
          isinstance(packed, bytes) and len(packed) < 2000 and raw == received, f"{len(packed)} bytes stored; {len(raw)} printed")

    # Invalid UTF-8 is counted and reported.
    latin = os.path.join(work, "latin1.jsonl")
    with open(latin, "wb") as handle:
        handle.write(event_line("latin1", "latin@example.net", "latin.1@x", "1795000000.5", subject="Caf\u00e9").encode()
                     .replace(b"\\u00e9", b"\xe9"))
    result = run(binary, "ingest", "--db", db, latin)
    check("invalid UTF-8 is counted and reported", result.returncode == 0 and "1 invalid UTF-8 byte sequence" in result.stdout,
          result.stdout + result.stderr)

    # The CSV formula guard sees '=' followed by a combining mark.
    formula = os.path.join(work, "formula.jsonl")
    with open(formula, "w") as handle:
        handle.write(event_line("formula1", "formula@example.net", "formula.1@x", "1795000000.5", subject="=\u0301HYPERLINK(1)"))
    run(binary, "ingest", "--db", db, formula)
    exported = run(binary, "query", "--db", db, "--range", "all", "--to", "formula@example.net", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    check("csv defuses '=' followed by a combining mark", len(rows) == 1 and rows[0]["Subject"].startswith("'="),
          exported.stdout)

    # Another --time-zone never rewrites the store.
    before = content(db)
    zone_before = sqlite3.connect(db).execute("select value from meta where key = 'time_zone'").fetchone()[0]
    for args in (["query", "--range", "today"], ["show", "1"], ["check"]):
        result = run(binary, args[0], "--db", db, "--time-zone", "Pacific/Auckland", *args[1:])
        check(f"{args[0]} in another zone succeeds", result.returncode == 0, result.stderr)
    check("readers in another zone leave the store unchanged", content(db) == before
          and sqlite3.connect(db).execute("select value from meta where key = 'time_zone'").fetchone()[0] == zone_before)
    result = run(binary, "ingest", "--db", db, "--time-zone", "Pacific/Auckland", huge)
    check("a writer in another zone keeps the store's zone and exact roll-ups",
          sqlite3.connect(db).execute("select value from meta where key = 'time_zone'").fetchone()[0] == zone_before
          and run(binary, "check", "--db", db).returncode == 0)

    # check: intact store.
    result = run(binary, "check", "--db", db)
    check("check passes an intact store", result.returncode == 0 and "ok" in result.stdout, result.stderr)

    # A FIFO or /dev/null is refused at once.
    journals_before = [os.path.exists("/dev/null" + suffix) for suffix in ("-journal", "-wal")]
    fifo = os.path.join(work, "pipe.sqlite")
    os.mkfifo(fifo)
    for path in (fifo, "/dev/null"):
        for args in (["query", "--range", "all"], ["ingest", huge]):
            try:
                result = run_timeout(binary, 20, args[0], "--db", path, *args[1:])
                lines = [line for line in result.stderr.splitlines() if line.strip()]
                check(f"{args[0]} --db {path}: refused with one line", result.returncode != 0 and len(lines) == 1
                      and "not a regular file" in lines[0], result.stderr)
            except subprocess.TimeoutExpired:
                check(f"{args[0]} --db {path}: refused with one line", False, "hung")
    check("/dev/null gets no journal", [os.path.exists("/dev/null" + suffix) for suffix in ("-journal", "-wal")] == journals_before)

    # A postgresql:// URL is refused with one line by the command that stays SQLite's (issue 13:
    # set-time-zone; every other command takes PostgreSQL, see postgres_checks), before
    # connecting, saying why, and nothing is created (as a path it would be a folder named "postgresql:").
    for args, env, says in ((["set-time-zone", "Europe/Paris"], {"EMAIL_AUDIT_DB": "postgresql://audit@db.example.net/audit"},
                             "the zone it was created in"),):
        result = run(binary, *args, env=env)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        check(f"{args[0]} with a PostgreSQL URL: refused with one line saying what to use instead",
              result.returncode != 0 and len(lines) == 1
              and f"{args[0]} does not take a PostgreSQL store" in lines[0] and says in lines[0], result.stderr)
    check("a PostgreSQL URL creates nothing", not os.path.exists("postgresql:") and not os.path.exists("postgres:"))

    # A store another user owns (0644) can still be queried by a user who cannot write it.
    setpriv = shutil.which("setpriv")
    if os.geteuid() == 0 and setpriv:
        shared = tempfile.mkdtemp(prefix="email-audit-ro-")
        os.chmod(shared, 0o755)
        copy = os.path.join(shared, "audit.sqlite")
        source = sqlite3.connect(db)
        target = sqlite3.connect(copy)
        source.backup(target)
        target.execute("pragma journal_mode = wal")
        target.close()
        source.close()
        os.chmod(copy, 0o644)
        before = digest(copy)
        listing = os.listdir(shared)
        result = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", binary, "query", "--db", copy,
                                 "--range", "all", "--format", "csv", "--limit", "3"],
                                capture_output=True, text=True, timeout=60, env=dict(os.environ, TZ="Europe/London"))
        check("another user's 0644 store can be queried", result.returncode == 0 and result.stdout.startswith("Id,"),
              f"rc={result.returncode} {result.stderr!r}")
        check("querying it changed nothing", digest(copy) == before and os.listdir(shared) == listing, os.listdir(shared))
        shutil.rmtree(shared, ignore_errors=True)
    else:
        print("skip another user's 0644 store (needs root and setpriv)")

    # Two processes creating one new store at once both succeed.
    good = os.path.join(work, "good.jsonl")
    with open(good, "w") as handle:
        handle.write(event_line("goodRace1", "race@example.net", "race.1@x", "1795000000.5"))
    for attempt in range(3):
        fresh = os.path.join(work, f"race-{attempt}", "audit.sqlite")
        processes = [subprocess.Popen([binary, "ingest", "--db", fresh, good], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for _ in range(4)]
        outcomes = [(process.wait(timeout=120), process.stderr.read()) for process in processes]
        check(f"concurrent creation {attempt}: every process succeeds", all(code == 0 for code, err in outcomes), outcomes)
        check(f"concurrent creation {attempt}: one intact store", run(binary, "check", "--db", fresh).returncode == 0)

    # A damaged store is reported by check and by the screen (before it starts), never shown.
    damaged = os.path.join(work, "damaged.sqlite")
    source = sqlite3.connect(db)
    target = sqlite3.connect(damaged)
    source.backup(target)
    target.close()
    source.close()
    size = os.path.getsize(damaged)
    generator = random.Random(5)
    with open(damaged, "r+b") as handle:
        for offset in range(size // 3, size - 8192, max(8192, size // 40)):
            handle.seek(offset)
            handle.write(bytes(generator.randrange(256) for _ in range(3000)))
    result = run(binary, "check", "--db", damaged)
    check("check reports a damaged store", result.returncode != 0 and "damaged" in result.stderr, result.stderr[-300:])
    result = run(binary, "--db", damaged)
    check("the screen refuses a damaged store with one line", result.returncode != 0 and "damaged" in result.stderr
          and "\x1b" not in result.stdout, result.stderr[-300:])

    # The WAL deleted while another process (the screen) has the store open: the next ingest
    # that writes says what happened instead of a bare "disk I/O error".
    lost = os.path.join(work, "lost.sqlite")
    run(binary, "ingest", "--db", lost, good)
    holder = sqlite3.connect(lost)
    holder.execute("select count(*) from emails").fetchone()
    more = os.path.join(work, "more.jsonl")
    with open(more, "w") as handle:
        handle.write(event_line("walMore1", "more@example.net", "wal.more.1@x", "1795000000.5"))
    run(binary, "ingest", "--db", lost, more)
    os.remove(lost + "-wal")
    last = os.path.join(work, "last.jsonl")
    with open(last, "w") as handle:
        handle.write(event_line("walLast1", "last@example.net", "wal.last.1@x", "1795000000.5"))
    result = run(binary, "ingest", "--db", lost, last)
    holder.close()
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    check("ingest after the WAL was deleted under an open store: a clear one-line error",
          result.returncode == 0 or (len(lines) == 1 and "-wal" in lines[0] and "deleted" in lines[0]), result.stderr)


    # An audit id takes over an email only for its own recipient; once set, the message id stays.
    # (A Pending email is made in a copy of the store by hand: every seeded email is handed over.)
    claimed = os.path.join(work, "claimed.sqlite")
    source = sqlite3.connect(db)
    target = sqlite3.connect(claimed)
    source.backup(target)
    source.close()
    target.execute("""insert into emails (account_id, raised_by_id, activity, to_address, cc, sender_id, subject, body,
                                          attachments, created_at, status)
                      select account_id, raised_by_id, activity, 'pending.tenant@example.net', '[]', sender_id, subject,
                             body, '[]', created_at, 0 from emails order by id limit 1""")
    email_id = target.execute("select max(id) from emails").fetchone()[0]
    target.commit()
    target.close()
    pending = [{"id": email_id, "to": "pending.tenant@example.net"}]
    db_for_claims = claimed
    if pending:
        email_id, address = pending[0]["id"], pending[0]["to"]
        forged = os.path.join(work, "forged.jsonl")
        real = os.path.join(work, "real.jsonl")
        variables = ', "user-variables": {"audit-id": "%d"}}\n' % email_id
        with open(forged, "w") as handle:
            handle.write(event_line("forged1", "attacker@evil.test", "forged.1@evil.test", "1795000000.5")[:-2] + variables)
        with open(real, "w") as handle:
            handle.write(event_line("real1", address, "real.1@mg.example.com", "1795000001.5")[:-2] + variables)
        run(binary, "ingest", "--db", db_for_claims, forged)
        connection = sqlite3.connect(db_for_claims)
        after_forged = connection.execute("select provider_message_id from emails where id = ?", (email_id,)).fetchone()[0]
        connection.close()
        run(binary, "ingest", "--db", db_for_claims, real)
        connection = sqlite3.connect(db_for_claims)
        after_real = connection.execute("select provider_message_id, status from emails where id = ?", (email_id,)).fetchone()
        connection.close()
        check("a forged audit id does not take over a Pending email", after_forged is None, after_forged)
        check("the real event then claims it", after_real[0] == "real.1@mg.example.com", after_real)
    else:
        check("the seeded store has a Pending email", False)

    # A line without a newline is not read whole into memory.
    endless = os.path.join(work, "endless.jsonl")
    with open(endless, "wb") as handle:
        for _ in range(96):
            handle.write(b"x" * (1 << 20))
    process = subprocess.Popen([binary, "ingest", "--db", os.path.join(work, "endless.sqlite"), endless],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0  # VmHWM of the process (ru_maxrss would include this script's memory from before exec)
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.005)
    error = process.stderr.read().decode()
    check("a 96 MiB line without a newline is skipped with bounded memory",
          process.returncode == 2 and "over the limit" in error and 0 < peak < 80 * 1024,
          f"peak={peak} KB {error[-200:]!r}")


def run_timeout(binary, seconds, *args):
    full_env = dict(os.environ, TZ="Europe/London", LANG="C.UTF-8", EMAIL_AUDIT_TZ="Europe/London", EMAIL_AUDIT_USER=SIGNED_IN)
    return subprocess.run([binary, *args], capture_output=True, text=True, env=full_env, timeout=seconds)


SEARCH_INDEX_PAGES = tuple(f'INSERT INTO "{index}_{part}"' for index in ("emails_subject_trigram", "recipients_trigram")
                           for part in ("data", "idx"))


def stored_rows(path):
    """A digest of the stored rows, leaving out the planner's statistics (compact refreshes them) and
    the search indexes' pages (compact merges their segments: the searches' answers are checked instead)."""
    connection = sqlite3.connect(path)
    try:
        lines = [line for line in connection.iterdump()
                 if "sqlite_stat" not in line and "ANALYZE" not in line and not line.startswith(SEARCH_INDEX_PAGES)]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()
    finally:
        connection.close()


def make_free_pages(path, pages_of_8k=600):
    """Writes then drops a scratch table, leaving free pages inside the file (rows unchanged after)."""
    connection = sqlite3.connect(path)
    connection.execute("create table scratch_free(x)")
    connection.executemany("insert into scratch_free values (randomblob(7000))", [()] * pages_of_8k)
    connection.commit()
    connection.execute("drop table scratch_free")
    connection.commit()
    free = connection.execute("pragma freelist_count").fetchone()[0]
    connection.close()
    return free


def compact_checks(binary, work):
    """compact: switches an old store to incremental vacuum once, then returns free pages in steps,
    with a reader open, keeping every row; refuses with one line when another writer holds the lock."""
    db = os.path.join(work, "compact.sqlite")
    seeded = run(binary, "seed", "--db", db, "--emails", "400", "--days", "5", "--seed", "9",
                 "--now", "20/11/2026 14:30", "--quiet")
    check("compact: seed", seeded.returncode == 0, seeded.stderr)
    # A store made before auto_vacuum was switched on for new stores.
    connection = sqlite3.connect(db)
    connection.execute("pragma auto_vacuum = NONE")
    connection.execute("vacuum")
    mode = connection.execute("pragma auto_vacuum").fetchone()[0]
    connection.close()
    check("compact: the old-store fixture has no auto_vacuum", mode == 0, str(mode))
    make_free_pages(db)
    rows_before = stored_rows(db)
    first = run(binary, "compact", "--db", db)
    check("compact rebuilds an old store once", first.returncode == 0 and "rebuilt once" in first.stdout
          and " MB → " in first.stdout, first.stdout + first.stderr)
    check("compact writes no progress into a pipe", first.stderr == "", repr(first.stderr))
    connection = sqlite3.connect(db)
    mode, free = connection.execute("pragma auto_vacuum").fetchone()[0], connection.execute("pragma freelist_count").fetchone()[0]
    connection.close()
    check("compact switches the store to incremental vacuum", mode == 2 and free == 0, f"mode={mode} free={free}")
    check("compact keeps every row", stored_rows(db) == rows_before)

    # Incremental from now on, with a reader holding a snapshot (the screen). The Subject index
    # gathers segments as subjects change one transaction at a time (as serve records emails).
    connection = sqlite3.connect(db, isolation_level=None)
    ids = [row[0] for row in connection.execute("select id from emails order by id limit 12")]
    for email_id in ids:
        connection.execute("update emails set subject = subject || ' (copy)' where id = ?", (email_id,))
    connection.close()
    rows_before = stored_rows(db)
    searches = [("--subject", "copy"), ("--subject", "Flat"), ("--subject", "arrears"), ("--to", "*@gmail.com")]
    answers_before = [run(binary, "query", "--db", db, "--range", "all", "--format", "json", *search).stdout for search in searches]
    check("compact: the searches find emails", all(len(json.loads(answer)) > 0 for answer in answers_before[:2]),
          str([len(json.loads(answer)) for answer in answers_before]))
    free = make_free_pages(db)
    check("compact: free pages to release", free > 100, str(free))
    size_before = os.path.getsize(db)
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("begin")
    seen = reader.execute("select count(*), max(id) from emails").fetchone()
    second = run(binary, "compact", "--db", db)
    check("compact runs while a reader is open", second.returncode == 0 and "free pages released" in second.stdout,
          second.stdout + second.stderr)
    check("compact merges the Subject search index", "Subject search index merged into one segment" in second.stdout
          or "Subject and To search indexes merged into one segment" in second.stdout, second.stdout)
    answers_after = [run(binary, "query", "--db", db, "--range", "all", "--format", "json", *search).stdout for search in searches]
    check("the searches answer the same after the merge", answers_after == answers_before)
    check("the open reader still reads its snapshot", reader.execute("select count(*), max(id) from emails").fetchone() == seen)
    reader.execute("commit")
    reader.close()
    check("compact keeps every row (incremental)", stored_rows(db) == rows_before)
    shown = run(binary, "query", "--db", db, "--range", "all", "--limit", "3", "--format", "json")
    check("the store reads after compact", shown.returncode == 0 and len(json.loads(shown.stdout)) == 3, shown.stderr)
    # With the reader gone, the next compact's checkpoint truncates the file.
    on_terminal = run_on_terminal(binary, "compact", "--db", db)
    check("compact on a terminal reports the size", " MB → " in on_terminal, repr(on_terminal))
    check("a merged search index is not merged again", "merged into one segment" not in on_terminal, repr(on_terminal))
    check("compact made the file smaller", os.path.getsize(db) < size_before, f"{size_before} -> {os.path.getsize(db)}")

    # Another writer holds the lock: one line, nothing changed.
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("begin immediate")
    started = time.time()
    locked = run(binary, "compact", "--db", db)
    holder.execute("rollback")
    holder.close()
    lines = [line for line in locked.stderr.splitlines() if line.strip()]
    check("compact refuses while another writer holds the lock", locked.returncode != 0 and len(lines) == 1
          and "locked for writing" in lines[0], f"rc={locked.returncode} {locked.stderr!r} after {time.time() - started:.0f} s")
    check("a refused compact changes nothing", stored_rows(db) == rows_before)
    missing = run(binary, "compact", "--db", os.path.join(work, "none.sqlite"))
    check("compact of a missing store is one line", missing.returncode != 0 and len(missing.stderr.strip().splitlines()) == 1
          and not os.path.exists(os.path.join(work, "none.sqlite")), missing.stderr)


def retention_checks(binary, work):
    """compact --retention-months: the emails before the cut go (with their events), the archive
    holds each of them once and reads with Python's json (and gzip); bad values get one line."""
    import gzip
    now = "20/11/2026 14:30"
    db = os.path.join(work, "retention.sqlite")
    seeded = run(binary, "seed", "--db", db, "--emails", "600", "--days", "150", "--seed", "5", "--now", now, "--quiet")
    check("retention: seed", seeded.returncode == 0, seeded.stderr)
    # Local midnight (London, BST then) of 20/09/2026.
    cut_ms = 1789858800000

    def counts(path):
        connection = sqlite3.connect(path)
        try:
            return (connection.execute("select count(*) from emails where created_at < ?", (cut_ms,)).fetchone()[0],
                    connection.execute("select count(*) from emails where created_at >= ?", (cut_ms,)).fetchone()[0],
                    connection.execute("select count(*) from events where email_id in (select id from emails where created_at < ?)",
                                       (cut_ms,)).fetchone()[0])
        finally:
            connection.close()

    old, new, old_events = counts(db)
    check("retention: the store has emails either side of the cut", old > 50 and new > 50 and old_events > old, f"{old} {new} {old_events}")
    rows_before = stored_rows(db)
    for bad in ["-3", "abc", "1.5", "1201"]:
        refused = run(binary, "compact", "--db", db, "--retention-months", bad, "--now", now)
        lines = [line for line in refused.stderr.splitlines() if line.strip()]
        check(f"compact --retention-months {bad} is refused in one line", refused.returncode != 0 and len(lines) == 1
              and "--retention-months" in lines[0], f"rc={refused.returncode} {refused.stderr!r}")
    no_months = run(binary, "compact", "--db", db, "--archive", os.path.join(work, "never.jsonl"), "--now", now)
    check("--archive without retention is refused in one line", no_months.returncode != 0
          and len(no_months.stderr.strip().splitlines()) == 1 and not os.path.exists(os.path.join(work, "never.jsonl")),
          no_months.stderr)
    precious = os.path.join(work, "precious.jsonl")
    with open(precious, "w") as handle:
        handle.write("not ours\n")
    refused = run(binary, "compact", "--db", db, "--retention-months", "2", "--archive", precious, "--now", now)
    check("an existing unrelated file is not used as the archive", refused.returncode != 0
          and len(refused.stderr.strip().splitlines()) == 1 and "already exists" in refused.stderr
          and open(precious).read() == "not ours\n", refused.stderr)
    unwritable = run(binary, "compact", "--db", db, "--retention-months", "2", "--archive",
                     os.path.join(work, "no-such-folder", "a.jsonl"), "--now", now)
    check("an archive that cannot be written is refused in one line", unwritable.returncode != 0
          and len(unwritable.stderr.strip().splitlines()) == 1 and "No email was deleted" in unwritable.stderr, unwritable.stderr)
    zero = run(binary, "compact", "--db", db, "--retention-months", "0", "--now", now)
    check("--retention-months 0 keeps everything", zero.returncode == 0 and counts(db) == (old, new, old_events)
          and stored_rows(db) == rows_before, zero.stdout + zero.stderr)
    # A config file's retention_months applies; the flag overrides it.
    config = os.path.join(work, "retention-config.toml")
    with open(config, "w") as handle:
        handle.write("[server]\nretention_months = 2\n")
    overridden = run(binary, "compact", "--db", db, "--config", config, "--retention-months", "0", "--now", now)
    check("the flag overrides the config file", overridden.returncode == 0 and counts(db)[0] == old, overridden.stderr)

    for name in ["archive.jsonl", "archive.jsonl.gz"]:
        copy = os.path.join(work, "retention-" + name + ".sqlite")
        shutil.copy(db, copy)
        archive = os.path.join(work, name)
        if name.endswith(".gz"):
            done = run(binary, "compact", "--db", copy, "--config", config, "--archive", archive, "--now", now, "--retention-batch", "37")
        else:
            done = run(binary, "compact", "--db", copy, "--retention-months", "2", "--archive", archive, "--now", now)
        check(f"compact --retention-months with --archive {name}", done.returncode == 0 and "retention: deleted" in done.stdout
              and f"{old:,}" in done.stdout, done.stdout + done.stderr)
        check(f"retention ({name}): exactly the old emails went", counts(copy) == (0, new, 0), str(counts(copy)))
        opener = gzip.open if name.endswith(".gz") else open
        with opener(archive, "rt", encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        ids = [record["id"] for record in records]
        events = sum(len(record["events"]) for record in records)
        check(f"the archive ({name}) holds every deleted email once, with its events", len(ids) == old and len(set(ids)) == old
              and events == old_events, f"{len(ids)} {len(set(ids))} {events}")
        connection = sqlite3.connect(db)
        sample = records[len(records) // 2]
        row = connection.execute("select subject, body, status, created_at, raised_by_id, account_id from emails where id = ?",
                                 (sample["id"],)).fetchone()
        raws = [r[0] for r in connection.execute("select raw_json from events where email_id = ? order by occurred_at, id",
                                                     (sample["id"],))]
        connection.close()
        check(f"an archived email ({name}) has its columns", row == (sample["subject"], sample["body"], sample["status"],
              sample["created_at"], sample["raised_by_id"], sample["account_id"]), f"{row} {sample.get('subject')}")
        check(f"archived raw events ({name}) are JSON", all(isinstance(json.loads(e["raw_json"]), dict) for r in records for e in r["events"]))
        check(f"archived raw events ({name}) are as stored", len(raws) == len(sample["events"]) and
              all(isinstance(raw, bytes) or raw == e["raw_json"] for raw, e in zip(raws, sample["events"])))
        again = run(binary, "compact", "--db", copy, "--retention-months", "2", "--archive", archive, "--now", now)
        check(f"running again appends to this store's archive ({name}) and deletes nothing", again.returncode == 0
              and "appending to" in again.stdout and "deleted 0 emails" in again.stdout, again.stdout + again.stderr)

    # On a terminal, a progress line counts the emails deleted.
    copy = os.path.join(work, "retention-terminal.sqlite")
    shutil.copy(db, copy)
    on_terminal = run_on_terminal(binary, "compact", "--db", copy, "--retention-months", "2", "--now", now, "--retention-batch", "25",
                                  stderr_too=True)
    check("retention on a terminal draws a progress line", "emails created before 20/09/2026 deleted (" in on_terminal
          and "retention: deleted" in on_terminal, repr(on_terminal[-300:]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    binary = parser.parse_args().binary
    work = tempfile.mkdtemp(prefix="email-audit-cli-")
    db = os.path.join(work, "audit.sqlite")

    seeded = run(binary, "seed", "--db", db, "--emails", "1500", "--days", "5", "--seed", "3",
                 "--now", "20/11/2026 14:30", "--quiet")
    check("seed succeeds", seeded.returncode == 0 and "Seeded" in seeded.stdout, seeded.stderr)

    # Bad input: one line on stderr, non-zero exit, the store untouched.
    before = content(db)
    for args, words in [
        (["query", "--status", "bounced"], "is invalid for '--status <status>'. Please provide one of the following: pending, "),
        (["query", "--from", "31/02/2026"], "not a date"),
        (["query", "--until", "01/01/2026", "--from", "02/01/2026"], "before"),
        (["query", "--range", "fortnight"], "is invalid for '--range <range>'. Please provide one of the following: today, yesterday, last-7-days, "),
        (["query", "--to", "a*b*"], "--to"),
        (["query", "--format", "xlsx"], "is invalid for '--format <format>'. Please provide one of 'table', 'json' or 'csv'."),
        (["query", "--raised-by", "Nobody Here"], "no staff member"),
        (["show", "999999"], "no email with id"),
        (["ingest", os.path.join(work, "missing.jsonl")], "no such file"),
        (["query", "--time-zone", "Mars/Olympus"], "unknown time zone"),
    ]:
        result = run(binary, args[0], "--db", db, *args[1:])
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        check(f"{' '.join(args)}: one-line error", result.returncode != 0 and len(lines) == 1 and words in lines[0],
              f"rc={result.returncode} stderr={result.stderr!r}")
    check("bad input leaves the store unchanged", content(db) == before)

    # Status names in any spelling.
    for spelling in ["temporary-failure", "Temporary Failure", "TEMPORARY_FAILURE"]:
        result = run(binary, "query", "--db", db, "--range", "all", "--status", spelling, "--format", "csv", "--limit", "0")
        check(f"status spelling {spelling!r} accepted", result.returncode == 0, result.stderr)

    # Exports are well-formed and agree with each other.
    as_csv = run(binary, "query", "--db", db, "--range", "all", "--format", "csv", "--limit", "0")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    as_json = run(binary, "query", "--db", db, "--range", "all", "--format", "json", "--limit", "0")
    items = json.loads(as_json.stdout)
    check("csv has every email", len(rows) == 1500, f"{len(rows)} rows")
    check("json has every email", len(items) == 1500, f"{len(items)} items")
    check("csv and json agree", [r["Id"] for r in rows] == [str(i["id"]) for i in items])
    check("newest first", [i["created"] for i in items] == sorted((i["created"] for i in items), reverse=True))
    failed = run(binary, "query", "--db", db, "--range", "all", "--status", "failed", "--format", "json", "--limit", "0")
    failed_items = json.loads(failed.stdout)
    check("status filter", failed_items and all(i["status"] == "Failed" for i in failed_items))
    limited = run(binary, "query", "--db", db, "--range", "all", "--format", "json", "--limit", "7")
    check("--limit", len(json.loads(limited.stdout)) == 7)

    # A reader that has gone (`| head`): the command ends by SIGPIPE as cat would, with no error text.
    for args in (["--format", "csv"], [], ["--format", "json"]):
        broken_pipe_check(binary, "query", "--db", db, "--range", "all", "--limit", "0", *args)

    # show prints the whole story.
    shown = run(binary, "show", "--db", db, str(failed_items[0]["id"]))
    for section in ["Status Details", "Recommended action", "Status Tracking", "Units using", "Body"]:
        check(f"show has {section}", section in shown.stdout, shown.stdout[:400])

    # Ingest: idempotent, and a malformed line is named while the rest is kept.
    events = os.path.join(work, "events.jsonl")
    with open(events, "w") as handle:
        handle.write(json.dumps({"event": "delivered", "id": "cliEvt0000000000000001", "timestamp": 1795000000.5,
                                 "recipient": "someone@example.net",
                                 "message": {"headers": {"message-id": "cli.1@mg.example.com", "to": "someone@example.net",
                                                         "from": "x@mg.example.com", "subject": "Imported"}},
                                 "delivery-status": {"code": 250, "message": "OK"}}) + "\n")
        handle.write('{"event": "failed", "id": "x", "timestamp": "soon"}\n')
        handle.write("\n")
        handle.write(json.dumps({"event": "opened", "id": "cliEvt0000000000000002", "timestamp": 1795000100.0,
                                 "recipient": "someone@example.net",
                                 "message": {"headers": {"message-id": "cli.1@mg.example.com"}}}) + "\n")
    first = run(binary, "ingest", "--db", db, events)
    check("ingest names the malformed line and field", first.returncode == 2 and "line 2" in first.stderr and "timestamp" in first.stderr,
          f"rc={first.returncode} {first.stderr!r}")
    check("ingest stores the good lines", "2 new events" in first.stdout, first.stdout)
    after_first = sqlite3.connect(db).execute("select count(*) from events").fetchone()[0]
    second = run(binary, "ingest", "--db", db, events)
    after_second = sqlite3.connect(db).execute("select count(*) from events").fetchone()[0]
    check("ingesting twice changes nothing", "0 new events" in second.stdout and after_first == after_second, second.stdout)
    imported = run(binary, "query", "--db", db, "--range", "all", "--to", "someone@example.net", "--format", "json")
    imported_items = json.loads(imported.stdout)
    check("imported email is browsable as External, Opened",
          len(imported_items) == 1 and imported_items[0]["raisedBy"] == "External" and imported_items[0]["status"] == "Opened",
          imported.stdout)
    piped = run(binary, "ingest", "--db", db, "-", stdin=open(events).read())
    check("ingest reads standard input", "0 new events" in piped.stdout, piped.stdout)

    # Files that are not ours are refused and left byte-for-byte alone.
    other = os.path.join(work, "other.sqlite")
    connection = sqlite3.connect(other)
    connection.execute("create table invoices(id integer primary key, total real)")
    connection.execute("insert into invoices(total) values (12.5)")
    connection.commit()
    connection.close()
    text = os.path.join(work, "notes.txt")
    with open(text, "w") as handle:
        handle.write("not a database\n" * 100)
    for path, label in [(other, "another application's SQLite file"), (text, "a text file")]:
        before = digest(path)
        result = run(binary, "query", "--db", path, "--range", "all")
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        check(f"{label} is refused with one line", result.returncode != 0 and len(lines) == 1, result.stderr)
        check(f"{label} is left untouched", digest(path) == before and not os.path.exists(path + "-wal"))

    missing = os.path.join(work, "nowhere.sqlite")
    result = run(binary, "query", "--db", missing)
    check("a missing store is an error, not a new file", result.returncode != 0 and not os.path.exists(missing), result.stderr)

    # Non-UTF-8 terminals (issue 14): the table is transliterated on a terminal whose locale
    # is not UTF-8 (or with --ascii / EMAIL_AUDIT_ASCII=1); pipes, CSV and JSON stay UTF-8.
    name = ["--raised-by", "Tomasz Wisniewski", "--range", "all", "--limit", "5"]
    forced = run(binary, "query", "--db", db, *name, "--ascii")
    check("query --ascii transliterates the table", forced.returncode == 0 and "Tomasz Wisniewski" in forced.stdout
          and forced.stdout.isascii(), forced.stdout + forced.stderr)
    piped = run(binary, "query", "--db", db, *name, env={"LANG": "C", "LC_ALL": "C"})
    check("query under LANG=C into a pipe stays UTF-8", "Tomasz Wiśniewski" in piped.stdout, piped.stdout + piped.stderr)
    on_terminal = run_on_terminal(binary, "query", "--db", db, *name, env={"LANG": "C", "LC_ALL": "C"})
    check("query under LANG=C on a terminal prints ASCII", "Tomasz Wisniewski" in on_terminal and on_terminal.isascii(),
          repr(on_terminal))
    asked = run_on_terminal(binary, "query", "--db", db, *name, env={"EMAIL_AUDIT_ASCII": "1"})
    check("query with EMAIL_AUDIT_ASCII=1 on a terminal prints ASCII", "Tomasz Wisniewski" in asked and asked.isascii(),
          repr(asked))
    utf8 = run_on_terminal(binary, "query", "--db", db, *name)
    check("query on a UTF-8 terminal keeps the name", "Tomasz Wiśniewski" in utf8, repr(utf8))
    as_csv = run_on_terminal(binary, "query", "--db", db, *name, "--format", "csv", env={"LANG": "C", "LC_ALL": "C"})
    check("CSV under LANG=C on a terminal stays UTF-8", "Tomasz Wiśniewski" in as_csv, repr(as_csv))
    spelled = run(binary, "query", "--db", db, "--raised-by", "Lukasz Nowak", "--range", "all", "--limit", "3", "--format", "csv")
    check("--raised-by accepts the ASCII spelling the table shows (Lukasz for Łukasz)",
          spelled.returncode == 0 and "Łukasz Nowak" in spelled.stdout, spelled.stdout + spelled.stderr)
    result = run(binary, "query", "--db", db, "--ascii", "--format", "json")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    check("--ascii with JSON is refused with one line", result.returncode != 0 and len(lines) == 1
          and "--ascii" in lines[0] and not result.stdout, result.stderr)
    hostile_text_tests(binary, work)
    support_desk_checks(binary, db, work)
    users_and_suppressions_checks(binary, work)
    notification_checks(binary, work)
    resend_checks(binary, work)
    search_checks(binary, db, work)
    hardening_checks(binary, work, db)
    compact_checks(binary, work)
    retention_checks(binary, work)
    migrate_checks(binary, work, db)
    postgres_checks(binary, work)

    print(f"{len(PASSED)} passed, {len(FAILED)} failed")
    if FAILED:
        print(f"kept for a look: {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


def migrate_checks(binary, work, db):
    """`migrate --from SQLITE --to postgresql://...`: killed (-9) mid-copy, run again to the end
    with every count matching, then once more copying nothing; another store refused. Needs the
    server in EMAIL_AUDIT_TEST_POSTGRES_URL (.ci/run and make unit start one); skipped without."""
    url = os.environ.get("EMAIL_AUDIT_TEST_POSTGRES_URL", "")
    if not url:
        print("skip migrate (set EMAIL_AUDIT_TEST_POSTGRES_URL; scripts/pg_throwaway.sh start prints one)")
        check("migrate: a PostgreSQL server is given under CI", os.environ.get("CI") != "true")
        return
    from urllib.parse import urlsplit, urlunsplit
    name = "email_audit_cli_" + hashlib.sha256(work.encode()).hexdigest()[:12]
    parts = urlsplit(url)
    target = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
    admin = subprocess.run(["psql", url, "-qAt", "-c", f"CREATE DATABASE {name}"], capture_output=True, text=True)
    check("migrate: a fresh database for the copy", admin.returncode == 0, admin.stderr)
    if admin.returncode != 0:
        return
    try:
        env = dict(os.environ, TZ="Europe/London", LANG="C.UTF-8")
        env.pop("EMAIL_AUDIT_DB", None)
        copy = subprocess.Popen([binary, "migrate", "--from", db, "--to", target, "--chunk-rows", "100"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        def rows_copied():
            result = subprocess.run(["psql", target, "-qAt", "-c",
                                     "SELECT coalesce(sum(rows_copied), 0) FROM migration_progress"],
                                    capture_output=True, text=True)
            return int(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip().isdigit() else 0
        deadline = time.time() + 60
        while rows_copied() == 0 and copy.poll() is None and time.time() < deadline:
            time.sleep(0.1)
        copy.kill()
        copy.wait()
        before = rows_copied()
        again = run(binary, "migrate", "--from", db, "--to", target)
        resumed = [line for line in again.stdout.splitlines() if line.startswith("Copied ")]
        check("migrate: kill -9 landed mid-copy (rows committed before it, more copied after)",
              before > 0 and bool(resumed) and not resumed[0].startswith("Copied 0 rows"), f"before={before} {resumed}")
        check("migrate: after kill -9 the same command finishes the copy and every count matches",
              again.returncode == 0 and "counts match" in again.stdout and "DIFFERS" not in again.stdout,
              again.stdout[-2000:] + again.stderr)
        check("migrate: the check lists tables and per-status totals",
              all(word in again.stdout for word in ["events", "account_suppressions", "notifications", "emails Delivered"]),
              again.stdout[-2000:])
        twice = run(binary, "migrate", "--from", db, "--to", target)
        check("migrate: a second run copies nothing", twice.returncode == 0 and "Copied 0 rows" in twice.stdout,
              twice.stdout[-500:] + twice.stderr)
        other = os.path.join(work, "another-store.sqlite")
        run(binary, "seed", "--db", other, "--emails", "200", "--days", "3", "--seed", "9", "--now", "20/11/2026 14:30", "--quiet")
        refused = run(binary, "migrate", "--from", other, "--to", target)
        lines = [line for line in refused.stderr.splitlines() if line.strip()]
        check("migrate: another store is refused with one line", refused.returncode != 0 and len(lines) == 1
              and "another SQLite store" in lines[0], refused.stderr)
        netloc = parts.netloc.replace("@", ":secret@", 1) if "@" in parts.netloc else "someone:secret@" + parts.netloc
        with_password = run(binary, "migrate", "--from", db, "--to",
                            urlunsplit((parts.scheme, netloc, "/" + name, parts.query, parts.fragment)))
        check("migrate: a password in the URL is refused", with_password.returncode != 0
              and "secret" not in with_password.stderr, with_password.stderr)
    finally:
        subprocess.run(["psql", url, "-qAt", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)



def postgres_checks(binary, work):
    """open/query/show on a PostgreSQL store (issue 13): the same answers as SQLite for the same data
    (written on both by email-audit-test-fixture through the store contract), the other commands
    refused with one line, no password in the URL. Needs EMAIL_AUDIT_TEST_POSTGRES_URL (`make cli`
    starts a throwaway server with scripts/pg_throwaway.sh); skipped without it, failed under CI=true."""
    server = os.environ.get("EMAIL_AUDIT_TEST_POSTGRES_URL", "")
    if not server:
        if os.environ.get("CI") == "true":
            check("PostgreSQL CLI checks ran (CI=true needs EMAIL_AUDIT_TEST_POSTGRES_URL)", False, "unset")
        else:
            print("skip PostgreSQL CLI checks: EMAIL_AUDIT_TEST_POSTGRES_URL is unset (bash scripts/pg_throwaway.sh with ...)")
        return
    psql = psql_binary()
    fixture = os.path.join(os.path.dirname(binary), "email-audit-test-fixture")
    check("psql and the test fixture are there", psql is not None and os.path.exists(fixture), f"{psql} {fixture}")
    if psql is None or not os.path.exists(fixture):
        return
    name = "cli_%d_%d" % (os.getpid(), random.randrange(1_000_000))

    def in_scratch_database(suffix, purpose, body):
        """Runs body(url) in a new database of the server, dropped afterwards."""
        database = name + suffix
        created = subprocess.run([psql, server, "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {database}"],
                                 capture_output=True, text=True)
        check(f"a database for {purpose}", created.returncode == 0, created.stderr)
        if created.returncode != 0:
            return
        try:
            body(with_database(server, database))
        finally:
            subprocess.run([psql, server, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], capture_output=True, text=True)

    def removals_serve_and_check(url):
        postgres_removal_checks(binary, psql, url)
        postgres_serve_simulator_checks(binary, psql, url)
        postgres_consistency_checks(binary, psql, url)

    in_scratch_database("", "the PostgreSQL checks", lambda url: postgres_store_checks(binary, work, fixture, url))
    in_scratch_database("_sync", "sync on PostgreSQL", lambda url: postgres_sync_checks(binary, work, fixture, psql, url))
    in_scratch_database("_seed", "seed and simulate on PostgreSQL", lambda url: postgres_seed_checks(binary, work, url))
    # A bigger seeded store (the 40 emails above bounce none): suppression removals, serve's simulator, then check.
    in_scratch_database("_rm", "removals and check on PostgreSQL", removals_serve_and_check)


def saved_simulator_state(psql, url):
    """The first demo simulator's state saved in a PostgreSQL store (`store_meta`), or None."""
    value = subprocess.run([psql, url, "-qAtc", "SELECT value FROM store_meta WHERE key = 'simulator_state'"],
                           capture_output=True, text=True).stdout
    try:
        return json.loads(value)
    except ValueError:
        return None


def postgres_serve_simulator_checks(binary, psql, url):
    """`serve --provider simulator` on PostgreSQL keeps the in-process simulator's state in the
    database, as on SQLite: it carries on from the state `seed` saved (its events still due are
    reported and ingested, not lost) and saves it again as it runs."""
    def saved():
        return saved_simulator_state(psql, url)

    def event_count():
        counted = subprocess.run([psql, url, "-qAtc", "SELECT count(*) FROM events"], capture_output=True, text=True).stdout
        return int(counted.strip() or "0")

    before, events_before = saved(), event_count()
    started = int(time.time() * 1_000_000)
    # The lines of the saved queue already due now (seeded at 20/11/2026): serve's first ticks report them.
    due_lines = [line for line in (before or {}).get("queue", []) if line["micros"] <= started]
    due = [line["sequence"] for line in due_lines]
    due_ids = sorted(json.loads(line["line"])["id"] for line in due_lines)
    check("the seeded database holds the simulator's state with events due", before is not None and len(due) > 0,
          str(before)[:200])
    if before is None or not due:
        return

    def still_due():
        return [line for line in (saved() or {}).get("queue", []) if line["sequence"] in due]

    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")
    serve = subprocess.Popen([binary, "serve", "--db", url, "--listen", f"127.0.0.1:{port}", "--provider", "simulator"],
                             stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, TZ="Europe/London"))
    try:
        end = time.time() + 60
        while time.time() < end and http("GET", f"http://127.0.0.1:{port}/healthz")[0] != 200:
            time.sleep(0.2)
        # The simulator ticks every second, saving its state after each tick.
        end = time.time() + 30
        while time.time() < end and still_due():
            time.sleep(0.5)
    finally:
        stop_process(serve, 30)
    log.seek(0)
    output = log.read()
    after = saved()
    check("serve on PostgreSQL with the in-process simulator starts and stops on SIGTERM", serve.returncode == 0,
          f"rc={serve.returncode} {output[-600:]}")
    check("serve on PostgreSQL carries the simulator on from the saved state and saves it as it runs",
          after is not None and after["nowMicros"] >= started and not still_due() and "not kept" not in output
          and "keeps its state in the database" in output, str(after)[:200] + output[-600:])
    quoted = ",".join("'" + event_id.replace("'", "''") + "'" for event_id in due_ids)
    stored = subprocess.run([psql, url, "-qAtc", f"SELECT count(DISTINCT provider_event_id) FROM events WHERE provider_event_id IN ({quoted})"],
                            capture_output=True, text=True).stdout.strip()
    check("the events it had due are ingested, not lost", stored == str(len(due_ids)) and event_count() >= events_before + len(due),
          f"{stored} of {len(due_ids)} due events stored; {events_before} + {len(due)} vs {event_count()}")


def postgres_consistency_checks(binary, psql, url):
    """`check --db postgresql://...` (issue 13): what the schema keeps by triggers and by the ingest
    rather than by constraints. A consistent store passes; each kind of damage made by hand in psql
    (a roll-up count, a status row, an event's email) fails it with one line naming it, and passes
    again once mended; --full runs amcheck over every B-tree index once the extension is there."""
    def sql(statement):
        done = subprocess.run([psql, url, "-v", "ON_ERROR_STOP=1", "-qAtc", statement], capture_output=True, text=True)
        check(f"psql: {statement[:60]}", done.returncode == 0, done.stderr)

    passed = run(binary, "check", "--db", url)
    check("check on PostgreSQL: ok, the roll-ups, status and key tables and events consistent", passed.returncode == 0
          and ": ok (schema version" in passed.stdout and "roll-ups match the emails, counted in Europe/London" in passed.stdout
          and "every event's email exists" in passed.stdout, passed.stdout + passed.stderr)
    first_rollup = ("(account_id, day, raised_by_id, status) = "
                    "(SELECT account_id, day, raised_by_id, status FROM rollups ORDER BY 1, 2, 3, 4 LIMIT 1)")
    first_event = "id = (SELECT min(id) FROM events)"
    for damage, mend, says in (
            (f"UPDATE rollups SET count = count + 1 WHERE {first_rollup}", f"UPDATE rollups SET count = count - 1 WHERE {first_rollup}",
             "1 row of rollups differs from a recount of the emails"),
            ("UPDATE rollups_yearly SET count = count + 2", "UPDATE rollups_yearly SET count = count - 2", "of rollups_yearly differ"),
            ("DELETE FROM email_statuses WHERE id = (SELECT min(id) FROM email_statuses)",
             "INSERT INTO email_statuses (account_id, id, created_at, raised_by_id, status, to_address) "
             "SELECT account_id, id, created_at, raised_by_id, status, to_address FROM emails e "
             "WHERE NOT EXISTS (SELECT 1 FROM email_statuses s WHERE s.account_id = e.account_id AND s.id = e.id)",
             "1 email whose email_statuses row is missing or differs"),
            (f"UPDATE events SET email_id = email_id + 1000000 WHERE {first_event}",
             f"UPDATE events SET email_id = email_id - 1000000 WHERE {first_event}", "1 event whose email does not exist")):
        sql(damage)
        failed = run(binary, "check", "--db", url)
        lines = [line for line in failed.stderr.splitlines() if line.strip()]
        check(f"check on PostgreSQL finds: {says}", failed.returncode == 1 and any(says in line for line in lines)
              and "is inconsistent" in lines[-1] and not failed.stdout, failed.stdout + failed.stderr)
        sql(mend)
        mended = run(binary, "check", "--db", url)
        check(f"check on PostgreSQL passes again once mended ({says})", mended.returncode == 0, mended.stderr)
    without = run(binary, "check", "--full", "--db", url)
    check("check --full on PostgreSQL without amcheck: says the indexes were not checked, the rest passes",
          without.returncode == 0 and "amcheck extension is not installed" in without.stderr and ": ok (" in without.stdout,
          without.stdout + without.stderr)
    sql("CREATE EXTENSION IF NOT EXISTS amcheck")
    full = run(binary, "check", "--full", "--db", url)
    check("check --full on PostgreSQL: every B-tree index passes amcheck", full.returncode == 0
          and "every B-tree index passed amcheck" in full.stdout and not full.stderr.strip(), full.stdout + full.stderr)


def stop_process(process, timeout):
    """Asks `process` to stop (SIGTERM), killing it when it has not ended within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


def http(method, url, body=None, headers=None):
    """(status, text) of one request on loopback; (0, reason) when nothing answers."""
    request = urllib.request.Request(url, data=body.encode() if body is not None else None, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def postgres_sync_checks(binary, work, fixture, psql, url):
    """sync on PostgreSQL (issue 13): Mailgun's Events API, served by simulate-provider on loopback, read
    into a PostgreSQL store and into its SQLite twin (the same fixture on both): every event stored once
    through the ingest, the same answer line, the same emails and statuses afterwards, the cursor kept in
    store_meta (the same timestamp as SQLite's meta), and a second run storing nothing."""
    sqlite_path = os.path.join(work, "sync-twin.sqlite")
    written = subprocess.run([fixture, "--sqlite", sqlite_path, "--postgres", url], capture_output=True, text=True, timeout=120)
    check("sync: the fixture on both backends", written.returncode == 0, written.stdout + written.stderr)
    if written.returncode != 0:
        return
    domain, api_key = "mg.harbourlets.co.uk", "key-cli-sync-0123456789"
    key_file = os.path.join(work, "sync-api-key")
    with open(key_file, "w") as handle:
        handle.write(api_key)
    os.chmod(key_file, 0o600)
    port = free_port()
    sim = f"http://127.0.0.1:{port}"
    log = open(os.path.join(work, "sync-simulator.log"), "w")
    simulator = subprocess.Popen([binary, "simulate-provider", "--listen", f"127.0.0.1:{port}", "--domain", domain,
                                  "--api-key-file", key_file, "--speed", "100000", "--seed", "5"],
                                 stdout=log, stderr=subprocess.STDOUT)
    try:
        end = time.time() + 30
        while time.time() < end and http("GET", f"{sim}/simulator/stats")[0] != 200:
            time.sleep(0.2)
        auth = {"Authorization": "Basic " + base64.b64encode(f"api:{api_key}".encode()).decode()}
        expected = {"ok.sync@example.net": "Delivered", "bounce.sync@example.org": "Failed",
                    "open.sync@example.com": "Opened", "complain.sync@example.net": "Complained"}
        sent = [http("POST", f"{sim}/v3/{domain}/messages",
                     urllib.parse.urlencode({"from": f"Harbour Lets <accounts@{domain}>", "to": address,
                                             "subject": "Statement", "text": "Attached."}),
                     dict(auth, **{"Content-Type": "application/x-www-form-urlencoded"}))[0] for address in expected]
        check("sync: the simulator takes four messages", sent == [200] * 4, str(sent))

        def reported():
            ids, page = [], f"{sim}/v3/{domain}/events?limit=300&begin=0"
            while page:
                status, text = http("GET", page, headers=auth)
                items = json.loads(text)["items"] if status == 200 else []
                if not items:
                    break
                ids += [item["id"] for item in items]
                page = sim + json.loads(text)["paging"]["next"]
            return ids

        # Every outcome falls due within about 2 s (delays divided by 100,000); wait until the log stops growing.
        events, steady = [], 0
        end = time.time() + 30
        while time.time() < end and steady < 3:
            time.sleep(0.5)
            now = reported()
            steady = steady + 1 if now == events and len(now) >= 8 else 0
            events = now
        check("sync: the simulator reports every outcome", len(events) >= 8 and len(set(events)) == len(events), str(len(events)))
        args = ["sync", "--api-base-url", sim, "--api-key-file", key_file, "--domain", domain]
        first_pg, first_sqlite = run(binary, *args, "--db", url), run(binary, *args, "--db", sqlite_path)
        line = re.compile(r"^(\d+) pages, (\d+) events read, (\d+) new$")
        pg_line, sqlite_line = line.match(first_pg.stdout.strip()), line.match(first_sqlite.stdout.strip())
        check("sync --db postgresql://...: reads the Events API and stores every event once",
              first_pg.returncode == 0 and pg_line is not None and int(pg_line.group(2)) == len(events)
              and int(pg_line.group(3)) == len(events), first_pg.stdout + first_pg.stderr)
        check("sync: the same answer on PostgreSQL as on SQLite", first_pg.stdout == first_sqlite.stdout and first_sqlite.returncode == 0,
              first_pg.stdout + " vs " + first_sqlite.stdout + first_sqlite.stderr)
        again = run(binary, *args, "--db", url)
        again_line = line.match(again.stdout.strip())
        check("sync on PostgreSQL again: reads from the stored cursor and stores nothing twice",
              again.returncode == 0 and again_line is not None and again_line.group(3) == "0", again.stdout + again.stderr)
        stored = subprocess.run([psql, url, "-Atc", "SELECT count(*), count(DISTINCT provider_event_id) FROM events "
                                 "WHERE provider_event_id = ANY(string_to_array('" + ",".join(events) + "', ','))"],
                                capture_output=True, text=True)
        check("sync: each reported event is in the PostgreSQL store once", stored.stdout.strip() == f"{len(events)}|{len(events)}",
              stored.stdout + stored.stderr)
        cursor = subprocess.run([psql, url, "-Atc", "SELECT value FROM store_meta WHERE key = 'events_sync_cursor'"],
                                capture_output=True, text=True).stdout.strip()
        connection = sqlite3.connect(sqlite_path)
        sqlite_cursor = connection.execute("SELECT value FROM meta WHERE key = 'events_sync_cursor'").fetchone()
        connection.close()
        check("sync: the cursor is kept in store_meta, the same timestamp as SQLite's meta",
              cursor != "" and sqlite_cursor is not None and float(cursor) == float(sqlite_cursor[0]), f"{cursor!r} vs {sqlite_cursor!r}")

        def rows(db):
            result = run(binary, "query", "--range", "all", "--format", "json", "--limit", "0", "--db", db,
                         env={"EMAIL_AUDIT_USER": "Priya Shah"})
            try:
                return [{key: value for key, value in item.items() if key != "id"} for item in json.loads(result.stdout)]
            except ValueError:
                return result.stderr

        pg_rows, sqlite_rows = rows(url), rows(sqlite_path)
        statuses = {item["to"]: item["status"] for item in pg_rows} if isinstance(pg_rows, list) else {}
        check("sync: the synced emails and statuses on PostgreSQL = on SQLite", isinstance(pg_rows, list) and pg_rows == sqlite_rows,
              str(pg_rows)[:300])
        check("sync: each message's status derived from its events on PostgreSQL",
              all(statuses.get(address) == status for address, status in expected.items()), str(statuses))
    finally:
        stop_process(simulator, 15)
        log.close()


def postgres_seed_checks(binary, work, url):
    """seed and simulate on PostgreSQL (issue 13): the same seed and minutes give the same emails and
    statuses as on SQLite (ids aside), and the simulator carries on from its state saved in the database."""
    sqlite_path = os.path.join(work, "seeded-twin.sqlite")
    args = ["--emails", "40", "--days", "1", "--seed", "7", "--now", "20/11/2026 12:00", "--quiet"]
    on_pg, on_sqlite = run(binary, "seed", "--db", url, *args), run(binary, "seed", "--db", sqlite_path, *args)
    summary = re.compile(r": (\d+ emails in \d+ agencies, \d+ events) in [\d.]+ s$")
    pg_summary, sqlite_summary = summary.search(on_pg.stdout.strip()), summary.search(on_sqlite.stdout.strip())
    check("seed on PostgreSQL: the summary line as on SQLite", on_pg.returncode == 0 and on_sqlite.returncode == 0
          and pg_summary is not None and sqlite_summary is not None and pg_summary.group(1) == sqlite_summary.group(1)
          and on_pg.stdout.startswith("Seeded " + url.split("?")[0]), on_pg.stdout + on_pg.stderr + on_sqlite.stdout)

    def rows(db, user):
        result = run(binary, "query", "--range", "all", "--format", "json", "--limit", "0", "--db", db,
                     env={"EMAIL_AUDIT_USER": user})
        try:
            return [{key: value for key, value in item.items() if key != "id"} for item in json.loads(result.stdout)]
        except ValueError:
            return result.stderr

    for user in ("Amelia Hughes", "Ruth Ashworth"):
        pg_rows, sqlite_rows = rows(url, user), rows(sqlite_path, user)
        check(f"seed: {user}'s emails and statuses on PostgreSQL = on SQLite", isinstance(pg_rows, list) and len(pg_rows) > 0
              and pg_rows == sqlite_rows, str(pg_rows)[:300])
    moved_pg = run(binary, "simulate", "--minutes", "90", "--db", url)
    moved_sqlite = run(binary, "simulate", "--minutes", "90", "--db", sqlite_path)
    check("simulate on PostgreSQL: carries on from the saved state, as on SQLite", moved_pg.returncode == 0
          and moved_pg.stdout == moved_sqlite.stdout and "Simulated 90 min (20/11/2026 12:00" in moved_pg.stdout,
          moved_pg.stdout + moved_pg.stderr + "\n--- SQLite:\n" + moved_sqlite.stdout)
    pg_rows, sqlite_rows = rows(url, "Amelia Hughes"), rows(sqlite_path, "Amelia Hughes")
    check("simulate: the same statuses on PostgreSQL as on SQLite afterwards", isinstance(pg_rows, list) and pg_rows == sqlite_rows,
          str(pg_rows)[:300])


def postgres_removal_checks(binary, psql, url):
    """`suppressions remove` on a seeded PostgreSQL store tells the demo simulator saved in the
    database, as on SQLite, so a later `simulate` or `demo` sends to the address; a staff user's
    removal changes neither."""
    seeded = run(binary, "seed", "--db", url, "--emails", "300", "--days", "2", "--seed", "7", "--now", "20/11/2026 12:00", "--quiet")
    check("seed on PostgreSQL: 300 emails", seeded.returncode == 0, seeded.stdout + seeded.stderr)

    def saved():
        return (saved_simulator_state(psql, url) or {}).get("suppressions")

    listed = run(binary, "suppressions", "list", "--db", url, "--user", "Amelia Hughes", "--format", "json")
    addresses = [entry["address"] for entry in json.loads(listed.stdout or "[]")]
    suppressed = saved() or {}
    address = next((a for a in addresses if a in suppressed), None)
    check("a bounced address on the store's list and in the simulator saved in the database", address is not None,
          f"{addresses} / {list(suppressed)[:5]}")
    if address is None:
        return
    refused = run(binary, "suppressions", "remove", address, "--reason", "asked", "--db", url, "--user", "Amelia Hughes")
    check("on PostgreSQL a staff removal is refused and the saved simulator keeps the address",
          refused.returncode != 0 and "support role" in refused.stderr and address in (saved() or {}), refused.stderr)
    removed = run(binary, "suppressions", "remove", address, "--reason", "Confirmed by phone", "--db", url, "--user", "Kate Ellison")
    after = saved()
    check("suppressions remove on PostgreSQL tells the simulator saved in the database", removed.returncode == 0
          and after is not None and address not in after and len(after) == len(suppressed) - 1, removed.stderr + str(after)[:300])
    listed = run(binary, "suppressions", "list", "--db", url, "--user", "Amelia Hughes", "--format", "json")
    check("and the address is off the store's list", listed.returncode == 0 and address not in listed.stdout, listed.stdout[:300])


def postgres_store_checks(binary, work, fixture, url):
    sqlite_path = os.path.join(work, "fixture.sqlite")
    written = subprocess.run([fixture, "--sqlite", sqlite_path, "--postgres", url], capture_output=True, text=True, timeout=120)
    check("the fixture writes the same store on SQLite and PostgreSQL", written.returncode == 0
          and "sqlite: 36 emails" in written.stdout and "postgres: 36 emails" in written.stdout, written.stdout + written.stderr)
    if written.returncode != 0:
        return
    priya = {"EMAIL_AUDIT_USER": "Priya Shah"}

    def without_ids(items):
        return [{key: value for key, value in item.items() if key != "id"} for item in items]

    # query: the same rows, order and words on both (ids are each store's own: PostgreSQL's sequence may skip).
    for extra in [[], ["--status", "failed", "--status", "opened"], ["--to", "*@example.net"], ["--raised-by", "Tom Ellis"],
                  ["--subject", "receipt 1"], ["--from", "10/11/2026", "--until", "20/11/2026"]]:
        args = ["query", "--range", "all", "--format", "json", "--limit", "0", *extra]
        on_pg, on_sqlite = run(binary, *args, "--db", url, env=priya), run(binary, *args, "--db", sqlite_path, env=priya)
        try:
            pg_items, sqlite_items = json.loads(on_pg.stdout), json.loads(on_sqlite.stdout)
        except ValueError:
            pg_items, sqlite_items = None, []
        check(f"query {' '.join(extra) or '(all)'} on PostgreSQL = on SQLite", on_pg.returncode == 0 and pg_items is not None
              and len(pg_items) > 0 and without_ids(pg_items) == without_ids(sqlite_items),
              f"rc={on_pg.returncode} {on_pg.stderr!r} {len(pg_items or [])} vs {len(sqlite_items)}")
    # A reader that has gone: on PostgreSQL too (it once crashed there with "Broken pipe").
    broken_pipe_check(binary, "query", "--range", "all", "--format", "csv", "--limit", "0", "--db", url, env=priya)
    table = run(binary, "query", "--range", "all", "--limit", "5", env=dict(priya, EMAIL_AUDIT_DB=url))
    check("query on EMAIL_AUDIT_DB=postgresql://... prints the table and says how many are left",
          table.returncode == 0 and "Rent receipt 36" in table.stdout and "5 of 36 shown" in table.stderr, table.stdout + table.stderr)
    staff_only = run(binary, "query", "--range", "all", "--db", url, env={"EMAIL_AUDIT_USER": "Nobody Here"})
    check("query on PostgreSQL: an unknown user is refused with one line",
          staff_only.returncode != 0 and len(staff_only.stderr.strip().splitlines()) == 1 and "unknown user" in staff_only.stderr,
          staff_only.stderr)

    # show: the email with its events, as SQLite shows the same email.
    items = json.loads(run(binary, "query", "--range", "all", "--format", "json", "--limit", "0", "--db", url, env=priya).stdout)
    sqlite_items = json.loads(run(binary, "query", "--range", "all", "--format", "json", "--limit", "0", "--db", sqlite_path, env=priya).stdout)
    opened = next(item for item in items if item["subject"] == "Rent receipt 4")
    twin = next(item for item in sqlite_items if item["subject"] == "Rent receipt 4")

    def neutral(text):
        return re.sub(r"fixture[.-]\d+", "fixture.N", re.sub(r"^Email \d+$", "Email N", text, flags=re.M))

    shown = run(binary, "show", str(opened["id"]), "--db", url, env=priya)
    shown_sqlite = run(binary, "show", str(twin["id"]), "--db", sqlite_path, env=priya)
    check("show on PostgreSQL prints the email with its events", shown.returncode == 0 and "Status Tracking" in shown.stdout
          and all(word in shown.stdout for word in ("Accepted", "Delivered", "Opened", "Rent receipt 4")), shown.stdout + shown.stderr)
    check("show on PostgreSQL = show on SQLite (but for ids)", neutral(shown.stdout) == neutral(shown_sqlite.stdout),
          shown.stdout + "\n---\n" + shown_sqlite.stdout)
    raw = run(binary, "show", str(opened["id"]), "--raw", "--db", url, env=priya)
    events = [json.loads(line) for line in raw.stdout.splitlines() if line.strip()]
    check("show --raw on PostgreSQL prints the provider's events", raw.returncode == 0
          and [event["event"] for event in events] == ["accepted", "delivered", "opened"], raw.stdout + raw.stderr)
    by_message = run(binary, "show", "--message-id", f"<fixture.{opened['id']}@mg.harbourlets.co.uk>", "--format", "json",
                     "--db", url, env=priya)
    check("show --message-id on PostgreSQL", by_message.returncode == 0 and json.loads(by_message.stdout)[0]["id"] == opened["id"],
          by_message.stdout + by_message.stderr)
    missing = run(binary, "show", "99999", "--db", url, env=priya)
    check("show of no such email on PostgreSQL: one line", missing.returncode != 0 and missing.stderr.strip() == "Error: no email with id 99999",
          missing.stderr)

    # notifications and prefs: the fixture's ingest raised the same notifications on both (Priya's
    # problem emails, by the standard preferences); listing, marking read and preferences answer alike.
    postgres_notification_checks(binary, url, sqlite_path, priya)

    # Commands that need what the PostgreSQL store lacks refuse with one line naming what works.
    events_file = os.path.join(work, "pg-events.jsonl")
    with open(events_file, "w") as handle:
        handle.write(event_line("pgEvt1", "someone@example.net", "pg.1@mg.example.com", 1795000000))
    for args, says in ((["set-time-zone", "Europe/Paris"], "the zone it was created in"),):
        result = run(binary, *args, "--db", url, env=priya)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        check(f"{args[0]} on PostgreSQL: refused with one line saying what to use instead", result.returncode != 0 and len(lines) == 1
              and f"{args[0]} does not take a PostgreSQL store" in lines[0] and says in lines[0], result.stderr)
    seeded = run(binary, "seed", "--db", url, "--emails", "5", "--days", "1", env=priya)
    check("seed refuses a PostgreSQL store that has agencies (one line)", seeded.returncode != 0
          and len([line for line in seeded.stderr.splitlines() if line.strip()]) == 1, seeded.stderr)
    after = run(binary, "query", "--range", "all", "--format", "json", "--limit", "0", "--db", url, env=priya)
    check("the refused commands changed nothing", without_ids(json.loads(after.stdout)) == without_ids(items))

    postgres_change_checks(binary, work, url, sqlite_path, opened, twin)

    # ingest and record write to PostgreSQL: an event of an unknown message becomes an External email
    # (once: the file again stores nothing), a recorded line is Pending, once by its host id.
    ingested = run(binary, "ingest", events_file, "--db", url, env=priya)
    again = run(binary, "ingest", events_file, "--db", url, env=priya)
    check("ingest on PostgreSQL stores the event once", ingested.returncode == 0 and again.returncode == 0
          and ingested.stdout != again.stdout, ingested.stdout + ingested.stderr + again.stdout + again.stderr)
    external = run(binary, "query", "--range", "all", "--format", "json", "--limit", "0", "--to", "someone@example.net",
                   "--db", url, env=priya)
    check("the ingested event is on an External email", external.returncode == 0 and len(json.loads(external.stdout)) == 1,
          external.stdout + external.stderr)
    line = json.dumps({"host_id": "PG-CLI-1", "account": 1, "raised_by": "Priya Shah", "activity": "statement",
                       "to": "pg.record@example.net", "from": "accounts@mg.harbourlets.co.uk", "subject": "Statement",
                       "body": "Attached."})
    first = run(binary, "record", "--db", url, stdin=line + "\n", env=priya)
    second = run(binary, "record", "--db", url, stdin=line + "\n", env=priya)
    answers = [json.loads(out.stdout.splitlines()[0]) if out.returncode == 0 and out.stdout.strip() else {} for out in (first, second)]
    check("record on PostgreSQL records a line once by its host id",
          answers[0].get("created") is True and answers[1].get("created") is False
          and answers[0].get("email_id") == answers[1].get("email_id"), first.stdout + first.stderr + second.stdout + second.stderr)

    # compact on PostgreSQL applies the retention setting (whole months detached, the rest deleted):
    # 1200 months keeps everything; a cut in 2100 deletes every email, and the screen's query then lists none.
    kept = run(binary, "compact", "--retention-months", "1200", "--db", url, env=priya)
    check("compact --retention-months 1200 on PostgreSQL deletes nothing", kept.returncode == 0
          and "retention: deleted 0 emails" in kept.stdout and "autovacuum" in kept.stdout, kept.stdout + kept.stderr)
    before = json.loads(run(binary, "query", "--range", "all", "--format", "json", "--limit", "0", "--db", url, env=priya).stdout)
    swept = run(binary, "compact", "--retention-months", "1", "--now", "01/01/2100 12:00", "--db", url, env=priya)
    deleted = re.search(r"retention: deleted ([\d,]+) emails", swept.stdout)
    left = run(binary, "query", "--range", "all", "--format", "json", "--limit", "0", "--db", url, env=priya)
    check("compact --retention-months on PostgreSQL deletes every email before the cut",
          swept.returncode == 0 and deleted is not None and int(deleted.group(1).replace(",", "")) >= len(before) > 0
          and left.returncode == 0 and json.loads(left.stdout) == [], swept.stdout + swept.stderr + left.stdout[:300] + left.stderr)
    archived = run(binary, "compact", "--retention-months", "1", "--archive", os.path.join(work, "pg.jsonl"), "--db", url, env=priya)
    check("compact --archive on PostgreSQL is refused with one line", archived.returncode != 0
          and len([l for l in archived.stderr.splitlines() if l.strip()]) == 1 and "pg_dump" in archived.stderr
          and not os.path.exists(os.path.join(work, "pg.jsonl")), archived.stderr)

    # No password on the command line or in the environment's URL.
    parts = urllib.parse.urlsplit(url)
    with_password = urllib.parse.urlunsplit((parts.scheme, "someone:secret@" + parts.netloc.split("@")[-1], parts.path, parts.query, ""))
    for label, location in (("user:password@", with_password), ("?password=", url + "&password=secret")):
        result = run(binary, "query", "--range", "all", "--db", location, env=priya)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        check(f"a URL with a password ({label}) is refused with one line", result.returncode != 0 and len(lines) == 1
              and "must not hold a password" in lines[0] and "secret" not in result.stderr, result.stderr)
    loose = os.path.join(work, "loose-password")
    with open(loose, "w") as handle:
        handle.write("secret\n")
    os.chmod(loose, 0o644)
    result = run(binary, "query", "--range", "all", "--db", url, "--db-password-file", loose, env=priya)
    check("a password file others can read is refused, naming the file and not its content",
          result.returncode != 0 and loose in result.stderr and "secret" not in result.stderr, result.stderr)


def postgres_notification_checks(binary, url, sqlite_path, priya):
    """`notifications` and `prefs` on PostgreSQL answer as on SQLite for the fixture's store."""
    def listed(db):
        result = run(binary, "notifications", "--format", "json", "--db", db, env=priya)
        try:
            return result, json.loads(result.stdout)
        except ValueError:
            return result, None

    def neutral(items):
        return [{key: value for key, value in item.items() if key not in ("id", "emailId", "readAt")} for item in items or []]

    on_pg, pg_items = listed(url)
    on_sqlite, sqlite_items = listed(sqlite_path)
    check("notifications on PostgreSQL = on SQLite (but for ids)", on_pg.returncode == 0 and pg_items
          and neutral(pg_items) == neutral(sqlite_items) and all(item["unread"] for item in pg_items),
          f"rc={on_pg.returncode} {on_pg.stderr!r} {len(pg_items or [])} vs {len(sqlite_items or [])}")
    if not pg_items:
        return
    text = run(binary, "notifications", "--db", url, env=priya)
    check("notifications (text) on PostgreSQL lists them with the unread count",
          text.returncode == 0 and f"Notifications of Priya Shah in Harbour Lets: {len(pg_items)}, {len(pg_items)} unread" in text.stdout,
          text.stdout + text.stderr)
    newest = {"sqlite": sqlite_items[0]["id"], "pg": pg_items[0]["id"]}
    for label, db in (("pg", url), ("sqlite", sqlite_path)):
        marked = run(binary, "notifications", "--mark-read", str(newest[label]), "--db", db, env=priya)
        check(f"notifications --mark-read on {label}", marked.returncode == 0
              and marked.stdout.strip() == f"Marked 1 notification read; {len(pg_items) - 1} unread.", marked.stdout + marked.stderr)
    _, pg_after = listed(url)
    _, sqlite_after = listed(sqlite_path)
    check("after --mark-read the lists agree, the newest read", pg_after and neutral(pg_after) == neutral(sqlite_after)
          and not pg_after[0]["unread"] and "readAt" in pg_after[0], json.dumps(pg_after[:1]))
    foreign = run(binary, "notifications", "--mark-read", "987654", "--db", url, env=priya)
    lines = [line for line in foreign.stderr.splitlines() if line.strip()]
    check("notifications --mark-read of no notification of yours on PostgreSQL: one line, nothing changed",
          foreign.returncode != 0 and len(lines) == 1 and "no notification 987654 of yours" in lines[0]
          and neutral(listed(url)[1]) == neutral(pg_after), foreign.stderr)
    every = run(binary, "notifications", "--all", "--format", "json", "--db", url, env=priya)
    check("notifications --all on PostgreSQL marks the rest read", every.returncode == 0
          and json.loads(every.stdout or "{}").get("marked") == len(pg_items) - 1 and json.loads(every.stdout).get("unread") == 0,
          every.stdout + every.stderr)
    unread = run(binary, "notifications", "--unread", "--format", "json", "--db", url, env=priya)
    check("notifications --unread on PostgreSQL: none left", unread.returncode == 0 and json.loads(unread.stdout or "null") == [],
          unread.stdout + unread.stderr)

    shown = {label: run(binary, "prefs", "--format", "json", "--db", db, env=priya) for label, db in (("pg", url), ("sqlite", sqlite_path))}
    check("prefs on PostgreSQL = on SQLite (the standard ones)", shown["pg"].returncode == 0
          and shown["pg"].stdout == shown["sqlite"].stdout and json.loads(shown["pg"].stdout)["scope"] == "mine",
          shown["pg"].stdout + shown["pg"].stderr + shown["sqlite"].stdout)
    changed = {}
    for label, db in (("pg", url), ("sqlite", sqlite_path)):
        changed[label] = run(binary, "prefs", "set", "--statuses", "failed,complained", "--scope", "account", "--delivery", "digest",
                             "--digest-hour", "07:00", "--format", "json", "--db", db, env=priya)
    check("prefs set on PostgreSQL = on SQLite", changed["pg"].returncode == 0 and changed["pg"].stdout == changed["sqlite"].stdout
          and json.loads(changed["pg"].stdout)["delivery"] == "digest", changed["pg"].stdout + changed["pg"].stderr)
    again = run(binary, "prefs", "show", "--db", url, env=priya)
    check("prefs show on PostgreSQL reads the saved preferences", again.returncode == 0 and "A daily digest email (digest)" in again.stdout
          and "07:00" in again.stdout and "Failed, Complained" in again.stdout, again.stdout + again.stderr)
    bad = run(binary, "prefs", "set", "--statuses", "opened", "--db", url, env=priya)
    check("prefs set of a status that raises nothing on PostgreSQL: one line", bad.returncode != 0
          and len([line for line in bad.stderr.splitlines() if line.strip()]) == 1 and "opened" in bad.stderr, bad.stderr)
    digests = {label: run(binary, "notifications", "send-digests", "--at", "01/12/2026 09:00", "--db", db, env=priya)
               for label, db in (("pg", url), ("sqlite", sqlite_path))}
    check("notifications send-digests on PostgreSQL = on SQLite (the notifications were raised for the screen: no digest)",
          digests["pg"].returncode == 0 and digests["pg"].stdout == digests["sqlite"].stdout and "Recorded 0 digest emails" in digests["pg"].stdout,
          digests["pg"].stdout + digests["pg"].stderr)


def postgres_change_checks(binary, work, url, sqlite_path, opened, twin):
    """users, export, suppressions and resend on PostgreSQL: the same answers as on SQLite for the
    same fixture, the same refusals, and the changes seen through query and show."""
    priya, sam = {"EMAIL_AUDIT_USER": "Priya Shah"}, {"EMAIL_AUDIT_USER": "Sam Rees"}

    def both(*args, env=priya):
        return run(binary, *args, "--db", url, env=env), run(binary, *args, "--db", sqlite_path, env=env)

    def parsed(result):
        try:
            return json.loads(result.stdout) if result.returncode == 0 else None
        except ValueError:
            return None

    def without(items, *keys):
        if isinstance(items, dict):
            return {key: value for key, value in items.items() if key not in keys}
        return [without(item, *keys) for item in items] if items is not None else None

    # users: the same users, roles and accounts (ids are each store's own).
    on_pg, on_sqlite = both("users", "--format", "json")
    check("users --format json on PostgreSQL = on SQLite", parsed(on_pg) is not None
          and any(user["role"] == "support" and user["name"] == "Sam Rees" for user in parsed(on_pg))
          and without(parsed(on_pg), "id", "accountId") == without(parsed(on_sqlite), "id", "accountId"), on_pg.stdout + on_pg.stderr)
    on_pg, on_sqlite = both("users")
    check("users (table) on PostgreSQL = on SQLite", on_pg.returncode == 0 and "priya.shah" in on_pg.stdout
          and on_pg.stdout == on_sqlite.stdout, on_pg.stdout + on_pg.stderr)

    # export: the same rows through the reader (CSV; the Id column and the production time aside).
    def exported(db, name):
        path = os.path.join(work, name)
        result = run(binary, "export", "--range", "all", "--no-bom", "--output", path, "--db", db, env=priya)
        if result.returncode != 0:
            return None, result.stderr
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        return rows, result.stderr
    pg_rows, pg_err = exported(url, "pg-export.csv")
    sqlite_rows, _ = exported(sqlite_path, "sqlite-export.csv")

    def neutral_rows(rows):
        if not rows:
            return rows
        header_at = next((i for i, row in enumerate(rows) if row and row[0] in ("Id", "ID", "id")), None)
        if header_at is None:
            return [row for row in rows if not any("Produced" in cell or "produced" in cell for cell in row)]
        return [row[1:] for row in rows[header_at:]]
    check("export to CSV on PostgreSQL = on SQLite (ids aside)", pg_rows is not None and len(pg_rows) >= 36
          and neutral_rows(pg_rows) == neutral_rows(sqlite_rows), f"{pg_err} {len(pg_rows or [])} vs {len(sqlite_rows or [])}")

    # suppressions: the same list; staff request, support removes; the same trail and refusals on both.
    on_pg, on_sqlite = both("suppressions", "list", "--format", "json")
    entries = parsed(on_pg)
    check("suppressions list on PostgreSQL = on SQLite", entries and without(entries, "emailId") == without(parsed(on_sqlite), "emailId"),
          on_pg.stdout + on_pg.stderr)
    if entries:
        address = entries[-1]["address"]
        on_pg, on_sqlite = both("suppressions", "remove", address, "--reason", "Asked")
        pg_lines = [line for line in on_pg.stderr.splitlines() if line.strip()]
        check("suppressions remove by staff on PostgreSQL: one line, as on SQLite", on_pg.returncode != 0 and len(pg_lines) == 1
              and "support role" in pg_lines[0] and on_pg.stderr == on_sqlite.stderr, on_pg.stderr + on_sqlite.stderr)
        on_pg, on_sqlite = both("suppressions", "request", address, "--note", "Tenant confirmed by phone", "--format", "json")
        check("suppressions request on PostgreSQL = on SQLite", parsed(on_pg) is not None and parsed(on_pg) == parsed(on_sqlite),
              on_pg.stdout + on_pg.stderr)
        on_pg, on_sqlite = both("suppressions", "list", "--format", "json", env=sam)
        request = next((entry.get("removalRequest") for entry in parsed(on_pg) or [] if entry["address"] == address), None)
        check("support sees Priya's request on PostgreSQL", request is not None and request["by"] == "Priya Shah"
              and request["note"] == "Tenant confirmed by phone", on_pg.stdout + on_pg.stderr)
        on_pg, on_sqlite = both("suppressions", "remove", address, "--reason", "Confirmed", env=sam)
        check("suppressions remove by support on PostgreSQL, as on SQLite", on_pg.returncode == 0 and on_pg.stdout == on_sqlite.stdout,
              on_pg.stdout + on_pg.stderr + on_sqlite.stderr)
        on_pg, on_sqlite = both("suppressions", "history", address, "--format", "json")
        trail = parsed(on_pg) or []
        check("suppressions history on PostgreSQL: added, requested, removed, as on SQLite",
              [item["action"] for item in trail] == ["added", "requested", "removed"] and trail[-1]["by"] == "Sam Rees"
              and without(trail, "at", "atLocal")[1:] == without(parsed(on_sqlite) or [], "at", "atLocal")[1:], on_pg.stdout + on_pg.stderr)
        on_pg, on_sqlite = both("suppressions", "list", "--format", "json")
        check("the address is off the list on PostgreSQL", address not in on_pg.stdout and on_pg.returncode == 0
              and without(parsed(on_pg), "emailId") == without(parsed(on_sqlite), "emailId"), on_pg.stdout + on_pg.stderr)
        again = run(binary, "suppressions", "remove", address, "--reason", "Again", "--db", url, env=sam)
        check("removing it again on PostgreSQL: not on the list, one line", again.returncode != 0
              and "is not on the suppression list" in again.stderr, again.stderr)

    # resend: a new Pending email linked both ways, as on SQLite (the fixture's addresses are all
    # suppressed by now, so to a corrected one).
    pg_resend = run(binary, "resend", str(opened["id"]), "--to", "dan.new@example.net", "--format", "json", "--db", url, env=priya)
    sqlite_resend = run(binary, "resend", str(twin["id"]), "--to", "dan.new@example.net", "--format", "json", "--db", sqlite_path,
                        env=priya)
    outcome = parsed(pg_resend)
    check("resend on PostgreSQL records a Pending email, as on SQLite", outcome is not None and outcome["status"] == "Pending"
          and outcome["resendOf"] == opened["id"] and outcome["to"] == "dan.new@example.net"
          and without(outcome, "id", "resendOf") == without(parsed(sqlite_resend), "id", "resendOf"), pg_resend.stdout + pg_resend.stderr)
    if outcome:
        shown = run(binary, "show", str(opened["id"]), "--db", url, env=priya)
        check("show of the original on PostgreSQL names its resend", f"#{outcome['id']}" in shown.stdout, shown.stdout)
        new = run(binary, "show", str(outcome["id"]), "--format", "json", "--db", url, env=priya)
        check("the resend on PostgreSQL is Pending, raised by Priya Shah", new.returncode == 0 and '"Pending"' in new.stdout
              and "Priya Shah" in new.stdout, new.stdout + new.stderr)
        pending = run(binary, "query", "--range", "all", "--status", "pending", "--format", "json", "--limit", "0", "--db", url, env=priya)
        check("query finds the resend on PostgreSQL", outcome["id"] in [item["id"] for item in parsed(pending) or []], pending.stdout)
    suppressed = (parsed(both("suppressions", "list", "--format", "json")[0]) or [{}])[0].get("address")
    if suppressed:
        on_pg = run(binary, "resend", str(opened["id"]), "--to", suppressed, "--db", url, env=priya)
        on_sqlite = run(binary, "resend", str(twin["id"]), "--to", suppressed, "--db", sqlite_path, env=priya)
        check("resend to a suppressed address on PostgreSQL: refused with SQLite's line", on_pg.returncode != 0
              and "on the suppression list" in on_pg.stderr and on_pg.stderr == on_sqlite.stderr, on_pg.stderr + on_sqlite.stderr)
    missing = run(binary, "resend", "99999", "--db", url, env=priya)
    check("resend of no such email on PostgreSQL: one line", missing.returncode != 0 and "no email with id 99999" in missing.stderr,
          missing.stderr)


def users_and_suppressions_checks(binary, work):
    """Sign-in, accounts and roles, and the suppression list (issue 7) on a store of its own."""
    db = os.path.join(work, "accounts.sqlite")
    seeded = run(binary, "seed", "--db", db, "--emails", "600", "--days", "3", "--seed", "7", "--now", "20/11/2026 14:30", "--quiet")
    check("accounts: seed makes three agencies", seeded.returncode == 0 and "3 agencies" in seeded.stdout, seeded.stdout + seeded.stderr)
    users = run(binary, "users", "--db", db, "--format", "json")
    listed = json.loads(users.stdout) if users.returncode == 0 else []
    accounts = {user["account"] for user in listed}
    check("users --format json lists staff of three accounts and the support team",
          len(accounts) == 4 and any(u["role"] == "support" and u["account"].startswith("Support team") for u in listed),
          users.stdout + users.stderr)
    table = run(binary, "users", "--db", db)
    check("users prints a table with logins", table.returncode == 0 and "amelia.hughes" in table.stdout and "Login" in table.stdout)

    # Sign-in order: --user, then EMAIL_AUDIT_USER, then the login name, then (demo store) Amelia Hughes.
    unknown = run(binary, "query", "--db", db, "--user", "Nobody Here")
    lines = [line for line in unknown.stderr.splitlines() if line.strip()]
    check("an unknown --user gets one line naming `email-audit users`",
          unknown.returncode != 0 and len(lines) == 1 and "email-audit users" in lines[0] and not unknown.stdout, unknown.stderr)
    env_unknown = run(binary, "query", "--db", db, env={"EMAIL_AUDIT_USER": "Nobody Here"})
    check("an unknown EMAIL_AUDIT_USER is refused too", env_unknown.returncode != 0 and "Nobody Here" in env_unknown.stderr)
    # Each staff user sees only their own account's emails; the look-alike name needs a login.
    def ids(user, *extra, env=None):
        signed = ["--user", user] if user else []
        result = run(binary, "query", "--db", db, "--range", "all", "--format", "json", *signed, *extra, env=env)
        return {row["id"] for row in json.loads(result.stdout)} if result.returncode == 0 else set()
    harbour, northgate = ids("Amelia Hughes"), ids("Ruth Ashworth")
    check("the login name signs in (Ruth Ashworth of Northgate)",
          ids(None, env={"EMAIL_AUDIT_USER": "", "USER": "ruth.ashworth"}) == northgate)
    check("on the demo store an unknown login name signs in Amelia Hughes",
          ids(None, env={"EMAIL_AUDIT_USER": "", "USER": "somebody-else"}) == harbour)
    check("staff of two accounts see disjoint emails", harbour and northgate and not harbour & northgate)
    support_view = ids("Kate Ellison", "--account", "Northgate")
    check("support with --account sees that account's emails", support_view == northgate)
    ambiguous = run(binary, "query", "--db", db, "--user", "Oliver Bennett")
    check("a name two users share asks for a login", ambiguous.returncode != 0 and "oliver.bennett2" in ambiguous.stderr, ambiguous.stderr)
    staff_account = run(binary, "query", "--db", db, "--user", "Amelia Hughes", "--account", "Northgate")
    check("--account is for support users only", staff_account.returncode != 0 and "support" in staff_account.stderr)
    other = sorted(northgate)[0]
    hidden = run(binary, "show", str(other), "--db", db, "--user", "Amelia Hughes")
    check("show of another account's email: no such email", hidden.returncode != 0 and "no email" in hidden.stderr and not hidden.stdout)
    # The searches (issue 10) answer for the signed-in account only.
    for search in (["--to", "*e*"], ["--subject", "e"]):
        found = ids("Ruth Ashworth", *search)
        check(f"query {' '.join(search)} as Ruth Ashworth: only Northgate's emails", found and found <= northgate)
    everywhere = ids("Kate Ellison", "--account", "Northgate", "--to", "*e*")
    check("support's search with --account Northgate answers for Northgate", everywhere and everywhere <= northgate)
    shown = json.loads(run(binary, "show", str(other), "--db", db, "--user", "Ruth Ashworth", "--format", "json").stdout or "{}")
    message = shown.get("messageId")
    if message:
        by_message = run(binary, "show", "--message-id", message, "--db", db, "--user", "Amelia Hughes")
        check("show --message-id of another account's email: no such email", by_message.returncode != 0 and not by_message.stdout,
              by_message.stdout + by_message.stderr)
        own = run(binary, "show", "--message-id", message, "--db", db, "--user", "Ruth Ashworth")
        check("show --message-id finds it for its own account", own.returncode == 0 and str(other) in own.stdout, own.stderr)

    # The suppression list: staff see and request; support removes; the trail keeps who, when and why.
    listed = run(binary, "suppressions", "list", "--db", db, "--user", "Amelia Hughes", "--format", "json")
    entries = json.loads(listed.stdout) if listed.returncode == 0 else []
    check("suppressions list --format json has kind, since, reason and blocked counts",
          entries and all({"address", "kind", "since", "reason", "blockedEmails"} <= set(e) for e in entries), listed.stdout + listed.stderr)
    if not entries:
        return
    address = entries[0]["address"]
    before = content(db)
    refused = run(binary, "suppressions", "remove", address, "--reason", "asked", "--db", db, "--user", "Amelia Hughes")
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    check("a staff removal gets one line saying it needs the support role, non-zero, nothing changed",
          refused.returncode != 0 and len(lines) == 1 and "support role" in lines[0] and content(db) == before, refused.stderr)
    requested = run(binary, "suppressions", "request", address, "--note", "Confirmed by phone", "--db", db, "--user", "Amelia Hughes")
    check("staff request a removal with a note", requested.returncode == 0, requested.stderr)
    seen = run(binary, "suppressions", "list", "--db", db, "--user", "Kate Ellison", "--format", "json")
    request = next((e.get("removalRequest") for e in json.loads(seen.stdout or "[]") if e["address"] == address), None)
    check("support sees the open request", request is not None and request["by"] == "Amelia Hughes" and request["note"] == "Confirmed by phone")
    removed = run(binary, "suppressions", "remove", address, "--reason", "Recipient asked", "--db", db, "--user", "Kate Ellison")
    check("support removes it", removed.returncode == 0, removed.stderr)
    after = run(binary, "suppressions", "list", "--db", db, "--user", "Amelia Hughes", "--format", "json")
    check("the address is off the list", address not in after.stdout)
    history = run(binary, "suppressions", "history", address, "--db", db, "--user", "Amelia Hughes", "--format", "json")
    trail = json.loads(history.stdout) if history.returncode == 0 else []
    check("history: added, requested, removed, with who and why",
          [t["action"] for t in trail][-3:] == ["added", "requested", "removed"]
          and trail[-1]["by"] == "Kate Ellison" and trail[-1]["note"] == "Recipient asked", history.stdout + history.stderr)
    # The address was Harbour Lets's, whose simulated domain keeps its state under the original key.
    state = json.loads(sqlite3.connect(db).execute("SELECT value FROM meta WHERE key = 'simulator_state'").fetchone()[0])
    check("the saved simulator no longer suppresses the address", address not in state["suppressions"], str(state["suppressions"])[:300])
    missing = run(binary, "suppressions", "history", "never@example.net", "--db", db, "--user", "Amelia Hughes")
    check("history of an address never suppressed: one line", missing.returncode != 0 and len(missing.stderr.strip().splitlines()) == 1)


def one_line_refusal(result):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return result.returncode != 0 and len(lines) == 1 and not result.stdout


def notification_checks(binary, work):
    """Notifications and preferences (issue 7): listing, marking read, preferences, digests, refusals."""
    db = os.path.join(work, "notifications.sqlite")
    seeded = run(binary, "seed", "--db", db, "--emails", "1500", "--days", "4", "--seed", "7", "--now", "20/11/2026 14:30", "--quiet")
    check("notifications: seed", seeded.returncode == 0, seeded.stderr)

    # Someone of Harbour Lets who raised a problem email (a name no other user shares).
    problems = run(binary, "query", "--db", db, "--range", "all", "--status", "failed", "--status", "complained", "--format", "json")
    raisers = [row["raisedBy"] for row in json.loads(problems.stdout or "[]")
               if row["raisedBy"] not in ("External", "System", "Oliver Bennett", "Zoë Clarke")]
    check("notifications: Harbour Lets has problem emails", bool(raisers), problems.stderr)
    if not raisers:
        return
    me = raisers[0]

    def listed(user=me, *extra):
        result = run(binary, "notifications", "--db", db, "--user", user, "--format", "json", *extra)
        return json.loads(result.stdout) if result.returncode == 0 else None

    mine = listed()
    check("notifications --format json lists their, newest first, each with its email, status and reason",
          mine and all({"id", "emailId", "status", "raisedAt", "unread", "subject", "to", "reason"} <= set(n) for n in mine)
          and [n["raisedAt"] for n in mine] == sorted((n["raisedAt"] for n in mine), reverse=True), str(mine)[:300])
    if not mine:
        return
    check("notifications are only for Failed, Complained, Rejected and Unsubscribed",
          {n["status"] for n in mine} <= {"Failed", "Complained", "Rejected", "Unsubscribed"})
    harbour = set()
    query = run(binary, "query", "--db", db, "--user", me, "--range", "all", "--raised-by", me, "--format", "json")
    harbour = {row["id"] for row in json.loads(query.stdout)} if query.returncode == 0 else set()
    check("each notification is about an email they raised (scope: mine)", {n["emailId"] for n in mine} <= harbour)
    ruth = listed("Ruth Ashworth") or []
    check("another account's user never sees their notifications", not {n["id"] for n in ruth} & {n["id"] for n in mine})
    table = run(binary, "notifications", "--db", db, "--user", me)
    check("notifications prints a list with unread marked", table.returncode == 0 and "unread" in table.stdout.splitlines()[0]
          and any(line.startswith("* ") for line in table.stdout.splitlines()), table.stdout[:300])

    first = mine[0]["id"]
    before = content(db)
    foreign = [n["id"] for n in ruth][:1]
    if foreign:
        refused = run(binary, "notifications", "--db", db, "--user", me, "--mark-read", str(foreign[0]))
        check("--mark-read of another user's notification: one line, non-zero, nothing changed",
              one_line_refusal(refused) and content(db) == before, refused.stderr)
    for bad in (["--mark-read", "abc"], ["--mark-read", "0"], ["--mark-read", "1", "--all"], ["--format", "xml"]):
        result = run(binary, "notifications", "--db", db, "--user", me, *bad)
        check(f"notifications {' '.join(bad)}: one line, non-zero, nothing changed", one_line_refusal(result) and content(db) == before,
              result.stderr)
    marked = run(binary, "notifications", "--db", db, "--user", me, "--mark-read", str(first), "--format", "json")
    answer = json.loads(marked.stdout) if marked.returncode == 0 else {}
    check("--mark-read ID marks one read", answer.get("marked") == 1 and answer.get("unread") == len(mine) - 1, marked.stdout + marked.stderr)
    unread = listed(me, "--unread") or []
    check("--unread leaves it out", first not in {n["id"] for n in unread} and len(unread) == len(mine) - 1)
    everything = run(binary, "notifications", "--db", db, "--user", me, "--all")
    check("--all marks every one read", everything.returncode == 0 and listed(me, "--unread") == [], everything.stderr)
    check("Ruth's stay unread", (listed("Ruth Ashworth", "--unread") or []) == [n for n in ruth if n["unread"]])

    shown = run(binary, "prefs", "show", "--db", db, "--user", me, "--format", "json")
    prefs = json.loads(shown.stdout) if shown.returncode == 0 else {}
    check("prefs show: the defaults (four statuses, mine, on screen, 08:00)",
          prefs.get("statuses") == ["failed", "complained", "rejected", "unsubscribed"] and prefs.get("scope") == "mine"
          and prefs.get("delivery") == "screen" and prefs.get("digestHour") == 8, shown.stdout + shown.stderr)
    before = content(db)
    for bad in (["--statuses", "delivered"], ["--statuses", "failed,bogus"], ["--scope", "everyone"], ["--delivery", "pigeon"],
                ["--digest-hour", "24"], ["--digest-hour", "8am"], []):
        result = run(binary, "prefs", "set", "--db", db, "--user", me, *bad)
        check(f"prefs set {' '.join(bad) or '(nothing)'}: one line, non-zero, nothing changed",
              one_line_refusal(result) and content(db) == before, result.stderr)
    support = run(binary, "prefs", "set", "--db", db, "--user", "Kate Ellison", "--scope", "account")
    check("prefs set for a support user: one line, non-zero", one_line_refusal(support) and content(db) == before, support.stderr)
    saved = run(binary, "prefs", "set", "--db", db, "--user", me, "--statuses", "failed,complained", "--scope", "account",
                "--delivery", "digest", "--digest-hour", "07:00", "--format", "json")
    after = json.loads(saved.stdout) if saved.returncode == 0 else {}
    check("prefs set saves statuses, scope, delivery and hour",
          after.get("statuses") == ["failed", "complained"] and after.get("scope") == "account" and after.get("delivery") == "digest"
          and after.get("digestHour") == 7, saved.stdout + saved.stderr)
    again = json.loads(run(binary, "prefs", "--db", db, "--user", me, "--format", "json").stdout or "{}")
    check("prefs (show) reads them back", again == after)

    # Digests: Castle Quay's Bethan Pryce takes one (the seed's choice); sending twice records nothing new.
    first_run = run(binary, "notifications", "send-digests", "--db", db, "--at", "21/11/2026 09:00")
    second_run = run(binary, "notifications", "send-digests", "--db", db, "--at", "21/11/2026 09:30")
    check("send-digests records the due digests (Bethan Pryce's)", first_run.returncode == 0 and "Bethan Pryce" in first_run.stdout,
          first_run.stdout + first_run.stderr)
    check("send-digests again the same day records none", second_run.returncode == 0 and second_run.stdout.startswith("Recorded 0 "),
          second_run.stdout + second_run.stderr)
    bad_at = run(binary, "notifications", "send-digests", "--db", db, "--at", "tomorrow")
    check("send-digests --at with a bad time: one line naming --at", one_line_refusal(bad_at) and "--at" in bad_at.stderr, bad_at.stderr)
    alerts = run(binary, "query", "--db", db, "--user", "Bethan Pryce", "--range", "all", "--raised-by", "System", "--format", "json")
    rows = json.loads(alerts.stdout) if alerts.returncode == 0 else []
    check("digest emails are in the audit, raised by System, with the Status alert activity",
          rows and all(r["activity"] == "Status alert" for r in rows)
          and any(r["subject"].startswith("Email Audit digest for 20/11/2026") for r in rows), alerts.stdout[:300] + alerts.stderr)


def resend_checks(binary, work):
    """Resend (issue 7 items 5 and 6): a new Pending email linked both ways in show, query and
    exports; a corrected To can update the contacts; malformed, another account's and suppressed
    are refused with one line and nothing changed. Runs on the accounts store of the checks above."""
    db = os.path.join(work, "accounts.sqlite")

    def rows(user, *extra):
        result = run(binary, "query", "--db", db, "--range", "all", "--format", "json", "--limit", "0", "--user", user, *extra)
        return json.loads(result.stdout) if result.returncode == 0 else []

    def shown(email_id, user="Amelia Hughes"):
        result = run(binary, "show", str(email_id), "--db", db, "--user", user, "--format", "json")
        return json.loads(result.stdout) if result.returncode == 0 else {}

    def one_line_refusal(result, words, before, name):
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        check(name, result.returncode != 0 and len(lines) == 1 and all(w in lines[0] for w in words)
              and not result.stdout and content(db) == before, result.stdout + result.stderr)

    harbour = rows("Amelia Hughes")
    suppressed = {e["address"] for e in json.loads(run(binary, "suppressions", "list", "--db", db, "--user", "Amelia Hughes",
                                                       "--format", "json").stdout or "[]")}
    plain = [r for r in harbour if r["activity"] != "External" and r["to"] not in suppressed]
    original = plain[0]
    made = run(binary, "resend", str(original["id"]), "--db", db, "--user", "Amelia Hughes", "--format", "json")
    answer = json.loads(made.stdout) if made.returncode == 0 else {}
    new_id = answer.get("id")
    check("resend ID --format json prints the new id, Pending, linked to the original",
          new_id and answer.get("resendOf") == original["id"] and answer.get("status") == "Pending"
          and answer.get("to") == original["to"] and answer.get("raisedBy") == "Amelia Hughes", made.stdout + made.stderr)
    new = shown(new_id)
    check("show NEW --format json: Pending, same subject, raised by the signed-in user, resendOf",
          new.get("status") == "Pending" and new.get("subject") == original["subject"] and new.get("raisedBy") == "Amelia Hughes"
          and new.get("resendOf") == original["id"] and "messageId" not in new, str(new)[:300])
    check("show ORIGINAL --format json: resentAs", shown(original["id"]).get("resentAs") == [new_id])
    text = run(binary, "show", str(new_id), "--db", db, "--user", "Amelia Hughes").stdout
    check("show NEW (text) says Resend of #M", f"Resend of     #{original['id']}" in text, text[:400])
    listed = {r["id"]: r for r in rows("Amelia Hughes")}
    check("query --format json carries the links both ways",
          listed.get(new_id, {}).get("resendOf") == original["id"] and listed.get(original["id"], {}).get("resentAs") == [new_id])
    as_csv = {r["Id"]: r for r in csv.DictReader(io.StringIO(run(binary, "query", "--db", db, "--range", "all", "--format", "csv",
                                                                 "--limit", "0", "--user", "Amelia Hughes").stdout))}
    check("query --format csv has the Resend link column",
          as_csv.get(str(new_id), {}).get("Resend link") == f"Resend of #{original['id']}"
          and as_csv.get(str(original["id"]), {}).get("Resend link") == f"Resent as #{new_id}", str(as_csv.get(str(new_id)))[:300])
    again = run(binary, "resend", str(original["id"]), "--db", db, "--user", "Amelia Hughes")
    check("resend ID (text) prints only the new id on stdout", again.returncode == 0 and again.stdout.strip().isdigit()
          and "Resent email" in again.stderr, again.stdout + again.stderr)

    before = content(db)
    one_line_refusal(run(binary, "resend", str(original["id"]), "--to", "pat@example", "--db", db, "--user", "Amelia Hughes"),
                     ["not an email address"], before, "resend --to a malformed address: one line, non-zero, nothing changed")
    one_line_refusal(run(binary, "resend", str(original["id"]), "--update-contacts", "--db", db, "--user", "Amelia Hughes"),
                     ["--update-contacts", "--to"], before, "resend --update-contacts without --to: one line, nothing changed")
    northgate = rows("Ruth Ashworth")
    one_line_refusal(run(binary, "resend", str(northgate[0]["id"]), "--db", db, "--user", "Amelia Hughes"),
                     ["no email with id"], before, "resend of another account's email: not found, nothing changed")
    one_line_refusal(run(binary, "resend", str(original["id"]), "--format", "yaml", "--db", db, "--user", "Amelia Hughes"),
                     ["unknown format"], before, "resend --format yaml: one line")
    blocked = next((r for r in harbour if r["to"] in suppressed and r["activity"] != "External"), None)
    if blocked:
        one_line_refusal(run(binary, "resend", str(blocked["id"]), "--db", db, "--user", "Amelia Hughes"),
                         ["suppression list", "since", "suppressions request " + blocked["to"]], before,
                         "resend to a suppressed address: the entry and how to request its removal, non-zero, nothing changed")
    else:
        check("the seeded store has a suppressed address with an email to resend", False, str(suppressed))

    # A corrected To that also updates the contacts (only within the account).
    with_units = next((r for r in plain[1:60] if shown(r["id"]).get("units")), None)
    if not with_units:
        check("an email whose address Unit Search knows", False)
        return
    corrected = "corrected." + with_units["to"]
    moved = run(binary, "resend", str(with_units["id"]), "--to", corrected.upper(), "--update-contacts", "--db", db,
                "--user", "Amelia Hughes", "--format", "json")
    result = json.loads(moved.stdout) if moved.returncode == 0 else {}
    check("resend --to ADDRESS --update-contacts: the new To, contacts updated",
          result.get("to") == corrected and result.get("originalTo") == with_units["to"] and result.get("contactsUpdated", 0) >= 1,
          moved.stdout + moved.stderr)
    check("the contacts now use the corrected address (Unit Search)",
          shown(result.get("id")).get("units") and not shown(with_units["id"]).get("units"))
    check("show NEW --format json says the To was corrected", shown(result.get("id")).get("correctedFrom") == with_units["to"])
    out = os.path.join(work, "resends.csv")
    exported = run(binary, "export", "--db", db, "-o", out, "--format", "csv", "--range", "all", "--user", "Amelia Hughes")
    links = {r["Id"]: r["Resend link"] for r in csv.DictReader(open(out, encoding="utf-8-sig"))} if exported.returncode == 0 else {}
    check("export csv has the Resend link column", links.get(str(result.get("id"))) == f"Resend of #{with_units['id']}", exported.stderr)


def run_on_terminal(binary, *args, env=None, stderr_too=False):
    """Runs the binary with standard output (and, with stderr_too, standard error) on a
    pseudo-terminal; returns what it printed there."""
    import pty
    full_env = dict(os.environ, TZ="Europe/London", LANG="C.UTF-8", EMAIL_AUDIT_TZ="Europe/London", EMAIL_AUDIT_USER=SIGNED_IN)
    full_env.pop("EMAIL_AUDIT_DB", None)
    full_env.pop("LC_ALL", None)
    full_env.update(env or {})
    master, slave = pty.openpty()
    process = subprocess.Popen([binary, *args], stdin=subprocess.DEVNULL, stdout=slave,
                               stderr=slave if stderr_too else subprocess.PIPE, env=full_env)
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the program closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(master)
    return output.decode("utf-8", errors="replace").replace("\r\n", "\n")
# Hostile text: every control a terminal would act on, in every field an event can carry.
# No NUL: how the store treats NUL is decided on ingest, not here.
HOSTILE = ("A\x1b[2J\x1b]52;c;cHduZWQ=\x07\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\"
           " \x9b31m\x9d0;t\x9c \x85nel \u202eRTL\u202c \u2066iso\u2069 \u061c\u200e\u200f"
           " \u2028LS\u2029PS \x7fdel \x01\x08\x0b\x0c\x0e\x1f\ufeff end")
BIDI = {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}


def raw_controls(text, allow_crlf=False, allow_separators=False):
    """The characters of `text` a terminal would act on: C0 but newline (and CR before LF in
    CSV), DEL, C1, bidi controls, and U+2028/2029 (allowed only inside JSON's \\u escapes,
    which never appear raw)."""
    found = []
    for index, ch in enumerate(text):
        code = ord(ch)
        if ch == "\n":
            continue
        if ch == "\r" and allow_crlf and text[index + 1:index + 2] == "\n":
            continue
        if code < 0x20 or 0x7F <= code < 0xA0 or code in BIDI or code == 0xFEFF \
                or (code in (0x2028, 0x2029) and not allow_separators):
            found.append(f"U+{code:04X}")
    return sorted(set(found))


def hostile_text_tests(binary, work):
    """No output path lets a control character through: query (table, csv, json), show, and
    the error messages of bad arguments, bad files and bad lines."""
    db = os.path.join(work, "hostile.sqlite")
    seeded = run(binary, "seed", "--db", db, "--emails", "50", "--days", "2", "--seed", "5",
                 "--now", "20/11/2026 14:30", "--quiet")
    check("hostile: seed succeeds", seeded.returncode == 0, seeded.stderr)
    event = {"event": "failed", "id": "hostileEvt000000000001", "timestamp": 1795000000.5,
             "recipient": "hostile@example.net", "severity": "permanent", "reason": "bounce" + HOSTILE,
             "message": {"headers": {"message-id": "hostile.1@mg.example.com", "to": "hostile@example.net",
                                     "from": "x@mg.example.com", "subject": "Subject " + HOSTILE}},
             "delivery-status": {"code": 550, "enhanced-code": "5.1.1" + HOSTILE, "message": "msg" + HOSTILE,
                                 "description": "desc" + HOSTILE, "mx-host": "mx" + HOSTILE, "attempt-no": 1}}
    events = os.path.join(work, "hostile.jsonl")
    with open(events, "w") as handle:
        handle.write(json.dumps(event) + "\n")
        # A malformed line whose bad value is itself hostile: the error names it, neutralised.
        handle.write(json.dumps({"event": "delivered", "id": "h2", "timestamp": "soon" + HOSTILE}) + "\n")
    ingested = run(binary, "ingest", "--db", db, events)
    check("hostile: the event is stored", "1 new events" in ingested.stdout, ingested.stdout + ingested.stderr)
    check("hostile: ingest's output and line errors carry no raw control",
          not raw_controls(ingested.stdout) and not raw_controls(ingested.stderr) and "line 2" in ingested.stderr,
          f"{raw_controls(ingested.stdout + ingested.stderr)} {ingested.stderr!r}")

    # A wide table, so the whole subject is in its column.
    table = run(binary, "query", "--db", db, "--range", "all", "--to", "hostile@example.net", "--limit", "0",
                env={"COLUMNS": "1000"})
    check("hostile: query table carries no raw control",
          table.returncode == 0 and "Subject A" in table.stdout and not raw_controls(table.stdout + table.stderr),
          f"{raw_controls(table.stdout + table.stderr)} {table.stdout!r}")
    as_csv = run(binary, "query", "--db", db, "--range", "all", "--to", "hostile@example.net", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout, newline="")))
    check("hostile: query csv carries no raw control (CR only in CR LF)",
          as_csv.returncode == 0 and len(rows) == 1 and not raw_controls(as_csv.stdout, allow_crlf=True),
          f"{raw_controls(as_csv.stdout, allow_crlf=True)} {as_csv.stdout!r}")
    as_json = run(binary, "query", "--db", db, "--range", "all", "--to", "hostile@example.net", "--format", "json")
    check("hostile: query json carries no raw control", as_json.returncode == 0 and not raw_controls(as_json.stdout),
          f"{raw_controls(as_json.stdout)} {as_json.stdout!r}")
    try:
        items = json.loads(as_json.stdout)
    except ValueError as error:
        items = []
        check("hostile: query json parses", False, str(error))
    check("hostile: json keeps the text whole, as \\u escapes",
          len(items) == 1 and items[0]["subject"] == "Subject " + HOSTILE
          and all(f"\\u{code:04x}" in as_json.stdout.lower() for code in (0x1B, 0x7F, 0x9B, 0x202E, 0x2028, 0x200E)),
          as_json.stdout)

    if items:
        shown = run(binary, "show", "--db", db, str(items[0]["id"]))
        check("hostile: show carries no raw control (the Code field included)",
              shown.returncode == 0 and "5.1.1A" in shown.stdout and not raw_controls(shown.stdout + shown.stderr),
              f"{raw_controls(shown.stdout + shown.stderr)} {shown.stdout!r}")

    for args in [["query", "--format", HOSTILE], ["query", "--to", "a" + HOSTILE + "*b"],
                 ["query", "--status", HOSTILE], ["query", "--range", HOSTILE], ["query", "--from", HOSTILE],
                 ["query", "--raised-by", HOSTILE], ["query", "--time-zone", HOSTILE], ["show", HOSTILE],
                 ["query", "--limit", HOSTILE], ["ingest", os.path.join(work, "missing" + HOSTILE)],
                 ["no-such-command" + HOSTILE]]:
        result = run(binary, args[0], "--db", db, *args[1:]) if len(args) > 1 else run(binary, args[0])
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        label = " ".join(arg if arg in ("query", "show", "ingest") or arg.startswith("--") else "<hostile>"
                         for arg in args[:2])
        check(f"hostile: error for {label} is one neutralised line",
              result.returncode != 0 and len(lines) == 1 and not raw_controls(result.stderr + result.stdout),
              f"rc={result.returncode} {raw_controls(result.stderr + result.stdout)} {result.stderr!r}")


def run_on_sized_terminal(binary, *args, columns=200, rows=50):
    """Runs the binary with stdout and stderr on a pseudo-terminal of the given size; returns (rc, output)."""
    import fcntl
    import pty
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = dict(os.environ, TZ="Europe/London", LANG="C.UTF-8", EMAIL_AUDIT_TZ="Europe/London", TERM="xterm")
    env.pop("EMAIL_AUDIT_DB", None)
    process = subprocess.Popen([binary, *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    rc = process.wait(timeout=300)
    os.close(master)
    return rc, b"".join(chunks).decode("utf-8", "replace")


def search_checks(binary, db, work):
    """--to '*@domain', --to '*part*' and --subject TEXT give exactly the rows a plain filter in Python gives."""
    everything = list(csv.DictReader(io.StringIO(run(binary, "query", "--db", db, "--range", "all", "--format", "csv",
                                                      "--limit", "0").stdout)))

    def ids(*args):
        result = run(binary, "query", "--db", db, "--range", "all", "--format", "csv", "--limit", "0", *args)
        return result.returncode, [r["Id"] for r in csv.DictReader(io.StringIO(result.stdout))], result.stderr

    def domain(address):
        return address.lower().rsplit("@", 1)[1] if "@" in address else address.lower()

    domains = sorted({domain(r["To"]) for r in everything})
    for name in domains[:2] + domains[-1:]:
        expected = [r["Id"] for r in everything if domain(r["To"]) == name]
        rc, got, err = ids("--to", f"*@{name.upper()}")
        check(f"--to '*@{name}' gives every email to the domain", rc == 0 and got == expected and expected,
              f"{len(got)} vs {len(expected)} {err}")
    locals_ = sorted({r["To"].lower().split("@")[0] for r in everything if "@" in r["To"]})
    for part in [locals_[0][1:4], locals_[len(locals_) // 2][2:7], "an", "zzqx"]:
        expected = [r["Id"] for r in everything if part in r["To"].lower()]
        rc, got, err = ids("--to", f"*{part}*")
        check(f"--to '*{part}*' gives every address containing it ({len(expected)})", rc == 0 and got == expected, err)
    for text in ["Payment received", "flat 1", "Kingfisher", "£", "Ticket #", "%", "_", "no such subject text"]:
        expected = [r["Id"] for r in everything if text.lower() in r["Subject"].lower()]
        rc, got, err = ids("--subject", text)
        check(f"--subject {text!r} gives the subjects containing it ({len(expected)})", rc == 0 and got == expected,
              f"{len(got)} vs {len(expected)} {err}")
    name = domains[len(domains) // 2]
    expected = [r["Id"] for r in everything if domain(r["To"]) == name and "flat" in r["Subject"].lower() and r["Status"] == "Delivered"]
    rc, got, err = ids("--to", f"*@{name}", "--subject", "Flat", "--status", "delivered")
    check("--subject with --to '*@domain' and --status combine", rc == 0 and got == expected, err)
    out = os.path.join(work, "subject.csv")
    result = run(binary, "export", "--db", db, "-o", out, "--format", "csv", "--range", "all", "--subject", "Kingfisher")
    exported = list(csv.DictReader(open(out, encoding="utf-8-sig"))) if result.returncode == 0 else []
    check("export --subject writes the same rows as query", [r["Id"] for r in exported] == ids("--subject", "Kingfisher")[1],
          result.stderr)
    for args, words in [(["--to", "*hughes"], "--to"), (["--to", "*@"], "--to"), (["--to", "*"], "--to"),
                        (["--subject", "  "], "--subject"), (["--subject", "a\x1bb"], "--subject")]:
        result = run(binary, "query", "--db", db, *args)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        check(f"query {' '.join(map(repr, args))}: one-line error", result.returncode != 0 and len(lines) == 1 and words in lines[0],
              result.stderr)


def support_desk_checks(binary, db, work):
    """Issue 10's command-line items."""
    every = list(csv.DictReader(io.StringIO(run(binary, "query", "--db", db, "--range", "all", "--format", "csv",
                                                "--limit", "0").stdout)))
    long_to = max((r["To"] for r in every), key=len)
    newest_long = next(r for r in every if r["To"] == long_to)

    # Table width: the terminal's, --width N, and whole cells when not a terminal.
    rc, screen = run_on_sized_terminal(binary, "query", "--db", db, "--range", "all", "--to", long_to, "--limit", "1")
    check("query on a 200-column terminal shows the whole To", rc == 0 and long_to in screen, screen[:500])
    narrow = run(binary, "query", "--db", db, "--range", "all", "--to", long_to, "--limit", "1", "--width", "80")
    check("--width 80 cuts long cells with …", narrow.returncode == 0 and long_to not in narrow.stdout and "…" in narrow.stdout,
          narrow.stdout)
    piped = run(binary, "query", "--db", db, "--range", "all", "--limit", "0")
    check("query into a pipe cuts no cell", piped.returncode == 0 and "…" not in piped.stdout and long_to in piped.stdout)
    bad_width = run(binary, "query", "--db", db, "--width", "5")
    check("--width 5: one-line error", bad_width.returncode != 0 and len(bad_width.stderr.strip().splitlines()) == 1
          and "--width" in bad_width.stderr, bad_width.stderr)

    # CSV and JSON carry the Id, the status detail and the recommended action.
    fieldnames = list(every[0].keys())
    check("csv has Id, Status code, Status message, Recommended action",
          all(name in fieldnames for name in ["Id", "Status code", "Status message", "Recommended action"]), fieldnames)
    failed_rows = [r for r in every if r["Status"] == "Failed"]
    check("csv: failed emails have a code, a message and advice",
          failed_rows and all(r["Status code"] and r["Status message"] and r["Recommended action"] for r in failed_rows),
          failed_rows[:2])
    shown = run(binary, "show", "--db", db, failed_rows[0]["Id"]).stdout
    check("csv advice is show's advice", failed_rows[0]["Recommended action"] in shown)
    items = json.loads(run(binary, "query", "--db", db, "--range", "all", "--status", "failed", "--format", "json",
                           "--limit", "5").stdout)
    check("json has id, statusCode, statusMessage, recommendedAction",
          items and all(i["id"] and i["statusCode"] and i["statusMessage"] and i["recommendedAction"] for i in items), items[:1])

    # --to without * that matches nothing hints at the prefix; --limit -1 says what is wrong.
    stem = long_to.split("@")[0]
    hinted = run(binary, "query", "--db", db, "--range", "all", "--to", stem)
    check("--to without a match hints 'did you mean X*?'", hinted.returncode == 0 and f"did you mean {stem}*?" in hinted.stderr,
          hinted.stderr)
    negative = run(binary, "query", "--db", db, "--limit", "-1")
    lines = [line for line in negative.stderr.splitlines() if line.strip()]
    check("--limit -1: one line that names the value", negative.returncode != 0 and len(lines) == 1
          and "--limit -1" in lines[0] and "0 for all" in lines[0], negative.stderr)

    # show --format json; show --message-id.
    as_json = run(binary, "show", "--db", db, failed_rows[0]["Id"], "--format", "json")
    try:
        shown_json = json.loads(as_json.stdout)
    except ValueError:
        shown_json = {}
    check("show ID --format json", shown_json.get("id") == int(failed_rows[0]["Id"]) and shown_json.get("status") == "Failed"
          and shown_json.get("recommendedAction") and shown_json.get("statusDetails", {}).get("code")
          and shown_json.get("events"), as_json.stdout[:300] + as_json.stderr)
    message_id = shown_json.get("messageId", "")
    by_message = run(binary, "show", "--db", db, "--message-id", f"<{message_id}>")
    check("show --message-id finds the email", by_message.returncode == 0 and f"Email {failed_rows[0]['Id']}\n" in by_message.stdout,
          by_message.stdout[:200] + by_message.stderr)
    by_message_json = run(binary, "show", "--db", db, "--message-id", message_id, "--format", "json")
    check("show --message-id --format json is an array",
          by_message_json.returncode == 0 and [o["id"] for o in json.loads(by_message_json.stdout)] == [int(failed_rows[0]["Id"])])
    for args, words in [(["show"], "give an email id"), (["show", "--message-id", "nope@example.com"], "no email with Message ID"),
                        (["show", failed_rows[0]["Id"], "--format", "yaml"], "unknown format")]:
        result = run(binary, args[0], "--db", db, *args[1:])
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        check(f"{' '.join(args)}: one-line error", result.returncode != 0 and len(lines) == 1 and words in lines[0], result.stderr)

    # seed shows a progress bar on a terminal (not in a pipe); simulate says it raises no emails.
    bar_db = os.path.join(work, "bar.sqlite")
    rc, screen = run_on_sized_terminal(binary, "seed", "--db", bar_db, "--emails", "300", "--days", "2", "--seed", "5",
                                 "--now", "20/11/2026 14:30")
    check("seed on a terminal draws a bar with emails and the rate",
          rc == 0 and "\r[" in screen and "of 300 emails" in screen and "emails/s" in screen, screen[-400:])
    piped_db = os.path.join(work, "piped.sqlite")
    piped_seed = run(binary, "seed", "--db", piped_db, "--emails", "300", "--days", "2", "--seed", "5", "--now", "20/11/2026 14:30")
    check("seed into a pipe draws no bar", piped_seed.returncode == 0 and "emails/s" not in piped_seed.stdout + piped_seed.stderr)
    helped = run(binary, "simulate", "--help")
    check("simulate --help says it raises no new emails (unlike demo)", "raises no new emails" in helped.stdout and "demo" in helped.stdout)
    simulated = run(binary, "simulate", "--db", piped_db, "--minutes", "5")
    check("simulate says no new emails were raised", simulated.returncode == 0 and "No new emails were raised" in simulated.stdout,
          simulated.stdout + simulated.stderr)


if __name__ == "__main__":
    sys.exit(main())
