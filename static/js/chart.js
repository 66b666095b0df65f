// Charting page. (1) Show a dependent section only while its controlling choice is ticked (and
// the controlling field's own section is shown); the server decides the same on load and on
// submit, and hidden fields keep their drafts. (2) Warn before leaving while something typed
// has not reached the server (a save failed, was refused as stale, or is still on its way).
(function () {
  "use strict";
  function update() {
    const sections = Array.from(document.querySelectorAll("[data-depends-on]"));
    // Repeat so that a chain (a section depending on a field of a dependent section) settles.
    for (let pass = 0; pass <= sections.length; pass += 1) {
      let changed = false;
      sections.forEach(function (section) {
        const key = section.dataset.dependsOn;
        const choice = section.dataset.dependsChoice;
        const boxes = Array.from(document.querySelectorAll('input[type="checkbox"][name="' + CSS.escape(key) + '"]'));
        const ticked = boxes.some(function (box) { return box.checked && box.value === choice; });
        const parent = boxes.length ? boxes[0].closest(".chart-section") : null;
        const shown = ticked && !(parent && parent.classList.contains("d-none"));
        if (section.classList.contains("d-none") === shown) {
          section.classList.toggle("d-none", !shown);
          changed = true;
        }
      });
      if (!changed) break;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("chart-form");
    if (!form) return;
    let edits = 0;      // edits made on this page
    let saved = 0;      // edits the server has confirmed
    let leaving = false;
    // data-unsaved says whether anything typed is still unconfirmed (tests wait on it).
    function mark() { form.dataset.unsaved = saved >= edits ? "0" : "1"; }
    function edited() { edits += 1; mark(); }
    // Counted while capturing, before htmx (listening on the form) sends the save: that save
    // then carries this edit.
    form.addEventListener("input", edited, true);
    form.addEventListener("change", edited, true);
    form.addEventListener("change", update);
    form.addEventListener("htmx:beforeRequest", function (event) {
      event.detail.requestConfig.chartEdits = edits;
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      const xhr = event.detail.xhr;
      if (xhr && xhr.status === 200) {
        saved = Math.max(saved, event.detail.requestConfig.chartEdits || 0);
      }
      mark();
    });
    form.addEventListener("submit", function () { leaving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (leaving || saved >= edits) return;
      event.preventDefault();
      event.returnValue = "";
    });
    mark();
    update();
  });
})();
