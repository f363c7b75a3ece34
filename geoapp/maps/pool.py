"""Where report images are made, bounded per server process.

* an in-process LRU of finished images (:func:`cache_get`, :func:`cache_put`, :func:`clear_cache`);
* drawing processes (:func:`draw_image`): matplotlib in a child process at a lower CPU
  priority (``render_isolation=process``), or in the server process (``thread``);
* :class:`RenderPool`: ``render_workers`` threads, at most ``render_queue`` more requests
  waiting, a timeout per request, and one drawing shared by concurrent requests for the
  same image (single flight). :func:`render_pool` is this process's pool.

See :mod:`geoapp.maps.render` for what an image is and how a request becomes one.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from geoapp.errors import ConfigError, ServiceUnavailable
from geoapp.maps.draw import draw_map

__all__ = [
    "RenderedImage",
    "RenderPool",
    "render_pool",
    "draw_image",
    "clear_cache",
    "cache_get",
    "cache_put",
    "DRAW_NICENESS",
    "ISOLATIONS",
]


@dataclass(frozen=True)
class RenderedImage:
    data: bytes
    mimetype: str
    etag: str
    filename: str
    #: what was drawn: CRS, scale bar, labels placed, legend rows (not part of the bytes)
    info: dict[str, Any] = field(default_factory=dict, compare=False)


# ----------------------------------------------------------------------------- cache
_cache: OrderedDict[str, RenderedImage] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def cache_get(key: str) -> RenderedImage | None:
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
        return hit


def cache_put(key: str, image: RenderedImage, size: int) -> None:
    if size <= 0:
        return
    with _cache_lock:
        _cache[key] = image
        _cache.move_to_end(key)
        while len(_cache) > size:
            _cache.popitem(last=False)


# ----------------------------------------------------------------------------- drawing processes
#: how much lower the CPU priority of drawing processes is than the server's (``nice``)
DRAW_NICENESS = 10
ISOLATIONS = ("process", "thread")
_drawers: dict[tuple[int, int], ProcessPoolExecutor] = {}
_drawers_lock = threading.Lock()


def _drawer_init() -> None:
    with contextlib.suppress(OSError):
        os.nice(DRAW_NICENESS)


def _draw_in_child(content, width: int, height: int, dpi: int, fmt: str):
    """In a drawing process: the image, its facts, and the warnings drawing raised (for the parent)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data, info = draw_map(content, width, height, dpi, fmt)
    return data, info, [(str(w.message), w.category) for w in caught]


def _drawer(workers: int) -> ProcessPoolExecutor:
    key = (os.getpid(), workers)
    with _drawers_lock:
        ex = _drawers.get(key)
        if ex is None:
            ex = _drawers[key] = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"), initializer=_drawer_init
            )
        return ex


def draw_image(content, width: int, height: int, dpi: int, fmt: str, settings: Mapping[str, Any]):
    """``draw_map`` in a drawing process (``render_isolation=process``) or in this thread.

    Warnings raised while drawing (e.g. a glyph missing from the font) are raised again here,
    so they behave as if the drawing had been done in this process."""
    isolation = settings.get("render_isolation", "process")
    if isolation not in ISOLATIONS:
        raise ConfigError(f"GEOAPP_RENDER_ISOLATION must be process or thread, got {isolation!r}")
    if isolation == "thread":
        return draw_map(content, width, height, dpi, fmt)
    workers = settings["render_workers"]
    try:
        data, info, caught = (
            _drawer(workers).submit(_draw_in_child, content, width, height, dpi, fmt).result()
        )
    except BrokenProcessPool:
        with _drawers_lock:  # a drawing process died (killed, out of memory): start afresh next time
            _drawers.pop((os.getpid(), workers), None)
        raise ServiceUnavailable(
            "the drawing process stopped unexpectedly; try again", retry_after=2
        ) from None
    for message, category in caught:
        warnings.warn(message, category, stacklevel=2)
    return data, info


# ----------------------------------------------------------------------------- the render pool
@dataclass
class _Flight:
    """One drawing and the requests waiting for it."""

    future: Future
    waiters: int = 0


class RenderPool:
    """Bounded drawing: ``workers`` threads draw; at most ``workers + queue`` requests wait.

    ``run(key, compute, timeout)`` joins the drawing of ``key`` already under way (single
    flight) or starts one; it raises :class:`ServiceUnavailable` when ``workers + queue``
    requests are already waiting (every waiting request holds a server thread, so this
    bounds how many of them renders can take) and when ``timeout`` seconds pass (``0``:
    no limit). A drawing nobody waits for any more is cancelled if it has not started;
    one that has started finishes (a thread cannot be stopped) and its image is cached.
    """

    def __init__(self, workers: int, queue: int):
        self.workers = workers
        self.limit = workers + queue
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="geoapp-render")
        self._lock = threading.RLock()
        self._flights: dict[str, _Flight] = {}
        self._waiting = 0
        self._seconds = 1.0  # moving average of a drawing's duration, for Retry-After
        #: drawings started, refused requests, timed-out requests (tests and benchmarks read these)
        self.started = 0
        self.refused = 0
        self.timed_out = 0

    @property
    def waiting(self) -> int:
        return self._waiting

    def retry_after(self) -> int:
        """Seconds until the queue has probably moved on: the drawings ahead × their usual time."""
        with self._lock:
            ahead = len(self._flights) + 1
        return max(1, min(60, math.ceil(self._seconds * ahead / self.workers)))

    def run(self, key: str, compute: Callable[[], Any], timeout: float = 0) -> Any:
        with self._lock:
            flight = self._flights.get(key)
            if flight is None:
                cached = cache_get(key)  # drawn while this request was on its way here
                if cached is not None:
                    return cached
            if self._waiting >= self.limit:
                self.refused += 1
                raise ServiceUnavailable(
                    f"the server is busy drawing maps ({self._waiting} requests waiting); try again shortly",
                    retry_after=self.retry_after(),
                )
            if flight is None:
                flight = _Flight(self._executor.submit(self._timed, compute))
                self._flights[key] = flight
                flight.future.add_done_callback(lambda _f, k=key, fl=flight: self._landed(k, fl))
            flight.waiters += 1
            self._waiting += 1
        try:
            return flight.future.result(timeout=timeout or None)
        except (FutureTimeout, CancelledError):
            self.timed_out += 1
            raise ServiceUnavailable(
                f"the map was not drawn within {timeout:g} s; it is still being drawn, try again shortly",
                retry_after=self.retry_after(),
            ) from None
        finally:
            with self._lock:
                flight.waiters -= 1
                self._waiting -= 1
                if flight.waiters == 0 and not flight.future.running():
                    flight.future.cancel()  # still queued and nobody wants it: never drawn

    def _timed(self, compute: Callable[[], Any]) -> Any:
        with self._lock:
            self.started += 1
        start = time.perf_counter()
        try:
            return compute()
        finally:
            with self._lock:
                self._seconds = 0.8 * self._seconds + 0.2 * (time.perf_counter() - start)

    def _landed(self, key: str, flight: _Flight) -> None:
        with self._lock:
            if self._flights.get(key) is flight:
                del self._flights[key]


_pools: dict[tuple[int, int, int], RenderPool] = {}
_pools_lock = threading.Lock()


def render_pool(workers: int, queue: int) -> RenderPool:
    """This process's pool for these settings (created on first use, so after a server forks)."""
    key = (os.getpid(), workers, queue)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = RenderPool(workers, queue)
        return pool
