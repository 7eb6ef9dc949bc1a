/* Attendance register: one key or click per person, without reloading the page.
 *
 * Without this script every row is a plain form with three submit buttons, which works
 * by mouse and by keyboard (Tab, Enter). With it:
 *   - a row, or a button in it, takes the keys shown in the hint (aria-keyshortcuts on the
 *     buttons, e.g. a / f / w in Dutch) and 1 / 2 / 3; the next row then gets the focus;
 *   - the arrow keys up and down move between rows;
 *   - clicks and keys send the same POST with fetch, update the row, and announce the
 *     change in the polite live region.
 */
(function () {
  "use strict";

  var table = document.getElementById("attendance-register");
  if (!table || !window.fetch || !window.FormData) {
    return;
  }
  var live = document.getElementById("attendance-live");
  var hint = document.getElementById("attendance-keys");
  if (hint) {
    hint.hidden = false;
  }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  rows.forEach(function (row) {
    row.tabIndex = 0;
  });

  function buttonsOf(row) {
    return Array.prototype.slice.call(row.querySelectorAll("button[name=status]"));
  }

  function buttonForKey(row, key) {
    var buttons = buttonsOf(row);
    var digit = parseInt(key, 10);
    if (digit >= 1 && digit <= buttons.length) {
      return buttons[digit - 1];
    }
    for (var i = 0; i < buttons.length; i++) {
      if ((buttons[i].getAttribute("aria-keyshortcuts") || "").toLowerCase() === key) {
        return buttons[i];
      }
    }
    return null;
  }

  function announce(message) {
    if (!live) {
      return;
    }
    // Emptying first makes screen readers announce a message that repeats the last one.
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = message;
    }, 30);
  }

  function updateCounts() {
    var counts = {};
    rows.forEach(function (row) {
      var status = row.getAttribute("data-status") || "";
      counts[status] = (counts[status] || 0) + 1;
    });
    var cells = document.querySelectorAll("#attendance-counts [data-count]");
    Array.prototype.forEach.call(cells, function (cell) {
      cell.textContent = String(counts[cell.getAttribute("data-count")] || 0);
    });
  }

  function show(row, data) {
    row.setAttribute("data-status", data.status);
    row.querySelector(".current").textContent = data.label;
    buttonsOf(row).forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === data.status ? "true" : "false");
    });
    updateCounts();
    announce(data.message);
  }

  function submitWithoutScript(form, status) {
    // Let the server answer as it does without JavaScript (a message, or an error page).
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "status";
    input.value = status;
    form.appendChild(input);
    form.submit();
  }

  function send(row, status) {
    var form = row.querySelector("form.mark");
    var body = new FormData(form);
    body.set("status", status);
    row.setAttribute("aria-busy", "true");
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) {
          submitWithoutScript(form, status);
          return;
        }
        return response.json().then(function (data) {
          if (response.ok) {
            show(row, data);
          } else {
            announce(data.error);
          }
        });
      })
      .catch(function () {
        submitWithoutScript(form, status);
      })
      .then(function () {
        row.removeAttribute("aria-busy");
      });
  }

  table.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || document.activeElement;
    if (!button || button.name !== "status") {
      return;
    }
    event.preventDefault();
    send(form.closest("tr"), button.value);
  });

  table.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) {
      return;
    }
    var row = event.target.closest("tbody tr");
    if (!row) {
      return;
    }
    var index = rows.indexOf(row);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var next = rows[index + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) {
        next.focus();
      }
      event.preventDefault();
      return;
    }
    var button = buttonForKey(row, (event.key || "").toLowerCase());
    if (!button) {
      return;
    }
    event.preventDefault();
    send(row, button.value);
    if (rows[index + 1]) {
      rows[index + 1].focus();
    }
  });
})();
