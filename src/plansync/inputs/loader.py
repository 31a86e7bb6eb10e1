"""Reading templates and profiles from disk into validated objects, with located errors."""

from __future__ import annotations

import re
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from plansync.core.profile import Profile, profile_problems
from plansync.core.template import Template
from plansync.errors import InputError, Problem, ProfileError, TemplateError, TemplateNotFound
from plansync.inputs import yamlio
from plansync.inputs.template_checks import template_problems

M = TypeVar("M", bound=BaseModel)

SHIPPED_TEMPLATES = Path(__file__).parents[1] / "templates"
SHIPPED_EXAMPLES = Path(__file__).parents[1] / "examples"


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


def load_template(path: Path) -> Template:
    doc = yamlio.read(path, TemplateError)
    template = _validate(Template, doc, TemplateError)
    problems = template_problems(template, doc)
    if template.id != path.stem:
        problems.insert(0, doc.problem(("id",), f"the id must match the file name {path.stem!r}"))
    if problems:
        raise TemplateError(problems)
    return template


_template_cache: dict[Path, tuple[tuple[int, int], Template]] = {}


def load_template_cached(path: Path) -> Template:
    """:func:`load_template`, remembered while the file is unchanged (batch commands
    compile many athletes against a few templates)."""
    stat = path.stat()
    key = path.resolve()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _template_cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    template = load_template(path)
    _template_cache[key] = (stamp, template)
    return template


def read_profile(path: Path) -> tuple[Profile, yamlio.Document]:
    """The profile and its document, to locate later errors (a plan that cannot be made)."""
    return _profile(yamlio.read(path, ProfileError))


def read_profile_text(text: str, path: Path) -> tuple[Profile, yamlio.Document]:
    """A profile not yet written to ``path`` (errors still name it)."""
    return _profile(yamlio.parse(text, path, ProfileError))


def _profile(doc: yamlio.Document) -> tuple[Profile, yamlio.Document]:
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
