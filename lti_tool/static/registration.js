/* Registration pages.
 * Configuration page: a "Copy" button beside each value (the values stay selectable text
 * without JavaScript).
 * Dynamic Registration done: tell the platform's page that the tool has finished, as LTI Dynamic
 * Registration specifies (the platform then closes its dialog and refreshes its list of tools).
 */
(function () {
  "use strict";

  function announce(status, text) {
    if (status) {
      status.textContent = text;
    }
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function labelOf(value) {
    var dd = value.closest("dd");
    var dt = dd && dd.previousElementSibling;
    return dt ? dt.textContent.trim() : "";
  }

  function addCopyButtons(container) {
    var status = document.getElementById("copy-status");
    var copyText = container.getAttribute("data-copy-text");
    var copiedText = container.getAttribute("data-copied-text");
    var failedText = container.getAttribute("data-copy-failed-text");
    container.querySelectorAll(".copy-value").forEach(function (value) {
      var label = labelOf(value);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button secondary";
      button.textContent = copyText;
      button.setAttribute("aria-label", copyText + " (" + label + ")");
      button.addEventListener("click", function () {
        var text = value.textContent;
        var copied = navigator.clipboard && window.isSecureContext
          ? navigator.clipboard.writeText(text)
          : Promise.reject(new Error("clipboard unavailable"));
        copied.then(function () {
          announce(status, copiedText + " " + label);
        }, function () {
          selectText(value);
          announce(status, failedText + " " + label);
        });
      });
      value.insertAdjacentElement("afterend", button);
    });
  }

  function signalRegistrationDone() {
    var target = window.opener || window.parent;
    if (target && target !== window) {
      // The spec's target origin: the tool does not know the platform's origin for certain.
      target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
    }
  }

  document.querySelectorAll(".registration-config").forEach(addCopyButtons);
  if (document.querySelector("[data-lti-close]")) {
    signalRegistrationDone();
  }
})();
