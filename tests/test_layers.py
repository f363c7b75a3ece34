"""The layers of the code hold (``[tool.importlinter]`` in pyproject.toml): a module imports
only from its own layer and those below, and the gazetteer library never imports geoapp.

The second test shows the check can fail: a copy of the tree with one import against the
layers breaks the contract.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def _lint_imports(where: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=where, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_tree_keeps_its_layers():
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 kept, 0 broken" in done.stdout


def test_an_import_against_the_layers_is_caught(tmp_path):
    skip = shutil.ignore_patterns("static", "data", "__pycache__", "*.pickle")
    for package in ("geoapp", "gazetteer"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    models = tmp_path / "geoapp" / "store" / "models.py"
    models.write_text(
        models.read_text() + "\nfrom geoapp.web import respond  # the store reaching up into the web\n"
    )
    normalize = tmp_path / "gazetteer" / "normalize.py"
    normalize.write_text(
        normalize.read_text() + "\nimport geoapp.settings  # the library depending on the app\n"
    )

    done = _lint_imports(tmp_path)
    assert done.returncode == 1
    assert "0 kept, 2 broken" in done.stdout
    assert "geoapp.store.models -> geoapp.web" in done.stdout
    assert "gazetteer.normalize -> geoapp.settings" in done.stdout


def test_every_module_reads_in_one_sitting():
    """No module of geoapp or the gazetteer is over 500 lines (split it by what it does)."""
    long = {
        str(path.relative_to(ROOT)): n
        for package in ("geoapp", "gazetteer")
        for path in (ROOT / package).rglob("*.py")
        if "static" not in path.parts and (n := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not long, long


def test_the_paths_the_docs_name_exist():
    """README's Layout and CONTRIBUTING's recipes send a newcomer to files: they must be there."""
    import re

    named = set()
    for doc in ("README.md", "CONTRIBUTING.md"):
        named |= set(re.findall(r"`((?:geoapp|gazetteer|tests|scripts)/[\w./-]+)`", (ROOT / doc).read_text()))
    missing = sorted(p for p in named if not (ROOT / p.rstrip("/")).exists())
    assert len(named) > 20 and not missing, missing
