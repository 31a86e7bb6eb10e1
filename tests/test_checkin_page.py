"""The athlete's check-in page under `plansync serve`: a real server on loopback, hostile
bodies refused, nothing reflected, a wrong token learning nothing; and in headless Chromium,
a phone-sized form that records a check-in the plan then follows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plansync.calendars.checkin_page import POSTS_PER_HOUR, CheckinForm, RateLimit, parse_form
from plansync.calendars.server import make_server
from plansync.core.checkins import RED_FLAGS, SITES, WHEN

from .conftest import Cli, running
from .fakes.trainingpeaks import FakeTrainingPeaks
from .test_coach import fake, write_profile, ws  # noqa: F401  (fixtures)
from .test_preview_browser import browser  # noqa: F401  (fixture)
from .tp_helpers import ATHLETE_ID

TOKEN = "Zk3v0q9mC1xYt7bN2pLr5sWd8hJf4gAe"
OTHER = "Qq3v0q9mC1xYt7bN2pLr5sWd8hJf4gAe"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Desk:
    def __init__(self) -> None:
        self.kept: list[tuple[str, CheckinForm]] = []

    def knows(self, token: str) -> bool:
        return token == TOKEN

    def record(self, token: str, form: CheckinForm) -> bool:
        self.kept.append((token, form))
        return token == TOKEN


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Desk]]:
    desk = Desk()
    with running(make_server(tmp_path, "127.0.0.1", 0, desk)) as base:
        yield base, desk


def test_the_form_is_served_only_at_a_known_token_and_sends_nothing_on(served: tuple[str, Desk]) -> None:
    base, _ = served
    r = httpx.get(f"{base}/{TOKEN}/checkin")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "no-referrer" and r.headers["cache-control"] == "no-store"
    assert b"<script" not in r.content and b'name="pain"' in r.content
    wrong = httpx.get(f"{base}/{OTHER}/checkin")
    nowhere = httpx.get(f"{base}/nothing-here")
    assert wrong.status_code == nowhere.status_code == 404 and wrong.content == nowhere.content
    assert httpx.post(f"{base}/{OTHER}/checkin", content=b"pain=3", headers=FORM).content == nowhere.content


def test_a_check_in_is_kept_and_the_page_echoes_nothing_of_it(served: tuple[str, Desk]) -> None:
    base, desk = served
    note = "<script>alert(1)</script> heel &amp; arch"
    body = httpx.QueryParams({"pain": "6", "where": "heel", "when": "after", "note": note}).__str__()
    r = httpx.post(f"{base}/{TOKEN}/checkin", content=body, headers=FORM)
    assert r.status_code == 303 and r.headers["location"] == "checkin?saved"
    assert desk.kept == [(TOKEN, CheckinForm(6, "heel", "after", (), note))]  # kept as text, inert
    after = httpx.get(f"{base}/{TOKEN}/checkin?saved")
    assert (
        b"Recorded" in after.content and b"script" not in after.content and b"heel &amp;" not in after.content
    )


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"pain=3&" + b"note=" + b"x" * 10_000, FORM, 413),
        (b"pain=11", FORM, 400),
        (b"pain=3&pain=4", FORM, 400),
        (b"pain=3&where=elbow", FORM, 400),
        (b"pain=3&admin=1", FORM, 400),
        (b"pain=3&note=%1b%5b31m", FORM, 400),
        (b"\xff\xfe", FORM, 400),
        (b'{"pain": 3}', {"Content-Type": "application/json"}, 415),
    ],
)
def test_hostile_bodies_are_refused_and_nothing_is_kept(
    served: tuple[str, Desk], body: bytes, headers: dict[str, str], status: int
) -> None:
    base, desk = served
    r = httpx.post(f"{base}/{TOKEN}/checkin", content=body, headers=headers)
    assert r.status_code == status and desk.kept == []
    assert b"pain" not in r.content and b"elbow" not in r.content  # nothing echoed


def test_posts_per_token_are_limited_each_hour() -> None:
    now = [0.0]
    limit = RateLimit(clock=lambda: now[0])
    assert all(limit.allow(TOKEN) for _ in range(POSTS_PER_HOUR))
    assert not limit.allow(TOKEN) and limit.allow(OTHER)  # one token's limit is its own
    now[0] = 3600.0
    assert limit.allow(TOKEN)


@given(st.binary(max_size=300))
def test_any_body_is_either_refused_or_a_sound_check_in(body: bytes) -> None:
    form = parse_form(body)
    if form is not None:
        assert 0 <= form.pain <= 10 and form.where in (None, *SITES) and form.when in (None, *WHEN)
        assert set(form.red_flags) <= set(RED_FLAGS) and all(ord(c) >= 32 for c in form.note)


def test_an_athlete_checks_in_from_a_phone_and_the_plan_follows(  # type: ignore[no-untyped-def]
    ws: Path,  # noqa: F811
    fake: FakeTrainingPeaks,  # noqa: F811
    cli: Cli,
    browser,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from plansync.service.calendars import server as serve
    from plansync.service.settings import resolve

    config = ws / "plansync.toml"
    config.write_text(config.read_text().replace("rate_limit = 20", "rate_limit = 500"))
    write_profile(ws, "jane", plan__requested_at="2027-01-08T09:00:00+00:00")
    code, out = cli(["feed", "build", "athletes", "--out", "public"], ws, today="2027-02-10")
    assert code == 0, out
    code, out = cli(["publish", "--all"], ws, today="2027-02-10")
    assert code == 0, out
    runs_before = sum(1 for w in fake.planned(ATHLETE_ID) if w["WorkoutType"] == "run")
    index = json.loads((ws / ".plansync" / "feeds-index.json").read_text())
    token = index["athletes"]["jane"]["calendar"]["https"].rsplit("/", 1)[-1].removesuffix(".ics")
    monkeypatch.setenv("PLANSYNC_TODAY", "2027-02-10")
    with running(serve(ws / "public", "127.0.0.1", 0, resolve({}, workspace=ws))) as base:
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        busy = index["athletes"]["jane"]["busy"]["https"].rsplit("/", 1)[-1].removesuffix(".ics")
        assert httpx.get(f"{base}/{busy}/checkin").status_code == 404  # the busy-only link is not a key
        url = f"{base}/{token}/checkin"
        page.goto(url)
        page.select_option("select[name=pain]", "6")
        page.select_option("select[name=where]", "heel")
        page.select_option("select[name=when]", "after")
        page.fill("textarea[name=note]", "sore after the long run")
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        assert "Recorded" in page.inner_text("body")
        assert all(r.startswith(f"{base}/{token}/checkin") for r in requests)
    code, out = cli(["checkin", "athletes/jane.yaml", "--list", "--format", "json"], ws, today="2027-02-10")
    kept = json.loads(out)
    assert [(c["pain"], c["where"], c["note"]) for c in kept["checkins"]] == [
        (6, "heel", "sore after the long run")
    ]
    assert [e["kind"] for e in kept["episodes"]] == ["stop"]
    code, out = cli(["publish", "--all"], ws, today="2027-02-10")  # acts on the page's check-in
    assert code == 0 and "jane" in out and "1 athlete published" in out, out
    crossed = [w for w in fake.planned(ATHLETE_ID) if w["Title"].startswith("Cross-training")]
    runs_after = sum(1 for w in fake.planned(ATHLETE_ID) if w["WorkoutType"] == "run")
    assert crossed and runs_after < runs_before
    assert all("heel pain 6 on 10 Feb" in str(w["Description"]) for w in crossed)
