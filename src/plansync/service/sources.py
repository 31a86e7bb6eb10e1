"""What comes back from a platform: completed training and wellness, from any adapter that
declares it can read them (``supports_activities``, ``supports_soreness``), by name.

``--from NAME`` names an adapter (built-in or a plugin) unless a file of that name exists;
the service never imports a concrete adapter.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from plansync import adapters
from plansync.adapters.base import Adapter, AdapterContext, Athlete
from plansync.core.actuals import Activity
from plansync.errors import PlansyncError
from plansync.service.settings import Settings


def is_platform(source: str) -> bool:
    """Whether ``--from SOURCE`` names an adapter rather than a file."""
    return source in adapters.available() and not Path(source).exists()


def _open(settings: Settings, name: str, capability: str, what: str) -> Adapter:
    cls = adapters.load(name)
    if not getattr(cls, capability, False):
        able = [n for n in adapters.available() if getattr(adapters.load(n), capability, False)]
        raise PlansyncError(
            f"--from {name}: the {name} adapter cannot read {what}; "
            f"give a CSV file, or one of: {', '.join(able) or 'none installed'}"
        )
    return cls.from_config(AdapterContext(settings.state, settings.adapter_options(name, {})))


def platform_activities(
    settings: Settings, name: str, athlete: Athlete, start: dt.date, end: dt.date
) -> list[Activity]:
    """Completed training from the named platform."""
    adapter = _open(settings, name, "supports_activities", "completed training")
    try:
        return adapter.activities(athlete, start, end)
    finally:
        adapter.close()


def platform_soreness(
    settings: Settings, name: str, athlete: Athlete, start: dt.date, end: dt.date
) -> list[tuple[dt.date, int, str]]:
    """Daily soreness (1–4) with its comment from the named platform."""
    adapter = _open(settings, name, "supports_soreness", "wellness (soreness)")
    try:
        return adapter.soreness(athlete, start, end)
    finally:
        adapter.close()
