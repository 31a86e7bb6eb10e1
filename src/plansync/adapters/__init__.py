"""Export targets, by name: the built-ins and those installed as plugins.

A third-party package adds an adapter by declaring an entry point::

    [project.entry-points."plansync.adapters"]
    mycal = "mypackage.adapter:MyCalendarAdapter"

The class subclasses :class:`plansync.adapters.base.Adapter`.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

from plansync.adapters.base import Adapter, AdapterError
from plansync.state.ledger import RESERVED_TARGETS

ENTRY_POINT_GROUP = "plansync.adapters"
BUILTIN = {
    "ics": "plansync.adapters.ics:IcsAdapter",
    "trainingpeaks": "plansync.adapters.trainingpeaks.adapter:TrainingPeaksAdapter",
    "intervals": "plansync.adapters.intervals.adapter:IntervalsAdapter",
}


def available() -> dict[str, str]:
    """Adapter name -> where it comes from ("module:Class"); built-ins win a name clash."""
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    found.update(BUILTIN)
    return dict(sorted(found.items()))


def load(name: str) -> type[Adapter]:
    where = available().get(name)
    if where is None:
        raise AdapterError(f"no adapter named {name!r}; installed: {', '.join(available())}")
    module_name, _, attr = where.partition(":")
    try:
        cls = getattr(import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise AdapterError(f"adapter {name!r} ({where}) cannot be loaded: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise AdapterError(f"adapter {name!r} ({where}) is not a plansync Adapter")
    # The sync engine keeps the adapter's ledger rows under its class's name: the
    # registered name must be that name, and never one the calendars own.
    if getattr(cls, "name", None) != name:
        raise AdapterError(
            f"adapter {name!r} ({where}) calls itself {getattr(cls, 'name', None)!r}; "
            "the registered name and the class's name must be the same"
        )
    if name in RESERVED_TARGETS:
        raise AdapterError(f"adapter {name!r} ({where}) takes a name the calendars own in the ledger")
    return cls
