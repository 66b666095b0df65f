// Progress bars carry their width as data-width (a percentage), set here through the DOM:
// a style="" attribute in the page would need style-src 'unsafe-inline' in the
// Content-Security-Policy. Runs on the page and on every fragment htmx swaps in.
(function () {
  "use strict";
  function apply(root) {
    const scope = root && root.querySelectorAll ? root : document;
    const bars = Array.from(scope.querySelectorAll("[data-width]"));
    if (scope.matches && scope.matches("[data-width]")) bars.push(scope);
    bars.forEach(function (bar) {
      const percent = Math.max(0, Math.min(100, parseFloat(bar.dataset.width) || 0));
      bar.style.width = percent + "%";
    });
  }
  if (window.htmx) {
    window.htmx.onLoad(apply);
  } else {
    document.addEventListener("DOMContentLoaded", function () { apply(document); });
  }
})();
