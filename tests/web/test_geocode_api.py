"""The geocoding API over real HTTP (Flask test client on a real app)."""

import pytest

SPATIALITE_ONLY = pytest.mark.parametrize("backend", ["spatialite"], indirect=True)


@SPATIALITE_ONLY
def test_get_returns_a_feature_collection_best_first(client):
    r = client.get("/api/geocode?q=新生&county=忠县")
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    fc = r.get_json()
    assert fc["type"] == "FeatureCollection" and fc["features"]
    first = fc["features"][0]["properties"]
    assert "忠县" in first["admin"] and first["precision"] == 1
    scores = [f["properties"]["confidence"] for f in fc["features"]]
    assert scores == sorted(scores, reverse=True)


@SPATIALITE_ONLY
def test_unknown_name_is_an_empty_result_with_a_reason(client):
    fc = client.get("/api/geocode?q=查无此地名称").get_json()
    assert fc["features"] == [] and "no place named" in fc["reason"]


@SPATIALITE_ONLY
@pytest.mark.parametrize(
    "query, status",
    [("/api/geocode", 400), ("/api/geocode?q=新生&county=火星县", 400), ("/api/geocode?q=新生&limit=x", 400)],
)
def test_bad_get_requests_are_400_json(client, query, status):
    r = client.get(query)
    assert r.status_code == status
    assert r.get_json()["code"] == "InvalidParameterValue"


@SPATIALITE_ONLY
def test_batch_returns_one_collection_per_name_in_order(client):
    names = ["新生港", "梁忠石高速", "查无此地", "", "x" * 10_000, "汉丰湖"]
    r = client.post("/api/geocode", json={"names": names, "county": "忠县"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["count"] == len(names) and body["matched"] == 3
    results = body["results"]
    assert results[0]["features"][0]["properties"]["matched_name"] == "新生港"
    assert results[1]["features"][0]["geometry"]["type"] == "LineString"
    assert results[2]["features"] == [] and results[2]["reason"]
    assert results[3]["reason"] == "empty name"
    assert "too long" in results[4]["reason"]
    assert "\\u" not in r.get_data(as_text=True)


@SPATIALITE_ONLY
def test_batch_limits_and_shapes(client, app):
    limit = app.config["GEOAPP"]["max_geocode_batch"]
    assert client.post("/api/geocode", json=["新生"] * (limit + 1)).status_code == 400
    assert client.post("/api/geocode", json={"no": "names"}).status_code == 400
    assert client.post("/api/geocode", data="not json", content_type="application/json").status_code == 400
    ok = client.post("/api/geocode", json=["新生"] * limit)
    assert ok.status_code == 200 and ok.get_json()["count"] == limit
