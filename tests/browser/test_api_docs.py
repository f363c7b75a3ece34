"""The try-it API page (/api?f=html) in a real Chromium: the vendored Swagger UI renders
every operation of the OpenAPI document, under the page's CSP (no eval, no inline script),
with nothing fetched from other hosts, and "Try it out" calls the live service."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import Page

from tests.browser.watch import page_problems

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_try_it_page_renders_every_operation_offline_and_runs_one(
    page: Page, live_server, artifacts, backend
):
    problems = page_problems(page, live_server.url)
    with urllib.request.urlopen(live_server.url + "/api?f=json", timeout=30) as r:
        doc = json.loads(r.read())
    methods = ("get", "post", "put", "patch", "delete")
    operations = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops if m in methods}

    page.goto(live_server.url + "/api?f=html")
    page.locator("body[data-api-docs='ready']").wait_for(state="attached", timeout=30_000)
    assert page.locator("#api-tables").is_hidden()  # the script-less tables give way
    shown = set()
    for block in page.locator(".opblock").all():
        method = block.locator(".opblock-summary-method").inner_text().strip()
        path = block.locator(".opblock-summary-path").get_attribute("data-path")
        shown.add((method, path))
    assert shown == operations
    page.screenshot(path=str(artifacts / "api-docs.png"), full_page=False)

    # Try it out: the projects items with limit=2, answered by the live service
    block = page.locator(
        ".opblock.opblock-get", has=page.locator("[data-path='/collections/projects/items']")
    ).first
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.locator("tr[data-param-name='limit'] input").fill("2")
    block.get_by_role("button", name="Execute").click()
    live = block.locator(".live-responses-table tr.response")
    status = live.locator(".response-col_status").first
    status.wait_for(timeout=30_000)
    assert status.inner_text().strip() == "200"
    body = live.locator(".response-col_description .highlight-code pre").first.inner_text()
    assert json.loads(body)["numberReturned"] == 2
    page.screenshot(path=str(artifacts / "api-docs-try.png"), full_page=False)
    assert problems == [], problems
