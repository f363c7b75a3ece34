"""The review page in a real Chromium against a live server: an editor signs in, opens the
queue's first county-level project, places it with one click on the map, saves with a comment
(three interactions), sees the change in /download/projects.geojson, and undoes it on the
history page. Under the
page's CSP (no inline script, no eval), with nothing fetched from other hosts."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from geoapp.store.accounts import add_user, create_token
from tests.browser.watch import page_problems

pytestmark = pytest.mark.browser


def _get_json(url: str):
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())


def _feature(server, project_id: int) -> dict:
    collection = _get_json(server.url + "/download/projects.geojson")
    return next(f for f in collection["features"] if f["id"] == project_id)


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_an_editor_places_a_county_level_project_in_three_interactions(
    page: Page, live_server, seeded_db, artifacts, backend
):
    with seeded_db.session() as session:
        add_user(session, "ana", "editor")
        token = create_token(session, "ana")
    problems = page_problems(page, live_server.url)

    page.goto(live_server.url + "/review")  # anonymous: sent to /login, back here after
    page.fill("#login-name", "ana")
    page.fill("#login-token", token)
    page.click("#login-submit")
    page.locator("body[data-loaded='1']").wait_for(state="attached", timeout=30_000)
    assert page.url.endswith("/review")
    first = page.locator("#queue li").first
    project_id = int(first.get_attribute("data-id"))
    assert "IATI 3" in first.inner_text()
    total = int(page.locator("#progress-total").inner_text())
    assert page.locator("#progress-done").inner_text() == "0" and total > 100

    started = time.perf_counter()
    first.locator("button.open").click()  # 1: open the item
    page.locator(f"body[data-open-item='{project_id}']").wait_for(state="attached", timeout=15_000)
    expect(page.locator("#candidates button.candidate").first).to_contain_text("香山水库")  # the gazetteer's
    box = page.locator("#review-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)  # 2: place it
    expect(page.locator("#editor-geometry")).to_have_text("Point")
    page.fill("#editor-comment", "卫星影像核实坝址位置")
    page.click("#editor-save")  # 3: save
    page.locator("body[data-saved]").wait_for(state="attached", timeout=15_000)
    print(f"\nreview: open → saved in {time.perf_counter() - started:.2f} s (browser, live server)")
    expect(page.locator("#progress-done")).to_have_text("1")
    expect(page.locator(f"#queue li[data-id='{project_id}']")).to_have_class(re.compile(r"\bdone\b"))
    page.screenshot(path=str(artifacts / "review.png"))

    feature = _feature(live_server, project_id)
    assert feature["properties"]["corrected"] is True and feature["geometry"]["type"] == "Point"
    history = _get_json(f"{live_server.url}/projects/{project_id}/history?f=json")
    saved = history["corrections"][-1]
    assert saved["author"] == "ana" and saved["comment"] == "卫星影像核实坝址位置"

    # a route with an unresolved end: draw its line with Leaflet-Geoman, save
    route = page.locator("#queue li", has_text="线路端点未能定位").first
    route_id = int(route.get_attribute("data-id"))
    route.locator("button.open").click()
    page.locator(f"body[data-open-item='{route_id}']").wait_for(state="attached", timeout=15_000)
    page.locator(".leaflet-pm-icon-polyline").click()
    for x, y in ((0.3, 0.3), (0.6, 0.6), (0.6, 0.6)):  # clicking the last vertex again finishes
        page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
    expect(page.locator("#editor-geometry")).to_have_text("LineString")
    page.fill("#editor-comment", "按施工图画线")
    page.click("#editor-save")
    expect(page.locator("#progress-done")).to_have_text("2")
    assert _feature(live_server, route_id)["geometry"]["type"] == "LineString"

    # undo it on the history page (the same session: cookie + CSRF token)
    page.goto(f"{live_server.url}/projects/{project_id}/history")
    form = page.locator(f"form.revert[data-id='{saved['id']}']")
    form.locator("input[name=comment]").fill("撤销测试")
    form.locator("button").click()
    expect(page.locator("td.state").first).to_have_text("reverted")
    feature = _feature(live_server, project_id)
    assert feature["properties"]["corrected"] is False and feature["geometry"]["type"] != "Point"
    assert problems == [], problems
