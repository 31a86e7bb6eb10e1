"""Publishing the feed folder to object storage (S3 and S3-compatible stores, Google
Cloud Storage, Azure Blob Storage) for hosting at any scale behind a CDN.

A feed build for ``--out s3://bucket/prefix`` builds into a staging folder in
the state directory, exactly as for a local folder (incremental, the same
bytes), then :func:`sync` makes the store match it:

- an object is uploaded only when its file's bytes differ from what was last
  uploaded there (the ledger keeps each object's SHA-256; an unchanged file is
  recognised by its size and modification time, without reading it or the store);
- each object gets its ``Content-Type`` and a ``Cache-Control`` of the feed's
  refresh interval;
- objects plansync uploaded whose files are gone (an athlete removed, a feed
  rotated, a FIT file past its window) are deleted; objects plansync did not
  write are never touched, and the private index never leaves the state directory;
- uploads run in parallel within a bound, each retried on throttling and
  network errors; one that fails is reported and the others still land.

The store is configured by each cloud's standard environment variables
(``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_REGION``; ``GOOGLE_SERVICE_ACCOUNT``; ``AZURE_STORAGE_ACCOUNT_NAME``, …),
read by obstore, never by keys in plansync.toml.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from plansync.atomic import write_atomic
from plansync.calendars.feeds import FeedError
from plansync.redact import redact, remember
from plansync.state.ledger import Ledger

SCHEMES = ("s3", "gs", "az", "abfs", "file")
STORE_URL = re.compile(r"^(s3|gs|az|abfs|file)://[^\s]+$")
CONCURRENCY = 8
ATTEMPTS = 5
FEED_FILE = re.compile(r"^[A-Za-z0-9_-]{16,64}(\.ics|/\d{4}-\d{2}-\d{2}-[a-z]+\d*\.fit|/index\.html)$")


def is_store_url(out: str) -> bool:
    """Whether ``--out`` names an object store; a store URL missing its ``//`` (``s3:/feeds``,
    ``s3:feeds``) is refused rather than taken for a local folder of that name."""
    if "://" in out:
        return True
    if re.match(r"^[a-z][a-z0-9+.-]*:(?![\\/]{2})", out, re.I) and not re.match(r"^[a-z]:[\\/]", out, re.I):
        raise FeedError(
            f"--out {out!r}: a store URL is written scheme://bucket/prefix (s3://feeds); a folder needs no colon"
        )
    return False


def staging_for(state: Path, url: str) -> Path:
    """The local folder a store's feeds are built in, inside the state directory."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-")[:60]
    return state / "outbox" / f"{slug}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def open_store(url: str) -> Any:
    """The object store at ``url``, configured from the environment."""
    if not STORE_URL.match(url):
        raise FeedError(
            f"--out {url}: expected a folder or an object-store URL ({', '.join(s + '://' for s in SCHEMES)})"
        )
    from obstore.store import from_url

    try:
        # plansync retries (with tenacity, see sync); the store's own client does not.
        return from_url(
            url,
            retry_config={"max_retries": 0, "retry_timeout": dt.timedelta(seconds=30)},
        )
    except Exception as exc:  # obstore: a bad bucket name, an unknown option
        raise FeedError(f"--out {url}: {redact(str(exc)).splitlines()[0]}") from None


@dataclass
class SyncResult:
    uploaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, why)


def _feed_files(staging: Path) -> Iterator[tuple[str, Path]]:
    if not staging.is_dir():
        return
    for path in sorted(staging.rglob("*")):
        key = path.relative_to(staging).as_posix()
        if path.is_file() and FEED_FILE.match(key):
            yield key, path


def _retryable(exc: BaseException) -> bool:
    """Throttling and network errors are worth another try; a refusal is not."""
    from obstore.exceptions import (
        NotFoundError,
        PermissionDeniedError,
        UnauthenticatedError,
        UnknownConfigurationKeyError,
    )

    return not isinstance(
        exc, NotFoundError | PermissionDeniedError | UnauthenticatedError | UnknownConfigurationKeyError
    )


