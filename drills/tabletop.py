"""The facilitator's document set for a tabletop exercise: situation manual, master scenario
events list, facilitator and evaluator guide, cast, artefacts, communication exercises, handouts
per role, hot-wash form and scorecard — all from one Exercise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from drillsim.drills.documents import (
    Block,
    Document,
    Section,
    bullets,
    csv_text,
    fields,
    h,
    p,
    pre,
    rendered,
    slug,
    table,
    write_folder,
)
from drillsim.drills.exercise import FACILITATOR, Exercise, Inject, Module
from drillsim.scenarios.durations import format_duration as fmt

if TYPE_CHECKING:
    from drillsim.scenarios.org import Organisation
    from drillsim.scenarios.scenario import Scenario

EVENT_COLUMNS = ("id", "time", "minutes", "module", "inject", "delivered_to", "expected_action",
                 "target")
SCORECARD_COLUMNS = ("milestone", "label", "target_minutes", "actual_minutes", "notes")
NOTICE_FIELDS = {
    "initial": ("Severity", "Systems affected", "What users see", "Incident commander",
                "Status", "Next update at"),
    "update": ("Time", "Status (investigating, identified, monitoring)", "What has been done",
               "What happens next", "Estimated recovery", "Next update at"),
    "resolution": ("Duration (start to end)", "Cause in one sentence", "What fixed it",
                   "What we keep watching", "Post-mortem date"),
    "customer": ("Subject line", "What is affected, in customers' words", "What we are doing",
                 "Workaround, if any", "When we will write again", "Where to follow updates"),
    "regulator": ("When we became aware", "What happened", "Whose data and roughly how many "
                  "people and records", "Likely consequences for them", "What we have done and "
                  "will do", "Contact for the authority"),
}
NOTICE_TITLES = {"initial": "Initial notice", "update": "Status update",
                 "resolution": "Resolution notice", "customer": "Customer notice",
                 "regulator": "Regulator notice"}
GROUND_RULES = (
    "This is a discussion: no system is touched and nobody is graded as a person.",
    "Answer as you would on the day, with the knowledge and tools you would have then.",
    "Decisions are made by the role that would make them; others advise.",
    "The facilitator hands out injects on the exercise clock and may pause it to discuss.",
    "Where the plan is unclear, say so: finding gaps is the point.",
    "Keep side conversations in the parking lot; the evaluator records them.",
)
HOT_WASH_RATINGS = (
    "We knew who was in charge at every point.",
    "The right people were paged and joined in time.",
    "Our first notice went out on time and said the right things.",
    "We chose a recovery option on evidence, not habit.",
    "The plan told us what to do; we did not have to improvise.",
    "Handoffs between people and teams lost nothing.",
)


def stamp(t: dt.datetime) -> str:
    """A local instant with its UTC offset, `2027-01-14 10:08 +00:00`."""
    return f"{t:%Y-%m-%d %H:%M} {t.isoformat()[-6:]}"


def clock(minutes: float) -> str:
    """The exercise clock, `T+1:05` (hours may exceed 24)."""
    total = round(minutes)
    return f"T+{total // 60}:{total % 60:02d}"


def _lead(ex: Exercise) -> str:
    return (f"{ex.organisation} · scenario {ex.scenario} · starts {stamp(ex.start)} "
            f"({ex.zone}) · seed {ex.seed}, times at the {ex.at} of {ex.replications} simulated "
            "runs")


def _org(ex: Exercise) -> tuple[Organisation, Scenario]:
    assert ex.bundle is not None
    return ex.bundle.org, ex.bundle.scenario


def _module_injects(ex: Exercise, module: Module, players: bool = True) -> list[Inject]:
    return [i for i in ex.injects if i.module == module.name
            and not (players and i.to == FACILITATOR)]


def _questions(ex: Exercise, module: Module) -> list[str]:
    """Discussion questions for a module: by the kind of phase, then by what happens in it."""
    name = module.name.lower()
    injects = _module_injects(ex, module, players=False)
    kinds = {i.kind for i in injects}
    out: list[str] = []
    if name.startswith("detection"):
        out += ["How would the first person learn of this, and how would they know it is real?",
                "What severity would you declare, and on what evidence?",
                "Who does the plan page at that severity, and who else would you call?"]
    elif "triage" in name:
        out += ["What do you know for sure, and what are you guessing?",
                "Who is the incident commander now, and where does the team talk?"]
    elif "investigate" in name:
        out += ["What evidence must be kept before anyone changes anything?",
                "When is the cause known well enough to act on?"]
    elif "recover" in name:
        out += ["How will you know it is really fixed, and who says so?",
                "What could the recovery itself break?"]
    else:
        out += [f"What is the goal of the {name} phase, and how do you know you reached it?"]
    _, scenario = _org(ex)
    for incident in scenario.incidents:
        for phase in incident.phases:
            if phase.name.lower() == name and phase.options:
                names = ", ".join(o.name for o in phase.options)
                out.append(f"Which would you try first: {names}? What would make you switch?")
    if kinds & {"management_escalation", "financial_escalation"}:
        out.append("Who tells management, what do they need to hear, and by when?")
    if "customers" in kinds:
        out.append("What do support agents tell customers right now?")
    if "vendor" in kinds:
        out.append("How do you confirm a supplier's fault, and what is the fallback?")
    if "severity_changed" in kinds:
        out.append("The severity changed: what changes for paging, updates and management?")
    return out


def _offset(ex: Exercise, at: float | dt.datetime) -> float:
    """Minutes from the exercise start of an incident's `at` (an offset or an instant)."""
    if isinstance(at, dt.datetime):
        aware = at if at.tzinfo is not None else at.replace(tzinfo=ex.start.tzinfo)
        return (aware - ex.start).total_seconds() / 60
    return float(at)


