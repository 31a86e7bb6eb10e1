"""The TrainingPeaks payload for every intensity system: targets come from the plan's own steps."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from plansync.adapters.trainingpeaks.payload import payload
from plansync.core.plan import Plan, Step
from plansync.inputs.compiling import compile_file

Writer = Callable[[dict[str, Any], str], Path]

SYSTEMS: dict[str, dict[str, Any]] = {
    "pace": {"system": "pace", "threshold_pace": "4:50"},
    "friel": {"system": "heart_rate", "threshold_hr": 170},
    "karvonen": {"system": "heart_rate", "max_hr": 190, "resting_hr": 50},
    "rpe": {"system": "rpe"},
}


def _steps(steps: tuple[Step, ...], sent: list[dict[str, Any]]) -> Iterator[tuple[Step, dict[str, Any]]]:
    assert len(steps) == len(sent)
    for step, item in zip(steps, sent, strict=True):
        if step.type == "repeat":
            assert item["Type"] == "Repetition" and item["Length"]["Value"] == step.count
            yield from _steps(step.steps, item["Steps"])
        else:
            yield step, item


def _plan(kind: str, profile_data: dict[str, Any], write_yaml: Writer) -> Plan:
    profile_data["intensity"] = SYSTEMS[kind]
    if kind != "pace":
        profile_data["fitness"].pop("recent_race")
    return compile_file(write_yaml(profile_data, "athlete.yaml"))


@pytest.mark.parametrize("kind", sorted(SYSTEMS))
def test_every_step_carries_its_own_target_against_the_athletes_reference(
    kind: str, profile_data: dict[str, Any], write_yaml: Writer
) -> None:
    plan = _plan(kind, profile_data, write_yaml)
    checked = 0
    for workout in plan.workouts:
        body = payload(workout, plan, "134129")
        if body["Structure"] is None:
            continue
        for step, item in _steps(workout.steps, json.loads(body["Structure"])):
            target, sent = step.target, item["IntensityTarget"]
            assert target is not None
            assert sent["Value"] == round((sent["MinValue"] + sent["MaxValue"]) / 2, 2)
            if kind == "rpe":
                assert sent["Unit"] == "Rpe"
                assert (sent["MinValue"], sent["MaxValue"]) == (target.low, target.high)
            elif kind == "friel":
                assert sent["Unit"] == "PercentOfThresholdHr"
                assert sent["MinValue"] == round(target.low / 170 * 100, 1)
                assert sent["MaxValue"] == round(target.high / 170 * 100, 1)
            elif kind == "karvonen":
                assert sent["Unit"] == "PercentOfMaxHr"
                assert sent["MinValue"] == round(target.low / 190 * 100, 1)
                assert sent["MaxValue"] == round(target.high / 190 * 100, 1)
            else:
                assert sent["Unit"] == "PercentOfThresholdSpeed"
                assert sent["MinValue"] < sent["MaxValue"]  # faster is a higher percentage
            checked += 1
    assert checked > 50


def test_threshold_steps_sit_at_one_hundred_percent(profile_data: dict[str, Any], write_yaml: Writer) -> None:
    for kind, unit in (("pace", "PercentOfThresholdSpeed"), ("friel", "PercentOfThresholdHr")):
        plan = _plan(kind, profile_data, write_yaml)
        seen = []
        for workout in plan.workouts:
            body = payload(workout, plan, "134129")
            if body["Structure"] is None:
                continue
            for step, item in _steps(workout.steps, json.loads(body["Structure"])):
                if step.zone == "threshold":
                    assert item["IntensityTarget"]["Unit"] == unit
                    seen.append(item["IntensityTarget"]["Value"])
        assert seen and all(99 <= v <= 102 for v in seen), (kind, seen[:5])
