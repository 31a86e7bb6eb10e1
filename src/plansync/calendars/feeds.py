"""Subscription feeds: one private calendar URL per athlete, and a busy-only one.

Feed files are static: ``feed build`` writes ``<token>.ics`` into a folder
that any static host, object store or CDN can serve to any number of
subscribers (``plansync serve`` is for development and small setups). The
tokens are 192 random bits from :mod:`secrets`; the index that maps athletes
to their URLs is private and lives in the state directory, never in the
served folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plansync.atomic import flush_folder, write_atomic
from plansync.errors import PlansyncError
from plansync.inputs.freshness import Inputs, inputs_for, payload, record_key, unchanged
from plansync.inputs.roster import profile_files
from plansync.parallel import PARALLEL_FROM, ordered_map, usable_cores
from plansync.state.ledger import FEED_INDEX_NAME as INDEX_NAME
from plansync.state.ledger import Feed, Ledger, Recorder

if TYPE_CHECKING:  # compiling and rendering are imported when an athlete needs building
    from plansync.core.plan import Plan
    from plansync.core.records import PlanRecord

TOKEN_BYTES = 24  # 192 bits


class FeedError(PlansyncError):
    pass


@dataclass
class FeedResult:
    built: list[str] = field(default_factory=list)  # athlete ids whose feeds were written
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (profile file, message)
    removed: list[str] = field(default_factory=list)  # athletes whose profile is gone: feeds taken down
    stale: int = 0  # after a lost state folder: feeds under the output that no athlete owns (feed prune)


def new_token() -> str:
    """An unguessable token that starts with a letter or digit (one starting with ``-`` reads
    as an option when a coach passes a feed file to a command)."""
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if token[0].isalnum():
            return token


def urls(base_url: str, token: str) -> dict[str, str]:
    https = f"{base_url.rstrip('/')}/{token}.ics"
    _scheme, _, rest = https.partition("://")
    return {"https": https, "webcal": f"webcal://{rest}"}


def write_feed_file(path: Path, data: bytes, ledger: Ledger, now: dt.datetime) -> bool:
    """Write when the bytes differ; set mtime to the ledger's never-backwards Last-Modified."""
    existing = _previous(path)
    changed = existing != data
    on_disk = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) if existing is not None else None
    if changed:
        write_atomic(path, data, durable=False)  # build_feeds flushes the folder once
    stamp = ledger.file_modified(path.name, changed, now, on_disk)
    os.utime(path, (stamp.timestamp(), stamp.timestamp()))
    return changed


STREAM_BATCH = 64  # worker results applied to the ledger in one transaction


def build_feeds(
    athletes: Path,
    out: Path,
    ledger: Ledger,
    now: dt.datetime,
    *,
    base_url: str,
    templates: Path | None = None,
    index: Path | None = None,
    rebuild: bool = False,
    fit: bool = False,
    staging: bool = False,
) -> FeedResult:
    """Every athlete's two feeds in ``out`` (with ``fit``, the next two weeks' workouts
    as FIT files in the folder ``out/<token>/``, beside the calendar's secret name). Athletes whose inputs have not changed since
    the last build (and whose files are in place) are not recompiled; ``rebuild`` forces
    everyone. Large rosters build on every core, in the same order, to the same bytes."""
    result = FeedResult()
    if not staging:  # a staging folder for an object store lives in the state directory, unserved
        check_out(out, ledger.path.parent)
    out.mkdir(parents=True, exist_ok=True)
    present: set[str] = set()
    unknown = False  # a profile whose id could not be read: take nothing down this time
    stored = {} if rebuild else ledger.builds("feed")
    feeds = {f.athlete: f for f in ledger.feeds()}
    work: list[Path] = []
    keys = {a: record_key(r) for a, r in ledger.plan_records().items()}
    for path in profile_files(athletes):
        athlete = _fresh(stored.get(os.path.abspath(path)), path, templates, now, feeds, out, fit, keys)
        if athlete is not None:
            present.add(athlete)
            result.unchanged.append(athlete)
        else:
            work.append(path)
    claimed = {t for f in feeds.values() for t in (f.token, f.busy_token)}
    unclaimed = unclaimed_files(out, claimed) if work else {}
    records = ledger.plan_records() if work else {}
    job = _Job(out, ledger.path.parent, now, templates, unclaimed, records, fit)
    # Workers' writes are applied as their results arrive, a batch at a time (athletes share
    # no ledger rows): memory stays flat in the roster's size, and a build stopped half-way
    # keeps what it finished.
    for batch in _batches(_run(job, work, ledger), STREAM_BATCH):
        ledger.replay(w for built in batch for w in built.writes)
        with ledger.transaction():
            for built in batch:
                if built.athlete is not None:
                    present.add(built.athlete)
                if built.error:
                    result.failed.append((built.path, built.error))
                    unknown = unknown or built.athlete is None
                    continue
                assert built.athlete is not None
                (result.built if built.changed else result.unchanged).append(built.athlete)
                ledger.remember_build(
                    "feed", Path(built.path), built.inputs, payload({"athlete": built.athlete})
                )
    if not unknown:
        result.removed = remove_gone(ledger, out, present)
    if result.built:
        flush_folder(out)
    write_index(ledger, index or ledger.path.parent / INDEX_NAME, base_url)
    return result


