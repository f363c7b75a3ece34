"""``/maps/render.{png,svg,pdf}`` and ``/reports/<county>`` over real HTTP (Flask's test client),
on SpatiaLite and PostGIS. Responses worth looking at go to test-artifacts/<test>/."""

from __future__ import annotations

import io
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from geoapp.catalog.filters import FILTER_PARAMS
from geoapp.maps.render import RENDER_PARAMS

SMALL = "width=800&height=600&dpi=100"


def test_render_png_with_etag_cache_and_304(client, artifacts):
    url = f"/maps/render.png?county=忠县&category=transport&{SMALL}"
    first = client.get(url)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.headers["Content-Type"] == "image/png"
    assert first.headers["ETag"].startswith('"') and "max-age" in first.headers["Cache-Control"]
    assert "filename*=UTF-8''" in first.headers["Content-Disposition"]
    assert Image.open(io.BytesIO(first.data)).size == (800, 600)
    (artifacts / "zhongxian-transport.png").write_bytes(first.data)

    start = time.perf_counter()
    again = client.get(url)
    assert time.perf_counter() - start < 0.2  # from the cache (the target is ≤ 20 ms; CI machines vary)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    # The county by adcode and the parameters in another order: the same image.
    same = client.get(f"/maps/render.png?{SMALL}&category=transport&county=500233")
    assert same.headers["ETag"] == first.headers["ETag"]

    not_modified = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_render_accepts_exactly_the_map_filters(client, artifacts):
    """What the web map's 导出图片 link sends: every filter parameter plus the image options."""
    params = {
        "category": "transport,water",
        "subtype": "expressway,railway,road,reservoir,bridge",
        "status": "under_construction,planned",
        "county": "忠县",
        "corridor": "line:changjiang-chongqing",
        "distance_km": "20",
        "year_from": "2020",
        "year_to": "2030",
        "period": "2020-2030",
        "investment_min": "0",
        "investment_max": "10000000",
        "q": "公路",
        "bbox": "107.5,30.0,108.5,30.6",
        "width": "900",
        "height": "600",
        "dpi": "100",
        "title": "忠县沿江交通项目",
        "labels": "on",
        "basemap": "none",
    }
    assert set(params) == set(FILTER_PARAMS) | set(RENDER_PARAMS)
    response = client.get("/maps/render.png", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    (artifacts / "every-filter.png").write_bytes(response.data)


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_render_svg_and_pdf(client, artifacts):
    svg = client.get(f"/maps/render.svg?county=铜梁区&{SMALL}")
    assert svg.status_code == 200 and svg.headers["Content-Type"] == "image/svg+xml"
    assert svg.data.startswith(b"<?xml") and b"<svg" in svg.data[:2000]
    pdf = client.get(f"/maps/render.pdf?county=铜梁区&{SMALL}")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    (artifacts / "tongliang.svg").write_bytes(svg.data)
    (artifacts / "tongliang.pdf").write_bytes(pdf.data)


def test_bad_requests_are_400_with_a_json_error(client):
    cases = {
        "/maps/render.png?width=0": "width must be between",
        "/maps/render.png?height=99999": "height must be between",
        "/maps/render.png?dpi=2000": "dpi must be between",
        "/maps/render.png?width=6000&height=6001": "pixels is more than",
        "/maps/render.png?county=火星": "unknown county '火星'",
        "/maps/render.png?corridor=line:nowhere": "unknown corridor 'line:nowhere'",
        "/maps/render.png?bbox=1,2,3": "bbox must have 4 numbers",
        "/maps/render.png?basemap=hillshade": "basemap=hillshade is not available",
        "/maps/render.gif": "unsupported image format 'gif'",
        "/maps/render.jpeg?county=忠县": "unsupported image format 'jpeg'",
    }
    for url, message in cases.items():
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.headers["Content-Type"].startswith("application/json"), url
        body = response.get_json()
        assert body["code"] == "InvalidParameterValue" and message in body["description"], (url, body)


def test_a_filter_matching_nothing_is_an_image_not_an_error(client, artifacts):
    response = client.get(f"/maps/render.png?county=开州区&q=没有这样的项目&{SMALL}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    (artifacts / "nothing.png").write_bytes(response.data)


def test_county_report_page_is_printable_and_self_contained(client, artifacts):
    response = client.get("/reports/忠县")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.get_data(as_text=True)
    (artifacts / "report-zhongxian.html").write_text(html, encoding="utf-8")
    assert "<h1>忠县规划项目报告</h1>" in html
    assert "@page { size: A4" in html and "@media print" in html
    # Nothing from another origin: every src/href is a path on this app.
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    data = client.get("/reports/500233?f=json").get_json()
    assert html.count('<tr><td class="num">') == data["total"] > 300
    assert "按类别统计" in html and "按建设状态统计" in html and "来源（文件 · 章节）" in html
    assert "忠县推动成渝地区双城经济圈建设行动方案" in html
    # The map on the page is this county's, from /maps/render.png, and it renders.
    src = re.search(r'<img src="([^"]+)"', html).group(1).replace("&amp;", "&")
    parts = urlsplit(src)
    assert parts.path == "/maps/render.png" and parse_qs(parts.query)["county"] == ["500233"]
    image = client.get(src)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
    (artifacts / "report-map.png").write_bytes(image.data)


def test_report_counts_add_up_and_follow_the_filters(client):
    everything = client.get("/reports/500233?f=json").get_json()
    assert everything["county"] == "忠县" and everything["code"] == "500233"
    assert sum(c["n"] for c in everything["categories"]) == everything["total"]
    assert sum(s["n"] for s in everything["statuses"]) == everything["total"]
    assert sum(c["wan"] for c in everything["categories"]) == pytest.approx(everything["total_wan"])
    assert all(p["document"] for p in everything["projects"])
    transport = client.get("/reports/忠县?category=transport&f=json").get_json()
    assert 0 < transport["total"] < everything["total"]
    assert {c["code"] for c in transport["categories"]} == {"transport"}
    assert transport["filter"].startswith("忠县；类别 交通")
    html = client.get("/reports/忠县?category=transport").get_data(as_text=True)
    assert "category=transport" in re.search(r'<img src="([^"]+)"', html).group(1)


def test_unknown_county_report_is_404_in_html_or_json(client):
    page = client.get("/reports/火星县")
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert "未找到区县" in page.get_data(as_text=True)
    for response in (
        client.get("/reports/火星县?f=json"),
        client.get("/reports/火星县", headers={"Accept": "application/json"}),
    ):
        assert response.status_code == 404 and response.get_json()["code"] == "NotFound"
    assert client.get("/reports/忠县?corridor=line:nowhere").status_code == 400
