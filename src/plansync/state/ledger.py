"""The publication ledger: what was published where, in embedded SQLite.

One row per (target, athlete, uid): the content hash of what was published,
its iCalendar SEQUENCE and LAST-MODIFIED, and for platforms the remote id.
Every target has exactly one owner: ``calendar`` and ``calendar-busy`` belong
to the calendars (``export ics`` and ``feed build``, which render the same
calendar and so share its identity); every other target is an adapter's
name, and no adapter may take a calendar's name (:data:`RESERVED_TARGETS`).
Feeds keep their tokens here too.

The ledger lives in the state directory (``.plansync/`` by default); it is
a cache of what we did, never the only truth: platforms rebuild it by
adopting their marked items, and calendars only need it for SEQUENCE.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DEFAULT_STATE_DIR = Path(".plansync")
FILE_NAME = "ledger.sqlite3"
SCHEMA_VERSION = 2
# Ledger targets that belong to the calendars; adapters are refused these names.
CALENDAR_TARGET = "calendar"
CALENDAR_BUSY_TARGET = "calendar-busy"
RESERVED_TARGETS = frozenset({CALENDAR_TARGET, CALENDAR_BUSY_TARGET})

# Schema 1 kept the calendars' rows under ``ics``/``ics-busy``, the name the ics adapter
# also uses; the calendars' rows are the ones without a remote id.
_MIGRATIONS = {
    2: f"""
UPDATE entries SET target = '{CALENDAR_TARGET}' WHERE target = 'ics' AND remote_id IS NULL;
UPDATE entries SET target = '{CALENDAR_BUSY_TARGET}' WHERE target = 'ics-busy';
""",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    target TEXT NOT NULL,
    athlete TEXT NOT NULL,
    uid TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    last_modified TEXT NOT NULL,   -- UTC, ISO 8601, whole seconds
    date TEXT NOT NULL,            -- the entry's local date, YYYY-MM-DD
    remote_id TEXT,                -- the platform's id for it, where there is one
    PRIMARY KEY (target, athlete, uid)
);
CREATE TABLE IF NOT EXISTS feeds (
    athlete TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    busy_token TEXT NOT NULL UNIQUE,
    directory TEXT                 -- where the feed files were last written
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    last_modified TEXT NOT NULL    -- never goes backwards (subscribers revalidate on it)
);
CREATE TABLE IF NOT EXISTS published (
    target TEXT NOT NULL,
    athlete TEXT NOT NULL,
    plan_hash TEXT NOT NULL,       -- hash of the whole compiled plan last published
    published_at TEXT NOT NULL,
    PRIMARY KEY (target, athlete)
);
"""


@dataclass(frozen=True)
class Entry:
    uid: str
    content_hash: str
    sequence: int
    last_modified: dt.datetime
    date: dt.date
    remote_id: str | None = None


@dataclass(frozen=True)
class Feed:
    athlete: str
    token: str
    busy_token: str
    directory: str | None


def _ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _parse_ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


class Ledger:
    """A connection to the ledger file; safe to share between threads."""

    def __init__(self, state_dir: Path = DEFAULT_STATE_DIR) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / FILE_NAME
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} was written by a newer plansync (schema {version})")
        self._db.executescript(_SCHEMA)
        for step in range(version + 1, SCHEMA_VERSION + 1):
            if version and step in _MIGRATIONS:
                self._db.executescript(_MIGRATIONS[step])
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- entries -------------------------------------------------------------

    def entries(self, target: str, athlete: str) -> dict[str, Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT uid, content_hash, sequence, last_modified, date, remote_id FROM entries"
                " WHERE target = ? AND athlete = ?",
                (target, athlete),
            ).fetchall()
        return {
            r[0]: Entry(r[0], r[1], r[2], _parse_ts(r[3]), dt.date.fromisoformat(r[4]), r[5]) for r in rows
        }

    def put(self, target: str, athlete: str, entry: Entry) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO entries (target, athlete, uid, content_hash, sequence, last_modified, date,"
                " remote_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (target, athlete, uid) DO UPDATE SET content_hash = excluded.content_hash,"
                " sequence = excluded.sequence, last_modified = excluded.last_modified,"
                " date = excluded.date, remote_id = excluded.remote_id",
                (
                    target,
                    athlete,
                    entry.uid,
                    entry.content_hash,
                    entry.sequence,
                    _ts(entry.last_modified),
                    entry.date.isoformat(),
                    entry.remote_id,
                ),
            )

    def remove(self, target: str, athlete: str, uid: str) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM entries WHERE target = ? AND athlete = ? AND uid = ?", (target, athlete, uid)
            )

    # --- whole-plan publication records ----------------------------------------

    def mark_published(self, target: str, athlete: str, plan_hash: str, when: dt.datetime) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO published (target, athlete, plan_hash, published_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (target, athlete) DO UPDATE SET plan_hash = excluded.plan_hash,"
                " published_at = excluded.published_at",
                (target, athlete, plan_hash, _ts(when)),
            )

    def published(self, athlete: str) -> dict[str, tuple[str, dt.datetime]]:
        """Per target: the hash of the plan last published and when."""
        with self._lock:
            rows = self._db.execute(
                "SELECT target, plan_hash, published_at FROM published WHERE athlete = ?", (athlete,)
            ).fetchall()
        return {r[0]: (r[1], _parse_ts(r[2])) for r in rows}

    # --- feeds ---------------------------------------------------------------

    def feed(self, athlete: str) -> Feed | None:
        with self._lock:
            row = self._db.execute(
                "SELECT athlete, token, busy_token, directory FROM feeds WHERE athlete = ?", (athlete,)
            ).fetchone()
        return Feed(*row) if row else None

    def feeds(self) -> list[Feed]:
        with self._lock:
            rows = self._db.execute(
                "SELECT athlete, token, busy_token, directory FROM feeds ORDER BY athlete"
            ).fetchall()
        return [Feed(*r) for r in rows]

    def save_feed(self, feed: Feed) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO feeds (athlete, token, busy_token, directory) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (athlete) DO UPDATE SET token = excluded.token,"
                " busy_token = excluded.busy_token, directory = excluded.directory",
                (feed.athlete, feed.token, feed.busy_token, feed.directory),
            )

    def file_modified(self, path: str, changed: bool, now: dt.datetime) -> dt.datetime:
        """A file's Last-Modified: moves to ``now`` when its bytes changed, never backwards."""
        with self._lock:
            row = self._db.execute("SELECT last_modified FROM files WHERE path = ?", (path,)).fetchone()
            previous = _parse_ts(row[0]) if row else None
            if previous is not None and not changed:
                return previous
            stamp = now.astimezone(dt.UTC).replace(microsecond=0)
            if previous is not None and stamp <= previous:
                stamp = previous + dt.timedelta(seconds=1)
            self._db.execute(
                "INSERT INTO files (path, last_modified) VALUES (?, ?)"
                " ON CONFLICT (path) DO UPDATE SET last_modified = excluded.last_modified",
                (path, _ts(stamp)),
            )
            return stamp

    def forget_file(self, path: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM files WHERE path = ?", (path,))
