"""The library's front door: from files on disk to a compiled plan."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from plansync.core.compiler import Options, compile_plan
from plansync.core.plan import Plan
from plansync.core.profile import Profile
from plansync.errors import PlanError, ProfileError, TemplateNotFound
from plansync.inputs.loader import find_template, load_template_cached, read_profile, template_dirs
from plansync.inputs.yamlio import Document


def compile_file(
    profile_path: Path,
    templates: Path | None = None,
    options: Options | None = None,
    now: dt.datetime | None = None,
) -> Plan:
    """Load a profile, find its template (in ``templates`` or ``./plan_templates``,
    then among the shipped ones) and compile. ``now`` (aware) gives
    "today" in the athlete's time zone, to refuse a race in the past. Errors
    that come from the profile point at its file and line."""
    profile, doc = read_profile(profile_path)
    return compile_profile(profile, doc, templates, options, now)


def compile_profile(
    profile: Profile,
    doc: Document,
    templates: Path | None = None,
    options: Options | None = None,
    now: dt.datetime | None = None,
) -> Plan:
    """Compile a profile already read (``doc`` locates errors in its file)."""
    try:
        template_path = find_template(profile.plan.template, template_dirs(templates))
    except TemplateNotFound as exc:
        raise ProfileError([doc.problem(("plan", "template"), str(exc))]) from None
    template = load_template_cached(template_path)
    options = options or Options()
    if now is not None and options.today is None:
        today = now.astimezone(ZoneInfo(profile.timezone)).date()
        options = dataclasses.replace(options, today=today)
    try:
        return compile_plan(template, profile, options)
    except PlanError as exc:
        if exc.key is None:
            raise
        loc = tuple(exc.key.split("."))
        raise ProfileError([doc.problem(loc, exc.message)]) from None
