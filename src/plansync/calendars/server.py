"""``plansync serve``: feed files over HTTP for development and small setups.

A WSGI application served by waitress. Only ``/<token>.ics`` names are
answered; anything else, including every traversal attempt, is the same
plain 404, so the answer never says which tokens exist. Conditional GETs
use a strong ETag over the bytes (checked first) and the file's
Last-Modified, which ``feed build`` keeps from going backwards.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

FEED_PATH = re.compile(r"^/([A-Za-z0-9_-]{16,64})\.ics$")
StartResponse = Callable[..., Any]


class FeedApp:
    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self._etags: dict[str, tuple[float, int, str, bytes]] = {}

    def _read(self, name: str) -> tuple[bytes, str, float] | None:
        path = self.directory / name
        try:
            stat = path.stat()
        except OSError:
            return None
        cached = self._etags.get(name)
        if cached and cached[0] == stat.st_mtime and cached[1] == stat.st_size:
            return cached[3], cached[2], stat.st_mtime
        try:
            data = path.read_bytes()
        except OSError:
            return None
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        self._etags[name] = (stat.st_mtime, stat.st_size, etag, data)
        return data, etag, stat.st_mtime

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        raw_path = environ.get("PATH_INFO", "")
        match = FEED_PATH.match(raw_path)
        found = self._read(f"{match.group(1)}.ics") if match else None
        if found is None:
            return _plain(start_response, "404 Not Found", b"Not Found\n", method)
        if method not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Length", "0")])
            return [b""]
        data, etag, mtime = found
        last_modified = email.utils.formatdate(int(mtime), usegmt=True)
        headers = [
            ("ETag", etag),
            ("Last-Modified", last_modified),
            ("Cache-Control", "no-cache"),
        ]
        if _not_modified(environ, etag, int(mtime)):
            start_response("304 Not Modified", headers)
            return [b""]
        headers += [("Content-Type", "text/calendar; charset=utf-8"), ("Content-Length", str(len(data)))]
        start_response("200 OK", headers)
        return [b""] if method == "HEAD" else [data]


def _not_modified(environ: dict[str, Any], etag: str, mtime: int) -> bool:
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:  # preferred over If-Modified-Since when both are sent
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        try:
            parsed = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return mtime <= int(parsed.timestamp())
    return False


def _plain(start_response: StartResponse, status: str, body: bytes, method: str) -> Iterable[bytes]:
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [b""] if method == "HEAD" else [body]


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8080) -> Any:
    """A waitress server for the folder (port 0 picks a free one: see ``.effective_port``)."""
    from waitress.server import create_server

    return create_server(FeedApp(directory), host=host, port=port, ident="plansync", threads=4)
