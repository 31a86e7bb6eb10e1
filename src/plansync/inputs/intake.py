"""Turning consultation answers into a valid athlete profile file."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from plansync.atomic import write_atomic
from plansync.core.profile import RACE_DISTANCES_M
from plansync.core.quantities import parse_clock
from plansync.core.vocab import SURFACES, WEEKDAYS
from plansync.errors import PlansyncError

SHOE_ROLES = ("cushioned", "light", "stability", "trail")


class IntakeError(PlansyncError):
    pass


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower())[:64].strip("-") or "athlete"


# Each check returns the clean value or raises ValueError with what was expected; the CLI
# runs them at every prompt, so a coach fixes an answer at once.


def check_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def check_days(text: str) -> list[str]:
    days = [d.strip().lower()[:3] for d in re.split(r"[,\s]+", text) if d.strip()]
    bad = [d for d in days if d not in WEEKDAYS]
    if bad or not days:
        raise ValueError(f"expected days such as mon, tue, thu, sat, sun; got {text!r}")
    if len(set(days)) != len(days):
        raise ValueError("a day is named twice")
    return sorted(days, key=WEEKDAYS.index)


def check_positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise ValueError("expected a number above zero")
    return value


def check_zone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"expected an IANA time zone such as Europe/London, got {text!r}") from None
    return text.strip()


def machine_zone() -> str:
    """This machine's IANA time zone (``TZ``, ``/etc/timezone`` or where ``/etc/localtime``
    points), for the intake's default; UTC when none can be told."""
    import contextlib
    import os

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    with contextlib.suppress(OSError):
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name and "/" in name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


def check_clock(text: str) -> str:
    parse_clock(text)
    return text.strip()


def check_race(text: str) -> dict[str, Any] | None:
    """'10k 48:30', 'half 1:45:00', '8 1:02:00' (a distance in the athlete's units), or empty."""
    text = text.strip()
    if not text or text.lower() == "none":
        return None
    parts = text.split()
    if len(parts) != 2:
        raise ValueError("expected a distance and a time, such as '10k 48:30' (or leave it empty)")
    distance: Any = parts[0].lower()
    if distance not in RACE_DISTANCES_M:
        distance = check_positive(parts[0])
    return {"distance": distance, "time": check_clock(parts[1])}


def check_surfaces(text: str) -> list[str]:
    found = [s.strip().lower() for s in re.split(r"[,\s]+", text) if s.strip()]
    bad = [s for s in found if s not in SURFACES]
    if bad or not found:
        raise ValueError(f"expected surfaces from: {', '.join(SURFACES)}")
    return found


def check_shoe(text: str) -> dict[str, Any]:
    """'Name:role:distance:lifespan', e.g. 'Cushioned trainer:cushioned:220:700'."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) != 4 or parts[1] not in SHOE_ROLES:
        raise ValueError(f"expected NAME:ROLE:DISTANCE:LIFESPAN with ROLE one of {', '.join(SHOE_ROLES)}")
    return {
        "name": parts[0],
        "role": parts[1],
        "distance": check_positive(parts[2]) if parts[2] != "0" else 0,
        "lifespan": check_positive(parts[3]),
    }


def build(answers: dict[str, Any], requested_at: dt.datetime) -> dict[str, Any]:
    """The profile document from the answers, keys in the order of the profile contract."""
    plan: dict[str, Any] = {"template": answers["template"]}
    if answers.get("race_date"):
        plan["race_date"] = answers["race_date"]
    else:
        plan["start_date"] = answers["start_date"]
    if answers.get("weeks"):
        plan["weeks"] = answers["weeks"]
    plan["requested_at"] = requested_at.astimezone(ZoneInfo(answers["timezone"])).replace(microsecond=0)
    availability: dict[str, Any] = {"days": answers["days"], "long_run_day": answers["long_run_day"]}
    if answers.get("time"):
        availability["time"] = answers["time"]
    fitness: dict[str, Any] = {"weekly_distance": answers["weekly_distance"], "long_run": answers["long_run"]}
    if answers.get("recent_race"):
        fitness["recent_race"] = answers["recent_race"]
    intensity: dict[str, Any] = {"system": answers["system"]}
    for key in ("threshold_pace", "threshold_hr", "max_hr", "resting_hr"):
        if answers.get(key):
            intensity[key] = answers[key]
    doc: dict[str, Any] = {
        "id": answers["id"],
        "name": answers["name"],
        "timezone": answers["timezone"],
        "units": answers["units"],
        "plan": plan,
        "availability": availability,
        "fitness": fitness,
        "intensity": intensity,
    }
    if answers.get("shoes"):
        doc["shoes"] = answers["shoes"]
    if answers.get("surfaces"):
        doc["surfaces"] = answers["surfaces"]
    platforms: dict[str, Any] = {}
    if answers.get("trainingpeaks_id"):
        platforms["trainingpeaks"] = {"athlete_id": str(answers["trainingpeaks_id"])}
    if answers.get("intervals_id"):
        platforms["intervals"] = {"athlete_id": str(answers["intervals_id"])}
    if platforms:
        doc["platforms"] = platforms
    return doc


def to_yaml(doc: dict[str, Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    header = (
        "# Written by `plansync athlete new`. Edit freely; `plansync validate` and\n"
        "# `plansync status` check it.\n# yaml-language-server: $schema=../schemas/profile.schema.json\n"
    )
    body = yaml.dump(plain(doc), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    # Times stay quoted strings, so no YAML reader takes "48:30" for a number.
    body = re.sub(r"(time|threshold_pace): (\d[\d:]*)$", r'\1: "\2"', body, flags=re.M)
    return header + body


class _Dumper(yaml.SafeDumper):
    """Sections as blocks; lists of words and each shoe on one line, as the examples are written."""

    def represent_words(self, data: list[Any]) -> yaml.Node:
        if any(isinstance(v, dict | list) for v in data):
            items = [_Flow(v) if isinstance(v, dict) else v for v in data]
            return self.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=False)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)

    def represent_flow(self, data: dict[str, Any]) -> yaml.Node:
        return self.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)

    def represent_block(self, data: dict[str, Any]) -> yaml.Node:
        return self.represent_mapping("tag:yaml.org,2002:map", data, flow_style=False)


class _Flow(dict[str, Any]):
    pass


_Dumper.add_representer(list, _Dumper.represent_words)
_Dumper.add_representer(dict, _Dumper.represent_block)
_Dumper.add_representer(_Flow, _Dumper.represent_flow)


def write_profile(path: Path, doc: dict[str, Any], *, force: bool = False) -> None:
    if path.exists() and not force:
        raise IntakeError(f"{path} exists already; choose another id or use --force to replace it")
    write_atomic(path, to_yaml(doc).encode("utf-8"))
