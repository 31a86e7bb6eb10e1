"""Benchmark: `feed build --out s3://…` over a large roster against a loopback
S3-compatible server (moto's server mode, started here).

Target (issue: feeds at any scale): an unchanged build over 2,000 athletes makes
0 uploads in at most 1 s, whole command.
Run: .venv/bin/python scripts/bench_feeds_s3.py [--athletes 2000]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_coach import TODAY, roster  # noqa: E402

EXE = shutil.which("plansync", path=str(Path(sys.executable).parent)) or "plansync"


def run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run([EXE, *args], cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return wall, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, default=2000)
    count = parser.parse_args().athletes
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        **os.environ,
        "PLANSYNC_TODAY": TODAY,
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
    }
    boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        region_name="us-east-1",
    ).create_bucket(Bucket="feeds")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            ws = Path(tmp) / "ws"
            roster(ws, count)
            build = [
                "feed",
                "build",
                "athletes",
                "--out",
                "s3://feeds/public",
                "--base-url",
                "https://cdn.test",
            ]
            first, out1 = run(build, ws, env)
            again, out2 = run(build, ws, env)
            uploads = re.search(r"(\d+) uploaded", out2)
            print(
                f"feed build --out s3://, {count} athletes: first {first:.1f} s ({out1.strip().splitlines()[-1]})"
            )
            print(f"  unchanged: {again:.2f} s, {uploads.group(1) if uploads else '?'} uploads")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
