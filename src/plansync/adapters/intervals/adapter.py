"""The intervals.icu adapter: planned workouts as calendar events, written in bulk.

Each workout is an event (``category: WORKOUT``) whose ``external_id`` is the
workout's stable id, so writes are **upserts**: ``POST /events/bulk?upsert=true``
in chunks of CHUNK, and a retry can never make a second event. A chunk whose
answer is lost is not sent again blindly: the adapter lists the chunk's days,
takes the events it finds by ``external_id``, and upserts only the missing
ones. Deletes go through ``bulk-delete`` by ``external_id`` (only this
application's events can be deleted that way). The description carries the
workout as intervals.icu workout text (see :mod:`.text`), then plansync's marker.
"""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any

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
)
from plansync.adapters.http import RateLimiter, RetryBudget
from plansync.adapters.intervals.client import RATE, Transport, Unavailable, api_url, credentials, transport
from plansync.adapters.intervals.text import workout_text
from plansync.core.actuals import Activity, ActivityKind
from plansync.core.budgets import INTERVALS
from plansync.core.plan import Workout
from plansync.core.quantities import fmt_clock
from plansync.core.vocab import RUN_KINDS

CHUNK = 100  # events per bulk upsert
BULK_PATH = "/api/v1/athlete/{athlete}/events/bulk"
DELETE_PATH = "/api/v1/athlete/{athlete}/events/bulk-delete"
LIST_PATH = "/api/v1/athlete/{athlete}/events"
EVENT_PATH = "/api/v1/athlete/{athlete}/events/{event}"
ACTIVITIES_PATH = "/api/v1/athlete/{athlete}/activities"
WELLNESS_PATH = "/api/v1/athlete/{athlete}/wellness"
RUN_TYPES = {"Run", "TrailRun", "VirtualRun"}
LOST_ROUNDS = 3  # list-and-upsert-the-missing rounds after lost answers


