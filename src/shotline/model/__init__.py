"""Typed domain records shared by every stage. No I/O lives here."""

from shotline.model.breakdown import (
    CATEGORIES,
    Breakdown,
    CastMember,
    Location,
    SceneBreakdown,
    format_eighths,
)
from shotline.model.script import (
    ELEMENT_TYPES,
    Element,
    ElementType,
    Emphasis,
    Script,
)

__all__ = [
    "CATEGORIES",
    "ELEMENT_TYPES",
    "Breakdown",
    "CastMember",
    "Element",
    "ElementType",
    "Emphasis",
    "Location",
    "SceneBreakdown",
    "Script",
    "format_eighths",
]
