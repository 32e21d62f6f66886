"""What must hold in any run's records, checked on every bundled scenario and on a saturated team
pool: an incident's milestones come in order, whoever acknowledged it was paged for it, nobody
works more incidents at once than their capacity, and the per-responder and per-incident counts
are the event log's own counts."""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from drillsim.scenarios.document import bundled
from drillsim.scenarios.loader import load
from drillsim.sim.runner import Run, replicate
from tests.sim.test_erlang_c import queue_scenario

ORDER = ("started", "detected", "declared", "paged", "acknowledged", "engaged", "mitigated",
         "resolved")
SCENARIOS = [name for name, kind, _ in bundled() if kind == "scenario"]


@pytest.fixture(scope="module")
def busy_pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six people in one pool with more work than they can do: a queue that never empties."""
    path = tmp_path_factory.mktemp("pool") / "queue.yaml"
    path.write_text(queue_scenario(14.0, 30.0, 6, 10), encoding="utf-8")
    return path


def run(scenario: str | Path) -> Run:
    return replicate(load(scenario), 3, seed=11, workers=1)


def check_milestones(incidents: pd.DataFrame) -> None:
    for earlier, later in pairwise(ORDER):
        a, b = incidents[f"{earlier}_at"], incidents[f"{later}_at"]
        assert not (a > b).any(), f"{earlier} after {later}"
        if earlier not in ("paged", "acknowledged", "engaged"):  # resolved when nobody answers
            assert not (a.isna() & b.notna()).any(), f"{later} without {earlier}"
    first = incidents["first_response_at"]
    assert not ((first < incidents["detected_at"]) | (first > incidents["resolved_at"])).any()


def check_counts(run: Run) -> None:
    events, incidents = run.records.events, run.records.incidents
    people = run.records.responders.set_index(["replication", "responder"])
    for kind, column in (("paged", "pages"), ("acknowledged", "acknowledgements"),
                         ("engaged", "incidents_worked")):
        logged = events[events["kind"] == kind].groupby(["replication", "actor"]).size()
        logged = logged.rename_axis(["replication", "responder"]).reindex(people.index,
                                                                         fill_value=0)
        assert (people[column] == logged).all(), column
    paged = events[events["kind"] == "paged"].groupby(["replication", "incident"]).size()
    pages = incidents.set_index(["replication", "incident"])["pages"]
    assert (pages == paged.reindex(pages.index, fill_value=0)).all()


def check_acknowledgements(run: Run) -> None:
    """Whoever acknowledged an incident was paged for it, and the log runs forward in time."""
    events, incidents = run.records.events, run.records.incidents
    pages = events[events["kind"] == "paged"]
    paged = set(zip(pages["replication"], pages["incident"], pages["actor"], strict=True))
    answered = incidents.dropna(subset=["acknowledged_by"])
    assert len(answered) > 0
    assert all(key in paged for key in zip(answered["replication"], answered["incident"],
                                           answered["acknowledged_by"], strict=True))
    assert all((log["at"].diff().dropna() >= 0).all() for _, log in events.groupby("replication"))


def busiest(run: Run) -> dict[str, int]:
    """Each responder's most incidents at once in any replication, from the event log: engaged
    until they hand over, are pulled off, or the incident is resolved."""
    most: dict[str, int] = {}
    for _, log in run.records.events.groupby("replication"):
        spans: list[tuple[str, float, float]] = []
        since: dict[tuple[int, str], float] = {}
        for row in log.itertuples():
            key = (row.incident, row.actor)
            if row.kind == "engaged":
                since[key] = row.at
            elif row.kind in ("handed_over", "preempted") and key in since:
                spans.append((row.actor, since.pop(key), row.at))
            elif row.kind == "resolved":
                for k in [k for k in since if k[0] == row.incident]:
                    spans.append((k[1], since.pop(k), row.at))
        spans += [(who, at, math.inf) for (_, who), at in since.items()]
        for who in {s[0] for s in spans}:
            # a leave sorts before a join at the same minute: the slot is handed on
            changes = sorted([(a, 1) for w, a, _ in spans if w == who]
                             + [(z, -1) for w, _, z in spans if w == who])
            now = 0
            for _, step in changes:
                now += step
                most[who] = max(most.get(who, 0), now)
    return most


@pytest.mark.parametrize("scenario", [*SCENARIOS, "busy pool"])
def test_records_are_consistent(scenario: str, busy_pool: Path) -> None:
    result = run(busy_pool if scenario == "busy pool" else scenario)
    check_milestones(result.records.incidents)
    check_counts(result)
    check_acknowledgements(result)
    capacity = {r.id: r.capacity for r in result.bundle.org.responders}
    most = busiest(result)
    assert most, "nobody worked"
    assert all(n <= capacity[who] for who, n in most.items()), most
    if scenario == "busy pool":
        assert set(most.values()) == {1}  # every desk was in use, one incident at a time
