"""The first steps of the pipeline: the athlete's basis and peaks, the phases, each week's volume.

:func:`basis` reads where the athlete starts (current volume and long run) and
how far the plan may take them (their own peaks, :mod:`plansync.core.peaks`;
return from injury caps growth at 5 % a week). :func:`phase_weeks` lays the
template's phases, cutback weeks and taper over the plan's weeks.
:func:`week_volume` gives one week its volume and long-run target: a growing
week moves linearly from the basis to the peak, a cutback or taper week is a
share of the highest week so far, and every week stays under the 10 % rule
over the highest earlier week (:func:`plansync.core.rules.weekly_limit`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from plansync.core import peaks, rules
from plansync.core.entries import TENDER_WEEKS
from plansync.core.gaps import rule_for
from plansync.core.load import RESUME_STEP, Load
from plansync.core.profile import Profile
from plansync.core.quantities import METRES_PER_UNIT, fmt_distance
from plansync.core.sizing import MIN_RUN_M
from plansync.core.template import Template

# Runs come in whole steps of the athlete's unit: half kilometres, quarter miles;
# runs under 5 km in tenths, so a short run can grow by 10 %.
STEP_M = {"km": 500.0, "mi": METRES_PER_UNIT["mi"] / 4}
FINE_STEP_M = {"km": 100.0, "mi": METRES_PER_UNIT["mi"] / 10}
TENDER_START = 0.85  # tender feet: the first weeks (TENDER_WEEKS) start at this share of their volume
INJURY_WEEKLY_CAP = 0.05  # back from an injury: at most 5 % over the highest earlier week
INJURY_MAX_GROWTH = 1.2
WALK_RUN_MIN_M = 1000.0  # the shortest run/walk session


@dataclass
class WeekPlan:
    """One week of the plan before it is sized: its phase, sessions and role."""

    number: int
    phase: str
    sessions: list[str]
    build_index: int = 0  # k of K among growing build weeks (0 if not one)
    cutback: bool = False
    taper_factor: float | None = None


@dataclass(frozen=True)
class Basis:
    """Where the athlete starts, the steps runs come in, and the peaks the plan grows to."""

    unit_m: float
    step_m: float
    fine_m: float
    current: float  # the athlete's weekly volume now (metres)
    current_long: float
    walk_run: bool  # not yet running 3 km without stopping: sessions of run/walk
    min_run: float
    weekly_cap: float  # the 10 % rule (5 % back from injury)
    peak: float
    peak_long: float
    base: float  # where the growing weeks start from
    base_long: float
    growing: int  # how many growing weeks the plan has


def basis(template: Template, profile: Profile, weeks: list[WeekPlan]) -> Basis:
    """The athlete's starting point and their own peaks (the peaks step)."""
    unit_m = METRES_PER_UNIT[profile.units]
    step_m = STEP_M[profile.units]
    current = profile.fitness.weekly_distance * unit_m
    current_long = profile.fitness.long_run * unit_m
    walk_run = current_long < rules.WALK_RUN_BELOW_M
    progression = template.progression
    injured = profile.fitness.return_from_injury
    weekly_cap = min(progression.weekly_cap, INJURY_WEEKLY_CAP) if injured else progression.weekly_cap
    max_growth = min(progression.max_growth, INJURY_MAX_GROWTH) if injured else progression.max_growth
    growing = max(w.build_index for w in weeks)
    peak = peaks.weekly_peak(current, *progression.peak_weekly, growing, max_growth)
    peak_long = peaks.long_peak(current_long, *progression.peak_long_run)
    return Basis(
        unit_m=unit_m,
        step_m=step_m,
        fine_m=FINE_STEP_M[profile.units],
        current=current,
        current_long=current_long,
        walk_run=walk_run,
        min_run=WALK_RUN_MIN_M if walk_run else math.ceil(MIN_RUN_M / step_m) * step_m,
        weekly_cap=weekly_cap,
        peak=peak,
        peak_long=peak_long,
        base=min(current, peak),
        base_long=min(current_long, peak_long),
        growing=growing,
    )


