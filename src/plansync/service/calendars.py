"""Workflows about calendar feeds: build, rotate, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plansync.calendars import feeds
from plansync.calendars.feeds import FeedResult
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
    return result, settings.state / FEED_INDEX_NAME, uploaded


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
