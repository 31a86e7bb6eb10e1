"""What the workspace keeps of an athlete's plan: plain data, no planning.

A plan, once an athlete has it, is a fact (:class:`PlanRecord`: its dates, the
day it was made, an adaptation, the race the coach accepted as the athlete's
fitness (:class:`AcceptedRace`), the athlete's check-ins). Every command that
asks whether an athlete's inputs changed reads these records, most of them
without compiling anything: this module imports nothing of the compiler or of
the profile and template models, so such a command starts without them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from plansync.core.checkins import Checkin

if TYPE_CHECKING:
    from plansync.core.plan import Plan
    from plansync.core.profile import Profile


@dataclass(frozen=True)
class AcceptedRace:
    """A race the coach accepted as the athlete's fitness, kept with the plan."""

    date: dt.date
    distance_m: float
    seconds: float
    replaces: str  # the profile's recent race it was accepted over ("" for none)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "distance_m": round(self.distance_m, 1),
            "seconds": round(self.seconds),
            "replaces": self.replaces,
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> AcceptedRace:
        return AcceptedRace(
            dt.date.fromisoformat(str(data["date"])),
            float(data["distance_m"]),
            float(data["seconds"]),
            str(data.get("replaces") or ""),
        )

    def holds_for(self, profile: Profile) -> bool:
        """While the profile's own recent race is the one this race was accepted over: a coach
        who writes a new one into the profile has the last word."""
        return self.replaces == race_key(profile)


def race_key(profile: Profile) -> str:
    race = profile.fitness.recent_race
    return "" if race is None else f"{race.distance}@{race.time:g}"


@dataclass(frozen=True)
class PlanRecord:
    """What an athlete was given: the plan's dates and the day it was made."""

    athlete: str
    template: str
    start: dt.date
    weeks: int
    race: dt.date | None
    made_on: dt.date
    # An adapted plan (plansync adapt): from which day, against which runs, for which
    # profile (a changed profile ends the adaptation).
    adapted_from: dt.date | None = None
    actuals: tuple[tuple[dt.date, float], ...] = ()
    profile: str = ""
    adapted_on: dt.date | None = None  # the day adapt ran: the actual runs go up to it
    paces: AcceptedRace | None = None  # a race the coach accepted as the athlete's fitness
    checkins: tuple[Checkin, ...] = ()  # the athlete's foot check-ins (plansync checkin), in order
    # A plan re-planned for a moved race: the day it was re-planned and the record of the plan
    # before the move, so that every later compile re-plans it as on that day (progress.replan).
    moved_on: dt.date | None = None
    before: PlanRecord | None = None

    @staticmethod
    def of(plan: Plan, made_on: dt.date) -> PlanRecord:
        return PlanRecord(
            plan.athlete,
            plan.template,
            plan.start_date,
            plan.weeks,
            plan.race_date,
            made_on,
            moved_on=plan.moved_on,
        )

    def kept_over(self, old: PlanRecord | None) -> PlanRecord:
        """This record as the workspace keeps it over ``old`` (the athlete's record before):
        the athlete's check-ins outlive any plan; of the same template, the day it was
        first made stays, and so do an adaptation and the paces the coach accepted. A plan
        re-planned for a moved race keeps the record it was re-planned from (:attr:`before`),
        while its race stays where it moved to."""
        if old is None:
            return self
        record = self
        if not record.checkins:
            record = dataclasses.replace(record, checkins=old.checkins)
        if old.template != record.template:
            return record
        record = dataclasses.replace(record, made_on=old.made_on)
        if record.adapted_from is None and old.adapted_from is not None:
            record = dataclasses.replace(
                record,
                adapted_from=old.adapted_from,
                actuals=old.actuals,
                profile=old.profile,
                adapted_on=old.adapted_on,
            )
        if record.paces is None:
            record = dataclasses.replace(record, paces=old.paces)
        if record.before is None and old.race == record.race:  # the same plan: its move stays
            record = dataclasses.replace(record, moved_on=old.moved_on, before=old.before)
        elif record.before is None and record.moved_on is not None:  # the move: what it moved from
            record = dataclasses.replace(record, before=dataclasses.replace(old, checkins=()))
        return record

    def dated_as(self, old: PlanRecord) -> PlanRecord:
        """This record with the dates of the plan the athlete has (``old``): when it was
        made, its weeks and race, and a race move with what it moved from."""
        return dataclasses.replace(
            self,
            made_on=old.made_on,
            start=old.start,
            weeks=old.weeks,
            race=old.race,
            moved_on=old.moved_on,
            before=old.before,
        )

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "athlete": self.athlete,
            "template": self.template,
            "start": self.start.isoformat(),
            "weeks": self.weeks,
            "race": self.race.isoformat() if self.race else None,
            "made_on": self.made_on.isoformat(),
        }
        if self.adapted_from is not None:
            out["adapted_from"] = self.adapted_from.isoformat()
            out["actuals"] = [[d.isoformat(), round(m)] for d, m in self.actuals]
            out["profile"] = self.profile
            out["adapted_on"] = (self.adapted_on or self.adapted_from).isoformat()
        if self.paces is not None:
            out["paces"] = self.paces.as_dict()
        if self.checkins:
            out["checkins"] = [c.as_dict() for c in self.checkins]
        if self.moved_on is not None and self.before is not None:
            out["moved_on"] = self.moved_on.isoformat()
            out["before"] = self.before.as_dict()
        return out

    @staticmethod
    def from_dict(data: dict[str, object]) -> PlanRecord:
        race = data.get("race")
        adapted = data.get("adapted_from")
        actuals = data.get("actuals") or []
        assert isinstance(actuals, list)
        paces = data.get("paces")
        checkins = data.get("checkins") or []
        assert isinstance(checkins, list)
        moved, before = data.get("moved_on"), data.get("before")
        return PlanRecord(
            athlete=str(data["athlete"]),
            template=str(data["template"]),
            start=dt.date.fromisoformat(str(data["start"])),
            weeks=int(str(data["weeks"])),
            race=dt.date.fromisoformat(str(race)) if race else None,
            made_on=dt.date.fromisoformat(str(data["made_on"])),
            adapted_from=dt.date.fromisoformat(str(adapted)) if adapted else None,
            actuals=tuple((dt.date.fromisoformat(str(d)), float(m)) for d, m in actuals),
            profile=str(data.get("profile") or ""),
            adapted_on=dt.date.fromisoformat(str(data["adapted_on"])) if data.get("adapted_on") else None,
            paces=AcceptedRace.from_dict(paces) if isinstance(paces, dict) else None,
            checkins=tuple(Checkin.from_dict(c) for c in checkins),
            moved_on=dt.date.fromisoformat(str(moved)) if moved and isinstance(before, dict) else None,
            before=PlanRecord.from_dict(before) if moved and isinstance(before, dict) else None,
        )


def given(plan: Plan, before: PlanRecord | None) -> PlanRecord | None:
    """The athlete's record once they have ``plan`` (an export, a feed, a publish: the ledger
    keeps it, :meth:`PlanRecord.kept_over` ``before``). Compiling with it gives ``plan``
    again (it keeps the day the plan was made, and a race move's day and origin): a command
    that remembers what a plan was made from names this record too, so that handing the
    plan over does not make every athlete look changed the next time."""
    if plan.made_on is None:
        return before
    return PlanRecord.of(plan, plan.made_on).kept_over(before)
