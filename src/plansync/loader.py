"""Reading templates and profiles from disk into validated objects, with located errors."""

from __future__ import annotations

import re
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import yamlio
from .errors import InputError, Problem, ProfileError, TemplateError, TemplateNotFound
from .exercises import EXERCISES
from .profile import Profile, profile_problems
from .rules import TAPER_DEPTH
from .template import Template
from .vocab import HARD_KINDS

M = TypeVar("M", bound=BaseModel)

SHIPPED_TEMPLATES = Path(__file__).parent / "templates"
SHIPPED_EXAMPLES = Path(__file__).parent / "examples"


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic model class that owns the mapping at ``loc`` (for suggestions)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def problems_from(exc: ValidationError, doc: yamlio.Document, model: type[BaseModel]) -> list[Problem]:
    """Turn pydantic's errors into located, human messages."""
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        kind = err["type"]
        if kind == "extra_forbidden":
            parent, key = loc[:-1], str(loc[-1])
            owner = _model_at(model, parent)
            known = list(owner.model_fields) if owner else []
            close = get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            expected = f" (expected one of: {', '.join(known)})" if known and not close else ""
            problem = doc.problem(loc, f"unknown key {key!r}{hint}{expected}", key=True)
        elif kind == "missing":
            problem = doc.problem(loc[:-1], f"required key {str(loc[-1])!r} is missing", key=True)
            problem = Problem(problem.path, problem.line, problem.column, yamlio.dotted(loc), problem.message)
        else:
            msg = err["msg"]
            for prefix in ("Value error, ", "Assertion failed, "):
                msg = msg.removeprefix(prefix)
            msg = msg.replace("Input should be", "expected").replace("String should", "expected text to")
            if kind == "literal_error" and isinstance(err.get("input"), str):
                choices = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
                close = get_close_matches(err["input"], choices, n=1, cutoff=0.6)
                if close:
                    msg += f"; did you mean {close[0]!r}?"
            if "input" in err and kind not in ("value_error",) and not isinstance(err["input"], dict):
                msg += f" (got {_describe(err['input'])})"
            problem = doc.problem(loc, msg)
        ident = (problem.key, problem.message)
        if ident not in seen:
            seen.add(ident)
            out.append(problem)
    return out


def _validate(model: type[M], doc: yamlio.Document, error: type[InputError]) -> M:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise error(problems_from(exc, doc, model)) from None


