"""The load so far: what the rules of the next week see of the weeks before it.

The compiler writes the plan week by week; after each week it counts the
week's volume, its long run, its runs (for the 30-day spike rule) and how it
ended (a hard or long last day constrains the next week's first). A kept week
of a plan in progress counts as the athlete ran it when the runs are known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from plansync.core.plan import Workout
from plansync.core.vocab import HARD_KINDS, RUN_KINDS

MISSED_SHARE = 0.5  # a week run at under half its plan was missed
OVERREACH = 1.15  # a week run over 115 % of its plan (compliance's "over") is an overreach
RESUME_STEP = 0.1  # after missed weeks, 10 % below the last completed week per week missed

Day = tuple[dt.date, str, float]  # (date, kind, metres) of one entry


@dataclass
class Load:
    """The weeks written so far, as the rules of the next week count them."""

    history: list[tuple[dt.date, float]] = field(default_factory=list)  # every run, for the spike rule
    volumes: list[float] = field(default_factory=list)
    longs: list[float] = field(default_factory=list)
    occurrences: dict[str, int] = field(default_factory=dict)  # template session -> times placed
    prev_last_hard: bool = False
    prev_last_long: bool = False
    dropped_hard: int = 0
    short_weeks: list[tuple[int, float, float]] = field(default_factory=list)  # (week, target, held)
    missed_weeks: int = 0  # kept weeks at the end whose actual running was under half the plan
    last_completed: float = 0.0  # the actual volume of the last kept week that was not missed
    reasons: dict[int, list[str]] = field(default_factory=dict)  # week -> why it is what it is
    overreached: list[tuple[int, float, float]] = field(default_factory=list)  # (week, run, planned)
    returning: bool = False  # back from missed weeks and not yet back on the plan
    easy_weeks: int = 0  # weeks ahead to run easy only (the first week back after missed weeks)
    gap_days: int = 0  # days without running up to today, when adapting (core.gaps); 0 once planned
    last_runs: dict[str, float] = field(default_factory=dict)  # slot -> metres, the week before's runs
    # The last growing week: (metres held, its layout, its sessions), for the no-dip step
    last_growing: tuple[float, Any, Any] | None = None

    def count(self, days: Iterable[Day], week_end: dt.date) -> None:
        """A week as planned: its training volume, long run and runs."""
        volume, long, last_day = 0.0, 0.0, set()
        for d, kind, m in days:  # one pass: every week of every plan is counted
            if kind in RUN_KINDS:
                self.history.append((d, m))
                if kind != "race":
                    volume += m
                if kind == "long":
                    long = max(long, m)
            if d == week_end:
                last_day.add(kind)
        self.volumes.append(volume)
        self.longs.append(long)
        self.prev_last_hard = bool(last_day & (HARD_KINDS | {"long"}))
        self.prev_last_long = "long" in last_day

    def count_run(
        self, week: int, kept: list[Workout], ran: list[tuple[dt.date, float]], week_end: dt.date
    ) -> None:
        """A kept week as the athlete ran it. Progression continues from the lower of planned
        and run: a week run under its plan counts as run (under half of it, as missed), and a
        week run over it counts as planned, each run at most its planned length, so an
        overreach never raises a later week (it is noted for the coach instead). The actual
        runs still count in full where they make a limit stricter."""
        planned = float(sum(w.distance_m for w in kept if w.kind in RUN_KINDS and w.kind != "race"))
        counted = at_most_planned(kept, ran)
        run = sum(m for _, m in ran)
        volume = min(run, planned) if planned > 0 else run
        last_day = {w.kind for w in kept if w.date == week_end}
        ran_last_day = any(d == week_end for d, _ in ran)
        self.volumes.append(volume)
        planned_long = max((float(w.distance_m) for w in kept if w.kind == "long"), default=0.0)
        long = actual_long(kept, ran)
        self.longs.append(min(long, planned_long) if planned_long > 0 else long)
        self.history.extend(counted)
        self.prev_last_hard = bool(last_day & (HARD_KINDS | {"long"})) and ran_last_day
        self.prev_last_long = "long" in last_day and ran_last_day
        if planned > 0 and run > OVERREACH * planned:
            self.overreached.append((week, run, planned))
        if planned > 0 and run < MISSED_SHARE * planned:
            self.missed_weeks += 1
        else:
            self.missed_weeks = 0
            self.last_completed = volume

    def count_under_way(
        self, entries: list[Workout], until: dt.date, ran: list[tuple[dt.date, float]], week_end: dt.date
    ) -> None:
        """The week under way: its days before ``until`` count as run, the rest as planned."""
        self.count(days(w for w in entries if w.date >= until), week_end)
        done = [w for w in entries if w.date < until]
        counted = at_most_planned(done, ran)  # an overreach so far raises nothing ahead
        self.volumes[-1] += sum(m for _, m in counted)
        self.longs[-1] = max(self.longs[-1], actual_long(done, counted))
        self.history.extend(counted)

    def because(self, week: int, reason: str) -> None:
        self.reasons.setdefault(week, []).append(reason)


def days(entries: Iterable[Workout]) -> list[Day]:
    return [(w.date, w.kind, float(w.distance_m)) for w in entries]


def at_most_planned(kept: list[Workout], ran: list[tuple[dt.date, float]]) -> list[tuple[dt.date, float]]:
    """Each run counted at most as long as the run planned that day (a run on a day without
    one, at most the week's longest planned run): progression continues from the lower of
    planned and run."""
    planned = [w for w in kept if w.kind in RUN_KINDS and w.kind != "race"]
    longest = max((float(w.distance_m) for w in planned), default=0.0)
    by_day = {w.date: float(w.distance_m) for w in planned}
    return [(d, min(m, by_day.get(d, longest))) for d, m in ran]


def actual_long(kept: list[Workout], ran: list[tuple[dt.date, float]]) -> float:
    """The long run of a week as run: the run on the planned long run's day, or, when the
    athlete moved it, the longest run that was not on a quality session's day. A hill or
    tempo session longer than the long run is not the long run, as in the plan itself."""
    long_days = {w.date for w in kept if w.kind == "long"}
    on_long_day = [m for d, m in ran if d in long_days]
    if on_long_day:
        return max(on_long_day)
    hard_days = {w.date for w in kept if w.kind in HARD_KINDS}
    return max((m for d, m in ran if d not in hard_days), default=0.0)
