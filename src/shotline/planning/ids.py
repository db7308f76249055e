"""Shot ids: the scene number, then letters in order of creation (12A ... 12Z, 12AA).

A scene number that ends in a letter (an inserted scene, ``12A``) is followed by a
hyphen, ``12A-A``, so that ``12AA`` (scene 12, shot AA) and scene 12A's first shot
never share an id.
"""

from __future__ import annotations

import re

_ID = re.compile(r"(.*?)(-?)([A-Z]+)")


def letters(k: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA, 28 -> AB."""
    out = ""
    while k > 0:
        k, rest = divmod(k - 1, 26)
        out = chr(65 + rest) + out
    return out


def shot_id(scene: str, k: int) -> str:
    """The id of the k-th shot (1-based) of a scene."""
    separator = "-" if scene and not scene[-1].isdigit() else ""
    return f"{scene}{separator}{letters(k)}"


def scene_of(shot: str) -> str | None:
    """The scene number a shot id belongs to, or None if it is not a shot id."""
    m = _ID.fullmatch(shot.strip().upper())
    if m is None:
        return None
    scene, separator, _ = m.groups()
    if not scene or (separator and scene[-1].isdigit()) or (
            not separator and not scene[-1].isdigit()):
        return None
    return scene
