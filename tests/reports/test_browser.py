"""Every HTML report (run, monthly, quarterly, incident, comparison) in a real headless Chromium:
no console errors, no requests beyond the file itself, every chart and table visible on screen
and when printed. Screenshots of both are kept for a human to look at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli
from drillsim.reports.data import columns_for, comparison, results_of
from drillsim.reports.render import write_report
from drillsim.scenarios.loader import load
from drillsim.sim.runner import replicate
from tests.browser import needs_chromium, watched_page

CHARTS = {"run": ("distributions", "sla", "load", "timeline"),
          "monthly": ("incidents", "ttr", "uptime"),
          "quarterly": ("incidents", "ttr", "uptime"),
          "incident": ("timeline",),
          "comparison": ("differences",)}
KEEP = Path(__file__).parent / "screenshots"

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The five HTML reports of one demo run, written the way a user writes them."""
    folder = tmp_path_factory.mktemp("reports")
    runner = CliRunner()

    def drillsim(*args: str) -> None:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output

    drillsim("run", "demo", "--reps", "3", "--workers", "1", "--out", str(folder / "results"),
             "--report", str(folder / "run.html"), "--format", "json")
    for period in ("monthly", "quarterly"):
        drillsim("report", period, str(folder / "results"), "--out", str(folder / f"{period}.html"))
    drillsim("report", "incident", str(folder / "results"), "--incident", "3",
             "--out", str(folder / "incident.html"))
    runs = {name: replicate(load("demo"), 3, seed, workers=1)
            for name, seed in (("this quarter", 7), ("next quarter", 8))}
    results = results_of(runs)
    columns = columns_for(results, ["tta", "ttr"], ["mean", "p90"], [None, "P1"])
    write_report(folder / "comparison.html", "comparison",
                 comparison(results, "this quarter", columns))
    return {name: folder / f"{name}.html" for name in CHARTS}


def visible_sizes(page, selector: str) -> list[tuple[float, float] | None]:
    found = page.locator(selector)
    return [(box["width"], box["height"]) if (box := found.nth(i).bounding_box())
            and found.nth(i).is_visible() else None for i in range(found.count())]


@pytest.mark.parametrize("name", list(CHARTS))
def test_report_in_headless_chromium(name, reports, browser, tmp_path):
    url = reports[name].resolve().as_uri()
    page = watched_page(browser)
    page.goto(url, wait_until="load")
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        for chart in CHARTS[name]:
            sizes = visible_sizes(page, f"#chart-{chart} svg")
            assert len(sizes) == 1 and sizes[0] is not None, (media, chart)
            width, height = sizes[0]
            assert width > 300 and height > 100, (media, chart, sizes)
        assert page.locator("figure").count() == len(CHARTS[name])
        tables = visible_sizes(page, "table" if media == "print" else "body > table")
        assert tables and all(tables), (media, tables)  # printed, folded timelines open up
        shot = tmp_path / f"{name}-{media}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
        KEEP.mkdir(exist_ok=True)
        shutil.copy(shot, KEEP / shot.name)
    page.close()
    assert page.errors == []
    assert page.requests == [url]
