"""The error tree drawn in plansync.errors is the whole tree."""

from __future__ import annotations

import importlib
import pkgutil

import plansync
from plansync import errors


def _subclasses(cls: type) -> set[type]:
    out: set[type] = set()
    sub: type
    for sub in cls.__subclasses__():
        out |= {sub, *_subclasses(sub)}
    return out


def test_every_error_plansync_raises_is_drawn_in_the_tree() -> None:
    for info in pkgutil.walk_packages(plansync.__path__, "plansync."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    ours = {c for c in _subclasses(errors.PlansyncError) if c.__module__.startswith("plansync.")}
    assert errors.__doc__ is not None
    missing = sorted(c.__name__ for c in ours if c.__name__ not in errors.__doc__)
    assert not missing, f"add these to the tree in plansync/errors.py: {missing}"
