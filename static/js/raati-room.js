/* Digiraati room: a Socket.IO client that applies the room's ordered event log.
   Every event has a per-room sequence number; the client applies them in order, drops
   duplicates and, after any reconnect, asks the server for everything after the last one
   it applied.  The server is the only clock: countdowns run locally from its timestamps.
   What this member may do (the role's actions, the live reasons a control is off) and when
   the countdown is read out come from the server; new items are cloned from the page's
   server-rendered <template>s.  The statement is raati-drafting.js; helpers raati-kit.js.
   Screen readers hear new messages and timer milestones through one polite live region. */
(function () {
  "use strict";
  var K = window.KuulasRaatiKit;
  if (!K || typeof io === "undefined") { return; }
  var root = K.root, T = K.T, $ = K.$, fmt = K.fmt, el = K.el, userEl = K.userEl, bdi = K.bdi, plural = K.plural;
  var button = K.button, showError = K.showError, controlError = K.controlError, slot = K.slot;
  var raatiId = parseInt(root.dataset.raati, 10);
  var meId = parseInt(root.dataset.me, 10);
  var isMod = K.roleMay("moderate");
  // When a running countdown is read out (the server's rule; sync keeps it current).
  var announceRule = { every: 0, at: [] };
  try { announceRule = JSON.parse(root.dataset.announce || "{}"); } catch (e) { announceRule = { every: 0, at: [] }; }

  var announceTimer = null;
  function announce(text) {
    var a = $("announcer");
    a.textContent = "";
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () { a.textContent = text; }, 50);
  }

  // --- state -----------------------------------------------------------------------------
  var lastSeq = 0, pending = {}, replaying = true, clockOffset = 0;
  var names = {}, roles = {}, online = {}, muted = {};
  var messages = {}, hands = [], questions = {}, polls = {};
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
  var statement = K.drafting({ send: send, announce: announce, can: function () { return can; } });

  function sync(after) {
    send("sync", { after: after }, function (ack) {
      if (ack.online) {
        online = {};
        ack.online.forEach(function (p) { online[p.id] = true; names[p.id] = p.name; roles[p.id] = p.role; muted[p.id] = p.muted; });
      }
      if (ack.can) { can = ack.can; }
      if (ack.announce) { announceRule = ack.announce; }
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
    if (statement.apply(ev, live)) { if (live) { renderAll(); if (ev.kind === "locked") { refreshAbilities(); } } return; }
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
      var due = announceRule.at.indexOf(s) >= 0 || (s > 0 && announceRule.every > 0 && s % announceRule.every === 0);
      if (due && !timer.announced[s]) {
        timer.announced[s] = true;
        announce(s === 0 ? T.time_up : (s >= 60 ? plural("min_left", Math.round(s / 60)) : plural("sec_left", s)));
      }
    }
  }
  setInterval(tick, 1000);

  // --- rendering --------------------------------------------------------------------------
  // A redrawn item gets fresh content from the server's template (what no longer applies is
  // left out, not hidden), in the same <li> so it keeps its place.
  function refill(li, name) {
    var fresh = K.fromTemplate(name);
    li.textContent = "";
    while (fresh.firstChild) { li.appendChild(fresh.firstChild); }
    return li;
  }
  function drop(node) { if (node) { node.remove(); } }
  function renderMessage(m, append) {
    var li = refill($("seq-" + m.seq) || el("li", { id: "seq-" + m.seq }), isMod && m.hidden === null ? "message-mod" : "message");
    li.className = "msg" + (m.hidden !== null ? " msg-hidden" : "") + (m.pinned ? " msg-pinned" : "") + (m.member === meId ? " msg-mine" : "");
    slot(li, "name").textContent = nameOf(m.member);
    var role = roles[m.member];
    if (role && role !== "member") { slot(li, "role").textContent = " (" + (T.roles[role] || "") + ")"; } else { drop(slot(li, "role")); }
    slot(li, "time").textContent = clockTime(new Date(m.at));
    if (!m.pinned) { drop(slot(li, "pinned")); }
    if (m.hidden !== null) { drop(slot(li, "body")); slot(li, "hidden").textContent = fmt(T.hidden, { reason: m.hidden }); }
    else { drop(slot(li, "hidden")); slot(li, "body").textContent = m.body; }
    var pinB = slot(li, "pin");
    if (pinB) {
      var reason = slot(li, "reason"), hideB = slot(li, "hide");
      pinB.id = "pin-" + m.seq; pinB.textContent = m.pinned ? T.unpin : T.pin;
      reason.id = "hide-reason-" + m.seq; slot(li, "reason-label").setAttribute("for", reason.id);
      hideB.id = "hide-" + m.seq;
      pinB.addEventListener("click", function () { send("pin", { seq: m.seq, pinned: !m.pinned }, null, pinB); });
      hideB.addEventListener("click", function () { send("hide", { seq: m.seq, reason: reason.value }, null, hideB); });
    }
    if (append && !li.parentNode) { $("messages").appendChild(li); }
    return li;
  }
  var clockTime = K.clockTime;
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
      var li = K.fromTemplate(isMod && id !== meId ? "person-mod" : "person");
      li.dataset.member = String(id);
      slot(li, "name").textContent = nameOf(id);
      slot(li, "about").textContent = (id === meId ? " (" + T.you + ")" : "") + (roles[id] && roles[id] !== "member" ? " – " + (T.roles[roles[id]] || "") : "") + (muted[id] ? " – " + T.muted : "");
      var floorB = slot(li, "floor"), muteB = slot(li, "mute"), removeB = slot(li, "remove");
      if (floorB) {
        if (muted[id]) { drop(floorB); } else {
          floorB.id = "floor-" + id; floorB.setAttribute("aria-label", T.floor + ": " + nameOf(id));
          floorB.onclick = function () { send("moderate", { member: id, action: "floor" }, null, floorB); };
        }
        muteB.id = "mute-" + id; muteB.textContent = muted[id] ? T.unmute : T.mute;
        muteB.setAttribute("aria-label", (muted[id] ? T.unmute : T.mute) + ": " + nameOf(id));
        muteB.onclick = function () { send("moderate", { member: id, action: muted[id] ? "unmute" : "mute" }, null, muteB); };
        removeB.id = "remove-" + id; removeB.setAttribute("aria-label", T.remove + ": " + nameOf(id));
        removeB.onclick = function () { confirmRemove(id, removeB); };
      }
      pres.appendChild(li);
    });
    $("speaker").textContent = speaker ? nameOf(speaker) : "–";
    // hands
    var q = $("hand-queue"); q.textContent = "";
    hands.forEach(function (id) {
      var li = K.fromTemplate("hand");
      slot(li, "name").textContent = nameOf(id);
      if (id !== meId) { drop(slot(li, "you")); }
      q.appendChild(li);
    });
    // questions, most supported first
    var ql = $("questions"); ql.textContent = "";
    Object.keys(questions).map(function (k) { return questions[k]; })
      .sort(function (a, b) { return (a.answered - b.answered) || (b.votes - a.votes) || (a.seq - b.seq); })
      .forEach(function (x) {
        var li = K.fromTemplate(isMod ? "question-mod" : "question");
        li.className = x.answered ? "answered" : "";
        slot(li, "body").textContent = x.body;
        slot(li, "name").textContent = x.name;
        slot(li, "about").textContent = " · " + plural("votes", x.votes) + (x.answered ? " · " + T.answered : "");
        var up = slot(li, "upvote"), ans = slot(li, "answer");
        if (x.answered || x.mine) { drop(up); } else {
          up.id = "upvote-" + x.id; up.setAttribute("aria-label", T.upvote + ": " + x.body);
          if (can.question) { up.disabled = true; up.setAttribute("aria-describedby", "why-question-question-form"); }
          up.onclick = function () { send("upvote", { id: x.id }, null, up); };
        }
        if (ans) {
          if (x.answered) { drop(ans); } else {
            ans.id = "answered-" + x.id;
            ans.onclick = function () { send("answered", { id: x.id }, null, ans); };
          }
        }
        ql.appendChild(li);
      });
    renderPolls();
    statement.render();
    K.restoreErrors();
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
})();
