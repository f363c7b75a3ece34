"""The examples in docstrings are tests too: every module below is run with doctest."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "geoapp.errors",
    "geoapp.settings",
    "geoapp.context",
    "geoapp.maps.frame",
    "geoapp.catalog.properties",
    "geoapp.catalog.filters",
    "geoapp.catalog.filter_parts",
    "geoapp.templating",
    "geoapp.editing.validation",
    "geoapp.pages.urls",
    "geoapp.exports.cells",
    "geoapp.pages.planner_map",
    "geoapp.web.security",
    "geoapp.ingest.script",
    "geoapp.ingest.screen",
    "gazetteer.precision",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert attempted > 0, f"{name} has no examples"
    assert failed == 0, f"{failed} of {attempted} examples failed in {name}"
