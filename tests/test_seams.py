"""Behaviour where layers meet: each test here failed before the layers had one owner per seam."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import pytest

from plansync import adapters
from plansync.adapters.base import AdapterError
from plansync.state.ledger import Ledger

from .conftest import EXAMPLE, Cli


def sequences(calendar: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb"^SEQUENCE:(\d+)\r$", calendar, re.M)]


def test_publish_to_ics_leaves_the_exported_calendar_alone(tmp_path: Path, cli: Cli) -> None:
    profile = tmp_path / "jane-doe.yaml"
    profile.write_bytes(EXAMPLE.read_bytes())
    code, out = cli(["export", "ics", str(profile), "-o", "jane.ics"], tmp_path)
    assert code == 0, out
    text = profile.read_text()
    race = re.search(r"race_date: (\S+)", text)
    assert race is not None
    profile.write_text(text.replace(race.group(1), "2027-04-25"))  # the race moves a week
    code, out = cli(["export", "ics", str(profile), "-o", "jane.ics"], tmp_path)
    assert code == 0, out
    exported = (tmp_path / "jane.ics").read_bytes()
    assert 1 in sequences(exported)
    code, out = cli(["publish", str(profile), "--to", "ics", "-O", "dir=calendars"], tmp_path)
    assert code == 0, out
    assert (tmp_path / "calendars" / "jane-doe.ics").exists()
    code, out = cli(["export", "ics", str(profile), "-o", "jane.ics"], tmp_path)
    assert code == 0 and "up to date" in out, out
    assert (tmp_path / "jane.ics").read_bytes() == exported
    # And the other way round: the adapter's calendar sees nothing to do after an export.
    code, out = cli(["publish", str(profile), "--to", "ics", "-O", "dir=calendars"], tmp_path)
    assert code == 0 and "created 0, updated 0, deleted 0" in out, out


def test_a_ledger_of_schema_1_keeps_the_exported_calendars_identity(tmp_path: Path, cli: Cli) -> None:
    code, _ = cli(["export", "ics", str(EXAMPLE), "-o", "jane.ics", "--state", "state"], tmp_path)
    assert code == 0
    with Ledger(tmp_path / "state") as ledger:  # as schema 1 kept it: under the adapter's name
        ledger._db.executescript(
            "UPDATE entries SET target = 'ics' WHERE target = 'calendar'; PRAGMA user_version = 1;"
        )
    before = (tmp_path / "jane.ics").read_bytes()
    code, out = cli(["export", "ics", str(EXAMPLE), "-o", "jane.ics", "--state", "state"], tmp_path)
    assert code == 0 and "up to date" in out
    assert (tmp_path / "jane.ics").read_bytes() == before


def test_feed_build_links_use_the_workspace_base_url(tmp_path: Path, cli: Cli) -> None:
    code, _ = cli(["init", "coach"], tmp_path)
    assert code == 0
    ws = tmp_path / "coach"
    (ws / "athletes" / "jane-doe.yaml").write_bytes(EXAMPLE.read_bytes())
    code, out = cli(["feed", "build", "athletes", "--out", "public"], ws)
    assert code == 0, out
    index = json.loads((ws / ".plansync" / "feeds-index.json").read_text())
    links = index["athletes"]["jane-doe"]["calendar"]
    assert links["https"].startswith("https://feeds.example.org/")
    assert links["webcal"].startswith("webcal://feeds.example.org/")
    code, out = cli(["feed", "build", "athletes", "--out", "public", "--base-url", "https://cdn.test"], ws)
    assert code == 0
    index = json.loads((ws / ".plansync" / "feeds-index.json").read_text())
    assert index["athletes"]["jane-doe"]["calendar"]["https"].startswith("https://cdn.test/")


def test_config_shows_each_value_and_where_it_came_from(tmp_path: Path, cli: Cli) -> None:
    cli(["init", "coach"], tmp_path)
    code, out = cli(["config"], tmp_path / "coach", env={"PLANSYNC_PUBLISH_CONCURRENCY": "2"})
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert (
        "https://feeds.example.org" in rows["feeds.base_url"] and "(plansync.toml)" in rows["feeds.base_url"]
    )
    assert "(PLANSYNC_PUBLISH_CONCURRENCY)" in rows["publish.concurrency"]
    assert "(PLANSYNC_TODAY)" in rows["today"]


def test_a_bad_setting_names_its_source(tmp_path: Path, cli: Cli) -> None:
    code, out = cli(["config"], tmp_path, env={"PLANSYNC_PUBLISH_RATE_LIMIT": "fast"})
    assert code == 2 and "PLANSYNC_PUBLISH_RATE_LIMIT='fast'" in out and "Traceback" not in out


def test_an_adapter_table_with_an_unknown_key_is_named(tmp_path: Path, cli: Cli) -> None:
    cli(["init", "coach"], tmp_path)
    ws = tmp_path / "coach"
    config = ws / "plansync.toml"
    config.write_text(config.read_text().replace("sandbox = false", "sandbx = false"))
    (ws / "athletes" / "jane-doe.yaml").write_bytes(EXAMPLE.read_bytes())
    code, out = cli(["publish", "athletes/jane-doe.yaml", "--to", "trainingpeaks", "--dry-run"], ws)
    assert code == 2 and "trainingpeaks.sandbx" in out and "did you mean 'sandbox'" in out


def test_the_registry_refuses_a_class_whose_name_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(adapters.BUILTIN, "calendar-copy", "plansync.adapters.ics:IcsAdapter")
    with pytest.raises(AdapterError, match="calls itself 'ics'"):
        adapters.load("calendar-copy")


def test_the_registry_refuses_a_name_the_calendars_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from plansync.adapters.ics import IcsAdapter

    class Calendar(IcsAdapter):
        name = "calendar"

    monkeypatch.setitem(sys.modules, "calendar_plugin", types.SimpleNamespace(Calendar=Calendar))
    monkeypatch.setitem(adapters.BUILTIN, "calendar", "calendar_plugin:Calendar")
    with pytest.raises(AdapterError, match="calendars own"):
        adapters.load("calendar")


def test_a_misspelt_table_in_plansync_toml_is_named(tmp_path: Path, cli: Cli) -> None:
    cli(["init", "coach"], tmp_path)
    config = tmp_path / "coach" / "plansync.toml"
    config.write_text(config.read_text().replace("[feeds]", "[feed]"))
    code, out = cli(["status"], tmp_path / "coach")
    assert code == 2 and "unknown table [feed]" in out and "did you mean [feeds]?" in out
