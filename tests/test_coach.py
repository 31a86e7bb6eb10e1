"""The coach's day: init, intake, status against the 24-hour promise, publish --all, preview."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from plansync.inputs.loader import load_profile

from .conftest import EXAMPLE, Cli
from .fakes.trainingpeaks import FakeTrainingPeaks
from .tp_helpers import ATHLETE_ID, TODAY

JANE = [
    "--name",
    "Jane Doe",
    "--timezone",
    "Australia/Sydney",
    "--units",
    "km",
    "--template",
    "half-marathon-intermediate",
    "--race-date",
    "2027-04-18",
    "--days",
    "mon,tue,thu,sat,sun",
    "--long-run-day",
    "sun",
    "--weekly-distance",
    "30",
    "--long-run",
    "12",
    "--system",
    "pace",
    "--recent-race",
    "10k 48:30",
    "--shoes",
    "Daily:cushioned:220:700;Racer:light:80:500",
    "--trainingpeaks-id",
    str(ATHLETE_ID),
]


@pytest.fixture
def ws(tmp_path: Path, cli: Cli) -> Path:
    """A coach's workspace publishing to TrainingPeaks only (the fake in these tests)."""
    code, out = cli(["init", "coach", "--platform", "trainingpeaks"], tmp_path)
    assert code == 0, out
    config = tmp_path / "coach" / "plansync.toml"
    config.write_text(
        re.sub(r"^targets = .*$", 'targets = ["trainingpeaks"]', config.read_text(), flags=re.M)
    )
    return tmp_path / "coach"


def test_init_makes_a_workspace(ws: Path, cli: Cli) -> None:
    config = tomllib.loads((ws / "plansync.toml").read_text())
    assert config["targets"] == ["trainingpeaks"] and config["publish"]["concurrency"] >= 1
    assert "client_id" in config["trainingpeaks"] and not any("secret" in k for k in config["trainingpeaks"])
    assert ".plansync/" in (ws / ".gitignore").read_text()
    assert sorted(p.name for p in (ws / "plan_templates").iterdir()) == [
        "general-base-building.yaml",
        "half-marathon-advanced.yaml",
        "half-marathon-beginner.yaml",
        "half-marathon-intermediate.yaml",
    ]
    assert (ws / "schemas" / "profile.schema.json").exists() and (ws / "README.md").exists()
    assert (ws / "athletes").is_dir()
    code, out = cli(["validate"], ws)
    assert code == 0 and "0 errors" in out


def test_commands_find_the_workspace_from_a_subfolder(ws: Path, cli: Cli) -> None:
    code, _ = cli(["athlete", "new", "--no-input", *JANE], ws / "athletes")
    assert code == 0
    code, out = cli(["status"], ws / "plan_templates")
    assert code == 0 and "jane-doe" in out
    elsewhere = ws.parent / "elsewhere"
    elsewhere.mkdir()
    code, out = cli(["status"], elsewhere)
    assert code == 2 and "not inside a plansync workspace" in out
    code, out = cli(["--workspace", str(ws), "status"], elsewhere)
    assert code == 0 and "jane-doe" in out


def test_secrets_in_plansync_toml_are_refused(ws: Path, cli: Cli) -> None:
    config = ws / "plansync.toml"
    config.write_text(config.read_text().replace('client_id = ""', 'client_id = ""\nclient_secret = "oops"'))
    code, out = cli(["status"], ws)
    assert code == 2 and "trainingpeaks.client_secret: secrets never go in plansync.toml" in out
    assert "oops" not in out


def test_intake_by_options_writes_a_valid_profile_and_shows_the_plan(ws: Path, cli: Cli) -> None:
    code, out = cli(["athlete", "new", "--no-input", *JANE], ws)
    assert code == 0, out
    path = ws / "athletes" / "jane-doe.yaml"
    profile = load_profile(path)
    assert profile.plan.requested_at == dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC)
    assert profile.intensity.system == "pace" and profile.fitness.recent_race is not None
    assert [s.name for s in profile.shoes] == ["Daily", "Racer"]
    assert (
        profile.platforms.trainingpeaks is not None and profile.platforms.trainingpeaks.athlete_id == "134129"
    )
    assert "RACE 21.1 km" in out and f"wrote {path}" in out
    code, out = cli(["athlete", "new", "--no-input", *JANE], ws)
    assert code == 2 and "exists already" in out


