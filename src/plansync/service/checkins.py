"""`plansync checkin`: the athlete's feet, kept with their plan, and what they change.

A check-in is kept in the athlete's plan record in the state directory (with
every earlier one), so compile, export, feeds, FIT, status and publish all
plan around it (:func:`plansync.core.progress.plan_as_of` applies
:func:`plansync.core.listening.listen`). Each workout it changes keeps its id
and says why; publishing then updates exactly those.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from plansync.core.checkins import Checkin, Episode, episodes, from_soreness, ordered, paused, problem
from plansync.core.listening import SAID
from plansync.core.plan import Plan
from plansync.core.profile import Profile
from plansync.core.records import PlanRecord
from plansync.errors import PlansyncError
from plansync.inputs.compiling import compile_file
from plansync.inputs.loader import load_profile
from plansync.service.adapting import Change, plan_changes
from plansync.service.settings import Settings
from plansync.service.sources import is_platform, platform_soreness
from plansync.state.ledger import Ledger, plan_records
from plansync.state.lock import writer


@dataclass
class CheckedIn:
    """What a check-in did: the athlete's check-ins now, their episodes, the changed workouts."""

    athlete: str
    checkins: list[Checkin]
    episodes: list[Episode]
    changes: list[Change] = field(default_factory=list)
    added: int = 0
    paused_on: Checkin | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "athlete": self.athlete,
            "added": self.added,
            "checkins": [c.as_dict() for c in self.checkins],
            "episodes": [e.as_dict() for e in self.episodes],
            "paused": self.paused_on.as_dict() if self.paused_on else None,
            "changes": [c.as_dict() for c in self.changes],
        }


def today_of(settings: Settings, profile: Profile) -> dt.date:
    return settings.now().astimezone(ZoneInfo(profile.timezone)).date()


def from_source(settings: Settings, profile_path: Path, source: str) -> list[Checkin]:
    """Check-ins from a CSV file (:mod:`plansync.inputs.checkins`), or ``intervals``: the
    athlete's intervals.icu wellness soreness from the plan's first day to today
    (:data:`plansync.core.checkins.SORENESS_PAIN`)."""
    if not is_platform(source):
        from plansync.inputs.checkins import read_checkins

        return read_checkins(Path(source))
    from plansync.adapters.base import Athlete

    profile = load_profile(profile_path)
    today = today_of(settings, profile)
    records = plan_records(settings.state)
    plan = compile_file(profile_path, settings.templates, now=settings.now(), records=records)
    found = platform_soreness(settings, source, Athlete(profile, plan, today), plan.start_date, today)
    return [from_soreness(day, sore, comment) for day, sore, comment in found]


def one(settings: Settings, profile_path: Path, checkin: Checkin, day: dt.date | None) -> list[Checkin]:
    """A check-in given on the command line or the athlete's page, on ``day`` or today (in the
    athlete's time zone)."""
    date = day or today_of(settings, load_profile(profile_path))
    return [dataclasses.replace(checkin, date=date)]


def listed(settings: Settings, profile_path: Path) -> CheckedIn:
    """The athlete's check-ins so far, with what the model makes of them."""
    profile = load_profile(profile_path)
    record = plan_records(settings.state).get(profile.id)
    kept = list(record.checkins) if record else []
    return CheckedIn(profile.id, ordered(kept), episodes(kept), paused_on=paused(kept))


def check_in(settings: Settings, profile_path: Path, new: Sequence[Checkin]) -> CheckedIn:
    """Keep ``new`` check-ins (each checked; one already kept is not kept twice) and say which
    workouts they change, each with why."""
    profile = load_profile(profile_path)
    today = today_of(settings, profile)
    for c in new:
        trouble = problem(c, today)
        if trouble is not None:
            raise PlansyncError(f"check-in of {c.date}: {trouble}")
    records = plan_records(settings.state)
    now = settings.now()
    before = compile_file(profile_path, settings.templates, now=now, records=records)
    with (
        writer(settings.state, f"keeping {profile.id}'s check-in", wait=settings.wait),
        Ledger(settings.state) as ledger,
    ):
        old = ledger.plan_records().get(profile.id) or PlanRecord.of(before, before.made_on or today)
        if any(c.cleared for c in new) and paused(old.checkins) is None:
            raise PlansyncError(f"{profile.id} has no red flag to clear: running is not paused")
        fresh = [c for c in new if c not in old.checkins]
        record = dataclasses.replace(old, checkins=(*old.checkins, *fresh))
        ledger.set_adaptation(record)
    after = compile_file(profile_path, settings.templates, now=now, records={**records, profile.id: record})
    kept = list(record.checkins)
    return CheckedIn(
        profile.id,
        ordered(kept),
        episodes(kept),
        _changes(before, after, today),
        added=len(fresh),
        paused_on=paused(kept),
    )


def _changes(before: Plan, after: Plan, today: dt.date) -> list[Change]:
    """The workouts from today on that the check-ins changed, each with the reason it carries."""
    why = {w.id: w.notes[0] for w in after.workouts if w.notes and w.notes[0].startswith(SAID)}
    return [
        dataclasses.replace(c, reason=why.get(c.id, "back to the plan: the check-ins no longer change it"))
        for c in plan_changes(before, after, {}, today)
    ]
