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

// A request that fails (an error from the server, or no answer at all: a shop's internet
// comes and goes) says so next to the form or link that made it. htmx swaps nothing then,
// so what was typed stays in the field for another try; trying again clears the message.
(function () {
  function anchor(elt) {
    return elt.closest("form") || elt;
  }

  function clear(elt) {
    const next = anchor(elt).nextElementSibling;
    if (next && next.classList.contains("request-error")) {
      next.remove();
    }
  }

  function say(elt, message) {
    clear(elt);
    const alert = document.createElement("p");
    alert.className = "request-error";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    anchor(elt).after(alert);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    clear(event.detail.elt);
  });

  // The server's error page carries its message, in the user's language.
  document.addEventListener("htmx:responseError", function (event) {
    const page = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
    const said = page.querySelector("[data-error-message]");
    say(event.detail.elt, said ? said.textContent.trim() : document.body.dataset.failedMessage);
  });

  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      say(event.detail.elt, document.body.dataset.offlineMessage);
    });
  });
})();

// A session that ended meanwhile (the owner changed the password, say) sends the whole page
// to the login form (HX-Redirect). A note typed in the form that met it waits in this tab's
// sessionStorage and is back in the same field when that form shows again after the login.
(function () {
  const PREFIX = "pos_notes:draft:";

  document.addEventListener("htmx:beforeOnLoad", function (event) {
    const form = event.detail.elt.closest && event.detail.elt.closest("form[id]");
    const field = form && form.querySelector("textarea");
    if (event.detail.xhr.status === 401 && field && field.value.trim()) {
      try {
        sessionStorage.setItem(PREFIX + form.id, field.value);
      } catch (error) {
        // Storage refused (private mode, full): the login page still comes.
      }
    }
  });

  document.addEventListener("htmx:load", function (event) {
    const root = event.detail.elt;
    const forms = root.matches("form[id]") ? [root] : root.querySelectorAll("form[id]");
    forms.forEach(function (form) {
      const field = form.querySelector("textarea");
      const draft = sessionStorage.getItem(PREFIX + form.id);
      if (field && draft !== null) {
        field.value = field.value || draft;
        sessionStorage.removeItem(PREFIX + form.id);
      }
    });
  });
})();
