"""Alembic migrations of the project database."""
