"""Static map images for reports (PNG, SVG, PDF).

:mod:`~geoapp.maps.render` turns a request into an image (parameters, cache key, ETag);
:mod:`~geoapp.maps.pool` makes images, bounded per process (cache, drawing processes, pool);
:mod:`~geoapp.maps.content` decides what is shown; :mod:`~geoapp.maps.frame` holds the
projection and the content's data classes; :mod:`~geoapp.maps.draw` draws it with matplotlib
(:mod:`~geoapp.maps.canvas`, :mod:`~geoapp.maps.draw_layers`, :mod:`~geoapp.maps.draw_labels`).
Served by :mod:`geoapp.web.report_routes` and ``geoapp render``.
"""
