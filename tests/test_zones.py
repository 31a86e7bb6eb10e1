"""Zone maths against the worked examples of the coaching reference."""

from __future__ import annotations

from typing import Any

import pytest

from plansync.core.daniels import race_time, riegel, vdot
from plansync.core.profile import Profile
from plansync.core.quantities import fmt_clock
from plansync.core.zones import ZoneModel


def model(data: dict[str, Any], **intensity: Any) -> ZoneModel:
    data["intensity"] = {"system": "pace", **intensity}
    return ZoneModel(Profile.model_validate(data))


def test_vdot_of_a_20_minute_5k_is_49_8() -> None:
    assert vdot(5000, 20 * 60) == pytest.approx(49.8, abs=0.05)


def test_paces_from_a_20_minute_5k(profile_data: dict[str, Any]) -> None:
    profile_data["fitness"]["recent_race"] = {"distance": "5k", "time": "20:00"}
    z = model(profile_data)
    assert fmt_clock(z.pace_s_per_km("threshold")) == "4:16"
    assert fmt_clock(z.pace_s_per_km("interval")) == "3:56"
    easy = z.target("easy")
    assert easy.text.startswith("4:56–5:35/km")


def test_predicted_half_marathon_and_riegel() -> None:
    v = vdot(5000, 20 * 60)
    assert race_time(v, 21097.5) == pytest.approx(5509, abs=1)  # 1:31:49, as rounded in the reference
    assert fmt_clock(riegel(20 * 60, 5000, 21097.5)) == "1:32:00"


def test_threshold_pace_gives_the_same_threshold_back(profile_data: dict[str, Any]) -> None:
    profile_data["fitness"].pop("recent_race")
    z = model(profile_data, threshold_pace="4:50")
    assert fmt_clock(z.pace_s_per_km("threshold")) == "4:50"
    assert z.vdot_source == "threshold_pace"


def test_paces_in_miles_are_per_mile(profile_data: dict[str, Any]) -> None:
    profile_data["units"] = "mi"
    profile_data["fitness"]["recent_race"] = {"distance": "5k", "time": "20:00"}
    z = model(profile_data)
    t = z.target("threshold")
    assert t.unit == "s/mi"
    assert t.low <= 256 * 1.609344 <= t.high + 1  # 4:16/km is about 6:52/mi
    assert "/mi" in t.text


def test_friel_zones_from_threshold_heart_rate(profile_data: dict[str, Any]) -> None:
    profile_data["intensity"] = {"system": "heart_rate", "threshold_hr": 170}
    z = ZoneModel(Profile.model_validate(profile_data))
    easy = z.target("easy")
    assert (easy.low, easy.high) == (round(170 * 0.85), round(170 * 0.89))
    assert easy.text.endswith("bpm (easy)")


def test_karvonen_zones_from_max_and_resting(profile_data: dict[str, Any]) -> None:
    profile_data["intensity"] = {"system": "heart_rate", "max_hr": 190, "resting_hr": 50}
    z = ZoneModel(Profile.model_validate(profile_data))
    easy = z.target("easy")  # 60–70 % of a 140-beat reserve, plus resting
    assert (easy.low, easy.high) == (134, 148)


def test_rpe_is_on_the_cr10_scale(profile_data: dict[str, Any]) -> None:
    profile_data["intensity"] = {"system": "rpe"}
    z = ZoneModel(Profile.model_validate(profile_data))
    assert (z.target("recovery").low, z.target("recovery").high) == (2, 3)
    assert z.target("threshold").text == "RPE 6–7/10 (threshold)"


def test_durations_are_estimated_without_any_pace_input(profile_data: dict[str, Any]) -> None:
    profile_data["fitness"].pop("recent_race")
    profile_data["intensity"] = {"system": "rpe"}
    z = ZoneModel(Profile.model_validate(profile_data))
    assert z.vdot_source == "estimated"
    assert 4.5 * 60 < z.pace_s_per_km("easy") < 8 * 60
