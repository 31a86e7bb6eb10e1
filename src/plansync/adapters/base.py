"""The adapter interface: how plansync talks to any place a plan is published.

Glossary:

WORKOUT
    One entry of a compiled plan (:class:`plansync.Workout`): a run, a rest
    day, a foot-strength session. Its ``id`` (the UID) never changes when its
    date does.
PLAN
    The athlete's compiled :class:`plansync.Plan`: the desired state.
REMOTE ITEM
    What the target holds for a workout (:class:`RemoteItem`): a planned
    workout on a platform, an event in a calendar file.
REMOTE ID
    The target's own id for a remote item (a TrainingPeaks ``Id``; the UID
    for a calendar file).
MARKER
    What plansync writes into every item it creates — the workout's UID and a
    fingerprint of what was sent — so it can recognise its own items without
    its ledger, and never touch anyone else's.
FINGERPRINT
    A short hash of exactly what the adapter would send for a workout; equal
    fingerprints mean there is nothing to update.

An adapter is a class registered by name: the built-ins ``ics`` and
``trainingpeaks``, others through the ``plansync.adapters`` entry-point group.
It is made with :meth:`Adapter.from_config` and used by the sync engine
(:mod:`plansync.publishing.engine`), which decides what to create, update and delete.
"""

from __future__ import annotations

import builtins
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from plansync.core.actuals import Activity
from plansync.core.budgets import Budget
from plansync.core.plan import Plan, Workout
from plansync.core.profile import Profile
from plansync.errors import PlansyncError


@dataclass(frozen=True)
class RemoteItem:
    remote_id: str
    date: dt.date
    uid: str | None  # from the marker; None for items plansync did not create
    fingerprint: str | None = None  # from the marker, when it has one
    title: str = ""
    athlete: str | None = None  # whose, from the marker; None where the target is one athlete's already
    seen: str | None = None  # what a person sees of it (markers.seen); None where the target cannot say
    done: bool = False  # completed by the athlete (actual time or distance): never changed again


@dataclass(frozen=True)
class Athlete:
    """Who is being published to: the profile, its plan, and today in their time zone."""

    profile: Profile
    plan: Plan
    today: dt.date


@dataclass
class Counters:
    """What an adapter did on the wire, for the publish summary."""

    requests: int = 0
    retries: int = 0


@dataclass(frozen=True)
class AdapterContext:
    """What the engine hands every adapter: where state lives, the clock, options."""

    state_dir: Path
    options: Mapping[str, str] = field(default_factory=dict)  # from `--option key=value`
    sandbox: bool = False


@dataclass(frozen=True)
class AdapterSetting:
    """A setting an adapter declares: filled from ``-O name=value``, then ``env``, then the
    workspace's ``[adapter]`` table in plansync.toml, then ``default``. Never a secret:
    secrets come from the environment or the adapter's own sign-in, read by the adapter."""

    name: str
    default: str | bool | int | float
    env: str | None = None
    help: str = ""


class AdapterError(PlansyncError):
    """An adapter cannot work at all (missing credentials, a bad option)."""


class AuthError(AdapterError):
    """The platform refused the credentials: signing in again (or a new key) is needed."""


class Unavailable(AdapterError):
    """The platform kept failing after the retries, or answered in a shape plansync cannot read."""


