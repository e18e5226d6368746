#!/usr/bin/env python3
"""End to end on loopback: `serve` with the real Mailgun HTTP client against `simulate-provider`.

Emails are recorded through POST /v1/emails (and one through `email-audit record`), handed over
by the sending client to the HTTP simulator, whose signed webhooks come back to `serve`; the
statuses must come out right. Also: an intake retry returns the same id, refused webhooks store
nothing, /metrics counts webhooks (by refusal reason), intake requests, hand-over runs and the
Pending queue, a provider outage keeps the email Pending (and /readyz 503, the failure recorded in
the store for the screen's warning) until hand-over resumes by itself, every email is sent once, `sync` after the webhooks stores every
event the provider reported exactly once, no secret reaches the logs, and SIGTERM stops both processes
cleanly. Only 127.0.0.1; bounded in time.

Usage: python3 scripts/server_e2e.py --binary PATH/email-audit
"""
import argparse
import base64
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

DEADLINE_SECONDS = 90
TOKEN = "e2e-intake-token-0123456789abcdef"
SIGNING_KEY = "whsec-e2e-0123456789abcdef"
API_KEY = "key-e2e-0123456789"
DOMAIN = "mg.harbourlets.co.uk"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, headers=None):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(url, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            status, _ = request("GET", url)
            if status in (200, 503):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"FAIL: nothing answered at {url}")


