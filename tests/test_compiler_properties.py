"""Hypothesis: every valid profile, on every shipped template and plan length,
compiles into a plan that keeps every coaching rule."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plansync.core import rules
from plansync.core.compiler import Options, compile_plan
from plansync.core.plan import Plan
from plansync.core.profile import Profile
from plansync.core.quantities import METRES_PER_UNIT
from plansync.core.sizing import long_share_cap
from plansync.core.template import Template
from plansync.core.vocab import HARD_KINDS, RUN_KINDS, WEEKDAYS
from plansync.inputs.loader import SHIPPED_TEMPLATES, load_template

from .conftest import BASE_PROFILE, examples

SHIPPED = {p.stem: load_template(p) for p in sorted(SHIPPED_TEMPLATES.glob("*.yaml"))}
SURFACES = ["trail", "grass", "asphalt", "treadmill", "concrete", "track"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, Profile, int]:
    template = SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))]
    weeks = draw(st.integers(template.weeks.min, template.weeks.max))
    units = draw(st.sampled_from(["km", "mi"]))
    n_days = draw(st.integers(template.rules.min_days, 7))
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=n_days, max_size=n_days, unique=True))
    long_day = draw(st.sampled_from(days))
    unit = METRES_PER_UNIT[units]
    top = 90 if units == "km" else 56
    low_weekly = max(5, math.ceil(template.progression.min_weekly / unit))
    weekly = draw(st.integers(low_weekly, max(low_weekly, top)))
    low_long = max(2, math.ceil(template.progression.min_long_run / unit))
    long_run = draw(st.integers(low_long, max(low_long, min(weekly, weekly * 6 // 10 + 1))))
    anchor = dt.date(2027, 1, 1) + dt.timedelta(days=draw(st.integers(0, 400)))
    plan: dict[str, Any] = {"template": template.id, "weeks": weeks}
    plan["race_date" if template.goal == "half_marathon" else "start_date"] = anchor.isoformat()
    system = draw(st.sampled_from(["pace", "heart_rate", "rpe"]))
    intensity: dict[str, Any] = {"system": system}
    fitness: dict[str, Any] = {"weekly_distance": weekly, "long_run": long_run}
    if draw(st.integers(0, 9)) == 0:
        fitness["return_from_injury"] = True
    if system == "pace":
        if draw(st.booleans()):
            minutes = draw(st.integers(17, 40))
            fitness["recent_race"] = {"distance": "5k", "time": f"{minutes}:{draw(st.integers(0, 59)):02d}"}
        else:
            per_unit = draw(st.integers(200, 420)) if units == "km" else draw(st.integers(330, 670))
            intensity["threshold_pace"] = f"{per_unit // 60}:{per_unit % 60:02d}"
    elif system == "heart_rate":
        if draw(st.booleans()):
            intensity["threshold_hr"] = draw(st.integers(140, 185))
        else:
            intensity["max_hr"] = draw(st.integers(165, 205))
            intensity["resting_hr"] = draw(st.integers(40, 70))
    shoes = draw(
        st.sampled_from(
            [
                [],
                [
                    {
                        "name": "Daily",
                        "role": "cushioned",
                        "distance": draw(st.integers(0, 800)),
                        "lifespan": 700,
                    }
                ],
                [
                    {"name": "Daily", "role": "cushioned", "distance": 100, "lifespan": 600},
                    {"name": "Fast", "role": "light", "distance": 300, "lifespan": 400},
                ],
                [
                    {"name": "Daily A", "role": "cushioned", "distance": 650, "lifespan": 600},
                    {"name": "Daily B", "role": "cushioned", "distance": 50, "lifespan": 700},
                    {"name": "Racer", "role": "light", "distance": 380, "lifespan": 400},
                ],
            ]
        )
    )
    surfaces = draw(st.lists(st.sampled_from(SURFACES), min_size=1, max_size=5, unique=True))
    profile = Profile.model_validate(
        {
            "id": "runner",
            "name": "Runner",
            "timezone": "America/Chicago",
            "units": units,
            "plan": plan,
            "availability": {"days": days, "long_run_day": long_day},
            "fitness": fitness,
            "intensity": intensity,
            "shoes": shoes,
            "surfaces": surfaces,
            "tender_feet": draw(st.integers(0, 9)) == 0,
        }
    )
    return template.id, profile, weeks


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_every_compiled_plan_keeps_every_rule(case: tuple[str, Profile, int]) -> None:
    template_id, profile, weeks = case
    template = SHIPPED[template_id]
    plan = compile_plan(template, profile, Options())
    unit = METRES_PER_UNIT[profile.units]
    current, current_long = profile.fitness.weekly_distance * unit, profile.fitness.long_run * unit

    # The one rule engine finds nothing wrong ...
    violations = rules.check(
        plan,
        template,
        available_days=profile.availability.days,
        current_weekly_m=current,
        current_long_m=current_long,
        long_run_day=profile.availability.long_run_day,
    )
    assert violations == []

    # ... and the rules of the brief hold when checked independently here too.
    after_weeks = len(template.after_race.factors) if template.after_race and plan.race_date else 0
    assert plan.weeks == weeks and len(plan.weeks_summary) == weeks + after_weeks
    assert (plan.end_date - plan.start_date).days == 7 * (weeks + after_weeks) - 1
    if template.goal == "half_marathon":
        assert plan.race_date == plan.start_date + dt.timedelta(days=7 * weeks - 1)
        race = [w for w in plan.workouts if w.kind == "race"]
        assert len(race) == 1 and race[0].date == plan.race_date
    by_date: dict[dt.date, set[str]] = defaultdict(set)
    for w in plan.workouts:
        by_date[w.date].add(w.kind)
        assert plan.start_date <= w.date <= plan.end_date
    assert len(by_date) == 7 * (weeks + after_weeks)  # every day of the plan has an entry, rest included
    for w in plan.workouts:
        weekday = WEEKDAYS[w.date.weekday()]
        if w.kind in RUN_KINDS - {"race"}:
            assert weekday in profile.availability.days
            assert w.surface is None or w.surface in profile.surfaces
        if w.kind == "long":
            assert weekday == profile.availability.long_run_day
        if w.kind in HARD_KINDS | {"long"} and w.kind != "race":
            after = by_date.get(w.date + dt.timedelta(days=1), set())
            assert after <= {"rest", "recovery", "easy", "cross", "foot_strength"}
        if w.kind == "foot_strength":
            assert not by_date[w.date] & (HARD_KINDS | {"long"})
    volumes = [s.distance_m for s in plan.weeks_summary]
    assert volumes[0] <= 1.1 * current + 7
    for i, v in enumerate(volumes[1:], start=1):
        assert v <= (1 + template.progression.weekly_cap) * max([current, *volumes[:i]]) + 7
    per_week = Counter(w.week for w in plan.workouts if w.kind == "foot_strength")
    assert all(2 <= per_week[n] <= 3 for n in range(1, weeks + 1))
    _assert_week_shape(plan, template, profile)
    _assert_no_step_back(plan)
    _assert_reaches_the_start_line(plan, template, profile)
    ids = [w.id for w in plan.workouts]
    assert len(ids) == len(set(ids))
    assert all(w.date.isoformat() not in w.id for w in plan.workouts)


@settings(max_examples=examples(40), deadline=None)
@given(cases(), st.integers(-5, 5))
def test_moving_the_race_date_keeps_every_id(case: tuple[str, Profile, int], shift_weeks: int) -> None:
    template_id, profile, _ = case
    template = SHIPPED[template_id]
    before = compile_plan(template, profile, Options())
    anchor = before.race_date if template.goal == "half_marathon" else before.start_date
    assert anchor is not None
    moved = anchor + dt.timedelta(weeks=shift_weeks)
    options = Options(race_date=moved) if template.goal == "half_marathon" else Options(start_date=moved)
    after = compile_plan(template, profile, options)
    assert [w.id for w in before.workouts] == [w.id for w in after.workouts]
    for a, b in zip(before.workouts, after.workouts, strict=True):
        assert (b.date - a.date).days == 7 * shift_weeks
        assert (a.title, a.description) == (b.title, b.description)


def _assert_week_shape(plan: Plan, template: Template, profile: Profile) -> None:
    """The shape of every week, checked here independently of the rule engine."""
    r = template.rules
    runs = {w.date: w for w in plan.workouts if w.kind in RUN_KINDS}
    for week in range(1, plan.weeks + 1):
        entries = [w for w in plan.workouts if w.week == week]
        long = next((w for w in entries if w.kind == "long"), None)
        if long is None:
            continue
        fills = [w for w in entries if w.kind in ("easy", "strides", "recovery")]
        # No easy run near the long run's length: its share, and never longer.
        walk_run = profile.fitness.long_run * METRES_PER_UNIT[profile.units] < rules.WALK_RUN_BELOW_M
        cap = long.distance_m if walk_run else max(r.easy_run_share * long.distance_m, 2100)
        assert all(w.distance_m <= min(cap, long.distance_m) + 1 for w in fills)
        # Easy runs of a week look alike.
        easy = [w.distance_m for w in fills if w.kind != "recovery"]
        if len(easy) > 1 and not walk_run:
            assert max(easy) <= r.easy_spread * min(easy) + 500
        # The long run's share of the week, the race not counted.
        volume = sum(w.distance_m for w in entries if w.kind in RUN_KINDS and w.kind != "race")
        long_dates = {w.date for w in plan.workouts if w.kind == "long"}
        eve = plan.start_date - dt.timedelta(days=1)  # the athlete's own long run before the plan
        long_dates |= {eve} if WEEKDAYS[eve.weekday()] == profile.availability.long_run_day else set()
        others = rules.other_shares(entries, long_dates, r)
        assert long.distance_m <= long_share_cap(r.long_run_share, others) * volume + 1
        # The day after: rest or a short recovery run.
        after = runs.get(long.date + dt.timedelta(days=1))
        if after is not None and after.kind != "race" and not walk_run:
            assert after.kind == "recovery"
            assert after.distance_m <= max(r.after_long_share * long.distance_m, 2100) + 1


def _assert_no_step_back(plan: Plan) -> None:
    """No unplanned dip: a growing week (not a cutback, not the taper) never falls below the
    growing week before it by more than rounding (a step of the unit: runs come in whole
    steps, quality sessions in whole minutes), nor by 10 %: the mirror of the 10 % rule, a
    step a coach would notice and call a cutback (the hard/easy rule and the 45-minute
    recovery run may leave a week a few per cent under the one before). The week just after a cutback is not measured:
    its first run may follow the cutback's shorter long run, and the hard/easy rule keeps
    that run within its share of it (planned by the cutback); the week after it is measured
    against the growing week before the cutback, so a dip that stays is still found. Week 1
    is the athlete's own week carried over (their long run, their days); the plan's shape is
    measured from week 2."""
    step = 500 if plan.units == "km" else 402.336
    previous = None
    after_cutback = False
    for week in plan.weeks_summary[1 : plan.weeks]:
        if week.taper:
            break
        if week.cutback:
            after_cutback = True
            continue
        if after_cutback:
            after_cutback = False
            continue
        if previous is not None:
            allowed = max(step, 0.1 * previous.distance_m)
            assert week.distance_m >= previous.distance_m - allowed, (previous, week)
        previous = week


def _assert_reaches_the_start_line(plan: Plan, template: Template, profile: Profile) -> None:
    """Every athlete has running every week, a long run that grows, a race week a
    coach would write, and is race-ready or told so."""
    codes = {w.code for w in plan.warnings}
    runs = [w for w in plan.workouts if w.kind in RUN_KINDS]
    assert all(w.distance_m > 0 for w in runs), "a run of 0 m"
    assert all(any(w.week == n for w in runs) for n in range(1, len(plan.weeks_summary) + 1))
    longs = [w.distance_m for w in sorted(plan.workouts, key=lambda w: w.date) if w.kind == "long"]
    ceiling = template.progression.peak_long_run[1]
    top = max(plan.weeks_summary, key=lambda s: s.distance_m)
    # It grows unless it is at the template's ceiling, or already holds a long run's share
    # of the athlete's own peak week (45 %, or less when that week's runs allow less: the
    # week has no room for a longer one, sizing.long_share_cap with those runs' shares).
    entries = [w for w in plan.workouts if w.week == top.week]
    long_dates = {w.date for w in plan.workouts if w.kind == "long"}
    room = long_share_cap(
        template.rules.long_run_share, rules.other_shares(entries, long_dates, template.rules)
    )
    step = 500 if plan.units == "km" else 402.336
    held = min(0.45 * top.distance_m, room * top.distance_m - step)
    if longs and longs[0] < 0.95 * ceiling and longs[0] < held and plan.weeks >= 8:
        assert max(longs) > longs[0], "the long run never grows"
    if plan.race_date is None:
        return
    before = [w.distance_m for w in runs if w.date < plan.race_date]
    ready = template.progression.race_ready_long * 21097.5
    assert max(before) + 1 >= ready or "not-race-ready" in codes
    peak = max(s.distance_m for s in plan.weeks_summary[: plan.weeks] if not s.taper)
    race_week = plan.weeks_summary[plan.weeks - 1].distance_m
    assert race_week <= 0.6 * peak + 7
    assert race_week >= 0.4 * peak - 7 or "race-week-light" in codes
    _assert_race_week_tapers(plan, race_week < 0.4 * peak - 7)
    eve = [w for w in runs if w.date == plan.race_date - dt.timedelta(days=1)]
    assert all(w.distance_m <= 0.2 * 21097.5 + 1 for w in eve)
    race = next(w for w in plan.workouts if w.kind == "race")
    assert "Pacing:" in race.description and "Fuelling:" in race.description


def _assert_race_week_tapers(plan: Plan, light: bool) -> None:
    """Race week keeps the athlete's running days with every run shorter: never longer than
    the same run the week before (a run new that week, than that week's longest run besides
    the long run), and no cross-training (Bosquet et al. 2007: volume cut, frequency kept).
    Under 40 % of the peak only when no run has room left: each easy run at its cap."""
    runs = [w for w in plan.workouts if w.kind in RUN_KINDS - {"race"}]
    race_week = [w for w in runs if w.week == plan.weeks]
    before = {w.slot: w.distance_m for w in runs if w.week == plan.weeks - 1}
    others = max((m for slot, m in before.items() if slot != "long"), default=0)
    assert not [w for w in plan.workouts if w.week == plan.weeks and w.kind == "cross"]
    for w in race_week:
        cap = before.get(w.slot, others)
        assert w.distance_m <= cap + 1, (w.slot, w.distance_m, cap)
        assert w.distance_m <= 0.4 * 21097.5 + 1
        if light and w.kind == "easy" and plan.race_date is not None:  # recovery runs: 45 min at most
            eve = w.date == plan.race_date - dt.timedelta(days=1)
            room = min(cap, 0.2 * 21097.5 if eve else 0.4 * 21097.5)
            step = 500 if plan.units == "km" else 402.336
            assert w.distance_m >= room - step - 1, (w.slot, w.distance_m, room)


def _returning(
    plan: dict[str, Any], days: list[str], long_day: str, fitness: dict[str, Any], **more: Any
) -> Profile:
    """An athlete back from injury: their plan, days, fitness and anything else."""
    return Profile.model_validate(
        {
            "id": "runner",
            "name": "Runner",
            "timezone": "America/Chicago",
            "units": "km",
            "plan": {"weeks": 12, **plan},
            "availability": {"days": days, "long_run_day": long_day},
            "fitness": {**fitness, "return_from_injury": True},
            "intensity": {"system": "rpe"},
            **more,
        }
    )


def test_a_returning_athletes_long_run_grows_past_week_one() -> None:
    """Found by the deep property run: four days, long run on Monday, back from injury. The
    build weeks put the easy run on Tuesday, the day after the long run, where it shrank to
    the week's shortest run and held the whole week (and its long run) below week one."""
    profile = _returning(
        {"template": "half-marathon-beginner", "race_date": "2027-01-01"},
        ["mon", "tue", "wed", "thu"],
        "mon",
        {"weekly_distance": 24, "long_run": 10},
        units="mi",
        intensity={"system": "pace", "threshold_pace": "9:54"},
        surfaces=["trail"],
        tender_feet=True,
    )
    plan = compile_plan(SHIPPED["half-marathon-beginner"], profile, Options())
    longs = [w.distance_m for w in sorted(plan.workouts, key=lambda w: w.date) if w.kind == "long"]
    assert max(longs) > longs[0]
    build = [w for w in plan.workouts if w.week == 5 and w.kind in RUN_KINDS]
    assert not [w for w in build if w.kind == "recovery"]  # Tuesday is cross-training now