def _batches(items: Iterator[_Built], size: int) -> Iterator[list[_Built]]:
    """``items`` in lists of ``size`` (the last one shorter), taken as they come."""
    while batch := list(itertools.islice(items, size)):
        yield batch


def _fresh(
    record: tuple[str, str] | None,
    path: Path,
    templates: Path | None,
    now: dt.datetime,
    feeds: dict[str, Feed],
    out: Path,
    fit: bool = False,
    keys: dict[str, str] | None = None,
) -> str | None:
    """The athlete id when this profile's feeds are up to date and in place, else None
    (``keys``: each athlete's plan-record fingerprint now)."""
    if record is None:
        return None
    inputs = Inputs.from_json(record[0])
    athlete = json.loads(record[1]).get("athlete")
    key = (keys or {}).get(athlete, "") if isinstance(athlete, str) else ""
    if inputs is None or not unchanged(inputs, path, templates, now, key):
        return None
    feed = feeds.get(athlete) if isinstance(athlete, str) else None
    if feed is None or feed.directory != str(out):
        return None
    if not (out / f"{feed.token}.ics").is_file() or not (out / f"{feed.busy_token}.ics").is_file():
        return None
    if fit and not (out / feed.token).is_dir():
        return None
    return str(athlete)


@dataclass(frozen=True)
class _Job:
    out: Path
    state: Path
    now: dt.datetime
    templates: Path | None
    unclaimed: dict[tuple[str, bool], str]  # feed files no ledger row claims (see unclaimed_files)
    records: dict[str, PlanRecord] = field(default_factory=dict)  # the plans athletes have
    fit: bool = False  # also the next FIT_DAYS of workouts as FIT files in <token>/


@dataclass(frozen=True)
class _Built:
    path: str
    athlete: str | None = None
    changed: bool = False
    error: str = ""
    inputs: str = ""
    writes: tuple[tuple[str, tuple[Any, ...]], ...] = ()


def _run(job: _Job, paths: list[Path], ledger: Ledger) -> Iterator[_Built]:
    if len(paths) >= PARALLEL_FROM and usable_cores() > 1:
        yield from ordered_map(_build_in_worker, [job] * len(paths), paths)
    else:
        for path in paths:
            yield _build_one(job, path, ledger)


_worker_ledger: Ledger | None = None


def _build_in_worker(job: _Job, path: Path) -> _Built:
    """In a worker process: read the ledger, write nothing to it; the writes travel back with
    the result and the parent applies them, so workers never wait on each other for SQLite."""
    global _worker_ledger
    if _worker_ledger is None:
        _worker_ledger = Ledger(job.state, readonly=True)
    recorder = Recorder(_worker_ledger)
    built = _build_one(job, path, recorder)
    return dataclasses.replace(built, writes=tuple(recorder.writes))


