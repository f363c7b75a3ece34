"""Reading what is stored: the one way every output selects and describes projects and places.

* :mod:`~geoapp.catalog.style` — the vocabulary: categories, statuses, colours, labels;
* :mod:`~geoapp.catalog.filters` — project filters, parsed once, applied to SQL;
* :mod:`~geoapp.catalog.cql` — CQL2 filters over a collection's queryables;
* :mod:`~geoapp.catalog.crs` — the output coordinate systems;
* :mod:`~geoapp.catalog.queries` — projects as GeoJSON, details, facet counts;
* :mod:`~geoapp.catalog.sources` — the feature collections (projects, places, views by geometry);
* :mod:`~geoapp.catalog.params` — the items parameters every collection reader shares;
* :mod:`~geoapp.catalog.features` — counts, extents and GeoJSON text of a collection.

Framework-free; used by the JSON API, OGC API, downloads, maps and pages above it.
"""
