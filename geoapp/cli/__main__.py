"""``python -m geoapp.cli`` — the same as ``geoapp``."""

from geoapp.cli import main

if __name__ == "__main__":
    main()
