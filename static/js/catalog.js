// Catalog enhancements; the filter form works without this file.
(function () {
  "use strict";

  var WIDE = window.matchMedia("(min-width: 48rem)");

  // Filters sit in a sidebar on wide screens (always open), in a <details> on narrow ones.
  function syncDetails() {
    var details = document.getElementById("catalog-filters-details");
    if (details) details.open = WIDE.matches;
  }
  syncDetails();
  if (WIDE.addEventListener) WIDE.addEventListener("change", syncDetails);

  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.closest(".catalog")) return;
    // Tell the server which category the spec filters on screen were drawn for,
    // so it only redraws them (out of band) when the category changed.
    var fields = document.getElementById("catalog-spec-fields");
    if (fields) event.detail.headers["X-Catalog-Fields-For"] = fields.dataset.fieldsFor || "";
    // Keep the pushed URL short: drop the empty fields of the form.
    var params = event.detail.parameters;
    Array.from(params.keys()).forEach(function (name) {
      var values = params.getAll(name).filter(function (value) { return value !== ""; });
      params.delete(name);
      values.forEach(function (value) { params.append(name, value); });
    });
  });
})();
