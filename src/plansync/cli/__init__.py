"""The ``plansync`` command: a thin click layer over the library.

Each command parses its arguments, calls the library and prints. Library
modules are imported inside the commands so ``plansync --help`` stays fast.
The commands live by subject in this package; :mod:`.base` holds the group,
the clock, the workspace lookup and the one place errors become messages.
"""

from plansync.cli import adapting, calendars, checkins, coach, plans, publishing  # noqa: F401  (they register their commands)
from plansync.cli.base import main

__all__ = ["main"]
