"""Golden files, per target, for the sessions that lose meaning most easily: strides, hills,
cross-training and foot strength, as TrainingPeaks, intervals.icu, a FIT file (decoded by
Garmin's SDK) and a calendar event each receive them. A change here is a change an athlete
would see on that target: review the diff, then regenerate with
``PLANSYNC_UPDATE_GOLDEN=1 pytest tests/test_golden_targets.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from plansync.adapters.base import Athlete
from plansync.adapters.intervals.adapter import IntervalsAdapter
from plansync.adapters.intervals.client import transport
from plansync.adapters.trainingpeaks.payload import payload
from plansync.calendars.events import DEFAULT_UID_DOMAIN, event_content
from plansync.core.checkins import Checkin
from plansync.core.listening import listen
from plansync.core.plan import Plan, Workout
from plansync.inputs.compiling import compile_file
from plansync.inputs.loader import load_profile
from plansync.watch.fit import workout_bytes

from .conftest import EXAMPLE, matches_golden
from .test_fit import decode

GOLDEN = Path(__file__).parent / "golden" / "targets"
KINDS = ("strides", "hills", "cross", "foot_strength")


def _plan(tmp_path: Path) -> tuple[Plan, Athlete]:
    profile = tmp_path / "jane-doe.yaml"
    profile.write_text(EXAMPLE.read_text() + 'platforms:\n  intervals: {athlete_id: "0"}\n')
    plan = compile_file(profile)
    week_4 = next(w for w in plan.workouts if w.week == 4 and w.kind in ("easy", "long"))
    plan = listen(
        plan, [Checkin(week_4.date, 6, "heel", "morning"), Checkin(week_4.date, 1, "heel", "after")]
    )
    return plan, Athlete(load_profile(profile), plan, plan.start_date)


def _fit(plan: Plan, w: Workout) -> dict[str, Any]:
    messages = decode(workout_bytes(plan, w))
    keep = ("wkt_name", "wkt_description", "sport", "num_valid_steps")
    steps = ("wkt_step_name", "intensity", "duration_type", "target_type", "notes")
    return {
        "workout": {k: v for k, v in messages["workout_mesgs"][0].items() if k in keep},
        "steps": [
            {k: s.get(k) for k in steps if s.get(k) is not None} for s in messages["workout_step_mesgs"]
        ],
    }


@pytest.mark.parametrize("kind", KINDS)
def test_every_target_gets_the_whole_session(kind: str, tmp_path: Path) -> None:
    plan, athlete = _plan(tmp_path)
    w = next(x for x in plan.workouts if x.kind == kind)
    icu = IntervalsAdapter(transport("https://icu.test", httpx.BasicAuth("API_KEY", "k")))
    seen = {
        "workout": {"id": w.id, "title": w.title},
        "trainingpeaks": payload(w, plan, "1"),
        "intervals": icu.event(athlete, w)[0],
        "fit": _fit(plan, w),
        "calendar": event_content(w, plan.timezone, busy=False, uid_domain=DEFAULT_UID_DOMAIN),
    }
    icu.close()
    matches_golden(GOLDEN / f"{kind}.json", seen)
