"""iCalendar rendering of a plan: one VEVENT per entry, deterministic to the byte.

Written with :mod:`plansync.calendars.writer`; icalendar makes the VTIMEZONEs.

:func:`event_contents` turns a plan into the content of each event (what a
subscriber sees); :func:`render` writes the calendar from those contents and
each event's SEQUENCE and LAST-MODIFIED stamps. Only content changes move the
stamps (see :mod:`plansync.calendars.identity`), so an unchanged plan renders to the
same bytes and the same ETag on any static host.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plansync._version import __version__
from plansync.calendars import writer as icswriter
from plansync.calendars.zones import vtimezone as zones_vtimezone
from plansync.core.describe import KIND_TITLES
from plansync.core.plan import Plan, Workout

ALL_DAY_REMINDER = dt.timedelta(hours=7)  # an all-day entry's reminder: 07:00 on its day
PRODID = f"-//plansync//plansync {__version__}//EN"
REFRESH = dt.timedelta(hours=6)
DEFAULT_UID_DOMAIN = "plansync"
MIN_BLOCK = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Stamp:
    sequence: int
    last_modified: dt.datetime  # UTC


def _block(workout: Workout) -> dt.timedelta:
    """Time to hold in the calendar: the workout, rounded up to 5 minutes."""
    minutes = -(-max(workout.duration_s, 1) // 300) * 5
    return max(MIN_BLOCK, dt.timedelta(minutes=minutes))


def event_content(workout: Workout, timezone: str, *, busy: bool, uid_domain: str) -> dict[str, Any]:
    """Everything a subscriber sees of one event, as plain data (hashed to detect changes)."""
    at = workout.start_time
    timed = at is not None
    content: dict[str, Any] = {
        "uid": f"{workout.id}{'-busy' if busy else ''}@{uid_domain}",
        "date": workout.date.isoformat(),
    }
    if timed:
        assert at is not None
        start = dt.datetime.combine(workout.date, at)
        content["start"] = start.isoformat()
        content["end"] = (start + _block(workout)).isoformat()
        content["tzid"] = timezone
    if busy:
        content.update(summary="Training", transp="OPAQUE")
        return content
    content.update(
        summary=workout.title,
        description=workout.description,
        categories=[KIND_TITLES[workout.kind]],
        transp="OPAQUE" if timed else "TRANSPARENT",
    )
    if workout.reminder_minutes is not None:
        content["reminder_minutes"] = workout.reminder_minutes
    return content


def event_contents(
    plan: Plan, *, busy: bool = False, uid_domain: str = DEFAULT_UID_DOMAIN
) -> list[dict[str, Any]]:
    workouts: Sequence[Workout] = plan.workouts
    if busy:  # a work calendar needs to know when, not what; rest days hold no time
        workouts = [w for w in workouts if w.kind != "rest"]
    return [event_content(w, plan.timezone, busy=busy, uid_domain=uid_domain) for w in workouts]


def content_hash(content: Mapping[str, Any]) -> str:
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def calendar_name(plan: Plan, busy: bool) -> str:
    """The calendar's display name, without the characters TEXT would escape: parsers
    disagree on unescaping NAME and X-WR-CALNAME (icalendar and ical.js keep the
    backslashes), so a name never needs it."""
    name = f"{plan.athlete_name} · training (busy)" if busy else f"{plan.athlete_name} · {plan.template_name}"
    return " ".join(re.sub(r"[\\;,\r\n]", " ", name).split())


def render(
    plan: Plan, contents: Sequence[Mapping[str, Any]], stamps: Mapping[str, Stamp], *, busy: bool = False
) -> bytes:
    name = icswriter.escape_text(calendar_name(plan, busy))
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{icswriter.escape_text(PRODID)}",
        "CALSCALE:GREGORIAN",
        f"NAME:{name}",
        f"X-WR-CALNAME:{name}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{icswriter.duration(REFRESH)}",
        f"X-PUBLISHED-TTL:{icswriter.duration(REFRESH)}",
    ]
    out = [icswriter.lines(head)]
    zones = sorted({c["tzid"] for c in contents if "tzid" in c})
    out += [zones_vtimezone(tzid, plan.start_date.year, plan.end_date.year + 2) for tzid in zones]
    out += [_event(content, stamps[content["uid"]]) for content in contents]
    out.append(b"END:VCALENDAR\r\n")
    return b"".join(out)


def event_bytes(content: Mapping[str, Any], stamp: Stamp, extra: Sequence[str] = ()) -> bytes:
    """One VEVENT; ``extra`` content lines go in before its end."""
    return _event(content, stamp, extra)


def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    return zones_vtimezone(tzid, first_year, last_year)


def _event(content: Mapping[str, Any], stamp: Stamp, extra: Sequence[str] = ()) -> bytes:
    esc = icswriter.escape_text
    modified = icswriter.utc(stamp.last_modified)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{esc(content['uid'])}",
        f"DTSTAMP:{modified}",
        f"LAST-MODIFIED:{modified}",
        f"SEQUENCE:{stamp.sequence}",
    ]
    if "start" in content:
        tzid = content["tzid"]
        lines.append(f"DTSTART;TZID={tzid}:{icswriter.local(dt.datetime.fromisoformat(content['start']))}")
        lines.append(f"DTEND;TZID={tzid}:{icswriter.local(dt.datetime.fromisoformat(content['end']))}")
    else:
        day = dt.date.fromisoformat(content["date"])
        lines.append(f"DTSTART;VALUE=DATE:{icswriter.date(day)}")
        lines.append(f"DTEND;VALUE=DATE:{icswriter.date(day + dt.timedelta(days=1))}")  # exclusive
    lines.append(f"SUMMARY:{esc(content['summary'])}")
    if "description" in content:
        lines.append(f"DESCRIPTION:{esc(content['description'])}")
    if "categories" in content:
        lines.append("CATEGORIES:" + ",".join(esc(c) for c in content["categories"]))
    lines.append(f"TRANSP:{content['transp']}")
    if "reminder_minutes" in content:
        # A timed entry: its reminder the profile's minutes before. An all-day entry starts at
        # midnight, so "30 minutes before" would ring at 23:30 the evening before: its reminder
        # is on the day itself, at ALL_DAY_REMINDER (07:00).
        before = dt.timedelta(minutes=-content["reminder_minutes"])
        trigger = icswriter.duration(before if "start" in content else ALL_DAY_REMINDER)
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{esc(content['summary'])}",
            f"TRIGGER:{trigger}",
            "END:VALARM",
        ]
    lines += extra
    lines.append("END:VEVENT")
    return icswriter.lines(lines)
