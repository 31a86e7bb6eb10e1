"""Timed workouts land at the same instant in every client, across both daylight-saving changes.

The instants are compared, never local-time strings: ical.js from the
calendar's own VTIMEZONE, vobject from the VTIMEZONE too, icalendar, and
zoneinfo as the reference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from plansync.calendars.identity import calendar_bytes
from plansync.core.compiler import real_local_time
from plansync.inputs.compiling import compile_file
from plansync.state.ledger import Ledger

from .test_ical import icaljs_events

Writer = Callable[[dict[str, Any], str], Path]
T0 = dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC)
# (zone, a general plan's start date): each 16-week window crosses the zone's changes of the year
ZONES = {
    "America/New_York": ["2027-02-01", "2027-08-23"],
    "Europe/London": ["2027-02-15", "2027-08-30"],
    "Australia/Sydney": ["2027-02-22", "2027-08-23"],
    "Asia/Kolkata": ["2027-02-01"],
    "Pacific/Chatham": ["2027-02-22", "2027-08-16"],
}
CASES = [(zone, start) for zone, starts in ZONES.items() for start in starts]


def _profile(profile_data: dict[str, Any], zone: str, start: str) -> dict[str, Any]:
    profile_data["timezone"] = zone
    profile_data["plan"] = {"template": "general-base-building", "start_date": start, "weeks": 16}
    profile_data["fitness"] = {
        "weekly_distance": 30,
        "long_run": 12,
        "recent_race": {"distance": "10k", "time": "48:30"},
    }
    # Sunday's run at 02:30: a time the clocks skip or repeat on some changes.
    profile_data["availability"] = {
        "days": ["mon", "tue", "thu", "sat", "sun"],
        "long_run_day": "sat",
        "time": "06:30",
        "times": {"sun": "02:30"},
    }
    return profile_data


@pytest.mark.parametrize(("zone", "start"), CASES, ids=[f"{z}-{s}" for z, s in CASES])
def test_every_timed_workout_is_the_same_instant_in_every_parser(
    tmp_path: Path, profile_data: dict[str, Any], write_yaml: Writer, zone: str, start: str
) -> None:
    plan = compile_file(write_yaml(_profile(profile_data, zone, start), "athlete.yaml"))
    timed = {f"{w.id}@plansync": w for w in plan.workouts if w.start_time is not None}
    assert len(timed) > 40
    tz = ZoneInfo(zone)
    expected = {
        uid: dt.datetime.combine(w.date, w.start_time, tz).timestamp()  # type: ignore[arg-type]
        for uid, w in timed.items()
    }
    with Ledger(tmp_path / "state") as ledger:
        data = calendar_bytes(plan, ledger, T0)

    by_icaljs = {e["uid"]: e["utc"] for e in icaljs_events(data, tmp_path) if e["uid"] in timed}
    by_icalendar = {
        str(e["UID"]): e["DTSTART"].dt.timestamp()
        for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
        if str(e["UID"]) in timed
    }
    by_vobject = {
        e.uid.value: e.dtstart.value.timestamp()
        for e in vobject.readOne(data.decode("utf-8")).vevent_list
        if e.uid.value in timed
    }
    for name, got in (("ical.js", by_icaljs), ("icalendar", by_icalendar), ("vobject", by_vobject)):
        wrong = {uid: (got.get(uid), want) for uid, want in expected.items() if got.get(uid) != want}
        assert not wrong, f"{name}: {len(wrong)} events at another instant, e.g. {next(iter(wrong.items()))}"


def test_a_run_at_a_time_the_clocks_skip_moves_to_the_next_real_minute(
    profile_data: dict[str, Any], write_yaml: Writer
) -> None:
    plan = compile_file(write_yaml(_profile(profile_data, "America/New_York", "2027-02-01"), "athlete.yaml"))
    spring = next(w for w in plan.workouts if w.date == dt.date(2027, 3, 14) and w.start_time is not None)
    assert spring.start_time == dt.time(3, 0)
    moved = [w for w in plan.warnings if w.code == "time-moved"]
    assert moved and "2027-03-14" in moved[0].message and "02:30" in moved[0].message


@pytest.mark.parametrize(
    ("zone", "day", "at", "real"),
    [
        ("America/New_York", dt.date(2027, 3, 14), dt.time(2, 30), dt.time(3, 0)),  # skipped
        ("America/New_York", dt.date(2027, 11, 7), dt.time(1, 30), dt.time(2, 0)),  # happens twice
        ("Europe/London", dt.date(2027, 3, 28), dt.time(1, 0), dt.time(2, 0)),
        ("Pacific/Chatham", dt.date(2027, 9, 26), dt.time(2, 50), dt.time(3, 45)),
        ("Asia/Kolkata", dt.date(2027, 3, 14), dt.time(2, 30), dt.time(2, 30)),
    ],
)
def test_real_local_time(zone: str, day: dt.date, at: dt.time, real: dt.time) -> None:
    assert real_local_time(day, at, ZoneInfo(zone)) == real
