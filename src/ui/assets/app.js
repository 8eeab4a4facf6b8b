// mlci's web view: live updates over server-sent events. The server sends
// HTML it has escaped; this script only places it. No inline scripts exist
// (the Content-Security-Policy forbids them).
"use strict";

// A part of the page that refreshes itself: `data-live` is its event feed,
// `data-fragment` the address of its new contents.
function followChanges(element) {
  const feed = new EventSource(element.dataset.live);
  let fetching = false;
  let again = false;
  async function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    try {
      const response = await fetch(element.dataset.fragment, { credentials: "same-origin" });
      if (response.ok) {
        element.innerHTML = await response.text();
        document.body.dataset.updated = String(Number(document.body.dataset.updated || 0) + 1);
      }
    } finally {
      fetching = false;
      if (again) { again = false; refresh(); }
    }
  }
  feed.addEventListener("changed", refresh);
  feed.addEventListener("end", () => { feed.close(); refresh(); });
}

// A running step's log: new lines are appended; the page keeps to the
// bottom while the reader is there.
function followLog(log) {
  const feed = new EventSource(log.dataset.follow);
  feed.addEventListener("lines", (event) => {
    const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    log.insertAdjacentHTML("beforeend", event.data);
    const empty = document.getElementById("log-empty");
    if (empty) { empty.remove(); }
    if (atBottom) { window.scrollTo(0, document.body.scrollHeight); }
  });
  feed.addEventListener("end", () => {
    feed.close();
    log.dataset.ended = "true";
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-live]").forEach(followChanges);
  document.querySelectorAll("[data-follow]").forEach(followLog);
});
