"""Word wrapping and page layout by the usual screenplay rules."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shotline.breakdown.pagination import (
    BLANK_BEFORE,
    LINES_PER_PAGE,
    WIDTH,
    Layout,
    Position,
    paginate,
    wrapped_lines,
)
from shotline.model.script import ElementType
from shotline.script import parse_fountain

T = ElementType

# One-line action paragraphs: the first on a page has no blank line above it, every
# other one has BLANK_BEFORE blank lines, so a page holds this many of them.
PER_PAGE = 1 + (LINES_PER_PAGE - 1) // (1 + BLANK_BEFORE[T.ACTION])


def layout_of(text: str) -> Layout:
    return paginate(parse_fountain(text).elements)


def paragraphs(n: int) -> str:
    """n blank-separated one-line action paragraphs."""
    return "\n\n".join(f"Gull number {k} lands." for k in range(n)) + "\n"


def lines(n: int) -> str:
    """One paragraph of n short rows."""
    return "\n".join(f"Wave {k}." for k in range(n))


# wrapped_lines


def test_empty_text_takes_one_line() -> None:
    assert wrapped_lines("", 10) == 1


def test_text_exactly_the_width_is_one_line() -> None:
    assert wrapped_lines("x" * 10, 10) == 1


def test_one_character_over_the_width_wraps() -> None:
    assert wrapped_lines("x" * 11, 10) == 2


def test_words_wrap_at_the_last_space_that_fits() -> None:
    # 'aaaa bbbb' is 9 characters; 'cccc' cannot join it on a 9-wide line.
    assert wrapped_lines("aaaa bbbb cccc", 9) == 2


def test_space_at_a_break_takes_no_room() -> None:
    # Two 5-letter words at width 5: one per line, the space between them dropped.
    assert wrapped_lines("aaaaa bbbbb", 5) == 2


def test_each_row_starts_a_new_line() -> None:
    assert wrapped_lines("one\ntwo\nthree", 10) == 3


def test_empty_row_counts_as_a_line() -> None:
    assert wrapped_lines("one\n\nthree", 10) == 3


def test_word_longer_than_the_width_breaks_anywhere() -> None:
    assert wrapped_lines("x" * 25, 10) == 3  # 10 + 10 + 5


def test_text_after_a_broken_long_word_continues_its_last_line() -> None:
    assert wrapped_lines("x" * 25 + " yy", 10) == 3  # 'xxxxx yy' fits the third line


def test_long_word_after_other_words_breaks_over_several_lines() -> None:
    # 'a' / then the 25-character word on fresh lines: 10 + 10 + 5.
    assert wrapped_lines("a " + "x" * 25, 10) == 4


def test_action_width_holds_sixty_one_characters() -> None:
    assert WIDTH[T.ACTION] == 61
    assert wrapped_lines("y" * 61, WIDTH[T.ACTION]) == 1
    assert wrapped_lines("y" * 62, WIDTH[T.ACTION]) == 2


def test_same_text_wraps_more_as_dialogue_than_as_action() -> None:
    text = " ".join(["tides"] * 10)  # 59 characters
    assert wrapped_lines(text, WIDTH[T.ACTION]) == 1
    # Six 5-letter words and five spaces make 35, the dialogue width, exactly.
    assert wrapped_lines(text, WIDTH[T.DIALOGUE]) == 2


def test_parenthetical_wraps_at_its_narrow_width() -> None:
    text = "(" + " ".join(["slowly"] * 4) + ")"  # 29 characters
    assert wrapped_lines(text, WIDTH[T.PARENTHETICAL]) == 2


# Pages


def test_one_page_script_is_one_page() -> None:
    layout = layout_of("INT. KITCHEN - DAY\n\nThe kettle boils.\n\nMARA\nTea?\n")
    assert layout.pages == 1


def test_page_holds_the_expected_number_of_one_line_paragraphs() -> None:
    assert PER_PAGE == 28  # 1 + 27 * (blank + line) = 55 lines
    assert layout_of(paragraphs(PER_PAGE)).end == Position(1, LINES_PER_PAGE)


@pytest.mark.parametrize(
    "n", [1, PER_PAGE - 1, PER_PAGE, PER_PAGE + 1, 2 * PER_PAGE, 2 * PER_PAGE + 1, 5 * PER_PAGE]
)
def test_paragraph_count_gives_page_count(n: int) -> None:
    assert layout_of(paragraphs(n)).pages == math.ceil(n / PER_PAGE)


def test_first_paragraph_of_a_page_has_no_blank_line_above() -> None:
    layout = layout_of(paragraphs(PER_PAGE + 1))
    assert layout.positions[PER_PAGE] == Position(2, 0)


def test_page_break_starts_a_new_page() -> None:
    layout = layout_of("The bell rings.\n\n===\n\nSilence.\n")
    assert layout.pages == 2
    assert layout.positions[2] == Position(2, 0)


def test_page_break_at_the_top_of_a_page_adds_no_page() -> None:
    layout = layout_of("===\n\nThe bell rings.\n\n===\n\n===\n\nSilence.\n")
    assert layout.pages == 2


def test_trailing_page_break_adds_no_page() -> None:
    assert layout_of("The bell rings.\n\n===\n").pages == 1


def test_trailing_page_break_leaves_end_where_the_text_ends() -> None:
    assert layout_of("The bell rings.\n\n===\n").end == Position(1, 1)


def test_scene_heading_is_never_the_last_line_of_a_page() -> None:
    # After PER_PAGE - 1 paragraphs two lines are left: room for the blank and the
    # heading, but not for the action that must follow it.
    text = paragraphs(PER_PAGE - 1) + "\nEXT. DUNES - DAY\n\nSand shifts.\n"
    layout = layout_of(text)
    assert layout.positions[PER_PAGE - 1] == Position(2, 0)
    assert layout.positions[PER_PAGE] == Position(2, 2)


def test_long_speech_splits_across_pages() -> None:
    filler = 20
    used = 1 + (filler - 1) * 2  # 39 lines
    speech = 1 + 30  # the cue and 30 dialogue lines
    text = paragraphs(filler) + "\nMARA\n" + lines(30) + "\n\nThe rain stops.\n"
    layout = layout_of(text)
    # Under the cue, all that fits with a (MORE) line; the rest goes over below a
    # repeated cue, and the next paragraph follows it after a blank line.
    on_first = LINES_PER_PAGE - used - 1 - 1
    over = speech - on_first + 1
    assert layout.positions[filler] == Position(1, used + 1)
    assert layout.positions[-1] == Position(2, over + 1)


def test_speech_without_room_to_split_moves_whole() -> None:
    text = paragraphs(PER_PAGE - 1) + "\nMARA\n" + lines(3) + "\n"
    assert layout_of(text).positions[PER_PAGE - 1] == Position(2, 0)


def test_long_action_paragraph_splits_across_pages() -> None:
    filler = 20
    used = 1 + (filler - 1) * 2  # 39 lines
    text = paragraphs(filler) + "\n" + lines(30) + "\n\nThe rain stops.\n"
    layout = layout_of(text)
    on_first = LINES_PER_PAGE - used - 1
    assert layout.positions[filler] == Position(1, used + 1)
    assert layout.positions[-1] == Position(2, 30 - on_first + 1)


def test_split_paragraph_longer_than_the_next_page_runs_on() -> None:
    # 53 rows fit on page 1 under 'Dusk.' and a blank; 55 fill page 2; 2 reach page 3.
    layout = layout_of("Dusk.\n\n" + lines(110) + "\n")
    assert (layout.pages, layout.end) == (3, Position(3, 2))


def test_block_longer_than_a_page_runs_on() -> None:
    layout = layout_of(lines(LINES_PER_PAGE + 10) + "\n")
    assert (layout.pages, layout.end) == (2, Position(2, 10))


def test_end_is_just_after_the_last_printed_line() -> None:
    assert layout_of("One gull.\n\nTwo gulls.\n").end == Position(1, 3)


def test_position_y_counts_lines_from_the_top_of_page_one() -> None:
    assert Position(3, 5).y == 2 * LINES_PER_PAGE + 5


def test_non_printing_elements_have_no_position() -> None:
    script = parse_fountain(
        "# Act One\n\n= The sea rises.\n\n[[check tide tables]]\n\n===\n\nEXT. PIER - DAY\n"
    )
    kinds = [e.type for e in script.elements]
    assert kinds == [T.SECTION, T.SYNOPSIS, T.NOTE, T.PAGE_BREAK, T.SCENE_HEADING]
    assert paginate(script.elements).positions == [None, None, None, None, Position(1, 0)]


def test_non_printing_elements_take_no_lines() -> None:
    plain = layout_of("EXT. PIER - DAY\n\nWaves.\n")
    annotated = layout_of("EXT. PIER - DAY\n\n[[louder]]\n\n= Waves.\n\nWaves.\n")
    assert annotated.end == plain.end


def test_dialogue_starts_where_its_cue_starts() -> None:
    layout = layout_of("Dusk.\n\nTEO\n(softly)\nStay.\n")
    assert layout.positions[1] == layout.positions[2] == layout.positions[3] == Position(1, 2)


# Properties

_rows = st.text(alphabet="ab \n", max_size=120)
_widths = st.integers(min_value=1, max_value=40)


@settings(max_examples=200)
@given(_rows, _widths)
def test_at_least_one_line_per_row(text: str, width: int) -> None:
    assert wrapped_lines(text, width) >= len(text.split("\n"))


@settings(max_examples=200)
@given(_rows, _widths)
def test_rows_wrap_independently(text: str, width: int) -> None:
    rows = text.split("\n")
    assert wrapped_lines(text, width) == sum(wrapped_lines(r, width) for r in rows)


@settings(max_examples=200)
@given(st.data(), _widths)
def test_no_line_holds_more_than_width_letters_when_words_fit(
    data: st.DataObject, width: int
) -> None:
    # A line holds at most `width` characters; the one space at a break is dropped,
    # so letters (not spaces) bound the count from below.
    word = st.text(alphabet="ab", min_size=1, max_size=width)
    row = " ".join(data.draw(st.lists(word, max_size=12)))
    assert wrapped_lines(row, width) >= math.ceil(len(row.replace(" ", "")) / width)


@settings(max_examples=200)
@given(_rows, _widths)
@example("a " + "b" * 25, 10)
def test_no_line_holds_more_than_width_letters(text: str, width: int) -> None:
    for row in text.split("\n"):
        letters = len(row.replace(" ", ""))
        assert wrapped_lines(row, width) >= max(1, math.ceil(letters / width))
