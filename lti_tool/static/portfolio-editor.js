// Entry editor: autosave every few seconds, a copy of the text in this browser until the server
// has it, and a formatting toolbar. Without this script the form still saves by a normal POST.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) {
    return;
  }
  var INTERVAL_MS = 4000;
  var title = document.getElementById("title");
  var body = document.getElementById("body");
  var versionField = document.getElementById("entry-version");
  var statusBox = document.getElementById("autosave-status");
  var csrfField = form.querySelector("input[name=csrf_token]");
  var autosaveUrl = form.getAttribute("data-autosave-url");
  var storageKey = "cimp-portfolio:" + form.getAttribute("data-draft-key");
  var originKey = form.getAttribute("data-origin-key");
  var rescueUrl = form.getAttribute("data-rescue-url");
  var restored = false;
  var dirty = false;
  var stopped = false;
  var inFlight = false;

  function message(name) {
    return form.getAttribute("data-msg-" + name) || "";
  }

  function say(text, problem) {
    statusBox.textContent = text;
    statusBox.classList.toggle("problem", Boolean(problem));
  }

  function storage() {
    try {
      var store = window.localStorage;
      store.getItem("cimp-portfolio:probe");
      return store;
    } catch (error) {
      return null;
    }
  }

  function readKept(key) {
    var store = storage();
    if (!store) {
      return null;
    }
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function keep() {
    var store = storage();
    if (store) {
      store.setItem(storageKey, JSON.stringify({
        title: title.value, body: body.value,
        version: versionField ? Number(versionField.value) : null, at: Date.now()
      }));
    }
  }

  function forget(key) {
    var store = storage();
    if (store) {
      store.removeItem(key);
    }
  }

  function sameAsPage(kept) {
    return kept && kept.title === title.value && kept.body === body.value;
  }

  function showPanel(kept, fromServer) {
    var panel = document.getElementById("restore-panel");
    var actions = panel.querySelector(".restore-actions");
    if (!fromServer) {
      var when = new Date(kept.at).toLocaleString(document.documentElement.lang || undefined);
      document.getElementById("restore-text").textContent =
        message("kept").replace("{when}", when);
    }
    panel.hidden = false;
    actions.hidden = false;
    document.getElementById("restore-button").addEventListener("click", function () {
      title.value = kept.title;
      body.value = kept.body;
      panel.hidden = true;
      restored = fromServer;
      dirty = true;
      keep();
      say(message("restored"), false);
      body.focus();
    });
    document.getElementById("discard-button").addEventListener("click", function () {
      forget(storageKey);
      if (fromServer && rescueUrl) {
        send(rescueUrl, {discard: true}, {});
      }
      panel.hidden = true;
      title.focus();
    });
  }

  function offerRestore() {
    if (originKey && sameAsPage(readKept(originKey))) {
      forget(originKey);
    }
    var panel = document.getElementById("restore-panel");
    if (panel && panel.getAttribute("data-source") === "server") {
      showPanel({title: document.getElementById("rescued-title").value,
                 body: document.getElementById("rescued-body").value}, true);
      return;
    }
    var kept = readKept(storageKey);
    if (!kept) {
      return;
    }
    if (sameAsPage(kept)) {
      forget(storageKey);
      return;
    }
    showPanel(kept, false);
  }

  function send(url, payload, headers) {
    headers["Content-Type"] = "application/json";
    headers["Accept"] = "application/json";
    return fetch(url, {method: "POST", credentials: "same-origin", headers: headers,
                       body: JSON.stringify(payload)});
  }

  // The session ended: put the text aside on the server with the page's rescue key.
  function putAside() {
    var pageOnly = storage() ? "expired" : "expired-page-only";
    if (!rescueUrl) {
      say(message(pageOnly), true);
      return;
    }
    send(rescueUrl, {title: title.value, body: body.value, at: Date.now()}, {})
      .then(function (response) {
        say(message(response.status === 204 ? "expired-rescued" : pageOnly), true);
      }, function () {
        say(message(pageOnly), true);
      });
  }

  function onEdit() {
    dirty = true;
    keep();
  }

  function save() {
    if (!autosaveUrl || stopped || inFlight || !dirty || !title.value.trim()) {
      return;
    }
    var sent = {title: title.value, body: body.value, version: Number(versionField.value),
                restored: restored};
    inFlight = true;
    dirty = false;
    say(message("saving"), false);
    send(autosaveUrl, sent, {
      "X-Launch-Token": form.getAttribute("data-launch-token"),
      "X-CSRFToken": csrfField ? csrfField.value : ""
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        handleAnswer(response.status, data, sent);
      });
    }, function () {
      dirty = true;
      say(message("offline"), true);
    }).then(function () {
      inFlight = false;
    });
  }

  function handleAnswer(status, data, sent) {
    if (status === 200) {
      versionField.value = data.version;
      restored = false;
      if (title.value === sent.title && body.value === sent.body) {
        forget(storageKey);
      } else {
        dirty = true;
        keep();
      }
      say(data.saved_at_text || message("saved"), false);
    } else if (status === 409) {
      stopped = true;
      keep();
      say(message("conflict"), true);
    } else if (status === 401) {
      stopped = true;
      keep();
      putAside();
    } else {
      keep();
      say((data && data.message) || message("error"), true);
    }
  }

  // Formatting buttons insert simple HTML around the selection (the server keeps only these tags).
  function wrap(tag) {
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var selected = body.value.slice(start, end);
    var before = "<" + tag + ">";
    var after = "</" + tag + ">";
    if (tag === "ul") {
      var items = (selected || "").split("\n").map(function (line) {
        return "  <li>" + line + "</li>";
      });
      before = "<ul>\n";
      after = "\n</ul>";
      selected = items.join("\n");
    } else if (tag === "a") {
      var address = window.prompt(form.getAttribute("data-msg-link") || "URL", "https://");
      if (!address) {
        return;
      }
      before = "<a href=\"" + address.replace(/"/g, "%22") + "\">";
    }
    body.setRangeText(before + selected + after, start, end, "end");
    body.focus();
    onEdit();
  }

  var toolbar = form.querySelector(".toolbar");
  if (toolbar) {
    toolbar.hidden = false;
    toolbar.querySelectorAll("button[data-wrap]").forEach(function (button) {
      button.addEventListener("click", function () { wrap(button.getAttribute("data-wrap")); });
    });
  }
  title.addEventListener("input", onEdit);
  body.addEventListener("input", onEdit);
  form.addEventListener("submit", keep);
  offerRestore();
  if (autosaveUrl && versionField) {
    window.setInterval(save, INTERVAL_MS);
  }
}());
