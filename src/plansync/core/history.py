"""What has happened to an athlete's plan so far: one value the compiler plans around.

A first compile has an empty :class:`History`. A plan in progress has one that
keeps the weeks the athlete already has (``kept`` before ``kept_before``), and,
once ``plansync adapt`` has run, the runs the athlete actually did (``runs`` up
to ``runs_until``). The compiler reads nothing else about the past: no mode
flags, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from plansync.core.plan import Plan

Runs = tuple[tuple[dt.date, float], ...]  # (date, metres) of each run, in date order


@dataclass(frozen=True)
class History:
    """The plan in progress: weeks kept as they were, and what was actually run."""

    kept: Plan | None = None  # the plan the athlete has
    kept_before: dt.date | None = None  # its whole weeks ending before this day stay as they were
    runs: Runs | None = None  # what was actually run (None: not known, the plan counts)
    runs_until: dt.date | None = None  # the runs go up to the day before this one

    @property
    def adapting(self) -> bool:
        """Whether the plan is planned against what was actually run."""
        return self.runs is not None

    @property
    def in_progress(self) -> bool:
        return self.kept is not None

    def keeps(self, week_end: dt.date) -> bool:
        """Whether the week ending on ``week_end`` stays as the athlete has it."""
        return self.kept is not None and self.kept_before is not None and week_end < self.kept_before

    def ran(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, float]]:
        """The runs from ``first`` to ``last`` (both included) before ``runs_until``."""
        until = self.runs_until
        return [(d, m) for d, m in self.runs or () if first <= d <= last and (until is None or d < until)]

    def under_way(self, week_start: dt.date) -> bool:
        """Whether the week starting on ``week_start`` is partly run: today falls inside it."""
        return self.adapting and self.runs_until is not None and week_start < self.runs_until
