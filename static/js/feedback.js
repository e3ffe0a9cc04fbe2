// Kiosk mode: back to the start screen after each answer and after a minute of inactivity,
// so nothing one person typed is left for the next.  Works without JS too (the thanks
// screen has a "start again" link; the server admits one answer per start screen).
(function () {
  "use strict";
  var done = document.querySelector("[data-kiosk-reset]");
  if (done) {
    var seconds = parseInt(done.getAttribute("data-kiosk-reset"), 10) || 6;
    window.setTimeout(function () { window.location.replace(window.location.pathname); }, seconds * 1000);
    return;
  }
  var form = document.querySelector("[data-kiosk-idle]");
  if (!form) { return; }
  var idle = (parseInt(form.getAttribute("data-kiosk-idle"), 10) || 60) * 1000;
  var timer = null;
  function reset() { window.location.replace(form.getAttribute("data-kiosk-start")); }
  function touch() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(reset, idle);
  }
  ["input", "change", "keydown", "pointerdown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, touch, { passive: true });
  });
  touch();
})();
