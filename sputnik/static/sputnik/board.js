// The deals board: a card dragged to another column moves the deal (SortableJS). The
// server answers with the board re-rendered (moved, or refused with the reason), or with
// a dialog asking for what the stage requires; cancelling it puts the card back.
// The board may be a page of its own or be loaded by htmx into another page, so this
// file sets up every board that appears (htmx.onLoad) and loads SortableJS when needed.
(function () {
  "use strict";

  if (window.sputnikBoard) {
    return; // loaded again with a re-rendered board: the first copy handles it
  }
  window.sputnikBoard = true;

  function withSortable(board, then) {
    if (window.Sortable) {
      then();
      return;
    }
    let script = document.querySelector("script[data-sortable]");
    if (!script) {
      script = document.createElement("script");
      script.src = board.dataset.sortableSrc;
      script.integrity = board.dataset.sortableIntegrity;
      script.setAttribute("data-sortable", "");
      document.head.appendChild(script);
    }
    script.addEventListener("load", then, { once: true });
  }

  function setUp(board) {
    if (board.dataset.ready) {
      return;
    }
    board.dataset.ready = "1";
    withSortable(board, function () {
      board.querySelectorAll("[data-board-list]").forEach(function (list) {
        const zone = list.hasAttribute("data-board-zone");
        window.Sortable.create(list, {
          group: { name: "deals", pull: !zone, put: true },
          sort: false,
          draggable: "[data-movable]",
          forceFallback: true,
          fallbackTolerance: 4,
          ghostClass: "sp-board-ghost",
          chosenClass: "sp-board-chosen",
          dragClass: "sp-board-drag",
          onEnd: function (event) {
            if (event.to !== event.from) {
              moved(board, event);
            }
          },
        });
      });
    });
  }

  function setUpWithin(root) {
    const boards = root.matches && root.matches("[data-board]") ? [root] : [];
    if (root.querySelectorAll) {
      boards.push(...root.querySelectorAll("[data-board]"));
    }
    boards.forEach(setUp);
  }

  function moved(board, event) {
    const card = event.item;
    const from = event.from;
    const before = from.children[event.oldIndex] || null;
    const putBack = function () {
      from.insertBefore(card, before);
    };
    const body = new FormData();
    body.append("stage", event.to.dataset.stage);
    body.append("version", card.dataset.version);
    const url = card.dataset.moveUrl + "?" + board.dataset.query;
    send(board, url, body).then(function (answer) {
      if (answer.dialog) {
        ask(board, answer.html, putBack);
      } else if (answer.board) {
        replace(board, answer.html);
      } else {
        putBack();
        warn(board);
      }
    });
  }

  // {board: true, html} | {dialog: true, html} | {} (anything else: a network failure, 404)
  function send(board, url, body) {
    board.classList.add("sp-board-busy");
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": board.dataset.csrf,
        "HX-Request": "true",
        "HX-Current-URL": window.location.href,
      },
    })
      .then(function (response) {
        return response.text().then(function (html) {
          if (response.status === 422) {
            return { dialog: true, html: html };
          }
          return response.headers.get("X-Sputnik-Board") ? { board: true, html: html } : {};
        });
      })
      .catch(function () {
        return {};
      })
      .finally(function () {
        board.classList.remove("sp-board-busy");
      });
  }

  function replace(board, html) {
    const columns = board.querySelector(".sp-board-columns");
    const scrolled = columns ? columns.scrollLeft : 0;
    const id = board.id;
    window.htmx.swap(board, html, { swapStyle: "outerHTML" });
    const fresh = document.getElementById(id);
    const freshColumns = fresh && fresh.querySelector(".sp-board-columns");
    if (freshColumns) {
      freshColumns.scrollLeft = scrolled;
    }
  }

  function warn(board) {
    const place = board.querySelector("[data-board-alert]");
    const alert = document.createElement("div");
    alert.className = "alert alert-danger py-2 mb-2";
    alert.setAttribute("role", "alert");
    alert.textContent = board.dataset.error;
    place.replaceChildren(alert);
  }

  // The dialog asking for what the stage requires; its answers follow the same rules.
  function ask(board, html, putBack) {
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    const dialog = holder.firstElementChild;
    document.body.appendChild(dialog);
    const modal = window.bootstrap.Modal.getOrCreateInstance(dialog);
    let moved = false;
    let shown = false;
    let closing = false;
    // Bootstrap ignores hide() while the dialog is still opening: close it once open.
    const close = function () {
      closing = true;
      if (shown) {
        modal.hide();
      }
    };
    dialog.addEventListener("shown.bs.modal", function () {
      shown = true;
      if (closing) {
        modal.hide();
        return;
      }
      const first = dialog.querySelector(".is-invalid, input:not([type=hidden]), select");
      if (first) {
        first.focus();
      }
    });
    dialog.addEventListener("hidden.bs.modal", function () {
      if (!moved) {
        putBack();
      }
      modal.dispose();
      dialog.remove();
    });
    dialog.addEventListener("submit", function (event) {
      event.preventDefault();
      const form = event.target;
      if (form.dataset.sending) {
        return;
      }
      form.dataset.sending = "1";
      send(board, form.action, new FormData(form)).then(function (answer) {
        if (answer.dialog) {
          const again = document.createElement("div");
          again.innerHTML = answer.html.trim();
          const content = again.querySelector(".modal-content");
          dialog.querySelector(".modal-content").replaceWith(content);
          const invalid = content.querySelector(".is-invalid");
          if (invalid) {
            invalid.focus();
          }
        } else if (answer.board) {
          moved = true;
          close();
          replace(board, answer.html);
        } else {
          close();
          warn(board);
        }
      });
    });
    modal.show();
  }

  // A board being replaced or removed lets go of its sortable lists.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    const element = event.detail.elt;
    if (window.Sortable && element.matches && element.matches("[data-board-list]")) {
      const sortable = window.Sortable.get(element);
      if (sortable) {
        sortable.destroy();
      }
    }
  });

  function start() {
    setUpWithin(document.body);
    window.htmx.onLoad(setUpWithin);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
