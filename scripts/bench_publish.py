"""Benchmark: publishing to the fake TrainingPeaks server with 50 ms latency per request.

Counts what the efficiency promises are about — writes, listings and token
calls for a first publish, an unchanged re-publish, one changed workout and
a moved race — and the wall time of each.
Run: .venv/bin/python scripts/bench_publish.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.trainingpeaks import FakeTrainingPeaks  # noqa: E402

from plansync.adapters.base import AdapterContext, Athlete  # noqa: E402
from plansync.adapters.trainingpeaks.adapter import TrainingPeaksAdapter  # noqa: E402
from plansync.core.compiler import Options  # noqa: E402
from plansync.inputs.compiling import compile_file  # noqa: E402
from plansync.inputs.loader import load_profile  # noqa: E402
from plansync.publishing import engine as sync  # noqa: E402
from plansync.state.ledger import Ledger  # noqa: E402

TODAY = dt.date(2027, 1, 10)
NOW = dt.datetime(2027, 1, 10, 9, tzinfo=dt.UTC)
ATHLETE = 134129


def main() -> None:
    fake = FakeTrainingPeaks(today=TODAY, latency=0.05)
    fake.add_athlete(ATHLETE)
    fake.start()
    os.environ.update(
        {
            "PLANSYNC_TP_API_URL": fake.url,
            "PLANSYNC_TP_OAUTH_URL": fake.url,
            "PLANSYNC_TP_CLIENT_ID": fake.client_id,
            "PLANSYNC_TP_CLIENT_SECRET": fake.client_secret,
            "PLANSYNC_TP_REFRESH_TOKEN": fake.issue_refresh_token(),
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        profile_path = Path(tmp) / "jane-doe.yaml"
        shutil.copy(ROOT / "examples" / "jane-doe.yaml", profile_path)
        with profile_path.open("a") as fh:
            fh.write(f'platforms:\n  trainingpeaks: {{athlete_id: "{ATHLETE}"}}\n')
        profile = load_profile(profile_path)
        state = Path(tmp) / "state"

        def run(label: str, athlete: Athlete) -> None:
            log_before = len(fake.log)
            adapter = TrainingPeaksAdapter.from_config(AdapterContext(state))
            t0 = time.perf_counter()
            with Ledger(state) as ledger:
                summary, _ = sync.publish(athlete, adapter, ledger, now=lambda: NOW)
            wall = time.perf_counter() - t0
            adapter.close()
            log = fake.log[log_before:]
            writes = sum(1 for m, p, _ in log if m in ("POST", "PUT", "DELETE") and p.startswith("/v2/"))
            ranges = [p.split("/")[4:6] for m, p, _ in log if m == "GET" and p.startswith("/v2/workouts/")]
            days = sum((dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days + 1 for a, b in ranges)
            tokens = sum(1 for m, p, _ in log if p == "/oauth/token")
            entries = sum(1 for w in athlete.plan.workouts if adapter.wants(w))
            print(
                f"{label:<24} {entries:>3} entries (rest days stay off): {writes:>3} writes, "
                f"{len(ranges)} listings covering {days} days (at most 90 each), {tokens} token calls; "
                f"{summary.line()}; {wall:.1f} s"
            )

        plan = compile_file(profile_path)
        athlete = Athlete(profile, plan, TODAY)
        run("first publish", athlete)
        run("unchanged re-publish", athlete)
        edited = dataclasses.replace(plan.workouts[10], title="Coach's special")
        changed = dataclasses.replace(plan, workouts=(*plan.workouts[:10], edited, *plan.workouts[11:]))
        run("one workout changed", Athlete(profile, changed, TODAY))
        moved = compile_file(profile_path, options=Options(race_date=dt.date(2027, 4, 25)))
        run("race date moved a week", Athlete(profile, moved, TODAY))
    fake.stop()


if __name__ == "__main__":
    main()
