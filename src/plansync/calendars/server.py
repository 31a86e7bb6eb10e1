"""``plansync serve``: feed files over HTTP for development and small setups.

A WSGI application served by waitress. Only ``GET`` and ``HEAD`` of an
existing ``/<token>.ics`` are answered with the feed (and, in a workspace, the
athlete's check-in page at ``/<token>/checkin``: :mod:`.checkin_page`); every other method or
path, traversal attempts included, is the same plain 404, so no answer ever
says which tokens exist. The path must match exactly (no trailing bytes).
Conditional GETs use a strong ETag over the bytes (checked first) and the
file's Last-Modified, which ``feed build`` keeps from going backwards.

Built to stay up on a public network: bytes are read from disk per request
and only each file's ETag is remembered (in a bounded LRU), so memory stays
flat however many feeds are fetched; idle connections are closed after
:data:`IDLE_SECONDS`; up to :data:`CONNECTIONS` connections are held, polled
without select()'s 1,024-socket ceiling, and at that limit the oldest
connections still sending their request's headers are closed to make room
(:func:`evict_header_readers`), so a crowd of slow clients, however large,
does not starve the others. For a large roster put a CDN or object store in front
(see the README); this server is for small setups.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from plansync.calendars.checkin_page import (
    CHECKIN_PATH,
    MAX_BODY,
    Desk,
    RateLimit,
    page,
    parse_form,
)
from plansync.calendars.checkin_page import HEADERS as PAGE_HEADERS
from plansync.calendars.events import REFRESH

FEED_PATH = re.compile(r"/([A-Za-z0-9_-]{16,64})\.ics")
# A feed's FIT files (feed build --fit): /<token>/ (the page linking them) and /<token>/<file>.fit
FIT_PATH = re.compile(r"/([A-Za-z0-9_-]{16,64})/(\d{4}-\d{2}-\d{2}-[a-z]+\d*\.fit|index\.html)?")
TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".fit": "application/vnd.ant.fit",
    ".html": "text/html; charset=utf-8",
}
StartResponse = Callable[..., Any]
ETAG_CACHE = 4096  # files whose ETag is remembered (about 200 bytes each)
IDLE_SECONDS = 15
CONNECTIONS = 2000
MAX_AGE = int(REFRESH.total_seconds())  # clients re-check no sooner than the feed asks them to refresh
SECURITY_HEADERS = [("X-Content-Type-Options", "nosniff")]


class FeedApp:
    def __init__(
        self,
        directory: Path,
        cache_size: int = ETAG_CACHE,
        desk: Desk | None = None,
        limit: RateLimit | None = None,
    ) -> None:
        self.directory = directory.resolve()
        self.desk = desk  # check-in pages at /<token>/checkin when given
        self.limit = limit or RateLimit()
        self._etags: OrderedDict[str, tuple[int, int, str]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _read(self, name: str) -> tuple[bytes, str, float] | None:
        path = self.directory / name
        try:
            data = path.read_bytes()
            stat = path.stat()
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._etags.get(name)
            if cached is not None and cached[:2] == key:
                self._etags.move_to_end(name)
                return data, cached[2], stat.st_mtime
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        with self._lock:
            self._etags[name] = (*key, etag)
            while len(self._etags) > self._cache_size:
                self._etags.popitem(last=False)
        return data, etag, stat.st_mtime

    @property
    def remembered(self) -> int:
        return len(self._etags)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if self.desk is not None and (match := CHECKIN_PATH.fullmatch(path)):
            return self._checkin(match.group(1), environ, start_response)
        name = None
        if match := FEED_PATH.fullmatch(path):
            name = f"{match.group(1)}.ics"
        elif match := FIT_PATH.fullmatch(path):
            name = f"{match.group(1)}/{match.group(2) or 'index.html'}"
        found = self._read(name) if name is not None and method in ("GET", "HEAD") else None
        if found is None:
            return _plain(start_response, "404 Not Found", b"Not Found\n", method)
        data, etag, mtime = found
        headers = [
            ("ETag", etag),
            ("Last-Modified", email.utils.formatdate(int(mtime), usegmt=True)),
            ("Cache-Control", f"private, max-age={MAX_AGE}"),
            *SECURITY_HEADERS,
        ]
        if _not_modified(environ, etag, int(mtime)):
            start_response("304 Not Modified", headers)
            return [b""]
        assert name is not None
        headers += [("Content-Type", TYPES[Path(name).suffix]), ("Content-Length", str(len(data)))]
        start_response("200 OK", headers)
        return [b""] if method == "HEAD" else [data]

    def _checkin(self, token: str, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """The athlete's check-in page: the form, or a posted check-in handed to the desk."""
        method = environ.get("REQUEST_METHOD", "GET")
        assert self.desk is not None
        if method not in ("GET", "HEAD", "POST") or not self.desk.knows(token):
            return _plain(start_response, "404 Not Found", b"Not Found\n", method)
        if method != "POST":
            saved = environ.get("QUERY_STRING", "") == "saved"
            body = page(saved)
            headers = [("Content-Type", TYPES[".html"]), ("Content-Length", str(len(body))), *PAGE_HEADERS]
            start_response("200 OK", [*headers, *SECURITY_HEADERS])
            return [b""] if method == "HEAD" else [body]
        refused = self._refused(token, environ)
        if refused is not None:
            return _plain(start_response, refused[0], refused[1], method)
        form = parse_form(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        if form is None:
            return _plain(start_response, "400 Bad Request", b"That check-in could not be read.\n", method)
        if not self.desk.record(token, form):
            return _plain(start_response, "404 Not Found", b"Not Found\n", method)
        start_response(
            "303 See Other", [("Location", "checkin?saved"), ("Content-Length", "0"), *PAGE_HEADERS]
        )
        return [b""]

    def _refused(self, token: str, environ: dict[str, Any]) -> tuple[str, bytes] | None:
        """Why a post is refused before it is read: its type, its size, its rate."""
        kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            return "415 Unsupported Media Type", b"Send the form.\n"
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return "400 Bad Request", b"That check-in could not be read.\n"
        if not 0 < length <= MAX_BODY:
            return "413 Content Too Large", b"That check-in is too large.\n"
        if not self.limit.allow(token):
            return "429 Too Many Requests", b"Too many check-ins this hour; try again later.\n"
        return None


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
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *SECURITY_HEADERS,
        ],
    )
    return [b""] if method == "HEAD" else [body]


