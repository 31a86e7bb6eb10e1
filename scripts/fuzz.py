"""The long fuzz run: many more mutated profiles and templates than CI tries.

Run: .venv/bin/python scripts/fuzz.py [EXAMPLES]   (default 5000 per test)
Anything it finds is printed with the failing input; keep it as an
``@example`` in tests/test_fuzz.py once fixed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "5000"
    env = {**os.environ, "PLANSYNC_FUZZ_EXAMPLES": examples}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py", "-x"]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    raise SystemExit(main())
