"""Workflows about athletes and workspaces: ``init`` and the consultation (``athlete new``).

The consultation is a list of :class:`Question`\\ s asked in order; which come
next depends on the answers so far (a race plan asks for a race date, a
heart-rate athlete for heart rates). The CLI asks them (from options or
prompts); this module decides what to ask, checks each answer, and writes the
profile only once it compiles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plansync.core.plan import Plan
from plansync.core.profile import PACE_LIMITS_S_PER_KM, plain_text
from plansync.core.quantities import METRES_PER_UNIT, fmt_clock, parse_clock
from plansync.core.template import Template
from plansync.inputs import intake, workspace
from plansync.inputs.compiling import compile_profile
from plansync.inputs.loader import (
    SHIPPED_TEMPLATES,
    find_template,
    load_template,
    read_profile_text,
    template_dirs,
)
from plansync.inputs.schemas import KINDS as SCHEMA_KINDS
from plansync.inputs.schemas import schema_json
from plansync.service.settings import Settings


@dataclass(frozen=True)
class Question:
    key: str  # the answer's key, and the command-line option (``--key-name``)
    label: str
    check: Callable[[str], Any]  # raises ValueError with what was expected
    default: str | None = None
    optional: bool = False


def init_workspace(directory: Path, platforms: tuple[str, ...] = ()) -> list[Path]:
    """A coach's workspace in ``directory`` publishing calendar files, and to ``platforms``;
    keeps whatever is already there."""
    written = workspace.init(directory, SHIPPED_TEMPLATES, platforms)
    written += workspace.write_schemas(directory, {k: schema_json(k) for k in SCHEMA_KINDS})
    return written


def _fail(expected: str) -> Any:
    raise ValueError(f"expected {expected}")


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("expected an answer")
    return value.strip()


def _whole(value: str) -> int:
    number = intake.check_positive(value)
    if not number.is_integer():
        raise ValueError("expected a whole number")
    return int(number)


def _time(value: str) -> str:
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
        raise ValueError("expected a time of day such as 06:30")
    return value.strip()


def _one_day(value: str) -> str:
    days = intake.check_days(value)
    return days[0] if len(days) == 1 else _fail("one day")


def _threshold_pace(value: str, units: str) -> str:
    text = intake.check_clock(value)
    per_km = parse_clock(text) / (METRES_PER_UNIT[units] / 1000)
    low, high = PACE_LIMITS_S_PER_KM
    if not low <= per_km <= high:
        scale = METRES_PER_UNIT[units] / 1000
        raise ValueError(
            f"expected a threshold pace between {fmt_clock(low * scale)} and {fmt_clock(high * scale)} "
            f"per {units} (what can be held for about an hour)"
        )
    return text


@dataclass(frozen=True)
class Draft:
    """A consultation's profile before it is written, and the plan it gives."""

    path: Path
    doc: dict[str, Any]
    plan: Plan

    def blockers(self) -> list[str]:
        """Warnings the coach should read before the profile is written."""
        return [w.message for w in self.plan.warnings if w.code in SHOW_BEFORE_WRITING]


SHOW_BEFORE_WRITING = ("not-race-ready", "above-template-peak")


def _intervals_id(value: str) -> str:
    text = value.strip()
    if not re.fullmatch(r"0|i?[0-9]{1,12}", text):
        raise ValueError("expected an intervals.icu athlete id such as i12345 (or 0)")
    return text


