// The full-text layout (static/css/app.css, .doc-layout) gives the document the rest of the
// viewport's height: CSS cannot know where the layout starts (the navigation and a review's
// notice wrap differently at each width), so this measures it, on load, resize and each swap.
(function () {
  "use strict";
  function fit() {
    document.querySelectorAll(".doc-layout").forEach(function (layout) {
      const top = layout.getBoundingClientRect().top + window.scrollY;
      layout.style.setProperty("--doc-top", Math.max(8, Math.round(top)) + "px");
    });
  }
  document.addEventListener("DOMContentLoaded", fit);
  document.addEventListener("htmx:afterSettle", fit);
  window.addEventListener("resize", fit);
})();
