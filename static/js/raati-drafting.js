/* Digiraati room: the statement.  The secretary's versions, members' reviews and the lock
   arrive as room events (section, review, locked); raati-room.js hands them here and asks
   for a redraw.  Who may review or edit is the server's (the role's actions and the live
   "can" reasons), never decided here. */
(function () {
  "use strict";
  var K = window.KuulasRaatiKit;
  if (!K) { return; }
  var T = K.T, $ = K.$, el = K.el, userEl = K.userEl, bdi = K.bdi, fmt = K.fmt;

  K.drafting = function (ctx) {   // ctx: send(event, data, done, ctrl), announce(text), can()
    var sections = {}, order = [], locked = null;

    function apply(ev, live) {
      var d = ev.data || {};
      switch (ev.kind) {
        case "section":
          if (!sections[d.id]) { order.push(d.id); }
          sections[d.id] = { id: d.id, title: d.title, text: d.text, version: d.version, diff: d.diff, approve: 0, needs_change: 0,
            members: d.members, reset: d.reset || 0, comments: (sections[d.id] || {}).comments || [] };
          if (live && d.reset) { ctx.announce(fmt(d.reset === 1 ? T.reset_one : T.reset_other, { title: d.title, n: d.reset, v: d.version - 1 })); }
          return true;
        case "review":
          if (sections[d.id]) {
            sections[d.id].approve = d.approve; sections[d.id].needs_change = d.needs_change;
            if (d.members !== undefined) { sections[d.id].members = d.members; }
            if (d.comment) { sections[d.id].comments.push({ name: d.name, text: d.comment, verdict: d.verdict, version: d.version }); }
          }
          return true;
        case "locked": locked = d.sha256; return true;
      }
      return false;
    }

    function reviewForm(s, openDrafts) {
      var id = s.id, can = ctx.can();
      var f = el("form", { className: "review", id: "review-form-" + id });
      var fs = el("fieldset"), lg = el("legend", {}, T.send_review + ": ");
      lg.appendChild(bdi(s.title)); fs.appendChild(lg);
      ["approve", "needs_change"].forEach(function (v) {
        var rid = "rev-" + id + "-" + v, row = el("div", { className: "check" });
        row.appendChild(el("input", { type: "radio", name: "rev-" + id, id: rid, value: v }));
        row.appendChild(el("label", { "for": rid }, T[v])); fs.appendChild(row);
      });
      f.appendChild(fs);
      var cid = "rev-comment-" + id;
      f.appendChild(el("label", { "for": cid }, T.review_comment));
      var ta = el("textarea", { id: cid, rows: "2", maxlength: "2000" });
      if (openDrafts[cid]) { ta.value = openDrafts[cid]; }
      f.appendChild(ta);
      f.appendChild(el("button", { type: "submit", className: "button" }, T.send_review));
      if (can.review) {
        f.insertBefore(el("p", { className: "why-disabled", id: "why-review-" + id }, can.review), f.firstChild);
        Array.prototype.forEach.call(f.querySelectorAll("input, textarea, button"), function (x) { x.disabled = true; });
      }
      f.addEventListener("submit", function (e) {
        e.preventDefault();
        var c = f.querySelector("input:checked");
        if (!c) { K.controlError(f, T.choose_verdict); return; }
        ctx.send("review", { id: id, verdict: c.value, comment: ta.value }, function () { ta.value = ""; }, f);
      });
      return f;
    }

    function render() {
      var box = $("sections"), openDrafts = {};
      Array.prototype.forEach.call(box.querySelectorAll("textarea"), function (t) { if (t.value) { openDrafts[t.id] = t.value; } });
      box.textContent = "";
      var lockNote = $("statement-lock");
      if (locked) { lockNote.hidden = false; lockNote.textContent = fmt(T.locked, { hash: locked }); }
      var select = $("section-id"), keep = select ? select.value : "";
      if (select) { while (select.options.length > 1) { select.remove(1); } }
      order.forEach(function (id) {
        var s = sections[id];
        var art = el("article", { className: "section", "aria-labelledby": "section-h-" + id });
        art.appendChild(userEl("h3", { id: "section-h-" + id }, s.title));
        art.appendChild(userEl("p", { className: "prose" }, s.text));
        art.appendChild(el("p", { className: "meta" }, fmt(T.version, { n: s.version }) + " · " + fmt(T.tally, { a: s.approve, c: s.needs_change }) +
          (s.members ? " · " + fmt(s.members === 1 ? T.approvals_of_one : T.approvals_of_other, { a: s.approve, m: s.members }) : "")));
        if (s.reset && !locked) { art.appendChild(el("p", { className: "notice reset-notice" }, fmt(s.reset === 1 ? T.reset_one : T.reset_other, { title: s.title, n: s.reset, v: s.version - 1 }))); }
        if (s.version > 1 && s.diff) {
          var det = el("details"); det.appendChild(el("summary", {}, T.changes));
          var ul = el("ul", { className: "diff" });
          s.diff.forEach(function (pair) {
            if (pair[0] === " ") { return; }
            var dl = el("li", { className: pair[0] === "+" ? "diff-add" : "diff-del" }, (pair[0] === "+" ? T.added : T.removed_line) + ": ");
            dl.appendChild(userEl("span", {}, pair[1]));
            ul.appendChild(dl);
          });
          det.appendChild(ul); art.appendChild(det);
        }
        s.comments.filter(function (c) { return c.version === s.version; }).forEach(function (c) {
          var cp = el("p", { className: "comment" });
          cp.appendChild(bdi(c.name));
          cp.appendChild(document.createTextNode(" (" + (c.verdict === "approve" ? T.approve : T.needs_change) + "): "));
          cp.appendChild(userEl("span", {}, c.text));
          art.appendChild(cp);
        });
        if (K.roleMay("review") && !locked) { art.appendChild(reviewForm(s, openDrafts)); }
        box.appendChild(art);
        if (select) { select.appendChild(userEl("option", { value: String(id) }, s.title)); }
      });
      if (select) { select.value = keep; }
      var sf = $("section-form"); if (sf) { sf.hidden = !!locked; }
      var lb = $("lock-statement"); if (lb) { lb.hidden = !!locked; }
    }

    var sel = $("section-id");
    if (sel) {
      sel.addEventListener("change", function () {
        var s = sections[sel.value];
        $("section-title").value = s ? s.title : ""; $("section-text").value = s ? s.text : "";
      });
    }
    var form = $("section-form");
    if (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var id = sel.value ? parseInt(sel.value, 10) : null;
        var data = { title: $("section-title").value, text: $("section-text").value };
        if (id) { data.id = id; }
        ctx.send("section", data, function () { if (!id) { $("section-title").value = ""; $("section-text").value = ""; } }, form);
      });
    }
    return { apply: apply, render: render };
  };
})();
