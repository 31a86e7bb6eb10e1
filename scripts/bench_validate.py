"""Benchmark: `plansync validate` over all shipped templates and the whole matrix.

Target (issue: validate): <= 3 s on a 2-core machine.
Run: .venv/bin/python scripts/bench_validate.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from plansync.inputs.validate import validate

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        report = validate([ROOT / "plan_templates"])
        times.append(time.perf_counter() - t0)
    print(
        f"validate in-process: {report.templates} templates, {report.plans} plans, "
        f"median {statistics.median(times):.2f} s"
    )
    exe = shutil.which("plansync", path=str(Path(sys.executable).parent)) or "plansync"
    walls = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([exe, "validate", str(ROOT / "plan_templates")], capture_output=True, check=False)
        walls.append(time.perf_counter() - t0)
    print(f"plansync validate (whole command, wall): median {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
