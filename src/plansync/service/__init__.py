"""The one front door for commands: typed settings merged once, and the workflows.

The CLI calls this package and nothing below it (an import-linter contract):
:mod:`.settings` merges flag > environment > plansync.toml > default;
:mod:`.plans` compiles, validates and exports; :mod:`.calendars` builds and
rotates feeds; :mod:`.publishing` publishes one athlete or everyone who needs
it and reports status; :mod:`.athletes` sets up a workspace and takes a
consultation. The result types the CLI presents are re-exported here, imported
on first use so ``plansync --help`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Action": "plansync.publishing.engine",
    "AthleteResult": "plansync.publishing.batch",
    "AthleteStatus": "plansync.publishing.status",
    "FeedResult": "plansync.calendars.feeds",
    "Options": "plansync.core.compiler",
    "Plan": "plansync.core.plan",
    "Report": "plansync.inputs.validate",
    "Summary": "plansync.publishing.engine",
    "Workout": "plansync.core.plan",
}
__all__ = [
    "Action",
    "AthleteResult",
    "AthleteStatus",
    "FeedResult",
    "Options",
    "Plan",
    "Report",
    "Summary",
    "Workout",
]

if TYPE_CHECKING:
    from plansync.calendars.feeds import FeedResult
    from plansync.core.compiler import Options
    from plansync.core.plan import Plan, Workout
    from plansync.inputs.validate import Report
    from plansync.publishing.batch import AthleteResult
    from plansync.publishing.engine import Action, Summary
    from plansync.publishing.status import AthleteStatus


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'plansync.service' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
