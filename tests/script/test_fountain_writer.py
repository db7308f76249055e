"""The writer forces what would otherwise read as something else."""

from __future__ import annotations

from shotline.model.script import Element, ElementType, Script
from shotline.script import parse_fountain, to_fountain

T = ElementType


def _one(kind: ElementType, text: str, **fields: object) -> str:
    return to_fountain(Script(elements=(Element(kind, text, 1)._replace(**fields),)))


def test_action_that_looks_like_a_heading_is_forced() -> None:
    assert _one(T.ACTION, "INT. NOT A HEADING").startswith("!INT.")


def test_upper_case_action_over_two_lines_is_forced() -> None:
    assert _one(T.ACTION, "BOOM\nThe wall falls.").startswith("!BOOM")


def test_heading_without_prefix_is_forced_and_numbered() -> None:
    assert _one(T.SCENE_HEADING, "SNIPER SCOPE POV", scene_number="4A") == (
        ".SNIPER SCOPE POV #4A#\n")


def test_lower_case_cue_is_forced() -> None:
    text = to_fountain(Script(elements=(
        Element(T.CHARACTER, "McCLANE", 1, name="McCLANE"), Element(T.DIALOGUE, "Hi.", 2))))
    assert text == "@McCLANE\nHi.\n"


def test_transition_not_ending_in_to_is_forced() -> None:
    assert _one(T.TRANSITION, "FADE OUT.") == "> FADE OUT.\n"


def test_dual_pair_marks_the_second_cue() -> None:
    elements = (
        Element(T.CHARACTER, "ANA", 1, name="ANA", dual=True), Element(T.DIALOGUE, "A.", 2),
        Element(T.CHARACTER, "BEA", 3, name="BEA", dual=True), Element(T.DIALOGUE, "B.", 4))
    text = to_fountain(Script(elements=elements))
    assert "BEA ^" in text and "ANA ^" not in text
    assert [e.dual for e in parse_fountain(text).elements if e.name] == [True, True]


def test_title_page_multi_line_values_are_indented() -> None:
    text = to_fountain(Script(title_page={"title": "Night", "contact": "A\nB"}))
    assert text == "Title: Night\nContact:\n    A\n    B\n"
    assert parse_fountain(text).title_page == {"title": "Night", "contact": "A\nB"}


def test_empty_script_is_empty_text() -> None:
    assert to_fountain(Script()) == ""
