"""The drill console in a real headless Chromium, against the server run as its own process:
milestones by button and by key, a note with markup in it shown as text, the room view, reload,
a SIGKILL mid-drill after which every entry the page showed is in the log, and --resume to the
end. Screenshots are kept in tests/drills/screenshots/ for a person to look at."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drillsim.drills.drill_log import read_log
from tests.browser import needs_chromium, watched_page

ROOT = Path(__file__).parents[2]
KEEP = Path(__file__).parent / "screenshots"
README_SHOT = ROOT / "tests" / "drills" / "console-facilitator.png"
NOTE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> <b>bold</b> & more'

pytestmark = needs_chromium


class Server:
    """The console as a subprocess on a free port: `drill serve ARGS...`, or the stand-in
    exercise of console_support.py when `stand_in` is a log path."""

    def __init__(self, *args: str, stand_in: Path | None = None, cwd: Path | None = None) -> None:
        argv = ([sys.executable, str(ROOT / "tests" / "drills" / "console_support.py"), str(stand_in),
                 "0", "60"] if stand_in else
                [str(Path(sys.executable).parent / "drillsim"), "drill", "serve", *args, "--port", "0"])
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                                        text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        assert first.startswith("facilitator: "), first + self.stop()
        self.printed = [first.rstrip("\n")] + [self.process.stdout.readline().rstrip("\n")
                                                for _ in range(2)]
        self.url = first.split()[-1].rstrip("/")

    def stop(self, sig: int = signal.SIGTERM) -> str:
        self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=10)
        return out + err


@pytest.fixture
def page(browser) -> Iterator:
    page = watched_page(browser)
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    page.close()


def logged(page, text: str) -> None:
    page.locator("#log li", has_text=text).wait_for()


def on_screen(page) -> dict[int, str]:
    """The entries the page shows as acknowledged: seq -> what it says."""
    items = page.locator("#log li")
    return {int(items.nth(i).get_attribute("data-seq")): items.nth(i).locator(".what").inner_text()
            for i in range(items.count())}


def shot(page, name: str) -> Path:
    KEEP.mkdir(exist_ok=True)
    page.screenshot(path=str(KEEP / name), full_page=name != "readme.png")
    return KEEP / name


def readme_example() -> tuple[list[str], list[str]]:
    """The README's `drill serve` command (its arguments) and what it prints."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```console\n$ drillsim drill serve ", 1)[1].split("```", 1)[0].splitlines()
    return block[0].split(), block[1:]


def test_record_by_button_and_key_note_as_text_room_and_reload(page, browser, tmp_path) -> None:
    server = Server(stand_in=tmp_path / "drill.jsonl")
    try:
        page.goto(server.url + "/")
        page.locator("[data-milestone=detected]").wait_for()
        assert page.locator("#title").inner_text() == "Database recovery <game day>"
        page.keyboard.press("Space")
        page.locator("#status", has_text="Running").wait_for()
        page.click("[data-milestone=detected]")
        logged(page, "Milestone: Detected")
        page.keyboard.press("a")
        logged(page, "Milestone: Acknowledged")
        page.keyboard.press("n")
        logged(page, "Inject I01 revealed: Replica lag alert fires")
        page.fill("#note-text", NOTE)
        page.click("#add-note")
        logged(page, "Note: <script>")
        page.focus("#note-text")
        page.keyboard.press("c")  # typing in the box records nothing
        page.fill("#note-text", "Fail over to the replica")
        page.click("#add-decision")
        logged(page, "Decision: Fail over")
        assert page.locator("#log li.entry-note .what").inner_text() == f"Note: {NOTE}"
        assert page.locator("#log img, #log b, #log script").count() == 0
        assert page.evaluate("window.pwned") is None
        assert page.locator("[data-milestone=acknowledged]").is_disabled()
        assert not page.locator("[data-milestone=commander_assigned]").is_disabled()
        shot(page, "stand-in.png")

        room = browser.new_page(viewport={"width": 1280, "height": 720})
        room.goto(server.url + "/room")
        room.locator(".inject h2", has_text="Replica lag alert fires").wait_for()
        assert "replication lag 900 s <b>high</b>" in room.locator(".artefact pre").inner_text()
        body = room.locator("body").inner_text()
        for hidden in ("Acknowledge the page", "Fail over", "pwned", "Writes failing", "Detected"):
            assert hidden not in body
        room.screenshot(path=str(KEEP / "room.png"))
        room.close()

        before = on_screen(page)
        page.reload()
        page.locator("#log li", has_text="Decision").wait_for()
        assert on_screen(page) == before
        assert page.locator("[data-milestone=detected]").is_disabled()
        assert page.locator("#injects li.revealed").count() == 1
    finally:
        server.stop()
    assert page.errors == []
    assert all(url.startswith(server.url) for url in page.requests)
    record = read_log(tmp_path / "drill.jsonl")
    assert set(record.milestones) == {"detected", "acknowledged"}
    assert [n.text for n in record.texts("note")] == [NOTE]


