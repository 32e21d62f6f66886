"""`drillsim drill serve`: the facilitator's console, a small local web app over a drill log.

The server owns the exercise clock and stamps every entry; an entry is fsynced to the log before
the browser is answered, and the page shows only what the server answered, so whatever the
facilitator saw acknowledged survives a killed server. Starlette and uvicorn are imported here
only, when a drill is served."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from drillsim.drills.drill_log import MILESTONES, DrillLog, Entry, Start, read_log, refuse_existing
from drillsim.scenarios.errors import InputError, Problem

if TYPE_CHECKING:
    from drillsim.drills.exercise import Exercise

STATIC = Path(__file__).parent / "console"
KEYS = {"detected": "d", "acknowledged": "a", "commander_assigned": "c", "status_page_posted": "s",
        "escalated": "e", "mitigated": "m", "resolved": "r"}
MAX_TEXT = 10_000


class Console:
    """The exercise clock and the log it stamps; one per served drill."""

    def __init__(self, exercise: Exercise, log: DrillLog) -> None:
        self.exercise, self.log = exercise, log
        self.speed = log.start.speed
        self._base = log.state.minutes  # the clock: minutes when it last stopped or started ...
        self._since: float | None = None  # ... and since when (monotonic seconds) it runs
        if log.state.running:  # resumed: the clock stood still while no server was running
            log.append("pause", self._base)
        targets = {m.id: m for m in exercise.milestones}
        self.milestones = [{"id": key, "label": label, "key": KEYS[key],
                            "target_minutes": getattr(targets.get(key), "target_minutes", None)}
                           for key, label in MILESTONES.items()]
        self.milestones += [{"id": m.id, "label": m.label, "key": None,
                             "target_minutes": m.target_minutes}
                            for m in exercise.milestones if m.id not in MILESTONES]
        self.injects = {inject.id: inject for inject in exercise.injects}

    def minutes(self) -> float:
        if self._since is None:
            return self._base
        return self._base + (time.monotonic() - self._since) * self.speed / 60

    def record(self, kind: str, **fields: Any) -> Entry:
        """Check, stamp and log one entry from the facilitator; ValueError says what is wrong."""
        with self.log.lock:
            state = self.log.state
            if state.ended:
                raise ValueError("the drill has ended")
            if kind == {True: "resume", False: "pause"}[state.running]:
                raise ValueError(f"the clock is already {'running' if state.running else 'paused'}")
            if kind == "milestone" and fields.get("id") not in {m["id"] for m in self.milestones}:
                raise ValueError(f"unknown milestone {fields.get('id')!r}")
            if kind == "inject" and fields.get("id") not in self.injects:
                raise ValueError(f"unknown inject {fields.get('id')!r}")
            if kind in ("note", "decision", "action"):
                text = str(fields.get("text", "")).strip()
                if not text or len(text) > MAX_TEXT:
                    raise ValueError(f"a {kind} needs text (at most {MAX_TEXT} characters)")
                fields = {"text": text, **(_action(fields) if kind == "action" else {})}
            elif kind not in ("milestone", "inject", "pause", "resume", "end"):
                raise ValueError(f"unknown kind {kind!r}")
            entry = self.log.append(kind, self.minutes(), **fields)
            if kind in ("pause", "end"):
                self._base, self._since = entry.minutes or 0.0, None
            elif kind == "resume":
                self._base, self._since = entry.minutes or 0.0, time.monotonic()
            return entry

    def clock(self) -> dict[str, Any]:
        state = self.log.state
        return {"minutes": self.minutes(), "running": state.running, "ended": state.ended,
                "speed": self.speed, "revealed": list(state.revealed)}

    def inject(self, inject: Any, facilitator: bool) -> dict[str, Any]:
        shown = dataclasses.asdict(inject)
        if not facilitator:  # the room sees what players are handed, not what is expected of them
            shown = {key: shown[key] for key in ("id", "minutes", "module", "title", "to", "artefacts")}
        return shown


def _action(fields: dict[str, Any]) -> dict[str, Any]:
    """An action item's owner and due date (YYYY-MM-DD, optional)."""
    owner, due = str(fields.get("owner") or "").strip(), str(fields.get("due") or "").strip()
    if len(owner) > 200:
        raise ValueError("an owner is a name (at most 200 characters)")
    try:
        return {"owner": owner, "due": dt.date.fromisoformat(due) if due else None}
    except ValueError:
        raise ValueError(f"due: expected a date YYYY-MM-DD, found {due!r}") from None


def _page(name: str) -> Any:
    async def page(request: Request) -> Response:
        return FileResponse(STATIC / name, headers={"Cache-Control": "no-store"})
    return page


