"""The ``geoapp`` command (also ``python -m geoapp``).

One module per area of commands: :mod:`~geoapp.cli.database` (``db``, ``settings``,
``ingest``, ``regeocode``), :mod:`~geoapp.cli.places` (``geocode``, ``build-gazetteer``,
``gazetteer …``), :mod:`~geoapp.cli.outputs` (``export``, ``render``), :mod:`~geoapp.cli.serve`;
the group and its shared state in :mod:`~geoapp.cli.base`.

Every problem a user can cause prints one line (``geoapp: error: …``) and exits
non-zero: 2 for bad usage or configuration, 1 for work that failed.
"""

from __future__ import annotations

# The spatial libraries must load before SpatiaLite can (see geoapp.store.backend).
import geoapp.store.backend  # noqa: F401  isort: skip

import sys

import click

from geoapp.cli import corrections, database, outputs, places, serve  # noqa: F401  (registers the commands)
from geoapp.cli.base import cli
from geoapp.cli.serve import wsgi_server
from geoapp.errors import GeoappError

__all__ = ["main", "cli", "wsgi_server"]


def main() -> None:
    """Console-script entry point: run the CLI, turning our errors into one line."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("geoapp: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except GeoappError as exc:
        click.echo(f"geoapp: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:
        click.echo(
            f"geoapp: error: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "),
            err=True,
        )
        sys.exit(1)
    except Exception as exc:  # last resort: still one line, never a traceback
        from gazetteer import GazetteerError

        if isinstance(exc, GazetteerError):
            click.echo(f"geoapp: error: {exc}", err=True)
            sys.exit(2)
        raise


if __name__ == "__main__":  # pragma: no cover
    main()
