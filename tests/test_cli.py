"""The geoapp command, run as a user runs it (a real process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [
    [],
    ["db"],
    ["db", "init"],
    ["db", "status"],
    ["ingest"],
    ["export"],
    ["export", "projects"],
    ["geocode"],
    ["serve"],
    ["render"],
    ["settings"],
    ["build-gazetteer"],
    ["gazetteer"],
    ["gazetteer", "add"],
    ["gazetteer", "layers"],
    ["gazetteer", "remove"],
    ["regeocode"],
]


def run(*args, env=None, timeout=120):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "geoapp.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=timeout,
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "geoapp")
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_unknown_arguments_print_usage_and_exit_2():
    result = run("ingest", "--no-such-flag", "x.txt")
    assert result.returncode == 2
    assert "Usage:" in result.stderr and "no-such-flag" in result.stderr


def test_unreachable_database_is_one_line_and_exit_2():
    result = run("db", "status", env={"GEOAPP_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("geoapp: error: cannot connect to the database")
    assert "Traceback" not in result.stderr


def test_malformed_database_url_is_one_line_and_exit_2():
    result = run("db", "status", env={"GEOAPP_DATABASE_URL": "::not a url::"})
    assert result.returncode == 2
    assert result.stderr.strip() == "geoapp: error: GEOAPP_DATABASE_URL is malformed: '::not a url::'"


def test_missing_spatialite_names_the_package(tmp_path):
    result = run(
        "db",
        "status",
        env={
            "GEOAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
            "SPATIALITE_LIBRARY_PATH": str(tmp_path / "no_such_mod_spatialite"),
        },
    )
    assert result.returncode == 2
    assert "apt-get install libsqlite3-mod-spatialite" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_geocode_json_prints_a_feature_collection():
    result = run("geocode", "新生港", "--county", "忠县", "--json")
    assert result.returncode == 0, result.stderr
    fc = json.loads(result.stdout)
    assert fc["type"] == "FeatureCollection" and fc["features"]
    props = fc["features"][0]["properties"]
    assert props["matched_name"] == "新生港"
    assert props["precision"] in (1, 2) and "忠县" in props["admin"]


def test_geocode_unknown_name_exits_1_with_reason():
    result = run("geocode", "查无此地名称")
    assert result.returncode == 1
    assert "no match" in result.stdout


def test_ingest_reports_each_bad_file_and_keeps_going(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    seed = ROOT / "seeds" / "004_c8348abb5d8ded36.txt"
    result = run("ingest", str(empty), str(seed), str(binary), env={"GEOAPP_DATABASE_URL": db})
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert any("empty.txt: empty file" in e for e in errors)
    assert any("blob.bin: binary file" in e for e in errors)
    assert f"ingested {seed}" in result.stdout
    # no terminal: a plain line per file, no progress bar
    assert f"[2/3] {seed}" in result.stderr.splitlines() and "\r" not in result.stderr


def run_on_terminal(*args, env=None, timeout=180) -> tuple[int, str, str]:
    """Run the CLI with standard error on a pseudo-terminal: (exit code, stdout, what the terminal showed)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "geoapp.cli", *args], stdout=subprocess.PIPE, stderr=slave,
                            env={**os.environ, **(env or {})}, cwd=ROOT)  # fmt: skip
    os.close(slave)
    shown = bytearray()
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        shown += data
    os.close(master)
    out = proc.stdout.read().decode()
    proc.stdout.close()
    return proc.wait(timeout), out, shown.decode("utf-8", "replace")


def test_ingest_shows_a_progress_bar_on_a_terminal(tmp_path):
    db = f"sqlite:///{tmp_path / 'bar.sqlite'}"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    seed = ROOT / "seeds" / "004_c8348abb5d8ded36.txt"
    code, out, terminal = run_on_terminal("ingest", str(empty), str(seed), env={"GEOAPP_DATABASE_URL": db})
    assert code == 1 and f"ingested {seed}" in out
    assert "ingesting" in terminal and "2/2" in terminal and "\r" in terminal  # a bar, redrawn in place
    assert "[1/2]" not in terminal  # instead of the plain lines


def test_db_status_exit_code_says_what_to_do(tmp_path):
    env = {"GEOAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'status.sqlite'}"}
    before = run("db", "status", env=env)
    assert before.returncode == 3 and "revision None" in before.stdout
    assert run("db", "init", env=env).returncode == 0
    after = run("db", "status", env=env)
    assert after.returncode == 0, after.stdout + after.stderr


def test_serve_refuses_a_database_without_schema(tmp_path):
    result = run(
        "serve", "--port", "5999", env={"GEOAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite'}"}
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "geoapp: error: the database has no schema: run `geoapp db init` first (or `make serve`)"
    ]


def test_make_serve_database_step_rebuilds_a_file_never_set_up_and_keeps_a_good_one(tmp_path):
    """A SpatiaLite file opened once without ``db init`` (so no schema, no data) is built
    from the seeds; a current database is left as it is."""
    db = tmp_path / "geoapp.sqlite"
    env = {"GEOAPP_DATABASE_URL": f"sqlite:///{db}"}
    assert run("db", "status", env=env).returncode == 3  # creates the file, with no schema
    assert db.exists()
    seed = str(ROOT / "seeds" / "004_c8348abb5d8ded36.txt")

    def ensure():
        return subprocess.run(
            [str(ROOT / "scripts" / "ensure-db.sh"), str(db), seed],
            capture_output=True,
            text=True,
            timeout=300,
        )

    built = ensure()
    assert built.returncode == 0, built.stderr
    assert f"ingested {seed}" in built.stdout
    assert run("db", "status", env=env).returncode == 0
    mtime = db.stat().st_mtime_ns
    again = ensure()
    assert again.returncode == 0 and "ingested" not in again.stdout
    assert db.stat().st_mtime_ns == mtime
