"""The files a new user relies on: README commands, CI, docker-compose, vendored assets."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_readme_opens_with_the_two_commands():
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.strip()]
    block = lines[1:5]
    assert block[0] == "```bash"
    assert block[1].startswith("make serve") and block[2].startswith("make test")


def test_ci_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


def test_compose_file_runs_postgis_and_the_app_with_healthchecks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert db["image"].startswith("postgis/postgis:")
    assert "healthcheck" in db and "healthcheck" in app
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["GEOAPP_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "pgdata" in compose["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = json.loads(re.search(r"^CMD (.*)$", dockerfile, re.M).group(1))[-1]
    assert "exec gunicorn" in command
    # gunicorn's access log on standard output, the request line as sent (percent-encoded)
    assert "--access-logfile -" in command and '"%(r)s"' in command and "%(M)s" in command
    assert app["logging"]["options"]["max-size"]


def test_every_vendored_asset_exists():
    manifest = json.loads((ROOT / "geoapp" / "web" / "static" / "vendor" / "manifest.json").read_text())
    missing = [
        path for path in manifest.values() if not (ROOT / "geoapp" / "web" / "static" / path).is_file()
    ]
    assert missing == []
    # folium's 15 CDN URLs (17 until leaflet-measure's two were dropped: its templates need
    # eval(), which the CSP forbids) and the distance tool that replaced it
    assert len(manifest) >= 15
    assert (
        ROOT
        / "geoapp"
        / "web"
        / "static"
        / "vendor"
        / "leaflet.polylinemeasure-3.0.0"
        / "Leaflet.PolylineMeasure.js"
    ).is_file()


def test_requirements_are_pinned():
    lines = [
        line
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines and all("==" in line for line in lines)