def situation_manual(ex: Exercise) -> Document:
    org, scenario = _org(ex)
    services = {s.id: s.name or s.id for s in org.services}
    scope = table(("Incident", "Severity", "Starts", "Services"), [
        (i.title or i.type, i.severity, clock(_offset(ex, i.at)),
         ", ".join(services.get(s, s) for s in i.services)) for i in scenario.incidents])
    objectives = [c.text for c in ex.checklist if c.milestone is not None]
    schedule = table(("Module", "Starts (local)", "Exercise clock"),
                     [(m.name, stamp(ex.wall(m.minutes)), clock(m.minutes)) for m in ex.modules])
    sections = [
        Section("Purpose", (p(f"To rehearse how {ex.organisation} responds to this scenario, "
                              "against the plan's own targets and deadlines, and to find where "
                              "the plan or its people need help before a real incident does."),)),
        Section("Scope", (p(ex.description or ex.title), scope,
                          p("A discussion-based exercise: no production system is changed."))),
        Section("Objectives", (p("By the end, the team has shown it can meet each of these:"),
                               bullets(objectives))),
        Section("Ground rules", (bullets(GROUND_RULES),)),
        Section("Schedule", (schedule,)),
    ]
    for module in ex.modules:
        seen = [f"{clock(i.minutes)} {i.title}" for i in _module_injects(ex, module)]
        sections.append(Section(
            f"Module: {module.name}",
            (p(f"From {clock(module.minutes)} ({stamp(ex.wall(module.minutes))})."),
             bullets(seen or ["Nothing new reaches the players in this module."]),
             h("Discussion questions"), bullets(_questions(ex, module))), new_page=True))
    return Document("situation-manual", f"Situation manual: {ex.title}", _lead(ex),
                    tuple(sections))


def event_rows(ex: Exercise) -> list[tuple[str, ...]]:
    """The master scenario events list, one row per inject, columns as EVENT_COLUMNS."""
    return [(i.id, ex.wall(i.minutes).isoformat(timespec="seconds"), f"{i.minutes:.2f}",
             i.module, i.title, i.to, i.expected_action, i.target or "") for i in ex.injects]


