// Keyboard shortcuts: a key clicks the visible, enabled element that declares it with data-key.
// The server stays the source of truth; without this script every button still works.
(function () {
  "use strict";
  function typing(target) {
    const tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }
  // While htmx sends a decision or puts the next card in place, a key would hit a form htmx has
  // not wired up yet and post it the old way: wait until the page has settled.
  function busy() {
    return !!document.querySelector(".htmx-request, .htmx-settling, .htmx-swapping, .htmx-added");
  }
  // A dialog (the key help) owns the keyboard, also while it fades in or out.
  function dialogOpen() {
    return document.body.classList.contains("modal-open") || !!document.querySelector(".modal.show, .modal-backdrop");
  }
  // A key pressed while busy waits (only the latest one) and runs once the new card is ready.
  let pending = null;
  function press(key) {
    if (busy()) {
      pending = key;
      return;
    }
    for (const el of document.querySelectorAll('[data-key="' + CSS.escape(key) + '"]')) {
      if (!visible(el) || el.disabled || el.closest("[inert]")) continue;
      if (el.dataset.keyAction === "focus") el.focus();
      else el.click();
      return;
    }
  }
  document.addEventListener("htmx:afterSettle", function () {
    setTimeout(function () {
      if (pending !== null && !busy()) {
        const key = pending;
        pending = null;
        press(key);
      }
    }, 0);
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (dialogOpen()) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const key = event.key === "?" ? "?" : event.key.toLowerCase();
    if (!document.querySelector('[data-key="' + CSS.escape(key) + '"]')) return;
    event.preventDefault();
    press(key);
  });
})();
