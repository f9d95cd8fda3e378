// Cohort page: a "copy" button beside the join code (shown only when the clipboard is usable).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentElement.querySelector(".copy-status");
    if (!field || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) {
          status.textContent = status.getAttribute("data-copied-text");
        }
      }, function () {
        field.select();
      });
    });
  });
  document.querySelectorAll(".join-code input[readonly]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
}());
