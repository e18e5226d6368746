#!/usr/bin/env python3
"""End-to-end tests of the real email-audit binary, driven through tmux.

Standard library only. Each scenario starts its own tmux server (private socket, no
user config), opens a detached session of a fixed size running the app through a small
wrapper shell, sends keys, and polls `capture-pane -p` until the screen shows what it
should (dumping the screen when it does not within the timeout).

The wrapper records `stty -g` before the app starts and after it ends, and its exit
status; together with tmux's own view of the pane (alternate screen, cursor, mouse and
keypad modes) that is how "the terminal was restored" is checked. A control scenario
SIGKILLs the app and expects that check to fail, so the check is known to bite.

Usage: python3 scripts/e2e_tmux.py --binary .build/debug/email-audit [-k NAME] [--keep] [--postgres]
Prints one line per scenario and a final "N passed, M failed"; exits 1 on any failure.

With --postgres every scenario's store is a PostgreSQL database on the server of
EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh with ...): the stores are seeded with the same
`email-audit seed` arguments into template databases, and each scenario gets a fresh database made
from one (CREATE DATABASE ... TEMPLATE), dropped afterwards.
"""

import argparse
import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pg_test_support import psql_binary, with_database  # noqa: E402

NOW = "15/03/2025 12:00"  # the pinned clock (Europe/London); seed and screen share it
NOW_EPOCH = 1742040000  # 15/03/2025 12:00 GMT (London is on GMT in March before the 30th)
TODAY = "15/03/2025"
TIME_ZONE = "Europe/London"
SEED_ARGS = ["--emails", "3000", "--days", "10", "--seed", "7"]
USER = "Amelia Hughes"  # a staff member of the seeded Harbour Lets (the store is a temporary demo store)
SUPPORT_USER = "Kate Ellison"  # on the support team
OTHER_ACCOUNT_USER = "Ruth Ashworth"  # a staff member of the seeded Northgate Block Management
TIMEOUT = float(os.environ.get("E2E_TIMEOUT", "15"))

CONTROL_ADDRESS = "ctrl.test@example.com"
# ESC[2J would clear the screen, ESC[31m turn text red, BEL ring the bell, OSC 0 set the
# window title; then BS, CR LF, DEL and the C1 CSI byte.
CONTROL_SUBJECT = "Rent \x1b[2J\x1b[31mRED\x07 bell\x1b]0;PWNED\x07 t\x08bs\r\nx\x7fdel \x9b1m end"
# Two columns per character (CJK, emoji): truncation must keep the columns aligned.
WIDE_ADDRESS = "wide.test@example.com"
WIDE_SUBJECT = "東京の部屋 🏠 修理のお知らせ — 長い件名がここに続きます 東京の部屋"


class Failure(Exception):
    """A scenario's expectation was not met."""


class Skipped(Exception):
    """A scenario that cannot run here (and need not: not under CI=true)."""


# ----------------------------------------------------------------------------- helpers


