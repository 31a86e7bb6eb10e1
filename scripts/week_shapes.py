"""Weeks a coach would not write, counted over random profiles (the same strategy as the
compiler's property tests, derandomised: the same profiles every run).

- dips: a growing week below the growing week before it (no planned cutback between), by
  at least half a step of the athlete's unit, and by 2 km or more; and as the property
  test measures them (from week 2, not the week after a cutback, over a step and 10 %);
- race-week runs longer than the same run the week before (a run new that week: than that
  week's longest run besides the long run);
- race weeks outside 40-60 % of the peak week, with and without the race-week-light warning;
- returning athletes' growing weeks whose long run holds over 55 % of the week.

Run: .venv/bin/python scripts/week_shapes.py [PROFILES]   (default 600)
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_compiler_properties import SHIPPED, _assert_no_step_back, cases

from plansync.core.compiler import Options, compile_plan
from plansync.core.plan import Plan
from plansync.core.vocab import RUN_KINDS

PROFILES = int(sys.argv[1]) if len(sys.argv) > 1 else 600


def dips(plan: Plan, tolerance: float) -> bool:
    previous = None
    for week in plan.weeks_summary[: plan.weeks]:
        if week.taper:
            return False
        if week.cutback:
            continue
        if previous is not None and week.distance_m < previous - tolerance:
            return True
        previous = week.distance_m
    return False


def step_back(plan: Plan) -> bool:
    try:
        _assert_no_step_back(plan)
    except AssertionError:
        return True
    return False


def concentrated(plan: Plan) -> int:
    """Growing weeks whose long run holds over 55 % of the week."""
    count = 0
    for week in plan.weeks_summary[: plan.weeks]:
        if week.taper or week.cutback or not week.distance_m:
            continue
        long = max(
            (w.distance_m for w in plan.workouts if w.week == week.week and w.kind == "long"), default=0
        )
        count += long > 0.55 * week.distance_m
    return count


def race_week_longer(plan: Plan) -> bool:
    runs = [w for w in plan.workouts if w.kind in RUN_KINDS - {"race"}]
    before = {w.slot: w.distance_m for w in runs if w.week == plan.weeks - 1}
    others = max((m for slot, m in before.items() if slot != "long"), default=0)
    return any(w.distance_m > before.get(w.slot, others) + 1 for w in runs if w.week == plan.weeks)


def main() -> None:
    found: collections.Counter[str] = collections.Counter()

    @settings(
        max_examples=PROFILES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(cases())
    def count(case: tuple[str, object, int]) -> None:
        template_id, profile, _ = case
        plan = compile_plan(SHIPPED[template_id], profile, Options())  # type: ignore[arg-type]
        step = 500 if plan.units == "km" else 402.336
        found["plans"] += 1
        found["dips (half a step or more)"] += dips(plan, step / 2)
        found["dips (2 km or more)"] += dips(plan, 2000)
        found["dips the property test fails (over a step and 10 %)"] += step_back(plan)
        if profile.fitness.return_from_injury:  # type: ignore[attr-defined]
            found["returning athletes"] += 1
            found["their growing weeks with a long run over 55 %"] += concentrated(plan)
        if plan.race_date is None:
            return
        found["race plans"] += 1
        found["race-week runs longer than the week before"] += race_week_longer(plan)
        peak = max(s.distance_m for s in plan.weeks_summary[: plan.weeks] if not s.taper)
        share = plan.weeks_summary[plan.weeks - 1].distance_m / peak
        if not 0.39 <= share <= 0.61:
            warned = any(w.code == "race-week-light" for w in plan.warnings)
            found["race weeks outside 40-60 %" + (" (warned)" if warned else " (not warned)")] += 1

    count()
    for key, value in found.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
