"""Days without running, and how a coach brings the athlete back after them.

A gap is a stretch of days with no run at all. How long it is decides the
return (:data:`GAP_RULES`, one table): a few days off change nothing; a week
or more makes the first week back lighter and easy only, then the volume
climbs at most 10 % a week back to the plan; a long gap asks for the race to
be reconsidered, and a very long one for a new plan. Sources: Daniels,
*Daniels' Running Formula* (3rd ed., "Training breaks": about 50 % of the
previous load after 6–28 days off, more cautiously after longer breaks) and
Pfitzinger & Douglas, *Advanced Marathoning* (under about 10 days lost: resume;
10 or more days lost in the last 8 weeks before a race: revise the race goal);
coaching reference, "Returning after missed training".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

GAP_MIN_DAYS = 7  # a run-free stretch this long is a gap, not a rest day or two
RACE_WINDOW_DAYS = 56  # Pfitzinger: days lost in the last 8 weeks before the race
RACE_LOST_DAYS = 10  # ... 10 or more of them: the race goal needs revising


@dataclass(frozen=True)
class GapRule:
    """The return after a gap of ``first_day``–``last_day`` days without running."""

    first_day: int
    last_day: int | None  # None: and longer
    share: float | None  # first week back at most this share of the last completed week
    easy: bool  # the first week back is easy running only
    recheck_race: bool  # the race-readiness check again
    new_plan: bool  # the coach is advised to start a new plan
    source: str


GAP_RULES: tuple[GapRule, ...] = (
    GapRule(1, 6, None, False, False, False, "Daniels: up to 5 days off, no reduction"),
    GapRule(
        7, 13, 0.75, True, False, False, "Pfitzinger & Douglas; Daniels' second half of the return at 75 %"
    ),
    GapRule(14, 28, 0.5, True, True, False, "Daniels: about 50 % of the previous load after 6–28 days off"),
    GapRule(29, None, 0.5, True, True, True, "Daniels: longer breaks, more cautiously; a new plan"),
)


def rule_for(days: int) -> GapRule:
    """The row of :data:`GAP_RULES` for a gap of ``days`` days."""
    for rule in GAP_RULES:
        if days >= rule.first_day and (rule.last_day is None or days <= rule.last_day):
            return rule
    return GAP_RULES[0]


@dataclass(frozen=True)
class Gap:
    first: dt.date  # the first day without a run
    last: dt.date  # the last one (the day before the return, or yesterday)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def gaps(run_days: Sequence[dt.date], plan_start: dt.date, until: dt.date) -> list[Gap]:
    """Every run-free stretch of :data:`GAP_MIN_DAYS` or more from the plan's start to the day
    before ``until``. The athlete is taken to have run on the day before the plan began (the
    profile's fitness says they were running)."""
    out: list[Gap] = []
    previous = plan_start - dt.timedelta(days=1)
    for day in [*sorted({d for d in run_days if d < until}), until]:
        if (day - previous).days - 1 >= GAP_MIN_DAYS:
            out.append(Gap(previous + dt.timedelta(days=1), day - dt.timedelta(days=1)))
        previous = max(previous, day)
    return out


def current_gap(run_days: Sequence[dt.date], plan_start: dt.date, until: dt.date) -> int:
    """Days without a run up to yesterday (``until`` is today), when they make a gap; else 0."""
    found = gaps(run_days, plan_start, until)
    if found and found[-1].last == until - dt.timedelta(days=1):
        return found[-1].days
    return 0


def lost_before_race(found: Sequence[Gap], race: dt.date) -> int:
    """Days of the gaps that fall in the 8 weeks before the race (Pfitzinger & Douglas)."""
    window = race - dt.timedelta(days=RACE_WINDOW_DAYS)
    return sum(max(0, (min(g.last, race) - max(g.first, window)).days + 1) for g in found if g.last >= window)