class Consultation:
    """The questions of ``athlete new`` for one workspace; iterate with :meth:`questions`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._dirs = template_dirs(settings.templates)
        self.known = sorted({p.stem for d in self._dirs if d.is_dir() for p in d.glob("*.yaml")})
        self._template: Template | None = None

    def _template_id(self, value: str) -> str:
        if value.strip() not in self.known:
            raise ValueError(f"expected one of: {', '.join(self.known)}")
        self._template = load_template(find_template(value.strip(), self._dirs))
        return value.strip()

    def questions(self, answers: dict[str, Any]) -> Iterator[Question]:
        """The next question, each time ``answers`` holds the answer to the last one."""
        yield Question("name", "Name", lambda v: plain_text(_text(v)))
        slug = intake.slug(answers["name"])
        yield Question("id", "Profile id", lambda v: intake.slug(v) if v.strip() else slug, default=slug)
        yield Question("timezone", "Time zone", intake.check_zone, default=intake.machine_zone())
        yield Question(
            "units", "Units (km or mi)", lambda v: v if v in ("km", "mi") else _fail("km or mi"), "km"
        )
        yield Question(
            "template",
            f"Plan template ({', '.join(self.known)})",
            self._template_id,
            default="half-marathon-intermediate",
        )
        template = self._template
        assert template is not None
        if template.goal == "half_marathon":
            yield Question("race_date", "Race date (YYYY-MM-DD)", intake.check_date)
        else:
            yield Question("start_date", "Start date (YYYY-MM-DD)", intake.check_date)
        yield Question(
            "weeks", f"Weeks ({template.weeks.min}–{template.weeks.max})", _whole, str(template.weeks.default)
        )
        yield Question("days", "Training days", intake.check_days, default="mon, tue, thu, sat, sun")
        yield Question(
            "long_run_day",
            "Long-run day",
            _one_day,
            default="sun" if "sun" in answers["days"] else answers["days"][-1],
        )
        yield Question("time", "Usual training time HH:MM (empty for all-day entries)", _time, optional=True)
        units = answers["units"]
        yield Question("weekly_distance", f"Current weekly distance ({units})", intake.check_positive)
        yield Question("long_run", f"Longest run of the last 30 days ({units})", intake.check_positive)
        systems = ("pace", "heart_rate", "rpe")
        yield Question(
            "system",
            "Intensity system (pace, heart_rate, rpe)",
            lambda v: v if v in systems else _fail("pace, heart_rate or rpe"),
            default="pace",
        )
        yield Question(
            "recent_race", "Recent race, e.g. '10k 48:30' (empty if none)", intake.check_race, optional=True
        )
        if answers["system"] == "pace" and not answers["recent_race"]:
            yield Question(
                "threshold_pace", f"Threshold pace per {units} (m:ss)", lambda v: _threshold_pace(v, units)
            )
        if answers["system"] == "heart_rate":
            yield Question(
                "threshold_hr", "Threshold heart rate (empty to give max and resting)", _whole, optional=True
            )
            if not answers["threshold_hr"]:
                yield Question("max_hr", "Maximum heart rate", _whole)
                yield Question("resting_hr", "Resting heart rate", _whole)
        yield Question(
            "shoes",
            "Shoes NAME:ROLE:DISTANCE:LIFESPAN, ';' between pairs (empty for none)",
            lambda v: [intake.check_shoe(s) for s in v.split(";") if s.strip()],
            optional=True,
        )
        yield Question(
            "surfaces",
            "Surfaces",
            intake.check_surfaces,
            default="trail, grass, asphalt, treadmill, concrete",
        )
        yield Question(
            "trainingpeaks_id",
            "TrainingPeaks athlete id (empty if none)",
            lambda v: str(_whole(v)),
            optional=True,
        )
        yield Question(
            "intervals_id",
            "intervals.icu athlete id, e.g. i12345 (empty if none; 0 for the API key's own athlete)",
            _intervals_id,
            optional=True,
        )

    def draft(self, answers: dict[str, Any]) -> Draft:
        """The profile the answers give and its plan, nothing written yet: the coach sees
        the plan's warnings (a plan that cannot make the athlete race-ready) first."""
        found = self.settings.workspace
        assert found is not None
        doc = intake.build(answers, self.settings.now())
        path = found.athletes / f"{answers['id']}.yaml"
        profile, parsed = read_profile_text(intake.to_yaml(doc), path)
        plan = compile_profile(profile, parsed, self.settings.templates, now=self.settings.now())
        return Draft(path, doc, plan)

    def write(self, draft: Draft, *, force: bool = False) -> None:
        draft.path.parent.mkdir(parents=True, exist_ok=True)
        intake.write_profile(draft.path, draft.doc, force=force)

    def create(self, answers: dict[str, Any], *, force: bool = False) -> tuple[Path, Plan]:
        """Write the profile, but only once its plan compiles: a half-made athlete helps nobody."""
        draft = self.draft(answers)
        self.write(draft, force=force)
        return draft.path, draft.plan


def profile_by_id(settings: Settings, athlete: str) -> Path | None:
    """The workspace's profile of ``athlete``: ``athletes/<id>.yaml``, or the file whose ``id:``
    it is; None outside a workspace or when there is none."""
    folder = settings.athletes
    if folder is None or not folder.is_dir():
        return None
    for suffix in (".yaml", ".yml"):
        if (folder / f"{athlete}{suffix}").is_file():
            return folder / f"{athlete}{suffix}"
    from plansync.inputs.roster import profile_files, read_id

    return next((p for p in profile_files(folder) if p.is_file() and read_id(p) == athlete), None)
