// GoalGetter autosave, the page's side: "Saved" only once every edit is stored.
//
// Each keystroke in the goal's title or text gets a stamp, and the page shows "Saving…" from
// that moment (the class gg-unsaved on <html>), before any round trip. The editors send the
// stamp of the newest keystroke with their text (ggAutosave.sending); the server hands that
// stamp back, in the save status's data-confirmed, only once that text is stored. An edit is
// pending while its stamp differs from the one confirmed: stamps need only be unique, so a
// clock set back between two page loads changes nothing. Text still
// waiting in the editor's debounce is sent at once when the editor loses focus, when the page
// is hidden and when it is left; leaving warns while anything is unsent or failed.
(() => {
  "use strict";
  const FIELDS = { "goal-title": "title", "goal-editor": "content" };
  // Inputs whose text is only stored when submitted (Enter).
  const SUBMITTED_INPUTS = ["goal-tag-input", "milestone-title"];
  // A sent edit unconfirmed for this long did not reach the server (a save takes ~30 ms).
  const UNANSWERED_MS = 5000;

  const typed = {}; // "<goal>:<field>" -> stamp of the newest keystroke
  const sent = {}; // "<goal>:<field>" -> { stamp, at }
  let lastStamp = 0;
  let lastEditor = "";

  // Microseconds since 1970, strictly increasing within the page: unique.
  const newStamp = () => (lastStamp = Math.max(Date.now() * 1000, lastStamp + 1));
  const statusElement = () => document.getElementById("goal-save-status");
  const openGoal = () => statusElement()?.dataset.goal || "";

  const confirmed = () => {
    try {
      return JSON.parse(statusElement()?.dataset.confirmed || "{}");
    } catch {
      return {};
    }
  };

  const unconfirmed = (goal) => {
    const stored = confirmed();
    return Object.keys(typed).filter(
      (key) => (!goal || key.startsWith(goal + ":")) && typed[key] !== stored[key],
    );
  };

  const refresh = () => {
    const goal = openGoal();
    document.documentElement.classList.toggle(
      "gg-unsaved",
      goal !== "" && unconfirmed(goal).length > 0,
    );
  };

  // The server reopened the editor on its text (a restore, a conflict resolved): what was
  // typed before and never sent is gone from the editor, so it is no longer pending.
  const editorReopened = () => {
    const status = statusElement();
    const editor = status?.dataset.editor || "";
    if (editor === lastEditor) return;
    const goal = openGoal();
    if (lastEditor.split("-")[0] === goal) {
      for (const key of Object.keys(typed)) {
        if (key.startsWith(goal + ":") && typed[key] !== sent[key]?.stamp) delete typed[key];
      }
    }
    lastEditor = editor;
  };

  const unsentOrFailed = () => {
    const stored = confirmed();
    const now = Date.now();
    const unsent = Object.keys(typed).some((key) => typed[key] !== sent[key]?.stamp);
    const unanswered = Object.keys(sent).some(
      (key) => sent[key].stamp !== stored[key] && now - sent[key].at > UNANSWERED_MS,
    );
    const failed = statusElement()?.dataset.status === "error";
    const unsubmitted = SUBMITTED_INPUTS.some(
      (id) => (document.getElementById(id)?.value || "").trim() !== "",
    );
    return unsent || unanswered || failed || unsubmitted;
  };

  // The editors notify on blur: the pending text leaves at once.
  let refocus = null;
  const sendPending = () => {
    const active = document.activeElement;
    if (active && FIELDS[active.id]) {
      refocus = { id: active.id, start: active.selectionStart, end: active.selectionEnd };
      active.blur();
    }
  };

  document.addEventListener(
    "input",
    (event) => {
      const field = FIELDS[event.target.id];
      const goal = openGoal();
      if (!field || !goal) return;
      typed[`${goal}:${field}`] = newStamp();
      refresh();
    },
    true,
  );

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      sendPending();
      return;
    }
    const element = refocus && document.getElementById(refocus.id);
    if (element) {
      element.focus();
      element.setSelectionRange?.(refocus.start, refocus.end);
    }
    refocus = null;
  });

  // Capturing listeners on window run before Reflex's own, which closes the websocket.
  window.addEventListener("pagehide", sendPending, { capture: true });
  window.addEventListener(
    "beforeunload",
    (event) => {
      sendPending();
      if (unsentOrFailed()) {
        event.preventDefault();
        event.returnValue = "";
      }
    },
    { capture: true },
  );

  const watch = () => {
    const status = statusElement();
    if (!status || status.dataset.ggWatched) return;
    status.dataset.ggWatched = "1";
    new MutationObserver(() => {
      editorReopened();
      refresh();
    }).observe(status, { attributes: true });
    lastEditor = status.dataset.editor || "";
    refresh();
  };
  new MutationObserver(watch).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });

  window.ggAutosave = {
    // Called by the page as an editor sends its text: the stamp the server confirms back.
    sending(goal, field) {
      const key = `${goal}:${field}`;
      const stamp = typed[key] || 0;
      sent[key] = { stamp, at: Date.now() };
      return stamp;
    },
    // For tests and the curious: what is typed but not yet confirmed stored.
    pending: () => unconfirmed(""),
    unsentOrFailed,
  };
})();
