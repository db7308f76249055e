"""Scene headings to interior/exterior, location and time of day."""

from __future__ import annotations

import re
from typing import NamedTuple

_PREFIX = re.compile(
    r"^(?P<prefix>int\.?\s*/\s*ext|ext\.?\s*/\s*int|i\s*/\s*e|int|ext|est)(?:\.\s*|\s+|$)",
    re.IGNORECASE,
)
_INT_EXT = {"int": "INT", "ext": "EXT", "est": "EXT"}

# The time of day is the heading's last part when it is one of these, alone or
# followed by a note in parentheses or a number: "NIGHT (1962)", "DAY 2".
TIMES_OF_DAY: tuple[str, ...] = (
    "CONTINUOUS", "MOMENTS LATER", "LATER", "SAME TIME", "SAME", "DAY", "NIGHT",
    "MORNING", "AFTERNOON", "EVENING", "DUSK", "DAWN", "SUNSET", "SUNRISE", "NOON",
    "MIDNIGHT", "MAGIC HOUR", "TWILIGHT", "NIGHTFALL", "DAYBREAK", "PRE-DAWN",
    "EARLY MORNING", "LATE NIGHT", "LATE AFTERNOON", "EARLY EVENING", "GOLDEN HOUR",
)
_TIME = re.compile(
    r"^(?:" + "|".join(re.escape(t) for t in sorted(TIMES_OF_DAY, key=len, reverse=True))
    + r")(?=$|\s*\(|\s+\d)",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"\s+[-\u2013\u2014]+\s+|\s*--\s*")


class Heading(NamedTuple):
    int_ext: str | None
    location: str
    time_of_day: str | None


def parse_heading(text: str) -> Heading:
    """'INT. HOUSE - KITCHEN - NIGHT' -> ('INT', 'HOUSE - KITCHEN', 'NIGHT')."""
    rest = text.strip()
    int_ext: str | None = None
    m = _PREFIX.match(rest)
    if m is not None:
        prefix = m.group("prefix").lower().replace(" ", "")
        int_ext = "INT/EXT" if "/" in prefix else _INT_EXT[prefix]
        rest = rest[m.end():]
    parts = _SEPARATOR.split(rest)
    time_of_day: str | None = None
    if len(parts) > 1:
        found = _TIME.match(parts[-1].strip())
        if found is not None:
            time_of_day = found.group(0).upper()
            parts = parts[:-1]
    location = " - ".join(p.strip() for p in parts if p.strip()).upper()
    return Heading(int_ext, location, time_of_day)
