"""What a caller may override at compile time: the plan's dates and length, and today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """Overrides of the profile's plan dates. ``today`` refuses races in the past; what has
    happened to a plan in progress is not an option but its :class:`~plansync.core.history.History`."""

    race_date: dt.date | None = None
    start_date: dt.date | None = None
    weeks: int | None = None
    today: dt.date | None = None
