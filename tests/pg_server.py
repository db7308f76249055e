"""A throwaway PostgreSQL server for the tests: its own cluster in a temp dir, on loopback.

    with PostgresServer() as pg:
        engine = create_engine(pg.url)                 # an empty database, "shotline"
        other = create_engine(pg.create_database("t2"))

Set SHOTLINE_TEST_DATABASE_URL to use an existing server instead: start() and
create_database() then make databases there, and stop() drops them again.
See docs/testing.md.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit, urlunsplit

BIN_ENV = "SHOTLINE_PG_BIN"
URL_ENV = "SHOTLINE_TEST_DATABASE_URL"
SUPERUSER = "postgres"  # the cluster's superuser, and the OS user a root process runs it as
DATABASE = "shotline"  # the database start() makes and url names
START_TIMEOUT = 60  # seconds; a cold start on a loaded 2-core CI machine is still well under
STOP_TIMEOUT = 30
_SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SOCKET_PATH_MAX = 107  # sun_path is 108 bytes with its NUL
_INSTALL_HINT = ("no PostgreSQL server programs (initdb, pg_ctl, postgres) found; "
                 "install them with `apt-get install postgresql`, or set "
                 f"{BIN_ENV} to the folder that holds them")


class PostgresError(RuntimeError):
    """The server could not be found, started or used; the message says why."""


def _has_server(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) and (bindir / name).is_file()
               for name in _SERVER_PROGRAMS)


def _version_key(path: Path) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in path.parent.name.split("."))
    except ValueError:
        return (-1,)


def find_bindir() -> Path:
    """The folder with initdb, pg_ctl and postgres, searched in the documented order."""
    configured = os.environ.get(BIN_ENV)
    if configured:
        # An explicit choice that is wrong must not silently fall back to another install.
        if _has_server(Path(configured)):
            return Path(configured)
        raise PostgresError(f"{BIN_ENV}={configured} does not hold initdb, pg_ctl and postgres")
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        # Debian's pg_config comes with libpq-dev and may name a version whose server
        # is not installed, so every candidate is checked before it is used.
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=10, check=True).stdout.strip()
            if out:
                candidates.append(Path(out))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key,
                         reverse=True)
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        candidates.append(Path(os.path.realpath(pg_ctl)).parent)  # past any symlink
    for bindir in candidates:
        if _has_server(bindir):
            return bindir
    raise PostgresError(_INSTALL_HINT)


def _as_server_user() -> list[str]:
    """The command prefix that runs a program as the server's OS user ([] when not root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresError(f"running as root, but there is no {SUPERUSER!r} user to run "
                            "the server as (initdb and postgres refuse root); "
                            "`apt-get install postgresql` creates it") from None
    # setpriv execs in place (no PAM session, no extra process), so a timeout's kill
    # reaches the server program itself.
    setpriv = shutil.which("setpriv")
    if not setpriv:
        raise PostgresError("running as root, but setpriv (util-linux) is missing")
    return [setpriv, f"--reuid={SUPERUSER}", f"--regid={SUPERUSER}", "--init-groups", "--"]


