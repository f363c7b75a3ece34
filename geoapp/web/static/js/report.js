/* The county report page: the print button (no inline handlers under the CSP). */
document.querySelectorAll("[data-action=print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
