"""The athlete-profile format: one YAML file per athlete, a user-facing contract."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from plansync.core.quantities import parse_clock
from plansync.core.vocab import IntensitySystem, ShoeRole, Surface, Weekday

# Left out, a profile has these; a track is there only when the athlete says so.
ALL_SURFACES: tuple[Surface, ...] = ("trail", "grass", "asphalt", "treadmill", "concrete")
RACE_DISTANCES_M = {"5k": 5000.0, "10k": 10000.0, "half": 21097.5, "marathon": 42195.0}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# Human limits: an impossible athlete is an error, never a plan.
PACE_LIMITS_S_PER_KM = (150.0, 900.0)  # threshold pace 2:30–15:00 per km
MAX_WEEKLY_KM = 300.0
MAX_LONG_RUN_KM = 60.0
MAX_SHOE_KM = 10_000.0
MAX_NAME = 100
MAX_ID = 64
YEARS = (2000, 2100)


def plain_text(value: str) -> str:
    """A name a calendar can show: no control characters (tab, escape, bell), not too long."""
    bad = next((c for c in value if ord(c) < 32 or 0x7F <= ord(c) < 0xA0), None)
    if bad is not None:
        raise ValueError(
            f"names may not contain control characters (found {bad!r}); type the name on one line"
        )
    if not value.strip():
        raise ValueError("expected a name")
    if len(value) > MAX_NAME:
        raise ValueError(f"a name of {len(value)} characters is too long; at most {MAX_NAME}")
    return value


PlainText = Annotated[str, AfterValidator(plain_text)]


def _template_id(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", value):
        raise ValueError(
            f"template ids are names such as half-marathon-intermediate (lower-case letters, digits "
            f"and dashes), not paths; got {value[:70]!r}"
        )
    return value


_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,30}(/[A-Za-z0-9_+-]{1,30}){0,2}")


def _zone(name: str) -> str:
    try:
        if not _ZONE_NAME.fullmatch(name):  # zoneinfo imports package resources by the name's parts
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"expected an IANA time zone such as Europe/London, got {name!r}") from None
    return name


def _clock(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError('expected a time in quotes, such as "4:50" or "1:31:49"')
    if not isinstance(value, str):
        raise ValueError('expected a time in quotes, such as "4:50"')
    return parse_clock(value)


def _date(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {value[:20]!r}")
    year = (
        value.year
        if isinstance(value, dt.date)
        else int(value.strip()[:4])
        if isinstance(value, str)
        else None
    )
    if year is not None and not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"expected a date between {YEARS[0]} and {YEARS[1]}, got {value}")
    return value


Clock = Annotated[
    float,
    BeforeValidator(_clock),
    WithJsonSchema(
        {"type": "string", "pattern": r"^(\d+:)?\d{1,2}:\d{2}$", "description": "m:ss or h:mm:ss"}
    ),
]
Date = Annotated[dt.date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]
Positive = Annotated[float, Field(gt=0, le=1000)]


class PlanRequest(_Strict):
    template: Annotated[str, AfterValidator(_template_id)]
    race_date: Date | None = None
    start_date: Date | None = None
    weeks: int | None = Field(default=None, ge=1, le=52)
    requested_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _one_anchor(self) -> PlanRequest:
        if (self.race_date is None) == (self.start_date is None):
            raise ValueError("give exactly one of race_date or start_date")
        if self.requested_at is not None and self.requested_at.tzinfo is None:
            raise ValueError("requested_at needs a UTC offset, e.g. 2027-01-10T09:30:00+11:00")
        return self


def _time_of_day(value: Any) -> dt.time:
    if isinstance(value, str) and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
        hours, minutes = value.strip().split(":")
        return dt.time(int(hours), int(minutes))
    raise ValueError(f'expected a time of day in quotes, such as "06:30", got {value!r}')


TimeOfDay = Annotated[
    dt.time,
    BeforeValidator(_time_of_day),
    WithJsonSchema({"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$", "description": "HH:MM"}),
]


class Availability(_Strict):
    days: list[Weekday] = Field(min_length=1)
    long_run_day: Weekday
    time: TimeOfDay | None = None  # usual training time; calendar entries become timed
    times: dict[Weekday, TimeOfDay] = Field(default_factory=dict)  # per weekday, over `time`

    @model_validator(mode="after")
    def _consistent(self) -> Availability:
        if len(set(self.days)) != len(self.days):
            raise ValueError("days lists a day twice")
        if self.long_run_day not in self.days:
            raise ValueError(f"long_run_day {self.long_run_day} is not one of the available days")
        return self

    def time_on(self, weekday: str) -> dt.time | None:
        for day, at in self.times.items():
            if day == weekday:
                return at
        return self.time


class Calendar(_Strict):
    reminder_minutes: int | None = Field(default=None, ge=0, le=24 * 60)  # a VALARM this long before


class TrainingPeaks(_Strict):
    athlete_id: Annotated[str, Field(pattern=r"^\d+$")]


class Intervals(_Strict):
    athlete_id: Annotated[str, Field(pattern=r"^(0|i?[0-9]{1,12})$")] = "0"  # 0: the API key's own athlete


class Platforms(_Strict):
    trainingpeaks: TrainingPeaks | None = None
    intervals: Intervals | None = None


class RecentRace(_Strict):
    distance: Literal["5k", "10k", "half", "marathon"] | Positive
    time: Clock


class Fitness(_Strict):
    weekly_distance: Positive
    long_run: Positive
    recent_race: RecentRace | None = None
    # Coming back from an injury (plantar fasciitis, a stress reaction): slower growth,
    # pain rules on every run, run/walk while the runs are short.
    return_from_injury: bool = False


class Intensity(_Strict):
    system: IntensitySystem
    threshold_pace: Clock | None = None
    threshold_hr: int | None = Field(default=None, ge=100, le=220)
    max_hr: int | None = Field(default=None, ge=120, le=230)
    resting_hr: int | None = Field(default=None, ge=30, le=100)


class Shoe(_Strict):
    name: PlainText
    role: ShoeRole
    distance: float = Field(default=0, ge=0, le=MAX_SHOE_KM)
    lifespan: float = Field(gt=0, le=MAX_SHOE_KM)


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("lists a surface twice")
    return values


class Profile(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=MAX_ID)]
    name: PlainText
    timezone: Annotated[str, AfterValidator(_zone)]
    units: Literal["km", "mi"]
    plan: PlanRequest
    availability: Availability
    fitness: Fitness
    intensity: Intensity
    shoes: list[Shoe] = Field(default_factory=list)
    # Feet that get sore easily: lighter first weeks, three foot-strength sessions a week.
    tender_feet: bool = False
    surfaces: Annotated[list[Surface], AfterValidator(_unique)] = Field(
        default_factory=lambda: list(ALL_SURFACES), min_length=1
    )
    calendar: Calendar = Calendar()
    platforms: Platforms = Platforms()


def profile_problems(p: Profile) -> list[tuple[tuple[str, ...], str]]:
    """Checks across keys that the schema alone cannot make: (key path, message)."""
    out: list[tuple[tuple[str, ...], str]] = []
    i = p.intensity
    if i.system == "pace" and i.threshold_pace is None and p.fitness.recent_race is None:
        out.append(
            (
                ("intensity", "threshold_pace"),
                "system pace needs intensity.threshold_pace or fitness.recent_race; neither is given",
            )
        )
    if i.system == "heart_rate" and i.threshold_hr is None:
        if i.max_hr is None and i.resting_hr is None:
            out.append(
                (
                    ("intensity", "threshold_hr"),
                    "system heart_rate needs intensity.threshold_hr, or max_hr with resting_hr; none is given",
                )
            )
        elif i.max_hr is None:
            out.append((("intensity", "max_hr"), "resting_hr is given but max_hr is missing"))
        elif i.resting_hr is None:
            out.append((("intensity", "resting_hr"), "max_hr is given but resting_hr is missing"))
    if i.max_hr is not None and i.resting_hr is not None and i.max_hr <= i.resting_hr + 40:
        out.append((("intensity", "max_hr"), "max_hr must be well above resting_hr"))
    unit_km = 1.609344 if p.units == "mi" else 1.0
    if i.threshold_pace is not None:
        per_km = i.threshold_pace / unit_km
        low, high = PACE_LIMITS_S_PER_KM
        if not low <= per_km <= high:
            out.append(
                (
                    ("intensity", "threshold_pace"),
                    f"a threshold pace between {_pace(low * unit_km)} and {_pace(high * unit_km)} per "
                    f"{p.units} is expected (a threshold pace is what can be held for about an hour); "
                    f"check for a typo",
                )
            )
    for key, limit in (("weekly_distance", MAX_WEEKLY_KM), ("long_run", MAX_LONG_RUN_KM)):
        value = getattr(p.fitness, key) * unit_km
        if value > limit:
            shown = round(limit / unit_km)
            out.append((("fitness", key), f"at most {shown} {p.units} is expected here; check for a typo"))
    if p.fitness.long_run > p.fitness.weekly_distance:
        out.append((("fitness", "long_run"), "the longest recent run cannot exceed the weekly distance"))
    race = p.fitness.recent_race
    if race is not None:
        from plansync.core.daniels import vdot
        from plansync.core.quantities import METRES_PER_UNIT

        metres = (
            RACE_DISTANCES_M[race.distance]
            if isinstance(race.distance, str)
            else race.distance * METRES_PER_UNIT[p.units]
        )
        if not 1500 <= metres <= 42195:
            out.append(
                (("fitness", "recent_race", "distance"), "expected a race between 1.5 km and a marathon")
            )
        elif not 20 <= vdot(metres, race.time) <= 90:
            out.append(
                (
                    ("fitness", "recent_race", "time"),
                    "that time is outside what a runner can do at that distance; check it",
                )
            )
    return out


def _pace(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"
