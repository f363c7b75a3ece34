"""Downloads in the formats GIS staff use: :mod:`~geoapp.exports.downloads` (GeoJSON, GeoPackage,
Shapefile, FlatGeobuf, CSV, XLSX, KML/KMZ in any offered CRS) and :mod:`~geoapp.exports.kml`
(the KML styling). Served by :mod:`geoapp.web.ogc_routes` and ``geoapp export``.
"""
