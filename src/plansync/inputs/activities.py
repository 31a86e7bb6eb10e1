"""Completed training from a file: plansync's own CSV, or a Strava, Garmin Connect or
intervals.icu export, told apart by their headers.

plansync's CSV (a header row, then one activity a row)::

    date,type,distance,duration,rpe,avg_hr,race
    2027-02-01,run,8.2,0:48:30,4,141,
    2027-02-02,cross,,45:00,,,
    2027-02-07,run,10,45:00,9,,yes

``type`` is ``run``, ``cross`` or ``other``; ``distance`` is in the profile's
units (empty for none); ``duration`` is ``h:mm:ss``, ``mm:ss`` or seconds;
``rpe`` (1–10), ``avg_hr`` (bpm) and ``race`` (yes for a race or time trial)
may be left empty or out. The exports' columns: :mod:`plansync.inputs.activity_rows`.

Errors name the file, the line and the column; nothing is half read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from plansync.core.actuals import Activity
from plansync.core.quantities import Units
from plansync.inputs import activity_rows as rows_of
from plansync.inputs.activity_rows import Row, error
from plansync.inputs.csvfile import csv_rows
from plansync.inputs.yamlio import MAX_INPUT_BYTES

MAX_ROWS = 100_000
Parser = Callable[[Path, int, Row, Units, ZoneInfo], Activity]


def read_activities(path: Path, units: Units, timezone: str = "UTC") -> list[Activity]:
    """Every activity in the file, in date order; Strava's times (UTC) on the athlete's
    own calendar day in ``timezone``."""
    rows = csv_rows(path, MAX_INPUT_BYTES * 20)
    if not rows:
        raise error(path, 1, "", "the file is empty; expected a header row: date,type,distance,duration")
    if len(rows) > MAX_ROWS:
        raise error(path, MAX_ROWS, "", f"more than {MAX_ROWS} rows")
    header = [h.strip() for h in rows[0]]
    lowered = [h.lower() for h in header]
    parse = _format(path, lowered)
    zone = ZoneInfo(timezone)
    out = [
        dataclasses.replace(parse(path, n, _columns(lowered, row), units, zone), where=f"{path}:{n}")
        for n, row in enumerate(rows[1:], 2)
        if any(cell.strip() for cell in row)
    ]
    if not out:
        raise error(path, 2, "", "no activities after the header: is the export complete?")
    return sorted(out, key=lambda a: (a.date, a.kind, a.distance_m))


def _format(path: Path, header: list[str]) -> Parser:
    """Which export the header is: Strava's, intervals.icu's, Garmin Connect's, or plansync's."""
    if "activity date" in header:
        return rows_of.strava
    if "start_date_local" in header:
        return rows_of.intervals
    if "activity type" in header and "date" in header:
        return rows_of.garmin
    if header[:4] == ["date", "type", "distance", "duration"]:
        return rows_of.own
    raise error(
        path,
        1,
        "",
        "expected the header date,type,distance,duration[,rpe][,avg_hr][,race], or a Strava, "
        "Garmin Connect or intervals.icu activities export",
    )


def _columns(header: list[str], row: list[str]) -> Row:
    """The row by column name; a name the file repeats keeps its first column."""
    out: Row = {}
    for name, cell in zip(header, row, strict=False):
        out.setdefault(name, cell)
    return out
