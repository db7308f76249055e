"""Script breakdown: scenes, cast, locations and element categories, measured in eighths."""

from shotline.breakdown.lexicon import Lexicon, default_lexicon, load_lexicon
from shotline.breakdown.sheet import build_breakdown

__all__ = ["Lexicon", "build_breakdown", "default_lexicon", "load_lexicon"]