@pytest.mark.parametrize(
    ("days", "long_day"),
    [(["sun", "mon", "tue"], "mon"), (["sun", "mon", "tue"], "sun"), (["tue", "thu", "sun"], "sun")],
)
def test_a_returning_athletes_runs_are_spread_over_their_days(days: list[str], long_day: str) -> None:
    """Back from injury on three days and 8 km a week: every growing week runs on all three
    days, the long run about half of the week (it held 60 % in two runs, and left 1.4 km of
    the week out, before the return spread its volume)."""
    profile = _returning(
        {"template": "general-base-building", "start_date": "2027-01-04"},
        days,
        long_day,
        {"weekly_distance": 8, "long_run": 4},
        timezone="Europe/London",
    )
    plan = compile_plan(SHIPPED["general-base-building"], profile, Options())
    for summary in plan.weeks_summary:
        if summary.cutback:
            continue
        runs = [w for w in plan.workouts if w.week == summary.week and w.kind in RUN_KINDS]
        long = next(w.distance_m for w in runs if w.kind == "long")
        assert len(runs) == 3, (summary.week, [(w.kind, w.distance_m) for w in runs])
        assert long <= 0.55 * summary.distance_m, (summary.week, long, summary.distance_m)


def test_a_small_returning_athlete_on_five_days_never_dips() -> None:
    """Found by the deep property run: back from injury at 5 km a week on five days, week 5
    fell to 4.4 km after 5.2 km in week 2 (its long run took the room of a run it could not
    size). Spread over the days its volume holds, every growing week keeps its step."""
    profile = _returning(
        {"template": "general-base-building", "start_date": "2027-01-01"},
        ["mon", "tue", "wed", "thu", "fri"],
        "mon",
        {"weekly_distance": 5.0, "long_run": 4.0},
        intensity={"system": "pace", "threshold_pace": "3:20"},
        surfaces=["trail"],
    )
    _assert_no_step_back(compile_plan(SHIPPED["general-base-building"], profile, Options()))


