#!/usr/bin/env python3
"""Exports read back by independent readers: openpyxl for Excel, pdftotext/pdfinfo (poppler)
for PDF, Python's csv module for CSV; export rows equal `query --limit 0` rows; the CLI's
errors leave no partial file; and `x` on the real screen in tmux (progress, the saved path,
Esc cancelling with no file left).

When CI=true a missing reader fails the run; elsewhere it is skipped with a visible message.

Usage: scripts/export_tests.py --binary PATH
"""
import argparse
import csv
import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile

PASSED, FAILED, SKIPPED = [], [], []
IN_CI = os.environ.get("CI", "").lower() == "true"
SEED_NOW = "10/04/2026 12:00"  # 40 days back covers the clocks going forward on 29/03/2026


def check(name, condition, detail=""):
    (PASSED if condition else FAILED).append(name)
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f"  -- {detail}"))


def skip(name, why):
    if IN_CI:
        check(name, False, f"required when CI=true: {why}")
    else:
        SKIPPED.append(name)
        print(f"SKIP {name}: {why}")


# Who the exports are produced by: a staff member of the seeded Harbour Lets, signed in by
# login name (the store is a temporary demo store).
SIGNED_IN = "Amelia Hughes"
LOGIN = "amelia.hughes"


# (original id, resend id) made in main().
RESEND = None


def env():
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"),
            "TZ": "Europe/London", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "EMAIL_AUDIT_TZ": "Europe/London",
            "USER": LOGIN, "SWIFT_BACKTRACE": "interactive=no"}


def run(binary, *args, extra_env=None):
    full = env()
    full.update(extra_env or {})
    return subprocess.run([binary, *args], capture_output=True, text=True, env=full, timeout=600)


def one_line_error(result):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return result.returncode != 0 and len(lines) == 1, lines


def csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def query_rows(binary, db, filters):
    result = run(binary, "query", "--db", db, *filters, "--format", "csv", "--limit", "0")
    return list(csv.DictReader(io.StringIO(result.stdout)))


def leftovers(folder):
    return [name for name in os.listdir(folder) if ".partial-" in name]


# --------------------------------------------------------------------------- readers

def have_openpyxl():
    try:
        import openpyxl  # noqa: F401
        return True
    except ImportError:
        return False


def have_poppler():
    return shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None


# --------------------------------------------------------------------------- tests

def test_cli_errors(binary, db, work):
    existing = os.path.join(work, "existing.csv")
    with open(existing, "w") as handle:
        handle.write("precious\n")
    result = run(binary, "export", "--db", db, "--range", "all", "-o", existing)
    single, lines = one_line_error(result)
    check("existing file without --force: one-line error", single and "already exists" in lines[0], result.stderr)
    check("existing file without --force: untouched", open(existing).read() == "precious\n")
    forced = run(binary, "export", "--db", db, "--range", "all", "-o", existing, "--force")
    check("--force replaces it", forced.returncode == 0 and open(existing, encoding="utf-8-sig").read().startswith("Id,"),
          forced.stderr)

    for args, words in [
        (["-o", "/nonexistent-folder/x.csv"], "does not exist"),
        (["-o", "/etc/hostname/x.csv"], "cannot write"),
        (["-o", os.path.join(work, "x.doc")], "cannot tell the format"),
        (["-o", os.path.join(work, "x.csv"), "--format", "docx"], "is invalid for '--format <format>'. Please provide one of 'xlsx', 'pdf' or 'csv'."),
        (["-o", os.path.join(work, "x.csv"), "--status", "bounced"], "is invalid for '--status <status>'"),
        (["-o", work, "--format", "csv"], "is a folder"),
    ]:
        result = run(binary, "export", "--db", db, "--range", "all", *args)
        single, lines = one_line_error(result)
        check(f"export {' '.join(args)}: one-line error", single and words in lines[0], result.stderr)
    check("errors leave no file", not os.path.exists(os.path.join(work, "x.csv")) and not leftovers(work), os.listdir(work))

    # A full disk: a small tmpfs (needs root and mount; skipped with a message elsewhere).
    small = os.path.join(work, "small")
    os.makedirs(small)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small], capture_output=True).returncode == 0
    if not mounted:
        SKIPPED.append("full disk")
        print("SKIP full disk: cannot mount a small tmpfs here")
        return
    try:
        for extension in ["csv", "xlsx", "pdf"]:
            target = os.path.join(small, "full." + extension)
            result = run(binary, "export", "--db", db, "--range", "all", "-o", target)
            single, lines = one_line_error(result)
            check(f"full disk ({extension}): one-line error", single and ("space" in lines[0] or "disk" in lines[0]), result.stderr)
            check(f"full disk ({extension}): no file left", os.listdir(small) == [], os.listdir(small))
    finally:
        subprocess.run(["umount", small])


