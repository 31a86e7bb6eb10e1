"""Never lose, never duplicate, never leak: two runs at once, identities, damaged state, secrets."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plansync.redact import redact, remember
from plansync.state.ledger import Ledger

from .conftest import EXAMPLE, Cli
from .fakes.trainingpeaks import FakeTrainingPeaks
from .tp_helpers import ATHLETE_ID, TODAY, remote_matches_plan, running_fake, tp_environment, tp_profile
from .tp_helpers import NOW as NOW_UTC


@pytest.fixture
def fake() -> Iterator[FakeTrainingPeaks]:
    with running_fake() as server:
        yield server


@pytest.fixture
def tp_env(fake: FakeTrainingPeaks) -> dict[str, str]:
    return tp_environment(fake)


def spawn(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    full = {**os.environ, **env, "PLANSYNC_TODAY": TODAY.isoformat()}
    return subprocess.Popen(
        [sys.executable, "-m", "plansync", *args],
        env=full,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# --- two runs at once -----------------------------------------------------------------------


def test_two_publishes_at_once_never_duplicate(
    fake: FakeTrainingPeaks, tp_env: dict[str, str], tmp_path: Path
) -> None:
    profile = tp_profile(tmp_path)
    from plansync.inputs.compiling import compile_file
    from plansync.inputs.loader import load_profile

    plan, athlete = compile_file(profile), load_profile(profile)
    for round_ in range(20):
        if round_ % 5 == 0:  # a fresh start now and then: no ledger yet, nothing on the platform
            fake.workouts.clear()
            shutil.rmtree(tmp_path / "state", ignore_errors=True)
            tp_env["PLANSYNC_TP_REFRESH_TOKEN"] = fake.issue_refresh_token()
        args = ["publish", str(profile), "--to", "trainingpeaks", "--state", "state", "--wait", "60"]
        procs = [spawn(args, tp_env, tmp_path) for _ in range(2)]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
        assert all("Traceback" not in err for _, err in results)
        remote_matches_plan(fake, plan, athlete)


def test_a_second_writer_that_will_not_wait_is_told_who_is_writing(
    fake: FakeTrainingPeaks, tp_env: dict[str, str], tmp_path: Path
) -> None:
    fake.latency = 0.05  # the first publish takes a few seconds
    profile = tp_profile(tmp_path)
    args = ["publish", str(profile), "--to", "trainingpeaks", "--state", "state"]
    first = spawn(args, tp_env, tmp_path)
    while not (tmp_path / "state" / "write.lock.json").exists() and first.poll() is None:
        pass
    second = spawn([*args, "--wait", "0"], tp_env, tmp_path)
    _, err = second.communicate(timeout=60)
    first.communicate(timeout=120)
    assert second.returncode == 1
    assert f"another plansync is publishing jane-doe to trainingpeaks (pid {first.pid}, since " in err
    dry = spawn([*args, "--dry-run"], tp_env, tmp_path)  # reading never waits for the lock
    assert dry.communicate(timeout=60)[1] == "" and dry.returncode == 0


def test_two_feed_builds_at_once_leave_no_orphans(tmp_path: Path) -> None:
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    for n in range(6):
        text = EXAMPLE.read_text().replace("id: jane-doe", f"id: runner-{n}")
        (athletes / f"runner-{n}.yaml").write_text(text)
    args = ["feed", "build", "athletes", "--out", "public", "--state", "state", "--wait", "60"]
    for _ in range(3):
        procs = [spawn(args, {}, tmp_path) for _ in range(2)]
        assert [p.communicate(timeout=120) and p.returncode for p in procs] == [0, 0]
    with Ledger(tmp_path / "state", readonly=True) as ledger:
        tokens = {t for f in ledger.feeds() for t in (f.token, f.busy_token)}
    assert {p.stem for p in (tmp_path / "public").glob("*.ics")} == tokens and len(tokens) == 12


# --- identity -------------------------------------------------------------------------------


def test_two_profiles_with_one_id_are_refused_by_every_roster_command(tmp_path: Path, cli: Cli) -> None:
    cli(["init", "coach"], tmp_path)
    ws = tmp_path / "coach"
    (ws / "athletes" / "jane-doe.yaml").write_bytes(EXAMPLE.read_bytes())
    (ws / "athletes" / "jane-copy.yml").write_bytes(EXAMPLE.read_bytes())
    for args in (["status"], ["publish", "--all"], ["feed", "build", "athletes", "--out", "public"]):
        code, out = cli(args, ws)
        assert code == 2 and "Traceback" not in out, (args, out)
        assert "athletes/jane-doe.yaml:3:5: id: 'jane-doe' is also the id of" in out.replace(
            str(ws) + "/", ""
        )
        assert "jane-copy.yml:3" in out
    assert not (ws / "public").exists()
    code, out = cli(["validate", "--profiles", "athletes"], ws)
    assert code == 1 and "is also the id of" in out


def test_a_renamed_profile_stops_then_moves_with_athlete_rename(
    fake: FakeTrainingPeaks, tp_env: dict[str, str], tmp_path: Path, cli: Cli
) -> None:
    profile = tp_profile(tmp_path)
    code, out = cli(["publish", str(profile), "--to", "trainingpeaks"], tmp_path, env=tp_env)
    assert code == 0, out
    count = len(fake.planned(ATHLETE_ID))
    profile.write_text(profile.read_text().replace("id: jane-doe", "id: jane-smith"))
    code, out = cli(["publish", str(profile), "--to", "trainingpeaks"], tmp_path, env=tp_env)
    assert code == 2 and "plansync athlete rename jane-doe jane-smith" in out
    assert len(fake.planned(ATHLETE_ID)) == count  # nothing was written
    code, out = cli(["athlete", "rename", "jane-doe", "jane-smith"], tmp_path)
    assert code == 0 and f"{count} published workouts move" in out, out
    writes = fake.writes()
    code, out = cli(["publish", str(profile), "--to", "trainingpeaks"], tmp_path, env=tp_env)
    assert code == 0 and f"created 0, updated {count}, deleted 0" in out, out
    assert fake.writes() == writes + count
    from plansync.inputs.compiling import compile_file
    from plansync.inputs.loader import load_profile

    remote_matches_plan(fake, compile_file(profile), load_profile(profile))  # every marker says jane-smith


def test_force_treats_a_renamed_profile_as_a_new_athlete(
    fake: FakeTrainingPeaks, tp_env: dict[str, str], tmp_path: Path, cli: Cli
) -> None:
    profile = tp_profile(tmp_path)
    cli(["publish", str(profile), "--to", "trainingpeaks"], tmp_path, env=tp_env)
    count = len(fake.planned(ATHLETE_ID))
    profile.write_text(profile.read_text().replace("id: jane-doe", "id: jane-smith"))
    code, out = cli(["publish", str(profile), "--to", "trainingpeaks", "--force"], tmp_path, env=tp_env)
    assert code == 0, out
    assert len(fake.planned(ATHLETE_ID)) == count  # the old ones went, the new ones came: never doubled


# --- damaged, read-only and newer ledgers ---------------------------------------------------------


def test_reading_commands_never_write_the_state(tmp_path: Path, cli: Cli) -> None:
    cli(["init", "coach"], tmp_path)
    ws = tmp_path / "coach"
    (ws / "athletes" / "jane-doe.yaml").write_bytes(EXAMPLE.read_bytes())
    code, _ = cli(["status"], ws)
    assert code in (0, 1) and not (ws / ".plansync").exists()  # no ledger yet: read as empty, nothing made


def test_a_ledger_from_a_newer_plansync_is_refused_by_name_and_left_alone(tmp_path: Path, cli: Cli) -> None:
    state = tmp_path / "state"
    Ledger(state).close()
    db = sqlite3.connect(state / "ledger.sqlite3")
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = (state / "ledger.sqlite3").read_bytes()
    for args in (["export", "ics", str(EXAMPLE), "-o", "x.ics", "--state", "state"],):
        code, out = cli(args, tmp_path)
        assert code == 2 and "written by a newer plansync (ledger schema 99" in out
    assert (state / "ledger.sqlite3").read_bytes() == before


def test_a_directory_where_the_ledger_should_be(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "state" / "ledger.sqlite3").mkdir(parents=True)
    os.chmod(tmp_path / "state", 0o700)
    code, out = cli(["export", "ics", str(EXAMPLE), "-o", "x.ics", "--state", "state"], tmp_path)
    assert code == 2 and "is a directory, not a ledger" in out and out.count("\n") == 1


def test_new_state_is_private(tmp_path: Path, cli: Cli) -> None:
    cli(["export", "ics", str(EXAMPLE), "-o", "x.ics", "--state", "state"], tmp_path)
    assert (tmp_path / "state").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "state" / "ledger.sqlite3").stat().st_mode & 0o777 == 0o600


def test_a_ledger_others_can_read_is_tightened_with_a_warning(tmp_path: Path, cli: Cli) -> None:
    cli(["export", "ics", str(EXAMPLE), "-o", "x.ics", "--state", "state"], tmp_path)
    os.chmod(tmp_path / "state" / "ledger.sqlite3", 0o644)
    code, out = cli(["export", "ics", str(EXAMPLE), "-o", "x.ics", "--state", "state"], tmp_path)
    assert code == 0 and "was readable by others (mode 644); tightened to 600" in out
    assert (tmp_path / "state" / "ledger.sqlite3").stat().st_mode & 0o777 == 0o600


@pytest.fixture(scope="module")
def published_state(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, FakeTrainingPeaks, dict[str, str]]]:
    """A fake platform with the example athlete's plan published, and the ledger that did it."""
    folder = tmp_path_factory.mktemp("published")
    with running_fake() as server:
        env = tp_environment(server)
        profile = tp_profile(folder)
        proc = spawn(["publish", str(profile), "--to", "trainingpeaks", "--state", "state"], env, folder)
        assert proc.communicate(timeout=120) and proc.returncode == 0
        with Ledger(folder / "state") as ledger:  # a checkpoint: the whole ledger in one file
            ledger._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield folder, server, env


