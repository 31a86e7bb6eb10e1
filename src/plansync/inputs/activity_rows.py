"""One row of an activity file, in each format plansync reads, as an :class:`Activity`.

Each parser takes the row by lower-cased column name (a column the file
repeats keeps its first occurrence) and the athlete's units and time zone.
The column sets are those the platforms write (see ``tests/data/activities/``
for where each fixture's header comes from):

- plansync's own: ``date,type,distance,duration[,rpe][,avg_hr][,race]``;
- Strava's bulk export ``activities.csv``: ``Activity Date`` in UTC, ``Activity
  Type``, ``Distance`` in kilometres (then again in metres), ``Moving Time``
  in seconds, ``Workout Type`` 1 (Strava's race workout type; ``Race`` in its
  ``Type`` column is taken the same way) for a race;
- Garmin Connect's ``Activities.csv``: ``Date`` local, ``Activity Type``,
  ``Distance`` in the account's display units (read in the profile's units),
  ``Time``/``Moving Time`` as h:mm:ss, ``--`` for none; no race flag;
- intervals.icu's activities CSV (``/api/v1/athlete/{id}/activities.csv``,
  the API's activity fields): ``start_date_local``, ``type``, ``distance`` in
  metres, ``moving_time`` in seconds, ``race``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from plansync.core.actuals import Activity, ActivityKind
from plansync.core.quantities import METRES_PER_UNIT, Units
from plansync.errors import ActivitiesError, Problem

Row = dict[str, str]
KINDS: tuple[ActivityKind, ...] = ("run", "cross", "other")
STRAVA_RUNS = {"run", "trail run", "virtual run"}
STRAVA_DATES = ("%b %d, %Y, %I:%M:%S %p", "%d %b %Y, %H:%M:%S", "%Y-%m-%d %H:%M:%S")
STRAVA_RACE = "1"  # Strava's workout type for a race (runs); 11 is a race ride
INTERVALS_RUNS = {"run", "virtualrun", "trailrun"}
YES = {"1", "yes", "true", "y", "race"}
NO = {"", "0", "no", "false", "n"}
WEEK_S = 7 * 86400


def own(path: Path, line: int, row: Row, units: Units, zone: ZoneInfo) -> Activity:
    """A row of plansync's CSV: its date is already the athlete's day (``zone`` unused)."""
    day = _date(path, line, "date", row.get("date", ""))
    kind = row.get("type", "").strip().lower()
    if kind not in KINDS:
        raise error(path, line, "type", f"expected run, cross or other, got {kind!r}")
    distance = number(path, line, "distance", row.get("distance", ""), 0, 500) * METRES_PER_UNIT[units]
    duration = clock(path, line, "duration", row.get("duration", ""))
    _needs(path, line, kind, distance, duration)
    rpe = _optional(path, line, "rpe", row.get("rpe", ""), 1, 10)
    hr = _optional(path, line, "avg_hr", row.get("avg_hr", ""), 30, 250)
    race = _flag(path, line, "race", row.get("race", ""))
    return Activity(day, kind, distance, duration, rpe, hr, race=race)


def strava(path: Path, line: int, row: Row, units: Units, zone: ZoneInfo) -> Activity:
    """A row of Strava's bulk export. Its ``Activity Date`` is in UTC: a 06:15 run in Sydney
    is on the evening before in UTC, so the day is taken in the athlete's time zone."""
    raw = row.get("activity date", "").strip()
    day = None
    for pattern in STRAVA_DATES:
        try:
            day = dt.datetime.strptime(raw, pattern).replace(tzinfo=dt.UTC).astimezone(zone).date()
            break
        except ValueError:
            continue
    if day is None:
        raise error(
            path, line, "Activity Date", f"expected a date such as 'Jan 5, 2027, 7:12:03 AM', got {raw!r}"
        )
    kind: ActivityKind = "run" if row.get("activity type", "").strip().lower() in STRAVA_RUNS else "cross"
    distance = number(path, line, "Distance", row.get("distance", "").replace(",", ""), 0, 500) * 1000
    seconds = row.get("moving time") or row.get("elapsed time") or "0"
    duration = number(path, line, "Moving Time", seconds, 0, WEEK_S)
    _needs(path, line, kind, distance, duration)
    source = row.get("activity id", "").strip() or None
    flag = row.get("workout type", "").strip().removesuffix(".0").lower()
    race = kind == "run" and (flag in (STRAVA_RACE, "race") or row.get("type", "").strip().lower() == "race")
    return Activity(day, kind, distance if kind == "run" else 0.0, duration, source_id=source, race=race)


