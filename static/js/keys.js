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
  // A key means "this record, the one I am looking at". While a decision is on its way, or in the
  // first moments after another record appeared, a key would land on a record the reviewer has
  // not read: it is not taken, and the card says so at once (never kept for later, never lost
  // silently). 150 ms is about the quickest a person reacts to a new card; a key sooner than
  // that was meant for the card before.
  const SETTLE_MS = 150;
  let shownAt = 0;
  let shownRecord = null; // the record on screen (a preview's, while a decision is on its way)
  let upcoming = null; // {after, html}: the card the server expects next, fetched while reading
  let carried = null; // {text, count}: a "key ignored" notice to show on the card that comes next

  function card() {
    return document.querySelector("[data-key-card]");
  }
  function preview() {
    return document.querySelector("[data-card-preview]");
  }
  function deciding() {
    return !!(preview() || document.querySelector(".htmx-request"));
  }
  function busy() {
    return deciding() || Date.now() - shownAt < SETTLE_MS;
  }
  // A dialog (the key help) owns the keyboard, also while it fades in or out.
  function dialogOpen() {
    return document.body.classList.contains("modal-open") || !!document.querySelector(".modal.show, .modal-backdrop");
  }
  function announce(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }
  function showIgnored(key) {
    const box = (preview() || card() || document).querySelector("[data-key-ignored]");
    const why = deciding() ? "Saving your last decision" : "New record";
    const count = (parseInt(box && box.dataset.count, 10) || 0) + 1;
    if (box) {
      box.dataset.count = String(count);
      box.textContent = why + ": key \u201c" + key + "\u201d ignored" + (count > 1 ? " (" + count + " keys)" : "") +
        ". Read this record, then press it again.";
      box.hidden = false;
      // While the decision is on its way the card is about to be replaced: the notice goes
      // with the reviewer to the next card (a slow answer must not swallow it).
      carried = deciding() ? { text: box.textContent, count: box.dataset.count } : null;
    }
    announce("keys:ignored", { key: key, record: shownRecord, shown: !!(box && visible(box)) });
  }
  function press(key) {
    if (busy()) {
      showIgnored(key);
      return;
    }
    for (const el of document.querySelectorAll('[data-key="' + CSS.escape(key) + '"]')) {
      if (!visible(el) || el.disabled || el.closest("[inert]")) continue;
      const box = card() && card().querySelector("[data-key-ignored]");
      if (box) { box.hidden = true; box.dataset.count = "0"; }
      carried = null;
      announce("keys:taken", { key: key, record: shownRecord });
      if (el.dataset.keyAction === "focus") el.focus();
      else el.click();
      return;
    }
  }
  // data-keys-ready marks a card that takes keys (tests wait for it as a reviewer's eye would).
  function ready(el) {
    el.setAttribute("data-keys-ready", "");
  }
  function recordOf(el) {
    return el ? el.getAttribute("data-record") : null;
  }
  // While the reviewer reads, fetch the card that comes after this one, so that deciding shows
  // it at once. It stays inert until the server's answer confirms it: a key never decides a
  // prefetched card, and a stale guess (decided by someone else meanwhile) is just replaced.
  function prefetch(current) {
    upcoming = null;
    const form = current.querySelector("#decision-form");
    const record = recordOf(current);
    if (!form || !record) return;
    const url = form.getAttribute("action") + "?after=" + encodeURIComponent(record);
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.status === 200 ? response.text() : ""; })
      .then(function (html) { if (html && recordOf(card()) === record) upcoming = { after: record, html: html }; })
      .catch(function () { upcoming = null; });
  }
  function showPreview(current) {
    if (!upcoming || upcoming.after !== recordOf(current)) return;
    const holder = document.createElement("template");
    holder.innerHTML = upcoming.html.trim();
    const next = holder.content.firstElementChild;
    if (!next) return;
    // A picture of the next card: no ids, keys, forms or test ids of its own, and no PDF reader
    // (the real card loads its document once it is confirmed).
    next.querySelectorAll("[data-reader], script, link").forEach(function (el) { el.remove(); });
    next.querySelectorAll("[id], [data-key], [data-testid], [for]").forEach(function (el) {
      ["id", "data-key", "data-testid", "for", "name"].forEach(function (a) { el.removeAttribute(a); });
    });
    next.querySelectorAll("form").forEach(function (f) { f.removeAttribute("hx-post"); f.removeAttribute("action"); });
    ["id", "data-key-card", "tabindex"].forEach(function (a) { next.removeAttribute(a); });
    next.setAttribute("data-card-preview", "");
    next.setAttribute("data-testid", "card-preview");
    next.inert = true;
    const saving = document.createElement("p");
    saving.className = "small text-muted mb-1";
    saving.setAttribute("role", "status");
    saving.textContent = "Saving your decision\u2026";
    next.prepend(saving);
    current.before(next);
    current.hidden = true;
    next.querySelectorAll("[data-width]").forEach(function (bar) { bar.style.width = bar.dataset.width + "%"; });
    shown(recordOf(next));
  }
  function dropPreview() {
    const old = preview();
    if (old) old.remove();
  }
  // Another record on screen starts the guard; the same one again (a refused decision) does not.
  function shown(record) {
    if (record !== shownRecord) shownAt = Date.now();
    shownRecord = record;
  }
  function settle(current) {
    const wait = Math.max(0, SETTLE_MS - (Date.now() - shownAt));
    setTimeout(function () { if (current.isConnected) ready(current); }, wait);
    prefetch(current);
  }
  document.addEventListener("DOMContentLoaded", function () {
    const current = card();
    if (!current) return;
    shownRecord = recordOf(current);
    ready(current);
    prefetch(current);
  });
  // A decision the server will refuse for a missing reason or note keeps its card: no preview
  // of the next one flashing up before the message.
  function refusedForm(form, data) {
    if (!data || data.get("value") !== "exclude") return false;
    const reason = form.querySelector('input[name="reason"]:checked');
    if (!reason) return form.hasAttribute("data-reason-required");
    return reason.hasAttribute("data-note-required") && !String(data.get("note") || "").trim();
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    const current = card();
    const form = event.detail.elt;
    if (!current || !form || form.id !== "decision-form") return;
    const config = event.detail.requestConfig || {};
    if (!refusedForm(form, config.formData)) showPreview(current);
  });
  // Lost permission (403) or a review gone (404): keep the card and say why, never an empty page.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status !== 403 && status !== 404) return;
    event.detail.shouldSwap = false;
    const current = card();
    const box = current && current.querySelector("[data-refused]");
    if (box) {
      box.textContent = status === 403
        ? "Not saved: you may no longer screen this review (your role changed). Ask the review's lead; this record stays here."
        : "Not saved: this review is no longer open to you. Ask the review's lead; this record stays here.";
      box.hidden = false;
    }
  });
  // The swapped-in card keeps the preview's "key ignored" line: the reviewer is still reading it.
  document.addEventListener("htmx:afterSwap", function () {
    const old = preview();
    const said = old && old.querySelector("[data-key-ignored]:not([hidden])");
    const note = said ? { text: said.textContent, count: said.dataset.count } : carried;
    carried = null;
    dropPreview();
    const current = card();
    if (!current) return;
    shown(recordOf(current));
    const box = current.querySelector("[data-key-ignored]");
    if (note && box) {
      box.textContent = note.text;
      box.dataset.count = note.count;
      box.hidden = false;
    }
  });
  // No swap (server error, no connection, refused above): the card the reviewer was on returns.
  document.addEventListener("htmx:afterRequest", function () {
    if (!preview()) return;
    dropPreview();
    const current = card();
    if (current) { current.hidden = false; shown(recordOf(current)); settle(current); }
  });
  document.addEventListener("htmx:afterSettle", function () {
    const current = card();
    if (!current || current.hasAttribute("data-keys-ready")) return;
    shown(recordOf(current));
    settle(current);
    // The new record starts at its title: on a phone the old scroll position would show the
    // end of its abstract. Focus goes there too, so a screen reader reads the new title.
    const title = current.querySelector("[data-key-focus]") || current;
    if (current.getBoundingClientRect().top < 0) current.scrollIntoView({ block: "start" });
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
