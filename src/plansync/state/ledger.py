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

import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plansync._version import __version__
from plansync.core.records import PlanRecord
from plansync.errors import PlansyncError

DEFAULT_STATE_DIR = Path(".plansync")
FILE_NAME = "ledger.sqlite3"
FEED_INDEX_NAME = "feeds-index.json"  # the private map of feed links, beside the ledger
SCHEMA_VERSION = 4
log = logging.getLogger("plansync")
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
# What status and publishing ask of every athlete in turn, found without reading every row:
# without them, each athlete's question read the whole table, and a roster's status took time
# in the square of its size (2,000 athletes: 183 s, against 0.7 s for 100).
_INDEXES = """
CREATE INDEX IF NOT EXISTS entries_kept ON entries (athlete) WHERE kept IS NOT NULL;
CREATE INDEX IF NOT EXISTS published_athlete ON published (athlete);
"""
# Columns added to a table since it was first made (schema 4: what the platform showed, and a
# person's change kept): added where missing, so a ledger of any age gets them once.
_ADDED_COLUMNS = (("entries", "seen", "TEXT"), ("entries", "kept", "TEXT"))
REPAIR_HINT = "run the command again with --repair to move it aside and rebuild it from what is published"


class LedgerError(PlansyncError):
    """The ledger cannot be used; the message names the file and what to do."""


class LedgerCorrupt(LedgerError):
    """The ledger file is damaged; ``--repair`` moves it aside and rebuilds it."""


def _error(path: Path, exc: sqlite3.Error) -> LedgerError:
    text = str(exc)
    lowered = text.lower()
    if any(
        w in lowered
        for w in (
            "not a database",
            "malformed",
            "corrupt",
            "no such table",
            "no such column",
            "could not decode",
        )
    ):
        return LedgerCorrupt(f"{path}: the ledger is damaged ({text}); {REPAIR_HINT}")
    if "readonly" in lowered or "read-only" in lowered:
        return LedgerError(
            f"{path} is read-only: this command writes the ledger; --dry-run and status work without writing"
        )
    if "disk is full" in lowered or "disk i/o" in lowered:
        return LedgerError(f"{path}: the disk is full or failing ({text}); free space and run again")
    if "unable to open" in lowered:
        what = "it is a directory" if path.is_dir() else "permission denied or missing folder"
        return LedgerError(f"{path} cannot be opened ({what}); move it away or fix its permissions")
    if "locked" in lowered or "busy" in lowered:
        return LedgerError(f"{path} stayed locked by another plansync for 30 s; run again when it is done")
    return LedgerError(f"{path}: {text}")


