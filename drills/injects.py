"""From one simulated replication to an exercise's modules, cast and injects: each event the
players would notice becomes an inject for the role that would receive it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drillsim.drills import artefacts as props
from drillsim.drills.exercise import FACILITATOR, NOTICES, Artefact, CastMember, Inject, Module
from drillsim.scenarios.durations import format_duration as fmt

if TYPE_CHECKING:
    import pandas as pd

    from drillsim.scenarios.org import Organisation
    from drillsim.scenarios.scenario import Incident, Scenario
    from drillsim.sim.runner import Run

DETECTION = "Detection and escalation"
EVERYONE = "All responders"
COMMANDER = "Incident commander"
SUPPORT = "Customer support"
# incident types whose cause sits with a supplier: the players get the vendor's status notice
VENDOR_WORDS = ("vendor", "payment", "notification", "integration", "region", "provider")


def _events(run: Run, replication: int) -> pd.DataFrame:
    events = run.records.events
    return events[events["replication"] == replication]


def modules_of(run: Run, replication: int) -> list[Module]:
    """Detection first, then one module per response phase in the order phases first begin."""
    out = [Module(DETECTION, 0.0)]
    seen: set[str] = set()
    for row in _events(run, replication).itertuples():
        if row.kind == "phase" and row.detail not in seen:
            seen.add(row.detail)
            out.append(Module(str(row.detail)[:1].upper() + str(row.detail)[1:], float(row.at)))
    return out


def module_at(modules: list[Module], minutes: float) -> str:
    return [m.name for m in modules if m.minutes <= minutes][-1]


def _role_name(org: Organisation, ref: str) -> str:
    """A readable role from the engine's `as ...` / `for ...` detail."""
    kind, _, name = ref.partition(":")
    if not name:
        role = next((r for r in org.roles if r.id == ref), None)
        return (role.name or role.id) if role else ref
    if kind == "rotation":
        rotation = next((r for r in org.rotations if r.id == name), None)
        return on_call_role(rotation.name or rotation.id if rotation else name)
    return f"Specialist ({name})"


def on_call_role(rotation: str) -> str:
    """`Database on-call` stays as it is; `Engineering primary` becomes `... on call`."""
    plain = rotation.lower().replace("-", " ")
    return rotation if "on call" in plain else f"{rotation} on call"


def cast_of(run: Run, replication: int, start: dt.datetime, seed: int) -> list[CastMember]:
    """Who plays: everyone on call at the exercise start in each rotation, then everyone the
    simulated response brought in, in the role it brought them in for; a team the plan notifies
    but names nobody in gets a generated stand-in."""
    from drillsim.sim.oncall import on_call

    org = run.bundle.org
    people = {r.id: r for r in org.responders}
    teams = {t.id: t for t in org.teams}
    cast: list[CastMember] = []
    seen: set[tuple[str | None, str]] = set()

    def name_of(rid: str) -> str:
        return people[rid].name or props.faker_for(seed, f"person/{rid}").name()

    def add(member: CastMember) -> None:
        if (member.responder or member.name, member.role) not in seen:
            seen.add((member.responder or member.name, member.role))
            cast.append(member)

    for rotation in org.rotations:
        for rid in on_call(rotation, start):
            add(CastMember(name_of(rid), on_call_role(rotation.name or rotation.id), rid,
                           rotation.id))
    on_duty = {m.responder for m in cast}
    for row in _events(run, replication).itertuples():
        actor, detail = str(row.actor), str(row.detail)
        if row.kind == "acknowledged" and detail.startswith("as ") and actor in people:
            add(CastMember(name_of(actor), _role_name(org, detail[3:]), actor, None))
        elif row.kind == "acknowledged" and actor in people and actor not in on_duty:
            add(CastMember(name_of(actor), "Escalation contact", actor, None))
        elif row.kind in ("management_escalation", "financial_escalation"):
            if actor in people:
                add(CastMember(name_of(actor), "Management", actor, None))
            elif actor in teams:
                team = teams[actor].name or actor
                if not any(m.role == team for m in cast):
                    add(CastMember(props.faker_for(seed, f"team/{actor}").name(), team, None,
                                   None))
    return cast


def role_of(cast: list[CastMember], actor: str, default: str) -> str:
    """The first role a person plays."""
    return next((m.role for m in cast if m.responder == actor), default)


