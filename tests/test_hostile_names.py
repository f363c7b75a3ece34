"""Document text is data everywhere: a planning document full of template, script, markup,
URL and spreadsheet-formula payloads, ingested on both backends, then every page (in a
real Chromium, with dialog and CSP hooks), every export and every image format checked.

The payloads compute 7*191 = 1337 when a template engine evaluates them ({{…}}, {%…%},
${…}), and call alert() when a browser runs them: "1337" appearing next to a name, or
any dialog, is a failure. Names must also read as written (textContent equals the
stored name).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "data" / "hostile" / "忠县_hostile_names.txt"
#: the template payloads of the document, and what each gives when a template engine runs it
TEMPLATE_PAYLOAD = re.compile(r"\{\{7\*191\}\}|\$\{7\*191\}|\{%print\(7\*191\)%\}")
EVALUATED = "1337"
#: payload marks that must survive ingestion in some names, or the test proves nothing
MARKS = ("{{", "{%", "${", "<", "`", "@", ">")
#: raw markup that must never reach an HTML page unescaped
RAW_MARKUP = (
    "<svg onload",
    "<img src=x",
    "<style>body",
    "<b onmouseover",
    "<script>alert",
    "</script><script>",
)


@pytest.fixture
def hostile_app(empty_db, gazetteer):
    from geoapp import create_app
    from geoapp.ingest import ingest_files
    from geoapp.store.database import forget_database

    report = ingest_files(empty_db, gazetteer, [HOSTILE])
    assert report.failed == 0, report.lines()
    app = create_app({"database_url": empty_db.url})
    app.config["TESTING"] = True
    yield app
    forget_database(empty_db.url)


@pytest.fixture
def hostile(hostile_app):
    """The client and the stored projects ({id: name})."""
    client = hostile_app.test_client()
    doc = client.get("/api/projects.geojson?limit=1000").get_json()
    names = {f["id"]: f["properties"]["name"] for f in doc["features"]}
    return client, names


def evaluated_forms(texts) -> set[str]:
    """What the template payloads in ``texts`` read like once evaluated: 1337 and the
    characters that follow the payload (so 1337 in a coordinate is no false alarm)."""
    out = set()
    for text in texts:
        for m in TEMPLATE_PAYLOAD.finditer(text):
            out.add(EVALUATED + text[m.end() : m.end() + 3])
    return out


def assert_not_evaluated(page: str, texts, where: str) -> None:
    for form in evaluated_forms(texts):
        assert form not in page, (where, "a template evaluated a payload", form)


def _hostile_names(names: dict[int, str]) -> dict[int, str]:
    return {i: n for i, n in names.items() if any(m in n for m in MARKS)}


def test_payloads_are_stored_as_text(hostile):
    _, names = hostile
    payloads = _hostile_names(names)
    # the extraction keeps enough payloads in names for the checks below to mean something
    assert len(payloads) >= 6, names
    for mark in ("{{", "{%", "${", "<", "`", "@"):
        assert any(mark in n for n in payloads.values()), (mark, names)
    # invisible and control characters are dropped at reading time (NUL cannot even be stored)
    assert not any(re.search(r"[\x00-\x08\x0b-\x1f\u202a-\u202e\u200b-\u200f]", n) for n in names.values())


def _pages(client, names: dict[int, str]) -> list[str]:
    ids = list(names)
    return [
        "/",
        "/?lang=en",
        *[f"/projects/{i}" for i in ids],
        "/reports/忠县",
        "/collections/projects/items?f=html&limit=100",
        *[f"/collections/projects/items/{i}?f=html" for i in ids[:5]],
        "/collections/places/items?f=html&limit=50",
        "/api?f=html",
        "/?f=html",
        f"/?corridor=project:{ids[0]}",
    ]


def _inline_scripts(html: str) -> list[tuple[str, str]]:
    return re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S | re.I)


def test_pages_escape_every_payload(hostile):
    client, names = hostile
    for path in _pages(client, names):
        r = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert r.status_code == 200, (path, r.status_code)
        html = r.get_data(as_text=True)
        assert_not_evaluated(html, [*names.values(), HOSTILE.read_text(encoding="utf-8")], path)
        for raw in RAW_MARKUP:
            assert raw not in html, (path, raw)
        csp = r.headers["Content-Security-Policy"]
        assert "unsafe-eval" not in csp and "script-src 'self'" in csp, csp
        nonce = re.search(r"'nonce-([^']+)'", csp)
        for attrs, body in _inline_scripts(html):
            if "src=" in attrs or not body.strip():
                continue
            if 'type="application/json"' in attrs:
                json.loads(body)  # a data block: valid JSON, never run
                continue
            assert nonce and f'nonce="{nonce.group(1)}"' in attrs, (path, attrs, body[:200])
            # the inline scripts we allow are folium's skeleton: no document text in them
            for name in _hostile_names(names).values():
                assert name not in body, (path, name)
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_the_project_page_shows_the_name_as_written(hostile):
    client, names = hostile
    import html as html_lib

    for pid, name in _hostile_names(names).items():
        page = client.get(f"/projects/{pid}").get_data(as_text=True)
        heading = re.search(r'<h1 id="project-name">(.*?)</h1>', page, flags=re.S).group(1)
        assert html_lib.unescape(heading) == name


def test_exports_keep_payloads_inert(hostile, tmp_path):
    client, names = hostile
    import pyogrio

    geojson = client.get("/download/projects.geojson").get_json()
    assert {f["properties"]["name"] for f in geojson["features"]} == set(names.values())

    text = client.get("/download/projects.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(names)
    for row in rows:
        for value in row.values():
            assert not (value or "").startswith(("=", "+", "-", "@")), value
    assert {r["name"].removeprefix("'") for r in rows} == set(names.values())

    kml = client.get("/download/projects.kml").data
    tree = etree.fromstring(kml)  # well-formed XML: no raw markup, no control characters
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    assert {n.text for n in tree.iterfind(".//k:Placemark/k:name", ns)} == set(names.values())
    assert not tree.xpath("//*[local-name()='script']")

    from openpyxl import load_workbook

    book = tmp_path / "p.xlsx"
    book.write_bytes(client.get("/download/projects.xlsx").data)
    workbook = load_workbook(book, read_only=True)
    sheet = list(workbook.active.iter_rows(values_only=True))
    workbook.close()  # read-only workbooks keep the file open
    header = sheet[0]
    assert len(sheet) - 1 == len(names)
    for row in sheet[1:]:
        for value in row:
            assert not (isinstance(value, str) and value.startswith(("=", "+", "-", "@"))), value
    assert {str(row[header.index("name")]).removeprefix("'") for row in sheet[1:]} == set(names.values())

    with zipfile.ZipFile(io.BytesIO(client.get("/download/projects.kmz").data)) as z:
        doc = etree.fromstring(z.read("doc.kml"))
    assert {n.text for n in doc.iterfind(".//k:Placemark/k:name", ns)} == set(names.values())
    for description in doc.iterfind(".//k:Placemark/k:description", ns):
        # Google Earth renders descriptions as HTML: only our own <br> may be markup
        assert "<" not in description.text.replace("<br>", ""), description.text

    for fmt in ("gpkg", "fgb"):
        path = tmp_path / f"p.{fmt}"
        path.write_bytes(client.get(f"/download/projects.{fmt}").data)
        assert set(pyogrio.read_dataframe(path)["name"]) == set(names.values()), fmt
    archive = tmp_path / "p.zip"
    archive.write_bytes(client.get("/download/projects.shp.zip").data)
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "shp")
    read = set()
    for shp in (tmp_path / "shp").glob("*.shp"):
        read |= set(pyogrio.read_dataframe(shp)["name"])
    assert read == set(names.values())


def test_images_draw_payloads_as_text(hostile):
    client, names = hostile
    for fmt in ("png", "svg", "pdf"):
        r = client.get(f"/maps/render.{fmt}?county=忠县&title=%3Cscript%3Ealert(1)%3C/script%3E%24x%24")
        assert r.status_code == 200, (fmt, r.get_data(as_text=True)[:300])
    svg = client.get("/maps/render.svg?county=忠县").data
    tree = etree.fromstring(svg)
    assert not tree.xpath("//*[local-name()='script' or local-name()='foreignObject']")
    assert not tree.xpath("//@*[starts-with(local-name(), 'on')]")
    assert not tree.xpath("//@*[contains(., 'javascript:')]")


# ----------------------------------------------------------------------------- in Chromium
@pytest.mark.browser
def test_nothing_runs_in_the_browser(hostile_app, page):
    from tests.conftest import LiveServer

    client = hostile_app.test_client()
    names = {
        f["id"]: f["properties"]["name"]
        for f in client.get("/api/projects.geojson?limit=1000").get_json()["features"]
    }
    dialogs: list[str] = []
    violations: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    with LiveServer(hostile_app) as server:
        page.goto(server.url + "/")
        page.locator("body[data-loaded='1']").wait_for(state="attached", timeout=30_000)
        # open every popup and tooltip: their content is built from the names and sentences
        shown = page.evaluate(
            """() => {
            const cfg = JSON.parse(document.getElementById('geoapp-config').textContent);
            const out = [];
            // Clustered markers are not on the map: put each popup's content into the page
            // the way Leaflet does (innerHTML of what the popup function returns), and each
            // tooltip's content node, so anything they would run, runs here.
            const show = content => {
                const div = document.createElement('div');
                if (typeof content === 'string') div.innerHTML = content; else div.appendChild(content.cloneNode(true));
                document.body.appendChild(div);
                return div.textContent;
            };
            const walk = g => g.eachLayer(l => {
                if (l.eachLayer && !l.getPopup()) { walk(l); return; }
                const popup = l.getPopup(), tip = l.getTooltip();
                if (popup) { const c = popup.getContent(); out.push(show(typeof c === 'function' ? c(l) : c)); }
                if (tip) { out.push(show(tip.getContent())); }
            });
            walk(window[cfg.layers.projects]); walk(window[cfg.layers.places]);
            return out;
        }"""
        )
        assert len(shown) >= len(_hostile_names(names))
        for name in _hostile_names(names).values():
            assert any(name in text for text in shown), name
        assert_not_evaluated("\n".join(shown), names.values(), "popups")
        for pid, name in names.items():
            page.goto(f"{server.url}/projects/{pid}")
            page.locator("body[data-map-ready='1']").wait_for(state="attached", timeout=10_000)
            assert page.locator("#project-name").text_content() == name
            page.evaluate(
                "() => { const m = document.querySelector('#detail-map .leaflet-interactive'); if (m) m.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); }"
            )
        ids = list(names)
        for path in (
            "/reports/忠县",
            "/collections/projects/items?f=html&limit=100",
            f"/collections/projects/items/{ids[0]}?f=html",
            f"/?corridor=project:{ids[0]}",
            "/api?f=html",
        ):
            page.goto(server.url + path)
            page.wait_for_load_state("load")
            assert_not_evaluated(page.content(), [*names.values(), HOSTILE.read_text(encoding="utf-8")], path)
    assert dialogs == [], dialogs
    assert violations == [], violations
