"""The ledger on its own: repairs, messages for every kind of failure, renames, replayed writes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from plansync.state.ledger import Entry, Feed, Ledger, LedgerCorrupt, LedgerError, Recorder, _error

T0 = dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC)


def _entry(uid: str, seq: int = 0, remote: str | None = None) -> Entry:
    return Entry(uid, "hash", seq, T0, dt.date(2027, 1, 11), remote)


def test_a_repaired_ledger_gets_its_feed_links_back_from_the_index(tmp_path: Path) -> None:
    index = {
        "base_url": "https://x.test",
        "athletes": {
            "jane": {
                "calendar": {"https": "https://x.test/TOKENAAAAAAAAAAAAAAAA.ics"},
                "busy": {"https": "https://x.test/BUSYBBBBBBBBBBBBBBBBBB.ics"},
            },
            "broken": {"calendar": {}},
        },
    }
    (tmp_path / "feeds-index.json").write_text(json.dumps(index))
    (tmp_path / "ledger.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerCorrupt, match="--repair"):
        Ledger(tmp_path)
    with Ledger(tmp_path, repair=True) as ledger:
        assert ledger.feed("jane") == Feed("jane", "TOKENAAAAAAAAAAAAAAAA", "BUSYBBBBBBBBBBBBBBBBBB", None)
        assert ledger.feed("broken") is None
    assert list(tmp_path.glob("ledger.sqlite3.corrupt-*"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("database or disk is full", "the disk is full"),
        ("unable to open database file", "cannot be opened"),
        ("database is locked", "stayed locked"),
        ("attempt to write a readonly database", "is read-only"),
        ("file is not a database", "--repair"),
        ("something else entirely", "something else entirely"),
    ],
)
def test_every_sqlite_failure_is_one_line_naming_the_file(tmp_path: Path, text: str, expected: str) -> None:
    message = str(_error(tmp_path / "ledger.sqlite3", sqlite3.OperationalError(text)))
    assert expected in message and str(tmp_path / "ledger.sqlite3") in message and "\n" not in message


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    with Ledger(tmp_path) as ledger:
        with pytest.raises(RuntimeError), ledger.transaction():
            ledger.put("x", "jane", _entry("a"))
            raise RuntimeError("boom")
        assert ledger.entries("x", "jane") == {}


def test_a_rename_onto_an_athlete_with_workouts_is_refused(tmp_path: Path) -> None:
    with Ledger(tmp_path) as ledger:
        ledger.put("tp", "jane", _entry("jane-plan-w01-long", remote="1"))
        ledger.put("tp", "june", _entry("june-plan-w01-long", remote="2"))
        with pytest.raises(LedgerError, match="already has published workouts"):
            ledger.rename("jane", "june")
        assert ledger.rename("jane", "janet") == 1
        assert set(ledger.entries("tp", "janet")) == {"janet-plan-w01-long"}
        assert ledger.aliases("janet") == {"jane"}


def test_a_recorder_replays_to_the_same_ledger_as_direct_writes(tmp_path: Path) -> None:
    with Ledger(tmp_path / "direct") as direct, Ledger(tmp_path / "replayed") as target:
        for ledger in (direct, target):
            ledger.put("calendar", "jane", _entry("old"))
            ledger.set_file_modified("kept.ics", T0)
        recorder = Recorder(target)
        for ledger in (direct, recorder):
            ledger.put("calendar", "jane", _entry("new", 1))
            ledger.remove("calendar", "jane", "old")
            ledger.save_feed(Feed("jane", "t" * 20, "b" * 20, "out"))
            ledger.file_modified("kept.ics", False, T0 + dt.timedelta(days=1))
            ledger.file_modified("new.ics", True, T0 + dt.timedelta(days=1))
            ledger.file_modified("disk.ics", False, T0, on_disk=T0 - dt.timedelta(days=3))
        with recorder.transaction():
            assert set(recorder.entries("calendar", "jane")) == {"new"}
        target.replay(recorder.writes)
        assert target.entries("calendar", "jane") == direct.entries("calendar", "jane")
        assert target.feed("jane") == direct.feed("jane")
        later = T0 + dt.timedelta(days=9)
        for name in ("kept.ics", "new.ics"):
            assert target.file_modified(name, False, later) == direct.file_modified(name, False, later)


def test_each_athletes_kept_changes_and_publications_are_found_through_an_index(tmp_path: Path) -> None:
    """Status asks every athlete of a roster for these in turn: read through an index, not the
    whole table each time (which made a 2,000-athlete status take minutes)."""
    with Ledger(tmp_path) as ledger:
        ledger.put(
            "calendar",
            "ann",
            Entry("w1", "h", 0, dt.datetime(2027, 1, 1, tzinfo=dt.UTC), dt.date(2027, 1, 2)),
        )
    db = sqlite3.connect(tmp_path / "ledger.sqlite3")
    try:
        kept = db.execute(
            "EXPLAIN QUERY PLAN SELECT target, uid, kept FROM entries WHERE athlete = ? AND kept IS NOT NULL",
            ("ann",),
        ).fetchall()
        published = db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM published WHERE athlete = ?", ("ann",)
        ).fetchall()
    finally:
        db.close()
    assert any("USING INDEX entries_kept" in str(row) for row in kept), kept
    assert any("USING INDEX published_athlete" in str(row) for row in published), published
