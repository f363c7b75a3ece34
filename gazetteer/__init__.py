"""gazetteer — Chinese place names and planning-document phrases → WGS84 geometries.

A library with no web or database dependencies. Every :class:`Match` carries an
IATI precision code, a location class, its source and how it was found.

>>> from gazetteer import Gazetteer            # doctest: +SKIP
>>> gaz = Gazetteer.load()                     # doctest: +SKIP
>>> [m.matched_name for m in gaz.geocode("梁忠石高速")]  # doctest: +SKIP
['梁平区–忠县–石柱土家族自治县']
"""

import logging

from gazetteer.errors import BuildError, DataError, GazetteerError
from gazetteer.model import Entry, Match
from gazetteer.precision import describe as describe_precision
from gazetteer.resolver import MAX_QUERY_LENGTH, Gazetteer, GeocodeResult, NameSpan, UnknownPlace

__all__ = [
    "Gazetteer",
    "GeocodeResult",
    "Match",
    "Entry",
    "NameSpan",
    "GazetteerError",
    "BuildError",
    "DataError",
    "UnknownPlace",
    "MAX_QUERY_LENGTH",
    "describe_precision",
]

# A library logs, the application decides where to (nothing is printed unless it does).
logging.getLogger(__name__).addHandler(logging.NullHandler())