def _build_one(job: _Job, path: Path, ledger: Ledger) -> _Built:
    from plansync.calendars.identity import calendar_bytes
    from plansync.core.compiler import Options
    from plansync.inputs.compiling import compile_profile
    from plansync.inputs.loader import find_template, read_profile, template_dirs

    out, now = job.out, job.now
    try:
        profile, doc = read_profile(path)
    except PlansyncError as exc:
        return _Built(str(path), error=str(exc))
    try:
        plan = compile_profile(profile, doc, job.templates, Options(), now=now, records=job.records)
        template = find_template(profile.plan.template, template_dirs(job.templates))
    except PlansyncError as exc:
        return _Built(str(path), profile.id, error=str(exc))
    with ledger.transaction():
        feed = ledger.feed(profile.id)
        if feed is None:
            feed = found_on_disk(out, plan, job.unclaimed) or Feed(
                profile.id, new_token(), new_token(), str(out)
            )
        ledger.save_feed(Feed(feed.athlete, feed.token, feed.busy_token, str(out)))
    full = calendar_bytes(plan, ledger, now, previous=_previous(out / f"{feed.token}.ics"))
    busy = calendar_bytes(plan, ledger, now, busy=True, previous=_previous(out / f"{feed.busy_token}.ics"))
    changed = write_feed_file(out / f"{feed.token}.ics", full, ledger, now)
    changed |= write_feed_file(out / f"{feed.busy_token}.ics", busy, ledger, now)
    if job.fit:
        changed |= _write_fit(plan, out / feed.token, now, profile.timezone)
    from plansync.core.records import given

    # The build gives the athlete the plan: its inputs name their record as the ledger now keeps it.
    key = record_key(given(plan, job.records.get(profile.id)))
    inputs = inputs_for(path, template, job.templates, now, profile.timezone, plan.start_date, key)
    return _Built(str(path), profile.id, changed, inputs=inputs.to_json())


FIT_DAYS = 14


def _write_fit(plan: Plan, folder: Path, now: dt.datetime, timezone: str) -> bool:
    """The workouts of the next FIT_DAYS (from the plan's first day, before it starts)."""
    from zoneinfo import ZoneInfo

    from plansync.watch.export import chosen, export_fit

    today = now.astimezone(ZoneInfo(timezone)).date()
    since = max(today, plan.start_date)
    done = export_fit(plan, folder, chosen(plan, since=since, days=FIT_DAYS), prune=True, index=True)
    return bool(done.written or done.removed)


