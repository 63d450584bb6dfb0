#!/usr/bin/env python3
"""Reads a USB export's answers.csv with Python's csv module and checks it
against the answers the test stored (a JSON list), field by field.

Usage: check_answers_csv.py ANSWERS_CSV EXPECTED_JSON
Exit 0 when every line is exactly one stored answer and every stored answer
has its line; 1 with the differences otherwise.
"""
import csv
import io
import json
import sys

COLUMNS = ["answer_id", "visit_id", "venue", "set_id", "set_version", "question_id", "question_type",
           "language", "hour", "score", "choice", "text", "rapid_repeat"]
PROTECTED_STARTS = ("=", "+", "-", "@", "'", "\t", "\r")


def unprotect(cell):
    """Undoes the formula protection as codebook.txt describes it."""
    if len(cell) >= 2 and cell[0] == "'" and cell[1] in PROTECTED_STARTS:
        return cell[1:]
    return cell


def main():
    csv_path, expected_path = sys.argv[1], sys.argv[2]
    with open(expected_path, encoding="utf-8") as f:
        expected = {a["answer_id"]: a for a in json.load(f)}
    problems = []
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        raw = f.read()
    if not raw.endswith("\r\n"):
        problems.append("the file does not end with CRLF")
    reader = csv.reader(io.StringIO(raw, newline=""))
    header = next(reader)
    if header != COLUMNS:
        problems.append("header %r, expected %r" % (header, COLUMNS))
    seen = set()
    for number, row in enumerate(reader, start=2):
        if len(row) != len(COLUMNS):
            problems.append("line %d has %d cells, expected %d" % (number, len(row), len(COLUMNS)))
            continue
        for cell in row:
            if cell and cell[0] in ("=", "+", "-", "@", "\t", "\r"):
                problems.append("line %d: cell %r would run as a formula" % (number, cell))
        got = dict(zip(COLUMNS, (unprotect(c) for c in row)))
        want = expected.get(got["answer_id"])
        if want is None:
            problems.append("line %d: answer %s was never stored" % (number, got["answer_id"]))
            continue
        if got["answer_id"] in seen:
            problems.append("line %d: answer %s appears twice" % (number, got["answer_id"]))
        seen.add(got["answer_id"])
        for column in COLUMNS:
            if got[column] != want[column]:
                problems.append("line %d, %s: %r, stored %r" % (number, column, got[column], want[column]))
    for missing in sorted(set(expected) - seen):
        problems.append("stored answer %s has no line" % missing)
    if problems:
        print("\n".join(problems[:50]))
        return 1
    print("ok: %d lines, each exactly one stored answer" % len(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
