"""Benchmark: render a 16-week plan's calendar; build feeds for 500 athletes.

Target (issue: iCal export): rendering <= 20 ms median; the 500-athlete build is reported.
Run: .venv/bin/python scripts/bench_ical.py [--athletes N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from plansync.calendars import events as ical
from plansync.calendars.feeds import build_feeds
from plansync.calendars.identity import calendar_bytes
from plansync.core.compiler import Options, compile_plan
from plansync.inputs.loader import load_profile, load_template
from plansync.state.ledger import Ledger

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)


def render_benchmark() -> None:
    template = load_template(ROOT / "plan_templates" / "half-marathon-advanced.yaml")
    profile = load_profile(ROOT / "examples" / "ana-ruiz.yaml")
    plan = compile_plan(template, profile, Options(weeks=16))
    contents = ical.event_contents(plan)
    stamps = {c["uid"]: ical.Stamp(0, NOW) for c in contents}
    times = []
    for _ in range(60):
        t0 = time.perf_counter()
        ical.render(plan, ical.event_contents(plan), stamps)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"render a 16-week calendar ({len(contents)} events): median {statistics.median(times):.1f} ms")
    with tempfile.TemporaryDirectory() as state, Ledger(Path(state)) as ledger:
        times = []
        for _ in range(30):
            t0 = time.perf_counter()
            calendar_bytes(plan, ledger, NOW)
            times.append((time.perf_counter() - t0) * 1000)
    print(f"  with the ledger's SEQUENCE bookkeeping: median {statistics.median(times):.1f} ms")


def feeds_benchmark(count: int) -> None:
    examples = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    with tempfile.TemporaryDirectory() as tmp:
        athletes = Path(tmp) / "athletes"
        athletes.mkdir()
        for i in range(count):
            data = dict(examples[i % len(examples)])
            data["id"] = f"athlete-{i:04d}"
            data["name"] = f"Athlete {i}"
            (athletes / f"athlete-{i:04d}.yaml").write_text(yaml.safe_dump(data))
        with Ledger(Path(tmp) / "state") as ledger:
            t0 = time.perf_counter()
            result = build_feeds(athletes, Path(tmp) / "public", ledger, NOW, base_url="https://feeds.test")
            first = time.perf_counter() - t0
            t0 = time.perf_counter()
            build_feeds(athletes, Path(tmp) / "public", ledger, NOW, base_url="https://feeds.test")
            again = time.perf_counter() - t0
        files = len(list((Path(tmp) / "public").iterdir()))
        print(
            f"feed build, {len(result.built)} athletes ({files} files): first {first:.1f} s, "
            f"unchanged rebuild {again:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, default=500)
    args = parser.parse_args()
    render_benchmark()
    feeds_benchmark(args.athletes)


if __name__ == "__main__":
    main()