def test_a_week_short_of_room_runs_easy_not_a_45_minute_recovery_run() -> None:
    """Found by the deep property run: four days (Monday, Tuesday long, Thursday, Friday).
    A week that ended with a hard Thursday left the next Friday a 45-minute recovery run
    (3.5 mi) and the week 10.2 % under the one before. The day after a hard session is
    easy running: an easy run there holds the week, and the week still says why."""
    profile = Profile.model_validate(
        {
            **BASE_PROFILE,
            "units": "mi",
            "timezone": "America/Chicago",
            "plan": {"template": "half-marathon-intermediate", "race_date": "2027-11-25", "weeks": 12},
            "availability": {"days": ["mon", "thu", "tue", "fri"], "long_run_day": "tue"},
            "fitness": {
                "weekly_distance": 28,
                "long_run": 11,
                "recent_race": {"distance": "5k", "time": "28:00"},
            },
            "shoes": [],
            "surfaces": ["trail"],
        }
    )
    plan = compile_plan(SHIPPED["half-marathon-intermediate"], profile, Options())
    _assert_no_step_back(plan)
    eased = [w for w in plan.workouts if w.week == 7 and w.date.weekday() == 4 and w.kind in RUN_KINDS]
    assert [w.kind for w in eased] == ["easy"]
    assert eased[0].distance_m > 45 * 60 * 1609.344 / (13 * 60)  # longer than a 45-minute recovery run
    assert any("does not dip" in line for line in dict(plan.reasons)[7])


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_a_plan_without_advice_gives_the_same_plan_and_the_same_warnings(
    case: tuple[str, Profile, int],
) -> None:
    """``advice=False`` (validate) cuts the what-if plans short, never the plan or whether a
    warning is given: the same workouts, the same warning codes in the same order."""
    template_id, profile, _ = case
    full = compile_plan(SHIPPED[template_id], profile, Options())
    short = compile_plan(SHIPPED[template_id], profile, Options(), advice=False)
    assert short.workouts == full.workouts
    assert short.weeks_summary == full.weeks_summary
    assert [w.code for w in short.warnings] == [w.code for w in full.warnings]
    # ``text=False`` (most of validate's dry runs) leaves only the runs' words out
    bare = compile_plan(SHIPPED[template_id], profile, Options(), advice=False, text=False)
    assert [
        replace(w, title="", description="") if w.kind not in ("race", "rest", "foot_strength") else w
        for w in full.workouts
    ] == list(bare.workouts)
    assert bare.weeks_summary == full.weeks_summary
    assert [w.code for w in bare.warnings] == [w.code for w in full.warnings]
