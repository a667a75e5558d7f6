// Copy buttons: <button data-copy="#field" data-copied="Copied" hidden> copies the field's
// value. They stay hidden without JavaScript, where the field can be selected by hand.
(function () {
  "use strict";

  function reveal(root) {
    root.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    field.select(); // plain http: the older way still works
    document.execCommand("copy");
    return Promise.resolve();
  }

  document.addEventListener("DOMContentLoaded", function () {
    reveal(document);
  });
  document.addEventListener("htmx:load", function (event) {
    reveal(event.detail.elt);
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy]");
    if (!button || button.dataset.copying) {
      return;
    }
    const field = document.querySelector(button.dataset.copy);
    copy(field).then(function () {
      const label = button.innerHTML;
      button.dataset.copying = "1";
      button.textContent = button.dataset.copied;
      window.setTimeout(function () {
        button.innerHTML = label;
        delete button.dataset.copying;
      }, 2000);
    });
  });
})();