def phase_weeks(template: Template, weeks: int) -> list[WeekPlan]:
    """The template's phases shared out over the building weeks by their shares (largest
    remainder), a cutback week every ``cutback.every`` building weeks (never the last),
    then the taper weeks with their factors."""
    taper = template.taper.weeks if template.taper else 0
    build = weeks - taper
    raw = [phase.share * build for phase in template.phases]
    counts = [max(1, math.floor(x)) for x in raw]
    while sum(counts) < build:
        i = max(range(len(raw)), key=lambda j: (raw[j] - counts[j], -j))
        counts[i] += 1
    while sum(counts) > build:
        i = max((j for j in range(len(counts)) if counts[j] > 1), key=lambda j: (counts[j] - raw[j], j))
        counts[i] -= 1
    out: list[WeekPlan] = []
    for phase, n in zip(template.phases, counts, strict=True):
        first = len(out) + 1
        out.extend(WeekPlan(first + i, phase.name, list(phase.sessions)) for i in range(n))
    every = template.progression.cutback.every
    k = 0
    for b, week in enumerate(out, start=1):
        if b % every == 0 and b != build:
            week.cutback = True
        else:
            k += 1
            week.build_index = k
    if template.taper:
        for j in range(taper):
            out.append(
                WeekPlan(
                    build + j + 1,
                    "taper",
                    list(template.taper.sessions),
                    taper_factor=template.taper.factors[j],
                )
            )
    return out


@dataclass(frozen=True)
class WeekVolume:
    volume: float  # training metres the week should hold
    long_target: float


def week_volume(
    template: Template, profile: Profile, b: Basis, week: WeekPlan, load: Load, adapting: bool
) -> WeekVolume:
    """The week's volume and long-run target (the week-volumes step), under the 10 % rule;
    when adapting, a return after missed weeks stays below the last completed week."""
    limit = rules.weekly_limit(b.current, load.volumes, b.weekly_cap)
    returning = load.returning  # from an earlier week: the +10 % a week climb back
    if adapting and load.gap_days:
        limit = _gap_limit(load, week.number, limit, b, profile)
    if adapting and load.missed_weeks:
        load.easy_weeks = 1  # quality sessions come back after a full easy week
        if week.taper_factor is not None:
            load.missed_weeks = 0  # a taper week is already lighter: no resume below it
    if adapting and week.taper_factor is None:
        if returning:  # back from missed weeks: at most +10 % a week until the plan is reached
            limit = min(limit, load.volumes[-1] * (1 + b.weekly_cap))
        limit = _resume_limit(load, week.number, limit, profile)
    if week.taper_factor is not None:
        target = week.taper_factor * max(load.volumes)
        long_target = week.taper_factor * max(load.longs)
    elif week.cutback:
        target = template.progression.cutback.factor * max(load.volumes)
        long_target = template.progression.cutback.factor * max(load.longs)
    else:
        share = week.build_index / b.growing
        target = b.base + (b.peak - b.base) * share
        long_target = b.base_long + (b.peak_long - b.base_long) * share
    volume = min(target, limit)
    if load.returning and week.build_index and volume >= target - 1:
        load.returning = False  # back on the plan (a cutback week's lower target is not the plan)
    if adapting and limit < target - 1 and not load.reasons.get(week.number):
        load.because(
            week.number, f"the highest week actually run was {fmt_distance(max(load.volumes), profile.units)}"
        )
    if profile.tender_feet and week.number <= TENDER_WEEKS:  # tender feet: the first weeks start lighter
        volume *= TENDER_START
    return WeekVolume(volume, long_target)


def _resume_limit(load: Load, week: int, limit: float, profile: Profile) -> float:
    """After missed weeks, a return below the last completed week (10 % lower per week
    missed); the 10 % rule itself already counts the actual weeks (``load.volumes``)."""
    load.reasons.setdefault(week, [])
    if load.missed_weeks and load.last_completed > 0:
        resume = load.last_completed * (1 - RESUME_STEP) ** load.missed_weeks
        if resume < limit:
            n = load.missed_weeks
            load.because(
                week,
                f"{n} missed week{'s' if n > 1 else ''}: resuming below the last "
                f"completed week ({fmt_distance(load.last_completed, profile.units)})",
            )
            limit = resume
            load.returning = True
        load.missed_weeks = 0  # once: the weeks after grow from here, 10 % a week at most
    return limit


def _gap_limit(load: Load, week: int, limit: float, b: Basis, profile: Profile) -> float:
    """The first week back after days without running, by the gap table (:data:`GAP_RULES`,
    Daniels; Pfitzinger & Douglas): at most its share of the last completed week, easy only;
    then at most +10 % a week back to the plan. The table supersedes the missed-week resume."""
    days, load.gap_days = load.gap_days, 0
    rule = rule_for(days)
    if rule.share is None:
        return limit
    before = load.last_completed or b.current
    load.missed_weeks = 0
    load.easy_weeks = 1 if rule.easy else load.easy_weeks
    load.returning = True
    # Never so low that no run stands alone: two of the shortest runs, or the last week itself.
    resume = max(rule.share * before, min(before, 2 * b.min_run))
    load.because(
        week,
        f"{days} days without running: the first week back at most {rule.share:.0%} of the last "
        f"completed week ({fmt_distance(before, profile.units)}), easy running only",
    )
    return min(limit, resume)
