"""Beats: the units the edit shows, each exactly once."""

from __future__ import annotations

from shotline.model.script import Element, ElementType
from shotline.planning.beats import Beat, BeatKind, off_screen, split_beats
from shotline.script import parse_fountain

T = ElementType


def beats_of(text: str) -> tuple[list[Element], tuple[Beat, ...]]:
    elements = list(parse_fountain(text).elements[1:])  # after the heading
    return elements, split_beats(elements)


def test_a_speech_carries_its_cue_and_parentheticals() -> None:
    elements, beats = beats_of(
        "INT. HALL - DAY\n\nMARA\n(quietly)\nNot yet.\n(beat)\nNot ever.\n\nShe goes.\n")
    speech, action = beats
    assert speech.kind is BeatKind.SPEECH
    assert speech.indexes == (0, 1, 2, 3, 4)
    assert [elements[i].type for i in speech.core] == [T.DIALOGUE, T.DIALOGUE]
    assert speech.speakers == ("MARA",)
    assert (action.kind, action.indexes) == (BeatKind.ACTION, (5,))


def test_transitions_notes_and_sections_are_not_beats() -> None:
    elements, beats = beats_of(
        "INT. HALL - DAY\n\nRain.\n\n[[a note]]\n\n# Act two\n\n= synopsis\n\nCUT TO:\n\n"
        "> THE END <\n")
    covered = {i for b in beats for i in b.indexes}
    assert [elements[i].type for i in covered] == [T.ACTION]


def test_a_note_inside_a_speech_does_not_end_it() -> None:
    elements, beats = beats_of("INT. HALL - DAY\n\nMARA\nOne.\n[[aside]]\nTwo.\n")
    assert len(beats) == 1
    assert [elements[i].type for i in beats[0].indexes] == [T.CHARACTER, T.DIALOGUE, T.DIALOGUE]


def test_dual_dialogue_is_one_beat_as_long_as_its_longer_half() -> None:
    _, beats = beats_of(
        "INT. VAN - DAY\n\nTEO\nWatch where you're swimming, you absolute fish!\n\n"
        "MARA ^\nStop!\n")
    (pair,) = beats
    assert pair.kind is BeatKind.DUAL
    assert pair.speakers == ("TEO", "MARA")
    _, alone = beats_of("INT. VAN - DAY\n\nTEO\nWatch where you're swimming, you absolute fish!\n")
    assert pair.seconds == alone[0].seconds


def test_voice_over_and_off_screen_cues() -> None:
    assert off_screen("V.O.") and off_screen("O.S.") and off_screen("O.C.")
    assert off_screen("CONT'D, V.O.") and off_screen("PRE-LAP")
    assert not off_screen("CONT'D") and not off_screen(None)
    _, beats = beats_of("INT. HALL - DAY\n\nMARA (V.O.)\nDear Teo.\n")
    assert beats[0].off_screen


def test_a_strong_line_shouts_is_stressed_or_is_short() -> None:
    _, beats = beats_of(
        "INT. HALL - DAY\n\nMARA\nGet out!\n\nMARA\nI *mean* it, every single word I say.\n\n"
        "MARA\nNo.\n\nMARA\nI think we should talk about this properly, tomorrow.\n")
    assert [b.strong for b in beats] == [True, True, True, False]


def test_stray_dialogue_without_a_cue_is_still_a_beat() -> None:
    elements = [Element(T.PARENTHETICAL, "(low)", 3), Element(T.DIALOGUE, "Who's there?", 4),
                Element(T.CHARACTER, "TEO", 6, name="TEO")]
    (beat,) = split_beats(elements)
    assert (beat.indexes, beat.speakers) == ((0, 1), ())


def test_beat_lines_span_the_source() -> None:
    _, beats = beats_of("INT. HALL - DAY\n\nRain on the glass.\nThunder, far off.\n")
    assert (beats[0].line, beats[0].last_line) == (3, 4)