def test_intake_asks_and_re_asks_until_each_answer_is_valid(ws: Path, cli: Cli) -> None:
    answers = (
        "\n".join(
            [
                "Ana Ruiz",
                "",
                "Mars/Base",
                "Europe/Madrid",
                "",
                "half-marathon-advanced",
                "02/05/2027",
                "2027-05-02",
                "16",
                "mon,tue,wed,thu,fri,sun",
                "sun",
                "",
                "sixty",
                "60",
                "20",
                "heart_rate",
                "",
                "",
                "188",
                "48",
                "",
                "trail, asphalt",
                "",
                "",
            ]
        )
        + "\n"
    )
    code, out = cli(["athlete", "new"], ws, stdin=answers)
    assert code == 0, out
    assert "expected an IANA time zone" in out and "expected a date as YYYY-MM-DD" in out
    assert "expected a number" in out
    profile = load_profile(ws / "athletes" / "ana-ruiz.yaml")
    assert (profile.timezone, profile.intensity.max_hr, profile.intensity.resting_hr) == (
        "Europe/Madrid",
        188,
        48,
    )
    assert profile.surfaces == ["trail", "asphalt"]


def test_intake_refuses_what_cannot_make_a_plan_and_writes_nothing(ws: Path, cli: Cli) -> None:
    args = [{"30": "15", "12": "6"}.get(a, a) for a in JANE]  # below the template's entry level
    code, out = cli(["athlete", "new", "--no-input", *args], ws)
    assert (
        code == 2
        and "fitness.weekly_distance: template half-marathon-intermediate starts from at least 20 km" in out
    )
    assert "athletes/jane-doe.yaml" in out
    assert not list((ws / "athletes").iterdir())


def write_profile(ws: Path, name: str, **changes: Any) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["id"] = name
    data["platforms"] = {"trainingpeaks": {"athlete_id": str(ATHLETE_ID)}}
    for key, value in changes.items():
        section, _, field = key.partition("__")
        if field:
            data[section][field] = value
        else:
            data[section] = value
    path = ws / "athletes" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_status_states_and_order(ws: Path, cli: Cli) -> None:
    write_profile(ws, "waiting", plan__requested_at="2027-01-10T09:00:00+00:00")
    write_profile(ws, "late", plan__requested_at="2027-01-08T09:00:00+00:00")
    write_profile(ws, "later", plan__requested_at="2027-01-09T08:00:00+00:00")
    write_profile(ws, "broken", availability={"days": ["mon"], "long_run_day": "mon"})
    code, out = cli(["status", "--format", "json"], ws)
    rows = json.loads(out)
    assert code == 1  # someone is overdue
    assert [(r["athlete"], r["state"]) for r in rows] == [
        ("late", "overdue"),
        ("later", "overdue"),
        ("broken", "invalid"),
        ("waiting", "draft"),
    ]
    assert rows[0]["due"] == "2027-01-09T09:00:00+00:00"
    assert "needs at least 4 training days" in rows[2]["message"]
    code, out = cli(["status"], ws)
    assert out.splitlines()[0].split()[:3] == ["athlete", "template", "race"]
    assert out.rstrip().endswith("4 athletes: 2 overdue, 1 invalid, 1 draft")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTrainingPeaks]:
    server = FakeTrainingPeaks(today=TODAY)
    server.add_athlete(ATHLETE_ID)
    server.start()
    for key, value in {
        "PLANSYNC_TP_API_URL": server.url,
        "PLANSYNC_TP_OAUTH_URL": server.url,
        "PLANSYNC_TP_CLIENT_ID": server.client_id,
        "PLANSYNC_TP_CLIENT_SECRET": server.client_secret,
        "PLANSYNC_TP_REFRESH_TOKEN": server.issue_refresh_token(),
    }.items():
        monkeypatch.setenv(key, value)
    yield server
    server.stop()


