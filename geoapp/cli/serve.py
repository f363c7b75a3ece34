"""``geoapp serve``: the web app under waitress, with a bounded pool of threads."""

from __future__ import annotations

import signal
import threading

import click

from geoapp.cli.base import CliState, cli, pass_state
from geoapp.errors import DatabaseError


# ----------------------------------------------------------------------------- serve
def _max_request_header_bytes() -> int:
    """Request line + headers waitress accepts: the app's own URL limit (CQL2 filters of 20,000
    Chinese characters take ~180 KB) plus 64 KB of headers, so a URL past that limit gets the
    app's JSON 414 rather than waitress's plain-text 431."""
    from geoapp.web.security import MAX_REQUEST_LINE

    return MAX_REQUEST_LINE + 64 * 1024


def wsgi_server(app, host: str, port: int, threads: int):
    """A waitress server for ``app`` with exactly ``threads`` worker threads (a bounded pool:
    further requests wait for a free thread; connections are read by one I/O thread)."""
    from waitress import create_server

    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_header_size=_max_request_header_bytes(),
        ident="geoapp",  # the Server header: no version banner
        channel_timeout=60,
    )


@cli.command()
@click.option("--host", help="Address to listen on (default GEOAPP_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default GEOAPP_PORT).")
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests served at once (waitress worker threads); more wait for a free thread.",
)
@pass_state
def serve(state: CliState, host: str | None, port: int | None, threads: int) -> None:
    """Serve the web app with waitress (a pool of --threads threads); gunicorn also works."""
    from geoapp import create_app
    from geoapp.store.database import current_revision, head_revision

    # Refuse to serve a database that was never set up (or is behind the code): every
    # page would fail. One line that says what to do instead.
    current, newest = current_revision(state.db.engine), head_revision()
    if current != newest:
        problem = (
            "has no schema" if current is None else f"has schema revision {current}, the code needs {newest}"
        )
        raise DatabaseError(f"the database {problem}: run `geoapp db init` first (or `make serve`)")
    app = create_app()
    host = host or state.settings["host"]
    port = port or state.settings["port"]
    server = wsgi_server(app, host, port, threads)
    click.echo(f"geoapp serving on http://{host}:{port}/ ({state.db.dialect}); Ctrl-C to stop", err=True)
    run_until_signalled(server)


def run_until_signalled(server, poll_seconds: float = 0.5) -> None:
    """Serve until SIGINT (Ctrl-C) or SIGTERM, then stop cleanly.

    The signals only set a flag; the I/O loop notices it within ``poll_seconds``. Letting
    Ctrl-C raise ``KeyboardInterrupt`` wherever the I/O thread happens to be (waitress's own
    ``run``) can leave a lock of its task queue held, and the shutdown that needs that lock
    then hangs.
    """
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.is_set():
            server.asyncore.loop(
                timeout=poll_seconds, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1
            )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.task_dispatcher.shutdown()
        server.close()
