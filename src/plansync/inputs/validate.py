"""``plansync validate``: every problem in a set of templates, before an athlete sees one.

For each template file: syntax and schema problems (all of them, located),
broken references, then a dry-run compile against the built-in matrix of
athlete profiles (:mod:`plansync.inputs.matrix`) and the coach's own profiles, each
plan checked with the same rule engine the compiler obeys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from plansync.core import rules
from plansync.core.budgets import BUDGETS, fidelity
from plansync.core.compiler import Options, compile_plan
from plansync.core.plan import PlanWarning
from plansync.core.profile import Profile
from plansync.core.quantities import METRES_PER_UNIT
from plansync.core.template import Template
from plansync.errors import InputError, PlanError, Problem, TemplateError
from plansync.inputs import yamlio
from plansync.inputs.loader import problems_from, read_profile
from plansync.inputs.matrix import matrix
from plansync.inputs.roster import check_unique_ids, profile_files
from plansync.inputs.template_checks import reference_problems, template_problems
from plansync.parallel import ordered_map

# error: the template is broken; warning: something in it needs the coach's eye (fails --strict);
# note: how far the built-in athletes get with it (a peak some starting points cannot reach in
# the plan's weeks): each such athlete's own plan says so, the template is not wrong.
Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Finding:
    """One thing ``validate`` reports. The JSON output is a list of these, as dicts."""

    severity: Severity
    file: str
    line: int | None
    column: int | None
    key: str  # dotted key path in the file, "" for the whole file
    message: str
    template: str | None = None  # template id, once known
    profile: str | None = None  # matrix profile name or profile file
    rule: str | None = None  # coaching rule name, for rule violations
    week: int | None = None
    date: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "key": self.key,
            "message": self.message,
            "template": self.template,
            "profile": self.profile,
            "rule": self.rule,
            "week": self.week,
            "date": self.date,
        }


@dataclass
class Report:
    templates: int = 0
    plans: int = 0
    findings: list[Finding] = field(default_factory=list)
    # ``--targets``: per template, what each target cannot hold of its plans and what instead
    fidelity: dict[str, list[str]] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def notes(self) -> int:
        return sum(1 for f in self.findings if f.severity == "note")


def _from_problem(p: Problem, template: str | None = None) -> Finding:
    return Finding("error", str(p.path), p.line, p.column, p.key, p.message, template)


def template_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            out.append(path)
    return out


def validate(paths: Iterable[Path], profiles_dir: Path | None = None, targets: Iterable[str] = ()) -> Report:
    """Every template's problems; the dry-run compiles of all templates run on every core.
    ``targets``: also each one's budget (``validate --targets fit,trainingpeaks``)."""
    report = Report()
    coach_profiles = _coach_profiles(profiles_dir, report) if profiles_dir else []
    loaded: list[tuple[Template, yamlio.Document, Path]] = []
    for path in template_files(paths):
        report.templates += 1
        found = _load(path, report, tuple(targets))
        if found is not None:
            loaded.append((*found, path))
    cases = [
        (i, name, profile, text or bool(targets))
        for i, (template, _, _) in enumerate(loaded)
        for name, profile, text in _cases(template, coach_profiles)
    ]
    global _TEMPLATES, _TARGETS, _CASES
    _TEMPLATES = [template for template, _, _ in loaded]  # workers inherit them when they fork
    _TARGETS = tuple(targets)
    _CASES = [(i, profile, text) for i, _, profile, text in cases]  # ... each is sent as its index
    outcomes = iter(ordered_map(_check_indexed, list(range(len(cases)))))
    for i, (template, doc, path) in enumerate(loaded):
        mine = [(name, next(outcomes)) for j, name, _, _ in cases if j == i]
        _report(template, doc, path, mine, report)
    return report


def _load(
    path: Path, report: Report, targets: tuple[str, ...] = ()
) -> tuple[Template, yamlio.Document] | None:
    try:
        doc = yamlio.read(path, TemplateError)
    except InputError as exc:
        report.findings.extend(_from_problem(p) for p in exc.problems)
        return None
    from pydantic import ValidationError

    try:
        template = Template.model_validate(doc.data)
    except ValidationError as exc:
        tid = doc.data.get("id") if isinstance(doc.data, dict) else None
        problems = problems_from(exc, doc, Template) + reference_problems(doc.data, doc)
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        report.findings.extend(_from_problem(p, tid) for p in problems)
        return None
    problems = template_problems(template, doc, targets)
    if template.id != path.stem:
        problems.insert(0, doc.problem(("id",), f"the id must match the file name {path.stem!r}"))
    if problems:
        report.findings.extend(_from_problem(p, template.id) for p in problems)
        return None
    return template, doc


def _coach_profiles(directory: Path, report: Report) -> list[tuple[str, Profile]]:
    out = []
    paths = profile_files(directory)
    try:
        check_unique_ids(paths)
    except InputError as exc:
        report.findings.extend(_from_problem(p) for p in exc.problems)
    for path in paths:
        try:
            profile, _ = read_profile(path)
        except InputError as exc:
            report.findings.extend(_from_problem(p) for p in exc.problems)
            continue
        out.append((str(path), profile))
    return out


# The matrix plans whose every title and description is written: the matrix's first six rotate
# through each unit with each intensity system, so each of a template's words is rendered in
# every form an athlete can get it. The rest are checked on their figures alone (no rule and no
# warning reads a description; ``--targets`` measures them, and then every plan has its words).
MATRIX_WRITTEN = 6


