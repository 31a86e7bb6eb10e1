"""VTIMEZONE components every client reads the same way.

Written from zoneinfo, one STANDARD or DAYLIGHT sub-component per onset (no
RDATE lists: Mozilla's ical.js ignores a DTSTART as an onset whenever RDATEs
are present, which put timed workouts an hour off after the first change),
each onset's DTSTART in the local time *before* the change, as RFC 5545
defines it (the spring-forward onset in New York is 02:00, not 03:00).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from plansync.calendars import writer

UTC = dt.UTC


def _offset(tz: ZoneInfo, instant: dt.datetime) -> dt.timedelta:
    value = instant.astimezone(tz).utcoffset()
    assert value is not None
    return value


def transitions(tzid: str, first: dt.date, last: dt.date) -> list[dt.datetime]:
    """The UTC instants, to the minute, at which the zone's offset changes between two dates."""
    tz = ZoneInfo(tzid)
    out: list[dt.datetime] = []
    day = dt.datetime.combine(first, dt.time(), UTC)
    end = dt.datetime.combine(last, dt.time(), UTC)
    before = _offset(tz, day)
    while day < end:
        after_day = day + dt.timedelta(days=1)
        after = _offset(tz, after_day)
        if after != before:
            low, high = day, after_day  # offset(low) == before, offset(high) != before
            while high - low > dt.timedelta(minutes=1):
                mid = low + (high - low) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= low:
                    mid = low + dt.timedelta(minutes=1)
                if _offset(tz, mid) == before:
                    low = mid
                else:
                    high = mid
            out.append(high)
            before = after
        day = after_day
    return out


def _utc_offset(value: dt.timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{rest:02d}"


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """The zone from 1 January ``first_year`` to 1 January ``last_year``."""
    tz = ZoneInfo(tzid)
    first, last = dt.date(first_year, 1, 1), dt.date(last_year, 1, 1)
    start = dt.datetime.combine(first, dt.time(), tz).astimezone(UTC)  # local midnight, 1 January
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]

    def component(onset_utc: dt.datetime, offset_from: dt.timedelta) -> list[str]:
        local = onset_utc.astimezone(tz)
        offset_to = local.utcoffset()
        assert offset_to is not None
        kind = "DAYLIGHT" if local.dst() else "STANDARD"
        onset_local = (onset_utc + offset_from).replace(tzinfo=None)
        return [
            f"BEGIN:{kind}",
            f"DTSTART:{writer.local(onset_local)}",
            f"TZNAME:{local.tzname()}",
            f"TZOFFSETFROM:{_utc_offset(offset_from)}",
            f"TZOFFSETTO:{_utc_offset(offset_to)}",
            f"END:{kind}",
        ]

    opening = _offset(tz, start)
    lines += component(start, opening)  # the offset in force when the calendar begins
    previous = opening
    for instant in transitions(tzid, first, last):
        lines += component(instant, previous)
        previous = _offset(tz, instant)
    lines.append("END:VTIMEZONE")
    return writer.lines(lines)
