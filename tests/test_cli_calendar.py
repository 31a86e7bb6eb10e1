"""The calendar commands as a user runs them: export, feed build and rotate."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

from .conftest import EXAMPLE, Cli


def test_export_ics_writes_once_and_then_leaves_the_file_alone(tmp_path: Path, cli: Cli) -> None:
    code, out = cli(["export", "ics", str(EXAMPLE), "-o", "jane.ics"], cwd=tmp_path)
    assert code == 0 and "wrote jane.ics" in out
    cal = icalendar.Calendar.from_ical((tmp_path / "jane.ics").read_bytes())
    assert len(cal.walk("VEVENT")) > 100
    assert (tmp_path / ".plansync" / "ledger.sqlite3").exists()  # exported: the athlete's plan from now on
    before = (tmp_path / "jane.ics").stat().st_mtime_ns
    code, out = cli(["export", "ics", str(EXAMPLE), "-o", "jane.ics"], cwd=tmp_path)
    assert code == 0 and "up to date" in out
    assert (tmp_path / "jane.ics").stat().st_mtime_ns == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_export_honours_the_state_option(tmp_path: Path, cli: Cli) -> None:
    code, _ = cli(["export", "ics", str(EXAMPLE), "-o", "jane.ics", "--state", "elsewhere"], cwd=tmp_path)
    assert code == 0
    assert (tmp_path / "elsewhere" / "ledger.sqlite3").exists() and not (tmp_path / ".plansync").exists()


def test_compile_can_write_the_ics_beside_the_table(tmp_path: Path, cli: Cli) -> None:
    code, out = cli(["compile", "--example", "--ics", "plan.ics"], cwd=tmp_path)
    assert code == 0 and "wrote plan.ics" in out and "RACE 21.1 km" in out
    assert (tmp_path / "plan.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.ics"]  # no state left where it ran


def test_feed_build_and_rotate(tmp_path: Path, cli: Cli) -> None:
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    shutil.copy(EXAMPLE, athletes / "jane-doe.yaml")
    code, out = cli(
        ["feed", "build", "athletes", "--out", "public", "--base-url", "https://feeds.test"], cwd=tmp_path
    )
    assert code == 0 and "1 feeds written, 0 unchanged, 0 removed, 0 failed" in out
    index = json.loads((tmp_path / ".plansync" / "feeds-index.json").read_text())
    url = index["athletes"]["jane-doe"]["calendar"]["webcal"]
    assert url.startswith("webcal://feeds.test/")
    code, out = cli(
        ["feed", "build", "athletes", "--out", "public", "--base-url", "https://feeds.test"], cwd=tmp_path
    )
    assert "0 feeds written, 1 unchanged" in out
    code, out = cli(["feed", "rotate", "jane-doe"], cwd=tmp_path)
    assert code == 0
    rotated = json.loads((tmp_path / ".plansync" / "feeds-index.json").read_text())
    assert rotated["athletes"]["jane-doe"]["calendar"]["webcal"] != url
    code, out = cli(["feed", "rotate", "nobody"], cwd=tmp_path)
    assert code == 2 and "no feed for athlete 'nobody'" in out


def test_feed_build_carries_on_past_a_broken_profile(tmp_path: Path, cli: Cli) -> None:
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    shutil.copy(EXAMPLE, athletes / "jane-doe.yaml")
    (athletes / "broken.yaml").write_text("id: [\n")
    code, out = cli(["feed", "build", "athletes", "--out", "public"], cwd=tmp_path)
    assert code == 1
    assert "broken.yaml" in out and "1 feeds written, 0 unchanged, 0 removed, 1 failed" in out
    assert len(list((tmp_path / "public").glob("*.ics"))) == 2


def test_feeds_of_an_athlete_who_left_are_taken_down(tmp_path: Path, cli: Cli) -> None:
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    (athletes / "jane-doe.yaml").write_bytes(EXAMPLE.read_bytes())
    (athletes / "sam.yml").write_text(
        EXAMPLE.read_text().replace("id: jane-doe", "id: sam")
    )  # .yml counts too
    code, out = cli(["feed", "build", "athletes", "--out", "public"], tmp_path)
    assert code == 0 and "2 feeds written" in out, out
    assert len(list((tmp_path / "public").glob("*.ics"))) == 4
    (athletes / "sam.yml").unlink()
    code, out = cli(["feed", "build", "athletes", "--out", "public"], tmp_path)
    assert code == 0 and "removed the feeds of sam: the profile is gone" in out and "1 removed" in out
    assert len(list((tmp_path / "public").glob("*.ics"))) == 2
    assert "sam" not in (tmp_path / ".plansync" / "feeds-index.json").read_text()


def test_feeds_are_never_served_from_the_state_folder(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "athletes").mkdir()
    (tmp_path / "athletes" / "jane-doe.yaml").write_bytes(EXAMPLE.read_bytes())
    for out_dir in (".plansync", ".plansync/public", "."):
        code, out = cli(["feed", "build", "athletes", "--out", out_dir], tmp_path)
        assert code == 2 and "would serve the state directory" in out, out_dir


def test_a_lost_state_folder_rebuilds_byte_identical_feeds_and_exports(tmp_path: Path, cli: Cli) -> None:
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    profile = athletes / "jane-doe.yaml"
    profile.write_bytes(EXAMPLE.read_bytes())
    build = ["feed", "build", "athletes", "--out", "public"]
    export = ["export", "ics", str(profile), "-o", "jane.ics"]
    assert cli(build, tmp_path)[0] == 0 and cli(export, tmp_path)[0] == 0
    profile.write_text(profile.read_text().replace("race_date: 2027-04-18", "race_date: 2027-04-25"))
    assert (
        cli(build, tmp_path, today="2027-01-11")[0] == 0 and cli(export, tmp_path, today="2027-01-11")[0] == 0
    )
    before = {p.name: (p.read_bytes(), p.stat().st_mtime) for p in (tmp_path / "public").glob("*.ics")}
    exported = (tmp_path / "jane.ics").read_bytes()
    index = (tmp_path / ".plansync" / "feeds-index.json").read_text()
    assert b"SEQUENCE:1" in exported

    shutil.rmtree(tmp_path / ".plansync")  # a fresh CI checkout that kept only the published folder
    code, out = cli(build, tmp_path, today="2027-01-12")
    assert code == 0 and "0 feeds written, 1 unchanged" in out, out
    after = {p.name: (p.read_bytes(), p.stat().st_mtime) for p in (tmp_path / "public").glob("*.ics")}
    assert after == before  # same tokens, same bytes, same Last-Modified
    assert (tmp_path / ".plansync" / "feeds-index.json").read_text() == index
    code, out = cli(export, tmp_path, today="2027-01-12")
    assert code == 0 and "up to date" in out and (tmp_path / "jane.ics").read_bytes() == exported


def test_feed_build_rebuilds_only_the_athletes_whose_inputs_changed(tmp_path: Path, cli: Cli) -> None:
    templates = tmp_path / "plan_templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "plan_templates", templates)
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    for name in ("jane-doe", "kim-park", "sam-lee"):
        (athletes / f"{name}.yaml").write_bytes((EXAMPLE.parent / f"{name}.yaml").read_bytes())
    build = ["feed", "build", "athletes", "--out", "public", "--templates", "plan_templates"]
    assert "3 feeds written" in cli(build, tmp_path)[1]
    assert "0 feeds written, 3 unchanged" in cli(build, tmp_path)[1]
    jane = (athletes / "jane-doe.yaml").read_text()
    used = jane.split("template: ")[1].split()[0]
    users = [p.stem for p in athletes.glob("*.yaml") if f"template: {used}" in p.read_text()]
    template = templates / f"{used}.yaml"
    template.write_text(template.read_text().replace("Keep the first part truly easy", "Keep the start easy"))
    code, out = cli(build, tmp_path)
    assert code == 0 and f"{len(users)} feeds written, {3 - len(users)} unchanged" in out, out
    (athletes / "kim-park.yaml").write_text((athletes / "kim-park.yaml").read_text() + "\n# a comment\n")
    code, out = cli(build, tmp_path)
    assert code == 0 and "0 feeds written, 3 unchanged" in out  # recompiled, same bytes
    code, out = cli([*build, "--rebuild"], tmp_path)
    assert code == 0 and "0 feeds written, 3 unchanged" in out


def test_the_build_after_a_first_one_compiles_nothing(tmp_path: Path, cli: Cli, compiled: list[str]) -> None:
    """A first build gives each athlete the plan and the ledger keeps it: the next build must
    find its inputs unchanged, not compile the roster again because the athlete has a plan
    record now (a 2,000-athlete second build took as long as the first)."""
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    for name in ("jane-doe", "kim-park", "sam-lee"):
        (athletes / f"{name}.yaml").write_bytes((EXAMPLE.parent / f"{name}.yaml").read_bytes())
    build = ["feed", "build", "athletes", "--out", "public"]
    code, out = cli(build, tmp_path)
    assert code == 0 and "3 feeds written" in out and len(compiled) == 3
    first = {p.name: p.read_bytes() for p in (tmp_path / "public").glob("*.ics")}
    compiled.clear()
    code, out = cli(build, tmp_path)
    assert code == 0 and "0 feeds written, 3 unchanged" in out and compiled == []
    code, out = cli([*build, "--rebuild"], tmp_path)  # the kept record gives the same plans
    assert code == 0 and "0 feeds written, 3 unchanged" in out and len(compiled) == 3
    assert {p.name: p.read_bytes() for p in (tmp_path / "public").glob("*.ics")} == first


UNCHANGED_RUNS = {
    "feed build": (
        ["feed", "build", "athletes", "--out", "public"],
        ["plansync.core.compiler", "plansync.core.profile", "plansync.calendars.events"],
    ),
    "status": (["status"], ["plansync.core.compiler", "plansync.inputs.loader"]),
}
LEDGER_FIRST = ["export", "ics", "athletes/jane-doe.yaml", "-o", "jane.ics"]  # status writes no state


@pytest.mark.parametrize("command", sorted(UNCHANGED_RUNS))
def test_a_command_over_unchanged_athletes_starts_without_the_compiler(
    tmp_path: Path, cli: Cli, command: str
) -> None:
    """A run that finds every athlete unchanged reads records and hashes files: it must not
    load the compiler (nor, for a feed build, the renderer or the profile models): their
    import was most of such a run's time, and a cron job over a large roster runs it often."""
    args, heavy = UNCHANGED_RUNS[command]
    assert cli(["init", "ws"], tmp_path)[0] == 0
    ws = tmp_path / "ws"
    (ws / "athletes" / "jane-doe.yaml").write_bytes(EXAMPLE.read_bytes())
    assert cli(LEDGER_FIRST, ws)[0] == 0
    assert cli(args, ws)[0] in (0, 1)  # status exits 1 while an athlete is overdue
    probe = (
        "import sys\n"
        "from plansync.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as stop:\n"
        "    assert stop.code in (0, 1), stop.code\n"
        f"print('LOADED', [m for m in {heavy!r} if m in sys.modules])\n"
    )
    src = Path(__file__).resolve().parent.parent / "src"
    env = {**os.environ, "PYTHONPATH": str(src), "PLANSYNC_TODAY": "2027-01-10"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ws, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout, done.stdout.splitlines()[-1]


@pytest.mark.parametrize("broken", ["dangling-link", "folder"])
def test_an_unreadable_profile_keeps_the_athletes_feed(tmp_path: Path, cli: Cli, broken: str) -> None:
    """A briefly broken profile is a failure for that athlete, never "gone": the secret URL
    and the files stay, and the next build after the fix serves the same URL."""
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    profile = athletes / "jane-doe.yaml"
    shutil.copy(EXAMPLE, profile)
    args = ["feed", "build", "athletes", "--out", "public", "--state", "st"]
    assert cli(args, tmp_path)[0] == 0
    index = (tmp_path / "st" / "feeds-index.json").read_text()
    files = sorted(p.name for p in (tmp_path / "public").iterdir())
    saved = profile.read_bytes()
    profile.unlink()
    if broken == "dangling-link":
        profile.symlink_to(tmp_path / "nowhere.yaml")
    else:
        profile.mkdir()
    code, out = cli(args, tmp_path)
    assert code == 1 and "jane-doe.yaml" in out and "removed the feeds" not in out
    assert sorted(p.name for p in (tmp_path / "public").iterdir()) == files
    if broken == "folder":
        profile.rmdir()
    else:
        profile.unlink()
    profile.write_bytes(saved)
    assert cli(args, tmp_path)[0] == 0
    assert json.loads((tmp_path / "st" / "feeds-index.json").read_text()) == json.loads(index)
