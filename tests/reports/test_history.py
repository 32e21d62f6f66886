"""Periodic reports from incident history: times need their offset (or --timezone), periods follow
the report's clock, the severity ladder decides what counts as major, partial periods are
flagged instead of compared, a missed target is said in words and the data's source is named."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli
from drillsim.reports.history import load_history, periodic
from drillsim.reports.render import render


def monthly(tmp_path: Path, text: str, *options: str, out: str = "m.md"):
    csv = tmp_path / "history.csv"
    csv.write_text(text, encoding="utf-8")
    target = tmp_path / out
    result = CliRunner().invoke(cli, ["report", "monthly", str(csv), "--out", str(target),
                                      *options])
    return result, target


NAIVE = """\
type,severity,started,resolved
outage,P1,2026-01-10T10:00:00,2026-01-10T11:00:00
outage,P1,2026-01-11T10:00:00+01:00,2026-01-11T11:00:00
"""


def test_a_time_without_offset_is_an_error_not_silently_utc(tmp_path):
    result, out = monthly(tmp_path, NAIVE)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'history.csv'}:2: started: '2026-01-10T10:00:00' has no UTC offset: "
        "write it as 2026-01-10T10:00:00Z or with its offset (+01:00), or pass --timezone",
        f"error: {tmp_path / 'history.csv'}:2: resolved: '2026-01-10T11:00:00' has no UTC "
        "offset: write it as 2026-01-10T11:00:00Z or with its offset (+01:00), or pass "
        "--timezone (and 1 more rows)"]
    assert not out.exists()


def test_timezone_reads_naive_times_and_sets_the_report_clock(tmp_path):
    result, out = monthly(tmp_path, NAIVE, "--timezone", "Europe/Berlin")
    assert result.exit_code == 0, result.output
    history = load_history(tmp_path / "history.csv", "Europe/Berlin")
    assert history.incidents.started.dt.strftime("%H:%M").tolist() == ["09:00", "09:00"]
    assert history.incidents.resolved.dt.strftime("%H:%M").tolist() == ["10:00", "10:00"]
    text = out.read_text(encoding="utf-8")
    assert "Times are on the Europe/Berlin clock" in text
    assert "covers 2026-01-10 10:00 +01:00 to 2026-01-11 10:00 +01:00" in text
    bad = CliRunner().invoke(cli, ["report", "monthly", str(tmp_path / "history.csv"), "--out",
                                   str(tmp_path / "x.md"), "--timezone", "Mars/Olympus"])
    assert bad.exit_code == 2 and "unknown time zone 'Mars/Olympus'" in bad.stderr


def test_periods_are_calendar_months_on_the_report_clock(tmp_path):
    csv = tmp_path / "h.csv"
    # 1 February 01:00 in Tokyo is still 31 January in UTC
    csv.write_text("type,severity,started,resolved\n"
                   "x,P1,2026-02-01T01:00:00+09:00,2026-02-01T02:00:00+09:00\n", encoding="utf-8")
    periods = periodic(load_history(csv, "Asia/Tokyo"), "monthly")["periods"]
    assert [(p["period"], p["incidents"]) for p in periods] == [("2026-02", 1)]
    periods = periodic(load_history(csv), "monthly")["periods"]
    assert [(p["period"], p["incidents"]) for p in periods] == [("2026-01", 1)]


LADDER = """\
type,severity,started,mitigated,resolved
outage,SEV1,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z,2026-03-02T12:00:00Z
errors,SEV2,2026-03-03T10:00:00Z,2026-03-03T10:30:00Z,2026-03-03T11:00:00Z
slow,SEV3,2026-03-04T10:00:00Z,2026-03-04T14:00:00Z,2026-03-04T15:00:00Z
typo,SEV10,2026-03-05T10:00:00Z,,2026-03-05T10:10:00Z
"""


def test_major_incidents_are_the_top_of_the_ladder_found_not_p0_and_p1(tmp_path):
    csv = tmp_path / "h.csv"
    csv.write_text(LADDER, encoding="utf-8")
    import datetime as dt

    history = load_history(csv, since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31))
    assert history.ladder == ("SEV1", "SEV2", "SEV3", "SEV10") and history.major == ("SEV1", "SEV2")
    (march,) = periodic(history, "monthly")["periods"]
    assert march["major"] == [{"severity": "SEV1", "count": 1}, {"severity": "SEV2", "count": 1}]
    assert march["uptime"] == pytest.approx(100 * (1 - 90 / (31 * 1440)))  # 60 + 30 minutes
    assert [s["severity"] for s in march["by_severity"]] == ["SEV1", "SEV2", "SEV3", "SEV10"]
    history = load_history(csv, major=["SEV3"], since=dt.date(2026, 3, 1),
                           until=dt.date(2026, 3, 31))
    (march,) = periodic(history, "monthly")["periods"]
    assert march["uptime"] == pytest.approx(100 * (1 - 240 / (31 * 1440)))


def test_severity_names_without_a_level_need_major(tmp_path):
    words = LADDER.replace("SEV10", "cosmetic").replace("SEV1", "critical")
    result, _ = monthly(tmp_path, words)
    assert result.exit_code == 2
    assert "cannot tell which severities are major" in result.stderr
    assert "--major" in result.stderr
    result, out = monthly(tmp_path, words, "--major", "critical,SEV2")
    assert result.exit_code == 0, result.output
    assert "| critical / SEV2 incidents | 1 / 1 |" in out.read_text(encoding="utf-8")


def test_a_partial_period_is_flagged_instead_of_showing_a_drop(tmp_path):
    # a quarter's export ending on 2 April: three full months of ~25 incidents, then two days
    rows = [f"x,P2,2026-{m:02d}-{d:02d}T12:00:00Z,2026-{m:02d}-{d:02d}T13:00:00Z"
            for m in (1, 2, 3) for d in range(1, 26)]
    rows += ["x,P2,2026-04-01T12:00:00Z,2026-04-01T13:00:00Z"]
    text = "type,severity,started,resolved\n" + "\n".join(rows) + "\n"
    result, out = monthly(tmp_path, text, "--since", "2026-01-01", "--until", "2026-04-02")
    assert result.exit_code == 0, result.output
    report = out.read_text(encoding="utf-8")
    assert "-96%" not in report
    assert "| 2026-04 (partial) | 1 | – |" in report
    assert "## 2026-04 (partial: the history covers 2 of 30 days)" in report
    assert "| Incidents | 1 (partial period, not compared) |" in report
    assert "| Incidents | 25 (+0, +0% on the previous period) |" in report
    assert "| Incidents | 25 (the previous period is partial, not compared) |" not in report


def test_a_missed_target_is_said_in_words_and_the_source_is_named(tmp_path):
    text = ("type,severity,started,resolved\n"
            "x,P1,2026-01-05T10:00:00Z,2026-01-05T20:00:00Z\n"
            "y,P1,2026-02-05T10:00:00Z,2026-02-05T10:30:00Z\n")
    result, out = monthly(tmp_path, text, "--since", "2026-01-01", "--until", "2026-02-28",
                          out="m.html")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert f"Data: {tmp_path / 'history.csv'}: an incident-history CSV of 2 incidents" in html
    assert '10h <span class="missed">✗ missed</span>' in html
    assert '30m <span class="met">✓ met</span>' in html
    for chart in ("incidents", "ttr", "uptime"):
        assert f'<figure id="chart-{chart}"><svg' in html


def test_periodic_report_from_a_results_folder_knows_its_organisation(tmp_path):
    runner = CliRunner()
    folder = tmp_path / "results"
    assert runner.invoke(cli, ["run", "demo", "--reps", "1", "--workers", "1", "--out",
                               str(folder), "--format", "json"]).exit_code == 0
    history = load_history(folder)
    assert history.timezone == "Europe/London" and history.covers_known
    assert history.ladder == ("P0", "P1", "P2", "P3")
    report = periodic(history, "quarterly")
    # the demo runs thirteen weeks from Monday 5 January: both quarters are partial
    assert [(p["period"], p["partial"], p["change"]) for p in report["periods"]] == [
        ("2026Q1", True, None), ("2026Q2", True, None)]
    text = render("periodic", "md", report)
    assert "the first of 1 replications of the simulated scenario demo" in text


def test_a_quiet_month_neither_meets_nor_misses_the_resolve_target(tmp_path):
    text = "type,severity,started,resolved\nx,P1,2026-01-05T10:00:00Z,2026-01-05T11:00:00Z\n"
    result, out = monthly(tmp_path, text, "--since", "2026-01-01", "--until", "2026-02-28")
    assert result.exit_code == 0, result.output
    report = out.read_text(encoding="utf-8")
    assert "| 2026-01 | 1 | – | 1 | 1h (met) | 1h | 99.866% (missed) |" in report
    assert "| 2026-02 | 0 | -100% | 0 | – | – | 100.000% (met) |" in report
    assert "| Mean time to resolve | – |" in report and "| Mean time to resolve | 1h (met) (95% CI" in report