def test_rows_equal_query(binary, db, work):
    filters = [
        ["--range", "all"],
        ["--status", "failed", "--status", "complained", "--range", "all"],
        ["--to", "a*", "--range", "all"],
        ["--raised-by", "Tomasz Wiśniewski", "--range", "all"],
        ["--from", "27/03/2026", "--until", "31/03/2026"],
    ]
    for number, chosen in enumerate(filters):
        expected = query_rows(binary, db, chosen)
        path = os.path.join(work, f"same{number}.csv")
        result = run(binary, "export", "--db", db, *chosen, "-o", path)
        if result.returncode != 0:
            check(f"export {' '.join(chosen)}", False, result.stderr)
            continue
        rows = csv_rows(path)[1:]
        check(f"export rows == query --limit 0 rows ({' '.join(chosen)}; {len(expected)} rows)",
              [(r[0], r[1], r[2], r[4], r[5]) for r in rows]
              == [(e["Id"], e["Date"], e["To"], e["Raised by"], e["Status"]) for e in expected] and len(expected) > 0,
              f"{len(rows)} vs {len(expected)}")


def test_csv(binary, db, work):
    path = os.path.join(work, "all.csv")
    run(binary, "export", "--db", db, "--range", "all", "-o", path)
    raw = open(path, "rb").read()
    check("CSV starts with a UTF-8 BOM", raw.startswith(b"\xef\xbb\xbf"))
    rows = csv_rows(path)
    check("CSV header", rows[0] == ["Id", "Date", "To", "Subject", "Raised by", "Status", "Status detail", "Activity",
                                    "Recommended action", "Resend link"], rows[0])
    formula = [row for row in rows if row[0] in ("1", "2", "3")]
    check("CSV formula cells neutralised", formula and all(row[3].startswith("'") for row in formula),
          [row[3] for row in formula])
    check("CSV carries non-ASCII names", any(row[4] == "Tomasz Wiśniewski" for row in rows))
    check("CSV status detail has the provider's code", any(row[5] == "Failed" and row[6][:3].isdigit() for row in rows))
    original, resent = RESEND
    links = {row[0]: row[9] for row in rows[1:]}
    check("CSV Resend link column: both ways", links.get(original) == f"Resent as #{resent}"
          and links.get(resent) == f"Resend of #{original}", (links.get(original), links.get(resent)))
    check("CSV Resend link empty for emails without a resend", sum(1 for v in links.values() if v) == 2)
    plain = os.path.join(work, "plain.csv")
    run(binary, "export", "--db", db, "--range", "all", "-o", plain, "--no-bom")
    check("--no-bom", open(plain, "rb").read().startswith(b"Id,"))