class IntervalsAdapter(Adapter):
    """Publishes planned workouts to an athlete's intervals.icu calendar."""

    name = "intervals"
    description = "intervals.icu (planned workouts, bulk upsert by external_id)"
    supports_update = True
    supports_delete = True
    budget = INTERVALS  # core.budgets
    supports_bulk = True
    supports_activities = True  # completed activities, by type
    supports_soreness = True  # wellness: the athlete's daily soreness
    settings = (
        AdapterSetting("rate", RATE, "PLANSYNC_ICU_RATE", "requests a second (the platform allows 10)"),
    )
    auth_help = "set PLANSYNC_ICU_API_KEY (intervals.icu › Settings › Developer Settings)"

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.counters = transport.counters

    @classmethod
    def from_config(cls, context: AdapterContext) -> IntervalsAdapter:
        return cls(transport(api_url(), credentials(), limiter=RateLimiter(_rate(context))))

    @classmethod
    def batch(cls, context: AdapterContext) -> Batch:
        """Athletes of one batch share the key's rate limit and the publish's retry budget."""
        url, auth, limiter, budget = api_url(), credentials(), RateLimiter(_rate(context)), RetryBudget()
        return Batch(lambda: cls(transport(url, auth, limiter=limiter, budget=budget)))

    def close(self) -> None:
        self.transport.close()

    # --- helpers -------------------------------------------------------------

    @staticmethod
    def athlete_id(athlete: Athlete) -> str:
        icu = athlete.profile.platforms.intervals
        if icu is None:
            raise AdapterError(
                f"{athlete.profile.id}: the profile has no platforms.intervals "
                "(athlete_id: 0 for the key's own athlete)"
            )
        return icu.athlete_id

    def event(self, athlete: Athlete, workout: Workout) -> tuple[dict[str, Any], str]:
        """The event sent for a workout, and its fingerprint."""
        at = workout.start_time.strftime("%H:%M:%S") if workout.start_time else "00:00:00"
        body: dict[str, Any] = {
            "category": "WORKOUT",
            "start_date_local": f"{workout.date.isoformat()}T{at}",
            "type": event_type(workout),
            "name": workout.title,
            "description": workout_text(athlete.plan, workout),
            "external_id": workout.id,
        }
        if workout.duration_s:
            body["moving_time"] = int(workout.duration_s)
        if workout.distance_m and workout.kind in RUN_KINDS:
            body["distance"] = float(workout.distance_m)
        fp = markers.fingerprint(body)
        body["description"] += "\n\n" + markers.marker(athlete.profile.id, workout.id, fp)
        return body, fp

    @staticmethod
    def _item(data: Any) -> RemoteItem:
        if not isinstance(data, dict) or "id" not in data:
            raise Unavailable("intervals.icu answered without an event id")
        found = markers.parse(data.get("description"))
        try:
            day = dt.date.fromisoformat(str(data.get("start_date_local") or "")[:10])
        except ValueError:
            day = dt.date.min
        return RemoteItem(
            remote_id=str(data["id"]),
            date=day,
            uid=found[1] if found else None,  # only plansync's own events carry the marker
            fingerprint=found[2] if found else None,
            title=str(data.get("name") or ""),
            athlete=found[0] if found else None,
            seen=markers.seen(data.get("name"), data.get("description")),
        )

    # --- the interface -----------------------------------------------------------

    def list(self, athlete: Athlete, start: dt.date, end: dt.date) -> list[RemoteItem]:
        data = self.transport.json(
            "GET",
            LIST_PATH.format(athlete=self.athlete_id(athlete)),
            params={"oldest": start.isoformat(), "newest": end.isoformat()},
            what=f"listing {start}..{end}",
        )
        if not isinstance(data, list):
            raise Unavailable("intervals.icu listed events in an unexpected shape")
        return [self._item(d) for d in data if isinstance(d, dict) and d.get("category") == "WORKOUT"]

    def fingerprint(self, athlete: Athlete, workout: Workout) -> str:
        return self.event(athlete, workout)[1]

    def wants(self, workout: Workout) -> bool:
        return workout.kind != "rest"  # a rest day is no workout: it would count as missed

    def notes(self, athlete: Athlete) -> builtins.list[str]:
        plan, refs = athlete.plan, athlete.plan.references
        if plan.system == "pace" and refs.threshold_pace_s is not None:
            pace = fmt_clock(round(refs.threshold_pace_s))
            return [
                f"{athlete.profile.id}: targets are % of threshold pace {pace}/{plan.units}; set the same "
                "threshold pace for Run in the athlete's intervals.icu settings"
            ]
        if plan.system == "heart_rate":
            mark = f"LTHR {refs.threshold_hr}" if refs.threshold_hr else f"max HR {refs.max_hr}"
            return [f"{athlete.profile.id}: targets are % of {mark} bpm; set the same in intervals.icu"]
        return []

    def upsert_many(self, athlete: Athlete, workouts: builtins.list[Workout]) -> dict[str, RemoteItem]:
        """Create or update every workout, CHUNK to a request; by workout id, what the remote holds."""
        out: dict[str, RemoteItem] = {}
        for i in range(0, len(workouts), CHUNK):
            out.update(self._upsert_chunk(athlete, workouts[i : i + CHUNK]))
        return out

    def _upsert_chunk(self, athlete: Athlete, chunk: builtins.list[Workout]) -> dict[str, RemoteItem]:
        bodies = {w.id: self.event(athlete, w) for w in chunk}
        pending = builtins.list(chunk)
        done: dict[str, RemoteItem] = {}
        for _ in range(LOST_ROUNDS + 1):
            try:
                data = self.transport.json(
                    "POST",
                    BULK_PATH.format(athlete=self.athlete_id(athlete)),
                    params={"upsert": "true"},
                    body=[bodies[w.id][0] for w in pending],
                    what=f"upserting {len(pending)} workouts",
                )
            except OutcomeUnknown:
                # Whatever landed is found by its external_id; only the rest goes again.
                first, last = min(w.date for w in pending), max(w.date for w in pending)
                found = {i.uid: i for i in self.list(athlete, first, last) if i.uid}
                for w in builtins.list(pending):
                    item = found.get(w.id)
                    if item is not None and item.fingerprint == bodies[w.id][1]:
                        done[w.id] = item
                        pending.remove(w)
                if not pending:
                    return done
                continue
            if not isinstance(data, builtins.list) or len(data) != len(pending):
                raise Unavailable("intervals.icu answered a bulk upsert in an unexpected shape")
            for w, answer in zip(pending, data, strict=True):
                item = self._item(answer)
                sent = bodies[w.id][0]
                done[w.id] = RemoteItem(
                    item.remote_id,
                    w.date,
                    w.id,
                    bodies[w.id][1],
                    w.title,
                    athlete.profile.id,
                    seen=markers.seen(sent.get("name"), sent.get("description")),
                )
            return done
        raise Unavailable(f"upserting {len(pending)} workouts: the answers kept getting lost")

    def delete_many(self, athlete: Athlete, uids: builtins.list[str]) -> None:
        if not uids:
            return
        self.transport.json(
            "PUT",
            DELETE_PATH.format(athlete=self.athlete_id(athlete)),
            body=[{"external_id": uid} for uid in uids],
            what=f"deleting {len(uids)} workouts",
        )

    def _daily(
        self, path: str, athlete: Athlete, start: dt.date, end: dt.date, what: str
    ) -> builtins.list[Any]:
        """A listing by day (``oldest``..``newest``, both included): activities, wellness."""
        data = self.transport.json(
            "GET",
            path.format(athlete=self.athlete_id(athlete)),
            params={"oldest": start.isoformat(), "newest": end.isoformat()},
            what=f"{what} {start}..{end}",
        )
        if not isinstance(data, builtins.list):
            raise Unavailable(f"intervals.icu listed {what} in an unexpected shape")
        return data

    def activities(self, athlete: Athlete, start: dt.date, end: dt.date) -> builtins.list[Activity]:
        """The athlete's completed activities between two days (inclusive): runs by type."""
        data = self._daily(ACTIVITIES_PATH, athlete, start, end, "activities")
        out: builtins.list[Activity] = []
        for a in data:
            try:
                day = dt.date.fromisoformat(str(a.get("start_date_local") or "")[:10])
                distance = float(a.get("distance") or 0)
                seconds = float(a.get("moving_time") or a.get("elapsed_time") or 0)
            except (AttributeError, TypeError, ValueError):
                continue  # not an activity plansync can read: left out, never guessed
            kind: ActivityKind = "run" if str(a.get("type") or "") in RUN_TYPES else "cross"
            rpe, hr = a.get("icu_rpe"), a.get("average_heartrate")
            out.append(
                Activity(
                    day,
                    kind,
                    distance if kind == "run" else 0.0,
                    seconds,
                    float(rpe) if isinstance(rpe, int | float) else None,
                    float(hr) if isinstance(hr, int | float) else None,
                    where=f"intervals.icu activity {a.get('id')}",
                    source_id=str(a["id"]) if a.get("id") is not None else None,
                    race=kind == "run" and (a.get("race") is True or a.get("sub_type") == "RACE"),
                )
            )
        return sorted(out, key=lambda x: (x.date, x.kind, x.distance_m))

    def soreness(
        self, athlete: Athlete, start: dt.date, end: dt.date
    ) -> builtins.list[tuple[dt.date, int, str]]:
        """The athlete's daily wellness ``soreness`` (1–4) between two days, with their comment."""
        data = self._daily(WELLNESS_PATH, athlete, start, end, "wellness")
        out: builtins.list[tuple[dt.date, int, str]] = []
        for record in data:
            try:
                day = dt.date.fromisoformat(str(record.get("id") or "")[:10])
                sore = record.get("soreness")
            except (AttributeError, ValueError):
                continue  # not a record plansync can read: left out, never guessed
            if isinstance(sore, int) and 1 <= sore <= 4:
                out.append((day, sore, str(record.get("comments") or "")))
        return sorted(out)

    # One at a time, for the engine's single-item paths (adoption, a lone change).
    def create(self, athlete: Athlete, workout: Workout) -> RemoteItem:
        return self.upsert_many(athlete, [workout])[workout.id]

    def update(self, athlete: Athlete, remote_id: str, workout: Workout) -> RemoteItem:
        return self.upsert_many(athlete, [workout])[workout.id]

    def delete(self, athlete: Athlete, remote_id: str) -> None:
        """One event by its id (the engine deletes in bulk, by ``external_id``, with delete_many)."""
        self.transport.request(
            "DELETE",
            EVENT_PATH.format(athlete=self.athlete_id(athlete), event=remote_id),
            what=f"deleting event {remote_id}",
        )


def event_type(workout: Workout) -> str:
    if workout.kind == "foot_strength":
        return "WeightTraining"
    if workout.kind == "cross":
        return "Workout"
    return "Run"


def _rate(context: AdapterContext) -> float:
    text = context.options.get("rate") or str(RATE)
    try:
        rate = float(text)
    except ValueError:
        rate = float("nan")
    if not 0.1 <= rate <= RATE:
        raise AdapterError(f"-O rate={text!r}: expected requests a second between 0.1 and {RATE:g}")
    return rate
