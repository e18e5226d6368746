#!/usr/bin/env python3
"""Two `serve` processes on one PostgreSQL store, with `kill -9` of one of them mid-run (issue 13).

One HTTP provider simulator (`simulate-provider`) sits behind both: both serves hand their
Pending emails over to it, and it posts its signed webhooks to both in turn (as a load balancer
in front of them would), each retry to the other one. 20,000 emails are recorded while both
run: most with `email-audit record --db postgresql://...` in chunks, some through
`POST /v1/emails` on each serve (with retries, which must answer the same id). Partway through,
serve A is killed with SIGKILL and started again on the same port; its claims come back after the
lease (`--hand-over-lease`), its lost webhooks come back by the simulator's retries.

Exactly once, checked by querying the database:
- every email handed over once: each has a provider message id, the message ids are distinct,
  each email has exactly one `accepted` event, the simulator accepted exactly as many messages as
  there are emails, and no External email was made (no event without its email);
- every webhook stored once: one stored event per event the simulator posted (all delivered:
  none waiting), event ids distinct, one bound webhook token per webhook;
- every email ends in the status its address asks for (ok.* Delivered, bounce.* Failed).

Needs EMAIL_AUDIT_TEST_POSTGRES_URL (run under `bash scripts/pg_throwaway.sh with ...`; `make
pg-serve-e2e` does); skipped without it, failed under CI=true. Loopback only; bounded in time.

Usage: python3 scripts/pg_serve_e2e.py --binary PATH/email-audit [--emails 20000]
"""
import argparse
import concurrent.futures
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from pg_test_support import psql_binary, with_database

