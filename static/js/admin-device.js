// A new device's form: when its category changes, open the form again for that category,
// so the spec rows offer the category's fields, keeping what was typed above them. Without
// this script, the links under the form's title do the same (catalog.admin).
(function () {
  "use strict";

  function reload(form, select) {
    var typedRows = Array.prototype.some.call(
      form.querySelectorAll("#specs-group input[name$='-value']"),
      function (input) { return input.value.trim() !== ""; }
    );
    if (typedRows && !window.confirm("Offer this category's fields? Values typed in the spec rows are lost.")) {
      return;
    }
    var params = new URLSearchParams(window.location.search);
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      // The device's own fields; inline rows are prefixed ("specs-0-value").
      if (!name || name.indexOf("-") !== -1 || name.charAt(0) === "_" || name === "csrfmiddlewaretoken") return;
      if (element.type === "file" || element.type === "submit" || element.type === "button") return;
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) return;
      if (element.value === "") params.delete(name);
      else params.set(name, element.value);
    });
    if (select.value === "") params.delete("category");
    window.location.assign(window.location.pathname + "?" + params.toString());
  }

  function start() {
    var marker = document.querySelector("[data-category-reload]");
    var select = document.getElementById("id_category");
    if (!marker || !select || !select.form) return;
    select.addEventListener("change", function () { reload(select.form, select); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
