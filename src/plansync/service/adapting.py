"""Plans that adapt to what the athlete actually ran: compliance, and `plansync adapt`.

Completed training comes from a source (:func:`activities`): a CSV file or a
Strava export, or intervals.icu through its adapter. ``adapt`` plans again
from the first week that has not begun, against the actual runs (see
:func:`plansync.core.progress.adapt`), names every change with its reason,
and keeps the adaptation in the state directory's plan record so compile,
export, feeds, status and publish use it until the profile changes or
``adapt`` runs again (``--reset`` ends it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from plansync.core.actuals import Activity, WeekCompliance, compliance, runs
from plansync.core.plan import Plan, Workout
from plansync.core.plausible import Screened, screen
from plansync.core.profile import Profile
from plansync.core.progress import adapt, applies, profile_key
from plansync.core.quantities import Units, fmt_distance
from plansync.core.race_paces import PaceProposal, propose, with_accepted
from plansync.core.records import AcceptedRace, PlanRecord
from plansync.errors import PlansyncError
from plansync.inputs.compiling import compile_file
from plansync.inputs.loader import find_template, load_profile, load_template_cached, template_dirs
from plansync.service.settings import Settings
from plansync.service.sources import is_platform, platform_activities
from plansync.state.ledger import Ledger, plan_records
from plansync.state.lock import writer


def activities(
    settings: Settings, profile: Profile, plan: Plan, source: str, today: dt.date
) -> list[Activity]:
    """The athlete's completed training from the plan's first day to today: from a file, or
    from a platform whose adapter reads completed training (``intervals``, ``trainingpeaks``)."""
    if is_platform(source):
        from plansync.adapters.base import Athlete

        return platform_activities(settings, source, Athlete(profile, plan, today), plan.start_date, today)
    from plansync.inputs.activities import read_activities

    found = read_activities(Path(source), profile.units, profile.timezone)
    return [a for a in found if plan.start_date <= a.date <= today]


@dataclass(frozen=True)
class Change:
    id: str
    date: dt.date
    week: int
    kind: str
    field: str
    before: Any
    after: Any
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "week": self.week,
            "kind": self.kind,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
        }


@dataclass
class Adapted:
    before: Plan
    after: Plan
    activities: list[Activity]
    weeks: list[WeekCompliance]
    changes: list[Change] = field(default_factory=list)
    kept: bool = False  # written to the state directory
    left_out: list[str] = field(default_factory=list)  # activities not believed: "where: why"
    paces: PaceProposal | None = None  # new paces from a race in the data
    paces_applied: bool = False  # accepted by the coach (--accept-paces)

    def as_dict(self) -> dict[str, Any]:
        data = self.after.as_dict()
        data["actuals"] = {
            "activities": [a.as_dict() for a in self.activities],
            "weeks": [w.as_dict() for w in self.weeks],
        }
        data["changes"] = [c.as_dict() for c in self.changes]
        data["left_out"] = list(self.left_out)
        if self.paces is not None:
            data["paces"] = {**self.paces.as_dict(), "applied": self.paces_applied}
        return data


def _today(settings: Settings, profile: Profile) -> dt.date:
    return settings.now().astimezone(ZoneInfo(profile.timezone)).date()


def believed(
    settings: Settings,
    profile: Profile,
    plan: Plan,
    source: str,
    today: dt.date,
    *,
    assume_missed: bool = False,
) -> Screened:
    """The activities from ``source`` that are plausible, each once (:mod:`plansync.core.plausible`).
    A window with none at all is more likely an incomplete export than an athlete who ran
    nothing: it is refused unless the coach says so (``assume_missed``)."""
    screened = screen(activities(settings, profile, plan, source, today))
    if not screened.kept and not assume_missed:
        raise PlansyncError(
            f"{source} holds no activity from {plan.start_date} to {today}: is the export complete? "
            "If the athlete really trained not at all, say so with --assume-missed"
        )
    return screened


def compliance_of(
    settings: Settings, profile_path: Path, source: str, *, assume_missed: bool = False
) -> tuple[Plan, list[WeekCompliance], list[str]]:
    """Planned against run, week by week; and the activities left out, each with why."""
    profile = load_profile(profile_path)
    plan = compile_file(
        profile_path, settings.templates, now=settings.now(), records=plan_records(settings.state)
    )
    today = _today(settings, profile)
    screened = believed(settings, profile, plan, source, today, assume_missed=assume_missed)
    return plan, compliance(plan, screened.kept, today), screened.notes()


def adapt_plan(
    settings: Settings,
    profile_path: Path,
    source: str | None,
    *,
    dry_run: bool = False,
    reset: bool = False,
    assume_missed: bool = False,
    accept_paces: bool = False,
) -> Adapted:
    """The plan against what was run, its changes named; kept unless ``dry_run``. A race in
    the data proposes new paces (:mod:`plansync.core.race_paces`); ``accept_paces`` is the
    coach's approval, which keeps them with the plan."""
    profile = load_profile(profile_path)
    template = load_template_cached(find_template(profile.plan.template, template_dirs(settings.templates)))
    records = plan_records(settings.state)
    now = settings.now()
    today = _today(settings, profile)
    current = compile_file(profile_path, settings.templates, now=now, records=records)
    if reset:
        plain = {
            k: dataclasses.replace(v, adapted_from=None, actuals=(), paces=None) for k, v in records.items()
        }
        base = compile_file(profile_path, settings.templates, now=now, records=plain)
        done = Adapted(current, base, [], [], plan_changes(current, base, {}, today))
        if not dry_run:
            _keep(settings, base, None, (), profile, None)
            done.kept = True
        return done
    if source is None:
        raise PlansyncError("give --from FILE (CSV or a Strava export) or --from intervals")
    record = records.get(profile.id)
    paces = record.paces if record is not None and applies(record, profile) else None
    screened = believed(settings, profile, current, source, today, assume_missed=assume_missed)
    found = screened.kept
    proposal = propose(with_accepted(profile, paces), found, today)
    if proposal is not None and accept_paces:
        paces = proposal.race
    base_records = {
        k: dataclasses.replace(v, adapted_from=None, actuals=(), paces=paces if k == profile.id else v.paces)
        for k, v in records.items()
    }
    base = compile_file(profile_path, settings.templates, now=now, records=base_records)
    ran = tuple((d, m) for d, m in runs(found) if d < today)
    after = adapt(template, with_accepted(profile, paces), base, ran, today)
    reasons = {week: "; ".join(r) for week, r in after.reasons}
    if proposal is not None and accept_paces:
        reasons = {w: f"{r}; new paces accepted" if r else "new paces accepted" for w, r in reasons.items()}
    result = Adapted(
        current, after, found, compliance(base, found, today), plan_changes(current, after, reasons, today)
    )
    result.left_out = screened.notes()
    result.paces, result.paces_applied = proposal, proposal is not None and accept_paces
    if not dry_run:
        _keep(settings, after, today, ran, profile, paces)
        result.kept = True
    return result