def test_publish_all_then_edit_then_changed_then_publish_again(
    ws: Path, fake: FakeTrainingPeaks, cli: Cli
) -> None:
    config = ws / "plansync.toml"
    config.write_text(config.read_text().replace("rate_limit = 20", "rate_limit = 500"))
    jane = write_profile(ws, "jane", plan__requested_at="2027-01-08T09:00:00+00:00")
    # Sam shares Jane's TrainingPeaks calendar (a household account): neither touches the other's workouts.
    write_profile(ws, "sam", plan__requested_at="2027-01-10T09:00:00+00:00")
    code, out = cli(["publish", "--all"], ws)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("jane: trainingpeaks: created") or lines[1].startswith("jane: trainingpeaks")
    assert "2 athletes published, 0 failed" in out
    code, out = cli(["status"], ws)
    assert code == 0 and out.rstrip().endswith("2 athletes: 2 published")
    jane.write_text(jane.read_text().replace("weekly_distance: 30", "weekly_distance: 32"))
    code, out = cli(["status", "--format", "json"], ws)
    assert {r["athlete"]: r["state"] for r in json.loads(out)} == {"jane": "changed", "sam": "published"}
    code, out = cli(["publish", "--all"], ws)
    assert code == 0, out
    assert re.search(r"^jane +changed +\+\d+ ~\d+", out, re.M) and "\nsam " not in out
    assert "1 athlete published, 0 failed" in out
    code, out = cli(["status"], ws)
    assert "2 published" in out
    code, out = cli(["publish", "--all"], ws)
    assert "nobody needs publishing" in out


def test_publish_all_carries_on_past_a_failure(ws: Path, fake: FakeTrainingPeaks, cli: Cli) -> None:
    config = ws / "plansync.toml"
    config.write_text(config.read_text().replace("rate_limit = 20", "rate_limit = 500"))
    write_profile(ws, "good")
    write_profile(ws, "nowhere", platforms={"trainingpeaks": {"athlete_id": "999"}})
    code, out = cli(["publish", "--all", "--format", "json"], ws)
    results = {r["athlete"]: r for r in json.loads(out)}
    assert code == 1
    assert results["good"]["results"]["trainingpeaks"]["failed"] == 0
    assert results["nowhere"]["results"]["trainingpeaks"]["failed"] > 0
    assert len(fake.planned(ATHLETE_ID)) == results["good"]["results"]["trainingpeaks"]["created"]


def test_preview_writes_a_self_contained_page(ws: Path, cli: Cli) -> None:
    path = write_profile(ws, "jane")
    code, out = cli(["preview", str(path), "-o", "jane.html"], ws)
    assert code == 0 and "wrote jane.html" in out
    html = (ws / "jane.html").read_text()
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert 'id="calendar-grid"' in html and 'id="volume-chart"' in html and "@page" in html
    assert "Race day" in html and "foot strength" in html and "Rest day" in html


