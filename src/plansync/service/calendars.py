"""Workflows about calendar feeds: build, rotate, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plansync.calendars import feeds, stale
from plansync.calendars.feeds import FeedResult
from plansync.calendars.stale import StaleFeed
from plansync.calendars.storage import SyncResult
from plansync.errors import PlansyncError
from plansync.inputs.freshness import known_ids
from plansync.inputs.roster import check_unique_ids, profile_files
from plansync.service.settings import Settings
from plansync.state.ledger import FEED_INDEX_NAME, Ledger
from plansync.state.lock import writer


def build_feeds(
    settings: Settings, athletes: Path, out: str | Path, *, rebuild: bool = False, fit: bool = False
) -> tuple[FeedResult, Path, SyncResult | None]:
    """Every athlete's feeds into ``out`` (a folder, or an object-store URL such as
    ``s3://bucket/prefix``: built in a staging folder in the state directory, then
    only what changed uploaded), links on ``feeds.base_url``; returns the result, the
    private index's path and, for a store, what the upload did."""
    from plansync.calendars import storage

    url = str(out) if storage.is_store_url(str(out)) else None
    store = storage.open_store(url) if url is not None else None  # a bad URL fails before any work
    folder = storage.staging_for(settings.state, url) if url is not None else Path(out)
    with writer(settings.state, "building feeds", wait=settings.wait), Ledger(settings.state) as ledger:
        fresh = not ledger.feeds()  # a first build, or a lost state folder: look for stale feeds after
        if url is not None and store is not None and not ledger.uploads(url):
            storage.check_store(store, url)
            storage.restore(store, url, folder, ledger)  # a lost state folder: the URLs come back
        check_unique_ids(profile_files(athletes), known_ids(ledger.builds("feed")))
        result = feeds.build_feeds(
            athletes,
            folder,
            ledger,
            settings.now(),
            base_url=settings.base_url,
            templates=settings.templates,
            rebuild=rebuild,
            fit=fit,
            staging=url is not None,
        )
        uploaded = storage.sync(folder, url, ledger, store=store) if url is not None else None
        if fresh and ledger.feeds():
            place = stale.store_place(store) if store is not None else stale.folder(folder)
            result.stale = len(stale.find(place, ledger))
    if url is None:
        ignore_in_git(folder)
    return result, settings.state / FEED_INDEX_NAME, uploaded


EXAMPLE_HOSTS = ("feeds.example.org",)  # what plansync init writes, until the coach sets theirs


def feed_links(index: Path, athletes: list[str]) -> list[tuple[str, str]]:
    """(athlete, subscription link) of the named athletes, from the private index."""
    import json

    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = data.get("athletes", {}) if isinstance(data, dict) else {}
    return [(a, str(found[a]["calendar"]["webcal"])) for a in athletes if a in found]


def base_url_warning(settings: Settings) -> str | None:
    """A warning when the links point at the example host, not where the feeds are served."""
    url = settings.base_url or ""
    if any(host in url for host in EXAMPLE_HOSTS):
        return (
            f"the links point at {url}, the example in plansync.toml: set feeds.base_url to the "
            "address the output folder is served from, then build again"
        )
    return None


def ignore_in_git(folder: Path) -> None:
    """A folder of secret, token-named calendars keeps itself out of git (a .gitignore of ``*``)."""
    marker = folder / ".gitignore"
    if folder.is_dir() and not marker.exists():
        from plansync.atomic import write_atomic

        write_atomic(marker, b"# secret feed URLs: never committed\n*\n")


def prune_feeds(settings: Settings, out: str, *, dry_run: bool = False) -> tuple[list[StaleFeed], int]:
    """The feeds under ``out`` (a folder or a store URL) that no athlete owns, and how many of
    their files were removed (none with ``dry_run``)."""
    from plansync.calendars import storage

    url = out if storage.is_store_url(out) else None
    with writer(settings.state, "pruning feeds", wait=settings.wait), Ledger(settings.state) as ledger:
        stale.refuse_empty(ledger, out)
        if url is not None:
            store = storage.open_store(url)
            storage.check_store(store, url)
            place = stale.store_place(store)
        else:
            place = stale.folder(Path(out))
        found = stale.find(place, ledger)
        if dry_run:
            return found, 0
        removed = stale.prune(place, found)
        if url is not None:  # their staged copies and upload records go too, or a rebuild would keep them
            folder = storage.staging_for(settings.state, url)
            for key in (k for feed in found for k in feed.keys):
                (folder / key).unlink(missing_ok=True)
                ledger.forget_upload(url, key)
        return found, removed


def rotate_feed(settings: Settings, athlete: str) -> Path:
    """New secret URLs for an athlete's feeds; returns the private index's path."""
    with (
        writer(settings.state, f"rotating {athlete}'s feeds", wait=settings.wait),
        Ledger(settings.state) as ledger,
    ):
        feeds.rotate(athlete, ledger, settings.now())
    return settings.state / FEED_INDEX_NAME


def server(directory: Path, host: str, port: int, settings: Settings | None = None) -> Any:
    """The feeds in ``directory`` over HTTP; with ``settings`` naming an athletes folder, each
    athlete's check-in page at their feed's secret URL too."""
    from plansync.calendars.server import make_server

    if not directory.is_dir():
        raise PlansyncError(f"{directory} is not a folder of feeds")
    desk = None
    if settings is not None and settings.athletes is not None:
        from plansync.service.checkin_desk import WorkspaceDesk

        desk = WorkspaceDesk(settings, settings.athletes)
    return make_server(directory, host, port, desk)
