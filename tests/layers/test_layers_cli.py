"""``geoapp gazetteer add/layers/remove`` and ``geoapp regeocode`` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def geoapp(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GEOAPP_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "geoapp.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_add_list_remove_regeocode_from_the_command_line(templates, tmp_path, gcj02_csv):
    url = templates.copy("spatialite", False, tmp_path)
    add = [
        "gazetteer",
        "add",
        str(gcj02_csv),
        "--name-field",
        "名称",
        "--kind",
        "hospital",
        "--datum",
        "gcj02",
        "--source",
        "高德导出",
        "--radius-km",
        "0.3",
    ]
    result = geoapp(url, *add)
    assert result.returncode == 0, result.stderr
    assert "layer hospitals: 1 named features from 1 in the file (CRS GCJ-02 → WGS84)" in result.stdout

    again = geoapp(url, *add)
    assert again.returncode == 2
    assert again.stderr.strip() == (
        "geoapp: error: a layer named 'hospitals' exists already: remove it first or choose another --name"
    )

    listed = geoapp(url, "gazetteer", "layers")
    assert listed.stdout.startswith("hospitals\t高德导出\t1 features\tGCJ-02\t")

    found = geoapp(url, "geocode", "忠县人民医院", "--county", "忠县")
    assert found.returncode == 0 and "precision 1\t30.29910,108.04050" in found.stdout

    regeo = geoapp(url, "regeocode", "--county", "忠县")
    assert regeo.returncode == 0 and regeo.stdout.splitlines()[0] == "precision  before  after"
    assert "0 of 0 projects re-placed" in regeo.stdout

    removed = geoapp(url, "gazetteer", "remove", "hospitals")
    assert removed.returncode == 0 and "removed layer hospitals (1 features)" in removed.stdout
    assert geoapp(url, "gazetteer", "layers").stdout.startswith("no layers")


def test_a_bad_file_is_one_line_and_changes_nothing(templates, tmp_path):
    url = templates.copy("spatialite", False, tmp_path)
    bad = tmp_path / "broken.gpkg"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    result = geoapp(url, "gazetteer", "add", str(bad), "--name-field", "name", "--source", "x")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("geoapp: error: cannot read broken.gpkg"), result.stderr
    assert geoapp(url, "gazetteer", "layers").stdout.startswith("no layers")
