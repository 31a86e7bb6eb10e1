"""The library's front door: from files on disk to a compiled plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from plansync.core.options import Options
from plansync.core.plan import Plan
from plansync.core.profile import Profile
from plansync.core.progress import plan_as_of
from plansync.core.records import PlanRecord
from plansync.errors import PlanError, ProfileError, TemplateNotFound
from plansync.inputs.loader import find_template, load_template_cached, read_profile, template_dirs
from plansync.inputs.yamlio import Document


def compile_file(
    profile_path: Path,
    templates: Path | None = None,
    options: Options | None = None,
    now: dt.datetime | None = None,
    records: Mapping[str, PlanRecord] | None = None,
) -> Plan:
    """Load a profile, find its template (in ``templates`` or ``./plan_templates``,
    then among the shipped ones) and compile. ``now`` (aware) gives
    "today" in the athlete's time zone, to refuse a race in the past. Errors
    that come from the profile point at its file and line. ``records`` (by
    athlete) are the plans athletes already have: see :func:`plansync.core.progress.plan_as_of`."""
    profile, doc = read_profile(profile_path)
    return compile_profile(profile, doc, templates, options, now, records)


def compile_profile(
    profile: Profile,
    doc: Document,
    templates: Path | None = None,
    options: Options | None = None,
    now: dt.datetime | None = None,
    records: Mapping[str, PlanRecord] | None = None,
) -> Plan:
    """Compile a profile already read (``doc`` locates errors in its file)."""
    try:
        template_path = find_template(profile.plan.template, template_dirs(templates))
    except TemplateNotFound as exc:
        raise ProfileError([doc.problem(("plan", "template"), str(exc))]) from None
    template = load_template_cached(template_path)
    record = records.get(profile.id) if records else None
    try:
        today = now.astimezone(ZoneInfo(profile.timezone)).date() if now is not None else None
        return plan_as_of(template, profile, today, record, options)
    except PlanError as exc:
        if exc.key is None:
            raise
        loc = tuple(exc.key.split("."))
        raise ProfileError([doc.problem(loc, exc.message)]) from None
