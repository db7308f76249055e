"""The shot list as a table: one row per shot, with where it plays in the edit."""

from __future__ import annotations

from shotline.model.shots import ShotPlan

HEADER = [
    "scene", "shot", "order", "cuts", "start", "size", "framing", "angle", "movement",
    "lens_mm", "subjects", "covers", "duration", "description", "source", "locked",
]


def _seconds(value: float) -> str:
    return f"{value:.1f}"


def plan_rows(plan: ShotPlan) -> tuple[list[str], list[list[str]]]:
    """Header and rows for a CSV shot list, scene by scene, shots in id order.

    ``order`` is the number of the shot's first cut in its scene's edit, ``cuts`` the
    numbers of all its cuts and ``start`` the seconds into the scene where it is first
    on screen; all three are empty for a shot the edit does not use.
    """
    rows: list[list[str]] = []
    for scene in plan.scenes:
        cuts: dict[str, list[int]] = {}
        start: dict[str, float] = {}
        clock = 0.0
        for n, cut in enumerate(scene.edit, start=1):
            cuts.setdefault(cut.shot, []).append(n)
            start.setdefault(cut.shot, clock)
            clock += cut.duration
        for shot in scene.shots:
            used = cuts.get(shot.id, [])
            rows.append([
                scene.scene,
                shot.id,
                str(used[0]) if used else "",
                ";".join(map(str, used)),
                _seconds(start[shot.id]) if shot.id in start else "",
                shot.size.value,
                shot.framing.value,
                shot.angle.value,
                shot.movement.value,
                f"{shot.lens_mm:g}",
                ";".join(shot.subjects),
                ";".join(map(str, shot.covers)),
                _seconds(shot.duration),
                shot.description,
                shot.source.value,
                "yes" if shot.locked else "",
            ])
    if not plan.suggested:
        return list(HEADER), rows
    # Only with AI-suggested shots, so plans made without --assist keep their columns.
    for row, shot in zip(rows, plan.shots, strict=True):
        row.append(shot.suggested_by or "")
    return [*HEADER, "suggested_by"], rows
