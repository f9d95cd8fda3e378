// Report synthesis: a small formatting toolbar that wraps the selected text in the tags the
// server keeps (the server sanitises whatever arrives). Without this script the textarea works
// as plain text, paragraphs separated by blank lines.
(function () {
  "use strict";
  var toolbar = document.getElementById("synthesis-toolbar");
  var field = document.getElementById("synthesis");
  if (!toolbar || !field) {
    return;
  }

  function wrap(tag) {
    var start = field.selectionStart;
    var end = field.selectionEnd;
    var selected = field.value.slice(start, end);
    var inner = selected;
    if (tag === "ul") {
      var lines = selected.split("\n").filter(function (line) { return line.trim() !== ""; });
      inner = "\n" + (lines.length ? lines : [""]).map(function (line) {
        return "<li>" + line.trim() + "</li>";
      }).join("\n") + "\n";
    }
    var opening = "<" + tag + ">";
    var replacement = opening + inner + "</" + tag + ">";
    field.setRangeText(replacement, start, end, "end");
    if (!selected) {
      var caret = start + opening.length + (tag === "ul" ? 5 : 0);
      field.setSelectionRange(caret, caret);
    }
    field.focus();
  }

  toolbar.querySelectorAll("button[data-wrap]").forEach(function (button) {
    button.addEventListener("click", function () { wrap(button.getAttribute("data-wrap")); });
  });
  toolbar.hidden = false;
})();
