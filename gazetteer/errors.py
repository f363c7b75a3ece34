"""Gazetteer exceptions.

>>> issubclass(BuildError, GazetteerError)
True
"""

__all__ = ["GazetteerError", "BuildError", "DataError"]


class GazetteerError(Exception):
    """Base class of the gazetteer's errors."""


class BuildError(GazetteerError):
    """The gazetteer cannot be built (a data package is missing or unreadable)."""


class DataError(BuildError):
    """A curated data file has a row the build cannot use (bad ref, missing source …)."""
