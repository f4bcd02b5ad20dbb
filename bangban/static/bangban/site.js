/* Small behaviours that pages ask for with data- attributes. The Content-Security-Policy
   runs no inline script (no onclick= and the like), so they live here, delegated from the
   document: parts that htmx swaps in get them too.
     data-autosubmit  on a select: choosing an option submits its form
     data-print       on a button: prints the page */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
})();
