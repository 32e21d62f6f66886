"""Reports: golden Markdown, escaping of untrusted text, the periodic report's arithmetic,
post-mortem skeletons, comparison verdicts and clear errors."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli
from drillsim.reports.data import columns_for, comparison, results_of, run_report
from drillsim.reports.render import render
from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.loader import load
from drillsim.sim.runner import replicate
from drillsim.sim.summary import run_summary

GOLDEN = Path(__file__).parent / "golden"


def report_data(bundle, reps=3, seed=7):
    run = replicate(bundle, reps, seed, workers=1)
    return run_report(run, run_summary(run))


def test_run_report_markdown_matches_the_golden_file():
    text = render("run", "md", report_data(load("database-failover-drill")))
    golden = GOLDEN / "run-database-failover-drill.md"
    if os.environ.get("DRILLSIM_REGEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


HOSTILE = """
name: "<script>alert(1)</script>"
description: "{{ 7*7 }} and {% raw %}"
start: "2026-06-01T12:00"
org:
  name: "<img src=x onerror=alert(2)>"
  responders: [{id: "<b>eve</b>"}]
  escalation_policies: [{id: p, levels: [{targets: [{responder: "<b>eve</b>"}]}]}]
  severities: {"<i>S|1</i>": {escalation_policy: p, deadlines: [{name: "{{ config }}", within: 5m}]}}
incidents:
  - {type: "<script>x()</script>", severity: "<i>S|1</i>",
     phases: [{name: "*fix* | [link](http://x)", duration: 5m}]}
