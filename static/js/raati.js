/* Digiraati room: a Socket.IO client that applies the room's ordered event log.
   Every event has a per-room sequence number; the client applies them in order, drops
   duplicates and, after any reconnect, asks the server for everything after the last one
   it applied.  The server is the only clock: countdowns run locally from its timestamps.
   Screen readers hear new messages and timer milestones through one polite live region. */
(function () {
  "use strict";
  var root = document.getElementById("raati-room");
  if (!root || typeof io === "undefined") { return; }
  var T = JSON.parse(document.getElementById("raati-i18n").textContent);
  var raatiId = parseInt(root.dataset.raati, 10);
  var meId = parseInt(root.dataset.me, 10);
  var myRole = root.dataset.role;
  // Times as the server writes them (kuulas.formats): the page's language and zone, e.g. 9.05.
  var timeFormat = {};
  try { timeFormat = JSON.parse(root.dataset.timeFormat || "{}"); } catch (e) { timeFormat = {}; }
  function clockTime(date) {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: timeFormat.tz || undefined, hour: "numeric", minute: "2-digit",
                                         hourCycle: "h23" })
        .formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    } catch (e) {
      parts = { hour: String(date.getHours()), minute: String(date.getMinutes()) };
    }
    var h = String(parseInt(parts.hour, 10) % 24), m = ("0" + parseInt(parts.minute, 10)).slice(-2);
    return (timeFormat.time || "H.mm").replace(/HH|H/, function (t) { return t === "HH" ? ("0" + h).slice(-2) : h; })
      .replace("mm", m);
  }
  var isMod = myRole === "moderator";
  var $ = function (id) { return document.getElementById(id); };

  function fmt(s, p) { return String(s).replace(/\{(\w+)\}/g, function (_, k) { return p[k]; }); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "className") { e.className = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  // User text (names, messages, questions, statement text) is isolated for bidi: a name in
  // Arabic must not reorder the punctuation around it.
  function userEl(tag, attrs, text) { var e = el(tag, attrs, text); e.setAttribute("dir", "auto"); return e; }
  function bdi(text) { return el("bdi", {}, text); }
  function plural(key, n) { return fmt(n === 1 ? T[key + "_one"] : T[key + "_other"], { n: n }); }
  var announceTimer = null;
  function announce(text) {
    var a = $("announcer");
    a.textContent = "";
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () { a.textContent = text; }, 50);
  }
  function showError(msg) {
    var box = $("room-error");
    box.textContent = "";
    if (msg) { box.appendChild(el("strong", {}, T.error + " ")); box.appendChild(document.createTextNode(msg)); }
  }
  // An error belongs next to the control that caused it: a live region right after the
  // control (inside a form: at its end), tied to the control with aria-describedby.
  var uid = 0;
  function errorSlot(ctrl) {
    if (!ctrl.id) { uid += 1; ctrl.id = "ctl-" + uid; }
    var id = ctrl.id + "-error", slot = $(id);
    if (!slot) {
      slot = el("p", { id: id, className: "error-text control-error", "aria-live": "assertive" });
      if (ctrl.tagName === "FORM") { ctrl.appendChild(slot); } else { ctrl.insertAdjacentElement("afterend", slot); }
    }
    var target = ctrl.tagName === "FORM" ? (ctrl.querySelector("textarea, input:not([type=radio]), select") || ctrl.querySelector("button")) : ctrl;
    if (target) {
      var ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (ids.indexOf(id) < 0) { ids.push(id); target.setAttribute("aria-describedby", ids.join(" ")); }
    }
    return slot;
  }
  // Errors by control id: controls the room redraws (polls, reviews, questions) get theirs back.
  var controlErrors = {};
  function controlError(ctrl, msg) {
    if (!ctrl) { showError(msg); return; }
    var slot = errorSlot(ctrl);
    if (msg) { controlErrors[ctrl.id] = msg; } else { delete controlErrors[ctrl.id]; }
    slot.textContent = "";
    if (msg) { slot.appendChild(el("strong", {}, T.error + " ")); slot.appendChild(document.createTextNode(msg)); }
  }

  // --- state -----------------------------------------------------------------------------
  var lastSeq = 0, pending = {}, replaying = true, clockOffset = 0;
  var names = {}, roles = {}, online = {}, muted = {};
  var messages = {}, hands = [], questions = {}, polls = {}, sections = {}, sectionOrder = [];
  var currentPhase = null, speaker = null;
  var timer = { endsAt: null, remaining: 0, running: false, announced: {} };

  var socket = io("/raati", {
    auth: function (cb) { cb({ raati: raatiId }); },
    transports: ["websocket", "polling"],
    reconnectionDelay: 500, reconnectionDelayMax: 3000
  });
  window.KuulasRaati = { socket: socket, lastSeq: function () { return lastSeq; } };

  function send(event, data, done, ctrl) {
    socket.timeout(10000).emit(event, data || {}, function (err, ack) {
      if (err) { controlError(ctrl, T.lost); return; }
      if (!ack || !ack.ok) { controlError(ctrl, ack ? ack.error : T.lost); return; }
      if (ctrl) { controlError(ctrl, ""); } else { showError(""); }
      if (done) { done(ack); }
    });
  }

  // What this member may do now, with the server's reason when not (its own rules: phase,
  // role, mute, a locked statement).  Controls that may not be used are disabled and the
  // reason is shown next to them.
  var can = {};
  var ABILITY_CONTROLS = { chat: ["message-form"], hand: ["hand-up"], question: ["question-form"] };
  function setDisabled(ctrl, reason, key) {
    if (!ctrl) { return; }
    var controls = ctrl.tagName === "FORM" ? ctrl.querySelectorAll("textarea, input, select, button") : [ctrl];
    Array.prototype.forEach.call(controls, function (c) { c.disabled = !!reason; });
    var id = "why-" + key, why = $(id);
    if (!why) {
      why = el("p", { id: id, className: "why-disabled" });
      if (ctrl.tagName === "FORM") { ctrl.insertBefore(why, ctrl.firstChild); } else { ctrl.insertAdjacentElement("beforebegin", why); }
    }
    why.textContent = reason || "";
    why.hidden = !reason;
    var target = ctrl.tagName === "FORM" ? ctrl.querySelector("textarea, input, button") : ctrl;
    if (target) {
      var ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
      if (reason) { ids.unshift(id); }
      if (ids.length) { target.setAttribute("aria-describedby", ids.join(" ")); } else { target.removeAttribute("aria-describedby"); }
    }
  }
  function applyAbilities() {
    Object.keys(ABILITY_CONTROLS).forEach(function (k) {
      ABILITY_CONTROLS[k].forEach(function (id) { setDisabled($(id), can[k] || null, k + "-" + id); });
    });
  }
  function refreshAbilities() { if (!replaying) { sync(lastSeq); } }

  function sync(after) {
    send("sync", { after: after }, function (ack) {
      if (ack.online) {
        online = {};
        ack.online.forEach(function (p) { online[p.id] = true; names[p.id] = p.name; roles[p.id] = p.role; muted[p.id] = p.muted; });
      }
      if (ack.can) { can = ack.can; }
      ack.events.forEach(offer);
      if (ack.more) { sync(lastSeq); return; }
      replaying = false;
      renderAll();
      applyAbilities();
      root.dataset.synced = String(lastSeq);
    });
  }

  function offer(ev) {
    if (ev.seq <= lastSeq) { return; }
    pending[ev.seq] = pending[ev.seq] || ev;
    while (pending[lastSeq + 1]) {
      var next = pending[lastSeq + 1];
      delete pending[lastSeq + 1];
      lastSeq = next.seq;
      apply(next);
    }
    root.dataset.seq = String(lastSeq);
    if (Object.keys(pending).length && !replaying) { sync(lastSeq); }  // a gap: ask again
  }

  // --- applying events --------------------------------------------------------------------
  function nameOf(id) { return names[id] || "?"; }
  function apply(ev) {
    var d = ev.data || {}, live = !replaying;
    // In every payload "name"/"role" belong to the event's author (ev.member); a member the
    // event is about comes as "target"/"target_name".  Never mix the two (a called member's
    // name must not become the moderator's).
    // A member who erased their data: the saved payloads keep an empty name (kuulas.personal).
    if ("name" in d && d.name === "") { d.name = T.former_member; }
    if ("target_name" in d && d.target_name === "") { d.target_name = T.former_member; }
    if (ev.member && d.name) { names[ev.member] = d.name; }
    if (ev.member && d.role) { roles[ev.member] = d.role; }
    if (d.target && d.target_name) { names[d.target] = d.target_name; }
    switch (ev.kind) {
      case "name": break;
      case "message":
        messages[ev.seq] = { seq: ev.seq, member: ev.member, body: d.body, at: ev.at, pinned: false, hidden: null };
        if (live) { renderMessage(messages[ev.seq], true); if (ev.member !== meId) { announce(fmt(T.new_message, { name: d.name, text: d.body })); } }
        return;
      case "pin": if (messages[d.target]) { messages[d.target].pinned = d.pinned; } break;
      case "hide": if (messages[d.target]) { messages[d.target].hidden = d.reason; } break;
      case "hand": hands.push(ev.member); break;
      case "hand_down": hands = hands.filter(function (m) { return m !== d.target; }); break;
      case "called":
        hands = hands.filter(function (m) { return m !== d.target; });
        speaker = d.target;
        if (live) { announce(d.target === meId ? T.you_called : fmt(T.called, { name: nameOf(d.target) })); }
        break;
      case "question": questions[d.id] = { id: d.id, body: d.body, name: d.name, votes: 0, answered: false, seq: ev.seq }; break;
      case "upvote": if (questions[d.id]) { questions[d.id].votes = d.votes; if (ev.member === meId) { questions[d.id].mine = true; } } break;
      case "answered": if (questions[d.id]) { questions[d.id].answered = true; } break;
      case "poll":
        polls[d.id] = { id: d.id, question: d.question, options: d.options, counts: d.options.map(function () { return 0; }), closed: false };
        if (live) { announce(fmt(T.poll_new, { q: d.question })); }
        break;
      case "poll_result": if (polls[d.id]) { polls[d.id].counts = d.counts; } break;
      case "poll_closed": if (polls[d.id]) { polls[d.id].counts = d.counts; polls[d.id].closed = true; } break;
      case "mute": case "unmute": muted[d.target] = ev.kind === "mute"; break;
      case "removed": delete online[d.target]; hands = hands.filter(function (m) { return m !== d.target; }); break;
      case "agenda":
        renderAgenda(d.phases || []);
        if (live) { announce(T.agenda_changed); }
        break;
      case "phase":
        currentPhase = d.id;
        $("phase-name").textContent = T.phases[d.kind] || d.kind;
        Array.prototype.forEach.call(document.querySelectorAll("#agenda li"), function (li) {
          var cur = parseInt(li.dataset.phase, 10) === d.id;
          li.classList.toggle("current", cur);
          if (cur) { li.setAttribute("aria-current", "step"); } else { li.removeAttribute("aria-current"); }
        });
        setTimer(d);
        if (live) { announce(fmt(T.phase_now, { name: T.phases[d.kind] || d.kind })); }
        break;
      case "timer": setTimer(d); break;
      case "section":
        if (!sections[d.id]) { sectionOrder.push(d.id); }
        sections[d.id] = { id: d.id, title: d.title, text: d.text, version: d.version, diff: d.diff, approve: 0, needs_change: 0,
          members: d.members, reset: d.reset || 0, comments: (sections[d.id] || {}).comments || [] };
        if (live && d.reset) { announce(fmt(d.reset === 1 ? T.reset_one : T.reset_other, { title: d.title, n: d.reset, v: d.version - 1 })); }
        break;
      case "review":
        if (sections[d.id]) {
          sections[d.id].approve = d.approve; sections[d.id].needs_change = d.needs_change;
          if (d.members !== undefined) { sections[d.id].members = d.members; }
          if (d.comment) { sections[d.id].comments.push({ name: d.name, text: d.comment, verdict: d.verdict, version: d.version }); }
        }
        break;
      case "locked": sections.locked = d.sha256; break;
    }
    if (live) {
      renderAll();
      if (ev.kind === "phase" || ev.kind === "locked" || ((ev.kind === "mute" || ev.kind === "unmute") && d.target === meId)) { refreshAbilities(); }
    }
  }

  // --- timer ----------------------------------------------------------------------------
  function setTimer(d) {
    timer.running = !!d.running;
    timer.endsAt = d.ends_at ? Date.parse(d.ends_at) : null;
    timer.remaining = d.remaining || 0;
    timer.announced = {};
    tick();
  }
  function secondsLeft() {
    if (timer.running && timer.endsAt) { return Math.max(0, Math.ceil((timer.endsAt - (Date.now() + clockOffset)) / 1000)); }
    return timer.remaining;
  }
  function tick() {
    var s = secondsLeft();
    var m = Math.floor(s / 60), r = s % 60;
    $("timer").textContent = (timer.running || s > 0) ? (m + ":" + (r < 10 ? "0" : "") + r) : "–";
    $("timer-state").textContent = timer.running ? "(" + T.running + ")" : (s > 0 ? "(" + T.paused + ")" : "");
    if (timer.running && !replaying) {
      var points = [0, 30, 60, 120];
      if (s % 300 === 0) { points.push(s); }
      if (points.indexOf(s) >= 0 && !timer.announced[s]) {
        timer.announced[s] = true;
        announce(s === 0 ? T.time_up : (s >= 60 ? plural("min_left", Math.round(s / 60)) : plural("sec_left", s)));
      }
    }
  }
  setInterval(tick, 1000);

  // --- rendering --------------------------------------------------------------------------
  function button(label, cls, onClick, aria) {
    var b = el("button", { type: "button", className: cls || "button-secondary" }, label);
    if (aria) { b.setAttribute("aria-label", aria); }
    b.addEventListener("click", onClick);
    return b;
  }
  function renderMessage(m, append) {
    var li = $("seq-" + m.seq) || el("li", { id: "seq-" + m.seq });
    li.className = "msg" + (m.hidden !== null ? " msg-hidden" : "") + (m.pinned ? " msg-pinned" : "") + (m.member === meId ? " msg-mine" : "");
    li.textContent = "";
    var meta = el("p", { className: "msg-meta" });
    var who = el("strong"); who.appendChild(bdi(nameOf(m.member))); meta.appendChild(who);
    if (roles[m.member] && roles[m.member] !== "member") { meta.appendChild(document.createTextNode(" (" + (T.roles[roles[m.member]] || "") + ")")); }
    var t = new Date(m.at);
    meta.appendChild(document.createTextNode(" · " + clockTime(t)));
    if (m.pinned) { meta.appendChild(document.createTextNode(" · ")); meta.appendChild(el("span", { className: "badge" }, T.pinned)); }
    li.appendChild(meta);
    if (m.hidden !== null) { li.appendChild(userEl("p", {}, fmt(T.hidden, { reason: m.hidden }))); }
    else { li.appendChild(userEl("p", { className: "msg-body" }, m.body)); }
    if (isMod && m.hidden === null) {
      var tools = el("div", { className: "msg-tools" });
      var pinB = button(m.pinned ? T.unpin : T.pin, "button-secondary", function () { send("pin", { seq: m.seq, pinned: !m.pinned }, null, pinB); });
      pinB.id = "pin-" + m.seq;
      tools.appendChild(pinB);
      var rid = "hide-reason-" + m.seq;
      tools.appendChild(el("label", { "for": rid, className: "visually-hidden" }, T.hide_reason));
      var reason = el("input", { id: rid, placeholder: T.hide_reason, maxlength: "300" });
      tools.appendChild(reason);
      var hideB = button(T.hide, "button-danger", function () { send("hide", { seq: m.seq, reason: reason.value }, null, hideB); });
      hideB.id = "hide-" + m.seq;
      tools.appendChild(hideB);
      li.appendChild(tools);
    }
    if (append && !li.parentNode) { $("messages").appendChild(li); }
    return li;
  }
  function renderAgenda(list) {
    var ol = $("agenda"), sel = $("phase-select");
    ol.textContent = "";
    list.forEach(function (p) {
      var li = el("li", { "data-phase": p.id }, (T.phases[p.kind] || p.kind) + " (" + fmt(T.minutes, { n: p.minutes }) + ")");
      if (p.id === currentPhase) { li.classList.add("current"); li.setAttribute("aria-current", "step"); }
      ol.appendChild(li);
    });
    if (sel) {
      sel.textContent = "";
      list.forEach(function (p, i) { sel.appendChild(el("option", { value: p.id }, (i + 1) + ". " + (T.phases[p.kind] || p.kind))); });
    }
  }
  function renderAll() {
    var list = $("messages");
    Object.keys(messages).map(Number).sort(function (a, b) { return a - b; }).forEach(function (seq) {
      var li = renderMessage(messages[seq], false);
      if (!li.parentNode) { list.appendChild(li); }
    });
    var pinned = $("pinned"); pinned.textContent = "";
    Object.keys(messages).forEach(function (k) {
      var m = messages[k];
      if (m.pinned && m.hidden === null) {
        var p = el("p", { className: "notice" }, T.pinned + ": ");
        p.appendChild(bdi(nameOf(m.member))); p.appendChild(document.createTextNode(": "));
        p.appendChild(userEl("span", {}, m.body));
        pinned.appendChild(p);
      }
    });
    // presence
    var pres = $("presence"); pres.textContent = "";
    Object.keys(online).map(Number).forEach(function (id) {
      var li = el("li", { "data-member": String(id) });
      li.appendChild(bdi(nameOf(id)));
      li.appendChild(document.createTextNode((id === meId ? " (" + T.you + ")" : "") + (roles[id] && roles[id] !== "member" ? " – " + (T.roles[roles[id]] || "") : "") + (muted[id] ? " – " + T.muted : "")));
      if (isMod && id !== meId) {
        var floorB = null, muteB;
        if (!muted[id]) {
          floorB = button(T.floor, "button-secondary", function () { send("moderate", { member: id, action: "floor" }, null, floorB); }, T.floor + ": " + nameOf(id));
          floorB.id = "floor-" + id; li.appendChild(floorB);
        }
        muteB = button(muted[id] ? T.unmute : T.mute, "button-secondary", function () { send("moderate", { member: id, action: muted[id] ? "unmute" : "mute" }, null, muteB); }, (muted[id] ? T.unmute : T.mute) + ": " + nameOf(id));
        muteB.id = "mute-" + id; li.appendChild(muteB);
        var removeB = button(T.remove, "button-danger", function () { confirmRemove(id, removeB); }, T.remove + ": " + nameOf(id));
        removeB.id = "remove-" + id; li.appendChild(removeB);
      }
      pres.appendChild(li);
    });
    $("speaker").textContent = speaker ? nameOf(speaker) : "–";
    // hands
    var q = $("hand-queue"); q.textContent = "";
    hands.forEach(function (id) {
      var li = el("li"); li.appendChild(bdi(nameOf(id)));
      if (id === meId) { li.appendChild(document.createTextNode(" (" + T.you + ")")); }
      q.appendChild(li);
    });
    // questions, most supported first
    var ql = $("questions"); ql.textContent = "";
    Object.keys(questions).map(function (k) { return questions[k]; })
      .sort(function (a, b) { return (a.answered - b.answered) || (b.votes - a.votes) || (a.seq - b.seq); })
      .forEach(function (x) {
        var li = el("li", { className: x.answered ? "answered" : "" });
        li.appendChild(userEl("p", {}, x.body));
        var meta = el("p", { className: "meta" });
        meta.appendChild(bdi(x.name));
        meta.appendChild(document.createTextNode(" · " + plural("votes", x.votes) + (x.answered ? " · " + T.answered : "")));
        li.appendChild(meta);
        if (!x.answered && !x.mine) {
          var up = button(T.upvote, "button-secondary", function () { send("upvote", { id: x.id }, null, up); }, T.upvote + ": " + x.body);
          up.id = "upvote-" + x.id;
          if (can.question) { up.disabled = true; up.setAttribute("aria-describedby", "why-question-question-form"); }
          li.appendChild(up);
        }
        if (isMod && !x.answered) {
          var ans = button(T.mark_answered, "button-secondary", function () { send("answered", { id: x.id }, null, ans); });
          ans.id = "answered-" + x.id; li.appendChild(ans);
        }
        ql.appendChild(li);
      });
    renderPolls();
    renderSections();
    Object.keys(controlErrors).forEach(function (id) {
      var c = $(id), slot = $(id + "-error");
      if (c && (!slot || !slot.textContent)) { controlError(c, controlErrors[id]); }
    });
  }
  function renderPolls() {
    var box = $("polls"); box.textContent = "";
    Object.keys(polls).map(Number).sort(function (a, b) { return b - a; }).forEach(function (id) {
      var p = polls[id], total = p.counts.reduce(function (a, b) { return a + b; }, 0);
      var f = el("form", { className: "poll", "data-poll": String(id) });
      var fs = el("fieldset"), lg = el("legend");
      lg.appendChild(userEl("span", {}, p.question));
      if (p.closed) { lg.appendChild(document.createTextNode(" (" + T.closed + ")")); }
      fs.appendChild(lg);
      p.options.forEach(function (o, i) {
        var rid = "poll-" + id + "-" + i, row = el("div", { className: "check" });
        var r = el("input", { type: "radio", name: "poll-" + id, id: rid, value: String(i) });
        if (p.closed || can.poll) { r.disabled = true; }
        var lab = el("label", { "for": rid }); lab.appendChild(bdi(o)); lab.appendChild(document.createTextNode(": " + p.counts[i]));
        row.appendChild(r); row.appendChild(lab);
        var bar = el("progress", { max: String(Math.max(total, 1)), value: String(p.counts[i]), "aria-hidden": "true" });
        row.appendChild(bar);
        fs.appendChild(row);
      });
      f.appendChild(fs);
      f.appendChild(el("p", { className: "meta" }, plural("answers", total)));
      f.id = "poll-form-" + id;
      if (!p.closed) {
        if (can.poll) { f.appendChild(el("p", { className: "why-disabled", id: "why-poll-" + id }, can.poll)); }
        var vb = el("button", { type: "submit", className: "button" }, T.vote);
        if (can.poll) { vb.disabled = true; vb.setAttribute("aria-describedby", "why-poll-" + id); }
        f.appendChild(vb);
        f.addEventListener("submit", function (e) {
          e.preventDefault();
          var c = f.querySelector("input:checked");
          if (!c) { controlError(f, T.choose_option); return; }
          send("vote", { id: id, option: parseInt(c.value, 10) }, null, f);
        });
        if (isMod) {
          var cb = button(T.close_poll, "button-secondary", function () { send("poll_close", { id: id }, null, cb); });
          cb.id = "poll-close-" + id; f.appendChild(cb);
        }
      }
      box.appendChild(f);
    });
  }
  var canReview = ["member", "chair", "secretary"].indexOf(myRole) >= 0;
  function renderSections() {
    var box = $("sections"), openDrafts = {};
    Array.prototype.forEach.call(box.querySelectorAll("textarea"), function (t) { if (t.value) { openDrafts[t.id] = t.value; } });
    box.textContent = "";
    var locked = sections.locked;
    var lockNote = $("statement-lock");
    if (locked) { lockNote.hidden = false; lockNote.textContent = fmt(T.locked, { hash: locked }); }
    var select = $("section-id");
    if (select) {
      var keep = select.value;
      while (select.options.length > 1) { select.remove(1); }
    }
    sectionOrder.forEach(function (id) {
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
      if (canReview && !locked) {
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
          if (!c) { controlError(f, T.choose_verdict); return; }
          send("review", { id: id, verdict: c.value, comment: ta.value }, function () { ta.value = ""; }, f);
        });
        art.appendChild(f);
      }
      box.appendChild(art);
      if (select) { select.appendChild(userEl("option", { value: String(id) }, s.title)); }
    });
    if (select) { select.value = keep; }
    var sf = $("section-form"); if (sf) { sf.hidden = !!locked; }
    var lb = $("lock-statement"); if (lb) { lb.hidden = !!locked; }
  }

  // --- connection ------------------------------------------------------------------------
  var everConnected = false;
  socket.on("connect", function () {
    $("conn-status").textContent = everConnected ? T.caught_up : T.connected;
    root.dataset.connected = "true";
    everConnected = true;
    replaying = true;
    sync(lastSeq);
  });
  socket.on("disconnect", function () { $("conn-status").textContent = T.lost; root.dataset.connected = "false"; });
  socket.on("connect_error", function (err) {
    // A refusal carries the server's translated reason (e.g. too many windows open).
    var data = err && err.data;
    if (data && data.error) {
      $("conn-status").textContent = data.error;
      if (data.code === "too_many_connections" || data.code === "access_denied") { socket.io.opts.reconnection = false; socket.disconnect(); }
      return;
    }
    $("conn-status").textContent = T.lost;
  });
  socket.on("event", function (ev) {
    if (replaying) { pending[ev.seq] = pending[ev.seq] || ev; return; }  // sync will fill in order
    offer(ev);
  });
  socket.on("presence", function (batch) {  // {members: [...]}: who came or went, batched by the server
    (batch.members || []).forEach(function (p) {
      names[p.member] = p.name; roles[p.member] = p.role;
      if (p.online) { online[p.member] = true; } else { delete online[p.member]; }
    });
    if (!replaying) { renderAll(); }
  });
  socket.on("room_error", function (p) { showError(p && p.error ? p.error : T.lost); });
  socket.on("kicked", function (p) { showError(p.reason || T.kicked); socket.io.opts.reconnection = false; });

  // --- controls --------------------------------------------------------------------------
  function onSubmit(id, fn) { var f = $(id); if (f) { f.addEventListener("submit", function (e) { e.preventDefault(); fn(f); }); } }
  function onClick(id, fn) { var b = $(id); if (b) { b.addEventListener("click", fn); } }
  onSubmit("message-form", function (f) {
    var t = $("message-body");
    if (!t.value.trim()) { controlError(f, T.write_first); return; }
    send("message", { body: t.value }, function () { t.value = ""; t.focus(); }, f);
  });
  // Enter sends, Shift+Enter starts a new line (not while an input method is composing).
  $("message-body").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("message-form").requestSubmit(); }
  });
  onSubmit("question-form", function (f) {
    var t = $("question-body");
    send("question", { body: t.value }, function () { t.value = ""; }, f);
  });
  onClick("hand-up", function () { send("hand", {}, null, $("hand-up")); });
  onClick("hand-down", function () { send("hand_down", {}, null, $("hand-down")); });
  onClick("call-next", function () { send("call_next", {}, null, $("call-next")); });
  onSubmit("phase-form", function (f) { send("phase", { id: parseInt($("phase-select").value, 10) }, null, f); });
  onSubmit("timer-form", function (f) { send("timer", { action: "start", seconds: 60 * parseInt($("timer-minutes").value || "5", 10) }, null, f); });
  Array.prototype.forEach.call(document.querySelectorAll("[data-timer]"), function (b) {
    b.addEventListener("click", function () {
      var a = b.dataset.timer;
      send("timer", a === "resume" ? { action: "start" } : a === "extend" ? { action: "extend", seconds: 300 } : { action: a }, null, b);
    });
  });
  onSubmit("poll-form", function (f) {
    var opts = $("poll-options").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    send("poll", { question: $("poll-question").value, options: opts }, function () { $("poll-question").value = ""; $("poll-options").value = ""; }, f);
  });

  // Removing someone cannot be undone in the room: ask first, with an optional reason.
  var removeDialog = $("remove-dialog");
  function confirmRemove(id, ctrl) {
    if (!removeDialog || typeof removeDialog.showModal !== "function") {
      if (window.confirm(fmt(T.confirm_remove, { name: nameOf(id) }))) { send("moderate", { member: id, action: "remove" }, null, ctrl); }
      return;
    }
    $("remove-dialog-name").textContent = nameOf(id);
    $("remove-reason").value = "";
    removeDialog.returnValue = "";
    removeDialog.onclose = function () {
      if (removeDialog.returnValue === "remove") {
        send("moderate", { member: id, action: "remove", reason: $("remove-reason").value }, null, ctrl);
      } else if (ctrl) { ctrl.focus(); }
    };
    removeDialog.showModal();
  }
  var sel = $("section-id");
  if (sel) {
    sel.addEventListener("change", function () {
      var s = sections[sel.value];
      $("section-title").value = s ? s.title : ""; $("section-text").value = s ? s.text : "";
    });
  }
  onSubmit("section-form", function () {
    var id = sel.value ? parseInt(sel.value, 10) : null;
    var data = { title: $("section-title").value, text: $("section-text").value };
    if (id) { data.id = id; }
    send("section", data, function () { if (!id) { $("section-title").value = ""; $("section-text").value = ""; } }, $("section-form"));
  });
})();