class RemoteRejected(PlansyncError):
    """The target refused one item for good (a 400, 403, 404 or 409): no retry."""

    def __init__(self, message: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class OutcomeUnknown(PlansyncError):
    """A create was sent but its answer was lost: it may or may not exist now.

    Never simply repeated: the engine lists the date and adopts the item
    carrying the workout's marker before deciding to create again."""


class Batch:
    """Makes one adapter per athlete of a batch; ``close`` releases what they shared."""

    def __init__(self, make: Callable[[], Adapter], close: Callable[[], None] = lambda: None) -> None:
        self._make, self._close = make, close

    def __call__(self) -> Adapter:
        return self._make()

    def close(self) -> None:
        self._close()


class Adapter(ABC):
    """One export target. Subclasses set ``name`` and the capability flags."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    supports_update: ClassVar[bool] = True  # the remote can change an item in place
    supports_delete: ClassVar[bool] = True  # the remote can remove what we created
    supports_bulk: ClassVar[bool] = False  # writes many items a request: upsert_many, delete_many
    supports_activities: ClassVar[bool] = False  # reads completed training: activities()
    supports_soreness: ClassVar[bool] = False  # reads the athlete's daily soreness: soreness()
    # Changes found there are people's (an athlete moved a workout): kept. False for files
    # only plansync writes, where a missing item was lost, and publishing puts it back.
    people_edit: ClassVar[bool] = True
    budget: ClassVar[Budget | None] = None  # what the target can hold of a workout (core.budgets)
    past_days: ClassVar[int | None] = None  # items older than this many days are left alone
    future_days: ClassVar[int | None] = None  # items further ahead are deferred to a later run
    settings: ClassVar[tuple[AdapterSetting, ...]] = ()  # what plansync.toml's [name] table may set
    auth_help: ClassVar[str | None] = None  # how to sign in, for adapters that need it

    counters: Counters

    @classmethod
    @abstractmethod
    def from_config(cls, context: AdapterContext) -> Adapter:
        """Make the adapter; raise :class:`AdapterError` when it cannot work."""

    @abstractmethod
    def list(self, athlete: Athlete, start: dt.date, end: dt.date) -> list[RemoteItem]:
        """Every item on the remote for the athlete between two dates (inclusive)."""

    @abstractmethod
    def fingerprint(self, athlete: Athlete, workout: Workout) -> str:
        """A short hash of exactly what :meth:`create` or :meth:`update` would send."""

    @abstractmethod
    def create(self, athlete: Athlete, workout: Workout) -> RemoteItem:
        """Create the item; raise :class:`OutcomeUnknown` when the answer was lost."""

    @abstractmethod
    def update(self, athlete: Athlete, remote_id: str, workout: Workout) -> RemoteItem:
        """Replace the item's content with the workout's."""

    @abstractmethod
    def delete(self, athlete: Athlete, remote_id: str) -> None:
        """Remove an item plansync created."""

    def upsert_many(self, athlete: Athlete, workouts: builtins.list[Workout]) -> dict[str, RemoteItem]:
        """Bulk adapters: create or update every workout (idempotently, by its id);
        returns, by workout id, the remote item now holding it."""
        raise NotImplementedError

    def delete_many(self, athlete: Athlete, uids: builtins.list[str]) -> None:
        """Bulk adapters: remove the items of these workout ids that plansync created."""
        raise NotImplementedError

    def activities(self, athlete: Athlete, start: dt.date, end: dt.date) -> builtins.list[Activity]:
        """Adapters that read completed training: every activity between two days (inclusive),
        for ``plansync compliance/adapt --from NAME``."""
        raise NotImplementedError

    def soreness(
        self, athlete: Athlete, start: dt.date, end: dt.date
    ) -> builtins.list[tuple[dt.date, int, str]]:
        """Adapters that read wellness: (day, soreness 1–4, comment) between two days, for
        ``plansync checkin --from NAME``."""
        raise NotImplementedError

    @classmethod
    def vanished(cls, context: AdapterContext, athlete: str) -> bool:
        """Whether what was published for ``athlete`` is gone from the target, by a cheap local
        look (a calendar file deleted, or a different folder chosen); platforms say False here
        and are listed when publishing."""
        return False

    def wants(self, workout: Workout) -> bool:
        """Whether the target takes this kind of entry at all (a platform may leave rest days out).
        Entries it does not want are never created, and ones created before are removed."""
        return True

    def notes(self, athlete: Athlete) -> builtins.list[str]:
        """What the coach should know about publishing this athlete here (shown with --dry-run)."""
        return []

    @classmethod
    def batch(cls, context: AdapterContext) -> Batch:
        """A maker of adapters for publishing many athletes at once; override to share
        what should be shared (a sign-in, a rate limit, a connection pool)."""
        return Batch(lambda: cls.from_config(context))

    @classmethod
    def authorize(cls, context: AdapterContext, show: Callable[[str], None], *, port: int = 0) -> Path:
        """Sign in interactively (``plansync auth NAME``); returns where the credentials are kept."""
        raise AdapterError(f"adapter {cls.name} needs no sign-in")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Finish: flush what is buffered, close connections. Called once, at the end."""

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "update": self.supports_update,
            "delete": self.supports_delete,
            "bulk": self.supports_bulk,
            "activities": self.supports_activities,
            "soreness": self.supports_soreness,
            "past_days": self.past_days,
            "future_days": self.future_days,
        }
