"""The HTML pages' data, framework-free: :mod:`~geoapp.pages.planner_map` (the filterable map),
:mod:`~geoapp.pages.detail` (a project's page), :mod:`~geoapp.pages.county_report` (the
printable county report), :mod:`~geoapp.pages.assets` (folium's assets from the vendored copies).
The templates are in ``geoapp/web/templates``; the routes in :mod:`geoapp.web.page_routes`.
"""
