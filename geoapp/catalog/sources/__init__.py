"""The feature collections behind the OGC API and the downloads.

A :class:`Source` knows its table (or view), its queryables, its own query
parameters and its features' properties twice over: as SQL expressions, for
PostGIS to write the JSON itself, and as Python, for SpatiaLite. Both give the
same features (a test compares them on PostGIS). Reading is in
:mod:`geoapp.catalog.features`.

``projects`` and ``places`` mix points, lines and areas; each also comes as three
single-geometry collections (:mod:`geoapp.catalog.sources.views`) for GIS clients.
"""

from geoapp.catalog.sources.base import GEOMETRY_PARAM, KINDS, GeometryKind, Selection, Source
from geoapp.catalog.sources.places import CorridorsSource, CountiesSource, PlacesSource
from geoapp.catalog.sources.projects import ProjectsSource
from geoapp.catalog.sources.views import GeometryView, with_views

__all__ = [
    "Source",
    "ProjectsSource",
    "PlacesSource",
    "CountiesSource",
    "CorridorsSource",
    "GeometryView",
    "GeometryKind",
    "GEOMETRY_PARAM",
    "KINDS",
    "Selection",
    "SOURCES",
]

#: collection id → source, in the order /collections lists them (each mixed one before its views)
SOURCES: dict[str, Source] = {
    s.id: s
    for s in (*with_views(ProjectsSource()), *with_views(PlacesSource()), CountiesSource(), CorridorsSource())
}
