"""Benchmark: the compiler pipeline side by side with the code at a baseline commit.

Measures, for this checkout and for ``--baseline`` (default 6002135, the compiler before
the week-shape rules), each in its own fresh process:

- ``validate`` of the shipped templates: CPU seconds (user + system, worker processes
  included);
- one plan, median milliseconds over 200 compiles: the example athlete (jane-doe) and a
  warning-heavy beginner (three days, 10 km a week: not race-ready, capped);
- a compile loop over 250 athletes (the example athlete with 250 ids and volumes).

Targets (the compiler-as-a-pipeline issue): validate CPU <= 1.2x the baseline; one plan
<= 3 ms median for both athletes. "Nothing kept" compiles each time with what the process
remembers across compiles cleared: the what-if sketches, the zones and sessions worked out
for athletes alike, and the words of each template (the baseline keeps none of these: its two
figures are the same).

Each figure is the least of ``--rounds`` rounds (5), this checkout and the baseline
measured alternately (validate in the order A B B A within a round, each tree's lesser
run); "paired" is the median over the rounds of each round's own ratio, which a slow spell
of the machine lasting longer than a round does not move. Both trees are byte-compiled first (``compileall``), as an installed package is: where
``PYTHONDONTWRITEBYTECODE`` is set, each run would otherwise compile every source file
again, and the larger tree would pay more for it.

This machine's CPU speed varies by up to half between runs, and a validate run on two
cores (this checkout's; the baseline validates in one process) costs more CPU per
instruction than one on a single core. ``--instructions`` also counts the instructions
of validate run in one process, and of one plan compiled again and from cold, under
valgrind (several minutes): figures that do not vary between runs.

Run: .venv/bin/python scripts/bench_pipeline.py [--baseline REV] [--instructions]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGINNER = """\
id: bea-start
name: Bea Start
timezone: Europe/London
units: km
plan: {template: half-marathon-beginner, race_date: 2027-05-02, weeks: 12}
availability: {days: [tue, thu, sun], long_run_day: sun}
fitness: {weekly_distance: 10, long_run: 5}
intensity: {system: rpe}
"""

# Runs inside the measured checkout (PYTHONPATH=<its src>): the module layout changed
# since the baseline, so each name is looked for where either version keeps it.
PROBE = r"""
import copy, json, statistics, sys, time
from pathlib import Path
try:
    from plansync.core.compiler import Options, compile_plan
    from plansync.inputs.loader import load_profile, load_template
except ImportError:
    from plansync.compiler import Options, compile_plan
    from plansync.loader import load_profile, load_template
root, beginner = Path(sys.argv[1]), Path(sys.argv[2])
out = {}
for name, path, template in (
    ("jane-doe", root / "examples" / "jane-doe.yaml", "half-marathon-intermediate"),
    ("beginner", beginner, "half-marathon-beginner"),
):
    t, p = load_template(root / "plan_templates" / f"{template}.yaml"), load_profile(path)
    for _ in range(10):
        compile_plan(t, p, Options())
    times = []
    for _ in range(200):
        start = time.perf_counter()
        compile_plan(t, p, Options())
        times.append(time.perf_counter() - start)
    out[name] = statistics.median(times) * 1000
    try:  # what is remembered per process (what-if sketches, shared sessions): also from cold
        from plansync.core import compiler, entries, zones
        kept = [compiler._sketches, zones._zone_caches]
        kept += [entries._words] if hasattr(entries, "_words") else []
    except (ImportError, AttributeError):
        kept = []
    if kept:
        times = []
        for _ in range(100):
            for remembered in kept:
                remembered.clear()
            start = time.perf_counter()
            compile_plan(t, p, Options())
            times.append(time.perf_counter() - start)
    out[name + " cold"] = statistics.median(times) * 1000
t = load_template(root / "plan_templates" / "half-marathon-intermediate.yaml")
base = load_profile(root / "examples" / "jane-doe.yaml")
athletes = []
for i in range(250):
    fitness = base.fitness.model_copy(update={"weekly_distance": 25 + i % 20, "long_run": 10 + i % 5})
    athletes.append(base.model_copy(update={"id": f"athlete-{i}", "fitness": fitness}))
start = time.perf_counter()
for p in athletes:
    compile_plan(t, p, Options())
out["loop_250_s"] = time.perf_counter() - start
print(json.dumps(out))
"""


def _validate_cpu(src: Path, root: Path) -> tuple[float, float]:
    """CPU seconds of ``plansync validate plan_templates`` in a child (and its workers),
    and the seconds it took."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "plansync", "validate", str(root / "plan_templates")],
        env=env,
        capture_output=True,
        check=False,
        cwd=root,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


VALGRIND = [
    "taskset",
    "-c",
    "0",
    "valgrind",
    "--tool=cachegrind",
    "--cache-sim=no",
    "--cachegrind-out-file=/dev/null",
]


def _valgrind(args: list[str], src: Path, root: Path) -> float:
    """Millions of instructions of ``python ARGS`` in one process on one core (valgrind)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    run = subprocess.run(
        [*VALGRIND, sys.executable, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    return int(found.group(1).replace(",", "")) / 1e6 if found else float("nan")


def _instructions(src: Path, root: Path) -> float:
    """Millions of instructions of ``plansync validate plan_templates`` in one process."""
    return _valgrind(["-m", "plansync", "validate", str(root / "plan_templates")], src, root)


# Compiles one athlete's plan N times (after two), each time from cold or not.
PLAN_PROBE = r"""
import sys
from pathlib import Path
try:
    from plansync.core.compiler import Options, compile_plan
    from plansync.inputs.loader import load_profile, load_template
