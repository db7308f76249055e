"""Example stages for the renderer's tests, and a showcase that writes them out.

    from tests.render.examples import write_showcase
    write_showcase("boards")   # boards/<name>.png, <name>_depth.png, <name>_pose.png
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from shotline.model.stage import ActorMark, Camera, PropMark, SetPiece, Stage
from shotline.render import render_stage

KITCHEN = SetPiece("interior", "OKAFOR HOUSE - KITCHEN", 5.0, 6.0, 2.7, True, "DAY")
KITCHEN_NIGHT = SetPiece("interior", "OKAFOR HOUSE - KITCHEN", 5.0, 6.0, 2.7, False, "NIGHT")
HARBOUR = SetPiece("exterior", "HARBOUR", 20.0, 15.0, 0.0, False, "NIGHT")
HARBOUR_DAY = SetPiece("exterior", "HARBOUR", 20.0, 15.0, 0.0, True, "DAY")
STREET = SetPiece("exterior", "MAIN STREET", 8.0, 12.0, 0.0, True, "DAY")
FIELD = SetPiece("exterior", "WHEAT FIELD", 10.0, 10.0, 0.0, True, "DAY")


def facing(ax: float, ay: float, bx: float, by: float) -> float:
    """The facing (0 = +y, counter-clockwise) that looks from a to b."""
    return math.degrees(math.atan2(-(bx - ax), by - ay))


def aim(x: float, y: float, z: float, tx: float, ty: float, tz: float, focal: float,
        roll: float = 0.0) -> Camera:
    """A camera at (x, y, z) looking at (tx, ty, tz)."""
    tilt = math.degrees(math.atan2(tz - z, math.hypot(tx - x, ty - y)))
    return Camera(x, y, z, facing(x, y, tx, ty), tilt, roll, focal)


def stage(shot: str, piece: SetPiece, actors: list[ActorMark], props: list[PropMark],
          camera: Camera, size: str, subjects: tuple[str, ...] = ()) -> Stage:
    scene = "".join(c for c in shot if c.isdigit()) or "1"
    return Stage(shot, scene, piece, tuple(actors), tuple(props), camera, None, subjects, size,
                 "")


MARA = ActorMark("MARA", -0.7, 3.2, facing(-0.7, 3.2, 0.8, 3.4) - 25, 1.7)
TEO = ActorMark("TEO", 0.8, 3.4, facing(0.8, 3.4, -0.7, 3.2) + 25, 1.8)


def two_shot(piece: SetPiece = KITCHEN) -> Stage:
    """Two people facing each other across a kitchen, a suitcase between them."""
    props = [PropMark("SUITCASE", 0.0, 4.3, 0.3, 0.65), PropMark("TABLE", 1.6, 5.2, 0.75, 1.2),
             PropMark("CUP", 1.6, 5.2, 0.9, 0.1)]
    return stage("5C", piece, [MARA, TEO], props, aim(0.1, -1.2, 1.6, 0.05, 3.3, 1.2, 32), "FS",
                 ("MARA", "TEO"))


def crowd(count: int = 30, piece: SetPiece = HARBOUR) -> Stage:
    """A crowd on a quay at night, two principals among them."""
    rng = random.Random(3)
    actors = [ActorMark(f"EXTRA {i}", rng.uniform(-9, 9), rng.uniform(2, 15),
                        rng.uniform(-180, 180), 1.7,
                        rng.choice(("standing", "standing", "walking")))
              for i in range(count)]
    if count >= 2:
        actors[0] = ActorMark("MARA", -1.0, 4.0, 160, 1.7)
        actors[1] = ActorMark("TEO", 0.6, 4.2, -170, 1.8)
    return stage("12A", piece, actors, [PropMark("LANTERN", 2.0, 6.0, 1.0, 0.4)],
                 aim(0, -6, 1.8, 0, 6, 1.2, 25), "WS", ("MARA", "TEO"))


def insert() -> Stage:
    """A letter on the kitchen table, on a long lens."""
    props = [PropMark("LETTER", 1.6, 5.0, 0.77, 0.25), PropMark("TABLE", 1.6, 5.2, 0.75, 1.2)]
    return stage("5F", KITCHEN, [MARA], props, aim(1.6, 3.9, 1.7, 1.6, 5.0, 0.77, 100),
                 "INSERT", ("LETTER",))


def close_up() -> Stage:
    """An MCU on a street by day, someone walking behind."""
    mara = ActorMark("MARA", 0.5, 5.0, facing(0.5, 5.0, 0.0, 2.0) - 30, 1.7)
    teo = ActorMark("TEO", -1.5, 9.0, 150, 1.8, "walking")
    return stage("7B", STREET, [mara, teo], [], aim(0, 2.6, 1.55, 0.5, 5.0, 1.55, 65), "MCU",
                 ("MARA",))


def dutch() -> Stage:
    """A canted wide shot in a field: a runner, a sitter, a ball."""
    actors = [ActorMark("MARA", 0, 5, 200, 1.7, "running"), ActorMark("TEO", 2, 7, 0, 1.8,
                                                                      "sitting")]
    return stage("9A", FIELD, actors, [PropMark("BALL", 1, 4, 0.1, 0.25)],
                 aim(-2, 0, 1.2, 0.5, 5, 1.0, 32, roll=12), "WS", ("MARA",))


def examples() -> dict[str, Stage]:
    return {"two_shot": two_shot(), "two_shot_night": two_shot(KITCHEN_NIGHT),
            "crowd": crowd(), "insert": insert(), "close_up": close_up(), "dutch": dutch()}


def write_showcase(directory: str | Path) -> list[Path]:
    """Render every example: its frame, depth and pose images, as PNG files."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, st in examples().items():
        frame = render_stage(st, {})
        for suffix, data in (("", frame.image), ("_depth", frame.depth), ("_pose", frame.pose)):
            path = out / f"{name}{suffix}.png"
            path.write_bytes(data)
            written.append(path)
    return written
