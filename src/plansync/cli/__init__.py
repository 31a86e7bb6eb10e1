"""The ``plansync`` command: a thin click layer over the library.

Each command parses its arguments, calls the library and prints. Library
modules are imported inside the commands so ``plansync --help`` stays fast.
The commands live by subject in this package; :mod:`.base` holds the group,
the clock, the workspace lookup and the one place errors become messages.
"""

import gc

from plansync.cli import adapting, calendars, checkins, coach, plans, publishing  # noqa: F401  (they register their commands)
from plansync.cli.base import main

__all__ = ["main", "run"]


def run() -> None:
    """The command as a process of its own (the ``plansync`` script, ``python -m plansync``).
    When the command is done, what the process made is frozen out of the collector's reach:
    the process ends, and the system takes its memory back whole, where a last collection
    would first walk every object still alive (every module, template and remembered
    session: 0.1-0.15 s of CPU after a validate in one process, measured). Everything
    plansync writes is closed when written, so nothing waits on that collection. ``main``
    itself, as the tests call it, leaves the collector as it was."""
    try:
        main()
    finally:
        gc.freeze()
