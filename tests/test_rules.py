"""The rule engine catches each broken rule, naming the week and the date."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plansync.core import rules
from plansync.core.plan import Plan, Workout
from plansync.inputs.compiling import compile_file
from plansync.inputs.loader import load_profile, load_template

from .conftest import EXAMPLE, TEMPLATES

TEMPLATE = load_template(TEMPLATES / "half-marathon-intermediate.yaml")
PROFILE = load_profile(EXAMPLE)
PLAN = compile_file(EXAMPLE)


def check(plan: Plan) -> list[rules.Violation]:
    return rules.check(
        plan, TEMPLATE, available_days=PROFILE.availability.days, current_weekly_m=30000, current_long_m=12000
    )


def edit(plan: Plan, pick: Callable[[Workout], bool], **changes: Any) -> Plan:
    workouts = tuple(dataclasses.replace(w, **changes) if pick(w) else w for w in plan.workouts)
    return dataclasses.replace(plan, workouts=workouts)


def first(kind: str, week: int) -> Workout:
    return next(w for w in PLAN.workouts if w.kind == kind and w.week == week)


def test_the_example_plan_is_clean() -> None:
    assert check(PLAN) == []


def test_single_run_spike_is_caught() -> None:
    easy = first("easy", 3)
    bad = edit(PLAN, lambda w: w.id == easy.id, distance_m=20000)
    found = [v for v in check(bad) if v.rule == "single-run spike"]
    assert found and found[0].week == 3 and found[0].date == easy.date


def test_weekly_progression_over_the_highest_earlier_week_is_caught() -> None:
    bad = edit(PLAN, lambda w: w.week == 5 and w.kind in ("easy", "recovery"), distance_m=9000)
    assert any(v.rule == "weekly progression" and v.week == 5 for v in check(bad))


def test_hard_day_after_the_long_run_is_caught() -> None:
    long = first("long", 6)
    tempo = first("tempo", 7)
    moved = edit(PLAN, lambda w: w.id == tempo.id, date=long.date + dt.timedelta(days=1))
    found = [v for v in check(moved) if v.rule == "easy after hard"]
    assert found and found[0].date == long.date + dt.timedelta(days=1)


def test_consecutive_hard_days_are_caught() -> None:
    tempo, hills = first("tempo", 6), first("hills", 6)
    moved = edit(PLAN, lambda w: w.id == hills.id, date=tempo.date + dt.timedelta(days=1))
    assert any(v.rule == "hard days apart" and v.week == 6 for v in check(moved))


def test_a_week_without_a_full_rest_day_is_caught() -> None:
    bad = edit(PLAN, lambda w: w.week == 2 and w.kind == "rest", kind="easy", distance_m=0)
    assert any(v.rule == "rest day" and v.week == 2 for v in check(bad))


def test_missing_foot_strength_sessions_are_caught() -> None:
    kept = tuple(w for w in PLAN.workouts if not (w.week == 4 and w.kind == "foot_strength"))
    found = [v for v in check(dataclasses.replace(PLAN, workouts=kept)) if v.rule == "foot strength"]
    assert found and found[0].week == 4 and "0 foot-strength sessions" in found[0].message


def test_foot_strength_on_the_eve_of_the_race_is_caught() -> None:
    assert PLAN.race_date is not None
    eve = PLAN.race_date - dt.timedelta(days=1)
    fs = next(w for w in PLAN.workouts if w.kind == "foot_strength" and w.week == PLAN.weeks)
    bad = edit(PLAN, lambda w: w.id == fs.id, date=eve)
    assert any("day before the race" in v.message for v in check(bad))


def test_running_on_an_unavailable_day_is_caught() -> None:
    easy = first("easy", 3)
    wed = easy.date + dt.timedelta(days=(2 - easy.date.weekday()) % 7)
    bad = edit(PLAN, lambda w: w.id == easy.id, date=wed)
    assert any(v.rule == "available days" and "wed" in v.message for v in check(bad))


def test_a_taper_that_does_not_taper_is_caught() -> None:
    bad = edit(PLAN, lambda w: w.week == PLAN.weeks and w.kind == "easy", distance_m=25000)
    found = [v for v in check(bad) if v.rule == "taper depth"]
    assert found and found[0].week == PLAN.weeks


def test_long_run_share_is_caught() -> None:
    bad = edit(PLAN, lambda w: w.week == 2 and w.kind in ("easy", "recovery", "strides"), distance_m=2000)
    assert any(v.rule == "long-run share" and v.week == 2 for v in check(bad))


@pytest.mark.parametrize("days_before", [0, 10, 29])
def test_the_athletes_recent_long_run_counts_for_30_days(days_before: int) -> None:
    start = dt.date(2027, 1, 4)
    day = start + dt.timedelta(days=days_before)
    assert rules.longest_recent([], day, start, 12000) == 12000
    assert rules.longest_recent([], start + dt.timedelta(days=31), start, 12000) == 0


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 120), st.integers(0, 30000)), max_size=60),
    st.integers(0, 40000),
)
def test_the_sliding_window_finds_the_longest_recent_run_as_the_whole_list_does(
    runs: list[tuple[int, int]], initial_long: int
) -> None:
    """The spike rule's window over a plan's runs (in date order, several a day allowed)
    answers as asking the whole list does, for every day a run is on."""
    start = dt.date(2027, 1, 4)
    dated = sorted((start + dt.timedelta(days=d), float(m)) for d, m in runs)
    window = rules._RecentLongest(start, initial_long)
    for i, (day, metres) in enumerate(dated):
        assert window.before(day) == rules.longest_recent(dated[:i], day, start, initial_long)
        window.add(day, metres)
