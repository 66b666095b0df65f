// When an htmx request gets no answer (network down, server stopped) or the server fails, say
// so: otherwise a key press seems to do nothing. The page and the typed input stay as they are.
(function () {
  "use strict";
  function show(text) {
    const box = document.getElementById("request-problem");
    if (!box) return;
    box.textContent = text;
    box.classList.remove("d-none");
    box.scrollIntoView({ block: "nearest" });
  }
  function clear() {
    const box = document.getElementById("request-problem");
    if (box) box.classList.add("d-none");
  }
  document.addEventListener("htmx:sendError", function () {
    show("The server could not be reached, so nothing was saved. Check the connection and try again.");
  });
  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr ? event.detail.xhr.status : "";
    show("The server could not complete that (error " + status + "), so it may not have been saved. " +
      "Reload the page to see where things stand.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) clear();
  });
})();
