"""``python -m geoapp`` — the same command line as ``geoapp`` (see :mod:`geoapp.cli`)."""

from geoapp.cli import main

if __name__ == "__main__":
    main()
