"""The TrainingPeaks adapter: planned workouts through the Partner API."""

from __future__ import annotations

import builtins
import datetime as dt
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from plansync.adapters import markers
from plansync.adapters.base import (
    Adapter,
    AdapterContext,
    AdapterError,
    AdapterSetting,
    Athlete,
    Batch,
    OutcomeUnknown,
    RemoteItem,
    RemoteRejected,
)
from plansync.adapters.http import RateLimiter, RetryBudget, client
from plansync.adapters.trainingpeaks import payload as tp_payload
from plansync.adapters.trainingpeaks.client import (
    CREATE_PATH,
    LIST_DAYS,
    LIST_PATH,
    TOKEN_FILE,
    WORKOUT_PATH,
    OAuth,
    TokenStore,
    Transport,
    Unavailable,
    hosts,
    transport,
)
from plansync.core.actuals import Activity, ActivityKind
from plansync.core.budgets import TRAININGPEAKS
from plansync.core.plan import Workout
from plansync.core.quantities import fmt_clock

log = logging.getLogger("plansync.trainingpeaks")
_RANGE_REFUSED = re.compile(r"range|days", re.I)
REST_DAYS = ("skip", "note")


def credentials(client_id: str | None = None) -> tuple[str, str]:
    """The partner app's id (environment first, then the workspace) and secret (environment only)."""
    client_id = os.environ.get("PLANSYNC_TP_CLIENT_ID") or client_id
    secret = os.environ.get("PLANSYNC_TP_CLIENT_SECRET")
    if not client_id or not secret:
        raise AdapterError(
            "set PLANSYNC_TP_CLIENT_ID and PLANSYNC_TP_CLIENT_SECRET (the partner app's credentials)"
        )
    return client_id, secret


def _http() -> httpx.Client:
    """Real HTTP (the one timeout, TLS verification on); request lines logged, never headers."""
    return client(event_hooks={"response": [_log_response]})


def _log_response(response: httpx.Response) -> None:
    request = response.request
    log.debug("%s %s -> %s", request.method, request.url.copy_with(query=None), response.status_code)


def oauth_for(state_dir: Path, sandbox: bool, client_id: str | None = None) -> tuple[OAuth, TokenStore]:
    endpoints, http = hosts(sandbox), _http()  # settings first: a bad URL is named before credentials
    client_id, secret = credentials(client_id)
    store = TokenStore(state_dir / TOKEN_FILE)
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return OAuth(client_id, secret, endpoints, http, store), store


RATE_LIMITS = (0.1, 1000.0)  # requests a second


def _rate(context: AdapterContext) -> float | None:
    text = context.options.get("rate")
    if not text:
        return None
    try:
        rate = float(text)
    except ValueError:
        rate = float("nan")
    low, high = RATE_LIMITS
    if not low <= rate <= high:  # also refuses nan and inf
        raise AdapterError(f"-O rate={text!r}: expected requests a second between {low:g} and {high:g}")
    return rate


def _rest_days(context: AdapterContext) -> str:
    value = context.options.get("rest_days", "skip")
    if value not in REST_DAYS:
        raise AdapterError(f"-O rest_days={value!r}: expected one of {', '.join(REST_DAYS)}")
    return value


def _sandbox(context: AdapterContext) -> bool:
    return context.sandbox or context.options.get("sandbox", "false").lower() in ("1", "true", "yes", "on")


def make_transport(context: AdapterContext, *, rate: float | None = None) -> Transport:
    """One athlete's wiring: the sign-in and the API share one HTTP client, closed with the transport."""
    sandbox = _sandbox(context)
    oauth, _ = oauth_for(context.state_dir, sandbox, context.options.get("client_id") or None)
    return transport(hosts(sandbox), oauth, oauth.http, limiter=RateLimiter(rate))


def _actual(data: Any) -> Activity | None:
    """A listed workout as completed training, when it has actual values; else None."""
    if not isinstance(data, dict):
        return None
    try:
        day = dt.date.fromisoformat(str(data.get("WorkoutDay") or "")[:10])
        hours = float(data.get("TotalTime") or 0)
        metres = float(data.get("Distance") or data.get("DistanceCustom") or 0)
    except (TypeError, ValueError):
        return None  # not a workout plansync can read: left out, never guessed
    if hours <= 0 and metres <= 0:
        return None  # planned, not done
    kind: ActivityKind = "run" if str(data.get("WorkoutType") or "").lower() == "run" else "cross"
    ident = data.get("Id")
    return Activity(
        day,
        kind,
        metres if kind == "run" else 0.0,
        hours * 3600,
        where=f"TrainingPeaks workout {ident}",
        source_id=f"tp-{ident}" if ident is not None else None,
    )


