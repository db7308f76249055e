"""Small screenplays for the planner tests, and helpers to plan them."""

from __future__ import annotations

from shotline.breakdown import Lexicon, build_breakdown, default_lexicon
from shotline.model.breakdown import Breakdown
from shotline.model.script import Element, ElementType, Script
from shotline.model.shots import ScenePlan, Shot, ShotPlan, ShotSize
from shotline.planning import Overrides, plan_script
from shotline.planning.beats import split_beats
from shotline.script import parse_fountain

# A two-hander: MARA speaks first on screen, so she is screen left.
KITCHEN = """\
INT. OKAFOR HOUSE - KITCHEN - DAY

MARA (30s) stands at the sink. TEO (20s) leans in the doorway, keys in hand.

MARA
You're late again.

TEO
The ferry was late.

MARA
The ferry is never late.

TEO
(shrugging)
Then I was.

MARA
Sit down.

TEO
I'd rather stand.

Mara sets down a chipped MUG in front of him.

MARA
Sit. Down.

TEO
Fine!

He sits. Mara looks out of the window at the grey harbour.

MARA
We need to talk about Dad.
"""

# Three speakers, a crowd and a prop the action points at.
MARKET = """\
EXT. NIGHT MARKET - NIGHT

Hundreds of lanterns sway over a crowd of thousands packed between the stalls.

JUN (70s) hangs a paper lantern. MEI (8) watches. HALLORAN (50s) pushes through.

HALLORAN
Clear the west side!

JUN
On market night?

HALLORAN
Now, Jun.

MEI
Is it the wave?

JUN
Hush.

Halloran lifts a LOUDHAILER.

HALLORAN
Everyone to the east ramp!
"""


def script_of(text: str) -> Script:
    return parse_fountain(text)


def breakdown_of(script: Script, props: tuple[str, ...] = ()) -> Breakdown:
    lexicon = default_lexicon()
    if props:
        lexicon = lexicon.merged(Lexicon.from_terms({"props": props}))
    return build_breakdown(script, lexicon)


def plan(text: str, overrides: Overrides | None = None,
         props: tuple[str, ...] = ()) -> ShotPlan:
    script = script_of(text)
    return plan_script(script, breakdown_of(script, props), overrides)


def scene_plan(text: str, overrides: Overrides | None = None,
               props: tuple[str, ...] = ()) -> ScenePlan:
    """The plan of a one-scene screenplay."""
    return plan(text, overrides, props).scenes[0]


def shot(plan: ScenePlan, shot_id: str) -> Shot:
    return next(s for s in plan.shots if s.id == shot_id)


def cut_shots(plan: ScenePlan) -> list[str]:
    return [c.shot for c in plan.edit]


def elements_after_heading(script: Script, scene: int = 0) -> list[Element]:
    """The elements of the scene-th scene, after its heading."""
    starts = [i for i, e in enumerate(script.elements) if e.type is ElementType.SCENE_HEADING]
    end = starts[scene + 1] if scene + 1 < len(starts) else len(script.elements)
    return list(script.elements[starts[scene] + 1:end])


def beat_indexes(script: Script, scene: int = 0) -> set[int]:
    """Indexes of the dialogue and action elements of a scene: what the edit must show."""
    wanted = (ElementType.DIALOGUE, ElementType.ACTION)
    return {i for i, e in enumerate(elements_after_heading(script, scene)) if e.type in wanted}


def masters(plan: ScenePlan, text: str, scene: int = 0) -> list[Shot]:
    """Wide shots, other than the establishing shot, that cover every beat of the scene."""
    script = script_of(text)
    elements = elements_after_heading(script, scene)
    every = {i for b in split_beats(elements) for i in b.indexes}
    return [s for s in plan.shots if s.size in (ShotSize.WS, ShotSize.FS)
            and set(s.covers) == every and "establishing" not in s.description]
