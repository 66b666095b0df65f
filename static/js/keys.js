// Keyboard shortcuts: a key clicks the visible, enabled element that declares it with data-key.
// The server stays the source of truth; without this script every button still works.
(function () {
  "use strict";
  // Fields that take typed text; a radio button or a checkbox does not, so keys still work there.
  const CHOICE_INPUTS = ["radio", "checkbox", "button", "submit", "reset"];
  function typing(target) {
    const tag = target.tagName;
    if (tag === "INPUT") return !CHOICE_INPUTS.includes(target.type);
    return target.isContentEditable || tag === "TEXTAREA" || tag === "SELECT";
  }
  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }
  // A key means "this record, the one I am looking at". While a decision is on its way, or just
  // after the next card appeared, a key would land on a record the reviewer has not read yet:
  // it is dropped (the form shows it is busy), never kept for later.
  const SETTLE_MS = 300;
  let settledAt = 0;
  function busy() {
    if (Date.now() - settledAt < SETTLE_MS) return true;
    return !!document.querySelector(".htmx-request, .htmx-settling, .htmx-swapping, .htmx-added");
  }
  // A dialog (the key help) owns the keyboard, also while it fades in or out.
  function dialogOpen() {
    return document.body.classList.contains("modal-open") || !!document.querySelector(".modal.show, .modal-backdrop");
  }
  function press(key) {
    if (busy()) return;
    for (const el of document.querySelectorAll('[data-key="' + CSS.escape(key) + '"]')) {
      if (!visible(el) || el.disabled || el.closest("[inert]")) continue;
      if (el.dataset.keyAction === "focus") el.focus();
      else el.click();
      return;
    }
  }
  // data-keys-ready marks a card that takes keys (tests wait for it as a reviewer's eye would).
  function ready(card) {
    card.setAttribute("data-keys-ready", "");
  }
  document.addEventListener("DOMContentLoaded", function () {
    const card = document.querySelector("[data-key-card]");
    if (card) ready(card);
  });
  document.addEventListener("htmx:afterSettle", function () {
    const card = document.querySelector("[data-key-card]");
    if (!card) return;
    settledAt = Date.now();
    setTimeout(function () { ready(card); }, SETTLE_MS);
    // The new record starts at its title: on a phone the old scroll position would show the
    // end of its abstract. Focus goes there too, so a screen reader reads the new title.
    const title = card.querySelector("[data-key-focus]") || card;
    if (card.getBoundingClientRect().top < 0) card.scrollIntoView({ block: "start" });
    title.focus({ preventScroll: true });
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (dialogOpen()) return;
    // Enter in any field of a decision form (a text box, a reason's radio button) would submit
    // the form with its first button, include: it only leaves the field.
    if (event.key === "Enter" && event.target.tagName === "INPUT" && event.target.closest("[data-key-card] form") &&
        !event.target.closest("[data-reader]")) {  // the PDF reader's own page and find boxes
      event.preventDefault();
      event.target.blur();
      return;
    }
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
