"""Finding a shot's people and things on the stage."""

from __future__ import annotations

import pytest

from shotline.blocking.subjects import Cast, looks_like_thing, name_key, unlisted_things
from shotline.model.shots import Framing, ShotSize
from shotline.model.stage import ActorMark, PropMark
from tests.blocking.helpers import shot

S = ShotSize
MARA = ActorMark("MARA", -0.75, 1.0, -90.0, 1.7)
TEO = ActorMark("TEO", 0.75, 1.0, 90.0, 1.8)
JUN = ActorMark("JUN", -1.7, 1.4, -100.0, 1.6)
LETTER = PropMark("letter", 2.0, 0.5, 0.8, 0.25)
CAST = Cast((MARA, TEO, JUN), (LETTER,), ("MARA", "TEO"))


def test_names_compare_without_case_or_extensions() -> None:
    assert name_key("Mara (V.O.)") == "MARA"
    assert CAST.actor("mara") is MARA
    assert CAST.actor("ZED") is None


def test_whose_shoulder() -> None:
    said = shot(S.MCU, ("MARA",), Framing.OTS, description="MCU MARA over JUN's shoulder")
    assert CAST.shoulder(said, MARA) is JUN
    unsaid = shot(S.MCU, ("MARA",), Framing.OTS)
    assert CAST.shoulder(unsaid, MARA) is TEO  # the other principal
    assert CAST.shoulder(unsaid, JUN) is MARA  # whoever stands nearest


def test_what_a_pov_looks_at() -> None:
    at_jun = shot(S.MS, ("MARA",), Framing.POV, description="MS POV MARA looking at Jun, 50 mm")
    assert CAST.pov_target(at_jun, MARA)[:2] == (JUN.x, JUN.y)
    at_letter = shot(S.CU, ("TEO",), Framing.POV, description="CU POV TEO looking at the letter")
    assert CAST.pov_target(at_letter, TEO) == (LETTER.x, LETTER.y, LETTER.z)
    far = shot(S.WS, ("MARA",), Framing.POV, description="WS POV MARA looking at the sea")
    x, y, _ = CAST.pov_target(far, MARA)
    assert x > 50 and y == pytest.approx(MARA.y)  # straight ahead, towards the horizon


def test_things_the_breakdown_does_not_list() -> None:
    shots = [shot(S.INSERT, ("brass compass",)), shot(S.INSERT, ("locket",)),
             shot(S.CU, ("ZED",)), shot(S.CU, ("MARA",)), shot(S.CU, ("old map",))]
    assert unlisted_things(shots, ["compass"], ["MARA"]) == ["locket", "old map"]
    assert looks_like_thing("compass") and not looks_like_thing("ZED")