def _cases(template: Template, coach: list[tuple[str, Profile]]) -> list[tuple[str, Profile, bool]]:
    """Each dry run: its name, the athlete, and whether its titles and descriptions are written
    (the coach's own athletes' always)."""
    cases = [(m.name, m.profile, i < MATRIX_WRITTEN) for i, m in enumerate(matrix(template))]
    return cases + [(name, p, True) for name, p in coach if p.plan.template == template.id]


@dataclass(frozen=True)
class _Outcome:
    """What one dry-run compile found (small, so it crosses processes cheaply)."""

    error: str | None = None
    violations: tuple[
        tuple[int | None, str | None, str, str, str | None], ...
    ] = ()  # week, date, rule, msg, phase
    warnings: tuple[str, ...] = ()
    fidelity: tuple[str, ...] = ()  # what the ``--targets`` cannot hold, without counts


_TEMPLATES: list[Template] = []
_TARGETS: tuple[str, ...] = ()
_CASES: list[tuple[int, Profile, bool]] = []  # (template index, athlete, text) of each dry run


def _check_indexed(case: int) -> _Outcome:
    """A case by its index: models are far bigger than an index to send to a worker."""
    template, profile, text = _CASES[case]
    return _check_case(_TEMPLATES[template], profile, text)


def _check_case(template: Template, profile: Profile, text: bool) -> _Outcome:
    try:  # only the warnings' codes are read
        plan = compile_plan(template, profile, Options(), advice=False, text=text)
    except PlanError as exc:
        return _Outcome(error=exc.message)
    unit = METRES_PER_UNIT[profile.units]
    found = rules.check(
        plan,
        template,
        available_days=profile.availability.days,
        current_weekly_m=profile.fitness.weekly_distance * unit,
        current_long_m=profile.fitness.long_run * unit,
        long_run_day=profile.availability.long_run_day,
    )
    phases = [w.phase for w in plan.weeks_summary]
    violations = tuple(
        (
            v.week,
            v.date.isoformat() if v.date else None,
            v.rule,
            v.message,
            phases[v.week - 1] if v.week is not None and v.week <= len(phases) else None,
        )
        for v in found
    )
    kinds = tuple(k for k in (_warning_kind(w) for w in plan.warnings) if k is not None)
    lost = tuple(line for t in _TARGETS for line in fidelity(BUDGETS[t], plan, counts=False))
    return _Outcome(violations=violations, warnings=kinds, fidelity=lost)


def _phase_at(
    doc: yamlio.Document, template: Template, phase: str | None
) -> tuple[int | None, int | None, str]:
    """Where a week's trouble starts in the template: its phase (or the taper)."""
    if phase is None:
        return (*doc.locate(("phases",)), "phases")
    for i, p in enumerate(template.phases):
        if p.name == phase:
            return (*doc.locate(("phases", i)), f"phases[{i}]")
    return (*doc.locate(("taper",)), "taper")


def _report(
    template: Template, doc: yamlio.Document, path: Path, outcomes: list[tuple[str, _Outcome]], report: Report
) -> None:
    warned: dict[str, list[str]] = defaultdict(list)
    lost = sorted({line for _, outcome in outcomes for line in outcome.fidelity})
    if lost:
        report.fidelity[template.id] = lost
    for name, outcome in outcomes:
        report.plans += 1
        if outcome.error is not None:
            line, col = doc.locate(())
            report.findings.append(
                Finding("error", str(path), line, col, "", f"{name}: {outcome.error}", template.id, name)
            )
            continue
        for week, date, rule, message, phase in outcome.violations:
            line, col, key = _phase_at(doc, template, phase)
            when = f"week {week}" + (f" ({date})" if date else "")
            report.findings.append(
                Finding(
                    "error",
                    str(path),
                    line,
                    col,
                    key,
                    f"{template.id} with {name}, {when}: {rule}: {message}",
                    template.id,
                    name,
                    rule,
                    week,
                    date,
                )
            )
        for kind in outcome.warnings:
            warned[kind].append(name)
    for kind, names in sorted(warned.items()):
        loc = WARNING_KEYS.get(kind, ("progression",))
        line, col = doc.locate(loc)
        report.findings.append(
            Finding(
                "note" if kind in COVERAGE_KINDS else "warning",
                str(path),
                line,
                col,
                yamlio.dotted(loc),
                f"{template.id}: {kind} for {len(names)} of {len(outcomes)} profiles (e.g. {names[0]})",
                template.id,
                names[0],
            )
        )


# Plan warning codes that speak of the template, and how validate names them.
WARNING_KINDS: dict[str, str] = {
    "weekly-peak-capped": "weekly peak not reached",
    "above-template-peak": "current volume above the template's peak",
    "long-run-capped": "long-run peak not reached",
    "hard-sessions-dropped": "hard sessions left out",
    "few-days": "weeks capped by the athlete's days",
}
# What the built-in athletes' starting points and days explain (the 10 % rule from a low start,
# three days a week): notes, not warnings. Hard sessions left out stays a warning.
COVERAGE_KINDS = frozenset(
    {
        "weekly peak not reached",
        "current volume above the template's peak",
        "long-run peak not reached",
        "weeks capped by the athlete's days",
    }
)
WARNING_KEYS: dict[str, tuple[str, ...]] = {
    "weekly peak not reached": ("progression", "peak_weekly"),
    "current volume above the template's peak": ("progression", "peak_weekly"),
    "long-run peak not reached": ("progression", "peak_long_run"),
    "hard sessions left out": ("rules", "max_hard_days"),
    "weeks capped by the athlete's days": ("rules", "easy_run_share"),
}


def _warning_kind(warning: PlanWarning) -> str | None:
    """The template-level meaning of a plan warning; None for the athlete's own
    matters (shoes to replace, a plan shortened for a late start)."""
    return WARNING_KINDS.get(warning.code)
