"""Publishing to intervals.icu: bulk upserts by external_id against a stateful fake that
validates every request against the platform's (patched) OpenAPI description."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from plansync.adapters.intervals.adapter import CHUNK, IntervalsAdapter
from plansync.adapters.intervals.client import transport
from plansync.adapters.intervals.text import workout_text
from plansync.core.plan import Plan, Step
from plansync.inputs.compiling import compile_file
from plansync.inputs.loader import load_profile
from plansync.publishing.publish import publish_plan

from .conftest import ROOT, Cli
from .fakes.intervals import FakeIntervals

KEY = "icu-test-key-7f3a"
ATHLETE = "i1001"
TODAY = "2027-01-10"
GOLDEN = Path(__file__).parent / "golden" / "intervals"


@pytest.fixture
def fake() -> Iterator[FakeIntervals]:
    server = FakeIntervals()
    server.add_key(KEY, ATHLETE)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def icu_profile(folder: Path, name: str = "jane-doe") -> Path:
    path = folder / f"{name}.yaml"
    shutil.copy(ROOT / "examples" / f"{name}.yaml", path)
    with path.open("a") as fh:
        fh.write('platforms:\n  intervals: {athlete_id: "0"}\n')
    return path


def env_for(fake: FakeIntervals) -> dict[str, str]:
    return {"PLANSYNC_ICU_API_URL": fake.url, "PLANSYNC_ICU_API_KEY": KEY}


def published(plan: Plan) -> list[str]:
    return [w.id for w in plan.workouts if w.kind != "rest"]


def test_first_publish_is_a_handful_of_requests_and_a_republish_writes_nothing(
    cli: Cli, tmp_path: Path, fake: FakeIntervals
) -> None:
    profile = icu_profile(tmp_path)
    args = ["publish", str(profile), "--to", "intervals", "--state", "st"]
    code, out = cli(args, tmp_path, today=TODAY, env=env_for(fake))
    assert code == 0, out
    plan = compile_file(profile)
    ids = published(plan)
    stored = fake.of(ATHLETE)
    assert sorted(e["external_id"] for e in stored) == sorted(ids)  # every entry, once
    assert fake.writes() <= math.ceil(len(ids) / CHUNK) + 2
    assert fake.invalid == [] and KEY not in out

    writes = fake.writes()
    code, out = cli(args, tmp_path, today=TODAY, env=env_for(fake))
    assert code == 0 and fake.writes() == writes  # unchanged: 0 writes

    shutil.rmtree(tmp_path / "st")  # the ledger lost: adopted by marker, nothing duplicated
    code, out = cli(args, tmp_path, today=TODAY, env=env_for(fake))
    assert code == 0 and fake.writes() == writes and len(fake.of(ATHLETE)) == len(ids)

    profile.write_text(profile.read_text().replace("race_date: 2027-04-18", "race_date: 2027-04-25"))
    code, out = cli(args, tmp_path, today=TODAY, env=env_for(fake))
    assert code == 0, out
    moved = compile_file(profile)
    assert sorted(e["external_id"] for e in fake.of(ATHLETE)) == sorted(published(moved))
    assert fake.writes() - writes <= math.ceil(len(ids) / CHUNK) + 1
    by_id = {e["external_id"]: e for e in fake.of(ATHLETE)}
    assert all(
        by_id[w.id]["start_date_local"].startswith(w.date.isoformat())
        for w in moved.workouts
        if w.kind != "rest"
    )
    assert fake.invalid == []


def adapter_for(fake: FakeIntervals, waits: list[float]) -> IntervalsAdapter:
    return IntervalsAdapter(
        transport(fake.url, httpx.BasicAuth("API_KEY", KEY), sleep=waits.append, jitter=lambda: 0.5)
    )


def test_faults_lose_nothing_and_duplicate_nothing(tmp_path: Path, fake: FakeIntervals) -> None:
    profile = icu_profile(tmp_path)
    plan = compile_file(profile)
    fake.fault("GET", "/events", "status", status=429, retry_after="3")
    fake.fault("POST", "/events/bulk", "status", status=503)  # refused before any write
    fake.fault("POST", "/events/bulk", "reset-after")  # written, then the answer lost
    fake.fault("GET", "/events", "status", status=502)
    waits: list[float] = []
    summary, _ = publish_plan(
        load_profile(profile),
        plan,
        "intervals",
        state=tmp_path / "st",
        now=dt.datetime(2027, 1, 10, 9, tzinfo=dt.UTC),
        adapter=adapter_for(fake, waits),
        wait=waits.append,
    )
    ids = published(plan)
    assert summary.failures == [] and summary.created == len(ids)
    assert sorted(e["external_id"] for e in fake.of(ATHLETE)) == sorted(ids)  # nothing missing, nothing twice
    assert 3.0 in waits and fake.invalid == []


def test_a_run_killed_between_the_upsert_and_the_ledger_duplicates_nothing(
    tmp_path: Path, fake: FakeIntervals, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plansync.state.ledger import Ledger

    profile = icu_profile(tmp_path)
    plan = compile_file(profile)
    now = dt.datetime(2027, 1, 10, 9, tzinfo=dt.UTC)

    def killed(self: Ledger, *args: Any) -> None:
        raise KeyboardInterrupt  # the process dies after the platform stored the chunk

    monkeypatch.setattr(Ledger, "put", killed)
    with pytest.raises(KeyboardInterrupt):
        publish_plan(
            load_profile(profile),
            plan,
            "intervals",
            state=tmp_path / "st",
            now=now,
            adapter=adapter_for(fake, []),
        )
    monkeypatch.undo()
    summary, _ = publish_plan(
        load_profile(profile),
        plan,
        "intervals",
        state=tmp_path / "st",
        now=now,
        adapter=adapter_for(fake, []),
    )
    assert summary.failures == [] and summary.created == 0
    assert sorted(e["external_id"] for e in fake.of(ATHLETE)) == sorted(published(plan))


def test_the_fake_refuses_what_the_contract_refuses(fake: FakeIntervals) -> None:
    auth = httpx.BasicAuth("API_KEY", KEY)
    url = f"{fake.url}/api/v1/athlete/0/events/bulk?upsert=true"
    bad = [{"category": "WORKOUT", "start_date_local": "2027-01-11T00:00:00", "nmae": "typo"}]
    assert httpx.post(url, json=bad, auth=auth).status_code == 422
    wrong = [{"category": "TRAINING", "start_date_local": "2027-01-11T00:00:00", "name": "x"}]
    assert httpx.post(url, json=wrong, auth=auth).status_code == 422
    assert httpx.post(url, json=[], auth=httpx.BasicAuth("API_KEY", "nope")).status_code == 401
    assert len(fake.invalid) == 2


# --- the workout text, parsed back ------------------------------------------------

STEP = re.compile(
    r"^- (?P<cue>.+?) (?P<amount>\d+m\d+s|\d+m|\d+s|\d+mtr|\d+(?:\.\d+)?km)(?: (?P<target>.+))?$"
)


def parse(text: str) -> list[dict[str, Any]]:
    """intervals.icu's workout text, as documented: step lines, `Nx` repeat blocks."""
    steps: list[dict[str, Any]] = []
    block: dict[str, Any] | None = None
    for line in text.split("\n\n[plansync:")[0].splitlines():
        if re.fullmatch(r"\d+x", line):
            block = {"count": int(line[:-1]), "steps": []}
            steps.append(block)
            continue
        if not line.strip():
            block = None
            continue
        m = STEP.match(line)
        if m is None:
            continue  # a plain line: notes
        amount = m["amount"]
        if amount.endswith("mtr"):
            value = {"distance_m": int(amount[:-3])}
        elif amount.endswith("km"):
            value = {"distance_m": round(float(amount[:-2]) * 1000)}
        else:
            mins = re.search(r"(\d+)m", amount)
            secs = re.search(r"(\d+)s", amount)
            value = {"duration_s": (int(mins[1]) * 60 if mins else 0) + (int(secs[1]) if secs else 0)}
        step = {"cue": m["cue"], "target": m["target"], **value}
        (block["steps"] if block is not None else steps).append(step)
    return steps


