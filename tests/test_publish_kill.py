"""SIGKILL the publishing process at random points; running it again converges, nothing duplicated."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from plansync.inputs.compiling import compile_file
from plansync.inputs.loader import load_profile

from .fakes.trainingpeaks import FakeTrainingPeaks
from .tp_helpers import ATHLETE_ID, TODAY, remote_matches_plan, running_fake, tp_profile

POINTS = sorted(random.Random(20270110).sample(range(2, 90), 4))  # the plan has 93 non-rest entries


@pytest.fixture
def fake() -> Iterator[FakeTrainingPeaks]:
    with running_fake() as server:
        yield server


def publish_process(
    fake: FakeTrainingPeaks, profile: Path, state: Path, refresh: str
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PLANSYNC_TP_API_URL": fake.url,
        "PLANSYNC_TP_OAUTH_URL": fake.url,
        "PLANSYNC_TP_CLIENT_ID": fake.client_id,
        "PLANSYNC_TP_CLIENT_SECRET": fake.client_secret,
        "PLANSYNC_TP_REFRESH_TOKEN": refresh,
        "PLANSYNC_TODAY": TODAY.isoformat(),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plansync",
            "publish",
            str(profile),
            "--to",
            "trainingpeaks",
            "--state",
            str(state),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_at(fake: FakeTrainingPeaks, proc: subprocess.Popen[str], point: int, moment: str) -> None:
    """SIGKILL the process at its ``point``-th create, before or after the server commits it."""
    writes = [0]
    killed = threading.Event()

    def hook(method: str, path: str) -> None:
        if method == "POST" and path == "/v2/workouts/plan" and not killed.is_set():
            writes[0] += 1
            if writes[0] == point:
                os.kill(proc.pid, signal.SIGKILL)
                killed.set()
                if moment == "before the write":
                    raise ConnectionAbortedError  # the server thread drops the request unprocessed

    fake.on_request = hook
    proc.communicate(timeout=120)
    fake.on_request = None
    assert killed.is_set() and proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    ("system", "premium"),
    [("rpe", True), ("pace", False), ("heart_rate", False)],
    ids=["rpe", "basic-pace", "basic-hr"],
)
def test_two_kills_then_a_run_leave_exactly_the_plan(
    fake: FakeTrainingPeaks, tmp_path: Path, system: str, premium: bool
) -> None:
    fake.athletes[ATHLETE_ID].premium = premium
    profile = tp_profile(tmp_path, system)
    state = tmp_path / "state"
    refresh = fake.issue_refresh_token()
    kill_at(fake, publish_process(fake, profile, state, refresh), 17, "after the write")
    kill_at(fake, publish_process(fake, profile, state, refresh), 23, "before the write")
    last = publish_process(fake, profile, state, refresh)
    _, err = last.communicate(timeout=120)
    assert last.returncode == 0, err
    remote_matches_plan(fake, compile_file(profile), load_profile(profile))


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("moment", ["before the write", "after the write"])
def test_killed_publish_converges_when_run_again(
    fake: FakeTrainingPeaks, tmp_path: Path, point: int, moment: str
) -> None:
    profile = tp_profile(tmp_path)
    state = tmp_path / "state"
    refresh = fake.issue_refresh_token()
    kill_at(fake, publish_process(fake, profile, state, refresh), point, moment)
    again = publish_process(fake, profile, state, refresh)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    plan = compile_file(profile)
    remote_matches_plan(fake, plan, load_profile(profile))
    assert "created" in out and "failed" not in out
