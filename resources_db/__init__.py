"""Persistence: SQLAlchemy 2 models, engine/session factory, Alembic migrations, demo data.

This package imports nothing of the others and reads no settings: URLs and
secrets are passed in by the caller.
"""
