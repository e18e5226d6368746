#!/usr/bin/env python3
"""Bytes the email bodies take in a store, as stored against as text.

Usage: python3 scripts/stored_body_size.py STORE.sqlite

A body is TEXT, or a compact BLOB (Sources/AuditStore/CompactText.swift: format byte, the
text's UTF-8 length as LEB128, CRC-32, deflate); the text's length is read from the header.
"""
import sqlite3
import sys


def text_length(blob: bytes) -> int:
    value, shift, index = 0, 0, 1
    while True:
        byte = blob[index]
        value |= (byte & 0x7F) << shift
        shift += 7
        index += 1
        if byte < 0x80:
            return value


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    emails = compressed = stored = text = 0
    for (body,) in db.execute("SELECT body FROM emails"):
        emails += 1
        if isinstance(body, bytes):
            compressed += 1
            stored += len(body)
            text += text_length(body)
        else:
            length = len(body.encode())
            stored += length
            text += length
    if emails == 0:
        sys.exit("no emails in the store")
    print(f"{emails} emails, {compressed} bodies compressed; bodies take {stored} bytes "
          f"({stored / emails:.0f} per email) against {text} as text ({text / emails:.0f} per email)")


if __name__ == "__main__":
    main()