def create_app(console: Console) -> Starlette:
    """The console's routes: two pages, their static files and a small JSON API."""

    def entries() -> list[dict[str, Any]]:
        return [e.model_dump(mode="json") for e in console.log.entries]

    async def exercise(request: Request) -> Response:
        ex = console.exercise
        start = f"{ex.start:%a %d %b %Y %H:%M} {ex.start.isoformat()[-6:]}"  # local, with its offset
        return JSONResponse({"title": ex.title, "start": start,
                             "log": str(console.log.path), "milestones": console.milestones,
                             "injects": [console.inject(i, True) for i in ex.injects]})

    async def state(request: Request) -> Response:
        return JSONResponse({**console.clock(), "entries": entries()})

    async def room(request: Request) -> Response:
        clock = console.clock()
        return JSONResponse({**clock, "title": console.exercise.title,
                             "injects": [console.inject(console.injects[i], False)
                                         for i in clock["revealed"]]})

    async def record(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("expected a JSON object")
            fields = {key: body[key] for key in ("id", "text", "owner", "due") if key in body}
            entry = await run_in_threadpool(console.record, str(body.get("kind")), **fields)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse({"entry": entry.model_dump(mode="json"), **console.clock()})

    return Starlette(
        routes=[Route("/", _page("facilitator.html")), Route("/room", _page("room.html")),
                Route("/api/exercise", exercise), Route("/api/state", state),
                Route("/api/room", room), Route("/api/entry", record, methods=["POST"]),
                Mount("/static", StaticFiles(directory=STATIC))],
        middleware=[Middleware(TrustedHostMiddleware,  # refuses pages that rebind a name to us
                               allowed_hosts=["127.0.0.1", "localhost"])])


def open_log(scenario: str | None, org: str | None, seed: int, at: str, speed: int,
             log_path: str | None, resume: str | None, title: str) -> DrillLog:
    """A new drill log, or the one being resumed."""
    if resume:
        log, record = DrillLog.resume(resume)
        for warning in record.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        return log
    started = dt.datetime.now().astimezone()
    path = log_path or f"drill-{Path(scenario or 'drill').stem}-{started:%Y%m%d-%H%M%S}.jsonl"
    return DrillLog.create(path, Start(kind="start", version=1, scenario=scenario or "",
                                       org=org, seed=seed, at=at, speed=speed, started=started,
                                       title=title))


def _build(scenario: str, org: str | None, seed: int, at: Any) -> Exercise:
    from drillsim.drills.exercise import build_exercise

    return build_exercise(scenario, org, seed, at, None)


def serve(scenario: str | None, org: str | None, seed: int, at: str, speed: int, port: int,
          log_path: str | None, resume: str | None,
          build: Callable[[str, str | None, int, Any], Exercise] | None = None) -> None:
    """Serve the console on 127.0.0.1 until Ctrl-C; `build(scenario, org, seed, at)` makes the
    exercise [default: the tabletop exercise model's]."""
    import uvicorn

    if resume and log_path:
        raise InputError([Problem("--log", None, "", "--resume carries on its own log; give one "
                                  "of --log and --resume")])
    if resume:
        start = read_log(resume).start
        if scenario and scenario != start.scenario:
            raise InputError([Problem(resume, 1, "scenario", f"this log is a drill of "
                                      f"{start.scenario!r}, not {scenario!r}")])
        scenario, org, seed, at, speed = start.scenario, start.org, start.seed, start.at, int(start.speed)
    elif not scenario:
        raise InputError([Problem("SCENARIO", None, "", "name a scenario, or --resume a log")])
    elif log_path:
        refuse_existing(Path(log_path))  # before simulating, not after
    exercise = (build or _build)(scenario, org, seed, at)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(128)  # connections wait in the backlog from now on, before uvicorn is up
    except OSError as exc:
        sock.close()
        raise InputError([Problem("--port", None, "", f"cannot listen on 127.0.0.1:{port}: "
                                  f"{exc.strerror}")]) from None
    log = open_log(scenario, org, seed, at, speed, log_path, resume, exercise.title)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    print(f"facilitator: {url}/\nroom:        {url}/room\ndrill log:   {log.path}", flush=True)
    server = uvicorn.Server(uvicorn.Config(create_app(Console(exercise, log)), log_level="warning"))
    try:
        server.run(sockets=[sock])
    finally:
        log.close()
    print(f"the drill ended; its log is {log.path}" if log.state.ended
          else f"stopped; carry on with: drillsim drill serve --resume {log.path}")