except ImportError:
    from plansync.compiler import Options, compile_plan
    from plansync.loader import load_profile, load_template
root, path, template, n, cold = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
kept = []
try:  # what a process remembers between compiles, where this version remembers anything
    from plansync.core import compiler, entries, zones
    kept = [compiler._sketches, zones._zone_caches, getattr(entries, "_words", {})]
except ImportError:
    pass
t, p = load_template(root / "plan_templates" / f"{template}.yaml"), load_profile(path)
for _ in range(2):
    compile_plan(t, p, Options())
for _ in range(n):
    for remembered in kept if cold == "cold" else []:
        remembered.clear()
    compile_plan(t, p, Options())
"""


def _plan_instructions(src: Path, root: Path, beginner: Path) -> dict[str, float]:
    """Millions of instructions of one compile of each athlete, again and from cold: the
    difference between 45 compiles and 5, over 40 (start-up and loading cancel out)."""
    out: dict[str, float] = {}
    for name, path, template in (
        ("jane-doe", root / "examples" / "jane-doe.yaml", "half-marathon-intermediate"),
        ("beginner", beginner, "half-marathon-beginner"),
    ):
        for mode in ("again", "cold"):
            few, many = (
                _valgrind(["-c", PLAN_PROBE, str(root), str(path), template, str(n), mode], src, root)
                for n in (5, 45)
            )
            out[f"{name} {mode} minstr"] = (many - few) / 40
    return out


def measure(root: Path, beginner: Path) -> dict[str, float]:
    """One plan's and the 250-athlete loop's figures for one tree."""
    src = root / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(root), str(beginner)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(probe.stdout)
    return result


def validate_pair(trees: list[Path]) -> list[dict[str, float]]:
    """Validate of each tree, in the order A B B A: each tree's lesser run, so that a tree
    measured first or last in a spell of this machine gains nothing by it."""
    runs: dict[Path, list[tuple[float, float]]] = {root: [] for root in trees}
    for root in [*trees, *reversed(trees)]:
        runs[root].append(_validate_cpu(root / "src", root))
    return [
        {"validate_cpu_s": min(c for c, _ in runs[root]), "validate_wall_s": min(w for _, w in runs[root])}
        for root in trees
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="6002135")
    parser.add_argument("--instructions", action="store_true", help="also count validate's instructions")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds; the least of each figure")
    args = parser.parse_args()
    if args.instructions and not (shutil.which("valgrind") and shutil.which("taskset")):
        parser.error("--instructions needs valgrind and taskset")
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "baseline"
        old.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.baseline], capture_output=True, check=True
        ).stdout
        archive_path = Path(tmp) / "baseline.tar"
        archive_path.write_bytes(archive)
        with tarfile.open(archive_path) as tar:
            tar.extractall(old, filter="data")
        beginner = Path(tmp) / "beginner.yaml"
        beginner.write_text(BEGINNER)
        trees = {"this checkout": ROOT, f"baseline {args.baseline}": old}
        for root in trees.values():
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", str(root / "src")], capture_output=True, check=True
            )
        rows: dict[str, dict[str, float]] = {}
        paired: dict[str, list[float]] = {}  # each round's ratio, this checkout against the baseline
        for _ in range(args.rounds):  # alternating, so a slow spell of the machine hits both
            found = [measure(root, beginner) for root in trees.values()]
            for one, checked in zip(found, validate_pair(list(trees.values())), strict=True):
                one.update(checked)
            for key in found[0]:
                paired.setdefault(key, []).append(found[0][key] / found[1][key])
            for name, one in zip(trees, found, strict=True):
                rows[name] = {k: min(v, rows.get(name, {}).get(k, v)) for k, v in one.items()}
        if args.instructions:
            for name, root in (("this checkout", ROOT), (f"baseline {args.baseline}", old)):
                rows[name]["validate_minstr"] = _instructions(root / "src", root)
                rows[name].update(_plan_instructions(root / "src", root, beginner))
    names = list(rows)
    print(f"{'':28}" + "".join(f"{n:>22}" for n in names) + f"{'ratio':>10}{'paired':>10}")
    for key, label in (
        ("validate_cpu_s", "validate CPU (s)"),
        ("validate_wall_s", "validate, wall clock (s)"),
        ("jane-doe", "one plan, jane-doe (ms)"),
        ("jane-doe cold", "  the same, nothing kept"),
        ("beginner", "one plan, beginner (ms)"),
        ("beginner cold", "  the same, nothing kept"),
        ("loop_250_s", "250-athlete loop (s)"),
        ("validate_minstr", "validate, 1 core (M instr.)"),
        ("jane-doe again minstr", "one plan, jane-doe (M instr.)"),
        ("jane-doe cold minstr", "  the same, nothing kept"),
        ("beginner again minstr", "one plan, beginner (M instr.)"),
        ("beginner cold minstr", "  the same, nothing kept"),
    ):
        if key not in rows[names[0]]:
            continue
        new, old_value = rows[names[0]][key], rows[names[1]][key]
        pair = f"{statistics.median(paired[key]):>9.2f}x" if key in paired else ""
        print(f"{label:28}{new:>22.3f}{old_value:>22.3f}{new / old_value:>9.2f}x{pair}")


if __name__ == "__main__":
    main()
