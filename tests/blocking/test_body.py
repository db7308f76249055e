"""Heights of the parts of a body."""

from __future__ import annotations

import math

from shotline.blocking.body import EYES, eye_z, hand_z, top_z
from shotline.model.stage import ActorMark


def test_standing_proportions() -> None:
    mark = ActorMark("MARA", 0, 0, 0, 1.70)
    assert math.isclose(eye_z(mark), 1.70 * EYES)
    assert hand_z(mark) < eye_z(mark) < top_z(1.70, "standing") == 1.70


def test_sitting_is_lower_but_keeps_the_face_the_same_size() -> None:
    standing = ActorMark("MARA", 0, 0, 0, 1.70)
    sitting = ActorMark("MARA", 0, 0, 0, 1.70, "sitting")
    assert eye_z(sitting) < eye_z(standing) - 0.3
    # Head top to eyes is the same distance either way.
    assert math.isclose(top_z(1.70, "sitting") - eye_z(sitting), 1.70 - eye_z(standing))
    assert 0 < hand_z(sitting) < eye_z(sitting)


def test_lying_is_near_the_floor() -> None:
    mark = ActorMark("MARA", 0, 0, 0, 1.70, "lying")
    assert eye_z(mark) < 0.5 and hand_z(mark) < 0.5