def events_list(ex: Exercise) -> Document:
    rows = [(i.id, stamp(ex.wall(i.minutes)), clock(i.minutes), i.module, i.title, i.to,
             i.expected_action, i.target or "–") for i in ex.injects]
    return Document("events", f"Master scenario events list: {ex.title}", _lead(ex), (
        Section("", (p("Every inject in time order, as the simulated run delivered it. "
                       "Injects to the facilitator set the scene and are not read out. The "
                       "same list is in events.csv."),
                     table(("ID", "Time (local)", "Clock", "Module", "Inject", "Delivered to",
                            "Expected action", "Target"), rows)),),))


def _trade_off(option_name: str, success: float, restores: bool, when: str | None,
               available: bool) -> str:
    words = []
    if success < 1:
        words.append(f"fails {1 - success:.0%} of the time, costing its whole duration")
    if restores:
        words.append("loses the data written since the last backup")
    if when is not None:
        words.append(f"only possible with {when}" + ("" if available else
                                                     " (this organisation does not have it)"))
    return "; ".join(words) or "no known catch"


def facilitator_guide(ex: Exercise) -> Document:
    org, scenario = _org(ex)
    decisions: list[Block] = []
    for incident in scenario.incidents:
        for phase in incident.phases:
            if not phase.options:
                continue
            decisions.append(h(f"{incident.title or incident.type}: {phase.name}"))
            decisions.append(table(("Option", "Typical time", "Mean", "Works", "Trade-off"), [
                (o.name, fmt(o.duration.p50()), fmt(o.duration.mean()), f"{o.success:.0%}",
                 _trade_off(o.name, o.success, o.restores, o.when,
                            o.when is None or o.when in org.capabilities or
                            o.when in incident.facts))
                for o in phase.options], numeric=(1, 2, 3)))
    ladder = [(name, policy.description or "–", fmt(policy.targets.acknowledge),
               fmt(policy.targets.mitigate), fmt(policy.targets.resolve))
              for name, policy in org.severities.items()]
    decisions += [h("Declaring a severity"), p(
        "Declaring high pages more people and starts tighter clocks; declaring low saves them "
        "but risks missing the plan's deadlines if the impact proves worse."), table(
        ("Severity", "Meaning", "Acknowledge", "Mitigate", "Resolve"), ladder)]
    policy = org.severities[ex.severity]
    tell = [(f"open {fmt(m.after)}", m.notify) for m in policy.management]
    tell += [(f"estimated cost {f.threshold:,.0f} {org.currency}", f.notify)
             for f in org.financial_escalations]
    if tell:
        decisions += [h(f"Who to tell, and when ({ex.severity})"), p(
            "Telling early brings help and cover but costs the commander's time; telling late "
            "risks leaders hearing it from customers first."),
            table(("When", "Tell"), tell)]
    milestones = table(
        ("Milestone", "Plan's target", "Scripted", "Model p50", "Model p90", "n"),
        [(m.label, "–" if m.target_minutes is None else clock(m.target_minutes),
          "–" if m.simulated_minutes is None else clock(m.simulated_minutes),
          "–" if m.p50_minutes is None else clock(m.p50_minutes),
          "–" if m.p90_minutes is None else clock(m.p90_minutes), m.n)
         for m in ex.milestones], numeric=(1, 2, 3, 4, 5))
    good: list[Block] = []
    for module in ex.modules:
        targets = sorted({i.target for i in _module_injects(ex, module, False) if i.target})
        good += [h(module.name), bullets(targets or ["No plan target falls due here; look for "
                                                     "clear ownership and steady updates."])]
    scorecard = table(("ID", "Checklist item", "Scored on", "Met?", "Observed at"),
                      [(c.id, c.text, c.milestone or "judgement", "☐ yes ☐ no", "")
                       for c in ex.checklist])
    observe: list[Block] = []
    for module in ex.modules:
        observe += [h(module.name), fields(("Time observed", "Who acted", "What they did",
                                            "Against the plan", "Strength", "To improve"))]
    return Document("facilitator-guide", f"Facilitator and evaluator guide: {ex.title}",
                    _lead(ex), (
        Section("Running the exercise", (
            p(f"The exercise clock starts at {stamp(ex.start)}. Injects come from replication "
              f"{ex.replication} (numbered from 0) of {ex.replications} simulated, the {ex.at} "
              "run ranked by when the last incident is resolved. Hand each inject to the role "
              "named in the events list; compress quiet stretches by moving the clock on."),
            p("Scripted times are that run's; the model's p50 and p90 come from all runs that "
              "reached the milestone (n of them). The plan's target is shown on the same clock."),
            milestones)),
        Section("Decision points", tuple(decisions), new_page=True),
        Section("What good looks like, by module", tuple(good), new_page=True),
        Section("Scorecard: the plan's checklist", (scorecard,), new_page=True),
        Section("Observation form", tuple(observe), new_page=True),
    ))


