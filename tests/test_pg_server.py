"""The throwaway PostgreSQL server the store tests run against (tests/pg_server.py)."""

from __future__ import annotations

import os
import re
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_server import URL_ENV, PostgresError, PostgresServer, available

try:
    import psycopg
except ImportError:  # the dev extra has it; only a bare environment lacks it
    if os.environ.get("CI"):
        raise
    pytest.skip("psycopg is not installed", allow_module_level=True)

# Database names unique to this run, for when an external server is shared.
RUN = secrets.token_hex(4)


def _need(reason: str | None) -> None:
    # CI installs PostgreSQL, so a missing server there is a failure, not a skip.
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is needed on CI: {reason}")
        pytest.skip(reason)


def _conninfo(url: str) -> str:
    """The libpq form of a SQLAlchemy URL."""
    return "postgresql://" + url.partition("://")[2]


def _running(pid: int) -> bool:
    """Whether pid runs; a zombie waiting for its reaper counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _postgres_using(data_dir: Path) -> list[int]:
    """Processes whose command line names data_dir: a postmaster of that cluster."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            argv = entry.joinpath("cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if str(data_dir).encode() in argv and _running(int(entry.name)):
            found.append(int(entry.name))
    return found


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    """One server for the module: a start costs about a second."""
    _need(available())
    with PostgresServer() as pg:
        yield pg


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests of the server's own lifecycle: never an external one."""
    monkeypatch.delenv(URL_ENV, raising=False)
    _need(available())


def test_select_one(server: PostgresServer) -> None:
    with psycopg.connect(_conninfo(server.url)) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)


def test_round_trip(server: PostgresServer) -> None:
    with psycopg.connect(_conninfo(server.url)) as conn:
        conn.execute("CREATE TABLE shot (id serial PRIMARY KEY, label text NOT NULL)")
        conn.execute("INSERT INTO shot (label) VALUES (%s), (%s)", ("1A — wide", "1B close"))
        conn.commit()
    with psycopg.connect(_conninfo(server.url)) as conn:
        rows = conn.execute("SELECT id, label FROM shot ORDER BY id").fetchall()
    assert rows == [(1, "1A — wide"), (2, "1B close")]


def test_url_is_for_sqlalchemy_and_psycopg(server: PostgresServer) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    if not os.environ.get(URL_ENV):
        assert re.fullmatch(r"postgresql\+psycopg://postgres@127\.0\.0\.1:\d+/shotline",
                            server.url)
    engine = sqlalchemy.create_engine(server.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT 2")).scalar_one() == 2
    finally:
        engine.dispose()


def test_databases_are_separate(server: PostgresServer) -> None:
    one, two = f"sep_one_{RUN}", f"sep_two_{RUN}"
    first, second = server.create_database(one), server.create_database(two)
    with psycopg.connect(_conninfo(first)) as conn:
        conn.execute("CREATE TABLE only_here (x int)")
        conn.commit()
        assert conn.execute("SELECT current_database()").fetchone() == (one,)
    with psycopg.connect(_conninfo(second)) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (two,)
        assert conn.execute("SELECT to_regclass('only_here')").fetchone() == (None,)
    with pytest.raises(psycopg.errors.DuplicateDatabase):
        server.create_database(one)


def test_bad_database_names_are_refused(server: PostgresServer) -> None:
    for name in ("", "Upper", "1st", "a-b", "x; DROP DATABASE shotline", "a" * 64):
        with pytest.raises(ValueError, match="database name"):
            server.create_database(name)


def test_trust_is_for_loopback_and_the_socket_only(server: PostgresServer) -> None:
    if os.environ.get(URL_ENV):
        pytest.skip("an external server's settings are its owner's")
    with psycopg.connect(_conninfo(server.url)) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        rules = conn.execute("SELECT type, address, auth_method, error "
                             "FROM pg_hba_file_rules ORDER BY line_number").fetchall()
    assert rules == [("local", None, "trust", None), ("host", "127.0.0.1", "trust", None)]


def test_an_external_server_gets_databases_and_loses_them(
        server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, server.url)  # the module's server stands in for a shared one
    with PostgresServer() as external:
        assert external.data_dir is None and external.port is None  # nothing started
        names = [external.url.rsplit("/", 1)[1],
                 external.create_database(f"ext_extra_{RUN}").rsplit("/", 1)[1]]
        assert names[0].startswith("shotline_test_")
        with psycopg.connect(_conninfo(external.url)) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    with psycopg.connect(_conninfo(server.url)) as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)",
                            (names,)).fetchall()
    assert left == []


@pytest.mark.usefixtures("local")
def test_stop_leaves_nothing_behind(tmp_path: Path) -> None:
    # As root the server runs as `postgres`, which cannot enter pytest's private tmp_path.
    base = None if os.geteuid() == 0 else tmp_path
    with PostgresServer(base) as pg:
        assert pg.port is not None and pg.data_dir is not None
        port, data_dir = pg.port, pg.data_dir
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        assert _running(pid)
        assert not _refused(port)
    assert _refused(port)
    assert not _running(pid)
    assert _postgres_using(data_dir) == []
    assert not data_dir.parent.exists()
    pg.stop()  # twice is harmless
    pg.stop()
    with pytest.raises(RuntimeError, match="not started"):
        _ = pg.url


def test_a_missing_install_is_a_clear_error(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)  # needs no server: runs everywhere
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("SHOTLINE_PG_BIN", str(empty))
    assert available() is not None
    pg = PostgresServer(tmp_path)
    with pytest.raises(PostgresError, match=r"SHOTLINE_PG_BIN=.* does not hold initdb"):
        pg.start()
    assert sorted(tmp_path.iterdir()) == [empty]  # no temp dir left either
    pg.stop()


@pytest.mark.usefixtures("local")
def test_a_start_that_fails_midway_stops_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: PostgresServer, name: str) -> str:
        raise PostgresError("refused for the test")

    # The failure comes after the postmaster is up: the worst place for a leak.
    monkeypatch.setattr(PostgresServer, "create_database", refuse)
    pg = PostgresServer()
    with pytest.raises(PostgresError, match="refused for the test"):
        pg.start()
    assert pg.port is not None and pg.data_dir is not None
    assert _refused(pg.port)
    assert _postgres_using(pg.data_dir) == []
    assert not pg.data_dir.parent.exists()
