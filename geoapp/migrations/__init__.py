"""Alembic migrations of the geoapp schema (run through geoapp.db.upgrade)."""
