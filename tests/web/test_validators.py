"""ETag / If-None-Match on what GIS clients refresh: 304 until the data change."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "path",
    [
        "/collections/projects/items?limit=5",
        "/collections/projects/items/1",
        "/collections",
        "/collections/projects-areas/items?limit=5",
        "/download/projects.csv?county=忠县",
        "/api/projects.geojson?limit=5",
    ],
)
def test_a_current_copy_gets_304(client, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and "max-age" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert client.get(path, headers={"If-None-Match": 'garbage, W/, "\x7f'}).status_code == 200
    other = client.get(path, headers={"Accept": "text/html"})
    if other.status_code == 200 and other.mimetype == "text/html":
        assert other.headers["ETag"] != etag  # another representation, another validator


def test_new_data_change_the_validator(client, app):
    from geoapp.ingest import ingest_files
    from geoapp.store.database import get_database
    from geoapp.store.gazetteer import get_gazetteer

    path = "/collections/projects/items?limit=5"
    etag = client.get(path).headers["ETag"]
    db = get_database(app.config["DATABASE_URL"])
    gaz = get_gazetteer(app.config["GEOAPP"]["gazetteer_cache"])
    report = ingest_files(db, gaz, [ROOT / "tests" / "data" / "other_county" / "云阳县_行动方案.txt"])
    assert report.failed == 0
    after = client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag


def test_the_static_map_follows_every_data_change(client, app):
    """Re-placing projects (``regeocode``, a gazetteer layer) changes no count or ingest time:
    the rendered image's cache and ETag must follow the data version, not those."""
    from geoapp.store import data_version
    from geoapp.store.database import get_database

    path = "/maps/render.png?county=忠县&labels=off&width=800&height=600&dpi=100"
    etag = client.get(path).headers["ETag"]
    assert client.get(path).headers["ETag"] == etag
    with get_database(app.config["DATABASE_URL"]).session() as session:
        data_version.bump(session)
    after = client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
