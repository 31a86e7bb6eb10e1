"""The compiler's steps, each on its own: dates, phases, week volumes, the load, sketches."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from plansync.core import compiler
from plansync.core.compiler import Options, compile_plan, plan_dates
from plansync.core.history import History
from plansync.core.load import Load
from plansync.core.plan import Workout, plan_json
from plansync.core.profile import Profile
from plansync.core.template import Template
from plansync.core.weeks import basis, phase_weeks, week_volume
from plansync.core.zones import ZoneModel
from plansync.errors import PlanError

from .conftest import BASE_PROFILE


def _profile(**changes: Any) -> Profile:
    data = json.loads(json.dumps(BASE_PROFILE))
    for key, value in changes.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    return Profile.model_validate(data)


def test_dates_end_on_race_day_and_a_late_join_shortens_the_plan(templates: dict[str, Template]) -> None:
    template = templates["half-marathon-intermediate"]
    profile = _profile()
    start, weeks, race, warnings = plan_dates(template, profile, Options(), History())
    assert (weeks, race, start) == (12, dt.date(2027, 4, 18), dt.date(2027, 1, 25)) and not warnings
    longer = _profile(plan={"weeks": 14})
    today = dt.date(2027, 1, 18)  # 13 full weeks left of a 14-week plan
    start, weeks, race, warnings = plan_dates(template, longer, Options(today=today), History())
    assert weeks == 13 and start >= today and [w.code for w in warnings] == ["joined-late"]
    with pytest.raises(PlanError, match="needs at least 12"):
        plan_dates(template, profile, Options(today=dt.date(2027, 2, 5)), History())
    with pytest.raises(PlanError, match="not in the future"):
        plan_dates(template, profile, Options(today=dt.date(2027, 4, 18)), History())


def test_phases_put_a_cutback_every_fourth_building_week_and_the_taper_last(
    templates: dict[str, Template],
) -> None:
    weeks = phase_weeks(templates["half-marathon-intermediate"], 12)
    assert [w.number for w in weeks if w.cutback] == [4, 8]
    assert [w.taper_factor for w in weeks[-2:]] == [0.75, 0.5]
    assert [w.build_index for w in weeks if w.build_index] == list(range(1, 9))


def test_a_cutback_week_is_a_share_of_the_highest_week_and_growth_obeys_the_10_percent_rule(
    templates: dict[str, Template],
) -> None:
    template, profile = templates["half-marathon-intermediate"], _profile()
    weeks = phase_weeks(template, 12)
    b = basis(template, profile, weeks)
    load = Load(volumes=[30000.0, 33000.0, 36000.0], longs=[12000.0, 13000.0, 14000.0])
    cutback = week_volume(template, profile, b, weeks[3], load, adapting=False)
    assert cutback.volume == pytest.approx(0.8 * 36000) and cutback.long_target == pytest.approx(0.8 * 14000)
    growing = week_volume(template, profile, b, weeks[4], load, adapting=False)
    assert growing.volume <= 36000 * 1.1 + 1e-6


def _run_entry(day: dt.date, slot: str, kind: str, metres: int) -> Workout:
    return Workout(
        id=f"a-w01-{slot}",
        date=day,
        week=1,
        slot=slot,
        kind=kind,
        title="",
        description="",
        distance_m=metres,
    )


def test_a_kept_week_run_at_under_half_its_plan_counts_as_missed() -> None:
    day = dt.date(2027, 2, 1)
    kept = [
        _run_entry(day, "long", "long", 10000),
        _run_entry(day + dt.timedelta(days=2), "e1", "easy", 6000),
    ]
    load = Load()
    load.count_run(1, kept, [(day, 5000.0)], day + dt.timedelta(days=6))
    assert (load.volumes, load.longs, load.missed_weeks) == ([5000.0], [5000.0], 1)
    load.count_run(
        2, kept, [(day, 10000.0), (day + dt.timedelta(days=2), 6000.0)], day + dt.timedelta(days=6)
    )
    assert (load.missed_weeks, load.last_completed) == (0, 16000.0)
    # An overreach: 30 km long run and an extra 8 km run count as the plan, and are noted.
    load.count_run(
        3, kept, [(day, 30000.0), (day + dt.timedelta(days=4), 8000.0)], day + dt.timedelta(days=6)
    )
    assert (load.volumes[-1], load.longs[-1], load.overreached) == (16000.0, 10000.0, [(3, 38000.0, 16000.0)])
    assert max(m for _, m in load.history) == 10000.0  # no run counts longer than its plan


def test_history_keeps_only_whole_weeks_before_its_day(templates: dict[str, Template]) -> None:
    plan = compile_plan(templates["half-marathon-intermediate"], _profile(), Options())
    week3 = plan.start_date + dt.timedelta(days=14)
    history = History(kept=plan, kept_before=week3)
    assert history.keeps(week3 - dt.timedelta(days=1)) and not history.keeps(week3)
    assert not History(kept_before=week3).keeps(plan.start_date)  # nothing to keep without a plan
    assert not history.adapting and History(runs=()).adapting


def test_remembered_sketches_change_nothing(templates: dict[str, Template]) -> None:
    """A beginner on three days gets what-if warnings; the plan is the same bytes whether
    the process has made those sketches before or not."""
    profile = _profile(
        plan={"template": "half-marathon-beginner", "race_date": "2027-05-02", "weeks": 12},
        availability={"days": ["tue", "thu", "sun"], "long_run_day": "sun"},
        fitness={"weekly_distance": 10, "long_run": 5, "recent_race": None},
    )
    template = templates["half-marathon-beginner"]
    compiler._sketches.clear()
    cold = plan_json(compile_plan(template, profile, Options()))
    assert compiler._sketches  # the what-ifs were sketched ...
    warm = plan_json(compile_plan(template, profile, Options()))
    assert warm == cold and "not-race-ready" in cold  # ... and remembered without changing a byte


def test_longest_within_bounds_every_run_the_spike_rule_allows() -> None:
    """Runs held to 110 % of the longest before them (or a 2 km restart) can grow no further
    than the bound in as many weeks, whatever they do in between."""
    from plansync.core import rules

    assert rules.longest_within(10_000.0, 0) == 10_000.0
    longest = 5_000.0
    for weeks in range(1, 12):
        longest = rules.spike_cap(longest)  # the fastest any run may grow: to its cap each week
        assert longest <= rules.longest_within(5_000.0, weeks) <= longest + 50.0 * weeks * 1.1**weeks
    assert rules.longest_within(500.0, 1) >= rules.RESTART_M  # a restart run is always allowed


def test_a_later_race_what_if_stops_once_it_cannot_reach_race_ready(templates: dict[str, Template]) -> None:
    """The beginner's 16-week what-if never reaches a race-ready long run: it stops as soon as
    the spike rule rules that out, weeks before its taper, and says the same as the whole
    sketch (no later race reaches it)."""
    profile = _profile(
        plan={"template": "half-marathon-beginner", "race_date": "2027-05-02", "weeks": 12},
        availability={"days": ["tue", "thu", "sun"], "long_run_day": "sun"},
        fitness={"weekly_distance": 10, "long_run": 5, "recent_race": None},
    )
    template = templates["half-marathon-beginner"]
    ready = template.progression.race_ready_long * 21097.5
    start = compile_plan(template, profile, Options()).start_date
    longer = Options(race_date=start + dt.timedelta(days=7 * 16 - 1), weeks=16)
    weeks_run: list[int] = []
    real_run = compiler._run

    def counting(draft: compiler.Draft, enough: compiler.Enough = (float("inf"), float("inf"))) -> None:
        real_run(draft, enough)
        weeks_run.append(len(draft.summaries))

    zones = ZoneModel(profile)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compiler, "_run", counting)
        compiler._sketches.clear()
        whole = compiler._sketch(template, profile, longer, zones)
        stopped = compiler._sketch(template, profile, longer, zones, (float("inf"), ready - 1))
    assert whole.longest + 1 < ready and stopped.longest + 1 < ready  # the same answer: it does not reach
    assert weeks_run[1] < weeks_run[0]  # ... found in fewer weeks
