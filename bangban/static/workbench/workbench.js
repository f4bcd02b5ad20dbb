/* Workbench keyboard shortcuts.
 *
 * Any element with data-key="x" answers to the key x when focus is not in a text field:
 * a field is focused, anything else (a link, a button) is clicked. "?" lists every
 * shortcut on the page; Escape closes an open action form. Keys are read at the moment
 * of the key press, so parts swapped in by htmx bring their own shortcuts along.
 *
 * Also, for markup that may not carry inline script (Content-Security-Policy):
 * data-close-panel on a button closes the action form as Escape does; Enter in a field
 * with data-enter-stays does not submit its form (a search box that fills a list).
 */
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  function find(key) {
    var all = document.querySelectorAll("[data-key]");
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-key") === key && visible(all[i]) && !all[i].disabled) return all[i];
    }
    return null;
  }

  function label(el) {
    return el.getAttribute("data-key-label") || el.getAttribute("aria-label") ||
      (el.labels && el.labels[0] && el.labels[0].textContent) || el.textContent;
  }

  function showHelp() {
    var dialog = document.getElementById("wb-keys-dialog");
    if (!dialog) return;
    var body = dialog.querySelector("tbody");
    body.textContent = "";
    var seen = {};
    document.querySelectorAll("[data-key]").forEach(function (el) {
      var key = el.getAttribute("data-key");
      if (seen[key] || !visible(el)) return;
      seen[key] = true;
      var row = body.insertRow();
      var k = document.createElement("kbd");
      k.textContent = key;
      row.insertCell().appendChild(k);
      row.insertCell().textContent = label(el).replace(/\s+/g, " ").trim();
    });
    [["?", "显示本列表"], ["Esc", "关闭操作表单"]].forEach(function (pair) {
      var row = body.insertRow();
      var k = document.createElement("kbd");
      k.textContent = pair[0];
      row.insertCell().appendChild(k);
      row.insertCell().textContent = pair[1];
    });
    dialog.showModal();
    dialog.querySelector("button").focus();
  }

  function closePanel() {
    var panel = document.getElementById("action-panel");
    if (panel && panel.children.length && !document.querySelector("dialog[open]")) {
      panel.textContent = "";
      var bar = document.querySelector(".actions button");
      if (bar) bar.focus();
    }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-close-panel]")) closePanel();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.closest && event.target.closest("[data-enter-stays]")) {
      event.preventDefault();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      closePanel();
      return;
    }
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    if (event.key === "?") {
      event.preventDefault();
      showHelp();
      return;
    }
    var el = find(event.key);
    if (!el) return;
    event.preventDefault();
    var target = el.getAttribute("data-key-target");
    if (target) {
      var to = document.querySelector(target);
      if (to) to.focus();
    } else if (typing(el)) {
      el.focus();
      if (el.select) el.select();
    } else {
      el.click();
    }
  });

  // After htmx swaps something in, move focus where keyboard users carry on: into a newly
  // opened action form, or (when the swap took the focused element away) onto the message
  // saying what was done. A pre-review button keeps its focus (htmx restores it by id).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelector) return;
    var want = target.querySelector("[data-autofocus]") ||
      (target.id === "action-panel" && target.querySelector("form input:not([type=hidden]):not([disabled]), form select, form textarea, form button"));
    if (!want) return;
    var lost = !document.activeElement || document.activeElement === document.body;
    if (target.id === "action-panel" || lost) want.focus();
  });
})();
