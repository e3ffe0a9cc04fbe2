// Kuulas: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Move focus to an error summary so screen-reader and keyboard users hear it first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
  // Buttons with data-confirm ask before submitting (destructive actions).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  // --- Confirmation steps (templates/_confirm.html) --------------------------------------
  // A confirm_link opens its <dialog>; without JavaScript (or <dialog>) it is a plain link
  // to the server-rendered confirmation page, which does the same.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-confirm-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-confirm-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        var first = dialog.querySelector("button[type=submit]");
        if (first) { first.focus(); }
      }
      return;
    }
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) { open.close(); }
    }
  });

  // --- The language switch keeps what was typed ------------------------------------------
  // Switching language reloads the page from the server.  Before following a language
  // link, what the person has typed into the page's forms is kept in sessionStorage (this
  // tab only, for ten minutes, never passwords, one-time codes, hidden or file fields) and
  // put back when the same page comes back in the other language; then it is deleted.
  var KEY = "kuulas:typed:";
  var MAX_AGE_MS = 10 * 60 * 1000;
  var SKIP_TYPES = ["password", "hidden", "file", "submit", "button", "reset", "image"];

  function keptFields() {
    var fields = [];
    var forms = document.querySelectorAll("main form");
    Array.prototype.forEach.call(forms, function (form, formIndex) {
      var seen = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        var type = (el.type || "").toLowerCase();
        if (!el.name || el.name === "csrf_token" || SKIP_TYPES.indexOf(type) >= 0) { return; }
        if (el.autocomplete === "one-time-code" || el.autocomplete === "off") { return; }
        var nth = seen[el.name] = (seen[el.name] || 0) + 1;
        var entry = { f: formIndex, n: el.name, i: nth };
        if (type === "checkbox" || type === "radio") {
          if (el.checked === el.defaultChecked) { return; }
          entry.c = el.checked;
        } else if (el.tagName === "SELECT") {
          var changed = Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
          if (!changed) { return; }
          entry.s = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; });
        } else {
          if (el.value === el.defaultValue) { return; }
          entry.v = el.value;
        }
        fields.push(entry);
      });
    });
    return fields;
  }

  function storageKey(path) { return KEY + path; }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-lang-switch]");
    if (!link) { return; }
    var fields = keptFields();
    if (!fields.length) { return; }
    var next = new URL(link.href, window.location.href).searchParams.get("next") ||
      (window.location.pathname + window.location.search);
    try {
      window.sessionStorage.setItem(storageKey(next), JSON.stringify({ t: Date.now(), fields: fields }));
    } catch (e) { /* storage full or off: the switch still works, as without JS */ }
  });

  function restore() {
    var key = storageKey(window.location.pathname + window.location.search);
    var raw;
    try { raw = window.sessionStorage.getItem(key); window.sessionStorage.removeItem(key); } catch (e) { return; }
    if (!raw) { return; }
    var saved;
    try { saved = JSON.parse(raw); } catch (e) { return; }
    if (!saved || Date.now() - saved.t > MAX_AGE_MS) { return; }
    var forms = document.querySelectorAll("main form");
    var restored = 0;
    saved.fields.forEach(function (entry) {
      var form = forms[entry.f];
      if (!form) { return; }
      var matches = Array.prototype.filter.call(form.elements, function (el) { return el.name === entry.n; });
      var el = matches[entry.i - 1];
      if (!el) { return; }
      if ("c" in entry) {
        el.checked = entry.c;
      } else if ("s" in entry && el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = entry.s.indexOf(o.value) >= 0; });
      } else if ("v" in entry && SKIP_TYPES.indexOf((el.type || "").toLowerCase()) < 0) {
        el.value = entry.v;
      } else { return; }
      restored += 1;
    });
    var note = document.querySelector("[data-lang-kept]");
    if (restored && note) {
      note.hidden = false;
      note.setAttribute("role", "status");
    }
  }
  document.addEventListener("DOMContentLoaded", restore);
})();
