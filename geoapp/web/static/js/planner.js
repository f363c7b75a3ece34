/* geoapp planner map: fills the folium map's layers from the JSON API.
 *
 * - Projects are loaded all at once when few, else by the current view (bbox),
 *   so the page stays small however large the database is.
 * - Projects known only to their county are drawn as hollow symbols at the
 *   county seat and say so in their popup: never a made-up exact point.
 * - Internet basemaps are optional; with a GCJ-02 basemap (Gaode) the data
 *   layers are shifted to GCJ-02 so they line up.
 */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("geoapp-config").textContent);
  // placed at the site itself or near it (IATI codes from the server: gazetteer.precision);
  // a context place without a code is drawn as placed
  function atSite(p) { return p.precision == null || cfg.precisionCodes.site.indexOf(p.precision) >= 0; }
  var t = cfg.t;
  var styles = cfg.styles;

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  // A tooltip or label from document text: a DOM node filled with textContent, so the
  // text is never parsed as HTML whatever it holds (Leaflet sets string content as innerHTML).
  function textNode(s) {
    var span = document.createElement("span");
    span.textContent = String(s == null ? "" : s);
    return span;
  }
  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }

  /* ---- GCJ-02 (the public forward formula; the same as gazetteer/datum.py) ---- */
  var A = 6378245.0, EE = 0.00669342162296594323;
  function outOfChina(lon, lat) { return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function tLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function tLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return r;
  }
  function toGcj02(lon, lat) {
    if (outOfChina(lon, lat)) return [lon, lat];
    var dLat = tLat(lon - 105.0, lat - 35.0), dLon = tLon(lon - 105.0, lat - 35.0);
    var radLat = lat / 180.0 * Math.PI, magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
    dLon = (dLon * 180.0) / (A / sqrtMagic * Math.cos(radLat) * Math.PI);
    return [lon + dLon, lat + dLat];
  }
  window.geoappToGcj02 = toGcj02; // exposed for the browser tests

  var datum = "wgs84";
  function shift(lon, lat) { return datum === "gcj02" ? toGcj02(lon, lat) : [lon, lat]; }
  function shiftCoords(c) {
    if (typeof c[0] === "number") return shift(c[0], c[1]);
    return c.map(shiftCoords);
  }
  function shiftGeometry(g) {
    return datum === "gcj02" ? { type: g.type, coordinates: shiftCoords(g.coordinates) } : g;
  }
  function latlng(lat, lon) { var p = shift(lon, lat); return [p[1], p[0]]; }

  function start() {
    var map = window[cfg.map];
    var layers = {};
    Object.keys(cfg.layers).forEach(function (k) { layers[k] = window[cfg.layers[k]]; });
    var cluster = window[cfg.cluster];
    if (L.control.polylineMeasure) {
      L.control.polylineMeasure({ position: "topleft", unit: "metres", showBearings: false, clearMeasurementsOnStop: false,
                                  measureControlTitleOn: t.measure_on, measureControlTitleOff: t.measure_off }).addTo(map);
    }
    var status = document.getElementById("map-status");
    var loaded = [];          // features of the current selection (WGS84, as served)
    var counties = null;      // county outlines (WGS84)
    var towns = null;
    var firstDrawn = false;

    /* ---- project symbols ---- */
    function categoryStyle(p) { return styles.category[p.category] || styles.category.urban; }
    function iconFor(p, approximate) {
      var c = categoryStyle(p);
      var cls = "geoapp-marker" + (approximate ? " approximate" : "") + (p.kind === "place" ? " place" : "");
      var icon = styles.subtype[p.subtype] && styles.subtype[p.subtype].icon || c.icon;
      var html = '<span style="' + (approximate ? "border-color:" + c.color + ";color:" + c.color
        : "background:" + c.color) + '"><i class="fa-solid fa-' + esc(icon) + '"></i></span>';
      return L.divIcon({ className: cls, html: html, iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10] });
    }
    function popupHtml(p) {
      var rows = [
        [t.popup_category, (p.category_label || "") + (p.subtype_label ? " · " + p.subtype_label : "")],
        [t.popup_status, (p.status_label || "") + (p.status_phrase ? "（" + p.status_phrase + "）" : "")],
        [t.popup_county, (p.counties || []).join("、")],
        [t.popup_period, p.period],
        [t.popup_investment, p.investment_wan != null ? Number(p.investment_wan).toLocaleString() + " " + t.wan_yuan : ""],
        [t.popup_lead_unit, p.lead_unit],
        [t.popup_location, p.precision_text + (p.location_note ? "；" + p.location_note : "")],
        [t.popup_corrected, p.corrected ? t.popup_corrected_yes : ""],
      ];
      var body = rows.filter(function (r) { return r[1]; }).map(function (r) {
        return "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>";
      }).join("");
      var src = p.sentence ? '<blockquote class="geoapp-source">' + esc(p.sentence.slice(0, 240)) +
        (p.sentence.length > 240 ? "…" : "") + '<cite>' + esc(p.document || "") + "</cite></blockquote>" : "";
      return '<div class="geoapp-popup"><h4>' + esc(p.name) + "</h4><table>" + body + "</table>" + src +
        '<a class="geoapp-details" href="' + esc(cfg.root) + '/projects/' + encodeURIComponent(p.id) +
        (cfg.lang === "en" ? "?lang=en" : "") + '">' + esc(t.popup_details) + " →</a>" +
        (p.is_line ? ' <a class="geoapp-corridor" href="' + esc(cfg.root) + '/?corridor=project:' + encodeURIComponent(p.id) +
          (cfg.lang === "en" ? "&lang=en" : "") + '">' + esc(t.popup_as_corridor) + "</a>" : "") + "</div>";
    }
    function seatOf(p) {
      var code = (p.county_codes || [])[0];
      return code && cfg.countySeats[code];
    }
    // Markers are handed to the cluster in batches: one addLayers call instead of thousands
    // of addLayer calls keeps the main thread free while panning.
    var batch = [];
    function flush() {
      if (batch.length) { cluster.addLayers(batch); batch = []; }
    }
    function addFeature(f) {
      var p = f.properties, g = f.geometry;
      if (!g) return;
      var target = p.kind === "place" ? layers.places : null;
      var layer;
      if (g.type === "Point") {
        layer = L.marker(latlng(g.coordinates[1], g.coordinates[0]), { icon: iconFor(p, !atSite(p)), title: p.name });
      } else if (g.type === "Polygon" || g.type === "MultiPolygon") {
        // Known only to the county (or a wider area): a hollow symbol at the seat.
        var seat = seatOf(p);
        if (!seat) {
          var b = L.geoJSON(g).getBounds().getCenter();
          seat = [b.lat, b.lng];
        }
        layer = L.marker(latlng(seat[0], seat[1]), { icon: iconFor(p, true), title: p.name });
      } else {
        p.is_line = true;
        var sub = styles.subtype[p.subtype] || {};
        var color = sub.color || categoryStyle(p).color;
        layer = L.geoJSON(shiftGeometry(g), {
          style: {
            color: color, weight: sub.weight || 3, dashArray: sub.dash || null,
            opacity: atSite(p) ? 0.95 : 0.75,
          },
        });
        target = p.kind === "place" ? layers.places : layers.projects;
      }
      layer.bindPopup(function () { return popupHtml(p); }, { maxWidth: 360 });
      layer.bindTooltip(textNode(p.name), { sticky: true });
      layer.geoappId = p.id;
      layer.geoappName = p.name;
      if (target) target.addLayer(layer);
      else batch.push(layer);
      if (!firstDrawn) {
        firstDrawn = true;
        window.geoappFirstFeatureAt = performance.now();
      }
    }
    function redraw() {
      cluster.clearLayers();
      layers.places.clearLayers();
      layers.projects.eachLayer(function (l) { if (l !== cluster) layers.projects.removeLayer(l); });
      loaded.forEach(addFeature);
      flush();
      document.body.dataset.features = String(loaded.length);
    }

    /* ---- loading ---- */
    function url(extra) {
      var q = cfg.query ? cfg.query + "&" : "";
      return cfg.api + "?" + q + extra + (cfg.lang === "en" ? "&lang=en" : "");
    }
    function getJSON(u) {
      return fetch(u, { headers: { Accept: "application/geo+json" } }).then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + u);
        return r.json();
      });
    }
    var pageSize = 2000;
    function loadAll(offset) {
      return getJSON(url("limit=" + pageSize + "&offset=" + offset)).then(function (fc) {
        fc.features.forEach(function (f) { loaded.push(f); addFeature(f); });
        flush();
        document.body.dataset.features = String(loaded.length);
        if (fc.numberReturned === pageSize && loaded.length < fc.numberMatched) return loadAll(offset + pageSize);
        return fc;
      });
    }
    var pending = null;
    function loadView() {
      var b = map.getBounds();
      var sw = b.getSouthWest(), ne = b.getNorthEast();
      var box = [Math.max(-180, sw.lng), Math.max(-90, sw.lat), Math.min(180, ne.lng), Math.min(90, ne.lat)]
        .map(function (v) { return v.toFixed(5); }).join(",");
      if (pending) pending.cancelled = true;
      var token = pending = { cancelled: false };
      status.textContent = t.loading;
      return getJSON(url("bbox=" + box + "&limit=" + cfg.embedLimit)).then(function (fc) {
        if (token.cancelled) return;
        loaded = fc.features;
        redraw();
        status.textContent = fmt(t.in_view, { shown: fc.numberReturned, total: fc.numberMatched });
        document.body.dataset.loaded = "1";
      });
    }
    function fitToLoaded() {
      if (cfg.fitBounds) { map.fitBounds(cfg.fitBounds, { padding: [10, 10] }); return; }
      var group = L.featureGroup([cluster, layers.projects, layers.places]);
      var b = group.getBounds();
      if (b.isValid()) map.fitBounds(b.pad(0.05), { maxZoom: 12 });
    }

    /* ---- context layers ---- */
    /* ---- the chosen corridor and its buffer (names are data: tooltips from textContent) ---- */
    function drawCorridor() {
      var c = cfg.corridor;
      layers.corridors.clearLayers();
      if (!c) return;
      L.geoJSON(shiftGeometry(c.buffer), {
        style: { color: "#ff5722", weight: 1, fillColor: "#ff9800", fillOpacity: 0.12 },
      }).bindTooltip(textNode(c.name + " ± " + c.distance_km + " km"), { sticky: true }).addTo(layers.corridors);
      L.geoJSON(shiftGeometry(c.line), { style: { color: "#e64a19", weight: 5, opacity: 0.9 } })
        .bindTooltip(textNode(c.name), { sticky: true }).addTo(layers.corridors);
    }
    function drawCounties() {
      layers.counties.clearLayers();
      if (!counties) return;
      var selected = cfg.selectedCounties;
      L.geoJSON(shiftFC(counties), {
        style: function (f) {
          var on = selected.indexOf(f.properties.county_code) >= 0;
          return {
            color: on ? "#37474f" : "#90a4ae", weight: on ? 2.2 : 0.8,
            fillColor: on ? "#fff8e1" : "#eceff1", fillOpacity: f.properties.chongqing ? 0.35 : 0.15,
          };
        },
        onEachFeature: function (f, l) {
          if (f.properties.chongqing) {
            var seat = f.properties.seat;
            L.marker(latlng(seat[0], seat[1]), {
              icon: L.divIcon({ className: "county-label", html: esc(f.properties.name), iconSize: [80, 16], iconAnchor: [40, -6] }),
              interactive: false, keyboard: false,
            }).addTo(layers.counties);
          }
          l.bindTooltip(textNode(f.properties.name), { sticky: true });
        },
      }).addTo(layers.counties);
      layers.counties.eachLayer(function (l) { if (l.bringToBack) l.bringToBack(); });
    }
    function shiftFC(fc) {
      if (datum !== "gcj02") return fc;
      return { type: "FeatureCollection", features: fc.features.map(function (f) {
        return { type: "Feature", properties: f.properties, geometry: shiftGeometry(f.geometry) };
      }) };
    }
    function drawTowns() {
      layers.towns.clearLayers();
      if (!towns) return;
      towns.features.forEach(function (f) {
        var c = f.geometry.coordinates;
        L.circleMarker(latlng(c[1], c[0]), { radius: 3, color: "#546e7a", weight: 1, fillColor: "#fff", fillOpacity: 1 })
          .bindTooltip(textNode(f.properties.name)).addTo(layers.towns);
      });
    }
    function loadTowns() {
      if (towns) return;
      getJSON(cfg.placesApi + "?kind=township").then(function (fc) { towns = fc; drawTowns(); });
    }
    map.on("overlayadd", function (e) { if (e.layer === layers.towns) loadTowns(); });
    function labelZoom() {
      map.getContainer().classList.toggle("labels-hidden", map.getZoom() < 8);
    }
    map.on("zoomend", labelZoom);
    labelZoom();

    /* ---- legend ---- */
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "geoapp-legend leaflet-bar");
      var items = cfg.legend.map(function (c) {
        return '<li><span class="swatch" style="background:' + esc(c.color) + '"></span>' + esc(c.label) + "</li>";
      }).join("");
      div.innerHTML = "<strong>" + esc(t.legend) + "</strong><ul>" + items +
        '<li><span class="swatch hollow"></span>' + esc(cfg.precision[String(cfg.precisionCodes.county)]) + "</li>" +
        '<li><span class="swatch dashed"></span>' + esc(cfg.precision[String(cfg.precisionCodes.estimated)]) + "</li></ul>";
      return div;
    };
    if (cfg.legend.length) legend.addTo(map);

    /* ---- basemaps ---- */
    var tiles = null;
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "geoapp-basemaps leaflet-bar");
      var html = "<strong>" + esc(t.basemap) + "</strong>";
      html += '<label><input type="radio" name="basemap" value="" checked> ' + esc(t.basemap_none) + "</label>";
      cfg.basemaps.forEach(function (b) {
        html += '<label><input type="radio" name="basemap" value="' + esc(b.id) + '"> ' + esc(t["basemap_" + b.id] || b.id) + "</label>";
      });
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      div.addEventListener("change", function (e) { setBasemap(e.target.value); });
      return div;
    };
    control.addTo(map);
    function setBasemap(id) {
      if (tiles) { tiles.forEach(function (l) { map.removeLayer(l); }); tiles = null; }
      var b = cfg.basemaps.filter(function (x) { return x.id === id; })[0];
      var newDatum = b ? b.datum : "wgs84";
      if (b) {
        var opts = { attribution: b.attribution, maxZoom: b.maxZoom, subdomains: b.subdomains || "abc" };
        tiles = [L.tileLayer(b.url, opts).addTo(map)];
        if (b.overlay) tiles.push(L.tileLayer(b.overlay, opts).addTo(map));
        tiles.forEach(function (l) { l.bringToBack(); });
      }
      if (newDatum !== datum) {
        datum = newDatum;
        redraw();
        drawCounties();
        drawTowns();
        drawCorridor();
      }
      document.body.dataset.datum = datum;
    }
    window.geoappSetBasemap = setBasemap;

    /* ---- "导出图片": the image of the current view ---- */
    var exportLink = document.getElementById("export-image");
    var exportBase = exportLink ? exportLink.getAttribute("href") : null;
    function updateExport() {
      if (!exportLink) return;
      var b = map.getBounds();
      function clamp(v, lim) { return Math.max(-lim, Math.min(lim, v)); }
      var box = [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)]
        .map(function (v) { return v.toFixed(4); });
      exportLink.setAttribute("href", exportBase + "&bbox=" + box.join(","));
    }
    map.on("moveend", updateExport);

    /* ---- start ---- */
    if (map.attributionControl) {
      map.attributionControl.addAttribution(esc(t.attribution_short));
      (cfg.layerAttributions || []).forEach(function (a) { map.attributionControl.addAttribution(esc(a)); });
    }
    document.body.dataset.datum = datum;
    drawCorridor();
    getJSON(cfg.placesApi + "?kind=county").then(function (fc) { counties = fc; drawCounties(); }).catch(function () {});
    if (cfg.total === 0) {
      status.textContent = t.no_results;
      document.body.dataset.loaded = "1";
      document.body.dataset.features = "0";
      return;
    }
    if (cfg.total <= cfg.embedLimit) {
      status.textContent = t.loading;
      loadAll(0).then(function () {
        status.textContent = "";
        fitToLoaded();
        document.body.dataset.loaded = "1";
      });
    } else {
      if (cfg.fitBounds) map.fitBounds(cfg.fitBounds, { padding: [10, 10] });
      var timer = null;
      map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(loadView, 150); });
      loadView();
    }
  }

  function ready() {
    if (window[cfg.map] && window[cfg.cluster]) start();
    else setTimeout(ready, 10);
  }
  ready();
})();
