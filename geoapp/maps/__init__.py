"""Static map images for reports (PNG, SVG, PDF): :mod:`~geoapp.maps.render` (parameters, cache,
worker pool), :mod:`~geoapp.maps.content` (what is drawn), :mod:`~geoapp.maps.draw` (matplotlib).
Served by :mod:`geoapp.web.report_routes` and ``geoapp render``.
"""
