"""Emphasis markup to spans and back."""

from __future__ import annotations

import pytest

from shotline.model.script import Emphasis
from shotline.script.emphasis import parse_emphasis, render_emphasis, split_at_line_ends


@pytest.mark.parametrize(
    ("marked", "plain", "spans"),
    [
        ("plain", "plain", []),
        ("*it*", "it", [(0, 2, "italic")]),
        ("**bo**", "bo", [(0, 2, "bold")]),
        ("***bi***", "bi", [(0, 2, "bold"), (0, 2, "italic")]),
        ("_un_", "un", [(0, 2, "underline")]),
        ("_**ub**_", "ub", [(0, 2, "bold"), (0, 2, "underline")]),
        ("a **b *c* d** e", "a b c d e", [(2, 7, "bold"), (4, 5, "italic")]),
        ("5 * 3 * 2", "5 * 3 * 2", []),  # spaces inside the markers: not emphasis
        (r"\*not\*", "*not*", []),
        (r"\_x\_", "_x_", []),
        ("*a\nb*", "*a\nb*", []),  # never across a line end
        ("snake_case_name", "snakecasename", [(5, 9, "underline")]),
    ],
)
def test_parse(marked: str, plain: str, spans: list[tuple[int, int, str]]) -> None:
    text, found = parse_emphasis(marked)
    assert text == plain
    assert sorted((e.start, e.end, e.style) for e in found) == sorted(spans)


@pytest.mark.parametrize(
    "marked", ["*it*", "**bo** and _un_", "a **b *c* d** e", "***bi***", r"lit \* star"]
)
def test_render_reads_back(marked: str) -> None:
    text, spans = parse_emphasis(marked)
    assert parse_emphasis(render_emphasis(text, spans)) == (text, spans)


def test_render_escapes_literal_markers() -> None:
    assert render_emphasis("2*3_4", ()) == r"2\*3\_4"


def test_split_at_line_ends() -> None:
    spans = (Emphasis(0, 5, "bold"),)
    assert split_at_line_ends("ab\ncd", spans) == (Emphasis(0, 2, "bold"), Emphasis(3, 5, "bold"))
