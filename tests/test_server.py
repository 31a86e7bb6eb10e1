"""`plansync serve`: a real server on loopback, conditional requests, nothing leaked."""

from __future__ import annotations

import email.utils
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from plansync.calendars.server import make_server

from .conftest import running

TOKEN = "Zk3v0q9mC1xYt7bN2pLr5sWd8hJf4gAe"
BODY = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"
MTIME = 1_800_000_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One server for the module: waitress takes a second to notice it was closed."""
    root = tmp_path_factory.mktemp("serve")
    feeds = root / "public"
    feeds.mkdir()
    (root / "secret.txt").write_text("not for the web")
    with running(make_server(feeds, "127.0.0.1", 0)) as base:
        yield base, feeds


@pytest.fixture
def served(server: tuple[str, Path]) -> tuple[str, Path]:
    _, feeds = server
    (feeds / f"{TOKEN}.ics").write_bytes(BODY)
    os.utime(feeds / f"{TOKEN}.ics", (MTIME, MTIME))
    return server


def test_feed_is_served_with_calendar_type_strong_etag_and_last_modified(served: tuple[str, Path]) -> None:
    base, _ = served
    r = httpx.get(f"{base}/{TOKEN}.ics")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert r.content == BODY
    assert r.headers["etag"].startswith('"') and not r.headers["etag"].startswith("W/")
    assert r.headers["last-modified"] == email.utils.formatdate(MTIME, usegmt=True)


def test_second_fetch_with_the_etag_is_304(served: tuple[str, Path]) -> None:
    base, _ = served
    etag = httpx.get(f"{base}/{TOKEN}.ics").headers["etag"]
    r = httpx.get(f"{base}/{TOKEN}.ics", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["etag"] == etag


def test_if_modified_since_is_honoured(served: tuple[str, Path]) -> None:
    base, _ = served
    since = email.utils.formatdate(MTIME, usegmt=True)
    assert httpx.get(f"{base}/{TOKEN}.ics", headers={"If-Modified-Since": since}).status_code == 304
    earlier = email.utils.formatdate(MTIME - 60, usegmt=True)
    assert httpx.get(f"{base}/{TOKEN}.ics", headers={"If-Modified-Since": earlier}).status_code == 200


def test_if_none_match_is_preferred_over_if_modified_since(served: tuple[str, Path]) -> None:
    base, _ = served
    since = email.utils.formatdate(MTIME, usegmt=True)
    r = httpx.get(f"{base}/{TOKEN}.ics", headers={"If-None-Match": '"stale"', "If-Modified-Since": since})
    assert r.status_code == 200


def test_a_changed_file_gets_a_new_etag(served: tuple[str, Path]) -> None:
    base, feeds = served
    first = httpx.get(f"{base}/{TOKEN}.ics").headers["etag"]
    (feeds / f"{TOKEN}.ics").write_bytes(BODY.replace(b"test", b"test2"))
    os.utime(feeds / f"{TOKEN}.ics", (MTIME + 10, MTIME + 10))
    r = httpx.get(f"{base}/{TOKEN}.ics", headers={"If-None-Match": first})
    assert r.status_code == 200 and r.headers["etag"] != first


def test_head_has_headers_and_no_body(served: tuple[str, Path]) -> None:
    base, _ = served
    r = httpx.head(f"{base}/{TOKEN}.ics")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-length"] == str(len(BODY))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/Zk3v0q9mC1xYt7bN2pLr5sWd8hJf4gAX.ics",  # an unknown token
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2f..%2fetc%2fpasswd",
        f"/{TOKEN}.ics/../../secret.txt",
        f"/{TOKEN}.ICS",
        f"/{TOKEN}.ics%0a",
        f"/{TOKEN}.ics%00",
        f"/{TOKEN}.ics/",
        "/public/",
    ],
)
def test_unknown_paths_get_the_same_plain_404(served: tuple[str, Path], path: str) -> None:
    base, _ = served
    with httpx.Client() as client:
        request = client.build_request("GET", base)
        request.url = request.url.copy_with(raw_path=path.encode())  # sent as written, not normalised
        r = client.send(request)
    assert r.status_code == 404
    assert r.text == "Not Found\n"
    assert "not for the web" not in r.text


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_get_the_same_404_on_known_and_unknown_feeds(
    served: tuple[str, Path], method: str
) -> None:
    base, _ = served
    known = httpx.request(method, f"{base}/{TOKEN}.ics", content=b"x")
    unknown = httpx.request(method, f"{base}/{'x' * 32}.ics", content=b"x")
    assert known.status_code == unknown.status_code == 404 and known.text == unknown.text


def test_feeds_are_private_and_never_sniffed(served: tuple[str, Path]) -> None:
    base, _ = served
    r = httpx.get(f"{base}/{TOKEN}.ics")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "private, max-age=21600"  # the feeds' REFRESH-INTERVAL


def test_memory_is_bounded_however_many_feeds_are_fetched(tmp_path: Path) -> None:
    from plansync.calendars.server import FeedApp

    app = FeedApp(tmp_path, cache_size=50)
    names = [f"{i:032d}" for i in range(400)]
    for name in names:
        (tmp_path / f"{name}.ics").write_bytes(BODY)
    answers: list[str] = []
    for name in names:
        body = b"".join(
            app({"REQUEST_METHOD": "GET", "PATH_INFO": f"/{name}.ics"}, lambda s, h: answers.append(s))
        )
        assert body == BODY
    assert answers == ["200 OK"] * 400 and app.remembered == 50


def test_a_crowd_of_slow_clients_does_not_starve_a_normal_one(served: tuple[str, Path]) -> None:
    import socket

    base, _ = served
    host, port = base.removeprefix("http://").split(":")
    slow = []
    try:
        for _ in range(200):  # each sends half a request line and then waits
            s = socket.create_connection((host, int(port)), timeout=5)
            s.sendall(b"GET /")
            slow.append(s)
        r = httpx.get(f"{base}/{TOKEN}.ics", timeout=5)  # a functional check; latency is in scripts/
        assert r.status_code == 200 and r.content == BODY
    finally:
        for s in slow:
            s.close()


def test_more_slow_clients_than_the_connection_limit_do_not_shut_out_a_normal_one(tmp_path: Path) -> None:
    """At the connection limit the oldest header-readers are closed to make room: a normal
    fetch still gets its feed while more slow clients than the limit hold connections."""
    import socket

    (tmp_path / f"{TOKEN}.ics").write_bytes(BODY)
    slow: list[socket.socket] = []
    with running(make_server(tmp_path, "127.0.0.1", 0, connections=40)) as base:
        port = int(base.rsplit(":", 1)[1])
        try:
            for _ in range(120):  # three times the limit, each sending half a request line
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"GET /")
                slow.append(s)
            for _ in range(3):
                r = httpx.get(f"{base}/{TOKEN}.ics", timeout=5)
                assert r.status_code == 200 and r.content == BODY
            closed = 0
            for s in slow[:40]:  # the oldest were asked to leave
                s.settimeout(5)
                try:
                    closed += s.recv(1) == b""
                except OSError:
                    closed += 1
            assert closed >= 30
        finally:
            for s in slow:
                s.close()
