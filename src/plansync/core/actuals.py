"""What the athlete actually ran, and how it compares with the plan.

:class:`Activity` is one piece of completed training from any source (a CSV
file, a Strava export, intervals.icu); :func:`compliance` sets it against
the plan week by week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from plansync.core.plan import Plan
from plansync.core.vocab import RUN_KINDS

ActivityKind = Literal["run", "cross", "other"]
DONE_SHARE = 0.5  # a planned run counts as done when a run that day covers half its distance
UNDER, OVER = 0.8, 1.15  # a week's distance against the plan: on track between these
MISSED = 0.5  # under half the week's planned distance: the week was missed


@dataclass(frozen=True)
class Activity:
    date: dt.date
    kind: ActivityKind
    distance_m: float
    duration_s: float
    rpe: float | None = None
    avg_hr: float | None = None
    where: str = ""  # where it came from, for messages: "activities.csv:14", "intervals.icu i123"
    source_id: str | None = None  # the source's own id (Strava's, intervals.icu's): one activity, once
    race: bool = False  # a race or time trial: its time can set new paces (core.race_paces)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "distance_m": round(self.distance_m),
            "duration_s": round(self.duration_s),
            "rpe": self.rpe,
            "avg_hr": self.avg_hr,
            "race": self.race,
        }


def runs(activities: Iterable[Activity]) -> list[tuple[dt.date, float]]:
    """(date, metres) of each run, in date order: what the load rules count."""
    return sorted((a.date, a.distance_m) for a in activities if a.kind == "run" and a.distance_m > 0)


@dataclass(frozen=True)
class WeekCompliance:
    week: int
    start: dt.date
    planned_m: int
    run_m: int
    planned_long_m: int
    long_m: int
    done: int
    missed: int
    extra: int
    state: str  # on track, under, over, missed, ahead (not yet run)

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()}


def compliance(plan: Plan, activities: Sequence[Activity], today: dt.date) -> list[WeekCompliance]:
    """Planned against run, for every week of the plan that has begun."""
    out: list[WeekCompliance] = []
    done_runs = [a for a in activities if a.kind == "run"]
    for summary in plan.weeks_summary:
        if summary.start > today:
            break
        end = summary.start + dt.timedelta(days=6)
        planned = [
            w for w in plan.workouts if w.week == summary.week and w.kind in RUN_KINDS and w.kind != "race"
        ]
        ran = [a for a in done_runs if summary.start <= a.date <= min(end, today)]
        by_day: dict[dt.date, float] = {}
        for a in ran:
            by_day[a.date] = by_day.get(a.date, 0.0) + a.distance_m
        due = [w for w in planned if w.date <= today]
        done = sum(1 for w in due if by_day.get(w.date, 0.0) >= DONE_SHARE * w.distance_m)
        planned_days = {w.date for w in planned}
        extra = sum(1 for day in by_day if day not in planned_days)
        planned_m = sum(w.distance_m for w in planned)
        run_m = round(sum(a.distance_m for a in ran))
        ratio = run_m / planned_m if planned_m else 1.0
        if end > today:
            state = "in progress"
        elif ratio < MISSED:
            state = "missed"
        elif ratio < UNDER:
            state = "under"
        elif ratio > OVER:
            state = "over"
        else:
            state = "on track"
        out.append(
            WeekCompliance(
                week=summary.week,
                start=summary.start,
                planned_m=planned_m,
                run_m=run_m,
                planned_long_m=max((w.distance_m for w in planned if w.kind == "long"), default=0),
                long_m=round(max((a.distance_m for a in ran), default=0.0)),
                done=done,
                missed=len(due) - done,
                extra=extra,
                state=state,
            )
        )
    return out
