"""The compiled plan: dated entries with stable ids, ready for any export target.

Steps, workouts and week summaries are plain slotted dataclasses, not frozen
ones: a 16-week plan builds several hundred of them and frozen construction
costs about three times as much. Treat them as read-only values; use
``dataclasses.replace`` for a changed copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plansync.core.vocab import RUN_KINDS
from plansync.core.zones import Target

# Entries that take a time of day in a calendar when the athlete trains at a set time;
# rest days and foot strength stay all-day.
TIMED_KINDS = RUN_KINDS | {"cross"}


@dataclass(frozen=True)
class PlanWarning:
    """Something the coach should know about a plan, with a stable ``code`` for machines.

    Codes: ``above-template-peak``, ``weekly-peak-capped``, ``long-run-capped``,
    ``hard-sessions-dropped``, ``few-days``, ``not-race-ready``, ``race-week-light``, ``joined-late``,
    ``shoe-lifespan``.
    """

    code: str
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            **({"data": dict(self.data)} if self.data else {}),
        }


@dataclass(frozen=True)
class References:
    """The athlete's 100 % marks that platforms express targets against."""

    threshold_pace_s: float | None = None  # seconds per unit (km or mi) at threshold
    threshold_hr: int | None = None
    max_hr: int | None = None


@dataclass(slots=True)
class Step:
    """One step of a workout; a repeat holds inner steps and a count."""

    type: str  # warmup, run, recover, cooldown, cross, repeat
    zone: str | None = None
    by: str = "time"  # how the template measures the step: "time" or "distance"
    duration_s: int | None = None
    distance_m: int | None = None
    target: Target | None = None
    count: int | None = None
    steps: tuple[Step, ...] = ()
    label: str | None = None
    secondary: Target | None = None  # shown beside the target where it means something (see core.targets)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.type == "repeat":
            out["count"] = self.count
            out["steps"] = [s.as_dict() for s in self.steps]
            return out
        out["zone"] = self.zone
        out["by"] = self.by
        out["duration_s"] = self.duration_s
        out["distance_m"] = self.distance_m
        out["target"] = self.target.as_dict() if self.target else None
        if self.label:
            out["label"] = self.label
        if self.secondary is not None:
            out["secondary_target"] = self.secondary.as_dict()
        return out


@dataclass(slots=True)
class Workout:
    """One entry of the plan on one date. ``id`` never depends on the date."""

    id: str
    date: dt.date
    week: int
    slot: str
    kind: str
    title: str
    description: str
    distance_m: int = 0
    duration_s: int = 0
    hard: bool = False
    surface: str | None = None
    shoe: str | None = None
    steps: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()
    start_time: dt.time | None = None  # local time of day, for timed calendar entries
    reminder_minutes: int | None = None  # a calendar alarm this long before

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "week": self.week,
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "distance_m": self.distance_m,
            "duration_s": self.duration_s,
            "hard": self.hard,
            "surface": self.surface,
            "shoe": self.shoe,
            "steps": [s.as_dict() for s in self.steps],
            "notes": list(self.notes),
        } | self._timing()

    def _timing(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.start_time is not None:
            out["start_time"] = self.start_time.strftime("%H:%M")
        if self.reminder_minutes is not None:
            out["reminder_minutes"] = self.reminder_minutes
        return out


@dataclass(slots=True)
class WeekSummary:
    week: int
    start: dt.date
    phase: str
    distance_m: int
    duration_s: int
    cutback: bool
    taper: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "start": self.start.isoformat(),
            "phase": self.phase,
            "distance_m": self.distance_m,
            "duration_s": self.duration_s,
            "cutback": self.cutback,
            "taper": self.taper,
        }


@dataclass(frozen=True)
class ShoeForecast:
    """One pair through the plan: where it starts, what the plan puts on it, its lifespan."""

    name: str
    role: str
    start_m: int
    planned_m: int
    lifespan_m: int
    passes_on: dt.date | None = None  # the day of the run that takes it past its lifespan

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "start_m": self.start_m,
            "planned_m": self.planned_m,
            "end_m": self.start_m + self.planned_m,
            "lifespan_m": self.lifespan_m,
            "passes_on": self.passes_on.isoformat() if self.passes_on else None,
        }


@dataclass(frozen=True)
class Plan:
    athlete: str
    athlete_name: str
    template: str
    template_name: str
    goal: str
    start_date: dt.date
    end_date: dt.date
    race_date: dt.date | None
    weeks: int
    units: str
    timezone: str
    system: str
    warnings: tuple[PlanWarning, ...]
    weeks_summary: tuple[WeekSummary, ...]
    workouts: tuple[Workout, ...]
    zones: tuple[Target, ...] = field(default=())
    references: References = field(default=References())
    made_on: dt.date | None = None  # the day the plan was first made ("today" for its dates)
    moved_on: dt.date | None = None  # a plan re-planned for a moved race: the day it was re-planned
    shoes: tuple[ShoeForecast, ...] = ()
    reasons: tuple[tuple[int, tuple[str, ...]], ...] = ()  # adapted plans: why a week is what it is

    def as_dict(self) -> dict[str, Any]:
        return {
            "athlete": self.athlete,
            "athlete_name": self.athlete_name,
            "template": self.template,
            "template_name": self.template_name,
            "goal": self.goal,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "race_date": self.race_date.isoformat() if self.race_date else None,
            "weeks": self.weeks,
            "units": self.units,
            "timezone": self.timezone,
            "intensity_system": self.system,
            "warnings": [w.as_dict() for w in self.warnings],
            "zones": [z.as_dict() for z in self.zones],
            "weeks_summary": [w.as_dict() for w in self.weeks_summary],
            "shoes": [s.as_dict() for s in self.shoes],
            "workouts": [w.as_dict() for w in self.workouts],
        }

    def runs(self) -> list[Workout]:
        return [w for w in self.workouts if w.kind in RUN_KINDS]


def plan_json(plan: Plan) -> str:
    """Deterministic JSON: same plan, same bytes."""
    import json

    return json.dumps(plan.as_dict(), ensure_ascii=False, indent=2) + "\n"
