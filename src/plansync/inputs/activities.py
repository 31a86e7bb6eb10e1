"""Completed training from a file: plansync's own CSV, or a Strava bulk export.

plansync's CSV (a header row, then one activity a row)::

    date,type,distance,duration,rpe,avg_hr
    2027-02-01,run,8.2,0:48:30,4,141
    2027-02-02,cross,,45:00,,

``type`` is ``run``, ``cross`` or ``other``; ``distance`` is in the profile's
units (empty for none); ``duration`` is ``h:mm:ss``, ``mm:ss`` or seconds;
``rpe`` (1–10) and ``avg_hr`` (bpm) may be left empty or out.

A Strava bulk export's ``activities.csv`` is recognised by its ``Activity
Date`` column (UTC, put on the athlete's own day): ``Activity Type`` (Run, Trail Run and Virtual Run are runs;
others are cross-training), ``Distance`` in kilometres, ``Moving Time`` (or
``Elapsed Time``) in seconds.

Errors name the file, the line and the column; nothing is half read.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

from plansync.core.actuals import Activity, ActivityKind
from plansync.core.quantities import METRES_PER_UNIT, Units
from plansync.errors import ActivitiesError, Problem
from plansync.inputs.yamlio import MAX_INPUT_BYTES

KINDS: tuple[ActivityKind, ...] = ("run", "cross", "other")
STRAVA_RUNS = {"run", "trail run", "virtual run"}
STRAVA_DATES = ("%b %d, %Y, %I:%M:%S %p", "%d %b %Y, %H:%M:%S", "%Y-%m-%d %H:%M:%S")
MAX_ROWS = 100_000


def read_activities(path: Path, units: Units, timezone: str = "UTC") -> list[Activity]:
    """Every activity in the file, in date order; Strava's times (UTC) on the athlete's
    own calendar day in ``timezone``."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device (/dev/zero) would never end
            raise _error(path, 1, "", "not a regular file: give an exported CSV file")
        if info.st_size > MAX_INPUT_BYTES * 20:
            raise _error(path, 1, "", f"the file is over {MAX_INPUT_BYTES * 20 // 1_000_000} MB")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _error(path, 1, "", f"cannot read it: {exc}") from None
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:  # a field over the csv module's limit, a NUL byte
        raise _error(path, reader.line_num, "", f"not a CSV file plansync can read: {exc}") from None
    if not rows:
        raise _error(path, 1, "", "the file is empty; expected a header row: date,type,distance,duration")
    if len(rows) > MAX_ROWS:
        raise _error(path, MAX_ROWS, "", f"more than {MAX_ROWS} rows")
    header = [h.strip() for h in rows[0]]
    lowered = [h.lower() for h in header]
    parse = _strava if "activity date" in lowered else _own
    zone = ZoneInfo(timezone)
    if parse is _own and lowered[:4] != ["date", "type", "distance", "duration"]:
        raise _error(
            path, 1, "", "expected the header date,type,distance,duration[,rpe][,avg_hr] or a Strava export"
        )
    out = [
        dataclasses.replace(parse(path, n, _columns(lowered, row), units, zone), where=f"{path}:{n}")
        for n, row in enumerate(rows[1:], 2)
        if any(cell.strip() for cell in row)
    ]
    if not out:
        raise _error(path, 2, "", "no activities after the header: is the export complete?")
    return sorted(out, key=lambda a: (a.date, a.kind, a.distance_m))


def _columns(header: list[str], row: list[str]) -> dict[str, str]:
    """The row by column name; a name the file repeats keeps its first column."""
    out: dict[str, str] = {}
    for name, cell in zip(header, row, strict=False):
        out.setdefault(name, cell)
    return out


