/* The live opinion map: when the server broadcasts a redrawn (aggregate) map, fetch this
   page's map again, which brings the reader's own position with it: the position is never
   in the broadcast.  Without JavaScript or sockets the page is complete as served. */
(function () {
  "use strict";
  var box = document.querySelector("[data-opinion-map]");
  if (!box || box.getAttribute("data-live") !== "true" || typeof window.io !== "function") { return; }
  var roundId = parseInt(box.getAttribute("data-round"), 10);
  var url = box.getAttribute("data-fragment-url");
  var status = document.querySelector("[data-map-status]");
  var busy = false;

  function refresh() {
    if (busy) { return; }
    busy = true;
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "X-Requested-With": "opinion_map.js" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var current = document.querySelector("[data-opinion-map]");
        var tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        var fresh = tpl.content.querySelector("[data-opinion-map]");
        if (current && fresh) {
          current.replaceWith(fresh);
          if (status) { status.textContent = status.getAttribute("data-label-updated") || ""; }
        }
      })
      .catch(function () { /* keep the map shown; the next update tries again */ })
      .then(function () { busy = false; });
  }

  var socket = window.io("/ideas", { auth: { round: roundId } });
  socket.on("map", refresh);
  socket.on("closed", function () { window.location.reload(); });
})();
