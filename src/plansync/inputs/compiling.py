"""The library's front door: from files on disk to a compiled plan."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from plansync.core.compiler import Options, compile_plan
from plansync.core.plan import Plan
from plansync.core.profile import Profile
from plansync.core.progress import PlanRecord, adapted_from, applies, race_moved, replan
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
    athlete) are the plans athletes already have: see :func:`made_on`."""
    profile, doc = read_profile(profile_path)
    return compile_profile(profile, doc, templates, options, now, records)


def made_on(profile: Profile, today: dt.date, record: PlanRecord | None) -> dt.date:
    """The day the athlete's plan counts as made: when they were given it (the
    record), else the consultation (``plan.requested_at``), else today. Compiling
    "as of" that day makes a plan in progress the same plan whatever today is."""
    if applies(record, profile):
        assert record is not None
        return min(record.made_on, today)
    requested = profile.plan.requested_at
    if requested is not None:
        return min(requested.astimezone(ZoneInfo(profile.timezone)).date(), today)
    return today


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
    options = options or Options()
    record = records.get(profile.id) if records else None
    try:
        if now is not None and options.today is None:
            today = now.astimezone(ZoneInfo(profile.timezone)).date()
            untouched = options.race_date is None and options.weeks is None and options.start_date is None
            if untouched and record is not None and applies(record, profile) and race_moved(record, profile):
                return replan(template, profile, record, today)
            options = dataclasses.replace(options, today=made_on(profile, today, record))
            plan = compile_plan(template, profile, options)
            if untouched and record is not None and applies(record, profile):
                plan = adapted_from(template, profile, plan, record)  # kept by `plansync adapt`
            return plan
        return compile_plan(template, profile, options)
    except PlanError as exc:
        if exc.key is None:
            raise
        loc = tuple(exc.key.split("."))
        raise ProfileError([doc.problem(loc, exc.message)]) from None
