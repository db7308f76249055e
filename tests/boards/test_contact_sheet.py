"""The contact sheet PDF: panels scene by scene, six to a page, with their captions."""

from __future__ import annotations

import io
import re

from PIL import Image

from shotline.boards import Panel, SheetScene, contact_sheet


def board(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (960, 540), (shade, 120, 90)).save(out, "PNG")
    return out.getvalue()


def panel(shot: str, dialogue: str = "", shade: int = 40) -> Panel:
    return Panel(shot, board(shade), "MCU", 65.0,
                 "MCU MARA over TEO's shoulder, looking screen right, eye level, 65 mm",
                 dialogue, 3.25)


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def test_six_panels_a_page_and_a_new_page_per_scene() -> None:
    scenes = [SheetScene("1", "EXT. HARBOUR - DAY",
                         tuple(panel(f"1{c}", shade=20 * k) for k, c in enumerate("ABCDEFG"))),
              SheetScene("2", "INT. KITCHEN - NIGHT", (panel("2A", shade=200),))]
    pdf = contact_sheet("The Night Market", scenes, compress=False)
    assert pdf.startswith(b"%PDF-")
    assert pages(pdf) == 3  # seven panels of scene 1 take two pages; scene 2 its own
    assert pdf.count(b"/Subtype /Image") == 8


def test_captions_carry_shot_size_lens_duration_description_and_dialogue() -> None:
    pdf = contact_sheet("Night", [SheetScene("1", "EXT. HARBOUR - DAY", (
        panel("1A", "MARA: The ferry leaves at six."),))], compress=False)
    text = pdf.decode("latin-1")
    # fpdf2 writes text through an embedded font as glyph ids; the page still names
    # the font and holds one text object per caption line.
    assert "DejaVu" in text or "Helvetica" in text
    assert text.count("BT") >= 3


def test_a_scene_without_shots_still_gets_its_page() -> None:
    pdf = contact_sheet("Night", [SheetScene("9", "INT. EMPTY - DAY", ())])
    assert pages(pdf) == 1


def test_no_scenes_is_one_page_saying_so() -> None:
    assert pages(contact_sheet("Night", [])) == 1


def test_the_same_boards_give_the_same_pdf_apart_from_its_date_and_id() -> None:
    scenes = [SheetScene("1", "EXT. HARBOUR - DAY", (panel("1A"),))]

    def stable(pdf: bytes) -> bytes:
        return re.sub(rb"/CreationDate \(D:[^)]*\)|/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"", pdf)

    assert stable(contact_sheet("N", scenes)) == stable(contact_sheet("N", scenes))
