"""The incident lifecycle as SimPy processes, run once per replication: impact starts, the first
signal detects it, an assessment may precede declaring it, routing by severity defers the page
or sends it, escalation runs until someone acknowledges, required people are mobilised, and work
phases (or response options tried in turn) run to mitigation and resolution."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.scenario import Phase, Scenario
from drillsim.sim.arrivals import IncidentState, incidents_for
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.escalation import Event, Paging
from drillsim.sim.obligations import Deadline, obligations, summary_row
from drillsim.sim.streams import Streams


@dataclass(frozen=True)
class RunRecords:
    """What one replication produced, as plain rows; frames are built once, by the caller."""

    replication: int
    incidents: list[IncidentState]
    events: list[Event]
    deadlines: list[Deadline]
    outcomes: list[dict[str, Any]]
    pages: list[int]
    night_pages: list[int]
    off_hours_pages: list[int]
    acknowledgements: list[int]
    engaged_minutes: list[float]
    incidents_worked: list[int]
    end_at: float


class Simulation(Paging):
    """One replication of a scenario against a compiled organisation."""

    def __init__(self, compiled: CompiledOrg, scenario: Scenario, streams: Streams) -> None:
        super().__init__(compiled, streams)
        self.scenario = scenario

    def run(self, replication: int) -> RunRecords:
        incidents = incidents_for(self.scenario, self.c.org, self.c.clock, self.streams)
        self.env.process(self._arrivals(incidents))
        self.env.run()
        deadlines: list[Deadline] = []
        outcomes = []
        end = self.env.now
        for inc in incidents:
            inc.detach()
            more_events, owed = obligations(inc, self.c, self.streams.obligations, end)
            self.events.extend(more_events)
            deadlines.extend(owed)
            outcomes.append(summary_row(inc, self.c, owed, end))
        return RunRecords(replication, incidents, self.events, deadlines, outcomes, self.pages,
                          self.night_pages, self.off_hours_pages, self.acknowledgements,
                          self.engaged_minutes, self.incidents_worked, self.env.now)

    def _arrivals(self, incidents: list[IncidentState]) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for inc in incidents:
            if inc.started_at > env.now:
                yield env.timeout(inc.started_at - env.now)
            env.process(self._lifecycle(inc))

    def _lifecycle(self, inc: IncidentState) -> Generator[simpy.Event, Any, None]:
        env = self.env
        may_change = any(i.severity for i in inc.template.injects)
        if may_change:
            inc.severity_changed = env.event()
        self._log(inc, "started", detail=f"{inc.template.type} {inc.severity}")
        if inc.template.injects:
            env.process(self._injects(inc))
        if inc.detect_delay == float("inf"):
            self._log(inc, "undetected", detail="no signal fires")
            return
        yield env.timeout(inc.detect_delay)
        inc.detected_at = env.now
        self._log(inc, "detected", inc.detected_by)
        if inc.assessment > 0:
            self._log(inc, "assessing")
            yield env.timeout(inc.assessment)
        inc.declared_at = env.now
        self._log(inc, "declared", detail=inc.severity)
        while (wait := self.c.routing_wait(inc.severity, env.now)) > 0:
            self._log(inc, "deferred", detail=f"{self.c.org.severities[inc.severity].paging.value} "
                                              f"for {format_duration(wait)}")
            if not may_change:  # nothing can cut the wait short
                yield env.timeout(wait)
                break
            changed = inc.severity_changed
            yield env.timeout(wait) | changed
            if not changed.triggered:
                break
        inc.paged_at = env.now
        policies = inc.template.escalation_policies or self.c.org.policies_for(
            inc.template.tags, inc.severity)
        # one track that no inject can add to: wait on its acknowledgement, saving an event
        single = len(policies) == 1 and not may_change
        inc.ack = None if single else env.event()
        for policy in policies:
            self._start_track(inc, self.c.policies[policy])
        yield inc.tracks[0].ack if single else inc.ack
        needed = [t for t in inc.template.requires if not self._satisfied(inc, t)]
        if len(needed) == 1:
            yield from self._mobilise(inc, needed[0])
        elif needed:
            yield env.all_of([env.process(self._mobilise(inc, t)) for t in needed])
        inc.engaged_at = env.now
        index = 0
        while index < len(inc.phases):  # injects may append phases while this runs
            phase, plan = inc.phases[index]
            self._log(inc, "phase", detail=phase.name)
            if isinstance(plan, float):
                yield env.timeout(plan * self._pace(inc, phase.skill, phase.unskilled_factor))
                worked = True
            else:
                worked = yield from self._try_options(inc, phase, plan)
            inc.phase_ends.setdefault(phase.name, env.now)
            if phase.mitigates and worked and inc.mitigated_at is None:
                inc.mitigated_at = env.now
                self._log(inc, "mitigated")
            index += 1
        inc.resolved_at = env.now
        if inc.mitigated_at is None:
            inc.mitigated_at = env.now
            self._log(inc, "mitigated")
        self._log(inc, "resolved")
        for r in list(inc.engaged):
            self._release(inc, r)
        if inc.done is not None:
            inc.done.succeed()

    def _try_options(self, inc: IncidentState, phase: Phase,
                     plan: tuple[tuple[float, bool], ...]) -> Generator[simpy.Event, Any, bool]:
        """Try the phase's response options in order until one works; False if none did."""
        for option, (base, works) in zip(phase.options, plan, strict=True):
            if option.when is not None and option.when not in inc.facts:
                self._log(inc, "option_skipped", detail=f"{option.name}: no {option.when}")
                continue
            self._log(inc, "option", detail=option.name)
            skill = option.skill or phase.skill
            yield self.env.timeout(base * self._pace(inc, skill, phase.unskilled_factor))
            if works:
                self._log(inc, "option_worked", detail=option.name)
                inc.restored = inc.restored or option.restores
                return True
            self._log(inc, "option_failed", detail=option.name)
        self._log(inc, "options_exhausted", detail=phase.name)
        return False

    def _injects(self, inc: IncidentState) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for order, inject in sorted(enumerate(inc.template.injects), key=lambda p: p[1].at):
            yield env.timeout(max(0.0, inc.started_at + inject.at - env.now))
            if inc.resolved_at is not None:
                continue
            self._log(inc, "inject", detail=inject.note)
            if inject.add_phase is not None:
                inc.phases.append((inject.add_phase, inc.injected[order]))
            if inject.severity and inject.severity != inc.severity:
                before, inc.severity = inc.severity, inject.severity
                self._log(inc, "severity_changed", detail=f"{before} -> {inc.severity}")
                assert inc.severity_changed is not None
                changed, inc.severity_changed = inc.severity_changed, env.event()
                changed.succeed()
                policy = self.c.policies[self.c.org.severities[inc.severity].escalation_policy]
                paging = {t.policy.id for t in inc.tracks}
                if (inc.paged_at is not None and inc.acknowledged_at is None
                        and policy.id not in paging):
                    self._start_track(inc, policy)

    def _pace(self, inc: IncidentState, skill: str | None, unskilled: float) -> float:
        """Multiplier on a phase's drawn duration given who is engaged."""
        engaged = inc.engaged
        speeds = self.c.speeds
        if skill is not None:
            skilled = [speeds[r] for r in engaged if r in self.c.skills.get(skill, ())]
            if skilled:
                return 1.0 / max(skilled)
            return unskilled / max((speeds[r] for r in engaged), default=1.0)
        return 1.0 / max((speeds[r] for r in engaged), default=1.0)


def simulate(compiled: CompiledOrg, scenario: Scenario, seed: int, replication: int) -> RunRecords:
    """Run replication `replication` of a scenario; the same arguments give the same records."""
    sim = Simulation(compiled, scenario, Streams.for_replication(seed, replication))
    return sim.run(replication)
