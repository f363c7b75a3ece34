/* The review page (/review): open a queued project, correct it beside the map, save.
 *
 * Everything comes from the JSON data block #review-data (document text never becomes script
 * source) and from the API: the feature (/api/projects/<id>), its version (the ETag of
 * /projects/<id>/history?f=json, sent back as If-Match), the gazetteer's candidates
 * (/api/geocode). Text is put into the page as DOM text (textContent), never as HTML.
 * A click on the map places the project; Leaflet-Geoman draws a line or reshapes one
 * (snapping to the townships shown). Save = POST /api/projects/<id>/corrections with the
 * session cookie, the CSRF token (X-CSRF-Token) and If-Match.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var t = data.t;
  var root = data.root;
  var current = null; // {id, feature, version, precision}
  var edited = null; // {geometry, precision|null}
  var shown = null; // the project's layer on the map
  var drawn = null; // the editor's own point or line

  function $(id) { return document.getElementById(id); }
  function text(el, value) { el.textContent = value == null ? "" : String(value); return el; }
  function make(tag, value, cls) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    return text(el, value);
  }
  function say(message, kind) {
    var el = text($("editor-message"), message);
    el.className = "message " + (kind || "");
  }

  var map = L.map("review-map", { zoomControl: true }).setView([30.3, 107.9], 9);
  var context = L.layerGroup().addTo(map);
  var outline = { color: "#90a4ae", weight: 1, fill: false, interactive: false, pmIgnore: true };
  function contextLayer(kind, style) {
    return fetch(root + "/api/places.geojson?kind=" + kind).then(function (r) { return r.json(); })
      .then(function (fc) {
        // context only: never edited; the townships are snapped to when drawing a line
        L.geoJSON(fc, {
          style: style,
          pmIgnore: true,
          pointToLayer: function (f, latlng) {
            var m = L.circleMarker(latlng, {
              radius: 3, color: "#607d8b", weight: 1, fillOpacity: 0.6, pmIgnore: true, snapIgnore: false,
            });
            m.bindTooltip(make("span", f.properties.name));
            return m;
          },
        }).addTo(context);
      });
  }
  contextLayer("county", outline);
  contextLayer("township", null);

  map.pm.setLang("zh");
  map.pm.addControls({
    position: "topleft",
    drawMarker: false, drawCircleMarker: false, drawPolygon: false, drawRectangle: false,
    drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false, removalMode: false,
    drawPolyline: true, editMode: true, dragMode: true,
  });
  map.pm.setGlobalOptions({ snappable: true, snapDistance: 15 });

  function setEdited(geometry, precision) {
    edited = { geometry: geometry, precision: precision || null };
    $("editor-geometry").textContent = geometry.type;
  }
  function replaceDrawn(layer) {
    if (drawn) map.removeLayer(drawn);
    drawn = layer;
  }

  map.on("click", function (e) {
    if (!current || map.pm.globalDrawModeEnabled() || map.pm.globalEditModeEnabled() ||
        map.pm.globalDragModeEnabled()) return;
    var marker = L.marker(e.latlng, { draggable: true }).addTo(map);
    marker.on("dragend", function () { setEdited(marker.toGeoJSON().geometry); });
    replaceDrawn(marker);
    setEdited(marker.toGeoJSON().geometry);
  });
  map.on("pm:create", function (e) {
    replaceDrawn(e.layer);
    setEdited(e.layer.toGeoJSON().geometry);
    e.layer.on("pm:edit", function () { setEdited(e.layer.toGeoJSON().geometry); });
  });

  function showFeature(feature) {
    if (shown) map.removeLayer(shown);
    replaceDrawn(null);
    shown = L.geoJSON(feature, { style: { color: "#d62728", weight: 4, fillOpacity: 0.1 } }).addTo(map);
    shown.eachLayer(function (layer) {
      layer.on("pm:edit pm:dragend", function () { setEdited(layer.toGeoJSON().geometry); });
    });
    var bounds = shown.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { maxZoom: 13 });
  }

  function fillSelect(select, options, value) {
    select.textContent = "";
    options.forEach(function (o) {
      var opt = make("option", o[1]);
      opt.value = o[0];
      opt.selected = o[0] === value;
      select.appendChild(opt);
    });
  }

  function showCandidates(name, county) {
    var list = $("candidates");
    list.textContent = "";
    var url = root + "/api/geocode?limit=5&q=" + encodeURIComponent(name) +
      (county ? "&county=" + encodeURIComponent(county) : "");
    fetch(url).then(function (r) { return r.ok ? r.json() : { features: [] }; }).then(function (fc) {
      var found = (fc.features || []).filter(function (f) { return f.geometry; });
      if (!found.length) { list.appendChild(make("li", t.review_no_candidates, "muted")); return; }
      found.forEach(function (f) {
        var p = f.properties || {};
        var button = make("button", (p.matched_name || p.name || "") + (p.admin ? "（" + p.admin + "）" : "") +
          " · IATI " + (p.precision == null ? "?" : p.precision));
        button.type = "button";
        button.className = "candidate";
        button.addEventListener("click", function () {
          var layer = L.geoJSON(f.geometry, { style: { color: "#2e7d32", weight: 4 } }).addTo(map);
          replaceDrawn(layer);
          setEdited(f.geometry, typeof p.precision === "number" ? p.precision : null);
          map.fitBounds(layer.getBounds(), { maxZoom: 13 });
        });
        var li = document.createElement("li");
        li.appendChild(button);
        list.appendChild(li);
      });
    }).catch(function () { list.appendChild(make("li", t.review_no_candidates, "muted")); });
  }

  function open(id, button) {
    Array.prototype.forEach.call(document.querySelectorAll("#queue li"), function (li) {
      li.classList.toggle("active", li.contains(button));
    });
    edited = null;
    say("");
    Promise.all([
      fetch(root + "/api/projects/" + id).then(function (r) { return r.json(); }),
      fetch(root + "/projects/" + id + "/history?f=json", { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); }),
    ]).then(function (got) {
      var feature = got[0], history = got[1], p = feature.properties;
      current = { id: id, feature: feature, version: history.version };
      text($("editor-name"), p.name);
      text($("editor-note"), p.location_note || "");
      text($("editor-geometry"), feature.geometry ? feature.geometry.type : "");
      $("editor-history").href = root + "/projects/" + id + "/history";
      fillSelect($("editor-category"), data.categories, p.category);
      fillSelect($("editor-status"), data.statuses, p.status);
      $("editor-comment").value = "";
      $("editor").hidden = false;
      showFeature(feature);
      showCandidates(p.name, (p.counties || [])[0]);
      document.body.dataset.openItem = String(id);
    });
  }

  function changes() {
    var out = {}, p = current.feature.properties;
    if (edited) {
      out.geometry = edited.geometry;
      if (edited.precision) out.precision = edited.precision;
    }
    if ($("editor-category").value !== p.category) out.category = $("editor-category").value;
    if ($("editor-status").value !== p.status) out.status = $("editor-status").value;
    return out;
  }

  function markDone(id) {
    var li = document.querySelector('#queue li[data-id="' + id + '"]');
    if (li && !li.classList.contains("done")) {
      li.classList.add("done");
      text($("progress-done"), Number($("progress-done").textContent) + 1);
    }
  }

  function save() {
    if (!current) return;
    var body = { changes: changes(), comment: $("editor-comment").value.trim() };
    if (!Object.keys(body.changes).length) { say(t.review_nothing, "error"); return; }
    if (!body.comment) { say(t.review_need_comment, "error"); $("editor-comment").focus(); return; }
    $("editor-save").disabled = true;
    fetch(root + "/api/projects/" + current.id + "/corrections", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRF-Token": data.csrf,
        "If-Match": current.version,
      },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().then(function (answer) { return { status: r.status, etag: r.headers.get("ETag"), answer: answer }; });
    }).then(function (res) {
      if (res.status === 201) {
        current.version = res.etag;
        say(t.review_saved + " #" + res.answer.id, "ok");
        markDone(current.id);
        document.body.dataset.saved = String(res.answer.id);
      } else if (res.status === 412) {
        say(t.review_stale, "error");
      } else {
        say(t.review_save_failed + "：" + (res.answer.description || res.status), "error");
      }
    }).catch(function () { say(t.review_save_failed, "error"); })
      .then(function () { $("editor-save").disabled = false; });
  }

  Array.prototype.forEach.call(document.querySelectorAll("#queue button.open"), function (button) {
    button.addEventListener("click", function () { open(Number(button.dataset.id), button); });
  });
  $("editor-save").addEventListener("click", save);
  document.body.dataset.loaded = "1";
})();
