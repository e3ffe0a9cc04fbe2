/* Digiraati room: small DOM helpers shared by raati-drafting.js and raati-room.js.
   New items are cloned from <template> fragments the server rendered into the room page
   (their markup and strings are the server's); the helpers here only fill them in. */
(function () {
  "use strict";
  var root = document.getElementById("raati-room");
  if (!root) { return; }
  var T = JSON.parse(document.getElementById("raati-i18n").textContent);
  var $ = function (id) { return document.getElementById(id); };
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
  // A copy of the server's <template id="tpl-NAME">; slot(node, "x") finds [data-slot=x] in it.
  function fromTemplate(name) { return $("tpl-" + name).content.firstElementChild.cloneNode(true); }
  function slot(node, name) { return node.querySelector("[data-slot=" + name + "]"); }
  function button(label, cls, onClick, aria) {
    var b = el("button", { type: "button", className: cls || "button-secondary" }, label);
    if (aria) { b.setAttribute("aria-label", aria); }
    b.addEventListener("click", onClick);
    return b;
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
    var id = ctrl.id + "-error", box = $(id);
    if (!box) {
      box = el("p", { id: id, className: "error-text control-error", "aria-live": "assertive" });
      if (ctrl.tagName === "FORM") { ctrl.appendChild(box); } else { ctrl.insertAdjacentElement("afterend", box); }
    }
    var target = ctrl.tagName === "FORM" ? (ctrl.querySelector("textarea, input:not([type=radio]), select") || ctrl.querySelector("button")) : ctrl;
    if (target) {
      var ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (ids.indexOf(id) < 0) { ids.push(id); target.setAttribute("aria-describedby", ids.join(" ")); }
    }
    return box;
  }
  // Errors by control id: controls the room redraws (polls, reviews, questions) get theirs back.
  var controlErrors = {};
  function controlError(ctrl, msg) {
    if (!ctrl) { showError(msg); return; }
    var box = errorSlot(ctrl);
    if (msg) { controlErrors[ctrl.id] = msg; } else { delete controlErrors[ctrl.id]; }
    box.textContent = "";
    if (msg) { box.appendChild(el("strong", {}, T.error + " ")); box.appendChild(document.createTextNode(msg)); }
  }
  function restoreErrors() {
    Object.keys(controlErrors).forEach(function (id) {
      var c = $(id), box = $(id + "-error");
      if (c && (!box || !box.textContent)) { controlError(c, controlErrors[id]); }
    });
  }
  var roleCan = [];
  try { roleCan = JSON.parse(root.dataset.roleCan || "[]"); } catch (e) { roleCan = []; }

  window.KuulasRaatiKit = {
    root: root, T: T, $: $, fmt: fmt, el: el, userEl: userEl, bdi: bdi, plural: plural, clockTime: clockTime,
    fromTemplate: fromTemplate, slot: slot, button: button, showError: showError, controlError: controlError,
    restoreErrors: restoreErrors,
    // What the member's role may do at all, from the server's lifecycle (not recomputed here).
    roleMay: function (action) { return roleCan.indexOf(action) >= 0; }
  };
})();
