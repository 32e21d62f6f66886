"""The facilitator's HTML documents in a real headless Chromium: no console errors, no requests
beyond the file itself, tables visible on screen and printed, table rows and code blocks never
split across printed pages. Print screenshots are kept for a human to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from drillsim.drills.exercise import build_exercise
from drillsim.drills.plan import plan_files
from drillsim.drills.programme import Programme
from drillsim.drills.tabletop import write_tabletop
from tests.browser import needs_chromium, watched_page
from tests.reports.test_browser import KEEP

pytestmark = needs_chromium
README_SHOTS = Path(__file__).parent / "screenshots"
DOCUMENTS = ("index", "situation-manual", "events", "facilitator-guide", "cast", "artefacts",
             "communications", "hot-wash", "handout-all-responders", "calendar-2027",
             "plan-2027Q2")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tabletop set and a year's plan, side by side."""
    out = tmp_path_factory.mktemp("browser")
    write_tabletop(build_exercise("gameday-database-recovery", None, 2, "p50",
                                  replications=6), out, force=False)
    files, _ = plan_files(None, Programme(), 1, 2027, None, replications=3)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return out


def check_page(browser, path: Path, shots: Path) -> None:
    """Open `path` on screen and printed; fail on any error, request or split table row."""
    url = path.resolve().as_uri()
    page = watched_page(browser, width=1200)
    page.goto(url, wait_until="load")
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        assert page.locator("h1").is_visible()
        tables = page.locator("table")
        assert all(tables.nth(i).is_visible() for i in range(tables.count()))
        if media == "print":
            kept = page.evaluate("""() => [...document.querySelectorAll('tr, pre, .field')]
                .map(e => getComputedStyle(e).breakInside)""")
            assert set(kept) <= {"avoid"}, kept
            heads = page.evaluate("""() => [...document.querySelectorAll('thead')]
                .map(e => getComputedStyle(e).display)""")
            assert set(heads) <= {"table-header-group"}
        shot = shots / f"{path.stem}-{media}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    page.close()
    assert page.errors == []
    assert page.requests == [url]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_tabletop_document_in_headless_chromium(name, folder, browser, tmp_path):
    check_page(browser, folder / f"{name}.html", tmp_path)
    KEEP.mkdir(exist_ok=True)
    shutil.copy(tmp_path / f"{name}-print.png", KEEP / f"drills-{name}-print.png")
    if os.environ.get("DRILLSIM_REGEN"):  # the README's picture: the first printed page
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.goto((folder / f"{name}.html").resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        README_SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(README_SHOTS / f"{name}.png"))
        page.close()