"""


def test_untrusted_names_render_as_plain_text(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(textwrap.dedent(HOSTILE), encoding="utf-8")
    data = report_data(load(path), reps=1)
    html = render("run", "html", data)
    assert "<script>alert" not in html and "<script>x()" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<b>eve</b>" not in html
    assert "{{ 7*7 }} and {% raw %}" in html and "{{ config }}" in html
    markdown = render("run", "md", data)
    assert "<script>" not in markdown and "<b>" not in markdown
    assert r"\<script\>alert(1)\</script\>" in markdown
    assert r"{{ 7\*7 }} and {% raw %}" in markdown
    assert r"\*fix\* \| \[link\](http://x)" in markdown
    assert "<i>" not in html and "<i>" not in markdown
    assert "&lt;i&gt;S|1&lt;/i&gt;" in html and r"\<i\>S\|1\</i\>" in markdown


def test_run_report_shows_the_organisations_clock_and_currency(simulate, tmp_path):
    from tests.reports.test_charts import LADDER

    run = simulate(LADDER, reps=1)
    markdown = render("run", "md", run_report(run, run_summary(run)))
    assert "Minute" not in markdown and "UTC" not in markdown
    assert "| Starts | 2026-01-05 08:00 -05:00 (America/New_York) |" in markdown
    assert "| Time (America/New_York) | Since start | Event | Who | Detail |" in markdown
    assert "| 2026-01-05 08:05 -05:00 | 5m | paged | tokyo |  |" in markdown
    assert (r"outage \$\\alpha\$ \<b\>, urgent, started 2026-01-05 08:00 -05:00, resolved after 40m, "
            "estimated cost €400") in markdown


HISTORY = """\
type,severity,started,detected,mitigated,resolved
outage,P0,2026-01-10T10:00:00Z,2026-01-10T10:05:00Z,2026-01-10T11:00:00Z,2026-01-10T12:00:00Z
api-errors,P1,2026-01-20T08:00:00Z,,2026-01-20T08:45:00Z,2026-01-20T09:30:00Z
cosmetic,P3,2026-01-25T09:00:00Z,,,2026-01-25T09:30:00Z
outage,P1,2026-02-03T00:00:00Z,,2026-02-03T00:30:00Z,2026-02-03T10:00:00Z
cosmetic,P3,2026-02-14T09:00:00Z,,,2026-02-14T09:20:00Z
"""


def test_monthly_report_figures_from_an_incident_history(tmp_path):
    csv = tmp_path / "history.csv"
    csv.write_text(HISTORY, encoding="utf-8")
    from drillsim.reports.history import load_history, periodic

    history = load_history(csv, since=dt.date(2026, 1, 1), until=dt.date(2026, 2, 28))
    report = periodic(history, "monthly", mttr_target=240, uptime_target=99.9)
    january, february = report["periods"]
    assert (january["period"], january["incidents"], january["major"]) == (
        "2026-01", 3, [{"severity": "P0", "count": 1}, {"severity": "P1", "count": 1}])
    assert not january["partial"] and not february["partial"]
    assert january["mean_ttr"] == pytest.approx((120 + 90 + 30) / 3)
    # P0/P1 impact: 60 + 45 minutes out of 31 days
    assert january["uptime"] == pytest.approx(100 * (1 - 105 / (31 * 1440)))
    assert january["uptime_met"] is False and january["mttr_met"] is True
    assert [(s["severity"], s["count"], s["primary_cause"]) for s in january["by_severity"]] == [
        ("P0", 1, "outage"), ("P1", 1, "api-errors"), ("P3", 1, "cosmetic")]
    assert (february["incidents"], february["change"]) == (2, -1)
    assert february["change_pct"] == pytest.approx(-100 / 3)
    assert february["mean_ttr"] == pytest.approx((600 + 20) / 2)
    assert february["uptime"] == pytest.approx(100 * (1 - 30 / (28 * 1440)))
    assert february["categories"] == [{"type": "cosmetic", "count": 1},
                                      {"type": "outage", "count": 1}]
    out = tmp_path / "monthly.md"
    result = CliRunner().invoke(cli, ["report", "monthly", str(csv), "--out", str(out),
                                      "--since", "2026-01-01", "--until", "2026-02-28"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "## 2026-02" in text and "| Incidents | 2 (-1, -33% on the previous period) |" in text
    quarterly = periodic(history, "quarterly")
    assert [(p["period"], p["incidents"]) for p in quarterly["periods"]] == [("2026Q1", 5)]


@pytest.mark.parametrize(("text", "message"), [
    ("type,severity,started\nx,P1,2026-01-01T00:00Z\n",
     "history.csv: resolved: missing column; an incident history needs type, severity, started, "
     "resolved"),
    ("type,severity,started,resolved\nx,P1,2026-01-01T00:00Z,2026-01-01T01:00Z\n"
     "y,P2,yesterday,2026-01-01T01:00Z\n",
     "history.csv:3: started: expected an ISO 8601 time, found 'yesterday'"),
    ("type,severity,started,resolved\n", "history.csv: no incidents: the file has a header and no rows"),
])
def test_a_bad_history_gets_one_clear_message(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    Path("history.csv").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", "monthly", "history.csv", "--out", "m.md"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {message}"]
    assert not Path("m.md").exists()


def test_run_refuses_a_report_name_it_cannot_write_before_simulating(tmp_path):
    result = CliRunner().invoke(cli, ["run", "demo", "--report", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2
    assert "a report must end in .md or .html" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_incident_post_mortem_skeleton_from_a_results_folder(tmp_path):
    runner = CliRunner()
    folder = tmp_path / "results"
    assert runner.invoke(cli, ["run", "database-failover-drill", "--reps", "2", "--workers", "1",
                               "--out", str(folder), "--format", "json"]).exit_code == 0
    out = tmp_path / "incident.md"
    result = runner.invoke(cli, ["report", "incident", str(folder), "--incident", "0",
                                 "--replication", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for heading in ("## Summary", "## Impact", "## Timeline", "## Deadlines", "## Root cause",
                    "## Action items"):
        assert heading in text
    assert "(raised from P1)" in text and "| severity changed |" in text
    assert "| Time (Europe/London) | Since start | Event | Who | Detail |" in text
    assert "starting 2026-03-07 22:30 +00:00" in text and "Minute" not in text
    assert "| Deadline | Due (Europe/London) | Due after | Done after | Outcome |" in text
    cost = text.split("| Estimated cost | Data lost |")[1].splitlines()[2].split("|")[5].strip()
    assert cost.startswith("$") and cost[1:].replace(",", "").isdigit()
    tokyo = tmp_path / "tokyo.md"
    assert runner.invoke(cli, ["report", "incident", str(folder), "--incident", "0",
                               "--timezone", "Asia/Tokyo", "--out", str(tokyo)]).exit_code == 0
    assert "starting 2026-03-08 07:30 +09:00" in tokyo.read_text(encoding="utf-8")
    missing = runner.invoke(cli, ["report", "incident", str(folder), "--incident", "9",
                                  "--out", str(out)])
    assert missing.exit_code == 2 and "no incident 9 in replication 0" in missing.stderr


# one responder whose answers take %s on average
COMPARED = """
name: cmp
start: "2026-06-01T12:00"
org:
  responders: [{id: a, ack_delay: {working: {dist: exponential, mean: %s}, off_hours: 5m}}]
  escalation_policies: [{id: p, levels: [{targets: [{responder: a}]}]}]
  severities: {P1: {escalation_policy: p}}
"""


def test_comparison_verdicts_follow_the_paired_confidence_interval(simulate):
    base = COMPARED + """workload:
  horizon: 30d
  types: [{type: t, rate: 1/d, severity_mix: {P1: 1}, phases: [{name: fix, duration: 30m}]}]
