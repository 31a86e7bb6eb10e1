"""The plan after the athlete's check-ins: each changed workout keeps its id and says why.

:func:`listen` applies the episodes of :mod:`plansync.core.checkins` to a
plan (Silbernagel et al. 2007, the pain-monitoring model; the coaching brief's
red flags):

- a pause (red flag): every run and strength session becomes rest;
- a stop (pain over 5, not settled, the same site twice): every run becomes
  cross-training of the same time, foot strength stays but gentle;
- a caution (pain 3–5): the next run 20 % shorter, the next hard session easy,
  the next foot-strength session gentle;
- a graded return: a week of runs at 60 %, a week at 80 %, easy only.

A plan with no check-ins, or with pain 0–2 only, comes back unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from plansync.core.checkins import RETURN, SHORTEN, Checkin, Episode, episodes, paused
from plansync.core.plan import Plan, PlanWarning, Step, WeekSummary, Workout
from plansync.core.quantities import Units, fmt_distance, fmt_duration
from plansync.core.vocab import HARD_KINDS, RUN_KINDS
from plansync.core.zones import Target

GENTLE = "Keep it gentle today: half the sets, no hopping or barefoot balance work, stop at any pain."
SAID = (
    "Changed:",
    "Replaced by cross-training:",
    "Rest instead of",
    "Keep it gentle",
    "Paused:",
)  # a check-in's lines
CROSS = "Cycling, swimming, aqua jogging or the elliptical at an easy effort, pain-free throughout."


def listen(plan: Plan, checkins: Sequence[Checkin]) -> Plan:
    """``plan`` with the check-ins' episodes applied, and a warning while running is stopped."""
    found = episodes(checkins)
    if not found:
        return plan
    workouts = list(plan.workouts)
    for episode in found:
        workouts = _apply(episode, workouts, plan)
    changed = tuple(workouts)
    if changed == plan.workouts and not _open(found):
        return plan
    warnings = [*plan.warnings, *_warnings(found, checkins)]
    return dataclasses.replace(
        plan, workouts=changed, warnings=tuple(warnings), weeks_summary=_summaries(plan, changed)
    )


def _open(found: list[Episode]) -> list[Episode]:
    return [e for e in found if e.last is None and e.kind in ("stop", "pause")]


def _apply(episode: Episode, workouts: list[Workout], plan: Plan) -> list[Workout]:
    units: Units = "mi" if plan.units == "mi" else "km"
    if episode.kind == "caution":
        return _caution(episode, workouts, units)
    out: list[Workout] = []
    for w in workouts:
        if not episode.covers(w.date):
            out.append(w)
        elif episode.kind == "pause":
            out.append(_paused(w, episode.why))
        elif episode.kind == "stop" and w.kind == "race":
            out.append(_rest(w, f"{episode.why}: no racing in pain; talk with your coach about the race"))
        elif episode.kind == "stop":
            out.append(_cross(w, episode.why, plan) if w.kind in RUN_KINDS else _gentle(w, episode.why))
        else:
            out.append(_returning(w, episode, units))
    return out


def _caution(episode: Episode, workouts: list[Workout], units: Units) -> list[Workout]:
    """The next run shorter, the next hard session easy, the next strength session gentle."""
    out = list(workouts)
    ahead = [i for i, w in enumerate(out) if episode.covers(w.date)]
    run = next((i for i in ahead if out[i].kind in RUN_KINDS and out[i].kind != "race"), None)
    hard = next((i for i in ahead if out[i].kind in HARD_KINDS and out[i].kind != "race"), None)
    strength = next((i for i in ahead if out[i].kind == "foot_strength"), None)
    for i in {run, hard} - {None}:
        assert i is not None
        share = SHORTEN if i == run else 1.0
        what = "shortened and easy" if i == hard and i == run else ("easy" if i == hard else "shortened")
        out[i] = _easy(out[i], share, f"{what}: {episode.why}", units)
    if strength is not None:
        out[strength] = _gentle(out[strength], episode.why)
    return out


def _returning(w: Workout, episode: Episode, units: Units) -> Workout:
    if w.kind not in RUN_KINDS or w.kind == "race":
        return w
    first_days, first_share = RETURN[0]
    share = first_share if (w.date - episode.first).days < first_days else RETURN[1][1]
    return _easy(w, share, f"graded return at {share:.0%}, easy only: {episode.why}", units)


def _note(w: Workout, line: str) -> tuple[str, tuple[str, ...]]:
    return f"{line}\n\n{w.description}", (line, *w.notes)


def _rest(w: Workout, why: str) -> Workout:
    if w.kind == "rest":
        return w
    line = f"Rest instead of {w.title}: {why}."
    return _emptied(w, "rest", "Rest day", line, line)


