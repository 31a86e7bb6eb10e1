"""iCalendar output: three independent parsers, round trips, identity and feeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject

from plansync.calendars.feeds import build_feeds, rotate
from plansync.calendars.identity import calendar_bytes
from plansync.core.compiler import Options
from plansync.core.plan import Plan
from plansync.inputs.compiling import compile_file
from plansync.state.ledger import Ledger

from .conftest import EXAMPLE

T0 = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
ICALJS = Path(__file__).parent / "icaljs"
Writer = Callable[[dict[str, Any], str], Path]


def plan_for(path: Path, **options: Any) -> Plan:
    return compile_file(path, options=Options(**options))


def parse_all_three(data: bytes, tmp_path: Path) -> list[dict[str, Any]]:
    """Parse with icalendar, vobject (validate=True) and ical.js; return ical.js's events."""
    cal = icalendar.Calendar.from_ical(data)
    for component in cal.walk():
        assert not getattr(component, "errors", []), component.errors
    vobject.readOne(data.decode("utf-8"), validate=True)
    return icaljs_events(data, tmp_path)


def icaljs_events(data: bytes, tmp_path: Path) -> list[dict[str, Any]]:
    if not (ICALJS / "node_modules" / "ical.js").exists() or shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("ical.js is not installed: .ci/run installs it with npm")
        pytest.skip("ical.js not installed (cd tests/icaljs && npm install)")
    path = tmp_path / "check.ics"
    path.write_bytes(data)
    out = subprocess.run(
        ["node", str(ICALJS / "parse.mjs"), str(path)], capture_output=True, text=True, check=True
    )
    events: list[dict[str, Any]] = json.loads(out.stdout)["events"]
    return events


def icaljs_name(data: bytes, tmp_path: Path) -> str:
    icaljs_events(data, tmp_path)
    out = subprocess.run(
        ["node", str(ICALJS / "parse.mjs"), str(tmp_path / "check.ics")],
        capture_output=True,
        text=True,
        check=True,
    )
    return str(json.loads(out.stdout)["name"])


def test_every_parser_reads_the_calendar_and_gets_every_workout_back(tmp_path: Path) -> None:
    plan = plan_for(EXAMPLE)
    with Ledger(tmp_path / "state") as ledger:
        data = calendar_bytes(plan, ledger, T0)
    events = {e["uid"]: e for e in parse_all_three(data, tmp_path)}
    assert len(events) == len(plan.workouts)
    for w in plan.workouts:
        e = events[f"{w.id}@plansync"]
        assert e["allDay"] and e["start"] == w.date.isoformat()
        assert e["end"] == (w.date + dt.timedelta(days=1)).isoformat()  # DTEND is exclusive
        assert e["summary"] == w.title
        assert e["description"] == w.description
    parsed = icalendar.Calendar.from_ical(data)
    assert [str(c["UID"]) for c in parsed.walk("VEVENT")] == [f"{w.id}@plansync" for w in plan.workouts]


def test_calendar_properties(tmp_path: Path) -> None:
    plan = plan_for(EXAMPLE)
    with Ledger(tmp_path) as ledger:
        text = calendar_bytes(plan, ledger, T0).decode()
    assert "\r\nNAME:Jane Doe · Half marathon · intermediate\r\n" in text
    assert "\r\nX-WR-CALNAME:Jane Doe · Half marathon · intermediate\r\n" in text
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT6H\r\n" in text
    assert "METHOD:" not in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_escaping_and_folding_survive_commas_semicolons_emoji_and_long_lines(
    tmp_path: Path, profile_data: dict[str, Any], write_yaml: Writer
) -> None:
    profile_data["name"] = "Zoë “Flash” O'Brien; runner, 🏃‍♀️ coach's pick \\ backslash"
    path = write_yaml(profile_data, "athlete.yaml")
    plan = plan_for(path)
    long_words = "a" * 90 + " ; , \\n é 🦶 " * 20
    first = dataclasses.replace(
        plan.workouts[0], description="Line one\nLine two; with, punctuation\n" + long_words
    )
    plan = dataclasses.replace(plan, workouts=(first, *plan.workouts[1:]))
    with Ledger(tmp_path / "state") as ledger:
        data = calendar_bytes(plan, ledger, T0)
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
    events = parse_all_three(data, tmp_path)
    assert events[0]["description"] == first.description
    # Calendar names drop what TEXT would escape: parsers disagree on unescaping them.
    expected = "Zoë “Flash” O'Brien runner 🏃‍♀️ coach's pick backslash · Half marathon · intermediate"
    assert icaljs_name(data, tmp_path) == expected
    assert str(icalendar.Calendar.from_ical(data)["NAME"]) == expected