def name_of(cast: list[CastMember], actor: str, role: str) -> str:
    """A person's name, or the stand-in playing a team (`role` is the team's name)."""
    return next((m.name for m in cast if m.responder == actor), next(
        (m.name for m in cast if m.responder is None and m.role == role), actor))


@dataclass
class _Draft:
    minutes: float
    order: int
    kind: str
    title: str
    to: str
    expected: str
    target: str | None
    artefacts: list[Artefact] = field(default_factory=list)


def _signal_alert(org: Organisation, incident: Incident, channel: str) -> tuple[str, str] | None:
    """The alert (name, rule) of the incident's signal that fired on `channel`, if an alert."""
    for signal in incident.signals:
        if signal.alert is None:
            continue
        rule = org.alerts[signal.alert]
        if (rule.channel or signal.channel) == channel or channel in ("page", "monitoring"):
            op = f"above {rule.above:g}" if rule.above is not None else f"below {rule.below:g}"
            held = f" for {fmt(rule.for_)}" if rule.for_ else ""
            return signal.alert, f"{rule.metric} {op}{held}"
    return None


class _Builder:
    """Walks one replication's events in time order and drafts injects."""

    def __init__(self, run: Run, replication: int, cast: list[CastMember],
                 start: dt.datetime, seed: int, end: float) -> None:
        self.run, self.org, self.scenario = run, run.bundle.org, run.bundle.scenario
        self.events = _events(run, replication)
        self.incidents = run.records.incidents[run.records.incidents["replication"] == replication]
        self.cast, self.start, self.seed, self.end = cast, start, seed, end
        self.drafts: list[_Draft] = []
        self.commander: str | None = None
        support = {t.id for t in self.org.teams if "support" in f"{t.id} {t.name}".lower()}
        self.support = next((m.role for m in cast if m.rotation is not None and m.responder
                             and support & set(self.org.responder(m.responder).teams)), SUPPORT)

    def wall(self, minutes: float) -> dt.datetime:
        return (self.start + dt.timedelta(minutes=minutes)).astimezone(self.start.tzinfo)

    def fake(self, key: str) -> Any:
        return props.faker_for(self.seed, key)

    def add(self, minutes: float, kind: str, title: str, to: str, expected: str,
            target: str | None, artefacts: list[Artefact] | None = None) -> None:
        minutes = min(max(minutes, 0.0), self.end)
        self.drafts.append(_Draft(minutes, len(self.drafts), kind, title, to, expected, target,
                                  artefacts or []))

    def lead(self) -> str:
        return self.commander or EVERYONE

    def severity(self, i: int) -> str:
        row = self.incidents[self.incidents["incident"] == i]
        return str(row["severity"].iloc[0]) if len(row) else self.scenario.incidents[i].severity

    def target(self, i: int, name: str) -> str | None:
        limit = getattr(self.org.severities[self.severity(i)].targets, name)
        return None if limit is None else f"{name.replace('_', ' ')} within {fmt(limit)}"

    def first_paged(self, i: int, at: float) -> str:
        rows = self.events[(self.events["incident"] == i) & (self.events["kind"] == "paged")
                           & (self.events["at"] >= at)]
        for row in rows.itertuples():
            if not str(row.detail).startswith("for "):
                return role_of(self.cast, str(row.actor), EVERYONE)
        return EVERYONE

    def build(self) -> list[_Draft]:
        for row in self.events.itertuples():
            i, at, kind = int(row.incident), float(row.at), str(row.kind)
            incident = self.scenario.incidents[i]
            handler = getattr(self, f"on_{kind}", None)
            if handler is not None:
                handler(i, at, incident, str(row.actor), str(row.detail))
        return sorted(self.drafts, key=lambda d: (d.minutes, d.order))

    def on_started(self, i: int, at: float, incident: Incident, actor: str, detail: str) -> None:
        self.add(at, "started", f"Impact begins: {incident.title or incident.type}", FACILITATOR,
                 "None yet: nobody has noticed. Start the exercise clock.", None)

    def on_detected(self, i: int, at: float, incident: Incident, actor: str, detail: str) -> None:
        fake, when = self.fake(f"detected/{i}"), self.wall(at)
        found = _signal_alert(self.org, incident, actor)
        items = []
        if found is not None:
            items.append(props.alert(fake, when, incident, found[0], found[1], self.severity(i)))
        elif "ticket" in actor:
            items.append(props.tickets(fake, when, incident))
        elif "vendor" in actor:
            items.append(props.vendor(fake, when, incident))
        else:
            items.append(props.chat(fake, when, incident))
        items.append(props.logs(fake, when, incident))
        self.add(at, "detected", f"Detected by {actor}: {incident.title or incident.type}",
                 self.first_paged(i, at), "Acknowledge, confirm the impact, declare the incident "
                 "and open the incident channel.", self.target(i, "acknowledge"), items)
        severe = self.org.rank(self.severity(i)) <= 1
        if severe and any(s for s in incident.services):
            fake = self.fake(f"customers/{i}")
            self.add(at + 5, "customers", "Customers start to complain", self.support,
                     "Log the tickets against the incident and tell the incident channel what "
                     "customers see.", None,
                     [props.tickets(fake, self.wall(at + 5), incident),
                      props.social(fake, self.wall(at + 5))])
        if any(word in f"{incident.type} {incident.title}".lower() for word in VENDOR_WORDS):
            self.add(at + 15, "vendor", "A supplier posts a status notice", self.lead(),
                     "Decide whether the supplier's problem is ours, and whether to switch away "
                     "from it.", None, [props.vendor(self.fake(f"vendor/{i}"),
                                                     self.wall(at + 15), incident)])

    def on_escalated(self, i: int, at: float, incident: Incident, actor: str,
                     detail: str) -> None:
        self.add(at, "escalated", f"No answer in time: the page escalates ({detail})",
                 self.first_paged(i, at), "Acknowledge the escalated page and join.",
                 self.target(i, "acknowledge"))

    def on_acknowledged(self, i: int, at: float, incident: Incident, actor: str,
                        detail: str) -> None:
        if detail.startswith("as ") and ("command" in detail or detail == "as lead"):
            self.commander = _role_name(self.org, detail[3:])

    def on_declared(self, i: int, at: float, incident: Incident, actor: str,
                    detail: str) -> None:
        detected = self.incidents.loc[self.incidents["incident"] == i, "detected_at"].iloc[0]
        if at > detected + 0.01:
            self.add(at, "declared", f"The assessment confirms it: declared {detail}",
                     self.first_paged(i, at), "Page whoever the plan names for this severity "
                     "and open the incident channel.", self.target(i, "acknowledge"))

    def on_mobilising(self, i: int, at: float, incident: Incident, actor: str,
                      detail: str) -> None:
        role = _role_name(self.org, detail)
        self.add(at, "mobilising", f"The response needs: {role}", self.first_paged(i, at - 1e-9)
                 if self.commander is None else self.commander,
                 f"Call in the {role.lower()} and brief them.", None)

    def on_phase(self, i: int, at: float, incident: Incident, actor: str, detail: str) -> None:
        phase = next(p for p in incident.phases if p.name == detail)
        fake, when = self.fake(f"phase/{i}/{detail}"), self.wall(at)
        started = float(self.incidents.loc[self.incidents["incident"] == i, "started_at"].iloc[0])
        options = [o.name for o in phase.options]
        expected = (f"Choose a course of action: {'; '.join(options)}." if options
                    else f"Work the {detail} phase and report progress to the incident lead.")
        limit = self.org.severities[self.severity(i)].phase_targets.get(detail)
        self.add(at, "phase", f"{detail[:1].upper()}{detail[1:]}: "
                 f"{incident.title or incident.type}", EVERYONE, expected,
                 None if limit is None else f"{detail} over within {fmt(limit)}",
                 [props.dashboard(fake, when, incident, at - started), props.logs(fake, when,
                                                                                  incident, 3)])

    def on_option(self, i: int, at: float, incident: Incident, actor: str, detail: str) -> None:
        if ": " in detail:  # an option that cannot apply, e.g. no deployment to roll back
            name, reason = detail.split(": ", 1)
            self.add(at, "option", f"Not possible: {name} ({reason})", self.lead(),
                     "Drop this option and choose another.", None)

    def on_option_failed(self, i: int, at: float, incident: Incident, actor: str,
                         detail: str) -> None:
        self.add(at, "option_failed", f"It did not work: {detail}", self.lead(),
                 "Decide the next option and tell stakeholders the estimate has changed.", None)

    def on_inject(self, i: int, at: float, incident: Incident, actor: str, detail: str) -> None:
        self.add(at, "inject", detail[:1].upper() + detail[1:], self.lead(),
                 "Reassess the impact and the severity.", None)

    def on_severity_changed(self, i: int, at: float, incident: Incident, actor: str,
                            detail: str) -> None:
        self.add(at, "severity_changed", f"Severity changes: {detail}", self.lead(),
                 "Re-declare at the new severity: page whoever it adds and adjust the update "
                 "cadence.", self.target(i, "mitigate"))

    def who(self, actor: str) -> str:
        """`Name (role)` of a person or of the stand-in for a team."""
        team = next((t.name or t.id for t in self.org.teams if t.id == actor), actor)
        role = role_of(self.cast, actor, team)
        return f"{name_of(self.cast, actor, role)} ({role})"

    def unnoticed(self, i: int, at: float) -> bool:
        """Before the incident is detected nobody can act on what happens."""
        detected = self.incidents.loc[self.incidents["incident"] == i, "detected_at"].iloc[0]
        return not at >= detected

    def on_management_escalation(self, i: int, at: float, incident: Incident, actor: str,
                                 detail: str) -> None:
        who = self.who(actor)
        self.add(at, "management_escalation", f"{who} must be told: incident {detail}",
                 self.lead(), f"Brief {who.split(' (')[0]}: impact, actions, next update.", None)

    def on_financial_escalation(self, i: int, at: float, incident: Incident, actor: str,
                                detail: str) -> None:
        who = self.who(actor)
        title = f"Estimated cost {detail.removeprefix('cost ')} {self.org.currency}: notify {who}"
        if self.unnoticed(i, at):
            self.add(at, "financial_escalation", title, FACILITATOR, "Nothing yet: nobody knows. "
                     "Raise the cost once the incident is declared.", None)
            return
        self.add(at, "financial_escalation", title, self.lead(),
                 f"Tell {who.split(' (')[0]} the estimated cost and the plan.", None)

    def on_mitigated(self, i: int, at: float, incident: Incident, actor: str,
                     detail: str) -> None:
        fake = self.fake(f"mitigated/{i}")
        started = float(self.incidents.loc[self.incidents["incident"] == i, "started_at"].iloc[0])
        self.add(at, "mitigated", f"Impact ends: {incident.title or incident.type}", EVERYONE,
                 "Confirm recovery on the dashboard, keep watching, send an update.",
                 self.target(i, "mitigate"),
                 [props.dashboard(fake, self.wall(at), incident, at - started, recovered=True)])

    def on_resolved(self, i: int, at: float, incident: Incident, actor: str,
                    detail: str) -> None:
        self.add(at, "resolved", f"Resolved: {incident.title or incident.type}", self.lead(),
                 "Send the resolution notice and book the post-mortem.",
                 self.target(i, "resolve"))


def injects_of(run: Run, replication: int, modules: list[Module], cast: list[CastMember],
               start: dt.datetime, seed: int, end: float) -> list[Inject]:
    """The master scenario events list of one replication, numbered in time order."""
    drafts = _Builder(run, replication, cast, start, seed, end).build()
    return [Inject(f"I{n:02d}", d.minutes, module_at(modules, d.minutes), d.title, d.to,
                   d.expected, d.target, d.artefacts, d.kind)
            for n, d in enumerate(drafts, start=1)]


def notices_of(org: Organisation, scenario: Scenario) -> list[str]:
    """The notice types the exercise practises: initial, update and resolution always; a
    customer notice when a customer-facing service is hit; a regulator notice when a plan
    deadline applies to personal data."""
    tags = {t for i in scenario.incidents for t in i.tags}
    customer = any(i.services for i in scenario.incidents)
    regulator = any(set(d.tags) & {"personal-data", "privacy", "gdpr"} and set(d.tags) & tags
                    for p in org.severities.values() for d in p.deadlines) or (
        "personal-data" in tags)
    wanted = {"initial": True, "update": True, "resolution": True, "customer": customer,
              "regulator": regulator}
    return [n for n in NOTICES if wanted[n]]
