// A header checkbox (data-select-all="NAME") ticks or clears every checkbox named NAME on the
// page, for the lead's bulk action. Without this script each row is ticked by hand.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const name = event.target.dataset && event.target.dataset.selectAll;
    if (!name) return;
    for (const box of document.querySelectorAll('input[type="checkbox"][name="' + CSS.escape(name) + '"]')) {
      box.checked = event.target.checked;
    }
  });
})();
