"""Shared helpers: small organisations and scenarios written as YAML, run in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from drillsim.scenarios.loader import load
from drillsim.sim.runner import Run, replicate


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented YAML text to a file in the test's folder; return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def simulate(write: Callable[[str, str], Path]) -> Callable[..., Run]:
    """Run a scenario given as YAML text (with its organisation inline or as a second text)."""

    def _simulate(scenario: str, org: str | None = None, reps: int = 1, seed: int = 1,
                  workers: int = 1) -> Run:
        org_path = write("org.yaml", org) if org is not None else None
        bundle = load(write("scenario.yaml", scenario), org_path)
        return replicate(bundle, reps, seed, workers)

    return _simulate


def timeline(run: Run, incident: int = 0, replication: int = 0,
             kinds: tuple[str, ...] = ()) -> list[tuple[float, str, str]]:
    """(minute, kind, actor) of one incident's events, optionally only some kinds."""
    ev: pd.DataFrame = run.records.events
    ev = ev[(ev.incident == incident) & (ev.replication == replication)]
    if kinds:
        ev = ev[ev.kind.isin(kinds)]
    return [(round(float(at), 6), str(kind), str(actor)) for at, kind, actor in
            zip(ev["at"], ev["kind"], ev["actor"], strict=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, one per test module that opens pages."""
    from tests.browser import chromium

    yield from chromium()
