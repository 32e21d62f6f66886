"""The assessment and the drill-history report in a real headless Chromium: nothing fetched,
no console errors, tables and the trend charts visible on screen and in print, and the review
sections editable in place. Screenshots kept beside the other reports'."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli
from tests.browser import needs_chromium, watched_page

KEEP = Path(__file__).parent.parent / "reports" / "screenshots"
pytestmark = needs_chromium


def drill(folder: Path, started: str, acknowledged: float) -> Path:
    lines = [{"kind": "start", "version": 1, "scenario": "gameday-database-recovery", "seed": 2,
              "started": started, "title": "Database <recovery> game day"},
             {"kind": "milestone", "seq": 1, "id": "detected", "minutes": 20.0},
             {"kind": "milestone", "seq": 2, "id": "acknowledged", "minutes": 20.0 + acknowledged},
             {"kind": "note", "seq": 3, "text": "<img src=x onerror=alert(1)>", "minutes": 30.0},
             {"kind": "milestone", "seq": 4, "id": "mitigated", "minutes": 200.0},
             {"kind": "end", "seq": 5, "minutes": 210.0}]
    log = folder / f"{started[:10]}.jsonl"
    log.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return log


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("assess")
    db = str(folder / "history.sqlite")
    runner = CliRunner()
    for started, ack in (("2026-02-10T10:00:00+00:00", 9.0), ("2026-05-12T10:00:00+01:00", 21.0),
                         ("2026-08-11T10:00:00+01:00", 12.5)):
        out = folder / f"assessment-{started[:7]}.html"
        result = runner.invoke(cli, ["assess", str(drill(folder, started, ack)), "--reps", "20",
                                     "--workers", "1", "--out", str(out), "--db", db])
        assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["history", "--db", db, "--report", str(folder / "history.html")])
    assert result.exit_code == 0, result.output
    return {"assessment": folder / "assessment-2026-08.html", "history": folder / "history.html"}


@pytest.mark.parametrize("name", ["assessment", "history"])
def test_in_headless_chromium(name, pages, browser, tmp_path) -> None:
    url = pages[name].resolve().as_uri()
    dialogs: list[str] = []
    page = watched_page(browser)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="load")
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        tables = page.locator("table")
        assert tables.count() >= 3
        assert all(tables.nth(i).is_visible() for i in range(tables.count())), media
        if name == "history":
            svg = page.locator("#chart-acknowledged svg")
            box = svg.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100, media
        shot = tmp_path / f"drill-{name}-{media}.png"
        page.screenshot(path=str(shot), full_page=True)
        KEEP.mkdir(exist_ok=True)
        shutil.copy(shot, KEEP / shot.name)
    page.emulate_media(media="screen")
    if name == "assessment":
        assert "Database <recovery> game day" in page.locator("h1").inner_text()
        assert page.get_by_text("<img src=x onerror=alert(1)>", exact=False).count() == 1
        section = page.locator("#went-well ul")
        section.click()
        page.keyboard.press("End")
        page.keyboard.type(" (edited in the review)")
        assert "(edited in the review)" in section.inner_text()
        cells = page.locator("#milestones tr").nth(2).locator("td")
        assert cells.nth(0).inner_text() == "Acknowledged"
        assert cells.nth(2).inner_text() == "12m 30s"  # as the log has it
    page.close()
    assert page.errors == [] and dialogs == []
    assert page.requests == [url]
