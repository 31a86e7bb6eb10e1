"""The athlete's own check-in page, at their feed's secret URL: ``/<token>/checkin``.

A small HTML form (no scripts, nothing fetched from anywhere, usable on a
phone) for pain 0–10, where, when, red flags and a note. The token is the only
credential, so an unknown token gets the same plain 404 as any other path. A
posted form is checked field by field (:func:`parse_form`): anything else is a
400 that echoes nothing back; bodies over :data:`MAX_BODY` are refused; each
token may post :data:`POSTS_PER_HOUR` times an hour. The page never contains
what was sent: after a check-in it says only that it was recorded.

What a check-in does to the plan is decided by the service behind the
:class:`Desk` (``plansync.service.checkin_desk``); this module only serves the
form and hands over a checked :class:`CheckinForm`.
"""

from __future__ import annotations

import html
import re
import threading
import time
import urllib.parse
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from plansync.core.checkins import NOTE_MAX, RED_FLAGS, SITES, WHEN

CHECKIN_PATH = re.compile(r"/([A-Za-z0-9_-]{16,64})/checkin")
MAX_BODY = 4096  # bytes of a posted form: the fields fit in well under 1 KB
POSTS_PER_HOUR = 6
TOKENS_REMEMBERED = 10_000  # tokens whose recent posts are counted (oldest forgotten first)
FIELDS = {"pain", "where", "when", "red_flag", "note"}
HEADERS = [
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),  # the URL is the credential: never sent on
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    ),
]


@dataclass(frozen=True)
class CheckinForm:
    pain: int
    where: str | None
    when: str | None
    red_flags: tuple[str, ...]
    note: str


class Desk(Protocol):
    """Where check-ins go: who a token belongs to, and keeping a check-in for them."""

    def knows(self, token: str) -> bool: ...

    def record(self, token: str, form: CheckinForm) -> bool: ...


def parse_form(body: bytes) -> CheckinForm | None:
    """The form as posted, or None when anything in it is not exactly what the page sends."""
    try:
        fields = urllib.parse.parse_qs(
            body.decode("utf-8"), keep_blank_values=True, strict_parsing=True, max_num_fields=16
        )
    except (UnicodeDecodeError, ValueError):
        return None
    if not set(fields) <= FIELDS or any(len(v) != 1 for k, v in fields.items() if k != "red_flag"):
        return None
    pain = fields.get("pain", [""])[0]
    if not pain.isdigit() or not 0 <= int(pain) <= 10 or len(pain) > 2:
        return None
    where, when = fields.get("where", [""])[0], fields.get("when", [""])[0]
    flags = fields.get("red_flag", [])
    if (where and where not in SITES) or (when and when not in WHEN) or not set(flags) <= set(RED_FLAGS):
        return None
    note = " ".join(fields.get("note", [""])[0].split())  # one line: the textarea's breaks are spaces
    if len(note) > NOTE_MAX or any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in note):
        return None
    return CheckinForm(int(pain), where or None, when or None, tuple(sorted(set(flags))), note)


class RateLimit:
    """At most ``limit`` posts per token in any hour (``clock`` injectable for tests)."""

    def __init__(self, limit: int = POSTS_PER_HOUR, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.clock = limit, clock
        self._posts: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, token: str) -> bool:
        now = self.clock()
        with self._lock:
            posts = self._posts.setdefault(token, deque())
            self._posts.move_to_end(token)
            while posts and now - posts[0] >= 3600:
                posts.popleft()
            while len(self._posts) > TOKENS_REMEMBERED:
                self._posts.popitem(last=False)
            if len(posts) >= self.limit:
                return False
            posts.append(now)
            return True


def page(saved: bool = False) -> bytes:
    """The form; with ``saved``, first a line saying the last check-in was recorded. Nothing
    the athlete sent is ever part of it."""
    options = "".join(f'<option value="{n}">{n}</option>' for n in range(11))
    sites = "".join(f'<option value="{s}">{s}</option>' for s in SITES)
    whens = "".join(f'<option value="{w}">{w}</option>' for w in WHEN)
    flags = "".join(
        f'<label><input type="checkbox" name="red_flag" value="{f}"> {html.escape(f.replace("-", " "))}</label>'
        for f in RED_FLAGS
    )
    banner = (
        '<p class="saved" role="status">Recorded: your coach sees it and your plan follows it.</p>'
        if saved
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>How are your feet?</title>
<style>body{{font:16px/1.4 system-ui,sans-serif;max-width:30rem;margin:1rem auto;padding:0 1rem}}
label{{display:block;margin:.6rem 0}}select,textarea,button{{font:inherit;width:100%;box-sizing:border-box}}
fieldset{{border:1px solid #ccc}}.saved{{background:#e6f4ea;padding:.6rem}}button{{padding:.7rem;margin-top:1rem}}</style>
</head><body>
<h1>How are your feet?</h1>{banner}
<form method="post" action="checkin">
<label>Pain now, 0 (none) to 10 (worst)<select name="pain" required>{options}</select></label>
<label>Where<select name="where"><option value="">(nowhere in particular)</option>{sites}</select></label>
<label>When<select name="when"><option value="">(now)</option>{whens}</select></label>
<fieldset><legend>Red flags: see a professional</legend>{flags}</fieldset>
<label>A note for your coach<textarea name="note" maxlength="{NOTE_MAX}" rows="3"></textarea></label>
<button type="submit">Send to my coach</button>
</form></body></html>
""".encode()