def _expected(plan: Plan, steps: tuple[Step, ...]) -> list[dict[str, Any]]:
    from plansync.adapters.intervals.text import target

    out: list[dict[str, Any]] = []
    for s in steps:
        if s.type == "repeat":
            out.append({"count": s.count, "steps": _expected(plan, s.steps)})
            continue
        value = (
            {"distance_m": s.distance_m}
            if s.by == "distance" and s.distance_m
            else {"duration_s": s.duration_s}
        )
        out.append({"target": target(s.target, plan.references) or None, **value})
    return out


@pytest.mark.parametrize("name", ["jane-doe", "ana-ruiz", "sam-lee"])  # pace, heart rate, RPE
def test_workout_text_round_trips_and_matches_its_golden_file(name: str) -> None:
    plan = compile_file(ROOT / "examples" / f"{name}.yaml")
    texts: dict[str, str] = {}
    for w in plan.workouts:
        if not w.steps:
            continue
        text = workout_text(plan, w)
        got = parse(text)
        for step in got:  # the cue is for people; the structure must survive
            step.pop("cue", None)
            for inner in step.get("steps", []):
                inner.pop("cue", None)
        assert got == _expected(plan, w.steps), w.id
        assert not any(
            line.startswith("- ") for line in text.split("\n\n", 1)[-1].splitlines()[1:] if "•" in line
        )
        if w.week == 6:
            texts[w.id] = text
    golden = GOLDEN / f"{name}.json"
    data = json.dumps(texts, indent=1, ensure_ascii=False) + "\n"
    if os.environ.get("PLANSYNC_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(data, encoding="utf-8")
    assert data == golden.read_text(encoding="utf-8")


PRISM = Path(__file__).parent / "prism" / "node_modules" / ".bin" / "prism"


@pytest.mark.skipif(not PRISM.exists(), reason="Prism is installed by .ci/run (cd tests/prism && npm ci)")
def test_prism_finds_no_request_that_violates_the_patched_spec(tmp_path: Path) -> None:
    """Prism, as a validating mock of the same patched description, sees every kind of
    request the adapter makes (list, bulk upsert, bulk delete) and refuses none."""
    import socket
    import subprocess
    import time

    from .icu_spec import patched

    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(patched()))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "prism.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), "--errors", str(spec)],
            stdout=out,
            stderr=out,
        )
    try:
        for _ in range(300):  # bounded: up to 30 s for Node to start
            if "Prism is listening" in log.read_text():
                break
            time.sleep(0.1)
        else:
            pytest.fail("Prism did not start: " + log.read_text()[-500:])
        from plansync.adapters.base import Athlete, RemoteRejected
        from plansync.adapters.intervals.client import Unavailable

        profile = icu_profile(tmp_path)
        plan = compile_file(profile)
        athlete = Athlete(load_profile(profile), plan, plan.start_date)
        adapter = IntervalsAdapter(
            transport(f"http://127.0.0.1:{port}", httpx.BasicAuth("API_KEY", KEY), sleep=lambda s: None)
        )
        rejected: list[str] = []
        try:
            adapter.list(athlete, plan.start_date, plan.end_date)
            workouts = [w for w in plan.workouts if adapter.wants(w)][:CHUNK]
            # A mock answers one example event, not the hundred sent: the request is what counts.
            with contextlib.suppress(Unavailable):
                adapter.upsert_many(athlete, workouts)
            adapter.delete_many(athlete, [w.id for w in workouts[:5]])
        except RemoteRejected as exc:
            rejected.append(str(exc))
        finally:
            adapter.close()
        assert rejected == []
        assert "violation" not in log.read_text().lower()
        # ... and it does refuse what the contract refuses (the check is switched on).
        bad = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/athlete/0/events/bulk?upsert=true",
            json=[{"nmae": "typo"}],
            auth=httpx.BasicAuth("API_KEY", KEY),
        )
        assert bad.status_code == 422
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_compliance_reads_completed_activities_from_intervals(
    cli: Cli, tmp_path: Path, fake: FakeIntervals
) -> None:
    profile = icu_profile(tmp_path)
    plan = compile_file(profile)
    done = [w for w in plan.workouts if w.week <= 2 and w.kind not in ("rest", "foot_strength")]
    fake.activities[ATHLETE] = [
        {
            "id": f"a{i}",
            "start_date_local": f"{w.date}T07:00:00",
            "type": "Run",
            "distance": float(w.distance_m),
            "moving_time": w.duration_s,
            "icu_rpe": 4,
            "average_heartrate": 142.0,
        }
        for i, w in enumerate(done)
    ] + [{"id": "x", "start_date_local": f"{plan.start_date}T18:00:00", "type": "Ride", "distance": 20000.0}]
    args = [str(profile), "--from", "intervals", "--state", "st", "--format", "json"]
    code, out = cli(["compliance", *args], tmp_path, today="2027-02-10", env=env_for(fake))
    assert code == 0, out
    weeks = json.loads(out)["weeks"]
    assert [w["state"] for w in weeks[:2]] == ["on track", "on track"] and weeks[2]["state"] == "in progress"
    assert fake.invalid == []


