"""Check-ins from a CSV file, for athletes who log them elsewhere.

Columns (a header row, then one check-in a row)::

    date,pain,where,when,red_flags,note
    2027-03-02,3,heel,morning,,stiff first steps
    2027-03-04,6,heel,after,,
    2027-03-06,2,heel,morning,,
    2027-03-09,5,arch,during,numbness;swelling,

``where``, ``when``, ``red_flags`` (several separated by ``;``) and ``note``
may be left empty or out. Errors name the file, the line and the column.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from plansync.core.checkins import NOTE_MAX, RED_FLAGS, SITES, WHEN, Checkin
from plansync.inputs.csvfile import csv_error, csv_rows

MAX_BYTES = 2_000_000
COLUMNS = ("date", "pain", "where", "when", "red_flags", "note")


def read_checkins(path: Path) -> list[Checkin]:
    """Every check-in in the file, in file order."""
    rows = csv_rows(path, MAX_BYTES)
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if header[:2] != ["date", "pain"] or any(h not in COLUMNS for h in header):
        raise csv_error(path, 1, "", "expected the header date,pain[,where][,when][,red_flags][,note]")
    out = [
        _row(path, n, dict(zip(header, row, strict=False)))
        for n, row in enumerate(rows[1:], 2)
        if any(cell.strip() for cell in row)
    ]
    if not out:
        raise csv_error(path, 2, "", "no check-ins after the header")
    return out


def _row(path: Path, line: int, row: dict[str, str]) -> Checkin:
    try:
        day = dt.date.fromisoformat(row.get("date", "").strip())
    except ValueError:
        raise csv_error(path, line, "date", f"expected YYYY-MM-DD, got {row.get('date', '')!r}") from None
    text = row.get("pain", "").strip()
    if not text.isdigit() or not 0 <= int(text) <= 10:
        raise csv_error(path, line, "pain", f"expected a whole number 0 to 10, got {text!r}")
    where = _choice(path, line, "where", row.get("where", ""), SITES)
    when = _choice(path, line, "when", row.get("when", ""), WHEN)
    flags = tuple(f.strip() for f in row.get("red_flags", "").split(";") if f.strip())
    for flag in flags:
        _choice(path, line, "red_flags", flag, RED_FLAGS)
    note = row.get("note", "").strip()
    if len(note) > NOTE_MAX or any(ord(ch) < 32 and ch != "\t" for ch in note):
        raise csv_error(path, line, "note", f"at most {NOTE_MAX} characters, no control characters")
    return Checkin(day, int(text), where, when, flags, note)


def _choice(path: Path, line: int, column: str, text: str, allowed: tuple[str, ...]) -> str | None:
    value = text.strip().lower()
    if not value:
        return None
    if value not in allowed:
        raise csv_error(path, line, column, f"expected one of {', '.join(allowed)}, got {text.strip()!r}")
    return value
