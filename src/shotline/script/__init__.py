"""Screenplay import and export: Fountain and Final Draft to a typed Script and back.

>>> from shotline.script import parse_fountain
>>> script = parse_fountain("INT. KITCHEN - NIGHT\\n\\nMARA\\nNot yet.\\n")
>>> [e.type.value for e in script.elements]
['scene_heading', 'character', 'dialogue']
"""

from shotline.script.errors import ScriptError
from shotline.script.fdx_reader import parse_fdx
from shotline.script.fountain_reader import parse_fountain
from shotline.script.fountain_writer import to_fountain
from shotline.script.loader import MAX_SCRIPT_BYTES, load

__all__ = ["MAX_SCRIPT_BYTES", "ScriptError", "load", "parse_fdx", "parse_fountain", "to_fountain"]
