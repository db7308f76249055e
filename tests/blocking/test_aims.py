"""What each kind of shot aims at, and from where."""

from __future__ import annotations

import math

import pytest

from shotline.blocking.aims import HALF_BODY, detail, over_shoulder, people, single, whole_set
from shotline.blocking.cameras import place
from shotline.blocking.geometry import LINE_Y
from shotline.blocking.lens import Lens, sensor_height
from shotline.model.shots import Angle, ShotSize
from shotline.model.stage import SUPER35_WIDTH_MM, ActorMark, SetPiece
from tests.blocking.helpers import CHIN, EYES, in_frame, project

S = ShotSize
A = ActorMark("MARA", -0.75, LINE_Y, -90.0, 1.70)
B = ActorMark("TEO", 0.75, LINE_Y, 90.0, 1.85)


def lens(focal: float) -> Lens:
    return Lens(focal, SUPER35_WIDTH_MM, sensor_height(16 / 9))


def eyes(mark: ActorMark) -> tuple[float, float, float]:
    return (mark.x, mark.y, EYES * mark.height)


def test_a_single_sits_off_the_eyeline_on_the_audience_side() -> None:
    aim = single(A, S.CU, lens(75))
    assert aim.away[1] < 0  # towards the audience
    assert aim.away[0] > 0  # towards where she looks
    angle = math.degrees(math.acos(aim.away[0]))
    assert angle == pytest.approx(30.0)


def test_a_single_looks_past_the_lens_the_way_the_plan_says() -> None:
    """Mara looks screen right: a point ahead of her eyes lands right of them."""
    cam = place(single(A, S.MCU, lens(65)), Angle.EYE_LEVEL, lens(65))
    here, ahead = project(cam, eyes(A)), project(cam, (A.x + 0.3, A.y, EYES * A.height))
    assert here is not None and ahead is not None and ahead[0] > here[0]


@pytest.mark.parametrize(("subject", "shoulder"), [(A, B), (B, A)])
def test_over_the_shoulder(subject: ActorMark, shoulder: ActorMark) -> None:
    focal = 65.0
    cam = place(over_shoulder(subject, shoulder, S.MCU, lens(focal)), Angle.EYE_LEVEL,
                lens(focal))
    # Behind the near shoulder: further from the subject than the shoulder is.
    from_subject = math.hypot(cam.x - subject.x, cam.y - subject.y)
    assert from_subject > math.hypot(shoulder.x - subject.x, shoulder.y - subject.y)
    assert cam.y < LINE_Y
    face = project(cam, eyes(subject))
    assert face is not None and abs(face[0]) < 1e-6  # the subject framed
    # The back of the near head edges into the frame on its own side of the screen.
    side = 1.0 if shoulder.x > subject.x else -1.0  # Teo's screen right, Mara's left
    middle = project(cam, eyes(shoulder))
    assert middle is not None and side * middle[0] > 0
    length = math.hypot(subject.x - cam.x, subject.y - cam.y)
    axis = ((subject.x - cam.x) / length, (subject.y - cam.y) / length)
    along = (shoulder.x - cam.x) * axis[0] + (shoulder.y - cam.y) * axis[1]
    inwards = (cam.x + along * axis[0] - shoulder.x, cam.y + along * axis[1] - shoulder.y)
    reach = 0.1 / math.hypot(*inwards)  # half a head towards the axis
    x, y = shoulder.x + reach * inwards[0], shoulder.y + reach * inwards[1]
    chin = project(cam, (x, y, CHIN * shoulder.height))
    top = project(cam, (x, y, shoulder.height))
    assert chin is not None and top is not None
    assert 0 < side * chin[0] < 1
    assert chin[1] < 1 and top[1] > -1  # some of the head is in the frame's height


def test_people_fit_everyone_across_the_frame() -> None:
    crowd = [ActorMark(f"P{i}", -3.0 + i, LINE_Y + 0.3 * (i % 3), 180.0, 1.7) for i in range(7)]
    focal = 50.0
    aim = people(crowd, S.MS, lens(focal))
    cam = place(aim, Angle.EYE_LEVEL, lens(focal))
    for m in crowd:
        for dx in (-HALF_BODY, HALF_BODY):
            assert in_frame(cam, (m.x + dx, m.y, EYES * m.height))


def test_people_keep_the_size_when_they_fit() -> None:
    aim = people([A, B], S.FS, lens(32))
    assert aim.distance == pytest.approx(1.15 * 1.85 * 32 / sensor_height(16 / 9))


def test_the_whole_set_fills_the_frame_wall_to_wall() -> None:
    piece = SetPiece("interior", "KITCHEN", 6.0, 5.0, 2.7, True, "DAY")
    cam = place(whole_set(piece, 0.0, 1.6, lens(25)), Angle.EYE_LEVEL, lens(25))
    left, right = project(cam, (-3.0, LINE_Y, 1.6)), project(cam, (3.0, LINE_Y, 1.6))
    assert left is not None and right is not None
    assert left[0] == pytest.approx(-1.0) and right[0] == pytest.approx(1.0)


def test_an_insert_frames_three_times_the_thing() -> None:
    aim = detail((0.3, LINE_Y, 1.0), 0.1, 1.6, lens(100))
    assert aim.distance == pytest.approx(0.3 * 100 / sensor_height(16 / 9))
    cam = place(aim, Angle.EYE_LEVEL, lens(100))
    assert cam.z == pytest.approx(1.6)  # from the eye height of whoever holds it
    p = project(cam, (0.3, LINE_Y, 1.0))
    assert p is not None and max(map(abs, p)) < 1e-6
