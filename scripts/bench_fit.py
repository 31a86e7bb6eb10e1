"""Benchmark: export a 16-week plan's FIT workout files, in-process.

Target (issue: FIT workout files): under 100 ms for the whole plan.
Run: .venv/bin/python scripts/bench_fit.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from plansync.core.compiler import Options, compile_plan
from plansync.inputs.loader import load_profile, load_template
from plansync.watch.export import chosen, export_fit
from plansync.watch.fit import workout_bytes

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    template = load_template(ROOT / "plan_templates" / "half-marathon-advanced.yaml")
    profile = load_profile(ROOT / "examples" / "ana-ruiz.yaml")
    plan = compile_plan(template, profile, Options(weeks=16))
    workouts = chosen(plan)
    encode, write = [], []
    t0 = time.perf_counter()
    for w in workouts:
        workout_bytes(plan, w)
    cold = (time.perf_counter() - t0) * 1000
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(15):
            t0 = time.perf_counter()
            for w in workouts:
                workout_bytes(plan, w)
            encode.append((time.perf_counter() - t0) * 1000)
            folder = Path(tmp) / f"run{i}"
            t0 = time.perf_counter()
            export_fit(plan, folder, workouts, prune=True)
            write.append((time.perf_counter() - t0) * 1000)
    print(f"{len(workouts)} FIT files for a 16-week plan")
    print(f"  encode all, first time in the process: {cold:.1f} ms")
    print(f"  encode all: median {statistics.median(encode):.1f} ms")
    print(
        f"  export to a new folder (encode, write atomically, flush): median {statistics.median(write):.1f} ms"
    )


if __name__ == "__main__":
    main()
