"""`drillsim tabletop`: the full document set for every bundled game day and plan, the events
list and scorecard as the formats promise, the same seed byte for byte, user text escaped, and
a folder drillsim did not write left alone."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli
from drillsim.drills.exercise import MILESTONES, Exercise, build_exercise
from drillsim.drills.tabletop import EVENT_COLUMNS, SCORECARD_COLUMNS, documents, write_tabletop
from drillsim.scenarios.loader import resolve
from tests.drills.test_exercise import GAME_DAYS, PLANS

REPS = 8
DOCUMENTS = ("index", "situation-manual", "events", "facilitator-guide", "cast", "artefacts",
             "communications", "hot-wash")
# each game day against its own organisation, and each plan against one game day
SETS = [(day, None) for day in GAME_DAYS] + [(GAME_DAYS[k % 4], plan)
                                             for k, plan in enumerate(PLANS)]


@cache
def exercise(scenario: str, org: str | None) -> Exercise:
    return build_exercise(scenario, org, 11, "p90", replications=REPS)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str | None], Path]:
    out = {}
    for scenario, org in SETS:
        folder = tmp_path_factory.mktemp("tabletop") / "set"
        write_tabletop(exercise(scenario, org), folder, force=False)
        out[(scenario, org)] = folder
    return out


@pytest.mark.parametrize(("scenario", "org"), SETS)
def test_the_full_set(scenario: str, org: str | None,
                      written: dict[tuple[str, str | None], Path]) -> None:
    folder = written[(scenario, org)]
    ex = exercise(scenario, org)
    names = {f.name for f in folder.iterdir()}
    for doc in DOCUMENTS:
        assert {f"{doc}.md", f"{doc}.html"} <= names
    roles = {i.to for i in ex.injects} - {"Facilitator"}
    handouts = {n for n in names if n.startswith("handout-") and n.endswith(".md")}
    assert len(handouts) == len(roles) >= 2
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(names - {"manifest.json"})

    events = pd.read_csv(folder / "events.csv", keep_default_na=False)
    assert tuple(events.columns) == EVENT_COLUMNS
    assert len(events) == len(ex.injects)
    assert events["minutes"].between(0, ex.end_minutes + 0.005).all()
    times = pd.to_datetime(events["time"].str.slice(0, 19))  # local wall time, offset after
    start = pd.Timestamp(ex.start.replace(tzinfo=None))
    gaps = ((times - start).dt.total_seconds() / 60 - events["minutes"]).abs()
    assert gaps.max() < 0.51  # to the second, while minutes are shown to 0.01
    assert events["time"].str.match(r".*[+-]\d\d:\d\d$").all()  # with the offset
    assert set(events["delivered_to"]) == {i.to for i in ex.injects}

    scorecard = pd.read_csv(folder / "scorecard.csv", keep_default_na=False)
    assert tuple(scorecard.columns) == SCORECARD_COLUMNS
    assert list(scorecard["milestone"])[:len(MILESTONES)] == list(MILESTONES)
    assert (scorecard["actual_minutes"] == "").all()

    guide = (folder / "facilitator-guide.md").read_text()
    for item in ex.checklist:
        assert item.id in guide
    cast = (folder / "cast.md").read_text()
    assert all(m.name in cast for m in ex.cast)


def test_handouts_show_only_what_reaches_the_role(
        written: dict[tuple[str, str | None], Path]) -> None:
    ex = exercise(GAME_DAYS[0], None)
    folder = written[(GAME_DAYS[0], None)]
    for role in {i.to for i in ex.injects} - {"Facilitator"}:
        text = next(f for f in folder.glob("handout-*.md")
                    if f.read_text().startswith(f"# Handout: {role}\n")).read_text()
        for inject in ex.injects:
            assert (f"## {inject.id} ·" in text) == (inject.to == role)
        assert "Expected" not in text


def test_same_seed_same_bytes() -> None:
    a = documents(build_exercise("gameday-multi-vendor-outage", None, 4, "worst",
                                 replications=REPS))
    b = documents(build_exercise("gameday-multi-vendor-outage", None, 4, "worst",
                                 replications=REPS))
    assert a == b
    c = documents(build_exercise("gameday-multi-vendor-outage", None, 5, "worst",
                                 replications=REPS))
    assert a["artefacts.md"] != c["artefacts.md"]


def test_user_text_is_escaped(tmp_path: Path) -> None:
    scenario = tmp_path / "evil.yaml"
    scenario.write_text(
        'name: evil\ndescription: "<script>alert(1)</script> | *bold* {{ x }}"\n'
        'start: "2027-01-12T10:00"\nincidents:\n'
        '  - {type: outage, title: "<img src=x onerror=alert(2)>", severity: P1, at: 0m,\n'
        '     services: [api], phases: [{name: fix, duration: 30m, mitigates: true}]}\n')
    ex = build_exercise(scenario, resolve("sla-financial-escalation"), 1, "p50", replications=2)
    files = documents(ex)
    for name, text in files.items():
        if name.endswith(".html"):
            assert "<script>" not in text and "<img" not in text, name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in files["situation-manual.html"]
    assert "&lt;img src=x onerror=alert(2)&gt;" in files["events.html"]
    assert "\\<script\\>alert(1)\\</script\\> \\| \\*bold\\* {{ x }}" in files["index.md"]


def test_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    runner = CliRunner()
    result = runner.invoke(cli, ["tabletop", "gameday-database-recovery", "--out",
                                 str(tmp_path), "--force"])
    assert result.exit_code == 2
    assert "holds no drillsim tabletop documents" in result.output
    assert [f.name for f in tmp_path.iterdir()] == ["notes.txt"]


def test_cli_writes_then_needs_force(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["tabletop", "gameday-notification-failure", "--org", "phased-p0-p3", "--date",
            "2027-03-30", "--at", "p90", "--out", str(tmp_path / "set")]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "starts 2027-03-30 10:00 +01:00" in first.output
    before = (tmp_path / "set" / "events.csv").read_bytes()
    assert runner.invoke(cli, args).exit_code == 2
    (tmp_path / "set" / "mine.txt").write_text("kept")
    again = runner.invoke(cli, [*args, "--force"])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "set" / "events.csv").read_bytes() == before
    assert (tmp_path / "set" / "mine.txt").read_text() == "kept"
    assert dt.date(2027, 3, 30).isoformat() in before.decode()