def _previous(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


FIRST_UID = re.compile(rb"\r\nUID:([^\r\n]+)\r\n")


PLAN_UID = re.compile(r"(.+)-w\d+-[a-z0-9]+(-busy)?@")


def unclaimed_files(out: Path, claimed: set[str]) -> dict[tuple[str, bool], str]:
    """Feed files in ``out`` that no ledger row claims (a lost ledger), read once per build:
    (the athlete-and-template prefix of the UIDs inside, busy?) -> the file's token."""
    found: dict[tuple[str, bool], str] = {}
    for path in sorted(out.glob("*.ics")):
        if path.stem in claimed:
            continue
        try:
            with path.open("rb") as fh:
                head = fh.read(65_536)
        except OSError:
            continue
        match = FIRST_UID.search(head)
        uid = PLAN_UID.match(match.group(1).decode("utf-8", "replace")) if match else None
        if uid is not None:
            found.setdefault((uid.group(1), uid.group(2) is not None), path.stem)
    return found


def found_on_disk(out: Path, plan: Plan, unclaimed: dict[tuple[str, bool], str]) -> Feed | None:
    """An athlete's feed files already in ``out`` (the ledger was lost): told apart by the UIDs
    inside, which begin with the athlete's and the template's ids; the busy copy's end in
    ``-busy``. Keeps the links athletes subscribed to working after a fresh checkout."""
    prefix = f"{plan.athlete}-{plan.template}"
    token, busy = unclaimed.get((prefix, False)), unclaimed.get((prefix, True))
    if token is None or busy is None:
        return None
    return Feed(plan.athlete, token, busy, str(out))


def check_out(out: Path, state: Path) -> None:
    """The served folder must not hold the state (the private index, the ledger) or sit inside it."""
    served, private = out.resolve(), state.resolve()
    if served == private or private in served.parents or served in private.parents:
        raise FeedError(
            f"--out {out} would serve the state directory {state} (the private feed index and the "
            "ledger); choose a folder outside it, such as public/"
        )


def remove_gone(ledger: Ledger, out: Path, present: set[str]) -> list[str]:
    """Take down the feeds of athletes whose profiles are gone: their files, their tokens
    and their calendar rows. A returning athlete gets new, unguessable links."""
    removed = []
    for feed in ledger.feeds():
        if feed.athlete in present or (feed.directory and Path(feed.directory).resolve() != out.resolve()):
            continue
        for token in (feed.token, feed.busy_token):
            (out / f"{token}.ics").unlink(missing_ok=True)
            ledger.forget_file(f"{token}.ics")
        remove_fit_folder(out / feed.token)
        ledger.forget_feed(feed.athlete)
        removed.append(feed.athlete)
    return removed


def remove_fit_folder(folder: Path) -> None:
    """A feed's FIT folder: plansync's files, then the folder if that emptied it."""
    from plansync.watch.export import FILE_PATTERN, INDEX_PAGE

    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if FILE_PATTERN.match(path.name) or path.name == INDEX_PAGE:
            path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()


def write_index(ledger: Ledger, path: Path, base_url: str | None = None) -> dict[str, object]:
    """The private map athlete -> subscription URLs (mode 0600; keep it out of the served folder)."""
    if base_url is None and path.exists():
        base_url = json.loads(path.read_text(encoding="utf-8")).get("base_url")
    if base_url is None:
        raise FeedError(f"no base URL known for {path}: run `plansync feed build --base-url URL` first")
    data: dict[str, object] = {
        "base_url": base_url,
        "athletes": {
            f.athlete: {"calendar": urls(base_url, f.token), "busy": urls(base_url, f.busy_token)}
            for f in ledger.feeds()
        },
    }
    write_atomic(path, _index_text(data).encode(), mode=0o600)
    return data


def _index_text(data: dict[str, object]) -> str:
    """The index as JSON, one athlete a line (readable, and quick for thousands of athletes)."""
    athletes = data["athletes"]
    assert isinstance(athletes, dict)
    rows = [f"    {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(athletes.items())]
    body = ",\n".join(rows) + "\n" if rows else ""
    return f'{{\n  "athletes": {{\n{body}  }},\n  "base_url": {json.dumps(data["base_url"])}\n}}\n'


def rotate(athlete: str, ledger: Ledger, now: dt.datetime, *, index: Path | None = None) -> Feed:
    """New tokens for an athlete's feeds; the files move to them and the old URLs stop working."""
    feed = ledger.feed(athlete)
    if feed is None:
        known = ", ".join(f.athlete for f in ledger.feeds()) or "none"
        raise FeedError(f"no feed for athlete {athlete!r}; feeds exist for: {known}")
    fresh = Feed(athlete, new_token(), new_token(), feed.directory)
    if feed.directory:
        folder = Path(feed.directory)
        for old, new in ((feed.token, fresh.token), (feed.busy_token, fresh.busy_token)):
            source = folder / f"{old}.ics"
            if source.exists():
                os.replace(source, folder / f"{new}.ics")
            stamp = ledger.file_modified(f"{new}.ics", True, now)
            ledger.forget_file(f"{old}.ics")
            target = folder / f"{new}.ics"
            if target.exists():
                os.utime(target, (stamp.timestamp(), stamp.timestamp()))
        if (folder / feed.token).is_dir():  # the FIT files move with the calendar's name
            os.replace(folder / feed.token, folder / fresh.token)
    ledger.save_feed(fresh)
    write_index(ledger, index or ledger.path.parent / INDEX_NAME)
    return fresh
