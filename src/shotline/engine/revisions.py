"""Script revisions: which new scene is which old one, and what changed.

Scenes are matched by the script's scene numbers first, then by identical
content (a moved scene), then by heading and similar text, then by similar text
alone. A production's scene numbers are locked: a matched scene keeps its number,
a new scene is numbered after the scene before it (12A after 12), and an omitted
scene's number is retired.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Literal

from shotline.breakdown.sheet import scene_numbers

Status = Literal["unchanged", "changed", "added"]

SAME_HEADING_SIMILARITY = 0.5
ANY_HEADING_SIMILARITY = 0.7


@dataclass(frozen=True)
class KnownScene:
    """A scene of the project's previous revision."""

    number: str
    heading: str
    content_hash: str
    text: str
    position: int


@dataclass(frozen=True)
class NewScene:
    heading: str
    script_number: str | None
    content_hash: str
    text: str


@dataclass(frozen=True)
class SceneMatch:
    old: KnownScene | None
    status: Status


@dataclass
class Matching:
    matches: list[SceneMatch]
    omitted: list[KnownScene] = field(default_factory=list)


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < ANY_HEADING_SIMILARITY / 2:
        return 0.0
    return matcher.ratio()


def match_scenes(old: list[KnownScene], new: list[NewScene]) -> Matching:
    found: list[KnownScene | None] = [None] * len(new)
    free = {o.number: o for o in old}

    def take(i: int, scene: KnownScene) -> None:
        found[i] = scene
        del free[scene.number]

    # 1. The script's own numbers.
    for i, scene in enumerate(new):
        if scene.script_number and scene.script_number in free:
            take(i, free[scene.script_number])
    # 2. Identical content, wherever it moved.
    by_hash: dict[str, list[KnownScene]] = {}
    for o in old:
        by_hash.setdefault(o.content_hash, []).append(o)
    for i, scene in enumerate(new):
        if found[i] is None:
            for candidate in by_hash.get(scene.content_hash, []):
                if candidate.number in free:
                    take(i, candidate)
                    break
    # 3. Same heading, similar text; 4. similar text alone. Best pairs first.
    for same_heading, threshold in ((True, SAME_HEADING_SIMILARITY),
                                    (False, ANY_HEADING_SIMILARITY)):
        pairs: list[tuple[float, int, str]] = []
        for i, scene in enumerate(new):
            if found[i] is not None:
                continue
            for o in free.values():
                if same_heading and o.heading.strip().upper() != scene.heading.strip().upper():
                    continue
                score = _similarity(o.text, scene.text)
                if score >= threshold:
                    pairs.append((score, i, o.number))
        for _, i, number in sorted(pairs, key=lambda p: (-p[0], p[1])):
            if found[i] is None and number in free:
                take(i, free[number])
    matches = [
        SceneMatch(o, "added" if o is None else
                   "unchanged" if o.content_hash == scene.content_hash else "changed")
        for o, scene in zip(found, new, strict=True)
    ]
    return Matching(matches, sorted(free.values(), key=lambda o: o.position))


def assign_numbers(new: list[NewScene], matching: Matching, retired: set[str]) -> list[str]:
    """Scene numbers for the new revision (the script's own numbers win when it has them);
    new scenes are numbered as inserts around the kept ones, never reusing a retired one."""
    if any(s.script_number for s in new):
        return scene_numbers([s.script_number for s in new])
    if not any(m.old for m in matching.matches):
        return [str(k + 1) for k in range(len(new))]  # the first revision
    return scene_numbers([m.old.number if m.old else None for m in matching.matches],
                         reserved=retired)


def _text_change(old: str, new: str) -> str:
    added = removed = 0
    for row in difflib.ndiff(old.splitlines(), new.splitlines()):
        if row.startswith("+ "):
            added += 1
        elif row.startswith("- "):
            removed += 1
    return f"{added} line{'s' * (added != 1)} added, {removed} removed"


def _in_order(positions: list[int]) -> set[int]:
    """Indexes of a longest increasing run of old positions: the scenes that did not
    move (the others did), as few moves as explain the new order."""
    tails: list[int] = []  # tails[k]: index ending the best run of length k + 1
    before: list[int] = [-1] * len(positions)
    for i, p in enumerate(positions):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if positions[tails[mid]] < p:
                lo = mid + 1
            else:
                hi = mid
        before[i] = tails[lo - 1] if lo else -1
        if lo == len(tails):
            tails.append(i)
        else:
            tails[lo] = i
    keep: set[int] = set()
    i = tails[-1] if tails else -1
    while i >= 0:
        keep.add(i)
        i = before[i]
    return keep


def scene_report(new: list[NewScene], matching: Matching,
                 numbers: list[str]) -> dict[str, Any]:
    added, changed, moved = [], [], []
    matched = [k for k, m in enumerate(matching.matches) if m.old is not None]
    stayed = {matched[i] for i in _in_order(
        [m.old.position for m in matching.matches if m.old is not None])}
    for k, (scene, match, number) in enumerate(
            zip(new, matching.matches, numbers, strict=True)):
        if match.old is None:
            added.append({"number": number, "heading": scene.heading})
            continue
        what: list[str] = []
        if match.old.heading != scene.heading:
            what.append(f"heading was {match.old.heading!r}")
        if match.status == "changed" and match.old.text != scene.text:
            what.append(_text_change(match.old.text, scene.text))
        if match.status == "changed":
            changed.append({"number": number, "heading": scene.heading,
                            "what": what or ["formatting"]})
        if k not in stayed:
            moved.append({"number": number, "heading": scene.heading})
    return {
        "added": added,
        "omitted": [{"number": o.number, "heading": o.heading} for o in matching.omitted],
        "changed": changed,
        "moved": moved,
        "unchanged": sum(m.status == "unchanged" for m in matching.matches),
    }
