/* Apply a filter as soon as it changes (the URL keeps the state: bookmark and share it). */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;
  form.addEventListener("change", function (e) {
    if (e.target.matches('input[type="checkbox"], select')) submit();
  });
  function submit() {
    // Empty fields stay out of the URL so bookmarks stay short and readable.
    var data = new FormData(form);
    var params = new URLSearchParams();
    data.forEach(function (value, key) {
      if (String(value).trim() !== "" && !(key === "distance_km" && !data.get("corridor"))) params.append(key, value);
    });
    window.location.search = params.toString();
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
})();
