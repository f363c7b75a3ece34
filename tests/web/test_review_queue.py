"""The review queue (/review, /api/review): what is in it and in which order, its filters,
progress after a correction, a flagged project first, and who may see it. SpatiaLite, one
test on PostGIS too (the geometry-type and boolean SQL of the reasons)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from geoapp.store.accounts import add_user, create_token
from geoapp.store.models import Project

SPATIALITE_ONLY = pytest.mark.parametrize("backend", ["spatialite"], indirect=True)


def _token(db, name: str, role: str = "editor") -> str:
    with db.session() as session:
        add_user(session, name, role)
        return create_token(session, name)


def _get(client, path: str, token: str):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_the_queue_puts_county_level_placements_by_investment_and_counts_progress(client, seeded_db):
    token = _token(seeded_db, "ana")
    queue = _get(client, "/api/review?limit=1000", token).get_json()
    assert queue["done"] == 0 and queue["total"] == queue["open"] == len(queue["items"]) > 100
    reasons = {r for item in queue["items"] for r in item["reasons"]}
    assert {"county", "route", "name"} <= reasons
    county = [i for i in queue["items"] if i["reasons"][0] == "county"]
    money = [i["investment_wan"] for i in county if i["investment_wan"] is not None]
    assert money == sorted(money, reverse=True) and county[0]["investment_wan"] == max(money)
    assert all(i["precision"] in (3, 4, 6, 7, 8) for i in county)
    routes = [i for i in queue["items"] if "route" in i["reasons"]]
    with seeded_db.session() as session:
        kinds = {
            p.id: session.scalar(select(Project.geom.ST_GeometryType()).where(Project.id == p.id))
            for p in session.scalars(select(Project).where(Project.id.in_([i["id"] for i in routes])))
        }
    assert routes and not any("LINESTRING" in str(k).upper() for k in kinds.values())

    first = queue["items"][0]
    body = {"changes": {"geometry": {"type": "Point", "coordinates": [108.04, 30.29]}}, "comment": "核实"}
    r = client.post(
        f"/api/projects/{first['id']}/corrections",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201
    after = _get(client, "/api/review?limit=1000", token).get_json()
    assert after["done"] == 1 and after["total"] == queue["total"]
    assert first["id"] not in {i["id"] for i in after["items"]}


@SPATIALITE_ONLY
def test_a_flagged_project_comes_first_and_filters_narrow_the_queue(client, seeded_db):
    token = _token(seeded_db, "ana")
    with seeded_db.session() as session:
        flagged = session.scalars(
            select(Project).where(Project.precision == 2, Project.kind == "project").limit(1)
        ).one()
        flagged.review_flag = "source_changed"
        flagged_id, category = flagged.id, flagged.category
    queue = _get(client, "/api/review", token).get_json()
    assert queue["items"][0]["id"] == flagged_id and queue["items"][0]["reasons"][0] == "flag"
    assert queue["by_reason"]["flag"] == 1
    narrowed = _get(client, f"/api/review?category={category}&county=500233", token).get_json()
    assert narrowed["total"] < queue["total"] and all(i["category"] == category for i in narrowed["items"])
    assert _get(client, "/api/review?county=忠县", token).status_code == 400
    assert _get(client, "/api/review?category=nonsense", token).status_code == 400
    page = _get(client, "/review?county=500233", token).get_data(as_text=True)
    assert 'id="review-data" type="application/json"' in page and "待复核项目" in page


@SPATIALITE_ONLY
def test_only_editors_see_the_queue(client, seeded_db):
    viewer = _token(seeded_db, "vi", "viewer")
    admin = _token(seeded_db, "ad", "admin")
    r = client.get("/review", headers={"Accept": "text/html"})
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=/review"
    r = client.get("/api/review")
    assert r.status_code == 401 and r.get_json()["code"] == "Unauthorized"
    assert _get(client, "/review", viewer).status_code == 403
    r = _get(client, "/api/review", viewer)
    assert r.status_code == 403 and r.get_json()["code"] == "Forbidden"
    assert _get(client, "/api/review", admin).status_code == 200
    # the history page offers "undo" to editors only
    pid = _get(client, "/api/review?limit=1", admin).get_json()["items"][0]["id"]
    body = {"changes": {"status": "built"}, "comment": "核实"}
    headers = {"Authorization": f"Bearer {admin}"}
    client.post(f"/api/projects/{pid}/corrections", json=body, headers=headers)
    assert 'class="revert"' in _get(client, f"/projects/{pid}/history", admin).get_data(as_text=True)
    assert 'class="revert"' not in _get(client, f"/projects/{pid}/history", viewer).get_data(as_text=True)
    assert 'class="revert"' not in client.get(f"/projects/{pid}/history").get_data(as_text=True)


@SPATIALITE_ONLY
def test_document_text_reaches_the_page_escaped_and_only_as_data(client, seeded_db):
    token = _token(seeded_db, "ana")
    with seeded_db.session() as session:
        project = session.scalars(
            select(Project).where(Project.precision == 3, Project.kind == "project")
        ).first()
        project.name = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
        project.investment_wan = 9e9  # first in the queue
    r = _get(client, "/review", token)
    html = r.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html  # the list, escaped
    assert "\\u003c/script\\u003e" in html  # the data block, escaped
    csp = r.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
