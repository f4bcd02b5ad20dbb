/* Small behaviours that pages ask for with data- attributes. The Content-Security-Policy
   runs no inline script (no onclick= and the like), so they live here, delegated from the
   document: parts that htmx swaps in get them too.
     data-autosubmit  on a select: choosing an option submits its form
     data-print       on a button: prints the page
   And tables with class "cards", which site.css shows as one card per row on a phone: each
   body cell gets its column's header as data-label (the card's label), and every part of the
   table its table role, which display:block would otherwise take from screen readers. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  function cards(root) {
    root.querySelectorAll("table.cards").forEach(function (table) {
      var headers = [];
      table.querySelectorAll("thead tr:last-child > th").forEach(function (th) {
        for (var i = 0; i < (th.colSpan || 1); i++) headers.push(th.textContent.trim());
        th.setAttribute("role", "columnheader");
      });
      table.setAttribute("role", "table");
      table.querySelectorAll("thead, tbody, tfoot").forEach(function (g) { g.setAttribute("role", "rowgroup"); });
      table.querySelectorAll("tr").forEach(function (tr) { tr.setAttribute("role", "row"); });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var column = 0;
        Array.prototype.forEach.call(tr.children, function (cell) {
          var span = cell.colSpan || 1;
          cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
          if (!cell.hasAttribute("data-label") && span === 1 && headers[column]) {
            cell.setAttribute("data-label", headers[column]);
          }
          column += span;
        });
      });
    });
  }
  cards(document);
  document.addEventListener("htmx:afterSwap", function (event) { cards(event.target); });
})();