def test_workspace_client_id_is_used_when_the_environment_has_none(
    ws: Path, fake: FakeTrainingPeaks, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.delenv("PLANSYNC_TP_CLIENT_ID")
    config = ws / "plansync.toml"
    config.write_text(config.read_text().replace('client_id = ""', f'client_id = "{fake.client_id}"'))
    path = write_profile(ws, "jane")
    code, out = cli(["publish", str(path), "--to", "trainingpeaks"], ws)
    assert code == 0, out
    shutil.rmtree(ws / ".plansync")


def test_status_compiles_only_athletes_whose_inputs_changed(ws: Path, cli: Cli, compiled: list[str]) -> None:
    for name in ("jane-doe", "kim-park"):
        (ws / "athletes" / f"{name}.yaml").write_bytes((EXAMPLE.parent / f"{name}.yaml").read_bytes())
    cli(["export", "ics", "athletes/jane-doe.yaml", "-o", "x.ics"], ws)  # a ledger to remember in
    first = cli(["status", "--format", "json"], ws)[1]
    compiled.clear()
    assert cli(["status", "--format", "json"], ws)[1] == first and compiled == []
    kim = ws / "athletes" / "kim-park.yaml"
    kim.write_text(kim.read_text() + "\n# edited\n")
    cli(["status"], ws)
    assert compiled == ["kim-park"]


def test_status_after_publishing_compiles_nothing(ws: Path, cli: Cli, compiled: list[str]) -> None:
    """Publishing gives each athlete their plan, and the ledger keeps a record of it: the
    status after must not take that record for a change and compile the roster again (a
    2,000-athlete status after `publish --all` took as long as the first)."""
    for name in ("jane-doe", "kim-park", "sam-lee"):
        (ws / "athletes" / f"{name}.yaml").write_bytes((EXAMPLE.parent / f"{name}.yaml").read_bytes())
    cli(["export", "ics", "athletes/jane-doe.yaml", "-o", "x.ics"], ws)  # a ledger to remember in
    cli(["status", "--to", "ics"], ws)
    code, out = cli(["publish", "--all", "--to", "ics"], ws)
    assert code == 0, out
    compiled.clear()
    code, out = cli(["status", "--to", "ics"], ws)
    assert code == 0 and "3 published" in out and compiled == [], out


NEW_RUNNER = [
    "--name",
    "New Runner",
    "--timezone",
    "Europe/London",
    "--units",
    "km",
    "--template",
    "half-marathon-beginner",
    "--race-date",
    "2027-05-02",
    "--weeks",
    "14",
    "--days",
    "tue,thu,sun",
    "--long-run-day",
    "sun",
    "--time",
    "07:00",
    "--weekly-distance",
    "10",
    "--long-run",
    "5",
    "--system",
    "rpe",
    "--shoes",
    "Daily:cushioned:100:700",
    "--surfaces",
    "trail,asphalt",
]


def test_intake_says_before_writing_when_the_plan_cannot_make_the_athlete_race_ready(
    ws: Path, cli: Cli
) -> None:
    code, out = cli(["athlete", "new", "--no-input", *NEW_RUNNER], ws)
    assert code == 0, out
    assert out.index("NOT RACE-READY") < out.index("wrote ")
    assert "run/walk race" in out and "base-building block first" in out
    # Asked, the coach may decline: nothing is written.
    (ws / "athletes" / "new-runner.yaml").unlink()
    answers = "\n\n\nn\n"  # no recent race, no TrainingPeaks or intervals.icu id, then: write anyway? no
    code, out = cli(["athlete", "new", *NEW_RUNNER, "--id", "new-runner"], ws, stdin=answers)
    assert code == 1 and "nothing written" in out
    assert not (ws / "athletes" / "new-runner.yaml").exists()


def test_status_shows_every_problem_of_an_invalid_profile_and_exits_1(ws: Path, cli: Cli) -> None:
    write_profile(ws, "fine", plan__requested_at="2099-01-01T09:00:00+00:00")
    write_profile(ws, "broken", availability={"days": ["mon", "mon"], "long_run_day": "sun"}, units="kms")
    code, out = cli(["status"], ws)
    assert code == 1
    problems = [line for line in out.splitlines() if line.startswith("    ")]
    assert len(problems) >= 2, out  # each problem, not only the first


def test_feed_build_prints_the_links_warns_of_the_example_host_and_keeps_them_out_of_git(
    ws: Path, cli: Cli
) -> None:
    write_profile(ws, "jane")
    code, out = cli(["feed", "build", "athletes", "--out", "public"], ws)
    assert code == 0 and re.search(r"^jane: webcal://feeds\.example\.org/[\w-]+\.ics$", out, re.M)
    assert "warning: the links point at https://feeds.example.org" in out
    assert (ws / "public" / ".gitignore").read_text().splitlines()[-1] == "*"
    config = ws / "plansync.toml"
    config.write_text(config.read_text().replace("https://feeds.example.org", "https://cal.coach.test"))
    code, out = cli(["feed", "build", "athletes", "--out", "public", "--rebuild"], ws)
    assert code == 0 and "webcal://cal.coach.test/" in out and "warning" not in out


def test_a_new_workspace_publishes_calendar_files_without_any_platform_account(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PLANSYNC_TP_CLIENT_ID", "PLANSYNC_TP_CLIENT_SECRET", "PLANSYNC_ICU_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert cli(["init", "coach"], tmp_path)[0] == 0
    ws = tmp_path / "coach"
    assert 'targets = ["ics"]' in (ws / "plansync.toml").read_text()
    write_profile(ws, "jane")
    code, out = cli(["publish", "--all", "--dry-run"], ws)
    assert code == 0 and "1 athlete would be published" in out, out
    code, out = cli(["publish", "--all"], ws)
    assert code == 0 and (ws / "calendars" / "jane.ics").exists(), out
    assert cli(["init", "other", "--platform", "intervals"], tmp_path)[0] == 0
    assert 'targets = ["ics", "intervals"]' in (tmp_path / "other" / "plansync.toml").read_text()
