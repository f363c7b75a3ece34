"""OGC API – Features (Parts 1, 2, 3) as plain functions returning ``(headers, status, body)``:
:mod:`~geoapp.ogcapi.core` (landing page, conformance, collections, items),
:mod:`~geoapp.ogcapi.openapi` (the OpenAPI document), :mod:`~geoapp.ogcapi.html` (the HTML views).
Routes: :mod:`geoapp.web.ogc_routes`.
"""
