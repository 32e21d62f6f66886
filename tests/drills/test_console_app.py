"""The console's JSON API without a browser: the server stamps entries on its own clock, refuses
what makes no sense, shows the room only what players are handed, and serialises appends from
many clients at once."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from drillsim.drills.console import KEYS, Console, create_app, open_log, serve
from drillsim.drills.drill_log import MILESTONES, read_log
from drillsim.scenarios.errors import InputError
from tests.drills.console_support import exercise


def client(tmp_path: Path, speed: int = 60, resume: Path | None = None) -> TestClient:
    log = open_log("stand-in", None, 1, "p50", speed, str(tmp_path / "drill.jsonl"),
                   str(resume) if resume else None, "Database recovery")
    return TestClient(create_app(Console(exercise(), log)), base_url="http://127.0.0.1")


def test_entries_are_stamped_by_the_server_clock(tmp_path: Path) -> None:
    api = client(tmp_path, speed=60)  # one exercise minute per real second
    assert api.post("/api/entry", json={"kind": "milestone", "id": "detected"}).json()["entry"][
        "minutes"] == 0  # the clock has not started
    api.post("/api/entry", json={"kind": "resume"})
    time.sleep(0.5)
    answer = api.post("/api/entry", json={"kind": "milestone", "id": "acknowledged"}).json()
    assert 0.4 < answer["entry"]["minutes"] < 5 and answer["running"]
    paused = api.post("/api/entry", json={"kind": "pause"}).json()["entry"]["minutes"]
    time.sleep(0.2)
    assert api.get("/api/state").json()["minutes"] == paused


@pytest.mark.parametrize("body, error", [
    ({"kind": "pause"}, "the clock is already paused"),
    ({"kind": "milestone", "id": "fixed"}, "unknown milestone 'fixed'"),
    ({"kind": "inject", "id": "I99"}, "unknown inject 'I99'"),
    ({"kind": "note", "text": "   "}, "a note needs text (at most 10000 characters)"),
    ({"kind": "start"}, "unknown kind 'start'"),
    ({"kind": "action", "text": "Rotate keys", "due": "next week"},
     "due: expected a date YYYY-MM-DD, found 'next week'"),
])
def test_nonsense_is_refused_and_not_logged(tmp_path: Path, body, error) -> None:
    api = client(tmp_path)
    answer = api.post("/api/entry", json=body)
    assert (answer.status_code, answer.json()) == (409, {"error": error})
    assert read_log(tmp_path / "drill.jsonl").entries == ()


def test_an_action_item_has_an_owner_and_a_due_date(tmp_path: Path) -> None:
    api = client(tmp_path)
    answer = api.post("/api/entry", json={"kind": "action", "text": " Page the DBA team first ",
                                          "owner": "Sam Lee", "due": "2027-02-01"})
    assert answer.status_code == 200
    api.post("/api/entry", json={"kind": "action", "text": "Write the runbook"})
    actions = read_log(tmp_path / "drill.jsonl").actions
    assert [(a.text, a.owner, a.due and a.due.isoformat()) for a in actions] == [
        ("Page the DBA team first", "Sam Lee", "2027-02-01"), ("Write the runbook", "", None)]


def test_the_room_sees_revealed_injects_and_nothing_else(tmp_path: Path) -> None:
    api = client(tmp_path)
    api.post("/api/entry", json={"kind": "inject", "id": "I01"})
    api.post("/api/entry", json={"kind": "note", "text": "the room must not see this"})
    room = api.get("/api/room").json()
    assert [inject["id"] for inject in room["injects"]] == ["I01"]
    assert set(room["injects"][0]) == {"id", "minutes", "module", "title", "to", "artefacts"}
    assert "the room must not see this" not in api.get("/api/room").text
    assert "entries" not in room
    facilitator = api.get("/api/exercise").json()
    assert facilitator["injects"][0]["expected_action"] == "Acknowledge the page"


def test_only_local_names_are_served(tmp_path: Path) -> None:
    api = client(tmp_path)
    assert api.get("/api/state", headers={"Host": "attacker.example"}).status_code == 400
    assert api.get("/", headers={"Host": "localhost:8765"}).status_code == 200


def test_concurrent_appends_keep_one_sequence(tmp_path: Path) -> None:
    api = client(tmp_path)
    api.post("/api/entry", json={"kind": "resume"})
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: api.post("/api/entry", json={"kind": "note", "text": f"n{n}"}),
                                range(40)))
    assert all(a.status_code == 200 for a in answers)
    record = read_log(tmp_path / "drill.jsonl")
    assert [e.seq for e in record.entries] == list(range(1, 42))
    minutes = [e.minutes for e in record.entries]
    assert minutes == sorted(minutes)  # stamped and written under one lock
    assert sorted(n.text for n in record.texts("note")) == sorted(f"n{n}" for n in range(40))


def test_a_resumed_drill_starts_paused_where_it_stopped(tmp_path: Path) -> None:
    api = client(tmp_path)
    for body in ({"kind": "resume"}, {"kind": "inject", "id": "I01"},
                 {"kind": "milestone", "id": "detected"}):
        api.post("/api/entry", json=body)
    stopped = api.get("/api/state").json()["entries"][-1]["minutes"]
    again = client(tmp_path, resume=tmp_path / "drill.jsonl")  # the first is abandoned, as if killed
    state = again.get("/api/state").json()
    assert (state["running"], state["revealed"], state["minutes"]) == (False, ["I01"], stopped)
    assert state["entries"][-1]["kind"] == "pause" and state["entries"][-1]["minutes"] == stopped


def test_the_readme_lists_the_keys_the_page_uses() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- keys checked by tests/drills/test_console_app.py -->\n", 1)[1]
    rows = [line.split("|")[1:3] for line in table.split("\n\n", 1)[0].splitlines()[2:]]
    keys = {key.strip().strip("`"): what.strip() for key, what in rows}
    script = (Path(__file__).parents[2] / "drills" / "console" / "facilitator.js").read_text()
    assert 'key === " "' in script and 'key === "n"' in script
    assert {k: v for k, v in keys.items() if k not in ("Space", "N")} == {
        key.upper(): MILESTONES[milestone] for milestone, key in KEYS.items()}


def test_a_port_in_use_is_one_clear_error_and_no_log(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    with pytest.raises(InputError, match=f"--port: cannot listen on 127.0.0.1:{port}: "):
        serve("stand-in", None, 1, "p50", 1, port, str(tmp_path / "drill.jsonl"), None, exercise)
    taken.close()
    assert not (tmp_path / "drill.jsonl").exists()


@pytest.mark.parametrize("scenario", ["gameday-database-recovery", "gameday-multi-vendor-outage",
                                      "gameday-notification-failure", "gameday-security-breach"])
def test_each_quarterly_game_day_scripted_abandoned_resumed_and_ended(tmp_path, scenario) -> None:
    """Every inject revealed and every milestone and plan deadline recorded through the API; the
    first server abandoned mid-drill as if killed; a second carries the drill to its end."""
    from drillsim.drills.exercise import build_exercise

    ex = build_exercise(scenario, None, 1, "p50", None)
    path = tmp_path / "drill.jsonl"

    def console(resume: bool) -> TestClient:
        log = open_log(scenario, None, 1, "p50", 60, None if resume else str(path),
                       str(path) if resume else None, ex.title)
        return TestClient(create_app(Console(ex, log)), base_url="http://127.0.0.1")

    half = len(ex.injects) // 2
    api = console(resume=False)
    assert api.post("/api/entry", json={"kind": "resume"}).status_code == 200
    for inject in ex.injects[:half]:
        assert api.post("/api/entry", json={"kind": "inject", "id": inject.id}).status_code == 200
    for milestone in ex.milestones[:3]:
        assert api.post("/api/entry", json={"kind": "milestone", "id": milestone.id}).status_code == 200
    before = api.get("/api/state").json()

    api = console(resume=True)
    after = api.get("/api/state").json()
    assert after["entries"][:-1] == before["entries"] and after["entries"][-1]["kind"] == "pause"
    assert after["revealed"] == [i.id for i in ex.injects[:half]] and not after["running"]
    api.post("/api/entry", json={"kind": "resume"})
    for inject in ex.injects[half:]:
        assert api.post("/api/entry", json={"kind": "inject", "id": inject.id}).status_code == 200
    for milestone in ex.milestones[3:]:
        assert api.post("/api/entry", json={"kind": "milestone", "id": milestone.id}).status_code == 200
    assert api.post("/api/entry", json={"kind": "end"}).status_code == 200

    record = read_log(path)
    assert record.start.scenario == scenario and record.state().ended
    assert list(record.milestones) == [m.id for m in ex.milestones]
    assert record.state().revealed == [i.id for i in ex.injects]
    assert [e.seq for e in record.entries] == list(range(1, len(record.entries) + 1))
