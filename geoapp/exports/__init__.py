"""Downloads in the formats GIS staff use: :mod:`~geoapp.exports.downloads` (GeoJSON, GeoPackage,
Shapefile, FlatGeobuf, CSV, XLSX, KML/KMZ in any offered CRS), :mod:`~geoapp.exports.cells`
(values made safe and fitting per format), :mod:`~geoapp.exports.shapefile` (one Shapefile per
geometry type, with its README) and :mod:`~geoapp.exports.kml` (KML styling and KMZ icons).
Served by :mod:`geoapp.web.ogc_routes` and ``geoapp export``.
"""
