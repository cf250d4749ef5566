// Focus and announcements after htmx replaces part of a page (WCAG 2.4.3 and 4.1.3).
//
// A block htmx swaps in says what should happen with attributes the server renders
// (docs/architecture.md, "Front-end behaviour"):
//
//   data-focus           this element takes focus; data-focus="field": its first field
//                        (the checked radio of a group). An element that cannot take
//                        focus gets tabindex="-1" for as long as it has it.
//   data-announce        read out by the page's one live region (#openqi-status in
//                        core/base.html, outside everything htmx swaps): the value, or
//                        when empty the element's text. The region is emptied first, so
//                        the same message twice is read twice.
//   data-announce-once   the value, read only when it differs from what the same block
//                        said last (a panel refreshed as someone types; empty: nothing).
//
// A block that fetches itself (hx-trigger="intersect", "load") announces nothing:
// nobody asked for it.
//
// Focus moves only when the person was in the block being replaced (focus, or the
// element that sent the request, inside it): then, in order, the error summary, the
// data-focus element, the link that opened what was just closed (Cancel), the
// block's first heading, the block itself. Otherwise (a filter whose results are
// swapped, a list loaded when it scrolls into view) focus stays where it is.
(function () {
  "use strict";

  var FIELDS =
    "input:not([type=hidden]):not([disabled]), select:not([disabled]), " +
    "textarea:not([disabled]), button:not([disabled])";
  var FOCUSABLE = FIELDS + ", a[href], [tabindex]";
  var pending = typeof WeakMap === "function" ? new WeakMap() : null;
  var lastOpener = null; // the hx-get of the link whose answer was swapped in last
  var lastSaid = {}; // data-announce-once: what each block said last, by id
  var announceTimer = null;

  function region() {
    return document.getElementById("openqi-status");
  }

  function announce(text) {
    var live = region();
    if (!live || !text) return;
    live.textContent = "";
    window.clearTimeout(announceTimer);
    // Emptied first and filled a moment later: screen readers read a change, so a
    // message the same as the last one is read again.
    announceTimer = window.setTimeout(function () {
      live.textContent = text;
    }, 150);
  }

  function words(element) {
    var value = element.getAttribute("data-announce");
    if (value === null) value = element.getAttribute("data-announce-once") || "";
    else if (!value) value = element.textContent || "";
    return value.replace(/\s+/g, " ").trim();
  }

  function within(block, selector) {
    var found = [];
    if (block.matches && block.matches(selector)) found.push(block);
    return found.concat(Array.prototype.slice.call(block.querySelectorAll(selector)));
  }

  function announcements(block) {
    var said = [];
    within(block, "[data-announce], [data-announce-once]").forEach(function (element) {
      var text = words(element);
      if (element.hasAttribute("data-announce-once")) {
        var key = element.id || block.id || "";
        if (lastSaid[key] === text) return;
        lastSaid[key] = text; // empty: nothing to say, and the next finding is new
      }
      if (text) said.push(text);
    });
    return said.join(" ");
  }

  function focusOn(element) {
    if (!element) return false;
    if (!element.matches(FOCUSABLE)) {
      element.setAttribute("tabindex", "-1");
      element.addEventListener(
        "blur",
        function () {
          element.removeAttribute("tabindex");
        },
        { once: true },
      );
    }
    element.focus();
    return document.activeElement === element;
  }

  function firstField(element) {
    var field = element.matches(FIELDS) ? element : element.querySelector(FIELDS);
    if (field && field.type === "radio" && field.form) {
      var checked = element.querySelector(
        'input[type=radio][name="' + field.name.replace(/"/g, '\\"') + '"]:checked',
      );
      if (checked) return checked;
    }
    return field;
  }

  function opener(block) {
    if (!lastOpener) return null;
    var links = within(block, "[hx-get]");
    for (var i = 0; i < links.length; i += 1) {
      if (links[i].getAttribute("hx-get") === lastOpener) return links[i];
    }
    return null;
  }

  function moveFocus(block) {
    var summary = within(block, ".nhsuk-error-summary")[0];
    if (summary) return focusOn(summary);
    var target = within(block, "[data-focus]")[0];
    if (target) {
      var field = target.getAttribute("data-focus") === "field" ? firstField(target) : null;
      return focusOn(field || target);
    }
    return (
      focusOn(opener(block)) ||
      focusOn(within(block, "h1, h2, h3, h4, h5, h6")[0]) ||
      focusOn(block)
    );
  }

  function isLost(element) {
    return !element || element === document.body || !element.isConnected;
  }

  // Before the swap: was the person in the block about to be replaced?
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!pending || !detail || !detail.xhr || !detail.target) return;
    var active = document.activeElement;
    var source = detail.requestConfig ? detail.requestConfig.elt : detail.elt;
    var inside =
      (!isLost(active) && detail.target.contains(active)) ||
      (!!source && source !== detail.target && detail.target.contains(source));
    pending.set(detail.xhr, {
      inside: inside,
      asked: !source || source !== detail.target,
      before: active,
      opener:
        source && source.tagName === "A" ? source.getAttribute("hx-get") : null,
    });
  });

  // After the swap: each new element settles; act once per request.
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail || {};
    var state = pending && detail.xhr ? pending.get(detail.xhr) : null;
    if (!state) return;
    pending.delete(detail.xhr);
    var block = event.target;
    if (!(block instanceof Element)) return;

    var said = state.asked ? announcements(block) : "";
    if (said) announce(said);

    // Focus lost with what the swap removed (htmx puts it back only on an element
    // with the same id).
    var lost =
      isLost(document.activeElement) &&
      !!state.before &&
      state.before !== document.body &&
      !state.before.isConnected;
    if (state.inside || lost) {
      // After htmx's own scrolling (show:, which follows this event), so the
      // element focused is the one in view.
      window.setTimeout(function () {
        moveFocus(block);
        // A link opens what a later Cancel closes; a form sent back with errors
        // leaves the opener as it was.
        if (state.opener) lastOpener = state.opener;
      }, 0);
    }
  });
})();
