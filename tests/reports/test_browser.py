"""The HTML run report in a real headless Chromium: no console errors, no requests beyond the
file itself, every chart and table visible; a screenshot is kept for a human to look at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make test installs it)")
def test_html_report_in_headless_chromium(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    report = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["run", "demo", "--reps", "3", "--workers", "1",
                                      "--report", str(report)])
    assert result.exit_code == 0, result.output
    url = report.resolve().as_uri()
    errors: list[str] = []
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url, wait_until="load")
        for chart in ("distributions", "sla", "load", "timeline"):
            figure = page.locator(f"#chart-{chart} svg")
            assert figure.count() == 1 and figure.is_visible(), chart
            box = figure.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100, chart
        tables = page.locator("table")
        assert tables.count() >= 6
        for i in range(5):
            assert tables.nth(i).is_visible()
        shot = Path(tmp_path / "report.png")
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert errors == []
    assert requests == [url]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    keep = Path(__file__).parent / "screenshots"
    keep.mkdir(exist_ok=True)
    shutil.copy(shot, keep / "run-report.png")
