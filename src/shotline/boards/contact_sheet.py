"""The contact sheet: a PDF of storyboard panels, scene by scene, several to a page.

Each panel shows the board with its shot code, size, lens, description and the
dialogue it covers, the way a director pins boards to a wall.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from PIL import Image

# A sans face with wide Unicode coverage (Debian's fonts-dejavu-core); the PDF core
# fonts cover Latin-1 only, so without it other characters become "?".
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_COLUMNS, _ROWS = 3, 2  # six panels a page leave room for description and dialogue
_PANEL_PIXELS = 640  # boards are scaled to this width for the PDF: sharp, and small


@dataclass(frozen=True)
class Panel:
    shot: str
    image_png: bytes
    size: str
    lens_mm: float
    description: str
    dialogue: str  # the lines the shot covers, "MARA: Not yet." one per line
    seconds: float


@dataclass(frozen=True)
class SheetScene:
    number: str
    heading: str
    panels: tuple[Panel, ...]


def _font(pdf: FPDF) -> str:
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdf.add_font("Sans", "", str(regular))
            pdf.add_font("Sans", "B", str(bold))
            return "Sans"
    return "Helvetica"


def _jpeg(data: bytes) -> io.BytesIO:
    """Boards go in as JPEG: embedded as is, where a PNG would be decoded and deflated
    again (ten times slower on a feature's 1,500 panels). A JPEG thumbnail small
    enough already is passed through untouched."""
    with Image.open(io.BytesIO(data)) as image:
        if image.format == "JPEG" and image.width <= _PANEL_PIXELS and image.mode == "RGB":
            return io.BytesIO(data)
        rgb = image.convert("RGB")
        if rgb.width > _PANEL_PIXELS:
            rgb = rgb.resize((_PANEL_PIXELS, round(rgb.height * _PANEL_PIXELS / rgb.width)),
                             Image.Resampling.BILINEAR)
        out = io.BytesIO()
        rgb.save(out, "JPEG", quality=85)
    out.seek(0)
    return out


def _text(value: str, font: str) -> str:
    return value if font != "Helvetica" else value.encode("latin-1", "replace").decode("latin-1")


def _wrap(measure: Callable[[str], float], text: str, width: float) -> list[str]:
    """Greedy word wrap measured a word at a time (and each word once: `measure` is
    memoised). fpdf2's multi_cell re-measures the whole line for every character,
    which made it most of a feature's layout time."""
    space = measure(" ")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for whole in paragraph.split():
            word = whole
            w = measure(word)
            while w > width:  # a word wider than the panel is cut where it must be
                head = word
                while len(head) > 1 and measure(head) > width:
                    head = head[:max(1, len(head) * 3 // 4)]
                if line:
                    lines.append(line)
                    line, used = "", 0.0
                lines.append(head)
                word = word[len(head):]
                w = measure(word)
            if line and used + space + w > width:
                lines.append(line)
                line, used = "", 0.0
            line, used = (f"{line} {word}", used + space + w) if line else (word, w)
        lines.append(line)
    return lines


def _baseline(pdf: FPDF, top: float, height: float) -> float:
    """Where a line of text sits in a cell of ``height`` from ``top``, as cell() puts it."""
    return top + 0.5 * height + 0.3 * pdf.font_size


def contact_sheet(title: str, scenes: Sequence[SheetScene], compress: bool = True) -> bytes:
    """The whole contact sheet as PDF bytes (US Letter, landscape). `compress=False`
    leaves the page text readable in the file, for inspection."""
    pdf = FPDF(orientation="L", unit="mm", format="Letter")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("Shotline")
    font = _font(pdf)
    margin, gap, header = 10.0, 5.0, 12.0
    cell_w = (pdf.w - 2 * margin - (_COLUMNS - 1) * gap) / _COLUMNS
    cell_h = (pdf.h - 2 * margin - header - (_ROWS - 1) * gap) / _ROWS
    page = 0
    # panel text is always in one face and size, so each word's width holds for all
    measure = functools.lru_cache(maxsize=65536)(pdf.get_string_width)

    def new_page(scene: SheetScene, continued: bool) -> None:
        nonlocal page
        page += 1
        pdf.add_page()
        pdf.set_font(font, "B", 11)
        pdf.set_xy(margin, margin)
        label = f"{scene.number}  {scene.heading}" + ("  (continued)" if continued else "")
        pdf.cell(pdf.w - 2 * margin - 40, 7, _text(label, font))
        pdf.set_font(font, "", 8)
        pdf.cell(40, 7, _text(f"{title}  ·  {page}", font), align="R")

    for scene in scenes:
        panels: list[Panel | None] = list(scene.panels) or [None]
        for k, panel in enumerate(panels):
            slot = k % (_COLUMNS * _ROWS)
            if slot == 0:
                new_page(scene, continued=k > 0)
            if panel is None:
                pdf.set_font(font, "", 9)
                pdf.set_xy(margin, margin + header)
                pdf.cell(0, 6, "(no shots planned)")
                continue
            x = margin + (slot % _COLUMNS) * (cell_w + gap)
            y = margin + header + (slot // _COLUMNS) * (cell_h + gap)
            image_h = cell_w * 9 / 16
            pdf.image(_jpeg(panel.image_png), x=x, y=y, w=cell_w, h=image_h)
            pdf.set_draw_color(60, 60, 60)
            pdf.rect(x, y, cell_w, image_h)
            pdf.set_font(font, "B", 8)
            # Panel text goes down with text(), where cell() would be placed the same
            # (its baseline half the cell's height plus 0.3 em down) at ten times the
            # cost: thousands of lines in a feature.
            pdf.text(x, _baseline(pdf, y + image_h + 1, 4),
                     _text(f"{panel.shot}   {panel.size}   {panel.lens_mm:g} mm   "
                           f"{panel.seconds:.1f} s", font))
            pdf.set_font(font, "", 7)
            room = cell_h - image_h - 5
            text = panel.description + ("\n" + panel.dialogue if panel.dialogue else "")
            lines = _wrap(measure, _text(text, font), cell_w)
            fits = max(1, int(room // 3.2))
            if len(lines) > fits:  # clip long dialogue to the panel, and say so
                lines = [*lines[:fits - 1], lines[fits - 1].rstrip()[:60] + " …"]
            for n, line in enumerate(lines):
                pdf.text(x, _baseline(pdf, y + image_h + 5 + n * 3.2, 3.2), line)
    if page == 0:
        pdf.add_page()
        pdf.set_font(font, "", 11)
        pdf.cell(0, 10, _text(f"{title}: no scenes", font))
    return bytes(pdf.output())