def test_training_times_make_timed_events_with_a_timezone_and_reminders(
    tmp_path: Path, profile_data: dict[str, Any], write_yaml: Writer
) -> None:
    profile_data["timezone"] = "Australia/Sydney"
    profile_data["availability"]["time"] = "06:30"
    profile_data["availability"]["times"] = {"sun": "08:00"}
    profile_data["calendar"] = {"reminder_minutes": 45}
    plan = plan_for(write_yaml(profile_data, "athlete.yaml"))
    with Ledger(tmp_path / "state") as ledger:
        data = calendar_bytes(plan, ledger, T0)
    text = data.decode()
    assert "BEGIN:VTIMEZONE\r\nTZID:Australia/Sydney" in text
    events = {e["uid"]: e for e in parse_all_three(data, tmp_path)}
    long_run = next(w for w in plan.workouts if w.kind == "long")
    event = events[f"{long_run.id}@plansync"]
    assert not event["allDay"] and event["start"] == f"{long_run.date.isoformat()}T08:00:00"
    assert event["timezone"] == "Australia/Sydney"
    start = dt.datetime.fromisoformat(event["start"])
    assert dt.datetime.fromisoformat(event["end"]) - start >= dt.timedelta(seconds=long_run.duration_s)
    rest = next(w for w in plan.workouts if w.kind == "rest")
    assert events[f"{rest.id}@plansync"]["allDay"]
    cal = icalendar.Calendar.from_ical(data)
    alarms = [c for c in cal.walk("VALARM")]
    assert (
        alarms and alarms[0]["TRIGGER"].dt == dt.timedelta(minutes=-45) and alarms[0]["ACTION"] == "DISPLAY"
    )


def test_unchanged_re_export_gives_identical_bytes(tmp_path: Path) -> None:
    plan = plan_for(EXAMPLE)
    with Ledger(tmp_path) as ledger:
        first = calendar_bytes(plan, ledger, T0)
        again = calendar_bytes(plan_for(EXAMPLE), ledger, T0 + dt.timedelta(days=3))
    assert first == again


def test_moving_the_race_date_keeps_uids_and_raises_sequence_only_where_changed(tmp_path: Path) -> None:
    plan = plan_for(EXAMPLE)
    moved = plan_for(EXAMPLE, race_date=dt.date(2027, 4, 25))
    with Ledger(tmp_path) as ledger:
        before = icalendar.Calendar.from_ical(calendar_bytes(plan, ledger, T0))
        after = icalendar.Calendar.from_ical(calendar_bytes(moved, ledger, T0 + dt.timedelta(days=1)))
    old: dict[str, Any] = {str(e["UID"]): e for e in before.walk("VEVENT")}
    new: dict[str, Any] = {str(e["UID"]): e for e in after.walk("VEVENT")}
    assert set(old) == set(new)
    for uid, event in new.items():
        assert event["DTSTART"].dt == old[uid]["DTSTART"].dt + dt.timedelta(days=7)
        assert int(event["SEQUENCE"]) == int(old[uid]["SEQUENCE"]) + 1
        assert event["LAST-MODIFIED"].dt == event["DTSTAMP"].dt == T0 + dt.timedelta(days=1)


def test_only_changed_events_move(tmp_path: Path) -> None:
    plan = plan_for(EXAMPLE)
    edited = dataclasses.replace(plan.workouts[3], title="Changed by the coach")
    changed_plan = dataclasses.replace(plan, workouts=(*plan.workouts[:3], edited, *plan.workouts[4:]))
    with Ledger(tmp_path) as ledger:
        calendar_bytes(plan, ledger, T0)
        cal = icalendar.Calendar.from_ical(calendar_bytes(changed_plan, ledger, T0 + dt.timedelta(hours=1)))
    sequences = {str(e["UID"]): int(str(e["SEQUENCE"])) for e in cal.walk("VEVENT")}
    assert sequences.pop(f"{edited.id}@plansync") == 1
    assert set(sequences.values()) == {0}


