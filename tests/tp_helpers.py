"""Wiring the TrainingPeaks adapter to the fake server, with the waits recorded instead of slept."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from plansync.adapters import markers
from plansync.adapters.trainingpeaks.adapter import TrainingPeaksAdapter
from plansync.adapters.trainingpeaks.client import OAuth, TokenStore, hosts, transport
from plansync.adapters.trainingpeaks.payload import payload
from plansync.core.plan import Plan, Workout
from plansync.core.profile import Profile

from .conftest import EXAMPLE
from .fakes.trainingpeaks import FakeTrainingPeaks

ATHLETE_ID = 134129
TODAY = dt.date(2027, 1, 10)
NOW = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)


def tp_profile(folder: Path, system: str = "pace") -> Path:
    """The example athlete, linked to the fake server's athlete, in an intensity system."""
    path = folder / "jane-doe.yaml"
    shutil.copy(EXAMPLE, path)
    path.write_text(path.read_text().replace("  system: pace\n", f"  system: {system}\n"))
    with path.open("a") as fh:
        fh.write(f'platforms:\n  trainingpeaks: {{athlete_id: "{ATHLETE_ID}"}}\n')
    return path


@contextmanager
def running_fake(**kwargs: Any) -> Iterator[FakeTrainingPeaks]:
    """A fake TrainingPeaks on loopback with the example athlete, stopped afterwards."""
    server = FakeTrainingPeaks(today=TODAY, **kwargs)
    server.add_athlete(ATHLETE_ID)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def tp_environment(fake: FakeTrainingPeaks, *, refresh: bool = True) -> dict[str, str]:
    """The environment that points plansync at the fake: hosts, the partner app, a sign-in."""
    env = {
        "PLANSYNC_TP_API_URL": fake.url,
        "PLANSYNC_TP_OAUTH_URL": fake.url,
        "PLANSYNC_TP_CLIENT_ID": fake.client_id,
        "PLANSYNC_TP_CLIENT_SECRET": fake.client_secret,
    }
    if refresh:
        env["PLANSYNC_TP_REFRESH_TOKEN"] = fake.issue_refresh_token()
    return env


@dataclass
class Waits:
    seconds: list[float] = field(default_factory=list)

    def __call__(self, value: float) -> None:
        self.seconds.append(value)


def make_adapter(
    fake: FakeTrainingPeaks,
    state: Path,
    *,
    timeout: float = 5.0,
    waits: Waits | None = None,
    max_attempts: int = 6,
) -> TrainingPeaksAdapter:
    endpoints = hosts()
    assert endpoints.api == fake.url
    http = httpx.Client(timeout=timeout)
    oauth = OAuth(
        fake.client_id, fake.client_secret, endpoints, http, TokenStore(state / "trainingpeaks-token.json")
    )
    wired = transport(
        endpoints,
        oauth,
        http,
        sleep=waits or Waits(),
        max_attempts=max_attempts,
        jitter=lambda: 0.5,
        clock=NOW.timestamp,  # the fake's Retry-After dates are on the day the tests pin
    )
    return TrainingPeaksAdapter(wired)


def published(plan: Plan) -> list[Workout]:
    """The entries TrainingPeaks holds for a plan: every one but the rest days."""
    return [w for w in plan.workouts if w.kind != "rest"]


def remote_matches_plan(
    fake: FakeTrainingPeaks, plan: Plan, profile: Profile, today: dt.date = TODAY
) -> None:
    """The remote holds exactly the plan's workouts in the window, once each, with the right content
    (rest days are not workouts on the platform)."""
    low, high = today - dt.timedelta(days=7), today + dt.timedelta(days=365)
    wanted = {w.id: w for w in published(plan) if low <= w.date <= high}
    ours: dict[str, list[dict[str, Any]]] = {}
    for item in fake.planned(ATHLETE_ID):
        found = markers.parse(item["Description"])
        if found and found[0] == profile.id:
            ours.setdefault(found[1], []).append(item)
    duplicates = {uid: len(items) for uid, items in ours.items() if len(items) > 1}
    assert not duplicates, f"duplicated on the remote: {duplicates}"
    assert set(ours) == set(wanted), (
        sorted(set(wanted) - set(ours))[:5],
        sorted(set(ours) - set(wanted))[:5],
    )
    for uid, (item,) in ours.items():
        expected = payload(wanted[uid], plan, str(ATHLETE_ID))
        for key in ("WorkoutDay", "WorkoutType", "Title", "TotalTimePlanned", "DistancePlanned", "Structure"):
            assert item[key] == expected[key], (uid, key, item[key], expected[key])
        assert re.sub(r"\n\n\[plansync:[^\]]+\]$", "", item["Description"]) == expected["Description"]
