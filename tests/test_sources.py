"""What comes back from a platform goes through the adapter contract: `--from NAME` reads
completed training from any adapter that declares it (TrainingPeaks and intervals.icu)."""

from __future__ import annotations

import json
from pathlib import Path

from plansync.inputs.compiling import compile_file

from .conftest import Cli
from .tp_helpers import ATHLETE_ID, running_fake, tp_environment, tp_profile


def test_adapt_reads_completed_workouts_from_trainingpeaks(cli: Cli, tmp_path: Path) -> None:
    profile = tp_profile(tmp_path)
    plan = compile_file(profile)
    with running_fake() as fake:
        env = tp_environment(fake)
        code, out = cli(
            ["publish", str(profile), "--to", "trainingpeaks", "--state", "st"], tmp_path, env=env
        )
        assert code == 0, out
        runs = {w.date.isoformat(): w for w in plan.workouts if w.week == 1 and w.distance_m}
        for remote in fake.planned(ATHLETE_ID):
            planned = runs.get(str(remote["WorkoutDay"])[:10])
            if planned is not None and remote["WorkoutType"] == "run":  # the athlete ran it as planned
                fake.complete(remote["Id"], planned.duration_s / 3600, float(planned.distance_m))
        week_1 = min(runs)
        fake.log_workout(ATHLETE_ID, week_1, "bike", 1.0, 30000.0)  # a ride: cross-training
        args = ["compliance", str(profile), "--from", "trainingpeaks", "--state", "st", "--format", "json"]
        code, out = cli(args, tmp_path, today="2027-02-03", env=env)
        assert code == 0, out
        weeks = json.loads(out)["weeks"]
        assert weeks[0]["state"] == "on track" and weeks[0]["run_m"] == weeks[0]["planned_m"]
        args = [
            "adapt",
            str(profile),
            "--from",
            "trainingpeaks",
            "--dry-run",
            "--state",
            "st",
            "--format",
            "json",
        ]
        code, out = cli(args, tmp_path, today="2027-02-03", env=env)
        assert code == 0, out
        kinds = [a["kind"] for a in json.loads(out)["actuals"]["activities"]]
        assert kinds.count("cross") == 1 and kinds.count("run") == len(runs)


def test_a_target_that_cannot_read_training_says_which_can(cli: Cli, tmp_path: Path) -> None:
    profile = tp_profile(tmp_path)
    code, out = cli(["compliance", str(profile), "--from", "ics", "--state", "st"], tmp_path)
    assert code == 2 and "cannot read completed training" in out and "intervals, trainingpeaks" in out