def garmin(path: Path, line: int, row: Row, units: Units, zone: ZoneInfo) -> Activity:
    """A row of Garmin Connect's ``Activities.csv``: local date and time, distance in the
    account's units (taken as the profile's), times as h:mm:ss with tenths, ``--`` for none."""
    day = _local_day(path, line, "Date", row.get("date", ""), "2027-01-05 07:12:03")
    kind: ActivityKind = "run" if "run" in row.get("activity type", "").lower() else "cross"
    cell = _blank_dashes(row.get("distance", "")).replace(",", "")
    distance = number(path, line, "Distance", cell, 0, 500) * METRES_PER_UNIT[units] if kind == "run" else 0.0
    moving = _blank_dashes(row.get("moving time", ""))
    duration = clock(path, line, "Time", moving or _blank_dashes(row.get("time", "")))
    _needs(path, line, kind, distance, duration)
    hr = _optional(path, line, "Avg HR", _blank_dashes(row.get("avg hr", "")), 30, 250)
    return Activity(day, kind, distance, duration, avg_hr=hr)


def intervals(path: Path, line: int, row: Row, units: Units, zone: ZoneInfo) -> Activity:
    """A row of intervals.icu's activities CSV: the API's fields, metres and seconds."""
    day = _local_day(path, line, "start_date_local", row.get("start_date_local", ""), "2027-01-05T07:12:03")
    kind: ActivityKind = "run" if row.get("type", "").strip().lower() in INTERVALS_RUNS else "cross"
    distance = number(path, line, "distance", row.get("distance", ""), 0, 500_000) if kind == "run" else 0.0
    seconds = row.get("moving_time") or row.get("elapsed_time") or "0"
    duration = number(path, line, "moving_time", seconds, 0, WEEK_S)
    _needs(path, line, kind, distance, duration)
    hr = _optional(path, line, "average_heartrate", row.get("average_heartrate", ""), 30, 250)
    rpe = _optional(path, line, "icu_rpe", row.get("icu_rpe", ""), 1, 10)
    race = kind == "run" and _flag(path, line, "race", row.get("race", ""))
    source = row.get("id", "").strip() or None
    return Activity(day, kind, distance, duration, rpe, hr, source_id=source, race=race)


def _local_day(path: Path, line: int, column: str, text: str, example: str) -> dt.date:
    """The day of a local date and time, as Garmin Connect and intervals.icu write them."""
    try:
        return dt.datetime.fromisoformat(text.strip()).date()
    except ValueError:
        raise error(
            path, line, column, f"expected a date such as '{example}', got {text.strip()!r}"
        ) from None


def _needs(path: Path, line: int, kind: str, distance: float, duration: float) -> None:
    """A run has a distance and a duration, cross-training a duration: without them a row
    says nothing about the load, and read as nothing it would look like a missed session."""
    if kind == "run" and distance <= 0:
        raise error(path, line, "distance", "a run needs its distance")
    if kind in ("run", "cross") and duration <= 0:
        raise error(path, line, "duration", f"a {kind} needs its duration")


def _blank_dashes(text: str) -> str:
    """Garmin writes ``--`` for a value it does not have."""
    return "" if text.strip() == "--" else text


def _flag(path: Path, line: int, column: str, text: str) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise error(path, line, column, f"expected yes or no (or empty), got {text!r}")


def _date(path: Path, line: int, column: str, text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise error(path, line, column, f"expected a date as YYYY-MM-DD, got {text!r}") from None
    if not 2000 <= day.year <= 2100:
        raise error(path, line, column, f"{day} is outside 2000–2100")
    return day


def number(path: Path, line: int, column: str, text: str, low: float, high: float) -> float:
    text = text.strip()
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise error(path, line, column, f"expected a number, got {text!r}") from None
    if not low <= value <= high:  # also refuses nan and inf
        raise error(path, line, column, f"expected {low:g} to {high:g}, got {text}")
    return value


def _optional(path: Path, line: int, column: str, text: str, low: float, high: float) -> float | None:
    return number(path, line, column, text, low, high) if text.strip() else None


def clock(path: Path, line: int, column: str, text: str) -> float:
    """``h:mm:ss``, ``mm:ss`` or seconds (tenths after the seconds, as Garmin writes them,
    are dropped)."""
    text = text.strip()
    if not text:
        return 0.0
    whole = text.split(".")[0] if ":" in text else text
    parts = whole.split(":")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise error(path, line, column, f"expected h:mm:ss, mm:ss or seconds, got {text!r}") from None
    if len(numbers) > 3 or any(n < 0 for n in numbers) or any(n > 59 for n in numbers[1:]):
        raise error(path, line, column, f"expected h:mm:ss, mm:ss or seconds, got {text!r}")
    seconds = 0
    for n in numbers:
        seconds = seconds * 60 + n
    if seconds > WEEK_S:
        raise error(path, line, column, f"{text} is longer than a week")
    return float(seconds)


def error(path: Path, line: int, column: str, message: str) -> ActivitiesError:
    return ActivitiesError([Problem(path, line, None, column, message)])
