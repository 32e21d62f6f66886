"""The definitions table is whole and is what the README documents."""

from __future__ import annotations

from pathlib import Path

from drillsim.scenarios.measures import (
    DEADLINE_STATUSES,
    METRICS,
    MILESTONE_TABLE,
    MILESTONES,
    MOBILISATION_OUTCOMES,
    TARGETS,
    metric,
)
from drillsim.scenarios.org import Targets

README = Path(__file__).parents[2] / "README.md"


def test_metrics_and_targets_run_between_known_milestones():
    for m in (*METRICS, *TARGETS):
        assert m.start in MILESTONES and m.end in MILESTONES, m
        assert MILESTONES.index(m.start) < MILESTONES.index(m.end), m
    for field in ("key", "name", "label"):
        values = [getattr(m, field) for m in METRICS]
        assert len(set(values)) == len(values), field
    assert all(m.name.startswith("time_to_") for m in METRICS)
    assert metric("tta") is metric("time_to_acknowledge")


def test_every_target_a_severity_can_set_is_defined():
    limits = tuple(name for name in Targets.model_fields if name != "clock")  # clock: which one
    assert limits == tuple(t.name for t in TARGETS)


def markdown_tables() -> list[str]:
    """The README's tables of milestones, metrics and targets, as the table defines them."""
    milestones = ["| milestone | when |", "|---|---|",
                  *(f"| `{m.name}` | {m.definition} |" for m in MILESTONE_TABLE)]
    metrics = ["| name | output name | definition |", "|---|---|---|",
               *(f"| {m.label} | `{m.name}` | {m.end} − {m.start}: {m.definition} |"
                 for m in METRICS)]
    targets = ["| target | measured as |", "|---|---|",
               *(f"| `{t.name}` | {t.end} − {t.start}: {t.definition} |" for t in TARGETS)]
    statuses = ["| status | meaning |", "|---|---|",
                *(f"| `{s.name}` | {s.definition} |" for s in DEADLINE_STATUSES)]
    outcomes = ["| outcome | meaning |", "|---|---|",
                *(f"| `{o.name}` | {o.definition} |" for o in MOBILISATION_OUTCOMES)]
    return ["\n".join(table) for table in (milestones, metrics, targets, statuses, outcomes)]


def test_readme_documents_the_table():
    text = README.read_text(encoding="utf-8")
    for table in markdown_tables():
        assert table in text, "README.md is out of date; expected:\n" + table
    flat = " ".join(text.split())
    assert f"(`{', '.join(MILESTONES)}` or `phase:NAME`" in flat  # the deadlines' milestones
