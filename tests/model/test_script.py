"""The JSON shape of the script records (docs/script-json.md)."""

from __future__ import annotations

from shotline.model.script import ELEMENT_TYPES, Element, ElementType, Emphasis, Script

T = ElementType


def test_element_types_are_the_documented_twelve() -> None:
    assert ELEMENT_TYPES == (
        "scene_heading", "action", "character", "parenthetical", "dialogue", "transition",
        "centered", "lyrics", "section", "synopsis", "note", "page_break")


def test_fields_by_type() -> None:
    assert Element(T.SCENE_HEADING, "INT. A", 3).to_dict() == {
        "type": "scene_heading", "text": "INT. A", "line": 3, "scene_number": None}
    assert Element(T.CHARACTER, "A (V.O.)", 5, name="A", extension="V.O.").to_dict() == {
        "type": "character", "text": "A (V.O.)", "line": 5, "name": "A",
        "extension": "V.O.", "dual": False}
    assert Element(T.SECTION, "Act", 1, level=2).to_dict()["level"] == 2
    assert "emphasis" not in Element(T.ACTION, "x", 1).to_dict()
    assert Element(T.ACTION, "xy", 1, emphasis=(Emphasis(0, 1, "bold"),)).to_dict()[
        "emphasis"] == [{"start": 0, "end": 1, "style": "bold"}]


def test_script_to_dict() -> None:
    script = Script(title_page={"title": "T"}, elements=(Element(T.ACTION, "x", 1),))
    assert script.to_dict() == {
        "title_page": {"title": "T"},
        "elements": [{"type": "action", "text": "x", "line": 1}]}
    assert script.title == "T"
