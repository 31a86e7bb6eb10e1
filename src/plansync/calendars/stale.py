"""Feeds no athlete owns: found, named without their secret, and removed on request.

A feed file is plansync's when its name has the feed-file shape (``<token>.ics``,
``<token>/<date>-<slot>.fit``, ``<token>/index.html``); it is stale when no athlete
in the ledger owns its token. Stale feeds are left behind when a state folder was
lost before plansync could recover tokens, or restored from an old backup: each
still serves a frozen calendar to whoever subscribed. ``feed build`` says how many
there are after it recovered a lost state folder; ``feed prune`` lists them (by
the athlete and template the calendar's UIDs name, never by the token) and removes
them. Files that do not have the feed-file shape are never touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plansync.calendars.feeds import FIRST_UID, PLAN_UID, FeedError
from plansync.calendars.storage import FEED_FILE
from plansync.state.ledger import Ledger


@dataclass(frozen=True)
class StaleFeed:
    """One token's files that no athlete owns."""

    hint: str  # the token's first four characters: enough to tell feeds apart, not to use one
    whose: str  # "jane-doe-half-marathon-intermediate" (from the UIDs inside), or "unknown"
    busy: bool
    keys: tuple[str, ...]

    def line(self) -> str:
        kind = "busy-only feed" if self.busy else "feed"
        files = "1 file" if len(self.keys) == 1 else f"{len(self.keys)} files"
        return f"{self.whose} ({kind} {self.hint}…, {files})"


@dataclass(frozen=True)
class Place:
    """Where feeds live, as three operations: a local folder or an object store."""

    listing: Callable[[], Iterable[str]]
    head: Callable[[str], bytes]  # the first bytes of a calendar
    remove: Callable[[str], None]


def folder(out: Path) -> Place:
    def keys() -> Iterable[str]:
        if not out.is_dir():
            return []
        return (p.relative_to(out).as_posix() for p in sorted(out.rglob("*")) if p.is_file())

    def head(key: str) -> bytes:
        with (out / key).open("rb") as fh:
            return fh.read(65_536)

    def remove(key: str) -> None:
        path = out / key
        path.unlink(missing_ok=True)
        if path.parent != out and path.parent.is_dir() and not any(path.parent.iterdir()):
            path.parent.rmdir()

    return Place(keys, head, remove)


def store_place(store: Any) -> Place:
    import obstore

    def keys() -> Iterable[str]:
        return (str(meta["path"]) for chunk in obstore.list(store) for meta in chunk)

    def head(key: str) -> bytes:
        return bytes(obstore.get(store, key).bytes())[:65_536]

    def remove(key: str) -> None:
        obstore.delete(store, key)

    return Place(keys, head, remove)


def find(place: Place, ledger: Ledger) -> list[StaleFeed]:
    """Every token under ``place`` that no athlete in ``ledger`` owns, with its files."""
    owned = {t for f in ledger.feeds() for t in (f.token, f.busy_token)}
    groups: dict[str, list[str]] = defaultdict(list)
    for key in place.listing():
        if FEED_FILE.match(key):
            token = key.split("/")[0].removesuffix(".ics")
            if token not in owned:
                groups[token].append(key)
    out = []
    for token, keys in sorted(groups.items()):
        whose, busy = _whose(place, f"{token}.ics" if f"{token}.ics" in keys else None)
        out.append(StaleFeed(token[:4], whose, busy, tuple(sorted(keys))))
    return sorted(out, key=lambda s: (s.whose, s.busy, s.hint))


def _whose(place: Place, calendar: str | None) -> tuple[str, bool]:
    if calendar is None:
        return "unknown (watch files only)", False
    try:
        match = FIRST_UID.search(place.head(calendar))
    except Exception:  # unreadable: still stale, named as unknown
        match = None
    uid = PLAN_UID.match(match.group(1).decode("utf-8", "replace")) if match else None
    return (uid.group(1), uid.group(2) is not None) if uid else ("unknown", False)


def prune(place: Place, stale: list[StaleFeed]) -> int:
    """Remove the stale feeds' files; returns how many files went."""
    count = 0
    for feed in stale:
        for key in feed.keys:
            place.remove(key)
            count += 1
    return count


def refuse_empty(ledger: Ledger, where: str) -> None:
    """With no athlete's feed in the ledger every feed would look stale: refuse instead."""
    if not ledger.feeds():
        raise FeedError(
            f"no athlete has a feed in this state folder, so every feed under {where} would look stale: "
            "run feed build first (it recovers the athletes' URLs), then prune"
        )
