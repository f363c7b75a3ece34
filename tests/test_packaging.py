"""The package works installed from its wheel, away from the source tree.

The wheel is built from this checkout and installed into a fresh virtualenv in a temporary
directory; every command then runs with that directory as the working directory, so
nothing can come from the repository by accident (templates, static assets, data files,
migrations must all be inside the wheel). Offline: the virtualenv borrows the test
environment's already-installed dependencies through a ``.pth`` line (its editable
geoapp is not visible that way: ``.pth`` files of a borrowed directory are not read).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "004_c8348abb5d8ded36.txt"

pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd}: {done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-build-isolation",
            "--no-deps",
            "-w",
            str(dist),
            str(ROOT),
        ],
        cwd=work,
        env=dict(os.environ),
    )
    (wheel,) = dist.glob("geoapp-*.whl")
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=work, env=dict(os.environ))
    site = Path(
        _run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=work,
            env=dict(os.environ),
        ).stdout.strip()
    )
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--no-deps",
            # the borrowed directory holds the editable geoapp's metadata: install regardless
            "--ignore-installed",
            str(wheel),
        ],
        cwd=work,
        env=dict(os.environ),
    )
    data = work / "data"
    data.mkdir()
    # the gazetteer the installed package would build is the one built here already (same inputs,
    # same cache key), so the test does not spend a minute building it again
    shutil.copy(ROOT / "var" / "gazetteer.pickle", data / "gazetteer.pickle")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEOAPP_", "PYTHON"))}
    env.update(GEOAPP_DATA_DIR=str(data), PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    return venv, work, env, wheel


def test_wheel_carries_templates_static_assets_data_and_migrations(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed[3]).namelist())
    for needed in (
        "geoapp/web/templates/map.html",
        "geoapp/web/static/vendor/manifest.json",
        "geoapp/data/vocabulary.csv",
        "geoapp/store/migrations/env.py",
        "geoapp/__main__.py",
        "gazetteer/data/villages.csv",
    ):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "seeds/", "bench/")) for n in names)


def test_installed_package_runs_outside_the_repository(installed):
    venv, work, env, _ = installed
    python, geoapp = str(venv / "bin" / "python"), str(venv / "bin" / "geoapp")
    where = _run([python, "-c", "import geoapp; print(geoapp.__file__)"], cwd=work, env=env).stdout
    assert where.startswith(str(venv)), where
    assert "ingest" in _run([geoapp, "--help"], cwd=work, env=env).stdout
    assert "ingest" in _run([python, "-m", "geoapp", "--help"], cwd=work, env=env).stdout
    _run([geoapp, "db", "init"], cwd=work, env=env)
    assert (work / "data" / "geoapp.sqlite").exists()  # the default database went to GEOAPP_DATA_DIR
    _run([geoapp, "ingest", str(SEED)], cwd=work, env=env)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [geoapp, "serve", "--port", str(port)],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    health = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        if health is None:
            server.terminate()
            pytest.fail(
                "the installed app did not answer /healthz: " + server.communicate(timeout=30)[1][-2000:]
            )
        assert '"projects"' in health
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/vendor/manifest.json", timeout=5) as r:
            assert r.status == 200
    finally:
        server.terminate()
        server.communicate(timeout=30)  # (closes the pipe too)
