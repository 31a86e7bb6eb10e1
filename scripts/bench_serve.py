"""Benchmark: `plansync serve` under a crowd of slow clients, and its memory over many feeds.

1. 200 clients connect and send half a request line, then wait; meanwhile a
   normal client fetches a feed 20 times: median and worst latency.
1b. 2,100 clients (more than the 2,000-connection limit) connect and trickle their
   request a byte at a time; meanwhile a normal client fetches a feed 20 times, each a
   new connection: how many succeed, median and worst latency.
2. 4,000 different 90 KB feeds are fetched twice: resident memory before,
   after the first pass and after the second (flat when nothing is kept).
Run: .venv/bin/python scripts/bench_serve.py
"""

from __future__ import annotations

import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from plansync.calendars.server import make_server

FEEDS = 4000
SLOW = 200
CROWD = 2100


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        body = b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"x" * 90_000 + b"\r\nEND:VCALENDAR\r\n"
        names = [f"{i:032d}" for i in range(FEEDS)]
        for name in names:
            (folder / f"{name}.ics").write_bytes(body)
        server = make_server(folder, "127.0.0.1", 0)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"
        slow = []
        try:
            for _ in range(SLOW):
                s = socket.create_connection(("127.0.0.1", server.effective_port), timeout=5)
                s.sendall(b"GET /")
                slow.append(s)
            times = []
            with httpx.Client(timeout=10) as client:
                for _ in range(20):
                    t0 = time.perf_counter()
                    r = client.get(f"{base}/{names[0]}.ics")
                    times.append(time.perf_counter() - t0)
                    assert r.status_code == 200
            print(
                f"{SLOW} slow clients connected: a normal fetch takes median {statistics.median(times) * 1000:.1f} ms, "
                f"worst {max(times) * 1000:.1f} ms"
            )
        finally:
            for s in slow:
                s.close()
        crowd_check(base, server.effective_port, names[0])
        before = rss_mib()
        marks = []
        with httpx.Client(timeout=10) as client:
            for _ in range(2):
                for name in names:
                    client.get(f"{base}/{name}.ics")
                marks.append(rss_mib())
        print(
            f"memory while fetching {FEEDS} different feeds ({len(body) // 1000} KB each): "
            f"{before:.0f} MiB before, {marks[0]:.0f} MiB after one pass, {marks[1]:.0f} MiB after two"
        )
        server.close()


def crowd_check(base: str, port: int, name: str) -> None:
    """More trickling clients than the connection limit, and a normal client beside them."""
    crowd: list[socket.socket] = []
    stop = threading.Event()

    def trickle() -> None:  # one byte to each open slow client every second, for the run
        while not stop.wait(1.0):
            for s in list(crowd):
                try:
                    s.send(b"x")
                except OSError:
                    crowd.remove(s)

    feeder = threading.Thread(target=trickle, daemon=True)
    try:
        for _ in range(CROWD):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.setblocking(False)
            s.send(b"GET /")
            crowd.append(s)
        feeder.start()
        times, ok = [], 0
        for _ in range(20):
            t0 = time.perf_counter()
            try:
                r = httpx.get(f"{base}/{name}.ics", timeout=5)
                ok += r.status_code == 200
            except httpx.HTTPError:
                pass
            times.append(time.perf_counter() - t0)
        print(
            f"{CROWD} trickling clients (over the connection limit): {ok}/20 normal fetches answered, "
            f"median {statistics.median(times) * 1000:.1f} ms, worst {max(times) * 1000:.1f} ms"
        )
    finally:
        stop.set()
        for s in crowd:
            s.close()


if __name__ == "__main__":
    main()
