"""What a template's schema cannot see: references and arithmetic across keys.

:func:`reference_problems` reads the raw YAML data defensively, so it runs
even when the schema has already found problems (``validate`` reports every
problem, not the first); :func:`model_problems` needs the validated template.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches
from itertools import pairwise
from typing import Any

from plansync.core.budgets import BUDGETS, fit_steps
from plansync.core.exercises import EXERCISES
from plansync.core.rules import TAPER_DEPTH
from plansync.core.template import StepSpec, Template
from plansync.core.vocab import HARD_KINDS
from plansync.errors import Problem
from plansync.inputs.yamlio import Document, Loc

FILL_KINDS = ("long", "easy", "recovery", "strides")
# The long run, the day after it and the day before it leave four days: two hard days apart.
MAX_APART_HARD = 2


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _weekly_lists(data: dict[str, Any]) -> list[tuple[Loc, list[Any]]]:
    out: list[tuple[Loc, list[Any]]] = []
    phases = data.get("phases")
    if isinstance(phases, list):
        for i, phase in enumerate(phases):
            if isinstance(phase, dict) and isinstance(phase.get("sessions"), list):
                out.append((("phases", i, "sessions"), phase["sessions"]))
    taper = data.get("taper")
    if isinstance(taper, dict) and isinstance(taper.get("sessions"), list):
        out.append((("taper", "sessions"), taper["sessions"]))
    return out


def _kinds(data: dict[str, Any]) -> dict[str, str]:
    sessions = data.get("sessions")
    if not isinstance(sessions, dict):
        return {}
    return {
        name: s["kind"]
        for name, s in sessions.items()
        if isinstance(s, dict) and isinstance(s.get("kind"), str)
    }


def reference_problems(data: dict[str, Any], doc: Document) -> list[Problem]:
    """Cross-key problems read from the raw YAML, so they are reported even when the schema
    fails. The raw data can have any shape then: a shape these checks do not expect means
    the schema's own messages already cover it, and the checks stand down."""
    if not isinstance(data, dict):
        return []
    try:
        return _reference_problems(data, doc)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return []