def test_a_workout_that_leaves_the_plan_leaves_the_calendar(tmp_path: Path) -> None:
    plan = plan_for(EXAMPLE)
    gone = plan.workouts[5]
    smaller = dataclasses.replace(plan, workouts=tuple(w for w in plan.workouts if w.id != gone.id))
    with Ledger(tmp_path) as ledger:
        calendar_bytes(plan, ledger, T0)
        data = calendar_bytes(smaller, ledger, T0)
        assert gone.id + "@plansync" not in ledger.entries("calendar", plan.athlete)
    assert gone.id.encode() not in data


def test_busy_feed_has_the_times_but_not_the_details(tmp_path: Path) -> None:
    plan = plan_for(EXAMPLE)
    with Ledger(tmp_path) as ledger:
        data = calendar_bytes(plan, ledger, T0, busy=True)
    events = parse_all_three(data, tmp_path)
    assert {e["summary"] for e in events} == {"Training"}
    assert all(e["description"] is None for e in events)
    assert len(events) == sum(1 for w in plan.workouts if w.kind != "rest")
    assert b"TRANSP:OPAQUE" in data and b"DESCRIPTION" not in data


def test_feed_build_writes_unguessable_files_and_a_private_index(tmp_path: Path) -> None:
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    shutil.copy(EXAMPLE, athletes / "jane-doe.yaml")
    out, state = tmp_path / "public", tmp_path / "state"
    with Ledger(state) as ledger:
        result = build_feeds(athletes, out, ledger, T0, base_url="https://feeds.example.org")
        feed = ledger.feed("jane-doe")
    assert result.built == ["jane-doe"] and feed is not None
    assert len(feed.token) >= 32  # 24 random bytes, url-safe: 192 bits
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{feed.token}.ics", f"{feed.busy_token}.ics"])
    index = state / "feeds-index.json"
    assert index.stat().st_mode & 0o777 == 0o600
    urls = json.loads(index.read_text())["athletes"]["jane-doe"]
    assert urls["calendar"] == {
        "https": f"https://feeds.example.org/{feed.token}.ics",
        "webcal": f"webcal://feeds.example.org/{feed.token}.ics",
    }
    assert not list(out.glob("*.json")) and not list(out.glob(".*"))


def test_feed_rebuild_keeps_bytes_and_mtime_and_deletions_move_last_modified_forward(tmp_path: Path) -> None:
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    profile_path = athletes / "jane-doe.yaml"
    shutil.copy(EXAMPLE, profile_path)
    out = tmp_path / "public"
    with Ledger(tmp_path / "state") as ledger:
        build_feeds(athletes, out, ledger, T0, base_url="https://x.test")
        token = ledger.feed("jane-doe").token
        path = out / f"{token}.ics"
        first, mtime = path.read_bytes(), path.stat().st_mtime
        result = build_feeds(athletes, out, ledger, T0 + dt.timedelta(days=1), base_url="https://x.test")
        assert result.unchanged == ["jane-doe"]
        assert path.read_bytes() == first and path.stat().st_mtime == mtime
        # A training day less: workouts leave the feed. The clock even runs behind.
        profile_path.write_text(
            profile_path.read_text().replace("[mon, tue, thu, sat, sun]", "[tue, thu, sat, sun]")
        )
        build_feeds(athletes, out, ledger, T0 - dt.timedelta(days=5), base_url="https://x.test")
    assert path.read_bytes() != first
    assert path.stat().st_mtime > mtime


def test_rotate_moves_the_feed_to_a_new_token(tmp_path: Path) -> None:
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    shutil.copy(EXAMPLE, athletes / "jane-doe.yaml")
    out = tmp_path / "public"
    with Ledger(tmp_path / "state") as ledger:
        build_feeds(athletes, out, ledger, T0, base_url="https://x.test")
        old = ledger.feed("jane-doe")
        assert old is not None
        data = (out / f"{old.token}.ics").read_bytes()
        new = rotate("jane-doe", ledger, T0 + dt.timedelta(minutes=1))
    assert new.token != old.token and new.busy_token != old.busy_token
    assert not (out / f"{old.token}.ics").exists() and not (out / f"{old.busy_token}.ics").exists()
    assert (out / f"{new.token}.ics").read_bytes() == data
    index = json.loads((tmp_path / "state" / "feeds-index.json").read_text())
    assert new.token in index["athletes"]["jane-doe"]["calendar"]["https"]
    assert old.token not in json.dumps(index)
