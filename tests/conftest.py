"""Fixtures shared by the store and engine tests: databases (SQLite and a real
PostgreSQL the tests start themselves) and projects made from small screenplays."""

from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from shotline.store.project import Project
from tests.pg_server import PostgresServer, available

# Property tests judge behaviour, not speed: a busy CI machine must not fail them on
# hypothesis's per-example deadline (speed is the benchmark harness's business).
settings.register_profile("shotline", deadline=None)
settings.load_profile("shotline")

SCRIPT = """Title: Two Rooms
Author: The Team

INT. KITCHEN - DAY

MARA (30s), a harbour pilot, packs a suitcase. TEO (20s) watches from the door.

TEO
You're really going.

MARA
(not looking up)
The ferry leaves at six.

TEO
Then I'll drive you.

EXT. HARBOUR - NIGHT

Rain. Hundreds of lanterns rise over the water as the crowd cheers.

MARA
Look at them.

TEO
I'm looking at you.

INT. VAN - DUSK

Teo drives. Mara holds a brass compass.

MARA
Left at the chapel.
"""

_names = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    reason = available()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(f"no PostgreSQL here: {reason}")
    with PostgresServer() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'meta.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database(f"t{os.getpid()}_{next(_names)}")


@pytest.fixture
def make_project(tmp_path: Path) -> Iterator[Callable[..., Project]]:
    """Make a project from a screenplay text (the two-room sample by default)."""
    made: list[Project] = []

    def make(text: str = SCRIPT, database_url: str | None = None,
             folder: str = "project", size: tuple[int, int] = (320, 180)) -> Project:
        """Boards are small by default: the store and engine tests are not about
        pictures, and small frames keep them fast."""
        source = tmp_path / "source.fountain"
        source.write_text(text, encoding="utf-8")
        project = Project.init(tmp_path / folder, source, database_url=database_url)
        settings = project.root / "shotline.toml"
        settings.write_text(settings.read_text(encoding="utf-8")
                            .replace("width = 960", f"width = {size[0]}")
                            .replace("height = 540", f"height = {size[1]}"), encoding="utf-8")
        project.close()
        project = Project.open(project.root)
        made.append(project)
        return project

    yield make
    for project in made:
        project.close()


class NetworkUsedError(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Any socket connect (or DNS lookup) fails the test; yields the attempts seen."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any, *args: Any) -> Any:
        attempts.append(address)
        raise NetworkUsedError(f"a connection was opened to {address!r}")

    def refuse_lookup(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args[:2])
        raise NetworkUsedError(f"a name was looked up: {args[:2]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse_lookup)
    monkeypatch.setattr(socket, "create_connection", refuse_lookup)
    yield attempts


@pytest.fixture
def pix_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Install the test image provider `pix` as a third-party plugin; call again with
    other terms or price to replace it. Its connections are in image_plugin.CONNECTED."""
    from tests.engine import image_plugin

    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    monkeypatch.syspath_prepend(str(site))
    image_plugin.CONNECTED.clear()

    def install(**kwargs: Any) -> None:
        image_plugin.install(site, **kwargs)

    install()
    yield install
    image_plugin.CONNECTED.clear()
