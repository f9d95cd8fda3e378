// A launch answers with its first page. Give that page its own address, so that reloading it or
// going back to it opens the page rather than posting the launch again (the launch is used up).
(function () {
  var script = document.currentScript;
  var address = script && script.getAttribute("data-address");
  if (address && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", address);
  }
})();
