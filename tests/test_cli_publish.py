"""`plansync auth trainingpeaks` and `plansync publish` as a coach runs them, secrets kept secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import EXAMPLE
from .fakes.trainingpeaks import FakeTrainingPeaks
from .tp_helpers import ATHLETE_ID, TODAY, running_fake, tp_environment, tp_profile


@pytest.fixture
def fake() -> Iterator[FakeTrainingPeaks]:
    with running_fake() as server:
        yield server


@pytest.fixture
def env(fake: FakeTrainingPeaks) -> dict[str, str]:
    return {**os.environ, **tp_environment(fake, refresh=False), "PLANSYNC_TODAY": TODAY.isoformat()}


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tp_profile(tmp_path)


def plansync(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plansync", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def authorize_through_the_browser(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `auth trainingpeaks`, and play the coach's browser: open the printed URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "plansync", "auth", "trainingpeaks", "--no-browser"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    url = ""
    deadline = time.monotonic() + 30
    while not url.startswith("http") and time.monotonic() < deadline:
        url = proc.stderr.readline().strip()
    assert (
        "/OAuth/Authorize?" in url
        and "response_type=code" in url
        and "redirect_uri=http%3A%2F%2F127.0.0.1" in url
    )
    page = httpx.get(url, follow_redirects=True)  # the fake consents and redirects to the loopback
    assert "plansync is authorized" in page.text
    out, err = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_auth_publish_edit_dry_run_publish_lose_ledger_publish(
    fake: FakeTrainingPeaks, env: dict[str, str], profile: Path, tmp_path: Path
) -> None:
    done = authorize_through_the_browser(env, tmp_path)
    assert done.returncode == 0, done.stderr
    token_file = tmp_path / ".plansync" / "trainingpeaks-token.json"
    assert token_file.stat().st_mode & 0o777 == 0o600

    first = plansync(["publish", str(profile), "--to", "trainingpeaks"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    n = len(fake.planned(ATHLETE_ID))
    listings = 5 + 2  # 7 days back to a year ahead in ranges of at most 90 days; the days written again
    assert first.stdout.strip() == (
        f"created {n}, updated 0, deleted 0, unchanged 0, requests {n + listings}, retries 0"
    )

    profile.write_text(profile.read_text().replace("race_date: 2027-04-18", "race_date: 2027-04-25"))
    dry = plansync(["publish", str(profile), "--to", "trainingpeaks", "--dry-run"], env, tmp_path)
    assert dry.returncode == 0
    assert dry.stdout.count("update ") == n and f"dry run: would have created 0, updated {n}" in dry.stdout
    assert "note: jane-doe: targets are percentages of threshold pace 4:50/km" in dry.stdout
    assert fake.writes() == n

    second = plansync(["publish", str(profile), "--to", "trainingpeaks", "--format", "json"], env, tmp_path)
    summary = json.loads(second.stdout)
    assert (summary["created"], summary["updated"], summary["deleted"]) == (0, n, 0)

    (tmp_path / ".plansync" / "ledger.sqlite3").unlink()
    third = plansync(["publish", str(profile), "--to", "trainingpeaks"], env, tmp_path)
    assert third.returncode == 0 and third.stdout.startswith(
        f"created 0, updated 0, deleted 0, unchanged {n}"
    )
    assert len(fake.planned(ATHLETE_ID)) == n


def test_secrets_never_reach_output_logs_or_errors(
    fake: FakeTrainingPeaks, env: dict[str, str], profile: Path, tmp_path: Path
) -> None:
    refresh = fake.issue_refresh_token()
    env = {**env, "PLANSYNC_TP_REFRESH_TOKEN": refresh}
    runs = [
        plansync(["-v", "publish", str(profile), "--to", "trainingpeaks", "--dry-run"], env, tmp_path),
        plansync(["-v", "publish", str(profile), "--to", "trainingpeaks"], env, tmp_path),
    ]
    fake.access_tokens.clear()
    fake.refresh_tokens.clear()  # now every token is refused
    runs.append(plansync(["-v", "publish", str(profile), "--to", "trainingpeaks"], env, tmp_path))
    assert runs[-1].returncode == 2 and "run `plansync auth trainingpeaks` again" in runs[-1].stderr
    assert "plansync.trainingpeaks: GET" in runs[0].stderr  # verbose logging is on
    stored = json.loads((tmp_path / ".plansync" / "trainingpeaks-token.json").read_text())
    secrets = [fake.client_secret, refresh, stored["refresh_token"], stored["access_token"], "Bearer"]
    for run in runs:
        for secret in secrets:
            assert secret not in run.stdout and secret not in run.stderr


def test_missing_credentials_and_athlete_id_are_clear(env: dict[str, str], tmp_path: Path) -> None:
    bare = {k: v for k, v in env.items() if not k.startswith("PLANSYNC_TP_CLIENT")}
    result = plansync(["publish", str(EXAMPLE), "--to", "trainingpeaks"], bare, tmp_path)
    assert (
        result.returncode == 2 and "set PLANSYNC_TP_CLIENT_ID and PLANSYNC_TP_CLIENT_SECRET" in result.stderr
    )
    result = plansync(
        ["publish", str(EXAMPLE), "--to", "trainingpeaks"],
        {**env, "PLANSYNC_TP_REFRESH_TOKEN": "x"},
        tmp_path,
    )
    assert result.returncode == 2 and "no platforms.trainingpeaks.athlete_id" in result.stderr


def test_http_timeout_comes_from_the_environment(
    fake: FakeTrainingPeaks, env: dict[str, str], profile: Path, tmp_path: Path
) -> None:
    result = plansync(
        ["publish", str(profile), "--to", "trainingpeaks"],
        {**env, "PLANSYNC_HTTP_TIMEOUT": "soon", "PLANSYNC_TP_REFRESH_TOKEN": "x"},
        tmp_path,
    )
    assert result.returncode == 2 and "PLANSYNC_HTTP_TIMEOUT='soon' is not a number" in result.stderr


def test_auth_runs_in_a_thread_too(
    fake: FakeTrainingPeaks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The library flow, as an embedding application would call it."""
    from plansync.adapters.trainingpeaks.auth import authorize
    from plansync.adapters.trainingpeaks.client import OAuth, TokenStore, hosts

    monkeypatch.setenv("PLANSYNC_TP_API_URL", fake.url)
    monkeypatch.setenv("PLANSYNC_TP_OAUTH_URL", fake.url)
    store = TokenStore(tmp_path / "token.json")
    visits: list[threading.Thread] = []

    def browser(url: str) -> None:
        visit = threading.Thread(target=lambda: httpx.get(url, follow_redirects=True))
        visits.append(visit)
        visit.start()

    with httpx.Client() as http:
        authorize(OAuth(fake.client_id, fake.client_secret, hosts(), http, store), browser, timeout=10)
    for visit in visits:
        visit.join(timeout=10)
    assert store.load()["refresh_token"] in fake.refresh_tokens
