"""One function that takes secrets out of any text plansync shows or logs.

Every message, log line and traceback passes through :func:`redact`: bearer
and basic credentials, ``access_token`` / ``refresh_token`` / ``client_secret``
/ ``api_key`` fields in JSON, forms and URLs, and every secret value this
process has handled (registered with :func:`remember` where it is read: the
client secret, the tokens) become ``[redacted]``, even when a server echoes
them back inside an error body.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[redacted]"
_SECRET_KEYS = r"access_token|refresh_token|client_secret|id_token|api_key|apikey|password|code_verifier"
_PATTERNS = (
    re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)\b(basic\s+)[A-Za-z0-9+/=]{8,}"),
    # JSON and Python reprs ("access_token": "…", 'refresh_token': '…'), forms and URLs (code=…)
    re.compile(rf"(?i)([\"'](?:{_SECRET_KEYS})[\"']\s*:\s*[\"'])([^\"']+)"),
    re.compile(rf"(?i)(\b(?:{_SECRET_KEYS})=)([^&\s\"']+)"),
)
_known: set[str] = set()
_lock = threading.Lock()
MIN_SECRET = 6  # shorter values would mask ordinary words


def remember(*secrets: object) -> None:
    """Register secret values to take out of any text from now on."""
    with _lock:
        _known.update(s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Redacts every record that passes a handler (attach to each handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
