"""One command line: -o everywhere, one set of --format values, -q, colour, athlete ids, and
calendars that come back when they were removed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from .conftest import Cli
from .test_coach import write_profile


@pytest.fixture
def ws(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new workspace as `plansync init` makes it: calendar files, no platform account."""
    for name in ("PLANSYNC_TP_CLIENT_ID", "PLANSYNC_TP_CLIENT_SECRET", "PLANSYNC_ICU_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert cli(["init", "coach"], tmp_path)[0] == 0
    ws = tmp_path / "coach"
    write_profile(ws, "ann-lee")
    write_profile(ws, "bo-chen")
    return ws


def test_a_removed_calendar_is_published_again_and_a_new_folder_gets_every_calendar(
    ws: Path, cli: Cli
) -> None:
    code, out = cli(["publish", "--all"], ws)
    assert code == 0 and (ws / "calendars" / "ann-lee.ics").exists(), out
    (ws / "calendars" / "ann-lee.ics").unlink()
    _, out = cli(["status", "--format", "json"], ws)
    rows = {r["athlete"]: r for r in json.loads(out)}
    assert rows["ann-lee"]["state"] == "changed" and "no longer there" in rows["ann-lee"]["message"]
    assert rows["bo-chen"]["state"] == "published"
    code, out = cli(["publish", "--all"], ws)
    assert code == 0 and "1 athlete" in out and (ws / "calendars" / "ann-lee.ics").exists(), out
    code, out = cli(["publish", "--all", "-O", "dir=shared"], ws)  # another folder: everyone again
    assert code == 0 and {p.name for p in (ws / "shared").glob("*.ics")} == {"ann-lee.ics", "bo-chen.ics"}


def test_status_judges_delivery_on_the_targets_named(ws: Path, cli: Cli) -> None:
    (ws / "plansync.toml").write_text(
        (ws / "plansync.toml").read_text().replace('targets = ["ics"]', 'targets = ["trainingpeaks"]')
    )
    assert cli(["publish", "--all", "--to", "ics"], ws)[0] == 0
    _, out = cli(["status", "--format", "json"], ws)
    assert {r["state"] for r in json.loads(out)} == {"draft"}  # not yet on TrainingPeaks
    code, out = cli(["status", "--to", "ics", "--format", "json"], ws)
    assert code == 0 and {r["state"] for r in json.loads(out)} == {"published"}, out


def test_athlete_ids_stand_for_profile_paths_and_outputs_default_to_them(ws: Path, cli: Cli) -> None:
    code, out = cli(["preview", "ann-lee"], ws)
    assert code == 0 and (ws / "ann-lee.html").read_text().startswith("<!doctype html>"), out
    code, out = cli(["export", "ics", "bo-chen"], ws)
    assert code == 0 and (ws / "bo-chen.ics").read_bytes().startswith(b"BEGIN:VCALENDAR"), out
    code, out = cli(["export", "fit", "ann-lee", "--week", "1"], ws)
    assert code == 0 and list((ws / "ann-lee-fit").glob("*.fit")), out
    code, out = cli(["compile", "ann-lee", "--format", "json"], ws)
    assert code == 0 and json.loads(out)["athlete"] == "ann-lee"
    code, out = cli(["compile", "no-such-runner"], ws)
    assert code == 2 and "neither a profile file nor the id of an athlete" in out


def test_one_set_of_format_values_and_one_output_option(ws: Path, cli: Cli) -> None:
    for args in (["status"], ["compile", "ann-lee"], ["validate"], ["checkin", "ann-lee", "--list"]):
        code, text = cli([*args, "--format", "text"], ws)
        assert code in (0, 1) and not text.lstrip().startswith(("{", "[")), args
        code, old = cli([*args, "--format", "table"], ws)  # the old name still works
        assert old == text, args
        code, data = cli([*args, "--format", "json"], ws)
        json.loads(data)
    code, out = cli(["compile", "ann-lee", "--format", "yaml"], ws)
    assert code == 2 and "'text', 'json'" in out
    code, out = cli(["feed", "build", "athletes", "-o", "public"], ws)
    assert code == 0 and len(list((ws / "public").glob("*.ics"))) == 4, out


def test_quiet_keeps_results_and_errors_and_drops_progress(ws: Path, cli: Cli) -> None:
    code, out = cli(["preview", "ann-lee", "-o", "p.html"], ws)
    assert "wrote p.html" in out
    code, out = cli(["-q", "export", "ics", "ann-lee", "-o", "a.ics"], ws)
    assert code == 0 and out == "" and (ws / "a.ics").exists()
    code, out = cli(["-q", "compile", "nobody.yaml"], ws)
    assert code == 2 and "nobody.yaml" in out  # errors are never quiet


def test_colour_follows_no_color_and_the_flag(ws: Path, cli: Cli) -> None:
    _, plain = cli(["status"], ws)
    assert "\x1b[" not in plain  # not a terminal
    _, forced = cli(["--color", "status"], ws)
    assert "\x1b[" in forced
    _, out = cli(["--color", "status"], ws, env={"NO_COLOR": "1"})
    assert "\x1b[" in out  # the flag wins over the environment
    _code, out = cli(["--no-color", "status"], ws)
    assert "\x1b[" not in out


def test_completion_is_documented_in_the_help(cli: Cli) -> None:
    _code, out = cli(["--help"])
    assert "_PLANSYNC_COMPLETE=bash_source plansync" in out


def test_intake_defaults_to_the_machines_time_zone_and_asks_for_an_intervals_id(ws: Path, cli: Cli) -> None:
    from .test_coach import JANE

    args = [a for a in JANE if a not in ("--timezone", "Australia/Sydney")]
    code, out = cli(
        ["athlete", "new", "--no-input", *args, "--id", "oslo", "--intervals-id", "i4242"],
        ws,
        env={"TZ": "Europe/Oslo"},
    )
    assert code == 0, out
    profile = yaml.safe_load((ws / "athletes" / "oslo.yaml").read_text())
    assert profile["timezone"] == "Europe/Oslo"
    assert profile["platforms"]["intervals"] == {"athlete_id": "i4242"}
    code, out = cli(["athlete", "new", "--no-input", *args, "--id", "bad", "--intervals-id", "x1"], ws)
    assert code == 2 and "intervals.icu athlete id" in out


def test_feed_tokens_never_start_with_a_dash() -> None:
    from plansync.calendars.feeds import new_token

    assert all(new_token()[0].isalnum() for _ in range(2000))


def test_the_command_as_a_process_ends_without_a_last_collection_and_main_leaves_gc_alone(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``plansync`` and ``python -m plansync`` (``run``) freeze what they made once the
    command is done, so the process ends without walking it; ``main`` as a library or test
    calls it leaves the collector as it was, and ``run`` keeps the command's exit status."""
    import gc

    from plansync.cli import run

    before = gc.get_freeze_count()
    assert cli(["validate", str(tmp_path)], tmp_path)[0] == 0
    assert gc.get_freeze_count() == before
    monkeypatch.setattr("sys.argv", ["plansync", "validate", str(tmp_path / "missing")])
    try:
        with pytest.raises(SystemExit) as ended:
            run()
        assert ended.value.code == 2  # the bad path's usage error, as before
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
