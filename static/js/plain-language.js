/* The easy-to-read Finnish (selkokieli) switch: a link that works without JavaScript
   (?selko=1), here upgraded to show and hide the summary in place. */
(function () {
  "use strict";
  var blocks = document.querySelectorAll("[data-plain-language]");
  Array.prototype.forEach.call(blocks, function (block) {
    var link = block.querySelector(".plain-toggle");
    var panel = block.querySelector(".plain-summary");
    if (!link || !panel || link.dataset.ready) { return; }
    link.dataset.ready = "1";
    link.setAttribute("role", "button");
    link.addEventListener("keydown", function (e) {
      if (e.key === " ") { e.preventDefault(); link.click(); }
    });
    link.addEventListener("click", function (e) {
      e.preventDefault();
      var open = panel.hidden;
      panel.hidden = !open;
      link.setAttribute("aria-expanded", open ? "true" : "false");
      link.textContent = open ? link.dataset.hide : link.dataset.show;
      var url = open ? link.dataset.openUrl : link.dataset.closedUrl;
      link.setAttribute("href", (open ? link.dataset.closedUrl : link.dataset.openUrl) + "#selkokieli");
      if (window.history && history.replaceState) { history.replaceState(null, "", url + (open ? "#selkokieli" : "")); }
      if (open) { panel.setAttribute("tabindex", "-1"); panel.focus(); }
    });
  });
})();