def display_width(text):
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pinned_env():
    """The environment every run of the binary gets: nothing inherited but PATH and HOME."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "TZ": TIME_ZONE,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "EMAIL_AUDIT_TZ": TIME_ZONE,
        "EMAIL_AUDIT_USER": USER,
        # A crash report prints and exits instead of waiting 30 s at Swift's interactive prompt.
        "SWIFT_BACKTRACE": "interactive=no",
    }


def run_cli(binary, *args, stdin=None, timeout=300):
    try:
        result = subprocess.run([binary, *args], env=pinned_env(), input=stdin, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"`email-audit {' '.join(args)}` took more than {timeout} s")
    if result.returncode != 0:
        raise Failure(f"`email-audit {' '.join(args)}` exited {result.returncode}:\n{result.stderr}{result.stdout}")
    return result.stdout


def terminal_type():
    """tmux-256color when its terminfo entry exists, else screen-256color."""
    for name in ("tmux-256color", "screen-256color"):
        if subprocess.run(["infocmp", name], capture_output=True).returncode == 0:
            return name
    return "screen"


WRAPPER = r"""#!/bin/sh
# Runs the app in the pane and records what the terminal looked like around it.
state=$1; shift
ulimit -c 0 2>/dev/null  # the crash scenario must not leave a core file
stty -g > "$state/stty.before" 2>/dev/null
sh -c 'echo $$ > "$0/app.pid"; exec "$@"' "$state" "$@"
rc=$?
stty -g > "$state/stty.after" 2>/dev/null
stty -a > "$state/stty-a.after" 2>/dev/null
echo "$rc" > "$state/rc.tmp" && mv "$state/rc.tmp" "$state/rc"
printf '[e2e] app exited rc=%s\n' "$rc"
# Stay alive so tmux keeps the pane exactly as the app left it (remain-on-exit would
# scroll the screen and hide the cursor for its "Pane is dead" line).
exec sleep 3600
"""

TMUX_CONF = """set -sg escape-time 0
set -g status off
set -g history-limit 0
set -g default-terminal "{term}"
set -g monitor-bell on
set -g bell-action any
set-hook -g alert-bell 'run-shell "touch {bell}"'
"""


class Session:
    """One tmux server with one window running the app."""

    def __init__(self, work, name, binary, db, width, height, extra_args=(), extra_env=None, command=(), user=USER):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.socket = f"ea-e2e-{os.getpid()}-{name}"
        self.width, self.height = width, height
        self.bell_file = os.path.join(self.dir, "bell")
        self.term = terminal_type()
        conf = os.path.join(self.dir, "tmux.conf")
        with open(conf, "w") as f:
            f.write(TMUX_CONF.format(term=self.term, bell=self.bell_file))
        wrapper = os.path.join(self.dir, "wrapper.sh")
        with open(wrapper, "w") as f:
            f.write(WRAPPER)
        env = {**pinned_env(), "TERM": self.term, **(extra_env or {})}  # extra_env may override TERM, LANG
        app = [binary, *command, "--db", db, "--now", NOW, "--time-zone", TIME_ZONE, "--user", user, *extra_args]
        command = ["env", "-i", *[f"{k}={v}" for k, v in sorted(env.items())], "/bin/sh", wrapper, self.dir, *app]
        self.command = " ".join(shlex.quote(part) for part in command)
        self.tmux("-f", conf, "new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height), self.command)

    # tmux plumbing

    def tmux(self, *args, check=True):
        env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
        env.setdefault("TERM", "xterm-256color")
        result = subprocess.run(["tmux", "-L", self.socket, *args], env=env, capture_output=True, text=True, timeout=30)
        if check and result.returncode != 0:
            raise Failure(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def kill(self):
        self.tmux("kill-server", check=False)

    def send(self, *keys):
        """Named keys (Enter, Escape, Down, C-c) or literal words, one tmux argument each."""
        for key in keys:
            self.tmux("send-keys", "-t", "e2e", key)
            time.sleep(0.05)

    def type(self, text):
        self.tmux("send-keys", "-t", "e2e", "-l", text)

    def lines(self):
        text = self.tmux("capture-pane", "-p", "-t", "e2e")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return lines

    def screen(self):
        return "\n".join(self.lines())

    def display(self, fmt):
        return self.tmux("display-message", "-p", "-t", "e2e", fmt).strip()

    def resize(self, width, height):
        self.tmux("resize-window", "-t", "e2e", "-x", str(width), "-y", str(height))
        self.width, self.height = width, height

    def dump(self, title="screen"):
        lines = self.lines()
        bar = "-" * min(max(self.width, 20), 160)
        body = "\n".join(f"|{line}" for line in lines)
        return f"--- {title} ({self.width}×{self.height}) ---\n{body}\n{bar}"

    def until(self, predicate, what, timeout=TIMEOUT):
        """Polls the screen until predicate(lines) is truthy; fails with a dump otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines()
            try:
                result = predicate(lines)
            except (IndexError, ValueError):
                result = None
            if result:
                return result
            if time.monotonic() > deadline:
                raise Failure(f"timed out after {timeout:.0f}s waiting for: {what}\n{self.dump()}")
            time.sleep(0.1)

    def until_text(self, pattern, what=None, timeout=TIMEOUT, flags=0):
        regex = re.compile(pattern, flags)
        return self.until(lambda lines: regex.search("\n".join(lines)), what or f"/{pattern}/", timeout)

    def stable(self, settle=0.4, timeout=TIMEOUT):
        """Waits until the screen stops changing (pages and counts have arrived)."""
        deadline = time.monotonic() + timeout
        previous = None
        while time.monotonic() < deadline:
            current = self.screen()
            if current == previous:
                return current.split("\n")
            previous = current
            time.sleep(settle)
        raise Failure("the screen never settled\n" + self.dump())

    # the app's process and the terminal around it

    def state_file(self, name):
        path = os.path.join(self.dir, name)
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return f.read().strip()

    def app_pid(self):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            pid = self.state_file("app.pid")
            if pid:
                return int(pid)
            time.sleep(0.05)
        raise Failure("the wrapper never started the app\n" + self.dump())

    def wait_exit(self, timeout=TIMEOUT):
        """The app's exit status as the wrapper saw it (128+N for signal N)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rc = self.state_file("rc")
            if rc is not None:
                return int(rc)
            time.sleep(0.05)
        raise Failure(f"the app did not exit within {timeout:.0f}s\n{self.dump()}")

    def check_restored(self):
        """Fails unless the terminal is back as it was before the app started."""
        problems = []
        pid = self.app_pid()
        if os.path.exists(f"/proc/{pid}") and not _is_zombie(pid):
            problems.append(f"the app (pid {pid}) is still running")
        before, after = self.state_file("stty.before"), self.state_file("stty.after")
        if not before or not after:
            problems.append("stty settings were not recorded")
        elif before != after:
            problems.append(
                "terminal modes differ from before the app started (raw/noecho left on?):\n"
                f"  before: {before}\n  after:  {after}\n  {self.state_file('stty-a.after')}"
            )
        flags = self.display(
            "#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{mouse_button_flag} "
            "#{mouse_standard_flag} #{mouse_sgr_flag} #{keypad_cursor_flag} #{insert_flag}"
        ).split()
        names = ["alternate screen", "cursor visible", "mouse any-event", "mouse button-event",
                 "mouse standard", "mouse SGR", "application cursor keys", "insert mode"]
        expected = ["0", "1", "0", "0", "0", "0", "0", "0"]
        for name, got, want in zip(names, flags, expected):
            if got != want:
                problems.append(f"{name} is {'on' if got == '1' else 'off'} after exit")
        try:
            self.until_text(r"\[e2e\] app exited rc=\d+", "the wrapper's exit line on the normal screen", timeout=5)
        except Failure:
            problems.append("the wrapper's exit line is not on the visible screen")
        if problems:
            raise Failure("terminal not restored:\n  - " + "\n  - ".join(problems) + "\n" + self.dump())


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


# ----------------------------------------------------------------------------- screen readers


STATUS_WORDS = ["Pending", "Accepted", "Delivered", "Opened", "Clicked", "Temporary Failure", "Failed",
                "Complained", "Unsubscribed", "Rejected"]
# The date column is "dd/mm/yyyy HH:mm" from 100 columns, else "dd/mm HH:mm" or, for one day, "HH:mm".
ROW = re.compile(r"^ (?:\d+ +)?(\d\d/\d\d/\d{4} \d\d:\d\d|\d\d/\d\d \d\d:\d\d|\d\d:\d\d) (\S+)")


def list_rows(lines):
    """The summary rows on the main screen (date-time first)."""
    return [line for line in lines if ROW.match(line)]


def status_line_count(lines):
    for line in lines:
        m = re.match(r"^ ([\d,]+) emails?\b", line)
        if m:
            return int(m.group(1).replace(",", ""))
    return None


def dropdown_offset(lines, title, first, target):
    """How many Down presses move from `first` to `target` in an open pick list."""
    top = next(i for i, line in enumerate(lines) if f"─ {title} ─" in line)
    labels = []
    for line in lines[top + 1:]:
        if "└" in line:
            break
        m = re.search(r"│\s*(?:\[[ x]\]\s*)?([^│]*?)\s*│", line)
        if m:
            labels.append(m.group(1))
    if first not in labels or target not in labels:
        raise Failure(f"{title} list has no {first!r} or {target!r}: {labels}")
    return labels.index(target) - labels.index(first)


def pick(session, key, title, first, target):
    """Opens a filter pick list with `key` and applies `target`."""
    session.send(key)
    session.until_text(re.escape(f"─ {title} ─"), f"the {title} pick list")
    offset = dropdown_offset(session.lines(), title, first, target)
    session.send(*(["Down"] * offset))
    session.send("Enter")


# ----------------------------------------------------------------------------- scenarios


def wait_for_list(session):
    session.until(lambda lines: list_rows(lines) and status_line_count(lines) is not None,
                  "the main list with rows and the status line")
    return session.stable()


def scenario_filter_view_units(ctx):
    """Status filter by keys, View on the first row, Unit Search, back, quit; terminal restored."""
    s = ctx.session("filter", ctx.store, 120, 36)
    wait_for_list(s)
    pick(s, "s", "Status", "All", "Failed")
    s.until_text(r"Email Audit │ Failed emails · Today", "header naming the Failed filter")
    s.until_text(r"Status: Failed ▾", "filter bar showing Status: Failed")
    lines = s.stable()
    rows = list_rows(lines)
    if not rows:
        raise Failure("no rows after filtering on Failed\n" + s.dump())
    others = [r for r in rows if not re.search(r"\bFailed\b", r) or any(
        re.search(rf"\b{w}\b", r) for w in STATUS_WORDS if w not in ("Failed", "Temporary Failure"))]
    if others:
        raise Failure("rows that are not Failed are listed:\n" + "\n".join(others) + "\n" + s.dump())
    expected = run_cli(ctx.binary, "query", "--db", ctx.store, "--status", "failed", "--from", TODAY,
                       "--until", TODAY, "--limit", "0", "--format", "csv").strip().split("\n")[1:]
    shown = status_line_count(lines)
    if shown != len(expected):
        raise Failure(f"status line says {shown} emails, the CLI query finds {len(expected)}\n" + s.dump())
    first_to = expected[0].split(",")[2]
    if first_to[:20] not in rows[0]:
        raise Failure(f"first row is not the newest Failed email ({first_to})\n" + s.dump())

    s.send("Enter")
    s.until_text(r"Status Tracking \(\d+ events?\)", "the View pop-up's Status Tracking")
    s.until_text(r"─ Status Details ─", "the Status Details box")
    s.until_text(r"│ Status\s+Failed\s", "Status Details saying Failed")
    s.until_text(r"To\s+" + re.escape(first_to), f"the pop-up showing To {first_to}")
    s.until_text(r"\d\d:\d\d:\d\d\s+Failed — attempt", "a Failed event line in Status Tracking")

    s.send("u")
    s.until_text(r"Unit Search │ Units using " + re.escape(first_to), "Unit Search for the address")
    s.until_text(r"unit contacts? uses? " + re.escape(first_to), "Unit Search's result count")

    s.send("Escape")
    s.until(lambda lines: "Unit Search │" not in "\n".join(lines) and "Status Tracking" in "\n".join(lines),
            "Esc back from Unit Search to the View pop-up")
    s.send("Escape")
    s.until(lambda lines: "View email" not in "\n".join(lines) and list_rows(lines)
            and "Failed emails" in lines[0], "Esc closing the pop-up, back to the filtered list")

    s.send("q")
    rc = s.wait_exit()
    if rc != 0:
        raise Failure(f"q: the app exited {rc}, not 0\n" + s.dump())
    s.check_restored()


def text_at_column(line, column):
    """The text of `line` from display column `column` on, and the character just before it."""
    width = 0
    for index, ch in enumerate(line):
        if width == column:
            return line[index:], line[index - 1] if index else ""
        if width > column:
            break
        width += display_width(ch)
    return None, None


def check_columns_aligned(session, lines):
    """Every row's Raised by and Status cells start in the header's columns (display widths)."""
    header = next(line for line in lines if re.match(r"^ (Id +)?(Date/time|Date|Time) ", line))
    for title in ("Raised by", "Status"):
        column = display_width(header[:header.index(title)])
        for row in list_rows(lines):
            rest, before = text_at_column(row, column)
            if rest is None or before != " " or rest[:1] in ("", " "):
                raise Failure(f"the {title!r} column (display column {column}) is misaligned in:\n{row}\n"
                              + session.dump())


def scenario_control_bytes(ctx):
    """Subject with ESC[2J, BEL, OSC, BS, CR LF, DEL, C1 shown neutralised, nothing reaches the terminal; CJK/emoji keep columns."""
    s = ctx.session("control", ctx.control_store, 120, 36)
    title_before = s.display("#{pane_title}")
    lines = wait_for_list(s)
    row = next((line for line in list_rows(lines) if CONTROL_ADDRESS in line), None)
    if row is None:
        raise Failure(f"the planted email to {CONTROL_ADDRESS} is not in today's list\n" + s.dump())
    if "Rent ␛[2J␛[31mRED␇" not in row:
        raise Failure("the list row does not show ESC and BEL as ␛ and ␇:\n" + row + "\n" + s.dump())
    wide = next((line for line in list_rows(lines) if WIDE_ADDRESS in line), None)
    if wide is None or "東京の部屋 🏠" not in wide or "…" not in wide:
        raise Failure("the wide-character subject is not shown truncated with …\n" + s.dump())
    check_columns_aligned(s, lines)

    # Open it through the To filter (typed), so the pop-up shows the whole subject.
    s.send("/")
    s.until_text(r"To: .*", "the To field editing")
    s.type(CONTROL_ADDRESS)
    s.send("Enter")
    s.until(lambda lines: len(list_rows(lines)) == 1 and CONTROL_ADDRESS in list_rows(lines)[0],
            "the list filtered to the planted address")
    s.send("Enter")
    s.until_text(r"Status Tracking \(1 event\)", "the View pop-up of the planted email")
    lines = s.stable()
    screen = "\n".join(lines)
    subject = next((line for line in lines if re.search(r"│ Subject\s", line)), "")
    # CR LF inside a one-line field becomes a space; C1 CSI (0x9B) becomes U+FFFD.
    for shown in ("␛[2J", "␛[31mRED", "␇ bell", "␛]0;PWNED␇", "t␈bs x␡del", "\ufffd1m"):
        if shown not in subject:
            raise Failure(f"the Subject line lacks {shown!r}: {subject!r}\n" + s.dump())
    if "\x1b" in screen or "\x07" in screen:
        raise Failure("raw control bytes on the captured screen\n" + s.dump())
    # ESC[2J would have wiped the screen: everything around the pop-up must still be there.
    checks = [
        (lines[0].startswith(" Email Audit │") and "signed in as " + USER[:6] in lines[0], "the header line"),
        ("Status Details" in screen, "Status Details"),
        ("Recommended action" in screen, "Recommended action"),
        (lines[-1].lstrip().startswith("↑↓ Move"), "the hint bar"),
        (sum(1 for line in lines if line.strip()) > 20, "a full screen of text"),
    ]
    for ok, what in checks:
        if not ok:
            raise Failure(f"{what} is gone: the screen was cleared or damaged\n" + s.dump())
    title_after = s.display("#{pane_title}")
    if "PWNED" in title_after or title_after != title_before:
        raise Failure(f"the OSC title sequence reached the terminal: title {title_before!r} → {title_after!r}")
    time.sleep(0.3)
    if os.path.exists(s.bell_file) or s.display("#{window_bell_flag}") == "1":
        raise Failure("the terminal bell rang: BEL reached the terminal")
    s.send("Escape", "q")
    s.wait_exit()
    s.check_restored()


def popup_top(lines):
    return next((line for line in lines if re.search(r"─ View email( · Id \d+)? ─", line)), None)


def scenario_resize(ctx):
    """Resize with the View pop-up open: re-laid out, state kept; too-small message, then back."""
    s = ctx.session("resize", ctx.store, 120, 36)
    wait_for_list(s)
    pick(s, "s", "Status", "All", "Delivered")
    s.until_text(r"Delivered emails · Today", "the Delivered filter applied")
    s.stable()
    s.send("Down", "Down")
    position = s.until(lambda lines: re.search(r"\b3 of \d+\s*$", lines[-2]), "the status line saying row 3 is selected")
    position = position.group(0).strip()
    s.send("Enter")
    s.until_text(r"Status Tracking \(\d+ events?\)", "the View pop-up")
    lines = s.stable()
    to_line = next(line for line in lines if re.search(r"│ To\s+\S+@", line))
    address = re.search(r"│ To\s+(\S+@\S+)", to_line).group(1)
    subject = re.search(r"│ Subject\s+(.{10})", next(line for line in lines if "│ Subject " in line)).group(1)

    def laid_out(width, height, whole=True):
        def check(lines):
            top = popup_top(lines)
            text = "\n".join(lines)
            if len(lines) != height or top is None or not top.rstrip().endswith("┐"):
                return False
            left = display_width(top[:top.index("┌")])
            right = width - display_width(top.rstrip())
            # Centred (a wide window caps the pop-up's width), inside the window, same filter.
            fits = abs(left - right) <= 1 and left <= width // 4 and "Delivered emails" in lines[0]
            if not whole:  # the smallest size shows the top of the pop-up: Status Details
                return fits and re.search(r"│ Status\s+Delivered", text)
            return fits and address in text and subject in text and "Status Tracking" in text
        return check

    for width, height, whole in ((90, 28, True), (60, 15, False), (150, 45, True)):
        s.resize(width, height)
        s.until(laid_out(width, height, whole), f"the pop-up re-laid out at {width}×{height} with the same email ({address})")

    s.resize(50, 12)
    s.until_text(r"terminal too small \(need 60×15, have 50×12\)", "the too-small message at 50×12", flags=re.I)
    s.resize(59, 20)
    s.until_text(r"terminal too small \(need 60×15, have 59×20\)", "the too-small message at 59×20", flags=re.I)
    # Keys while too small must not act on the hidden pop-up (Esc would close it unseen).
    s.send("Escape", "j", "s")
    time.sleep(0.3)
    s.until_text(r"terminal too small", "the too-small message after keys", flags=re.I)
    s.resize(120, 36)
    s.until(laid_out(120, 36), "the pop-up back at 120×36 with the same email")

    s.send("Escape")
    s.until(lambda lines: "View email" not in "\n".join(lines) and list_rows(lines)
            and "Delivered emails" in lines[0] and lines[-2].rstrip().endswith(position),
            f"the filtered list after closing the pop-up, still on row 3 ({position})")
    s.send("q")
    s.wait_exit()
    s.check_restored()


def scenario_live_updates(ctx):
    """Events ingested while the screen is open: a new email and then its status change appear."""
    s = ctx.session("live", ctx.store, 120, 36)
    lines = wait_for_list(s)
    total = status_line_count(lines)
    address, key = "live.test@example.com", "e2e-live-1"
    ingest = lambda kind, at: run_cli(ctx.binary, "ingest", "--db", s.db, "-", stdin=json.dumps(
        accepted_event(key, at, address, "Live test: boiler service booked", kind)) + "\n")
    ingest("accepted", NOW_EPOCH - 20.0)
    started = time.monotonic()
    s.until(lambda lines: list_rows(lines)[0].find(address) > 0 and re.search(r"\bAccepted\b", list_rows(lines)[0])
            and status_line_count(lines) == total + 1, "the new email on top, Accepted, counted", timeout=5)
    shown_after = time.monotonic() - started
    ingest("delivered", NOW_EPOCH - 10.0)
    s.until(lambda lines: address in list_rows(lines)[0] and re.search(r"\bDelivered\b", list_rows(lines)[0]),
            "the email's status changing to Delivered", timeout=5)
    if shown_after > 3.0:
        raise Failure(f"the new email took {shown_after:.1f}s to appear (about a second expected)")
    s.send("q")
    s.wait_exit()
    s.check_restored()


def x10_mouse(button, x, y):
    """An X10 mouse report (what ncurses asks tmux for with this TERM): 0-based x, y."""
    return "\x1b[M" + chr(32 + button) + chr(33 + x) + chr(33 + y)


def click(session, x, y):
    session.type(x10_mouse(0, x, y) + x10_mouse(3, x, y))


def scenario_mouse(ctx):
    """Mouse: a click selects a row, a double-click opens it, a click on a hint presses it, the wheel scrolls."""
    s = ctx.session("mouse", ctx.store, 120, 36)
    lines = wait_for_list(s)
    if s.display("#{mouse_any_flag}#{mouse_standard_flag}#{mouse_button_flag}") == "000":
        raise Failure("the app did not turn mouse reporting on")
    first = next(i for i, line in enumerate(lines) if ROW.match(line))
    total = status_line_count(lines)
    click(s, 30, first + 4)
    s.until(lambda lines: lines[-2].rstrip().endswith(f"5 of {total:,}"), "row 5 selected by a click")
    target = list_rows(s.lines())[6]
    click(s, 30, first + 6)
    time.sleep(0.05)
    click(s, 30, first + 6)
    address = ROW.match(target).group(2).rstrip("…")
    s.until(lambda lines: "Status Tracking" in "\n".join(lines)
            and any(re.search(r"│ To\s+" + re.escape(address), line) for line in lines),
            f"a double-click opening row 7 ({address})")
    hints = s.lines()[-1]
    esc = hints.index("Esc Back")
    click(s, display_width(hints[:esc]) + 1, s.height - 1)
    s.until(lambda lines: "View email" not in "\n".join(lines) and list_rows(lines), "a click on 'Esc Back' closing the pop-up")
    before = list_rows(s.lines())
    s.type(x10_mouse(65, 30, first + 3))  # wheel down, twice: the list scrolls three rows a notch
    s.type(x10_mouse(65, 30, first + 3))
    s.until(lambda lines: list_rows(lines)[0] == before[6], "two wheel notches scrolling the list by six rows")
    s.send("q")
    s.wait_exit()
    s.check_restored()


def scenario_no_color_no_mouse(ctx):
    """NO_COLOR and --no-mouse: no colour codes on screen, statuses still in words, mouse reporting off."""
    s = ctx.session("nocolor", ctx.store, 120, 36, extra_env={"NO_COLOR": "1"}, extra_args=["--no-mouse"])
    lines = wait_for_list(s)
    if not any(re.search(r"\b(Delivered|Failed|Opened)\b", row) for row in list_rows(lines)):
        raise Failure("no status words in the list\n" + s.dump())
    coloured = s.tmux("capture-pane", "-p", "-e", "-t", "e2e")
    codes = set(re.findall(r"\x1b\[([0-9;]*)m", coloured))
    colours = [c for c in codes if re.search(r"(^|;)(3[0-7]|38|4[0-7]|48|9[0-7]|10[0-7])(;|$)", c)]
    if colours:
        raise Failure(f"colour codes with NO_COLOR set: {sorted(colours)}\n" + s.dump())
    flags = s.display("#{mouse_any_flag}#{mouse_standard_flag}#{mouse_button_flag}#{mouse_sgr_flag}")
    if flags != "0000":
        raise Failure(f"mouse reporting is on with --no-mouse (flags {flags})")
    s.send("q")
    s.wait_exit()
    s.check_restored()


def scenario_esc_latency(ctx):
    """Esc closes the pop-up promptly (ESCDELAY lowered, not curses' default 1 s); q is the baseline."""
    s = ctx.session("esc", ctx.store, 120, 36)
    wait_for_list(s)
    timings = {"Escape": [], "q": []}
    for key in ["Escape", "q"] * 3:
        s.send("Enter")
        s.until_text(r"Status Tracking", "the View pop-up")
        started = time.monotonic()
        s.tmux("send-keys", "-t", "e2e", key)
        while "View email" in s.screen():
            if time.monotonic() - started > 5:
                raise Failure(f"{key} did not close the pop-up within 5 s\n" + s.dump())
        timings[key].append((time.monotonic() - started) * 1000)
    esc, q = sorted(timings["Escape"])[1], sorted(timings["q"])[1]
    # Through tmux and polling, Esc typically takes ~45 ms (25 ms ESCDELAY + a 25 ms input
    # tick) and q ~15 ms; the bound leaves room for a loaded CI machine.
    if esc > 300:
        raise Failure(f"Esc took {esc:.0f} ms (median) to close the pop-up; q took {q:.0f} ms")
    s.send("q")
    s.wait_exit()
    s.check_restored()


def scenario_too_small_q(ctx):
    """With the pop-up open and the window too small, q quits as the message says."""
    s = ctx.session("smallq", ctx.store, 100, 30)
    wait_for_list(s)
    s.send("Enter")
    s.until_text(r"Status Tracking", "the View pop-up")
    s.resize(50, 12)
    s.until_text(r"Terminal too small \(need 60×15, have 50×12\)", "the too-small message", flags=re.I)
    s.until_text(r"press q to quit", "the message offering q")
    s.send("q")
    rc = s.wait_exit(timeout=5)
    if rc != 0:
        raise Failure(f"q while too small: the app exited {rc}, not 0\n" + s.dump())
    s.check_restored()


def signal_scenario(signum, crash=False):
    def scenario(ctx):
        s = ctx.session(f"sig{signum}", ctx.store, 100, 30)
        wait_for_list(s)
        s.send("Enter")
        s.until_text(r"Status Tracking", "the View pop-up")
        os.kill(s.app_pid(), signum)
        if crash:
            # The app restores the terminal first, then hands the signal on to Swift's crash
            # reporter, which prints its report on the normal screen and, on a terminal,
            # waits up to 30 s for a key ("any other key to quit").
            # The report is symbolicated before the process ends: on a loaded 2-core machine the
            # release binary's took longer than the usual 15 s (06/12/2026: "Backtracing from ..."
            # still on the screen at 15 s), so this wait allows a minute.
            s.until(lambda lines: s.state_file("rc") is not None
                             or "any other key to quit" in "\n".join(lines), "the crash report or the exit",
                    timeout=max(TIMEOUT, 60))
            if s.state_file("rc") is None:
                if s.display("#{alternate_on}") != "0":
                    raise Failure("the crash report was drawn before the terminal was restored\n" + s.dump())
                s.send("x")
        rc = s.wait_exit()
        if rc not in ((128 + signum,) if crash else (0, 128 + signum)):
            raise Failure(f"after {signal.Signals(signum).name} the app exited {rc}, not 0 or {128 + signum}\n" + s.dump())
        s.check_restored()
    name = signal.Signals(signum).name
    scenario.__doc__ = (f"{name} (as a crash would raise) with the pop-up open: the terminal is restored, the crash still reported."
                        if crash else f"{name} to the app with the pop-up open: it exits and restores the terminal.")
    return scenario


def scenario_ctrl_c(ctx):
    """Ctrl-C while a filter is being edited quits at once and restores the terminal."""
    s = ctx.session("ctrlc", ctx.store, 100, 30)
    wait_for_list(s)
    s.send("/")
    s.type("someone@")
    s.until_text(r"someone@", "typing into To")
    s.send("C-c")
    rc = s.wait_exit()
    if rc != 0:
        raise Failure(f"Ctrl-C: the app exited {rc}, not 0\n" + s.dump())
    s.check_restored()


def scenario_restore_check_bites(ctx):
    """Control: an app killed with SIGKILL (no clean-up) must be reported as not restored."""
    s = ctx.session("sigkill", ctx.store, 100, 30)
    wait_for_list(s)
    os.kill(s.app_pid(), signal.SIGKILL)
    s.wait_exit()
    try:
        s.check_restored()
    except Failure as failure:
        text = str(failure)
        if "terminal modes differ" not in text or "alternate screen is on" not in text:
            raise Failure("the restore check caught the killed app only partly:\n" + text)
        return
    raise Failure("the restore check passed for an app killed with SIGKILL: it cannot detect a broken terminal")


# ----------------------------------------------------------------------------- non-UTF-8 locales (issue 14)

# What the VT100 alternate character set draws for each code (tmux marks such cells with SO/SI
# in `capture-pane -e`; the plain capture shows the codes themselves: x for │, q for ─).
ACS_GLYPHS = dict(zip("qxlkmjtuwvn", "─│┌┐└┘├┤┬┴┼"))
ASCII_NAME = "Tomasz Wisniewski"  # a staff member of the seeded agency: "Tomasz Wiśniewski"


def drawn_lines(session):
    """The screen as it looks: alternate-character-set cells shown as the lines they draw."""
    raw = session.tmux("capture-pane", "-p", "-e", "-t", "e2e")
    lines = []
    for line in raw.split("\n"):
        line = re.sub(r"\x1b\[[0-9;:?]*[A-Za-z]", "", line)
        text, alternate = [], False
        for ch in line:
            if ch == "\x0e":
                alternate = True
            elif ch == "\x0f":
                alternate = False
            else:
                text.append(ACS_GLYPHS.get(ch, ch) if alternate else ch)
        lines.append("".join(text))
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def check_ascii_only(session, what):
    """Every character the app put on the screen is printable ASCII (nothing eaten or raw)."""
    foreign = sorted({ch for line in session.lines() for ch in line if not " " <= ch <= "~"})
    if foreign:
        raise Failure(f"{what}: characters that are not ASCII on the screen: {foreign}\n" + session.dump())


def ascii_scenario(name, term, width, height, env, args=(), locale_note=True):
    def scenario(ctx):
        s = ctx.session(name, ctx.control_store, width, height,
                        extra_env=dict(env, TERM=term), extra_args=list(args))
        lines = wait_for_list(s)
        check_ascii_only(s, "the main list")
        has_note = "ASCII names: LANG=C.UTF-8" in lines[0]
        if has_note != locale_note:
            raise Failure(f"the header {'lacks' if locale_note else 'has'} the locale note\n" + s.dump())
        # The planted CJK/emoji subject: one ? per character, cut with "...", columns kept.
        wide = next((line for line in list_rows(lines) if WIDE_ADDRESS[:10] in line), None)
        if wide is None or "????? ?" not in wide or "..." not in wide:
            raise Failure("the wide-character subject is not shown as ????? ? ... \n" + s.dump())
        check_columns_aligned(s, lines)
        if not any("Rent ^[[2J^[[" in row for row in list_rows(lines)):
            raise Failure("the control-byte subject is not shown in caret notation (^[ ^G)\n" + s.dump())

        # Raised by: type to narrow the list to Tomasz, Enter applies it.
        s.send("r")
        s.until_text(r"Raised by", "the Raised by pick list")
        s.type("Tomasz")
        s.send("Enter")
        s.until_text(re.escape(f"raised by {ASCII_NAME}"), "the header naming the Raised by filter")
        lines = s.stable()
        check_ascii_only(s, "the filtered list")
        rows = list_rows(lines)
        sender = re.compile(re.escape(ASCII_NAME) + r"|Tomasz W[a-z]*\.\.\.")
        if not rows or not all(sender.search(row) for row in rows):
            raise Failure(f"rows without {ASCII_NAME!r} (or its cut form ending ...)\n" + s.dump())
        check_columns_aligned(s, lines)

        s.send("Enter")
        s.until_text(r"View email .* Status Details", "the View pop-up", flags=re.S)
        s.until_text(r"Raised by\s+" + re.escape(ASCII_NAME), "View naming the sender in ASCII")
        check_ascii_only(s, "the View pop-up")
        drawn = drawn_lines(s)
        if not any("┌─ View email " in line for line in drawn) or not any("└─" in line for line in drawn):
            raise Failure("the pop-up's frame is not drawn with the line-drawing set\n" + "\n".join(drawn))
        s.send("u")
        s.until_text(r"Unit Search . Units using \S+@", "Unit Search for the address")
        s.until_text(r"unit contacts? uses? \S+@", "Unit Search's result count")
        check_ascii_only(s, "Unit Search")
        s.send("Escape")
        s.until_text(r"View email", "Esc back to the View pop-up")
        s.send("Escape")
        s.until(lambda lines: "View email" not in "\n".join(lines) and list_rows(lines), "Esc back to the list")

        s.resize(50, 12)
        s.until_text(r"Terminal too small \(need 60x15, have 50x12\)", "the too-small message in ASCII")
        check_ascii_only(s, "the too-small message")
        s.resize(width, height)
        s.until(lambda lines: list_rows(lines) and ASCII_NAME[:8] in lines[0], "the list back at full size")
        s.send("q")
        if s.wait_exit() != 0:
            raise Failure("q did not exit 0\n" + s.dump())
        s.check_restored()
    how = " ".join(args) or ", ".join(f"{k}={v}" for k, v in env.items())
    scenario.__doc__ = (f"{how}, TERM={term}: names in ASCII ({ASCII_NAME}), ? for CJK, columns kept, View, "
                        "Unit Search, 60x15; nothing but ASCII reaches the screen.")
    return scenario


def unusable_term_scenario(term):
    def scenario(ctx):
        s = ctx.session(f"term-{term}", ctx.store, 160, 20, extra_env={"TERM": term})
        rc = s.wait_exit()
        lines = [line for line in s.lines() if line.strip()]
        if rc == 0 or len(lines) != 2 or f"TERM={term}" not in lines[0] or "set TERM=xterm-256color" not in lines[0]:
            raise Failure(f"TERM={term}: expected one line naming TERM and what to set, then the exit (rc {rc})\n"
                          + s.dump())
        s.check_restored()
    scenario.__doc__ = f"TERM={term}: one clear line naming the TERM and what to set, no screen drawn, exit 1."
    return scenario


def scenario_no_line_drawing_set(ctx):
    """LANG=C, TERM=xterm-r5 (no alternate character set): boxes drawn with +, - and |."""
    s = ctx.session("ascii-noacs", ctx.store, 100, 30, extra_env={"LANG": "C", "LC_ALL": "C", "TERM": "xterm-r5"})
    wait_for_list(s)
    s.send("Enter")
    s.until(lambda lines: any(re.match(r"^\+- View email -+ .* -\+$", line) for line in lines)
            and any(re.match(r"^\| Email\s+\+- Status Details -+\+ \|$", line) for line in lines),
            "the View pop-up framed with + - |")
    check_ascii_only(s, "the View pop-up")
    s.send("Escape", "q")
    s.wait_exit()
    s.check_restored()


# ----------------------------------------------------------------------------- support desk fit (issue 10)


def cli_rows(ctx, *args):
    """`query --format csv` rows as dicts (Id, Date, To, Subject, Raised by, Status, Activity, ...)."""
    import csv
    import io
    text = run_cli(ctx.binary, "query", "--db", ctx.store, "--limit", "0", "--format", "csv", *args)
    return list(csv.DictReader(io.StringIO(text)))


def status_line(lines):
    return next((line for line in lines if re.match(r"^ [\d,]+ emails?\b", line)), "")


def tick_statuses(session, names):
    """Opens the Status list, ticks `names` with Space and applies them with Enter."""
    session.send("s")
    session.until_text(r"─ Status ─", "the Status pick list")
    for name in names:
        offset = dropdown_offset(session.lines(), "Status", "All", name)
        session.send("Home", *(["Down"] * offset), "Space")
    session.send("Enter")


def scenario_custom_dates(ctx):
    """Bug 1: Custom dates ask for From and To, ← → step a day, ↓ moves to To, only Enter applies."""
    s = ctx.session("customdates", ctx.store, 120, 36)
    wait_for_list(s)
    s.send("c", "d", "End", "Enter")
    s.until_text(r"type the From date", "Enter with empty boxes asking for the From date")
    if "All dates" in s.lines()[0]:
        raise Failure("Enter on an empty Custom applied All dates\n" + s.dump())
    s.type("10/03/2025")
    s.send("Tab")
    s.until_text(r"To:   ▏", "Tab moving from the From box to the To box")
    s.send("Tab")
    s.until(lambda lines: "─ Date range ─" not in "\n".join(lines), "Tab leaving the date field")
    if not s.lines()[0].startswith(" Email Audit │ All emails · Today"):
        raise Failure("Tab applied a half-filled custom range\n" + s.dump())
    s.send("d", "End", "Left", "Left")
    s.until_text(r"From: 14/03/2025", "← filling today and stepping back a day")
    s.send("Down", "Right", "Right", "PgUp")
    s.until_text(r"To:   15/02/2025", "↓ to the To box (filled from From), → a day on, PgUp a month back")
    s.until_text(r"To date is before", "the backwards range flagged")
    s.send("PgDn", "Enter")
    s.until_text(r"Email Audit │ All emails · 14/03/2025 – 15/03/2025", "Enter applying 14/03–15/03")
    expected = len(cli_rows(ctx, "--from", "14/03/2025", "--until", "15/03/2025"))
    s.until(lambda lines: status_line_count(lines) == expected, f"{expected} emails for the custom range")
    s.send("q")
    s.wait_exit()
    s.check_restored()


# ----------------------------------------------------------------------------- hardening (issue 9)

HOSTILE_ADDRESS = "hostile.test@example.com"
# Every control a terminal acts on: CSI (clear), OSC 52 (clipboard), OSC 8 (link), OSC 0 (title),
# C1 CSI/OSC/ST/NEL, bidi overrides and isolates, line/paragraph separators, DEL, C0.
HOSTILE = ("A\x1b[2J\x1b]52;c;cHduZWQ=\x07\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\x1b]0;PWNED\x07"
           " \x9b31m\x9d0;t\x9c \x85nel \u202eRTL\u202c \u2066iso\u2069 \u061c\u200e\u200f"
           " \u2028LS\u2029PS \x7fdel \x01\x08\x0b\x0c\x0e\x1f\ufeff end")
HOSTILE_BIDI = {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}
# Emoji ZWJ sequences (family, people holding hands, technologist with skin tone).
ZWJ_ADDRESS = "zwj.test@example.com"
ZWJ_SUBJECT = "Family 👨‍👩‍👧 and 🧑‍🤝‍🧑 pair, 👩🏽‍💻 at work — a subject long enough to be cut"
LONG_ADDRESS = "long.test@example.com"
LONG_SUBJECT = "Start" + "x" * (1_000_000 - 5)  # one 1 MB word: the worst case for wrapping


def raw_controls(text):
    """Characters a terminal would act on, outside SGR sequences (capture-pane -e adds those)."""
    text = re.sub(r"\x1b\[[0-9;:]*m", "", text)
    found = set()
    for ch in text:
        code = ord(ch)
        if ch == "\n":
            continue
        if code < 0x20 or 0x7F <= code < 0xA0 or code in HOSTILE_BIDI or code in (0x2028, 0x2029, 0xFEFF):
            found.add(f"U+{code:04X}")
    return sorted(found)


def open_by_address(s, address):
    """Filters the list on one address (typed into To) and opens its email."""
    s.send("/")
    s.until_text(r"To: .*▏", "the To field editing")
    s.type(address)
    s.send("Enter")
    s.until(lambda lines: len(list_rows(lines)) == 1 and address[:20] in list_rows(lines)[0],
            f"the list filtered to {address}")
    s.send("Enter")
    s.until_text(r"View email . Id \d+", f"the View pop-up of {address}")


def scenario_hostile_text_screen(ctx):
    """Hostile provider text (CSI, OSC 52/8/0, C1, bidi, U+2028) on the list and in View: nothing reaches the terminal raw."""
    s = ctx.session("hostile", ctx.text_store, 120, 36)
    s.tmux("set-option", "-g", "set-clipboard", "on")
    title_before = s.display("#{pane_title}")
    lines = wait_for_list(s)
    row = next((line for line in list_rows(lines) if HOSTILE_ADDRESS[:20] in line), None)
    if row is None or "A␛[2J" not in row:
        raise Failure("the hostile email is not listed with ESC shown as ␛\n" + s.dump())
    captured = s.tmux("capture-pane", "-p", "-e", "-t", "e2e")
    if raw_controls(captured):
        raise Failure(f"raw controls on the list screen: {raw_controls(captured)}\n" + s.dump())
    open_by_address(s, HOSTILE_ADDRESS)
    s.until_text(r"Enhanced\s+5\.1\.1A␛\[2J", "the enhanced code shown neutralised")
    lines = s.stable()
    captured = s.tmux("capture-pane", "-p", "-e", "-t", "e2e")
    if raw_controls(captured):
        raise Failure(f"raw controls in the View pop-up: {raw_controls(captured)}\n" + s.dump())
    if not lines[0].startswith(" Email Audit │") or not lines[-1].lstrip().startswith("↑↓"):
        raise Failure("the screen was cleared or damaged around the pop-up\n" + s.dump())
    if s.display("#{pane_title}") != title_before:
        raise Failure("an OSC title sequence reached the terminal")
    if s.tmux("list-buffers", check=False).strip():
        raise Failure("an OSC 52 clipboard write reached the terminal: " + s.tmux("list-buffers", check=False))
    if os.path.exists(s.bell_file):
        raise Failure("BEL reached the terminal")
    s.send("Escape", "q")
    s.wait_exit()
    s.check_restored()


def scenario_alt_q_in_to_field(ctx):
    """Alt+q while typing in the To field does not quit (nor leave the field)."""
    s = ctx.session("altq", ctx.store, 100, 30)
    wait_for_list(s)
    s.send("/")
    s.type("someone")
    s.until_text(r"To: someone▏", "typing into To")
    s.send("M-q")
    time.sleep(0.5)
    if s.state_file("rc") is not None:
        raise Failure("Alt+q quit the app while the To field was being edited\n" + s.dump())
    s.type("@x")
    s.until_text(r"To: someone@x▏", "still typing into To after Alt+q")
    s.send("Escape")
    s.until(lambda lines: "▏" not in "\n".join(lines), "Esc leaving the To field")
    s.send("q")
    if s.wait_exit() != 0:
        raise Failure("q did not quit cleanly\n" + s.dump())
    s.check_restored()


def scenario_zwj_columns(ctx):
    """Emoji ZWJ sequences in a subject keep the list's columns in line."""
    s = ctx.session("zwj", ctx.text_store, 120, 36)
    lines = wait_for_list(s)
    row = next((line for line in list_rows(lines) if ZWJ_ADDRESS[:20] in line), None)
    if row is None or "Family" not in row:
        raise Failure("the ZWJ email is not listed\n" + s.dump())
    check_columns_aligned(s, lines)
    open_by_address(s, ZWJ_ADDRESS)
    lines = s.stable()
    # The pop-up's right border stays in one column on every row.
    borders = {display_width(line[:line.rindex("│")]) for line in lines if line.count("│") >= 2 and "Subject" in line}
    frame = {display_width(line[:line.rindex("│")]) for line in lines if "│ Status " in line}
    if not borders or borders != frame:
        raise Failure(f"the pop-up's frame is out of line on the Subject row ({borders} vs {frame})\n" + s.dump())
    s.send("Escape", "q")
    s.wait_exit()
    s.check_restored()


def scenario_long_subject_view(ctx):
    """A 1 MB subject: View opens promptly showing its start, Esc closes it, q quits."""
    s = ctx.session("long", ctx.text_store, 120, 36)
    wait_for_list(s)
    s.send("/")
    s.type(LONG_ADDRESS)
    s.send("Enter")
    s.until(lambda lines: len(list_rows(lines)) == 1, "the list filtered to the long-subject email")
    s.send("Enter")
    s.until_text(r"Subject\s+Startxxxx", "the View pop-up showing the start of the 1 MB subject")
    s.send("Escape")
    s.until(lambda lines: "View email" not in "\n".join(lines), "Esc closing the pop-up")
    s.send("q")
    if s.wait_exit() != 0:
        raise Failure("q did not quit cleanly\n" + s.dump())
    s.check_restored()


def scenario_paste_into_to(ctx):
    """10,000 characters pasted into To: the app keeps up and Esc still works."""
    s = ctx.session("paste", ctx.store, 100, 30)
    wait_for_list(s)
    s.send("/")
    s.until_text(r"To: .*▏", "the To field editing")
    s.type("y" * 10_000)
    s.until_text(r"To: yyyy", "the pasted text in the To field")
    # Esc is read after the whole paste: it acts once every character has been handled.
    s.send("Escape")
    s.until(lambda lines: "▏" not in "\n".join(lines) and "To: anyone" in lines[1],
            "Esc leaving the To field after the paste")
    s.send("q")
    if s.wait_exit() != 0:
        raise Failure("q did not quit cleanly\n" + s.dump())
    s.check_restored()


def scenario_signals_within_a_second(ctx):
    """SIGTERM, SIGHUP and SIGINT each end the app within a second with the terminal restored."""
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        s = ctx.session(f"fast{signum}", ctx.store, 100, 30)
        wait_for_list(s)
        os.kill(s.app_pid(), signum)
        rc = s.wait_exit(timeout=1.0)
        if rc not in (0, 128 + signum):
            raise Failure(f"after {signal.Signals(signum).name} the app exited {rc}\n" + s.dump())
        s.check_restored()
        s.kill()


def scenario_signal_state_single_copy(ctx):
    """The binary holds one copy of the signal state (nm): handler and input loop share it."""
    if shutil.which("nm") is None:
        raise Failure("nm is not installed (binutils)")
    symbols = subprocess.run(["nm", ctx.binary], capture_output=True, text=True).stdout.split("\n")
    for name in ("pending_signal", "curses_active"):
        copies = [line for line in symbols if re.search(rf"\s[bBdD]\s+(\w*\.)?{name}(\.\d+)?$", line)
                  or re.search(rf"ea_{name}_slot\.value", line)]
        if len(copies) != 1:
            raise Failure(f"{len(copies)} copies of the {name} state in {ctx.binary}:\n" + "\n".join(copies))


def saved_simulator_state(ctx, db):
    table = "store_meta" if ctx.postgres else "meta"
    rows = ctx.sql(db, f"select value from {table} where key = 'simulator_state'")
    return rows[0][0] if rows else None


def demo_signal_scenario(signum):
    def scenario(ctx):
        s = ctx.session(f"demo{signum}", ctx.store, 120, 36, command=["demo"])
        before = saved_simulator_state(ctx, s.db)
        wait_for_list(s)
        time.sleep(3)  # the live simulation steps once a second
        os.kill(s.app_pid(), signum)
        rc = s.wait_exit(timeout=5)
        if rc not in (0, 128 + signum):
            raise Failure(f"after {signal.Signals(signum).name} the demo exited {rc}\n" + s.dump())
        s.check_restored()
        after = saved_simulator_state(ctx, s.db)
        if after is None or after == before:
            raise Failure(f"the simulator's state was not saved on {signal.Signals(signum).name} "
                          "(the store still holds the state from before the demo ran)")
    scenario.__doc__ = f"{signal.Signals(signum).name} to the demo: its simulator state is saved before it ends."
    return scenario


def scenario_status_line_problems_first(ctx):
    """Bug 3: the five problem statuses come first on the status line and are never cut; filtered zeros show."""
    rows = cli_rows(ctx, "--range", "all")
    counts = {}
    for row in rows:
        counts[row["Status"]] = counts.get(row["Status"], 0) + 1
    problems = [("Failed", "Fail"), ("Complained", "Compl"), ("Rejected", "Rej"), ("Unsubscribed", "Unsub"),
                ("Temporary Failure", "Temp")]
    for width, height in ((120, 36), (80, 24), (60, 15)):
        s = ctx.session(f"statusline{width}", ctx.store, width, height)
        wait_for_list(s)
        pick(s, "d", "Date range", "• Today", "All dates")
        s.until(lambda lines: status_line_count(lines) == len(rows), f"{len(rows)} emails over all dates")
        line = status_line(s.stable())
        for name, short in problems:
            if counts.get(name) and not re.search(rf"\b{counts[name]:,} {short}", line):
                raise Failure(f"{width}×{height}: the status line lacks '{counts[name]:,} {name}': {line!r}\n" + s.dump())
        first_other = min((line.find(f" {w}") for w in ("Delivered", "Opened", "Clicked", "Accepted", "Pending")
                           if f" {w}" in line), default=len(line))
        last_problem = max(line.find(f" {short}") for name, short in problems if counts.get(name))
        if last_problem > first_other:
            raise Failure(f"{width}×{height}: problem statuses do not come first: {line!r}")
        s.send("q")
        s.wait_exit()
    today = cli_rows(ctx, "--from", TODAY, "--until", TODAY)
    zero = [n for n in ("Complained", "Rejected", "Unsubscribed", "Failed") if not any(r["Status"] == n for r in today)]
    if zero:
        s = ctx.session("statuslinezero", ctx.store, 120, 36)
        wait_for_list(s)
        tick_statuses(s, [zero[0]])
        s.until(lambda lines: re.search(rf"^ 0 emails\s+0 {zero[0]}\b", status_line(lines)),
                f"'0 {zero[0]}' on the status line for a filtered status with no email")
        s.send("q")
        s.wait_exit()


def scenario_header_names_statuses(ctx):
    """Bug 4: the header and filter bar name the statuses; exactly the failure set reads 'not delivered'."""
    s = ctx.session("headerwords", ctx.store, 120, 36)
    wait_for_list(s)
    tick_statuses(s, ["Failed", "Complained", "Rejected", "Unsubscribed"])
    s.until_text(r"Email Audit │ Failed, Complained, Rejected, Unsubscribed emails · Today", "the four statuses named in the header")
    s.until_text(r"Status: Failed, Complained \+2 more ▾", "the filter bar naming the first two and the count of the rest")
    s.send("c")
    s.until_text(r"Email Audit │ All emails · Today", "the filters cleared")
    tick_statuses(s, ["Temporary Failure", "Failed", "Rejected"])
    s.until_text(r"Email Audit │ Emails not delivered · Today", "'not delivered' for exactly the failure set")
    s.until_text(r"Status: Not delivered ▾", "the filter bar saying Not delivered")
    s.send("q")
    s.wait_exit()


def quiet_address(ctx):
    """An address with emails on earlier days but none today, used by a unit contact."""
    today = {r["To"] for r in cli_rows(ctx, "--from", TODAY, "--until", TODAY)}
    for row in cli_rows(ctx, "--range", "all"):
        if row["To"] not in today and "@" in row["To"]:
            return row["To"]
    raise Failure("the seeded store has no address without an email today")


def scenario_u_on_empty_list(ctx):
    """Bug 5: u on an empty list uses the To filter's address; the empty list offers All dates with one key."""
    address = quiet_address(ctx)
    s = ctx.session("uempty", ctx.store, 120, 36)
    wait_for_list(s)
    s.send("/")
    s.type(address)
    s.send("Enter")
    s.until_text(r"No emails to " + re.escape(address) + r" today — All dates\?", "the empty list offering All dates")
    s.send("u")
    s.until_text(r"Unit Search │ Units using " + re.escape(address), "u opening Unit Search for the To address")
    s.send("Escape")
    s.until_text(r"No emails to " + re.escape(address), "Esc back to the empty list")
    s.send("a")
    expected = len(cli_rows(ctx, "--range", "all", "--to", address))
    s.until(lambda lines: status_line_count(lines) == expected and list_rows(lines)
            and "All dates" in lines[0], f"a showing the {expected} emails over all dates")
    s.send("q")
    s.wait_exit()


def scenario_navigation_stack(ctx):
    """Bug 6: Esc after Unit Search's Enter returns to Unit Search, View and the filtered list, selection kept."""
    s = ctx.session("navstack", ctx.store, 120, 36)
    wait_for_list(s)
    pick(s, "s", "Status", "All", "Delivered")
    s.until_text(r"Delivered emails · Today", "the Delivered filter")
    s.stable()
    s.send("Down", "Down")
    position = s.until(lambda lines: re.search(r"\b3 of [\d,]+\s*$", lines[-2]), "row 3 selected").group(0).strip()
    s.send("Enter")
    s.until_text(r"Status Tracking", "the View pop-up")
    s.send("u")
    s.until_text(r"Unit Search │ Units using", "Unit Search")
    s.until_text(r"unit contacts? uses?", "Unit Search's rows")
    s.send("Enter")
    s.until_text(r"All emails to \S+ · All dates", "every email to the address")
    s.send("Escape")
    s.until_text(r"Unit Search │ Units using", "Esc back to Unit Search")
    s.send("Escape")
    s.until_text(r"Status Tracking", "Esc back to the View pop-up")
    s.send("Escape")
    s.until(lambda lines: "View email" not in "\n".join(lines) and "Delivered emails · Today" in lines[0]
            and lines[-2].rstrip().endswith(position), f"Esc back to the Delivered list with {position} selected")
    s.send("q")
    s.wait_exit()


def scenario_units_listed_once(ctx):
    """Bug 7: a unit shared by two contacts with the same address is listed once in View."""
    shared = [row[0] for row in ctx.sql(ctx.store,
        "SELECT c.email FROM contacts c JOIN contact_units cu ON cu.contact_id = c.id "
        "GROUP BY c.email, cu.unit_id HAVING count(*) > 1")]
    rows = [r for r in cli_rows(ctx, "--range", "all") if r["To"] in set(shared)]
    if not rows:
        raise Failure("no email to an address that two contacts of one unit share")
    address = rows[0]["To"]
    s = ctx.session("unitsonce", ctx.store, 120, 40)
    wait_for_list(s)
    s.send("/")
    s.type(address)
    s.send("Enter")
    pick(s, "d", "Date range", "• Today", "All dates")
    s.until(lambda lines: list_rows(lines) and "All dates" in lines[0], "the emails to " + address)
    s.send("Enter")
    s.until_text(r"│ Units\s", "the Units field in View")
    lines = s.stable()
    start = next(i for i, line in enumerate(lines) if re.search(r"│ Units\s", line))
    text = " ".join(re.sub(r"^.*?│ (?:Units)?\s+", "", lines[i]).split("  ")[0] for i in range(start, start + 3)
                    if i == start or re.match(r"^.*?│\s{13}\S", lines[i]))
    units = [u.strip() for u in text.split(",") if u.strip()]
    if len(units) != len(set(units)):
        raise Failure(f"a unit is listed twice: {units}\n" + s.dump())
    s.send("Escape", "q")
    s.wait_exit()


def scenario_help_status_names(ctx):
    """Bug 8: Help keeps a space between 'Temporary Failure' and its meaning."""
    s = ctx.session("helptypo", ctx.store, 120, 36)
    wait_for_list(s)
    s.send("?", "End")
    s.until_text(r"Temporary Failure\s+Delivery failed for now", "Temporary Failure and its meaning apart")
    if "FailureDelivery" in s.screen():
        raise Failure("'Temporary FailureDelivery' in Help\n" + s.dump())
    s.send("Escape", "q")
    s.wait_exit()


def scenario_external_in_raised_by(ctx):
    """Bug 13: 'External' (created when an email arrives from outside) can be picked in Raised by."""
    s = ctx.session("external", ctx.store, 120, 36)
    wait_for_list(s)
    event = accepted_event("e2e-external-1", NOW_EPOCH - 30.0, "ext.one@example.com", "From another system")
    run_cli(ctx.binary, "ingest", "--db", s.db, "-", stdin=json.dumps(event) + "\n")
    s.until(lambda lines: any("ext.one@example.com" in row for row in list_rows(lines)), "the new external email")
    s.send("r")
    s.type("Ext")
    s.until_text(r"│ External\s+│", "External offered in the Raised by list")
    s.send("Down", "Enter")
    s.until_text(r"Email Audit │ All emails raised by External · Today", "the list of External's emails")
    s.send("q")
    s.wait_exit()


def sgr_mouse(button, x, y, release=False):
    """An SGR (mode 1006) mouse report: 0-based x, y; any column."""
    return f"\x1b[<{button};{x + 1};{y + 1}{'m' if release else 'M'}"


def scenario_sgr_mouse(ctx):
    """Bug 15: SGR mouse mode is on, so a click beyond column 223 selects the row."""
    s = ctx.session("sgrmouse", ctx.store, 240, 30)
    lines = wait_for_list(s)
    if s.display("#{mouse_sgr_flag}") != "1":
        raise Failure("SGR mouse mode (1006) is not on")
    first = next(i for i, line in enumerate(lines) if ROW.match(line))
    total = status_line_count(lines)
    s.type(sgr_mouse(0, 230, first + 4) + sgr_mouse(0, 230, first + 4, release=True))
    s.until(lambda lines: lines[-2].rstrip().endswith(f"5 of {total:,}"), "row 5 selected by a click at column 231")
    s.send("q")
    s.wait_exit()
    s.check_restored()


def show_field(text, name):
    m = re.search(rf"^{re.escape(name)}\s{{2,}}(.*)$", text, re.M)
    return m.group(1) if m else None


def longest_failure(ctx):
    """(index in the Failed list over all dates, id, Message) of the Failed email with the longest provider message."""
    best = None
    for index, row in enumerate(cli_rows(ctx, "--range", "all", "--status", "failed")[:60]):
        message = show_field(run_cli(ctx.binary, "show", "--db", ctx.store, row["Id"]), "Message") or ""
        if best is None or len(message) > len(best[2]):
            best = (index, row["Id"], message)
    return best


def open_failed(ctx, s, index):
    """Failed over all dates, row `index` opened in View."""
    wait_for_list(s)
    pick(s, "s", "Status", "All", "Failed")
    s.until_text(r"Failed emails · Today", "the Failed filter")
    pick(s, "d", "Date range", "• Today", "All dates")
    s.until_text(r"Failed emails · All dates", "Failed over all dates")
    s.stable()
    s.send(*(["Down"] * index))
    s.until(lambda lines: re.search(rf"\b{index + 1} of [\d,]+\s*$", lines[-2]), f"row {index + 1} selected")
    s.send("Enter")
    s.until_text(r"─ Status Details ─", "the View pop-up")
    return s.stable()


def status_box_values(lines):
    """The Status Details box as {label: value}, continuation lines joined with spaces."""
    top = next(i for i, line in enumerate(lines) if "┌─ Status Details" in line)
    left = lines[top].index("┌─ Status Details")
    right = lines[top].index("┐", left)
    values, label = {}, None
    for line in lines[top + 1:]:
        if line[left] == "└":
            break
        inner = line[left + 2:right - 1]
        head, value = inner[:12].strip(), inner[12:].strip()
        if head:
            label = head
            values[label] = value
        elif label and value:
            values[label] += " " + value
    return values


def scenario_provider_words_readable(ctx):
    """Bug 2: Status Details wraps the whole provider message; Status Tracking lines wrap instead of ending in '…'."""
    index, email_id, message = longest_failure(ctx)
    s = ctx.session("wrapdetails", ctx.store, 120, 40)
    lines = open_failed(ctx, s, index)
    shown = status_box_values(lines).get("Message", "")
    if shown != message:
        raise Failure(f"Status Details Message is {shown!r}, show has {message!r}\n" + s.dump())
    screen = "\n".join(lines)
    tracking = screen[screen.index("Status Tracking"):]
    if "…" in tracking.split("Body")[0]:
        raise Failure("a Status Tracking line is cut with '…'\n" + s.dump())
    last_words = " ".join(message.split()[-2:])
    if len(re.findall(re.escape(last_words.split()[-1]), screen)) < 2:
        raise Failure(f"the end of the provider message ({last_words!r}) is not in both Status Details and Tracking\n" + s.dump())
    s.send("Escape", "q")
    s.wait_exit()


def scenario_id_on_screen(ctx):
    """Bug 9: View's title has the Id, the Message ID is on one line, and i shows an Id column in the list."""
    index, email_id, _ = longest_failure(ctx)
    message_id = show_field(run_cli(ctx.binary, "show", "--db", ctx.store, email_id), "Message id")
    s = ctx.session("idonscreen", ctx.store, 80, 24)
    lines = open_failed(ctx, s, index)
    if not any(f"View email · Id {email_id} " in line for line in lines):
        raise Failure(f"View's title lacks 'Id {email_id}'\n" + s.dump())
    if not any(re.search(r"│ Message ID\s+" + re.escape(message_id) + r"\s", line) for line in lines):
        raise Failure(f"the Message ID {message_id} is not whole on one line\n" + s.dump())
    s.send("Escape", "i")
    s.until(lambda lines: lines[2].startswith(" Id ") and any(row.split()[0] == email_id for row in list_rows(lines)),
            f"an Id column showing {email_id}")
    s.send("q")
    s.wait_exit()


def scenario_action_first(ctx):
    """Bug 10: for a problem status the recommended action is at the top of View, even at 60×15."""
    index, email_id, _ = longest_failure(ctx)
    advice = run_cli(ctx.binary, "show", "--db", ctx.store, email_id).split("Recommended action\n", 1)[1].split("\n")[0].strip()
    for width, height in ((80, 24), (60, 15)):
        s = ctx.session(f"actionfirst{width}", ctx.store, width, height)
        lines = open_failed(ctx, s, index)
        top = next(i for i, line in enumerate(lines) if "─ View email" in line)
        if "Recommended action" not in lines[top + 1]:
            raise Failure(f"{width}×{height}: 'Recommended action' is not the first line of View\n" + s.dump())
        first_words = " ".join(advice.split()[:3])
        if first_words not in lines[top + 2]:
            raise Failure(f"{width}×{height}: the advice ({first_words!r}…) does not follow it\n" + s.dump())
        s.send("Escape", "q")
        s.wait_exit()


def scenario_narrow_columns(ctx):
    """Bug 11: narrow lists use a short date (time only for Today) so To and Subject keep room; '? more' in the hint bar."""
    newest = cli_rows(ctx, "--from", TODAY, "--until", TODAY)[0]
    s = ctx.session("narrowcols", ctx.store, 60, 15)
    lines = wait_for_list(s)
    row = list_rows(lines)[0]
    if not row.startswith(" " + newest["Date"][-5:] + " "):
        raise Failure(f"the Today list at 60 columns does not show the time only: {row!r}\n" + s.dump())
    to = ROW.match(row).group(2)
    if len(to.rstrip("…")) < 15:
        raise Failure(f"To keeps only {len(to)} columns at 60: {row!r}\n" + s.dump())
    if "? more" not in lines[-1]:
        raise Failure("the hint bar does not say '? more' when keys are hidden\n" + s.dump())
    pick(s, "d", "Date range", "• Today", "All dates")
    s.until(lambda lines: list_rows(lines) and re.match(r"^ \d\d/\d\d \d\d:\d\d ", list_rows(lines)[0]),
            "the short 'dd/mm HH:mm' form over all dates")
    s.send("q")
    s.wait_exit()


def scenario_status_picker(ctx):
    """Bug 12: typing in the Status list jumps (re → Rejected); a cut list says 'more'."""
    s = ctx.session("statuspicker", ctx.store, 60, 15)
    wait_for_list(s)
    s.send("s")
    s.until_text(r"─ Status ─", "the Status list")
    s.until_text(r"↓ more", "the cut list marked '↓ more'")
    s.type("re")
    s.send("Enter")
    s.until_text(r"Email Audit │ Rejected emails · Today", "'re' picking Rejected")
    s.send("q")
    s.wait_exit()


def scenario_not_recorded_here(ctx):
    """Bug 14: an email known only from provider events is marked as not recorded by this system, with its own advice."""
    s = ctx.session("phantom", ctx.control_store, 120, 36)
    wait_for_list(s)
    event = accepted_event("e2e-phantom-1", NOW_EPOCH - 20.0, "ghost.one@example.com", "")
    event["message"]["headers"]["from"] = ""
    run_cli(ctx.binary, "ingest", "--db", s.db, "-", stdin=json.dumps(event) + "\n")
    s.until(lambda lines: any("ghost.one@example.com" in row and "(not recorded by this system)" in row
                              and "Not recorded" in row for row in list_rows(lines)),
            "the phantom email marked '(not recorded by this system)' in the list")
    s.send("/")
    s.type("ghost.one@example.com")
    s.send("Enter")
    s.until(lambda lines: len(list_rows(lines)) == 1, "the list filtered to the phantom email")
    s.send("Enter")
    s.until_text(r"Not recorded by this system: known only from the provider's events", "View's not-recorded line")
    s.until_text(r"Recommended action\s*│\n.*Not recorded by this system: the provider reported", "advice saying so")
    s.until_text(r"│ Subject\s+\(not recorded by this system\)", "the Subject marked as not recorded")
    s.send("Escape", "q")
    s.wait_exit()


def scenario_tab_focuses_then_opens(ctx):
    """Bug 12: Tab focuses each filter field the same way (closed); Enter or Space opens it."""
    s = ctx.session("tabfocus", ctx.store, 120, 36)
    wait_for_list(s)
    s.send("Tab")
    s.until_text(r"Enter Open", "Tab focusing Raised by, closed, with 'Enter Open' in the hint bar")
    if "─ Raised by ─" in s.screen():
        raise Failure("Tab opened the Raised by list instead of focusing the field\n" + s.dump())
    s.send("Enter")
    s.until_text(r"─ Raised by ─", "Enter opening Raised by")
    s.send("Tab")
    s.until(lambda lines: "─ Raised by ─" not in "\n".join(lines) and "─ Status ─" not in "\n".join(lines)
            and "Enter Open" in lines[-1], "Tab moving on to Status, closed")
    s.send("Space")
    s.until_text(r"─ Status ─", "Space opening Status")
    s.send("Escape", "q")
    s.wait_exit()


def suppressions_json(ctx, db, user=USER, *args):
    """`suppressions list --format json` (or another subcommand's JSON) for a user."""
    command = args or ("list",)
    return json.loads(run_cli(ctx.binary, "suppressions", *command, "--db", db, "--user", user, "--format", "json"))


def scenario_support_removes_suppression(ctx):
    """Issue 7: a support user picks the account (A), opens the suppression list (S), removes the
    first entry with a reason (D, Enter twice); the store's trail records who and why."""
    s = ctx.session("suppressremove", ctx.store, 120, 36, user=SUPPORT_USER)
    wait_for_list(s)
    s.until_text(r"signed in as Kate Ellison \(support\)", "the header naming the support user")
    s.send("A")
    s.until_text(r"Choose the account", "the account picker")
    s.until_text(r"Northgate Block Management", "the other agencies in the picker")
    s.send("Escape")
    s.until(lambda lines: "Choose the account" not in "\n".join(lines), "Esc closing the picker")
    entries = suppressions_json(ctx, s.db, SUPPORT_USER)
    if not entries:
        raise Failure("the seeded Harbour Lets has no suppressed address")
    address = entries[0]["address"]
    s.send("S")
    s.until_text(r"Suppression list │", "the suppression list")
    s.until_text(rf"{len(entries)} suppressed", "its count in the status line")
    s.send("D")
    s.until_text(r"Remove the suppression", "the reason pop-up")
    s.type("Recipient confirmed the mailbox")
    s.send("Enter")
    s.until_text(r"Enter again removes it", "the confirmation")
    s.send("Enter")
    s.until_text(r"Removed " + re.escape(address[:30]), "the removal notice")
    s.until_text(rf"{len(entries) - 1} suppressed", "the list without the entry")
    trail = suppressions_json(ctx, s.db, SUPPORT_USER, "history", address)
    last = trail[-1] if trail else {}
    if last.get("action") != "removed" or last.get("by") != SUPPORT_USER or last.get("note") != "Recipient confirmed the mailbox":
        raise Failure(f"the trail does not record the removal: {trail}")
    s.send("Escape")
    s.until_text(r"Email Audit │", "Esc back to the list")
    s.send("q")
    s.wait_exit()


def scenario_staff_cannot_remove_suppression(ctx):
    """Issue 7: staff see the suppression list but D is refused with the support role named; nothing changes."""
    s = ctx.session("suppressstaff", ctx.store, 120, 36)
    wait_for_list(s)
    before = suppressions_json(ctx, s.db)
    s.send("A")
    s.until_text(r"Only support users choose an account", "A refused for staff")
    s.send("S")
    s.until_text(r"Suppression list │", "the suppression list")
    s.send("D")
    s.until_text(r"needs the support role", "D refused for staff")
    if suppressions_json(ctx, s.db) != before:
        raise Failure("a refused removal changed the list")
    s.send("q", "q")
    s.wait_exit()


def widget_counts(lines):
    """The Email Notification widget's four counts as drawn: {"Failed": 3, ...}."""
    for line in lines:
        found = re.findall(r"(Failed|Complained|Rejected|Unsubscribed) (\d+)", line)
        if len(found) == 4:
            return {name: int(count) for name, count in found}
    return None


def notifications_json(ctx, db, *args):
    return json.loads(run_cli(ctx.binary, "notifications", *args, "--db", db, "--user", USER, "--format", "json"))


def scenario_workbench_widget_to_audit(ctx):
    """Issue 7: w opens the Workbench; the Email Notification widget counts yesterday's Failed,
    Complained, Rejected and Unsubscribed (equal to `query` for that day); Enter opens the Email
    Audit on them with the same count; a notification opens its email; M marks all read."""
    yesterday = "14/03/2025"
    expected = {status: len(cli_rows(ctx, "--status", status.lower(), "--from", yesterday, "--until", yesterday))
                for status in ("Failed", "Complained", "Rejected", "Unsubscribed")}
    s = ctx.session("workbench", ctx.store, 120, 36)
    wait_for_list(s)
    unread = sum(1 for item in notifications_json(ctx, s.db) if item["unread"])
    if unread == 0:
        raise Failure("the seeded store gave Amelia Hughes no notification")
    s.until_text(rf"{unread} unread \(w\)", "the unread count in the list's header")
    s.send("w")
    s.until_text(r"Workbench │ Notifications of Amelia Hughes", "the Workbench")
    s.until_text(rf"Email Notification · yesterday, {yesterday}", "the widget naming yesterday")
    s.until(lambda lines: widget_counts(lines) == expected, f"the widget's counts {expected}")
    total = sum(expected.values())
    s.send("Enter")
    s.until_text(r"Email Audit │ Failed, Complained, Rejected, Unsubscribed emails · Yesterday", "the filtered audit")
    s.until(lambda lines: status_line_count(lines) == total, f"{total} emails, the widget's total")
    s.send("w")
    s.until_text(r"Workbench │", "w from the list")
    s.send("Down", "Enter")
    first = notifications_json(ctx, s.db)[0]
    s.until_text(rf"View email · Id {first['emailId']}\b", "the notification's email in View")
    s.send("Escape")
    s.until(lambda lines: "View email" not in "\n".join(lines) and "Email Notification" in "\n".join(lines),
            "Esc back to the Workbench")
    s.send("M")
    s.until_text(r" 0 unread \(w\)", "M marking every notification read")
    if any(item["unread"] for item in notifications_json(ctx, s.db)):
        raise Failure("M left unread notifications in the store")
    s.send("Escape", "q")
    s.wait_exit()
    # --workbench opens on it.
    w = ctx.session("workbench-flag", ctx.store, 80, 24, extra_args=("--workbench",))
    w.until_text(r"Workbench │", "--workbench opening on the Workbench")
    w.until(lambda lines: widget_counts(lines) == expected, "the widget's counts at 80 columns")
    w.send("p")
    w.until_text(r"Notification preferences", "the preferences pane")
    w.send("Escape", "Escape", "q")
    w.wait_exit()


def scenario_resend_corrected_address(ctx):
    """Issue 7: View → R → correct the To → Enter (n: contacts left) → the new email's View says "Resend of #M";
    the store has it Pending, linked both ways; a malformed To is refused in the pop-up first."""
    today = cli_rows(ctx, "--from", TODAY, "--until", TODAY)
    suppressed = {e["address"] for e in suppressions_json(ctx, ctx.store)}
    counts = {}
    for row in today:
        counts[row["To"]] = counts.get(row["To"], 0) + 1
    row = next((r for r in today if counts[r["To"]] == 1 and r["Activity"] != "External" and r["To"] not in suppressed
                and len(r["To"]) < 40), None)
    if row is None:
        raise Failure("the seeded store has no address with a single email today")
    original, address = row["Id"], row["To"]
    corrected = "fixed." + address
    s = ctx.session("resend", ctx.store, 120, 36)
    wait_for_list(s)
    open_by_address(s, address)
    s.send("R")
    s.until_text(r"Resend email #" + original, "the resend pop-up")
    s.until_text(re.escape(address), "the To prefilled")
    s.send("C-u")
    s.type("not-an-address")
    s.send("Enter")
    s.until_text(r"'not-an-address' is not an email address", "a malformed To refused on one line")
    s.send("C-u")
    s.type(corrected)
    s.send("Enter")
    s.until(lambda lines: "n leave them" in "\n".join(lines) or re.search(r"Resend of\s+#", "\n".join(lines)),
            "the contacts question or the new email")
    if "n leave them" in s.screen():
        s.send("n")
    s.until_text(r"Resend of\s+#" + original + r" \(To corrected from " + re.escape(address[:30]), "the new email's View: Resend of #M")
    new_id = re.search(r"View email . Id (\d+)", s.screen()).group(1)
    shown = json.loads(run_cli(ctx.binary, "show", new_id, "--db", s.db, "--user", USER, "--format", "json"))
    if shown.get("resendOf") != int(original) or shown.get("status") != "Pending" or shown.get("to") != corrected:
        raise Failure(f"the store does not have the resend as expected: {str(shown)[:300]}")
    s.send("Enter")
    s.until_text(r"View email . Id " + original + r"\b", "Enter jumping to the original")
    s.until_text(r"Resent as\s+#" + new_id, "the original's View: Resent as #N")
    s.send("Escape", "Escape", "Escape", "q")
    s.wait_exit()


def scenario_problems_preset(ctx):
    """Search: P applies the Problems preset (Failed, Complained, Rejected, Unsubscribed) in one key."""
    expected = [r for r in cli_rows(ctx, "--range", "all") if r["Status"] in ("Failed", "Complained", "Rejected", "Unsubscribed")]
    s = ctx.session("problems", ctx.store, 120, 36)
    wait_for_list(s)
    s.send("a", "P")
    s.until_text(r"Email Audit │ Failed, Complained, Rejected, Unsubscribed emails · All dates", "the Problems preset in the header")
    s.until(lambda lines: status_line_count(lines) == len(expected), f"{len(expected)} problem emails")
    s.send("q")
    s.wait_exit()


def domain_of(address):
    return address.rsplit("@", 1)[1] if "@" in address else address


def scenario_search_domain(ctx):
    """Search: To *@domain on the screen lists exactly the emails to that domain (any local part)."""
    rows = cli_rows(ctx, "--range", "all")
    counts = {}
    for row in rows:
        counts[domain_of(row["To"].lower())] = counts.get(domain_of(row["To"].lower()), 0) + 1
    # A mid-sized domain: neither the biggest nor a one-off.
    domain = sorted(counts, key=lambda d: (-counts[d], d))[min(3, len(counts) - 1)]
    expected = counts[domain]
    s = ctx.session("searchdomain", ctx.store, 120, 36)
    wait_for_list(s)
    s.send("a", "/")
    s.type("*@" + domain.upper())
    s.until_text(r"every address @" + re.escape(domain), "the To field naming the domain")
    s.send("Enter")
    s.until_text(r"All emails to \*@" + re.escape(domain) + r" · All dates", "the domain in the header")
    lines = s.until(lambda lines: status_line_count(lines) == expected and list_rows(lines), f"{expected} emails to {domain}")
    shown = [ROW.match(line).group(2) for line in list_rows(lines)]
    # A long address is cut with … at 120 columns; the count above is exact either way.
    if not all(address.lower().endswith("@" + domain) or address.endswith("…") for address in shown):
        raise Failure(f"rows not to @{domain}: {shown}\n" + s.dump())
    s.send("q")
    s.wait_exit()


def scenario_search_substring(ctx):
    """Search: To *part* on the screen lists every email whose address contains the part."""
    rows = cli_rows(ctx, "--range", "all")
    local = sorted({row["To"].lower().split("@")[0] for row in rows if "@" in row["To"]})[len(rows) % 7]
    part = local[1:5] if len(local) > 5 else local
    expected = sum(1 for row in rows if part in row["To"].lower())
    s = ctx.session("searchpart", ctx.store, 120, 36)
    wait_for_list(s)
    s.send("a", "/")
    s.type(f"*{part}*")
    s.send("Enter")
    s.until_text(r"All emails to \*" + re.escape(part) + r"\* · All dates", "the part in the header")
    lines = s.until(lambda lines: status_line_count(lines) == expected and list_rows(lines), f"{expected} emails containing {part}")
    if not all(part in ROW.match(line).group(2).lower() or ROW.match(line).group(2).endswith("…") for line in list_rows(lines)):
        raise Failure(f"a row without {part!r}\n" + s.dump())
    s.send("q")
    s.wait_exit()


def scenario_subject_field(ctx):
    """Search: t opens the Subject field; the list keeps the emails whose subject contains the text."""
    rows = cli_rows(ctx, "--range", "all")
    word = "Kingfisher" if any("kingfisher" in r["Subject"].lower() for r in rows) else rows[0]["Subject"].split()[-1]
    expected = sum(1 for row in rows if word.lower() in row["Subject"].lower())
    s = ctx.session("subjectfield", ctx.store, 120, 36)
    wait_for_list(s)
    s.send("a", "t")
    s.until_text(r"─ Subject ─", "the Subject field open")
    s.type(word.lower())
    s.until_text(r"Subject: " + re.escape(word.lower()) + "▏", "the text typed in the filter bar")
    s.send("Enter")
    s.until_text(r"All emails about “" + re.escape(word.lower()) + r"” · All dates", "the subject in the header")
    lines = s.until(lambda lines: status_line_count(lines) == expected and list_rows(lines), f"{expected} emails about {word}")
    s.until_text(r"Subject: “" + re.escape(word.lower()) + "”", "the Subject field in the filter bar")
    s.send("q")
    s.wait_exit()


def scenario_domain_breakdown(ctx):
    """Search: D lists failures per domain for the filter; Enter filters To to the domain; Esc comes back."""
    rows = cli_rows(ctx, "--range", "all")
    per = {}
    for row in rows:
        if row["Status"] in ("Failed", "Complained", "Rejected"):
            d = per.setdefault(domain_of(row["To"].lower()), {"Failed": 0, "Complained": 0, "Rejected": 0})
            d[row["Status"]] += 1
    total = sum(sum(v.values()) for v in per.values())
    top = sorted(per, key=lambda d: (-sum(per[d].values()), d))[0]
    s = ctx.session("breakdown", ctx.store, 120, 36)
    wait_for_list(s)
    s.send("a")
    s.until_text(r"All emails · All dates", "all dates")
    s.send("D")
    s.until_text(r"Failures by domain", "the breakdown pop-up")
    c = per[top]
    share = f"{sum(c.values()) * 100 / total:.1f}%"
    first = re.escape(top) + r"\s+" + r"\s+".join(f"{c[k]:,}" for k in ("Failed", "Complained", "Rejected")) + r"\s+" + re.escape(share)
    s.until_text(first, f"{top} first with {c} and {share}")
    s.until_text(f"{total:,} failures in {len(per):,} domains", "the total under the rows")
    s.send("Enter")
    s.until_text(r"All emails to \*@" + re.escape(top) + r" · All dates", "Enter filtering To to the domain")
    expected = sum(1 for row in rows if domain_of(row["To"].lower()) == top)
    s.until(lambda lines: status_line_count(lines) == expected, f"{expected} emails to {top}")
    s.send("Escape")
    s.until_text(r"Failures by domain", "Esc back to the breakdown")
    s.send("Escape")
    s.until(lambda lines: "Failures by domain" not in "\n".join(lines) and "All emails · All dates" in lines[0],
            "Esc back to the list as it was")
    s.send("q")
    s.wait_exit()


def scenario_message_id_in_to(ctx):
    """Search: a Message-ID typed into To as <id> opens that email's View; another account's is not found."""
    index, email_id, _ = longest_failure(ctx)
    message_id = show_field(run_cli(ctx.binary, "show", "--db", ctx.store, email_id), "Message id").strip("<>")
    s = ctx.session("messageid", ctx.store, 120, 36)
    wait_for_list(s)
    s.send("/")
    s.type(f"<{message_id}>")
    s.send("Enter")
    s.until_text(f"View email · Id {email_id} ", f"View of email {email_id}")
    s.send("Escape")
    s.until(lambda lines: "View email" not in "\n".join(lines) and "All emails · Today" in lines[0], "Esc back, filters unchanged")
    # Another agency's Message-ID finds nothing for a user signed in to Harbour Lets.
    other = json.loads(run_cli(ctx.binary, "query", "--db", ctx.store, "--user", OTHER_ACCOUNT_USER, "--range", "all",
                               "--status", "delivered", "--format", "json", "--limit", "1"))[0]["id"]
    other_message = show_field(run_cli(ctx.binary, "show", "--db", ctx.store, "--user", OTHER_ACCOUNT_USER, str(other)),
                               "Message id").strip("<>")
    s.send("/")
    s.type(f"<{other_message}>")
    s.send("Enter")
    s.until_text(r"No email has Message-ID <" + re.escape(other_message[:20]), "another account's Message-ID not found")
    if any("View email" in line for line in s.lines()):
        raise Failure("another account's email opened\n" + s.dump())
    s.send("q")
    s.wait_exit()


def scenario_postgres_screen(ctx):
    """Issue 13: the screen on EMAIL_AUDIT_DB=postgresql://... (a store written by email-audit-test-fixture):
    rows, View with the email's events, R resending it to a corrected address (the new email's View, and in the
    store), the Workbench's notifications (raised by the fixture's ingest), M marking them read and the
    preferences pane, q restores."""
    server = os.environ.get("EMAIL_AUDIT_TEST_POSTGRES_URL", "")
    if not server:
        if os.environ.get("CI") == "true":
            raise Failure("CI=true but EMAIL_AUDIT_TEST_POSTGRES_URL is unset: the screen on PostgreSQL was not tested")
        raise Skipped("EMAIL_AUDIT_TEST_POSTGRES_URL is unset (bash scripts/pg_throwaway.sh with ...)")
    psql = shutil.which("psql") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), reverse=True)), None)
    fixture = os.path.join(os.path.dirname(ctx.binary), "email-audit-test-fixture")
    if psql is None or not os.path.exists(fixture):
        raise Failure(f"needs psql ({psql}) and {fixture}")
    name = "e2e_%d" % os.getpid()
    created = subprocess.run([psql, server, "-qc", f"CREATE DATABASE {name}"], capture_output=True, text=True)
    if created.returncode != 0:
        raise Failure(f"CREATE DATABASE failed: {created.stderr}")
    try:
        parts = urllib.parse.urlsplit(server)
        url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
        written = subprocess.run([fixture, "--postgres", url], capture_output=True, text=True, timeout=120)
        if written.returncode != 0:
            raise Failure(f"the fixture failed: {written.stderr}")
        # The fixture's newest email is "Rent receipt 36" at 25/11/2026 17:01 (the last of 36, 16 hours apart).
        s = Session(ctx.work, "postgres", ctx.binary, url, 120, 36, extra_args=("--now", "25/11/2026 18:00"), user="Priya Shah")
        ctx.sessions.append(s)
        s.until_text(r"Rent receipt 36", "the PostgreSQL store's newest email in the list")
        s.until_text(r"Harbour Lets", "the account in the header")
        s.send("Enter")
        s.until_text(r"View email . Id \d+", "the View pop-up")
        s.until_text(r"Opened", "the email's events")
        original = re.search(r"View email . Id (\d+)", s.screen()).group(1)
        # R resends on PostgreSQL too: the fixture's addresses are all suppressed, so to a corrected one.
        s.send("R")
        s.until_text(r"Resend email #" + original, "the resend pop-up on PostgreSQL")
        s.send("C-u")
        s.type("dan.new@example.net")
        s.send("Enter")
        s.until(lambda lines: "n leave them" in "\n".join(lines) or re.search(r"Resend of\s+#", "\n".join(lines)),
                "the contacts question or the new email")
        if "n leave them" in s.screen():
            s.send("n")
        s.until_text(r"Resend of\s+#" + original, "the new email's View on PostgreSQL: Resend of #M")
        new_id = re.search(r"View email . Id (\d+)", s.screen()).group(1)
        shown = json.loads(run_cli(ctx.binary, "show", new_id, "--db", url, "--user", "Priya Shah", "--format", "json"))
        if shown.get("resendOf") != int(original) or shown.get("status") != "Pending" or shown.get("to") != "dan.new@example.net":
            raise Failure(f"the PostgreSQL store does not have the resend as expected: {str(shown)[:300]}")
        s.send("Escape", "Escape")
        s.until_text(r"[1-9]\d* unread \(w\)", "the header's unread notifications on PostgreSQL")
        s.send("w")
        s.until_text(r"Email Notification · yesterday, 24/11/2026", "the Workbench's widget on PostgreSQL")
        s.until_text(r"(\d+) notifications? · \1 unread", "the Workbench lists Priya's notifications, all unread")
        s.send("M")
        s.until_text(r"[1-9]\d* notifications? · 0 unread", "M marks them read on PostgreSQL")
        s.send("p")
        s.until_text(r"Notification preferences", "the preferences pane on PostgreSQL")
        s.send("Escape")
        s.until(lambda lines: not any("Notification preferences" in line for line in lines), "Esc closes the pane")
        s.send("q")
        s.until_text(r"Rent receipt 36", "q on the Workbench goes back to the list")
        s.send("q")
        s.wait_exit()
        s.check_restored()
    finally:
        ctx.close()
        subprocess.run([psql, server, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True, text=True)


SCENARIOS = [
    ("filter-view-units-quit", scenario_filter_view_units),
    ("control-bytes-neutralised", scenario_control_bytes),
    ("resize-with-popup", scenario_resize),
    ("live-updates", scenario_live_updates),
    ("mouse", scenario_mouse),
    ("esc-latency", scenario_esc_latency),
    ("no-color-no-mouse", scenario_no_color_no_mouse),
    ("too-small-q-quits", scenario_too_small_q),
    ("sigterm-restores", signal_scenario(signal.SIGTERM)),
    ("sighup-restores", signal_scenario(signal.SIGHUP)),
    ("crash-restores", signal_scenario(signal.SIGSEGV, crash=True)),
    ("ctrl-c-restores", scenario_ctrl_c),
    ("restore-check-detects-sigkill", scenario_restore_check_bites),
    ("ascii-locale-c-xterm", ascii_scenario("ascii-locale-c-xterm", "xterm-256color", 120, 36, {"LANG": "C", "LC_ALL": "C"})),
    ("ascii-locale-c-vt100", ascii_scenario("ascii-locale-c-vt100", "vt100", 80, 24, {"LANG": "C", "LC_ALL": "C"})),
    ("ascii-flag-on-utf8", ascii_scenario("ascii-flag-on-utf8", "xterm-256color", 100, 30, {}, args=["--ascii"], locale_note=False)),
    ("ascii-env-on-utf8", ascii_scenario("ascii-env-on-utf8", "vt100", 80, 24, {"EMAIL_AUDIT_ASCII": "1"}, locale_note=False)),
    ("unknown-term-one-line", unusable_term_scenario("foo")),
    ("dumb-term-one-line", unusable_term_scenario("dumb")),
    ("ascii-no-line-drawing-set", scenario_no_line_drawing_set),
    # A UTF-8 locale the machine has not generated: setlocale falls back to C, so ASCII too.
    ("ascii-missing-utf8-locale", ascii_scenario("ascii-missing-utf8-locale", "xterm-256color", 100, 30, {"LANG": "xx_XX.UTF-8", "LC_ALL": "xx_XX.UTF-8"})),
    ("sigint-restores", signal_scenario(signal.SIGINT)),
    ("signals-end-within-a-second", scenario_signals_within_a_second),
    ("signal-state-single-copy", scenario_signal_state_single_copy),
    ("hostile-text-screen", scenario_hostile_text_screen),
    ("alt-q-types-in-to-field", scenario_alt_q_in_to_field),
    ("zwj-columns-aligned", scenario_zwj_columns),
    ("long-subject-view", scenario_long_subject_view),
    ("paste-into-to", scenario_paste_into_to),
    ("demo-saves-on-sigterm", demo_signal_scenario(signal.SIGTERM)),
    ("demo-saves-on-sighup", demo_signal_scenario(signal.SIGHUP)),
    ("custom-dates-from-to", scenario_custom_dates),
    ("status-line-problems-first", scenario_status_line_problems_first),
    ("header-names-statuses", scenario_header_names_statuses),
    ("u-on-empty-list", scenario_u_on_empty_list),
    ("navigation-stack", scenario_navigation_stack),
    ("units-listed-once", scenario_units_listed_once),
    ("help-status-names", scenario_help_status_names),
    ("external-in-raised-by", scenario_external_in_raised_by),
    ("sgr-mouse", scenario_sgr_mouse),
    ("provider-words-readable", scenario_provider_words_readable),
    ("id-on-screen", scenario_id_on_screen),
    ("action-first", scenario_action_first),
    ("narrow-columns", scenario_narrow_columns),
    ("status-picker", scenario_status_picker),
    ("not-recorded-here", scenario_not_recorded_here),
    ("tab-focuses-then-opens", scenario_tab_focuses_then_opens),
    ("problems-preset", scenario_problems_preset),
    ("support-removes-suppression", scenario_support_removes_suppression),
    ("resend-corrected-address", scenario_resend_corrected_address),
    ("staff-cannot-remove-suppression", scenario_staff_cannot_remove_suppression),
    ("workbench-widget-to-audit", scenario_workbench_widget_to_audit),
    ("search-domain", scenario_search_domain),
    ("search-substring", scenario_search_substring),
    ("search-subject-field", scenario_subject_field),
    ("search-domain-breakdown", scenario_domain_breakdown),
    ("search-message-id", scenario_message_id_in_to),
    ("postgres-screen", scenario_postgres_screen),
]


# ----------------------------------------------------------------------------- fixtures and main


def accepted_event(key, timestamp, to, subject, kind="accepted"):
    """A Mailgun event for message <key@mg.harbourlets.co.uk> (ingest makes an External email)."""
    event = {
        "id": f"{key}-{kind}", "event": kind, "timestamp": timestamp, "recipient": to,
        "message": {"headers": {
            "to": to, "from": "Harbour Lets <helpdesk@mg.harbourlets.co.uk>",
            "subject": subject, "message-id": f"<{key}@mg.harbourlets.co.uk>"}},
    }
    if kind == "delivered":
        event["delivery-status"] = {"code": 250, "message": "OK", "attempt-no": 1}
    return event


class Context:
    def __init__(self, binary, work, server=None):
        self.binary = binary
        self.work = work
        self.sessions = []
        # --postgres: the server's URL; the stores are databases on it, named after this run.
        self.server = server
        self.postgres = server is not None
        self.psql = psql_binary() if server else None
        self.prefix = "e2e_%d" % os.getpid()
        self.databases = []
        self.store = self.store_location("seeded")
        self.control_store = self.store_location("control")
        self.text_store = self.store_location("text")

    def store_location(self, name):
        """A SQLite file in the work folder, or (--postgres) the URL of database e2e_PID_name."""
        if self.postgres:
            return with_database(self.server, f"{self.prefix}_{name}")
        return os.path.join(self.work, f"{name}.sqlite")

    def psql_run(self, url, sql):
        result = subprocess.run([self.psql, url, "-XAtq", "-F", "\t", "-c", sql], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise Failure(f"psql {sql!r} failed: {result.stderr.strip()}")
        return result.stdout

    def sql(self, db, query):
        """The rows of `query` on a store (sqlite3, or psql --postgres), each a tuple of text/values."""
        if not self.postgres:
            import sqlite3
            connection = sqlite3.connect(db)
            try:
                return connection.execute(query).fetchall()
            finally:
                connection.close()
        return [tuple(line.split("\t")) for line in self.psql_run(db, query).split("\n") if line]

    def copy_store(self, source, target):
        """Copies a store: a file, or (--postgres) a new database made from the source database as its template."""
        if not self.postgres:
            shutil.copyfile(source, target)
            return
        name = urllib.parse.urlsplit(target).path.lstrip("/")
        template = urllib.parse.urlsplit(source).path.lstrip("/")
        deadline = time.monotonic() + 10
        while True:
            # The template must have no session: a CLI that just ended may still be leaving.
            result = subprocess.run([self.psql, self.server, "-XAtq", "-c", f"CREATE DATABASE {name} TEMPLATE {template}"],
                                    capture_output=True, text=True, timeout=120)
            if result.returncode == 0:
                self.databases.append(name)
                return
            if "being accessed by other users" not in result.stderr or time.monotonic() > deadline:
                raise Failure(f"CREATE DATABASE {name} TEMPLATE {template} failed: {result.stderr.strip()}")
            time.sleep(0.2)

    def create_store(self, db):
        """An empty store to seed: nothing for a file; a new database for --postgres."""
        if self.postgres:
            name = urllib.parse.urlsplit(db).path.lstrip("/")
            self.psql_run(self.server, f"CREATE DATABASE {name}")
            self.databases.append(name)

    def drop_store(self, db):
        """Removes a scenario's store (a database for --postgres; the files stay in the work folder)."""
        if self.postgres and db:
            name = urllib.parse.urlsplit(db).path.lstrip("/")
            subprocess.run([self.psql, self.server, "-XAtq", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                           capture_output=True, text=True, timeout=120)
            if name in self.databases:
                self.databases.remove(name)

    def drop_all(self):
        for name in list(self.databases):
            self.drop_store(with_database(self.server, name))

    def prepare(self):
        self.create_store(self.store)
        # Seeding PostgreSQL is round trips (docs/postgres.md, "seed, demo and simulate on PostgreSQL"): about
        # 100,000 statements, a minute or two on a loaded machine; the timeout leaves room for a very loaded one.
        run_cli(self.binary, "seed", "--db", self.store, *SEED_ARGS, "--now", NOW, "--quiet", timeout=2400 if self.postgres else 300)
        # The control-byte email: a Mailgun `accepted` event for a message the store has never
        # seen, so ingest creates an External email from its headers.
        event = accepted_event("e2e-control-bytes-1", NOW_EPOCH - 90.0, CONTROL_ADDRESS, CONTROL_SUBJECT)
        wide = accepted_event("e2e-wide-1", NOW_EPOCH - 150.0, WIDE_ADDRESS, WIDE_SUBJECT)
        self.copy_store(self.store, self.control_store)
        run_cli(self.binary, "ingest", "--db", self.control_store, "-",
                stdin=json.dumps(event) + "\n" + json.dumps(wide) + "\n")
        # Hostile provider text (every field), emoji ZWJ sequences, and a 1 MB subject.
        hostile = accepted_event("e2e-hostile-1", NOW_EPOCH - 60.0, HOSTILE_ADDRESS, "Subject " + HOSTILE, "failed")
        hostile.update({"severity": "permanent", "reason": "bounce" + HOSTILE, "delivery-status": {
            "code": 550, "enhanced-code": "5.1.1" + HOSTILE, "message": "msg" + HOSTILE,
            "description": "desc" + HOSTILE, "mx-host": "mx" + HOSTILE, "attempt-no": 1}})
        zwj = accepted_event("e2e-zwj-1", NOW_EPOCH - 70.0, ZWJ_ADDRESS, ZWJ_SUBJECT)
        long = accepted_event("e2e-long-1", NOW_EPOCH - 80.0, LONG_ADDRESS, LONG_SUBJECT)
        self.copy_store(self.store, self.text_store)
        run_cli(self.binary, "ingest", "--db", self.text_store, "-",
                stdin="".join(json.dumps(e) + "\n" for e in (hostile, zwj, long)))

    def session(self, name, db, width, height, extra_env=None, extra_args=(), command=(), user=USER):
        # Each scenario gets its own copy of the store, so none can disturb another.
        copy = with_database(self.server, f"{self.prefix}_run_{name.lower().replace('-', '_')}") if self.postgres \
            else os.path.join(self.work, f"run-{name}.sqlite")
        self.copy_store(db, copy)
        session = Session(self.work, name, self.binary, copy, width, height, extra_args, extra_env, command, user)
        session.db = copy
        self.sessions.append(session)
        return session

    def close(self):
        for session in self.sessions:
            try:
                pid = session.state_file("app.pid")
                if pid and os.path.exists(f"/proc/{pid}") and not _is_zombie(int(pid)):
                    os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
            session.kill()
            self.drop_store(getattr(session, "db", None))
        self.sessions = []


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True, help="path to the built email-audit")
    parser.add_argument("-k", dest="only", action="append", default=[], help="run scenarios whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (stores, stty records)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--postgres", action="store_true",
                        help="every scenario on a PostgreSQL database of the server of EMAIL_AUDIT_TEST_POSTGRES_URL")
    parser.add_argument("--reuse", metavar="PREFIX",
                        help="with --postgres: take the stores a kept run made (PREFIX_seeded, _control, _text, e.g. e2e_1234) "
                             "instead of seeding again (for re-running scenarios while fixing them)")
    args = parser.parse_args()

    if args.list:
        for name, fn in SCENARIOS:
            print(f"{name}: {fn.__doc__}")
        return 0
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"e2e: no executable at {binary} (build first)", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    if shutil.which("tmux") is None:
        print("e2e: tmux is not installed (apt-get install tmux)", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    server = None
    if args.postgres:
        server = os.environ.get("EMAIL_AUDIT_TEST_POSTGRES_URL", "")
        if not server or psql_binary() is None:
            why = "--postgres needs EMAIL_AUDIT_TEST_POSTGRES_URL and psql (bash scripts/pg_throwaway.sh with ...)"
            if os.environ.get("CI") == "true":
                print(f"e2e: {why}", file=sys.stderr)
                print("0 passed, 1 failed")
                return 1
            print(f"e2e: skipped: {why}")
            print("0 passed, 0 failed, all skipped")
            return 0
    chosen = [(n, f) for n, f in SCENARIOS if not args.only or any(k in n for k in args.only)]
    work = tempfile.mkdtemp(prefix="email-audit-e2e-")
    ctx = Context(binary, work, server)
    if args.reuse:
        if not args.postgres:
            print("e2e: --reuse needs --postgres", file=sys.stderr)
            return 2
        ctx.prefix = args.reuse
        ctx.store, ctx.control_store, ctx.text_store = (ctx.store_location(n) for n in ("seeded", "control", "text"))
    passed = failed = skipped = 0
    try:
        started = time.monotonic()
        if not args.reuse:
            ctx.prepare()
        where = f"PostgreSQL databases {ctx.prefix}_* on {server}" if server else work
        print(f"e2e: seeded store in {time.monotonic() - started:.1f}s ({where})", flush=True)
        for name, scenario in chosen:
            started = time.monotonic()
            try:
                scenario(ctx)
            except Skipped as why:
                skipped += 1
                print(f"skip {name}: {why}", flush=True)
            except Failure as failure:
                failed += 1
                print(f"FAIL {name} ({time.monotonic() - started:.1f}s): {scenario.__doc__}\n{failure}\n", flush=True)
            except Exception:  # a harness bug is a failure too
                failed += 1
                print(f"FAIL {name}: harness error\n{traceback.format_exc()}", flush=True)
            else:
                passed += 1
                print(f"ok   {name} ({time.monotonic() - started:.1f}s): {scenario.__doc__}", flush=True)
            finally:
                ctx.close()
    except Failure as failure:
        failed += 1
        print(f"FAIL setup: {failure}", flush=True)
    finally:
        ctx.close()
        if ctx.postgres and not (args.keep or failed):
            ctx.drop_all()
        if args.keep or failed:
            print(f"e2e: work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
