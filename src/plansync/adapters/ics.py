"""The ``ics`` adapter: an athlete's plan as a calendar file, item by item.

The "remote" is ``<dir>/<athlete-id>.ics`` (``--option dir=calendars`` by
default). Each event carries ``X-PLANSYNC-FINGERPRINT`` as its marker and
keeps its own SEQUENCE, raised on every update. Changes are buffered and the
file is written once, atomically, when the adapter is closed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from plansync.adapters.base import Adapter, AdapterContext, AdapterError, AdapterSetting, Athlete, RemoteItem
from plansync.atomic import write_atomic
from plansync.calendars import events as ical
from plansync.core.budgets import ICS
from plansync.core.plan import Workout

FINGERPRINT_PROP = "X-PLANSYNC-FINGERPRINT"
_BLOCK = re.compile(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.S)


@dataclass
class _Event:
    block: bytes
    date: dt.date
    fingerprint: str | None
    sequence: int


def _unfold(block: bytes) -> str:
    return block.replace(b"\r\n ", b"").decode("utf-8")


def _parse(block: bytes, domain: str) -> tuple[str, _Event] | None:
    text = _unfold(block)
    uid = re.search(r"^UID:(.*)$", text, re.M)
    start = re.search(r"^DTSTART[^:]*:(\d{8})", text, re.M)
    if not uid or not start:
        return None
    sequence = re.search(r"^SEQUENCE:(\d+)", text, re.M)
    fingerprint = re.search(rf"^{FINGERPRINT_PROP}:([0-9a-f]+)", text, re.M)
    ident = uid.group(1).strip().removesuffix(f"@{domain}")
    day = dt.datetime.strptime(start.group(1), "%Y%m%d").date()
    return ident, _Event(
        block, day, fingerprint.group(1) if fingerprint else None, int(sequence.group(1)) if sequence else 0
    )


class IcsAdapter(Adapter):
    """A calendar file per athlete."""

    name = "ics"
    description = "iCalendar file per athlete (<dir>/<athlete-id>.ics)"
    supports_update = True
    supports_delete = True
    budget = ICS  # core.budgets
    people_edit = False  # a calendar file removed by hand is written again, not "kept as deleted"
    settings = (AdapterSetting("dir", "calendars", help="folder of the calendar files"),)

    def __init__(
        self, directory: Path, clock: Callable[[], dt.datetime], uid_domain: str = ical.DEFAULT_UID_DOMAIN
    ) -> None:
        self.directory = directory
        self._clock = clock
        self._domain = uid_domain
        self._events: dict[str, dict[str, _Event]] = {}
        self._athletes: dict[str, Athlete] = {}
        self._dirty: set[str] = set()
        from plansync.adapters.base import Counters

        self.counters = Counters()

    @classmethod
    def from_config(cls, context: AdapterContext) -> IcsAdapter:
        directory = Path(context.options.get("dir", "calendars"))
        if directory.exists() and not directory.is_dir():
            raise AdapterError(f"-O dir={directory}: that is a file; name a folder for the calendars")
        return cls(directory, lambda: dt.datetime.now(dt.UTC))

    @classmethod
    def vanished(cls, context: AdapterContext, athlete: str) -> bool:
        return not (Path(context.options.get("dir", "calendars")) / f"{athlete}.ics").is_file()

    def path(self, athlete: Athlete) -> Path:
        return self.directory / f"{athlete.profile.id}.ics"

    def _loaded(self, athlete: Athlete) -> dict[str, _Event]:
        key = athlete.profile.id
        self._athletes[key] = athlete
        if key not in self._events:
            events: dict[str, _Event] = {}
            path = self.path(athlete)
            if path.exists():
                for block in _BLOCK.findall(path.read_bytes()):
                    parsed = _parse(block, self._domain)
                    if parsed:
                        events[parsed[0]] = parsed[1]
            self._events[key] = events
        return self._events[key]

    def list(self, athlete: Athlete, start: dt.date, end: dt.date) -> list[RemoteItem]:
        self.counters.requests += 1
        return [
            RemoteItem(uid, e.date, uid, e.fingerprint)
            for uid, e in sorted(self._loaded(athlete).items())
            if start <= e.date <= end
        ]

    def _content(self, athlete: Athlete, workout: Workout) -> dict[str, object]:
        return ical.event_content(workout, athlete.plan.timezone, busy=False, uid_domain=self._domain)

    def fingerprint(self, athlete: Athlete, workout: Workout) -> str:
        return ical.content_hash(self._content(athlete, workout))[:12]

    def _put(self, athlete: Athlete, workout: Workout, sequence: int) -> RemoteItem:
        fp = self.fingerprint(athlete, workout)
        stamp = ical.Stamp(sequence, self._clock().astimezone(dt.UTC).replace(microsecond=0))
        block = ical.event_bytes(self._content(athlete, workout), stamp, [f"{FINGERPRINT_PROP}:{fp}"])
        self._loaded(athlete)[workout.id] = _Event(block, workout.date, fp, sequence)
        self._dirty.add(athlete.profile.id)
        self.counters.requests += 1
        return RemoteItem(workout.id, workout.date, workout.id, fp, workout.title)

    def create(self, athlete: Athlete, workout: Workout) -> RemoteItem:
        return self._put(athlete, workout, 0)

    def update(self, athlete: Athlete, remote_id: str, workout: Workout) -> RemoteItem:
        old = self._loaded(athlete).get(remote_id)
        return self._put(athlete, workout, old.sequence + 1 if old else 0)

    def delete(self, athlete: Athlete, remote_id: str) -> None:
        self._loaded(athlete).pop(remote_id, None)
        self._dirty.add(athlete.profile.id)
        self.counters.requests += 1

    def close(self) -> None:
        for key in sorted(self._dirty):
            athlete = self._athletes[key]
            events = sorted(self._events[key].items(), key=lambda kv: (kv[1].date, kv[0]))
            plan = athlete.plan
            head = ical.render(plan, [], {}).removesuffix(b"END:VCALENDAR\r\n")
            zones = b""
            if any(b"TZID=" in e.block for _, e in events):
                zones = ical.vtimezone(athlete.profile.timezone, plan.start_date.year, plan.end_date.year + 2)
            write_atomic(
                self.path(athlete), head + zones + b"".join(e.block for _, e in events) + b"END:VCALENDAR\r\n"
            )
        self._dirty.clear()