@settings(
    max_examples=int(os.environ.get("PLANSYNC_CORRUPTIONS", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    how=st.sampled_from(["truncate", "flip", "garbage", "schema"]),
    where=st.floats(0, 1),
    byte=st.integers(1, 255),
)
def test_a_damaged_ledger_is_a_message_and_repair_rebuilds_without_duplicates(
    published_state: tuple[Path, FakeTrainingPeaks, dict[str, str]],
    cli: Cli,
    how: str,
    where: float,
    byte: int,
) -> None:
    folder, fake, env = published_state
    good = (folder / "state" / "ledger.sqlite3").read_bytes()
    work = folder / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(folder / "state", work)
    path = work / "ledger.sqlite3"
    data = bytearray(good)
    at = min(len(data) - 1, int(where * len(data)))
    if how == "truncate":
        data = data[:at]
    elif how == "flip":
        data[at] ^= byte
    elif how == "garbage":
        data = bytearray(os.urandom(max(1, at)))
    path.write_bytes(bytes(data))
    if how == "schema":
        db = sqlite3.connect(path)
        db.execute("DROP TABLE entries")
        db.execute("CREATE TABLE entries (x)")
        db.close()
    profile = str(folder / "jane-doe.yaml")
    args = ["publish", profile, "--to", "trainingpeaks", "--state", str(work)]
    for attempt in ([*args, "--dry-run"], args):
        code, out = cli(attempt, folder, env=env)
        assert "Traceback" not in out and code in (0, 1, 2), out
        if code:
            assert out.startswith("error: ") and out.count("\n") == 1, repr(out)
    code, out = cli([*args, "--repair"], folder, env=env)
    assert code == 0 and "Traceback" not in out, out
    from plansync.inputs.compiling import compile_file
    from plansync.inputs.loader import load_profile

    remote_matches_plan(fake, compile_file(Path(profile)), load_profile(Path(profile)))


# --- secrets ----------------------------------------------------------------------------------


def test_secrets_are_taken_out_of_every_message() -> None:
    remember("s3cr3t-client-value")
    cases = {
        'HTTP 400: {"error": "bad", "refresh_token": "rt-abcdef123456"}': "rt-abcdef123456",
        "GET https://x.test/cb?code=abc123def&access_token=at-999999xyz": "at-999999xyz",
        "echo: Authorization: Bearer at-Zq81lmnop": "at-Zq81lmnop",
        "Traceback: ValueError('s3cr3t-client-value')": "s3cr3t-client-value",
        "Authorization: Basic dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ=": "dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ=",
    }
    for text, secret in cases.items():
        cleaned = redact(text)
        assert secret not in cleaned and "[redacted]" in cleaned, cleaned


def test_a_server_that_echoes_the_token_never_shows_it(
    fake: FakeTrainingPeaks, tp_env: dict[str, str], tmp_path: Path, cli: Cli
) -> None:
    profile = tp_profile(tmp_path)
    fake.fault(
        "POST",
        "/v2/workouts/plan",
        "status",
        status=400,
        body='{"Message": "bad request; you sent Authorization: Bearer ECHOED and refresh_token=RTECHO1"}',
    )
    code, out = cli(["-v", "publish", str(profile), "--to", "trainingpeaks"], tmp_path, env=tp_env)
    assert code == 1 and "[redacted]" in out
    tokens = [t for t in fake.access_tokens] + [tp_env["PLANSYNC_TP_REFRESH_TOKEN"], fake.client_secret]
    assert not [t for t in tokens if t in out]
    assert "ECHOED" not in out and "RTECHO1" not in out


def test_a_read_only_folder_is_read_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the folder cannot hold the WAL's shared memory, mode=ro fails: read immutably instead."""
    with Ledger(tmp_path) as ledger:
        ledger.mark_published("ics", "jane-doe", "abc", NOW_UTC)
    real = sqlite3.connect

    def refuse_ro(target: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if isinstance(target, str) and target.endswith("?mode=ro"):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        connection: sqlite3.Connection = real(target, *args, **kwargs)
        return connection

    monkeypatch.setattr(sqlite3, "connect", refuse_ro)
    with Ledger(tmp_path, readonly=True) as ledger:
        assert ledger.published("jane-doe")["ics"][0] == "abc"