def cast_document(ex: Exercise) -> Document:
    rows = [(m.name, m.role, m.responder or "stand-in (generated)", m.rotation or "–")
            for m in ex.cast]
    return Document("cast", f"Participants: {ex.title}", _lead(ex), (
        Section("", (p(f"Who plays: everyone on call in each rotation at {stamp(ex.start)}, "
                       "then everyone the simulated response brought in. Where the plan names "
                       "only a team, a generated stand-in name is given: replace it with a "
                       "real person."),
                     table(("Name", "Role", "Responder", "Rotation"), rows))),))


def _cards(ex: Exercise, injects: Iterable[Inject], expected: bool) -> list[Section]:
    out = []
    for i in injects:
        blocks: list[Block] = [p(f"{stamp(ex.wall(i.minutes))} ({clock(i.minutes)}), to "
                                 f"{i.to}.")]
        if expected:
            blocks.append(p(f"Expected: {i.expected_action}"))
        blocks += [pre(a.title, a.body) for a in i.artefacts]
        out.append(Section(f"{i.id} · {i.title}", tuple(blocks)))
    return out


def artefacts(ex: Exercise) -> Document:
    with_props = [i for i in ex.injects if i.artefacts]
    return Document("artefacts", f"Artefacts: {ex.title}", _lead(ex),
                    tuple(_cards(ex, with_props, expected=False)))


def _notice_due(ex: Exercise, notice: str) -> str:
    org, _ = _org(ex)
    policy = org.severities[ex.severity]
    milestone = {m.id: m for m in ex.milestones}

    def at(key: str) -> str:
        m = milestone.get(key)
        return "" if m is None or m.simulated_minutes is None else \
            f" (scripted at {clock(m.simulated_minutes)})"

    if notice == "initial":
        return "As soon as the incident is declared" + at("detected") + "."
    if notice == "update":
        every = policy.status_updates.every if policy.status_updates else None
        return (f"Every {fmt(every)} while the incident is open." if every else
                "At every change of status.")
    if notice == "resolution":
        return "When the incident is resolved" + at("resolved") + "."
    wanted = "customer" if notice == "customer" else "notified"
    for d in policy.deadlines:
        if wanted in d.name and d.within is not None and (notice == "customer" or d.tags):
            return f"Within {fmt(d.within)} of the incident being {d.from_} (the plan's "\
                   f"'{d.name}')."
    return "When customers are affected." if notice == "customer" else \
        "Within the legal deadline that applies (often 72 hours from awareness)."


def communications(ex: Exercise) -> Document:
    sections = [Section(NOTICE_TITLES[n], (p(f"Due: {_notice_due(ex, n)}"), fields(
        NOTICE_FIELDS[n]), fields(("Sent at (exercise clock)", "Approved by"))),
        new_page=k > 0) for k, n in enumerate(ex.notices)]
    return Document("communications", f"Communication exercises: {ex.title}", _lead(ex),
                    (Section("", (p("Fill in each notice under the clock, as you would send "
                                    "it. The evaluator notes when it is ready."),)),
                     *sections))


def handouts(ex: Exercise) -> list[Document]:
    roles = list(dict.fromkeys(i.to for i in ex.injects if i.to != FACILITATOR))
    out = []
    for role in roles:
        players = [m.name for m in ex.cast if m.role == role]
        mine = [i for i in ex.injects if i.to == role]
        intro = p(f"Played by {', '.join(players)}." if players else
                  "Played by whoever the facilitator names.")
        out.append(Document(f"handout-{slug(role)}", f"Handout: {role}", _lead(ex),
                            (Section("", (intro, p("Only what reaches you, in order. Read each "
                                                   "item when the facilitator says so."))),
                             *_cards(ex, mine, expected=False))))
    return out


