"""What a browser test watches on its page: console errors, uncaught exceptions, failed
requests, requests to other hosts and CSP violations, collected as text."""

from __future__ import annotations

from playwright.sync_api import Page

_CSP_TO_CONSOLE = (
    "document.addEventListener('securitypolicyviolation', e => console.error('CSP: ' + e.violatedDirective))"
)


def page_problems(page: Page, server_url: str) -> list[str]:
    """A list the page's problems are appended to while the test runs (assert it stays empty)."""
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append("failed: " + r.url))
    page.on(
        "request",
        lambda r: r.url.startswith((server_url, "data:")) or problems.append("external: " + r.url),
    )
    page.add_init_script(_CSP_TO_CONSOLE)
    return problems
