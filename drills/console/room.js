"use strict";
// The projector: the clock and the injects revealed so far, nothing else.

async function refreshRoom() {
  let room;
  try { room = await api("/api/room"); } catch (error) { return; }
  setClock(room);
  document.getElementById("title").textContent = room.title;
  document.title = room.title;
  document.getElementById("status").textContent = room.running ? "" : statusText(room);
  const list = document.getElementById("injects");
  if (list.children.length === room.injects.length) return;
  list.replaceChildren();
  for (const inject of room.injects.slice().reverse()) {
    const item = el("li", null, "inject");
    item.append(el("div", `${exerciseClock(inject.minutes)} · ${inject.module} · to ${inject.to}`, "when"));
    item.append(el("h2", inject.title));
    item.append(artefactList(inject.artefacts));
    list.append(item);
  }
}

startTicking();
refreshRoom();
setInterval(refreshRoom, 1000);
