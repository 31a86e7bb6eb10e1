"""Feeds published to object storage, against a real S3-compatible server on
loopback (moto's server mode): only what changed is uploaded, removed and
rotated feeds are deleted, and objects plansync did not write are never touched."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from plansync.calendars import storage
from plansync.state.ledger import Ledger

from .conftest import ROOT, Cli

BUCKET = "feeds"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the server's request log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_server: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Any:
    """A fresh bucket, with the standard AWS variables pointing at the loopback server."""
    for name, value in {
        "AWS_ENDPOINT_URL": s3_server,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server)
    bucket = f"{BUCKET}-{abs(hash(request.node.name)) % 10**8}"
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="pub/robots.txt", Body=b"a file of the coach's own")
    client.bucket = bucket
    return client


def objects(s3: Any) -> dict[str, tuple[str, Any]]:
    found = s3.list_objects_v2(Bucket=s3.bucket, Prefix="pub/").get("Contents", [])
    return {o["Key"].removeprefix("pub/"): (o["ETag"], o["LastModified"]) for o in found}


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    for profile in sorted((ROOT / "examples").glob("*.yaml")):
        shutil.copy(profile, athletes / profile.name)
    return athletes


def build(cli: Cli, tmp_path: Path, s3: Any, *extra: str) -> tuple[int, str]:
    return cli(
        [
            "feed",
            "build",
            "athletes",
            "--out",
            f"s3://{s3.bucket}/pub",
            "--state",
            "st",
            "--base-url",
            "https://cdn.test",
            *extra,
        ],
        tmp_path,
    )


def test_only_what_changed_is_uploaded_and_foreign_objects_survive(
    cli: Cli, tmp_path: Path, roster: Path, s3: Any
) -> None:
    code, out = build(cli, tmp_path, s3)
    assert code == 0, out
    first = objects(s3)
    feeds = [k for k in first if k.endswith(".ics")]
    assert len(feeds) == 8 and "robots.txt" in first and "8 uploaded" in out
    head = s3.head_object(Bucket=s3.bucket, Key=f"pub/{feeds[0]}")
    assert head["ContentType"] == "text/calendar; charset=utf-8"
    assert head["CacheControl"] == "public, max-age=21600"  # the feeds' refresh interval
    assert not any("index" in k for k in first)  # the private index stays in the state directory
    assert (tmp_path / "st" / "feeds-index.json").is_file()

    code, out = build(cli, tmp_path, s3)  # unchanged: nothing uploaded, objects as they were
    assert code == 0 and "0 uploaded, 8 unchanged, 0 deleted" in out
    assert objects(s3) == first

    jane = roster / "jane-doe.yaml"
    jane.write_text(
        jane.read_text().replace("  long_run_day: sun\n", '  long_run_day: sun\n  time: "06:30"\n')
    )
    code, out = build(cli, tmp_path, s3)  # one athlete edited (a training time): their two files
    assert code == 0 and "2 uploaded, 6 unchanged" in out
    after = objects(s3)
    assert sum(after[k] != first[k] for k in first) == 2


def test_a_removed_and_a_rotated_athlete_leave_nothing_behind(
    cli: Cli, tmp_path: Path, roster: Path, s3: Any
) -> None:
    assert build(cli, tmp_path, s3)[0] == 0
    before = set(objects(s3))
    (roster / "kim-park.yaml").unlink()
    code, out = build(cli, tmp_path, s3)
    assert code == 0 and "2 deleted" in out
    assert len(set(objects(s3))) == len(before) - 2 and "robots.txt" in objects(s3)

    code, out = cli(["feed", "rotate", "jane-doe", "--state", "st"], tmp_path)
    assert code == 0, out
    code, out = build(cli, tmp_path, s3)
    assert code == 0 and "2 uploaded" in out and "2 deleted" in out
    now = set(objects(s3))
    assert len(now) == len(before) - 2 and len(now - before) == 2


def test_fit_files_go_up_too(cli: Cli, tmp_path: Path, roster: Path, s3: Any) -> None:
    code, out = build(cli, tmp_path, s3, "--fit")
    assert code == 0, out
    keys = objects(s3)
    fits = [k for k in keys if k.endswith(".fit")]
    assert fits and any(k.endswith("/index.html") for k in keys)
    head = s3.head_object(Bucket=s3.bucket, Key=f"pub/{fits[0]}")
    assert head["ContentType"] == "application/vnd.ant.fit"


def test_a_failed_upload_loses_nothing_else_and_the_next_run_finishes_it(
    tmp_path: Path, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import obstore

    staging = tmp_path / "staging"
    staging.mkdir()
    for i in range(6):
        (staging / f"{'t' * 20}{i}.ics").write_bytes(b"BEGIN:VCALENDAR\r\n%d\r\n" % i)
    url = f"s3://{s3.bucket}/pub"
    real_put = obstore.put
    calls: dict[str, int] = {}

    def flaky(store: Any, key: str, data: Any, **kw: Any) -> Any:
        calls[key] = calls.get(key, 0) + 1
        if key.endswith("3.ics"):
            raise ConnectionResetError("connection reset by peer")
        if key.endswith("1.ics") and calls[key] < 3:
            raise TimeoutError("throttled: slow down")
        return real_put(store, key, data, **kw)

    monkeypatch.setattr(obstore, "put", flaky)
    waits: list[float] = []
    with Ledger(tmp_path / "st") as ledger:
        result = storage.sync(staging, url, ledger, wait=waits.append)
    assert len(result.uploaded) == 5 and [k for k, _ in result.failed] == ["(a feed no athlete owns).ics"]
    assert calls[f"{'t' * 20}1.ics"] == 3 and calls[f"{'t' * 20}3.ics"] == storage.ATTEMPTS
    assert len(waits) == 2 + storage.ATTEMPTS - 1  # retried with backoff, never slept for real
    assert "t" * 20 + "3.ics" not in objects(s3)

    monkeypatch.setattr(obstore, "put", real_put)
    with Ledger(tmp_path / "st") as ledger:
        again = storage.sync(staging, url, ledger)
    assert again.uploaded == [f"{'t' * 20}3.ics"] and len(again.unchanged) == 5


def test_an_upload_failure_is_exit_1_and_a_bad_url_exit_2(
    cli: Cli, tmp_path: Path, roster: Path, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = cli(
        ["feed", "build", "athletes", "--out", "ftp://x/y", "--state", "st", "--base-url", "https://c"],
        tmp_path,
    )
    assert code == 2 and "expected a folder or an object-store URL" in out
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-value")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens
    code, out = build(cli, tmp_path, s3)
    assert code == 1 and "cannot reach the store" in out and "wrong-secret-value" not in out
    assert len(out.strip().splitlines()) <= 2  # one line, not one per feed file


@pytest.mark.parametrize("out", ["s3:/feeds", "s3:feeds", "gs:bucket/x"])
def test_a_store_url_without_its_slashes_is_refused_not_a_local_folder(
    tmp_path: Path, cli: Cli, out: str
) -> None:
    code, text = cli(
        ["feed", "build", str(ROOT / "src" / "plansync" / "examples"), "--out", out, "--state", "st"],
        tmp_path,
    )
    assert code == 2 and "scheme://bucket/prefix" in text
    assert not any(p.name.startswith(out.split(":")[0] + ":") for p in tmp_path.iterdir())


def test_lock_files_are_private(tmp_path: Path, cli: Cli) -> None:
    code, _ = cli(
        ["feed", "build", str(ROOT / "src" / "plansync" / "examples"), "--out", "public", "--state", "st"],
        tmp_path,
    )
    assert code == 0 and (tmp_path / "st" / "write.lock").stat().st_mode & 0o777 == 0o600


def test_a_missing_bucket_is_one_line_naming_it_with_no_token(
    cli: Cli, tmp_path: Path, roster: Path, s3: Any
) -> None:
    import time

    started = time.monotonic()
    code, out = cli(
        [
            "feed",
            "build",
            "athletes",
            "--out",
            "s3://no-such-bucket/pub",
            "--state",
            "st",
            "--base-url",
            "https://c",
        ],
        tmp_path,
    )
    assert code == 1 and "no-such-bucket" in out and "the bucket does not exist" in out
    assert time.monotonic() - started < 5
    assert not re.search(r"[A-Za-z0-9_-]{32}\.ics", out)  # no feed file, so no token, in any message
    assert len(out.strip().splitlines()) == 1


def test_a_lost_state_folder_keeps_every_athletes_url_on_the_store(
    cli: Cli, tmp_path: Path, roster: Path, s3: Any
) -> None:
    import json

    code, out = build(cli, tmp_path, s3)
    assert code == 0, out
    index = json.loads((tmp_path / "st" / "feeds-index.json").read_text())
    before = objects(s3)
    shutil.rmtree(tmp_path / "st")  # the laptop is gone; the bucket still serves the athletes
    code, out = build(cli, tmp_path, s3)
    assert code == 0, out
    assert json.loads((tmp_path / "st" / "feeds-index.json").read_text()) == index  # every URL kept
    after = objects(s3)
    assert after.keys() == before.keys()  # no new tokens, no stale copies left behind
    assert re.search(r": 0 uploaded, \d+ unchanged", out), out  # and nothing sent again


def test_feeds_no_athlete_owns_are_listed_without_their_token_and_pruned(
    cli: Cli, tmp_path: Path, roster: Path, s3: Any
) -> None:
    """An athlete removed while the state folder was lost leaves feeds that still serve a frozen
    calendar: the next build says so, prune lists them by athlete and removes only them."""
    import json

    assert build(cli, tmp_path, s3)[0] == 0
    index = json.loads((tmp_path / "st" / "feeds-index.json").read_text())["athletes"]
    gone = index["sam-lee"]
    tokens = [gone["calendar"]["https"].rsplit("/", 1)[1].removesuffix(".ics")]
    tokens.append(gone["busy"]["https"].rsplit("/", 1)[1].removesuffix(".ics"))
    shutil.rmtree(tmp_path / "st")
    (roster / "sam-lee.yaml").unlink()
    code, out = build(cli, tmp_path, s3)
    assert code == 0, out
    assert "warning: 2 feeds under s3://" in out and "feed prune" in out
    prune = ["feed", "prune", "--out", f"s3://{s3.bucket}/pub", "--state", "st"]
    code, out = cli([*prune, "--dry-run"], tmp_path)
    assert code == 0, out
    assert "stale: sam-lee-half-marathon-beginner (feed " in out and "busy-only feed" in out
    assert not any(t in out for t in tokens)  # named by athlete, never by the secret
    assert {f"{t}.ics" for t in tokens} <= set(objects(s3))  # a dry run removes nothing
    code, out = cli(prune, tmp_path)
    assert code == 0 and "2 feeds no athlete owns removed (2 files)" in out, out
    left = set(objects(s3))
    assert not any(k.startswith(tuple(tokens)) for k in left)
    assert "robots.txt" in left and len([k for k in left if k.endswith(".ics")]) == 2 * (len(index) - 1)
    code, out = build(cli, tmp_path, s3)  # nothing comes back, nothing is sent again
    assert code == 0 and re.search(r": 0 uploaded, \d+ unchanged, 0 deleted", out), out
    assert set(objects(s3)) == left


def test_prune_with_no_athletes_known_refuses_rather_than_empty_the_folder(cli: Cli, tmp_path: Path) -> None:
    public = tmp_path / "public"
    public.mkdir()
    (public / ("A" * 22 + ".ics")).write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    code, out = cli(["feed", "prune", "--out", "public", "--state", "st"], tmp_path)
    assert code == 2 and "run feed build first" in out, out
    assert (public / ("A" * 22 + ".ics")).exists()


def test_a_local_folder_is_pruned_too_and_its_other_files_are_kept(
    cli: Cli, tmp_path: Path, roster: Path
) -> None:
    args = [
        "feed",
        "build",
        "athletes",
        "--out",
        "public",
        "--state",
        "st",
        "--base-url",
        "https://x.test",
        "--fit",
    ]
    assert cli(args, tmp_path)[0] == 0
    (tmp_path / "public" / "notes.txt").write_text("the coach's own file")
    before = {p.name for p in (tmp_path / "public").glob("*.ics")}
    shutil.rmtree(tmp_path / "st")
    (roster / "kim-park.yaml").unlink()
    code, out = cli(args, tmp_path)
    assert code == 0 and "warning: 2 feeds under public belong to no athlete" in out, out
    code, out = cli(["feed", "prune", "--out", "public", "--state", "st"], tmp_path)
    assert code == 0 and "removed: kim-park-" in out and "2 feeds no athlete owns removed" in out, out
    after = {p.name for p in (tmp_path / "public").glob("*.ics")}
    assert len(after) == len(before) - 2 and after < before
    assert (tmp_path / "public" / "notes.txt").exists() and (tmp_path / "public" / ".gitignore").exists()
    assert len([d for d in (tmp_path / "public").iterdir() if d.is_dir()]) == len(after) // 2  # FIT folders
