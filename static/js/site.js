// Small enhancements; every page works without this file.
(function () {
  "use strict";

  // "Copy link" buttons: copy the value of the input they point at.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var input = document.getElementById(button.dataset.copyTarget);
    if (!input) return;
    input.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = "Copied";
      });
    }
  });
})();
