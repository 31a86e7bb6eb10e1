"""Subscription feeds: one private calendar URL per athlete, and a busy-only one.

Feed files are static: ``feed build`` writes ``<token>.ics`` into a folder
that any static host, object store or CDN can serve to any number of
subscribers (``plansync serve`` is for development and small setups). The
tokens are 192 random bits from :mod:`secrets`; the index that maps athletes
to their URLs is private and lives in the state directory, never in the
served folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from plansync.atomic import write_atomic
from plansync.calendars.identity import calendar_bytes
from plansync.core.compiler import Options
from plansync.core.plan import Plan
from plansync.errors import PlansyncError
from plansync.inputs.compiling import compile_profile
from plansync.inputs.loader import read_profile
from plansync.inputs.roster import profile_files
from plansync.state.ledger import FEED_INDEX_NAME as INDEX_NAME
from plansync.state.ledger import Feed, Ledger

TOKEN_BYTES = 24  # 192 bits


class FeedError(PlansyncError):
    pass


@dataclass
class FeedResult:
    built: list[str] = field(default_factory=list)  # athlete ids whose feeds were written
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (profile file, message)
    removed: list[str] = field(default_factory=list)  # athletes whose profile is gone: feeds taken down


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


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
        write_atomic(path, data)
    stamp = ledger.file_modified(path.name, changed, now, on_disk)
    os.utime(path, (stamp.timestamp(), stamp.timestamp()))
    return changed


def build_feeds(
    athletes: Path,
    out: Path,
    ledger: Ledger,
    now: dt.datetime,
    *,
    base_url: str,
    templates: Path | None = None,
    index: Path | None = None,
) -> FeedResult:
    result = FeedResult()
    check_out(out, ledger.path.parent)
    out.mkdir(parents=True, exist_ok=True)
    present: set[str] = set()
    unknown = False  # a profile whose id could not be read: take nothing down this time
    for profile_path in profile_files(athletes):
        try:
            profile, doc = read_profile(profile_path)
        except PlansyncError as exc:
            result.failed.append((str(profile_path), str(exc)))
            unknown = True
            continue
        present.add(profile.id)
        try:
            plan = compile_profile(profile, doc, templates, Options(), now=now)
        except PlansyncError as exc:
            result.failed.append((str(profile_path), str(exc)))
            continue
        feed = ledger.feed(profile.id)
        if feed is None:
            feed = found_on_disk(out, plan) or Feed(profile.id, new_token(), new_token(), str(out))
        ledger.save_feed(Feed(feed.athlete, feed.token, feed.busy_token, str(out)))
        full = calendar_bytes(plan, ledger, now, previous=_previous(out / f"{feed.token}.ics"))
        busy = calendar_bytes(
            plan, ledger, now, busy=True, previous=_previous(out / f"{feed.busy_token}.ics")
        )
        changed = write_feed_file(out / f"{feed.token}.ics", full, ledger, now)
        changed |= write_feed_file(out / f"{feed.busy_token}.ics", busy, ledger, now)
        (result.built if changed else result.unchanged).append(profile.id)
    if not unknown:
        result.removed = remove_gone(ledger, out, present)
    write_index(ledger, index or ledger.path.parent / INDEX_NAME, base_url)
    return result


def _previous(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


_FIRST_UID = re.compile(rb"\r\nUID:([^\r\n]+)\r\n")


def found_on_disk(out: Path, plan: Plan) -> Feed | None:
    """An athlete's feed files already in ``out`` (the ledger was lost): told apart by the UIDs
    inside, which begin with the athlete's and the template's ids; the busy copy's end in
    ``-busy``. Keeps the links athletes subscribed to working after a fresh checkout."""
    prefix = f"{plan.athlete}-{plan.template}-".encode()
    token = busy = None
    for path in sorted(out.glob("*.ics")):
        try:
            with path.open("rb") as fh:
                head = fh.read(65_536)
        except OSError:
            continue
        match = _FIRST_UID.search(head)
        if not match or not match.group(1).startswith(prefix):
            continue
        if match.group(1).split(b"@")[0].endswith(b"-busy"):
            busy = busy or path.stem
        else:
            token = token or path.stem
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
        ledger.forget_feed(feed.athlete)
        removed.append(feed.athlete)
    return removed


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
    write_atomic(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode(), mode=0o600)
    return data


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
    ledger.save_feed(fresh)
    write_index(ledger, index or ledger.path.parent / INDEX_NAME)
    return fresh
