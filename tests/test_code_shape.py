"""The library stays in small pieces: no function in ``src/`` over 80 lines.

Complexity is ruff's (C90, at most 25, in ``pyproject.toml``); length is checked here,
as ruff has no rule for it. A function that grows past the limit is usually two steps.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

MAX_LINES = 80


def test_no_function_in_the_library_is_over_80_lines() -> None:
    long: list[str] = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES:
                    long.append(f"{Path(path).relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert not long, "functions over 80 lines: " + ", ".join(long)
