// Keyboard shortcuts and small behaviours shared by every page (no inline scripts: CSP).
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true]") !== null;
  }

  let pendingG = false;

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const form = event.target.closest("form");
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (typing(event.target) || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (event.key === "?") {
      bootstrap.Modal.getOrCreateInstance(document.getElementById("shortcuts")).show();
    } else if (event.key === "/") {
      const box = document.querySelector("[data-shortcut=search]");
      if (box) {
        event.preventDefault();
        box.focus();
      }
    } else if (pendingG && event.key === "h") {
      window.location.href = "/";
    } else if (pendingG && event.key === "n") {
      window.location.href = "/notifications/";
    } else if (Object.hasOwn(QUICK_KINDS, event.key) && openQuickLog(event.key)) {
      event.preventDefault();
    }
    pendingG = event.key === "g";
  });

  // The quick contact form of the page (an element `data-quick-log="<form url>"`, empty or
  // holding the form): c logs a call, m plans a meeting, n writes a note. The form opens
  // (or switches to that kind, keeping what was typed); the form it gets back focuses its
  // notes by itself (autofocus, which htmx honours after a swap).
  const QUICK_KINDS = { c: ["call", false], m: ["meeting", true], n: ["other", false] };

  function openQuickLog(key) {
    const box = document.querySelector("[data-quick-log]");
    if (!box || !window.htmx) {
      return false;
    }
    const [kind, plan] = QUICK_KINDS[key];
    const form = box.querySelector("form[data-quick-log-form]");
    if (!form) {
      const url = new URL(box.dataset.quickLog, window.location.href);
      url.searchParams.set("kind", kind);
      url.searchParams.set("plan", plan ? "1" : "");
      htmx.ajax("GET", url.pathname + url.search, { target: box, swap: "innerHTML" });
      return true;
    }
    const radio = form.querySelector("input[name=kind][value=" + kind + "]");
    const planSwitch = form.querySelector("input[type=checkbox][name=plan]");
    if (planSwitch) {
      planSwitch.checked = plan;
    }
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    return true;
  }

  // Filtering keeps the current sort order (the table's headers change it, not the form).
  document.addEventListener("htmx:configRequest", function (event) {
    const form = event.detail.elt.closest ? event.detail.elt.closest(".sp-filters") : null;
    if (form) {
      const order = new URLSearchParams(window.location.search).get("o");
      event.detail.parameters.o = order || "";
    }
  });

  // The header search's dropdown closes on a click elsewhere or on Esc.
  document.addEventListener("click", function (event) {
    const dropdown = document.getElementById("search-dropdown");
    if (dropdown && !event.target.closest("[data-testid=header-search]")) {
      dropdown.replaceChildren();
    }
  });
  document.addEventListener("keydown", function (event) {
    const dropdown = document.getElementById("search-dropdown");
    if (event.key === "Escape" && dropdown) {
      dropdown.replaceChildren();
    }
  });

  // Type-to-find fields (directory/lookup_widget.html): choosing a result fills the hidden
  // id; typing again clears it until another result is chosen; Esc closes the results.
  document.addEventListener("click", function (event) {
    const choice = event.target.closest("[data-lookup-pk]");
    document.querySelectorAll("[data-lookup-results]").forEach(function (results) {
      if (!choice || !results.contains(choice)) {
        results.replaceChildren();
      }
    });
    if (choice) {
      const box = choice.closest("[data-lookup]");
      box.querySelector("input[type=hidden]").value = choice.dataset.lookupPk;
      const text = box.querySelector("input[type=search]");
      text.value = choice.dataset.lookupLabel;
      choice.closest("[data-lookup-results]").replaceChildren();
      text.focus();
      // Forms that depend on the choice (the quick contact form) listen for this.
      box.dispatchEvent(new CustomEvent("sp-lookup-chosen", { bubbles: true }));
    }
  });
  document.addEventListener("input", function (event) {
    const box = event.target.closest("[data-lookup]");
    if (box && event.target.type === "search") {
      box.querySelector("input[type=hidden]").value = "";
    }
  });
  document.addEventListener("keydown", function (event) {
    const box = event.target.closest ? event.target.closest("[data-lookup]") : null;
    if (!box) {
      return;
    }
    const buttons = Array.from(box.querySelectorAll("[data-lookup-pk]"));
    const at = buttons.indexOf(document.activeElement);
    const plainEnter = event.key === "Enter" && !event.ctrlKey && !event.metaKey;
    if (plainEnter && event.target.type === "search" && buttons.length) {
      // Enter in the box takes the first result rather than submitting half a form.
      event.preventDefault();
      buttons[0].click();
    } else if (event.key === "ArrowDown" && buttons.length) {
      event.preventDefault();
      buttons[Math.min(at + 1, buttons.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      (at === 0 ? box.querySelector("input[type=search]") : buttons[at - 1]).focus();
    } else if (event.key === "Escape") {
      box.querySelector("[data-lookup-results]").replaceChildren();
    }
  });

  // Forms that act on the list as shown (export) carry the address bar's current filter
  // and sort: htmx filtering changes them after the page was rendered.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.hasAttribute("data-current-query")) {
      return;
    }
    form.querySelectorAll("input[data-query]").forEach(function (input) {
      input.remove();
    });
    new URLSearchParams(window.location.search).forEach(function (value, key) {
      if (key !== "page") {
        const input = document.createElement("input");
        Object.assign(input, { type: "hidden", name: key, value: value });
        input.setAttribute("data-query", "");
        form.appendChild(input);
      }
    });
  });

  // After acting on ticked rows, come back to the list as it is filtered now.
  document.addEventListener("submit", function (event) {
    const back = event.target.matches("[data-back-here]")
      ? event.target.querySelector("input[name=back]")
      : null;
    if (back) {
      back.value = window.location.pathname + window.location.search;
    }
  });

  // "Select all on this page" in a list's header ticks the rows of the table below.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      const table = event.target.closest("table");
      table.querySelectorAll("input[name=ids]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
  });

  // A request made within the page that fails says why, instead of leaving "Loading…" or
  // a button that seems to do nothing. A part loaded after the page (`data-lazy`, with its
  // `data-lazy-status` line) shows the reason in its place with a button to try again
  // (which fires `sp-retry`, one of its triggers); any other failure shows a notice.
  // The notice stays until closed: pages poll in the background, and a later success
  // elsewhere does not undo the failure it reports.
  function requestFailed(event, reason) {
    const notice = document.querySelector("[data-request-error]");
    const elt = event.detail.elt;
    if (!notice || !elt || !elt.closest) {
      return;
    }
    const text = notice.dataset[reason];
    const lazy = elt.closest("[data-lazy]");
    const status = lazy ? lazy.querySelector("[data-lazy-status]") : null;
    if (status) {
      showLazyFailure(lazy, status, text, notice.dataset.retry);
      return;
    }
    if (notice.hidden) {
      notice.returnFocus = document.activeElement;
    }
    notice.hidden = false;
    // Written once visible, so that screen readers announce it (again, if repeated).
    const line = notice.querySelector("[data-request-error-text]");
    line.textContent = "";
    window.requestAnimationFrame(function () {
      line.textContent = text;
    });
  }

  function showLazyFailure(lazy, status, text, retryLabel) {
    if (!status.hasAttribute("data-waiting")) {
      status.setAttribute("data-waiting", status.innerHTML);
    }
    const retry = document.createElement("button");
    Object.assign(retry, { type: "button", className: "btn btn-link btn-sm p-0 ms-1" });
    retry.textContent = retryLabel;
    retry.setAttribute("data-testid", "lazy-retry");
    retry.addEventListener("click", function () {
      status.innerHTML = status.getAttribute("data-waiting");
      status.classList.remove("text-danger");
      status.removeAttribute("role");
      status.setAttribute("aria-busy", "true");
      status.setAttribute("tabindex", "-1");
      status.focus(); // the button is gone: focus stays where it was
      htmx.trigger(lazy, "sp-retry");
    });
    status.replaceChildren(text, " ", retry);
    status.classList.add("text-danger");
    status.setAttribute("role", "alert");
    status.removeAttribute("aria-busy");
  }

  document.addEventListener("htmx:responseError", function (event) {
    const code = event.detail.xhr.status;
    requestFailed(event, { 403: "forbidden", 404: "missing" }[code] || "failed");
  });
  document.addEventListener("htmx:sendError", function (event) {
    requestFailed(event, "offline");
  });
  document.addEventListener("click", function (event) {
    const notice = event.target.closest("[data-request-error]");
    if (notice && event.target.closest("[data-request-error-close]")) {
      notice.hidden = true;
      if (notice.returnFocus && document.contains(notice.returnFocus)) {
        notice.returnFocus.focus();
      }
    }
  });

  // Confirmation for destructive buttons: <button data-confirm="text">.
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
