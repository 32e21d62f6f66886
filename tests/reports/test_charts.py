"""Charts: per-severity CDFs on a log axis in the organisation's order, legends clear of the data,
the pages heatmap on each responder's clock with its counts, the slowest incident's timeline
with its wait for business hours, user text drawn literally, and matplotlib loaded only to draw
(a Markdown report draws nothing)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from drillsim.reports import charts
from drillsim.reports.data import gantt, incident_timeline, page_counts, run_report
from drillsim.sim.summary import run_summary

# the ladder's own order (urgent, high, low) is not the alphabet's (high, low, urgent)
LADDER = """
name: ladder
start: "2026-01-05T08:00"
org:
  name: Ladder Co
  timezone: America/New_York
  currency: EUR
  responders:
    - {id: ny, timezone: America/New_York, miss_probability: 1}
    - {id: tokyo, timezone: Asia/Tokyo}
  escalation_policies:
    - {id: p, levels: [{targets: [{responder: ny}], delay: 5m}, {targets: [{responder: tokyo}]}]}
  severities:
    urgent: {escalation_policy: p, targets: {acknowledge: 10m, resolve: 1h}}
    high: {escalation_policy: p, targets: {acknowledge: 15m}}
    low: {escalation_policy: p, paging: next_business_day}
  services: [{id: web, impact_per_minute: 10}]
incidents:
  - {type: "outage $\\\\alpha$ <b>", severity: urgent, services: [web],
     phases: [{name: fix, duration: 30m}]}
  - {type: slow, severity: high, at: 1h, phases: [{name: fix, duration: 20m}]}
  - {type: typo, severity: low, at: 10h, phases: [{name: fix, duration: 10m}]}
"""


@pytest.fixture
def ladder_run(simulate):
    return simulate(LADDER, reps=2, seed=3)


def legend_overlaps(fig) -> list[str]:
    """Titles of the plotting areas a legend of `fig` is drawn over."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    plots = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    return [ax.get_title() or "axes" for legend in legends for ax in plots
            if legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))]


FIGURES = {
    "distributions": lambda: charts.distributions(
        {"": {f"S{i}": {"ttd": list(np.geomspace(0.1, 900, 40)), "ttr": [5, 50, 500]}
              for i in range(5)}}),
    "sla": lambda: charts.sla_bars({"P1": {"acknowledge": 1.0, "resolve": 0.95},
                                    "P2": {"acknowledge": 1.0, "resolve": 1.0}}),
    "timeline": lambda: charts.timeline("t", [("a", 0, 100), ("b", 10, 400)],
                                        [("x", 50, "met"), ("y", 390, "missed"),
                                         ("z", 200, "late"), ("w", 300, "unstaffed")], "time"),
    "period_counts": lambda: charts.period_counts(["2026-01", "2026-02"],
                                                  {"P1": [30, 31], "P2": [5, 2]}, [False, True]),
    "period_trend": lambda: charts.period_trend(["2026-01", "2026-02"],
                                                {"mean": [200, 300], "p90": [600, 700]}, 240,
                                                [False, True], "t", "duration"),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_no_legend_covers_data(name):
    assert legend_overlaps(FIGURES[name]()) == []


def test_run_report_cdfs_are_per_severity_on_a_log_axis_in_the_ladders_order(ladder_run):
    from matplotlib import pyplot as plt

    data = run_report(ladder_run, run_summary(ladder_run))
    assert [s.severity for s in data["severities"]] == ["urgent", "high", "low"]
    inc = ladder_run.records.incidents
    rows = {"": {s: {"ttd": [], "tta": (inc.acknowledged_at - inc.detected_at)[
        inc.severity == s].tolist()} for s in ("urgent", "high", "low")}}
    fig = charts.distributions(rows)
    ax = fig.axes[1]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in fig.legends[0].get_texts()][:3] == ["urgent", "high", "low"]
    plt.close(fig)
    chart = dict((k, str(svg)) for k, _, svg in data["charts"])
    for label in ("urgent (n=2)", "high (n=2)", "low (n=2)"):
        assert label in chart["distributions"]
    assert chart["distributions"].index("urgent (n=2)") < chart["distributions"].index("low (n=2)")
    sla = chart["sla"]
    assert sla.index(">urgent<") < sla.index(">high<") < sla.index(">low<")


def test_heatmap_counts_pages_on_each_responders_own_clock(ladder_run):
    events = ladder_run.records.events
    zones = {"ny": "America/New_York", "tokyo": "Asia/Tokyo"}
    grid = page_counts(events, zones, "America/New_York") / ladder_run.replications
    # the urgent incident pages ny at Monday 08:00 in New York, then tokyo five minutes later:
    # Monday 22:05 in Tokyo
    assert grid[0, 8] >= 1 and grid[0, 22] == 1
    assert grid.sum() == len(events[events.kind == "paged"]) / 2
    text = charts.svg(charts.heatmap(grid, 2))
    assert "each paged responder's own time zone" in text
    assert f">{grid[0, 22]:.0f}<" in text or f">{grid[0, 22]:.1f}<" in text


def test_slowest_timeline_labels_the_wait_for_business_hours(ladder_run):
    rec = ladder_run.records
    low = rec.incidents[(rec.incidents.severity == "low") & (rec.incidents.replication == 0)].iloc[0]
    tl = incident_timeline(rec.events, 0, int(low.incident), "America/New_York")
    # the timeline table says so too, with the instant the wait ends on the organisation's clock
    assert [(e["time"], e["detail"]) for e in tl if e["kind"] == "deferred"] == [
        ("2026-01-05 18:00 -05:00",
         "waiting for business hours until 2026-01-06 09:00 -05:00 (next_business_day for 15h)")]
    owed = rec.deadlines[rec.deadlines.incident == low.incident].iloc[:0]
    fig = gantt(low, tl, owed, "America/New_York")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # declared Monday 18:00 in New York, after business hours: paged Tuesday 09:00
    assert "waiting for business hours\n(until Tue 06 Jan 09:00)" in labels
    bar_texts = [t.get_text() for t in fig.axes[0].texts]
    assert "15h" in bar_texts  # the wait, 18:00 to 09:00, written on its bar
    charts.svg(fig)


def test_user_text_is_drawn_literally(ladder_run):
    rec = ladder_run.records
    first = rec.incidents.iloc[0]
    tl = incident_timeline(rec.events, 0, 0, "UTC")
    text = charts.svg(gantt(first, tl, rec.deadlines.iloc[:0], "UTC"))
    assert "outage $\\alpha$ &lt;b&gt;" in text and "<b>" not in text


def test_drawing_modules_do_not_load_matplotlib_until_they_draw():
    code = ("import sys; from click.testing import CliRunner; from drillsim.drills.cli import cli; "
            "import drillsim.reports.data, drillsim.reports.history, drillsim.reports.charts; "
            "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0; "
            "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_markdown_report_draws_no_chart(tmp_path):
    """Markdown shows no charts, so writing one neither draws them nor imports matplotlib; the
    HTML report of the same run draws them all."""
    code = ("import sys; from drillsim.drills.cli import cli; "
            f"cli.main(['run', 'demo', '--reps', '2', '--report', {str(tmp_path / 'r.md')!r}], "
            "standalone_mode=False); "
            "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# Drill report: demo")
    html = tmp_path / "r.html"
    code = code.replace(repr(str(tmp_path / "r.md")), repr(str(html)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] != "[]"
    assert html.read_text(encoding="utf-8").count("<svg") == 4