def _keep(
    settings: Settings,
    plan: Plan,
    adapted_from: dt.date | None,
    actuals: tuple[tuple[dt.date, float], ...],
    profile: Profile,
    paces: AcceptedRace | None,
) -> None:
    made_on = plan.made_on or _today(settings, profile)
    record = dataclasses.replace(PlanRecord.of(plan, made_on), paces=paces)
    if adapted_from is not None:
        record = dataclasses.replace(
            record,
            adapted_from=adapted_from,
            actuals=actuals,
            profile=profile_key(profile),
            adapted_on=_today(settings, profile),
        )
    with (
        writer(settings.state, f"adapting {profile.id}'s plan", wait=settings.wait),
        Ledger(settings.state) as ledger,
    ):
        old = ledger.plan_records().get(profile.id)
        if old is not None:  # the athlete's check-ins stay whatever adapt does
            record = dataclasses.replace(record, checkins=old.checkins)
        if old is not None and old.template == record.template:
            record = record.dated_as(old)
        ledger.set_adaptation(record)


FIELDS = ("date", "kind", "distance_m", "title")


def plan_changes(before: Plan, after: Plan, reasons: dict[int, str], today: dt.date) -> list[Change]:
    """Every entry from today on that differs, field by field, with the reason for its week."""
    old = {w.id: w for w in before.workouts}
    new = {w.id: w for w in after.workouts}
    out: list[Change] = []
    for uid in sorted(set(old) | set(new), key=lambda u: ((new.get(u) or old[u]).date, u)):
        a, b = old.get(uid), new.get(uid)
        anchor = b or a
        assert anchor is not None
        if anchor.date < today:
            continue
        why = reasons.get(anchor.week, "follows from the weeks before it")
        if a is None or b is None:
            out.append(Change(uid, anchor.date, anchor.week, anchor.kind, "entry", _label(a), _label(b), why))
            continue
        for name in FIELDS:
            x, y = getattr(a, name), getattr(b, name)
            if name == "title" and a.distance_m != b.distance_m:
                continue  # the title says the distance: the distance change says it already
            if x != y:
                shown = (x.isoformat(), y.isoformat()) if name == "date" else (x, y)
                out.append(Change(uid, b.date, b.week, b.kind, name, *shown, why))
        if a.description != b.description and all(getattr(a, n) == getattr(b, n) for n in FIELDS):
            old_line, new_line = _first_difference(a.description, b.description)
            out.append(Change(uid, b.date, b.week, b.kind, "description", old_line, new_line, why))
    return out


def _first_difference(before: str, after: str) -> tuple[str, str]:
    """The first line that differs (a shoe note, a target): what the athlete will see change."""
    for x, y in zip([*before.splitlines(), ""], [*after.splitlines(), ""], strict=False):
        if x != y:
            return x, y
    return before[-80:], after[-80:]


def _label(w: Workout | None) -> str | None:
    return w.title if w is not None else None


def describe_change(change: Change, units: str) -> str:
    """``2027-03-28 week 9 long: 18 km → 11.5 km (the longest run of the last 30 days was 10.5 km)``."""
    what = f"{change.date} week {change.week} {change.kind.replace('_', ' ')}"
    if change.field == "distance_m":
        u: Units = "mi" if units == "mi" else "km"
        return f"{what}: {fmt_distance(change.before, u)} → {fmt_distance(change.after, u)} ({change.reason})"
    return f"{what}: {change.field} {change.before} → {change.after} ({change.reason})"
