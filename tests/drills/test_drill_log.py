"""The drill log as `assess` and `--resume` read it: what the writer wrote comes back whole, a
torn last line is forgiven with a warning, anything else wrong is named by file, line and field
(exit 2 from the command line), and a log is never written over. A filled scorecard and a Chaos
Toolkit journal read into the same record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.drills.cli import cli
from drillsim.drills.drill_log import (
    DrillLog,
    DrillState,
    Start,
    load_drill,
    read_journal,
    read_log,
    read_scorecard,
)
from drillsim.scenarios.errors import InputError

START = Start(kind="start", version=1, scenario="gameday-database-recovery", org="three-tier-teams",
              seed=3, at="p90", speed=10, title="Database recovery")


def written(path: Path) -> DrillLog:
    log = DrillLog.create(path, START)
    log.append("resume", 0)
    log.append("milestone", 3.5, id="detected")
    log.append("inject", 4, id="I01")
    log.append("note", 6.25, text='Pager went to the "old" rota <script>alert(1)</script>')
    log.append("milestone", 9, id="acknowledged")
    log.append("milestone", 11, id="detected")  # pressed twice: the first one counts
    log.append("pause", 12)
    log.append("decision", 12, text="Fail over to the replica")
    return log


def test_what_was_written_reads_back(tmp_path: Path) -> None:
    log = written(tmp_path / "drill.jsonl")
    log.close()
    record = read_log(tmp_path / "drill.jsonl")
    assert record.start == START
    assert [e.seq for e in record.entries] == list(range(1, 9))
    assert record.milestones == {"detected": 3.5, "acknowledged": 9}
    assert [n.text for n in record.texts("note")] == [
        'Pager went to the "old" rota <script>alert(1)</script>']
    assert [d.minutes for d in record.texts("decision")] == [12]
    state = record.state()
    assert (state.running, state.ended, state.revealed, state.minutes) == (False, False, ["I01"], 12)
    lines = (tmp_path / "drill.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["kind"] == "start" and json.loads(lines[2]) == {
        "kind": "milestone", "seq": 2, "minutes": 3.5, "wall": json.loads(lines[2])["wall"],
        "id": "detected"}
    assert all(e.wall is not None and e.wall.utcoffset() is not None for e in record.entries)


def test_a_torn_last_line_is_ignored_and_cut_on_resume(tmp_path: Path) -> None:
    path = tmp_path / "drill.jsonl"
    written(path).close()
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"kind": "milestone", "seq": 9, "minu')
    record = read_log(path)
    assert len(record.entries) == 8
    assert record.warnings == (f"{path}:10: ignored a torn last line (37 bytes, the writer "
                               "stopped mid-line)",)
    log, _ = DrillLog.resume(path)
    log.append("milestone", 20, id="mitigated")
    log.close()
    assert path.read_bytes().startswith(whole)
    assert read_log(path).milestones["mitigated"] == 20 and read_log(path).warnings == ()


def test_the_last_line_without_a_newline_counts_when_it_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "drill.jsonl"
    written(path).close()
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    assert len(read_log(path).entries) == 8 and read_log(path).warnings == ()
    log, _ = DrillLog.resume(path)
    log.append("milestone", 20, id="mitigated")
    log.close()
    assert len(read_log(path).entries) == 9 and read_log(path).milestones["mitigated"] == 20


@pytest.mark.parametrize("change, problems", [
    (lambda lines: lines[:3] + lines[4:],
     ["drill.jsonl:4: seq: expected 3, found 4 (a line is missing or repeated)"]),
    (lambda lines: [*lines[:4], lines[3], *lines[4:]],
     ["drill.jsonl:5: seq: expected 4, found 3 (a line is missing or repeated)"]),
    (lambda lines: [*lines[:2], lines[2].replace('"minutes": 3.5', '"minutes": "soon"'), *lines[3:]],
     ["drill.jsonl:3: minutes: input should be a valid number, unable to parse string as a number"]),
    (lambda lines: [*lines[:3], lines[3].replace(', "id": "I01"', ''), *lines[4:]],
     ["drill.jsonl:4: id: field required"]),
    (lambda lines: [*lines[:2], lines[2].replace('"milestone"', '"milstone"'), *lines[3:]],
     ["drill.jsonl:3: kind: unknown kind 'milstone' (did you mean 'milestone'?); expected one of "
      "milestone, decision, note, inject, pause, resume, end, action"]),
    (lambda lines: [*lines[:5], "{not json", *lines[6:]],
     ["drill.jsonl:6: line: not a JSON object"]),
    (lambda lines: lines[1:],
     ["drill.jsonl:1: kind: not a drill log: the first line must be the 'start' line"]),
    (lambda lines: [lines[0].replace('"version": 1', '"version": 2'), *lines[1:]],
     ["drill.jsonl:1: version: input should be 1"]),
])
def test_a_bad_line_is_named_by_file_line_and_field(tmp_path, monkeypatch, change, problems) -> None:
    monkeypatch.chdir(tmp_path)
    written(Path("drill.jsonl")).close()
    lines = Path("drill.jsonl").read_text().splitlines()
    Path("drill.jsonl").write_text("\n".join(change(lines)) + "\n")
    with pytest.raises(InputError) as caught:
        read_log("drill.jsonl")
    assert [str(p) for p in caught.value.problems] == problems
    result = CliRunner().invoke(cli, ["drill", "serve", "--resume", "drill.jsonl", "--port", "0"])
    assert result.exit_code == 2
    assert result.output == "".join(f"error: {p}\n" for p in problems)


def test_a_log_is_never_written_over(tmp_path: Path) -> None:
    mine, theirs = tmp_path / "drill.jsonl", tmp_path / "notes.jsonl"
    written(mine).close()
    theirs.write_text('{"meeting": "notes"}\n')
    before = mine.read_bytes(), theirs.read_bytes()
    with pytest.raises(InputError, match="is a drill log already; carry it on with --resume"):
        DrillLog.create(mine, START)
    with pytest.raises(InputError, match="not a drill log drillsim wrote; refusing to overwrite"):
        DrillLog.create(theirs, START)
    with pytest.raises(InputError, match="not a drill log: the first line"):
        DrillLog.resume(theirs)
    assert (mine.read_bytes(), theirs.read_bytes()) == before


def test_an_ended_drill_is_not_carried_on(tmp_path: Path) -> None:
    log = written(tmp_path / "drill.jsonl")
    log.append("end", 30)
    with pytest.raises(ValueError, match="ended"):
        log.append("note", 31, text="late")
    log.close()
    with pytest.raises(InputError, match="this drill ended at minute 30"):
        DrillLog.resume(tmp_path / "drill.jsonl")


KINDS = st.sampled_from(["milestone", "note", "decision", "inject", "pause", "resume", "action"])


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.tuples(KINDS, st.floats(0, 600), st.text(max_size=20),
                                st.sampled_from(["detected", "acknowledged", "I01", "I02"]),
                                st.integers(0, 2)), max_size=25))
def test_the_live_state_is_the_state_read_back(tmp_path_factory, steps) -> None:
    """The console keeps its state by applying each entry as it is written; --resume rebuilds it
    from the file in one pass, possibly across several resumptions. Both must agree."""
    path = tmp_path_factory.mktemp("log") / "drill.jsonl"
    log = DrillLog.create(path, START)
    minutes = 0.0
    for kind, delta, text, name, reopen in steps:
        minutes += delta
        fields = {"milestone": {"id": name}, "inject": {"id": name},
                  "note": {"text": text}, "decision": {"text": text},
                  "action": {"text": text, "owner": "Sam", "due": "2027-02-01"}}.get(kind, {})
        log.append(kind, minutes, **fields)
        if reopen == 0:
            live = log.state
            log.close()
            log, record = DrillLog.resume(path)
            assert record.state() == live == log.state
    live = log.state
    log.close()
    rebuilt = read_log(path).state()
    assert rebuilt == live
    fold = DrillState()
    for entry in read_log(path).entries:
        fold.apply(entry)
    assert fold == live


def test_a_filled_scorecard_reads_as_milestones(tmp_path: Path) -> None:
    card = tmp_path / "scorecard.csv"
    card.write_text("milestone,label,target_minutes,actual_minutes,notes\n"
                    "detected,Detected,5,4,seen on the dashboard first\n"
                    "acknowledged,Acknowledged,10,00:12,\n"
                    "escalated,Escalated,,,\n"
                    "customer_notice,Customer notice,60,1:05,sent late\n")
    record = load_drill(card, "gameday-database-recovery")
    assert record.start.scenario == "gameday-database-recovery"
    assert record.milestones == {"detected": 4, "acknowledged": 12, "customer_notice": 65}
    assert [(n.minutes, n.text) for n in record.texts("note")] == [
        (4, "Detected: seen on the dashboard first"), (65, "customer_notice: sent late")]
    card.write_text("milestone,label,target_minutes,actual_minutes,notes\n"
                    "detected,Detected,5,4 min,\nacknowledged,Acknowledged,10,0:75,\n")
    with pytest.raises(InputError) as caught:
        read_scorecard(card)
    assert [str(p) for p in caught.value.problems] == [
        f"{card}:2: actual_minutes: expected minutes or HH:MM, found '4 min'",
        f"{card}:3: actual_minutes: expected minutes or HH:MM, found '0:75'"]


def test_a_chaos_toolkit_journal_gives_the_fault_window(tmp_path: Path) -> None:
    journal = tmp_path / "journal.json"
    journal.write_text(json.dumps({
        "experiment": {"title": "Primary database lost"}, "start": "2027-01-14T09:58:00.000000",
        "status": "completed", "steady_states": {"before": {"steady_state_met": True}},
        "run": [
            {"activity": {"type": "probe", "name": "lag"}, "status": "succeeded",
             "start": "2027-01-14T09:59:00", "end": "2027-01-14T09:59:01"},
            {"activity": {"type": "action", "name": "stop-primary"}, "status": "succeeded",
             "start": "2027-01-14T10:00:00.000000", "end": "2027-01-14T10:00:30.000000"},
            {"activity": {"type": "action", "name": "start-primary"}, "status": "succeeded",
             "start": "2027-01-14T10:44:00.000000", "end": "2027-01-14T10:45:30.000000"}]}))
    record = read_journal(journal)
    assert record.fault == (0.0, 45.5)
    assert record.start.started is not None and record.start.started.isoformat() == \
        "2027-01-14T10:00:00+00:00"
    assert record.start.scenario == "Primary database lost" and record.entries == ()
    journal.write_text(json.dumps({"run": [{"activity": {"type": "action"}, "start": "soon"}]}))
    with pytest.raises(InputError, match=r"journal.json: run\[0\]: expected ISO 'start' and 'end'"):
        load_drill(journal)


@settings(max_examples=150, deadline=None)
@given(at=st.integers(0, 10_000), cut=st.integers(0, 40), junk=st.binary(max_size=40))
def test_any_damage_is_a_clear_error_or_a_warning_never_a_crash(tmp_path_factory, at, cut, junk) -> None:
    path = tmp_path_factory.mktemp("log") / "drill.jsonl"
    written(path).close()
    data = path.read_bytes()
    at %= len(data) + 1
    path.write_bytes(data[:at] + junk + data[at + cut:])
    try:
        record = read_log(path)
    except InputError as exc:
        assert exc.problems and all(p.file == str(path) for p in exc.problems)
    else:
        assert [e.seq for e in record.entries] == list(range(1, len(record.entries) + 1))
