"""The feature collections behind the OGC API and the downloads.

A :class:`Source` knows its table (or view), its queryables, its own query
parameters and its features' properties twice over: as SQL expressions, for
PostGIS to write the JSON itself, and as Python, for SpatiaLite. Both give the
same features (a test compares them on PostGIS). Reading is in
:mod:`geoapp.ogc_read`.
"""

from geoapp.ogc_sources.base import Selection, Source
from geoapp.ogc_sources.places import CorridorsSource, CountiesSource, PlacesSource
from geoapp.ogc_sources.projects import ProjectsSource

__all__ = ["Source", "ProjectsSource", "PlacesSource", "CountiesSource", "CorridorsSource", "Selection", "SOURCES"]

#: collection id → source, in the order /collections lists them
SOURCES: dict[str, Source] = {s.id: s for s in (ProjectsSource(), PlacesSource(), CountiesSource(), CorridorsSource())}
