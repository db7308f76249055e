"""The migrations build exactly the schema the code declares."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shotline.store.db import connect, migrate
from shotline.store.schema import Base


def test_migrations_match_the_declared_tables(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'project.db'}")
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_migrating_twice_is_harmless(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'project.db'}")
    migrate(engine)
    migrate(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0004"
    engine.dispose()
