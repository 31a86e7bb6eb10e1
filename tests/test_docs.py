"""The documentation cannot drift: the site builds with ``mkdocs build --strict``, the README
stays a front door, and every ``sh`` (and ``python``) example in the README and in ``docs/``
runs as written.

How an example runs: all the ``sh`` blocks of one page, in order, as one ``bash -euo pipefail``
script, with ``plansync`` on the PATH, no platform credentials and "today" pinned to
2027-01-10 (a page may export its own ``PLANSYNC_TODAY``). A page whose first command is
``plansync init`` starts in an empty folder; every other page starts in a workspace made by
``plansync init`` holding the repository's ``examples/`` folder, with the example athletes
(``examples/*.yaml`` and ``examples/adaptation/*.yaml``) in ``athletes/``. Blocks that need a
platform account, the network or never stop (``plansync serve``) are written ``shell`` and
are not run; blocks of output are ``text``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
PYTHON = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
SECRETS = (
    "PLANSYNC_TP_CLIENT_ID",
    "PLANSYNC_TP_CLIENT_SECRET",
    "PLANSYNC_TP_REFRESH_TOKEN",
    "PLANSYNC_ICU_API_KEY",
)


def _script(page: Path) -> str:
    return "\n".join(BLOCK.findall(page.read_text(encoding="utf-8")))


def _workspace(folder: Path, env: dict[str, str]) -> Path:
    subprocess.run(["plansync", "-q", "init", "ws"], cwd=folder, env=env, check=True, capture_output=True)
    ws = folder / "ws"
    shutil.copytree(ROOT / "examples", ws / "examples")
    for profile in [*(ROOT / "examples").glob("*.yaml"), *(ROOT / "examples" / "adaptation").glob("*.yaml")]:
        shutil.copy(profile, ws / "athletes" / profile.name)
    return ws


@pytest.mark.parametrize("page", [p for p in PAGES if _script(p)], ids=lambda p: p.name)
def test_every_shell_example_runs_as_written(page: Path, tmp_path: Path) -> None:
    script = _script(page)
    env = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith("PLANSYNC_")}
    env.update(
        HOME=str(tmp_path),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PLANSYNC_TODAY="2027-01-10",
        NO_COLOR="1",
    )
    cwd = tmp_path if script.lstrip().startswith("plansync init") else _workspace(tmp_path, env)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (
        f"{page.name}:\n{script}\n--- output ---\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )


@pytest.mark.parametrize(
    "page", [p for p in PAGES if PYTHON.search(p.read_text(encoding="utf-8"))], ids=lambda p: p.name
)
def test_every_python_example_runs_as_written(page: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith("PLANSYNC_")}
    env.update(HOME=str(tmp_path), PLANSYNC_TODAY="2027-01-10")
    cwd = _workspace(
        tmp_path, {**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"}
    )
    for code in PYTHON.findall(page.read_text(encoding="utf-8")):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{page.name}:\n{code}\n{done.stderr[-3000:]}"
        assert done.stdout.strip(), "an example that prints nothing shows nothing"


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "index.html").exists() and (
        tmp_path / "site" / "json" / "index.html"
    ).exists()


def test_the_readme_is_a_front_door_with_exactly_two_set_up_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    setup = text.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^```shell\n(.*?)^```", setup, re.S | re.M)
    assert [c.count("python3 -m venv") for c in commands] == [1, 1]
    assert "plansync compile --example" in commands[0] and "pytest --cov" in commands[1]
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (ROOT / link).exists(), link
