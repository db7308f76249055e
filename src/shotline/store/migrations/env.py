"""Alembic environment: the connection comes from shotline.store.db, never from a URL here."""

from alembic import context

from shotline.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