def _reference_problems(data: dict[str, Any], doc: Document) -> list[Problem]:
    out: list[Problem] = []
    kinds = _kinds(data)
    sessions = data.get("sessions")
    defined = list(sessions) if isinstance(sessions, dict) else []
    rules = data.get("rules") if isinstance(data.get("rules"), dict) else {}
    assert isinstance(rules, dict)
    max_hard = _num(rules.get("max_hard_days", 2))
    consecutive = rules.get("consecutive_hard", False) is True

    for where, names in _weekly_lists(data):
        for j, name in enumerate(names):
            if isinstance(name, str) and defined and name not in defined:
                close = get_close_matches(name, defined, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; defined: {', '.join(defined)}"
                out.append(doc.problem((*where, j), f"unknown session {name!r}{hint}"))
        if names and isinstance(names[0], str) and kinds.get(names[0], "long") != "long":
            what = "the taper's" if where[0] == "taper" else "a phase's"
            out.append(doc.problem((*where, 0), f"{what} first session must be a long run"))
        hard = [n for n in names[:6] if isinstance(n, str) and kinds.get(n) in HARD_KINDS]
        if max_hard is not None and len(hard) > max_hard:
            out.append(
                doc.problem(
                    where,
                    f"{len(hard)} hard sessions a week ({', '.join(hard)}) but rules.max_hard_days is {max_hard:.0f}",
                )
            )
        elif len(hard) > MAX_APART_HARD and not consecutive:
            out.append(
                doc.problem(
                    where,
                    f"{len(hard)} hard sessions a week force hard days back to back: with the long run and the easy days around it, at most {MAX_APART_HARD} fit apart (or set rules.consecutive_hard)",
                )
            )

    phases = data.get("phases")
    taper = data.get("taper") if isinstance(data.get("taper"), dict) else None
    if isinstance(phases, list) and phases:
        shares = [_num(p.get("share")) for p in phases if isinstance(p, dict)]
        if shares and all(s is not None for s in shares):
            total = sum(s for s in shares if s is not None)
            if abs(total - 1.0) > 0.011:
                out.append(
                    doc.problem(("phases",), f"phase shares must add up to 1, they add up to {total:.2f}")
                )
        names = [p.get("name") for p in phases if isinstance(p, dict)]
        if len(set(names)) != len(names):
            out.append(doc.problem(("phases",), "two phases share a name"))
        weeks = data.get("weeks")
        min_weeks = _num(weeks.get("min")) if isinstance(weeks, dict) else None
        taper_weeks = _num(taper.get("weeks")) if taper else 0.0
        if min_weeks is not None and taper_weeks is not None and min_weeks - taper_weeks < len(phases):
            out.append(
                doc.problem(
                    ("phases",),
                    f"{len(phases)} phases do not fit the {min_weeks - taper_weeks:.0f} weeks before the taper of a {min_weeks:.0f}-week plan",
                )
            )

    goal = data.get("goal")
    if goal == "half_marathon" and "taper" not in data:
        out.append(doc.problem(("taper",), "a half-marathon template needs a taper", key=True))
    if goal == "general" and "taper" in data:
        out.append(doc.problem(("taper",), "a general template has no race, so no taper", key=True))
    if taper is not None:
        out.extend(_taper_problems(taper, doc))
    out.extend(_exercise_problems(data, doc))
    return out


def _taper_problems(taper: dict[str, Any], doc: Document) -> list[Problem]:
    factors = taper.get("factors")
    weeks = _num(taper.get("weeks"))
    if not isinstance(factors, list) or not factors or not all(_num(f) is not None for f in factors):
        return []
    values = [float(f) for f in factors]
    where = ("taper", "factors")
    if weeks is not None and len(values) != weeks:
        return [doc.problem(where, f"expected {weeks:.0f} factors, one per taper week, got {len(values)}")]
    out = []
    low, high = TAPER_DEPTH
    if not low <= values[-1] <= high:
        out.append(
            doc.problem(
                where, f"race week must be {low:.0%}–{high:.0%} of the peak week, got {values[-1]:.0%}"
            )
        )
    if any(b > a for a, b in pairwise(values)) or values[0] >= 1:
        out.append(doc.problem(where, "a taper must come down week by week, below the peak"))
    return out


def _exercise_problems(data: dict[str, Any], doc: Document) -> list[Problem]:
    fs = data.get("foot_strength")
    exercises = fs.get("exercises") if isinstance(fs, dict) else None
    if not isinstance(exercises, list):
        return []
    out = []
    known = list(EXERCISES)
    for i, ex in enumerate(exercises):
        if not isinstance(ex, dict):
            continue
        name = ex.get("exercise")
        if isinstance(name, str) and name not in EXERCISES:
            close = get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
            out.append(
                doc.problem(("foot_strength", "exercises", i, "exercise"), f"unknown exercise {name!r}{hint}")
            )
        stages = ex.get("stages")
        if isinstance(stages, list) and stages:
            found = [_num(s.get("from_week")) for s in stages if isinstance(s, dict)]
            weeks = [w for w in found if w is not None]
            if len(weeks) == len(found) and (weeks[0] != 1 or weeks != sorted(set(weeks))):
                out.append(
                    doc.problem(
                        ("foot_strength", "exercises", i, "stages"),
                        "stages start at from_week 1 and go up week by week",
                    )
                )
    return out


def model_problems(t: Template, doc: Document) -> list[Problem]:
    """Checks that need parsed quantities and steps."""
    out: list[Problem] = []
    if t.progression.peak_long_run[0] > t.progression.peak_weekly[1] * t.rules.long_run_share + 1:
        out.append(
            doc.problem(
                ("progression", "peak_long_run"),
                f"the lowest peak long run is more than rules.long_run_share ({t.rules.long_run_share:.0%}) of the highest peak week",
            )
        )
    for name, session in t.sessions.items():
        fills = _count_fills(session.steps)
        if session.kind in FILL_KINDS and fills != 1:
            out.append(
                doc.problem(
                    ("sessions", name, "steps"),
                    f"a {session.kind} session needs exactly one 'fill' step, got {fills}",
                )
            )
        if session.kind not in FILL_KINDS and fills:
            out.append(
                doc.problem(
                    ("sessions", name, "steps"),
                    f"a {session.kind} session is sized by its steps; 'fill' is for long, easy, recovery and strides",
                )
            )
    return out


def _count_fills(steps: list[StepSpec]) -> int:
    total = 0
    for step in steps:
        if step.repeat is not None:
            total += _count_fills(step.steps or [])
        elif step.amount.fill:
            total += 1
    return total


def template_problems(t: Template, doc: Document, targets: Iterable[str] = ()) -> list[Problem]:
    return (
        reference_problems(doc.data, doc)
        + model_problems(t, doc)
        + label_problems(t, doc)
        + budget_problems(t, doc, targets)
    )


def budget_problems(t: Template, doc: Document, targets: Iterable[str]) -> list[Problem]:
    """Sessions longer than a target takes (``validate --targets``): a repeat counts as one
    step besides the steps it repeats, as the FIT profile writes it (:mod:`plansync.core.budgets`)."""
    out: list[Problem] = []
    for name in targets:
        budget = BUDGETS[name]
        if budget.max_steps is None:
            continue
        for session_name, session in t.sessions.items():
            count = fit_steps(
                [(len(s.steps or []), 1) if s.repeat is not None else (1, 0) for s in session.steps]
            )
            if count > budget.max_steps:
                out.append(
                    doc.problem(
                        ("sessions", session_name, "steps"),
                        f"{count} steps: {name} takes at most {budget.max_steps} (a repeat counts as one "
                        "step besides its steps); shorten the session or split it in two",
                    )
                )
    return out


def label_problems(t: Template, doc: Document) -> list[Problem]:
    """Step labels travel to watch faces and platforms as they are: no control characters."""
    out: list[Problem] = []
    for session_name, session in t.sessions.items():
        for i, step in enumerate(session.steps):
            for label in [step.label, *(s.label for s in step.steps or [])]:
                if label is not None and any(ord(ch) < 32 or ord(ch) == 127 for ch in label):
                    out.append(
                        doc.problem(
                            ("sessions", session_name, "steps", i),
                            f"the label {label!r} holds a control character (a tab, line break or escape)",
                        )
                    )
    return out