EVICT_BATCH = 32  # header-readers closed at once when the connection limit is reached


def make_server(
    directory: Path,
    host: str = "127.0.0.1",
    port: int = 8080,
    desk: Desk | None = None,
    *,
    connections: int = CONNECTIONS,
) -> Any:
    """A waitress server for the folder (port 0 picks a free one: see ``.effective_port``);
    with ``desk``, each athlete's check-in page too. At the connection limit the server
    makes room by closing the oldest connections that have not finished sending a request
    (slow header-readers) instead of no longer accepting anyone."""
    from waitress.adjustments import Adjustments
    from waitress.server import MultiSocketServer
    from waitress.task import ThreadedTaskDispatcher

    adj = Adjustments(
        host=host,
        port=port,
        ident="plansync",
        threads=4,
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=2,
        connection_limit=connections,
        asyncore_use_poll=True,
        max_request_header_size=16_384,
        max_request_body_size=MAX_BODY,
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    app, shared = FeedApp(directory, desk=desk), dict[int, Any]()
    servers = [
        _server_class()(app, shared, dispatcher=dispatcher, adj=adj, sockinfo=info) for info in adj.listen
    ]
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(shared, adj, listening, dispatcher, servers[-1].log_info)


def _server_class() -> type:
    from waitress.server import TcpWSGIServer

    class EvictingServer(TcpWSGIServer):
        """waitress's server, which at its connection limit stops accepting (and so stops
        answering) until a connection closes; this one first asks the oldest connections
        still sending their request's headers to close, so real requests keep getting in."""

        def readable(self) -> bool:
            me: Any = self  # the stubs know neither the map nor the channels' real type
            if me.accepting and len(me._map) >= me.adj.connection_limit:
                evict_header_readers(me.active_channels.values(), EVICT_BATCH)
            return bool(super().readable())

    return EvictingServer


def evict_header_readers(channels: Iterable[Any], batch: int) -> int:
    """Mark up to ``batch`` connections to close (counting those already closing): the
    oldest that are neither being answered nor sending an answer. Returns how many."""
    live = list(channels)
    closing = sum(1 for c in live if c.will_close)
    idle = [c for c in live if not c.will_close and not c.requests and not c.total_outbufs_len]
    chosen = sorted(idle, key=lambda c: c.creation_time)[: max(0, batch - closing)]
    for channel in chosen:
        channel.will_close = True  # closed by the loop on its next pass, as waitress's idle cleanup does
    return len(chosen)
