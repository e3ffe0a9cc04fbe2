/* Following: the idea round page remembers, in this browser only, the texts of the ideas
   voted on here; the impacts page (/seuraa/vaikutukset/<outcome>) marks those ideas.
   Nothing of it is sent anywhere: the server never learns which ideas a follower voted on. */
(function () {
  "use strict";
  var norm = function (t) { return (t || "").replace(/\s+/g, " ").trim().slice(0, 300); };
  var keyFor = function (roundId) { return "kuulas-voted:" + roundId; };
  function load(roundId) {
    try { return JSON.parse(window.localStorage.getItem(keyFor(roundId)) || "[]"); } catch (e) { return []; }
  }
  function remember(roundId, text) {
    var t = norm(text);
    if (!t) { return; }
    var list = load(roundId);
    if (list.indexOf(t) === -1) {
      list.push(t);
      try { window.localStorage.setItem(keyFor(roundId), JSON.stringify(list.slice(-1000))); } catch (e) { /* full or off */ }
    }
  }
  var round = document.querySelector(".idea-round[data-round]");
  if (round) {
    var roundId = round.getAttribute("data-round");
    round.querySelectorAll("[data-idea][data-voted] .idea-text").forEach(function (el) { remember(roundId, el.textContent); });
    document.addEventListener("submit", function (ev) {
      var form = ev.target;
      var card = form && form.closest && form.closest("[data-dealt]");
      var text = card && card.querySelector("[data-dealt-text]");
      if (text) { remember(roundId, text.textContent); }
    }, true);
  }
  var list = document.querySelector("[data-follow-round]");
  if (list) {
    var voted = load(list.getAttribute("data-follow-round"));
    var label = list.getAttribute("data-label-voted") || "";
    list.querySelectorAll("li[data-point-text]").forEach(function (li) {
      if (voted.indexOf(norm(li.getAttribute("data-point-text"))) !== -1) {
        li.classList.add("follow-voted");
        var badge = document.createElement("p");
        badge.className = "badge";
        badge.textContent = label;
        li.insertBefore(badge, li.firstChild);
      }
    });
  }
}());
