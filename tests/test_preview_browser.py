"""The preview in a real browser: headless Chromium opens it, no console errors, grid and chart visible."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from plansync.cli.preview import render
from plansync.inputs.compiling import compile_file

from .conftest import EXAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def test_preview_renders_cleanly_with_grid_and_chart(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = compile_file(EXAMPLE)
    page_file = tmp_path / "plan.html"
    page_file.write_text(render(plan), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    assert problems == []
    assert requests == [page_file.as_uri()]  # self-contained: nothing else is fetched

    grid = page.locator("#calendar-grid")
    assert grid.is_visible()
    assert grid.locator("tbody tr").count() == len(plan.weeks_summary)  # the race's weeks and after it
    assert grid.locator(".entry.rest").count() > 0 and grid.locator(".badge").count() > 0
    race = grid.locator(".entry.race")
    assert race.count() == 1 and "Race day" in race.inner_text()
    chart = page.locator("#volume-chart")
    assert chart.is_visible()
    assert chart.locator("rect.bar").count() == len(plan.weeks_summary)
    assert chart.locator("rect.cutback").count() == sum(1 for s in plan.weeks_summary if s.cutback)
    assert chart.locator("rect.taper").count() == sum(1 for s in plan.weeks_summary if s.taper)
    box = chart.bounding_box()
    assert box is not None and box["height"] > 100

    shot = tmp_path / "preview.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 20_000
    pdf = tmp_path / "preview.pdf"
    page.pdf(path=str(pdf), format="A4")  # prints on A4
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    page.close()
