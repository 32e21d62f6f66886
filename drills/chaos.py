"""`drillsim export chaostoolkit`: a scenario as a Chaos Toolkit experiment for a live game day.
drillsim injects nothing itself: every fault, probe and rollback is a step whose provider the
team binds to their own tooling. Until then each step calls `unbound`, which refuses to run, so
an unbound experiment stops safely instead of doing something unplanned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drillsim.scenarios.org import Organisation
    from drillsim.scenarios.scenario import Bundle

GUARD_EVERY = 30  # seconds between checks of an abort criterion


def unbound(step: str, services: list[str] | None = None) -> None:
    """The provider of every exported step until the team binds it: refuses to run."""
    raise RuntimeError(f"bind the step {step!r} to your own provider before running this "
                       f"experiment (services: {', '.join(services or []) or 'none'})")


def _provider(step: str, services: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {"type": "python", "module": "drillsim.drills.chaos", "func": "unbound",
            "arguments": {"step": step, "services": list(services)}}


def _probe(name: str, services: list[str], tolerance: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "probe", "name": name, "tolerance": tolerance,
            "provider": _provider(name, services), **extra}


def _tolerance(alert: Any) -> dict[str, Any]:
    """The healthy range of an alert's metric: below its `above` threshold (from zero), or
    above its `below` threshold (to 100, the metrics being percentages)."""
    if alert.above is not None:
        return {"type": "range", "range": [0, alert.above]}
    return {"type": "range", "range": [alert.below, 100]}


def _steady_state(org: Organisation, services: list[str]) -> dict[str, Any]:
    probes = [_probe(f"{alert.metric} within its alert threshold ({name})", services,
                     _tolerance(alert)) for name, alert in org.alerts.items()]
    if not probes:
        probes = [_probe(f"{s} answers its health check", [s], True) for s in services]
    return {"title": "The affected services meet their targets", "probes": probes}


def _abort_controls(org: Organisation, services: list[str]) -> list[dict[str, Any]]:
    """The abort criteria as safeguard probes, checked every GUARD_EVERY seconds; one failing
    interrupts the experiment (the rollbacks still run)."""
    severe = " or ".join(list(org.severities)[:2])
    guards = [_probe(f"a real {severe} incident is open", [], False, frequency=GUARD_EVERY),
              _probe("customer data at risk beyond the drill's plan", services, False,
                     frequency=GUARD_EVERY),
              _probe("someone on call needs a player back", [], False, frequency=GUARD_EVERY)]
    guards += [_probe(f"{alert.metric} out of range outside the drill's services ({name})", [],
                      False, frequency=GUARD_EVERY) for name, alert in org.alerts.items()]
    return [{"name": "abort criteria", "provider": {
        "type": "python", "module": "chaosaddons.controls.safeguards",
        "arguments": {"probes": guards}}}]


def experiment(bundle: Bundle, fault_minutes: float | None = None) -> dict[str, Any]:
    """The Chaos Toolkit experiment of a drill scenario: each incident's fault starts at its
    offset, all faults end after `fault_minutes` (default: the plan's mitigate target for the
    most severe incident, else 1 hour), then rollbacks undo them again as a safety net."""
    scenario, org = bundle.scenario, bundle.org
    incidents = sorted(scenario.incidents, key=lambda i: float(i.at)
                       if isinstance(i.at, float) else 0.0)
    services = list(dict.fromkeys(s for i in incidents for s in i.services))
    worst = min(incidents, key=lambda i: org.rank(i.severity))
    hold = fault_minutes or org.severities[worst.severity].targets.mitigate or 60.0
    method: list[dict[str, Any]] = []
    previous = 0.0
    for incident in incidents:
        at = float(incident.at) if isinstance(incident.at, float) else 0.0
        step = f"start fault: {incident.type} on {', '.join(incident.services) or 'the system'}"
        action: dict[str, Any] = {"type": "action", "name": step,
                                  "provider": _provider(step, incident.services)}
        if at > previous:
            action["pauses"] = {"before": round((at - previous) * 60)}
        method.append(action)
        previous = at
    end = f"end faults: {', '.join(i.type for i in incidents)}"
    method.append({"type": "action", "name": end, "provider": _provider(end, services),
                   "pauses": {"before": round(max(hold - previous, 0) * 60)}})
    rollbacks = []
    for incident in incidents:
        fixes = [o.name for ph in incident.phases for o in ph.options] or ["undo the fault"]
        step = f"rollback: {incident.type} ({' or '.join(fixes)})"
        rollbacks.append({"type": "action", "name": step,
                          "provider": _provider(step, incident.services)})
    tags = ["drillsim", "gameday", *dict.fromkeys(i.type for i in incidents)]
    return {
        "version": "1.0.0",
        "title": scenario.description or scenario.name,
        "description": (f"Live game day of the drillsim scenario {scenario.name} against "
                        f"{org.name}. Bind every step's provider (now drillsim.drills.chaos."
                        "unbound, which refuses to run) to your own tooling first."),
        "tags": tags,
        "extensions": [{"name": "drillsim", "scenario": scenario.name, "organisation": org.name,
                        "fault_minutes": hold}],
        "steady-state-hypothesis": _steady_state(org, services),
        "method": method,
        "rollbacks": rollbacks,
        "controls": _abort_controls(org, services),
    }


def command(scenario: str, org: str | None, out: str | None, force: bool,
            fault_minutes: float | None) -> None:
    """`drillsim export chaostoolkit`: the experiment as JSON, on stdout or into `out`."""
    import click

    from drillsim.reports.files import write_text
    from drillsim.scenarios.errors import InputError, Problem
    from drillsim.scenarios.loader import load, resolve

    bundle = load(resolve(scenario), resolve(org) if org else None)
    if bundle.scenario.workload is not None:
        raise InputError([Problem(scenario, None, "workload", (
            "is a workload; a game day needs a drill scenario with explicit incidents"))])
    text = json.dumps(experiment(bundle, fault_minutes), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    if Path(out).exists():
        try:
            ours = any(e.get("name") == "drillsim" for e in json.loads(
                Path(out).read_text(encoding="utf-8")).get("extensions", []))
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours:
            raise InputError([Problem(out, None, "", "exists and is not an experiment drillsim "
                                      "exported; choose another file")])
        if not force:
            raise InputError([Problem(out, None, "", "exists; pass --force to replace it")])
    write_text(out, text)
    click.echo(f"wrote {out}")
