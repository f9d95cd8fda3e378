// Evaluation pages: buttons with data-confirm ask before a step that cannot be undone
// (submitting final scores, publishing a result).
(function () {
  "use strict";
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
}());