TOKEN = "pg-e2e-intake-token-0123456789abcdef"
SIGNING_KEY = "whsec-pg-e2e-0123456789abcdef"
API_KEY = "key-pg-e2e-0123456789"
DOMAIN = "mg.harbourlets.co.uk"
# A dead serve's claims come back after the lease. It must outlast the time the accepted webhook of
# an email sent just before the kill takes to reach the other serve (a retry, then its queue), else
# that email is sent again (the documented at-least-once window, docs/postgres.md).
LEASE_SECONDS = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, headers=None, timeout=30):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(url, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            status, _ = request("GET", url, timeout=5)
            if status in (200, 503):
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False




def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--emails", type=int, default=20_000)
    parser.add_argument("--deadline", type=int, default=240, help="seconds for the whole run")
    parser.add_argument("--lease", type=int, default=LEASE_SECONDS,
                        help="the serves' --hand-over-lease: longer than the webhooks' lag on a loaded machine")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    server = os.environ.get("EMAIL_AUDIT_TEST_POSTGRES_URL", "")
    if not server:
        if os.environ.get("CI") == "true":
            print("FAIL two serves on PostgreSQL: CI=true needs EMAIL_AUDIT_TEST_POSTGRES_URL")
            return 1
        print("skip two serves on PostgreSQL: EMAIL_AUDIT_TEST_POSTGRES_URL is unset (bash scripts/pg_throwaway.sh with ...)")
        return 0
    psql = psql_binary()
    if psql is None:
        print("FAIL two serves on PostgreSQL: no psql")
        return 1
    started = time.time()
    failures = []

    def check(condition, message):
        print(("ok   " if condition else "FAIL ") + message, flush=True)
        if not condition:
            failures.append(message)

    name = "serve_e2e_%d_%d" % (os.getpid(), random.randrange(1_000_000))
    created = subprocess.run([psql, server, "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {name}"], capture_output=True, text=True)
    if created.returncode != 0:
        print("FAIL a database for the test: " + created.stderr.strip())
        return 1
    url = with_database(server, name)

    def sql(query):
        result = subprocess.run([psql, url, "-v", "ON_ERROR_STOP=1", "-qAt", "-F", "|", "-c", query],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"psql: {result.stderr.strip()}")
        return result.stdout.strip()

    processes = []
    try:
        with tempfile.TemporaryDirectory(prefix="email-audit-pg-serve-e2e-") as folder:
            env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(folder, "config"), XDG_DATA_HOME=os.path.join(folder, "data"),
                       EMAIL_AUDIT_TZ="Europe/London", LOG_LEVEL="notice")
            env.pop("EMAIL_AUDIT_DB", None)
            files = {}
            for key, content in (("signing-key", SIGNING_KEY), ("api-key", API_KEY), ("tokens", f"1 {TOKEN}\n")):
                files[key] = os.path.join(folder, key)
                with open(files[key], "w") as handle:
                    handle.write(content)

            # The demo agency (account 1, its staff, no emails), moved into the PostgreSQL store.
            sqlite_store = os.path.join(folder, "agency.sqlite")
            subprocess.run([binary, "seed", "--emails", "0", "--db", sqlite_store], env=env, check=True, capture_output=True)
            moved = subprocess.run([binary, "migrate", "--from", sqlite_store, "--to", url], env=env, capture_output=True, text=True)
            check(moved.returncode == 0, "migrate: the agency moved into the PostgreSQL store")
            if moved.returncode != 0:
                print(moved.stdout + moved.stderr)
                return 1

            # What the store held before (the seeded agency's few emails, with their events).
            base_id = int(sql("SELECT coalesce(max(id), 0) FROM emails"))
            base_tokens = int(sql("SELECT count(*) FROM webhook_tokens"))

            sim_port = free_port()
            ports = {"A": free_port(), "B": free_port()}
            bases = {key: f"http://127.0.0.1:{port}" for key, port in ports.items()}
            logs = {key: open(os.path.join(folder, f"{key}.log"), "w+") for key in ("simulator", "A", "B")}
            simulator = subprocess.Popen([
                binary, "simulate-provider", "--listen", f"127.0.0.1:{sim_port}", "--domain", DOMAIN,
                "--api-key-file", files["api-key"], "--signing-key-file", files["signing-key"],
                "--webhook-url", f"{bases['A']}/webhooks/mailgun", "--webhook-url", f"{bases['B']}/webhooks/mailgun",
                "--speed", "5000", "--retry-scale", "0.01"],
                env=env, stdout=logs["simulator"], stderr=subprocess.STDOUT)
            processes.append(simulator)
            serves = {}

            def start_serve(key):
                process = subprocess.Popen([
                    binary, "serve", "--db", url, "--listen", f"127.0.0.1:{ports[key]}",
                    "--signing-key-file", files["signing-key"], "--intake-tokens-file", files["tokens"],
                    "--provider", "mailgun", "--api-base-url", f"http://127.0.0.1:{sim_port}", "--api-key-file", files["api-key"],
                    "--domain", DOMAIN, "--hand-over-interval", "1", "--hand-over-lease", str(args.lease)],
                    env=env, stdout=logs[key], stderr=subprocess.STDOUT)
                serves[key] = process
                processes.append(process)
                return process

            start_serve("A")
            start_serve("B")
            sim = f"http://127.0.0.1:{sim_port}"
            up = wait_for(f"{sim}/simulator/stats") and all(wait_for(f"{base}/healthz") for base in bases.values())
            check(up, "the simulator and both serves answer")
            if not up:
                return 1
            check(all(request("GET", f"{base}/readyz")[0] in (200, 503) for base in bases.values()), "/readyz answers on both")

            # The emails: 1 in 50 to a bouncing address; a few hundred through the intake of each serve.
            total = args.emails
            def address(number):
                return f"bounce.t{number}@example.org" if number % 50 == 7 else f"ok.t{number}@example.net"
            def line(number):
                return json.dumps({"host_id": f"PMS-{number}", "account": 1, "raised_by": "Zoë Clarke", "activity": "receipt",
                                   "to": address(number), "from": f"Harbour Lets <accounts@{DOMAIN}>",
                                   "subject": f"Receipt {number}", "body": "Thank you.", "linked_units": []})
            over_http = set(range(0, total, max(1, total // 400)))  # about 400, spread through the run
            by_cli = [number for number in range(total) if number not in over_http]
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}

            def post_intake(number, base):
                body = line(number)
                status, text = request("POST", f"{base}/v1/emails", body, headers)
                if status != 201:
                    return (number, status, None, None)
                first = json.loads(text)["email_id"]
                # A retry (the host's answer was lost) to the other serve answers the same email.
                other = bases["B"] if base == bases["A"] else bases["A"]
                again_status, again = request("POST", f"{other}/v1/emails", body, headers)
                return (number, status, first, json.loads(again)["email_id"] if again_status == 200 else f"HTTP {again_status}")

            http_numbers = sorted(over_http)
            chunks = 8
            cli_chunk = (len(by_cli) + chunks - 1) // chunks
            http_chunk = (len(http_numbers) + chunks - 1) // chunks
            intake_answers = []
            record_failures = []
            killed_at = None
            with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
                for chunk in range(chunks):
                    numbers = by_cli[chunk * cli_chunk:(chunk + 1) * cli_chunk]
                    recorded = subprocess.run([binary, "record", "--db", url], input="\n".join(line(n) for n in numbers) + "\n",
                                              env=env, capture_output=True, text=True, timeout=max(120, args.deadline // 2))
                    results = [json.loads(row) for row in recorded.stdout.splitlines() if row.strip()]
                    if recorded.returncode != 0 or len(results) != len(numbers) or not all(r["created"] for r in results):
                        record_failures.append(f"chunk {chunk}: rc={recorded.returncode} {len(results)} {recorded.stderr[-300:]}")
                    live = [key for key in bases if key != "A" or killed_at is None or serves["A"].poll() is None]
                    futures = [pool.submit(post_intake, number, bases[live[i % len(live)]])
                               for i, number in enumerate(http_numbers[chunk * http_chunk:(chunk + 1) * http_chunk])]
                    intake_answers += [future.result() for future in futures]
                    if chunk == 3:
                        # kill -9 serve A mid-run (hand-overs and webhook groups in flight), then start it again.
                        time.sleep(1.5)
                        at_kill = sql("SELECT count(*), count(*) FILTER (WHERE handed_over_at IS NOT NULL), "
                                      f"(SELECT count(*) FROM events WHERE email_id > {base_id}) FROM emails WHERE id > {base_id}").split("|")
                        serves["A"].send_signal(signal.SIGKILL)
                        serves["A"].wait()
                        killed_at = time.time()
                        time.sleep(1.0)
                        start_serve("A")
                        print(f"     kill -9 of serve A {killed_at - started:.0f} s in, after record chunk {chunk + 1} of {chunks}: "
                              f"{at_kill[0]} of {total} emails recorded, {at_kill[1]} handed over, {at_kill[2]} events stored", flush=True)
                        check(wait_for(f"{bases['A']}/healthz"), "serve A answers again after kill -9")
            check(not record_failures, f"record --db postgresql:// recorded {len(by_cli)} emails in {chunks} chunks {record_failures[:2]}")
            bad_intake = [answer for answer in intake_answers if answer[1] != 201 or answer[2] != answer[3]]
            check(len(intake_answers) == len(http_numbers) and not bad_intake,
                  f"POST /v1/emails recorded {len(intake_answers)} emails on both serves, each retry on the other serve "
                  f"answered the same id {bad_intake[:3]}")
            print(f"     recorded {total} emails in {time.time() - started:.0f} s", flush=True)

            # Wait until every email is handed over and every webhook delivered and stored.
            deadline = started + args.deadline - 20
            stats = {}
            while time.time() < deadline:
                status, text = request("GET", f"{sim}/simulator/stats")
                stats = json.loads(text) if status == 200 else {}
                pending = int(sql("SELECT count(*) FROM emails WHERE handed_over_at IS NULL"))
                stored = int(sql(f"SELECT count(*) FROM events WHERE email_id > {base_id}"))
                if pending == 0 and stats.get("webhooks_waiting") == 0 and stats.get("queued") == 0 and stored >= stats.get("events", -1):
                    time.sleep(1.5)  # a last pump: nothing new may arrive
                    status, text = request("GET", f"{sim}/simulator/stats")
                    again = json.loads(text) if status == 200 else {}
                    if again.get("events") == stats.get("events") and again.get("webhooks_waiting") == 0:
                        stats = again
                        break
                time.sleep(1)
            settled = time.time() - started
            print(f"     settled after {settled:.0f} s: simulator {stats}; "
                  f"{stats.get('events', 0) / max(1.0, settled):.0f} webhooks a second over the run", flush=True)

            emails = int(sql(f"SELECT count(*) FROM emails WHERE id > {base_id}"))
            check(emails == total, f"{total} emails in the store, no External email made for an event ({emails})")
            if emails != total:
                print("     emails beyond the recorded ones:\n" + sql(
                    "SELECT e.id, e.to_address, e.activity, e.status, e.provider_message_id, h.host_id, "
                    "(SELECT string_agg(v.kind || ':' || v.provider_event_id, ',') FROM events v WHERE v.account_id = e.account_id AND v.email_id = e.id) "
                    "FROM emails e LEFT JOIN email_host_ids h ON h.account_id = e.account_id AND h.email_id = e.id "
                    f"WHERE e.id > {base_id} AND (h.host_id IS NULL OR e.to_address IN (SELECT to_address FROM emails GROUP BY 1 HAVING count(*) > 1)) ORDER BY e.to_address, e.id LIMIT 20"))
            row = sql("SELECT count(*) FILTER (WHERE handed_over_at IS NULL), count(*) FILTER (WHERE provider_message_id IS NULL), "
                      f"count(DISTINCT provider_message_id) FROM emails WHERE id > {base_id}").split("|")
            check(row == ["0", "0", str(total)], f"every email handed over, each under its own message id (pending|no id|distinct: {row})")
            accepted = sql(f"SELECT count(*), count(DISTINCT email_id) FROM events WHERE kind = 'accepted' AND email_id > {base_id}").split("|")
            check(accepted == [str(total), str(total)], f"one accepted event per email: each handed over once ({accepted})")
            simulated = stats.get("events", -1)
            check(stats.get("accepted") == total, f"the provider was sent {total} messages, no email twice ({stats.get('accepted')})")
            events = sql(f"SELECT count(*), count(DISTINCT (provider_event_id, kind)) FROM events WHERE email_id > {base_id}").split("|")
            check(events[0] == events[1] == str(simulated),
                  f"every webhook stored once: {simulated} events posted, stored|distinct {events}")
            tokens = str(int(sql("SELECT count(*) FROM webhook_tokens")) - base_tokens)
            check(tokens == str(simulated), f"one bound token per webhook ({tokens} for {simulated})")
            statuses = dict(line.split("|") for line in sql(
                "SELECT CASE WHEN to_address LIKE 'bounce.%' THEN 'bounce' ELSE 'ok' END || ':' || status, count(*) "
                f"FROM emails WHERE id > {base_id} GROUP BY 1").splitlines())
            bounces = len([n for n in range(total) if n % 50 == 7])
            print(f"     statuses: {statuses}", flush=True)
            claims = sql("SELECT count(*) FROM hand_over_claims")
            check(claims == "0", f"no hand-over claim left ({claims})")
            outcomes = sql("SELECT count(*) FROM hand_over_outcomes WHERE outcome = 'success'")
            check(outcomes == "1", "the feeders recorded their hand-over outcome")
            # Statuses from the stored events: Delivered (code 2) and Failed, as the addresses ask.
            delivered = int(sql("SELECT count(*) FROM emails e WHERE to_address LIKE 'ok.%' AND EXISTS "
                                "(SELECT 1 FROM events v WHERE v.account_id = e.account_id AND v.email_id = e.id AND v.kind = 'delivered')"))
            failed = int(sql("SELECT count(*) FROM emails e WHERE to_address LIKE 'bounce.%' AND EXISTS "
                             "(SELECT 1 FROM events v WHERE v.account_id = e.account_id AND v.email_id = e.id AND v.kind = 'failed')"))
            check(delivered == total - bounces and failed == bounces,
                  f"every ok.* email has its delivered event ({delivered}/{total - bounces}), every bounce.* its failure ({failed}/{bounces})")
            # Both stop cleanly on SIGTERM.
            for key in ("A", "B"):
                serves[key].send_signal(signal.SIGTERM)
            for key in ("A", "B"):
                try:
                    code = serves[key].wait(timeout=20)
                except subprocess.TimeoutExpired:
                    code = None
                check(code == 0, f"serve {key} stops on SIGTERM (exit {code})")
            for key, log in logs.items():
                log.seek(0)
                text = log.read()
                if SIGNING_KEY in text or API_KEY in text or TOKEN in text:
                    check(False, f"no secret in the {key} log")
            if failures:
                for key, log in logs.items():
                    log.seek(0)
                    print(f"----- {key} log (last lines)")
                    print("\n".join(log.read().splitlines()[-30:]))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        subprocess.run([psql, server, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True, text=True)
    elapsed = time.time() - started
    print(f"{'FAIL' if failures else 'ok  '} two serves on PostgreSQL: {len(failures)} failure(s), {elapsed:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