class TrainingPeaksAdapter(Adapter):
    """Publishes planned workouts to an athlete's TrainingPeaks calendar."""

    name = "trainingpeaks"
    description = "TrainingPeaks Partner API (planned workouts)"
    supports_update = True  # PUT replaces a future, uncompleted workout
    supports_delete = True  # only items carrying plansync's marker are ever deleted
    budget = TRAININGPEAKS  # core.budgets
    supports_activities = True  # completed workouts: the listing's actual time and distance
    past_days = 7  # the platform refuses dates more than 7 days past: those are left alone
    future_days = 365  # and more than a year ahead: those wait for a later run
    settings = (
        AdapterSetting("client_id", "", "PLANSYNC_TP_CLIENT_ID", "the partner app's client id"),
        AdapterSetting("sandbox", False, "PLANSYNC_TP_SANDBOX", "use the TrainingPeaks sandbox hosts"),
        AdapterSetting("rest_days", "skip", None, "skip (rest days are not workouts), or note"),
        AdapterSetting("rate", "", None, "requests a second to TrainingPeaks (default: no limit)"),
    )
    auth_help = (
        "set PLANSYNC_TP_CLIENT_ID and PLANSYNC_TP_CLIENT_SECRET, then run `plansync auth trainingpeaks`"
    )

    def __init__(self, transport: Transport, *, rest_days: str = "skip") -> None:
        self.transport = transport
        self.counters = transport.counters
        self.rest_days = rest_days
        self._list_days = LIST_DAYS

    @classmethod
    def authorize(cls, context: AdapterContext, show: Callable[[str], None], *, port: int = 0) -> Path:
        """The authorization-code flow with a loopback redirect; the token is kept mode 0600."""
        from plansync.adapters.trainingpeaks.auth import authorize

        oauth, store = oauth_for(
            context.state_dir, _sandbox(context), context.options.get("client_id") or None
        )
        authorize(oauth, show, port=port)
        return store.path

    @classmethod
    def from_config(cls, context: AdapterContext) -> TrainingPeaksAdapter:
        return cls(make_transport(context, rate=_rate(context)), rest_days=_rest_days(context))

    @classmethod
    def batch(cls, context: AdapterContext) -> Batch:
        """Per-athlete adapters sharing one sign-in (refresh tokens rotate: two would
        race), one connection pool and one rate limit."""
        rate = _rate(context)
        sandbox = _sandbox(context)
        oauth, _ = oauth_for(context.state_dir, sandbox, context.options.get("client_id") or None)
        limiter, budget = RateLimiter(rate), RetryBudget()  # one of each for the whole publish
        endpoints = hosts(sandbox)
        rest_days = _rest_days(context)
        return Batch(
            lambda: cls(
                transport(endpoints, oauth, oauth.http, limiter=limiter, budget=budget, owns_http=False),
                rest_days=rest_days,
            ),
            oauth.http.close,
        )

    def close(self) -> None:
        self.transport.close()

    # --- helpers -------------------------------------------------------------

    @staticmethod
    def athlete_id(athlete: Athlete) -> str:
        tp = athlete.profile.platforms.trainingpeaks
        if tp is None:
            raise AdapterError(f"{athlete.profile.id}: the profile has no platforms.trainingpeaks.athlete_id")
        return tp.athlete_id

    def _body(self, athlete: Athlete, workout: Workout) -> tuple[dict[str, Any], str]:
        plain = tp_payload.payload(workout, athlete.plan, self.athlete_id(athlete))
        return tp_payload.with_marker(plain, athlete.profile.id, workout.id)

    @staticmethod
    def _what(workout: Workout) -> str:
        return f"{workout.date.isoformat()} {workout.title}"

    @staticmethod
    def _item(data: Any) -> RemoteItem:
        if not isinstance(data, dict) or "Id" not in data:
            raise Unavailable("TrainingPeaks answered without a workout Id")
        found = markers.parse(data.get("Description"))
        tags = data.get("Tags") or []
        if found is None and isinstance(tags, list):  # the description was edited: the tag still says whose
            pairs = [markers.parse_tag(t) for t in tags if isinstance(t, str)]
            pair = next((p for p in pairs if p is not None), None)
            found = (pair[0], pair[1], "") if pair else None
        day = str(data.get("WorkoutDay", ""))[:10]
        return RemoteItem(
            remote_id=str(data["Id"]),
            date=dt.date.fromisoformat(day) if day else dt.date.min,
            uid=found[1] if found else None,
            fingerprint=(found[2] or None) if found else None,
            title=str(data.get("Title") or ""),
            athlete=found[0] if found else None,
            seen=markers.seen(data.get("Title"), data.get("Description")),
            done=bool(data.get("TotalTime") or data.get("Distance") or data.get("DistanceCustom")),
        )

    # --- the interface -----------------------------------------------------------

    def list(self, athlete: Athlete, start: dt.date, end: dt.date) -> list[RemoteItem]:
        """Every workout in the range (see :meth:`_listing`)."""
        return [self._item(d) for d in self._listing(athlete, start, end)]

    def activities(self, athlete: Athlete, start: dt.date, end: dt.date) -> builtins.list[Activity]:
        """Completed workouts in the range: those the listing shows with actual values
        (``TotalTime`` in hours, ``Distance`` or ``DistanceCustom`` in metres), by their
        ``WorkoutType`` (``run`` a run, the rest cross-training)."""
        out: builtins.list[Activity] = []
        for d in self._listing(athlete, start, end):
            done = _actual(d)
            if done is not None:
                out.append(done)
        return sorted(out, key=lambda a: (a.date, a.kind, a.distance_m))

    def _listing(self, athlete: Athlete, start: dt.date, end: dt.date) -> builtins.list[Any]:
        """The raw listing, in ranges of at most ``LIST_DAYS`` days (a refusal that says the
        range is too long halves the range and tries again)."""
        items: builtins.list[Any] = []
        days = self._list_days
        day = start
        while day <= end:
            last = min(end, day + dt.timedelta(days=days - 1))
            try:
                data = self._list_range(athlete, day, last)
            except RemoteRejected as exc:
                if exc.status != 400 or days == 1 or not _RANGE_REFUSED.search(str(exc)):
                    raise
                days = self._list_days = max(1, days // 2)
                continue
            items.extend(data)
            day = last + dt.timedelta(days=1)
        return items

    def _list_range(self, athlete: Athlete, start: dt.date, end: dt.date) -> builtins.list[Any]:
        path = LIST_PATH.format(
            athlete=self.athlete_id(athlete), start=start.isoformat(), end=end.isoformat()
        )
        data = self.transport.json("GET", path, what=f"listing {start}..{end}")
        if not isinstance(data, list):
            raise Unavailable("TrainingPeaks listed workouts in an unexpected shape")
        return data

    def fingerprint(self, athlete: Athlete, workout: Workout) -> str:
        return self._body(athlete, workout)[1]

    def wants(self, workout: Workout) -> bool:
        """Rest days are not workouts on the platform: each would count as a missed session in
        the athlete's compliance views. ``-O rest_days=note`` sends them anyway; the Partner API
        documents no day note, so they go as an ``other`` entry titled as the rest day."""
        return workout.kind != "rest" or self.rest_days == "note"

    def notes(self, athlete: Athlete) -> builtins.list[str]:
        plan, refs = athlete.plan, athlete.plan.references
        if plan.system == "pace" and refs.threshold_pace_s is not None:
            pace = fmt_clock(round(refs.threshold_pace_s))
            return [
                f"{athlete.profile.id}: targets are percentages of threshold pace {pace}/{plan.units}; "
                "set the same threshold pace in the athlete's TrainingPeaks settings"
            ]
        if plan.system == "heart_rate":
            mark = (
                f"threshold heart rate {refs.threshold_hr} bpm"
                if refs.threshold_hr is not None
                else f"maximum heart rate {refs.max_hr} bpm"
            )
            return [
                f"{athlete.profile.id}: targets are percentages of {mark}; "
                "set the same value in the athlete's TrainingPeaks settings"
            ]
        return []

    def create(self, athlete: Athlete, workout: Workout) -> RemoteItem:
        body, fp = self._body(athlete, workout)
        data = self.transport.json("POST", CREATE_PATH, body=body, what=self._what(workout))
        item = self._item(data)
        seen = markers.seen(body.get("Title"), body.get("Description"))  # what a person sees of it now
        return RemoteItem(
            item.remote_id, workout.date, workout.id, fp, workout.title, athlete.profile.id, seen
        )

    def update(self, athlete: Athlete, remote_id: str, workout: Workout) -> RemoteItem:
        body, fp = self._body(athlete, workout)
        body["Id"] = int(remote_id) if remote_id.isdigit() else remote_id
        self.transport.json("PUT", WORKOUT_PATH.format(id=remote_id), body=body, what=self._what(workout))
        seen = markers.seen(body.get("Title"), body.get("Description"))
        return RemoteItem(remote_id, workout.date, workout.id, fp, workout.title, athlete.profile.id, seen)

    def delete(self, athlete: Athlete, remote_id: str) -> None:
        self.transport.request(
            "DELETE", WORKOUT_PATH.format(id=remote_id), what=f"deleting workout {remote_id}"
        )


__all__ = ["OutcomeUnknown", "TrainingPeaksAdapter"]
