// The article form's preview follows the body as it is typed: a moment after the typing
// stops, the body goes to the preview endpoint (news.admin.ArticleAdmin.preview_view),
// which renders it as publishing would. Without this script the saved body shows.
(function () {
  "use strict";

  var WAIT_MS = 400;

  function start() {
    var live = document.querySelector(".article-preview-live[data-preview-url]");
    var textarea = document.getElementById("id_body");
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!live || !textarea || !token) return;
    var status = live.querySelector(".article-preview-status");
    var warnings = live.querySelector(".article-preview-warnings");
    var body = live.querySelector(".article-preview");
    var timer = null;
    var controller = null;
    var shownWarning = null;

    // A live region speaks when its text changes: set it only then.
    function say(text) {
      if (status.textContent !== text) status.textContent = text;
    }

    function show(data) {
      body.innerHTML = data.preview.body;
      if (data.preview.warning !== shownWarning) {
        warnings.innerHTML = data.preview.warning;
        shownWarning = data.preview.warning;
      }
      say("As typed, not saved yet." + (data.warning ? " " + data.warning : ""));
    }

    function refresh() {
      if (controller) controller.abort();
      controller = new AbortController();
      var form = new FormData();
      form.append("body", textarea.value);
      form.append("csrfmiddlewaretoken", token.value);
      fetch(live.dataset.previewUrl, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        signal: controller.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status + " " + response.statusText);
          return response.json();
        })
        .then(show)
        .catch(function (error) {
          if (error.name === "AbortError") return;
          say("The preview could not be updated (" + error.message + "); it shows an older text.");
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, WAIT_MS);
    });
    // A new story's form sent back with errors holds a body but has no saved one to show.
    if (status.textContent === "" && textarea.value.trim() !== "") refresh();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