def _server_env() -> dict[str, str]:
    # PG* variables (PGPORT, PGDATA, ...) would reach the server and its tools; TZ spares
    # initdb a scan of the zoneinfo files; LC_ALL keeps messages in English.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(TZ="UTC", LC_ALL="C")
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _alive(pid: int) -> bool:
    """Whether the process runs; a zombie does not (PID 1 in a container may never reap)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return not Path("/proc/self").exists()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _proc_table() -> list[tuple[int, int, list[bytes]]]:
    """(pid, parent pid, argv) of every process, from /proc (empty elsewhere)."""
    table: list[tuple[int, int, list[bytes]]] = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            argv = entry.joinpath("cmdline").read_bytes().split(b"\0")
            ppid = int(entry.joinpath("stat").read_text().rsplit(")", 1)[-1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        table.append((int(entry.name), ppid, argv))
    return table


def _processes_of(data_dir: Path) -> list[int]:
    """Our postmasters (found by their -D argument) and their children."""
    wanted = str(data_dir).encode()
    table = _proc_table()
    masters = {pid for pid, _, argv in table
               if argv and Path(os.fsdecode(argv[0])).name in ("postgres", "postmaster")
               and wanted in argv}
    pidfile = data_dir / "postmaster.pid"
    if not table and pidfile.exists():  # no /proc: trust the pid file alone
        with contextlib.suppress(OSError, ValueError, IndexError):
            masters.add(int(pidfile.read_text().split()[0]))
    children = {pid for pid, ppid, _ in table if ppid in masters}
    return [pid for pid in sorted(masters | children) if _alive(pid)]


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def _kill(pids: list[int]) -> None:
    # SIGQUIT is postgres' immediate shutdown: the postmaster takes its children along.
    # SIGKILL is for whatever ignores that.
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        if not (pids := _wait_gone(pids, 5)):
            return
    raise PostgresError(f"postgres processes {pids} survived SIGKILL")


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _conf_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sqlalchemy_url(url: str) -> str:
    """Any postgres:// or postgresql[+driver]:// URL, with the psycopg 3 driver."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0] not in ("postgres", "postgresql"):
        raise PostgresError(f"{URL_ENV} must be a postgresql:// URL, got {scheme!r}://…")
    return f"postgresql+psycopg://{rest}"


def _libpq_url(url: str) -> str:
    return "postgresql://" + url.partition("://")[2]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise ValueError(f"database name {name!r}: use 1 to 63 of a-z, 0-9 and _, "
                         "not starting with a digit")


