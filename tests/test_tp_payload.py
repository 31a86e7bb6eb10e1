"""The TrainingPeaks payload for every intensity system: targets come from the plan's own steps."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from plansync.adapters.trainingpeaks.payload import payload
from plansync.core.plan import Plan, Step
from plansync.core.zones import RPE
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
    profile_data["fitness"].pop("recent_race", None)
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
            target, sent = step.target, item.get("IntensityTarget", {})
            assert target is not None
            units = {
                i.get("IntensityTarget", {}).get("Unit")
                for _, i in _steps(workout.steps, json.loads(body["Structure"]))
            }
            assert len(units - {None}) <= 1 or "Rpe" not in units, units  # one structure, one kind of unit
            if target.system == "rpe" and kind != "rpe" and workout.kind != "cross":
                # An effort inside a pace or heart-rate structure: named with its effort, and
                # by the pace beside it (strides) or open (hills, walks).
                assert item["Name"].endswith(f"RPE {target.low}-{target.high}")
                if step.secondary is not None:
                    assert sent["Unit"] == "PercentOfThresholdSpeed" and kind == "pace"
                else:
                    assert sent == {}
                checked += 1
                continue
            if target.system == "rpe" or (kind == "pace" and workout.kind == "cross"):
                # Effort in whole numbers: RPE athletes, and steps that go by effort for
                # everyone (strides, hill repeats, walking; cross-training without heart rate).
                assert sent["Unit"] == "Rpe"
                assert all(isinstance(sent[k], int) for k in ("Value", "MinValue", "MaxValue") if k in sent)
                low, high = (target.low, target.high) if target.system == "rpe" else RPE[target.zone]
                if (high - low) % 2 == 0:
                    assert (sent["MinValue"], sent["Value"], sent["MaxValue"]) == (
                        low,
                        (low + high) // 2,
                        high,
                    )
                else:  # no whole midpoint: the midpoint rounded up, alone
                    assert "MinValue" not in sent and sent["Value"] == (low + high + 1) // 2
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
            if "MinValue" in sent:
                assert sent["Value"] == round((sent["MinValue"] + sent["MaxValue"]) / 2, 2)
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


def test_the_athletes_own_threshold_pace_is_one_hundred_percent(
    profile_data: dict[str, Any], write_yaml: Writer
) -> None:
    """A race and a threshold pace both given: the race sets the zones, the stated pace the 100 %."""
    profile_data["intensity"] = {"system": "pace", "threshold_pace": "4:50"}
    plan = compile_file(write_yaml(profile_data, "athlete.yaml"))
    assert plan.references.threshold_pace_s == 290


def test_rest_days_and_lengths(profile_data: dict[str, Any], write_yaml: Writer) -> None:
    plan = _plan("pace", profile_data, write_yaml)
    for workout in plan.workouts:
        body = payload(workout, plan, "134129")
        for item in json.loads(body["Structure"] or "[]"):
            inner = item.get("Steps", [item])
            assert all(i["Type"] == "Step" for i in inner)  # one level of repetition
            assert all(isinstance(i["Length"]["Value"], int) and i["Length"]["Value"] > 0 for i in inner)
