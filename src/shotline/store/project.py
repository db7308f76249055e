"""A project folder: settings, the screenplay, and .shotline/ (database, objects, lock)."""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shotline.errors import InputError
from shotline.files import write_atomic
from shotline.store.db import connect, migrate, session_factory
from shotline.store.objects import ObjectStore
from shotline.store.settings import SETTINGS_FILE, Settings, parse_settings, render_settings

STATE_DIR = ".shotline"
EXPORTS_DIR = "exports"


class ProjectBusyError(InputError):
    """Another run holds the project."""


def current_user() -> str:
    """Who is acting, as the records say it: the login name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without one)
        return "unknown"


def now() -> datetime:
    """Timestamps are UTC, stored without a zone (both databases agree on that)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Project:
    root: Path
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    objects: ObjectStore

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    @property
    def script_path(self) -> Path:
        return self.root / self.settings.script

    @property
    def exports(self) -> Path:
        return self.root / EXPORTS_DIR

    @classmethod
    def find(cls, start: Path) -> Path | None:
        """The project folder holding start (start itself or a parent), if any."""
        for folder in (start, *start.parents):
            if (folder / SETTINGS_FILE).is_file():
                return folder
        return None

    @classmethod
    def open(cls, root: Path) -> Project:
        settings_file = root / SETTINGS_FILE
        try:
            text = settings_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"not a Shotline project (no {SETTINGS_FILE}); "
                             "make one with `shotline init`", source=str(root)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read settings: {exc}", source=str(settings_file)) \
                from None
        settings = parse_settings(text, source=str(settings_file))
        engine = connect(settings.effective_database_url(root))
        migrate(engine)
        return cls(root, settings, engine, session_factory(engine),
                   ObjectStore(root / STATE_DIR / "objects"))

    @classmethod
    def init(cls, root: Path, script: Path, name: str | None = None,
             database_url: str | None = None) -> Project:
        """Make a project folder around a copy of the screenplay."""
        if (root / SETTINGS_FILE).exists():
            raise InputError(f"already a Shotline project ({SETTINGS_FILE} exists)",
                             source=str(root))
        from shotline.script import load  # read it first: a bad script makes no project

        parsed = load(script)
        title = name or parsed.title_page.get("title", "").split("\n")[0] or script.stem
        settings = Settings(name=title, script=script.name, database_url=database_url)
        root.mkdir(parents=True, exist_ok=True)
        (root / STATE_DIR / "objects").mkdir(parents=True, exist_ok=True)
        target = root / script.name
        if target.resolve() != script.resolve():
            shutil.copyfile(script, target)
        write_atomic(root / SETTINGS_FILE, render_settings(settings))
        # The project's own signing key and CA, for the content credentials it exports.
        from shotline.governance.signing import ensure_identity

        ensure_identity(root / STATE_DIR, title)
        return cls.open(root)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the project for one run. A second run waits up to `wait` seconds, then
        refuses with who holds it (the lock dies with its process, even on kill -9)."""
        self.state.mkdir(parents=True, exist_ok=True)
        path = self.state / "lock"
        handle: IO[str] = path.open("a+", encoding="utf-8")
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        handle.seek(0)
                        holder = handle.read().strip() or "another process"
                        raise ProjectBusyError(
                            f"another shotline run holds this project ({holder}); "
                            "wait for it or use --wait SECONDS", source=str(self.root)) \
                            from None
                    time.sleep(0.2)
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                     "since": now().isoformat(timespec="seconds")}))
            handle.flush()
            yield
        finally:
            handle.close()  # closing releases the lock
