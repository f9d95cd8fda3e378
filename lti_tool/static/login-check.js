// Goes on to the platform when the cookie set with the login state came back; otherwise the
// browser refuses the tool's cookies in this frame, and the page offers a new window instead.
(function () {
  var box = document.getElementById("login-check");
  if (!box) { return; }
  var name = box.getAttribute("data-cookie-name") + "=";
  var cookies = document.cookie.split(";").map(function (c) { return c.trim(); });
  var bound = cookies.some(function (c) { return c.indexOf(name) === 0; });
  if (bound) {
    window.location.replace(box.getAttribute("data-auth-url"));
    return;
  }
  box.querySelector(".js-waiting").hidden = true;
  var blocked = box.querySelector(".js-blocked");
  blocked.hidden = false;
  blocked.querySelector("a").focus();
})();
