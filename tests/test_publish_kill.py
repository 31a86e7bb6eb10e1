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
from .tp_helpers import TODAY, remote_matches_plan, running_fake, tp_profile

POINTS = sorted(random.Random(20270110).sample(range(2, 120), 4))


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


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("moment", ["before the write", "after the write"])
def test_killed_publish_converges_when_run_again(
    fake: FakeTrainingPeaks, tmp_path: Path, point: int, moment: str
) -> None:
    profile = tp_profile(tmp_path)
    state = tmp_path / "state"
    refresh = fake.issue_refresh_token()
    writes = [0]
    killed = threading.Event()
    proc = publish_process(fake, profile, state, refresh)

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
    assert killed.is_set() and proc.returncode == -signal.SIGKILL
    fake.on_request = None

    again = publish_process(fake, profile, state, refresh)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    plan = compile_file(profile)
    remote_matches_plan(fake, plan, load_profile(profile))
    assert "created" in out and "failed" not in out
