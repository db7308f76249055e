"""3D blocking: each shot of a scene's plan staged as a set, actors and props on their
marks, and a physical camera that frames what the shot's size says.

>>> from shotline.breakdown import build_breakdown
>>> from shotline.planning import plan_script
>>> from shotline.script import parse_fountain
>>> script = parse_fountain("INT. KITCHEN - NIGHT\\n\\nMARA\\nNot yet.\\n\\nTEO\\nNow.\\n")
>>> breakdown = build_breakdown(script)
>>> plan = plan_script(script, breakdown).scenes[0]
>>> stages = stage_scene(plan, breakdown.scenes[0])
>>> [(s.shot_id, s.size) for s in stages][:2]
[('1A', 'WS'), ('1B', 'FS')]
>>> stages[0].set.kind, stages[0].set.daylight
('interior', False)
"""

from shotline.blocking.framing import FRAMES, Frame
from shotline.blocking.staging import stage_scene

__all__ = ["FRAMES", "Frame", "stage_scene"]
