// Deep Linking response: post the signed answer back to the platform without waiting for a click
// (the button stays for browsers without JavaScript).
(function () {
  "use strict";
  var form = document.getElementById("deep-link-response");
  if (form) {
    form.submit();
  }
}());
