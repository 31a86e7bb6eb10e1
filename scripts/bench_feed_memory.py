"""Benchmark: peak memory of a first `feed build` over large rosters, in the main process and the workers.

Target (the compiler-as-a-pipeline issue): a first `feed build` of 2,000 athletes peaks
at 100 MiB or less, flat in the number of athletes (worker results are streamed into
the ledger as they arrive, not held until the end).
Run: .venv/bin/python scripts/bench_feed_memory.py [--athletes 500 1000 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_coach import TODAY, roster  # noqa: E402

# Runs the command in this process, then reports its own peak and its workers' (KiB on Linux).
MEASURE = """
import json, resource, sys
from plansync.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"main": own, "workers": workers}), file=sys.stderr)
"""


def first_build(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        roster(ws, count)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, "feed", "build", "athletes", "--out", "public"],
            cwd=ws,
            env={**os.environ, "PLANSYNC_TODAY": TODAY},
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        peaks = json.loads(done.stderr.strip().splitlines()[-1])
        return {**{k: v / 1024 for k, v in peaks.items()}, "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, nargs="+", default=[500, 1000, 2000])
    for count in parser.parse_args().athletes:
        peaks = first_build(count)
        print(
            f"first feed build, {count} athletes: main process peak {peaks['main']:.0f} MiB, "
            f"largest worker {peaks['workers']:.0f} MiB; {peaks['wall']:.1f} s"
        )


if __name__ == "__main__":
    main()
