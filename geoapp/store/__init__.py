"""Everything that is kept in the database, and nothing that serves it.

* :mod:`~geoapp.store.models` — the tables (SQLAlchemy + GeoAlchemy2);
* :mod:`~geoapp.store.backend` — the one place SpatiaLite and PostGIS differ;
* :mod:`~geoapp.store.database` — engines, sessions, migrations (:mod:`~geoapp.store.migrations`);
* :mod:`~geoapp.store.data_version` — the value the HTTP validators are made of;
* :mod:`~geoapp.store.gazetteer` — the loaded built-in gazetteer and its copy in ``places``;
* :mod:`~geoapp.store.layers` — the users' GIS layers as gazetteer sources.

No Flask here; imports only :mod:`geoapp.settings`, :mod:`geoapp.errors` and the
:mod:`gazetteer` library.
"""