def template_problems(t: Template, doc: yamlio.Document) -> list[Problem]:
    """References and arithmetic a schema cannot see: every problem, not the first."""
    out: list[Problem] = []
    names = list(t.sessions)

    def ref(loc: tuple[str | int, ...], name: str) -> None:
        if name not in t.sessions:
            close = get_close_matches(name, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; defined: {', '.join(names)}"
            out.append(doc.problem(loc, f"unknown session {name!r}{hint}"))

    for i, phase in enumerate(t.phases):
        for j, name in enumerate(phase.sessions):
            ref(("phases", i, "sessions", j), name)
        if not any(t.sessions.get(n) and t.sessions[n].kind == "long" for n in phase.sessions[:1]):
            out.append(
                doc.problem(("phases", i, "sessions", 0), "a phase's first session must be a long run")
            )
    for where, names_list in _weekly_lists(t):
        hard = [n for n in names_list[:6] if n in t.sessions and t.sessions[n].kind in HARD_KINDS]
        if len(hard) > t.rules.max_hard_days:
            out.append(
                doc.problem(
                    where,
                    f"{len(hard)} hard sessions a week ({', '.join(hard)}) but rules.max_hard_days is {t.rules.max_hard_days}",
                )
            )
        elif len(hard) > MAX_APART_HARD and not t.rules.consecutive_hard:
            out.append(
                doc.problem(
                    where,
                    f"{len(hard)} hard sessions a week force hard days back to back: with the long run and the easy day after it, at most {MAX_APART_HARD} fit apart (or set rules.consecutive_hard)",
                )
            )
    share = sum(p.share for p in t.phases)
    if abs(share - 1.0) > 0.011:
        out.append(doc.problem(("phases",), f"phase shares must add up to 1, they add up to {share:.2f}"))
    if len({p.name for p in t.phases}) != len(t.phases):
        out.append(doc.problem(("phases",), "two phases share a name"))
    min_build = t.weeks.min - (t.taper.weeks if t.taper else 0)
    if min_build < len(t.phases):
        out.append(
            doc.problem(
                ("phases",),
                f"{len(t.phases)} phases do not fit the {min_build} weeks before the taper of a {t.weeks.min}-week plan",
            )
        )
    if t.goal == "half_marathon" and t.taper is None:
        out.append(doc.problem(("taper",), "a half-marathon template needs a taper", key=True))
    if t.taper is not None:
        for j, name in enumerate(t.taper.sessions):
            ref(("taper", "sessions", j), name)
        if (
            t.taper.sessions
            and t.sessions.get(t.taper.sessions[0])
            and t.sessions[t.taper.sessions[0]].kind != "long"
        ):
            out.append(doc.problem(("taper", "sessions", 0), "the taper's first session must be a long run"))
        if len(t.taper.factors) != t.taper.weeks:
            out.append(
                doc.problem(
                    ("taper", "factors"),
                    f"expected {t.taper.weeks} factors, one per taper week, got {len(t.taper.factors)}",
                )
            )
        elif t.taper.factors:
            last = t.taper.factors[-1]
            low, high = TAPER_DEPTH
            if not low <= last <= high:
                out.append(
                    doc.problem(
                        ("taper", "factors"),
                        f"race week must be 40–60 % of the peak week (a 40–60 % cut), got {last:.0%}",
                    )
                )
            if (
                any(b > a for a, b in zip(t.taper.factors, t.taper.factors[1:], strict=False))
                or t.taper.factors[0] >= 1
            ):
                out.append(
                    doc.problem(("taper", "factors"), "a taper must come down week by week, below the peak")
                )
    if t.goal == "general" and t.taper is not None:
        out.append(doc.problem(("taper",), "a general template has no race, so no taper", key=True))
    if t.progression.peak_long_run > t.progression.peak_weekly * t.rules.long_run_share + 1:
        out.append(
            doc.problem(
                ("progression", "peak_long_run"),
                f"the peak long run is more than rules.long_run_share ({t.rules.long_run_share:.0%}) of the peak week",
            )
        )
    for name, session in t.sessions.items():
        fills = _count_fills(session.steps)
        if session.kind in ("long", "easy", "recovery", "strides") and fills != 1:
            out.append(
                doc.problem(
                    ("sessions", name, "steps"),
                    f"a {session.kind} session needs exactly one 'fill' step, got {fills}",
                )
            )
        if session.kind not in ("long", "easy", "recovery", "strides") and fills:
            out.append(
                doc.problem(
                    ("sessions", name, "steps"),
                    f"a {session.kind} session is sized by its steps; 'fill' is for long, easy, recovery and strides",
                )
            )
    known = list(EXERCISES)
    for i, ex in enumerate(t.foot_strength.exercises):
        if ex.exercise not in EXERCISES:
            close = get_close_matches(ex.exercise, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
            out.append(
                doc.problem(
                    ("foot_strength", "exercises", i, "exercise"), f"unknown exercise {ex.exercise!r}{hint}"
                )
            )
        weeks = [s.from_week for s in ex.stages]
        if weeks[0] != 1 or weeks != sorted(set(weeks)):
            out.append(
                doc.problem(
                    ("foot_strength", "exercises", i, "stages"),
                    "stages start at from_week 1 and go up week by week",
                )
            )
    return out


MAX_APART_HARD = (
    2  # the long run, the day after it and the day before it leave four days: two hard days apart
)


def _weekly_lists(t: Template) -> list[tuple[tuple[str | int, ...], list[str]]]:
    out: list[tuple[tuple[str | int, ...], list[str]]] = [
        (("phases", i, "sessions"), p.sessions) for i, p in enumerate(t.phases)
    ]
    if t.taper is not None:
        out.append((("taper", "sessions"), t.taper.sessions))
    return out


def _count_fills(steps: Any) -> int:
    total = 0
    for step in steps:
        if step.repeat is not None:
            total += _count_fills(step.steps or [])
        elif step.amount.fill:
            total += 1
    return total


def load_template(path: Path) -> Template:
    doc = yamlio.read(path, TemplateError)
    template = _validate(Template, doc, TemplateError)
    problems = template_problems(template, doc)
    if template.id != path.stem:
        problems.insert(0, doc.problem(("id",), f"the id must match the file name {path.stem!r}"))
    if problems:
        raise TemplateError(problems)
    return template


def read_profile(path: Path) -> tuple[Profile, yamlio.Document]:
    """The profile and its document, to locate later errors (a plan that cannot be made)."""
    doc = yamlio.read(path, ProfileError)
    profile = _validate(Profile, doc, ProfileError)
    problems = [doc.problem(loc, message) for loc, message in profile_problems(profile)]
    if problems:
        raise ProfileError(problems)
    return profile, doc


def load_profile(path: Path) -> Profile:
    return read_profile(path)[0]


def template_dirs(extra: Path | None = None) -> list[Path]:
    dirs = [extra] if extra is not None else [Path("plan_templates")]
    dirs.append(SHIPPED_TEMPLATES)
    return dirs


def find_template(template_id: str, dirs: list[Path]) -> Path:
    """The first ``<id>.yaml`` in ``dirs``; templates are named by their id."""
    known: list[str] = []
    for d in dirs:
        candidate = d / f"{template_id}.yaml"
        if candidate.is_file():
            return candidate
        if d.is_dir():
            known.extend(p.stem for p in d.glob("*.yaml"))
    raise TemplateNotFound(template_id, [d for d in dirs if d.is_dir()], sorted(set(known)))
