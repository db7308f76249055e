"""Shot descriptions: one line a person can read."""

from __future__ import annotations

from shotline.model.shots import Angle, Framing, Movement, ShotSize, ShotSource
from shotline.planning.drafts import Draft, Rank, Role, describe, names


def draft(**fields: object) -> Draft:
    base: dict[str, object] = {
        "size": ShotSize.MCU, "framing": Framing.SINGLE, "angle": Angle.EYE_LEVEL,
        "movement": Movement.STATIC, "lens_mm": 65.0, "subjects": ("MARA",),
        "rank": Rank.SPECIFIC}
    base.update(fields)
    return Draft(**base)  # type: ignore[arg-type]


def test_an_over_the_shoulder() -> None:
    d = draft(framing=Framing.OTS, shoulder="TEO", eyeline="right", rank=Rank.OTS)
    assert describe(d) == "MCU MARA over TEO's shoulder, looking screen right, eye level, 65 mm"


def test_movement_is_named_unless_static() -> None:
    d = draft(size=ShotSize.EWS, framing=Framing.GROUP, subjects=(), role=Role.ESTABLISHING,
              detail="HARBOUR, night", angle=Angle.HIGH, movement=Movement.CRANE, lens_mm=18.0)
    assert describe(d) == "EWS establishing HARBOUR, night, high angle, crane, 18 mm"


def test_a_two_shot_records_who_is_on_which_side() -> None:
    d = draft(size=ShotSize.MS, framing=Framing.TWO_SHOT, subjects=("MARA", "TEO"),
              sides=("MARA", "TEO"), lens_mm=50.0)
    assert describe(d) == ("MS two-shot MARA and TEO, MARA screen left, TEO screen right, "
                           "eye level, 50 mm")


def test_inserts_povs_and_moves() -> None:
    assert describe(draft(size=ShotSize.INSERT, subjects=("compass",), lens_mm=100.0)) == (
        "INSERT compass, eye level, 100 mm")
    assert describe(draft(framing=Framing.POV, size=ShotSize.CU, detail="at the clock",
                          lens_mm=75.0, angle=Angle.LOW)) == (
        "CU POV MARA looking at the clock, low angle, 75 mm")
    assert describe(draft(size=ShotSize.FS, role=Role.MOVE, detail="sprints",
                          movement=Movement.TRACKING, lens_mm=32.0)) == (
        "FS MARA (sprints), eye level, tracking, 32 mm")


def test_long_casts_are_shortened() -> None:
    assert names(("A", "B")) == "A and B"
    assert names(("A", "B", "C")) == "A, B and C"
    assert names(tuple("ABCDEFG")) == "A, B, C, D and 3 more"
    assert names(()) == ""


def test_a_stated_description_is_kept() -> None:
    d = draft(description="Hero shot", source=ShotSource.OVERRIDE)
    assert d.describe() == "Hero shot"
    assert d.to_shot("1", 2.0).description == "Hero shot"
