"""Headless Chromium for the tests that open drillsim's pages: where it is, how it starts, and a
page that records its console errors and every request it makes (a page must fetch nothing
beyond itself)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(CHROMIUM is None,
                                    reason="Chromium is not installed (make test installs it)")


def chromium() -> Iterator[Any]:
    """One headless Chromium, for a module-scoped `browser` fixture."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def watched_page(browser: Any, width: int = 1366, height: int = 900) -> Any:
    """A new page whose `errors` (console errors, uncaught exceptions) and `requests` (URLs)
    fill as it runs."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.errors, page.requests = [], []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    return page
