"""Shared fixtures: real SpatiaLite and PostGIS databases, the app, a live server, Chromium.

Databases are built once per session as templates (schema + gazetteer places,
and optionally the five seed documents ingested) and copied for every test, so
each test gets its own database without paying for ingestion each time:
SpatiaLite by copying the file, PostGIS with ``CREATE DATABASE … TEMPLATE``.

PostGIS comes from ``GEOAPP_TEST_POSTGIS_URL`` (``scripts/run-tests.sh`` starts a
throwaway cluster); the browser is Debian's Chromium. When either is missing
the tests that need it are skipped — or fail when ``CI`` is set.
"""

from __future__ import annotations

# The spatial libraries must load before SpatiaLite can (see geoapp.store.backend).
import pyogrio  # noqa: F401  isort: skip
import pyproj  # noqa: F401  isort: skip
import shapely  # noqa: F401  isort: skip

import gc
import itertools
import os
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from gazetteer import Gazetteer
from geoapp.store.database import Database, forget_database
from geoapp.store.gazetteer import get_gazetteer, sync_places

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
POSTGIS_URL = os.environ.get("GEOAPP_TEST_POSTGIS_URL")
CHROMIUM = os.environ.get("GEOAPP_TEST_CHROMIUM", "/usr/bin/chromium")
IN_CI = bool(os.environ.get("CI"))


def require(what: str, reason: str) -> None:
    """Skip for lack of ``what`` — or fail in CI, where everything must run."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return get_gazetteer(str(ROOT / "var" / "gazetteer.pickle"))


# ----------------------------------------------------------------------------- databases
class _Templates:
    """Builds template databases once per session and hands out copies."""

    def __init__(self, tmp_factory, gazetteer: Gazetteer):
        self.tmp = tmp_factory.mktemp("db-templates")
        self.gazetteer = gazetteer
        self.built: dict[tuple[str, bool], str] = {}
        self.counter = itertools.count()
        self.lock = threading.Lock()

    def _fill(self, url: str, seeded: bool) -> None:
        from geoapp.ingest import ingest_files

        db = Database(url)
        try:
            db.upgrade()
            with db.session() as session:
                sync_places(session, self.gazetteer)
            if seeded:
                report = ingest_files(db, self.gazetteer, SEEDS)
                assert report.failed == 0, report.lines()
        finally:
            db.dispose()

    def template(self, backend: str, seeded: bool) -> str:
        key = (backend, seeded)
        with self.lock:
            if key not in self.built:
                name = f"tmpl_{'seeded' if seeded else 'empty'}"
                if backend == "spatialite":
                    url = f"sqlite:///{self.tmp / (name + '.sqlite')}"
                else:
                    url = _pg_create(name)
                self._fill(url, seeded)
                self.built[key] = url
            return self.built[key]

    def copy(self, backend: str, seeded: bool, dest_dir: Path) -> str:
        source = self.template(backend, seeded)
        n = next(self.counter)
        if backend == "spatialite":
            src = Path(make_url(source).database)
            dest = dest_dir / f"test{n}.sqlite"
            shutil.copyfile(src, dest)
            return f"sqlite:///{dest}"
        return _pg_create(f"test_{os.getpid()}_{n}", template=make_url(source).database)


def _pg_admin():
    import psycopg

    url = make_url(POSTGIS_URL)
    return psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname="postgres", autocommit=True
    )


def _pg_create(name: str, template: str | None = None) -> str:
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if template:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGIS_URL).set(database=name)
    if not template:
        import psycopg

        with psycopg.connect(
            host=url.host, port=url.port, user=url.username, dbname=name, autocommit=True
        ) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return url.render_as_string(hide_password=False)


def _pg_drop(url: str) -> None:
    name = make_url(url).database
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def templates(tmp_path_factory, gazetteer) -> _Templates:
    return _Templates(tmp_path_factory, gazetteer)


@pytest.fixture(params=["spatialite", "postgis"])
def backend(request) -> str:
    if request.param == "postgis" and not POSTGIS_URL:
        require("PostGIS", "GEOAPP_TEST_POSTGIS_URL is not set (run the suite with `make test`)")
    return request.param


def _database(templates: _Templates, backend: str, seeded: bool, tmp_path: Path):
    url = templates.copy(backend, seeded, tmp_path)
    db = Database(url)
    try:
        yield db
    finally:
        db.dispose()
        forget_database(url)
        if backend == "postgis":
            _pg_drop(url)


@pytest.fixture
def empty_db(templates, backend, tmp_path):
    """A database with the schema and the gazetteer's places, no documents."""
    yield from _database(templates, backend, False, tmp_path)


@pytest.fixture
def seeded_db(templates, backend, tmp_path):
    """A database with the five seed documents ingested."""
    yield from _database(templates, backend, True, tmp_path)


@pytest.fixture
def fresh_url(backend, tmp_path):
    """The URL of a brand-new, empty database (no schema)."""
    if backend == "spatialite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    url = _pg_create(f"fresh_{os.getpid()}_{tmp_path.name[-12:]}".replace("-", "_"))
    try:
        yield url
    finally:
        forget_database(url)
        _pg_drop(url)


# ----------------------------------------------------------------------------- app
@pytest.fixture
def app(seeded_db):
    from geoapp import create_app

    # Collect garbage (closed-over sessions of earlier tests) here, not at some random point
    # (create_app itself keeps collection out of werkzeug's ast.parse: see geoapp.create_app).
    gc.collect()
    app = create_app({"database_url": seeded_db.url})
    app.config["TESTING"] = True
    yield app
    forget_database(seeded_db.url)


@pytest.fixture
def client(app):
    return app.test_client()


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


# ----------------------------------------------------------------------------- browser
@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright: Debian's Chromium, offline-friendly flags."""
    if not Path(CHROMIUM).exists():
        require("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args():
    return {"viewport": {"width": 1400, "height": 900}, "locale": "zh-CN"}


ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def artifacts(request) -> Path:
    """A folder for screenshots and rendered files a person can look at after the run."""
    path = ARTIFACTS / request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    path.mkdir(parents=True, exist_ok=True)
    return path
