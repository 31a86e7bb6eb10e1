"""Every error plansync raises on purpose.

The whole tree (the base classes live here; each subclass beside the code that
raises it, named on the right)::

    PlansyncError                 base; the CLI prints str(error) and exits with exit_code (2)
    ├── InputError                a file the user wrote is wrong (path, line, column, key)
    │   ├── TemplateError         ...in a plan template
    │   ├── ProfileError          ...in an athlete profile
    │   ├── ActivitiesError       ...in a file of completed training (CSV, Strava)
    │   └── WorkspaceError        ...in plansync.toml               inputs.workspace
    ├── TemplateNotFound          no template with that id in the search path
    ├── PlanError                 inputs are well-formed but no plan can be made
    │                             (too few weeks before the race, no training days, ...)
    ├── IntakeError               an athlete new answer cannot be used   inputs.intake
    ├── SettingsError             a flag or environment variable is unusable  service.settings
    ├── FeedError                 no such feed, no base URL known    calendars.feeds
    │   └── StoreUnavailable      the object store cannot take feeds now (exit 1)  calendars.storage
    ├── SafetyStop                a publish would delete too much   publishing.engine
    ├── RenameDetected            a profile's id changed since it was published  service.publishing
    ├── Busy                      another plansync holds the write lock (exit 1)  state.lock
    ├── StateNotWritable          the state directory is read-only or not a folder  state.lock
    ├── LedgerError               the ledger cannot be used (read-only, full disk, newer)  state.ledger
    │   └── LedgerCorrupt         the ledger is damaged: --repair moves it aside
    ├── RemoteRejected            the target refused one item for good (status)  adapters.base
    ├── OutcomeUnknown            a create's answer was lost; the engine adopts  adapters.base
    └── AdapterError              an adapter cannot work at all      adapters.base
        ├── AuthError             the platform refused the credentials  adapters.base (raised by adapters.http)
        └── Unavailable           the platform is down or answered nonsense  adapters.base (adapters.http)

The CLI turns these into messages in exactly one place
(:class:`plansync.cli.base.Group`); any other exception is a bug and keeps its
traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class PlansyncError(Exception):
    """Base of every error plansync reports to a user."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as known."""

    path: Path | None
    line: int | None  # 1-based
    column: int | None  # 1-based
    key: str  # dotted key path, "" for the whole document
    message: str  # what was expected, and a suggestion when there is one

    def __str__(self) -> str:
        where = str(self.path) if self.path else "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


class InputError(PlansyncError):
    """A user-written file is malformed; carries every problem found in it."""

    kind = "input"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @property
    def first(self) -> Problem:
        return self.problems[0]


class TemplateError(InputError):
    kind = "template"


class ProfileError(InputError):
    kind = "profile"


class ActivitiesError(InputError):
    """A file of completed training that cannot be read as such (CSV, a Strava export)."""

    kind = "activities"


class TemplateNotFound(PlansyncError):
    def __init__(self, template_id: str, searched: list[Path], known: list[str]) -> None:
        self.template_id = template_id
        self.searched = searched
        self.known = known
        from difflib import get_close_matches

        close = get_close_matches(template_id, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        places = ", ".join(str(p) for p in searched) or "nowhere"
        super().__init__(
            f"unknown template {template_id!r}{hint}; looked in {places}; "
            f"known: {', '.join(sorted(known)) or 'none'}"
        )


class PlanError(PlansyncError):
    """The inputs are valid on their own but cannot make a plan together."""

    def __init__(self, message: str, key: str | None = None) -> None:
        self.message = message
        self.key = key  # the profile key to blame, when one is to blame
        super().__init__(message)
