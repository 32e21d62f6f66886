"use strict";
// Shared by both views. User text is only ever set with textContent, never as markup.

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function exerciseClock(minutes) {
  const total = Math.floor(minutes * 60 + 1e-6);
  const pad = (n) => String(n).padStart(2, "0");
  return `T+${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

async function api(path, body) {
  const options = body === undefined ? {cache: "no-store"}
    : {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

// The clock ticks locally between answers from the server, which owns it.
const ticking = {minutes: 0, running: false, speed: 1, since: performance.now()};

function setClock(state) {
  Object.assign(ticking, {minutes: state.minutes, running: state.running, speed: state.speed,
                          since: performance.now()});
  tick();
}

function clockNow() {
  const elapsed = ticking.running ? (performance.now() - ticking.since) / 60000 * ticking.speed : 0;
  return ticking.minutes + elapsed;
}

function statusText(state) {
  return state.ended ? "Ended" : state.running ? "Running" : "Paused";
}

function artefactList(artefacts) {
  const list = el("div", null, "artefacts");
  for (const artefact of artefacts || []) {
    const box = el("div", null, "artefact");
    box.append(el("div", `${artefact.kind}: ${artefact.title}`, "artefact-title"));
    box.append(el("pre", artefact.body));
    list.append(box);
  }
  return list;
}

function tick() { document.getElementById("clock").textContent = exerciseClock(clockNow()); }

function startTicking() {
  tick();
  setInterval(tick, 250);
}
