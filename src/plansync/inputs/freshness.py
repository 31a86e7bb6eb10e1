"""Whether an athlete's inputs changed since the last run: incremental feed builds and status.

A run remembers, per profile file, what its plan was made from: the profile's
bytes, the template file it used and that file's bytes, the plansync version,
the template search folder, and — while the plan is under way, when "today"
can change it — the day. The next run recompiles an athlete only when one of
these differs; a changed template rebuilds every athlete who uses it. Reading
and hashing a profile is about a hundred times cheaper than compiling it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from plansync._version import __version__
from plansync.core.records import PlanRecord

_hashes: dict[tuple[str, int, int], str] = {}  # one run reads and hashes each file once


def file_hash(path: Path) -> str | None:
    try:
        info = path.stat()
        key = (os.path.abspath(path), info.st_mtime_ns, info.st_size)
        if key not in _hashes:
            _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    return _hashes[key]


@lru_cache(maxsize=64)
def _template_hash(path: str, mtime_ns: int, size: int) -> str | None:
    return file_hash(Path(path))


def template_hash(path: str) -> str | None:
    try:
        info = Path(path).stat()
    except OSError:
        return None
    return _template_hash(path, info.st_mtime_ns, info.st_size)


@dataclass(frozen=True)
class Inputs:
    """What one plan was made from (``template`` empty when the profile did not compile)."""

    profile: str  # sha256 of the profile file
    template_path: str
    template: str | None
    version: str
    templates_dir: str
    timezone: str
    day: str | None  # the day the plan was compiled on, when today could change it
    start: str | None  # the plan's first day
    record: str = ""  # the athlete's plan record (adaptation, accepted paces, check-ins): record_key
    given: str = ""  # the record once the athlete has this plan (records.given), when it differs

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @staticmethod
    def from_json(text: str) -> Inputs | None:
        try:
            return Inputs(**json.loads(text))
        except (TypeError, ValueError):
            return None


def _today(now: dt.datetime, timezone: str) -> dt.date:
    try:
        return now.astimezone(ZoneInfo(timezone)).date()
    except (ValueError, KeyError):
        return now.date()


def record_key(record: PlanRecord | None) -> str:
    """A short fingerprint of an athlete's plan record: a check-in, an adaptation or accepted
    paces change the plan as surely as an edited profile."""
    if record is None:
        return ""
    return hashlib.sha256(json.dumps(record.as_dict(), sort_keys=True).encode()).hexdigest()[:16]


def inputs_for(
    profile_path: Path,
    template_path: Path | None,
    templates: Path | None,
    now: dt.datetime,
    timezone: str,
    start: dt.date | None,
    record: str = "",
    given: str = "",
) -> Inputs:
    """The inputs of a plan just compiled (``start`` its first day: before it, today cannot change it)."""
    today = _today(now, timezone)
    in_progress = start is None or today >= start - dt.timedelta(days=1)
    return Inputs(
        file_hash(profile_path) or "",
        str(template_path or ""),
        template_hash(str(template_path)) if template_path else None,
        __version__,
        str(templates or ""),
        timezone,
        today.isoformat() if in_progress else None,
        start.isoformat() if start else None,
        record,
        given if given != record else "",
    )


def unchanged(
    stored: Inputs | None, profile_path: Path, templates: Path | None, now: dt.datetime, record: str = ""
) -> bool:
    """True when nothing a plan was made from has changed since ``stored`` was taken (``record``:
    :func:`record_key` of the athlete's plan record now; the record the athlete has once given
    that plan, ``stored.given``, is no change: compiling with it gives the same plan)."""
    if stored is None or stored.version != __version__ or stored.templates_dir != str(templates or ""):
        return False
    if record not in (stored.record, stored.given or stored.record):  # the record since: another plan
        return False
    today = _today(now, stored.timezone)
    if stored.day is not None and stored.day != today.isoformat():
        return False
    started = stored.start is not None and today >= dt.date.fromisoformat(stored.start) - dt.timedelta(days=1)
    if stored.day is None and started:
        return False  # the plan has started since: today matters now
    if not stored.template_path or template_hash(stored.template_path) != stored.template:
        return False
    return file_hash(profile_path) == stored.profile


def payload(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def known_ids(builds: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Profile file -> athlete id, for the files unchanged since a run recorded them: a roster
    check then needs to read only the profiles that changed."""
    out: dict[str, str] = {}
    for path, (inputs_text, result_text) in builds.items():
        inputs = Inputs.from_json(inputs_text)
        try:
            athlete = json.loads(result_text).get("athlete")
        except ValueError:
            continue
        if inputs is not None and isinstance(athlete, str) and file_hash(Path(path)) == inputs.profile:
            out[path] = athlete
    return out
