"""Benchmark the coach's commands on a big roster.

1. `plansync status` over 500 athletes (target <= 2 s, whole command).
2. `plansync publish --all` of 200 athletes against the fake TrainingPeaks
   server with 50 ms latency per request and a 20 requests/s limit (target:
   within 1.2x of requests / limit).

Run: .venv/bin/python scripts/bench_coach.py [--status-athletes 500] [--publish-athletes 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.trainingpeaks import FakeTrainingPeaks  # noqa: E402

TODAY = "2027-01-10"
EXE = shutil.which("plansync", path=str(Path(sys.executable).parent)) or "plansync"


def roster(workspace: Path, count: int, tp_ids: bool = False) -> None:
    subprocess.run([EXE, "init", str(workspace)], check=True, capture_output=True)
    examples = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for i in range(count):
        data = dict(examples[i % len(examples)])
        data["id"] = f"athlete-{i:04d}"
        data["name"] = f"Athlete {i}"
        data["plan"] = dict(data["plan"], requested_at="2027-01-10T08:00:00+00:00")
        if tp_ids:
            data["platforms"] = {"trainingpeaks": {"athlete_id": str(200000 + i)}}
        (workspace / "athletes" / f"athlete-{i:04d}.yaml").write_text(yaml.safe_dump(data))


def bench_status(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        roster(ws, count)
        env = {**os.environ, "PLANSYNC_TODAY": TODAY}
        walls = []
        for _ in range(3):
            t0 = time.perf_counter()
            result = subprocess.run([EXE, "status"], cwd=ws, env=env, capture_output=True, text=True)
            walls.append(time.perf_counter() - t0)
        print(
            f"plansync status, {count} athletes: median {statistics.median(walls):.2f} s "
            f"(runs: {', '.join(f'{w:.2f}' for w in walls)}); {result.stdout.strip().splitlines()[-1]}"
        )


def bench_publish(count: int, latency: float, limit: float) -> None:
    fake = FakeTrainingPeaks(today=dt.date.fromisoformat(TODAY), latency=latency, rate_limit=limit)
    for i in range(count):
        fake.add_athlete(200000 + i)
    fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        roster(ws, count, tp_ids=True)
        config = ws / "plansync.toml"
        config.write_text(config.read_text().replace("rate_limit = 20", f"rate_limit = {limit:g}"))
        env = {
            **os.environ,
            "PLANSYNC_TODAY": TODAY,
            "PLANSYNC_TP_API_URL": fake.url,
            "PLANSYNC_TP_OAUTH_URL": fake.url,
            "PLANSYNC_TP_CLIENT_ID": fake.client_id,
            "PLANSYNC_TP_CLIENT_SECRET": fake.client_secret,
            "PLANSYNC_TP_REFRESH_TOKEN": fake.issue_refresh_token(),
        }
        t0 = time.perf_counter()
        result = subprocess.run([EXE, "publish", "--all"], cwd=ws, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    fake.stop()
    api = [entry for entry in fake.log if entry[1].startswith("/v2/")]
    refused = sum(1 for entry in api if entry[2] == 429)
    ideal = len(api) / limit
    print(
        f"publish --all, {count} athletes: {len(api)} API requests ({refused} answered 429), "
        f"{wall:.1f} s wall; requests / limit = {ideal:.1f} s; ratio {wall / ideal:.3f} "
        f"(exit {result.returncode}); {result.stdout.strip().splitlines()[-1]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--status-athletes", type=int, default=500)
    parser.add_argument("--publish-athletes", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--limit", type=float, default=20)
    args = parser.parse_args()
    if args.status_athletes:
        bench_status(args.status_athletes)
    if args.publish_athletes:
        bench_publish(args.publish_athletes, args.latency, args.limit)


if __name__ == "__main__":
    main()