def test_xlsx(binary, db, work):
    if not have_openpyxl():
        skip("XLSX read back with openpyxl", "openpyxl is not installed (pip install openpyxl)")
        return
    import openpyxl
    expected = query_rows(binary, db, ["--range", "all"])
    path = os.path.join(work, "all.xlsx")
    result = run(binary, "export", "--db", db, "--range", "all", "-o", path)
    check("xlsx export succeeds", result.returncode == 0, result.stderr)
    book = openpyxl.load_workbook(path)
    sheet = book["Emails"]
    check("xlsx: one sheet", book.sheetnames == ["Emails"], book.sheetnames)
    check("xlsx: row count", sheet.max_row - 5 == len(expected), f"{sheet.max_row - 5} vs {len(expected)}")
    header = [cell.value for cell in sheet[5]]
    check("xlsx: header", header == ["Id", "Date", "To", "Subject", "Raised by", "Status", "Status detail", "Activity",
                                     "Recommended action", "Resend link"], header)
    check("xlsx: header bold", all(cell.font.b for cell in sheet[5]))
    check("xlsx: heading names the filter", "All dates" in str(sheet["A2"].value), sheet["A2"].value)
    check("xlsx: frozen under the header", sheet.freeze_panes == "A6", sheet.freeze_panes)
    check("xlsx: autofilter on the header", sheet.auto_filter.ref == f"A5:J{len(expected) + 5}", sheet.auto_filter.ref)
    dates_ok, before, after, wrong = True, 0, 0, []
    for row, want in zip(sheet.iter_rows(min_row=6, values_only=True), expected):
        value = row[1]
        if not isinstance(value, datetime.datetime) or value.strftime("%d/%m/%Y %H:%M") != want["Date"] or str(row[0]) != want["Id"]:
            dates_ok = False
            wrong.append((row[0], value, want["Date"]))
        elif value.date() == datetime.date(2026, 3, 29):
            before += value.hour < 1
            after += value.hour >= 2
    check("xlsx: every date a real date-time in Europe/London", dates_ok, wrong[:3])
    check("xlsx: dates on both sides of the clock change on 29/03/2026", before > 0 and after > 0, (before, after))
    original, resent = RESEND
    xlsx_links = {str(row[0]): row[9] for row in sheet.iter_rows(min_row=6, values_only=True)}
    check("xlsx: Resend link column both ways", xlsx_links.get(original) == f"Resent as #{resent}"
          and xlsx_links.get(resent) == f"Resend of #{original}", (xlsx_links.get(original), xlsx_links.get(resent)))
    check("xlsx: date cells have a date-time format", sheet["B6"].is_date and "hh:mm" in sheet["B6"].number_format,
          sheet["B6"].number_format)
    names = {row[4] for row in sheet.iter_rows(min_row=6, values_only=True)}
    check("xlsx: non-ASCII names", {"Tomasz Wiśniewski", "Zoë Clarke"} <= names, sorted(names)[:5])
    failed = next((cell for cell in sheet["F"][5:] if cell.value == "Failed"), None)
    check("xlsx: Failed coloured as on screen (red)", failed is not None and failed.font.color is not None
          and failed.font.color.rgb == "FFC00000", failed.font.color.rgb if failed is not None and failed.font.color else None)

    with zipfile.ZipFile(path) as archive:
        check("xlsx: every zip entry's CRC-32 right (Python zipfile)", archive.testzip() is None)
        check("xlsx: entries deflated", all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist()))
    big = os.path.join(work, "zip64.xlsx")
    result = run(binary, "export", "--db", db, "--range", "all", "-o", big, "--zip64")
    check("xlsx with ZIP64 records succeeds", result.returncode == 0, result.stderr)
    with zipfile.ZipFile(big) as archive:
        check("xlsx with ZIP64 records: zipfile reads it whole", archive.testzip() is None and len(archive.infolist()) == 8)
    rows = openpyxl.load_workbook(big)["Emails"].max_row - 5
    check("xlsx with ZIP64 records: openpyxl reads every row", rows == len(expected), f"{rows} vs {len(expected)}")

    small = os.path.join(work, "sheets.xlsx")
    run(binary, "export", "--db", db, "--range", "all", "-o", small, "--sheet-row-limit", "400")
    book = openpyxl.load_workbook(small)
    per_sheet = 400 - 5
    sheets = -(-len(expected) // per_sheet)
    check("xlsx: further sheets past the row limit", book.sheetnames == ["Emails"] + [f"Emails {n}" for n in range(2, sheets + 1)],
          book.sheetnames)
    ids = [str(row[0]) for name in book.sheetnames for row in book[name].iter_rows(min_row=6, values_only=True)]
    check("xlsx: the sheets hold every row once, in order", ids == [e["Id"] for e in expected], f"{len(ids)}")
    check("xlsx: second sheet has its own header and filter",
          book["Emails 2"]["A5"].value == "Id" and book["Emails 2"].freeze_panes == "A6"
          and book["Emails 2"].auto_filter.ref == "A5:J400", book["Emails 2"].auto_filter.ref)


def pdf_pages(path):
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True).stdout
    pages = text.split("\f")
    return [page for page in pages if page.strip()]


