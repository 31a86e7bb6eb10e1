"""Large rosters run on every core and give exactly what one core gives: same order, same bytes."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import yaml

from plansync import parallel
from plansync.calendars.feeds import build_feeds
from plansync.inputs.roster import profile_files
from plansync.publishing.status import workspace_status
from plansync.state.ledger import Ledger

from .conftest import ROOT

NOW = dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC)
COUNT = parallel.PARALLEL_FROM + 6


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("roster")
    examples = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for i in range(COUNT):
        data = dict(examples[i % len(examples)], id=f"athlete-{i:03d}", name=f"Athlete {i}")
        (folder / f"athlete-{i:03d}.yaml").write_text(yaml.safe_dump(data))
    return folder


def _feeds_by_athlete(state: Path, out: Path) -> dict[str, tuple[bytes, bytes]]:
    index = json.loads((state / "feeds-index.json").read_text())["athletes"]
    token = {a: (v["calendar"]["https"], v["busy"]["https"]) for a, v in index.items()}
    return {
        a: ((out / full.rsplit("/", 1)[1]).read_bytes(), (out / busy.rsplit("/", 1)[1]).read_bytes())
        for a, (full, busy) in token.items()
    }


def test_feed_build_on_every_core_equals_one_core(
    roster: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if parallel.usable_cores() < 2:
        pytest.skip("one core: nothing runs in parallel here")
    templates = ROOT / "plan_templates"
    with Ledger(tmp_path / "many") as ledger:
        result = build_feeds(
            roster, tmp_path / "out-many", ledger, NOW, base_url="https://x.test", templates=templates
        )
    assert len(result.built) == COUNT and not result.failed
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    monkeypatch.setattr("plansync.calendars.feeds.usable_cores", lambda: 1)
    with Ledger(tmp_path / "one") as ledger:
        build_feeds(roster, tmp_path / "out-one", ledger, NOW, base_url="https://x.test", templates=templates)
    many = _feeds_by_athlete(tmp_path / "many", tmp_path / "out-many")
    one = _feeds_by_athlete(tmp_path / "one", tmp_path / "out-one")
    assert many == one and len(many) == COUNT
    with Ledger(tmp_path / "many") as a, Ledger(tmp_path / "one") as b:
        assert a.entries("calendar", "athlete-007") == b.entries("calendar", "athlete-007")


def test_status_on_every_core_equals_one_core(
    roster: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = profile_files(roster)
    with Ledger(tmp_path / "state") as ledger:
        many = workspace_status(profiles, ledger, ["ics"], NOW, ROOT / "plan_templates")
        monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
        one = workspace_status(profiles, ledger, ["ics"], NOW, ROOT / "plan_templates")
    assert [s.as_dict() for s in many] == [s.as_dict() for s in one]
    assert len(many) == COUNT


def _where(item: int) -> tuple[int, int, frozenset[int]]:
    """Which worker did ``item``, and the cores it may run on."""
    return item, os.getpid(), frozenset(os.sched_getaffinity(0))


def test_each_worker_keeps_to_a_core_of_its_own() -> None:
    """The scheduler cannot move a worker between cores (its caches would stay behind), and
    no two workers share one, while the batch still comes back whole and in order."""
    if parallel.usable_cores() < 2 or not hasattr(os, "sched_getaffinity"):
        pytest.skip("one core: nothing runs in parallel here")
    before = os.sched_getaffinity(0)
    found = list(parallel.ordered_map(_where, list(range(COUNT))))
    assert [item for item, _, _ in found] == list(range(COUNT))
    cores = {pid: allowed for _, pid, allowed in found}
    assert cores and all(len(allowed) == 1 for allowed in cores.values())  # a fast worker may do all
    assert len(set(cores.values())) == len(cores)  # one worker a core
    assert set().union(*cores.values()) <= before
    assert os.sched_getaffinity(0) == before  # the calling process runs where it did
