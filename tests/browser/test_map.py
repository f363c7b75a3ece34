"""The planner map in a real Chromium against a live server.

Every test records console errors, failed requests and requests to other
origins; with the default (no) basemap all three must stay empty. Screenshots
of the main views are saved under test-artifacts/ for people to look at.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
import shapely
from playwright.sync_api import Page, expect
from pyproj import Transformer

pytestmark = pytest.mark.browser

SPATIALITE_ONLY = pytest.mark.parametrize("backend", ["spatialite"], indirect=True)


class Watch:
    def __init__(self, page: Page, base: str):
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.external: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on(
            "request",
            lambda r: r.url.startswith(base) or r.url.startswith("data:") or self.external.append(r.url),
        )

    def assert_clean(self):
        assert self.errors == [], self.errors
        assert self.failed == [], self.failed
        assert self.external == [], self.external


def open_map(page: Page, server, path: str = "/") -> Watch:
    watch = Watch(page, server.url)
    page.goto(server.url + path)
    page.locator("body[data-loaded='1']").wait_for(state="attached", timeout=30_000)
    return watch


_TO_GK = Transformer.from_crs("EPSG:4326", "EPSG:4545", always_xy=True)  # CGCS2000 GK, CM 108°E


def _metric(geom):
    return shapely.transform(geom, lambda xy: _to_gk(xy))


def _to_gk(xy):
    import numpy as np

    x, y = _TO_GK.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def layer_count(page: Page, name: str) -> int:
    """How many Leaflet layers a named group holds (vector layers are drawn on a canvas)."""
    return page.evaluate(
        """name => {
        const cfg = JSON.parse(document.getElementById('geoapp-config').textContent);
        let n = 0;
        const walk = g => g.eachLayer(l => { if (l.eachLayer) walk(l); else n += 1; });
        walk(window[cfg.layers[name]]);
        return n;
    }""",
        name,
    )


def drawn(page: Page) -> int:
    return int(page.evaluate("document.body.dataset.features"))


def facet(page: Page, kind: str, value: str) -> int:
    return int(page.locator(f'[data-facet="{kind}"][data-value="{value}"]').inner_text())


def test_map_renders_offline_with_no_errors(page, live_server, artifacts, backend):
    watch = open_map(page, live_server)
    assert page.locator(".leaflet-container").count() == 1
    expect(page.locator("#summary")).to_contain_text("显示")
    assert drawn(page) > 500
    # county outlines and project symbols are really on the map
    page.locator(".county-label").first.wait_for(state="attached")
    assert layer_count(page, "counties") > 38
    assert layer_count(page, "projects") > 300
    assert page.locator(".leaflet-overlay-pane canvas").count() == 1
    assert page.locator(".geoapp-marker, .marker-cluster").count() > 5
    served = page.request.get(live_server.url + "/").text()
    assert not re.search(r"""(src|href)=["']https?://""", served)
    page.screenshot(path=artifacts / "map.png")
    watch.assert_clean()


@SPATIALITE_ONLY
def test_choosing_a_county_changes_features_and_facets(page, live_server, artifacts):
    watch = open_map(page, live_server)
    all_features = drawn(page)
    transport_before = facet(page, "category", "transport")
    page.select_option("#county-select", "500231")  # 垫江县: the form submits itself
    page.wait_for_url(re.compile(r"county=500231"))
    page.locator("body[data-loaded='1']").wait_for(state="attached", timeout=30_000)
    in_county = drawn(page)
    assert 0 < in_county < all_features
    assert facet(page, "category", "transport") < transport_before
    expect(page.locator("#summary")).to_contain_text(f"显示 {in_county} 个项目")
    page.screenshot(path=artifacts / "dianjiang.png")
    watch.assert_clean()


@SPATIALITE_ONLY
def test_corridor_filter_returns_projects_along_it(page, live_server, artifacts, gazetteer):
    watch = open_map(page, live_server)
    options = page.locator("#corridor-select option")
    value = next(
        options.nth(i).get_attribute("value")
        for i in range(options.count())
        if options.nth(i).inner_text() == "渝万高铁"
    )
    page.select_option("#corridor-select", value)
    page.wait_for_url(re.compile(r"corridor="))
    page.locator("body[data-loaded='1']").wait_for(state="attached", timeout=30_000)
    n = drawn(page)
    assert n > 5
    # the same selection through the API: every project lies within 5 km of the line
    api = f"{live_server.url}/api/projects.geojson?corridor={value}&distance_km=5&limit=1000"
    with urllib.request.urlopen(api) as resp:
        fc = json.loads(resp.read())
    assert fc["numberMatched"] == n
    names = {f["properties"]["name"] for f in fc["features"]}
    assert "渝万高铁" in names
    line = _metric(gazetteer.get(value).geometry)
    for f in fc["features"]:
        assert _metric(shapely.geometry.shape(f["geometry"])).distance(line) <= 5_000 + 1, f["properties"][
            "name"
        ]
    assert layer_count(page, "corridors") == 2  # the corridor and its buffer
    page.screenshot(path=artifacts / "corridor.png")
    watch.assert_clean()


