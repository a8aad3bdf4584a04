// The workbench's own script (no inline script: the CSP allows files from /static only).
// Copy buttons: <button class="copy" data-copy="WHOLE-ID"> copies the whole id, whatever the
// page shows of it, then says so on the button for a moment.
"use strict";
(function () {
  function copied(button) {
    button.classList.add("copied");
    button.setAttribute("data-copied", "1");
    setTimeout(function () { button.classList.remove("copied"); }, 1500);
  }
  function fallback(text, button) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); copied(button); } finally { area.remove(); }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var text = button.getAttribute("data-copy");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button); },
                                               function () { fallback(text, button); });
    } else {
      fallback(text, button);
    }
  });
})();
