"""The project settings file, shotline.toml."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shotline.errors import InputError

SETTINGS_FILE = "shotline.toml"
DATABASE_URL_ENV = "SHOTLINE_DATABASE_URL"


@dataclass(frozen=True)
class Policy:
    """What the project allows providers to do with its material (fail closed)."""

    allow_training_on_inputs: bool = False
    allow_training_on_outputs: bool = False
    max_retention_days: int = 0
    require_zero_data_retention: bool = True
    allow_human_review: bool = False
    reverify_days: int = 180
    # Where material may be processed: "local" is this host; "us" allows "us-east-1".
    regions: tuple[str, ...] = ("local", "eu", "us")
    budget_usd: float = 0.0  # paid calls are refused until a production sets a budget


@dataclass(frozen=True)
class Settings:
    name: str
    script: str  # the screenplay's file name, inside the project folder
    fps: int = 24
    width: int = 960
    height: int = 540
    aspect: str = "16:9"
    database_url: str | None = None
    providers: dict[str, Any] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)
    # Per-character appearance overrides: [characters.MARA] height = 1.72, hair = "long"
    characters: dict[str, dict[str, Any]] = field(default_factory=dict)

    def effective_database_url(self, project_dir: Path) -> str:
        """The environment wins over the file; SQLite in .shotline/ is the default."""
        url = os.environ.get(DATABASE_URL_ENV) or self.database_url
        if url:
            return url
        return f"sqlite:///{project_dir / '.shotline' / 'project.db'}"


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render_settings(s: Settings) -> str:
    """The settings file as people read it: commented, in a stable order."""
    database = (f"url = {_toml_string(s.database_url)}" if s.database_url else
                '# url = "postgresql+psycopg://user@host/shotline"\n'
                "# (default: SQLite in .shotline/)")
    regions = ", ".join(_toml_string(r) for r in s.policy.regions)
    return f"""# Shotline project settings
name = {_toml_string(s.name)}
script = {_toml_string(s.script)}

[video]
fps = {s.fps}
width = {s.width}
height = {s.height}
aspect = {_toml_string(s.aspect)}

[database]
{database}

[providers]
default = {_toml_string(str(s.providers.get("default", "previs")))}

[policy]
# Fail closed: providers that may train on the project's material, keep it longer
# than allowed, or whose terms are unknown or stale get nothing.
allow_training_on_inputs = {str(s.policy.allow_training_on_inputs).lower()}
allow_training_on_outputs = {str(s.policy.allow_training_on_outputs).lower()}
max_retention_days = {s.policy.max_retention_days}
require_zero_data_retention = {str(s.policy.require_zero_data_retention).lower()}
allow_human_review = {str(s.policy.allow_human_review).lower()}
# Terms checked longer ago than this are stale: someone must read them again.
reverify_days = {s.policy.reverify_days}
# Where material may be processed ("local" is this machine; "us" allows "us-east-1").
regions = [{regions}]
# What paid providers may spend in all, in US dollars (0: no paid calls).
budget_usd = {s.policy.budget_usd}

# Each character looks the same in every shot; change how with a table per character:
# [characters.MARA]
# height = 1.72          # metres
# build = "slim"         # slim, average, broad
# hair = "long"          # short, long, bald, curly, bun, ponytail
# hair_colour = "#3b2a1e"
# top = "#c7a02c"
{_characters(s.characters)}"""


def _characters(characters: dict[str, dict[str, Any]]) -> str:
    out: list[str] = []
    for name, fields in characters.items():
        out.append(f"[characters.{_toml_string(name)}]")
        for key, value in fields.items():
            out.append(f"{key} = {_toml_string(value) if isinstance(value, str) else value}")
    return "\n".join(out)


def _get(table: dict[str, Any], key: str, kind: type, where: str, default: Any) -> Any:
    value = table.get(key, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InputError(f"{where}{key} must be {kind.__name__}, got {value!r}",
                         source=SETTINGS_FILE)
    return value


def _character(name: str, table: Any, source: str) -> dict[str, Any]:
    from shotline.model.appearance import appearance_for

    if not isinstance(table, dict):
        raise InputError(f"[characters.{name}] must be a table", source=source)
    appearance_for(str(name), table)  # refuses unknown fields and bad values now
    return dict(table)


def parse_settings(text: str, source: str = SETTINGS_FILE) -> Settings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=source) from None
    try:
        video = data.get("video", {})
        database = data.get("database", {})
        policy = data.get("policy", {})
        characters = data.get("characters", {})
        providers = data.get("providers", {})
        for table, name in ((video, "video"), (database, "database"), (policy, "policy"),
                            (characters, "characters"), (providers, "providers")):
            if not isinstance(table, dict):
                raise InputError(f"[{name}] must be a table", source=source)
        settings = Settings(
            name=_get(data, "name", str, "", None),
            script=_get(data, "script", str, "", None),
            fps=_get(video, "fps", int, "video.", 24),
            width=_get(video, "width", int, "video.", 960),
            height=_get(video, "height", int, "video.", 540),
            aspect=_get(video, "aspect", str, "video.", "16:9"),
            database_url=database.get("url") or None,
            providers=dict(providers),
            policy=Policy(
                allow_training_on_inputs=_get(policy, "allow_training_on_inputs", bool,
                                              "policy.", False),
                allow_training_on_outputs=_get(policy, "allow_training_on_outputs", bool,
                                               "policy.", False),
                max_retention_days=_get(policy, "max_retention_days", int, "policy.", 0),
                require_zero_data_retention=_get(policy, "require_zero_data_retention", bool,
                                                 "policy.", True),
                allow_human_review=_get(policy, "allow_human_review", bool, "policy.", False),
                reverify_days=_get(policy, "reverify_days", int, "policy.", 180),
                regions=tuple(str(r).lower() for r in
                              _get(policy, "regions", list, "policy.", ["local", "eu", "us"])),
                budget_usd=_get(policy, "budget_usd", float, "policy.", 0.0),
            ),
            characters={str(k).upper(): _character(k, v, source)
                        for k, v in characters.items()},
        )
    except InputError as exc:
        raise InputError(exc.message, source=source) from None
    for key in ("max_retention_days", "reverify_days", "budget_usd"):
        if getattr(settings.policy, key) < 0:
            raise InputError(f"policy.{key} must not be negative", source=source)
    if not 1 <= settings.fps <= 240:
        raise InputError(f"video.fps must be between 1 and 240, got {settings.fps}", source=source)
    if settings.width < 16 or settings.height < 16:
        raise InputError("video.width and video.height must be at least 16", source=source)
    if "/" in settings.script or settings.script.startswith("."):
        raise InputError(f"script must be a file name inside the project, got "
                         f"{settings.script!r}", source=source)
    return settings
