// Text typed in the chat box and not sent yet survives a reload of the tab. It is kept in
// this tab's sessionStorage (never seen by another tab, gone with the tab), dropped once it
// is sent, and on sign-out, so the next person to use this tab never finds it.
(() => {
  "use strict";
  const KEY = "gg-chat-draft";
  const isChatBox = (node) => node?.id === "chat-input";

  document.addEventListener(
    "input",
    (event) => {
      if (isChatBox(event.target)) window.sessionStorage.setItem(KEY, event.target.value);
    },
    true,
  );
  document.addEventListener(
    "submit",
    (event) => {
      if (event.target.querySelector?.("#chat-input")) window.sessionStorage.removeItem(KEY);
    },
    true,
  );
  document.addEventListener(
    "click",
    (event) => {
      if (event.target.closest?.("#signout")) window.sessionStorage.removeItem(KEY);
    },
    true,
  );

  // The box is drawn after this script runs, and again after each move between pages: put
  // the draft back into each new box once.
  let filled = null;
  const restore = () => {
    const box = document.getElementById("chat-input");
    if (!box || box === filled) return;
    filled = box;
    const draft = window.sessionStorage.getItem(KEY);
    if (draft && !box.value) box.value = draft;
  };
  new MutationObserver(restore).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  restore();
})();
