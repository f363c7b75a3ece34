"""The application factory survives a garbage collection at the worst moment.

CPython 3.11's ``ast.parse`` breaks (``SystemError: AST constructor recursion depth
mismatch``) when a finalizer that parses again runs inside it — pytest formatting a logged
traceback does. werkzeug calls ``ast.parse`` for every route while ``create_app`` builds the
URL map, so ``create_app`` keeps collection off meanwhile.
"""

from __future__ import annotations

import ast
import gc
import types

import werkzeug.routing.rules as rules

from geoapp import create_app


class _ParsesWhenCollected:
    def __init__(self) -> None:
        self.cycle = self  # only the cycle collector frees it

    def __del__(self) -> None:
        ast.parse("x = [y for y in range(3)]")


def test_a_collection_inside_werkzeugs_ast_parse_cannot_break_create_app(monkeypatch, tmp_path):
    real_parse = ast.parse

    def parse_with_garbage_about(source, *args, **kwargs):
        for _ in range(3):
            _ParsesWhenCollected()
        before = gc.get_threshold()
        gc.set_threshold(1, 1, 1)  # collect at the parser's first allocation
        try:
            return real_parse(source, *args, **kwargs)
        finally:
            gc.set_threshold(*before)

    monkeypatch.setattr(
        rules, "ast", types.SimpleNamespace(**{**vars(ast), "parse": parse_with_garbage_about})
    )
    try:
        app = create_app({"database_url": f"sqlite:///{tmp_path / 'app.sqlite'}"})
    finally:
        gc.collect()  # the garbage left while collection was off
    assert gc.isenabled()
    assert any(rule.rule == "/healthz" for rule in app.url_map.iter_rules())
