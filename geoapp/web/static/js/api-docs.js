/* The try-it API page (/api?f=html): Swagger UI over this service's OpenAPI document.
 * Loaded from /static like every script (the CSP allows no inline code); the document's
 * URL comes from the page as data (data-spec-url), so nothing here is templated.
 * Offline: the vendored bundle, no validator badge (it would call swagger.io). */
(function () {
  "use strict";
  function start() {
    var node = document.getElementById("swagger-ui");
    if (!node || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    document.getElementById("api-tables").hidden = true; // the no-script tables, now redundant
    window.geoappApiDocs = window.SwaggerUIBundle({
      url: node.dataset.specUrl,
      domNode: node,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      deepLinking: true,
      validatorUrl: null,
      supportedSubmitMethods: ["get", "post"],
      defaultModelsExpandDepth: 0,
      onComplete: function () {
        document.body.dataset.apiDocs = "ready";
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
