// The compare list, enhanced; every form and table works without this file.
//
// 1. Device names stay in view above a comparison table while the page scrolls. The table
//    scrolls sideways in its own box, and a sticky header inside such a box sticks to the
//    box, not to the page: a strip of names outside the box (sticky, rendered hidden with
//    the table) is shown once the table's header has gone by, and moved sideways with it.
// 2. After an htmx change (add, remove, clear, undo): focus goes back to the control used
//    (its redrawn copy), or to Undo when the control is gone, or after Undo to the widget's
//    heading; the answer's feedback is placed in the page's flow below that control (or
//    above the table, or in the widget), so it covers nothing; the live region reads it out.
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

  // 2. Feedback in the page's flow below the control used (never over the legend or other
  //    results), focus kept, changes read out.

  var used = null;
  var lastUsed = null;
  var lastControl = null;

  function isCompareForm(form) {
    return form && form.matches && form.matches("[data-compare-button], [data-compare-form]");
  }

  // Where a form's feedback goes: "control" (below that button: card, device page, search
  // result), "table" (above the comparison table) or "widget" (below the widget's heading).
  function kindOf(form) {
    if (form.hasAttribute("data-compare-button")) return "control";
    if (form.closest("#compare-list-body")) return "table";
    return "widget";
  }

  // Back where base.html has it, hidden, before anything that holds it is redrawn: an
  // out-of-band swap has to find it, and a redrawn region would take it away.
  function sendHome(feedback) {
    var status = document.getElementById("compare-status");
    if (status && feedback.nextElementSibling !== status) {
      status.parentNode.insertBefore(feedback, status);
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (!isCompareForm(form)) return;
    var feedback = document.getElementById("compare-feedback");
    var fromFeedback = feedback && feedback.contains(form);
    var rect = form.getBoundingClientRect();
    used = {
      slug: form.getAttribute("data-compare-button") || "",
      kind: kindOf(form),
      undo: form.classList.contains("compare-undo"),
      top: rect.top + window.scrollY,
      bottom: rect.bottom + window.scrollY,
      left: rect.left + window.scrollX
    };
    if (fromFeedback && lastUsed) {
      // Undo (or a form inside the message): the message stays where it was.
      used.slug = lastUsed.slug;
      used.kind = lastUsed.kind;
      used.top = lastUsed.top;
      used.bottom = lastUsed.bottom;
      used.left = lastUsed.left;
    }
    if (feedback) {
      feedback.hidden = true;
      sendHome(feedback);
    }
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

  function widgetTitle() {
    var title = document.getElementById("compare-widget-title");
    if (title) title.setAttribute("tabindex", "-1");
    return title;
  }

  // The feedback moves into the page's flow: it pushes what follows down instead of
  // covering it.
  function place(feedback, control, where) {
    var parent = null;
    var before = null;
    var table = document.querySelector("#compare-list-body [data-compare-scroll]");
    if (control && document.body.contains(control)) {
      var holder = control.closest("li, .card__actions, .device-header__actions") ||
        control.closest("form");
      if (holder.tagName === "LI") {
        parent = holder;
      } else {
        parent = holder.parentNode;
        before = holder.nextSibling;
      }
    } else if (where.kind === "table" && table) {
      parent = table.parentNode;
      before = table;
    } else {
      var title = widgetTitle();
      if (!title) return;
      parent = title.parentNode;
      before = title.nextSibling;
    }
    parent.insertBefore(feedback, before);
    feedback.hidden = false;
    var box = feedback.firstElementChild;
    if (box) box.classList.add("is-inline");
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
    var control = where.kind === "control" ? nearest(where.slug, where) : null;
    lastControl = control;
    lastUsed = where;
    place(feedback, control, where);
    announce(feedback.getAttribute("data-message"));
    // After Undo the list is back: focus stays in the widget (or on the restored button),
    // never on a message that is about to go.
    var target = control ||
      (where.undo ? widgetTitle() : null) ||
      feedback.querySelector(".compare-undo button") ||
      feedback.querySelector("[tabindex='-1']");
    if (target) target.focus({ preventScroll: true });
  });

  // A region being redrawn (the table after a change, search results) that holds the
  // feedback: it is put back in the new content, keeping focus if it had it.
  var moved = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var feedback = document.getElementById("compare-feedback");
    var target = event.detail.target;
    if (!feedback || feedback.hidden || !target || !target.contains(feedback)) return;
    moved = { hadFocus: feedback.contains(document.activeElement) };
    sendHome(feedback);
  });
  document.addEventListener("htmx:afterSettle", function () {
    var feedback = document.getElementById("compare-feedback");
    if (!moved || !feedback || !lastUsed) return;
    var hadFocus = moved.hadFocus;
    moved = null;
    place(feedback, lastUsed.kind === "control" ? nearest(lastUsed.slug, lastUsed) : null,
      lastUsed);
    if (hadFocus) {
      var target = feedback.querySelector(".compare-undo button") ||
        feedback.querySelector("[tabindex='-1']");
      if (target) target.focus({ preventScroll: true });
    }
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
