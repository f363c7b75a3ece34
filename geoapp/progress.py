"""Progress for the command line: bars on a terminal, silence elsewhere.

A bar is drawn on standard error only when standard error is a terminal, so logs,
pipes and CI see nothing but the commands' usual lines. :func:`bar` counts known work
(files ingested, features exported, images rendered); :func:`ticker` shows the time
spent on work that cannot count its steps (the gazetteer build).

>>> with bar(3, "x", stream=None) as step:
...     step(2)
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

import click

__all__ = ["on_terminal", "bar", "ticker", "printable"]


def on_terminal(stream: IO[str] | None = None) -> bool:
    stream = sys.stderr if stream is None else stream
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (escape sequences that
    could move the cursor or retitle the window) as visible ``\\xNN`` escapes.

    >>> printable("忠县\\x1b]0;pwned\\x07.txt")
    '忠县\\\\x1b]0;pwned\\\\x07.txt'
    """
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


@contextlib.contextmanager
def bar(
    total: int, label: str, stream: IO[str] | None | bool = True, show: Callable[[Any], str] | None = None
) -> Iterator[Callable[..., None]]:
    """A progress bar of ``total`` steps; yields ``step(n=1, item=None)``.
    ``stream``: True for standard error when it is a terminal; None for no bar."""
    out = sys.stderr if stream is True else stream
    if out is None or not on_terminal(out):
        yield lambda n=1, item=None: None
        return
    shown = (lambda item: printable(show(item)) if item is not None else "") if show else None
    with click.progressbar(
        length=max(total, 0), label=label, file=out, item_show_func=shown, show_pos=True, width=30
    ) as progress:

        def step(n: int = 1, item: Any = None) -> None:
            if item is not None:
                progress.current_item = item
            progress.update(n)

        yield step


@contextlib.contextmanager
def ticker(label: str, stream: IO[str] | None = None) -> Iterator[None]:
    """``label … 12 s`` kept up to date on a terminal while the block runs."""
    out = sys.stderr if stream is None else stream
    if not on_terminal(out):
        yield
        return
    done = threading.Event()
    started = time.monotonic()

    def tick() -> None:
        while not done.wait(0.5):
            out.write(f"\r{label} … {time.monotonic() - started:.0f} s")
            out.flush()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        out.write(f"\r{label} … {time.monotonic() - started:.0f} s, done\n")
        out.flush()