def test_killed_mid_drill_nothing_acknowledged_is_lost_and_resume_finishes(page, tmp_path) -> None:
    """A bundled quarterly game day, through the real command line."""
    args, printed = readme_example()
    log = tmp_path / args[args.index("--log") + 1]
    server = Server(*args, cwd=tmp_path)
    assert server.printed == [line.replace(":8765/", f":{server.url.rsplit(':', 1)[1]}/")
                              for line in printed]
    page.goto(server.url + "/")
    page.locator("[data-milestone=detected]").wait_for()
    page.keyboard.press("Space")
    page.locator("#status", has_text="Running").wait_for()
    page.keyboard.press("n")
    logged(page, "Inject I01")
    for key in "dacs":  # in quick succession; the server dies while some are in flight
        page.keyboard.press(key)
    logged(page, "Milestone: Detected")
    server.stop(signal.SIGKILL)
    page.wait_for_timeout(500)
    shown = on_screen(page)
    assert len(shown) >= 3
    entries = {e.seq: e for e in read_log(log).entries}
    for seq, text in shown.items():
        entry = entries[seq]  # every entry the page showed is on disk, as shown
        assert text.startswith({"milestone": "Milestone", "inject": "Inject", "resume": "Clock"}[entry.kind])
    assert len(entries) >= len(shown)

    server = Server("--resume", log.name, cwd=tmp_path)
    try:
        page.goto(server.url + "/")
        logged(page, "Clock paused")  # written when the server came back: the clock stood still
        assert page.locator("#status").inner_text() == "Paused"
        assert set(on_screen(page)) == set(entries) | {len(entries) + 1}  # + the pause at restart
        page.keyboard.press("Space")
        page.locator("#status", has_text="Running").wait_for()
        for key in "dacse":
            page.keyboard.press(key)
        logged(page, "Milestone: Escalated")
        page.keyboard.press("n")
        logged(page, "Inject I02")
        page.fill("#note-text", "Restore from last night's backup; the replica has the corruption too")
        page.click("#add-decision")
        logged(page, "Decision: Restore")
        page.fill("#note-text", "The integrity alert went to a muted channel")
        page.keyboard.press("Control+Enter")
        logged(page, "Note: The integrity alert")
        page.fill("#note-text", "Send integrity alerts to the paging channel")
        page.fill("#action-owner", "Ana Ruiz")
        page.fill("#action-due", "2026-05-15")
        page.click("#add-action")
        logged(page, "Action: Send integrity alerts to the paging channel (Ana Ruiz, due 2026-05-15)")
        page.locator("#note-text").focus()
        readme = shot(page, "readme.png")
        if os.environ.get("DRILLSIM_REGEN"):
            shutil.copy(readme, README_SHOT)
        page.keyboard.press("m")  # still typing: nothing recorded
        page.keyboard.press("Escape")  # leaves the box
        for key in "mr":
            page.keyboard.press(key)
        logged(page, "Milestone: Resolved")
        page.click("#end")
        page.locator("#status", has_text="Ended").wait_for()
        assert page.locator("#toggle").is_disabled()
    finally:
        server.stop()
    record = read_log(log)
    assert record.state().ended and record.warnings == ()
    assert [n.text for n in record.texts("note")] == ["The integrity alert went to a muted channel"]
    assert [(a.text, a.owner, str(a.due)) for a in record.actions] == [
        ("Send integrity alerts to the paging channel", "Ana Ruiz", "2026-05-15")]
    assert set(record.milestones) == {"detected", "acknowledged", "commander_assigned",
                                      "status_page_posted", "escalated", "mitigated", "resolved"}
    minutes = [e.minutes for e in record.entries]
    assert minutes == sorted(minutes)
    # the kill may refuse a request or cut a response short; nothing else may go wrong
    cut = ("Failed to fetch", "ERR_CONNECTION", "ERR_CONTENT_LENGTH_MISMATCH", "ERR_EMPTY_RESPONSE")
    assert all(any(c in e for c in cut) for e in page.errors), page.errors
