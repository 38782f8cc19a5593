// Sign-out asks the server first: it empties this tab's state, then posts the sign-out form
// (goalgetter/state/session.py). When the server cannot be reached, the form is posted all
// the same after a moment: the cookie must go, and the next connection's check empties the
// state the server still holds for this tab.
(() => {
  "use strict";
  const FALLBACK_MS = 3000;
  document.addEventListener(
    "click",
    (event) => {
      if (!event.target.closest?.("#signout")) return;
      window.setTimeout(() => {
        window.sessionStorage.removeItem("token");
        document.getElementById("signout-form")?.submit();
      }, FALLBACK_MS);
    },
    true,
  );
})();
