#!/usr/bin/env python3
"""Command-line behaviour of the real email-audit binary: bad input gets a one-line error,
a non-zero exit, and nothing is written; ingest is idempotent; exports are well-formed.

Usage: scripts/cli_tests.py --binary PATH
"""
import argparse
import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

PASSED, FAILED = [], []


def check(name, condition, detail=""):
    (PASSED if condition else FAILED).append(name)
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f"  -- {detail}"))


def run(binary, *args, stdin=None, env=None):
    full_env = dict(os.environ, TZ="Europe/London", LANG="C.UTF-8", EMAIL_AUDIT_TZ="Europe/London")
    full_env.pop("EMAIL_AUDIT_DB", None)
    if env:
        full_env.update(env)
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, env=full_env, timeout=300)


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
        (["query", "--status", "bounced"], "unknown status"),
        (["query", "--from", "31/02/2026"], "not a date"),
        (["query", "--until", "01/01/2026", "--from", "02/01/2026"], "before"),
        (["query", "--range", "fortnight"], "unknown range"),
        (["query", "--to", "a*b*"], "--to"),
        (["query", "--format", "xlsx"], "unknown format"),
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

    support_desk_checks(binary, db, work)

    print(f"{len(PASSED)} passed, {len(FAILED)} failed")
    return 1 if FAILED else 0


def run_on_terminal(binary, *args, columns=200, rows=50):
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


def support_desk_checks(binary, db, work):
    """Issue 10's command-line items."""
    every = list(csv.DictReader(io.StringIO(run(binary, "query", "--db", db, "--range", "all", "--format", "csv",
                                                "--limit", "0").stdout)))
    long_to = max((r["To"] for r in every), key=len)
    newest_long = next(r for r in every if r["To"] == long_to)

    # Table width: the terminal's, --width N, and whole cells when not a terminal.
    rc, screen = run_on_terminal(binary, "query", "--db", db, "--range", "all", "--to", long_to, "--limit", "1")
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
    rc, screen = run_on_terminal(binary, "seed", "--db", bar_db, "--emails", "300", "--days", "2", "--seed", "5",
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