@SPATIALITE_ONLY
def test_popup_links_to_the_detail_page(page, live_server, artifacts):
    watch = open_map(page, live_server, "/?q=渝万高铁")
    assert layer_count(page, "projects") >= 1
    page.evaluate(
        """() => {
        const cfg = JSON.parse(document.getElementById('geoapp-config').textContent);
        const group = window[cfg.layers.projects];
        group.eachLayer(l => { if (l.geoappName === '渝万高铁') l.openPopup(); });
    }"""
    )
    popup = page.locator(".leaflet-popup-content").first
    expect(popup).to_contain_text("渝万高铁")
    expect(popup).to_contain_text("位置为估计")
    page.screenshot(path=artifacts / "popup.png")
    popup.locator("a.geoapp-details").click()
    page.wait_for_url(re.compile(r"/projects/\d+"))
    expect(page.locator("#project-name")).to_have_text("渝万高铁")
    assert page.locator("ol.mentions mark").count() >= 2  # mentioned in 000 and 001
    expect(page.locator("ol.mentions")).to_contain_text("000_4bdad7fc0196efd2.txt")
    page.screenshot(path=artifacts / "detail.png", full_page=True)
    watch.assert_clean()


@SPATIALITE_ONLY
def test_switching_language_changes_labels(page, live_server):
    watch = open_map(page, live_server)
    expect(page.locator("fieldset legend").first).to_have_text("类别")
    page.click("#lang-switch")
    page.wait_for_url(re.compile(r"lang=en"))
    page.locator("body[data-loaded='1']").wait_for(state="attached", timeout=30_000)
    expect(page.locator("fieldset legend").first).to_have_text("Category")
    expect(page.locator("#summary")).to_contain_text("Showing")
    expect(page.locator("label.facet").first).to_contain_text("Transport")
    assert page.evaluate("document.documentElement.lang") == "en"
    watch.assert_clean()


@SPATIALITE_ONLY
def test_bad_filters_render_the_page_and_say_what_was_ignored(page, live_server):
    watch = open_map(
        page,
        live_server,
        "/?category=teleport&county=火星县&year_from=2030&year_to=2020&investment_min=abc&corridor=line:nope&q="
        + "长" * 5000,
    )
    problems = page.locator("#problems")
    expect(problems).to_contain_text("teleport")
    expect(problems).to_contain_text("火星县")
    expect(problems).to_contain_text("swapped")
    expect(problems).to_contain_text("abc")
    expect(problems).to_contain_text("line:nope")
    watch.assert_clean()
    # the JSON API answers the same input with a 400 and a JSON body
    resp = page.request.get(f"{live_server.url}/api/projects.geojson?category=teleport")
    assert resp.status == 400 and resp.json()["code"] == "InvalidParameterValue"


@SPATIALITE_ONLY
def test_gcj02_basemap_shifts_the_data(page, live_server):
    # The internet basemap is not reachable here; block its tiles and check the data moved.
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    open_map(page, live_server, "/?county=500233")
    shifted = page.evaluate("window.geoappToGcj02(108.0, 30.3)")
    assert abs(shifted[0] - 108.0 - 0.0044) < 0.0002 and abs(shifted[1] - 30.3 + 0.0026) < 0.0002
    before = page.evaluate(
        "(() => { const c = JSON.parse(document.getElementById('geoapp-config').textContent);"
        " let p; window[c.cluster].eachLayer(l => { p = p || l.getLatLng(); }); return [p.lng, p.lat]; })()"
    )
    page.check('input[name="basemap"][value="gaode"]')
    page.locator("body[data-datum='gcj02']").wait_for(state="attached")
    after = page.evaluate(
        "(() => { const c = JSON.parse(document.getElementById('geoapp-config').textContent);"
        " let p; window[c.cluster].eachLayer(l => { p = p || l.getLatLng(); }); return [p.lng, p.lat]; })()"
    )
    assert 0.003 < after[0] - before[0] < 0.006 and -0.004 < after[1] - before[1] < -0.001
    page.check('input[name="basemap"][value=""]')
    page.locator("body[data-datum='wgs84']").wait_for(state="attached")
