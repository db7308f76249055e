"""Robustness of the Fountain reader on any text, and what conformance cases don't show."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotline.model.script import ELEMENT_TYPES
from shotline.script import parse_fountain

# Fragments that exercise every rule, glued in any order: the reader's hard cases.
FRAGMENTS = st.sampled_from([
    "\n", "\n\n", "  \n", "\r\n", "\r", "\t", "\ufeff", "INT. ", "EXT ", "I/E ", ".", "..",
    "!", "@", "^", "~", ">", "<", "#", "##", "=", "===", "[[", "]]", "/*", "*/", "*", "**",
    "_", "\\", "(", ")", "TO:", "MARA", "mara", "Title:", "   ", "#12A#", "(V.O.)", "x",
    "\x00", "\x01", "\x03", "\x04", "é", "漢",
])
FOUNTAINISH = st.lists(FRAGMENTS, max_size=60).map("".join)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), FOUNTAINISH))
def test_never_raises_and_keeps_its_promises(text: str) -> None:
    script = parse_fountain(text)
    line_count = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    for e in script.elements:
        assert e.type.value in ELEMENT_TYPES
        assert 1 <= e.line <= line_count
        for span in e.emphasis:
            assert 0 <= span.start < span.end <= len(e.text)
        # Internal placeholders never leak into the result.
        assert not any(ch in e.text for ch in "\x00\x01\x02\x03\x04")
        assert "/*" not in e.text or "*/" not in e.text.split("/*", 1)[1]
    assert script.to_dict()["elements"] == [e.to_dict() for e in script.elements]


@settings(max_examples=200)
@given(FOUNTAINISH)
def test_parsing_is_deterministic(text: str) -> None:
    assert parse_fountain(text) == parse_fountain(text)


def test_line_numbers_survive_boneyard_and_multiline_notes() -> None:
    text = (
        "INT. HALL - DAY\n"          # 1
        "\n"                         # 2
        "/* cut\n"                   # 3
        "all of this\n"              # 4
        "*/\n"                       # 5
        "\n"                         # 6
        "She waits. [[a note\n"      # 7
        "over two lines]]\n"         # 8
        "\n"                         # 9
        "TEO\n"                      # 10
        "Now.\n"                     # 11
    )
    lines = [(e.type.value, e.line) for e in parse_fountain(text).elements]
    assert lines == [("scene_heading", 1), ("action", 7), ("note", 7), ("character", 10),
                     ("dialogue", 11)]


def test_dual_marks_only_the_pair() -> None:
    text = "ANA\nOne.\n\nBEA\nTwo.\n\nCY ^\nThree.\n"
    cues = [(e.name, e.dual) for e in parse_fountain(text).elements if e.name]
    assert cues == [("ANA", False), ("BEA", True), ("CY", True)]


def test_forced_character_keeps_lower_case_and_extension() -> None:
    e = parse_fountain("\n@McCLANE (V.O.)\nYippee.\n").elements[0]
    assert (e.type.value, e.name, e.extension) == ("character", "McCLANE", "V.O.")


def test_big_scripts_parse_in_linear_time() -> None:
    # 2,000 scenes: a pathological regex would take seconds here.
    scene = "INT. ROOM - DAY\n\nMARA\n(quietly)\nNot yet.\n\nShe *leaves* [[note]].\n\n"
    script = parse_fountain(scene * 2000)
    assert len(script.elements) == 2000 * 6


def test_a_scene_number_that_could_name_a_path_is_not_one() -> None:
    from shotline.script import parse_fountain

    script = parse_fountain("INT. ROOM - DAY #../../evil#\n\nHello.\n\n"
                            "INT. HALL - DAY #12A.1#\n\nHi.\n")
    numbers = [e.scene_number for e in script.elements if e.scene_number is not None]
    assert numbers == ["12A.1"]
