"""Prop marks: each of the scene's props beside the character who handles it.

Nothing in the breakdown says who handles what, so the props are dealt out in the
order the breakdown lists them, to the principals in turn. Each principal holds the
first small prop dealt to them, in the hand, a forearm in front of the body. The rest
are set down where nobody hides them and they hide nobody: things smaller than a
metre on a table just upstage of the line, between the principals (beside a lone
character, in the middle of an empty set), in rows a metre wide, the smallest in
front; bigger things on the floor at the ends of the line, beyond everyone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shotline.blocking.body import hand_z
from shotline.blocking.geometry import LINE_Y, heading
from shotline.model.stage import ActorMark, PropMark

# Metres across, by the word that names the thing.
_SIZES: dict[str, float] = {
    "coin": 0.03, "ring": 0.03, "pill": 0.02, "bullet": 0.02, "key": 0.07, "keys": 0.1,
    "watch": 0.05, "whistle": 0.06, "lighter": 0.06, "badge": 0.08, "compass": 0.08,
    "card": 0.09, "cigarette": 0.09, "glass": 0.09, "cup": 0.09, "mug": 0.1,
    "phone": 0.15, "photo": 0.15, "photograph": 0.15, "ticket": 0.15, "camera": 0.15,
    "pencil": 0.18, "pen": 0.14, "notebook": 0.2, "wallet": 0.11, "bowl": 0.2,
    "envelope": 0.23, "letter": 0.25, "book": 0.25, "knife": 0.25, "gun": 0.25,
    "pistol": 0.25, "revolver": 0.25, "torch": 0.25, "flashlight": 0.25, "bottle": 0.3,
    "thermos": 0.3, "clock": 0.3, "radio": 0.3, "paper": 0.3, "newspaper": 0.4,
    "lantern": 0.35, "loudhailer": 0.35, "megaphone": 0.35, "laptop": 0.35, "hat": 0.35,
    "canister": 0.4, "box": 0.4, "bag": 0.45, "helmet": 0.3, "chain": 0.5, "map": 0.6,
    "chart": 0.6, "crate": 0.6, "suitcase": 0.7, "painting": 0.8, "umbrella": 0.9,
    "rifle": 1.0, "shotgun": 1.0, "sword": 1.0, "rope": 1.0, "oar": 2.0, "anchor": 1.2,
    "gauge": 1.5, "ladder": 3.0, "bicycle": 1.8, "bike": 1.8, "chair": 0.9, "table": 1.5,
}
DEFAULT_SIZE = 0.2
HELD = 0.4  # things up to this size are carried; bigger ones are set down
FLOOR = 1.0  # things this size or more stand on the floor
TABLE_Z = 0.75
_REACH = 0.3  # hand in front of the body
_TABLE_UPSTAGE = 0.5  # the table's first row, behind the line
_BESIDE = 0.8  # a lone character's table, to their side
_ROW = 1.0  # a table row's width
_ROW_STEP = 0.45  # the next row, further upstage
_GAP = 0.15
_CLEAR_OF_PEOPLE = 0.8
_MAX_FLOOR_Z = 1.5
_WORD = re.compile(r"[a-z]+")
_ARTICLES = frozenset({"a", "an", "the", "his", "her", "their", "its", "my", "your", "our",
                       "some", "of"})


def words(name: str) -> list[str]:
    return [w for w in _WORD.findall(name.lower()) if w not in _ARTICLES]


def prop_size(name: str) -> float:
    """How big a thing is, from the last word of its name that we know."""
    for word in reversed(words(name)):
        for form in (word, word.rstrip("s")):
            if form in _SIZES:
                return _SIZES[form]
    return DEFAULT_SIZE


def best_match(names: Sequence[str], name: str) -> int | None:
    """Which of `names` a shot means by `name`: the same words, else the one sharing most
    words with it ('brass compass' is the compass), the earlier on a tie."""
    key = words(name)
    if not key:
        return None
    wanted = {w.rstrip("s") for w in key}
    best: int | None = None
    best_score = 0
    for i, candidate in enumerate(names):
        have = words(candidate)
        if have == key:
            return i
        score = len(wanted & {w.rstrip("s") for w in have})
        if score > best_score:
            best, best_score = i, score
    return best


def find_prop(props: Sequence[PropMark], name: str) -> PropMark | None:
    found = best_match([p.name for p in props], name)
    return None if found is None else props[found]


def _table(handlers: Sequence[ActorMark]) -> tuple[float, float]:
    """Where the table's first row is centred."""
    if len(handlers) >= 2:
        a, b = handlers[0], handlers[1]
        return (a.x + b.x) / 2, max(a.y, b.y) + _TABLE_UPSTAGE
    if handlers:
        return handlers[0].x + _BESIDE, handlers[0].y
    return 0.0, LINE_Y + _TABLE_UPSTAGE


def place_props(names: Sequence[str], handlers: Sequence[ActorMark],
                everyone: Sequence[ActorMark] = ()) -> tuple[PropMark, ...]:
    """Marks for the props `names`, dealt to `handlers` (the principals) in turn;
    `everyone` on stage, whom big things stand clear of."""
    held: dict[int, tuple[str, float]] = {}
    tabled: list[tuple[int, str, float]] = []
    floored: list[tuple[int, str, float]] = []
    holding: set[str] = set()
    for i, name in enumerate(names):
        size = prop_size(name)
        handler = handlers[i % len(handlers)] if handlers else None
        if handler is not None and size <= HELD and handler.name not in holding:
            holding.add(handler.name)
            held[i] = (handler.name, size)
        else:
            (floored if size >= FLOOR else tabled).append((i, name, size))
    spots: dict[int, tuple[float, float, float]] = {}
    by_name = {h.name: h for h in handlers}
    for i, (who, _) in held.items():
        hand = by_name[who]
        dx, dy = heading(hand.facing)
        spots[i] = (hand.x + _REACH * dx, hand.y + _REACH * dy, hand_z(hand))
    # The table: rows of up to _ROW metres, centred, each further upstage, small things
    # in front so that big ones hide nothing.
    cx, cy = _table(handlers)
    rows: list[list[tuple[int, float]]] = [[]]
    for i, _, size in sorted(tabled, key=lambda t: t[2]):
        used = sum(s for _, s in rows[-1]) + _GAP * len(rows[-1])
        if rows[-1] and used + size > _ROW:
            rows.append([])
        rows[-1].append((i, size))
    for r, row in enumerate(rows):
        x = cx - (sum(s for _, s in row) + _GAP * (len(row) - 1)) / 2
        for i, size in row:
            spots[i] = (x + size / 2, cy + r * _ROW_STEP, TABLE_Z + size / 2)
            x += size + _GAP
    # Big things at the ends of the line, alternately right and left, beyond everyone.
    reach = max((abs(m.x) for m in everyone), default=0.0) + _CLEAR_OF_PEOPLE
    ends = {1.0: reach, -1.0: reach}
    line_y = handlers[0].y if handlers else LINE_Y
    for k, (i, _, size) in enumerate(floored):
        side = 1.0 if k % 2 == 0 else -1.0
        spots[i] = (side * (ends[side] + size / 2), line_y, min(size / 2, _MAX_FLOOR_Z))
        ends[side] += size + _GAP
    return tuple(PropMark(name, round(spots[i][0], 4), round(spots[i][1], 4),
                          round(spots[i][2], 4), prop_size(name))
                 for i, name in enumerate(names))
