"""The shot planner: coverage for each scene and the edit through it.

>>> from shotline.breakdown import build_breakdown
>>> from shotline.script import parse_fountain
>>> script = parse_fountain("INT. KITCHEN - NIGHT\\n\\nMARA\\nNot yet.\\n")
>>> plan = plan_script(script, build_breakdown(script))
>>> [shot.id for shot in plan.shots]
['1A', '1B']
"""

from shotline.planning.overrides import Overrides, ShotOverride, load_overrides, parse_overrides
from shotline.planning.planner import plan_scene, plan_script
from shotline.planning.tables import plan_rows

__all__ = [
    "Overrides",
    "ShotOverride",
    "load_overrides",
    "parse_overrides",
    "plan_rows",
    "plan_scene",
    "plan_script",
]
