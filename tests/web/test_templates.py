"""One Jinja configuration (geoapp.templating) for the web pages and the renderers outside a
request: the same loader, autoescaping, filters and globals."""

from __future__ import annotations

from flask import render_template, render_template_string

from geoapp import templating
from geoapp.web import WebApp


def _two_environments():
    """A fresh web app's environment and a fresh one outside a request."""
    templating.environment.cache_clear()
    web_app = WebApp(__name__)
    return web_app, web_app.jinja_env, templating.environment()


def test_a_filter_and_a_global_defined_once_are_in_both(monkeypatch):
    monkeypatch.setitem(templating.FILTERS, "shout", lambda s: f"{s}!")
    monkeypatch.setitem(templating.GLOBALS, "motto", "<一个配置>")
    try:
        web_app, web, other = _two_environments()
        source = "{{ motto }} {{ name|shout }} {{ names|value }}"
        expected = "&lt;一个配置&gt; &lt;i&gt;! 忠县、&lt;b&gt;"
        assert templating.render_string(source, name="<i>", names=["忠县", "<b>"]) == expected
        with web_app.test_request_context("/"):
            assert render_template_string(source, name="<i>", names=["忠县", "<b>"]) == expected
        for name, fn in templating.FILTERS.items():
            assert web.filters[name] is fn and other.filters[name] is fn
    finally:
        templating.environment.cache_clear()


def test_autoescaping_is_on_everywhere_and_both_read_the_same_files():
    web_app, web, other = _two_environments()
    assert web.autoescape is templating.autoescape and other.autoescape is templating.autoescape
    assert all(templating.autoescape(name) for name in (None, "map.html", "x.xml", "x.kml", "x.txt"))
    for name in ("project.html", "ogc_feature.html", "report.html"):
        assert web.get_template(name).filename == other.get_template(name).filename
    hostile = "<script>alert(1)</script>"
    feature = {"id": 1, "properties": {"name": hostile}, "geometry": None}
    outside = templating.render("ogc_feature.html", feature=feature, collection={"id": "p", "title": "t"})
    assert hostile not in outside and "&lt;script&gt;" in outside
    with web_app.test_request_context("/"):
        assert "&lt;script&gt;" in render_template_string("{{ x }}", x=hostile)


def test_the_app_renders_its_pages_with_that_environment(app):
    assert isinstance(app, WebApp)
    assert app.jinja_env.autoescape is templating.autoescape
    assert app.jinja_env.filters["value"] is templating.FILTERS["value"]
    assert {"csp_nonce", "url_for", "request"} <= set(app.jinja_env.globals)
    with app.test_request_context("/"):
        html = render_template("history.html", h={"id": 1, "name": "<b>", "changes": []})
    assert "&lt;b&gt;" in html