def metric_values(text):
    """Prometheus text format: {'name{labels}': value} for every sample line."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            try:
                values[name] = float(value)
            except ValueError:
                pass
    return values


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    started = time.time()
    failures = []

    def check(condition, message):
        print(("ok   " if condition else "FAIL ") + message)
        if not condition:
            failures.append(message)

    with tempfile.TemporaryDirectory(prefix="email-audit-server-e2e-") as folder:
        env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(folder, "config"), XDG_DATA_HOME=os.path.join(folder, "data"),
                   EMAIL_AUDIT_TZ="Europe/London", LOG_LEVEL="notice")
        env.pop("EMAIL_AUDIT_DB", None)
        db = os.path.join(folder, "audit.sqlite")
        files = {}
        for name, content in (("signing-key", SIGNING_KEY), ("api-key", API_KEY), ("tokens", f"1 {TOKEN}\n")):
            files[name] = os.path.join(folder, name)
            with open(files[name], "w") as handle:
                handle.write(content)
        subprocess.run([binary, "seed", "--emails", "0", "--db", db], env=env, check=True, capture_output=True)
        # Emails recorded one process (one transaction) each leave the Subject search index in
        # several segments; serve merges them at start (its daily search index upkeep).
        upkeep_addresses = [f"ok.upkeep{number}@example.net" for number in range(6)]
        for number, address in enumerate(upkeep_addresses):
            line = json.dumps({"host_id": f"UPKEEP-{number}", "account": 1, "raised_by": "Zoë Clarke", "activity": "statement",
                               "to": address, "from": f"accounts@{DOMAIN}", "subject": f"Statement {number}", "body": "Attached."})
            subprocess.run([binary, "record", "--db", db], input=line + "\n", env=env, capture_output=True, text=True,
                           timeout=30, check=True)

        sim_port, serve_port = free_port(), free_port()
        base = f"http://127.0.0.1:{serve_port}"
        logs = {name: open(os.path.join(folder, f"{name}.log"), "w+") for name in ("simulator", "serve")}
        simulator = subprocess.Popen([
            binary, "simulate-provider", "--listen", f"127.0.0.1:{sim_port}", "--domain", DOMAIN,
            "--api-key-file", files["api-key"], "--signing-key-file", files["signing-key"],
            "--webhook-url", f"{base}/webhooks/mailgun", "--speed", "5000", "--retry-scale", "0.01"],
            env=env, stdout=logs["simulator"], stderr=subprocess.STDOUT)
        serve = subprocess.Popen([
            binary, "serve", "--db", db, "--listen", f"127.0.0.1:{serve_port}",
            "--signing-key-file", files["signing-key"], "--intake-tokens-file", files["tokens"],
            "--provider", "mailgun", "--api-base-url", f"http://127.0.0.1:{sim_port}", "--api-key-file", files["api-key"],
            "--domain", DOMAIN, "--hand-over-interval", "1"],
            env=env, stdout=logs["serve"], stderr=subprocess.STDOUT)
        try:
            wait_for(f"http://127.0.0.1:{sim_port}/simulator/stats")
            wait_for(f"{base}/healthz")
            check(request("GET", f"{base}/healthz")[0] == 200, "/healthz answers 200")
            merged_log = ""
            while "search index merged into one segment" not in merged_log and time.time() - started < 40:
                logs["serve"].seek(0)
                merged_log = logs["serve"].read()
                time.sleep(0.2)
            check("search index merged into one segment" in merged_log and "index=Subject" in merged_log,
                  "serve merges the Subject search index at start (its segments from one-email transactions)")

            expected = {"ok.alice@example.net": "Delivered", "bounce.bob@example.org": "Failed",
                        "open.carol@example.com": "Opened", "complain.dan@example.net": "Complained"}
            expected_upkeep = {address: "Delivered" for address in upkeep_addresses}
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
            ids = {}
            for number, address in enumerate(expected):
                body = json.dumps({"host_id": f"PMS-{number}", "raised_by": "Zoë Clarke", "activity": "receipt", "to": address,
                                   "from": f"Harbour Lets <accounts@{DOMAIN}>", "subject": f"Receipt {number}", "body": "Thank you.",
                                   "attachment_names": [], "linked_units": []})
                status, text = request("POST", f"{base}/v1/emails", body, headers)
                check(status == 201, f"intake records {address} (HTTP {status})")
                ids[address] = json.loads(text)["email_id"]
                if number == 0:
                    status, text = request("POST", f"{base}/v1/emails", body, headers)
                    check(status == 200 and json.loads(text)["email_id"] == ids[address], "an intake retry returns the same email id")
            status, text = request("POST", f"{base}/v1/emails", json.dumps({"host_id": "x", "to": "nobody"}), headers)
            check(status == 400 and json.loads(text)["error"]["field"] == "raised_by", f"a bad intake body is refused naming the field ({status} {text.strip()})")

            line = json.dumps({"host_id": "CLI-1", "account": 1, "raised_by": "Zoë Clarke", "activity": "statement",
                               "to": "ok.erin@example.net", "from": f"accounts@{DOMAIN}", "subject": "Statement", "body": "Attached."})
            recorded = subprocess.run([binary, "record", "--db", db], input=line + "\n", env=env, capture_output=True, text=True, timeout=30)
            check(recorded.returncode == 0 and '"created": true' in recorded.stdout, f"record takes a JSON line on stdin ({recorded.stdout.strip()} {recorded.stderr.strip()})")
            if recorded.returncode == 0:
                ids["ok.erin@example.net"] = json.loads(recorded.stdout.splitlines()[0])["email_id"]
                expected["ok.erin@example.net"] = "Delivered"

            forged = json.dumps({"signature": {"timestamp": str(int(time.time())), "token": "f" * 50, "signature": "0" * 64},
                                 "event-data": {"event": "accepted", "id": "forged-1", "timestamp": time.time(),
                                                "recipient": "x@example.net", "message": {"headers": {"message-id": "forged@x"}}}})
            check(request("POST", f"{base}/webhooks/mailgun", forged, {"Content-Type": "application/json"})[0] == 406, "a forged webhook gets 406")
            check(request("POST", f"{base}/webhooks/mailgun", forged, {"Content-Type": "text/plain"})[0] == 415, "a text/plain webhook gets 415")

            expected.update(expected_upkeep)
            statuses = {}
            while time.time() - started < DEADLINE_SECONDS - 15:
                out = subprocess.run([binary, "query", "--db", db, "--range", "all", "--limit", "0", "--format", "json"],
                                     env=env, capture_output=True, text=True, timeout=30)
                if out.returncode == 0:
                    rows = json.loads(out.stdout)
                    statuses = {row["to"]: row["status"] for row in rows}
                    if all(statuses.get(address) == status for address, status in expected.items()):
                        break
                time.sleep(1)
            for address, status in expected.items():
                check(statuses.get(address) == status, f"{address} ends {status} (is {statuses.get(address)})")
            check("x@example.net" not in statuses, "the forged webhook stored nothing")
            check(request("GET", f"{base}/readyz")[0] == 200, "/readyz answers 200 while the provider is up")
            status, metrics = request("GET", f"{base}/metrics")
            values = metric_values(metrics) if status == 200 else {}
            check(values.get("email_audit_webhook_events_received_total", 0) >= 8,
                  f"/metrics counts the stored webhooks ({values.get('email_audit_webhook_events_received_total')})")
            check(values.get('email_audit_webhook_events_refused_total{reason="bad-signature"}') == 1
                  and values.get('email_audit_webhook_events_refused_total{reason="content-type"}') == 1,
                  "/metrics counts the refused webhooks by reason")
            check(values.get('email_audit_intake_emails_total{outcome="created"}') == 4
                  and values.get('email_audit_intake_emails_total{outcome="retry"}') == 1,
                  "/metrics counts intake requests by outcome")
            check(values.get("email_audit_handover_latency_seconds_count", 0) >= 1 and "email_audit_pending_emails" in values,
                  "/metrics has the hand-over latency and the Pending queue")

            # A provider outage: the email stays Pending (nothing lost, nothing sent twice), /readyz says
            # the provider is not reachable, and hand-over resumes by itself when the provider recovers.
            sim = f"http://127.0.0.1:{sim_port}"
            request("POST", f"{sim}/simulator/outage")
            body = json.dumps({"host_id": "PMS-outage", "raised_by": "Zoë Clarke", "activity": "notification",
                               "to": "ok.frank@example.net", "from": f"accounts@{DOMAIN}", "subject": "Notice", "body": "Hello."})
            status, text = request("POST", f"{base}/v1/emails", body, headers)
            outage_id = json.loads(text)["email_id"] if status == 201 else None
            time.sleep(3)
            out = subprocess.run([binary, "query", "--db", db, "--range", "all", "--limit", "0", "--format", "json", "--status", "pending"],
                                 env=env, capture_output=True, text=True, timeout=30)
            pending = [row["id"] for row in json.loads(out.stdout)] if out.returncode == 0 else []
            check(outage_id in pending, "during an outage the new email stays Pending")
            ready = request("GET", f"{base}/readyz")
            check(ready[0] == 503 and json.loads(ready[1]).get("provider_reachable") is False, f"/readyz says the provider is unreachable ({ready[0]})")
            values = metric_values(request("GET", f"{base}/metrics")[1])
            check(values.get("email_audit_pending_emails") == 1 and values.get('email_audit_handover_runs_total{outcome="deferred"}', 0) >= 1,
                  f"/metrics shows the Pending email and the deferred runs ({values.get('email_audit_pending_emails')})")
            connection = sqlite3.connect(db)
            meta = dict(connection.execute("SELECT key, value FROM meta WHERE key LIKE 'handover_last_%'"))
            connection.close()
            check(meta.get("handover_last_failure", 0) > meta.get("handover_last_success", 0),
                  "the store records the failed hand-over (the screen's warning reads it)")
            request("POST", f"{sim}/simulator/recover")
            final = None
            while time.time() - started < DEADLINE_SECONDS - 10:
                out = subprocess.run([binary, "query", "--db", db, "--range", "all", "--limit", "0", "--format", "json"],
                                     env=env, capture_output=True, text=True, timeout=30)
                rows = {row["id"]: row["status"] for row in json.loads(out.stdout)} if out.returncode == 0 else {}
                final = rows.get(outage_id)
                if final == "Delivered":
                    break
                time.sleep(1)
            check(final == "Delivered", f"after the outage the email is handed over by itself and delivered (is {final})")
            auth = {"Authorization": "Basic " + base64.b64encode(f"api:{API_KEY}".encode()).decode()}
            status, text = request("GET", f"{sim}/v3/{DOMAIN}/events?limit=300", headers=auth)
            accepted = [item for item in json.loads(text)["items"] if item["event"] == "accepted"] if status == 200 else []
            recipients = [item["recipient"] for item in accepted]
            check(len(recipients) == len(set(recipients)) and "ok.frank@example.net" in recipients,
                  f"every email was sent once ({len(recipients)} accepted, {len(set(recipients))} recipients)")

            # Webhooks and the Events API together: `sync` reads every event the simulator reported;
            # with the webhooks already in, every event is in the store exactly once.
            ids_before = set()
            url = f"{sim}/v3/{DOMAIN}/events?limit=300&begin=0"
            while url:
                status, text = request("GET", url, headers=auth)
                page = json.loads(text) if status == 200 else {"items": []}
                if not page["items"]:
                    break
                ids_before.update(item["id"] for item in page["items"])
                url = sim + page["paging"]["next"]
            synced = subprocess.run([binary, "sync", "--db", db, "--api-base-url", sim, "--api-key-file", files["api-key"],
                                     "--domain", DOMAIN], env=env, capture_output=True, text=True, timeout=60)
            check(synced.returncode == 0, f"sync reads the Events API ({synced.stdout.strip()} {synced.stderr.strip()})")
            connection = sqlite3.connect(db)
            stored = [row[0] for row in connection.execute("SELECT provider_event_id FROM events")]
            connection.close()
            check(ids_before <= set(stored), f"after sync every event the provider reported is stored ({len(ids_before)} reported)")
            check(len(stored) == len(set(stored)), f"webhooks and sync together store every event once ({len(stored)} rows)")
        finally:
            for process in (serve, simulator):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for name, process in (("serve", serve), ("simulate-provider", simulator)):
                try:
                    code = process.wait(timeout=15)
                    check(code == 0, f"{name} stops cleanly on SIGTERM (exit {code})")
                except subprocess.TimeoutExpired:
                    process.kill()
                    check(False, f"{name} stops on SIGTERM within 15 s")
            if failures:
                for name, handle in logs.items():
                    handle.seek(0)
                    print(f"--- {name} log (last lines) ---")
                    print("".join(handle.readlines()[-30:]))
            for handle in logs.values():
                handle.close()
            log_text = ""
            for name in ("serve", "simulator"):
                with open(os.path.join(folder, f"{name}.log")) as handle:
                    log_text += handle.read()
            check(SIGNING_KEY not in log_text and API_KEY not in log_text and TOKEN not in log_text, "no secret appears in the logs")
    print(f"{'FAILED' if failures else 'passed'} in {time.time() - started:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
