// emoguard web: drag-and-drop upload, a size check before sending, confirm before release.
// Plain JavaScript, no build step, no network requests of its own. The pages work without it.
"use strict";
(function () {
  function setup() {
    var form = document.getElementById("upload");
    if (form) {
      var drop = document.getElementById("drop");
      var input = document.getElementById("file");
      var picked = document.getElementById("picked");
      var source = document.getElementById("source");
      var err = document.getElementById("client-error");
      var max = parseInt(form.getAttribute("data-max") || "0", 10);
      var show = function () {
        var f = input.files && input.files[0];
        picked.textContent = f ? f.name + " (" + Math.ceil(f.size / 1024) + " KB)" : "";
        err.hidden = true;
      };
      input.addEventListener("change", show);
      ["dragenter", "dragover"].forEach(function (ev) {
        drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (ev) {
        drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("over"); });
      });
      drop.addEventListener("drop", function (e) {
        if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files.length) {
          input.files = e.dataTransfer.files;
          show();
        }
      });
      drop.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); }
      });
      form.addEventListener("submit", function (e) {
        var f = input.files && input.files[0];
        var msg = "";
        if (!f && !source.value.trim()) { msg = form.getAttribute("data-nothing"); }
        else if (f && max && f.size > max) { msg = form.getAttribute("data-too-big"); }
        if (msg) { e.preventDefault(); err.textContent = msg; err.hidden = false; }
      });
    }
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