@pytest.mark.parametrize("moment", ["before", "after"])
def test_sigkill_mid_publish_then_a_rerun_duplicates_nothing_and_misses_nothing(
    tmp_path: Path, fake: FakeIntervals, moment: str
) -> None:
    """The second bulk upsert of a 159-event plan: the process is killed before the
    platform stores it, or after it stored it but before the answer arrives."""
    import signal
    import subprocess
    import sys
    import threading

    profile = icu_profile(tmp_path, "ana-ruiz")
    env = {**os.environ, **env_for(fake), "PLANSYNC_TODAY": TODAY}
    command = [
        sys.executable,
        "-m",
        "plansync",
        "publish",
        str(profile),
        "--to",
        "intervals",
        "--state",
        str(tmp_path / "st"),
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    posts = [0]
    killed = threading.Event()

    def hook(method: str, path: str, when: str) -> None:
        if method != "POST" or killed.is_set():
            return
        if when == "before":
            posts[0] += 1
        if posts[0] == 2 and when == moment:
            os.kill(proc.pid, signal.SIGKILL)
            killed.set()
            if moment == "before":
                raise ConnectionAbortedError  # dropped unprocessed

    fake.on_request = hook
    proc.communicate(timeout=120)
    fake.on_request = None
    assert killed.is_set() and proc.returncode == -signal.SIGKILL
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    plan = compile_file(profile)
    assert sorted(e["external_id"] for e in fake.of(ATHLETE)) == sorted(published(plan))
    assert fake.invalid == []


def test_checkin_reads_soreness_from_intervals_wellness(
    cli: Cli, tmp_path: Path, fake: FakeIntervals
) -> None:
    profile = icu_profile(tmp_path)
    fake.wellness[ATHLETE] = [
        {"id": "2027-02-08", "soreness": 1, "comments": "fine"},
        {"id": "2027-02-09", "soreness": 3, "comments": "heel\nsore"},
        {"id": "2027-02-10", "fatigue": 2},  # no soreness logged that day: nothing read
    ]
    args = ["checkin", str(profile), "--from", "intervals", "--state", "st", "--format", "json"]
    code, out = cli(args, tmp_path, today="2027-02-10", env=env_for(fake))
    assert code == 0, out
    kept = json.loads(out)
    assert [(c["date"], c["pain"]) for c in kept["checkins"]] == [("2027-02-08", 1), ("2027-02-09", 6)]
    assert kept["checkins"][1]["note"] == "intervals.icu soreness 3/4: heel sore"
    assert [e["kind"] for e in kept["episodes"]] == ["stop"] and fake.invalid == []


def test_a_dry_run_says_what_the_target_cannot_hold(cli: Cli, tmp_path: Path, fake: FakeIntervals) -> None:
    profile = icu_profile(tmp_path)
    args = ["publish", str(profile), "--to", "intervals", "--state", "st", "--dry-run"]
    code, out = cli(args, tmp_path, today=TODAY, env=env_for(fake))
    assert code == 0, out
    assert "fidelity: intervals:" in out and "strides and hill sessions" in out
    code, out = cli([*args, "--format", "json"], tmp_path, today=TODAY, env=env_for(fake))
    assert any("strides" in line for line in json.loads(out)["fidelity"])
