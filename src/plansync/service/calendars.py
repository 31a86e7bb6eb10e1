"""Workflows about calendar feeds: build, rotate, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plansync.calendars import feeds
from plansync.calendars.feeds import FeedResult
from plansync.errors import PlansyncError
from plansync.inputs.freshness import known_ids
from plansync.inputs.roster import check_unique_ids, profile_files
from plansync.service.settings import Settings
from plansync.state.ledger import FEED_INDEX_NAME, Ledger
from plansync.state.lock import writer


def build_feeds(
    settings: Settings, athletes: Path, out: Path, *, rebuild: bool = False, fit: bool = False
) -> tuple[FeedResult, Path]:
    """Every athlete's feeds into ``out``, links on ``feeds.base_url``; returns the result
    and the private index's path."""
    with writer(settings.state, "building feeds", wait=settings.wait), Ledger(settings.state) as ledger:
        check_unique_ids(profile_files(athletes), known_ids(ledger.builds("feed")))
        result = feeds.build_feeds(
            athletes,
            out,
            ledger,
            settings.now(),
            base_url=settings.base_url,
            templates=settings.templates,
            rebuild=rebuild,
            fit=fit,
        )
    return result, settings.state / FEED_INDEX_NAME


def rotate_feed(settings: Settings, athlete: str) -> Path:
    """New secret URLs for an athlete's feeds; returns the private index's path."""
    with (
        writer(settings.state, f"rotating {athlete}'s feeds", wait=settings.wait),
        Ledger(settings.state) as ledger,
    ):
        feeds.rotate(athlete, ledger, settings.now())
    return settings.state / FEED_INDEX_NAME


def server(directory: Path, host: str, port: int) -> Any:
    from plansync.calendars.server import make_server

    if not directory.is_dir():
        raise PlansyncError(f"{directory} is not a folder of feeds")
    return make_server(directory, host, port)
