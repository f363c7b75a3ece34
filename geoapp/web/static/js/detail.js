/* geoapp project page: the mini-map of one project.
 *
 * The feature and its style arrive as JSON in a data block (#detail-data), never as
 * script source; the tooltip is a text node, so a name is shown as written whatever
 * characters it holds. No basemap: the page works offline.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("detail-data").textContent);
  var map = L.map("detail-map", { maxZoom: 18 });
  L.control.scale().addTo(map);
  var tip = document.createElement("span");
  tip.textContent = data.feature.properties.name;
  var layer = L.geoJSON(data.feature, {
    style: function () { return data.style; },
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { radius: 8, color: data.style.fillColor, fill: true, fillOpacity: 0.8 });
    },
  }).bindTooltip(tip).addTo(map);
  var bounds = layer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 13 }); } else { map.setView([30.2, 107.4], 8); }
  document.body.dataset.mapReady = "1";
})();
