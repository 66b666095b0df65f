// Charting page: show a dependent section only while its controlling choice is ticked (and the
// controlling field's own section is shown). The server decides the same on load and on submit;
// hidden fields keep their drafts, they are just not asked for.
(function () {
  "use strict";
  function update(form) {
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
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
