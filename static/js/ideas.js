/* Idea rounds: progressive enhancement of the round page.
   Without JavaScript every form posts and the page reloads; with it, votes are sent with
   fetch and the next idea is dealt in place, and new ideas, vote counts, removals and the
   closing arrive over Socket.IO (namespace /ideas).  Text is always set with textContent,
   and every element holding participants' text gets dir="auto" (bidi isolation).  Counts
   arrive in batches (one event for many ideas, every few seconds at most), never per vote. */
(function () {
  "use strict";
  var root = document.querySelector(".idea-round");
  if (!root) { return; }
  var roundId = parseInt(root.getAttribute("data-round"), 10);
  var list = root.querySelector("[data-idea-list]");
  var label = function (name) { return root.getAttribute("data-label-" + name) || ""; };
  var ideaUrl = function (id) {
    return root.getAttribute("data-idea-url").replace(/\/IDEA$/, "/" + encodeURIComponent(id));
  };
  var validId = function (id) { return typeof id === "string" && /^[A-Za-z0-9]{12}$/.test(id); };
  // Plural forms come from the server (fi, sv and en: one for 1, other for the rest).
  var holder = root.querySelector("template[data-counts-template]");
  var template = holder && holder.content ? holder.content.querySelector("[data-counts]") : null;

  function drawCount(el, n) {
    var form = n === 1 ? el.getAttribute("data-one") : el.getAttribute("data-other");
    el.textContent = (form || "#").replace("#", String(n));
  }

  function setCounts(id, c) {
    if (!validId(id)) { return; }
    var item = list && list.querySelector('[data-idea="' + id + '"]');
    if (!item) { return; }
    ["agree", "disagree", "pass"].forEach(function (k) {
      var el = item.querySelector('[data-count="' + k + '"]');
      if (el && typeof c[k] === "number") { drawCount(el, c[k]); }
    });
  }

  function countsNode() {
    if (template) {
      var copy = template.cloneNode(true);
      copy.querySelectorAll("[data-count]").forEach(function (el) { drawCount(el, 0); });
      return copy;
    }
    var span = document.createElement("span");
    span.className = "idea-counts";
    return span;
  }

  function addIdea(idea) {
    if (!list || !validId(idea.id) || list.querySelector('[data-idea="' + idea.id + '"]')) { return; }
    var empty = list.querySelector("[data-empty]");
    if (empty) { empty.remove(); }
    var li = document.createElement("li");
    li.className = "idea idea-visible idea-new";
    li.id = "idea-" + idea.id;
    li.setAttribute("data-idea", String(idea.id));
    var p = document.createElement("p");
    p.className = "idea-text";
    p.setAttribute("dir", "auto");
    p.textContent = idea.text;
    var meta = document.createElement("p");
    meta.className = "meta";
    var badge = document.createElement("strong");
    badge.textContent = label("new");
    meta.appendChild(badge);
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(countsNode());
    var link = document.createElement("p");
    var a = document.createElement("a");
    a.href = ideaUrl(idea.id);
    a.textContent = label("open");
    link.appendChild(a);
    li.appendChild(p); li.appendChild(meta); li.appendChild(link);
    list.insertBefore(li, list.firstChild);
  }

  function changeIdea(data) {
    if (!validId(data.id)) { return; }
    var item = list && list.querySelector('[data-idea="' + data.id + '"]');
    if (!item) { return; }
    if (data.status === "withdrawn") { item.remove(); return; }
    if (data.status === "hidden") {
      item.className = "idea idea-hidden";
      while (item.firstChild) { item.removeChild(item.firstChild); }
      var p = document.createElement("p");
      p.className = "removed";
      var s = document.createElement("strong");
      s.textContent = label("removed");
      p.appendChild(s);
      p.appendChild(document.createTextNode(" "));
      var reason = document.createElement("bdi");
      reason.textContent = data.reason || "";
      p.appendChild(reason);
      item.appendChild(p);
    } else if (data.status === "visible" && data.text) {
      var t = item.querySelector(".idea-text");
      if (t) { t.textContent = data.text; }
    }
  }

  function closed() {
    root.setAttribute("data-accepting", "false");
    var notice = root.querySelector("[data-closed-notice]");
    if (notice) { notice.textContent = label("closed"); notice.hidden = false; }
    root.querySelectorAll(".vote-card, .write").forEach(function (el) { el.hidden = true; });
  }

  // Votes without reloading.
  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-vote-form]") || !window.fetch || !window.FormData || !window.URLSearchParams) { return; }
    var button = event.submitter;
    if (!button || !button.value) { return; }
    event.preventDefault();
    // Form-urlencoded (not multipart): the shape the vote gateway answers directly.
    var body = new URLSearchParams(new FormData(form));
    body.set("value", button.value);
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    var status = root.querySelector("[data-vote-status]");
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                         headers: { "Accept": "application/json", "X-Requested-With": "ideas.js" } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, json: j }; }); })
      .then(function (res) {
        if (!res.ok || !res.json.ok) {
          if (status) { status.textContent = (res.json && (res.json.detail || res.json.error)) || ""; }
          form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
          return;
        }
        if (status) { status.textContent = label("saved"); }
        var dealt = root.querySelector("[data-dealt]");
        var next = res.json.next;
        if (!dealt) { return; }
        if (!next) {
          while (dealt.firstChild) { dealt.removeChild(dealt.firstChild); }
          var p = document.createElement("p");
          p.textContent = label("nomore");
          dealt.appendChild(p);
          return;
        }
        dealt.querySelector("[data-dealt-text]").textContent = next.text;
        dealt.querySelector("[data-dealt-link]").href = next.url;
        form.querySelector('input[name="idea_id"]').value = String(next.id);
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        var heading = document.getElementById("vote-heading");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      })
      .catch(function () { form.submit(); });
  });

  // Live updates.
  if (typeof window.io !== "function") { return; }
  var socket = window.io("/ideas", { auth: { round: roundId } });
  socket.on("idea", addIdea);
  socket.on("counts", function (d) {
    if (!d || !Array.isArray(d.ideas)) { return; }
    d.ideas.forEach(function (c) { setCounts(c.id, c); });
  });
  socket.on("changed", changeIdea);
  socket.on("closed", closed);
})();
