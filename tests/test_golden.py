"""Golden plans: one example athlete per shipped template, compiled to JSON.

A change to any golden file is a change an athlete would see: review the
diff, then regenerate with ``PLANSYNC_UPDATE_GOLDEN=1 pytest tests/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plansync.cli.render import to_json
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
