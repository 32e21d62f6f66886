"""The bundled library: every plan runs every scenario and reports against its own targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli
from drillsim.scenarios.loader import bundled, load, load_organisation, resolve
from drillsim.sim.runner import replicate
from drillsim.sim.summary import run_summary

LIBRARY = bundled()
PLANS = ["three-tier-teams", "phased-p0-p3", "runbook-escalation", "sla-financial-escalation",
         "rapid-rollback"]
DRILLS = [name for name, kind, _ in LIBRARY
          if kind == "scenario" and not name.startswith(("quarter-", "demo"))]
INCIDENT_TYPES = ["complete-outage", "partial-outage", "database-corruption", "data-breach",
                  "payment-failure", "authentication-failure", "performance-degradation",
                  "third-party-integration-failure", "privacy-incident", "account-compromise"]
GAME_DAYS = ["gameday-notification-failure", "gameday-database-recovery",
             "gameday-security-breach", "gameday-multi-vendor-outage"]


def test_library_holds_every_plan_incident_type_game_day_and_quarter():
    names = {name for name, _, _ in LIBRARY}
    expected = {*PLANS, *INCIDENT_TYPES, *GAME_DAYS, *(f"quarter-{p}" for p in PLANS)}
    assert expected <= names
    assert len(names) == len(LIBRARY)
    assert all(description.strip() for _, _, description in LIBRARY)


def test_scenarios_list_shows_every_bundled_file():
    result = CliRunner().invoke(cli, ["scenarios", "list"], terminal_width=200)
    assert result.exit_code == 0
    for name, _, _ in LIBRARY:
        assert name in result.output


@pytest.mark.parametrize("plan", PLANS)
def test_every_plan_runs_every_drill_and_reports_its_own_deadlines(plan):
    org = load_organisation(resolve(plan))
    own = {d.name for s in org.severities.values() for d in s.all_deadlines()} | {
        p.name for p in org.escalation_policies} | {
        f"{p.name} level {n}" for p in org.escalation_policies
        for n, level in enumerate(p.levels, start=1) if level.respond_within is not None}
    for drill in DRILLS:
        summary = run_summary(replicate(load(drill, resolve(plan)), 1, seed=5, workers=1))
        assert summary.incidents >= 1, drill
        assert summary.organisation == org.name
        reported = {name for s in summary.severities for name in s.deadlines}
        # every deadline reported is one this plan defines (or a team's or level's response target)
        assert {name.removesuffix(" response") for name in reported} <= own, (drill, reported)


@pytest.mark.parametrize("plan", PLANS)
def test_each_quarter_workload_runs(plan):
    result = CliRunner().invoke(cli, ["run", f"quarter-{plan}", "--reps", "1", "--workers", "1",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert 40 <= summary["incidents"] <= 110  # a small product company's quarter
    severities = [s["severity"] for s in summary["severities"]]
    ladder = list(load_organisation(resolve(plan)).severities)
    assert severities == [s for s in ladder if s in severities]  # most severe first


README = Path(__file__).parents[2] / "README.md"


def test_readme_plan_example_is_the_bundled_file():
    text = README.read_text(encoding="utf-8")
    snippet = text.split("response team like this:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    bundled_lines = set(resolve("three-tier-teams").read_text(encoding="utf-8").splitlines())
    assert [line for line in snippet.splitlines() if line not in bundled_lines] == []
