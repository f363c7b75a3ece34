"""/healthz, the favicon and JSON errors."""


def test_healthz_checks_the_database(client, backend):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == ("sqlite" if backend == "spatialite" else "postgresql")
    assert body["schema_revision"] == body["expected_revision"]
    assert body["projects"] > 100


def test_favicon_is_served(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert b"<svg" in response.get_data()


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    body = response.get_json()
    assert body["code"] == "NotFound" and body["description"]


def test_projects_geojson_is_utf8_chinese(client):
    response = client.get("/api/projects.geojson?limit=5")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    raw = response.get_data(as_text=True)
    assert "\\u" not in raw  # Chinese as UTF-8, not escapes
    body = response.get_json()
    assert body["numberReturned"] == 5 and body["numberMatched"] > 100
    assert all(f["geometry"] and f["properties"]["precision"] in range(1, 10) for f in body["features"])


def test_a_database_without_schema_is_a_503_that_says_what_to_do(fresh_url):
    """Before `geoapp db init` every API call answers 503 with the fix, never a bare 500."""
    from geoapp import create_app

    app = create_app({"database_url": fresh_url})
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["schema_revision"] is None
    for path in ("/api/projects.geojson", "/collections/projects/items"):
        response = client.get(path)
        assert response.status_code == 503, path
        body = response.get_json()
        assert body["code"] == "DatabaseError"
        assert body["description"] == "the database has no schema: run `geoapp db init`"
