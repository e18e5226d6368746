#!/usr/bin/env python3
"""Python's XlsxWriter (constant_memory mode) writing the rows of an export CSV, for the
export benchmark's ratio "ours / XlsxWriter". Installs XlsxWriter with pip when missing.

Usage: scripts/xlsxwriter_bench.py ROWS.csv OUT.xlsx
Prints "read seconds: S" (parsing the CSV) and "write seconds: S" (XlsxWriter alone).
"""
import csv
import datetime
import subprocess
import sys
import time

try:
    import xlsxwriter
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "XlsxWriter"], check=True)
    import xlsxwriter


def main():
    source, target = sys.argv[1], sys.argv[2]
    began = time.time()
    with open(source, encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        parsed = []
        for row in rows:
            when = datetime.datetime.strptime(row[1], "%d/%m/%Y %H:%M")
            parsed.append((int(row[0]), when, *row[2:]))
    read = time.time() - began

    began = time.time()
    book = xlsxwriter.Workbook(target, {"constant_memory": True})
    sheet = book.add_worksheet("Emails")
    bold = book.add_format({"bold": True})
    stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.freeze_panes(1, 0)
    for column, title in enumerate(header):
        sheet.write_string(0, column, title, bold)
    for number, row in enumerate(parsed, 1):
        sheet.write_number(number, 0, row[0])
        sheet.write_datetime(number, 1, row[1], stamp)
        for column in range(2, len(row)):
            sheet.write_string(number, column, row[column])
    sheet.autofilter(0, 0, len(parsed), len(header) - 1)
    book.close()
    write = time.time() - began
    print(f"XlsxWriter {xlsxwriter.__version__} (constant_memory): {len(parsed):,} rows")
    print(f"read seconds: {read:.2f}")
    print(f"write seconds: {write:.2f}")


if __name__ == "__main__":
    main()
