"use strict";
// The facilitator's view. An entry appears in the drill log list only once the server has
// answered, i.e. once it is on disk.

let exercise = null;
let state = null;

function show(message) { document.getElementById("message").textContent = message; }

function describe(entry) {
  if (entry.kind === "milestone") {
    const milestone = exercise.milestones.find((m) => m.id === entry.id);
    return `Milestone: ${milestone ? milestone.label : entry.id}`;
  }
  if (entry.kind === "inject") {
    const inject = exercise.injects.find((i) => i.id === entry.id);
    return `Inject ${entry.id} revealed${inject ? `: ${inject.title}` : ""}`;
  }
  if (entry.kind === "note" || entry.kind === "decision") {
    return `${entry.kind === "note" ? "Note" : "Decision"}: ${entry.text}`;
  }
  if (entry.kind === "action") {
    const who = [entry.owner, entry.due && `due ${entry.due}`].filter(Boolean).join(", ");
    return `Action: ${entry.text}${who ? ` (${who})` : ""}`;
  }
  return {pause: "Clock paused", resume: "Clock running", end: "Drill ended"}[entry.kind] || entry.kind;
}

async function record(kind, fields) {
  try {
    await api("/api/entry", Object.assign({kind}, fields || {}));
    show("");
    await refresh();
    return true;
  } catch (error) {
    show(`Not recorded: ${error.message}`);
    return false;
  }
}

function nextInject() {
  return exercise.injects.find((inject) => !state.revealed.includes(inject.id));
}

function recordedMilestones() {
  const times = {};
  for (const entry of state.entries) {
    if (entry.kind === "milestone" && !(entry.id in times)) times[entry.id] = entry.minutes;
  }
  return times;
}

function renderMilestones() {
  const box = document.getElementById("milestones");
  const times = recordedMilestones();
  box.replaceChildren();
  for (const milestone of exercise.milestones) {
    const button = el("button", null, "milestone");
    button.dataset.milestone = milestone.id;
    button.append(el("span", milestone.label, "label"));
    if (milestone.key) button.append(el("kbd", milestone.key.toUpperCase()));
    const target = milestone.target_minutes === null ? "" : `target ${exerciseClock(milestone.target_minutes)}`;
    const done = milestone.id in times;
    button.append(el("span", done ? `at ${exerciseClock(times[milestone.id])}` : target, "when"));
    button.disabled = done || state.ended;
    button.classList.toggle("done", done);
    button.addEventListener("click", () => record("milestone", {id: milestone.id}));
    box.append(button);
  }
}

function renderInjects() {
  const list = document.getElementById("injects");
  const next = nextInject();
  const now = clockNow();
  list.replaceChildren();
  for (const inject of exercise.injects) {
    const revealed = state.revealed.includes(inject.id);
    const item = el("li", null, "inject");
    item.dataset.inject = inject.id;
    item.classList.toggle("revealed", revealed);
    item.classList.toggle("next", inject === next);
    item.classList.toggle("due", !revealed && inject.minutes <= now);
    const when = `${inject.id} · ${exerciseClock(inject.minutes)} · ${inject.module} · to ${inject.to}`;
    item.append(el("div", revealed ? `${when} · revealed` : when, "when"));
    item.append(el("h3", inject.title));
    if (!revealed || inject === next) {
      item.append(el("p", `Expected: ${inject.expected_action}`, "expected"));
      if (inject.target) item.append(el("p", `Target: ${inject.target}`, "expected"));
    }
    if (inject === next || !revealed) item.append(artefactList(inject.artefacts));
    list.append(item);
  }
  document.getElementById("reveal").disabled = !next || state.ended;
}

function renderLog() {
  const list = document.getElementById("log");
  list.replaceChildren();
  for (const entry of state.entries.slice().reverse()) {
    const item = el("li", null, `entry entry-${entry.kind}`);
    item.dataset.seq = entry.seq;
    item.append(el("span", exerciseClock(entry.minutes || 0), "when"));
    item.append(el("span", describe(entry), "what"));
    list.append(item);
  }
}

function render() {
  setClock(state);
  document.getElementById("status").textContent = statusText(state);
  document.getElementById("speed").textContent = state.speed === 1 ? "real time" : `${state.speed}× speed`;
  const toggle = document.getElementById("toggle");
  toggle.firstChild.textContent = state.running ? "Pause " : state.entries.length ? "Resume " : "Start clock ";
  for (const id of ["toggle", "end", "add-note", "add-decision", "add-action"]) document.getElementById(id).disabled = state.ended;
  renderMilestones();
  renderInjects();
  renderLog();
}

let shown = "";

async function refresh() {
  state = await api("/api/state");
  setClock(state);
  // Redraw only on a change, so a poll never swaps a button out from under a click.
  const due = exercise.injects.filter((inject) => inject.minutes <= clockNow()).length;
  const now = JSON.stringify([state.entries.length, state.running, state.ended, due]);
  if (now !== shown) render();
  shown = now;
}

async function addText(kind) {
  const box = document.getElementById("note-text");
  if (!box.value.trim()) { show(`Type the ${kind === "action" ? "action item" : kind} first.`); return; }
  const owner = document.getElementById("action-owner");
  const due = document.getElementById("action-due");
  const fields = kind === "action" ? {text: box.value, owner: owner.value, due: due.value} : {text: box.value};
  if (await record(kind, fields)) {
    box.value = "";
    if (kind === "action") { owner.value = ""; due.value = ""; }
  }
}

function toggleClock() { return record(state.running ? "pause" : "resume"); }

function revealNext() {
  const next = nextInject();
  if (next) record("inject", {id: next.id});
}

function onKey(event) {
  if (event.ctrlKey && event.key === "Enter" && event.target.id === "note-text") {
    event.preventDefault();
    addText("note");
    return;
  }
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName);
  if (typing && event.key === "Escape") { event.target.blur(); return; }
  if (typing || event.ctrlKey || event.metaKey || event.altKey || !state || state.ended) return;
  const key = event.key.toLowerCase();
  if (key === " ") {
    event.preventDefault();
    toggleClock();
    return;
  }
  if (key === "n") { revealNext(); return; }
  const milestone = exercise.milestones.find((m) => m.key === key);
  if (milestone && !(milestone.id in recordedMilestones())) record("milestone", {id: milestone.id});
}

async function main() {
  exercise = await api("/api/exercise");
  document.getElementById("title").textContent = exercise.title;
  document.title = `Facilitator: ${exercise.title}`;
  document.getElementById("start").textContent = exercise.start;
  document.getElementById("log-path").textContent = exercise.log;
  document.getElementById("toggle").addEventListener("click", toggleClock);
  document.getElementById("end").addEventListener("click", () => {
    if (confirm("End the drill? The log is closed for good.")) record("end");
  });
  document.getElementById("reveal").addEventListener("click", revealNext);
  document.getElementById("add-note").addEventListener("click", () => addText("note"));
  document.getElementById("add-decision").addEventListener("click", () => addText("decision"));
  document.getElementById("add-action").addEventListener("click", () => addText("action"));
  document.addEventListener("keydown", onKey);
  await refresh();
  startTicking();
  setInterval(() => refresh().catch(() => show("The console server is not answering.")), 2000);
}

main().catch((error) => show(`Cannot load the drill: ${error.message}`));