def _own(path: Path, line: int, row: dict[str, str], units: Units, zone: ZoneInfo) -> Activity:
    """A row of plansync's CSV: its date is already the athlete's day (``zone`` unused)."""
    day = _date(path, line, "date", row.get("date", ""))
    kind = row.get("type", "").strip().lower()
    if kind not in KINDS:
        raise _error(path, line, "type", f"expected run, cross or other, got {kind!r}")
    distance = _number(path, line, "distance", row.get("distance", ""), 0, 500) * METRES_PER_UNIT[units]
    duration = _duration(path, line, row.get("duration", ""))
    _needs(path, line, kind, distance, duration)
    rpe = _optional(path, line, "rpe", row.get("rpe", ""), 1, 10)
    hr = _optional(path, line, "avg_hr", row.get("avg_hr", ""), 30, 250)
    return Activity(day, kind, distance, duration, rpe, hr)


def _strava(path: Path, line: int, row: dict[str, str], units: Units, zone: ZoneInfo) -> Activity:
    """A row of Strava's bulk export. Its ``Activity Date`` is in UTC: a 06:15 run in Sydney
    is on the evening before in UTC, so the day is taken in the athlete's time zone."""
    raw = row.get("activity date", "").strip()
    day = None
    for pattern in STRAVA_DATES:
        try:
            at = dt.datetime.strptime(raw, pattern).replace(tzinfo=dt.UTC)
            day = at.astimezone(zone).date()
            break
        except ValueError:
            continue
    if day is None:
        raise _error(
            path, line, "Activity Date", f"expected a date such as 'Jan 5, 2027, 7:12:03 AM', got {raw!r}"
        )
    kind: ActivityKind = "run" if row.get("activity type", "").strip().lower() in STRAVA_RUNS else "cross"
    distance = _number(path, line, "Distance", row.get("distance", "").replace(",", ""), 0, 500) * 1000
    seconds = row.get("moving time") or row.get("elapsed time") or "0"
    duration = _number(path, line, "Moving Time", seconds, 0, 7 * 86400)
    _needs(path, line, kind, distance, duration)
    source = row.get("activity id", "").strip() or None
    return Activity(day, kind, distance if kind == "run" else 0.0, duration, source_id=source)


def _needs(path: Path, line: int, kind: str, distance: float, duration: float) -> None:
    """A run has a distance and a duration, cross-training a duration: without them a row
    says nothing about the load, and read as nothing it would look like a missed session."""
    if kind == "run" and distance <= 0:
        raise _error(path, line, "distance", "a run needs its distance")
    if kind in ("run", "cross") and duration <= 0:
        raise _error(path, line, "duration", f"a {kind} needs its duration")


def _date(path: Path, line: int, column: str, text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise _error(path, line, column, f"expected a date as YYYY-MM-DD, got {text!r}") from None
    if not 2000 <= day.year <= 2100:
        raise _error(path, line, column, f"{day} is outside 2000–2100")
    return day


def _number(path: Path, line: int, column: str, text: str, low: float, high: float) -> float:
    text = text.strip()
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise _error(path, line, column, f"expected a number, got {text!r}") from None
    if not low <= value <= high:  # also refuses nan and inf
        raise _error(path, line, column, f"expected {low:g} to {high:g}, got {text}")
    return value


def _optional(path: Path, line: int, column: str, text: str, low: float, high: float) -> float | None:
    return _number(path, line, column, text, low, high) if text.strip() else None


def _duration(path: Path, line: int, text: str) -> float:
    text = text.strip()
    if not text:
        return 0.0
    parts = text.split(":")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise _error(path, line, "duration", f"expected h:mm:ss, mm:ss or seconds, got {text!r}") from None
    if len(numbers) > 3 or any(n < 0 for n in numbers) or any(n > 59 for n in numbers[1:]):
        raise _error(path, line, "duration", f"expected h:mm:ss, mm:ss or seconds, got {text!r}")
    seconds = 0
    for n in numbers:
        seconds = seconds * 60 + n
    if seconds > 7 * 86400:
        raise _error(path, line, "duration", f"{text} is longer than a week")
    return float(seconds)


def _error(path: Path, line: int, column: str, message: str) -> ActivitiesError:
    return ActivitiesError([Problem(path, line, None, column, message)])
