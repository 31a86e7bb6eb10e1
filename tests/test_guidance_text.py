"""What the athlete reads agrees with what the watch gets: every step line of a
description parses back to its structured step, and every step's target is of
the kind the rule table (plansync.core.targets) gives it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from plansync.core.compiler import Options, compile_plan
from plansync.core.plan import Plan, Step
from plansync.core.profile import Profile
from plansync.core.quantities import METRES_PER_UNIT
from plansync.core.targets import primary_kind
from plansync.core.zones import RPE

from .conftest import examples
from .test_compiler_properties import SHIPPED, cases

AMOUNT = r"(?P<amount>\d+(?:\.\d+)? (?:m|km|mi)|\d+ s|\d+ min(?: \d+ s)?|\d+ h(?: \d+ min)?)"
LINE = re.compile(
    rf"^(?P<indent>\s*)- (?P<word>.+?) {AMOUNT}(?: at (?P<target>.+?))?"
    r"(?:, about (?P<second>.+?))?(?: · RPE (?P<rpe>\d+–\d+))?$"
)
REPEAT = re.compile(r"^(?P<indent>\s*)(?P<count>\d+) ×(?: (?P<label>.+))?$")


def _seconds(text: str) -> int:
    total = 0
    for value, unit in re.findall(r"(\d+) (h|min|s)\b", text):
        total += int(value) * {"h": 3600, "min": 60, "s": 1}[unit]
    return total


def _flat(steps: tuple[Step, ...]) -> Iterator[tuple[int, Step]]:
    for s in steps:
        yield (0, s)
        for inner in s.steps:
            yield (1, inner)


def _check(plan: Plan) -> int:
    checked = 0
    for w in plan.workouts:
        if not w.steps or w.kind == "race":  # the race entry is a pacing plan, not steps
            continue
        lines = w.description.split("\n\n")[0].splitlines()
        flat = list(_flat(w.steps))
        assert len(lines) == len(flat), (w.id, lines)
        for line, (depth, step) in zip(lines, flat, strict=True):
            if step.type == "repeat":
                m = REPEAT.match(line)
                assert m and int(m["count"]) == step.count, (w.id, line)
                continue
            m = LINE.match(line)
            assert m is not None, (w.id, line)
            assert len(m["indent"]) == 2 * depth
            amount = m["amount"]
            if step.by == "time":
                exact = step.duration_s or 0
                got = _seconds(amount)
                assert got == exact if exact < 3600 else abs(got - exact) <= 30, (w.id, line, exact)
            else:
                value, unit = amount.split()
                metres = float(value) * (1 if unit == "m" else METRES_PER_UNIT[unit])
                slack = 0.5 if unit == "m" else 0.05 * METRES_PER_UNIT[unit] + 0.5  # one decimal shown
                assert abs(metres - (step.distance_m or 0)) <= slack, (w.id, line, step.distance_m)
            assert step.target is not None and m["target"] == step.target.text, (w.id, line)
            if step.secondary is not None:
                assert m["second"] == step.secondary.text.split(" (")[0]
            if step.target.system != "rpe" and step.zone in RPE:
                lo, hi = RPE[step.zone]
                assert m["rpe"] == f"{lo}–{hi}", (w.id, line)
            checked += 1
    return checked


@pytest.mark.parametrize("system", ["pace", "heart_rate", "rpe"])
@pytest.mark.parametrize("template_id", sorted(SHIPPED))
def test_every_step_line_of_every_shipped_session_is_its_step(template_id: str, system: str) -> None:
    template = SHIPPED[template_id]
    intensity: dict[str, object] = {"system": system}
    if system == "heart_rate":
        intensity["threshold_hr"] = 170
    plan_key = "race_date" if template.goal == "half_marathon" else "start_date"
    weekly = max(45, template.progression.min_weekly / 1000 + 5)
    profile = Profile.model_validate(
        {
            "id": "reader",
            "name": "Reader",
            "timezone": "Europe/London",
            "units": "km",
            "plan": {"template": template_id, plan_key: "2027-06-06", "weeks": template.weeks.max},
            "availability": {"days": ["mon", "tue", "wed", "thu", "sat", "sun"], "long_run_day": "sun"},
            "fitness": {
                "weekly_distance": weekly,
                "long_run": 16,
                "recent_race": {"distance": "10k", "time": "45:00"},
            },
            "intensity": intensity,
        }
    )
    plan = compile_plan(template, profile, Options())
    kinds = {w.kind for w in plan.workouts}
    sessions = {s.kind for s in template.sessions.values()} - {"long"}
    assert sessions - {"cross"} <= kinds | {"race_pace", "hills", "threshold", "intervals", "tempo"}
    assert _check(plan) > 100


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_every_step_target_is_of_the_kind_the_rule_table_gives(case: tuple[str, Profile, int]) -> None:
    template_id, profile, _ = case
    plan = compile_plan(SHIPPED[template_id], profile, Options())
    system = profile.intensity.system
    for w in plan.workouts:
        for depth, step in _flat(w.steps):
            del depth
            if step.type == "repeat" or step.target is None:
                continue
            assert step.zone is not None
            expected = primary_kind(w.kind, step.type, step.zone, system, step.label)
            assert step.target.system == expected, (w.id, step)
            if w.kind == "cross":
                assert step.target.system != "pace"
            if step.zone == "strides" or (w.kind == "hills" and step.type == "run"):
                assert step.target.system == "rpe"
    _check(plan)


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_no_hard_surface_takes_most_of_a_kind_and_concrete_only_for_short_efforts(
    case: tuple[str, Profile, int],
) -> None:
    from plansync.core.guidance import DEFAULT_SURFACES, short_efforts

    template_id, profile, _ = case
    template = SHIPPED[template_id]
    plan = compile_plan(template, profile, Options())
    by_kind: dict[str, list[str]] = {}
    choices: dict[str, set[str]] = {}
    for w in plan.workouts:
        if w.surface is None or w.kind == "race":
            continue
        by_kind.setdefault(w.kind, []).append(w.surface)
        table = template.surfaces.get(w.kind, DEFAULT_SURFACES[w.kind])  # type: ignore[call-overload]
        allowed = {s for s in table if s in profile.surfaces} or set(profile.surfaces)
        if w.kind in ("intervals", "tempo", "threshold", "race_pace", "hills") and not short_efforts(w.steps):
            allowed = allowed - {"concrete"} or allowed
        choices[w.kind] = choices.get(w.kind, allowed) & allowed
        alternative = set(profile.surfaces) != {"concrete"}
        if (
            alternative
            and w.surface == "concrete"
            and w.kind in ("intervals", "tempo", "threshold", "race_pace", "hills")
        ):
            assert short_efforts(w.steps), (w.id, "concrete for long efforts")
    for kind, surfaces in by_kind.items():
        for hard in ("concrete", "asphalt"):
            if len(choices[kind]) > 1 and len(surfaces) > 1:
                assert surfaces.count(hard) <= (len(surfaces) + 1) // 2, (kind, surfaces)
