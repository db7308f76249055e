"""How much of a person each shot size shows.

A size is a framed height (how many metres of the subject, top to bottom, the frame
spans at the subject's distance), written as a multiple of the subject's height h, and
where the eyes sit in the frame, as a fraction of the frame down from its top edge.
Together they fix both the camera distance (framed height * f / gate height) and the
point the camera aims at (the frame's centre).

| size | framed height | eyes from the top | shows (standing, h = stature) |
| EWS  | the whole set, at least 6h | 1/2 | the place; people are specks |
| WS   | 3h     | 0.38 | the whole figure with space around it: -0.93h to 2.07h |
| FS   | 1.15h  | 0.13 | head to toe: -0.07h to 1.08h |
| MWS  | 0.75h  | 0.16 | knees up: 0.30h to 1.05h |
| MS   | 0.5h   | 0.30 | waist up: 0.58h to 1.08h |
| MCU  | 0.3h   | 0.37 | mid-chest up: 0.74h to 1.04h |
| CU   | 0.2h   | 0.45 | head and shoulders: 0.82h to 1.02h |
| ECU  | 0.08h  | 0.50 | the eyes: 0.89h to 0.97h |
| INSERT | 3 x the prop's size | centred | the thing, with a little around it |

An insert frames a thing, not a person, so it is not in FRAMES (an insert on a
character frames their hands, as a 0.25 m thing).
"""

from __future__ import annotations

from dataclasses import dataclass

from shotline.model.shots import ShotSize

S = ShotSize


@dataclass(frozen=True, slots=True)
class Frame:
    height: float  # framed height, in subject heights
    eyes: float  # where the eyes sit, as a fraction of the frame from its top
    shows: str


FRAMES: dict[ShotSize, Frame] = {
    S.EWS: Frame(6.0, 0.5, "the whole set; people are specks"),
    S.WS: Frame(3.0, 0.38, "the whole figure with space around it"),
    S.FS: Frame(1.15, 0.13, "head to toe"),
    S.MWS: Frame(0.75, 0.16, "knees up"),
    S.MS: Frame(0.5, 0.30, "waist up"),
    S.MCU: Frame(0.3, 0.37, "mid-chest up"),
    S.CU: Frame(0.2, 0.45, "head and shoulders"),
    S.ECU: Frame(0.08, 0.5, "the eyes"),
}
INSERT_SCALE = 3.0  # an insert frames three times the prop's size
_DEFAULT = FRAMES[S.MS]


def frame_of(size: ShotSize) -> Frame:
    return FRAMES.get(size, _DEFAULT)


def framed_height(size: ShotSize, stature: float) -> float:
    """Metres of subject the frame spans, top to bottom, for a person `stature` tall."""
    return frame_of(size).height * stature


def frame_centre(size: ShotSize, eyes_z: float, height: float) -> float:
    """Height of the frame's centre when a frame `height` metres tall puts the eyes where
    the size says: the point the camera aims at."""
    return eyes_z + (frame_of(size).eyes - 0.5) * height