def test_pdf(binary, db, work):
    if not have_poppler():
        skip("PDF read back with pdftotext/pdfinfo", "poppler-utils is not installed (apt-get install poppler-utils)")
        return
    chosen = ["--from", "20/03/2026", "--until", "05/04/2026"]
    expected = query_rows(binary, db, chosen)
    # A Chinese name (from a CJK fallback font) and a private-use character no font has.
    connection = sqlite3.connect(db)
    connection.execute("UPDATE emails SET subject = ? WHERE id = ?", ("Flat 8 for 王秀英 \ue000", int(expected[0]["Id"])))
    connection.commit()
    connection.close()
    path = os.path.join(work, "some.pdf")
    result = run(binary, "export", "--db", db, *chosen, "-o", path)
    check("pdf export succeeds", result.returncode == 0, result.stderr)
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    check("pdf: A4 landscape", "842 x 595" in info, info)
    pages = pdf_pages(path)
    check("pdf: pdftotext sees every page", len(pages) == count, f"{len(pages)} vs {count}")
    check("pdf: 'Page N of M' on every page", all(f"Page {n} of {count}" in page for n, page in enumerate(pages, 1)))
    check("pdf: the header row on every page", all("Recommended action" in page and "Status detail" in page for page in pages))
    check("pdf: title and filter on page 1", "Email Audit" in pages[0] and "Filter:" in pages[0] and f"Produced by {SIGNED_IN}" in pages[0])
    text = "\n".join(pages)
    lines = text.splitlines()
    starts = {line.split()[0] for line in lines if line.split()}
    missing = [e["Id"] for e in expected if e["Id"] not in starts]
    check(f"pdf: every row ({len(expected)}) is there", not missing, missing[:5])
    by_id = {line.split()[0]: line for line in lines if line.split()}
    names_ok = all(e["Raised by"] in by_id.get(e["Id"], "") for e in expected)
    check("pdf: every row's raised-by name legible and searchable (Zoë, Wiśniewski)",
          names_ok and "Wiśniewski" in text and "Zoë" in text)
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True).stdout
    check("pdf: an embedded subset CID TrueType font", "CID TrueType" in fonts and " yes yes yes " in fonts, fonts)
    has_cjk = subprocess.run(["fc-list", ":charset=738b"], capture_output=True, text=True).stdout.strip() != ""
    if has_cjk:
        subsets = [line for line in fonts.splitlines() if "CID TrueType" in line and " yes yes yes " in line]
        check("pdf: Chinese legible and searchable (王秀英) from a CJK fallback font", "王秀英" in text, "王秀英 not in pdftotext output")
        check("pdf: two embedded subset fonts (main and CJK fallback)", len(subsets) == 2, fonts)
    elif os.environ.get("CI") == "true":
        check("pdf: a CJK TrueType font is installed (fonts-wqy-zenhei)", False)
    else:
        skip("pdf: Chinese from a CJK fallback font", "no CJK TrueType font (apt-get install fonts-wqy-zenhei)")
    check("pdf: a character no font has shows as \ufffd, never garbage", "\ufffd" in text and "\ue000" not in text)
    check("pdf: a character no font has gets a warning", "warning:" in result.stderr and "U+E000" in result.stderr, result.stderr)

    original, resent = RESEND
    address = next(r["To"] for r in query_rows(binary, db, ["--range", "all"]) if r["Id"] == original)
    linked = os.path.join(work, "linked.pdf")
    result = run(binary, "export", "--db", db, "--range", "all", "--to", address, "-o", linked)
    linked_lines = {line.split()[0]: line for line in "\n".join(pdf_pages(linked)).splitlines() if line.split()}
    check("pdf: Resend link column both ways", result.returncode == 0 and "Resend link" in linked_lines.get("Id", "")
          and f"Resent as #{resent}" in linked_lines.get(original, "") and f"Resend of #{original}" in linked_lines.get(resent, ""),
          result.stderr + str((linked_lines.get(original), linked_lines.get(resent))))

    refused = os.path.join(work, "too-many.pdf")
    result = run(binary, "export", "--db", db, "--range", "all", "-o", refused, "--pdf-max-rows", "100")
    single, lines = one_line_error(result)
    check("pdf: too many rows refused with the seed's sentence",
          single and lines[0].startswith("Error: There are too many results for this search. Please refine your search criteria.")
          and "Excel or CSV" in lines[0], result.stderr)
    check("pdf: refused leaves no file", not os.path.exists(refused) and not leftovers(work))

    plain = os.path.join(work, "helvetica.pdf")
    result = run(binary, "export", "--db", db, *chosen, "-o", plain, "--pdf-font", "")
    check("pdf without a TrueType font: a warning", result.returncode == 0 and "warning:" in result.stderr, result.stderr)
    text = "\n".join(pdf_pages(plain))
    check("pdf without a TrueType font: names transliterated, warning visible",
          "Wisniewski" in text and "Wiśniewski" not in text and "Warning:" in text)


def test_query_limit(binary, db):
    result = run(binary, "query", "--db", db, "--range", "all")
    total = len(query_rows(binary, db, ["--range", "all"]))
    check("query says when --limit stops short", f"100 of {total:,} shown; --limit 0 for all" in result.stderr, result.stderr)
    every = run(binary, "query", "--db", db, "--range", "all", "--format", "csv")
    check("query --format csv defaults to every row", len(list(csv.DictReader(io.StringIO(every.stdout)))) == total)
    check("query --format csv says nothing on stderr when complete", "shown" not in every.stderr, every.stderr)


# --------------------------------------------------------------------------- tmux