def sync(
    staging: Path,
    url: str,
    ledger: Ledger,
    *,
    store: Any = None,
    concurrency: int = CONCURRENCY,
    wait: Callable[[float], None] | None = None,
) -> SyncResult:
    """Make the store at ``url`` hold exactly the feed files of ``staging`` that changed
    since the last sync, and none that plansync uploaded and are gone."""
    import obstore

    # The served feeds' own headers; imported here, as obstore is: a feed build that uploads
    # nothing (every athlete unchanged) then starts without the calendar renderer.
    from plansync.calendars.server import MAX_AGE, TYPES

    store = store if store is not None else open_store(url)
    names = _names(ledger)  # messages name the athlete, never the secret token
    check_store(store, url)
    result = SyncResult()
    todo, gone = _changed(staging, url, ledger, result)

    def attempt(action: Callable[[], object]) -> None:
        retrying = Retrying(
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_exponential_jitter(multiplier=0.2, max=5, jitter=0.5),
            retry=retry_if_exception(_retryable),
            sleep=wait or _sleep,
            reraise=True,
        )
        for trial in retrying:
            with trial:
                action()

    def upload(item: tuple[str, Path, str, int, int]) -> tuple[str, str | None]:
        key, path, *_ = item
        headers = {"Content-Type": TYPES[path.suffix], "Cache-Control": f"public, max-age={MAX_AGE}"}
        try:
            attempt(lambda: obstore.put(store, key, path.read_bytes(), attributes=headers))
        except Exception as exc:
            return key, redact(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__
        return key, None

    def delete(key: str) -> tuple[str, str | None]:
        try:
            attempt(lambda: obstore.delete(store, key))
        except Exception as exc:
            from obstore.exceptions import NotFoundError

            if isinstance(exc, NotFoundError):
                return key, None  # already gone
            return key, redact(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__
        return key, None

    by_key = {item[0]: item for item in todo}
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for key, error in pool.map(upload, todo):
            if error is None:
                _, _, digest, size, mtime = by_key[key]
                ledger.record_upload(url, key, digest, size, mtime)  # kept as each one lands
                result.uploaded.append(key)
            else:
                result.failed.append((_named(key, names), error))
        for key, error in pool.map(delete, gone):
            if error is None:
                ledger.forget_upload(url, key)
                result.deleted.append(key)
            else:
                result.failed.append((_named(key, names), error))
    return result


class StoreUnavailable(FeedError):
    """The store cannot take the feeds now (no such bucket, refused credentials, unreachable):
    the build's work is kept, nothing is uploaded; run again when it is fixed."""

    exit_code = 1


def restore(store: Any, url: str, staging: Path, ledger: Ledger) -> int:
    """After the state folder was lost: the store's calendars (``<token>.ics``) back into a fresh
    staging folder, each recorded as uploaded, so the build recognises every athlete's feed by
    the UIDs inside and keeps their secret URLs (and uploads nothing that did not change).
    Returns how many were brought back."""
    import obstore

    if staging.is_dir() and any(staging.iterdir()):
        return 0
    staging.mkdir(parents=True, exist_ok=True)
    count = 0
    for chunk in obstore.list(store):
        for meta in chunk:
            key = str(meta["path"])
            if not (FEED_FILE.match(key) and key.endswith(".ics") and "/" not in key):
                continue
            data = bytes(obstore.get(store, key).bytes())
            target = staging / key
            write_atomic(target, data)
            info = target.stat()
            ledger.record_upload(url, key, hashlib.sha256(data).hexdigest(), info.st_size, info.st_mtime_ns)
            count += 1
    return count


def check_store(store: Any, url: str) -> None:
    """One look at the store before any upload: a missing bucket, refused credentials or an
    unreachable endpoint is one line naming the store, not one failure per feed file."""
    import obstore
    from obstore.exceptions import NotFoundError, PermissionDeniedError, UnauthenticatedError

    try:
        next(iter(obstore.list(store, chunk_size=1)), None)
    except NotFoundError:
        raise StoreUnavailable(
            f"--out {url}: the bucket does not exist (or these credentials cannot see it)"
        ) from None
    except (PermissionDeniedError, UnauthenticatedError):
        raise StoreUnavailable(f"--out {url}: the store refused the credentials") from None
    except Exception as exc:  # obstore: a generic error carrying the HTTP status, or none
        text = str(exc)
        if "NoSuchBucket" in text or "404 Not Found" in text or "status code: 404" in text:
            raise StoreUnavailable(
                f"--out {url}: the bucket does not exist (or these credentials cannot see it)"
            ) from None
        if "status code: 403" in text or "AccessDenied" in text or "InvalidAccessKeyId" in text:
            raise StoreUnavailable(f"--out {url}: the store refused the credentials") from None
        why = redact(text).splitlines()[0][:200] if text else type(exc).__name__
        raise StoreUnavailable(f"--out {url}: cannot reach the store ({why})") from None


def _names(ledger: Ledger) -> dict[str, str]:
    """Feed token -> "athlete" or "athlete (busy)"; every token also goes to the redactor."""
    out: dict[str, str] = {}
    for feed in ledger.feeds():
        remember(feed.token, feed.busy_token)
        out[feed.token], out[feed.busy_token] = feed.athlete, f"{feed.athlete} (busy)"
    return out


def _named(key: str, names: dict[str, str]) -> str:
    """A feed file's key with its token replaced by whose it is."""
    token = key.split("/")[0].split(".")[0]
    return key.replace(token, names.get(token, "(a feed no athlete owns)"), 1)


def _changed(
    staging: Path, url: str, ledger: Ledger, result: SyncResult
) -> tuple[list[tuple[str, Path, str, int, int]], list[str]]:
    """The feed files to upload (key, path, digest, size, mtime), and the keys uploaded
    before that are gone; unchanged files (same size and time, or same bytes) are noted."""
    known = ledger.uploads(url)
    todo: list[tuple[str, Path, str, int, int]] = []
    present: set[str] = set()
    for key, path in _feed_files(staging):
        present.add(key)
        info = path.stat()
        record = known.get(key)
        if record is not None and record[1:] == (info.st_size, info.st_mtime_ns):
            result.unchanged.append(key)
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if record is not None and record[0] == digest:
            ledger.record_upload(url, key, digest, info.st_size, info.st_mtime_ns)
            result.unchanged.append(key)
            continue
        todo.append((key, path, digest, info.st_size, info.st_mtime_ns))
    return todo, sorted(set(known) - present)


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)
