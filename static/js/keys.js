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
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const key = event.key === "?" ? "?" : event.key.toLowerCase();
    const candidates = document.querySelectorAll('[data-key="' + CSS.escape(key) + '"]');
    for (const el of candidates) {
      if (!visible(el) || el.disabled || el.closest("[inert]")) continue;
      event.preventDefault();
      if (el.dataset.keyAction === "focus") el.focus();
      else el.click();
      return;
    }
  });
})();
