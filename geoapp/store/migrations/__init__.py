"""Alembic migrations of the geoapp schema (run through geoapp.store.database.upgrade)."""
