"""Burn-in: safe-area guides and the slate box a board panel carries.

The action-safe (90%) and title-safe (80%) rectangles are thin and faint, drawn
as a dark and a light line side by side so they read on sky and on shadow. The
slate box, top left, gives the shot code, size and lens on its first line and the
scene and set on its second.
"""

from __future__ import annotations

from shotline.model.stage import Stage
from shotline.render._skia import Canvas
from shotline.render.colour import argb


def lens_text(focal_mm: float) -> str:
    if abs(focal_mm - round(focal_mm)) < 0.05:
        return f"{round(focal_mm)}mm"
    return f"{focal_mm:.1f}mm"


def slate_lines(stage: Stage) -> tuple[str, str]:
    first = "  ".join(p for p in (stage.shot_id.strip(), stage.size.strip(),
                                  lens_text(stage.camera.focal_mm)) if p)
    piece = stage.set
    kind = "INT." if piece.kind == "interior" else "EXT."
    when = (piece.time_of_day or ("DAY" if piece.daylight else "NIGHT")).strip().upper()
    second = f"SC {stage.scene.strip()}  {kind} {piece.location.strip().upper()} - {when}"
    return first, second


def draw_safe_areas(canvas: Canvas) -> None:
    w, h = canvas.width, canvas.height
    line = max(1.0, h / 540)
    for inset, alpha in ((0.05, 0.34), (0.10, 0.24)):
        x0, y0, x1, y1 = w * inset, h * inset, w * (1 - inset), h * (1 - inset)
        canvas.stroke_rect(x0 + line, y0 + line, x1 + line, y1 + line,
                           argb((0, 0, 0), alpha * 0.8), line)
        canvas.stroke_rect(x0, y0, x1, y1, argb((255, 255, 255), alpha), line)


def _fit(canvas: Canvas, text: str, size: float, bold: bool, room: float) -> str:
    if canvas.text_width(text, size, bold) <= room:
        return text
    while len(text) > 1 and canvas.text_width(text + "...", size, bold) > room:
        text = text[:-1]
    return text.rstrip() + "..."


def draw_slate(canvas: Canvas, stage: Stage) -> None:
    w, h = canvas.width, canvas.height
    big = max(10.0, h / 30)
    small = max(8.0, h / 46)
    pad = big * 0.45
    first, second = slate_lines(stage)
    room = w * 0.5
    first = _fit(canvas, first, big, True, room)
    second = _fit(canvas, second, small, False, room)
    width = max(canvas.text_width(first, big, True), canvas.text_width(second, small)) + 2 * pad
    height = big + small + pad * 2.6
    x0 = y0 = max(4.0, h / 60)
    canvas.fill_rect(x0, y0, x0 + width, y0 + height, argb((12, 12, 16), 0.68))
    canvas.stroke_rect(x0, y0, x0 + width, y0 + height, argb((255, 255, 255), 0.35),
                       max(1.0, h / 540))
    canvas.text(first, x0 + pad, y0 + pad + big * 0.8, big, argb((255, 250, 236)), bold=True)
    canvas.text(second, x0 + pad, y0 + pad * 1.6 + big + small * 0.8, small,
                argb((214, 214, 220)))


def draw_burnin(canvas: Canvas, stage: Stage) -> None:
    draw_safe_areas(canvas)
    draw_slate(canvas, stage)
