"""Shared fixtures: the shipped templates, an example profile, a place to write files,
and one way to run the ``plansync`` command as a user would (``cli``)."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import pytest
import yaml
from click.testing import CliRunner

from plansync.cli import main
from plansync.core.template import Template
from plansync.inputs.loader import SHIPPED_TEMPLATES, load_template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "plan_templates"
EXAMPLE = ROOT / "examples" / "jane-doe.yaml"
TODAY = dt.date(2027, 1, 10)

BASE_PROFILE: dict[str, Any] = {
    "id": "test-runner",
    "name": "Test Runner",
    "timezone": "Europe/London",
    "units": "km",
    "plan": {"template": "half-marathon-intermediate", "race_date": "2027-04-18", "weeks": 12},
    "availability": {"days": ["mon", "tue", "thu", "sat", "sun"], "long_run_day": "sun"},
    "fitness": {"weekly_distance": 30, "long_run": 12, "recent_race": {"distance": "10k", "time": "48:30"}},
    "intensity": {"system": "pace"},
    "shoes": [
        {"name": "Cushioned trainer", "role": "cushioned", "distance": 220, "lifespan": 700},
        {"name": "Light racer", "role": "light", "distance": 80, "lifespan": 500},
    ],
}


class Cli(Protocol):
    def __call__(
        self,
        args: Sequence[str],
        cwd: Path | None = None,
        *,
        today: str | None = "2027-01-10",
        stdin: str | None = None,
        env: dict[str, str] | None = None,
    ) -> tuple[int, str]: ...


def run_cli(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    today: str | None = "2027-01-10",
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> tuple[int, str]:
    """Run ``plansync ARGS`` from ``cwd`` with today pinned; the exit status and what the user sees."""
    environment = {"PLANSYNC_TODAY": today} if today else {}
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        result = CliRunner().invoke(main, list(args), input=stdin, env={**environment, **(env or {})})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a bug: the user would see a traceback, so the test must fail
    return result.exit_code, result.output


@pytest.fixture
def cli() -> Cli:
    """The ``plansync`` command, run in-process: ``code, out = cli(["compile", path], cwd)``."""
    return run_cli


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The athlete ids compiled from here on, in order (each command compiles through
    ``compiling.compile_profile``): which athletes a command found it had to compile."""
    from plansync.inputs import compiling

    ids: list[str] = []
    real = compiling.compile_profile

    def counting(profile: Any, *args: Any, **kwargs: Any) -> Any:
        ids.append(profile.id)
        return real(profile, *args, **kwargs)

    monkeypatch.setattr(compiling, "compile_profile", counting)
    return ids


@pytest.fixture(scope="session")
def templates() -> dict[str, Template]:
    return {p.stem: load_template(p) for p in sorted(SHIPPED_TEMPLATES.glob("*.yaml"))}


@pytest.fixture
def profile_data() -> dict[str, Any]:
    return copy.deepcopy(BASE_PROFILE)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[dict[str, Any], str], Path]:
    def write(data: dict[str, Any], name: str = "athlete.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


# `HYPOTHESIS_PROFILE=deep pytest` explores many more cases than the everyday run.
from hypothesis import settings as _settings  # noqa: E402

# Everyday runs (and CI) are derandomised: the same examples every time, so a property test
# never passes or fails by chance; "deep" draws fresh random examples to look for new cases.
_settings.register_profile("everyday", derandomize=True, database=None, print_blob=True)
_settings.register_profile("deep", max_examples=5000, deadline=None, print_blob=True)
_settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "everyday"))
DEEP = __import__("os").environ.get("HYPOTHESIS_PROFILE") == "deep"


def examples(everyday: int) -> int:
    """A property test's example count: its everyday number, or 50 times it in the deep run."""
    return everyday * 50 if DEEP else everyday


@contextlib.contextmanager
def running(server: Any) -> Iterator[str]:
    """A waitress server run on a thread for the ``with`` block; its base URL."""
    import threading

    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


def matches_golden(golden: Path, data: object) -> None:
    """``data`` as sorted, indented JSON equals the golden file (written instead, after a review,
    with ``PLANSYNC_UPDATE_GOLDEN=1``): a change there is a change an athlete would see."""
    import json
    import os

    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    if os.environ.get("PLANSYNC_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
