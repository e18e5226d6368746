#!/usr/bin/env python3
"""A burst of signed Mailgun webhooks into `serve`, with `kill -9` in the middle.

Sends N distinct signed webhooks (each a new event for a new recipient) from several threads
over keep-alive connections on 127.0.0.1 while a reader pages the store with `query`. After
about a third have been answered, `serve` is killed with SIGKILL; it is restarted and the
sender retries every webhook that got no 200 (as Mailgun would), plus a sample of those that
did (duplicates). Then: every event that got a 200 is in the store, every event is stored
exactly once, and the throughput of the first run is printed.

Usage: python3 scripts/webhook_burst.py --binary PATH/email-audit [--events 10000]
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

KEY = "whsec-burst-0123456789abcdef"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def body(number):
    now = str(int(time.time()))
    token = hashlib.sha256(f"token-{number}".encode()).hexdigest()[:50]
    signature = hmac.new(KEY.encode(), (now + token).encode(), hashlib.sha256).hexdigest()
    event = {"event": "delivered", "id": f"burst-{number}", "timestamp": time.time(), "log-level": "info",
             "recipient": f"r{number}@example.net", "recipient-domain": "example.net",
             "message": {"headers": {"to": f"r{number}@example.net", "from": "a@mg.example.com", "subject": "Burst",
                                     "message-id": f"burst{number}@mg.example.com"}},
             "delivery-status": {"code": 250, "message": "OK", "attempt-no": 1}, "user-variables": {}}
    return json.dumps({"signature": {"timestamp": now, "token": token, "signature": signature}, "event-data": event})


def start(binary, db, port, env, log):
    process = subprocess.Popen([binary, "serve", "--db", db, "--listen", f"127.0.0.1:{port}", "--signing-key-file",
                                os.path.join(os.path.dirname(db), "key"), "--log-level", "warning"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    end = time.time() + 60
    while time.time() < end:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    log.flush()
    with open(log.name) as handle:
        print("".join(handle.readlines()[-20:]))
    raise SystemExit("FAIL: serve did not start")


def send_all(port, numbers, answered, stop_after=None, threads=16):
    """Sends the webhooks; records in `answered` the numbers that got 200. Returns (sent, seconds)."""
    queue = list(numbers)
    lock = threading.Lock()
    count = [0]

    def worker():
        connection = None
        while True:
            with lock:
                if not queue or (stop_after is not None and count[0] >= stop_after):
                    return
                number = queue.pop()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("POST", "/webhooks/mailgun", body(number), {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    with lock:
                        answered.add(number)
                        count[0] += 1
            except (OSError, http.client.HTTPException):
                connection = None
                time.sleep(0.05)

    started = time.time()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return count[0], time.time() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    failures = []

    def check(condition, message):
        print(("ok   " if condition else "FAIL ") + message)
        if not condition:
            failures.append(message)

    with tempfile.TemporaryDirectory(prefix="email-audit-burst-") as folder:
        env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(folder, "config"))
        db = os.path.join(folder, "audit.sqlite")
        with open(os.path.join(folder, "key"), "w") as handle:
            handle.write(KEY)
        subprocess.run([binary, "seed", "--emails", "0", "--db", db], env=env, check=True, capture_output=True)
        # The seeded agencies may bring a few emails with their events; the burst adds to those.
        connection = sqlite3.connect(db)
        seeded = {row[0] for row in connection.execute("SELECT provider_event_id FROM events")}
        connection.close()
        port = free_port()
        log = open(os.path.join(folder, "serve.log"), "w")
        numbers = list(range(args.events))
        answered = set()

        reading = [True]
        pages = [0]

        def reader():
            while reading[0]:
                out = subprocess.run([binary, "query", "--db", db, "--range", "all", "--limit", "200", "--format", "csv"],
                                     env=env, capture_output=True)
                if out.returncode == 0:
                    pages[0] += 1
                time.sleep(0.2)

        serve = start(binary, db, port, env, log)
        reader_thread = threading.Thread(target=reader)
        reader_thread.start()
        # First run: stop sending after a third are acknowledged, then kill -9 while requests are in flight.
        first_sent, first_seconds = send_all(port, numbers, answered, stop_after=args.events // 3)
        serve.kill()
        serve.wait()
        print(f"first run: {first_sent} webhooks answered 200 in {first_seconds:.2f} s "
              f"({first_sent / max(first_seconds, 1e-9):.0f}/s), then kill -9")

        serve = start(binary, db, port, env, log)
        retry = [n for n in numbers if n not in answered] + random.Random(1).sample(sorted(answered), min(500, len(answered)))
        second_sent, second_seconds = send_all(port, retry, answered)
        print(f"second run: {second_sent} answered 200 in {second_seconds:.2f} s ({second_sent / max(second_seconds, 1e-9):.0f}/s)")
        reading[0] = False
        reader_thread.join()
        serve.terminate()
        check(serve.wait(timeout=15) == 0, "serve stops cleanly on SIGTERM")
        log.close()

        connection = sqlite3.connect(db)
        stored = [row[0] for row in connection.execute("SELECT provider_event_id FROM events") if row[0] not in seeded]
        connection.close()
        stored_set = set(stored)
        check(len(answered) == args.events, f"every webhook eventually got 200 ({len(answered)} of {args.events})")
        check(all(f"burst-{n}" in stored_set for n in answered), "every event that got a 200 is in the store")
        check(len(stored) == len(stored_set) == args.events, f"every event stored exactly once ({len(stored)} rows, {len(stored_set)} distinct)")
        check(pages[0] > 0, f"readers paged the store during the burst ({pages[0]} pages)")
    print("FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
