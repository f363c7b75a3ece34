"""Planner map at scale: size of the first HTML response, time to the first rendered
feature and to a complete view, and how long panning keeps the main thread busy,
for 1k, 10k and 50k synthetic projects, in Debian's Chromium.

Targets (issue 5): first HTML ≤ 500 KB; features beyond the view are not embedded;
panning does not freeze. Run:

    .venv/bin/python bench/bench_map.py [--sizes 1000 10000 50000] [--backend spatialite|postgis]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synthetic import generate  # noqa: E402

from geoapp import create_app  # noqa: E402
from geoapp.store.database import Database, forget_database  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
  .observe({ type: 'longtask', buffered: true });
"""


def measure(url: str, runs: int = 3) -> dict[str, float]:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app({"database_url": url})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    out: dict[str, list[float]] = {
        "html_kb": [],
        "first_feature_ms": [],
        "complete_ms": [],
        "pan_ms": [],
        "pan_longest_task_ms": [],
    }
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.add_init_script(LONG_TASKS)
                response = page.goto(base + "/")
                out["html_kb"].append(len(response.body()) / 1024)
                page.locator("body[data-loaded='1']").wait_for(state="attached", timeout=120_000)
                first = page.evaluate("window.geoappFirstFeatureAt || NaN")
                out["first_feature_ms"].append(first)
                out["complete_ms"].append(page.evaluate("performance.now()"))
                # Pan three times; each pan reloads the view (by bbox) when the data are many.
                page.evaluate("window.__longTasks = []")
                cfg_map = page.evaluate(
                    "JSON.parse(document.getElementById('geoapp-config').textContent).map"
                )
                by_view = page.evaluate(
                    "(() => { const c = JSON.parse(document.getElementById('geoapp-config').textContent);"
                    " return c.total > c.embedLimit; })()"
                )
                for dx in (300, -200, 150):
                    t = time.perf_counter()
                    page.evaluate("document.body.dataset.loaded = '0'")
                    page.evaluate(f"() => {{ window['{cfg_map}'].panBy([{dx}, 80], {{animate: false}}); }}")
                    if by_view:  # the view is reloaded from the API
                        page.locator("body[data-loaded='1']").wait_for(state="attached", timeout=60_000)
                    else:  # everything is already in the page: wait for the next frame
                        page.evaluate(
                            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
                        )
                    out["pan_ms"].append((time.perf_counter() - t) * 1000)
                out["pan_longest_task_ms"].append(max(page.evaluate("window.__longTasks") or [0]))
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return {k: statistics.median(v) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="geoapp-bench-map."))
    print(
        "projects | first HTML KB | first feature ms | complete view ms | pan (reload) ms | longest task while panning ms"
    )
    for n in args.sizes:
        url = f"sqlite:///{tmp / f'map{n}.sqlite'}"
        db = Database(url)
        seconds = generate(db, n)
        db.dispose()
        forget_database(url)
        r = measure(url, args.runs)
        print(
            f"{n:>8} | {r['html_kb']:>13.0f} | {r['first_feature_ms']:>16.0f} | {r['complete_ms']:>16.0f} | "
            f"{r['pan_ms']:>15.0f} | {r['pan_longest_task_ms']:>6.0f}   (data generated in {seconds:.0f} s)"
        )


if __name__ == "__main__":
    main()