def available() -> str | None:
    """None if a server can be had here, else the reason it cannot (for pytest.skip)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed: pip install 'psycopg[binary]>=3.2'"
    external = os.environ.get(URL_ENV)
    if external:
        try:
            with psycopg.connect(_libpq_url(_sqlalchemy_url(external)), connect_timeout=5):
                return None
        except (PostgresError, psycopg.Error) as exc:
            return f"cannot connect to {URL_ENV}: {exc}"
    try:
        find_bindir()
        _as_server_user()
    except PostgresError as exc:
        return str(exc)
    return None


class PostgresServer:
    """A PostgreSQL cluster of its own, or databases on the server SHOTLINE_TEST_DATABASE_URL
    names; a context manager. Trust authentication: loopback and a private socket only."""

    def __init__(self, base_dir: Path | None = None) -> None:
        self.base_dir = base_dir  # where the temp dir goes; the system's temp dir by default
        self.port: int | None = None
        self.data_dir: Path | None = None
        self._external = os.environ.get(URL_ENV) or None
        self._dir: Path | None = None
        self._prefix: list[str] = []
        self._bindir: Path | None = None
        self._url: str | None = None
        self._created: list[str] = []  # on an external server, dropped again by stop()
        self._started = False
        self._owner = os.getpid()

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the empty database that start() made."""
        if self._url is None:
            raise RuntimeError("the server is not started")
        return self._url

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        if self._started:
            raise RuntimeError("the server is already started")
        self._started = True
        self._owner = os.getpid()
        try:
            if self._external:
                name = f"shotline_test_{secrets.token_hex(4)}"  # a shared server: be unique
                self._url = self.create_database(name)
            else:
                self._start_local()
                self._url = self.create_database(DATABASE)
        except BaseException:
            self.stop()  # a half-started server must not outlive the failure
            raise

    def _start_local(self) -> None:
        self._bindir = find_bindir()
        self._prefix = _as_server_user()
        atexit.register(self.stop)  # a run that ends without teardown still cleans up
        self._dir = Path(tempfile.mkdtemp(prefix="shotline-pg-", dir=self.base_dir)).resolve()
        self.data_dir = self._dir / "data"
        sockets = self._dir / "sock"
        sockets.mkdir(mode=0o700)
        if len(f"{sockets}/.s.PGSQL.65535") > _SOCKET_PATH_MAX:
            raise PostgresError(f"{self._dir} is too long a path for a unix socket; "
                                "use a shorter base_dir")
        if self._prefix:
            user = pwd.getpwnam(SUPERUSER)
            for path in (self._dir, sockets):
                os.chown(path, user.pw_uid, user.pw_gid)
            if self._run(["test", "-w", str(self._dir)], check=False).returncode:
                raise PostgresError(f"the {SUPERUSER!r} user cannot reach {self._dir}; "
                                    "use a base_dir that every user can traverse (as the default)")
        self._run([str(self._bindir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                   "-E", "UTF8", "--locale=C", "--auth=trust", "--no-sync",
                   "--no-instructions"])
        # Trust only over the private socket and loopback; nothing else may connect.
        (self.data_dir / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n")
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# throwaway test server: loopback only, durability traded for speed\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = {_conf_string(str(sockets))}\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        log = self._dir / "server.log"
        for attempt in range(3):
            # The free port is only free until someone else binds it: retry on that race.
            self.port = _free_port()
            offset = log.stat().st_size if log.exists() else 0
            result = self._run([str(self._bindir / "pg_ctl"), "start", "-D", str(self.data_dir),
                                "-l", str(log), "-o", f"-p {self.port}", "-w",
                                "-t", str(START_TIMEOUT), "-s"],
                               timeout=START_TIMEOUT + 10, check=False)
            if result.returncode == 0:
                return
            server_log = ""
            if log.exists():
                with log.open(errors="replace") as f:
                    f.seek(offset)
                    server_log = f.read()
            if "Address already in use" in server_log and attempt < 2:
                continue
            raise PostgresError(f"pg_ctl start failed:\n{_tail(result.stdout)}\n"
                                f"server log:\n{_tail(server_log)}")

    def _run(self, argv: list[str], timeout: float = 60,
             check: bool = True) -> subprocess.CompletedProcess[str]:
        # A session of its own, so a timeout kills the program and anything it forked.
        with subprocess.Popen([*self._prefix, *argv], cwd=self._dir, env=_server_env(),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              start_new_session=True) as proc:
            try:
                out, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise PostgresError(f"{Path(argv[0]).name} took over {timeout}s") from None
        result = subprocess.CompletedProcess(argv, proc.returncode, out, None)
        if check and result.returncode:
            raise PostgresError(f"{Path(argv[0]).name} failed (exit {result.returncode}):\n"
                                f"{_tail(out)}")
        return result

    def _admin_conninfo(self) -> str:
        if self._external:
            return _libpq_url(_sqlalchemy_url(self._external))
        if self.port is None:
            raise RuntimeError("the server is not started")
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres"

    def create_database(self, name: str) -> str:
        """Make an empty database NAME and return its SQLAlchemy URL."""
        _check_name(name)
        import psycopg
        from psycopg import sql

        # template0: nothing that was added to template1 on a shared server leaks in.
        with psycopg.connect(self._admin_conninfo(), autocommit=True,
                             connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'")
                         .format(sql.Identifier(name)))
        if self._external:
            self._created.append(name)
            return _with_database(_sqlalchemy_url(self._external), name)
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server and remove its files; harmless when stopped or never started."""
        if os.getpid() != self._owner:
            return  # a forked child (a worker pool) must not stop its parent's server
        atexit.unregister(self.stop)
        if self._created:
            self._drop_created()
        if self._dir is not None and self.data_dir is not None:
            try:
                if (self.data_dir / "postmaster.pid").exists() and self._bindir is not None:
                    with contextlib.suppress(PostgresError):
                        self._run([str(self._bindir / "pg_ctl"), "stop", "-D",
                                   str(self.data_dir), "-m", "fast", "-w",
                                   "-t", str(STOP_TIMEOUT), "-s"], timeout=STOP_TIMEOUT + 10,
                                  check=False)
                # Whatever pg_ctl missed (a start that timed out, a hung shutdown) goes too.
                if leftovers := _processes_of(self.data_dir):
                    _kill(leftovers)
            finally:
                shutil.rmtree(self._dir, ignore_errors=True)
                self._dir = None
        self._url = None
        self._started = False

    def _drop_created(self) -> None:
        import psycopg
        from psycopg import sql

        names, self._created = self._created, []
        try:
            with psycopg.connect(self._admin_conninfo(), autocommit=True,
                                 connect_timeout=10) as conn:
                for name in names:
                    # FORCE (PostgreSQL 13+) ends sessions a test left open.
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                                 .format(sql.Identifier(name)))
        except psycopg.Error as exc:
            warnings.warn(f"could not drop test databases {names}: {exc}", stacklevel=2)
