"""Behind the athlete's check-in page: a feed token to an athlete, and their check-in kept.

``plansync serve`` in a workspace gives each athlete a check-in page at their
feed's secret URL (:mod:`plansync.calendars.checkin_page`). The desk answers
whether a token is a feed's (the full calendar's, never the busy-only one), and
keeps a check-in through the same service as ``plansync checkin``: the next
``publish --all`` then publishes what it changes.
"""

from __future__ import annotations

import datetime as dt
import hmac
import threading
from pathlib import Path

from plansync.calendars.checkin_page import CheckinForm
from plansync.core.checkins import Checkin
from plansync.errors import PlansyncError
from plansync.inputs.loader import read_profile
from plansync.inputs.roster import profile_files
from plansync.service.checkins import check_in, one
from plansync.service.settings import Settings
from plansync.state.ledger import Ledger


class WorkspaceDesk:
    """Check-ins from the page, for the athletes of ``athletes`` with feeds in ``settings.state``."""

    def __init__(self, settings: Settings, athletes: Path) -> None:
        self.settings, self.athletes = settings, athletes
        self._lock = threading.Lock()  # one check-in at a time: each is a short write

    def _athlete(self, token: str) -> str | None:
        try:
            with Ledger(self.settings.state, readonly=True) as ledger:
                feeds = ledger.feeds()
        except PlansyncError:
            return None
        found = None
        for feed in feeds:  # every token compared in constant time: the answer's timing says nothing
            if hmac.compare_digest(feed.token.encode(), token.encode()):
                found = feed.athlete
        return found

    def _profile(self, athlete: str) -> Path | None:
        for path in profile_files(self.athletes):
            try:
                if read_profile(path)[0].id == athlete:
                    return path
            except PlansyncError:
                continue
        return None

    def knows(self, token: str) -> bool:
        athlete = self._athlete(token)
        return athlete is not None and self._profile(athlete) is not None

    def record(self, token: str, form: CheckinForm) -> bool:
        athlete = self._athlete(token)
        path = self._profile(athlete) if athlete is not None else None
        if path is None:
            return False
        asked = Checkin(dt.date.min, form.pain, form.where, form.when, form.red_flags, form.note)
        with self._lock:
            check_in(self.settings, path, one(self.settings, path, asked, None))
        return True
