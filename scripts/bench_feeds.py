"""Benchmark: feed build and status over a large roster, first and unchanged, on 1 core and on all.

Figures for the README: an unchanged `feed build` and `status` over 2,000
athletes (targets: at most 0.5 s each, whole command), the first build on one
core against all cores (target: at least 1.7x faster on 2 cores), and one
`plansync compile` of every profile against the in-process compile time.
Run: .venv/bin/python scripts/bench_feeds.py [--athletes 2000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_coach import TODAY, roster  # noqa: E402

EXE = shutil.which("plansync", path=str(Path(sys.executable).parent)) or "plansync"


def run(args: list[str], cwd: Path, cpus: int | None = None) -> float:
    env = {**os.environ, "PLANSYNC_TODAY": TODAY}
    command = [EXE, *args] if cpus is None else ["taskset", "-c", ",".join(map(str, range(cpus))), EXE, *args]
    t0 = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, default=2000)
    count = parser.parse_args().athletes
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        roster(ws, count)
        build = ["feed", "build", "athletes", "--out", "public"]
        one = run(["feed", "build", "athletes", "--out", "public-one", "--state", "one-core"], ws, cpus=1)
        first = run(build, ws)
        unchanged = run(build, ws)
        status_first = run(["status"], ws)
        status_again = run(["status"], ws)
        print(
            f"feed build, {count} athletes: first {first:.2f} s on {cores} cores, {one:.2f} s on 1 core "
            f"({one / first:.2f}x); unchanged {unchanged:.2f} s"
        )
        print(f"status, {count} athletes: first {status_first:.2f} s, unchanged {status_again:.2f} s")
        validate_one = run(["validate", "plan_templates"], ws, cpus=1)
        validate_all = run(["validate", "plan_templates"], ws)
        print(
            f"validate, whole command: {validate_one:.2f} s on 1 core, {validate_all:.2f} s on {cores} "
            f"({validate_one / validate_all:.2f}x; about 0.3 s of it is starting Python and importing)"
        )
        from plansync.inputs.validate import validate

        validate([ws / "plan_templates"])  # imports, caches
        timed = {}
        for use in ({0}, set(range(cores))):
            os.sched_setaffinity(0, use)
            runs = []
            for _ in range(3):
                t0 = time.perf_counter()
                validate([ws / "plan_templates"])
                runs.append(time.perf_counter() - t0)
            timed[len(use)] = min(runs)
        print(
            f"validate in-process: {timed[1]:.2f} s on 1 core, {timed[cores]:.2f} s on {cores} "
            f"({timed[1] / timed[cores]:.2f}x)"
        )
        everyone = run(["compile", "athletes", "-o", "plans"], ws)
        from plansync.core.plan import plan_json
        from plansync.inputs.compiling import compile_file
        from plansync.inputs.roster import profile_files

        paths = profile_files(ws / "athletes")
        t0 = time.perf_counter()
        for path in paths:
            plan_json(compile_file(path, ws / "plan_templates"))
        inproc = time.perf_counter() - t0
        print(
            f"compile {count} profiles to JSON: one `plansync compile athletes -o plans` {everyone:.2f} s; "
            f"an in-process loop on one core {inproc:.2f} s ({everyone / inproc:.2f}x)"
        )


if __name__ == "__main__":
    main()
