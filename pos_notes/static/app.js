// pos_notes behaviour that needs JavaScript. No inline scripts anywhere (strict CSP).
"use strict";

// Cliente - Consulta: a customer link loads the customer into #customer-dialog-body
// (hx-get on the link); here the dialog opens once the body has arrived, Escape and the
// close button close it (native <dialog>), and focus goes back to the link.
(function () {
  let opener = null;

  function dialog() {
    return document.getElementById("customer-dialog");
  }

  // Ctrl/Cmd/Shift-click keeps its browser meaning (new tab or window): the link is a
  // plain link then, so stop the click before htmx sees it.
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("a.customer-link");
    if (link && (event.ctrlKey || event.metaKey || event.shiftKey)) {
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (elt.matches && elt.matches("a.customer-link")) {
      opener = elt;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    const box = dialog();
    if (!box || event.detail.target.id !== "customer-dialog-body") {
      return;
    }
    if (!box.open) {
      box.showModal();
    }
    box.scrollTop = 0;
  });

  document.addEventListener("close", function (event) {
    if (event.target !== dialog()) {
      return;
    }
    if (opener && document.contains(opener)) {
      opener.focus();
    }
    opener = null;
  }, true);
})();
