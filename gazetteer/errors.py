"""Gazetteer exceptions.

>>> issubclass(BuildError, GazetteerError)
True
"""

__all__ = ["GazetteerError", "BuildError", "DataError", "LayerError"]


class GazetteerError(Exception):
    """Base class of the gazetteer's errors."""


class BuildError(GazetteerError):
    """The gazetteer cannot be built (a data package is missing or unreadable)."""


class DataError(BuildError):
    """A curated data file has a row the build cannot use (bad ref, missing source …)."""


class LayerError(GazetteerError):
    """A user's GIS layer cannot be imported (unreadable file, no name field, bad CRS …).

    The message is one line a user can act on."""