def _private(path: Path, mode: int, what: str) -> None:
    """Tighten a file or folder others can read to ``mode``, and say so."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if current & 0o077:
        try:
            os.chmod(path, mode)
        except OSError:
            return
        log.warning("%s was readable by others (mode %o); tightened to %o (%s)", path, current, mode, what)


class _Rows:
    """A cursor whose reads fail as :class:`LedgerError` too (a damaged page shows up there)."""

    def __init__(self, cursor: sqlite3.Cursor, path: Path) -> None:
        self._cursor, self._path = cursor, path
        self.rowcount = cursor.rowcount

    def fetchone(self) -> Any:
        try:
            return self._cursor.fetchone()
        except sqlite3.Error as exc:
            raise _error(self._path, exc) from None

    def fetchall(self) -> list[Any]:
        try:
            return self._cursor.fetchall()
        except sqlite3.Error as exc:
            raise _error(self._path, exc) from None


class _Guarded:
    """A connection whose every sqlite failure becomes a :class:`LedgerError` naming the file."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db, self._path = db, path

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> _Rows:
        try:
            return _Rows(self._db.execute(sql, params), self._path)
        except sqlite3.Error as exc:
            raise _error(self._path, exc) from None

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        try:
            self._db.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise _error(self._path, exc) from None

    def executescript(self, sql: str) -> None:
        try:
            self._db.executescript(sql)
        except sqlite3.Error as exc:
            raise _error(self._path, exc) from None

    def close(self) -> None:
        self._db.close()


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
    seen TEXT,                     -- what the platform showed of it when written (markers.seen)
    kept TEXT,                     -- a change a person made there that plansync keeps
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
CREATE TABLE IF NOT EXISTS profile_files (
    path TEXT PRIMARY KEY,         -- a profile file, resolved
    athlete TEXT NOT NULL          -- the id it had when it was last published
);
CREATE TABLE IF NOT EXISTS builds (
    purpose TEXT NOT NULL,         -- "feed" or "status"
    path TEXT NOT NULL,            -- the profile file, resolved
    inputs TEXT NOT NULL,          -- JSON: what the plan was made from (plansync.inputs.freshness)
    result TEXT NOT NULL,          -- JSON: what the run made of it
    PRIMARY KEY (purpose, path)
);
CREATE TABLE IF NOT EXISTS aliases (
    old TEXT PRIMARY KEY,          -- an athlete id that was renamed
    new TEXT NOT NULL              -- what it is now: items marked with the old id are the new one's
);
CREATE TABLE IF NOT EXISTS uploads (
    dest TEXT NOT NULL,            -- an object-store URL feeds are published to
    key TEXT NOT NULL,             -- the object's key under it: only objects plansync wrote
    sha256 TEXT NOT NULL,          -- of the bytes uploaded
    size INTEGER NOT NULL,         -- of the local file then, with its mtime: unchanged files are not re-hashed
    mtime_ns INTEGER NOT NULL,
    PRIMARY KEY (dest, key)
);
CREATE TABLE IF NOT EXISTS plans (
    athlete TEXT PRIMARY KEY,
    record TEXT NOT NULL           -- JSON: the plan the athlete has (plansync.core.progress.PlanRecord)
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
    seen: str | None = None  # what the platform showed of it when plansync wrote it
    kept: str | None = None  # moved, edited, deleted, conflict, completed: a person's change, kept


@dataclass(frozen=True)
class Feed:
    athlete: str
    token: str
    busy_token: str
    directory: str | None


def _ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()


_PUT = (
    "INSERT INTO entries (target, athlete, uid, content_hash, sequence, last_modified, date,"
    " remote_id, seen, kept) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (target, athlete, uid) DO UPDATE SET content_hash = excluded.content_hash,"
    " sequence = excluded.sequence, last_modified = excluded.last_modified,"
    " date = excluded.date, remote_id = excluded.remote_id, seen = excluded.seen, kept = excluded.kept"
)


def _entry_row(target: str, athlete: str, entry: Entry) -> tuple[Any, ...]:
    return (
        target,
        athlete,
        entry.uid,
        entry.content_hash,
        entry.sequence,
        _ts(entry.last_modified),
        entry.date.isoformat(),
        entry.remote_id,
        entry.seen,
        entry.kept,
    )


def _parse_ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


class Ledger:
    """A connection to the ledger file; safe to share between threads.

    ``readonly`` opens it for reading only (``status``, ``--dry-run``): nothing is
    created or changed, a missing ledger reads as empty, and a read-only state
    directory is fine. ``repair`` moves a damaged ledger aside first (see :meth:`repair`).
    """

    def __init__(
        self, state_dir: Path = DEFAULT_STATE_DIR, *, readonly: bool = False, repair: bool = False
    ) -> None:
        self.path = state_dir / FILE_NAME
        self.readonly = readonly
        self._lock = threading.RLock()
        try:
            self._db = self._open_readonly() if readonly else self._open(state_dir)
            if repair and not readonly:
                self._check_whole()
        except LedgerCorrupt:
            if not repair or readonly:
                raise
            with contextlib.suppress(AttributeError):
                self._db.close()
            self.repair(self.path)
            self._db = self._open(state_dir)
            self.restore_feeds(state_dir / FEED_INDEX_NAME)

    def _open(self, state_dir: Path) -> _Guarded:
        from plansync.state.lock import state_dir as private_dir

        private_dir(state_dir)
        _private(state_dir, 0o700, "the state directory holds tokens and feed links")
        if self.path.is_dir():
            raise LedgerError(f"{self.path} is a directory, not a ledger; move it away and run again")
        if not self.path.exists():
            try:
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            except OSError as exc:
                raise LedgerError(f"{self.path} cannot be created ({exc.strerror})") from None
        _private(self.path, 0o600, "the ledger holds every athlete's feed token")
        try:
            raw = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None
        db = _Guarded(raw, self.path)
        try:
            self._prepare(db)
        except BaseException:
            db.close()
            raise
        return db

    def _check_whole(self) -> None:
        """Read every page (``--repair`` asks for it): damage deep in the file shows up here."""
        row = self._db.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            raise LedgerCorrupt(f"{self.path}: the ledger is damaged ({row[0] if row else 'unreadable'})")
        for table in (
            "entries",
            "published",
            "feeds",
            "files",
            "profile_files",
            "aliases",
            "plans",
            "uploads",
        ):
            self._db.execute(f"SELECT * FROM {table}").fetchall()
        try:
            for target, athlete in self._db.execute(
                "SELECT DISTINCT target, athlete FROM entries"
            ).fetchall():
                self.entries(target, athlete)
        except (TypeError, ValueError) as exc:
            raise self._damaged(exc) from None

    def _prepare(self, db: _Guarded) -> None:
        version = self._version(db)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        for step in range(version + 1, SCHEMA_VERSION + 1):
            if version and step in _MIGRATIONS:
                db.executescript(_MIGRATIONS[step])
        for table, column, kind in _ADDED_COLUMNS:
            have = {str(r[1]) for r in db.execute(f"PRAGMA table_info({table})").fetchall()}
            if column not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        db.executescript(_INDEXES)  # after the added columns: a ledger of any age gets them
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _version(self, db: _Guarded) -> int:
        row = db.execute("PRAGMA user_version").fetchone()
        db.execute(
            "SELECT count(*) FROM sqlite_master"
        ).fetchone()  # reads the schema: a damaged file fails here
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"{self.path} was written by a newer plansync (ledger schema {version}; plansync "
                f"{__version__} reads up to {SCHEMA_VERSION}): upgrade plansync; the file is left as it is"
            )
        return version

    def _open_readonly(self) -> _Guarded:
        if not self.path.exists():
            raw = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            db = _Guarded(raw, self.path)
            db.executescript(_SCHEMA)
            return db
        if self.path.is_dir():
            raise LedgerError(f"{self.path} is a directory, not a ledger; move it away and run again")
        # A read-only folder cannot hold the WAL's shared-memory file: then read the file as it is.
        failure: LedgerError | None = None
        for query in ("mode=ro", "immutable=1"):
            try:
                raw = sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?{query}",
                    uri=True,
                    check_same_thread=False,
                    isolation_level=None,
                    timeout=30,
                )
            except sqlite3.Error as exc:
                failure = _error(self.path, exc)
                continue
            db = _Guarded(raw, self.path)
            try:
                version = self._version(db)
            except LedgerCorrupt:
                db.close()
                raise
            except LedgerError as exc:
                db.close()
                failure = exc
                continue
            if version < SCHEMA_VERSION:
                db.close()
                raise LedgerError(
                    f"{self.path} is from an older plansync: run any publish once to upgrade it"
                )
            return db
        assert failure is not None
        raise failure

    @staticmethod
    def repair(path: Path) -> Path:
        """Move a damaged ledger (and its WAL files) aside as ``ledger.sqlite3.corrupt-<time>``;
        publishing then rebuilds it by adopting what carries plansync's marker, and the feed
        tokens come back from the private feed index."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        os.replace(path, aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        log.warning("%s was damaged: moved aside to %s; it is rebuilt from what is published", path, aside)
        return aside

    def close(self) -> None:
        self._db.close()

    def _damaged(self, exc: Exception) -> LedgerCorrupt:
        return LedgerCorrupt(
            f"{self.path}: the ledger is damaged (a row does not read: {exc}); {REPAIR_HINT}"
        )

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
                "SELECT uid, content_hash, sequence, last_modified, date, remote_id, seen, kept FROM entries"
                " WHERE target = ? AND athlete = ?",
                (target, athlete),
            ).fetchall()
        try:
            return {
                r[0]: Entry(
                    r[0], r[1], int(r[2]), _parse_ts(r[3]), dt.date.fromisoformat(r[4]), r[5], r[6], r[7]
                )
                for r in rows
            }
        except (ValueError, TypeError) as exc:
            raise self._damaged(exc) from None

    def kept_changes(self, athlete: str) -> list[tuple[str, str, str]]:
        """(target, workout id, what) of every change a person made on a target that plansync
        keeps for the athlete: moved, edited, deleted, completed, conflict."""
        with self._lock:
            rows = self._db.execute(
                "SELECT target, uid, kept FROM entries WHERE athlete = ? AND kept IS NOT NULL ORDER BY target, uid",
                (athlete,),
            ).fetchall()
        return [(str(t), str(u), str(k)) for t, u, k in rows]

    def put(self, target: str, athlete: str, entry: Entry) -> None:
        with self._lock:
            self._db.execute(_PUT, _entry_row(target, athlete, entry))

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
        try:
            return {r[0]: (r[1], _parse_ts(r[2])) for r in rows}
        except (ValueError, TypeError) as exc:
            raise self._damaged(exc) from None

    # --- feed objects uploaded to object stores ---------------------------------

    def uploads(self, dest: str) -> dict[str, tuple[str, int, int]]:
        """key -> (sha256, size, mtime_ns) of every object plansync uploaded to ``dest``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, sha256, size, mtime_ns FROM uploads WHERE dest = ?", (dest,)
            ).fetchall()
        return {str(r[0]): (str(r[1]), int(r[2]), int(r[3])) for r in rows}

    def record_upload(self, dest: str, key: str, sha256: str, size: int, mtime_ns: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO uploads (dest, key, sha256, size, mtime_ns) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (dest, key) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,"
                " mtime_ns = excluded.mtime_ns",
                (dest, key, sha256, size, mtime_ns),
            )

    def forget_upload(self, dest: str, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM uploads WHERE dest = ? AND key = ?", (dest, key))

    # --- the plans athletes have ------------------------------------------------

    def plan_records(self) -> dict[str, PlanRecord]:
        """Every athlete's plan record: when their plan was made, with which dates."""
        with self._lock:
            rows = self._db.execute("SELECT athlete, record FROM plans").fetchall()
        try:
            return {str(a): PlanRecord.from_dict(json.loads(r)) for a, r in rows}
        except (ValueError, TypeError, KeyError) as exc:
            raise self._damaged(exc) from None

    def set_adaptation(self, record: PlanRecord) -> None:
        """Keep (or, with ``adapted_from`` None, end) the athlete's adaptation, as given."""
        with self._lock:
            self._db.execute(
                "INSERT INTO plans (athlete, record) VALUES (?, ?)"
                " ON CONFLICT (athlete) DO UPDATE SET record = excluded.record",
                (record.athlete, json.dumps(record.as_dict(), sort_keys=True)),
            )

    def remember_plan(self, record: PlanRecord) -> None:
        """Keep the plan an athlete now has (:meth:`PlanRecord.kept_over` the record before)."""
        with self._lock:
            row = self._db.execute("SELECT record FROM plans WHERE athlete = ?", (record.athlete,)).fetchone()
            if row is not None:
                old = PlanRecord.from_dict(json.loads(row[0]))
                record = record.kept_over(old)
                if old == record:
                    return
            self._db.execute(
                "INSERT INTO plans (athlete, record) VALUES (?, ?)"
                " ON CONFLICT (athlete) DO UPDATE SET record = excluded.record",
                (record.athlete, json.dumps(record.as_dict(), sort_keys=True)),
            )

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

    # --- incremental runs -----------------------------------------------------------

    def builds(self, purpose: str) -> dict[str, tuple[str, str]]:
        """Per profile file: the inputs and the result of the last run of ``purpose``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT path, inputs, result FROM builds WHERE purpose = ?", (purpose,)
            ).fetchall()
        return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}

    def remember_build(self, purpose: str, path: Path, inputs: str, result: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO builds (purpose, path, inputs, result) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (purpose, path) DO UPDATE SET inputs = excluded.inputs, result = excluded.result",
                (purpose, os.path.abspath(path), inputs, result),
            )

    def forget_feed(self, athlete: str) -> None:
        """An athlete's feed tokens and calendar rows, gone (the athlete left the roster)."""
        with self.transaction():
            self._db.execute("DELETE FROM feeds WHERE athlete = ?", (athlete,))
            self._db.execute(
                "DELETE FROM entries WHERE athlete = ? AND target IN (?, ?)",
                (athlete, CALENDAR_TARGET, CALENDAR_BUSY_TARGET),
            )

    def file_modified(
        self, path: str, changed: bool, now: dt.datetime, on_disk: dt.datetime | None = None
    ) -> dt.datetime:
        """A file's Last-Modified: moves to ``now`` when its bytes changed, never backwards.
        ``on_disk`` is the file's own time, taken when the ledger has none (a lost ledger)."""
        with self._lock:
            row = self._db.execute("SELECT last_modified FROM files WHERE path = ?", (path,)).fetchone()
            try:
                previous = _parse_ts(row[0]) if row else None
            except (ValueError, TypeError) as exc:
                raise self._damaged(exc) from None
            if previous is None and on_disk is not None:
                previous = on_disk.astimezone(dt.UTC).replace(microsecond=0)
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

    def replay(self, writes: Iterable[tuple[str, tuple[Any, ...]]]) -> None:
        """Apply the writes a :class:`Recorder` kept, in one transaction; entries in bulk."""
        with self.transaction():
            rows = []
            for name, args in writes:
                if name == "put_row":  # already the row to insert: cheap to send between processes
                    rows.append(args)
                    continue
                if rows:
                    self._put_rows(rows)
                    rows = []
                getattr(self, name)(*args)
            if rows:
                self._put_rows(rows)

    def _put_rows(self, rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(_PUT, rows)

    def set_file_modified(self, path: str, stamp: dt.datetime) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO files (path, last_modified) VALUES (?, ?)"
                " ON CONFLICT (path) DO UPDATE SET last_modified = excluded.last_modified",
                (path, _ts(stamp)),
            )

    def forget_file(self, path: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM files WHERE path = ?", (path,))

    # --- identity: which file is which athlete, and renames ----------------------

    def profile_athlete(self, path: Path) -> str | None:
        """The athlete id ``path`` had when it was last published, if it was."""
        with self._lock:
            row = self._db.execute(
                "SELECT athlete FROM profile_files WHERE path = ?", (str(path.resolve()),)
            ).fetchone()
        return str(row[0]) if row else None

    def remember_profile(self, path: Path, athlete: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO profile_files (path, athlete) VALUES (?, ?)"
                " ON CONFLICT (path) DO UPDATE SET athlete = excluded.athlete",
                (str(path.resolve()), athlete),
            )

    def has_published(self, athlete: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM entries WHERE athlete = ? AND remote_id IS NOT NULL LIMIT 1", (athlete,)
            ).fetchone()
        return row is not None

    @staticmethod
    def renamed_uid(uid: str, old: str, new: str) -> str:
        """A workout id under an athlete's new id (ids begin with the athlete's id)."""
        return new + uid[len(old) :] if uid.startswith(f"{old}-") else uid

    def aliases(self, athlete: str) -> set[str]:
        """Earlier ids of an athlete: items marked with them are the athlete's own."""
        with self._lock:
            rows = self._db.execute("SELECT old FROM aliases WHERE new = ?", (athlete,)).fetchall()
        return {str(r[0]) for r in rows}

    def rename(self, old: str, new: str) -> int:
        """Move an athlete's rows from ``old`` to ``new``: entries (marked for an update, so
        each remote item gets the new marker), publication records, the feed token and the
        file map; ``old`` becomes an alias of ``new``. Returns how many entries moved."""
        with self.transaction():
            if self._db.execute("SELECT 1 FROM entries WHERE athlete = ? LIMIT 1", (new,)).fetchone():
                raise LedgerError(f"{self.path}: athlete {new!r} already has published workouts")
            # Workout ids begin with the athlete's id: they move with it.
            moved = self._db.execute(
                "UPDATE entries SET athlete = ?, content_hash = 'renamed', uid = ? || substr(uid, ?)"
                " WHERE athlete = ? AND remote_id IS NOT NULL AND substr(uid, 1, ?) = ?",
                (new, new, len(old) + 1, old, len(old) + 1, f"{old}-"),
            ).rowcount
            self._db.execute("DELETE FROM entries WHERE athlete = ?", (old,))  # calendars re-stamp
            self._db.execute(
                "UPDATE published SET athlete = ?, plan_hash = 'renamed' WHERE athlete = ?", (new, old)
            )
            self._db.execute("UPDATE feeds SET athlete = ? WHERE athlete = ?", (new, old))
            self._db.execute("UPDATE profile_files SET athlete = ? WHERE athlete = ?", (new, old))
            self._db.execute("DELETE FROM plans WHERE athlete = ?", (new,))
            for (text,) in self._db.execute("SELECT record FROM plans WHERE athlete = ?", (old,)).fetchall():
                data = json.loads(text)
                data["athlete"] = new
                self._db.execute(
                    "UPDATE plans SET athlete = ?, record = ? WHERE athlete = ?",
                    (new, json.dumps(data, sort_keys=True), old),
                )
            self._db.execute("UPDATE aliases SET new = ? WHERE new = ?", (new, old))
            self._db.execute(
                "INSERT INTO aliases (old, new) VALUES (?, ?) ON CONFLICT (old) DO UPDATE SET new = excluded.new",
                (old, new),
            )
        return int(moved)

    def restore_feeds(self, index: Path) -> int:
        """After a repair: take the feed tokens back from the private feed index, so
        athletes' subscription links keep working. Returns how many came back."""
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
            athletes = data["athletes"]
        except (OSError, ValueError, KeyError, TypeError):
            return 0
        restored = 0
        for athlete, links in athletes.items():
            try:
                token = links["calendar"]["https"].rsplit("/", 1)[1].removesuffix(".ics")
                busy = links["busy"]["https"].rsplit("/", 1)[1].removesuffix(".ics")
            except (KeyError, TypeError, AttributeError, IndexError):
                continue
            if self.feed(athlete) is None:
                self.save_feed(Feed(athlete, token, busy, None))
                restored += 1
        return restored


class Recorder(Ledger):
    """A ledger that reads through to another and keeps its writes as a list to replay
    (``getattr(ledger, name)(*args)``): how worker processes build feeds without taking
    SQLite's write lock. It records what one athlete's feed build writes."""

    def __init__(self, reader: Ledger) -> None:
        self.path = reader.path
        self.readonly = True
        self._lock = threading.RLock()
        self._reader = reader
        self.writes: list[tuple[str, tuple[Any, ...]]] = []
        self._entries: dict[tuple[str, str], dict[str, Entry]] = {}
        self._feeds: dict[str, Feed] = {}
        self._files: dict[str, dt.datetime] = {}

    def close(self) -> None:
        pass

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def entries(self, target: str, athlete: str) -> dict[str, Entry]:
        key = (target, athlete)
        if key not in self._entries:
            self._entries[key] = self._reader.entries(target, athlete)
        return dict(self._entries[key])

    def put(self, target: str, athlete: str, entry: Entry) -> None:
        self.entries(target, athlete)
        self._entries[(target, athlete)][entry.uid] = entry
        self.writes.append(("put_row", _entry_row(target, athlete, entry)))

    def remove(self, target: str, athlete: str, uid: str) -> None:
        self.entries(target, athlete)
        self._entries[(target, athlete)].pop(uid, None)
        self.writes.append(("remove", (target, athlete, uid)))

    def feed(self, athlete: str) -> Feed | None:
        return self._feeds.get(athlete) or self._reader.feed(athlete)

    def save_feed(self, feed: Feed) -> None:
        self._feeds[feed.athlete] = feed
        self.writes.append(("save_feed", (feed,)))

    def remember_plan(self, record: PlanRecord) -> None:
        self.writes.append(("remember_plan", (record,)))

    def file_modified(
        self, path: str, changed: bool, now: dt.datetime, on_disk: dt.datetime | None = None
    ) -> dt.datetime:
        with self._reader._lock:
            row = self._reader._db.execute(
                "SELECT last_modified FROM files WHERE path = ?", (path,)
            ).fetchone()
        previous = _parse_ts(row[0]) if row else None
        if previous is None and on_disk is not None:
            previous = on_disk.astimezone(dt.UTC).replace(microsecond=0)
        if previous is not None and not changed:
            if row is None:
                self.writes.append(("set_file_modified", (path, previous)))
            return previous
        stamp = now.astimezone(dt.UTC).replace(microsecond=0)
        if previous is not None and stamp <= previous:
            stamp = previous + dt.timedelta(seconds=1)
        self.writes.append(("set_file_modified", (path, stamp)))
        return stamp


def plan_records(state: Path) -> dict[str, PlanRecord]:
    """The plans athletes already have, read-only; none when there is no ledger yet."""
    if not (state / FILE_NAME).exists():
        return {}
    try:
        with Ledger(state, readonly=True) as ledger:
            return ledger.plan_records()
    except LedgerError:  # older or damaged: the command that writes it says so, and repairs
        return {}