class Tmux:
    def __init__(self, command, width=120, height=36):
        self.socket = f"export-tests-{os.getpid()}"
        self.run("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), command + "; sleep 600")
        self.run("set-option", "-s", "escape-time", "10")

    def run(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)

    def screen(self):
        return self.run("capture-pane", "-p", "-t", "t").stdout

    def keys(self, *keys):
        for key in keys:
            self.run("send-keys", "-t", "t", key)
            time.sleep(0.08)

    def wait(self, needle, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if needle in self.screen():
                return True
            time.sleep(0.1)
        print(self.screen())
        return False

    def close(self):
        self.run("kill-server")


def test_screen(binary, db, work):
    if shutil.which("tmux") is None:
        skip("x on the screen in tmux", "tmux is not installed")
        return
    folder = os.path.join(work, "screen")
    os.makedirs(folder)
    command = " ".join([
        "env", "-i", f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}", "HOME=/root", "TERM=xterm-256color",
        "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=Europe/London", "EMAIL_AUDIT_TZ=Europe/London", "EMAIL_AUDIT_EXPORT_DELAY_MS=1500",
        binary, "--db", db, "--now", f"'{SEED_NOW}'", "--user", LOGIN, "--export-dir", folder])
    session = Tmux(command)
    try:
        check("screen: the list opens", session.wait(" emails "))
        # Date range: All dates (the seventh named choice).
        session.keys("d")
        session.wait("All dates")
        session.keys(*(["Down"] * 6), "Enter")
        check("screen: all dates", session.wait("Date: All dates"))
        time.sleep(0.5)
        session.keys("x")
        check("screen: x opens the export pop-up", session.wait("Export to Excel"))
        check("screen: the name is suggested",
              session.wait("email-audit_harbour-lets-property-management_2026-04-10_all-dates.xlsx"), session.screen())
        session.keys("Enter")
        check("screen: progress with rows of the total and the rate",
              session.wait("1,000 of 1,") and " rows/s" in session.screen(), session.screen())
        session.keys("Escape")
        check("screen: Esc cancels", session.wait("Export cancelled; no file was left"))
        time.sleep(0.5)
        check("screen: a cancelled export leaves no file at all", os.listdir(folder) == [], os.listdir(folder))
        session.keys("x", "Enter")
        check("screen: the export ends by showing the path", session.wait("Saved ", timeout=60)
              and session.wait("all-dates.xlsx"), session.screen())
        saved = os.path.join(folder, "email-audit_harbour-lets-property-management_2026-04-10_all-dates.xlsx")
        check("screen: the file is there", os.path.exists(saved) and not leftovers(folder), os.listdir(folder))
        session.keys("Enter", "x", "Enter")
        check("screen: never silently overwrites", session.wait("That file exists"), session.screen())
        session.keys("Escape", "Q")
        if have_openpyxl():
            import openpyxl
            rows = openpyxl.load_workbook(saved)["Emails"].max_row - 5
            total = len(query_rows(binary, db, ["--range", "all"]))
            check("screen: the saved workbook holds every row of the list", rows == total, f"{rows} vs {total}")
    finally:
        session.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    binary = os.path.abspath(parser.parse_args().binary)
    work = tempfile.mkdtemp(prefix="email-audit-export-")
    db = os.path.join(work, "audit.sqlite")
    seeded = run(binary, "seed", "--db", db, "--emails", "1500", "--days", "40", "--seed", "11", "--now", SEED_NOW, "--quiet")
    check("seed", seeded.returncode == 0, seeded.stderr)
    # Subjects a spreadsheet would run as formulas.
    connection = sqlite3.connect(db)
    for email_id, subject in [(1, '=HYPERLINK("http://example.com","click")'), (2, "+44 7700 900123"), (3, "@SUM(A1)")]:
        connection.execute("UPDATE emails SET subject = ? WHERE id = ?", (subject, email_id))
    connection.commit()
    connection.close()

    # One resend (issue 7): the original and the new email carry the link both ways in every format.
    global RESEND
    for row in query_rows(binary, db, ["--range", "all"]):
        made = run(binary, "resend", row["Id"], "--db", db, "--format", "json")
        if made.returncode == 0:
            RESEND = (row["Id"], str(json.loads(made.stdout)["id"]))
            break
    check("resend for the link column", RESEND is not None)

    test_cli_errors(binary, db, work)
    test_rows_equal_query(binary, db, work)
    test_csv(binary, db, work)
    test_xlsx(binary, db, work)
    test_pdf(binary, db, work)
    test_query_limit(binary, db)
    test_screen(binary, db, work)

    shutil.rmtree(work, ignore_errors=True)
    print(f"{len(PASSED)} passed, {len(FAILED)} failed, {len(SKIPPED)} skipped")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