def _paused(w: Workout, why: str) -> Workout:
    """A run or strength session while a red flag stands: an entry that says so, kept on the
    athlete's calendar (a workout that vanished would say nothing), with nothing to do."""
    if w.kind not in RUN_KINDS and w.kind != "foot_strength":
        return w
    line = f"Paused: {why}. No running: see a professional; your coach clears you to run again."
    more = f"Was: {w.title}. Move gently as the professional advises; nothing is planned today."
    return _emptied(w, "cross", "Paused · no running", f"{line}\n\n{more}", line)


def _emptied(w: Workout, kind: str, title: str, description: str, line: str) -> Workout:
    """The entry with nothing to run: no distance, time, steps, surface or shoe."""
    return dataclasses.replace(
        w,
        kind=kind,
        title=title,
        description=description,
        distance_m=0,
        duration_s=0,
        hard=False,
        surface=None,
        shoe=None,
        steps=(),
        notes=(line,),
    )


def _cross(w: Workout, why: str, plan: Plan) -> Workout:
    minutes = max(20 * 60, round(w.duration_s / 300) * 300)
    line = f"Replaced by cross-training: {why} (was {w.title}). Run again after a check-in at 2 or less."
    easy = next((t for t in plan.zones if t.zone == "easy"), None)
    step = Step(type="cross", zone="easy", by="time", duration_s=minutes, target=easy)
    return dataclasses.replace(
        w,
        kind="cross",
        title=f"Cross-training · {fmt_duration(minutes)}",
        description=f"{line}\n\n{CROSS}",
        distance_m=0,
        duration_s=minutes,
        hard=False,
        surface=None,
        shoe=None,
        steps=(step,),
        notes=(line,),
    )


def _gentle(w: Workout, why: str) -> Workout:
    if w.kind != "foot_strength":
        return w
    line = f"{GENTLE} ({why})"
    description, notes = _note(w, line)
    return dataclasses.replace(w, description=description, notes=notes)


def _easy(w: Workout, share: float, why: str, units: Units) -> Workout:
    """The run as one easy run of ``share`` of its distance and time."""
    distance = round(w.distance_m * share)
    seconds = round(w.duration_s * share)
    easy = _easy_target(w)
    line = f"Changed: {why} (was {w.title})."
    step = Step(type="run", zone="easy", by="distance", duration_s=seconds, distance_m=distance, target=easy)
    description, notes = _note(w, line)
    return dataclasses.replace(
        w,
        kind="easy" if w.kind in HARD_KINDS else w.kind,
        hard=False,
        title=f"Easy run · {fmt_distance(distance, units)}",
        description=description,
        distance_m=distance,
        duration_s=seconds,
        steps=(step,),
        notes=notes,
    )


def _easy_target(w: Workout) -> Target | None:
    for step in (*w.steps, *(s for r in w.steps for s in r.steps)):
        if step.zone == "easy" and step.target is not None:
            return step.target
    return None


def _warnings(found: list[Episode], checkins: Sequence[Checkin]) -> list[PlanWarning]:
    flag = paused(checkins)
    if flag is not None:
        return [
            PlanWarning(
                "pain-red-flag",
                f"NEEDS ATTENTION: {flag.says()}. Running is paused until you clear it "
                "(plansync checkin PROFILE --cleared); the athlete should see a professional.",
                {"date": flag.date.isoformat(), "red_flags": list(flag.red_flags), "where": flag.where},
            )
        ]
    stop = next((e for e in _open(found) if e.kind == "stop"), None)
    if stop is not None:
        return [
            PlanWarning(
                "pain-stop",
                f"Runs replaced by cross-training from {stop.first}: {stop.why}. They come back, graded, "
                "after a check-in at 2 or less.",
                {"since": stop.first.isoformat(), "why": stop.why},
            )
        ]
    return []


def _summaries(plan: Plan, workouts: tuple[Workout, ...]) -> tuple[WeekSummary, ...]:
    """The weeks a check-in changed, their volume and running time again; the others as they were."""
    timed = RUN_KINDS - {"race"}
    changed = {new.week for new, old in zip(workouts, plan.workouts, strict=True) if new != old}
    out: list[WeekSummary] = []
    for s in plan.weeks_summary:
        if s.week not in changed:
            out.append(s)
            continue
        week = [w for w in workouts if w.week == s.week]
        out.append(
            dataclasses.replace(
                s,
                distance_m=sum(w.distance_m for w in week if w.kind in timed),
                duration_s=sum(w.duration_s for w in week if w.kind in timed),
            )
        )
    return tuple(out)
