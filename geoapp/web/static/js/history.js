/* The history page (/projects/<id>/history), for editors: undo a correction. Each "undo" form
 * posts {comment} to /api/corrections/<id>/revert with the session cookie and the CSRF token
 * (from the JSON data block #history-data), then reloads the page. Messages are DOM text. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("history-data").textContent);
  Array.prototype.forEach.call(document.querySelectorAll("form.revert"), function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var message = form.querySelector(".message");
      fetch(data.root + "/api/corrections/" + form.dataset.id + "/revert", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": data.csrf },
        body: JSON.stringify({ comment: form.elements.comment.value }),
      }).then(function (r) {
        // read the whole answer before reloading (a reload would cut the response short)
        return r.json().then(function (answer) {
          if (r.status === 201) window.location.reload();
          else message.textContent = answer.description || String(r.status);
        });
      }).catch(function () { message.textContent = "error"; });
    });
  });
})();
