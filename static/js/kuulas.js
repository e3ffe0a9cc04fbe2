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
})();