def hot_wash(ex: Exercise) -> Document:
    return Document("hot-wash", f"Hot-wash feedback: {ex.title}", _lead(ex), (
        Section("About you", (fields(("Name (optional)", "Role you played")),)),
        Section("How it went", (table(("Statement", "1 (disagree) to 5 (agree)"),
                                      [(s, "1 ☐ 2 ☐ 3 ☐ 4 ☐ 5 ☐") for s in HOT_WASH_RATINGS]),)),
        Section("In your words", (fields((
            "One thing that went well", "One thing that slowed us down",
            "One part of the plan that was unclear or wrong", "Something we should practise next")),
        )),
        Section("Actions", (table(("Action", "Owner", "Due"), [("", "", "")] * 5),)),
    ))


def scorecard_rows(ex: Exercise) -> list[tuple[str, str, str, str, str]]:
    return [(m.id, m.label, "" if m.target_minutes is None else f"{m.target_minutes:.2f}", "", "")
            for m in ex.milestones]


def index(ex: Exercise, names: list[str]) -> Document:
    return Document("index", f"Tabletop exercise: {ex.title}", _lead(ex), (
        Section("Documents", (bullets(names),)),
        Section("At a glance", (table(("", ""), [
            ("Starts", stamp(ex.start)), ("Organisation", ex.organisation),
            ("Graded severity", ex.severity), ("Injects", str(len(ex.injects))),
            ("Modules", ", ".join(m.name for m in ex.modules)),
            ("Runs simulated", f"{ex.replications} (seed {ex.seed}); injects from replication "
                               f"{ex.replication}, the {ex.at}")]),)),
    ))


def documents(ex: Exercise) -> dict[str, str]:
    """Every file of the set by name: Markdown and HTML of each document, and the CSVs."""
    docs = [situation_manual(ex), events_list(ex), facilitator_guide(ex), cast_document(ex),
            artefacts(ex), communications(ex), *handouts(ex), hot_wash(ex)]
    names = [f"{d.title.split(':')[0]} ({d.name}.md, {d.name}.html)" for d in docs]
    names += ["Events list as CSV (events.csv)", "Scorecard to fill in (scorecard.csv)"]
    files = rendered([index(ex, names), *docs])
    files["events.csv"] = csv_text(EVENT_COLUMNS, event_rows(ex))
    files["scorecard.csv"] = csv_text(SCORECARD_COLUMNS, scorecard_rows(ex))
    return files


def write_tabletop(ex: Exercise, folder: str | Path, force: bool) -> list[str]:
    """Write the document set into `folder` (new, empty, or an earlier set with `force`)."""
    about = {"scenario": ex.scenario, "organisation": ex.organisation, "seed": ex.seed,
             "at": ex.at, "start": ex.start.isoformat()}
    return write_folder(folder, "tabletop", documents(ex), about, force)


def command(scenario: str, org: str | None, date: dt.date | None, seed: int, at: str,
            out: str, force: bool) -> None:
    """`drillsim tabletop`: build the exercise, write the set, say what was written."""
    import click

    from drillsim.drills.exercise import AT, build_exercise

    assert at in AT
    ex = build_exercise(scenario, org, seed, at, date)
    written = write_tabletop(ex, out, force)
    roles = sum(name.startswith("handout-") and name.endswith(".md") for name in written)
    click.echo(f"{ex.scenario} against {ex.organisation}")
    click.echo(f"starts {stamp(ex.start)}: {len(ex.injects)} injects in {len(ex.modules)} "
               f"modules over {clock(ex.end_minutes)}")
    click.echo(f"times from replication {ex.replication} of {ex.replications}, the {ex.at} "
               f"(seed {ex.seed}); {len(ex.cast)} in the cast, {roles} handouts")
    click.echo(f"wrote {len(written)} files to {out}")
