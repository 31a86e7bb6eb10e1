"""Golden plans: one example athlete per shipped template, compiled to JSON.

A change to any golden file is a change an athlete would see: review the
diff, then regenerate with ``PLANSYNC_UPDATE_GOLDEN=1 pytest tests/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plansync.cli.render import to_json
from plansync.core.plan import Plan
from plansync.inputs.compiling import compile_file

from .conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
# Athletes at the edges a coach meets: few days, worn shoes, small volumes.
CASES = sorted((GOLDEN / "profiles").glob("*.yaml"))


@pytest.mark.parametrize("profile", EXAMPLES + CASES, ids=lambda p: p.stem)
def test_golden_plan(profile: Path) -> None:
    text = to_json(compile_file(profile, ROOT / "plan_templates"))
    golden = GOLDEN / f"{profile.stem}.json"
    if os.environ.get("PLANSYNC_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_every_shipped_template_has_a_golden_plan() -> None:
    import yaml

    covered = {yaml.safe_load(p.read_text())["plan"]["template"] for p in EXAMPLES}
    assert covered == {p.stem for p in (ROOT / "plan_templates").glob("*.yaml")}


def test_same_input_gives_byte_identical_output() -> None:
    profile = ROOT / "examples" / "jane-doe.yaml"
    assert to_json(compile_file(profile)) == to_json(compile_file(profile))


def test_four_training_days_are_placed_as_a_coach_would() -> None:
    """Mon, Tue, Sat, Sun with the long run on Sunday: Saturday carries running,
    Monday is a short recovery run, no easy run comes near the long run, and the
    plan says what a fifth day would give."""
    plan = compile_file(GOLDEN / "profiles" / "four-days.yaml", ROOT / "plan_templates")
    for week in range(1, plan.weeks):
        entries = [w for w in plan.workouts if w.week == week]
        long = next(w for w in entries if w.kind == "long")
        saturday = [w for w in entries if w.date.weekday() == 5 and w.kind not in ("rest", "foot_strength")]
        assert saturday, f"week {week} leaves Saturday empty"
        for w in entries:
            if w.kind in ("easy", "strides", "recovery"):
                assert w.distance_m <= 0.75 * long.distance_m, (week, w.kind, w.distance_m)
        monday = next(w for w in entries if w.date.weekday() == 0)
        if week > 1:
            assert monday.kind in ("rest", "recovery")
    codes = {w.code for w in plan.warnings}
    if "weekly-peak-capped" in codes:  # capped: the plan says what a fifth day would give
        few = [w for w in plan.warnings if w.code == "few-days"]
        assert few and "fifth day" in few[0].message


def _case(name: str) -> Plan:
    return compile_file(GOLDEN / "profiles" / f"{name}.yaml", ROOT / "plan_templates")


def test_a_pair_past_its_lifespan_at_the_start_is_a_warning_and_a_note_on_its_first_run() -> None:
    plan = _case("shoes-worn-out")
    assert any(w.code == "shoe-worn-out" and "Old trainer" in w.message for w in plan.warnings)
    first = next(w for w in plan.workouts if w.shoe == "Old trainer")
    assert "Old trainer is past its lifespan: replace the pair now" in first.description
    later = [w for w in plan.workouts if w.shoe == "Old trainer" and w.id != first.id]
    assert later and not any("past its lifespan" in w.description for w in later)  # once
    assert {s.name for s in plan.shoes} == {"Old trainer", "Racer"}


def test_two_pairs_of_the_same_role_alternate_and_each_has_a_forecast() -> None:
    plan = _case("shoes-two-daily")
    worn = [w.shoe for w in sorted(plan.workouts, key=lambda w: w.date) if w.shoe]
    assert worn[:4] == ["Daily A", "Daily B", "Daily A", "Daily B"]
    a, b = plan.shoes
    assert abs(a.planned_m - b.planned_m) < 0.25 * (a.planned_m + b.planned_m)


def test_a_stability_pair_takes_its_turn_with_the_cushioned_one() -> None:
    plan = _case("shoes-stability")
    daily = [w.shoe for w in plan.workouts if w.kind in ("long", "easy", "recovery")]
    assert set(daily) == {"Cushioned", "Stability"}
    assert abs(daily.count("Cushioned") - daily.count("Stability")) <= 1
    assert {w.shoe for w in plan.workouts if w.kind in ("tempo", "threshold", "intervals", "race")} == {
        "Racer"
    }


def test_a_single_pair_gets_the_two_pair_advice_once_and_early() -> None:
    plan = _case("shoes-single")
    assert any(w.code == "single-pair" for w in plan.warnings)
    told = [w for w in plan.workouts if "second pair in rotation" in w.description]
    assert len(told) == 1 and told[0].week == 1


def test_the_race_is_run_in_a_pair_that_is_run_in_and_within_its_lifespan() -> None:
    plan = _case("shoes-race")  # the racing pair wears out in week 10 of 12
    late = next(w for w in plan.warnings if w.code == "shoe-lifespan")
    assert "Old racer" in late.message and "buy and break in a new pair by week 9" in late.message
    race = next(w for w in plan.workouts if w.kind == "race")
    assert race.shoe == "Daily" and "run in and within its lifespan" in race.description
    alone = _case("worn-concrete-track-hr")  # one pair, worn out in week 1: the plan says what to do
    race = next(w for w in alone.workouts if w.kind == "race")
    assert "buy a new pair" in race.description and any(w.code == "race-shoe" for w in alone.warnings)


def test_every_run_has_its_recovery_routine_and_hard_runs_the_red_flags() -> None:
    plan = _case("worn-concrete-track-hr")
    for w in plan.workouts:
        if w.kind in (
            "easy",
            "recovery",
            "strides",
            "long",
            "tempo",
            "intervals",
            "hills",
            "threshold",
            "race_pace",
        ):
            assert "Afterwards:" in w.description, w.id
        if w.kind in ("long", "tempo", "intervals", "hills", "threshold", "race_pace"):
            assert "Red flags" in w.description and "replace the next run with rest" in w.description
    # Tender feet: lighter first weeks and three foot-strength sessions a week.
    assert all(
        sum(1 for w in plan.workouts if w.week == n and w.kind == "foot_strength") == 3 for n in range(1, 13)
    )
