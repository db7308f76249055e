"""Persistence: the project folder, its database and its content-addressed objects."""
