"""How each character looks: one appearance per character, the same in every shot.

Generated deterministically from the character's name (so it never drifts between
shots or runs) and overridable per project.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from shotline.errors import InputError

Build = Literal["slim", "average", "broad"]
Hair = Literal["short", "long", "bald", "curly", "bun", "ponytail"]

BUILDS: tuple[Build, ...] = ("slim", "average", "broad")
HAIRS: tuple[Hair, ...] = ("short", "long", "bald", "curly", "bun", "ponytail")
# Natural tones, and clothing palettes that read apart from each other on a board.
SKIN = ("#f1c9a5", "#e0ac8a", "#c68863", "#a86b48", "#8d5524", "#5c3a21", "#f5d6c6")
HAIR_COLOURS = ("#1c1a17", "#3b2a1e", "#6a4a2f", "#a5773f", "#d9b26f", "#8a8a8a", "#6e2a1a")
TOPS = ("#c0392b", "#2e6da4", "#3f8f5a", "#d68a1f", "#6c4f9c", "#1f7f86", "#b5475c",
        "#4a5a6a", "#c7a02c", "#7a4b2a")
BOTTOMS = ("#2d2f36", "#3b4a5e", "#5a4a3a", "#4b5a3d", "#2a3f56", "#6b6b6b")


@dataclass(frozen=True)
class Appearance:
    name: str
    height: float  # metres
    build: Build
    hair: Hair
    hair_colour: str
    skin: str
    top: str
    bottom: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pick(digest: bytes, k: int, options: tuple[Any, ...]) -> Any:
    return options[digest[k] % len(options)]


def appearance_for(name: str, override: dict[str, Any] | None = None) -> Appearance:
    """The character's appearance: from their name, then the project's override."""
    digest = hashlib.sha256(name.strip().upper().encode("utf-8")).digest()
    base = Appearance(
        name=name,
        height=round(1.55 + (int.from_bytes(digest[:2], "big") % 36) / 100, 2),  # 1.55-1.90
        build=_pick(digest, 2, BUILDS),
        hair=_pick(digest, 3, HAIRS),
        hair_colour=_pick(digest, 4, HAIR_COLOURS),
        skin=_pick(digest, 5, SKIN),
        top=_pick(digest, 6, TOPS),
        bottom=_pick(digest, 7, BOTTOMS),
    )
    if not override:
        return base
    allowed = {f.name for f in fields(Appearance)} - {"name"}
    unknown = set(override) - allowed
    if unknown:
        raise InputError(f"character {name}: unknown appearance field(s) "
                         f"{', '.join(sorted(unknown))}; expected {', '.join(sorted(allowed))}")
    changes = dict(override)
    if "height" in changes:
        height = changes["height"]
        if not isinstance(height, int | float) or not 0.5 <= float(height) <= 2.5:
            raise InputError(f"character {name}: height must be metres between 0.5 and 2.5")
        changes["height"] = float(height)
    for key, options in (("build", BUILDS), ("hair", HAIRS)):
        if key in changes and changes[key] not in options:
            raise InputError(f"character {name}: {key} must be one of {', '.join(options)}")
    for key in ("hair_colour", "skin", "top", "bottom"):
        value = changes.get(key)
        if value is not None and not (isinstance(value, str) and len(value) == 7
                                      and value.startswith("#")):
            raise InputError(f"character {name}: {key} must be a colour like \"#a86b48\"")
    return replace(base, **changes)
