// Show the publication-time field only when "At a set time" is chosen.  Without
// JavaScript the field is simply always visible.
(function () {
  "use strict";
  var wrapper = document.querySelector(".publish-at");
  var radios = document.querySelectorAll("input[name=when]");
  if (!wrapper || !radios.length) { return; }
  document.documentElement.classList.add("js");
  function sync() {
    var later = document.querySelector("input[name=when][value=later]");
    wrapper.hidden = !(later && later.checked);
  }
  radios.forEach(function (r) { r.addEventListener("change", sync); });
  sync();
})();
