"""A third-party adapter, installed as a package would install it, found and used by name."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLE

PLUGIN = Path(__file__).parent / "plugin_example" / "plansync_jsonfile.py"


def install_plugin(site: Path) -> None:
    """What pip leaves behind: the module and a dist-info declaring the entry point."""
    site.mkdir(parents=True, exist_ok=True)
    shutil.copy(PLUGIN, site / PLUGIN.name)
    info = site / "plansync_jsonfile-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: plansync-jsonfile\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        "[plansync.adapters]\njsonfile = plansync_jsonfile:JsonFileAdapter\n"
    )


def run(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "PLANSYNC_TODAY": "2027-01-10"}
    return subprocess.run(
        [sys.executable, "-m", "plansync", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_an_installed_plugin_is_listed_and_publishes(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    install_plugin(site)
    listed = run(["adapters"], site, tmp_path)
    assert listed.returncode == 0
    assert "jsonfile" in listed.stdout and "plugin plansync_jsonfile:JsonFileAdapter" in listed.stdout
    assert "trainingpeaks" in listed.stdout and "ics" in listed.stdout

    first = run(["publish", str(EXAMPLE), "--to", "jsonfile", "-O", "dir=out"], site, tmp_path)
    assert first.returncode == 0, first.stderr
    data = json.loads((tmp_path / "out" / "jane-doe.json").read_text())
    assert len(data) > 100 and first.stdout.startswith(f"created {len(data)}, updated 0")
    again = run(
        ["publish", str(EXAMPLE), "--to", "jsonfile", "-O", "dir=out", "--format", "json"], site, tmp_path
    )
    summary = json.loads(again.stdout)
    assert (summary["created"], summary["unchanged"]) == (0, len(data))


def test_an_unknown_adapter_is_a_clear_error(tmp_path: Path) -> None:
    result = run(["publish", str(EXAMPLE), "--to", "nowhere"], tmp_path, tmp_path)
    assert result.returncode == 2
    assert "no adapter named 'nowhere'; installed: ics, intervals, trainingpeaks" in result.stderr
