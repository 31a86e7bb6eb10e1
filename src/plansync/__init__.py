"""plansync: compile running-plan templates into athletes' calendars and keep them in sync.

The public library API::

    from plansync import compile_file
    plan = compile_file(Path("athletes/jane-doe.yaml"))
    for workout in plan.workouts: ...

Names are imported on first use (PEP 562), so ``plansync --help`` starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from plansync._version import __version__

_EXPORTS = {
    "compile_file": "service.plans",
    "History": "core.history",
    "Options": "core.compiler",
    "compile_plan": "core.compiler",
    "InputError": "errors",
    "PlanError": "errors",
    "PlansyncError": "errors",
    "Problem": "errors",
    "ProfileError": "errors",
    "TemplateError": "errors",
    "TemplateNotFound": "errors",
    "load_profile": "inputs.loader",
    "load_template": "inputs.loader",
    "Plan": "core.plan",
    "Step": "core.plan",
    "WeekSummary": "core.plan",
    "Workout": "core.plan",
    "Violation": "core.rules",
    "check": "core.rules",
}

__all__ = [
    "History",
    "InputError",
    "Options",
    "Plan",
    "PlanError",
    "PlansyncError",
    "Problem",
    "ProfileError",
    "Step",
    "TemplateError",
    "TemplateNotFound",
    "Violation",
    "WeekSummary",
    "Workout",
    "__version__",
    "check",
    "compile_file",
    "compile_plan",
    "load_profile",
    "load_template",
]

if TYPE_CHECKING:
    from plansync.core.compiler import Options, compile_plan
    from plansync.core.history import History
    from plansync.core.plan import Plan, Step, WeekSummary, Workout
    from plansync.core.rules import Violation, check
    from plansync.errors import (
        InputError,
        PlanError,
        PlansyncError,
        Problem,
        ProfileError,
        TemplateError,
        TemplateNotFound,
    )
    from plansync.inputs.loader import load_profile, load_template
    from plansync.service.plans import compile_file


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'plansync' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
