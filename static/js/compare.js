// The compare list, enhanced; every form and table works without this file.
//
// 1. Device names stay in view above a comparison table while the page scrolls. The table
//    scrolls sideways in its own box, and a sticky header inside such a box sticks to the
//    box, not to the page: a strip of names outside the box (sticky, rendered hidden with
//    the table) is shown once the table's header has gone by, and moved sideways with it.
// 2. After an htmx change (add, remove, clear, undo): focus goes back to the control used
//    (its redrawn copy), or to Undo when the control is gone; the answer's feedback is
//    shown beside that control, not wherever the widget happens to be; the live region
//    reads it out.
(function () {
  "use strict";

  // 1. Names of the compared devices at the top of the window.

  function placeNames() {
    var boxes = document.querySelectorAll("[data-compare-scroll]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var region = box.parentElement;
      var strip = region.querySelector("[data-compare-names]");
      var track = strip && strip.querySelector(".compare-names__track");
      var head = box.querySelector("thead");
      if (!track || !head) continue;
      var height = strip.firstElementChild.offsetHeight;
      var stuck = head.getBoundingClientRect().bottom < 0 &&
        box.getBoundingClientRect().bottom > height;
      strip.classList.toggle("is-stuck", stuck);
      // CSSOM, not a style attribute: allowed by the Content-Security-Policy.
      track.style.transform = "translateX(" + -box.scrollLeft + "px)";
    }
  }

  var queued = false;
  function queuePlaceNames() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(function () {
      queued = false;
      placeNames();
    });
  }
  // Capturing: the table's own box scrolling sideways counts too.
  document.addEventListener("scroll", queuePlaceNames, { capture: true, passive: true });
  window.addEventListener("resize", queuePlaceNames);
  document.addEventListener("htmx:afterSettle", queuePlaceNames);
  document.addEventListener("DOMContentLoaded", placeNames);

  // 2. Feedback beside the control used, focus kept, changes read out.

  var used = null;
  var lastControl = null;

  function isCompareForm(form) {
    return form && form.matches && form.matches("[data-compare-button], [data-compare-form]");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (!isCompareForm(form)) return;
    var rect = form.getBoundingClientRect();
    used = {
      slug: form.getAttribute("data-compare-button") || "",
      top: rect.top + window.scrollY,
      bottom: rect.bottom + window.scrollY,
      left: rect.left + window.scrollX
    };
  });

  // The copy of a redrawn button nearest to where the used one was.
  function nearest(slug, where) {
    if (!slug) return null;
    var selector = '[data-compare-button="' + CSS.escape(slug) + '"] button';
    var found = null;
    var best = Infinity;
    document.querySelectorAll(selector).forEach(function (button) {
      var rect = button.getBoundingClientRect();
      if (!rect.width && !rect.height) return;
      var distance = Math.abs(rect.top + window.scrollY - where.top) +
        Math.abs(rect.left + window.scrollX - where.left);
      if (distance < best) {
        best = distance;
        found = button;
      }
    });
    return found;
  }

  // The box, not #compare-feedback, is placed: htmx carries the class and style attributes
  // of an element with an id over to its replacement, and setting a style attribute is
  // what the Content-Security-Policy forbids (CSSOM, as here, is allowed).
  function place(feedback, control, where) {
    var box = feedback.firstElementChild;
    if (!box) return;
    var anchor = where;
    if (control && document.body.contains(control)) {
      var rect = control.getBoundingClientRect();
      anchor = {
        top: rect.top + window.scrollY,
        bottom: rect.bottom + window.scrollY,
        left: rect.left + window.scrollX
      };
    }
    box.classList.add("is-anchored");
    var width = box.offsetWidth;
    var height = box.offsetHeight;
    var bar = document.getElementById("compare-bar");
    var barHeight = bar && !bar.hidden ? bar.offsetHeight : 0;
    var windowBottom = window.scrollY + window.innerHeight - barHeight;
    var top = anchor.bottom + 8;
    if (top + height > windowBottom && anchor.top - height - 8 >= window.scrollY) {
      top = anchor.top - height - 8;
    }
    var pageWidth = document.documentElement.clientWidth;
    var left = Math.max(8, Math.min(anchor.left, pageWidth - width - 8));
    box.style.top = top + "px";
    box.style.left = left + "px";
  }

  function announce(text) {
    var status = document.getElementById("compare-status");
    if (!status || !text) return;
    // Emptied first, so the same words twice in a row are read twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  document.addEventListener("htmx:afterRequest", function () {
    var where = used;
    used = null;
    var feedback = document.getElementById("compare-feedback");
    if (!where || !feedback || !feedback.hasAttribute("data-fresh")) return;
    feedback.removeAttribute("data-fresh");
    var control = nearest(where.slug, where);
    lastControl = control;
    place(feedback, control, where);
    announce(feedback.getAttribute("data-message"));
    var target = control ||
      feedback.querySelector(".compare-undo button") ||
      feedback.querySelector("[tabindex='-1']");
    if (target) target.focus({ preventScroll: true });
  });

  function dismiss(returnFocus) {
    var feedback = document.getElementById("compare-feedback");
    if (!feedback || feedback.hidden) return;
    var hadFocus = feedback.contains(document.activeElement);
    feedback.hidden = true;
    feedback.textContent = "";
    if (!returnFocus || !hadFocus) return;
    if (lastControl && document.body.contains(lastControl)) {
      lastControl.focus({ preventScroll: true });
    } else {
      var title = document.getElementById("compare-widget-title");
      title.setAttribute("tabindex", "-1");
      title.focus({ preventScroll: true });
    }
  }

  document.addEventListener("click", function (event) {
    var feedback = document.getElementById("compare-feedback");
    if (!feedback || feedback.hidden) return;
    if (event.target.closest("[data-dismiss-feedback]")) {
      dismiss(true);
    } else if (!feedback.contains(event.target) &&
               !isCompareForm(event.target.closest("form"))) {
      dismiss(false);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") dismiss(true);
  });
})();
