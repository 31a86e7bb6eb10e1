"""Benchmark: compile a 16-week advanced plan in-process, and `plansync --help` wall time.

Targets (issue: plan compiler): compile median <= 5 ms; `plansync --help` <= 150 ms.
Run: .venv/bin/python scripts/bench_compile.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from plansync.core import schedule
from plansync.core.compiler import Options, compile_plan
from plansync.inputs.loader import load_profile, load_template

ROOT = Path(__file__).resolve().parent.parent


def median_ms(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    template = load_template(ROOT / "plan_templates" / "half-marathon-advanced.yaml")
    profile = load_profile(ROOT / "examples" / "ana-ruiz.yaml")
    options = Options(weeks=16)
    plan = compile_plan(template, profile, options)
    assert plan.weeks == 16
    for _ in range(20):  # warm up
        compile_plan(template, profile, options)
    compile_ms = median_ms(lambda: compile_plan(template, profile, options), 300)
    print(f"compile 16-week advanced plan ({len(plan.workouts)} entries): median {compile_ms:.2f} ms")

    def cold() -> None:  # without the week-layout caches a first compile starts with
        schedule.place_week.cache_clear()
        schedule.pick_spread.cache_clear()
        compile_plan(template, profile, options)

    print(f"  same, layout caches cleared each time: median {median_ms(cold, 300):.2f} ms")

    exe = shutil.which("plansync", path=str(Path(sys.executable).parent)) or "plansync"
    subprocess.run([exe, "--help"], capture_output=True, check=True)
    help_ms = median_ms(lambda: subprocess.run([exe, "--help"], capture_output=True, check=True), 30)
    print(f"plansync --help: median {help_ms:.0f} ms wall")


if __name__ == "__main__":
    main()