"""
    slow, fast = (simulate(base % mean, reps=8, seed=4) for mean in ("20m", "4m"))
    same = simulate(base % "20m", reps=8, seed=4)
    results = results_of({"today": slow, "faster paging": fast, "unchanged": same})
    columns = columns_for(results, ["ttd", "tta"], ["mean", "p90"], [None, "P1"])
    assert columns[:4] == ["time_to_detect.mean", "time_to_detect.p90",
                           "time_to_acknowledge.mean", "time_to_acknowledge.p90"]
    report = comparison(results, "today", columns)
    verdicts = {(d["variant"], d["column"]): d["verdict"] for d in report["differences"]}
    assert verdicts[("faster paging", "time_to_acknowledge.mean")] == "better"
    assert verdicts[("faster paging", "time_to_acknowledge.p90.P1")] == "better"
    assert verdicts[("unchanged", "time_to_acknowledge.mean")] == "no detectable difference"
    # same arrivals and draws: exactly no difference in detection
    assert verdicts[("faster paging", "time_to_detect.mean")] == "no detectable difference"
    html = render("comparison", "html", report)
    assert html.count("<svg") == 1 and "faster paging" in html
    faster = next(d for d in report["differences"] if d["variant"] == "faster paging"
                  and d["column"] == "time_to_acknowledge.mean")
    row = f"| faster paging | TTA mean | {format_duration(faster['mean'], signed=True)} |"
    assert row.startswith("| faster paging | TTA mean | \u2212") and "d 23h" not in row
    assert row in render("comparison", "md", report)
    best = next(r for r in report["rows"] if r["column"] == "time_to_acknowledge.mean")
    assert best["best"] == "faster paging"


def test_a_users_own_template_runs_sandboxed(tmp_path):
    from jinja2.exceptions import SecurityError

    data = {"title": "<b>t</b>"}
    own = tmp_path / "own.html"
    own.write_text("<h1>{{ title }}</h1>", encoding="utf-8")
    assert render("run", "html", data, template=own) == "<h1>&lt;b&gt;t&lt;/b&gt;</h1>"
    own.write_text("{{ title.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    with pytest.raises(SecurityError):
        render("run", "html", data, template=own)


DEADLINES = """
name: deadlines
start: "2026-01-05T10:00"
org:
  name: Owing Co
  timezone: Europe/Berlin
  currency: EUR
  financial_escalations: [{threshold: 1000, notify: ana}]
  services: [{id: shop, impact_per_minute: 100}]
  responders: [{id: ana, timezone: Europe/Berlin}]
  escalation_policies: [{id: p, levels: [{targets: [{responder: ana}]}]}]
  severities:
    P1:
      escalation_policy: p
      targets: {acknowledge: 1h, resolve: 10m}
      deadlines:
        - {name: mitigated fast, from: started, to: mitigated, within: 10m}
        - {name: impact over, from: started, to: mitigated, within: 4h}
incidents:
  - {type: outage, severity: P1, services: [shop], phases: [{name: fix, duration: 30m}]}
"""


def test_run_report_shares_carry_n_and_an_interval_and_deadlines_their_outcome(simulate):
    run = simulate(DEADLINES)
    assert sorted(run.records.deadlines.status) == ["late", "met"]
    markdown = render("run", "md", run_report(run, run_summary(run)))
    # one incident, acknowledged within the hour, resolved after more than 10 minutes
    assert "| P1 | 100% (n=1, 20–100%) | 0% (n=1, 0–80%) |" in markdown
    assert "| Severity | Deadline | Met | Late | Missed | Unstaffed |" in markdown
    assert "| P1 | mitigated fast | 0% (n=1, 0–80%) | 1 | 0 | 0 |" in markdown
    assert "| P1 | impact over | 100% (n=1, 20–100%) | 0 | 0 | 0 |" in markdown
    # money in the organisation's currency, in the timeline as in the summary line
    assert "| financial escalation | ana | cost reached €1,000 |" in markdown


def test_no_report_signals_a_missed_target_by_colour_alone(simulate, tmp_path):
    import re

    run = simulate(DEADLINES)
    folder = tmp_path / "results"
    from drillsim.drills.output import Manifest, write_results
    from drillsim.sim.summary import as_json

    write_results(run, folder, Manifest("test", ["drillsim"], as_json(run_summary(run)),
                                        dt.datetime.now().astimezone(), 1), [])
    from drillsim.reports.history import incident_report, load_history, periodic

    pages = {"run": render("run", "html", run_report(run, run_summary(run))),
             "incident": render("incident", "html", incident_report(folder, 0)),
             "monthly": render("periodic", "html", periodic(load_history(folder), "monthly",
                                                            mttr_target=10))}
    words = ("met", "missed", "late", "unstaffed", "worse", "better")
    for name, html in pages.items():
        for cls, text in re.findall(r'class="([^"]*\b(?:met|missed)\b[^"]*)">(.*?)</', html):
            assert any(w in text for w in words), (name, cls, text)
    assert "✗ late" in pages["incident"] and "✓ met" in pages["incident"]
    assert "✗ missed" in pages["monthly"]
    markdown = render("incident", "md", incident_report(folder, 0))
    assert re.search(r"\| mitigated fast \| 2026-01-05 10:10 \+01:00 \| 10m \| \S+ \| \*\*late\*\* \|",
                     markdown), markdown


def test_a_single_replication_gives_no_verdict(simulate):
    text = COMPARED + """incidents: [{type: t, severity: P1, at: 0m, phases: [{name: fix, duration: 30m}]}]
"""
    runs = {name: simulate(text % mean, reps=1, seed=4) for name, mean in (("a", "20m"),
                                                                           ("b", "4m"))}
    results = results_of(runs)
    report = comparison(results, "a", columns_for(results, ["tta"], ["mean"], [None]))
    assert {d["verdict"] for d in report["differences"]} == {"needs two or more replications"}
    assert all(d["ci95"] is None for d in report["differences"])
    assert "needs two or more replications" in render("comparison", "md", report)
